/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_gather_members.c: the quadrant members' values collected with each streamed block
 * (assay_gather_members, which passes over eight zero membership bytes at a time) against the
 * plain event-by-event loop it replaced: the same values in the same order and the same count,
 * for sparse and dense rows, every length up to a few hundred (all tails of eight), and a
 * limit on how many are wanted that stops the scan early.
 */
#include "assay/apoptosis_internal.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_next(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return *s >> 11;
}

/* The loop as it was. */
static size_t gather_reference(const uint8_t *m, size_t n, const double *const *dv, size_t want,
                               double *va, double *vp)
{
    size_t f = 0;
    for (size_t e = 0; e < n && f < want; e++) {
        if (m[e]) {
            va[f] = dv[0][e];
            vp[f] = dv[1][e];
            f++;
        }
    }
    return f;
}

Test(gather_members, equals_the_event_by_event_loop)
{
    enum { NMAX = 600 };
    uint8_t m[NMAX];
    double a[NMAX], p[NMAX], va[NMAX + 1], vp[NMAX + 1], wa[NMAX], wp[NMAX];
    const double *const dv[2] = {a, p};
    uint64_t s = 12;
    size_t total = 0;
    for (size_t n = 0; n < NMAX; n++) {
        const unsigned density = (unsigned)(rng_next(&s) % 4); /* 1 in 1, 4, 40, 400 */
        const uint64_t one_in = density == 0 ? 1 : (density == 1 ? 4 : (density == 2 ? 40 : 400));
        size_t members = 0;
        for (size_t e = 0; e < n; e++) {
            m[e] = rng_next(&s) % one_in == 0 ? (uint8_t)(1 + rng_next(&s) % 255) : 0;
            members += m[e] != 0;
            a[e] = (double)e + 0.25;
            p[e] = e % 7 == 0 ? NAN : -(double)e;
        }
        /* every member, or fewer (the count of the block may be below the row's members) */
        const size_t want = rng_next(&s) % 3 == 0 ? members / 2 : members;
        va[want] = vp[want] = 12345.0; /* nothing past the wanted ones */
        const size_t got = assay_gather_members(m, n, dv, want, va, vp);
        const size_t expect = gather_reference(m, n, dv, want, wa, wp);
        cr_assert_eq(got, expect, "n %zu", n);
        cr_assert(memcmp(va, wa, got * sizeof *va) == 0, "n %zu", n);
        cr_assert(memcmp(vp, wp, got * sizeof *vp) == 0, "n %zu", n);
        cr_assert(va[want] == 12345.0 && vp[want] == 12345.0, "n %zu: wrote past %zu", n, want);
        total += got;
    }
    cr_assert_gt(total, 1000);
}
