/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_fig_numeric.c: the per-sample figures' small numeric functions against the libm calls
 * they replace (report/fig_internal.h): the finite range of a column equals fmin and fmax
 * taken in order, bit for bit, for values with NaN, infinities, +0, steps and either starting
 * range (equal in value where a -0 is about); the 16-bit rounding equals lround at and beside
 * every kind of half.
 */
#include "report/fig_internal.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static bool same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

Test(fig_numeric, finite_range_equals_fmin_and_fmax_in_order)
{
    enum { N = 5000 };
    double *v = malloc(N * sizeof *v);
    cr_assert_not_null(v);
    uint64_t s = 3;
    const double starts[][2] = {{INFINITY, -INFINITY}, {0.0, 0.0}, {-0.0, 0.0}, {5, 5}};
    for (int kind = 0; kind < 6; kind++) {
        for (size_t i = 0; i < N; i++) {
            const double r = (double)(next_rand(&s) >> 11) * 0x1.0p-53;
            switch (kind) {
            case 0: v[i] = 1e4 * r - 50; break;
            case 1: v[i] = i % 7 == 0 ? NAN : (i % 11 == 0 ? -INFINITY : r); break;
            case 2: v[i] = i % 5 == 0 ? 0.0 : r; break;         /* +0 only */
            case 3: v[i] = i % 5 == 0 ? -0.0 : (i % 5 == 1 ? 0.0 : r); break;
            case 4: v[i] = i == 100 ? -0.0 : -r; break;         /* max is a -0 */
            default: v[i] = NAN; break;                          /* none finite */
            }
        }
        for (size_t st = 0; st < sizeof starts / sizeof starts[0]; st++) {
            for (uint64_t step = 1; step <= 3; step += 2) {
                double lo = starts[st][0], hi = starts[st][1];
                double want_lo = lo, want_hi = hi;
                uint64_t want_n = 0;
                for (uint64_t e = 0; e < N; e += step) {
                    if (isfinite(v[e])) {
                        want_lo = fmin(want_lo, v[e]);
                        want_hi = fmax(want_hi, v[e]);
                        want_n++;
                    }
                }
                const uint64_t n = fig_finite_range(v, N, step, &lo, &hi);
                cr_assert_eq(n, want_n, "kind %d start %zu step %llu", kind, st,
                             (unsigned long long)step);
                /* with a -0 about, which of two equal zeros fmin and fmax give is theirs (and
                 * the compiler's, which may swap their operands): the same value is asked */
                const bool neg_zero = kind == 3 || kind == 4 || st == 2;
                cr_assert(neg_zero ? lo == want_lo && hi == want_hi
                                   : same_bits(lo, want_lo) && same_bits(hi, want_hi),
                          "kind %d start %zu step %llu: %g %g vs %g %g", kind, st,
                          (unsigned long long)step, lo, hi, want_lo, want_hi);
            }
        }
    }
    free(v);
}

Test(fig_numeric, round_u16_equals_lround)
{
    uint64_t s = 5;
    for (unsigned k = 0; k < 65535; k++) {
        const double half = (double)k + 0.5;
        const double cases[] = {half, nextafter(half, 0), nextafter(half, 70000),
                                (double)k + 0.25, (double)k + 0.75, (double)k};
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            const double u = cases[c];
            if (!(u > 0) || !(u < 65535.0)) continue;
            cr_assert_eq(fig_round_u16(u), (unsigned)lround(u), "u = %.17g", u);
        }
    }
    cr_assert_eq(fig_round_u16(0.49999999999999994), 0u);
    cr_assert_eq(fig_round_u16(nextafter(65535.0, 0)), 65535u);
    for (int i = 0; i < 100000; i++) {
        const double u = (double)(next_rand(&s) >> 11) * 0x1.0p-53 * 65535.0;
        if (u > 0) cr_assert_eq(fig_round_u16(u), (unsigned)lround(u), "u = %.17g", u);
    }
}
