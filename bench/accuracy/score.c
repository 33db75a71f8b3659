// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * score.c: apoflow_accuracy_score, the scorer of the accuracy matrix (bench/accuracy.sh).
 *
 *   apoflow_accuracy_score [--beyond] [--quadrant-bar P] [--reduction-bar P] DATA RESULTS
 *
 * DATA is an experiment written by apoflow_simulate (sheet.csv, truth.csv, truth/<stem>.csv
 * with the true class of every event; truth/<sample>.csv when the sheet's "dataset" column
 * names the samples as data sets of one file), RESULTS what `apoflow run DATA --sheet DATA/sheet.csv`
 * wrote (samples.csv, comparisons.csv). The truth of a sample is recomputed from its per-event
 * classes the way apoflow defines its results: % of single non-debris cells (classes 0-3 of
 * the events that are neither debris nor doublets) in each quadrant. For every stained sample
 * (role untreated, stimulus or treated) the worst absolute quadrant error (points); for every
 * treated group the error of the relative reduction 100 (A_stim - A_trt) / A_stim, both from
 * group means (docs/algorithms.md). PASS: every quadrant within 1.5 points and every reduction
 * within 3 points; a scenario marked --beyond (no method can meet the bar) passes instead when
 * every stained sample carries a QC flag about its accuracy (any flag but no_singlet_gate and
 * no_time_channel, which describe the instrument). Exit 0 PASS, 1 FAIL, 2 unreadable input.
 */
#include "csv_table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_QUAD 4
#define MAX_FLAGS 16

static const char *const quad_cols[N_QUAD] = {"viable_pct", "early_apoptotic_pct",
                                              "late_apoptotic_pct", "necrotic_pct"};

typedef struct options {
    bool beyond;
    double quad_bar, red_bar;
    const char *data, *results;
} options;

/* Everything read from the files. */
typedef struct inputs {
    csv_table sheet, truth, samples, comps;
} inputs;

/* The union of the flags seen (for the summary). */
typedef struct flag_set {
    char names[MAX_FLAGS][40];
    size_t n;
} flag_set;

static bool is_stained_role(const char *role)
{
    return strcmp(role, "untreated") == 0 || strcmp(role, "stimulus") == 0 ||
           strcmp(role, "treated") == 0;
}

static double to_num(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    return end != s && *end == '\0' ? v : NAN;
}

/* True % per quadrant and apoptotic, from DATA/truth/<stem>.csv (classes 0-3 among events
 * that are neither debris 4 nor doublets 5); false when the file is missing or malformed. */
static bool truth_from_events(const char *data, const char *file, double pct[N_QUAD + 1])
{
    char stem[512], path[1400];
    snprintf(stem, sizeof stem, "%s", file);
    char *dot = strrchr(stem, '.');
    if (dot != NULL) {
        *dot = '\0';
    }
    snprintf(path, sizeof path, "%s/truth/%s.csv", data, stem);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return false;
    }
    char line[64];
    size_t count[6] = {0};
    bool ok = fgets(line, sizeof line, f) != NULL && strncmp(line, "class", 5) == 0;
    while (ok && fgets(line, sizeof line, f) != NULL) {
        int k = atoi(line);
        ok = k >= 0 && k <= 5 && line[0] >= '0' && line[0] <= '9';
        count[ok ? k : 0]++;
    }
    fclose(f);
    double cells = (double)(count[0] + count[1] + count[2] + count[3]);
    if (!ok || cells <= 0) {
        return false;
    }
    for (int q = 0; q < N_QUAD; q++) {
        pct[q] = 100.0 * (double)count[q] / cells;
    }
    pct[N_QUAD] = 100.0 * (double)(count[1] + count[2]) / cells;
    return true;
}

/* The true percentages of sheet row @p r: from the per-event truth (truth/<file stem>.csv, or
 * truth/<sample>.csv when the samples are data sets of one file), else truth.csv. */
static bool sample_truth(const options *o, const inputs *in, size_t r, double pct[N_QUAD + 1])
{
    const char *name = csv_table_get(&in->sheet, r, csv_table_col(&in->sheet, "sample"));
    const char *file = csv_table_get(&in->sheet, r, csv_table_col(&in->sheet, "file"));
    const char *dataset = csv_table_get(&in->sheet, r, csv_table_col(&in->sheet, "dataset"));
    char by_name[600];
    snprintf(by_name, sizeof by_name, "%s.fcs", name);
    if (truth_from_events(o->data, dataset[0] != '\0' ? by_name : file, pct)) {
        return true;
    }
    size_t t = csv_table_find(&in->truth, csv_table_col(&in->truth, "sample"), name);
    if (t == (size_t)-1) {
        return false;
    }
    for (int q = 0; q < N_QUAD; q++) {
        pct[q] = to_num(csv_table_get(&in->truth, t, csv_table_col(&in->truth, quad_cols[q])));
    }
    pct[N_QUAD] = to_num(csv_table_get(&in->truth, t, csv_table_col(&in->truth, "apoptotic_pct")));
    return isfinite(pct[0]);
}

/* Does @p flags (';'-separated) hold a flag about accuracy rather than the instrument? Adds
 * every flag to @p seen. */
static bool accuracy_flagged(const char *flags, flag_set *seen)
{
    bool any = false;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", flags);
    for (char *save = NULL, *f = strtok_r(buf, ";", &save); f != NULL;
         f = strtok_r(NULL, ";", &save)) {
        any = any || (strcmp(f, "no_singlet_gate") != 0 && strcmp(f, "no_time_channel") != 0);
        bool known = false;
        for (size_t i = 0; i < seen->n; i++) {
            known = known || strcmp(seen->names[i], f) == 0;
        }
        if (!known && seen->n < MAX_FLAGS) {
            snprintf(seen->names[seen->n++], sizeof seen->names[0], "%s", f);
        }
    }
    return any;
}

/* Worst quadrant error over the stained samples (INFINITY when one is missing or failed). */
typedef struct quad_summary {
    double worst;
    char worst_where[160];
    size_t n_stained, n_flagged;
    flag_set flags;
} quad_summary;

static void score_samples(const options *o, const inputs *in, quad_summary *qs)
{
    memset(qs, 0, sizeof *qs);
    const csv_table *sh = &in->sheet, *res = &in->samples;
    size_t c_role = csv_table_col(sh, "role"), c_name = csv_table_col(sh, "sample");
    for (size_t r = 0; r < sh->n_rows; r++) {
        const char *name = csv_table_get(sh, r, c_name);
        if (!is_stained_role(csv_table_get(sh, r, c_role))) {
            continue;
        }
        qs->n_stained++;
        double truth[N_QUAD + 1];
        size_t k = csv_table_find(res, csv_table_col(res, "sample"), name);
        const char *flags = csv_table_get(res, k, csv_table_col(res, "qc_flags"));
        const char *error = csv_table_get(res, k, csv_table_col(res, "error"));
        double worst = 0;
        int worst_q = 0;
        bool have_truth = sample_truth(o, in, r, truth);
        for (int q = 0; q < N_QUAD; q++) {
            double got = to_num(csv_table_get(res, k, csv_table_col(res, quad_cols[q])));
            double e = have_truth && isfinite(got) ? fabs(got - truth[q]) : INFINITY;
            if (e > worst || q == 0) {
                worst = e;
                worst_q = q;
            }
        }
        bool flagged = accuracy_flagged(flags, &qs->flags);
        qs->n_flagged += flagged;
        printf("sample %s worst %.3f %s flags %s%s%s\n", name, worst, quad_cols[worst_q],
               flags[0] ? flags : "-", k == (size_t)-1 ? " (not in samples.csv)" : "",
               error[0] ? " (failed)" : "");
        if (!(worst <= qs->worst)) {
            qs->worst = worst;
            snprintf(qs->worst_where, sizeof qs->worst_where, "%s:%s", name, quad_cols[worst_q]);
        }
    }
}

/* Mean true apoptotic % of the stained samples with @p role (and treatment/dose if given). */
static double group_truth(const options *o, const inputs *in, const char *role,
                          const char *treatment, const char *dose)
{
    const csv_table *sh = &in->sheet;
    double sum = 0;
    size_t n = 0;
    for (size_t r = 0; r < sh->n_rows; r++) {
        double truth[N_QUAD + 1];
        if (strcmp(csv_table_get(sh, r, csv_table_col(sh, "role")), role) != 0 ||
            (treatment != NULL &&
             (strcmp(csv_table_get(sh, r, csv_table_col(sh, "treatment")), treatment) != 0 ||
              strcmp(csv_table_get(sh, r, csv_table_col(sh, "dose")), dose) != 0))) {
            continue;
        }
        if (!sample_truth(o, in, r, truth)) {
            return NAN;
        }
        sum += truth[N_QUAD];
        n++;
    }
    return n > 0 ? sum / (double)n : NAN;
}

/* Worst relative-reduction error over the treated groups of the sheet. */
static double score_reductions(const options *o, const inputs *in)
{
    const csv_table *sh = &in->sheet, *cmp = &in->comps;
    double stim = group_truth(o, in, "stimulus", NULL, NULL);
    double worst = 0;
    for (size_t r = 0; r < sh->n_rows; r++) {
        if (strcmp(csv_table_get(sh, r, csv_table_col(sh, "role")), "treated") != 0) {
            continue;
        }
        const char *trt = csv_table_get(sh, r, csv_table_col(sh, "treatment"));
        const char *dose = csv_table_get(sh, r, csv_table_col(sh, "dose"));
        size_t first = csv_table_find(sh, csv_table_col(sh, "dose"), dose);
        if (first != r) {
            continue; /* each dose once (one treatment per scenario) */
        }
        double want = 100.0 * (stim - group_truth(o, in, "treated", trt, dose)) / stim;
        double got = NAN;
        for (size_t k = 0; k < cmp->n_rows; k++) {
            if (strcmp(csv_table_get(cmp, k, csv_table_col(cmp, "treatment")), trt) == 0 &&
                strcmp(csv_table_get(cmp, k, csv_table_col(cmp, "dose")), dose) == 0) {
                got = to_num(csv_table_get(cmp, k, csv_table_col(cmp, "reduction_relative_pct")));
            }
        }
        double e = isfinite(got) && isfinite(want) ? fabs(got - want) : INFINITY;
        printf("reduction %s %s truth %.3f measured %.3f error %.3f\n", trt, dose, want, got, e);
        worst = e > worst || !isfinite(e) ? e : worst;
    }
    return worst;
}

static int parse_args(int argc, char **argv, options *o)
{
    *o = (options){false, 1.5, 3.0, NULL, NULL};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--beyond") == 0) {
            o->beyond = true;
        } else if (strcmp(argv[i], "--quadrant-bar") == 0 && i + 1 < argc) {
            o->quad_bar = to_num(argv[++i]);
        } else if (strcmp(argv[i], "--reduction-bar") == 0 && i + 1 < argc) {
            o->red_bar = to_num(argv[++i]);
        } else if (argv[i][0] != '-' && o->data == NULL) {
            o->data = argv[i];
        } else if (argv[i][0] != '-' && o->results == NULL) {
            o->results = argv[i];
        } else {
            return 2;
        }
    }
    return o->results != NULL && o->quad_bar > 0 && o->red_bar > 0 ? 0 : 2;
}

static bool read_inputs(const options *o, inputs *in)
{
    char p[4][1200];
    snprintf(p[0], sizeof p[0], "%s/sheet.csv", o->data);
    snprintf(p[1], sizeof p[1], "%s/truth.csv", o->data);
    snprintf(p[2], sizeof p[2], "%s/samples.csv", o->results);
    snprintf(p[3], sizeof p[3], "%s/comparisons.csv", o->results);
    csv_table *t[4] = {&in->sheet, &in->truth, &in->samples, &in->comps};
    bool ok = true;
    for (int i = 0; i < 4; i++) {
        if (!csv_table_read(t[i], p[i])) {
            fprintf(stderr, "apoflow_accuracy_score: cannot read %s\n", p[i]);
            ok = false;
        }
    }
    return ok;
}

int main(int argc, char **argv)
{
    options o;
    if (parse_args(argc, argv, &o) != 0) {
        fputs("usage: apoflow_accuracy_score [--beyond] [--quadrant-bar P] [--reduction-bar P] "
              "DATA RESULTS\n",
              stderr);
        return 2;
    }
    inputs in;
    memset(&in, 0, sizeof in);
    if (!read_inputs(&o, &in)) {
        csv_table_free(&in.sheet);
        csv_table_free(&in.truth);
        csv_table_free(&in.samples);
        csv_table_free(&in.comps);
        return 2;
    }
    quad_summary qs;
    score_samples(&o, &in, &qs);
    double red = score_reductions(&o, &in);
    bool within = qs.n_stained > 0 && qs.worst <= o.quad_bar && red <= o.red_bar;
    bool flagged = qs.n_stained > 0 && qs.n_flagged == qs.n_stained;
    bool pass = within || (o.beyond && flagged);
    char flags[MAX_FLAGS * 41] = "-";
    for (size_t i = 0; i < qs.flags.n; i++) {
        size_t len = i == 0 ? 0 : strlen(flags);
        snprintf(flags + len, sizeof flags - len, "%s%s", i ? "," : "", qs.flags.names[i]);
    }
    printf("summary quadrant_error=%.3f reduction_error=%.3f flagged=%zu/%zu flags=%s "
           "worst=%s result=%s%s\n",
           qs.worst, red, qs.n_flagged, qs.n_stained, flags,
           qs.worst_where[0] ? qs.worst_where : "-", pass ? "PASS" : "FAIL",
           pass && !within ? " (beyond any method, flagged)" : "");
    csv_table_free(&in.sheet);
    csv_table_free(&in.truth);
    csv_table_free(&in.samples);
    csv_table_free(&in.comps);
    return pass ? 0 : 1;
}
