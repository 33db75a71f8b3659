/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_gate_wsp.c: `apoflow gate FILE... --gating WORKSPACE.wsp [--group NAME]`: every FCS file
 * is matched to its sample of a FlowJo workspace ($FIL, else the file name), gated with that
 * sample's own matrix, transforms and gates, and reported one row per population in FlowJo's
 * order with the columns of the Gating-ML report plus FlowJo's own count from the workspace
 * and the difference (apoflow - FlowJo). Samples whose FCS file is not among the inputs, and
 * whatever the workspace holds that apoflow does not apply, are warned about on stderr.
 */
#include "cli/cli.h"
#include "cli/gate_wsp.h"
#include "gating/flowjo.h"
#include "gating/flowjo_report.h"
#include "gating/gate.h"
#include "util/util.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Gate one file with its sample; *matched receives the sample index. */
static apo_status gate_file(const char *path, size_t dataset, const flowjo_workspace *w,
                            const bool *allowed, const gate_wsp_options *o, size_t *matched,
                            gate_report *rep, apo_error *err)
{
    fcs_file *f = NULL;
    apo_status st = fcs_file_open(&f, path, &o->read, err);
    if (st != APO_OK) {
        return st;
    }
    if (dataset < 1 || dataset > fcs_file_n_datasets(f)) {
        st = apo_error_set(err, APO_E_FORMAT, path, APO_NO_OFFSET, NULL,
                           "data set %zu requested, the file has %zu", dataset,
                           fcs_file_n_datasets(f));
        fcs_file_free(f);
        return st;
    }
    const fcs_dataset *ds = fcs_file_dataset(f, dataset - 1);
    for (size_t i = 0; i < fcs_dataset_n_warnings(ds); i++) {
        cli_warn(fcs_dataset_warning(ds, i)->msg);
    }
    *matched = flowjo_workspace_match(w, path, fcs_dataset_keyword(ds, "$FIL"), allowed);
    if (*matched == SIZE_MAX) {
        st = apo_error_set(err, APO_E_FORMAT, path, APO_NO_OFFSET, NULL,
                           "expected a sample of %s%s%s with this $FIL or file name, found none",
                           o->workspace, o->group ? " in group " : "", o->group ? o->group : "");
    } else {
        const flowjo_sample *s = &w->samples[*matched];
        if (s->count >= 0 && (uint64_t)s->count != fcs_dataset_n_events(ds)) {
            char msg[600];
            snprintf(msg, sizeof msg,
                     "%s: %" PRIu64 " events, but FlowJo's sample %s counted %" PRId64, path,
                     fcs_dataset_n_events(ds), s->name, s->count);
            cli_warn(msg);
        }
        gate_stream_options so = GATE_STREAM_OPTIONS_INIT;
        so.sample_events = o->sample_events;
        st = gate_report_stream(s->strategy, ds, &so, rep, NULL, err);
    }
    fcs_file_free(f);
    return st;
}

/* Samples to consider (the group's, or all) as flags; NULL on a usage error (printed). */
static bool *allowed_samples(const flowjo_workspace *w, const gate_wsp_options *o)
{
    bool *allowed = calloc(w->n_samples + 1, sizeof(bool));
    if (allowed == NULL) {
        cli_errorf("out of memory");
        return NULL;
    }
    if (o->group == NULL) {
        for (size_t i = 0; i < w->n_samples; i++) {
            allowed[i] = true;
        }
        return allowed;
    }
    size_t g = flowjo_workspace_find_group(w, o->group);
    if (g == SIZE_MAX) {
        cli_errorf("--group: expected a group of %s, found no group \"%s\"", o->workspace,
                   o->group);
        free(allowed);
        return NULL;
    }
    for (size_t i = 0; i < w->groups[g].n_samples; i++) {
        allowed[w->groups[g].samples[i]] = true;
    }
    return allowed;
}

static void warn_unmatched(const flowjo_workspace *w, const bool *allowed, const bool *used,
                           const char *workspace)
{
    for (size_t i = 0; i < w->n_samples; i++) {
        if (!allowed[i] || used[i]) {
            continue;
        }
        const flowjo_sample *s = &w->samples[i];
        char msg[900];
        snprintf(msg, sizeof msg,
                 "%s: sample %s (%s) is not gated: its FCS file is not among the inputs "
                 "(matched by $FIL %s or file name)",
                 workspace, s->name, s->uri[0] ? s->uri : "no uri", s->file ? s->file : "-");
        cli_warn(msg);
    }
}

static int write_output(const flowjo_report *t, const gate_wsp_options *o)
{
    apo_atomic_file af;
    FILE *fp = NULL;
    int rc = cli_output_open(&af, o->out, &fp);
    if (rc != 0) {
        return rc;
    }
    if (o->format == 1) {
        flowjo_report_write_csv(fp, t);
    } else if (o->format == 2) {
        flowjo_report_write_json(fp, t);
    } else {
        flowjo_report_write_table(fp, t);
    }
    return cli_output_close(&af, fp, true);
}

static void print_summary(const flowjo_report *t)
{
    if (t->n_compared == 0) {
        fprintf(stderr, "apoflow: FlowJo stored no counts to compare with\n");
    } else {
        fprintf(stderr,
                "apoflow: %zu of %zu populations have FlowJo's count exactly (largest "
                "difference %" PRId64 " events)\n",
                t->n_equal, t->n_compared, t->worst);
    }
}

int gate_wsp_run(int n_files, char **files, char **paths, const size_t *datasets,
                 const gate_wsp_options *o)
{
    apo_error err;
    apo_error_clear(&err);
    flowjo_workspace w;
    if (flowjo_workspace_read(&w, o->workspace, &err) != APO_OK) {
        cli_print_file_error(o->workspace, &err);
        return apo_status_exit_code(err.status);
    }
    for (size_t i = 0; i < w.n_warnings; i++) {
        cli_warn(w.warnings[i]);
    }
    bool *allowed = allowed_samples(&w, o);
    bool *used = calloc(w.n_samples + 1, sizeof(bool));
    gate_report *reps = calloc((size_t)n_files + 1, sizeof(gate_report));
    size_t *match = malloc(((size_t)n_files + 1) * sizeof(size_t));
    for (int i = 0; match != NULL && i < n_files; i++) {
        match[i] = SIZE_MAX;
    }
    flowjo_report t;
    memset(&t, 0, sizeof t);
    int rc = (allowed == NULL) ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    if (rc == 0 && (used == NULL || reps == NULL || match == NULL)) {
        cli_errorf("out of memory");
        rc = CLI_EXIT_OSERR;
    }
    for (int i = 0; rc != CLI_EXIT_USAGE && rc != CLI_EXIT_OSERR && i < n_files; i++) {
        size_t m = SIZE_MAX;
        apo_error_clear(&err);
        if (gate_file(paths[i], datasets[i], &w, allowed, o, &m, &reps[i], &err) != APO_OK) {
            cli_print_file_error(files[i], &err);
            rc = cli_worse_exit(rc, apo_status_exit_code(err.status));
            continue;
        }
        used[m] = true;
        match[i] = m;
    }
    /* columns first (union of every file's dimensions), then the rows */
    for (int pass = 0; pass < 2 && rc != CLI_EXIT_USAGE && rc != CLI_EXIT_OSERR; pass++) {
        for (int i = 0; i < n_files; i++) {
            if (match[i] == SIZE_MAX) {
                continue;
            }
            bool ok = pass == 0 ? flowjo_report_add_columns(&t, &w.samples[match[i]], &reps[i])
                                : flowjo_report_add_rows(&t, files[i], &w.samples[match[i]], &reps[i]);
            if (!ok) {
                cli_errorf("out of memory");
                rc = CLI_EXIT_OSERR;
                break;
            }
        }
    }
    if (allowed != NULL && used != NULL) {
        warn_unmatched(&w, allowed, used, o->workspace);
    }
    if (rc != CLI_EXIT_USAGE && rc != CLI_EXIT_OSERR) {
        rc = cli_worse_exit(rc, write_output(&t, o));
        print_summary(&t);
    }
    for (int i = 0; reps != NULL && i < n_files; i++) {
        gate_report_free(&reps[i]);
    }
    free(reps);
    free(match);
    flowjo_report_free(&t);
    free(used);
    free(allowed);
    flowjo_workspace_free(&w);
    return rc;
}
