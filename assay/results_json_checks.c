// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * results_json_checks.c: the results.json members that record how sure the automatic gates
 * are (docs/outputs.md): which pre-gates were applied and why, each quadrant line's valley
 * depth and the reason it is where it is, and each sample's own valley depths and debris
 * estimate. Written by `apoflow run` and read back by `apoflow merge`.
 */
#include "assay/assay.h"

#include "util/util.h"

static void kv_bool(FILE *f, const char *k, bool v, bool *first)
{
    apo_json_key(f, k, first);
    fputs(v ? "true" : "false", f);
}

void assay_json_pregate_choices(FILE *f, const assay_result *r, bool *first_key)
{
    apo_json_key(f, "pregate_choices", first_key);
    bool b = true;
    fputc('{', f);
    kv_bool(f, "debris_gate", r->debris_gate, &b);
    apo_json_kv_str(f, "debris_choice",
                    assay_pregate_choice_name(r->debris_choice, ASSAY_PREGATE_DEBRIS), &b);
    kv_bool(f, "singlet_gate", r->singlet_gate, &b);
    apo_json_kv_str(f, "singlet_choice",
                    assay_pregate_choice_name(r->singlet_choice, ASSAY_PREGATE_SINGLET), &b);
    apo_json_kv_num(f, "singlet_plausible_loss_pct", 100.0 * ASSAY_SINGLET_PLAUSIBLE_LOSS, &b);
    fputc('}', f);
}

void assay_json_threshold_check(FILE *f, const assay_threshold *t, bool *first_key)
{
    apo_json_kv_num(f, "valley_depth", t->valley_depth, first_key);
    apo_json_kv_num(f, "control_scaled", t->control_scaled, first_key);
    kv_bool(f, "in_population", t->in_population, first_key);
    kv_bool(f, "no_separation", t->no_separation, first_key);
    apo_json_kv_str(f, "reason", t->reason, first_key);
    apo_json_kv_num(f, "valley_depth_other_negative", t->half_depth[0], first_key);
    apo_json_kv_num(f, "valley_depth_other_positive", t->half_depth[1], first_key);
}

void assay_json_sample_checks(FILE *f, const assay_sample *s, bool *first_key)
{
    apo_json_kv_num(f, "annexin_valley_depth", s->annexin_depth, first_key);
    apo_json_kv_num(f, "pi_valley_depth", s->pi_depth, first_key);
    apo_json_kv_num(f, "debris_threshold", s->debris_threshold, first_key);
    apo_json_kv_num(f, "debris_in_cells_pct", 100.0 * s->debris_leak, first_key);
}
