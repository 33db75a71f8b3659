// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * apoptosis_comp.c: chooses the 2 x 2 Annexin V / PI spillover of an experiment: computed
 * from the single-stain controls (gate_comp_compute on their singlets, positive population
 * above the unstained 99.5th percentile), the files' $SPILLOVER (the AnnV/PI rows and
 * columns), a given matrix, or none. Only the two assay detectors are compensated.
 */
#include "apoptosis_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The 2 x 2 sub-matrix for detectors named a and p of an n x n matrix; false if absent. */
static bool sub2(size_t n, char *const *names, const double *v, const char *a, const char *p,
                 double S[4])
{
    size_t ia = SIZE_MAX, ip = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        const char *nm = names[i];
        if (strncasecmp(nm, "Comp-", 5) == 0) {
            nm += 5;
        }
        if (strcasecmp(nm, a) == 0) {
            ia = i;
        }
        if (strcasecmp(nm, p) == 0) {
            ip = i;
        }
    }
    if (ia == SIZE_MAX || ip == SIZE_MAX) {
        return false;
    }
    S[0] = v[ia * n + ia];
    S[1] = v[ia * n + ip];
    S[2] = v[ip * n + ia];
    S[3] = v[ip * n + ip];
    return true;
}

bool apo_comp_from_file(const fcs_dataset *ds, const char *a, const char *p, double S[4],
                        char *detail, size_t cap)
{
    const fcs_spillover *sp = fcs_dataset_spillover(ds);
    if (sp == NULL || !sub2(sp->n, sp->names, sp->values, a, p, S)) {
        return false;
    }
    snprintf(detail, cap, "%s of the files (%zu x %zu), %s and %s rows/columns", sp->keyword,
             sp->n, sp->n, a, p);
    return true;
}

bool apo_comp_from_matrix(const gate_comp *c, const char *a, const char *p, double S[4],
                          char *detail, size_t cap)
{
    if (c == NULL || !sub2(c->n, c->detectors, c->spill, a, p, S)) {
        return false;
    }
    snprintf(detail, cap, "given matrix (%s, %zu x %zu)", c->source, c->n, c->n);
    return true;
}

apo_status apo_comp_from_controls(const assay_input *unst, const fcs_events *unst_ev,
                                  const assay_input *ann, const fcs_events *ann_ev,
                                  const assay_input *pi, const fcs_events *pi_ev,
                                  const char *name_a, const char *name_p, double S[4],
                                  char *detail, size_t cap, apo_error *err)
{
    static const size_t cols[2] = {0, 1};
    gate_comp_sample u = {unst_ev, cols, unst->file};
    gate_comp_sample ctl[2] = {{ann_ev, cols, ann->file}, {pi_ev, cols, pi->file}};
    const char *dets[2] = {name_a, name_p};
    gate_comp_compute_options o = GATE_COMP_COMPUTE_OPTIONS_INIT;
    size_t used[2] = {0, 0};
    gate_comp *c = NULL;
    apo_status st = gate_comp_compute(&c, 2, dets, &u, ctl, &o, used, err);
    if (st != APO_OK) {
        return st;
    }
    memcpy(S, c->spill, 4 * sizeof(double));
    gate_comp_free(c);
    snprintf(detail, cap,
             "median method on singlets: %s (%zu positive events), %s (%zu), unstained %s",
             ann->sample, used[0], pi->sample, used[1], unst->sample);
    return APO_OK;
}
