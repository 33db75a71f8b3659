// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * compare.c: the group comparisons of the apoptosis analysis (docs/algorithms.md 8): each
 * treated group (treatment x dose) against the stimulus-only group and the untreated group:
 * mean and SD of apoptotic %, difference in points, relative and normalised reduction,
 * and first the stimulus-only group against the untreated group. The statistics of each row
 * are in compare_rows.c, the ANOVA and Dunnett's adjustment over the treated groups in
 * compare_family.c. And a 4PL dose-response fit per treatment with at least 4 doses.
 */
#include "compare_internal.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool usable(const assay_result *r, size_t i)
{
    return !(r->samples[i].qc & ASSAY_QC_FAILED) && isfinite(r->samples[i].apoptotic_pct);
}

static bool same_group(const assay_input *a, const assay_input *b)
{
    return strcmp(a->treatment ? a->treatment : "", b->treatment ? b->treatment : "") == 0 &&
           strcmp(a->dose_text ? a->dose_text : "", b->dose_text ? b->dose_text : "") == 0 &&
           strcmp(a->dose_unit ? a->dose_unit : "", b->dose_unit ? b->dose_unit : "") == 0;
}

/* Apoptotic % values and pooled counts of the usable samples selected by pick[]. */
typedef apo_cmp_group group;

static void collect(const assay_result *r, const bool *pick, size_t n, group *g)
{
    g->n = 0;
    g->apo = g->singlets = 0;
    for (size_t i = 0; i < n; i++) {
        if (pick[i] && usable(r, i)) {
            const assay_sample *s = &r->samples[i];
            g->v[g->n++] = s->apoptotic_pct;
            g->apo += s->count[ASSAY_Q_EARLY] + s->count[ASSAY_Q_LATE];
            g->singlets += s->singlets;
        }
    }
}

static double mean_of(const group *g)
{
    return g->n ? gsl_stats_mean(g->v, 1, g->n) : NAN;
}

static double sd_of(const group *g)
{
    return g->n >= 2 ? gsl_stats_sd(g->v, 1, g->n) : NAN;
}

static int cmp_dose(const void *a, const void *b)
{
    const assay_comparison *x = a, *y = b;
    int c = strcmp(x->treatment, y->treatment);
    if (c != 0) {
        return c;
    }
    if (isnan(x->dose) || isnan(y->dose)) {
        return isnan(x->dose) - isnan(y->dose);
    }
    return (x->dose > y->dose) - (x->dose < y->dose);
}

/* The stimulus-only group against the untreated group, named after the first stimulus sample. */
static void add_stimulus_row(assay_result *out, const assay_input *in, size_t n,
                             const group *gs, const group *gu)
{
    size_t k = 0;
    while (k < n && !(in[k].role == ASSAY_ROLE_STIMULUS && usable(out, k))) {
        k++;
    }
    assay_comparison *c = &out->comparisons[out->n_comparisons++];
    apo_compare_stimulus_row(c, gs, gu, in[k].treatment, in[k].dose_text, in[k].dose_unit,
                             in[k].dose);
    c->n = c->stim_n = gs->n;
    c->mean = c->stim_mean = mean_of(gs);
    c->sd = c->stim_sd = sd_of(gs);
    c->untreated_n = gu->n;
    c->untreated_mean = mean_of(gu);
    c->difference_pp = c->mean - c->untreated_mean;
}

apo_status assay_compare(const assay_input *in, size_t n, assay_result *out,
                              apo_error *err)
{
    bool *pick = calloc(n ? n : 1, sizeof *pick);
    bool *seen = calloc(n ? n : 1, sizeof *seen);
    group gs = {malloc((n ? n : 1) * sizeof(double)), 0, 0, 0};
    group gu = {malloc((n ? n : 1) * sizeof(double)), 0, 0, 0};
    group gt = {malloc((n ? n : 1) * sizeof(double)), 0, 0, 0};
    out->comparisons = calloc(n + 1, sizeof *out->comparisons);
    out->fits = calloc(n ? n : 1, sizeof *out->fits);
    apo_status st = APO_OK;
    if (!pick || !seen || !gs.v || !gu.v || !gt.v || !out->comparisons || !out->fits) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        pick[i] = in[i].role == ASSAY_ROLE_STIMULUS;
    }
    collect(out, pick, n, &gs);
    for (size_t i = 0; i < n; i++) {
        pick[i] = in[i].role == ASSAY_ROLE_UNTREATED;
    }
    collect(out, pick, n, &gu);
    double ms = mean_of(&gs), mu = mean_of(&gu);
    if (gs.n > 0 && gu.n > 0) {
        add_stimulus_row(out, in, n, &gs, &gu);
    }
    size_t first_treated = out->n_comparisons;
    if (gs.n == 0) {
        apo_result_warn(out, "no usable stimulus-only sample: no comparisons");
    }
    if (gs.n > 0 && gu.n > 0 && ms - mu < 5.0) {
        apo_result_warn(out,
                        "stimulus-only (%.2f%%) is less than 5 points above untreated (%.2f%%): "
                        "the normalised reduction is unreliable",
                        ms, mu);
    }
    for (size_t i = 0; gs.n > 0 && i < n; i++) {
        if (in[i].role != ASSAY_ROLE_TREATED || seen[i] || !usable(out, i)) {
            continue;
        }
        for (size_t j = 0; j < n; j++) {
            pick[j] = in[j].role == ASSAY_ROLE_TREATED && same_group(&in[i], &in[j]);
            seen[j] = seen[j] || pick[j];
        }
        collect(out, pick, n, &gt);
        assay_comparison *c = &out->comparisons[out->n_comparisons++];
        snprintf(c->treatment, sizeof c->treatment, "%s", in[i].treatment ? in[i].treatment : "");
        snprintf(c->dose_text, sizeof c->dose_text, "%s", in[i].dose_text ? in[i].dose_text : "");
        snprintf(c->dose_unit, sizeof c->dose_unit, "%s", in[i].dose_unit ? in[i].dose_unit : "");
        c->dose = in[i].dose;
        c->n = gt.n;
        c->mean = mean_of(&gt);
        c->sd = sd_of(&gt);
        c->stim_n = gs.n;
        c->stim_mean = ms;
        c->stim_sd = sd_of(&gs);
        c->untreated_n = gu.n;
        c->untreated_mean = mu;
        c->difference_pp = c->mean - ms;
        c->reduction_relative_pct = ms != 0 ? 100.0 * (ms - c->mean) / ms : NAN;
        c->reduction_normalized_pct =
            gu.n > 0 && ms - mu != 0 ? 100.0 * (ms - c->mean) / (ms - mu) : NAN;
        apo_compare_row_tests(c, &gt, &gs, &gu);
    }
    qsort(out->comparisons + first_treated, out->n_comparisons - first_treated,
          sizeof *out->comparisons, cmp_dose);
    if (gs.n > 0) {
        apo_compare_family(out, first_treated);
    }
    /* dose-response per treatment with >= 4 distinct positive doses */
    memset(seen, 0, n * sizeof *seen);
    for (size_t i = 0; i < n; i++) {
        if (in[i].role != ASSAY_ROLE_TREATED || seen[i] || !usable(out, i)) {
            continue;
        }
        double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
        if (x == NULL || y == NULL) {
            free(x);
            free(y);
            st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
            goto done;
        }
        size_t m = 0, doses = 0;
        for (size_t j = 0; j < n; j++) {
            if (in[j].role == ASSAY_ROLE_TREATED && usable(out, j) &&
                strcmp(in[j].treatment ? in[j].treatment : "",
                       in[i].treatment ? in[i].treatment : "") == 0 &&
                strcmp(in[j].dose_unit ? in[j].dose_unit : "",
                       in[i].dose_unit ? in[i].dose_unit : "") == 0) {
                seen[j] = true;
                if (in[j].dose > 0) {
                    bool fresh = true;
                    for (size_t k = 0; k < m; k++) {
                        fresh = fresh && x[k] != in[j].dose;
                    }
                    doses += fresh;
                    x[m] = in[j].dose;
                    y[m] = out->samples[j].apoptotic_pct;
                    m++;
                }
            }
        }
        if (doses >= 4) {
            assay_dose_fit *f = &out->fits[out->n_fits++];
            apo_error e2;
            if (assay_fit_4pl(x, y, m, f, &e2) != APO_OK) {
                apo_result_warn(out, "4PL fit for %s failed: %s", in[i].treatment, e2.msg);
            }
            snprintf(f->treatment, sizeof f->treatment, "%s", in[i].treatment ? in[i].treatment : "");
            snprintf(f->dose_unit, sizeof f->dose_unit, "%s", in[i].dose_unit ? in[i].dose_unit : "");
            f->n_doses = doses;
        }
        free(x);
        free(y);
    }
done:
    free(pick);
    free(seen);
    free(gs.v);
    free(gu.v);
    free(gt.v);
    return st;
}
