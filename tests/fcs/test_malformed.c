/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_malformed.c: the reader on every prefix and on single-byte damage of small files of
 * several layouts (integer, float with spillover, delimited ASCII, two chained data sets,
 * ANALYSIS + supplemental TEXT, FCS 2.0). Each input is a heap copy of exactly its length, so
 * the sanitizer build catches any read past the end. A rejection must carry an error naming
 * the file; a truncated file that is still read must say so in a warning. See
 * docs/hardening.md; tests/cli/test_malformed.c covers the same cases through the CLI.
 */
#include "fcs/fcs.h"
#include "support/fcs_builder.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NAME "damaged.fcs"

static fcs_builder *int16_set(const char *version)
{
    fcs_builder *b = fcs_builder_new(version);
    fcs_builder_param(b, "FSC-A", 16, 1024);
    fcs_builder_param(b, "SSC-A", 16, 1024);
    fcs_builder_param(b, "FL1-A", 16, 1024);
    const double v[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    fcs_builder_set_events(b, 4, v);
    return b;
}

static fcs_builder *float_set(void)
{
    fcs_builder *b = fcs_builder_new("FCS3.1");
    fcs_builder_param(b, "FSC-A", 32, 262144);
    fcs_builder_param(b, "FL1-A", 32, 262144);
    fcs_builder_param(b, "FL2-A", 32, 262144);
    fcs_builder_set_datatype(b, 'F');
    fcs_builder_keyword(b, "$SPILLOVER", "2,FL1-A,FL2-A,1,0.1,0.05,1");
    fcs_builder_keyword(b, "$P2S", "CD3");
    const double v[] = {1.5, -2, 3e6, NAN, 5, 6, 7, INFINITY, 9};
    fcs_builder_set_events(b, 3, v);
    return b;
}

static fcs_builder *ascii_set(void)
{
    fcs_builder *b = fcs_builder_new("FCS3.0");
    fcs_builder_param(b, "FSC-A", 0, 1024);
    fcs_builder_param(b, "SSC-A", 0, 1024);
    fcs_builder_set_datatype(b, 'A');
    const double v[] = {1, 22, 333, 4444, 5, 6};
    fcs_builder_set_events(b, 3, v);
    return b;
}

typedef uint8_t *(*layout_fn)(size_t *len);

static uint8_t *layout_int16(size_t *len)
{
    fcs_builder *b = int16_set("FCS3.1");
    uint8_t *bytes = fcs_builder_build(b, len);
    fcs_builder_free(b);
    return bytes;
}

static uint8_t *layout_float_spill(size_t *len)
{
    fcs_builder *b = float_set();
    uint8_t *bytes = fcs_builder_build(b, len);
    fcs_builder_free(b);
    return bytes;
}

static uint8_t *layout_ascii(size_t *len)
{
    fcs_builder *b = ascii_set();
    uint8_t *bytes = fcs_builder_build(b, len);
    fcs_builder_free(b);
    return bytes;
}

static uint8_t *layout_fcs2_backslash(size_t *len)
{
    fcs_builder *b = int16_set("FCS2.0");
    fcs_builder_set_delim(b, '\\');
    fcs_builder_set_byteord(b, "2,1");
    uint8_t *bytes = fcs_builder_build(b, len);
    fcs_builder_free(b);
    return bytes;
}

static uint8_t *layout_chain(size_t *len)
{
    fcs_builder *bs[2] = {int16_set("FCS3.0"), float_set()};
    uint8_t *bytes = fcs_builder_build_chain(bs, 2, len);
    fcs_builder_free(bs[0]);
    fcs_builder_free(bs[1]);
    return bytes;
}

static uint8_t *layout_analysis_stext(size_t *len)
{
    fcs_builder *b = int16_set("FCS3.1");
    fcs_builder_stext(b, "/S1/supplemental/S2/x/");
    fcs_builder_analysis(b, "/A1/analysis/A2/y/");
    uint8_t *bytes = fcs_builder_build(b, len);
    fcs_builder_free(b);
    return bytes;
}

static const struct {
    const char *name;
    layout_fn build;
} layouts[] = {
    {"int16", layout_int16},
    {"float_spill", layout_float_spill},
    {"ascii", layout_ascii},
    {"fcs2_backslash", layout_fcs2_backslash},
    {"chain", layout_chain},
    {"analysis_stext", layout_analysis_stext},
};
#define N_LAYOUTS (sizeof layouts / sizeof layouts[0])

static size_t n_warnings(const fcs_file *f)
{
    size_t n = fcs_file_n_warnings(f);
    for (size_t d = 0; d < fcs_file_n_datasets(f); d++) {
        n += fcs_dataset_n_warnings(fcs_file_dataset(f, d));
    }
    return n;
}

/* Decode everything the reader accepted; errors are fine, crashes are not. Returns the
 * number of data sets that failed to decode. */
static size_t decode_all(const fcs_file *f)
{
    size_t failed = 0;
    for (size_t d = 0; d < fcs_file_n_datasets(f); d++) {
        const fcs_dataset *ds = fcs_file_dataset(f, d);
        if (!fcs_dataset_has_data(ds)) {
            continue;
        }
        fcs_decode_options opt = FCS_DECODE_OPTIONS_INIT;
        opt.values = FCS_VALUES_SCALED;
        opt.apply_gain = true;
        fcs_events ev = {0};
        apo_error err;
        apo_status st = fcs_dataset_read_events(ds, &opt, &ev, &err);
        if (st == APO_OK) {
            cr_assert_eq(ev.n_events, fcs_dataset_n_events(ds));
            cr_assert_eq(ev.n_params, fcs_dataset_n_params(ds));
        } else {
            cr_assert(strncmp(err.msg, NAME ": ", strlen(NAME) + 2) == 0, "%s", err.msg);
            failed++;
        }
        fcs_events_free(&ev);
    }
    return failed;
}

/*
 * Parse @p len bytes copied to a buffer of exactly that size. Returns the status; checks the
 * error shape on failure. *warned tells whether an accepted file carried any warning or
 * failed to decode (delimited ASCII DATA is only checked when decoded).
 */
static apo_status parse_exact(const uint8_t *bytes, size_t len, fcs_text_mode mode, bool *warned,
                              size_t *n_sets)
{
    uint8_t *copy = malloc(len > 0 ? len : 1);
    cr_assert_not_null(copy);
    if (len > 0) {
        memcpy(copy, bytes, len);
    }
    fcs_read_options opts = FCS_READ_OPTIONS_INIT;
    opts.text_mode = mode;
    fcs_file *f = NULL;
    apo_error err;
    apo_error_clear(&err);
    apo_status st = fcs_file_open_buffer(&f, copy, len, NAME, &opts, &err);
    if (st != APO_OK) {
        cr_assert_null(f);
        cr_assert_eq(err.status, st);
        cr_assert(strncmp(err.msg, NAME ": ", strlen(NAME) + 2) == 0,
                  "message without the file name: %s", err.msg);
        cr_assert(strlen(err.msg) > strlen(NAME) + 10, "empty message: %s", err.msg);
    } else {
        cr_assert_not_null(f);
        *n_sets = fcs_file_n_datasets(f);
        *warned = n_warnings(f) > 0;
        *warned = decode_all(f) > 0 || *warned;
        fcs_file_free(f);
    }
    free(copy);
    return st;
}

Test(fcs_malformed, intact_layouts_read_without_warnings)
{
    for (size_t i = 0; i < N_LAYOUTS; i++) {
        size_t len;
        uint8_t *bytes = layouts[i].build(&len);
        bool warned = true;
        size_t n_sets = 0;
        cr_assert_eq(parse_exact(bytes, len, FCS_TEXT_AUTO, &warned, &n_sets), APO_OK, "%s",
                     layouts[i].name);
        cr_assert(!warned, "%s: the intact file warns", layouts[i].name);
        cr_assert_eq(n_sets, strcmp(layouts[i].name, "chain") == 0 ? 2u : 1u);
        free(bytes);
    }
}

/* Every proper prefix is rejected, or read with a warning (never silently as if whole). */
Test(fcs_malformed, every_prefix_rejected_or_warned)
{
    size_t rejected = 0, warned_reads = 0;
    for (size_t i = 0; i < N_LAYOUTS; i++) {
        size_t len;
        uint8_t *bytes = layouts[i].build(&len);
        for (size_t cut = 0; cut < len; cut++) {
            bool warned = false;
            size_t n_sets = 0;
            apo_status st = parse_exact(bytes, cut, FCS_TEXT_AUTO, &warned, &n_sets);
            if (st != APO_OK) {
                rejected++;
                continue;
            }
            cr_assert(warned, "%s cut at %zu of %zu bytes: read without any warning",
                      layouts[i].name, cut, len);
            warned_reads++;
        }
        free(bytes);
    }
    cr_assert_gt(rejected, 1000u);
    /* The chain's first data set and the ANALYSIS/STEXT layout survive late cuts. */
    cr_assert_gt(warned_reads, 0u);
}

/* Every byte replaced by each of a few hostile values, in both TEXT modes. */
Test(fcs_malformed, single_byte_damage)
{
    static const uint8_t hostile[] = {0x00, 0xFF, '/', '\\', '9', '-', ' ', ','};
    static const fcs_text_mode modes[] = {FCS_TEXT_AUTO, FCS_TEXT_EMPTY, FCS_TEXT_ESCAPE};
    size_t parsed = 0, ok = 0;
    for (size_t i = 0; i < N_LAYOUTS; i++) {
        size_t len;
        uint8_t *bytes = layouts[i].build(&len);
        uint8_t *work = malloc(len);
        for (size_t pos = 0; pos < len; pos++) {
            for (size_t h = 0; h < sizeof hostile; h++) {
                if (bytes[pos] == hostile[h]) {
                    continue;
                }
                memcpy(work, bytes, len);
                work[pos] = hostile[h];
                for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
                    bool warned = false;
                    size_t n_sets = 0;
                    ok += parse_exact(work, len, modes[m], &warned, &n_sets) == APO_OK;
                    parsed++;
                }
            }
        }
        free(work);
        free(bytes);
    }
    cr_assert_gt(parsed, 10000u);
    cr_assert_gt(ok, 0u);
    cr_assert_lt(ok, parsed);
}
