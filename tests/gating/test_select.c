/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_select.c: gate_select and gate_median (radix selection) give the very values of
 * gsl_stats_select and gsl_stats_median: random arrays of many sizes with negatives, ties,
 * zeros of both signs, tiny and huge magnitudes, and the even-size median's mean.
 */
#include "gating/stats.h"

#include <criterion/criterion.h>
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
    for (int kind = 0; kind < 4; kind++) {
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
