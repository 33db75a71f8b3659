// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * compare_family.c: the treated groups as one family of comparisons against the stimulus-only
 * group (docs/algorithms.md section 8): a one-way ANOVA over the stimulus and every treated
 * group, and Dunnett's single-step adjusted p-values of each treated group against the
 * stimulus (the pooled SD of all those groups; multiplicity of all treated groups). Adjusted
 * p-values are given only on rows with replicates, like the raw ones. Also which warnings the
 * comparisons write (apoflow merge recomputes them).
 */
#include "assay/compare_internal.h"
#include "assay/groupstats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WARN_PREFIX "comparisons: "

void apo_compare_family(assay_result *r, size_t first)
{
    size_t m = r->n_comparisons - first, no_reps = 0;
    for (size_t i = 0; i < r->n_comparisons; i++) {
        no_reps += !r->comparisons[i].replicates;
    }
    if (no_reps > 0) {
        apo_result_warn(r,
                        WARN_PREFIX "%zu comparison(s) without replicates in both groups: events "
                                    "are not independent replicates, so no p-value is given; "
                                    "the 95 %% intervals state the measurement's precision only",
                        no_reps);
    }
    if (m == 0) {
        return;
    }
    assay_group_summary *g = malloc((m + 1) * sizeof *g);
    double *t = malloc(2 * m * sizeof *t);
    if (g == NULL || t == NULL) {
        free(g);
        free(t);
        apo_result_warn(r, WARN_PREFIX "out of memory for the ANOVA and Dunnett's test");
        return;
    }
    double *p = t + m, df = NAN;
    for (size_t i = 0; i < m; i++) {
        t[i] = p[i] = NAN;
    }
    const assay_comparison *c0 = &r->comparisons[first];
    g[0] = (assay_group_summary){c0->stim_n, c0->stim_mean, c0->stim_sd};
    for (size_t i = 0; i < m; i++) {
        const assay_comparison *c = &r->comparisons[first + i];
        g[i + 1] = (assay_group_summary){c->n, c->mean, c->sd};
    }
    assay_anova a;
    apo_error err;
    if (assay_anova_oneway(g, m + 1, &a, &err) != APO_OK) {
        if (no_reps < m) {
            apo_result_warn(r, WARN_PREFIX "no one-way ANOVA or Dunnett's test: %s", err.msg);
        }
    } else if (assay_dunnett(g, m + 1, t, p, &df, &err) != APO_OK) {
        apo_result_warn(r, WARN_PREFIX "Dunnett's test failed: %s", err.msg);
        for (size_t i = 0; i < m; i++) {
            p[i] = NAN; /* all or none */
        }
    }
    for (size_t i = 0; i < m; i++) {
        assay_comparison *c = &r->comparisons[first + i];
        c->anova_f = a.f;
        c->anova_df1 = a.df1;
        c->anova_df2 = a.df2;
        c->anova_p = a.p;
        if (c->replicates && isfinite(p[i])) {
            c->p_adjusted = p[i];
            c->t_adjusted = t[i];
            c->df_adjusted = df;
            c->adjust_method = ASSAY_ADJUST_DUNNETT_SINGLE_STEP;
        }
    }
    free(g);
    free(t);
}

bool assay_is_comparison_warning(const char *s)
{
    return strncmp(s, "no usable stimulus-only sample", 30) == 0 ||
           strncmp(s, "stimulus-only (", 15) == 0 || strncmp(s, "4PL fit for ", 12) == 0 ||
           strncmp(s, WARN_PREFIX, strlen(WARN_PREFIX)) == 0;
}
