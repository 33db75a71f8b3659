/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_decode_scaled.c: FCS_VALUES_SCALED: $PnE log decoding of integer columns (with $PnR
 * or 2^bits as the divisor), float data ignoring $PnE, $PnG division only on request and
 * never for the time channel, and float output equal to the rounded double output.
 */
#include "test_decode_fake.h"

#include <criterion/criterion.h>

static void put_u16le(uint8_t *d, unsigned v)
{
    d[0] = (uint8_t)v;
    d[1] = (uint8_t)(v >> 8);
}

static void put_f32le(uint8_t *d, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    for (int k = 0; k < 4; k++) {
        d[k] = (uint8_t)(u >> (8 * k));
    }
}

/* Rows: int16 (log 4 decades, $PnR 1024), int16 (log, no $PnR), int16 gain 2, float with a
 * bogus $PnE and gain 2, int16 time channel with gain 10. */
static void make(fake_ds *f)
{
    enum { N = 3 };
    static uint8_t data[N * 12];
    const unsigned a[N] = {0, 512, 1023};
    const unsigned b[N] = {0, 32768, 65535};
    const unsigned c[N] = {3, 100, 65535};
    const float d[N] = {1.5f, -3.0f, 1e6f};
    const unsigned t[N] = {10, 20, 30};
    for (size_t e = 0; e < N; e++) {
        put_u16le(data + e * 12, a[e]);
        put_u16le(data + e * 12 + 2, b[e]);
        put_u16le(data + e * 12 + 4, c[e]);
        put_f32le(data + e * 12 + 6, d[e]);
        put_u16le(data + e * 12 + 10, t[e]);
    }
    fake_init(f, data, sizeof(data), FCS_BYTEORDER_LITTLE);
    fake_column(f, FCS_DATATYPE_INT, 2, 0x3FF);
    fake_column(f, FCS_DATATYPE_INT, 2, UINT64_MAX);
    fake_column(f, FCS_DATATYPE_INT, 2, UINT64_MAX);
    fake_column(f, FCS_DATATYPE_FLOAT, 4, UINT64_MAX);
    fake_column(f, FCS_DATATYPE_INT, 2, UINT64_MAX);
    fake_finish(f);
    f->params[0].log_decades = 4;
    f->params[0].log_offset = 1;
    f->params[0].range = 1024;
    f->params[0].gain = 3; /* log columns are not divided by the gain */
    f->params[1].log_decades = 5;
    f->params[1].log_offset = 0.01;
    f->params[1].range = NAN; /* -> 2^16 */
    f->params[2].gain = 2;
    f->params[3].log_decades = 4.07918;
    f->params[3].log_offset = 1;
    f->params[3].gain = 2;
    f->params[4].gain = 10;
    f->params[4].is_time = true;
}

Test(fcs_decode_scaled, raw_ignores_pne_and_gain)
{
    fake_ds f;
    make(&f);
    fcs_decode_options opts = {FCS_VALUES_RAW, true, 0};
    double out[15];
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, 3, &opts, out, 3, NULL), APO_OK);
    cr_assert_eq(out[1], 512);
    cr_assert_eq(out[5], 65535);
    cr_assert_eq(out[6], 3);
    cr_assert_eq(out[10], -3.0);
    cr_assert_eq(out[14], 30);
    fake_free(&f);
}

Test(fcs_decode_scaled, log_and_gain)
{
    fake_ds f;
    make(&f);
    fcs_decode_options opts = {FCS_VALUES_SCALED, true, 0};
    double out[15];
    apo_error err;
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, 3, &opts, out, 3, &err), APO_OK, "%s",
                 err.msg);
    /* log with $PnR 1024: 10^(4 * xc / 1024) */
    cr_assert_eq(out[0], 1.0);
    cr_assert_float_eq(out[1], 100.0, 1e-9);
    cr_assert_eq(out[1], pow(10.0, 4.0 * 512 / 1024) * 1);
    cr_assert_eq(out[2], pow(10.0, 4.0 * 1023 / 1024));
    /* log without $PnR: divisor 2^16 */
    cr_assert_eq(out[3], 0.01);
    cr_assert_float_eq(out[4], pow(10.0, 2.5) * 0.01, 1e-12);
    cr_assert_eq(out[5], pow(10.0, 5.0 * 65535 / 65536) * 0.01);
    /* linear int divided by gain 2 */
    cr_assert_eq(out[6], 1.5);
    cr_assert_eq(out[7], 50);
    cr_assert_eq(out[8], 65535 / 2.0);
    /* float: $PnE ignored, gain applied */
    cr_assert_eq(out[9], 0.75);
    cr_assert_eq(out[10], -1.5);
    cr_assert_eq(out[11], 5e5);
    /* time: never divided */
    cr_assert_eq(out[12], 10);
    cr_assert_eq(out[14], 30);
    fake_free(&f);
}

Test(fcs_decode_scaled, gain_only_when_asked)
{
    fake_ds f;
    make(&f);
    fcs_decode_options opts = {FCS_VALUES_SCALED, false, 0};
    double out[15];
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, 3, &opts, out, 3, NULL), APO_OK);
    cr_assert_eq(out[7], 100);
    cr_assert_eq(out[10], -3.0);
    cr_assert_float_eq(out[1], 100.0, 1e-9); /* log still decoded */
    fake_free(&f);
}

Test(fcs_decode_scaled, f32_equals_rounded_f64)
{
    fake_ds f;
    make(&f);
    fcs_decode_options opts = {FCS_VALUES_SCALED, true, 0};
    double out[15];
    float outf[15];
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, 3, &opts, out, 3, NULL), APO_OK);
    cr_assert_eq(fcs_dataset_decode_f32(&f.ds, 0, 3, &opts, outf, 3, NULL), APO_OK);
    for (int i = 0; i < 15; i++) {
        cr_assert_eq(outf[i], (float)out[i], "value %d: %.9g vs %.17g", i, outf[i], out[i]);
    }
    fake_free(&f);
}

Test(fcs_decode_scaled, f2_zero_treated_as_one)
{
    fake_ds f;
    make(&f);
    f.params[0].log_offset = 0;
    fcs_decode_options opts = {FCS_VALUES_SCALED, false, 0};
    double out[15];
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, 3, &opts, out, 3, NULL), APO_OK);
    cr_assert_eq(out[0], 1.0);
    cr_assert_float_eq(out[1], 100.0, 1e-9);
    fake_free(&f);
}
