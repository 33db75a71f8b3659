/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * compensate.c: the gate_comp spillover type: construction from a matrix or from the FCS
 * keyword, the LU inverse (GSL; no hand-written inversion), conditioning (1-norm rcond and
 * SVD cond2) and binding detector names to event columns. Applying it is compensate_apply.c.
 */
#include "gating/gating_internal.h"

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_permutation.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *dup_str(const char *s)
{
    const size_t len = strlen(s);
    char *d = malloc(len + 1);
    if (d != NULL) {
        memcpy(d, s, len + 1);
    }
    return d;
}

void gate_comp_free(gate_comp *c)
{
    if (c == NULL) {
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        if (c->detectors != NULL) {
            free(c->detectors[i]);
        }
        if (c->fluorochromes != NULL) {
            free(c->fluorochromes[i]);
        }
    }
    free(c->detectors);
    free(c->fluorochromes);
    free(c->spill);
    free(c->inverse);
    free(c->param_index);
    free(c);
}

static double norm1(const double *m, size_t n)
{
    double best = 0.0;
    for (size_t j = 0; j < n; j++) {
        double s = 0.0;
        for (size_t i = 0; i < n; i++) {
            s += fabs(m[i * n + j]);
        }
        best = fmax(best, s);
    }
    return best;
}

/* LU-invert c->spill into c->inverse and fill the condition numbers. */
static apo_status invert(gate_comp *c, apo_error *err)
{
    const size_t n = c->n;
    apo_status st = APO_OK;
    gsl_matrix *lu = gsl_matrix_alloc(n, n);
    gsl_matrix *inv = gsl_matrix_alloc(n, n);
    gsl_matrix *v = gsl_matrix_alloc(n, n);
    gsl_vector *sv = gsl_vector_alloc(n);
    gsl_vector *work = gsl_vector_alloc(n);
    gsl_permutation *perm = gsl_permutation_alloc(n);
    if (lu == NULL || inv == NULL || v == NULL || sv == NULL || work == NULL || perm == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                           "expected memory for a %zu x %zu matrix, found none", n, n);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            gsl_matrix_set(lu, i, j, c->spill[i * n + j]);
        }
    }
    int signum = 0;
    if (gsl_linalg_LU_decomp(lu, perm, &signum) != GSL_SUCCESS) {
        st = apo_error_set(err, APO_E_NUMERIC, NULL, APO_NO_OFFSET, "spillover",
                           "expected an invertible spillover matrix, found that the matrix is "
                           "singular (LU decomposition failed)");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        if (gsl_matrix_get(lu, i, i) == 0.0) {
            st = apo_error_set(err, APO_E_NUMERIC, NULL, APO_NO_OFFSET, "spillover",
                               "expected an invertible spillover matrix, found that the matrix "
                               "is singular (zero pivot at row %zu)",
                               i + 1);
            goto done;
        }
    }
    if (gsl_linalg_LU_invert(lu, perm, inv) != GSL_SUCCESS) {
        st = apo_error_set(err, APO_E_NUMERIC, NULL, APO_NO_OFFSET, "spillover",
                           "expected an invertible spillover matrix, found that the matrix is "
                           "singular (LU inversion failed)");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            const double x = gsl_matrix_get(inv, i, j);
            if (!isfinite(x)) {
                st = apo_error_set(err, APO_E_NUMERIC, NULL, APO_NO_OFFSET, "spillover",
                                   "expected a finite inverse, found that the matrix is "
                                   "singular");
                goto done;
            }
            c->inverse[i * n + j] = x;
        }
    }
    c->rcond = 1.0 / (norm1(c->spill, n) * norm1(c->inverse, n));
    if (!(c->rcond >= GATE_COMP_RCOND_SINGULAR)) {
        st = apo_error_set(err, APO_E_NUMERIC, NULL, APO_NO_OFFSET, "spillover",
                           "expected a reciprocal condition number >= %g, found %g: the matrix "
                           "is singular (check the single-stain controls)",
                           GATE_COMP_RCOND_SINGULAR, c->rcond);
        goto done;
    }
    /* cond2 from the singular values (the SVD overwrites its input: reuse lu) */
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            gsl_matrix_set(lu, i, j, c->spill[i * n + j]);
        }
    }
    if (gsl_linalg_SV_decomp(lu, v, sv, work) != GSL_SUCCESS) {
        c->cond2 = NAN;
    } else {
        const double smin = gsl_vector_get(sv, n - 1);
        c->cond2 = smin > 0.0 ? gsl_vector_get(sv, 0) / smin : INFINITY;
    }
    c->max_offdiag = 0.0;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            if (i != j) {
                c->max_offdiag = fmax(c->max_offdiag, fabs(c->spill[i * n + j]));
            }
        }
    }
    c->ill_conditioned = !(c->cond2 <= GATE_COMP_COND_WARN) || c->max_offdiag > 1.0;
done:
    gsl_matrix_free(lu);
    gsl_matrix_free(inv);
    gsl_matrix_free(v);
    gsl_vector_free(sv);
    gsl_vector_free(work);
    gsl_permutation_free(perm);
    return st;
}

apo_status gate_comp_new(gate_comp **out, size_t n, const char *const *detectors,
                         const char *const *fluorochromes, const double *spill, apo_error *err)
{
    *out = NULL;
    size_t nn = 0;
    if (n == 0 || !apo_mul_size(n, n, &nn) || nn > SIZE_MAX / sizeof(double)) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "spillover",
                             "expected a spillover matrix with 1 or more detectors, found %zu",
                             n);
    }
    for (size_t i = 0; i < n; i++) {
        if (detectors[i] == NULL || detectors[i][0] == '\0') {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "spillover",
                                 "expected a name for detector %zu, found an empty one", i + 1);
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(detectors[i], detectors[j]) == 0) {
                return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "spillover",
                                     "expected unique detector names, found \"%s\" twice",
                                     detectors[i]);
            }
        }
    }
    for (size_t k = 0; k < nn; k++) {
        if (!isfinite(spill[k])) {
            return apo_error_set(err, APO_E_FORMAT, NULL, APO_NO_OFFSET, "spillover",
                                 "expected finite spillover values, found %g at row %zu, "
                                 "column %zu",
                                 spill[k], k / n + 1, k % n + 1);
        }
    }
    gate_comp *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for a spillover matrix, found none");
    }
    c->n = n;
    c->detectors = calloc(n, sizeof(char *));
    c->fluorochromes = calloc(n, sizeof(char *));
    c->spill = malloc(nn * sizeof(double));
    c->inverse = malloc(nn * sizeof(double));
    c->param_index = malloc(n * sizeof(size_t));
    bool ok = c->detectors && c->fluorochromes && c->spill && c->inverse && c->param_index;
    for (size_t i = 0; ok && i < n; i++) {
        c->detectors[i] = dup_str(detectors[i]);
        const char *fl = fluorochromes != NULL && fluorochromes[i] != NULL ? fluorochromes[i]
                                                                           : detectors[i];
        c->fluorochromes[i] = dup_str(fl);
        ok = c->detectors[i] != NULL && c->fluorochromes[i] != NULL;
        c->param_index[i] = SIZE_MAX;
    }
    if (!ok) {
        gate_comp_free(c);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for a spillover matrix, found none");
    }
    memcpy(c->spill, spill, nn * sizeof(double));
    snprintf(c->source, sizeof(c->source), "%s", "matrix");
    const apo_status st = invert(c, err);
    if (st != APO_OK) {
        gate_comp_free(c);
        return st;
    }
    *out = c;
    return APO_OK;
}

apo_status gate_comp_from_fcs(gate_comp **out, const fcs_spillover *sp, apo_error *err)
{
    *out = NULL;
    if (sp == NULL) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "$SPILLOVER",
                             "expected a spillover keyword, found none in the file");
    }
    gate_comp *c = NULL;
    const apo_status st =
        gate_comp_new(&c, sp->n, (const char *const *)sp->names, NULL, sp->values, err);
    if (st != APO_OK) {
        if (err != NULL && sp->keyword != NULL) {
            snprintf(err->keyword, sizeof(err->keyword), "%s", sp->keyword);
        }
        return st;
    }
    for (size_t i = 0; i < sp->n; i++) {
        c->param_index[i] = sp->param_index[i];
    }
    snprintf(c->source, sizeof(c->source), "%s", sp->keyword != NULL ? sp->keyword : "FCS");
    *out = c;
    return APO_OK;
}

static const char *strip_comp(const char *s)
{
    return strncasecmp(s, "Comp-", 5) == 0 ? s + 5 : s;
}

/* 0 no match, 3 exact, 2 case-insensitive, 1 equal after dropping "Comp-" prefixes */
static int name_match(const char *det, const char *name)
{
    if (strcmp(det, name) == 0) {
        return 3;
    }
    if (strcasecmp(det, name) == 0) {
        return 2;
    }
    if (strcasecmp(strip_comp(det), strip_comp(name)) == 0) {
        return 1;
    }
    return 0;
}

apo_status gate_comp_bind_names(gate_comp *c, size_t n_names, const char *const *names,
                                apo_error *err)
{
    for (size_t i = 0; i < c->n; i++) {
        size_t best = SIZE_MAX;
        int best_q = 0;
        for (size_t k = 0; k < n_names; k++) {
            if (names[k] == NULL) {
                continue;
            }
            const int q = name_match(c->detectors[i], names[k]);
            if (q > best_q) {
                best_q = q;
                best = k;
            }
        }
        if (best == SIZE_MAX) {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, c->detectors[i],
                                 "expected detector \"%s\" of the spillover matrix among the "
                                 "file's channels, found no such channel",
                                 c->detectors[i]);
        }
        for (size_t j = 0; j < i; j++) {
            if (c->param_index[j] == best) {
                return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, c->detectors[i],
                                     "expected one channel per detector, found \"%s\" and "
                                     "\"%s\" both matching channel \"%s\"",
                                     c->detectors[j], c->detectors[i], names[best]);
            }
        }
        c->param_index[i] = best;
    }
    return APO_OK;
}
