/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * compare_internal.h: the steps of the group comparisons shared by compare.c (which forms the
 * groups), compare_rows.c (the tests and intervals of one row) and compare_family.c (the
 * one-way ANOVA and Dunnett's adjustment over all treated rows). Private to gating/.
 */
#ifndef APOFLOW_ASSAY_COMPARE_INTERNAL_H
#define APOFLOW_ASSAY_COMPARE_INTERNAL_H

#include "assay/apoptosis_internal.h"

/* The usable samples of one group: their apoptotic % and pooled event counts. */
typedef struct apo_cmp_group {
    double *v;
    size_t n;
    uint64_t apo, singlets;
} apo_cmp_group;

/* The tests and 95 % intervals of row @p c, group @p g against its reference @p ref (and,
 * for a treated row, against @p unt, which may be NULL or empty): Welch's t with replicates in
 * both groups, else the event intervals with the pseudo-replication note and no p-value. */
void apo_compare_row_tests(assay_comparison *c, const apo_cmp_group *g,
                           const apo_cmp_group *ref, const apo_cmp_group *unt);

/* Fill row @p c as the stimulus-only group @p stim against the untreated group @p unt. */
void apo_compare_stimulus_row(assay_comparison *c, const apo_cmp_group *stim,
                              const apo_cmp_group *unt, const char *treatment,
                              const char *dose_text, const char *dose_unit, double dose);

/* The one-way ANOVA over the stimulus group and the treated rows r->comparisons[first..] and
 * Dunnett's adjusted p-values of those rows against the stimulus group; warnings for what
 * could not be computed and for rows without replicates. */
void apo_compare_family(assay_result *r, size_t first);

#endif /* APOFLOW_ASSAY_COMPARE_INTERNAL_H */
