/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_parse_util.h: small helpers shared by the parser tests (test_header.c, test_text.c,
 * test_dataset.c, test_reject.c, test_spillover.c): parse builder bytes, look for warnings.
 */
#ifndef APOFLOW_TESTS_FCS_TEST_PARSE_UTIL_H
#define APOFLOW_TESTS_FCS_TEST_PARSE_UTIL_H

#include "fcs/fcs.h"
#include "support/fcs_builder.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* A parsed builder file; bytes stay alive until tp_free. */
typedef struct tp_file {
    uint8_t *bytes;
    size_t len;
    fcs_file *f;
    apo_error err;
    apo_status st;
} tp_file;

/* Build @p b (freed here) and parse it with @p opts (NULL = defaults) as "t.fcs". */
static inline tp_file tp_parse(fcs_builder *b, const fcs_read_options *opts)
{
    tp_file t;
    memset(&t, 0, sizeof t);
    t.bytes = fcs_builder_build(b, &t.len);
    fcs_builder_free(b);
    apo_error_clear(&t.err);
    t.st = fcs_file_open_buffer(&t.f, t.bytes, t.len, "t.fcs", opts, &t.err);
    return t;
}

/* Parse existing bytes (taken over). */
static inline tp_file tp_parse_bytes(uint8_t *bytes, size_t len, const fcs_read_options *opts)
{
    tp_file t;
    memset(&t, 0, sizeof t);
    t.bytes = bytes;
    t.len = len;
    apo_error_clear(&t.err);
    t.st = fcs_file_open_buffer(&t.f, t.bytes, t.len, "t.fcs", opts, &t.err);
    return t;
}

static inline void tp_free(tp_file *t)
{
    fcs_file_free(t->f);
    free(t->bytes);
    t->f = NULL;
    t->bytes = NULL;
}

static inline const fcs_dataset *tp_ds(const tp_file *t)
{
    cr_assert_eq(t->st, APO_OK, "parse failed: %s", t->err.msg);
    return fcs_file_dataset(t->f, 0);
}

/* Does a warning of @p ds contain @p fragment (and name @p keyword, if not NULL)? */
static inline bool tp_warned(const fcs_dataset *ds, const char *keyword, const char *fragment)
{
    for (size_t i = 0; i < fcs_dataset_n_warnings(ds); i++) {
        const fcs_warning *w = fcs_dataset_warning(ds, i);
        if (strstr(w->msg, fragment) != NULL &&
            (keyword == NULL || strcmp(w->keyword, keyword) == 0)) {
            return true;
        }
    }
    return false;
}

/* A two-parameter 16-bit integer data set with 3 events, the base of most tests. */
static inline fcs_builder *tp_basic(const char *version)
{
    fcs_builder *b = fcs_builder_new(version);
    fcs_builder_param(b, "FSC-A", 16, 1024);
    fcs_builder_param(b, "SSC-A", 16, 1024);
    static const double v[] = {1, 2, 3, 4, 1023, 5};
    fcs_builder_set_events(b, 3, v);
    return b;
}

/* Assert a failed parse: status, keyword (NULL: not checked) and a message fragment. */
#define tp_assert_error(t, status, kw, fragment)                                                \
    do {                                                                                        \
        cr_assert_eq((t)->st, (status), "status %d, message: %s", (int)(t)->st, (t)->err.msg);  \
        cr_assert_null((t)->f);                                                                 \
        if ((kw) != NULL) {                                                                     \
            cr_assert_str_eq((t)->err.keyword, (kw), "message: %s", (t)->err.msg);             \
        }                                                                                       \
        cr_assert(strstr((t)->err.msg, (fragment)) != NULL, "message: %s", (t)->err.msg);       \
        cr_assert(strncmp((t)->err.msg, "t.fcs: ", 7) == 0, "message: %s", (t)->err.msg);      \
    } while (0)

#endif /* APOFLOW_TESTS_FCS_TEST_PARSE_UTIL_H */
