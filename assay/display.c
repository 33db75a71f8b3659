/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * display.c: the statistics pass hands each sample's plot events to the caller
 * (assay_options.display) while it holds them, so that plots never decode a file again. The
 * plot events are every d-th event of the file (d = fcs_sample_step(n, display_events)); the
 * pass holds every s-th. When s divides d they are every (d / s)-th event the pass holds, with
 * the same decoded, compensated values and gate memberships (each event's are computed from
 * that event alone; every gate's are handed over too, so the gating-path plots do not apply
 * the strategy again); otherwise nothing is handed over and the plots read the file.
 */
#include "assay/apoptosis_internal.h"

#include <stdlib.h>
#include <string.h>

/* Every k-th of the held events and of their per-event arrays, into new arrays. */
static bool thin(const fcs_events *ev, const uint8_t *singlet, const double *ann,
                 const double *pi, uint64_t k, fcs_events *out, uint8_t **s, double **a,
                 double **p)
{
    const size_t ne = (size_t)ev->n_events, kept = (size_t)((ev->n_events + k - 1) / k);
    const size_t np = ev->n_params, m = kept ? kept : 1;
    size_t nv = 0;
    if (!apo_mul_size(m, np ? np : 1, &nv) || nv > SIZE_MAX / sizeof(double)) {
        return false;
    }
    out->values = malloc(nv * sizeof(double));
    *s = malloc(m);
    *a = malloc(m * sizeof(double));
    *p = malloc(m * sizeof(double));
    if (out->values == NULL || *s == NULL || *a == NULL || *p == NULL) {
        return false;
    }
    for (size_t c = 0; c < np; c++) {
        const double *src = ev->values + c * ne;
        double *dst = out->values + c * kept;
        for (size_t j = 0; j < kept; j++) {
            dst[j] = src[j * k];
        }
    }
    for (size_t j = 0; j < kept; j++) {
        (*s)[j] = singlet[j * k];
        (*a)[j] = ann[j * k];
        (*p)[j] = pi[j * k];
    }
    out->n_events = kept;
    out->n_params = np;
    return true;
}

/* Every k-th event's membership of every gate, with the counts of those events; false when
 * out of memory (then nothing is handed over for the gates). */
static bool thin_gates(const gate_result *g, uint64_t k, size_t kept, gate_result *out)
{
    size_t nm = 0;
    if (!apo_mul_size(g->n_gates ? g->n_gates : 1, kept ? kept : 1, &nm)) {
        return false;
    }
    out->member = malloc(nm);
    out->count = calloc(g->n_gates ? g->n_gates : 1, sizeof *out->count);
    if (out->member == NULL || out->count == NULL) {
        return false;
    }
    out->n_gates = g->n_gates;
    out->n_events = kept;
    for (size_t q = 0; q < g->n_gates; q++) {
        const uint8_t *src = gate_result_membership(g, q);
        uint8_t *dst = out->member + q * kept;
        uint64_t c = 0;
        for (size_t j = 0; j < kept; j++) {
            dst[j] = src[j * k];
            c += dst[j] != 0;
        }
        out->count[q] = c;
    }
    return true;
}

void apo_display_hand_over(const assay_options *opt, const assay_result *r, size_t i,
                           const assay_input *in, const fcs_events *ev, uint64_t step,
                           const uint8_t *singlet, const double *ann, const double *pi,
                           const gate_result *gates)
{
    if (opt->display == NULL || step == 0) {
        return;
    }
    const uint64_t d = fcs_sample_step(apo_input_n_events(in), opt->display_events);
    if (d % step != 0) {
        return; /* not a subset: the plots read the file (assay_sample_events) */
    }
    const uint64_t k = d / step;
    if (gates != NULL && gates->n_events != ev->n_events) {
        gates = NULL; /* not these events' */
    }
    if (k == 1) {
        const assay_display disp = {ev, singlet, ann, pi, gates};
        opt->display(opt->display_ctx, r, i, &disp);
        return;
    }
    fcs_events sub = {0, 0, NULL};
    uint8_t *s = NULL;
    double *a = NULL, *p = NULL;
    gate_result tg = {0};
    if (thin(ev, singlet, ann, pi, k, &sub, &s, &a, &p)) {
        const bool with_gates = gates != NULL && thin_gates(gates, k, (size_t)sub.n_events, &tg);
        const assay_display disp = {&sub, s, a, p, with_gates ? &tg : NULL};
        opt->display(opt->display_ctx, r, i, &disp);
    } /* out of memory: nothing handed over, the plots read the file */
    gate_result_free(&tg);
    free(sub.values);
    free(s);
    free(a);
    free(p);
}
