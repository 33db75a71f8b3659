/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_select.c: gate_select and gate_median (radix selection) give the very values of
 * gsl_stats_select and gsl_stats_median: random arrays of many sizes with negatives, ties,
 * zeros of both signs, tiny and huge magnitudes, values a few ulps apart, and the even-size
 * median's mean; and the several-ranks and masked forms give gate_select's and gate_median's
 * values bit for bit; gate_stats_quantiles, which selects, gives the bits of the sorted
 * quantiles.
 */
#include "gating/gating_internal.h"
#include "gating/stats.h"

#include <criterion/criterion.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t next(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static void fill(double *v, size_t n, uint64_t *x, int kind)
{
    for (size_t i = 0; i < n; i++) {
        const uint64_t r = next(x);
        const double u = (double)(r >> 11) / 9007199254740992.0;
        switch (kind) {
        case 0: /* compensated fluorescence: mostly positive, some negative */
            v[i] = (u - 0.1) * exp((double)(r % 23));
            break;
        case 1: /* few distinct values: many ties */
            v[i] = (double)(r % 7) - 3.0;
            break;
        case 2: /* zeros of both signs among others (the gsl hand-over) */
            v[i] = r % 5 == 0 ? ((r & 32) ? -0.0 : 0.0) : u - 0.5;
            break;
        case 4: /* a few ulps apart: keys that differ in their lowest 10 bits only */
            v[i] = 1.0 + (double)(r % 1000) * 0x1p-52;
            break;
        default: /* tiny and huge magnitudes */
            v[i] = ldexp(u + 0.5, (int)(r % 2000) - 1000) * ((r & 64) ? -1 : 1);
            break;
        }
    }
}

static bool same(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0 || (a == 0.0 && b == 0.0);
}

Test(gating_select, same_values_as_gsl)
{
    uint64_t x = 0x9e3779b97f4a7c15u;
    double *v = malloc(200001 * sizeof *v), *a = malloc(200001 * sizeof *a);
    cr_assert(v && a);
    size_t checked = 0;
    for (int kind = 0; kind < 5; kind++) {
        for (size_t n = 1; n < 3000; n += 1 + n / 3) {
            fill(v, n, &x, kind);
            for (size_t k = 0; k < n; k += 1 + n / 5) {
                memcpy(a, v, n * sizeof *a);
                const double g = gsl_stats_select(a, 1, n, k);
                memcpy(a, v, n * sizeof *a);
                const double s = gate_select(a, n, k);
                cr_assert(same(g, s), "kind %d n %zu k %zu: gsl %.17g, ours %.17g", kind, n, k,
                          g, s);
                checked++;
            }
            memcpy(a, v, n * sizeof *a);
            const double g = gsl_stats_median(a, 1, n);
            memcpy(a, v, n * sizeof *a);
            const double s = gate_median(a, n);
            cr_assert(same(g, s), "kind %d n %zu median: gsl %.17g, ours %.17g", kind, n, g, s);
        }
        fill(v, 200000 + (size_t)(kind & 1), &x, kind);
        memcpy(a, v, 200001 * sizeof *a);
        const double g = gsl_stats_median(a, 1, 200000 + (size_t)(kind & 1));
        memcpy(a, v, 200001 * sizeof *a);
        cr_assert(same(g, gate_median(a, 200000 + (size_t)(kind & 1))), "kind %d large", kind);
    }
    cr_assert_gt(checked, 200);
    double two[2] = {1e308, 1.5e308};
    cr_assert(isinf(gate_median(two, 2))); /* the mean overflows as in gsl */
    double one[1] = {-2.5};
    cr_assert_eq(gate_select(one, 1, 0), -2.5);
    free(v);
    free(a);
}

static bool bits_equal(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Kinds 0-3 as fill; 4: one NaN among kind 0; 5: kind 1 moved by 0.5 (ties, no zeros); 6:
 * fill's kind 4 (a few ulps apart). Rank
 * sets: spread out, adjacent (one bucket), repeated, the ends, out of order. */
static size_t rank_set(size_t n, int which, size_t *r)
{
    switch (which) {
    case 0:
        r[0] = n / 4, r[1] = (3 * n) / 4;
        return 2;
    case 1: /* the quartiles of two definitions: m/4 and type-7's neighbours */
        r[0] = n / 4, r[1] = (3 * n) / 4, r[2] = (n - 1) / 4, r[3] = (n - 1) / 4 + 1 < n ? (n - 1) / 4 + 1 : n - 1;
        r[4] = (3 * (n - 1)) / 4, r[5] = (3 * (n - 1)) / 4 + 1 < n ? (3 * (n - 1)) / 4 + 1 : n - 1;
        return 6;
    case 2:
        r[0] = n - 1, r[1] = 0, r[2] = n / 2, r[3] = n / 2, r[4] = n - 1;
        return 5;
    default:
        for (size_t j = 0; j < GATE_SELECT_MAX_RANKS; j++) {
            r[j] = (j * 7919 + n / 3) % n;
        }
        return GATE_SELECT_MAX_RANKS;
    }
}

Test(gating_select, several_ranks_as_gate_select)
{
    uint64_t x = 0x2545f4914f6cdd1du;
    double *v = malloc(100001 * sizeof *v), *a = malloc(100001 * sizeof *a);
    cr_assert(v && a);
    size_t checked = 0, handed = 0;
    for (int kind = 0; kind < 7; kind++) {
        for (size_t n = 1; n < 100001; n += 1 + n / 2) {
            fill(v, n, &x, kind == 6 ? 4 : kind >= 4 ? kind - 4 : kind);
            bool special = false; /* a zero or NaN: handed over */
            for (size_t i = 0; i < n; i++) {
                v[i] += kind == 5 ? 0.5 : 0.0; /* ties without zeros */
                special |= v[i] == 0.0;
            }
            if (kind == 4) { /* one NaN among ordinary values */
                v[n / 2] = NAN;
                special = true;
            }
            for (int which = 0; which < 4; which++) {
                size_t r[GATE_SELECT_MAX_RANKS];
                const size_t nr = rank_set(n, which, r);
                double out[GATE_SELECT_MAX_RANKS];
                memcpy(a, v, n * sizeof *a);
                const bool ok = gate_select_ranks(a, n, r, nr, out);
                cr_assert(memcmp(a, v, n * sizeof *a) == 0, "v left as it was");
                if (special) {
                    cr_assert(!ok, "kind %d n %zu: zeros or NaN are handed over", kind, n);
                    handed++;
                    continue;
                }
                cr_assert(ok, "kind %d n %zu which %d", kind, n, which);
                for (size_t j = 0; j < nr; j++) {
                    memcpy(a, v, n * sizeof *a);
                    const double s = gate_select(a, n, r[j]);
                    cr_assert(bits_equal(s, out[j]), "kind %d n %zu rank %zu: %.17g, ranks %.17g",
                              kind, n, r[j], s, out[j]);
                    checked++;
                }
            }
        }
    }
    cr_assert_gt(checked, 500);
    cr_assert_gt(handed, 50);
    /* all equal, and every value of a tiny array */
    double eq[5] = {2.5, 2.5, 2.5, 2.5, 2.5}, out[5];
    const size_t all[5] = {4, 3, 2, 1, 0};
    cr_assert(gate_select_ranks(eq, 5, all, 5, out));
    for (int j = 0; j < 5; j++) {
        cr_assert(bits_equal(out[j], 2.5));
    }
    double t[5] = {3e300, -1e-300, 7.0, -4.0, 5e-320};
    cr_assert(gate_select_ranks(t, 5, all, 5, out));
    cr_assert(bits_equal(out[0], 3e300) && bits_equal(out[1], 7.0) &&
              bits_equal(out[2], 5e-320) && bits_equal(out[3], -1e-300) &&
              bits_equal(out[4], -4.0));
    /* refused: no values, a rank out of range, too many ranks */
    const size_t bad[1] = {5}, many[GATE_SELECT_MAX_RANKS + 1] = {0};
    cr_assert(!gate_select_ranks(t, 0, all, 1, out));
    cr_assert(!gate_select_ranks(t, 5, bad, 1, out));
    cr_assert(!gate_select_ranks(t, 5, many, GATE_SELECT_MAX_RANKS + 1, out));
    free(v);
    free(a);
}

Test(gating_select, masked_median_as_gate_median)
{
    uint64_t x = 0x853c49e6748fea9bu;
    double *v = malloc(60001 * sizeof *v), *a = malloc(60001 * sizeof *a);
    uint8_t *mask = malloc(60001);
    cr_assert(v && a && mask);
    size_t checked = 0, handed = 0;
    for (int kind = 0; kind < 5; kind++) {
        for (size_t n = 1; n < 60001; n += 1 + n / 2) {
            fill(v, n, &x, kind);
            for (int density = 0; density < 4; density++) {
                size_t m = 0;
                for (size_t i = 0; i < n; i++) {
                    mask[i] = density == 3 || next(&x) % 4 < (uint64_t)density;
                    if (mask[i]) {
                        a[m++] = v[i];
                    }
                }
                bool zero = false;
                for (size_t i = 0; i < m; i++) {
                    zero |= a[i] == 0.0;
                }
                double got = -1;
                const bool ok = gate_median_masked(v, density == 3 ? NULL : mask, n, &got);
                if (zero || m == 0) { /* the caller's copy and gate_median then */
                    cr_assert(!ok && got == -1, "kind %d n %zu m %zu: handed over", kind, n, m);
                    handed++;
                    continue;
                }
                cr_assert(ok, "kind %d n %zu m %zu", kind, n, m);
                const double want = gate_median(a, m);
                cr_assert(bits_equal(want, got), "kind %d n %zu m %zu: %.17g, masked %.17g",
                          kind, n, m, want, got);
                checked++;
            }
        }
    }
    cr_assert_gt(checked, 100);
    cr_assert_gt(handed, 20);
    double z[3] = {1.0, 0.0, 2.0}, got = 7;
    const uint8_t keep_zero[3] = {1, 1, 0}, skip_zero[3] = {1, 0, 1}, none[3] = {0, 0, 0};
    cr_assert(!gate_median_masked(z, keep_zero, 3, &got) && got == 7, "zero: handed over");
    cr_assert(gate_median_masked(z, skip_zero, 3, &got) && got == 1.5);
    got = 7;
    cr_assert(!gate_median_masked(z, none, 3, &got) && got == 7, "nothing selected");
    double two[2] = {1e308, 1.5e308};
    cr_assert(gate_median_masked(two, NULL, 2, &got) && isinf(got)); /* overflow as in gsl */
    free(v);
    free(a);
    free(mask);
}

/* The median of v where mask is set, by copying and gate_median: the reference; false when a
 * selected value is NaN or zero or none is selected. */
static bool copied_median(const double *v, const uint8_t *mask, size_t n, double *a, double *out)
{
    size_t m = 0;
    bool special = false;
    for (size_t i = 0; i < n; i++) {
        if (mask[i]) {
            special |= isnan(v[i]) || v[i] == 0.0;
            a[m++] = v[i];
        }
    }
    *out = m > 0 ? gate_median(a, m) : NAN;
    return m > 0 && !special;
}

Test(gating_select, medians_of_several_masks_as_gate_median)
{
    enum { NM = 4, N = 30001 };
    uint64_t x = 0xda942042e4dd58b5u;
    double *v[2] = {malloc(N * sizeof(double)), malloc(N * sizeof(double))};
    double *a = malloc(N * sizeof *a);
    uint8_t *mbuf = malloc((size_t)NM * N);
    cr_assert(v[0] && v[1] && a && mbuf);
    const uint8_t *masks[NM];
    for (int q = 0; q < NM; q++) {
        masks[q] = mbuf + (size_t)q * N;
    }
    size_t checked = 0, handed = 0;
    for (int kind = 0; kind < 5; kind++) {
        for (size_t n = 0; n < N; n += 1 + n / 2) {
            fill(v[0], n, &x, kind);
            fill(v[1], n, &x, kind == 2 ? 0 : 3); /* the second column: no zeros, or tiny/huge */
            for (int layout = 0; layout < 3; layout++) {
                for (size_t e = 0; e < n; e++) {
                    /* 0: one quadrant or none per event; 1: the same, quadrant 3 left empty;
                     * 2: quadrants 0 and 1 share some events (each mask then on its own) */
                    const unsigned r = (unsigned)(next(&x) % 5);
                    for (int q = 0; q < NM; q++) {
                        mbuf[(size_t)q * N + e] =
                            (unsigned)q == r && !(layout == 1 && q == 3);
                    }
                    if (layout == 2 && r == 0 && e % 3 == 0) {
                        mbuf[(size_t)1 * N + e] = 1;
                    }
                }
                double med[2 * NM];
                bool ok[NM];
                for (int j = 0; j < 2 * NM; j++) {
                    med[j] = -7.0;
                }
                gate_medians_masked((const double *const *)v, 2, masks, NM, n, med, ok);
                for (int q = 0; q < NM; q++) {
                    double want[2];
                    bool fine = true;
                    for (int c = 0; c < 2; c++) {
                        fine &= copied_median(v[c], masks[q], n, a, &want[c]);
                    }
                    cr_assert_eq(ok[q], fine, "kind %d n %zu layout %d quadrant %d", kind, n,
                                 layout, q);
                    if (!fine) {
                        handed++;
                        continue;
                    }
                    for (int c = 0; c < 2; c++) {
                        cr_assert(bits_equal(want[c], med[2 * q + c]),
                                  "kind %d n %zu layout %d quadrant %d column %d: %.17g, %.17g",
                                  kind, n, layout, q, c, want[c], med[2 * q + c]);
                        checked++;
                    }
                }
            }
        }
    }
    cr_assert_gt(checked, 300);
    cr_assert_gt(handed, 50);
    free(v[0]);
    free(v[1]);
    free(a);
    free(mbuf);
}

/* gate_stats_quantiles finds its order statistics by selection: its quantiles must be the
 * bits of gate_quantile_sorted on the sorted finite values of the subset (the sort it
 * replaced), for any p (the ends, beyond them, NaN, more than one selection's worth), for
 * values with zeros (which it sorts), NaN and infinities (dropped), and with a mask. */
Test(gating_select, quantiles_as_sorted)
{
    uint64_t x = 0x51ed2701a3b9c4d5u;
    const double p[11] = {0.5, 0.0, 1.0, 0.1587, 0.8413, 0.25, 0.75, 0.995, 1.0 - 0x1p-53,
                          1e-300, -0.5};
    double *v = malloc(20001 * sizeof *v), *s = malloc(20001 * sizeof *s);
    uint8_t *mask = malloc(20001);
    cr_assert(v && s && mask);
    size_t checked = 0;
    for (int kind = 0; kind < 6; kind++) {
        for (size_t n = 1; n < 20001; n += 1 + n / 2) {
            fill(v, n, &x, kind == 5 ? 0 : kind);
            for (size_t i = 0; kind == 5 && i < n; i += 7) { /* not finite: left out */
                v[i] = i % 3 == 0 ? NAN : (i % 3 == 1 ? INFINITY : -INFINITY);
            }
            for (int masked = 0; masked < 2; masked++) {
                size_t m = 0;
                for (size_t i = 0; i < n; i++) {
                    mask[i] = (uint8_t)(masked == 0 || (next(&x) & 3) != 0);
                    if (mask[i] && isfinite(v[i])) {
                        s[m++] = v[i];
                    }
                }
                gsl_sort(s, 1, m);
                double q[11];
                cr_assert_eq(gate_stats_quantiles(v, n, masked ? mask : NULL, p, 11, q, NULL),
                             APO_OK);
                for (int k = 0; k < 11; k++) {
                    const double want = gate_quantile_sorted(s, m, p[k]);
                    cr_assert(bits_equal(q[k], want) || (isnan(q[k]) && isnan(want)),
                              "kind %d n %zu masked %d p %.17g: %.17g, sorted %.17g", kind, n,
                              masked, p[k], q[k], want);
                    checked++;
                }
            }
        }
    }
    cr_assert_gt(checked, 1000);
    const double pn[2] = {NAN, 0.5};
    double q[2];
    cr_assert_eq(gate_stats_quantiles(v, 3, NULL, pn, 2, q, NULL), APO_OK);
    cr_assert(isnan(q[0]) && !isnan(q[1]));
    free(v);
    free(s);
    free(mask);
}
