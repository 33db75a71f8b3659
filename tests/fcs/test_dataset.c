/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_dataset.c: data set level parsing: parameters ($PnN de-dup, $PnE, $PnG, $PnR, time, $P0
 * numbering), widths and layout (24-bit, mixed, 10-in-16, F/D repair, $PnDATATYPE, ASCII), $BYTEORD
 * forms, masks, DATA offsets (HEADER vs TEXT, +1 end, $TOT derivation and mismatch, empty DATA
 * segment with events, truncation), STEXT/ANALYSIS, $NEXTDATA chains, $TIMESTEP, text_only.
 */
#include "fcs/fcs_internal.h"
#include "support/need.h"
#include "test_parse_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

static const fcs_layout *layout(const fcs_dataset *ds)
{
    return &ds->layout;
}

Test(fcs_dataset, basic_parameters_and_layout)
{
    fcs_builder *b = tp_basic("FCS3.1");
    fcs_builder_keyword(b, "$P1S", "Forward");
    fcs_builder_keyword(b, "$P2G", "2.5");
    fcs_builder_keyword(b, "$TIMESTEP", "0.01");
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert_eq(fcs_file_n_datasets(t.f), 1);
    cr_assert_eq(fcs_dataset_n_params(ds), 2);
    const fcs_param *p = fcs_dataset_param(ds, 0);
    cr_assert_str_eq(p->name, "FSC-A");
    cr_assert_str_eq(p->label, "Forward");
    cr_assert_eq(p->bits, 16);
    cr_assert_eq(p->stored_bits, 16);
    cr_assert_eq(p->datatype, FCS_DATATYPE_INT);
    cr_assert_float_eq(p->range, 1024, 0);
    cr_assert_eq(p->mask, 1023);
    cr_assert_float_eq(p->gain, 1, 0);
    cr_assert_float_eq(fcs_dataset_param(ds, 1)->gain, 2.5, 0);
    cr_assert_str_eq(fcs_dataset_param(ds, 1)->label, "");
    cr_assert_eq(fcs_dataset_find_param(ds, "ssc-a"), 1);
    cr_assert_eq(fcs_dataset_find_param(ds, "forward"), 0);
    cr_assert_eq(fcs_dataset_find_param(ds, "nope"), SIZE_MAX);
    cr_assert_float_eq(fcs_dataset_timestep(ds), 0.01, 0);
    const fcs_layout *L = layout(ds);
    cr_assert_eq(L->row_bytes, 4);
    cr_assert_eq(L->n_events, 3);
    cr_assert_eq(L->columns[1].byte_offset, 2);
    cr_assert_eq(L->columns[1].n_bytes, 2);
    cr_assert_eq(L->columns[0].mask, 1023);
    cr_assert_eq(L->byteorder, FCS_BYTEORDER_LITTLE);
    cr_assert_eq(L->data_begin, t.len - 12);
    cr_assert_eq(L->data_len, 12);
    cr_assert(fcs_dataset_has_data(ds));
    cr_assert_eq(fcs_dataset_n_warnings(ds), 0, "%s", fcs_dataset_warning(ds, 0)->msg);
    double out[6];
    fcs_decode_options o = FCS_DECODE_OPTIONS_INIT;
    cr_assert_eq(fcs_dataset_decode_f64(ds, 0, 3, &o, out, 3, &t.err), APO_OK, "%s", t.err.msg);
    cr_assert_float_eq(out[2], 1023, 0);
    cr_assert_float_eq(out[5], 5, 0);
    tp_free(&t);
}

Test(fcs_dataset, duplicate_names_get_suffixes)
{
    fcs_builder *b = fcs_builder_new("FCS3.1");
    fcs_builder_param(b, "FL1", 16, 1024);
    fcs_builder_param(b, "FL1", 16, 1024);
    fcs_builder_param(b, "FL1", 16, 1024);
    fcs_builder_param(b, "FL1-1", 16, 1024);
    fcs_read_options o = FCS_READ_OPTIONS_INIT;
    o.rename_duplicates = true;
    tp_file t = tp_parse(b, &o);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert_str_eq(fcs_dataset_param(ds, 0)->name, "FL1");
    cr_assert_str_eq(fcs_dataset_param(ds, 1)->name, "FL1-2");
    cr_assert_str_eq(fcs_dataset_param(ds, 2)->name, "FL1-3");
    cr_assert_str_eq(fcs_dataset_param(ds, 3)->name, "FL1-1");
    cr_assert(tp_warned(ds, "$P2N", "found \"FL1\" again; renamed to \"FL1-2\""));
    tp_free(&t);
}

Test(fcs_dataset, duplicate_names_rejected_by_default)
{
    fcs_builder *b = fcs_builder_new("FCS3.1");
    fcs_builder_param(b, "FSC-A", 16, 1024);
    fcs_builder_param(b, "FL1", 16, 1024);
    fcs_builder_param(b, "FL1", 16, 1024);
    size_t len = 0;
    uint8_t *bytes = fcs_builder_build(b, &len);
    fcs_builder_free(b);
    fcs_file *f = NULL;
    apo_error err;
    cr_assert_eq(fcs_file_open_buffer(&f, bytes, len, "dup.fcs", NULL, &err), APO_E_FORMAT);
    cr_assert_null(f);
    cr_assert_str_eq(err.keyword, "$P3N");
    cr_assert(strstr(err.msg, "dup.fcs: byte ") == err.msg, "%s", err.msg);
    cr_assert(strstr(err.msg, "found \"FL1\" for parameters 2 and 3") != NULL, "%s", err.msg);
    free(bytes);
}

Test(fcs_dataset, log_gain_range_and_time_repairs)
{
    fcs_builder *b = fcs_builder_new("FCS3.0");
    fcs_builder_param(b, "FL1-H", 16, 1024);
    fcs_builder_param(b, "Time", 16, NAN);
    fcs_builder_param(b, "FL2-H", 16, NAN);
    fcs_builder_keyword(b, "$P1E", "4,0");
    fcs_builder_keyword(b, "$P1G", "0");
    fcs_builder_keyword(b, "$P3E", " 4.0,0.1024");
    fcs_builder_keyword(b, "$P3G", "abc");
    fcs_builder_keyword(b, "$P3R", "NA");
    fcs_builder_keyword(b, "$TIMESTEP", "  ");
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    const fcs_param *p1 = fcs_dataset_param(ds, 0);
    cr_assert_float_eq(p1->log_decades, 4, 0);
    cr_assert_float_eq(p1->log_offset, 1, 0);
    cr_assert_float_eq(p1->gain, 1, 0);
    cr_assert(tp_warned(ds, "$P1E", "offset taken as 1"));
    cr_assert(tp_warned(ds, "$P1G", "gain taken as 1"));
    const fcs_param *pt = fcs_dataset_param(ds, 1);
    cr_assert(pt->is_time);
    cr_assert(!p1->is_time);
    cr_assert(isnan(pt->range));
    cr_assert_eq(pt->mask, UINT64_MAX);
    cr_assert(tp_warned(ds, "$P2R", "found none; no range mask"));
    const fcs_param *p3 = fcs_dataset_param(ds, 2);
    cr_assert_float_eq(p3->log_decades, 4, 0);
    cr_assert_float_eq(p3->log_offset, 0.1024, 1e-15);
    cr_assert(isnan(p3->range));
    cr_assert(tp_warned(ds, "$P3R", "expected a number, found \"NA\""));
    cr_assert(isnan(fcs_dataset_timestep(ds)));
    cr_assert(tp_warned(ds, "$TIMESTEP", "treated as absent"));
    tp_free(&t);
}

Test(fcs_dataset, time_by_pntype)
{
    fcs_builder *b = tp_basic("FCS3.2");
    fcs_builder_keyword(b, "$P2TYPE", "Time");
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert(fcs_dataset_param(ds, 1)->is_time);
    cr_assert(!fcs_dataset_param(ds, 0)->is_time);
    tp_free(&t);
}

Test(fcs_dataset, parameters_numbered_from_zero)
{
    fcs_builder *b = tp_basic("FCS3.0");
    fcs_builder_number_from_zero(b);
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert_str_eq(fcs_dataset_param(ds, 0)->name, "FSC-A");
    cr_assert_str_eq(fcs_dataset_param(ds, 1)->name, "SSC-A");
    cr_assert(tp_warned(ds, "$P0B", "read as numbered from 0"));
    tp_free(&t);
}

Test(fcs_dataset, mask_from_range)
{
    fcs_builder *b = fcs_builder_new("FCS3.0");
    fcs_builder_param(b, "A", 16, 1000);         /* next power of two: 1024 */
    fcs_builder_param(b, "B", 32, 4294967296.0); /* >= 2^32: no mask */
    fcs_builder_param(b, "C", 32, 262144);
    fcs_builder_param(b, "D", 16, 26.3432); /* 32 */
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert_eq(fcs_dataset_param(ds, 0)->mask, 1023);
    cr_assert_eq(fcs_dataset_param(ds, 1)->mask, UINT64_MAX);
    cr_assert_eq(fcs_dataset_param(ds, 2)->mask, 262143);
    cr_assert_eq(fcs_dataset_param(ds, 3)->mask, 31);
    cr_assert_eq(layout(ds)->columns[3].mask, 31);
    tp_free(&t);
}

Test(fcs_dataset, mixed_and_24_bit_widths)
{
    fcs_builder *b = fcs_builder_new("FCS3.0");
    fcs_builder_param(b, "A", 16, 65536);
    fcs_builder_param(b, "B", 32, 4294967296.0);
    fcs_builder_param(b, "C", 8, 256);
    fcs_builder_param(b, "D", 24, 16777216);
    fcs_builder_set_byteord(b, "4,3,2,1");
    const double v[] = {65535, 4000000000.0, 255, 16777215, 1, 2, 3, 4};
    fcs_builder_set_events(b, 2, v);
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    const fcs_layout *L = layout(ds);
    cr_assert_eq(L->row_bytes, 10);
    cr_assert_eq(L->columns[1].byte_offset, 2);
    cr_assert_eq(L->columns[2].byte_offset, 6);
    cr_assert_eq(L->columns[3].byte_offset, 7);
    cr_assert_eq(L->columns[3].n_bytes, 3);
    cr_assert_eq(L->byteorder, FCS_BYTEORDER_BIG);
    double out[8];
    fcs_decode_options o = FCS_DECODE_OPTIONS_INIT;
    cr_assert_eq(fcs_dataset_decode_f64(ds, 0, 2, &o, out, 2, &t.err), APO_OK, "%s", t.err.msg);
    for (size_t p = 0; p < 4; p++) {
        for (size_t e = 0; e < 2; e++) {
            cr_assert_float_eq(out[p * 2 + e], v[e * 4 + p], 0, "event %zu param %zu", e, p);
        }
    }
    tp_free(&t);
}

Test(fcs_dataset, ten_bits_stored_in_sixteen)
{
    fcs_builder *b = fcs_builder_new("FCS2.0");
    fcs_builder_param(b, "FS", 16, 1024);
    fcs_builder_param_bits(b, "10");
    fcs_builder_param(b, "SS", 16, 1024);
    fcs_builder_param_bits(b, "10");
    fcs_builder_set_byteord(b, "1,2");
    const double v[] = {0xFC00 | 411, 273, 546, 0x8000 | 348};
    fcs_builder_set_events(b, 2, v);
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    const fcs_param *p = fcs_dataset_param(ds, 0);
    cr_assert_eq(p->bits, 10);
    cr_assert_eq(p->stored_bits, 16);
    cr_assert_eq(p->mask, 1023);
    cr_assert_eq(layout(ds)->row_bytes, 4);
    cr_assert(tp_warned(ds, "$P1B", "values read from 16-bit words"));
    double out[4];
    fcs_decode_options o = FCS_DECODE_OPTIONS_INIT;
    cr_assert_eq(fcs_dataset_decode_f64(ds, 0, 2, &o, out, 2, &t.err), APO_OK, "%s", t.err.msg);
    cr_assert_float_eq(out[0], 411, 0);
    cr_assert_float_eq(out[3], 348, 0);
    tp_free(&t);
}

Test(fcs_dataset, float_with_wrong_pnb_repaired)
{
    fcs_builder *b = fcs_builder_new("FCS3.0");
    fcs_builder_param(b, "A", 32, 262144);
    fcs_builder_param_bits(b, "16");
    fcs_builder_set_datatype(b, 'F');
    const double v[] = {1.5, -2.25};
    fcs_builder_set_events(b, 2, v);
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert_eq(fcs_dataset_param(ds, 0)->stored_bits, 32);
    cr_assert_eq(fcs_dataset_param(ds, 0)->mask, UINT64_MAX);
    cr_assert(tp_warned(ds, "$P1B", "expected 32 bits for $DATATYPE F, found 16; read as 32"));
    cr_assert_eq(fcs_dataset_n_events(ds), 2);
    tp_free(&t);
}

Test(fcs_dataset, per_parameter_datatype_32)
{
    fcs_builder *b = fcs_builder_new("FCS3.2");
    fcs_builder_set_datatype(b, 'F');
    fcs_builder_param(b, "FSC-A", 32, 262144);
    fcs_builder_param(b, "Index", 16, 65536);
    fcs_builder_param_datatype(b, 'I');
    fcs_builder_param(b, "D", 64, 1);
    fcs_builder_param_datatype(b, 'D');
    const double v[] = {1.25, 7, 0.125};
    fcs_builder_set_events(b, 1, v);
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert_eq(fcs_dataset_param(ds, 1)->datatype, FCS_DATATYPE_INT);
    cr_assert_eq(fcs_dataset_param(ds, 2)->datatype, FCS_DATATYPE_DOUBLE);
    cr_assert_eq(layout(ds)->row_bytes, 14);
    cr_assert_eq(layout(ds)->columns[2].byte_offset, 6);
    double out[3];
    fcs_decode_options o = FCS_DECODE_OPTIONS_INIT;
    cr_assert_eq(fcs_dataset_decode_f64(ds, 0, 1, &o, out, 1, &t.err), APO_OK, "%s", t.err.msg);
    cr_assert_float_eq(out[0], 1.25, 0);
    cr_assert_float_eq(out[1], 7, 0);
    cr_assert_float_eq(out[2], 0.125, 0);
    tp_free(&t);
}

Test(fcs_dataset, ascii_fixed_and_delimited_layouts)
{
    fcs_builder *b = fcs_builder_new("FCS3.0");
    fcs_builder_set_datatype(b, 'A');
    fcs_builder_param(b, "FSC", 4, 1024);
    fcs_builder_param(b, "SSC", 4, 1024);
    const double v[] = {125, 150, 175, 150};
    fcs_builder_set_events(b, 2, v);
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert(layout(ds)->ascii);
    cr_assert(!layout(ds)->ascii_delimited);
    cr_assert_eq(layout(ds)->row_bytes, 8);
    cr_assert_eq(layout(ds)->columns[1].n_bytes, 4);
    cr_assert_eq(fcs_dataset_n_events(ds), 2);
    tp_free(&t);

    b = fcs_builder_new("FCS3.0");
    fcs_builder_set_datatype(b, 'A');
    fcs_builder_param(b, "FSC", 0, 1024);
    fcs_builder_param(b, "SSC", 0, 1024);
    fcs_builder_set_ascii_sep(b, ",\r\n");
    fcs_builder_set_events(b, 2, v);
    t = tp_parse(b, NULL);
    ds = tp_ds(&t);
    cr_assert(layout(ds)->ascii_delimited);
    cr_assert_eq(fcs_dataset_param(ds, 0)->bits, 0);
    cr_assert_eq(fcs_dataset_n_events(ds), 2);
    cr_assert_gt(fcs_dataset_data_len(ds), 10);
    double out[4];
    fcs_decode_options o = FCS_DECODE_OPTIONS_INIT;
    cr_assert_eq(fcs_dataset_decode_f64(ds, 0, 2, &o, out, 2, &t.err), APO_OK, "%s", t.err.msg);
    cr_assert_float_eq(out[1], 175, 0);
    cr_assert_float_eq(out[3], 150, 0);
    tp_free(&t);
}

Test(fcs_dataset, byteord_forms)
{
    struct {
        const char *byteord;
        unsigned bits;
        fcs_byteorder kind;
    } cases[] = {
        {"1,2,3,4", 32, FCS_BYTEORDER_LITTLE}, {"4,3,2,1", 32, FCS_BYTEORDER_BIG},
        {"1,2", 16, FCS_BYTEORDER_LITTLE},     {"2,1", 16, FCS_BYTEORDER_BIG},
        {"1,2", 32, FCS_BYTEORDER_LITTLE},     {"4,3,2,1", 16, FCS_BYTEORDER_BIG},
        {" 4, 3, 2, 1 ", 16, FCS_BYTEORDER_BIG}, {"3,4,1,2", 32, FCS_BYTEORDER_PERMUTED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fcs_builder *b = fcs_builder_new("FCS3.0");
        fcs_builder_param(b, "A", cases[i].bits, NAN);
        fcs_builder_param(b, "B", cases[i].bits, NAN);
        fcs_builder_set_byteord(b, cases[i].byteord);
        const double v[] = {0x01020304 & (cases[i].bits == 16 ? 0xFFFF : 0xFFFFFFFF), 7};
        fcs_builder_set_events(b, 1, v);
        tp_file t = tp_parse(b, NULL);
        const fcs_dataset *ds = tp_ds(&t);
        cr_assert_eq(layout(ds)->byteorder, cases[i].kind, "%s", cases[i].byteord);
        double out[2];
        fcs_decode_options o = FCS_DECODE_OPTIONS_INIT;
        cr_assert_eq(fcs_dataset_decode_f64(ds, 0, 1, &o, out, 1, &t.err), APO_OK, "%s",
                     t.err.msg);
        cr_assert_float_eq(out[0], v[0], 0, "%s %u", cases[i].byteord, cases[i].bits);
        cr_assert_float_eq(out[1], 7, 0);
        if (cases[i].kind == FCS_BYTEORDER_PERMUTED) {
            const uint8_t perm[4] = {2, 3, 0, 1};
            cr_assert_eq(memcmp(layout(ds)->columns[0].perm, perm, 4), 0);
        }
        tp_free(&t);
    }
}

Test(fcs_dataset, byteord_ignored_for_bytes_and_ascii)
{
    fcs_builder *b = fcs_builder_new("FCS3.0");
    fcs_builder_param(b, "A", 8, 256);
    fcs_builder_set_byteord(b, "1");
    const double v[] = {200};
    fcs_builder_set_events(b, 1, v);
    tp_file t = tp_parse(b, NULL);
    cr_assert_eq(fcs_dataset_n_events(tp_ds(&t)), 1);
    tp_free(&t);
}

/* ---- DATA offsets ---- */

Test(fcs_dataset, end_one_byte_too_far_warns)
{
    fcs_builder *b = tp_basic("FCS3.1");
    fcs_builder_data_end_delta(b, 1, 1);
    fcs_builder_trailer(b, "00000000");
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert_eq(fcs_dataset_n_events(ds), 3);
    cr_assert_eq(fcs_dataset_data_len(ds), 12);
    cr_assert(tp_warned(ds, "$ENDDATA", "(one byte too far)"));
    tp_free(&t);
    /* end one past EOF (no trailer) still reads */
    b = tp_basic("FCS3.1");
    fcs_builder_data_end_delta(b, 1, 1);
    t = tp_parse(b, NULL);
    cr_assert_eq(fcs_dataset_n_events(tp_ds(&t)), 3);
    tp_free(&t);
}

Test(fcs_dataset, header_text_disagreement_resolved_by_size)
{
    /* TEXT $ENDDATA short by one event: HEADER matches $TOT x row size */
    fcs_builder *b = tp_basic("FCS3.0");
    fcs_builder_data_end_delta(b, 0, -4);
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert_eq(fcs_dataset_n_events(ds), 3);
    cr_assert(tp_warned(ds, "$BEGINDATA", "using HEADER (fits $TOT x row size)"));
    cr_assert(tp_warned(ds, "$BEGINDATA", "TEXT"));
    tp_free(&t);
    /* forced TEXT: too short for $TOT -> error */
    b = tp_basic("FCS3.0");
    fcs_builder_data_end_delta(b, 0, -4);
    fcs_read_options o = FCS_READ_OPTIONS_INIT;
    o.offsets = FCS_OFFSETS_TEXT;
    t = tp_parse(b, &o);
    tp_assert_error(&t, APO_E_FORMAT, "$TOT", "expected 3 events of 4 bytes (12 bytes) in DATA, "
                                              "found 8 bytes (2 complete events)");
    tp_free(&t);
    /* ... unless truncated reads are allowed */
    b = tp_basic("FCS3.0");
    fcs_builder_data_end_delta(b, 0, -4);
    o.allow_truncated = true;
    t = tp_parse(b, &o);
    ds = tp_ds(&t);
    cr_assert_eq(fcs_dataset_n_events(ds), 2);
    cr_assert(tp_warned(ds, "$TOT", "found 2 complete events"));
    tp_free(&t);
}

Test(fcs_dataset, tie_prefers_text_in_3x_and_header_in_2x)
{
    /* TEXT points 4 bytes further (same length, both fit); DATA gap of 4 blank bytes */
    for (int v2 = 0; v2 < 2; v2++) {
        fcs_builder *b = tp_basic(v2 ? "FCS2.0" : "FCS3.0");
        fcs_builder_trailer(b, "\x01\x02\x03\x04");
        size_t len;
        uint8_t *bytes = fcs_builder_build(b, &len);
        fcs_builder_free(b);
        /* rewrite HEADER DATA offsets 4 bytes earlier: into nothing but the TEXT tail? no:
         * shift the HEADER pair 4 bytes later instead, into the trailer */
        char f[9];
        snprintf(f, sizeof f, "%8zu", len - 12);
        fcs_bytes_overwrite(bytes, len, 26, f);
        snprintf(f, sizeof f, "%8zu", len - 1);
        fcs_bytes_overwrite(bytes, len, 34, f);
        if (v2) {
            /* a 2.0 file with $BEGINDATA/$ENDDATA keywords is unusual but possible */
            tp_file t = tp_parse_bytes(bytes, len, NULL);
            const fcs_dataset *ds = tp_ds(&t);
            cr_assert_eq(fcs_dataset_data_begin(ds), len - 12);
            tp_free(&t);
        } else {
            tp_file t = tp_parse_bytes(bytes, len, NULL);
            const fcs_dataset *ds = tp_ds(&t);
            /* TEXT follows TEXT directly; HEADER pair does not: TEXT wins */
            cr_assert_eq(fcs_dataset_data_begin(ds), len - 16);
            cr_assert(tp_warned(ds, "$BEGINDATA", "expected HEADER and TEXT DATA offsets to "
                                                  "agree"));
            tp_free(&t);
        }
    }
}

Test(fcs_dataset, forced_header_offsets)
{
    fcs_builder *b = tp_basic("FCS3.0");
    fcs_builder_data_end_delta(b, 0, -4);
    fcs_read_options o = FCS_READ_OPTIONS_INIT;
    o.offsets = FCS_OFFSETS_HEADER;
    tp_file t = tp_parse(b, &o);
    cr_assert_eq(fcs_dataset_n_events(tp_ds(&t)), 3);
    tp_free(&t);
}

Test(fcs_dataset, tot_missing_is_derived)
{
    fcs_builder *b = tp_basic("FCS2.0");
    fcs_builder_omit(b, "$TOT");
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert_eq(fcs_dataset_n_events(ds), 3);
    cr_assert_eq(fcs_dataset_n_warnings(ds), 0);
    tp_free(&t);
    b = tp_basic("FCS3.0");
    fcs_builder_omit(b, "$TOT");
    t = tp_parse(b, NULL);
    ds = tp_ds(&t);
    cr_assert_eq(fcs_dataset_n_events(ds), 3);
    cr_assert(tp_warned(ds, "$TOT", "derived from the DATA length"));
    tp_free(&t);
}

Test(fcs_dataset, tot_zero_means_no_events)
{
    fcs_builder *b = tp_basic("FCS3.0");
    fcs_builder_keyword(b, "$TOT", "0");
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert_eq(fcs_dataset_n_events(ds), 0);
    cr_assert_eq(fcs_dataset_data_len(ds), 0);
    tp_free(&t);
}

Test(fcs_dataset, more_data_than_tot_reads_tot)
{
    fcs_builder *b = tp_basic("FCS3.0");
    fcs_builder_keyword(b, "$TOT", "1");
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert_eq(fcs_dataset_n_events(ds), 1);
    cr_assert_eq(fcs_dataset_data_len(ds), 4);
    cr_assert(tp_warned(ds, "$TOT", "reading $TOT events"));
    tp_free(&t);
}

Test(fcs_dataset, zero_length_text_data_segment)
{
    /* $ENDDATA == $BEGINDATA with $TOT > 0 (Sartorius iQue); HEADER 0/0 */
    fcs_builder *b = tp_basic("FCS3.1");
    fcs_builder_header_field(b, 2, "0");
    fcs_builder_header_field(b, 3, "0");
    size_t len;
    uint8_t *bytes = fcs_builder_build(b, &len);
    fcs_builder_free(b);
    char want[64];
    snprintf(want, sizeof want, "$ENDDATA/%zu/", len - 1);
    size_t at = fcs_bytes_find(bytes, len, want);
    cr_assert_neq(at, SIZE_MAX);
    char repl[64];
    snprintf(repl, sizeof repl, "$ENDDATA/%-*zu/", (int)strlen(want) - 11, len - 12);
    fcs_bytes_overwrite(bytes, len, at, repl);
    tp_file t = tp_parse_bytes(bytes, len, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert_eq(fcs_dataset_n_events(ds), 3);
    cr_assert(tp_warned(ds, "$ENDDATA", "end taken as"));
    tp_free(&t);
}

Test(fcs_dataset, missing_text_offsets_fall_back_to_header)
{
    fcs_builder *b = tp_basic("FCS3.0");
    fcs_builder_omit(b, "$BEGINDATA");
    fcs_builder_omit(b, "$ENDDATA");
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert_eq(fcs_dataset_n_events(ds), 3);
    cr_assert(tp_warned(ds, "$BEGINDATA", "using the HEADER offsets"));
    tp_free(&t);
}

Test(fcs_dataset, text_only_accepts_missing_data)
{
    fcs_builder *b = tp_basic("FCS3.1");
    size_t len;
    uint8_t *bytes = fcs_builder_build(b, &len);
    fcs_builder_free(b);
    fcs_read_options o = FCS_READ_OPTIONS_INIT;
    o.text_only = true;
    tp_file t = tp_parse_bytes(bytes, len - 8, &o); /* DATA cut off */
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert(!fcs_dataset_has_data(ds));
    cr_assert_eq(fcs_dataset_n_events(ds), 3);
    cr_assert_str_eq(fcs_dataset_param(ds, 1)->name, "SSC-A");
    tp_free(&t);
}

/* ---- segments and chains ---- */

Test(fcs_dataset, supplemental_text_and_analysis_keywords)
{
    fcs_builder *b = tp_basic("FCS3.0");
    fcs_builder_stext(b, "/SKEY/from stext/$P1N/ignored/");
    fcs_builder_analysis(b, "/AKEY/from analysis/");
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert_str_eq(fcs_dataset_keyword(ds, "skey"), "from stext");
    cr_assert_str_eq(fcs_dataset_keyword(ds, "AKEY"), "from analysis");
    cr_assert_str_eq(fcs_dataset_param(ds, 0)->name, "FSC-A"); /* primary wins */
    int seg_s = -1, seg_a = -1;
    for (size_t i = 0; i < fcs_dataset_n_keywords(ds); i++) {
        const fcs_keyword *k = fcs_dataset_keyword_at(ds, i);
        if (strcmp(k->name, "SKEY") == 0) {
            seg_s = k->segment;
        }
        if (strcmp(k->name, "AKEY") == 0) {
            seg_a = k->segment;
        }
    }
    cr_assert_eq(seg_s, 1);
    cr_assert_eq(seg_a, 2);
    tp_free(&t);
}

Test(fcs_dataset, bad_supplemental_text_only_warns)
{
    fcs_builder *b = tp_basic("FCS3.0");
    fcs_builder_stext(b, "SORTSTATS|1|");
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert(tp_warned(ds, NULL, "supplemental TEXT ignored"));
    cr_assert_null(fcs_dataset_keyword(ds, "SORTSTATS"));
    tp_free(&t);
    /* STEXT offsets equal to the primary TEXT (Accuri C6 Plus): skipped silently */
    b = tp_basic("FCS3.0");
    fcs_builder_keyword(b, "$BEGINSTEXT", "58");
    fcs_builder_keyword(b, "$ENDSTEXT", "00000000");
    size_t len;
    uint8_t *bytes = fcs_builder_build(b, &len);
    fcs_builder_free(b);
    char te[9];
    memcpy(te, bytes + 18, 8);
    te[8] = '\0';
    char val[16];
    snprintf(val, sizeof val, "%08lu", strtoul(te, NULL, 10));
    size_t at = fcs_bytes_find(bytes, len, "$ENDSTEXT/00000000/");
    cr_assert_neq(at, SIZE_MAX);
    fcs_bytes_overwrite(bytes, len, at + 10, val);
    t = tp_parse_bytes(bytes, len, NULL);
    ds = tp_ds(&t);
    cr_assert_eq(fcs_dataset_n_events(ds), 3);
    cr_assert_eq(fcs_dataset_n_warnings(ds), 0, "%s", fcs_dataset_warning(ds, 0)->msg);
    for (size_t i = 0; i < fcs_dataset_n_keywords(ds); i++) {
        cr_assert_eq(fcs_dataset_keyword_at(ds, i)->segment, 0);
    }
    tp_free(&t);
}

Test(fcs_dataset, nextdata_chain)
{
    fcs_builder *bs[3];
    for (int i = 0; i < 3; i++) {
        bs[i] = tp_basic(i == 1 ? "FCS2.0" : "FCS3.0");
        char cyt[8];
        snprintf(cyt, sizeof cyt, "cyt%d", i);
        fcs_builder_keyword(bs[i], "$CYT", cyt);
    }
    size_t len;
    uint8_t *bytes = fcs_builder_build_chain(bs, 3, &len);
    for (int i = 0; i < 3; i++) {
        fcs_builder_free(bs[i]);
    }
    tp_file t = tp_parse_bytes(bytes, len, NULL);
    cr_assert_eq(t.st, APO_OK, "%s", t.err.msg);
    cr_assert_eq(fcs_file_n_datasets(t.f), 3);
    for (size_t i = 0; i < 3; i++) {
        const fcs_dataset *ds = fcs_file_dataset(t.f, i);
        char cyt[8];
        snprintf(cyt, sizeof cyt, "cyt%zu", i);
        cr_assert_str_eq(fcs_dataset_keyword(ds, "$CYT"), cyt);
        cr_assert_eq(fcs_dataset_n_events(ds), 3);
        cr_assert_eq(fcs_dataset_data_len(ds), 12);
        cr_assert_gt(fcs_dataset_data_begin(ds), fcs_dataset_offset(ds) + 58);
        cr_assert_eq(fcs_dataset_offset(ds) == 0, i == 0);
    }
    cr_assert_str_eq(fcs_dataset_version(fcs_file_dataset(t.f, 1)), "FCS2.0");
    cr_assert_null(fcs_file_dataset(t.f, 3));
    tp_free(&t);
}

Test(fcs_dataset, broken_nextdata_only_warns)
{
    fcs_builder *b = tp_basic("FCS3.0");
    fcs_builder_keyword(b, "$NEXTDATA", "999999");
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert_eq(fcs_file_n_datasets(t.f), 1);
    cr_assert(tp_warned(ds, "$NEXTDATA", "expected an offset inside the file"));
    tp_free(&t);
    /* pointing at garbage inside the file: the second data set is skipped with a file warning */
    b = tp_basic("FCS3.0");
    fcs_builder_keyword(b, "$NEXTDATA", "1");
    t = tp_parse(b, NULL);
    cr_assert_eq(t.st, APO_OK, "%s", t.err.msg);
    cr_assert_eq(fcs_file_n_datasets(t.f), 1);
    cr_assert_eq(fcs_file_n_warnings(t.f), 1);
    cr_assert(strstr(fcs_file_warning(t.f, 0)->msg, "data set 2 (at byte 1") != NULL, "%s",
              fcs_file_warning(t.f, 0)->msg);
    cr_assert_null(fcs_file_warning(t.f, 1));
    tp_free(&t);
}

Test(fcs_dataset, free_null_is_noop)
{
    fcs_file_free(NULL);
    fcs_dataset_clear(NULL);
    cr_assert_eq(fcs_file_n_datasets(NULL), 0);
    cr_assert_null(fcs_file_dataset(NULL, 0));
}

Test(fcs_dataset, version_31_name_and_delimiter_rules_warn)
{
    fcs_builder *b = fcs_builder_new("FCS3.1");
    fcs_builder_set_delim(b, (char)0x80);
    fcs_builder_param(b, "FL1,A", 16, 1024);
    const double v[] = {1};
    fcs_builder_set_events(b, 1, v);
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert_str_eq(fcs_dataset_param(ds, 0)->name, "FL1,A");
    cr_assert(tp_warned(ds, "$P1N", "expected a name without commas (FCS 3.1+)"));
    cr_assert(tp_warned(ds, NULL, "expected a delimiter in ASCII 1-126 (FCS 3.1+), found 0x80"));
    tp_free(&t);
}

/* DATA beyond 4 GiB (sparse file, mapped, never read whole): 64-bit offsets from TEXT,
 * HEADER DATA offsets 0 as the standard asks for segments past 99,999,999. */
Test(fcs_dataset, data_beyond_four_gib_in_sparse_file)
{
    const uint64_t at = UINT64_C(5) * 1024 * 1024 * 1024 + 7;
    fcs_builder *b = tp_basic("FCS3.1");
    char v[32];
    snprintf(v, sizeof v, "%llu", (unsigned long long)at);
    fcs_builder_keyword(b, "$BEGINDATA", v);
    snprintf(v, sizeof v, "%llu", (unsigned long long)(at + 11));
    fcs_builder_keyword(b, "$ENDDATA", v);
    fcs_builder_header_field(b, 2, "0");
    fcs_builder_header_field(b, 3, "0");
    size_t len;
    uint8_t *bytes = fcs_builder_build(b, &len);
    fcs_builder_free(b);
    char path[] = "/tmp/apoflow-big-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *fp = fdopen(fd, "wb");
    cr_assert_not_null(fp);
    bool ok = fwrite(bytes, 1, len - 12, fp) == len - 12 && fseeko(fp, (off_t)at, SEEK_SET) == 0 &&
              fwrite(bytes + len - 12, 1, 12, fp) == 12;
    ok = (fclose(fp) == 0) && ok;
    free(bytes);
    if (!ok) {
        remove(path);
        cr_skip_test("cannot write a sparse 5 GiB file in /tmp");
    }
    fcs_file *f = NULL;
    apo_error err;
    apo_error_clear(&err);
    apo_status st = fcs_file_open(&f, path, NULL, &err);
    remove(path);
    cr_assert_eq(st, APO_OK, "%s", err.msg);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    cr_assert_eq(fcs_file_size(f), at + 12);
    cr_assert_eq(fcs_dataset_data_begin(ds), at);
    cr_assert_eq(fcs_dataset_n_events(ds), 3);
    double out[6];
    fcs_decode_options o = FCS_DECODE_OPTIONS_INIT;
    cr_assert_eq(fcs_dataset_decode_f64(ds, 0, 3, &o, out, 3, &err), APO_OK, "%s", err.msg);
    cr_assert_float_eq(out[2], 1023, 0);
    cr_assert_float_eq(out[4], 4, 0);
    fcs_file_free(f);
}

Test(fcs_dataset, warnings_are_capped)
{
    fcs_builder *b = tp_basic("FCS3.0");
    for (int i = 0; i < 1500; i++) {
        fcs_builder_keyword(b, "DUP", "x");
    }
    tp_file t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    cr_assert_eq(fcs_dataset_n_warnings(ds), 1001);
    cr_assert(strstr(fcs_dataset_warning(ds, 1000)->msg, "expected at most 1000 warnings") !=
              NULL);
    cr_assert_str_eq(fcs_dataset_keyword(ds, "dup"), "x");
    tp_free(&t);
}

/* A chain of data sets of these versions, each with @p events[k] events (two columns). */
static tp_file chain_of(const char *const *versions, const size_t *events, size_t n)
{
    fcs_builder *bs[4];
    static const double v[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    for (size_t i = 0; i < n; i++) {
        bs[i] = fcs_builder_new(versions[i]);
        fcs_builder_param(bs[i], "FS", 16, 1024);
        fcs_builder_param(bs[i], "SS", 16, 1024);
        fcs_builder_set_events(bs[i], events[i], v);
    }
    size_t len;
    uint8_t *bytes = fcs_builder_build_chain(bs, n, &len);
    for (size_t i = 0; i < n; i++) {
        fcs_builder_free(bs[i]);
    }
    tp_file t = tp_parse_bytes(bytes, len, NULL);
    cr_assert_eq(t.st, APO_OK, "%s", t.err.msg);
    cr_assert_eq(fcs_file_n_datasets(t.f), n);
    return t;
}

/* fcs_file_one_acquisition (and the default data set it gives): the same events in data sets
 * of older FCS versions and one
 * newest (Beckman .LMD: FCS 2.0 then FCS 3.0), told from the layout; never for data sets of
 * one version (Guava Muse: one sample each), different event counts, two newest, one data
 * set or none with events. */
Test(fcs_dataset, one_acquisition_in_several_versions)
{
    static const struct {
        const char *v[3];
        size_t ev[3], n;
        bool one;
        size_t newest;
    } cases[] = {
        {{"FCS2.0", "FCS3.0"}, {3, 3}, 2, true, 1},          /* .LMD */
        {{"FCS3.0", "FCS2.0"}, {3, 3}, 2, true, 0},          /* the newest first */
        {{"FCS2.0", "FCS2.0", "FCS3.1"}, {4, 4, 4}, 3, true, 2},
        {{"FCS3.0", "FCS2.0", "FCS3.1"}, {2, 2, 2}, 3, true, 2},
        {{"FCS3.0", "FCS3.0"}, {3, 3}, 2, false, 0},         /* one sample per data set */
        {{"FCS3.1", "FCS3.1", "FCS3.1"}, {4, 4, 4}, 3, false, 0},
        {{"FCS2.0", "FCS3.0"}, {3, 4}, 2, false, 0},         /* other events */
        {{"FCS2.0", "FCS3.0", "FCS3.0"}, {2, 2, 2}, 3, false, 0}, /* two newest */
        {{"FCS2.0", "FCS3.0"}, {0, 0}, 2, false, 0},         /* no events */
        {{"FCS3.0"}, {3}, 1, false, 0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        tp_file t = chain_of(cases[c].v, cases[c].ev, cases[c].n);
        size_t newest = 99;
        const bool one = fcs_file_one_acquisition(t.f, &newest);
        cr_assert_eq(one, cases[c].one, "case %zu", c);
        cr_assert_eq(newest, one ? cases[c].newest : 99, "case %zu: %zu", c, newest);
        cr_assert_eq(fcs_file_default_dataset(t.f), one ? cases[c].newest : 0, "case %zu", c);
        tp_free(&t);
    }
    size_t newest = 99;
    cr_assert(!fcs_file_one_acquisition(NULL, &newest));
    cr_assert_eq(newest, 99);
}

/* The corpus: every Beckman Coulter .LMD file with two data sets holds one acquisition, its
 * FCS 3.0 copy the second; the two-data-set file of two samples does not. */
Test(fcs_dataset, one_acquisition_in_the_corpus)
{
    static const struct {
        const char *path;
        bool one;
    } files[] = {
        {"cytoflow/Beckman Coulter - Gallios.LMD", true},
        {"cytoflow/Beckman Coulter - Cytomics FC500.LMD", true},
        {"flowploidydata/222.LMD", true},
        {"flowio/coulter.lmd", true},
        {"facejava/int-multiple_datasets.fcs", false},
        {"fcsparser/fcs1_cleaned.lmd", false}, /* one FCS 2.0 data set */
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        const char *path = files[i].path;
        fcs_file *f = test_open_corpus_text(path);
        size_t newest = 99;
        cr_assert_eq(fcs_file_one_acquisition(f, &newest), files[i].one, "%s", path);
        if (files[i].one) {
            cr_assert_eq(newest, 1, "%s", path);
            cr_assert_str_eq(fcs_dataset_version(fcs_file_dataset(f, newest)), "FCS3.0");
        }
        fcs_file_free(f);
    }
}
