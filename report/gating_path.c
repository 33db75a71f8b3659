/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gating_path.c: the gating-path plots of one sample of an experiment: every gate applied
 * before the quadrants (the automatic debris and singlet gates, or those of --gating), each
 * drawn as applied over its parent's displayed events, with the engine's whole-file counts
 * for the two populations the analysis counts (cells and singlets).
 */
#include "report/gating_path.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

apo_status report_gating_path_build(const assay_result *r, const assay_input *in,
                                    const assay_sample *s, const fcs_events *ev,
                                    const gate_result *applied, render_gating_path *out,
                                    apo_error *err)
{
    const gate_strategy *st = r->strategy;
    size_t viable = gate_strategy_find(st, "viable");
    size_t parent = viable == SIZE_MAX ? SIZE_MAX : gate_strategy_parent(st, viable);
    size_t ng = gate_strategy_n_gates(st);
    uint64_t *count = malloc((ng ? ng : 1) * sizeof *count);
    if (!count) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for %zu gate counts, found none", ng);
    }
    for (size_t g = 0; g < ng; g++) count[g] = UINT64_MAX;
    if (parent != SIZE_MAX) {
        count[parent] = s->singlets;
        size_t up = gate_strategy_parent(st, parent);
        if (up != SIZE_MAX) count[up] = s->cells;
    }
    gate_data d;
    apo_status rc = gate_data_init(&d, in->ds, ev, err);
    if (rc == APO_OK) {
        render_path_counts c = {s->events, count};
        rc = render_gating_path_build_from(out, st, &d, parent, &c, applied, err);
        gate_data_free(&d);
    }
    /* the automatic pre-gates get titles saying what they are for */
    for (size_t k = 0; rc == APO_OK && k < out->n_plots; k++) {
        char *title = out->panels[k].title;
        if (strcmp(title, "Cells") == 0) {
            snprintf(title, sizeof out->panels[k].title, "Debris exclusion");
        } else if (strcmp(title, "Singlets") == 0) {
            snprintf(title, sizeof out->panels[k].title, "Doublet exclusion");
        }
    }
    free(count);
    return rc;
}
