/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * results_json.h: the members of results.json that apoflow run and apoflow merge both write
 * (docs/outputs.md). Part of assay/assay.h.
 */
#ifndef APOFLOW_ASSAY_RESULTS_JSON_H
#define APOFLOW_ASSAY_RESULTS_JSON_H

#include "assay/assay.h"

#include <stdbool.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Write the "comparisons" and "dose_response" members of an open JSON object of results.json;
 * @p first_key says whether no member has been written yet (and is updated). */
void assay_json_comparisons(FILE *f, const assay_result *r, bool *first_key);
/* The "pregate_choices" member (which pre-gates were applied, and why). */
void assay_json_pregate_choices(FILE *f, const assay_result *r, bool *first_key);
/* The check members of a threshold object: valley_depth, control_scaled, in_population,
 * no_separation, reason. */
void assay_json_threshold_check(FILE *f, const assay_threshold *t, bool *first_key);
/* The check members of a sample object: annexin_valley_depth, pi_valley_depth,
 * debris_threshold. */
void assay_json_sample_checks(FILE *f, const assay_sample *s, bool *first_key);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_ASSAY_RESULTS_JSON_H */
