// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * dunnett.c: Dunnett's many-to-one comparisons (Dunnett 1955, JASA 50:1096; two-sided exact
 * tables Dunnett 1964, Biometrics 20:482) for unequal group sizes, with single-step adjusted
 * p-values and critical values.
 *
 * The m statistics T_i = Z_i / s share the control mean, so corr(Z_i, Z_j) = lambda_i lambda_j
 * with lambda_i = sqrt(n_i / (n_i + n_0)). That one-factor structure lets every Z_i be written
 * lambda_i X + sqrt(1 - lambda_i^2) W_i with X, W_1..W_m independent standard normals, so given
 * X = x the events |Z_i| >= d are independent:
 *
 *   P(max |Z_i| >= d) = integral phi(x) [1 - prod_i (1 - q_i(x, d))] dx,
 *   q_i(x, d) = Q((d - lambda_i x) / sigma_i) + P((-d - lambda_i x) / sigma_i)  (two-sided),
 *
 * and s = chi_df / sqrt(df) is integrated over its density:
 *   P(max |T_i| >= c) = integral f_df(s) P(max |Z_i| >= c s) ds.
 * The exceedance (not 1 minus the coverage) is integrated directly, with 1 - prod(1 - q) as
 * -expm1(sum log1p(-q)), so small p-values keep their relative accuracy. Both integrals are
 * GSL adaptive Gauss-Kronrod (QAG inner, QAGS/QAGIU outer on panels around the peak of
 * f_df), relative tolerance 1e-11 inner and 1e-9 outer.
 */
#include "assay/groupstats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <stdlib.h>

enum { DN_LIMIT = 1000, DN_MAX_M = 4096 };
#define DN_INNER_EPSREL 1e-11
#define DN_INNER_EPSABS 1e-17
#define DN_OUTER_EPSREL 1e-9
#define DN_OUTER_EPSABS 1e-15
#define DN_XMAX 9.0

typedef struct dn_ctx {
    size_t m;
    const double *lam, *sig;
    bool two_sided;
    double c, df, log_norm; /* log of the constant of f_df */
    double d;               /* the inner threshold c s */
    gsl_integration_workspace *w_in, *w_out;
    double inner_err;       /* largest absolute error estimate of an inner integral */
    int status;             /* first GSL error */
} dn_ctx;

/* phi(x) P(max |Z_i| >= d | X = x). */
static double exceed_given_x(double x, void *vp)
{
    dn_ctx *k = vp;
    double log_cover = 0;
    for (size_t i = 0; i < k->m; i++) {
        double mu = k->lam[i] * x;
        double q = gsl_cdf_ugaussian_Q((k->d - mu) / k->sig[i]);
        if (k->two_sided) {
            q += gsl_cdf_ugaussian_P((-k->d - mu) / k->sig[i]);
        }
        if (q >= 1) {
            return gsl_ran_ugaussian_pdf(x);
        }
        log_cover += log1p(-q);
    }
    return gsl_ran_ugaussian_pdf(x) * -expm1(log_cover);
}

/* P(max |Z_i| >= d) for standard normals with the one-factor correlation. x is integrated over
 * [-DN_XMAX, DN_XMAX] (the rest of the line holds at most 2 Q(DN_XMAX) = 2e-19 of the
 * probability); two-sided, the integrand is even, so over [0, DN_XMAX] twice. */
static double normal_exceed(dn_ctx *k, double d)
{
    if (d <= 0 && k->two_sided) {
        return 1.0;
    }
    k->d = d;
    gsl_function fn = {exceed_given_x, k};
    double r = 0, e = 0;
    int st = gsl_integration_qag(&fn, k->two_sided ? 0 : -DN_XMAX, DN_XMAX, DN_INNER_EPSABS,
                                 DN_INNER_EPSREL, DN_LIMIT, GSL_INTEG_GAUSS31, k->w_in, &r, &e);
    if (k->two_sided) {
        r *= 2;
        e *= 2;
    }
    if (st != 0 && k->status == 0) {
        k->status = st;
    }
    if (e > k->inner_err) {
        k->inner_err = e;
    }
    return r;
}

/* f_df(s) P(max |Z_i| >= c s). */
static double exceed_given_s(double s, void *vp)
{
    dn_ctx *k = vp;
    if (s <= 0) {
        return 0;
    }
    double logf = k->log_norm + (k->df - 1) * log(s) - k->df * s * s / 2;
    return exp(logf) * normal_exceed(k, k->c * s);
}

static void note_status(dn_ctx *k, int st)
{
    if (st != 0 && k->status == 0) {
        k->status = st;
    }
}

/* The outer integral over s on [0, lo], [lo, hi] and [hi, inf), [lo, hi] holding the peak of
 * f_df (mode sqrt((df - 1)/df), spread about 1/sqrt(2 df)). */
static double integrate_s(dn_ctx *k, double *abserr)
{
    gsl_function fn = {exceed_given_s, k};
    double mode = k->df > 1 ? sqrt((k->df - 1) / k->df) : 0;
    double w = 1 / sqrt(2 * k->df);
    double lo = fmax(0, mode - 12 * w), hi = mode + 12 * w;
    double total = 0, err = 0, r, e;
    if (lo > 0) {
        note_status(k, gsl_integration_qags(&fn, 0, lo, DN_OUTER_EPSABS, DN_OUTER_EPSREL,
                                            DN_LIMIT, k->w_out, &r, &e));
        total += r;
        err += e;
    }
    note_status(k, gsl_integration_qags(&fn, lo, hi, DN_OUTER_EPSABS, DN_OUTER_EPSREL, DN_LIMIT,
                                        k->w_out, &r, &e));
    total += r;
    err += e;
    note_status(k, gsl_integration_qagiu(&fn, hi, DN_OUTER_EPSABS, DN_OUTER_EPSREL, DN_LIMIT,
                                         k->w_out, &r, &e));
    total += r;
    err += e;
    *abserr = err + k->inner_err; /* f_df integrates to 1 */
    return total;
}

apo_status assay_dunnett_exceed(double c, const size_t *n, size_t m, double df, bool two_sided,
                               double *prob, double *abserr, apo_error *err)
{
    *prob = NAN;
    if (abserr != NULL) {
        *abserr = NAN;
    }
    if (m == 0 || m > DN_MAX_M || !(c >= 0) || !(df > 0) || n[0] == 0) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected 1..%d comparisons, c >= 0, df > 0 and a non-empty "
                             "control, found m = %zu, c = %g, df = %g",
                             DN_MAX_M, m, c, df);
    }
    double *lam = malloc(2 * m * sizeof *lam);
    if (lam == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    double *sig = lam + m;
    for (size_t i = 0; i < m; i++) {
        if (n[i + 1] == 0) {
            free(lam);
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                                 "expected non-empty groups, found group %zu empty", i + 1);
        }
        double r = (double)n[i + 1] / (double)(n[i + 1] + n[0]);
        lam[i] = sqrt(r);
        sig[i] = sqrt(1 - r);
    }
    dn_ctx k = {.m = m, .lam = lam, .sig = sig, .two_sided = two_sided, .c = c, .df = df};
    k.w_in = gsl_integration_workspace_alloc(DN_LIMIT);
    k.w_out = gsl_integration_workspace_alloc(DN_LIMIT);
    apo_status st = APO_OK;
    if (k.w_in == NULL || k.w_out == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
        goto done;
    }
    double e = 0, p;
    if (c == 0 || isinf(df)) {
        /* c = 0: T_i >= 0 exactly when Z_i >= 0, whatever s */
        p = normal_exceed(&k, c);
        e = k.inner_err;
    } else {
        k.log_norm = M_LN2 + df / 2 * log(df / 2) - gsl_sf_lngamma(df / 2);
        p = integrate_s(&k, &e);
    }
    p = fmin(1.0, fmax(0.0, p));
    *prob = p;
    if (abserr != NULL) {
        *abserr = e;
    }
    if (k.status != 0 && e > 1e-9 + 1e-6 * p) {
        st = apo_error_set(err, APO_E_NUMERIC, NULL, APO_NO_OFFSET, NULL,
                           "Dunnett probability for c = %g, df = %g: integration did not reach "
                           "its tolerance (%s; estimated error %g)",
                           c, df, gsl_strerror(k.status), e);
    }
done:
    gsl_integration_workspace_free(k.w_in);
    gsl_integration_workspace_free(k.w_out);
    free(lam);
    return st;
}

apo_status assay_dunnett(const assay_group_summary *g, size_t k, double *t, double *p, double *df,
                        apo_error *err)
{
    for (size_t i = 0; i + 1 < k; i++) {
        t[i] = p[i] = NAN;
    }
    *df = NAN;
    assay_anova a;
    apo_status st = assay_anova_oneway(g, k, &a, err);
    if (st != APO_OK) {
        return st;
    }
    size_t *n = malloc(k * sizeof *n);
    if (n == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    for (size_t i = 0; i < k; i++) {
        n[i] = g[i].n;
    }
    double s = sqrt(a.ms_within);
    for (size_t i = 1; i < k && st == APO_OK; i++) {
        t[i - 1] = (g[i].mean - g[0].mean) / (s * sqrt(1.0 / (double)g[i].n + 1.0 / (double)g[0].n));
        st = assay_dunnett_exceed(fabs(t[i - 1]), n, k - 1, a.df2, true, &p[i - 1], NULL, err);
    }
    free(n);
    *df = a.df2;
    return st;
}

typedef struct dn_root {
    const size_t *n;
    size_t m;
    double df, alpha;
    bool two_sided;
    apo_status st;
    apo_error *err;
} dn_root;

static double root_fn(double c, void *vp)
{
    dn_root *r = vp;
    double p;
    if (r->st == APO_OK) {
        r->st = assay_dunnett_exceed(c, r->n, r->m, r->df, r->two_sided, &p, NULL, r->err);
    }
    return r->st == APO_OK ? p - r->alpha : NAN;
}

apo_status assay_dunnett_critical(double alpha, const size_t *n, size_t m, double df,
                                 bool two_sided, double *c, apo_error *err)
{
    *c = NAN;
    if (!(alpha > 0 && alpha < 0.5)) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected 0 < alpha < 0.5, found %g", alpha);
    }
    dn_root r = {n, m, df, alpha, two_sided, APO_OK, err};
    double lo = 0, hi = 4;
    while (root_fn(hi, &r) > 0 && r.st == APO_OK && hi < 1e6) {
        lo = hi;
        hi *= 2;
    }
    if (r.st != APO_OK) {
        return r.st;
    }
    gsl_function fn = {root_fn, &r};
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (s == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    int gst = gsl_root_fsolver_set(s, &fn, lo, hi);
    for (int it = 0; gst == 0 && r.st == APO_OK && it < 200; it++) {
        gst = gsl_root_fsolver_iterate(s);
        if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s),
                                   1e-8, 0) == GSL_SUCCESS) {
            *c = gsl_root_fsolver_root(s);
            break;
        }
    }
    gsl_root_fsolver_free(s);
    if (r.st != APO_OK) {
        return r.st;
    }
    if (isnan(*c)) {
        return apo_error_set(err, APO_E_NUMERIC, NULL, APO_NO_OFFSET, NULL,
                             "Dunnett critical value for alpha = %g, df = %g: no convergence",
                             alpha, df);
    }
    return APO_OK;
}
