/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_text.c: the TEXT tokenizer (3.0 §3.2; docs/fcs-quirks.md, the TEXT quirks): delimiters,
 * escapes vs empty values in both modes, missing final delimiter, padding, odd token counts,
 * leading empty tokens, keyword trimming, case-insensitive lookup, duplicates, non-UTF-8 bytes.
 */
#include "fcs/fcs_internal.h"
#include "test_parse_util.h"

typedef struct tok_result {
    fcs_text_segment seg;
    fcs_warning_list w;
    apo_status st;
    apo_error err;
} tok_result;

static tok_result tok(const char *text, size_t len, fcs_text_mode mode)
{
    tok_result r;
    memset(&r, 0, sizeof r);
    apo_error_clear(&r.err);
    r.st = fcs_text_tokenize((const uint8_t *)text, len, 100, (uint8_t)text[0], mode, 0, "t.fcs",
                             &r.seg, &r.w, &r.err);
    return r;
}

static void tok_free(tok_result *r)
{
    fcs_text_segment_free(&r->seg);
    fcs_warning_list_free(&r->w);
}

static bool warned(const tok_result *r, const char *fragment)
{
    for (size_t i = 0; i < r->w.n; i++) {
        if (strstr(r->w.items[i].msg, fragment) != NULL) {
            return true;
        }
    }
    return false;
}

#define KW(r, i, kname, kvalue)                                                                 \
    do {                                                                                        \
        cr_assert_gt((r).seg.n, (i));                                                           \
        cr_assert_str_eq((r).seg.kw[i].name, (kname));                                          \
        cr_assert_str_eq((r).seg.kw[i].value, (kvalue));                                        \
        cr_assert_eq((r).seg.kw[i].value_len, strlen(kvalue));                                  \
    } while (0)

Test(fcs_text, escaped_delimiter_in_value)
{
    const char t[] = "/$SYS/RSX-11//M/$CYT/X/";
    tok_result r = tok(t, sizeof t - 1, FCS_TEXT_ESCAPE);
    cr_assert_eq(r.st, APO_OK);
    cr_assert_eq(r.seg.n, 2);
    KW(r, 0, "$SYS", "RSX-11/M");
    KW(r, 1, "$CYT", "X");
    cr_assert_eq(r.seg.kw[0].offset, 101);
    cr_assert_eq(r.seg.kw[1].offset, 116);
    cr_assert_eq(r.w.n, 0);
    tok_free(&r);
}

Test(fcs_text, empty_values_split_from_keywords)
{
    /* CellQuest: \$P5S\\$P7S\\&1Sample Vol\200\ */
    const char t[] = "\\$P5S\\\\$P7S\\\\&1Sample Vol\\200\\$X\\1\\";
    tok_result r = tok(t, sizeof t - 1, FCS_TEXT_ESCAPE);
    cr_assert_eq(r.st, APO_OK);
    cr_assert_eq(r.seg.n, 4);
    KW(r, 0, "$P5S", "");
    KW(r, 1, "$P7S", "");
    KW(r, 2, "&1Sample Vol", "200");
    KW(r, 3, "$X", "1");
    cr_assert_eq(r.seg.n_empty_split, 2);
    cr_assert(warned(&r, "read as keywords with empty values"));
    tok_free(&r);
}

Test(fcs_text, trailing_empty_value)
{
    const char t[] = "/A/1/&10Analysis Doc.//";
    tok_result r = tok(t, sizeof t - 1, FCS_TEXT_ESCAPE);
    cr_assert_eq(r.seg.n, 2);
    KW(r, 1, "&10Analysis Doc.", "");
    tok_free(&r);
    /* "/k1/v1//" ending: the extra delimiter is ignored */
    const char t2[] = "/A/1/B/2//";
    r = tok(t2, sizeof t2 - 1, FCS_TEXT_ESCAPE);
    cr_assert_eq(r.seg.n, 2);
    KW(r, 1, "B", "2");
    cr_assert(warned(&r, "found an extra one; ignored"));
    tok_free(&r);
}

Test(fcs_text, empty_mode_reads_doubled_delimiter_as_empty)
{
    const char t[] = "/A//B/x/C/y//";
    tok_result r = tok(t, sizeof t - 1, FCS_TEXT_EMPTY);
    cr_assert_eq(r.st, APO_OK);
    cr_assert_eq(r.seg.n, 3);
    KW(r, 0, "A", "");
    KW(r, 1, "B", "x");
    KW(r, 2, "C", "y");
    tok_free(&r);
    /* the same bytes read with escapes keep "y/" ... no: the final "//" is end + empty */
    const char t2[] = "/A/x//y/";
    r = tok(t2, sizeof t2 - 1, FCS_TEXT_EMPTY);
    /* empty mode: A=x, then an empty keyword with value y (skipped, warned) */
    cr_assert_eq(r.seg.n, 1);
    KW(r, 0, "A", "x");
    cr_assert(warned(&r, "found an empty one"));
    tok_free(&r);
}

Test(fcs_text, missing_final_delimiter_warns)
{
    const char t[] = "/A/1/B/22";
    tok_result r = tok(t, sizeof t - 1, FCS_TEXT_ESCAPE);
    cr_assert_eq(r.seg.n, 2);
    KW(r, 1, "B", "22");
    cr_assert(warned(&r, "expected it to end with the delimiter 0x2F, found 0x32"));
    cr_assert_eq(r.w.items[0].offset, 108);
    tok_free(&r);
}

Test(fcs_text, trailing_padding_stripped_but_not_a_whitespace_delimiter)
{
    const char t[] = "/A/1/B/2/   \0\0 ";
    tok_result r = tok(t, sizeof t - 1, FCS_TEXT_ESCAPE);
    cr_assert_eq(r.seg.n, 2);
    KW(r, 1, "B", "2");
    cr_assert(warned(&r, "NUL byte(s) of padding"));
    tok_free(&r);
    /* carriage return as delimiter (BD FACSymphony S8): the final CR is the delimiter */
    const char t2[] = "\rA\r1\rB\r2\r";
    r = tok(t2, sizeof t2 - 1, FCS_TEXT_ESCAPE);
    cr_assert_eq(r.seg.n, 2);
    KW(r, 1, "B", "2");
    cr_assert_eq(r.w.n, 0);
    tok_free(&r);
}

Test(fcs_text, any_delimiter_byte)
{
    const char *texts[] = {"|A|1|B|x*y|", "*A*1*B*x|y*", "\fA\f1\fB\fx*y\f", "!A!1!B!x*y!"};
    for (size_t i = 0; i < 4; i++) {
        tok_result r = tok(texts[i], strlen(texts[i]), FCS_TEXT_ESCAPE);
        cr_assert_eq(r.seg.n, 2, "delimiter 0x%02X", texts[i][0]);
        KW(r, 0, "A", "1");
        cr_assert_eq(r.seg.kw[1].value_len, 3);
        tok_free(&r);
    }
}

Test(fcs_text, odd_token_count_drops_last_keyword)
{
    const char t[] = "/A/1/B/";
    tok_result r = tok(t, sizeof t - 1, FCS_TEXT_ESCAPE);
    cr_assert_eq(r.seg.n, 1);
    KW(r, 0, "A", "1");
    cr_assert(warned(&r, "expected a value after keyword \"B\""));
    tok_free(&r);
}

Test(fcs_text, leading_empty_tokens_skipped)
{
    const char t[] = "///A/1/";
    tok_result r = tok(t, sizeof t - 1, FCS_TEXT_ESCAPE);
    cr_assert_eq(r.seg.n, 1);
    KW(r, 0, "A", "1");
    cr_assert(warned(&r, "found 2 more delimiter(s); skipped"));
    tok_free(&r);
}

Test(fcs_text, keywords_trimmed_values_raw_bytes_kept)
{
    const char t[] = "/  $P1N /  FSC \xAA\xff/\t$TOT\r\n/ 12 /";
    tok_result r = tok(t, sizeof t - 1, FCS_TEXT_ESCAPE);
    cr_assert_eq(r.seg.n, 2);
    KW(r, 0, "$P1N", "  FSC \xAA\xff");
    KW(r, 1, "$TOT", " 12 ");
    tok_free(&r);
}

Test(fcs_text, nul_bytes_inside_values_kept)
{
    const char t[] = "/A/x\0y/B/1/";
    tok_result r = tok(t, sizeof t - 1, FCS_TEXT_ESCAPE);
    cr_assert_eq(r.seg.n, 2);
    cr_assert_eq(r.seg.kw[0].value_len, 3);
    cr_assert_eq(memcmp(r.seg.kw[0].value, "x\0y", 3), 0);
    KW(r, 1, "B", "1");
    tok_free(&r);
}

Test(fcs_text, segment_must_start_with_delimiter)
{
    tok_result r;
    memset(&r, 0, sizeof r);
    apo_error_clear(&r.err);
    r.st = fcs_text_tokenize((const uint8_t *)"SORTSTATS|x|", 12, 500, '/', FCS_TEXT_ESCAPE, 1,
                             "t.fcs", &r.seg, &r.w, &r.err);
    cr_assert_eq(r.st, APO_E_FORMAT);
    cr_assert_eq(r.err.offset, 500);
    cr_assert(strstr(r.err.msg, "STEXT segment: expected the delimiter 0x2F") != NULL, "%s",
              r.err.msg);
    tok_free(&r);
}

/* ---- through the whole parser ---- */

Test(fcs_text, lookup_is_case_insensitive_and_first_duplicate_wins)
{
    fcs_builder *b = tp_basic("FCS3.1");
    fcs_builder_keyword(b, "MyKey", "first");
    fcs_builder_keyword(b, "MYKEY", "second");
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert_str_eq(fcs_dataset_keyword(ds, "mykey"), "first");
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$p1n"), "FSC-A");
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$tot"), "3");
    cr_assert_null(fcs_dataset_keyword(ds, "$P1X"));
    cr_assert(tp_warned(ds, "MYKEY", "the first value \"first\" is used"));
    tp_free(&t);
}

Test(fcs_text, empty_value_keyword_in_real_file_layout)
{
    fcs_builder *b = tp_basic("FCS2.0");
    fcs_builder_set_delim(b, '\\');
    fcs_builder_text_raw(b, "$P1S\\\\$P2S\\\\&1Sample Vol\\200\\");
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$P1S"), "");
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$P2S"), "");
    cr_assert_str_eq(fcs_dataset_keyword(ds, "&1Sample Vol"), "200");
    cr_assert_str_eq(fcs_dataset_param(ds, 0)->label, "");
    tp_free(&t);
}

Test(fcs_text, forced_empty_mode_option)
{
    fcs_builder *b = tp_basic("FCS3.0");
    fcs_builder_text_raw(b, "$COM//$FIL/a.fcs/");
    fcs_read_options o = FCS_READ_OPTIONS_INIT;
    o.text_mode = FCS_TEXT_EMPTY;
    tp_file t = tp_parse(b, &o);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$COM"), "");
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$FIL"), "a.fcs");
    tp_free(&t);
    /* escape mode keeps a real escape */
    b = tp_basic("FCS3.0");
    fcs_builder_keyword(b, "$SYS", "RSX-11/M");
    o.text_mode = FCS_TEXT_ESCAPE;
    t = tp_parse(b, &o);
    ds = tp_ds(&t);
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$SYS"), "RSX-11/M");
    tp_free(&t);
}

Test(fcs_text, text_end_equal_to_data_begin_is_repaired)
{
    /* the HEADER TEXT end points at the first DATA byte */
    size_t len;
    fcs_builder *bb = tp_basic("FCS3.0");
    uint8_t *bytes = fcs_builder_build(bb, &len);
    fcs_builder_free(bb);
    char f[9];
    memcpy(f, bytes + 26, 8);
    f[8] = '\0';
    fcs_bytes_overwrite(bytes, len, 18, f);
    tp_file t = tp_parse_bytes(bytes, len, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert(tp_warned(ds, NULL, "found TEXT end = DATA begin"));
    cr_assert_eq(fcs_dataset_n_events(ds), 3);
    cr_assert_str_eq(fcs_dataset_param(ds, 1)->name, "SSC-A");
    tp_free(&t);
}
