// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * apoptosis_pregates.c: step 2 of the apoptosis analysis (apoptosis.c): the automatic
 * pre-gates. Each sample's estimation subsample gives its own debris gate (pregate.c with the
 * mixture model of debris_mix.c) and singlet band; the experiment's Cells and Singlets gates
 * are the medians of those over the samples (docs/algorithms.md, section 5), and the samples
 * whose own debris gate lies far from the shared one, or an experiment whose Cells gate holds
 * debris, are flagged.
 */
#include "density.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Pre-gate estimates of every sample: debris threshold and singlet band (NaN when none). */
typedef struct pregate_est {
    double *thr, *lo, *hi;
    const char **method; /* per sample: how its debris threshold was found */
    const char **how;    /* per sample: how its singlet band was found */
    pregate_debris *deb; /* per sample: its debris estimate */
} pregate_est;

typedef struct pregate_job {
    const assay_input *in;
    assay_sample_state *c;
    bool singlets, width;
    uint64_t max_events;
    assay_result *out;
    pregate_est *pe;
} pregate_job;

static void estimate_pregate(void *arg, size_t i)
{
    const pregate_job *j = arg;
    const assay_input *in = j->in;
    assay_sample_state *c = j->c;
    pregate_est *pe = j->pe;
    pe->thr[i] = pe->lo[i] = pe->hi[i] = NAN;
    pe->method[i] = pe->how[i] = NULL;
    if (!c[i].ok) {
        return;
    }
    size_t fcol = c[i].ch.fsc_a != SIZE_MAX ? c[i].ch.fsc_a : c[i].ch.fsc_h;
    if (fcol == SIZE_MAX) {
        return;
    }
    assay_loaded l;
    apo_error e2;
    if (assay_load(&in[i], NULL, j->max_events, &l, &e2) != APO_OK) {
        assay_fail_sample(&j->out->samples[i], e2.msg);
        c[i].ok = false;
        return;
    }
    if (c[i].hold) { /* the later steps borrow it (this task is the only one on sample i) */
        c[i].held = l.ev;
        c[i].held_step = l.step;
        c[i].held_max = j->max_events;
        l.borrowed = true;
    }
    size_t ne = (size_t)l.ev.n_events;
    size_t scol = c[i].ch.ssc_a != SIZE_MAX ? c[i].ch.ssc_a : c[i].ch.ssc_h;
    pregate_debris_estimate(fcs_events_column(&l.ev, fcol),
                            scol != SIZE_MAX ? fcs_events_column(&l.ev, scol) : NULL, ne,
                            &pe->deb[i]);
    pe->method[i] = pe->deb[i].method;
    double t = pe->deb[i].thr;
    double lo = NAN, hi = NAN;
    /* the band is estimated on the events above the debris estimate, gate or no gate */
    if (j->singlets && isfinite(t) && c[i].ch.fsc_a != SIZE_MAX && c[i].ch.fsc_h != SIZE_MAX &&
        pregate_singlet_band(fcs_events_column(&l.ev, c[i].ch.fsc_a),
                             fcs_events_column(&l.ev, c[i].ch.fsc_h), ne, t, &lo, &hi,
                             &pe->how[i])) {
        pe->lo[i] = lo;
        pe->hi[i] = hi;
    } else if (j->width && isfinite(t) && c[i].ch.fsc_w != SIZE_MAX &&
               pregate_width_band(fcs_events_column(&l.ev, fcol),
                                  fcs_events_column(&l.ev, c[i].ch.fsc_w), ne, t, &lo, &hi,
                                  &pe->how[i])) {
        pe->lo[i] = lo;
        pe->hi[i] = hi;
    }
    pe->thr[i] = t;
    j->out->samples[i].debris_threshold = t;
    j->out->samples[i].debris_leak = pe->deb[i].leak;
    assay_loaded_free(&l);
}

static void estimate_pregates(const assay_input *in, assay_sample_state *c, size_t n, size_t ref,
                              const assay_options *opt, assay_result *out, pregate_est *pe)
{
    const bool pair = c[ref].ch.fsc_a != SIZE_MAX && c[ref].ch.fsc_h != SIZE_MAX;
    const bool singlets = pair && !opt->no_singlet_gate;
    const bool width = !pair && !opt->no_singlet_gate && c[ref].ch.fsc_w != SIZE_MAX;
    pregate_job j = {in, c, singlets, width, opt->sample_events, out, pe};
    assay_for_each_item(opt, "pre-gate estimates", n, true, estimate_pregate, &j);
}

/* The most frequent non-NULL string of v[0..n) (the first on ties), or @p none. */
static const char *most_common(const char *const *v, size_t n, const char *none)
{
    const char *best = none;
    size_t best_n = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        for (size_t j = 0; v[i] != NULL && j < n; j++) {
            k += v[j] != NULL && strcmp(v[i], v[j]) == 0;
        }
        if (k > best_n) {
            best = v[i];
            best_n = k;
        }
    }
    return best;
}

/* A sample's own debris gate further than this (decades of FSC) from the shared gate is
 * flagged: its debris or cells sit elsewhere than in the other samples. */
#define DEBRIS_OUTLIER_DECADES 0.2
/* An experiment whose Cells gate holds more than this share of debris (estimated, median over
 * samples) is flagged. */
#define DEBRIS_LEAK_FLAG 0.01

/* Flag the samples whose own debris gate is far from the shared one on FSC: its FSC side
 * more than DEBRIS_OUTLIER_DECADES from the shared FSC side @p t (data units). The SSC side is
 * not compared: where debris and cells are well apart it lies anywhere in the debris's SSC
 * spread at almost no cost, so its scatter over samples says nothing about them. */
static void flag_debris_outliers(const assay_sample_state *c, size_t n, double t, assay_result *out)
{
    for (size_t i = 0; i < n; i++) {
        assay_sample *s = &out->samples[i];
        double own = s->debris_threshold, dist = NAN;
        if (!c[i].ok) {
            continue;
        }
        if (isfinite(own) && own > 0 && t > 0) {
            dist = log10(own / t);
        }
        if (fabs(dist) > DEBRIS_OUTLIER_DECADES) {
            s->qc |= ASSAY_QC_DEBRIS_GATE_OUTLIER;
            size_t len = strlen(s->qc_detail);
            snprintf(s->qc_detail + len, sizeof s->qc_detail - len,
                     "%sown debris gate %.2f decades from the shared gate on FSC",
                     len ? "; " : "", dist);
        }
    }
}

/* Debris that overlaps the cells cannot be gated away: when the median over samples of the
 * estimated debris share inside the gate exceeds DEBRIS_LEAK_FLAG, every sample is flagged
 * (one sample's estimate is too noisy to judge by). */
static void flag_debris_in_cells(const assay_sample_state *c, size_t n, assay_result *out)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    size_t m = 0;
    for (size_t i = 0; v != NULL && i < n; i++) {
        if (c[i].ok && isfinite(out->samples[i].debris_leak)) {
            v[m++] = out->samples[i].debris_leak;
        }
    }
    double med = v != NULL && m > 0 ? assay_median_of(v, m) : NAN;
    free(v);
    if (!(med > DEBRIS_LEAK_FLAG)) {
        return;
    }
    apo_result_warn(out,
                    "debris overlaps the cells on the scatter plots: about %.1f%% of the Cells "
                    "gate is estimated to be debris (median over samples; the debris mode's far "
                    "side mirrored); percentages of stained debris-rich samples are biased",
                    100.0 * med);
    for (size_t i = 0; i < n; i++) {
        assay_sample *s = &out->samples[i];
        if (c[i].ok) {
            s->qc |= ASSAY_QC_DEBRIS_IN_CELLS;
            size_t len = strlen(s->qc_detail);
            snprintf(s->qc_detail + len, sizeof s->qc_detail - len,
                     "%sdebris overlaps the cells (about %.1f%% of the Cells gate, median over "
                     "samples)",
                     len ? "; " : "", 100.0 * med);
        }
    }
}

/* The shared SSC side of the Cells gate (data units): the median of the samples' own, when
 * most samples with a debris mode have one; -inf otherwise. */
static double shared_debris_ssc(const assay_sample_state *c, size_t n, const pregate_debris *deb)
{
    size_t modes = 0, m = 0;
    for (size_t i = 0; i < n; i++) {
        modes += c[i].ok && deb[i].debris_mode;
        m += c[i].ok && deb[i].two_d;
    }
    double *tmp = m > 0 && 2 * m > modes ? malloc(m * sizeof *tmp) : NULL;
    if (tmp == NULL) {
        return -INFINITY;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (c[i].ok && deb[i].two_d) {
            tmp[k++] = deb[i].sthr;
        }
    }
    double b = assay_median_of(tmp, k);
    free(tmp);
    return b;
}

/* Append to the pre-gate description (never overflows). */
static void detail_add(char *d, size_t cap, const char *fmt, ...) APO_PRINTF(3, 4);
static void detail_add(char *d, size_t cap, const char *fmt, ...)
{
    size_t len = strlen(d);
    if (len + 1 >= cap) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d + len, cap - len, fmt, ap);
    va_end(ap);
}

/* Build the automatic pre-gates from the per-sample estimates. */
static apo_status build_pregates(gate_strategy *s, const assay_input *in,
                                 const assay_sample_state *c, size_t n, const char *fsc_name,
                                 size_t ref, pregate_est *pe, const assay_options *opt,
                                 assay_result *out, const char **parent_id, apo_error *err)
{
    apo_status st = APO_OK;
    size_t nt = 0, nb = 0;
    const char *method = most_common(pe->method, n, "");
    const char *how = most_common(pe->how, n, "");
    const bool pair = c[ref].ch.fsc_a != SIZE_MAX && c[ref].ch.fsc_h != SIZE_MAX;
    const bool width = !pair && c[ref].ch.fsc_w != SIZE_MAX;
    /* compact the finite estimates (thr, lo, hi are overwritten in place) */
    for (size_t i = 0; i < n; i++) {
        if (!c[i].ok) {
            continue;
        }
        if (isfinite(pe->thr[i])) {
            pe->thr[nt++] = pe->thr[i];
        }
        if (isfinite(pe->lo[i]) && isfinite(pe->hi[i])) {
            pe->lo[nb] = pe->lo[i];
            pe->hi[nb] = pe->hi[i];
            nb++;
        }
    }
    *parent_id = NULL;
    char *detail = out->pregate_detail;
    const size_t cap = sizeof out->pregate_detail;
    detail[0] = '\0';
    out->debris_choice =
        opt->no_debris_gate ? ASSAY_PREGATE_CHOICE_OFF : ASSAY_PREGATE_CHOICE_AUTOMATIC;
    out->singlet_choice =
        opt->no_singlet_gate ? ASSAY_PREGATE_CHOICE_OFF : ASSAY_PREGATE_CHOICE_AUTOMATIC;
    if (fsc_name == NULL || nt == 0) {
        snprintf(detail, cap, "no FSC channel: no pre-gates");
        apo_result_warn(out, "no FSC channel: no debris or doublet exclusion");
        return APO_OK;
    }
    double t = assay_median_of(pe->thr, nt);
    const size_t scol = c[ref].ch.ssc_a != SIZE_MAX ? c[ref].ch.ssc_a : c[ref].ch.ssc_h;
    const double b = scol != SIZE_MAX ? shared_debris_ssc(c, n, pe->deb) : -INFINITY;
    if (opt->no_debris_gate) {
        detail_add(detail, cap, "Cells: no debris gate (--no-debris-gate; the estimate would "
                                "have been %s >= %.6g)", fsc_name, t);
    } else {
        const char *sname = isfinite(b) ? fcs_dataset_param(in[ref].ds, scol)->name : NULL;
        gate_dim d[2] = {{fsc_name, NULL, NULL, NULL}, {sname, NULL, NULL, NULL}};
        double mn[2] = {t, b}, mx[2] = {INFINITY, INFINITY};
        st = gate_strategy_add_rectangle(s, "Cells", NULL, sname != NULL ? 2 : 1, d, mn, mx,
                                         err);
        if (st != APO_OK) {
            return st;
        }
        *parent_id = "Cells";
        out->debris_gate = true;
        detail_add(detail, cap, "Cells: %s >= %.6g", fsc_name, t);
        if (sname != NULL) {
            detail_add(detail, cap, " and %s >= %.6g", sname, b);
        }
        detail_add(detail, cap, " (median over samples of the %s)", method);
        flag_debris_outliers(c, n, t, out);
        flag_debris_in_cells(c, n, out);
    }
    const char *sparent = *parent_id;
    if (opt->no_singlet_gate) {
        detail_add(detail, cap, "; Singlets: no doublet exclusion (--no-singlet-gate)");
    } else if ((pair || width) && nb > 0) { /* pair and width exclude each other */
        double l = assay_median_of(pe->lo, nb), h = assay_median_of(pe->hi, nb);
        const fcs_dataset *rds = in[ref].ds;
        if (pair) { /* l <= FSC-H / FSC-A <= h: a triangle from the origin */
            const double X = 1e9;
            double xy[6] = {0.0, 0.0, X, l * X, X, h * X};
            gate_dim dims[2] = {{fcs_dataset_param(rds, c[ref].ch.fsc_a)->name, NULL, NULL, NULL},
                                {fcs_dataset_param(rds, c[ref].ch.fsc_h)->name, NULL, NULL, NULL}};
            st = gate_strategy_add_polygon(s, "Singlets", sparent, dims, 3, xy, err);
        } else {
            gate_dim d2 = {fcs_dataset_param(rds, c[ref].ch.fsc_w)->name, NULL, NULL, NULL};
            st = gate_strategy_add_rectangle(s, "Singlets", sparent, 1, &d2, &l, &h, err);
        }
        if (st != APO_OK) {
            return st;
        }
        *parent_id = "Singlets";
        out->singlet_gate = true;
        detail_add(detail, cap,
                   pair ? "; Singlets: %.4f <= FSC-H/FSC-A <= %.4f (from the singlets' mode: %s; "
                          "medians over samples)"
                        : "; Singlets: %.6g <= FSC-W < %.6g (from the singlets' mode: %s; "
                          "medians over samples)",
                   l, h, how);
    } else {
        detail_add(detail, cap, "; Singlets: none (no FSC-A/FSC-H pair and no FSC-W)");
        apo_result_warn(out, "no FSC-A/FSC-H pair and no FSC-W: doublets are not excluded");
    }
    return APO_OK;
}

apo_status assay_pregates(const assay_input *in, assay_sample_state *c, size_t n, size_t ref,
                          const assay_options *opt, gate_strategy *s, assay_result *out,
                          const char **parent_id, apo_error *err)
{
    const size_t m = n ? n : 1;
    const fcs_dataset *rds = in[ref].ds;
    size_t fcol = c[ref].ch.fsc_a != SIZE_MAX ? c[ref].ch.fsc_a : c[ref].ch.fsc_h;
    pregate_debris *deb = calloc(m, sizeof *deb);
    double *est = malloc(3 * m * sizeof *est);
    const char **methods = malloc(2 * m * sizeof *methods);
    apo_status st = APO_OK;
    *parent_id = NULL;
    if (deb == NULL || est == NULL || methods == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    pregate_est pe = {est, est + m, est + 2 * m, methods, methods + m, deb};
    if (st == APO_OK) {
        estimate_pregates(in, c, n, ref, opt, out, &pe);
        st = assay_some_sample_left(in, c, n, out, err);
    }
    if (st == APO_OK) {
        st = build_pregates(s, in, c, n,
                            fcol == SIZE_MAX ? NULL : fcs_dataset_param(rds, fcol)->name, ref,
                            &pe, opt, out, parent_id, err);
    }
    free(deb);
    free(est);
    free(methods);
    return st;
}
