// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * doseresponse.c: 4-parameter logistic fit of apoptotic % against dose (docs/algorithms.md 8),
 * y = B + (T - B) / (1 + exp(h (ln x - L))), EC50 = exp(L), with GSL's trust-region
 * nonlinear least squares, standard errors from the covariance and a 95 % CI of EC50.
 */
#include "assay/assay.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fit_data {
    const double *lx;
    const double *y;
    size_t n;
} fit_data;

static int f4pl(const gsl_vector *p, void *data, gsl_vector *f)
{
    const fit_data *d = data;
    double B = gsl_vector_get(p, 0), T = gsl_vector_get(p, 1), L = gsl_vector_get(p, 2),
           h = gsl_vector_get(p, 3);
    for (size_t i = 0; i < d->n; i++) {
        double u = exp(h * (d->lx[i] - L));
        gsl_vector_set(f, i, B + (T - B) / (1.0 + u) - d->y[i]);
    }
    return GSL_SUCCESS;
}

static int df4pl(const gsl_vector *p, void *data, gsl_matrix *J)
{
    const fit_data *d = data;
    double B = gsl_vector_get(p, 0), T = gsl_vector_get(p, 1), L = gsl_vector_get(p, 2),
           h = gsl_vector_get(p, 3);
    for (size_t i = 0; i < d->n; i++) {
        double u = exp(h * (d->lx[i] - L));
        double s = 1.0 / (1.0 + u);
        gsl_matrix_set(J, i, 0, 1.0 - s);
        gsl_matrix_set(J, i, 1, s);
        gsl_matrix_set(J, i, 2, (T - B) * s * s * u * h);
        gsl_matrix_set(J, i, 3, -(T - B) * s * s * u * (d->lx[i] - L));
    }
    return GSL_SUCCESS;
}

apo_status assay_fit_4pl(const double *x, const double *y, size_t n, assay_dose_fit *out,
                        apo_error *err)
{
    out->ok = false;
    out->bottom = out->top = out->ec50 = out->hill = NAN;
    out->se_bottom = out->se_top = out->se_log_ec50 = out->se_hill = NAN;
    out->ec50_ci_lo = out->ec50_ci_hi = out->rss = NAN;
    out->iterations = 0;
    out->n_points = 0;
    out->message[0] = '\0';
    double *lx = malloc((n ? n : 1) * sizeof *lx);
    double *yy = malloc((n ? n : 1) * sizeof *yy);
    if (lx == NULL || yy == NULL) {
        free(lx);
        free(yy);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    size_t m = 0;
    double ymin = INFINITY, ymax = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (x[i] > 0 && isfinite(x[i]) && isfinite(y[i])) {
            lx[m] = log(x[i]);
            yy[m] = y[i];
            ymin = fmin(ymin, y[i]);
            ymax = fmax(ymax, y[i]);
            m++;
        }
    }
    out->n_points = m;
    if (m < 4) {
        free(lx);
        free(yy);
        snprintf(out->message, sizeof out->message, "expected >= 4 points with dose > 0, found %zu",
                 m);
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL, "%s", out->message);
    }
    /* Start: B = min, T = max, L = ln of the dose nearest the half-maximum, h = +-1. */
    double half = 0.5 * (ymin + ymax), best = INFINITY, L0 = lx[0];
    double sxy = 0, sx = 0, sy = 0, sxx = 0;
    for (size_t i = 0; i < m; i++) {
        if (fabs(yy[i] - half) < best) {
            best = fabs(yy[i] - half);
            L0 = lx[i];
        }
        sx += lx[i];
        sy += yy[i];
        sxy += lx[i] * yy[i];
        sxx += lx[i] * lx[i];
    }
    double slope = (double)m * sxy - sx * sy;
    /* y decreases with dose when h > 0 and T > B in this parametrisation. */
    double p0[4] = {ymin, ymax, L0, slope <= 0 ? 1.0 : -1.0};
    (void)sxx;
    fit_data d = {lx, yy, m};
    gsl_multifit_nlinear_fdf fdf = {f4pl, df4pl, NULL, m, 4, &d, 0, 0, 0};
    gsl_multifit_nlinear_parameters params = gsl_multifit_nlinear_default_parameters();
    gsl_multifit_nlinear_workspace *w =
        gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &params, m, 4);
    gsl_matrix *C = gsl_matrix_alloc(4, 4);
    apo_status st = APO_OK;
    if (w == NULL || C == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
        goto done;
    }
    gsl_vector_view pv = gsl_vector_view_array(p0, 4);
    int info = 0;
    int rc = gsl_multifit_nlinear_init(&pv.vector, &fdf, w);
    if (rc == GSL_SUCCESS) {
        rc = gsl_multifit_nlinear_driver(200, 1e-10, 1e-10, 1e-10, NULL, NULL, &info, w);
    }
    if (rc != GSL_SUCCESS) {
        snprintf(out->message, sizeof out->message, "the fit did not converge (%s)",
                 gsl_strerror(rc));
        st = apo_error_set(err, APO_E_NUMERIC, NULL, APO_NO_OFFSET, NULL, "%s", out->message);
        goto done;
    }
    const gsl_vector *p = gsl_multifit_nlinear_position(w);
    const gsl_vector *res = gsl_multifit_nlinear_residual(w);
    double rss = 0;
    gsl_blas_ddot(res, res, &rss);
    out->iterations = gsl_multifit_nlinear_niter(w);
    out->bottom = gsl_vector_get(p, 0);
    out->top = gsl_vector_get(p, 1);
    out->ec50 = exp(gsl_vector_get(p, 2));
    out->hill = gsl_vector_get(p, 3);
    out->rss = rss;
    /* Report a decreasing curve as Top > Bottom with h > 0 (swap a mirrored solution). */
    if (out->hill < 0) {
        double tmp = out->bottom;
        out->bottom = out->top;
        out->top = tmp;
        out->hill = -out->hill;
    }
    if (m > 4) {
        gsl_matrix *J = gsl_multifit_nlinear_jac(w);
        if (gsl_multifit_nlinear_covar(J, 0.0, C) == GSL_SUCCESS) {
            double s2 = rss / (double)(m - 4);
            double se[4];
            for (int i = 0; i < 4; i++) {
                se[i] = sqrt(gsl_matrix_get(C, (size_t)i, (size_t)i) * s2);
            }
            bool swapped = gsl_vector_get(p, 3) < 0;
            out->se_bottom = swapped ? se[1] : se[0];
            out->se_top = swapped ? se[0] : se[1];
            out->se_log_ec50 = se[2];
            out->se_hill = se[3];
            double tq = gsl_cdf_tdist_Pinv(0.975, (double)(m - 4));
            out->ec50_ci_lo = exp(log(out->ec50) - tq * se[2]);
            out->ec50_ci_hi = exp(log(out->ec50) + tq * se[2]);
        }
    } else {
        snprintf(out->message, sizeof out->message,
                 "4 points for 4 parameters: no standard errors or CI");
    }
    out->ok = isfinite(out->ec50);
done:
    gsl_matrix_free(C);
    if (w != NULL) {
        gsl_multifit_nlinear_free(w);
    }
    free(lx);
    free(yy);
    return st;
}
