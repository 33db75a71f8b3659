// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * test_debris_mix.c: the debris mixture model (assay/debris_mix.c) called directly, on log10
 * scatter with a known answer: the fit on the 2-D histogram puts the gate between debris and
 * cells with an SSC side and a small debris share inside it, whatever the order of the events
 * (the histogram, not the event order, is what is fitted: the sides agree to rounding); on FSC
 * alone it gives an FSC side
 * only; and untrusted scatter (values spanning 30 decades, or every event on one value) gives
 * a finite gate or a refusal, never a crash or a grid that grows with the range.
 */
#include "assay/density.h"

#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

TestSuite(assay_debris_mix);

enum { N = 30000 };

/* 30 % debris around (3.5, 2.7) decades on (log10 FSC, log10 SSC), its FSC tail reaching
 * into 70 % cells around (4.4, 4.3) that it does not reach on SSC; is_debris marks which. */
static void two_clouds(gsl_rng *r, double *lf, double *ls, unsigned char *is_debris)
{
    for (size_t i = 0; i < N; i++) {
        is_debris[i] = gsl_rng_uniform(r) < 0.3;
        if (is_debris[i]) {
            lf[i] = 3.5 + gsl_ran_gaussian(r, 0.3);
            ls[i] = 2.7 + gsl_ran_gaussian(r, 0.3);
        } else {
            lf[i] = 4.4 + gsl_ran_gaussian(r, 0.12);
            ls[i] = 4.3 + gsl_ran_gaussian(r, 0.1);
        }
    }
}

Test(assay_debris_mix, corner_between_debris_and_cells_in_any_event_order)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 3);
    static double lf[N], ls[N], rf[N], rs[N];
    static unsigned char deb[N];
    two_clouds(r, lf, ls, deb);
    double a, b, leak;
    cr_assert(pregate_debris_mixture(lf, ls, N, 3.95, 3.5, 4.4, &a, &b, &leak));
    cr_assert(a > 3.4 && a < 4.3, "FSC side %g", a);
    cr_assert(isfinite(b) && b > 2.8 && b < 4.0, "SSC side %g", b);
    size_t cells = 0, cells_in = 0, debris_in = 0;
    for (size_t i = 0; i < N; i++) {
        const bool in = lf[i] >= a && ls[i] >= b;
        cells += !deb[i];
        cells_in += in && !deb[i];
        debris_in += in && deb[i];
    }
    cr_assert_gt((double)cells_in / (double)cells, 0.995, "cells kept %zu of %zu", cells_in,
                 cells);
    const double share = (double)debris_in / (double)(debris_in + cells_in);
    cr_assert_lt(share, 0.005, "debris share inside %g", share);
    cr_assert(leak >= 0 && fabs(leak - share) < 0.005, "leak %g, true %g", leak, share);
    for (size_t i = 0; i < N; i++) { /* the same events backwards: the same histogram */
        rf[i] = lf[N - 1 - i];
        rs[i] = ls[N - 1 - i];
    }
    double a2, b2, leak2;
    cr_assert(pregate_debris_mixture(rf, rs, N, 3.95, 3.5, 4.4, &a2, &b2, &leak2));
    cr_assert(fabs(a2 - a) < 1e-12 && fabs(b2 - b) < 1e-9,
              "reversed: a %.17g / %.17g, b %.17g / %.17g", a2, a, b2, b);
    cr_assert(fabs(leak2 - leak) < 1e-12, "reversed: leak %.17g / %.17g", leak2, leak);
    /* FSC alone: an FSC side only, between the modes */
    cr_assert(pregate_debris_mixture(lf, NULL, N, 3.95, 3.5, 4.4, &a, &b, &leak));
    cr_assert(a > 3.4 && a < 4.3 && b == -INFINITY, "FSC alone: a %g, b %g", a, b);
    gsl_rng_free(r);
}

Test(assay_debris_mix, untrusted_scatter_ranges)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 4);
    static double lf[N], ls[N];
    static unsigned char deb[N];
    two_clouds(r, lf, ls, deb);
    for (size_t i = 0; i < N; i += 50) { /* outliers 30 decades out on both scatters */
        lf[i] = i % 100 ? 33.0 : -0.5;
        ls[i] = i % 100 ? 30.0 : 0.0;
    }
    double a = NAN, b = NAN, leak = NAN;
    if (pregate_debris_mixture(lf, ls, N, 3.95, 3.5, 4.4, &a, &b, &leak)) {
        cr_assert(a >= 3.0 && a <= 4.6, "FSC side %g", a);
        cr_assert(b == -INFINITY || (b >= 2.0 && b <= 4.6), "SSC side %g", b);
    }
    for (size_t i = 0; i < N; i++) { /* every event on one value */
        lf[i] = 4.0;
        ls[i] = 3.0;
    }
    a = NAN;
    if (pregate_debris_mixture(lf, ls, N, 3.95, 3.5, 4.4, &a, &b, &leak)) {
        cr_assert(a >= 3.0 && a <= 4.6, "one value: FSC side %g", a);
    }
    const double huge[] = {-1e308, 1e308}; /* a range beyond double: refused */
    for (size_t i = 0; i < N; i++) {
        lf[i] = huge[i % 2];
        ls[i] = 3.0;
    }
    cr_assert_not(pregate_debris_mixture(lf, ls, N, 3.95, 3.5, 4.4, &a, &b, &leak));
    gsl_rng_free(r);
}
