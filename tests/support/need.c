/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * need.c: skip, or under CI fail, a test whose external input is missing (need.h); open a
 * corpus file for such a test.
 */
#include "support/need.h"

#include "fcs/fcs.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void test_need_path(const char *path, const char *what)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        return;
    }
    const char *ci = getenv("CI");
    if (ci != NULL && strcmp(ci, "true") == 0) {
        cr_assert_fail("%s is missing at %s (required under CI=true)", what, path);
    }
    cr_skip_test("%s is not at %s", what, path);
}

fcs_file *test_open_corpus_text(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/fcs/%s", APOFLOW_CORPUS_DIR, rel);
    test_need_path(path, "the FCS corpus");
    fcs_read_options ro = FCS_READ_OPTIONS_INIT;
    ro.text_only = true;
    fcs_file *f = NULL;
    apo_error err;
    cr_assert_eq(fcs_file_open(&f, path, &ro, &err), APO_OK, "%s: %s", path, err.msg);
    return f;
}
