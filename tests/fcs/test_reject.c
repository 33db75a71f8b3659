/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_reject.c: one test per rejection path of the parser (docs/hardening.md): each asserts
 * the status, the keyword and a fragment of the "expected ..., found ..." message, and that
 * the message starts with the file name.
 */
#include "test_parse_util.h"

#include <math.h>

/* Basic file with one keyword replaced. */
static tp_file with(const char *version, const char *name, const char *value)
{
    fcs_builder *b = tp_basic(version);
    fcs_builder_keyword(b, name, value);
    return tp_parse(b, NULL);
}

Test(fcs_reject, histogram_mode)
{
    tp_file t = with("FCS3.0", "$MODE", "C");
    tp_assert_error(&t, APO_E_UNSUPPORTED, "$MODE", "expected list mode L, found histogram mode "
                                                    "\"C\"");
    cr_assert_gt(t.err.offset, 58);
    cr_assert_neq(t.err.offset, APO_NO_OFFSET);
    tp_free(&t);
    t = with("FCS2.0", "$MODE", "U");
    tp_assert_error(&t, APO_E_UNSUPPORTED, "$MODE", "found histogram mode \"U\"");
    tp_free(&t);
}

Test(fcs_reject, unknown_mode)
{
    tp_file t = with("FCS3.0", "$MODE", "X");
    tp_assert_error(&t, APO_E_FORMAT, "$MODE", "expected L (list mode), found \"X\"");
    tp_free(&t);
}

Test(fcs_reject, missing_datatype)
{
    fcs_builder *b = tp_basic("FCS3.0");
    fcs_builder_omit(b, "$DATATYPE");
    tp_file t = tp_parse(b, NULL);
    tp_assert_error(&t, APO_E_FORMAT, "$DATATYPE", "expected the required keyword $DATATYPE, "
                                                   "found none");
    tp_free(&t);
}

Test(fcs_reject, bad_datatype)
{
    tp_file t = with("FCS3.0", "$DATATYPE", "Q");
    tp_assert_error(&t, APO_E_FORMAT, "$DATATYPE", "expected I, F, D or A, found \"Q\"");
    tp_free(&t);
}

Test(fcs_reject, bad_tot)
{
    tp_file t = with("FCS3.0", "$TOT", "-5");
    tp_assert_error(&t, APO_E_FORMAT, "$TOT", "expected a non-negative event count, found "
                                              "\"-5\"");
    tp_free(&t);
}

Test(fcs_reject, missing_par)
{
    fcs_builder *b = tp_basic("FCS3.0");
    fcs_builder_omit(b, "$PAR");
    tp_file t = tp_parse(b, NULL);
    tp_assert_error(&t, APO_E_FORMAT, "$PAR", "expected the required keyword $PAR, found none");
    tp_free(&t);
}

Test(fcs_reject, bad_par)
{
    const char *vals[] = {"abc", "0", "-2"};
    for (size_t i = 0; i < 3; i++) {
        tp_file t = with("FCS3.0", "$PAR", vals[i]);
        tp_assert_error(&t, APO_E_FORMAT, "$PAR", "expected a positive number of parameters");
        tp_free(&t);
    }
}

Test(fcs_reject, par_larger_than_keywords)
{
    tp_file t = with("FCS3.0", "$PAR", "100000000");
    tp_assert_error(&t, APO_E_FORMAT, "$PAR", "(one $PnB keyword each), found 100000000");
    tp_free(&t);
}

Test(fcs_reject, missing_pnb)
{
    fcs_builder *b = tp_basic("FCS3.0");
    fcs_builder_omit(b, "$P2B");
    tp_file t = tp_parse(b, NULL);
    tp_assert_error(&t, APO_E_FORMAT, "$P2B", "expected the required keyword $P2B");
    tp_free(&t);
}

Test(fcs_reject, bad_pnb)
{
    const char *vals[] = {"12x", "0", "65", ""};
    for (size_t i = 0; i < 4; i++) {
        tp_file t = with("FCS3.0", "$P2B", vals[i]);
        tp_assert_error(&t, APO_E_FORMAT, "$P2B", "expected a bit width of 8, 16, 24, 32 or 64 "
                                                  "for $DATATYPE I, found \"");
        tp_free(&t);
    }
}

Test(fcs_reject, star_width_with_binary_type)
{
    tp_file t = with("FCS3.0", "$P1B", "*");
    tp_assert_error(&t, APO_E_FORMAT, "$P1B", "found \"*\" (only allowed for $DATATYPE A)");
    tp_free(&t);
}

Test(fcs_reject, ascii_bad_width_and_mixed_star)
{
    fcs_builder *b = fcs_builder_new("FCS3.0");
    fcs_builder_set_datatype(b, 'A');
    fcs_builder_param(b, "A", 4, 1024);
    fcs_builder_param_bits(b, "x");
    tp_file t = tp_parse(b, NULL);
    tp_assert_error(&t, APO_E_FORMAT, "$P1B", "expected a field width of 1 to 64 characters or "
                                              "\"*\" for $DATATYPE A, found \"x\"");
    tp_free(&t);
    b = fcs_builder_new("FCS3.0");
    fcs_builder_set_datatype(b, 'A');
    fcs_builder_param(b, "A", 4, 1024);
    fcs_builder_param(b, "B", 0, 1024);
    t = tp_parse(b, NULL);
    tp_assert_error(&t, APO_E_FORMAT, "$PnB", "expected either all or no $PnB to be \"*\"");
    tp_free(&t);
}

Test(fcs_reject, delimited_ascii_without_tot)
{
    fcs_builder *b = fcs_builder_new("FCS3.0");
    fcs_builder_set_datatype(b, 'A');
    fcs_builder_param(b, "A", 0, 1024);
    const double v[] = {1, 2};
    fcs_builder_set_events(b, 2, v);
    fcs_builder_omit(b, "$TOT");
    tp_file t = tp_parse(b, NULL);
    tp_assert_error(&t, APO_E_FORMAT, "$TOT", "expected $TOT for delimited ASCII data");
    tp_free(&t);
}

Test(fcs_reject, bad_per_parameter_datatype)
{
    tp_file t = with("FCS3.2", "$P1DATATYPE", "A");
    tp_assert_error(&t, APO_E_FORMAT, "$P1DATATYPE", "expected I, F or D, found \"A\"");
    tp_free(&t);
    fcs_builder *b = fcs_builder_new("FCS3.2");
    fcs_builder_set_datatype(b, 'A');
    fcs_builder_param(b, "A", 4, 1024);
    fcs_builder_keyword(b, "$P1DATATYPE", "I");
    t = tp_parse(b, NULL);
    tp_assert_error(&t, APO_E_UNSUPPORTED, "$P1DATATYPE", "found it with $DATATYPE A");
    tp_free(&t);
}

Test(fcs_reject, missing_byteord)
{
    fcs_builder *b = tp_basic("FCS3.0");
    fcs_builder_omit(b, "$BYTEORD");
    tp_file t = tp_parse(b, NULL);
    tp_assert_error(&t, APO_E_FORMAT, "$BYTEORD", "expected the required keyword $BYTEORD for "
                                                  "multi-byte values, found none");
    tp_free(&t);
}

Test(fcs_reject, bad_byteord)
{
    const char *vals[] = {"1,2,x", "1,1", "5,6", "1"};
    for (size_t i = 0; i < 4; i++) {
        tp_file t = with("FCS3.0", "$BYTEORD", vals[i]);
        tp_assert_error(&t, APO_E_FORMAT, "$BYTEORD", "expected a byte order");
        cr_assert(strstr(t.err.msg, vals[i]) != NULL, "%s", t.err.msg);
        tp_free(&t);
    }
}

Test(fcs_reject, permuted_byteord_wrong_width)
{
    tp_file t = with("FCS3.0", "$BYTEORD", "3,4,1,2");
    tp_assert_error(&t, APO_E_UNSUPPORTED, "$BYTEORD", "expected a byte order for 2-byte values, "
                                                       "found \"3,4,1,2\" (4 bytes)");
    tp_free(&t);
}

Test(fcs_reject, tot_overflow)
{
    tp_file t = with("FCS3.0", "$TOT", "18446744073709551615");
    tp_assert_error(&t, APO_E_RANGE, "$TOT", "(overflow)");
    tp_free(&t);
}

Test(fcs_reject, no_data_offsets)
{
    fcs_builder *b = tp_basic("FCS3.0");
    fcs_builder_omit(b, "$BEGINDATA");
    fcs_builder_omit(b, "$ENDDATA");
    fcs_builder_header_field(b, 2, "       0");
    fcs_builder_header_field(b, 3, "       0");
    tp_file t = tp_parse(b, NULL);
    tp_assert_error(&t, APO_E_FORMAT, "$BEGINDATA", "cannot locate DATA");
    cr_assert_eq(t.err.offset, 26);
    tp_free(&t);
}

Test(fcs_reject, data_begin_outside_file)
{
    fcs_builder *b = tp_basic("FCS2.0");
    fcs_builder_header_field(b, 2, "99999990");
    fcs_builder_header_field(b, 3, "99999998");
    tp_file t = tp_parse(b, NULL);
    tp_assert_error(&t, APO_E_FORMAT, "$BEGINDATA", "expected DATA to begin inside the file");
    tp_free(&t);
}

Test(fcs_reject, data_beyond_end_of_file)
{
    fcs_builder *b = tp_basic("FCS3.1");
    size_t len;
    uint8_t *bytes = fcs_builder_build(b, &len);
    fcs_builder_free(b);
    tp_file t = tp_parse_bytes(bytes, len - 5, NULL); /* truncated */
    tp_assert_error(&t, APO_E_FORMAT, "$ENDDATA", "(truncated?)");
    cr_assert(strstr(t.err.msg, "file ends at byte") != NULL, "%s", t.err.msg);
    tp_free(&t);
}

Test(fcs_reject, data_shorter_than_tot)
{
    tp_file t = with("FCS3.0", "$TOT", "4");
    tp_assert_error(&t, APO_E_FORMAT, "$TOT", "expected 4 events of 4 bytes (16 bytes) in DATA, "
                                              "found 12 bytes (3 complete events)");
    tp_free(&t);
}

Test(fcs_reject, bit_packed_data)
{
    /* 4 events of two 10-bit values packed into 10 bytes: only the packed reading fits */
    fcs_builder *b = fcs_builder_new("FCS2.0");
    fcs_builder_param(b, "A", 16, 1024);
    fcs_builder_param_bits(b, "10");
    fcs_builder_param(b, "B", 16, 1024);
    fcs_builder_param_bits(b, "10");
    const uint8_t raw[10] = {0};
    fcs_builder_set_raw_data(b, raw, sizeof raw);
    fcs_builder_keyword(b, "$TOT", "4");
    tp_file t = tp_parse(b, NULL);
    tp_assert_error(&t, APO_E_UNSUPPORTED, "$PnB", "found bit-packed DATA (10 bytes for 4 events");
    tp_free(&t);
}

Test(fcs_reject, odd_width_matching_nothing)
{
    fcs_builder *b = fcs_builder_new("FCS2.0");
    fcs_builder_param(b, "A", 16, 1024);
    fcs_builder_param_bits(b, "12");
    const uint8_t raw[5] = {0};
    fcs_builder_set_raw_data(b, raw, sizeof raw);
    fcs_builder_keyword(b, "$TOT", "4");
    tp_file t = tp_parse(b, NULL);
    tp_assert_error(&t, APO_E_FORMAT, "$PnB", "expected DATA of 8 bytes ($PnB rounded up to whole "
                                              "bytes) or 6 bytes (bit-packed) for $TOT 4, found 5");
    tp_free(&t);
}

Test(fcs_reject, placeholder_text_offsets)
{
    fcs_builder *b = tp_basic("FCS3.0");
    fcs_builder_header_field(b, 1, "99999999");
    tp_file t = tp_parse(b, NULL);
    tp_assert_error(&t, APO_E_FORMAT, "", "found the 99999999 placeholder");
    tp_free(&t);
}

Test(fcs_reject, usage_errors)
{
    apo_error err;
    apo_error_clear(&err);
    cr_assert_eq(fcs_file_open_buffer(NULL, (const uint8_t *)"x", 1, "n", NULL, &err),
                 APO_E_USAGE);
    fcs_file *f = (fcs_file *)&err;
    cr_assert_eq(fcs_file_open_buffer(&f, NULL, 10, "n", NULL, &err), APO_E_USAGE);
    cr_assert_null(f);
    cr_assert_eq(fcs_file_open(&f, NULL, NULL, NULL), APO_E_USAGE);
}

Test(fcs_reject, delimited_ascii_shorter_than_tot)
{
    fcs_builder *b = fcs_builder_new("FCS3.0");
    fcs_builder_set_datatype(b, 'A');
    fcs_builder_param(b, "A", 0, 1024);
    fcs_builder_param(b, "B", 0, 1024);
    const double v[] = {1, 2, 3, 4};
    fcs_builder_set_events(b, 2, v); /* "1 2 3 4": 7 bytes, room for 2 events of 2 values */
    fcs_builder_keyword(b, "$TOT", "1000000000000");
    tp_file t = tp_parse(b, NULL);
    tp_assert_error(&t, APO_E_FORMAT, "$TOT", "expected DATA for 1000000000000 events of 2 "
                                              "delimited ASCII values, found only 7 bytes");
    tp_free(&t);
}
