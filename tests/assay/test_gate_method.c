// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * test_gate_method.c: the density tools and the automatic gates on data with a known answer:
 * peaks and valley depth of two Gaussians; a control line smeared into the positive
 * population moves to the stained samples' valley (and one in a gap stays); populations too
 * close to separate give no_separation; a line is checked within the halves of the other
 * marker (moved off the necrotic cells, kept in a gap of both halves, flagged when no
 * straight line fits both; a moved line's depth from the placed density equals a refit's);
 * the debris gate sits between debris and cells (a
 * corner on both scatters with SSC, leaving under 1 % debris inside where FSC alone leaves
 * more), cuts only the noise floor without debris, and the singlet
 * band keeps the singlets of a broad, stepped pulse width while removing the doublets.
 */
#include "assay/density.h"

#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

TestSuite(assay_gate_method);

/* n values: a share of N(m1, s1), the rest N(m2, s2). */
static double *mixture(gsl_rng *r, size_t n, double share, double m1, double s1, double m2,
                       double s2)
{
    double *v = malloc(n * sizeof *v);
    cr_assert_not_null(v);
    for (size_t i = 0; i < n; i++) {
        v[i] = gsl_rng_uniform(r) < share ? m1 + gsl_ran_gaussian(r, s1)
                                          : m2 + gsl_ran_gaussian(r, s2);
    }
    return v;
}

Test(assay_gate_method, peaks_mass_and_valley_depth)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 1);
    double *v = mixture(r, 20000, 0.7, 0.2, 0.04, 0.7, 0.06);
    assay_kde k;
    cr_assert(assay_kde_fit(&k, v, 20000, 1.0, 0.0, ASSAY_PEAK_MIN_PROMINENCE));
    cr_assert_eq(k.n_peaks, 2, "%zu peaks", k.n_peaks);
    cr_assert(fabs(k.peaks[0].x - 0.2) < 0.02 && fabs(k.peaks[1].x - 0.7) < 0.02);
    cr_assert(fabs(k.peaks[0].mass - 0.7) < 0.03, "%g", k.peaks[0].mass);
    cr_assert_eq(assay_kde_main_peak(&k), &k.peaks[0]);
    double gap = assay_kde_depth(&k, 0.45), inside = assay_kde_depth(&k, 0.7),
           flank = assay_kde_depth(&k, 0.2 + 2.58 * 0.04);
    cr_assert_lt(gap, 0.01, "depth in the gap %g", gap);
    cr_assert_gt(inside, 0.95, "depth at the positive peak %g", inside);
    /* 2.58 SD up the negative peak's slope: measured against that peak, not the lower positive
     * one (the bandwidth from the whole mixture widens the narrow peak a little) */
    cr_assert(flank > 0.02 && flank < 0.2, "depth on the flank %g", flank);
    cr_assert_lt(flank, assay_kde_at(&k, 0.2 + 2.58 * 0.04) / k.peaks[1].height);
    double y, d;
    cr_assert(assay_kde_split(&k, &y, &d));
    cr_assert(y > 0.3 && y < 0.6 && d < 0.01, "split %g depth %g", y, d);
    assay_kde_free(&k);
    free(v);
    gsl_rng_free(r);
}

/* The failure: the PI-only control carries stained debris, so its 99.5th percentile
 * lands in the middle of the Annexin V-positive cells of the stained samples. */
Test(assay_gate_method, smeared_control_line_moves_to_the_valley)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 2);
    const size_t nc = 10000, np = 40000;
    double *ctl = mixture(r, nc, 0.97, 0.2, 0.04, 0.5, 0.25); /* 3 % smear up to the positives */
    double *pooled = mixture(r, np, 0.65, 0.2, 0.04, 0.7, 0.06);
    assay_line L;
    assay_line_place(ctl, nc, pooled, np, 0.995, "ctl", &L, NULL);
    /* the smear has no peak of its own, so the quantile lands high: in the positives */
    cr_assert_gt(L.control_y, 0.55, "control line %g", L.control_y);
    cr_assert_eq(L.method, ASSAY_THRESHOLD_DENSITY_VALLEY, "%s", L.reason);
    cr_assert(L.moved);
    cr_assert(L.y > 0.3 && L.y < 0.6, "line %g", L.y);
    cr_assert_lt(L.depth, 0.05);
    cr_assert(!L.in_population && !L.no_separation);
    free(ctl);
    /* a clean control: its line is in the gap's low density and stays */
    ctl = mixture(r, nc, 1.0, 0.2, 0.04, 0, 1);
    assay_line_place(ctl, nc, pooled, np, 0.995, "ctl", &L, NULL);
    char text[ASSAY_THRESHOLD_METHOD_TEXT];
    assay_threshold_method_text(L.method, L.percentile, text, sizeof text);
    cr_assert_str_eq(text, "control_quantile_99.5", "%s: %s", text, L.reason);
    cr_assert(fabs(L.y - (0.2 + 2.576 * 0.04)) < 0.01, "line %g", L.y);
    free(ctl);
    free(pooled);
    gsl_rng_free(r);
}

/* A control with a positive population of its own (dead cells): the quantile is taken over its
 * negative population only. */
Test(assay_gate_method, control_quantile_over_its_negative_population)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 3);
    double *ctl = mixture(r, 10000, 0.9, 0.2, 0.04, 0.7, 0.06);
    double *pooled = mixture(r, 40000, 0.65, 0.2, 0.04, 0.7, 0.06);
    assay_line L;
    assay_line_place(ctl, 10000, pooled, 40000, 0.995, "ctl", &L, NULL);
    cr_assert(fabs(L.control_y - (0.2 + 2.576 * 0.04)) < 0.015, "control line %g", L.control_y);
    free(ctl);
    free(pooled);
    gsl_rng_free(r);
}

Test(assay_gate_method, no_separation_is_said)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 4);
    double *ctl = mixture(r, 10000, 1.0, 0.2, 0.05, 0, 1);
    double *pooled = mixture(r, 40000, 0.6, 0.2, 0.05, 0.27, 0.06); /* 1.2 SD apart */
    assay_line L;
    assay_line_place(ctl, 10000, pooled, 40000, 0.995, "ctl", &L, NULL);
    cr_assert(L.no_separation, "%s: %s", assay_threshold_method_name(L.method), L.reason);
    /* nothing better to move it to */
    cr_assert_eq(L.method, ASSAY_THRESHOLD_CONTROL_QUANTILE);
    cr_assert_eq(L.percentile, 99.5);
    free(ctl);
    free(pooled);
    gsl_rng_free(r);
}

/* Pooled stained events on two markers: x this marker, o the other one (negative about 0.2,
 * positive about 0.8 on it). Among the o-negative events a share neg_share is negative on x
 * (N(0.2, 0.04)), the rest positive (N(0.7, 0.06)); among the o-positive ones the negative
 * population sits at hi_neg (e.g. necrotic cells a little brighter on Annexin V) and the
 * positive one at hi_pos. */
static void two_marker(gsl_rng *r, size_t n, double hi_neg, double hi_pos, double *x,
                       double *o)
{
    for (size_t i = 0; i < n; i++) {
        const bool other_pos = gsl_rng_uniform(r) < 0.4, pos = gsl_rng_uniform(r) < 0.5;
        o[i] = other_pos ? 0.8 + gsl_ran_gaussian(r, 0.05) : 0.2 + gsl_ran_gaussian(r, 0.05);
        x[i] = other_pos ? (pos ? hi_pos : hi_neg) + gsl_ran_gaussian(r, pos ? 0.06 : 0.04)
                         : (pos ? 0.7 : 0.2) + gsl_ran_gaussian(r, pos ? 0.06 : 0.04);
    }
}

/* A control's line 2.576 SD above viable cells at 0.2 (SD 0.04), as the pooled check kept it. */
static assay_line control_line(void)
{
    return (assay_line){.y = 0.2 + 2.576 * 0.04,
                        .depth = 0.05,
                        .method = ASSAY_THRESHOLD_CONTROL_QUANTILE,
                        .percentile = 99.5,
                        .reason = "99.5 percentile of ctl"};
}

/* The control line clears the viable cells but sits on the brighter necrotic cells among
 * the PI-positive events: it moves to where both halves have their gap. */
Test(assay_gate_method, line_checked_within_the_other_markers_halves)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 5);
    const size_t np = 40000;
    double *x = malloc(np * sizeof *x), *o = malloc(np * sizeof *o);
    cr_assert(x != NULL && o != NULL);
    two_marker(r, np, 0.32, 0.8, x, o);
    assay_line L = control_line();
    assay_line_refine(&L, x, o, np, 0.5, "Annexin V", "PI", NULL);
    cr_assert(L.moved && L.method == ASSAY_THRESHOLD_DENSITY_VALLEY, "%s", L.reason);
    cr_assert(L.y > 0.42 && L.y < 0.6, "line %g", L.y);
    cr_assert_lt(L.half_depth[0], 0.1, "PI-negative half depth %g", L.half_depth[0]);
    cr_assert_lt(L.half_depth[1], 0.1, "PI-positive half depth %g", L.half_depth[1]);
    cr_assert(!L.in_population);
    cr_assert_not_null(strstr(L.reason, "PI-positive"), "%s", L.reason);
    cr_assert(isnan(L.percentile));

    /* necrotic cells as dim as the viable ones and a line in the gap of both halves: kept */
    two_marker(r, np, 0.2, 0.8, x, o);
    L = control_line();
    L.y = 0.45;
    const double before = L.y;
    assay_line_refine(&L, x, o, np, 0.5, "Annexin V", "PI", NULL);
    cr_assert(!L.moved && L.y == before, "%s", L.reason);
    cr_assert(L.half_depth[0] < 0.5 && L.half_depth[1] < 0.5);

    /* the PI-positive half's negative population above the PI-negative half's positive one:
     * no straight line separates both; it stays and says it lies in a population */
    two_marker(r, np, 0.75, 1.1, x, o);
    L = control_line();
    assay_line_refine(&L, x, o, np, 0.5, "Annexin V", "PI", NULL);
    cr_assert(L.in_population, "half depths %g %g", L.half_depth[0], L.half_depth[1]);
    cr_assert(!L.moved);
    cr_assert_not_null(strstr(L.reason, "no straight line"), "%s", L.reason);
    free(x);
    free(o);
    gsl_rng_free(r);
}

/* A moved line's depth from the pooled density assay_line_place fitted is the depth from
 * fitting the values again, bit for bit (and the line and its reason the same). */
Test(assay_gate_method, moved_line_depth_from_the_placed_density)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 2);
    const size_t np = 40000;
    double *x = malloc(np * sizeof *x), *o = malloc(np * sizeof *o);
    cr_assert(x != NULL && o != NULL);
    two_marker(r, np, 0.32, 0.8, x, o);
    assay_line placed;
    assay_kde k;
    assay_line_place(NULL, 0, x, np, 0.995, "ctl", &placed, &k);
    cr_assert_not_null(k.y);
    assay_line a = control_line(), b = control_line();
    assay_line_refine(&a, x, o, np, 0.5, "Annexin V", "PI", NULL);
    assay_line_refine(&b, x, o, np, 0.5, "Annexin V", "PI", &k);
    cr_assert(a.moved && b.moved, "%s", a.reason);
    cr_assert(memcmp(&a.y, &b.y, sizeof a.y) == 0, "line %a vs %a", a.y, b.y);
    cr_assert(memcmp(&a.depth, &b.depth, sizeof a.depth) == 0,
              "depth %a (refitted) vs %a (placed density)", a.depth, b.depth);
    cr_assert(isfinite(a.depth));
    cr_assert_str_eq(a.reason, b.reason);
    assay_kde_free(&k);
    free(x);
    free(o);
    gsl_rng_free(r);
}

/* Debris (25 %) 0.7 decades below the cells on FSC, broad, and low on SSC as well. */
static void scatter(gsl_rng *r, size_t n, double debris, double *fsc, double *ssc,
                    unsigned char *is_debris)
{
    for (size_t i = 0; i < n; i++) {
        is_debris[i] = gsl_rng_uniform(r) < debris;
        if (is_debris[i]) {
            fsc[i] = gsl_ran_lognormal(r, log(12400.0), 0.7);
            ssc[i] = gsl_ran_lognormal(r, log(9000.0), 0.7);
        } else {
            fsc[i] = 62000.0 + gsl_ran_gaussian(r, 8000.0);
            ssc[i] = gsl_ran_lognormal(r, log(28000.0), 0.25);
        }
    }
}

/* Share of cells and of debris inside the gate (FSC >= thr and, with an SSC side, SSC >=
 * sthr). */
static void kept(const pregate_debris *g, const double *fsc, const double *ssc,
                 const unsigned char *is_debris, size_t n, double *cells, double *debris)
{
    size_t c = 0, d = 0, nc = 0, nd = 0;
    for (size_t i = 0; i < n; i++) {
        bool in = fsc[i] >= g->thr && (!g->two_d || ssc[i] >= g->sthr);
        if (is_debris[i]) {
            nd++;
            d += in;
        } else {
            nc++;
            c += in;
        }
    }
    *cells = (double)c / (double)nc;
    *debris = nd ? (double)d / (double)nd : 0;
}

Test(assay_gate_method, debris_gate_between_the_modes)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 5);
    enum { N = 20000 };
    static double fsc[N], ssc[N];
    static unsigned char deb[N];
    scatter(r, N, 0.25, fsc, ssc, deb);
    pregate_debris g, g1;
    pregate_debris_estimate(fsc, NULL, N, &g1); /* FSC alone */
    cr_assert(g1.debris_mode && !g1.two_d, "%s", g1.method);
    double cells, debris;
    kept(&g1, fsc, ssc, deb, N, &cells, &debris);
    cr_assert_gt(cells, 0.99, "cells kept %g", cells);
    cr_assert_lt(debris, 0.25, "debris kept %g", debris);
    /* the estimated debris share inside the cut is of the right size */
    double share = 0.25 * debris / (0.25 * debris + 0.75 * cells);
    cr_assert(g1.leak > 0.5 * share && g1.leak < 2.0 * share, "leak %g, true %g", g1.leak, share);
    pregate_debris_estimate(fsc, ssc, N, &g); /* with SSC: a corner on both scatters */
    cr_assert(g.two_d && g.model, "%s", g.method);
    double cells2, debris2;
    kept(&g, fsc, ssc, deb, N, &cells2, &debris2);
    cr_assert_gt(cells2, 0.97, "cells kept %g", cells2);
    cr_assert_lt(debris2, 0.5 * debris, "2-D keeps %g of the debris, FSC alone %g", debris2,
                 debris);
    /* the debris left inside: under 1 % of the gate, and the model's estimate of it close */
    double share2 = 0.25 * debris2 / (0.25 * debris2 + 0.75 * cells2);
    cr_assert_lt(share2, 0.01, "debris share inside the 2-D gate %g", share2);
    cr_assert(fabs(g.leak - share2) < 0.005, "leak %g, true %g", g.leak, share2);
    /* no debris: only the noise floor goes */
    scatter(r, N, 0.0, fsc, ssc, deb);
    pregate_debris_estimate(fsc, ssc, N, &g);
    cr_assert(!g.debris_mode, "%s", g.method);
    cr_assert(!(g.leak > 0), "no debris, leak %g", g.leak);
    kept(&g, fsc, ssc, deb, N, &cells, &debris);
    cr_assert_gt(cells, 0.998, "cells kept %g", cells);
    gsl_rng_free(r);
}

/* Debris as a wall against the trigger threshold (FSC piling up from 5,000 with an
 * exponential tail into the cells, no peak of its own on log FSC) at 7 % of the events, dimmer
 * on SSC, beside cells of which a quarter are dying and smaller: no debris mode, so the noise
 * floor alone would keep nearly all of it, yet the mixture model's corner removes most of it
 * and keeps the cells. */
Test(assay_gate_method, debris_wall_without_a_mode)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11);
    enum { N = 20000 };
    static double fsc[N], ssc[N];
    static unsigned char deb[N];
    for (size_t i = 0; i < N; i++) {
        deb[i] = gsl_rng_uniform(r) < 0.07;
        if (deb[i]) {
            fsc[i] = 5000.0 + gsl_ran_exponential(r, 15000.0);
            ssc[i] = pow(10.0, 3.97 + gsl_ran_gaussian(r, 0.3));
        } else { /* a quarter of the cells dying, smaller */
            const double shrink = gsl_rng_uniform(r) < 0.25 ? -0.2 : 0.0;
            fsc[i] = pow(10.0, 4.85 + shrink + gsl_ran_gaussian(r, 0.07));
            ssc[i] = pow(10.0, 4.35 + gsl_ran_gaussian(r, 0.11));
        }
    }
    pregate_debris g;
    pregate_debris_estimate(fsc, ssc, N, &g);
    cr_assert(!g.debris_mode && g.model, "%s", g.method);
    double cells, debris;
    kept(&g, fsc, ssc, deb, N, &cells, &debris);
    cr_assert_gt(cells, 0.98, "cells kept %g", cells);
    cr_assert_lt(debris, 0.2, "debris kept %g", debris);
    gsl_rng_free(r);
}

/* Untrusted scatter: infinite and NaN values among the events (a damaged float file) leave
 * the debris model's gate finite and where it would be without them. */
Test(assay_gate_method, debris_gate_ignores_non_finite_scatter)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    enum { N = 20000 };
    static double fsc[N], ssc[N];
    static unsigned char deb[N];
    scatter(r, N, 0.25, fsc, ssc, deb);
    pregate_debris clean, dirty;
    pregate_debris_estimate(fsc, ssc, N, &clean);
    for (size_t i = 0; i < N; i += 97) {
        fsc[i] = i % 2 ? INFINITY : NAN;
        ssc[i + 1 < N ? i + 1 : i] = -INFINITY;
    }
    pregate_debris_estimate(fsc, ssc, N, &dirty);
    cr_assert(clean.model && dirty.model, "%s / %s", clean.method, dirty.method);
    cr_assert(isfinite(dirty.thr) && dirty.thr > 0, "thr %g", dirty.thr);
    cr_assert(fabs(log10(dirty.thr / clean.thr)) < 0.05, "thr %g, without the bad values %g",
              dirty.thr, clean.thr);
    gsl_rng_free(r);
}

/* A broad FSC-W in integer steps (an instrument whose width is not a clean ratio) with 5 %
 * doublets at about twice the width: the band keeps the singlets and drops the doublets. */
Test(assay_gate_method, singlet_band_on_a_broad_stepped_width)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 6);
    enum { N = 10000 };
    static double fsc[N], w[N];
    static unsigned char dbl[N];
    for (size_t i = 0; i < N; i++) {
        dbl[i] = gsl_rng_uniform(r) < 0.05;
        fsc[i] = 60000.0 + gsl_ran_gaussian(r, 6000.0);
        w[i] = floor((dbl[i] ? 140.0 : 75.0) + gsl_ran_gaussian(r, dbl[i] ? 12.0 : 7.0));
    }
    double lo, hi;
    const char *how = NULL;
    cr_assert(pregate_width_band(fsc, w, N, 0.0, &lo, &hi, &how));
    size_t s_in = 0, s_n = 0, d_in = 0, d_n = 0;
    for (size_t i = 0; i < N; i++) {
        bool in = w[i] >= lo && w[i] < hi;
        s_n += !dbl[i];
        s_in += !dbl[i] && in;
        d_n += dbl[i];
        d_in += dbl[i] && in;
    }
    cr_assert_gt((double)s_in / (double)s_n, 0.99, "singlets kept %zu of %zu (%g..%g, %s)", s_in,
                 s_n, lo, hi, how);
    cr_assert_lt((double)d_in / (double)d_n, 0.05, "doublets kept %zu of %zu", d_in, d_n);
    gsl_rng_free(r);
}
