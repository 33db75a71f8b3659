/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * compare_text.h: the words for a comparison row that the terminal summary of `apoflow run`
 * and report.html share: which group against which, and what the row offers as evidence
 * (an adjusted p-value with its method) or, without replicates, as precision (a 95 % interval
 * with the pseudo-replication warning, never a p-value).
 */
#ifndef APOFLOW_REPORT_COMPARE_TEXT_H
#define APOFLOW_REPORT_COMPARE_TEXT_H

#include "assay/assay.h"

#include <stddef.h>
#include <stdio.h>

/* "AS-IV 50 mg/L" or, for the stimulus row, "H2O2 (stimulus) vs untreated". */
void report_compare_group(const assay_comparison *c, char *buf, size_t cap);
/* "p_adj = 4.53e-05 (Dunnett, 3 vs stimulus); Welch p = 0.0012", "p = 0.000225 (Welch t)",
 * or "difference 95% CI -24.07 to -21.56 pp (events, precision only)". */
void report_compare_evidence(const assay_comparison *c, char *buf, size_t cap);
/* "One-way ANOVA over the stimulus and 3 treated groups: F(3, 8) = 179.5, p = 1.12e-07", or
 * "" when there is none. */
void report_compare_anova(const assay_result *r, char *buf, size_t cap);
/* The comparisons table of the terminal summary, with the ANOVA line and the
 * pseudo-replication warning under it when a row has no replicates. */
void report_compare_print(FILE *f, const assay_result *r);

#endif /* APOFLOW_REPORT_COMPARE_TEXT_H */
