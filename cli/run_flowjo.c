/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * run_flowjo.c: the FlowJo parts of `apoflow run`: reading a workspace's pre-gates and
 * quadrant as the analysis's gating (--gating WORKSPACE.wsp [--population PATH]) and writing
 * the applied analysis as a FlowJo 10 workspace (--write-flowjo OUT.wsp): one sample per
 * analysed file, linked to its path, with the analysis's matrix, transforms and gates under
 * the names of apoflow's outputs (docs/flowjo.md).
 */
#include "cli/run_flowjo.h"
#include "cli/cli.h"
#include "gating/flowjo.h"

#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

int run_flowjo_gating(const char *path, const char *population, bool quiet, gate_strategy **out)
{
    apo_error err;
    apo_error_clear(&err);
    flowjo_workspace w;
    if (flowjo_workspace_read(&w, path, &err) != APO_OK) {
        cli_print_error(&err);
        return cli_exit_input(err.status);
    }
    for (size_t i = 0; i < w.n_warnings && !quiet; i++) {
        cli_warn(w.warnings[i]);
    }
    int rc = 0;
    char chosen[1024];
    if (w.n_samples == 0) {
        cli_errorf("%s: expected a sample with gates, found no sample", path);
        rc = CLI_EXIT_DATAERR;
    } else if (flowjo_sample_run_gating(&w.samples[0], population, out, chosen, sizeof chosen,
                                        &err) != APO_OK) {
        cli_errorf("%s: %s", path, err.msg);
        rc = err.status == APO_E_USAGE ? CLI_EXIT_USAGE : cli_exit_code(err.status);
    } else if (!quiet) {
        fprintf(stderr,
                "apoflow: --gating %s: the gates of sample %s, quadrant under %s%s\n", path,
                w.samples[0].name, chosen[0] ? chosen : "the top level",
                w.n_samples > 1 ? " (gates edited in the workspace's other samples, if any, "
                                  "are not used)"
                                : "");
    }
    flowjo_workspace_free(&w);
    return rc;
}

void run_flowjo_note_gml(const char *outdir, double started)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/gating.xml", outdir);
    struct stat st;
    if (stat(path, &st) == 0 && (double)st.st_mtime >= started - 1.0) {
        return; /* written by this run */
    }
    char msg[4400];
    snprintf(msg, sizeof msg,
             "%s not written: the workspace's gating has no Gating-ML form (FlowJo's biex "
             "scales); --write-flowjo saves it as a workspace",
             path);
    cli_warn(msg);
}

apo_status run_flowjo_write(const char *path, const assay_result *r, const assay_input *in,
                            size_t n, apo_error *err)
{
    flowjo_write_sample *ws = calloc(n ? n : 1, sizeof *ws);
    if (ws == NULL) {
        return apo_error_set(err, APO_E_NOMEM, path, APO_NO_OFFSET, NULL,
                             "expected memory for the workspace, found none");
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (r->samples[i].qc & ASSAY_QC_FAILED) {
            continue; /* not analysed: not in the workspace either */
        }
        ws[k++] = (flowjo_write_sample){in[i].file, r->strategy, NULL,
                                        in[i].ds ? fcs_dataset_n_events(in[i].ds) : 0, NULL};
    }
    apo_status st = flowjo_workspace_write(path, k, ws, err);
    free(ws);
    return st == APO_OK ? apo_sync_file(path, err) : st; /* may be outside the output folder */
}
