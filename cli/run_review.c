/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * run_review.c: the preview data of one sample that report.html's gate review needs
 * (plots/<sample>.preview.json, docs/report.md): a deterministic subsample of the sample's
 * singlets (every k-th of the singlets the plots keep, at most RUN_REVIEW_EVENTS) as Annexin V
 * and dead-cell-dye values on the gating (logicle) scale, quantised to 16 bits, and the event
 * count over Time for the per-sample view. Written where the run still has the events.
 */
#include "cli/run_review.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TIME_BINS 60

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void put_b64(FILE *f, const unsigned char *p, size_t n)
{
    fputc('"', f);
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
        char o[4] = {b64[v >> 18], b64[(v >> 12) & 63], b64[(v >> 6) & 63], b64[v & 63]};
        fwrite(o, 1, 4, f);
    }
    if (i < n) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0u);
        char o[4] = {b64[v >> 18], b64[(v >> 12) & 63], i + 1 < n ? b64[(v >> 6) & 63] : '=',
                     '='};
        fwrite(o, 1, 4, f);
    }
    fputc('"', f);
}

/* A scale value as 16 bits, little-endian: (y - LO) / (HI - LO) * 65535, clamped. */
static void quantise(unsigned char *out, double y)
{
    double u = (y - RUN_REVIEW_LO) / (RUN_REVIEW_HI - RUN_REVIEW_LO) * 65535.0;
    unsigned q = isnan(u) ? 0u : u <= 0 ? 0u : u >= 65535.0 ? 65535u : (unsigned)lround(u);
    out[0] = (unsigned char)(q & 255u);
    out[1] = (unsigned char)(q >> 8);
}

/* Events of the displayed set per Time bin (equal width from the first to the last time). */
static void time_counts(FILE *f, const fcs_dataset *ds, const fcs_events *ev)
{
    size_t it = SIZE_MAX;
    for (size_t p = 0; p < fcs_dataset_n_params(ds) && p < ev->n_params; p++) {
        if (strcasecmp(fcs_dataset_param(ds, p)->name, "Time") == 0) {
            it = p;
        }
    }
    fputs("\"time\":", f);
    if (it == SIZE_MAX || ev->n_events < 2) {
        fputs("null", f);
        return;
    }
    const double *t = ev->values + it * ev->n_events;
    double lo = INFINITY, hi = -INFINITY;
    for (uint64_t e = 0; e < ev->n_events; e++) {
        if (isfinite(t[e])) {
            lo = fmin(lo, t[e]);
            hi = fmax(hi, t[e]);
        }
    }
    if (!(hi > lo)) {
        fputs("null", f);
        return;
    }
    unsigned long long bins[TIME_BINS] = {0};
    for (uint64_t e = 0; e < ev->n_events; e++) {
        if (isfinite(t[e])) {
            size_t b = (size_t)((t[e] - lo) / (hi - lo) * TIME_BINS);
            bins[b < TIME_BINS ? b : TIME_BINS - 1]++;
        }
    }
    fprintf(f, "{\"from\":%.9g,\"to\":%.9g,\"counts\":[", lo, hi);
    for (size_t b = 0; b < TIME_BINS; b++) {
        fprintf(f, "%s%llu", b ? "," : "", bins[b]);
    }
    fputs("]}", f);
}

apo_status run_review_write(const char *plots_dir, const assay_result *r,
                            const assay_input *in, const fcs_events *ev, const double *ann,
                            const double *pi, size_t ns, apo_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.preview.json", plots_dir, in->sample);
    const size_t step = ns > RUN_REVIEW_EVENTS ? (ns + RUN_REVIEW_EVENTS - 1) / RUN_REVIEW_EVENTS
                                               : 1;
    const size_t m = ns ? (ns - 1) / step + 1 : 0;
    unsigned char *qa = malloc(2 * (m ? m : 1)), *qp = malloc(2 * (m ? m : 1));
    if (qa == NULL || qp == NULL) {
        free(qa);
        free(qp);
        return apo_error_set(err, APO_E_NOMEM, path, APO_NO_OFFSET, NULL, "out of memory");
    }
    for (size_t k = 0, j = 0; k < ns; k += step, j++) {
        quantise(qa + 2 * j, gate_transform_apply(&r->annexin_scale, ann[k]));
        quantise(qp + 2 * j, gate_transform_apply(&r->pi_scale, pi[k]));
    }
    apo_atomic_file af;
    apo_status st = apo_atomic_open(&af, path, err);
    if (st != APO_OK) {
        free(qa);
        free(qp);
        return st;
    }
    FILE *f = af.fp;
    fprintf(f, "{\"format\":\"apoflow-preview-1\",\"lo\":%g,\"hi\":%g,\"kept\":%zu,"
               "\"of\":%zu,\"step\":%zu,\"annexin\":",
            RUN_REVIEW_LO, RUN_REVIEW_HI, m, ns, step);
    put_b64(f, qa, 2 * m);
    fputs(",\"dead\":", f);
    put_b64(f, qp, 2 * m);
    fputc(',', f);
    time_counts(f, in->ds, ev);
    fputs("}\n", f);
    free(qa);
    free(qp);
    if (ferror(f)) {
        apo_atomic_abort(&af);
        return apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL, "write error");
    }
    return apo_atomic_commit(&af, err);
}
