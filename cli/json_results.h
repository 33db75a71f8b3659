/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * json_results.h: results.json sections shared by `apoflow run` and `apoflow merge`.
 */
#ifndef APOFLOW_CLI_JSON_RESULTS_H
#define APOFLOW_CLI_JSON_RESULTS_H

#include "gating/gate.h"

#include <stdbool.h>
#include <stdio.h>

/* Write the "comparisons" and "dose_response" members of an open JSON object; @p first_key
 * says whether no member has been written yet (and is updated). */
void json_results_comparisons(FILE *f, const gate_apo_result *r, bool *first_key);

#endif /* APOFLOW_CLI_JSON_RESULTS_H */
