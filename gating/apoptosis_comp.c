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

/* Singlet events of columns ca, cp of ev as a 2-column fcs_events (caller frees values). */
static bool subset(const fcs_events *ev, const uint8_t *mask, size_t ca, size_t cp,
                   fcs_events *out)
{
    size_t n = (size_t)ev->n_events, m = 0;
    for (size_t e = 0; e < n; e++) {
        m += mask == NULL || mask[e];
    }
    out->n_events = m;
    out->n_params = 2;
    out->values = malloc((m ? m : 1) * 2 * sizeof(double));
    if (out->values == NULL) {
        return false;
    }
    const double *A = fcs_events_column(ev, ca), *P = fcs_events_column(ev, cp);
    size_t k = 0;
    for (size_t e = 0; e < n; e++) {
        if (mask == NULL || mask[e]) {
            out->values[k] = A[e];
            out->values[m + k] = P[e];
            k++;
        }
    }
    return true;
}

apo_status apo_comp_from_controls(const gate_apo_input *unst, const uint8_t *unst_mask,
                                  const gate_apo_input *ann, const uint8_t *ann_mask,
                                  const gate_apo_input *pi, const uint8_t *pi_mask,
                                  size_t col_a, size_t col_p, const char *name_a,
                                  const char *name_p, double S[4], char *detail, size_t cap,
                                  apo_error *err)
{
    fcs_events ev[3] = {{0}};
    apo_status st = APO_OK;
    if (!subset(unst->ev, unst_mask, col_a, col_p, &ev[0]) ||
        !subset(ann->ev, ann_mask, col_a, col_p, &ev[1]) ||
        !subset(pi->ev, pi_mask, col_a, col_p, &ev[2])) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
        goto done;
    }
    static const size_t cols[2] = {0, 1};
    gate_comp_sample u = {&ev[0], cols, unst->file};
    gate_comp_sample ctl[2] = {{&ev[1], cols, ann->file}, {&ev[2], cols, pi->file}};
    const char *dets[2] = {name_a, name_p};
    gate_comp_compute_options o = GATE_COMP_COMPUTE_OPTIONS_INIT;
    size_t used[2] = {0, 0};
    gate_comp *c = NULL;
    st = gate_comp_compute(&c, 2, dets, &u, ctl, &o, used, err);
    if (st != APO_OK) {
        goto done;
    }
    memcpy(S, c->spill, 4 * sizeof(double));
    gate_comp_free(c);
    snprintf(detail, cap,
             "median method on singlets: %s (%zu positive events), %s (%zu), unstained %s",
             ann->sample, used[0], pi->sample, used[1], unst->sample);
done:
    for (int i = 0; i < 3; i++) {
        free(ev[i].values);
    }
    return st;
}
