/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_decode_quad.c: four adjacent little-endian float32 columns are decoded together
 * (transposed in registers, decode_binary.c); the doubles must be the float of the stored
 * bytes, widened, bit for bit, as the one-column kernel gives: on every event count from 0
 * to a few hundred (all tails of four), every start, runs of float columns of any length next
 * to integer and double columns, column subsets that break a run, and stored floats that are
 * NaN (quiet and signalling, both signs, payloads), infinities, zeros of both signs and
 * subnormals.
 */
#include "test_decode_fake.h"

#include <criterion/criterion.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

static const uint32_t SPECIAL_BITS[] = {
    0x7FC00000u, 0xFFC00000u, 0x7F800001u, 0xFF800123u, 0x7FBFFFFFu, 0x7FC12345u, /* NaN */
    0x7F800000u, 0xFF800000u, 0x00000000u, 0x80000000u, 0x00000001u, 0x807FFFFFu,
    0x7F7FFFFFu, 0x3F800000u};

/* The stored float of column c's bytes at b, widened by the compiler's own conversion. */
static double reference(const fcs_column *c, const uint8_t *b)
{
    if (c->datatype == FCS_DATATYPE_INT) {
        uint64_t u = 0;
        for (unsigned k = 0; k < c->n_bytes; k++) {
            u |= (uint64_t)b[k] << (8 * k);
        }
        return (double)(u & c->mask);
    }
    if (c->datatype == FCS_DATATYPE_DOUBLE) {
        double d;
        memcpy(&d, b, 8);
        return d;
    }
    uint32_t x = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                 (uint32_t)b[3] << 24;
    float f;
    memcpy(&f, &x, 4);
    return (double)f;
}

static void one_round(int round)
{
    fake_ds f;
    /* mostly float columns, so runs of four and more are common */
    const size_t np = 1 + rnd(11);
    fcs_column cols[12];
    size_t row = 0;
    for (size_t p = 0; p < np; p++) {
        const unsigned t = rnd(8);
        cols[p].datatype = t == 0 ? FCS_DATATYPE_INT : (t == 1 ? FCS_DATATYPE_DOUBLE : FCS_DATATYPE_FLOAT);
        cols[p].n_bytes = t == 0 ? 2 : (t == 1 ? 8 : 4);
        cols[p].mask = UINT64_MAX;
        row += cols[p].n_bytes;
    }
    const size_t n = round < 300 ? (size_t)round % 70 : (size_t)rnd(900);
    uint8_t *bytes = malloc(n * row + 1);
    cr_assert_not_null(bytes);
    for (size_t i = 0; i < n * row; i++) {
        bytes[i] = (uint8_t)rnd(256);
    }
    for (size_t e = 0; e < n; e++) { /* special floats in some float cells */
        size_t off = 0;
        for (size_t p = 0; p < np; p++) {
            if (cols[p].datatype == FCS_DATATYPE_FLOAT && rnd(3) == 0) {
                const uint32_t v = SPECIAL_BITS[rnd(sizeof SPECIAL_BITS / sizeof SPECIAL_BITS[0])];
                for (unsigned k = 0; k < 4; k++) {
                    bytes[e * row + off + k] = (uint8_t)(v >> (8 * k));
                }
            }
            off += cols[p].n_bytes;
        }
    }
    fake_init(&f, bytes, n * row, FCS_BYTEORDER_LITTLE);
    for (size_t p = 0; p < np; p++) {
        fake_column(&f, cols[p].datatype, cols[p].n_bytes, cols[p].mask);
    }
    fake_finish(&f);
    cr_assert_eq(f.ds.layout.n_events, n);

    const uint64_t first = n ? rnd((unsigned)n) : 0;
    const uint64_t count = rnd((unsigned)(n - first + 1));
    const size_t ld = (size_t)count + rnd(3);
    double *out = malloc((np * ld + 1) * sizeof(double));
    cr_assert_not_null(out);
    for (size_t i = 0; i < np * ld + 1; i++) {
        out[i] = -12345.0;
    }
    bool want_col[12];
    const bool subset = rnd(3) == 0;
    for (size_t p = 0; p < np; p++) {
        want_col[p] = !subset || rnd(4) != 0;
    }
    fcs_decode_options opts = {FCS_VALUES_RAW, false, 1 + rnd(2)};
    cr_assert_eq(fcs_dataset_decode_columns_f64(&f.ds, first, count, &opts, subset ? want_col : NULL,
                                                out, ld, NULL),
                 APO_OK);
    const uint8_t *data = f.buf + FAKE_DATA_BEGIN;
    for (size_t p = 0; p < np; p++) {
        const fcs_column *c = &f.cols[p];
        for (uint64_t e = 0; e < count; e++) {
            const double got = out[p * ld + e];
            if (!want_col[p]) {
                cr_assert(got == -12345.0, "round %d: column %zu not asked for was written", round, p);
                continue;
            }
            const double want = reference(c, data + (first + e) * row + c->byte_offset);
            cr_assert(memcmp(&got, &want, sizeof got) == 0,
                      "round %d param %zu event %llu (%c): %a != %a", round, p,
                      (unsigned long long)(first + e), c->datatype, got, want);
        }
    }
    free(out);
    free(bytes);
    fake_free(&f);
}

Test(fcs_decode_quad, float_runs_equal_the_widened_stored_floats)
{
    for (int round = 0; round < 800; round++) {
        one_round(round);
    }
}
