/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_decode_quad.c: four adjacent little-endian float32 columns are decoded together
 * (transposed in registers, decode_binary.c); the doubles must be the float of the stored
 * bytes, widened, bit for bit, as the one-column kernel gives: on every event count from 0
 * to a few hundred (all tails of four), every start, runs of float columns of any length next
 * to integer and double columns, column subsets that break a run, and stored floats that are
 * NaN (quiet and signalling, both signs, payloads), infinities, zeros of both signs and
 * subnormals. Then the same with values scaled ($PnG on float columns, $PnE on integer ones,
 * $TIMESTEP on a time column), so runs of four floats are broken by a transformed column, and
 * with every step-th event only (strided rows): each value equal, bit for bit, to the column
 * decoded alone (one column is never decoded four at a time) and to the stored value put
 * through the column's scale by hand; the rounds are checked to take both the four-column
 * path and the one-column fallback next to a transformed float.
 */
#include "test_decode_fake.h"

#include "fcs/decode_internal.h"

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

/* @p n rows of @p row random bytes for the @p np columns @p cols, with a special float
 * (SPECIAL_BITS) in about one float cell in @p one_in; the caller frees them. */
static uint8_t *random_rows(const fcs_column *cols, size_t np, size_t n, size_t row,
                            unsigned one_in)
{
    uint8_t *bytes = malloc(n * row + 1);
    cr_assert_not_null(bytes);
    for (size_t i = 0; i < n * row; i++) {
        bytes[i] = (uint8_t)rnd(256);
    }
    for (size_t e = 0; e < n; e++) {
        size_t off = 0;
        for (size_t p = 0; p < np; p++) {
            if (cols[p].datatype == FCS_DATATYPE_FLOAT && rnd(one_in) == 0) {
                const uint32_t v = SPECIAL_BITS[rnd(sizeof SPECIAL_BITS / sizeof SPECIAL_BITS[0])];
                for (unsigned k = 0; k < 4; k++) {
                    bytes[e * row + off + k] = (uint8_t)(v >> (8 * k));
                }
            }
            off += cols[p].n_bytes;
        }
    }
    return bytes;
}

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
    uint8_t *bytes = random_rows(cols, np, n, row, 3);
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

/* ---- scaled and strided rounds ---- */

/* What one round of decode_scaled_round chose, for the checks on the whole test. */
typedef struct round_kind {
    bool quad;     /* four adjacent read float columns with no scale: f32le_d4 runs */
    bool fallback; /* four adjacent read float columns, one of them scaled: one by one */
    bool strided;  /* every step-th event, step > 1 */
} round_kind;

/* The value of column p stored at b, scaled as FCS_VALUES_SCALED asks (docs/fcs-quirks.md):
 * $PnE log decoding of an integer, else the division by $PnG (with apply_gain), else Time in
 * seconds; RAW: the stored value. */
static double scaled_reference(const fake_ds *f, size_t p, const uint8_t *b,
                               const fcs_decode_options *o)
{
    const fcs_column *c = &f->cols[p];
    const fcs_param *par = &f->params[p];
    const double x = reference(c, b);
    if (o->values != FCS_VALUES_SCALED) {
        return x;
    }
    if (c->datatype == FCS_DATATYPE_INT && par->log_decades > 0) {
        return pow(10.0, par->log_decades * x / par->range) * par->log_offset;
    }
    if (o->apply_gain && !par->is_time && par->gain != 1.0) {
        return x / par->gain;
    }
    if (par->is_time && f->ds.timestep != 1.0 && f->ds.timestep > 0) {
        return x / (1.0 / f->ds.timestep);
    }
    return x;
}

/* Whether column p is decoded with a scale in this round. */
static bool scaled(const fake_ds *f, size_t p, const fcs_decode_options *o)
{
    const fcs_column *c = &f->cols[p];
    const fcs_param *par = &f->params[p];
    if (o->values != FCS_VALUES_SCALED) {
        return false;
    }
    return (c->datatype == FCS_DATATYPE_INT && par->log_decades > 0) ||
           (o->apply_gain && !par->is_time && par->gain != 1.0) ||
           (par->is_time && f->ds.timestep != 1.0 && f->ds.timestep > 0);
}

static round_kind decode_scaled_round(int round)
{
    static const double GAINS[] = {2.5, 0.1, 1.0, 1e-3, 3.0};
    fake_ds f;
    const size_t np = 4 + rnd(9);
    fcs_column cols[12];
    size_t row = 0;
    for (size_t p = 0; p < np; p++) {
        const unsigned t = rnd(10);
        cols[p].datatype =
            t == 0 ? FCS_DATATYPE_INT : (t == 1 ? FCS_DATATYPE_DOUBLE : FCS_DATATYPE_FLOAT);
        cols[p].n_bytes = t == 0 ? 2 : (t == 1 ? 8 : 4);
        cols[p].mask = t == 0 ? 0x3FF : UINT64_MAX;
        row += cols[p].n_bytes;
    }
    const size_t n = (size_t)rnd(1200);
    uint8_t *bytes = random_rows(cols, np, n, row, 4);
    fake_init(&f, bytes, n * row, FCS_BYTEORDER_LITTLE);
    for (size_t p = 0; p < np; p++) {
        fake_column(&f, cols[p].datatype, cols[p].n_bytes, cols[p].mask);
        fcs_param *par = &f.params[p];
        if (cols[p].datatype == FCS_DATATYPE_INT && rnd(2) == 0) { /* $PnE 4,1 on 10 bits */
            par->log_decades = 4;
            par->log_offset = 1;
            par->range = 1024;
        } else if (rnd(3) == 0) { /* $PnG: 1 is no scale */
            par->gain = GAINS[rnd(sizeof GAINS / sizeof GAINS[0])];
        }
    }
    if (rnd(3) == 0) { /* one column is Time, in ticks of $TIMESTEP */
        const size_t p = rnd((unsigned)np);
        f.params[p].is_time = true;
        f.ds.timestep = rnd(2) ? 0.01 : 1.0;
    }
    fake_finish(&f);
    cr_assert_eq(f.ds.layout.n_events, n);

    const uint64_t step = rnd(2) ? 1 : 2 + rnd(6);
    const uint64_t first = n ? rnd((unsigned)n) : 0;
    const uint64_t count = rnd((unsigned)(n - first + 1));
    const uint64_t kept = count ? (count - 1) / step + 1 : 0;
    const size_t ld = (size_t)kept + rnd(3);
    double *out = malloc((np * ld + 1) * sizeof(double));
    double *alone = malloc((np * (size_t)count + 1) * sizeof(double));
    cr_assert(out != NULL && alone != NULL);
    for (size_t i = 0; i < np * ld + 1; i++) {
        out[i] = -12345.0;
    }
    bool want_col[12];
    const bool subset = step == 1 && rnd(3) == 0; /* a step decodes every column */
    for (size_t p = 0; p < np; p++) {
        want_col[p] = !subset || rnd(5) != 0;
    }
    const fcs_decode_options opts = {rnd(5) ? FCS_VALUES_SCALED : FCS_VALUES_RAW, rnd(4) != 0, 1};
    if (step == 1) {
        cr_assert_eq(fcs_dataset_decode_columns_f64(&f.ds, first, count, &opts,
                                                    subset ? want_col : NULL, out, ld, NULL),
                     APO_OK);
    } else {
        cr_assert_eq(fcs_layout_decode_every_f64(&f.ds, first, count, step, &opts, out, ld, NULL),
                     APO_OK);
    }

    round_kind kind = {false, false, step > 1 && kept >= 4};
    for (size_t p = 0; p + 4 <= np && kept > 0; p++) {
        bool floats = true, any_scaled = false;
        for (size_t k = 0; k < 4; k++) {
            floats = floats && want_col[p + k] && cols[p + k].datatype == FCS_DATATYPE_FLOAT;
            any_scaled = any_scaled || scaled(&f, p + k, &opts);
        }
        kind.quad = kind.quad || (floats && !any_scaled);
        kind.fallback = kind.fallback || (floats && any_scaled);
    }
    /* and the decoder's own plan agrees: it took a run of four exactly where one was due */
    const size_t runs = fcs_decode_quad_runs(&f.ds, &opts, subset ? want_col : NULL);
#if defined(__SSE2__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    cr_assert(kept == 0 || (runs > 0) == kind.quad,
              "round %d: the decoder planned %zu runs of four, the test expected %s", round, runs,
              kind.quad ? "some" : "none");
#else
    cr_assert_eq(runs, 0u, "round %d: no four-column path here", round);
#endif

    const uint8_t *data = f.buf + FAKE_DATA_BEGIN;
    for (size_t p = 0; p < np; p++) {
        if (!want_col[p]) {
            for (uint64_t k = 0; k < kept; k++) {
                cr_assert(out[p * ld + k] == -12345.0,
                          "round %d: column %zu not asked for was written", round, p);
            }
            continue;
        }
        bool one[12] = {false};
        one[p] = true; /* alone: never four at a time */
        cr_assert_eq(fcs_dataset_decode_columns_f64(&f.ds, first, count, &opts, one, alone,
                                                    (size_t)count, NULL),
                     APO_OK);
        const fcs_column *c = &f.cols[p];
        for (uint64_t k = 0; k < kept; k++) {
            const uint64_t e = first + k * step;
            const double got = out[p * ld + k];
            const double single = alone[p * (size_t)count + k * step];
            const double want = scaled_reference(&f, p, data + e * row + c->byte_offset, &opts);
            cr_assert(memcmp(&got, &single, sizeof got) == 0,
                      "round %d param %zu event %llu step %llu: %a, alone %a", round, p,
                      (unsigned long long)e, (unsigned long long)step, got, single);
            cr_assert(memcmp(&got, &want, sizeof got) == 0,
                      "round %d param %zu event %llu step %llu (%c): %a != %a", round, p,
                      (unsigned long long)e, (unsigned long long)step, c->datatype, got, want);
        }
    }
    free(alone);
    free(out);
    free(bytes);
    fake_free(&f);
    return kind;
}

Test(fcs_decode_quad, scaled_and_strided_columns_equal_the_one_column_decode)
{
    int quad = 0, fallback = 0, strided_quad = 0;
    for (int round = 0; round < 600; round++) {
        const round_kind k = decode_scaled_round(round);
        quad += k.quad;
        fallback += k.fallback;
        strided_quad += k.quad && k.strided;
    }
    /* the rounds exercise both paths, strided too */
    cr_assert_gt(quad, 150, "rounds decoding four columns at once: %d", quad);
    cr_assert_gt(fallback, 120, "rounds falling back next to a scaled float: %d", fallback);
    cr_assert_gt(strided_quad, 60, "strided rounds decoding four at once: %d", strided_quad);
}
