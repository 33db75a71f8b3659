/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_decode_random.c: the decoder against a byte-by-byte reference on random layouts
 * (random column types, integer widths 1..8, masks, little/big/permuted byte orders, random
 * bytes, random event ranges, leading dimensions and thread counts; fixed seed).
 */
#include "test_decode_fake.h"

#include <criterion/criterion.h>

static uint64_t rng_state = 0x1234567ull;

static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

/* The value of column c at @p b, decoded the slow obvious way. */
static double reference(const fcs_column *c, fcs_byteorder order, const uint8_t *b)
{
    unsigned w = c->n_bytes;
    uint64_t u = 0;
    for (unsigned k = 0; k < w; k++) {
        unsigned sig = order == FCS_BYTEORDER_LITTLE ? k
                       : order == FCS_BYTEORDER_BIG  ? w - 1 - k
                                                     : c->perm[k];
        u |= (uint64_t)b[k] << (8 * sig);
    }
    if (c->datatype == FCS_DATATYPE_INT) {
        return (double)(u & c->mask);
    }
    if (c->datatype == FCS_DATATYPE_FLOAT) {
        uint32_t x = (uint32_t)u;
        float f;
        memcpy(&f, &x, 4);
        return f;
    }
    double d;
    memcpy(&d, &u, 8);
    return d;
}

static bool same_bits_or_nan(double a, double b)
{
    return memcmp(&a, &b, sizeof(a)) == 0 || (isnan(a) && isnan(b));
}

static void one_round(int round)
{
    fake_ds f;
    size_t np = 1 + rnd(10);
    fcs_byteorder order = (fcs_byteorder)rnd(3);
    unsigned uniform = rnd(2) ? 1 + rnd(8) : 0;
    size_t n = 1 + rnd(3000);
    /* Build the layout first (row width), then the bytes. */
    fcs_column cols[10];
    size_t row = 0;
    for (size_t p = 0; p < np; p++) {
        unsigned t = rnd(3);
        cols[p].datatype = t == 0 ? FCS_DATATYPE_INT : t == 1 ? FCS_DATATYPE_FLOAT
                                                              : FCS_DATATYPE_DOUBLE;
        cols[p].n_bytes = cols[p].datatype == FCS_DATATYPE_INT ? (uniform ? uniform : 1 + rnd(8))
                          : cols[p].datatype == FCS_DATATYPE_FLOAT ? 4
                                                                   : 8;
        cols[p].mask = rnd(2) ? UINT64_MAX : ((uint64_t)1 << rnd(64)) - 1;
        row += cols[p].n_bytes;
    }
    uint8_t *bytes = malloc(n * row);
    cr_assert_not_null(bytes);
    for (size_t i = 0; i < n * row; i++) {
        bytes[i] = (uint8_t)rnd(256);
    }
    fake_init(&f, bytes, n * row, order);
    for (size_t p = 0; p < np; p++) {
        fake_column(&f, cols[p].datatype, cols[p].n_bytes, cols[p].mask);
        uint8_t perm[8] = {0, 1, 2, 3, 4, 5, 6, 7};
        for (unsigned k = cols[p].n_bytes; k > 1; k--) {
            unsigned j = rnd(k);
            uint8_t tmp = perm[k - 1];
            perm[k - 1] = perm[j];
            perm[j] = tmp;
        }
        memcpy(f.cols[p].perm, perm, 8);
    }
    fake_finish(&f);
    cr_assert_eq(f.ds.layout.n_events, n);

    uint64_t first = rnd((unsigned)n);
    uint64_t count = rnd((unsigned)(n - first + 1));
    size_t ld = (size_t)count + rnd(3);
    double *out = malloc((np * ld + 1) * sizeof(double));
    float *outf = malloc((np * ld + 1) * sizeof(float));
    fcs_decode_options opts = {FCS_VALUES_RAW, false, 1 + rnd(3)};
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, first, count, &opts, out, ld, NULL), APO_OK);
    cr_assert_eq(fcs_dataset_decode_f32(&f.ds, first, count, &opts, outf, ld, NULL), APO_OK);
    const uint8_t *data = f.buf + FAKE_DATA_BEGIN;
    for (size_t p = 0; p < np; p++) {
        for (uint64_t e = 0; e < count; e++) {
            const fcs_column *c = &f.cols[p];
            double want = reference(c, order, data + (first + e) * row + c->byte_offset);
            double got = out[p * ld + e];
            cr_assert(same_bits_or_nan(got, want),
                      "round %d param %zu event %llu (%c%u order %d): %a != %a", round, p,
                      (unsigned long long)(first + e), c->datatype, c->n_bytes, order, got, want);
            float wf = (float)want;
            float gf = outf[p * ld + e];
            cr_assert(memcmp(&gf, &wf, 4) == 0 || (isnan(gf) && isnan(wf)), "round %d float",
                      round);
        }
    }
    free(out);
    free(outf);
    free(bytes);
    fake_free(&f);
}

Test(fcs_decode_random, matches_bytewise_reference)
{
    for (int round = 0; round < 400; round++) {
        one_round(round);
    }
}
