/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * comp_compute.c: the spillover matrix from single-stain controls, flowStats' spillover() median
 * method (docs/algorithms.md 2.2): per-detector medians of each control's population minus the
 * universal unstained control's medians, clipped at 0, divided by the primary detector's value.
 *
 * Positive population (GATE_COMP_POP_POSITIVE, the default): events of control i whose value
 * in its own primary detector i is strictly above the q-quantile (type 7, q = 0.995 by
 * default) of the unstained control in detector i. This drops the unstained/dim cells that
 * cell-based controls carry (an AnnV-only control is mostly AnnV-negative cells) and that
 * would otherwise pull every median towards the autofluorescence. GATE_COMP_POP_ALL uses
 * every event (flowStats with useNormFilt = FALSE), which reproduces flowCore's reference.
 */
#include "gating/gating_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static apo_status median_of(const gate_comp_sample *s, size_t col, const uint8_t *mask,
                            double *out, apo_error *err)
{
    const double half = 0.5;
    return gate_stats_quantiles(fcs_events_column(s->events, col), (size_t)s->events->n_events,
                                mask, &half, 1, out, err);
}

static apo_status check_sample(const gate_comp_sample *s, size_t n, apo_error *err)
{
    const char *name = s->name != NULL ? s->name : "control";
    if (s->events == NULL || s->columns == NULL) {
        return apo_error_set(err, APO_E_USAGE, name, APO_NO_OFFSET, NULL,
                             "expected events and detector columns, found none");
    }
    if (s->events->n_events > SIZE_MAX) {
        return apo_error_set(err, APO_E_RANGE, name, APO_NO_OFFSET, NULL,
                             "expected an in-memory event count, found too many events");
    }
    for (size_t j = 0; j < n; j++) {
        if (s->columns[j] >= s->events->n_params) {
            return apo_error_set(err, APO_E_USAGE, name, APO_NO_OFFSET, NULL,
                                 "expected detector column below %zu, found %zu",
                                 s->events->n_params, s->columns[j]);
        }
    }
    return APO_OK;
}

apo_status gate_comp_compute(gate_comp **out, size_t n, const char *const *detectors,
                             const gate_comp_sample *unstained, const gate_comp_sample *controls,
                             const gate_comp_compute_options *opts, size_t *used_events,
                             apo_error *err)
{
    *out = NULL;
    const gate_comp_compute_options defaults = GATE_COMP_COMPUTE_OPTIONS_INIT;
    if (opts == NULL) {
        opts = &defaults;
    }
    if (n == 0) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected at least one single-stain control, found none");
    }
    if (opts->population == GATE_COMP_POP_POSITIVE &&
        !(opts->positive_quantile > 0.0 && opts->positive_quantile < 1.0)) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected a positive-gate quantile in (0, 1), found %g",
                             opts->positive_quantile);
    }
    apo_status st = check_sample(unstained, n, err);
    for (size_t i = 0; i < n && st == APO_OK; i++) {
        st = check_sample(&controls[i], n, err);
    }
    if (st != APO_OK) {
        return st;
    }
    double *neg = malloc(n * sizeof(double));
    double *thr = malloc(n * sizeof(double));
    double *med = malloc(n * sizeof(double));
    double *S = malloc(n * n * sizeof(double));
    uint8_t *mask = NULL;
    if (neg == NULL || thr == NULL || med == NULL || S == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                           "expected memory for %zu controls, found none", n);
        goto done;
    }
    const char *uname = unstained->name != NULL ? unstained->name : "unstained control";
    for (size_t j = 0; j < n && st == APO_OK; j++) {
        st = median_of(unstained, unstained->columns[j], NULL, &neg[j], err);
        if (st == APO_OK && opts->population == GATE_COMP_POP_POSITIVE) {
            st = gate_stats_quantiles(fcs_events_column(unstained->events, unstained->columns[j]),
                                      (size_t)unstained->events->n_events, NULL,
                                      &opts->positive_quantile, 1, &thr[j], err);
        }
        if (st == APO_OK && !isfinite(neg[j])) {
            st = apo_error_set(err, APO_E_NUMERIC, uname, APO_NO_OFFSET, detectors[j],
                               "expected events in the unstained control, found no finite "
                               "value in %s",
                               detectors[j]);
        }
    }
    for (size_t i = 0; i < n && st == APO_OK; i++) {
        const gate_comp_sample *c = &controls[i];
        const char *cname = c->name != NULL ? c->name : detectors[i];
        const size_t ne = (size_t)c->events->n_events;
        size_t used = ne;
        if (opts->population == GATE_COMP_POP_POSITIVE) {
            uint8_t *m = realloc(mask, ne > 0 ? ne : 1);
            if (m == NULL) {
                st = apo_error_set(err, APO_E_NOMEM, cname, APO_NO_OFFSET, NULL,
                                   "expected memory for %zu events, found none", ne);
                break;
            }
            mask = m;
            const double *prim = fcs_events_column(c->events, c->columns[i]);
            used = 0;
            for (size_t e = 0; e < ne; e++) {
                mask[e] = prim[e] > thr[i];
                used += mask[e];
            }
        }
        if (used_events != NULL) {
            used_events[i] = used;
        }
        if (used < opts->min_events || used == 0) {
            st = apo_error_set(err, APO_E_NUMERIC, cname, APO_NO_OFFSET, detectors[i],
                               "expected at least %zu positive events in %s, found %zu "
                               "(above the unstained control's %g quantile %g)",
                               opts->min_events > 0 ? opts->min_events : 1, detectors[i], used,
                               opts->positive_quantile,
                               opts->population == GATE_COMP_POP_POSITIVE ? thr[i] : NAN);
            break;
        }
        const uint8_t *pm = opts->population == GATE_COMP_POP_POSITIVE ? mask : NULL;
        for (size_t j = 0; j < n && st == APO_OK; j++) {
            st = median_of(c, c->columns[j], pm, &med[j], err);
        }
        if (st != APO_OK) {
            break;
        }
        const double diag = med[i] - neg[i];
        if (!(diag > 0.0)) {
            st = apo_error_set(err, APO_E_NUMERIC, cname, APO_NO_OFFSET, detectors[i],
                               "expected the control's median in %s above the unstained "
                               "median %g, found %g: this control is not positive in its "
                               "channel (wrong file/channel pairing?)",
                               detectors[i], neg[i], med[i]);
            break;
        }
        for (size_t j = 0; j < n; j++) {
            const double num = med[j] - neg[j];
            S[i * n + j] = i == j ? 1.0 : (num > 0.0 ? num : 0.0) / diag;
        }
    }
    if (st == APO_OK) {
        st = gate_comp_new(out, n, detectors, NULL, S, err);
        if (st == APO_OK) {
            snprintf((*out)->source, sizeof((*out)->source), "%s", "controls");
        }
    }
done:
    free(neg);
    free(thr);
    free(med);
    free(S);
    free(mask);
    return st;
}
