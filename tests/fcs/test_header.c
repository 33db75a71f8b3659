/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_header.c: the FCS HEADER (3.0 §3.1; docs/fcs-quirks.md, "Quirks: HEADER"): offset field
 * spellings, placeholders, long headers, bytes 6-9, and the versions we accept or reject.
 */
#include "test_parse_util.h"

#include <stdio.h>

/* The numeric value of HEADER field @p i (0 TEXT begin ... 5 ANALYSIS end). */
static unsigned long field(const uint8_t *b, int i)
{
    char tmp[9];
    memcpy(tmp, b + 10 + 8 * i, 8);
    tmp[8] = '\0';
    return strtoul(tmp, NULL, 10);
}

static void set_field(uint8_t *b, size_t len, int i, const char *text8)
{
    cr_assert_eq(strlen(text8), 8);
    fcs_bytes_overwrite(b, len, 10 + 8 * (size_t)i, text8);
}

Test(fcs_header, zero_padded_and_left_justified_fields)
{
    size_t len;
    fcs_builder *bb = tp_basic("FCS3.0");
    uint8_t *b = fcs_builder_build(bb, &len);
    fcs_builder_free(bb);
    char f[16];
    snprintf(f, sizeof f, "%08lu", field(b, 0));
    set_field(b, len, 0, f);                   /* "00000058" (Stratedigm) */
    snprintf(f, sizeof f, "%-8lu", field(b, 1)); /* left-justified */
    set_field(b, len, 1, f);
    snprintf(f, sizeof f, " %-7lu", field(b, 2)); /* shifted by one byte (Navios) */
    set_field(b, len, 2, f);
    set_field(b, len, 4, "        "); /* blank ANALYSIS */
    set_field(b, len, 5, "        ");
    tp_file t = tp_parse_bytes(b, len, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert_eq(fcs_dataset_n_events(ds), 3);
    cr_assert_eq(fcs_dataset_data_begin(ds), len - 12);
    tp_free(&t);
}

Test(fcs_header, placeholder_and_zero_data_offsets_use_text)
{
    const char *variants[] = {"99999999", "       0"};
    for (int v = 0; v < 2; v++) {
        size_t len;
        fcs_builder *bb = tp_basic("FCS3.1");
        uint8_t *b = fcs_builder_build(bb, &len);
        fcs_builder_free(bb);
        set_field(b, len, 2, v == 0 ? "       0" : variants[1]);
        set_field(b, len, 3, variants[v]);
        tp_file t = tp_parse_bytes(b, len, NULL);
        const fcs_dataset *ds = tp_ds(&t);
        cr_assert_eq(fcs_dataset_data_begin(ds), len - 12);
        cr_assert_eq(fcs_dataset_data_len(ds), 12);
        cr_assert_eq(fcs_dataset_n_warnings(ds), 0, "%s", fcs_dataset_warning(ds, 0)->msg);
        tp_free(&t);
    }
}

Test(fcs_header, longer_header_with_other_offsets)
{
    fcs_builder *b = tp_basic("FCS3.0");
    fcs_builder_header_extra(b, "       0       0"); /* one OTHER pair: TEXT at 74 */
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert_eq(fcs_dataset_n_events(ds), 3);
    cr_assert_eq(field(t.bytes, 0), 74);
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$P1N"), "FSC-A");
    tp_free(&t);
}

Test(fcs_header, bytes_6_to_9_not_spaces_warn)
{
    fcs_builder *b = tp_basic("FCS3.0");
    fcs_builder_header_gap(b, "abcd");
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert(tp_warned(ds, NULL, "HEADER bytes 6-9: expected four spaces, found \"abcd\""));
    cr_assert_eq(fcs_dataset_warning(ds, 0)->offset, 6);
    tp_free(&t);
}

Test(fcs_header, negative_field_means_absent)
{
    fcs_builder *b = tp_basic("FCS3.0");
    fcs_builder_header_field(b, 4, "      -1");
    fcs_builder_header_field(b, 5, "      -1");
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert(tp_warned(ds, NULL, "negative means absent"));
    tp_free(&t);
}

Test(fcs_header, all_supported_versions)
{
    const char *versions[] = {"FCS2.0", "FCS3.0", "FCS3.1", "FCS3.2"};
    for (size_t i = 0; i < 4; i++) {
        tp_file t = tp_parse(tp_basic(versions[i]), NULL);
        const fcs_dataset *ds = tp_ds(&t);
        cr_assert_str_eq(fcs_dataset_version(ds), versions[i]);
        cr_assert_eq(fcs_dataset_n_events(ds), 3);
        tp_free(&t);
    }
}

Test(fcs_header, unsupported_version_rejected)
{
    tp_file t = tp_parse(tp_basic("FCS1.0"), NULL);
    tp_assert_error(&t, APO_E_UNSUPPORTED, "", "found \"FCS1.0\"");
    cr_assert_eq(t.err.offset, 0);
    tp_free(&t);
    t = tp_parse(tp_basic("FCS4.0"), NULL);
    tp_assert_error(&t, APO_E_UNSUPPORTED, "", "expected FCS2.0, FCS3.0, FCS3.1 or FCS3.2");
    tp_free(&t);
}

Test(fcs_header, not_fcs_and_short_files_rejected)
{
    tp_file t = tp_parse(tp_basic("XYZ3.0"), NULL);
    tp_assert_error(&t, APO_E_FORMAT, "", "not an FCS file: expected \"FCS\"");
    tp_free(&t);
    uint8_t *small = malloc(20);
    memcpy(small, "FCS3.0    12345678\n\x01", 20);
    t = tp_parse_bytes(small, 20, NULL);
    tp_assert_error(&t, APO_E_FORMAT, "", "found only 20 bytes");
    tp_free(&t);
    t = tp_parse_bytes(NULL, 0, NULL);
    tp_assert_error(&t, APO_E_FORMAT, "", "found only 0 bytes");
    tp_free(&t);
}

Test(fcs_header, non_numeric_field_rejected_with_byte_range)
{
    fcs_builder *b = tp_basic("FCS3.0");
    fcs_builder_header_field(b, 2, "    12a4");
    tp_file t = tp_parse(b, NULL);
    tp_assert_error(&t, APO_E_FORMAT, "", "HEADER DATA begin (bytes 26-33): expected a decimal "
                                          "offset, found \"    12a4\"");
    cr_assert_eq(t.err.offset, 26);
    tp_free(&t);
}

Test(fcs_header, text_segment_outside_file_rejected)
{
    fcs_builder *b = tp_basic("FCS3.0");
    fcs_builder_header_field(b, 1, "   99999");
    tp_file t = tp_parse(b, NULL);
    tp_assert_error(&t, APO_E_FORMAT, "", "expected a TEXT segment after the HEADER and inside "
                                          "the file");
    tp_free(&t);
    b = tp_basic("FCS3.0");
    fcs_builder_header_field(b, 0, "      20");
    t = tp_parse(b, NULL);
    tp_assert_error(&t, APO_E_FORMAT, "", "found 20..");
    tp_free(&t);
}

Test(fcs_header, open_missing_file_is_io_error)
{
    fcs_file *f = NULL;
    apo_error err;
    apo_error_clear(&err);
    cr_assert_eq(fcs_file_open(&f, "/nonexistent/x.fcs", NULL, &err), APO_E_IO);
    cr_assert_null(f);
    cr_assert(strstr(err.msg, "/nonexistent/x.fcs: cannot open") == err.msg, "%s", err.msg);
    cr_assert_neq(err.sys_errno, 0);
}
