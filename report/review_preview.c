/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * review_preview.c: the preview data of one sample that report.html's gate review needs
 * (plots/<sample>.preview.json, docs/report.md): a deterministic subsample of the sample's
 * displayed events (every k-th, at most REVIEW_PREVIEW_EVENTS) with their singlet membership as
 * the run found it, Annexin V and dead-cell-dye values on the gating (logicle) scale and the
 * values of the pre-gates' dimensions (data units), each quantised to 16 bits, and the event
 * count over Time for the per-sample view. Written where the run still has the events.
 */
#include "report/review.h"
#include "report/fig_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TIME_BINS 60

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* @p n bytes as a base64 JSON string, encoded into a buffer written 4 KB at a time (one
 * fwrite per four characters was most of this). */
static void put_b64(FILE *f, const unsigned char *p, size_t n)
{
    char out[4096];
    size_t k = 0;
    out[k++] = '"';
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        if (k + 4 > sizeof out) {
            fwrite(out, 1, k, f);
            k = 0;
        }
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
        out[k++] = b64[v >> 18];
        out[k++] = b64[(v >> 12) & 63];
        out[k++] = b64[(v >> 6) & 63];
        out[k++] = b64[v & 63];
    }
    if (k + 5 > sizeof out) {
        fwrite(out, 1, k, f);
        k = 0;
    }
    if (i < n) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0u);
        out[k++] = b64[v >> 18];
        out[k++] = b64[(v >> 12) & 63];
        out[k++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        out[k++] = '=';
    }
    out[k++] = '"';
    fwrite(out, 1, k, f);
}

/* A scale value as 16 bits, little-endian: (y - LO) / (HI - LO) * 65535, clamped. */
static void quantise(unsigned char *out, double y)
{
    double u = (y - REVIEW_PREVIEW_LO) / (REVIEW_PREVIEW_HI - REVIEW_PREVIEW_LO) * 65535.0;
    unsigned q = isnan(u) ? 0u : u <= 0 ? 0u : u >= 65535.0 ? 65535u : fig_round_u16(u);
    out[0] = (unsigned char)(q & 255u);
    out[1] = (unsigned char)(q >> 8);
}

/* Events of the displayed set per Time bin (equal width from the first to the last time). */
static void time_counts(FILE *f, const fcs_dataset *ds, const fcs_events *ev)
{
    size_t it = fcs_dataset_time_param(ds);
    it = it < ev->n_params ? it : SIZE_MAX;
    fputs("\"time\":", f);
    if (it == SIZE_MAX || ev->n_events < 2) {
        fputs("null", f);
        return;
    }
    const double *t = ev->values + it * ev->n_events;
    double lo = INFINITY, hi = -INFINITY;
    fig_finite_range(t, ev->n_events, 1, &lo, &hi);
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

/* The names of the dimensions of the pre-gates the page can move: rectangles and polygons
 * above the quadrant gate on uncompensated, untransformed channels (at most REVIEW_PREVIEW_DIMS). */
static size_t pregate_dims(const assay_result *r, const char *names[REVIEW_PREVIEW_DIMS])
{
    const gate_strategy *s = r->strategy;
    size_t qg = SIZE_MAX, n = 0;
    for (size_t i = 0; s != NULL && i < gate_strategy_n_gates(s) && qg == SIZE_MAX; i++) {
        gate_info g;
        gate_strategy_gate(s, i, &g);
        if (g.kind == GATE_QUADRANT_GATE) {
            qg = i;
        }
    }
    for (size_t i = qg == SIZE_MAX ? SIZE_MAX : gate_strategy_parent(s, qg); i != SIZE_MAX;
         i = gate_strategy_parent(s, i)) {
        gate_info g;
        gate_strategy_gate(s, i, &g);
        if (g.kind != GATE_RECTANGLE && g.kind != GATE_POLYGON) {
            continue;
        }
        for (size_t k = 0; k < g.n_dims; k++) {
            const gate_dim *d = &g.dims[k];
            bool plain = d->name != NULL && d->transform_ref == NULL && d->ratio_ref == NULL &&
                         (d->comp_ref == NULL || strcmp(d->comp_ref, GATE_COMP_NONE) == 0);
            bool seen = false;
            for (size_t j = 0; j < n; j++) {
                seen = seen || (plain && strcmp(names[j], d->name) == 0);
            }
            if (plain && !seen && n < REVIEW_PREVIEW_DIMS) {
                names[n++] = d->name;
            }
        }
    }
    return n;
}

/* One pre-gate dimension of the kept events: {"name", "lo", "hi", "v": 16-bit base64}. */
static void scatter_dim(FILE *f, const char *name, const double *col, uint64_t n_ev, size_t step,
                        size_t m, unsigned char *buf)
{
    double lo = 0, hi = 0;
    fig_finite_range(col, n_ev, step, &lo, &hi);
    if (!(hi > lo)) {
        hi = lo + 1;
    }
    size_t j = 0;
    for (uint64_t e = 0; e < n_ev && j < m; e += step, j++) {
        double u = (col[e] - lo) / (hi - lo) * 65535.0;
        unsigned q = !(u > 0) ? 0u : u >= 65535.0 ? 65535u : fig_round_u16(u);
        buf[2 * j] = (unsigned char)(q & 255u);
        buf[2 * j + 1] = (unsigned char)(q >> 8);
    }
    fputs("{\"name\":\"", f);
    for (const char *c = name; *c; c++) { /* JSON that is also safe inside <script> */
        unsigned char u = (unsigned char)*c;
        if (u < 0x20 || u == '<' || u == '>' || u == '&' || u == '"' || u == '\\') {
            fprintf(f, "\\u%04x", u);
        } else {
            fputc(u, f);
        }
    }
    fputc('"', f);
    fprintf(f, ",\"lo\":%.9g,\"hi\":%.9g,\"v\":", lo, hi);
    put_b64(f, buf, 2 * m);
    fputc('}', f);
}

apo_status review_preview_write(const char *plots_dir, const char *name, const assay_result *r,
                                const assay_input *in, const fcs_events *ev,
                                const uint8_t *singlet, const double *ann, const double *pi,
                                apo_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.preview.json", plots_dir, name);
    const size_t n_ev = (size_t)ev->n_events;
    const size_t step = n_ev > REVIEW_PREVIEW_EVENTS ? (n_ev + REVIEW_PREVIEW_EVENTS - 1) / REVIEW_PREVIEW_EVENTS
                                                 : 1;
    const size_t m = n_ev ? (n_ev - 1) / step + 1 : 0;
    unsigned char *qa = malloc(2 * (m ? m : 1)), *qp = malloc(2 * (m ? m : 1));
    unsigned char *bits = calloc(m / 8 + 1, 1), *buf = malloc(2 * (m ? m : 1));
    if (qa == NULL || qp == NULL || bits == NULL || buf == NULL) {
        free(qa);
        free(qp);
        free(bits);
        free(buf);
        return apo_error_set(err, APO_E_NOMEM, path, APO_NO_OFFSET, NULL, "out of memory");
    }
    size_t singlets = 0;
    double *va = malloc((m ? m : 1) * sizeof *va), *vp = malloc((m ? m : 1) * sizeof *vp);
    if (va == NULL || vp == NULL) {
        free(va);
        free(vp);
        free(qa);
        free(qp);
        free(bits);
        free(buf);
        return apo_error_set(err, APO_E_NOMEM, path, APO_NO_OFFSET, NULL, "out of memory");
    }
    for (size_t e = 0, j = 0; e < n_ev; e += step, j++) {
        va[j] = ann[e];
        vp[j] = pi[e];
        if (singlet[e]) {
            bits[j / 8] |= (unsigned char)(1u << (j % 8));
            singlets++;
        }
    }
    /* the kept events on the scales, as arrays (the transform's table-seeded path) */
    gate_transform_apply_array(&r->annexin_scale, va, va, m);
    gate_transform_apply_array(&r->pi_scale, vp, vp, m);
    for (size_t j = 0; j < m; j++) {
        quantise(qa + 2 * j, va[j]);
        quantise(qp + 2 * j, vp[j]);
    }
    free(va);
    free(vp);
    apo_atomic_file af;
    apo_status st = apo_atomic_open(&af, path, err);
    if (st == APO_OK) {
        FILE *f = af.fp;
        fprintf(f, "{\"format\":\"apoflow-preview-2\",\"lo\":%g,\"hi\":%g,\"kept\":%zu,"
                   "\"of\":%zu,\"step\":%zu,\"singlets\":%zu,\"annexin\":",
                REVIEW_PREVIEW_LO, REVIEW_PREVIEW_HI, m, n_ev, step, singlets);
        put_b64(f, qa, 2 * m);
        fputs(",\"dead\":", f);
        put_b64(f, qp, 2 * m);
        fputs(",\"singlet\":", f);
        put_b64(f, bits, (m + 7) / 8);
        fputs(",\"scatter\":[", f);
        const char *names[REVIEW_PREVIEW_DIMS];
        size_t nd = pregate_dims(r, names), written = 0;
        for (size_t k = 0; k < nd; k++) {
            size_t p = fcs_dataset_find_param(in->ds, names[k]);
            if (p != SIZE_MAX && p < ev->n_params) {
                fputs(written++ ? "," : "", f);
                scatter_dim(f, names[k], ev->values + p * ev->n_events, n_ev, step, m, buf);
            }
        }
        fputs("],", f);
        time_counts(f, in->ds, ev);
        fputs("}\n", f);
        if (ferror(f)) {
            apo_atomic_abort(&af);
            st = apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL, "write error");
        } else {
            st = apo_atomic_commit(&af, err);
        }
    }
    free(qa);
    free(qp);
    free(bits);
    free(buf);
    return st;
}
