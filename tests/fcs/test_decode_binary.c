/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_decode_binary.c: the decoder on hand-built binary layouts: integers of every width
 * 1..8 (little, big, mixed per column), masks, permuted byte orders, float32 and float64,
 * and agreement between the float and double outputs.
 */
#include "test_decode_fake.h"

#include <criterion/criterion.h>

#define ALL_ONES UINT64_MAX

/* Store v in w bytes, little- or big-endian. */
static void put_uint(uint8_t *dst, uint64_t v, unsigned w, bool big)
{
    for (unsigned k = 0; k < w; k++) {
        uint8_t b = (uint8_t)(v >> (8 * k));
        dst[big ? w - 1 - k : k] = b;
    }
}

static uint64_t width_mask(unsigned w)
{
    return w == 8 ? UINT64_MAX : ((uint64_t)1 << (8 * w)) - 1;
}

static void check_int_width(unsigned w, bool big)
{
    enum { N = 5 };
    const uint64_t base[N] = {0, 1, 0x0102030405060708ull, 0xFFFFFFFFFFFFFFFFull,
                              0x8070605040302010ull};
    uint8_t data[N * 2 * 8];
    for (size_t e = 0; e < N; e++) {
        put_uint(data + e * 2 * w, base[e], w, big);
        put_uint(data + e * 2 * w + w, base[e] >> 3, w, big);
    }
    fake_ds f;
    fake_init(&f, data, N * 2 * w, big ? FCS_BYTEORDER_BIG : FCS_BYTEORDER_LITTLE);
    fake_column(&f, FCS_DATATYPE_INT, w, ALL_ONES);
    fake_column(&f, FCS_DATATYPE_INT, w, ALL_ONES);
    fake_finish(&f);
    cr_assert_eq(f.ds.layout.n_events, N);
    double out[2 * N];
    apo_error err;
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, N, NULL, out, N, &err), APO_OK, "%s", err.msg);
    for (size_t e = 0; e < N; e++) {
        double want0 = (double)(base[e] & width_mask(w));
        double want1 = (double)((base[e] >> 3) & width_mask(w));
        cr_assert_eq(out[e], want0, "width %u big %d event %zu: %g != %g", w, big, e, out[e],
                     want0);
        cr_assert_eq(out[N + e], want1, "width %u big %d event %zu col 1", w, big, e);
    }
    fake_free(&f);
}

Test(fcs_decode_binary, int_every_width_little_and_big)
{
    for (unsigned w = 1; w <= 8; w++) {
        check_int_width(w, false);
        check_int_width(w, true);
    }
}

static void check_mixed(bool big)
{
    /* Columns of 1, 3, 2, 8, 5 bytes in one row (3.1 mixed widths). */
    const unsigned widths[5] = {1, 3, 2, 8, 5};
    const uint64_t vals[2][5] = {{0xAB, 0x123456, 0xBEEF, 0x1122334455667788ull, 0xA1B2C3D4E5},
                                 {7, 0xFFFFFF, 1, 42, 0x100000000ull}};
    uint8_t data[2 * 19];
    size_t off = 0;
    for (size_t e = 0; e < 2; e++) {
        for (size_t p = 0; p < 5; p++) {
            put_uint(data + off, vals[e][p], widths[p], big);
            off += widths[p];
        }
    }
    fake_ds f;
    fake_init(&f, data, off, big ? FCS_BYTEORDER_BIG : FCS_BYTEORDER_LITTLE);
    for (size_t p = 0; p < 5; p++) {
        fake_column(&f, FCS_DATATYPE_INT, widths[p], ALL_ONES);
    }
    fake_finish(&f);
    cr_assert_eq(f.ds.layout.n_events, 2);
    double out[5 * 3];
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, 2, NULL, out, 3, NULL), APO_OK);
    for (size_t e = 0; e < 2; e++) {
        for (size_t p = 0; p < 5; p++) {
            cr_assert_eq(out[p * 3 + e], (double)vals[e][p], "big %d e %zu p %zu", big, e, p);
        }
    }
    fake_free(&f);
}

Test(fcs_decode_binary, int_mixed_widths_per_column)
{
    check_mixed(false);
    check_mixed(true);
}

Test(fcs_decode_binary, int_mask_applied_to_raw_values)
{
    /* 16-bit storage, $PnR 1024 -> mask 0x3FF: flag bits above are dropped. 32-bit with
     * mask 0xFFFFF. */
    uint8_t data[2 * 6];
    put_uint(data + 0, 0xFC05, 2, false);
    put_uint(data + 2, 0xFFF12345, 4, false);
    put_uint(data + 6, 0x0400, 2, false);
    put_uint(data + 8, 0x000FFFFF, 4, false);
    fake_ds f;
    fake_init(&f, data, sizeof(data), FCS_BYTEORDER_LITTLE);
    fake_column(&f, FCS_DATATYPE_INT, 2, 0x3FF);
    fake_column(&f, FCS_DATATYPE_INT, 4, 0xFFFFF);
    fake_finish(&f);
    double out[4];
    float outf[4];
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, 2, NULL, out, 2, NULL), APO_OK);
    cr_assert_eq(fcs_dataset_decode_f32(&f.ds, 0, 2, NULL, outf, 2, NULL), APO_OK);
    cr_assert_eq(out[0], 5.0);
    cr_assert_eq(out[1], 0.0);
    cr_assert_eq(out[2], (double)0x12345);
    cr_assert_eq(out[3], (double)0xFFFFF);
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(outf[i], (float)out[i]);
    }
    fake_free(&f);
}

Test(fcs_decode_binary, permuted_byte_order_int_and_float)
{
    /* $BYTEORD 3,4,1,2: stored byte k has significance ord[k]-1 = {2,3,0,1}. */
    const uint32_t iv = 0x11223344u;
    const float fv = -1234.5625f;
    uint32_t fu;
    memcpy(&fu, &fv, 4);
    const uint8_t perm[4] = {2, 3, 0, 1};
    uint8_t data[8];
    for (unsigned k = 0; k < 4; k++) {
        data[k] = (uint8_t)(iv >> (8 * perm[k]));
        data[4 + k] = (uint8_t)(fu >> (8 * perm[k]));
    }
    cr_assert_eq(data[0], 0x22);
    cr_assert_eq(data[2], 0x44);
    fake_ds f;
    fake_init(&f, data, sizeof(data), FCS_BYTEORDER_PERMUTED);
    fake_column(&f, FCS_DATATYPE_INT, 4, ALL_ONES);
    fake_column(&f, FCS_DATATYPE_FLOAT, 4, ALL_ONES);
    memcpy(f.cols[0].perm, perm, 4);
    memcpy(f.cols[1].perm, perm, 4);
    fake_finish(&f);
    double out[2];
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, 1, NULL, out, 1, NULL), APO_OK);
    cr_assert_eq(out[0], (double)0x11223344u);
    cr_assert_eq(out[1], (double)fv);
    fake_free(&f);
}

Test(fcs_decode_binary, permuted_double)
{
    const double dv = 6.02214076e23;
    uint64_t du;
    memcpy(&du, &dv, 8);
    const uint8_t perm[8] = {6, 7, 4, 5, 2, 3, 0, 1};
    uint8_t data[8];
    for (unsigned k = 0; k < 8; k++) {
        data[k] = (uint8_t)(du >> (8 * perm[k]));
    }
    fake_ds f;
    fake_init(&f, data, sizeof(data), FCS_BYTEORDER_PERMUTED);
    fake_column(&f, FCS_DATATYPE_DOUBLE, 8, ALL_ONES);
    memcpy(f.cols[0].perm, perm, 8);
    fake_finish(&f);
    double out = 0;
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, 1, NULL, &out, 1, NULL), APO_OK);
    cr_assert_eq(out, dv);
    fake_free(&f);
}

static void check_float_types(bool big)
{
    const float fvals[3] = {1.5f, -0.0f, 3.4028235e38f};
    const double dvals[3] = {1e-300, -2.5, 123456789.123456789};
    uint8_t data[3 * 12];
    for (size_t e = 0; e < 3; e++) {
        uint32_t u;
        uint64_t d;
        memcpy(&u, &fvals[e], 4);
        memcpy(&d, &dvals[e], 8);
        put_uint(data + e * 12, u, 4, big);
        put_uint(data + e * 12 + 4, d, 8, big);
    }
    fake_ds f;
    fake_init(&f, data, sizeof(data), big ? FCS_BYTEORDER_BIG : FCS_BYTEORDER_LITTLE);
    fake_column(&f, FCS_DATATYPE_FLOAT, 4, ALL_ONES);
    fake_column(&f, FCS_DATATYPE_DOUBLE, 8, ALL_ONES);
    fake_finish(&f);
    double out[6];
    float outf[6];
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, 3, NULL, out, 3, NULL), APO_OK);
    cr_assert_eq(fcs_dataset_decode_f32(&f.ds, 0, 3, NULL, outf, 3, NULL), APO_OK);
    for (size_t e = 0; e < 3; e++) {
        cr_assert_eq(memcmp(&out[e], &(double){(double)fvals[e]}, 8), 0, "big %d e %zu", big, e);
        cr_assert_eq(memcmp(&outf[e], &fvals[e], 4), 0);
        cr_assert_eq(out[3 + e], dvals[e]);
        cr_assert_eq(outf[3 + e], (float)dvals[e]);
    }
    cr_assert(signbit(out[1]), "-0 keeps its sign");
    fake_free(&f);
}

Test(fcs_decode_binary, float32_and_float64_both_byte_orders)
{
    check_float_types(false);
    check_float_types(true);
}

Test(fcs_decode_binary, f32_output_is_rounded_f64_output)
{
    /* 32-bit and 64-bit ints need rounding to float; the float result must equal the
     * float rounding of the double result. */
    enum { N = 64 };
    uint8_t data[N * 12];
    for (size_t e = 0; e < N; e++) {
        put_uint(data + e * 12, 0xFFFFFFFFu - e * 977u, 4, true);
        put_uint(data + e * 12 + 4, 0x9FFFFFFFFFFFFFFFull - e * 123457u, 8, true);
    }
    fake_ds f;
    fake_init(&f, data, sizeof(data), FCS_BYTEORDER_BIG);
    fake_column(&f, FCS_DATATYPE_INT, 4, ALL_ONES);
    fake_column(&f, FCS_DATATYPE_INT, 8, ALL_ONES);
    fake_finish(&f);
    double out[2 * N];
    float outf[2 * N];
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, N, NULL, out, N, NULL), APO_OK);
    cr_assert_eq(fcs_dataset_decode_f32(&f.ds, 0, N, NULL, outf, N, NULL), APO_OK);
    for (size_t i = 0; i < 2 * N; i++) {
        cr_assert_eq(outf[i], (float)out[i], "value %zu", i);
    }
    cr_assert_eq(out[0], 4294967295.0);
    fake_free(&f);
}
