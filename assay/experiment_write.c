/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * experiment_write.c: the outputs of an analysed experiment (experiment.h, docs/outputs.md):
 * samples.csv, comparisons.csv, stats.csv, gating.xml and results.json, each written
 * atomically. The comparisons part of results.json is shared with apoflow merge
 * (assay_json_comparisons), so a merged results.json is byte-identical to a single run's.
 */
#include "assay/experiment.h"

#include <limits.h>
#include <math.h>

static void json_threshold(FILE *f, const char *k, const assay_threshold *t, bool *first)
{
    apo_json_key(f, k, first);
    bool b = true;
    fputc('{', f);
    apo_json_kv_num(f, "value", t->value, &b);
    apo_json_kv_num(f, "scaled", t->scaled, &b);
    char method[ASSAY_THRESHOLD_METHOD_TEXT];
    apo_json_kv_str(f, "method",
                    assay_threshold_method_text(t->method, t->percentile, method, sizeof method),
                    &b);
    apo_json_kv_str(f, "source", t->source, &b);
    apo_json_kv_num(f, "realized_pct", t->realized_pct, &b);
    assay_json_threshold_check(f, t, &b);
    fputc('}', f);
}

static void json_scale(FILE *f, const char *k, const gate_transform *t, bool *first)
{
    apo_json_key(f, k, first);
    bool b = true;
    fputc('{', f);
    apo_json_kv_str(f, "kind", gate_transform_kind_name(t->kind), &b);
    apo_json_kv_num(f, "T", t->T, &b);
    apo_json_kv_num(f, "W", t->W, &b);
    apo_json_kv_num(f, "M", t->M, &b);
    apo_json_kv_num(f, "A", t->A, &b);
    fputc('}', f);
}

static void json_channels(FILE *f, const assay_result *r, bool *first)
{
    bool b = true;
    apo_json_key(f, "channels", first);
    fputc('{', f);
    apo_json_kv_str(f, "annexin", r->annexin_channel, &b);
    apo_json_kv_str(f, "annexin_reason", r->annexin_why, &b);
    apo_json_kv_str(f, "pi", r->pi_channel, &b);
    apo_json_kv_str(f, "pi_reason", r->pi_why, &b);
    apo_json_kv_str(f, "dead_dye", r->dead_dye, &b);
    apo_json_kv_str(f, "annexin_conjugate", r->annexin_fluor, &b);
    fputc('}', f);
}

static void json_compensation(FILE *f, const assay_result *r, bool *first)
{
    bool b = true;
    apo_json_key(f, "compensation", first);
    fputc('{', f);
    apo_json_kv_str(f, "source", assay_comp_source_name(r->comp_source), &b);
    apo_json_kv_str(f, "detail", r->comp_detail, &b);
    apo_json_key(f, "detectors", &b);
    fputc('[', f);
    apo_json_string(f, r->annexin_channel);
    fputc(',', f);
    apo_json_string(f, r->pi_channel);
    fputc(']', f);
    apo_json_key(f, "spillover", &b);
    fputs("[[", f);
    apo_json_number(f, r->spill[0]);
    fputc(',', f);
    apo_json_number(f, r->spill[1]);
    fputs("],[", f);
    apo_json_number(f, r->spill[2]);
    fputc(',', f);
    apo_json_number(f, r->spill[3]);
    fputs("]]}", f);
}

/* The members before "samples": versions, sheet, channels, compensation, pre-gates, scales,
 * thresholds. */
static void json_head(FILE *f, const assay_result *r, const char *sheet, const char *version,
                      bool *first)
{
    apo_json_key(f, "versions", first);
    fputs("{\"apoflow\":", f);
    apo_json_string(f, version);
    fputs(",\"results_format\":1}", f);
    apo_json_kv_str(f, "sheet", sheet, first);
    json_channels(f, r, first);
    json_compensation(f, r, first);
    apo_json_kv_str(f, "pregates", r->pregate_detail, first);
    assay_json_pregate_choices(f, r, first);
    json_scale(f, "annexin_scale", &r->annexin_scale, first);
    json_scale(f, "pi_scale", &r->pi_scale, first);
    apo_json_key(f, "thresholds", first);
    bool b = true;
    fputc('{', f);
    json_threshold(f, "annexin", &r->annexin, &b);
    json_threshold(f, "pi", &r->pi, &b);
    fputc('}', f);
}

static void json_quadrants(FILE *f, const assay_sample *s, bool *b)
{
    for (int q = 0; q < ASSAY_Q_COUNT; q++) {
        char k[64];
        snprintf(k, sizeof k, "%s_count", assay_quadrant_name(q));
        apo_json_kv_uint(f, k, s->count[q], b);
        snprintf(k, sizeof k, "%s_pct", assay_quadrant_name(q));
        apo_json_kv_num(f, k, s->pct[q], b);
        snprintf(k, sizeof k, "%s_annexin_median", assay_quadrant_name(q));
        apo_json_kv_num(f, k, s->median_annexin[q], b);
        snprintf(k, sizeof k, "%s_pi_median", assay_quadrant_name(q));
        apo_json_kv_num(f, k, s->median_pi[q], b);
    }
}

/* The 1-based data set of sample @p i in its file (0: unknown). */
static size_t dataset_number(const assay_experiment *x, size_t i)
{
    for (size_t k = 0; x->fcs != NULL && x->fcs[i] != NULL && k < fcs_file_n_datasets(x->fcs[i]);
         k++) {
        if (fcs_file_dataset(x->fcs[i], k) == x->in[i].ds) {
            return k + 1;
        }
    }
    return 0;
}

/* Sample @p s of input @p in, data set @p dataset (1-based, 0 unknown) of its file. */
static void json_sample(FILE *f, const assay_sample *s, const assay_input *in, size_t dataset)
{
    bool b = true;
    char flags[160];
    assay_qc_flags_format(s->qc, flags, sizeof flags);
    fputc('{', f);
    apo_json_kv_str(f, "sample", in->sample, &b);
    apo_json_kv_str(f, "file", in->file, &b);
    apo_json_kv_str(f, "role", assay_role_name(in->role), &b);
    apo_json_kv_str(f, "treatment", in->treatment, &b);
    apo_json_kv_str(f, "dose", in->dose_text, &b);
    apo_json_kv_str(f, "dose_unit", in->dose_unit, &b);
    apo_json_kv_num(f, "replicate", in->replicate ? (double)in->replicate : NAN, &b);
    apo_json_kv_uint(f, "events", s->events, &b);
    apo_json_kv_uint(f, "cells", s->cells, &b);
    apo_json_kv_uint(f, "singlets", s->singlets, &b);
    json_quadrants(f, s, &b);
    apo_json_kv_num(f, "apoptotic_pct", s->apoptotic_pct, &b);
    apo_json_kv_num(f, "annexin_valley", s->annexin_valley, &b);
    apo_json_kv_num(f, "flow_max_deviation", s->flow_max_dev, &b);
    assay_json_sample_checks(f, s, &b);
    apo_json_kv_str(f, "qc_flags", flags, &b);
    apo_json_kv_str(f, "qc_detail", s->qc_detail, &b);
    apo_json_kv_str(f, "error", s->error, &b);
    apo_json_key(f, "file_warnings", &b);
    fputc('[', f);
    for (size_t w = 0; in->ds != NULL && w < fcs_dataset_n_warnings(in->ds); w++) {
        if (w) {
            fputc(',', f);
        }
        apo_json_string(f, fcs_dataset_warning(in->ds, w)->msg);
    }
    fputc(']', f);
    apo_json_kv_num(f, "dataset", dataset > 0 ? (double)dataset : NAN, &b);
    fputc('}', f);
}

static void json_failed(FILE *f, const assay_experiment *x, bool *first)
{
    apo_json_key(f, "failed_files", first);
    fputc('[', f);
    for (size_t i = 0; i < x->n_failed; i++) {
        bool b = true;
        fputs(i ? ",{" : "{", f);
        apo_json_kv_str(f, "file", x->failed_files[i], &b);
        apo_json_kv_str(f, "step", "read", &b);
        apo_json_kv_str(f, "error", x->failed_msgs[i], &b);
        fputc('}', f);
    }
    fputc(']', f);
}

static void json_strings(FILE *f, const char *key, char *const *v, size_t n, bool *first)
{
    apo_json_key(f, key, first);
    fputc('[', f);
    for (size_t i = 0; i < n; i++) {
        if (i) {
            fputc(',', f);
        }
        apo_json_string(f, v[i]);
    }
    fputc(']', f);
}

static void json_hex_or_null(FILE *f, const char *key, const char *hex, bool *first)
{
    apo_json_key(f, key, first);
    if (hex[0]) {
        apo_json_string(f, hex);
    } else {
        fputs("null", f);
    }
}

/* The members of "shard" after index and count (assay_experiment_record_inputs): the sheet,
 * the gating applied and the inputs, each with its SHA-256. */
static void json_shard_record(FILE *f, const assay_experiment *x)
{
    bool first = false, b = true;
    if (x->input_sha256 == NULL) {
        return;
    }
    const char *files[2] = {x->sheet_file, x->gating_file};
    const char *hex[2] = {x->sheet_sha256, x->gating_sha256};
    for (int k = 0; k < 2; k++) {
        apo_json_key(f, k == 0 ? "sheet" : "gating", &first);
        b = true;
        fputc('{', f);
        apo_json_kv_str(f, "file", files[k] ? files[k] : "", &b);
        json_hex_or_null(f, "sha256", hex[k], &b);
        fputc('}', f);
    }
    apo_json_key(f, "inputs", &first);
    fputc('[', f);
    for (size_t i = 0; i < x->n + x->n_failed; i++) {
        b = true;
        fputs(i ? ",{" : "{", f);
        apo_json_kv_str(f, "file", i < x->n ? x->in[i].file : x->failed_files[i - x->n], &b);
        size_t ds = i < x->n ? dataset_number(x, i) : 0;
        apo_json_key(f, "dataset", &b);
        if (ds > 0) {
            fprintf(f, "%zu", ds);
        } else {
            fputs("null", f);
        }
        apo_json_key(f, "sample", &b);
        if (i < x->n) {
            apo_json_string(f, x->in[i].sample);
        } else {
            fputs("null", f);
        }
        json_hex_or_null(f, "sha256", x->input_sha256[i], &b);
        fputc('}', f);
    }
    fputc(']', f);
}

apo_status assay_results_json_write(const assay_experiment *x, const char *path,
                                    const char *sheet_label, const char *version,
                                    apo_error *err)
{
    apo_atomic_file af;
    apo_status st = apo_atomic_open(&af, path, err);
    if (st != APO_OK) {
        return st;
    }
    FILE *f = af.fp;
    const assay_result *r = &x->res;
    bool first = true;
    fputc('{', f);
    json_head(f, r, sheet_label, version, &first);
    if (x->shard_n > 0) { /* which shard of how many: merge checks that all are there */
        apo_json_key(f, "shard", &first);
        fprintf(f, "{\"index\":%u,\"count\":%u", x->shard_i, x->shard_n);
        json_shard_record(f, x);
        fputc('}', f);
    }
    apo_json_key(f, "samples", &first);
    fputc('[', f);
    for (size_t i = 0; i < x->n; i++) {
        if (i) {
            fputc(',', f);
        }
        json_sample(f, &r->samples[i], &x->in[i], dataset_number(x, i));
    }
    fputc(']', f);
    assay_json_comparisons(f, r, &first);
    json_failed(f, x, &first);
    assay_adjustments_json(f, &x->adjustments, &first);
    json_strings(f, "warnings", r->warnings, r->n_warnings, &first);
    fputs("}\n", f);
    if (ferror(f)) {
        apo_atomic_abort(&af);
        return apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL, "write error");
    }
    return apo_atomic_commit(&af, err);
}

apo_status assay_experiment_write(const assay_experiment *x, const assay_experiment_output *out,
                                  apo_error *err)
{
    char path[PATH_MAX];
    const assay_result *r = &x->res;
    snprintf(path, sizeof path, "%s/samples.csv", out->outdir);
    apo_status st = assay_write_samples_csv(r, x->in, x->sheet, path, err);
    if (st == APO_OK) {
        snprintf(path, sizeof path, "%s/comparisons.csv", out->outdir);
        st = assay_write_comparisons_csv(r, path, err);
    }
    if (st == APO_OK) {
        snprintf(path, sizeof path, "%s/stats.csv", out->outdir);
        st = assay_write_stats_csv(r, x->in, path, err);
    }
    if (st == APO_OK) {
        snprintf(path, sizeof path, "%s/gating.xml", out->outdir);
        st = gate_strategy_write_gml(r->strategy, path, err);
    }
    if (st == APO_OK && out->write_gating != NULL) {
        st = gate_strategy_write_gml(r->strategy, out->write_gating, err);
    }
    if (st == APO_E_UNSUPPORTED && out->gating_optional) {
        st = APO_OK; /* no Gating-ML form: the written files are absent, the caller says so */
    }
    if (st == APO_OK) {
        snprintf(path, sizeof path, "%s/results.json", out->outdir);
        st = assay_results_json_write(x, path, out->sheet_label, out->version, err);
    }
    return st;
}
