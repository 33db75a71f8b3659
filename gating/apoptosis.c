// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * apoptosis.c: gate_apo_analyze, the Annexin V / PI analysis of one experiment. It builds
 * one gate_strategy for all samples (debris and singlet pre-gates, the 2 x 2 compensation,
 * logicle scales, the AnnV x PI quadrant gate with thresholds from the controls), or takes a
 * given one, applies it to every sample and collects the quadrant statistics and QC flags.
 */
#include "apoptosis_internal.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const quad_ids[GATE_Q_COUNT] = {"viable", "early_apoptotic",
                                                   "late_apoptotic", "necrotic"};

const char *gate_quadrant_name(int q)
{
    return q >= 0 && q < GATE_Q_COUNT ? quad_ids[q] : "";
}

void gate_apo_options_init(gate_apo_options *o)
{
    memset(o, 0, sizeof *o);
    o->comp = GATE_COMPSRC_AUTO;
    o->quantile = 0.995;
    o->min_events = 500;
}

void gate_qc_flags_format(unsigned flags, char *buf, size_t cap)
{
    static const char *const names[] = {"low_events",      "control_implausible",
                                        "threshold_outlier", "flow_instability",
                                        "no_singlet_gate", "no_time_channel", "failed"};
    size_t len = 0;
    if (cap == 0) {
        return;
    }
    buf[0] = '\0';
    for (unsigned b = 0; b < sizeof names / sizeof names[0]; b++) {
        if (flags & (1u << b)) {
            int w = snprintf(buf + len, cap - len, "%s%s", len ? ";" : "", names[b]);
            if (w < 0 || (size_t)w >= cap - len) {
                return;
            }
            len += (size_t)w;
        }
    }
}

void apo_result_warn(gate_apo_result *r, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char **w = realloc(r->warnings, (r->n_warnings + 1) * sizeof *w);
    if (w == NULL) {
        return;
    }
    r->warnings = w;
    size_t n = strlen(buf) + 1;
    char *c = malloc(n);
    if (c == NULL) {
        return;
    }
    memcpy(c, buf, n);
    w[r->n_warnings++] = c;
}

void gate_apo_result_free(gate_apo_result *r)
{
    if (r == NULL) {
        return;
    }
    free(r->samples);
    if (r->owns_strategy) {
        gate_strategy_free(r->strategy);
    }
    free(r->comparisons);
    free(r->fits);
    for (size_t i = 0; i < r->n_warnings; i++) {
        free(r->warnings[i]);
    }
    free(r->warnings);
    memset(r, 0, sizeof *r);
}

/* Per-sample working state. */
typedef struct ctx {
    bool ok;
    gate_apo_channels ch;
    gate_data data;
    bool data_ok;
    uint8_t *parent;  /* membership of the quadrants' parent population (singlets) */
    double *ann, *pi; /* compensated data units */
    double *ann_t;    /* logicle scale */
} ctx;

static void ctx_free(ctx *c)
{
    if (c->data_ok) {
        gate_data_free(&c->data);
    }
    free(c->parent);
    free(c->ann);
    free(c->pi);
    free(c->ann_t);
}

static void fail_sample(gate_apo_sample *s, const char *msg)
{
    s->qc |= GATE_QC_FAILED;
    snprintf(s->error, sizeof s->error, "%s", msg);
}

/* Values of column @p col of the sample where mask (may be NULL) is set. */
static size_t masked(const double *x, const uint8_t *mask, size_t n, double *out)
{
    size_t m = 0;
    for (size_t e = 0; e < n; e++) {
        if (mask == NULL || mask[e]) {
            out[m++] = x[e];
        }
    }
    return m;
}

/* As masked, keeping every @p step-th event only (pooled estimates over many samples). */
static size_t masked_step(const double *x, const uint8_t *mask, size_t n, size_t step,
                          double *out)
{
    size_t m = 0;
    for (size_t e = 0; e < n; e += step) {
        if (mask == NULL || mask[e]) {
            out[m++] = x[e];
        }
    }
    return m;
}

/* Pooled estimates (density valley, logicle W) use at most this many events. */
#define APO_POOL_MAX 400000

static double median_of(double *v, size_t m)
{
    if (m == 0) {
        return NAN;
    }
    return gsl_stats_median(v, 1, m); /* quickselect; reorders v */
}

static int first_ok(const gate_apo_input *in, const ctx *c, size_t n, gate_role role)
{
    for (size_t i = 0; i < n; i++) {
        if (c[i].ok && in[i].role == role) {
            return (int)i;
        }
    }
    return -1;
}

/* Build the automatic pre-gates. Returns the id of the quadrants' parent population. */
static apo_status build_pregates(gate_strategy *s, const gate_apo_input *in, ctx *c, size_t n,
                                 const char *fsc_name, size_t ref, gate_apo_result *out,
                                 const char **parent_id, apo_error *err)
{
    double *thr = malloc((n ? n : 1) * sizeof *thr);
    double *lo = malloc((n ? n : 1) * sizeof *lo);
    double *hi = malloc((n ? n : 1) * sizeof *hi);
    apo_status st = APO_OK;
    if (thr == NULL || lo == NULL || hi == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
        goto done;
    }
    size_t nt = 0, nb = 0;
    const char *method = "";
    bool singlets = c[ref].ch.fsc_a != SIZE_MAX && c[ref].ch.fsc_h != SIZE_MAX;
    bool width = !singlets && c[ref].ch.fsc_w != SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        if (!c[i].ok) {
            continue;
        }
        size_t fcol = c[i].ch.fsc_a != SIZE_MAX ? c[i].ch.fsc_a : c[i].ch.fsc_h;
        if (fcol == SIZE_MAX) {
            continue;
        }
        size_t ne = (size_t)in[i].ev->n_events;
        double t = pregate_debris_threshold(fcs_events_column(in[i].ev, fcol), ne, &method);
        if (isfinite(t)) {
            thr[nt++] = t;
        }
        if (singlets && isfinite(t) && c[i].ch.fsc_a != SIZE_MAX && c[i].ch.fsc_h != SIZE_MAX &&
            pregate_singlet_band(fcs_events_column(in[i].ev, c[i].ch.fsc_a),
                                 fcs_events_column(in[i].ev, c[i].ch.fsc_h), ne, t, &lo[nb],
                                 &hi[nb])) {
            nb++;
        } else if (width && isfinite(t) && c[i].ch.fsc_w != SIZE_MAX &&
                   pregate_width_band(fcs_events_column(in[i].ev, fcol),
                                      fcs_events_column(in[i].ev, c[i].ch.fsc_w), ne, t, &lo[nb],
                                      &hi[nb])) {
            nb++;
        }
    }
    *parent_id = NULL;
    char detail[256] = "no FSC channel: no pre-gates";
    if (fsc_name != NULL && nt > 0) {
        double t = median_of(thr, nt);
        gate_dim d = {fsc_name, NULL, NULL, NULL};
        double mn = t, mx = INFINITY;
        st = gate_strategy_add_rectangle(s, "Cells", NULL, 1, &d, &mn, &mx, err);
        if (st != APO_OK) {
            goto done;
        }
        *parent_id = "Cells";
        int w = snprintf(detail, sizeof detail, "Cells: %s >= %.6g (median over samples of the %s)",
                         fsc_name, t, method);
        if (singlets && nb > 0) {
            double l = median_of(lo, nb), h = median_of(hi, nb);
            const double X = 1e9;
            double xy[6] = {0.0, 0.0, X, l * X, X, h * X};
            gate_dim dims[2] = {{fcs_dataset_param(in[ref].ds, c[ref].ch.fsc_a)->name, NULL,
                                 NULL, NULL},
                                {fcs_dataset_param(in[ref].ds, c[ref].ch.fsc_h)->name, NULL,
                                 NULL, NULL}};
            st = gate_strategy_add_polygon(s, "Singlets", "Cells", dims, 3, xy, err);
            if (st != APO_OK) {
                goto done;
            }
            *parent_id = "Singlets";
            if (w > 0 && (size_t)w < sizeof detail) {
                snprintf(detail + w, sizeof detail - (size_t)w,
                         "; Singlets: %.4f <= FSC-H/FSC-A <= %.4f (median +- max(4 robust SD, "
                         "8%%), medians over samples)",
                         l, h);
            }
        } else if (width && nb > 0) {
            double l = median_of(lo, nb), h = median_of(hi, nb);
            gate_dim d2 = {fcs_dataset_param(in[ref].ds, c[ref].ch.fsc_w)->name, NULL, NULL, NULL};
            st = gate_strategy_add_rectangle(s, "Singlets", "Cells", 1, &d2, &l, &h, err);
            if (st != APO_OK) {
                goto done;
            }
            *parent_id = "Singlets";
            if (w > 0 && (size_t)w < sizeof detail) {
                snprintf(detail + w, sizeof detail - (size_t)w,
                         "; Singlets: %.6g <= FSC-W < %.6g (median +- max(4 robust SD, 8%%), "
                         "medians over samples)",
                         l, h);
            }
        } else {
            apo_result_warn(out, "no FSC-A/FSC-H pair and no FSC-W: doublets are not excluded");
        }
    } else {
        apo_result_warn(out, "no FSC channel: no debris or doublet exclusion");
    }
    snprintf(out->pregate_detail, sizeof out->pregate_detail, "%s", detail);
done:
    free(thr);
    free(lo);
    free(hi);
    return st;
}

/* Apply @p s to sample i and fill c->parent with the membership of @p parent_idx. */
static apo_status parent_mask(const gate_strategy *s, ctx *c, size_t parent_idx,
                              gate_result *res, apo_error *err)
{
    apo_status st = gate_strategy_apply(s, &c->data, res, err);
    if (st != APO_OK) {
        return st;
    }
    size_t ne = c->data.n_events;
    free(c->parent);
    c->parent = malloc(ne ? ne : 1);
    if (c->parent == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    if (parent_idx == SIZE_MAX) {
        memset(c->parent, 1, ne);
    } else {
        memcpy(c->parent, gate_result_membership(res, parent_idx), ne);
    }
    return APO_OK;
}

static void set_threshold(gate_apo_threshold *t, double v, const char *method, const char *src)
{
    t->value = v;
    snprintf(t->method, sizeof t->method, "%s", method);
    snprintf(t->source, sizeof t->source, "%s", src);
}

/* Threshold of one marker: fixed, the quantile of a control, or the density valley. */
static apo_status place_threshold(const gate_apo_input *in, ctx *c, size_t n, bool annexin,
                                  const gate_apo_options *opt, const gate_transform *tf,
                                  gate_apo_threshold *t, apo_error *err)
{
    t->realized_pct = NAN;
    if (opt->fixed_thresholds) {
        set_threshold(t, annexin ? opt->annexin_threshold : opt->pi_threshold, "fixed",
                      "--thresholds");
        return APO_OK;
    }
    gate_role fmo = annexin ? GATE_ROLE_PI_SINGLE : GATE_ROLE_ANNEXIN_SINGLE;
    int src = first_ok(in, c, n, fmo);
    if (src < 0) {
        src = first_ok(in, c, n, GATE_ROLE_UNSTAINED);
    }
    if (src >= 0) {
        size_t ne = c[src].data.n_events;
        double *v = calloc(ne ? ne : 1, sizeof *v);
        if (v == NULL) {
            return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
        }
        size_t m = masked(annexin ? c[src].ann : c[src].pi, c[src].parent, ne, v);
        double q = gate_apo_quantile(v, m, opt->quantile);
        size_t above = 0;
        for (size_t k = 0; k < m; k++) {
            above += v[k] >= q;
        }
        free(v);
        if (isfinite(q) && m >= 50) {
            char method[48];
            snprintf(method, sizeof method, "control_quantile_%g", 100.0 * opt->quantile);
            set_threshold(t, q, method, in[src].sample);
            t->realized_pct = 100.0 * (double)above / (double)m;
            return APO_OK;
        }
    }
    /* density valley over the singlets of every stained sample, on the logicle scale */
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (c[i].ok && in[i].role != GATE_ROLE_UNSTAINED && in[i].role != fmo) {
            total += c[i].data.n_events;
        }
    }
    size_t step = total > APO_POOL_MAX ? (total + APO_POOL_MAX - 1) / APO_POOL_MAX : 1;
    double *v = malloc((total / step + n + 1) * sizeof *v);
    if (v == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (c[i].ok && in[i].role != GATE_ROLE_UNSTAINED && in[i].role != fmo) {
            m += masked_step(annexin ? c[i].ann : c[i].pi, c[i].parent, c[i].data.n_events,
                             step, v + m);
        }
    }
    for (size_t k = 0; k < m; k++) {
        v[k] = gate_transform_apply(tf, v[k]);
    }
    double y = gate_density_valley(v, m, -INFINITY, INFINITY);
    free(v);
    if (!isfinite(y)) {
        return apo_error_set(err, APO_E_NUMERIC, NULL, APO_NO_OFFSET,
                             annexin ? "Annexin V" : "PI",
                             "expected a control or a density valley to place the %s threshold, "
                             "found neither: give --thresholds A,P",
                             annexin ? "Annexin V" : "PI");
    }
    set_threshold(t, gate_transform_inverse(tf, y), "density_valley", "all stained samples");
    return APO_OK;
}

/* Logicle scale for one channel: T from $PnR / data, W by estimateLogicle, M 4.5. */
static apo_status make_scale(const gate_apo_input *in, ctx *c, size_t n, bool annexin,
                             gate_transform *tf, gate_apo_result *out, apo_error *err)
{
    double T = 0;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (!c[i].ok) {
            continue;
        }
        const fcs_param *p = fcs_dataset_param(in[i].ds, annexin ? c[i].ch.annexin : c[i].ch.pi);
        if (isfinite(p->range) && p->range > T) {
            T = p->range;
        }
        const double *x = annexin ? c[i].ann : c[i].pi;
        for (size_t e = 0; e < c[i].data.n_events; e++) {
            if (isfinite(x[e]) && x[e] > T) {
                T = x[e];
            }
        }
        total += c[i].data.n_events;
    }
    if (!(T > 1)) {
        T = 262144;
    }
    const double M = 4.5;
    size_t step = total > APO_POOL_MAX ? (total + APO_POOL_MAX - 1) / APO_POOL_MAX : 1;
    double *v = malloc((total / step + n + 1) * sizeof *v);
    if (v == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (c[i].ok) {
            m += masked_step(annexin ? c[i].ann : c[i].pi, c[i].parent, c[i].data.n_events,
                             step, v + m);
        }
    }
    double w = 0;
    apo_error e2;
    if (gate_logicle_estimate_w(v, m, T, M, &w, &e2) != APO_OK || !isfinite(w) || w < 0) {
        w = 0;
    }
    if (w > 2.0) {
        w = 2.0;
    }
    free(v);
    apo_status st = gate_transform_init_logicle(tf, T, w, M, 0, err);
    if (st != APO_OK) {
        apo_result_warn(out, "logicle(T=%g, W=%g) refused; using W=0.5", T, w);
        st = gate_transform_init_logicle(tf, T, 0.5, M, 0, err);
    }
    return st;
}

/* Per-sample statistics from the final gating. */
static apo_status sample_stats(const gate_strategy *s, gate_role role, ctx *c,
                               size_t q_idx[GATE_Q_COUNT], size_t parent_idx,
                               const gate_dim dims[2], gate_apo_sample *smp, apo_error *err)
{
    gate_result res = {0};
    apo_status st = parent_mask(s, c, parent_idx, &res, err);
    if (st != APO_OK) {
        return st;
    }
    size_t ne = c->data.n_events;
    free(c->ann);
    free(c->pi);
    free(c->ann_t);
    c->ann = malloc((ne ? ne : 1) * sizeof(double));
    c->pi = malloc((ne ? ne : 1) * sizeof(double));
    c->ann_t = malloc((ne ? ne : 1) * sizeof(double));
    double *tmp = malloc((ne ? ne : 1) * sizeof(double));
    if (c->ann == NULL || c->pi == NULL || c->ann_t == NULL || tmp == NULL) {
        free(tmp);
        gate_result_free(&res);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    st = gate_dim_values(s, &c->data, &dims[0], false, c->ann, err);
    if (st == APO_OK) {
        st = gate_dim_values(s, &c->data, &dims[1], false, c->pi, err);
    }
    if (st == APO_OK) {
        st = gate_dim_values(s, &c->data, &dims[0], true, c->ann_t, err);
    }
    if (st != APO_OK) {
        free(tmp);
        gate_result_free(&res);
        return st;
    }
    smp->events = ne;
    smp->singlets = 0;
    for (size_t e = 0; e < ne; e++) {
        smp->singlets += c->parent[e];
    }
    size_t gp = parent_idx == SIZE_MAX ? SIZE_MAX : gate_strategy_parent(s, parent_idx);
    smp->cells = gp == SIZE_MAX ? smp->singlets : res.count[gp];
    smp->apoptotic_pct = 0;
    for (int q = 0; q < GATE_Q_COUNT; q++) {
        const uint8_t *mem = gate_result_membership(&res, q_idx[q]);
        smp->count[q] = res.count[q_idx[q]];
        smp->pct[q] = smp->singlets ? 100.0 * (double)smp->count[q] / (double)smp->singlets : NAN;
        size_t m = masked(c->ann, mem, ne, tmp);
        smp->median_annexin[q] = median_of(tmp, m);
        m = masked(c->pi, mem, ne, tmp);
        smp->median_pi[q] = median_of(tmp, m);
    }
    smp->apoptotic_pct = smp->pct[GATE_Q_EARLY] + smp->pct[GATE_Q_LATE];
    /* the sample's own AnnV valley, for the threshold-outlier QC */
    smp->annexin_valley = NAN;
    if (role != GATE_ROLE_UNSTAINED && role != GATE_ROLE_PI_SINGLE) {
        size_t m = masked(c->ann_t, c->parent, ne, tmp);
        smp->annexin_valley = gate_density_valley(tmp, m, -INFINITY, INFINITY);
    }
    free(tmp);
    gate_result_free(&res);
    return APO_OK;
}

static void sample_qc(const gate_apo_input *in, const ctx *c, const gate_apo_options *opt,
                      bool singlet_gate, gate_apo_sample *s)
{
    char *d = s->qc_detail;
    size_t cap = sizeof s->qc_detail, len = strlen(d);
#define QC_NOTE(...)                                                                           \
    do {                                                                                       \
        int w_ = snprintf(d + len, cap - len, "%s", len ? "; " : "");                          \
        if (w_ >= 0 && (size_t)w_ < cap - len) {                                              \
            len += (size_t)w_;                                                                 \
            w_ = snprintf(d + len, cap - len, __VA_ARGS__);                                    \
            if (w_ > 0 && (size_t)w_ < cap - len) {                                            \
                len += (size_t)w_;                                                             \
            }                                                                                  \
        }                                                                                      \
    } while (0)
    if (s->singlets < opt->min_events) {
        s->qc |= GATE_QC_LOW_EVENTS;
        QC_NOTE("%llu singlets < %llu", (unsigned long long)s->singlets,
                (unsigned long long)opt->min_events);
    }
    double annpos = s->pct[GATE_Q_EARLY] + s->pct[GATE_Q_LATE];
    double pipos = s->pct[GATE_Q_LATE] + s->pct[GATE_Q_NECROTIC];
    switch (in->role) {
    case GATE_ROLE_UNSTAINED:
        if (annpos > 5 || pipos > 5) {
            s->qc |= GATE_QC_CONTROL_IMPLAUSIBLE;
            QC_NOTE("unstained control %.1f%% AnnV+, %.1f%% PI+ (expected < 5%%)", annpos, pipos);
        }
        break;
    case GATE_ROLE_ANNEXIN_SINGLE:
        if (annpos < 5 || pipos > 5) {
            s->qc |= GATE_QC_CONTROL_IMPLAUSIBLE;
            QC_NOTE("AnnV-only control %.1f%% AnnV+ (expected >= 5%%), %.1f%% PI+ (expected < 5%%)",
                    annpos, pipos);
        }
        break;
    case GATE_ROLE_PI_SINGLE:
        if (pipos < 5 || annpos > 5) {
            s->qc |= GATE_QC_CONTROL_IMPLAUSIBLE;
            QC_NOTE("PI-only control %.1f%% PI+ (expected >= 5%%), %.1f%% AnnV+ (expected < 5%%)",
                    pipos, annpos);
        }
        break;
    default:
        break;
    }
    if (!singlet_gate) {
        s->qc |= GATE_QC_NO_SINGLET_GATE;
    }
    if (c->ch.time == SIZE_MAX) {
        s->qc |= GATE_QC_NO_TIME;
        s->flow_max_dev = NAN;
    } else {
        s->flow_max_dev = qc_flow_deviation(fcs_events_column(in->ev, c->ch.time),
                                            (size_t)in->ev->n_events);
        if (isfinite(s->flow_max_dev) && s->flow_max_dev > 0.5) {
            s->qc |= GATE_QC_FLOW_INSTABILITY;
            QC_NOTE("event rate over Time deviates up to %.0f%% from its median", 100 * s->flow_max_dev);
        }
    }
#undef QC_NOTE
}

/* Find the quadrant populations of a strategy; SIZE_MAX entries when missing. */
static apo_status find_quadrants(const gate_strategy *s, size_t q_idx[GATE_Q_COUNT],
                                 size_t *parent_idx, gate_dim dims[2], apo_error *err)
{
    for (int q = 0; q < GATE_Q_COUNT; q++) {
        q_idx[q] = gate_strategy_find(s, quad_ids[q]);
        if (q_idx[q] == SIZE_MAX) {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, quad_ids[q],
                                 "expected a quadrant with id \"%s\" in the gating (viable, "
                                 "early_apoptotic, late_apoptotic, necrotic), found none",
                                 quad_ids[q]);
        }
    }
    gate_info info;
    gate_strategy_gate(s, q_idx[GATE_Q_EARLY], &info);
    if (info.kind != GATE_QUADRANT || info.n_dims != 2) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, quad_ids[1],
                             "expected \"early_apoptotic\" to be a quadrant on 2 dimensions");
    }
    dims[0] = info.dims[0];
    dims[1] = info.dims[1];
    *parent_idx = gate_strategy_parent(s, q_idx[GATE_Q_VIABLE]);
    return APO_OK;
}

/* Read a threshold back from a quadrant's bounds (dimension k, "+" side minimum). */
static void threshold_from_strategy(const gate_strategy *s, size_t early, size_t late, int k,
                                    gate_apo_threshold *t)
{
    gate_info info;
    gate_strategy_gate(s, k == 0 ? early : late, &info);
    double y = info.min[k];
    t->scaled = y;
    const gate_transform *tf =
        info.dims[k].transform_ref ? gate_strategy_transform(s, info.dims[k].transform_ref) : NULL;
    t->value = tf ? gate_transform_inverse(tf, y) : y;
}

apo_status gate_apo_analyze(const gate_apo_input *in, size_t n, const gate_apo_options *opt,
                            gate_apo_result *out, apo_error *err)
{
    memset(out, 0, sizeof *out);
    out->samples = calloc(n ? n : 1, sizeof *out->samples);
    ctx *c = calloc(n ? n : 1, sizeof *c);
    apo_status st = APO_OK;
    if (out->samples == NULL || c == NULL) {
        free(c);
        gate_apo_result_free(out);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    out->n_samples = n;
    /* 1. channels */
    int ref = -1;
    for (size_t i = 0; i < n; i++) {
        gate_apo_sample *s = &out->samples[i];
        apo_error e2;
        if (in[i].ev == NULL || in[i].ds == NULL) {
            fail_sample(s, "no events");
            continue;
        }
        if (gate_apo_find_channels(in[i].ds, opt->annexin_channel, opt->pi_channel, &c[i].ch,
                                   &e2) != APO_OK) {
            fail_sample(s, e2.msg);
            continue;
        }
        snprintf(s->annexin_name, sizeof s->annexin_name, "%s",
                 fcs_dataset_param(in[i].ds, c[i].ch.annexin)->name);
        snprintf(s->pi_name, sizeof s->pi_name, "%s", fcs_dataset_param(in[i].ds, c[i].ch.pi)->name);
        if (ref >= 0 && (strcmp(s->annexin_name, out->samples[ref].annexin_name) != 0 ||
                         strcmp(s->pi_name, out->samples[ref].pi_name) != 0)) {
            char msg[400];
            snprintf(msg, sizeof msg,
                     "expected the channels of the first sample (%.40s, %.40s), found %.40s, %.40s: "
                     "analyse different instruments separately",
                     out->samples[ref].annexin_name, out->samples[ref].pi_name, s->annexin_name,
                     s->pi_name);
            fail_sample(s, msg);
            continue;
        }
        if (gate_data_init(&c[i].data, in[i].ds, in[i].ev, &e2) != APO_OK) {
            fail_sample(s, e2.msg);
            continue;
        }
        c[i].data_ok = true;
        c[i].ok = true;
        if (ref < 0) {
            ref = (int)i;
        }
    }
    if (ref < 0) {
        st = apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                           "expected at least one sample with Annexin V and PI channels, found "
                           "none%s%s",
                           n ? ": " : "", n ? out->samples[0].error : "");
        goto fail;
    }
    snprintf(out->annexin_channel, sizeof out->annexin_channel, "%s",
             out->samples[ref].annexin_name);
    snprintf(out->pi_channel, sizeof out->pi_channel, "%s", out->samples[ref].pi_name);
    snprintf(out->annexin_why, sizeof out->annexin_why, "%s", c[ref].ch.annexin_why);
    snprintf(out->pi_why, sizeof out->pi_why, "%s", c[ref].ch.pi_why);

    size_t q_idx[GATE_Q_COUNT], parent_idx = SIZE_MAX;
    gate_dim dims[2];
    if (opt->gating != NULL) {
        /* 2'. a given gating: use it as it is */
        out->strategy = (gate_strategy *)opt->gating;
        out->owns_strategy = false;
        st = find_quadrants(opt->gating, q_idx, &parent_idx, dims, err);
        if (st != APO_OK) {
            goto fail;
        }
        snprintf(out->comp_source, sizeof out->comp_source, "gating_file");
        snprintf(out->comp_detail, sizeof out->comp_detail, "as in the Gating-ML file (%s)",
                 dims[0].comp_ref ? dims[0].comp_ref : "uncompensated");
        snprintf(out->pregate_detail, sizeof out->pregate_detail, "from the Gating-ML file");
        out->spill[0] = out->spill[3] = 1;
        out->spill[1] = out->spill[2] = NAN;
        if (dims[0].comp_ref && strcmp(dims[0].comp_ref, "comp") == 0) {
            out->spill[1] = out->spill[2] = NAN; /* see gating.xml */
        }
        threshold_from_strategy(opt->gating, q_idx[GATE_Q_EARLY], q_idx[GATE_Q_NECROTIC], 0,
                                &out->annexin);
        threshold_from_strategy(opt->gating, q_idx[GATE_Q_EARLY], q_idx[GATE_Q_NECROTIC], 1,
                                &out->pi);
        set_threshold(&out->annexin, out->annexin.value, "gating_file", "--gating");
        set_threshold(&out->pi, out->pi.value, "gating_file", "--gating");
        out->annexin.realized_pct = out->pi.realized_pct = NAN;
        const gate_transform *ta =
            dims[0].transform_ref ? gate_strategy_transform(opt->gating, dims[0].transform_ref) : NULL;
        const gate_transform *tp =
            dims[1].transform_ref ? gate_strategy_transform(opt->gating, dims[1].transform_ref) : NULL;
        if (ta) {
            out->annexin_scale = *ta;
        } else {
            gate_transform_init_linear(&out->annexin_scale);
        }
        if (tp) {
            out->pi_scale = *tp;
        } else {
            gate_transform_init_linear(&out->pi_scale);
        }
    } else {
        /* 2. pre-gates */
        gate_strategy *s = NULL;
        st = gate_strategy_new(&s, err);
        if (st != APO_OK) {
            goto fail;
        }
        out->strategy = s;
        out->owns_strategy = true;
        const fcs_dataset *rds = in[ref].ds;
        size_t fcol = c[ref].ch.fsc_a != SIZE_MAX ? c[ref].ch.fsc_a : c[ref].ch.fsc_h;
        const char *parent_id = NULL;
        st = build_pregates(s, in, c, n, fcol == SIZE_MAX ? NULL : fcs_dataset_param(rds, fcol)->name,
                            (size_t)ref, out, &parent_id, err);
        if (st != APO_OK) {
            goto fail;
        }
        parent_idx = parent_id ? gate_strategy_find(s, parent_id) : SIZE_MAX;
        for (size_t i = 0; i < n; i++) {
            if (!c[i].ok) {
                continue;
            }
            gate_result res = {0};
            apo_error e2;
            if (parent_mask(s, &c[i], parent_idx, &res, &e2) != APO_OK) {
                fail_sample(&out->samples[i], e2.msg);
                c[i].ok = false;
            }
            gate_result_free(&res);
        }
        /* 3. compensation */
        double S[4] = {1, 0, 0, 1};
        const char *an = out->annexin_channel, *pn = out->pi_channel;
        bool done = false;
        gate_comp_source src = opt->comp;
        if (src == GATE_COMPSRC_MATRIX) {
            if (!apo_comp_from_matrix(opt->matrix, an, pn, S, out->comp_detail,
                                      sizeof out->comp_detail)) {
                st = apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "--comp",
                                   "expected the matrix to name the detectors %s and %s, found "
                                   "other names",
                                   an, pn);
                goto fail;
            }
            snprintf(out->comp_source, sizeof out->comp_source, "matrix");
            done = true;
        } else if (src == GATE_COMPSRC_NONE) {
            snprintf(out->comp_source, sizeof out->comp_source, "none");
            snprintf(out->comp_detail, sizeof out->comp_detail, "--comp none");
            done = true;
        }
        if (!done && (src == GATE_COMPSRC_AUTO || src == GATE_COMPSRC_CONTROLS)) {
            int u = first_ok(in, c, n, GATE_ROLE_UNSTAINED);
            int a = first_ok(in, c, n, GATE_ROLE_ANNEXIN_SINGLE);
            int p = first_ok(in, c, n, GATE_ROLE_PI_SINGLE);
            if (u >= 0 && a >= 0 && p >= 0) {
                apo_error e2;
                if (apo_comp_from_controls(&in[u], c[u].parent, &in[a], c[a].parent, &in[p],
                                           c[p].parent, c[ref].ch.annexin, c[ref].ch.pi, an, pn, S,
                                           out->comp_detail, sizeof out->comp_detail,
                                           &e2) == APO_OK) {
                    snprintf(out->comp_source, sizeof out->comp_source, "controls");
                    done = true;
                } else {
                    apo_result_warn(out, "spillover from the controls failed: %s", e2.msg);
                }
            } else if (src == GATE_COMPSRC_CONTROLS) {
                apo_result_warn(out, "the sheet lacks an unstained, annexin_single or pi_single "
                                     "control: cannot compute the spillover from controls");
            }
        }
        if (!done && src != GATE_COMPSRC_NONE) {
            if (apo_comp_from_file(in[ref].ds, an, pn, S, out->comp_detail,
                                   sizeof out->comp_detail)) {
                snprintf(out->comp_source, sizeof out->comp_source, "file");
                done = true;
            }
        }
        if (!done) {
            snprintf(out->comp_source, sizeof out->comp_source, "none");
            snprintf(out->comp_detail, sizeof out->comp_detail,
                     "no controls and no spillover keyword for %.40s/%.40s", an, pn);
            apo_result_warn(out, "data are not compensated: %s", out->comp_detail);
        }
        memcpy(out->spill, S, sizeof S);
        const char *names[2] = {an, pn};
        /* a file's or given matrix is applied whole (other dyes may spill into the PI
         * detector in multicolour panels); a matrix from the controls is the 2 x 2 */
        size_t full_n = 0;
        char *const *full_names = NULL;
        const double *full_values = NULL;
        if (strcmp(out->comp_source, "file") == 0) {
            const fcs_spillover *sp = fcs_dataset_spillover(in[ref].ds);
            full_n = sp->n;
            full_names = sp->names;
            full_values = sp->values;
        } else if (strcmp(out->comp_source, "matrix") == 0) {
            full_n = opt->matrix->n;
            full_names = opt->matrix->detectors;
            full_values = opt->matrix->spill;
        }
        if (strcmp(out->comp_source, "none") != 0) {
            /* gating.md 2.3: an ill-conditioned matrix makes compensated values fragile. */
            gate_comp *chk = NULL;
            apo_error e3;
            const bool whole = full_n > 2;
            if (gate_comp_new(&chk, whole ? full_n : 2,
                              whole ? (const char *const *)full_names : names, NULL,
                              whole ? full_values : S, &e3) == APO_OK &&
                chk->ill_conditioned) {
                apo_result_warn(out,
                                "the spillover matrix (%s) is ill-conditioned: condition number "
                                "%.3g, largest off-diagonal %.3g; compensated values are "
                                "sensitive to small errors in it",
                                out->comp_source, chk->cond2, chk->max_offdiag);
            }
            gate_comp_free(chk);
        }
        if (full_n > 2) {
            st = gate_strategy_add_spillover(s, "comp", full_n, (const char *const *)full_names,
                                             full_n, (const char *const *)full_names,
                                             full_values, false, err);
        } else {
            st = gate_strategy_add_spillover(s, "comp", 2, names, 2, names, S, false, err);
        }
        if (st != APO_OK) {
            goto fail;
        }
        /* compensated values for thresholds and scales */
        gate_dim raw[2] = {{an, "comp", NULL, NULL}, {pn, "comp", NULL, NULL}};
        for (size_t i = 0; i < n; i++) {
            if (!c[i].ok) {
                continue;
            }
            size_t ne = c[i].data.n_events;
            c[i].ann = malloc((ne ? ne : 1) * sizeof(double));
            c[i].pi = malloc((ne ? ne : 1) * sizeof(double));
            apo_error e2;
            if (c[i].ann == NULL || c[i].pi == NULL) {
                st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
                goto fail;
            }
            if (gate_dim_values(s, &c[i].data, &raw[0], false, c[i].ann, &e2) != APO_OK ||
                gate_dim_values(s, &c[i].data, &raw[1], false, c[i].pi, &e2) != APO_OK) {
                fail_sample(&out->samples[i], e2.msg);
                c[i].ok = false;
            }
        }
        /* 4. scales and thresholds */
        st = make_scale(in, c, n, true, &out->annexin_scale, out, err);
        if (st == APO_OK) {
            st = make_scale(in, c, n, false, &out->pi_scale, out, err);
        }
        if (st == APO_OK) {
            st = place_threshold(in, c, n, true, opt, &out->annexin_scale, &out->annexin, err);
        }
        if (st == APO_OK) {
            st = place_threshold(in, c, n, false, opt, &out->pi_scale, &out->pi, err);
        }
        if (st != APO_OK) {
            goto fail;
        }
        out->annexin.scaled = gate_transform_apply(&out->annexin_scale, out->annexin.value);
        out->pi.scaled = gate_transform_apply(&out->pi_scale, out->pi.value);
        /* report the effective thresholds exactly as a re-read gating.xml gives them */
        out->annexin.value = gate_transform_inverse(&out->annexin_scale, out->annexin.scaled);
        out->pi.value = gate_transform_inverse(&out->pi_scale, out->pi.scaled);
        st = gate_strategy_add_transform(s, "annexin_logicle", &out->annexin_scale, err);
        if (st == APO_OK) {
            st = gate_strategy_add_transform(s, "pi_logicle", &out->pi_scale, err);
        }
        gate_dim qd[2] = {{an, "comp", "annexin_logicle", NULL}, {pn, "comp", "pi_logicle", NULL}};
        if (st == APO_OK) {
            st = gate_strategy_add_quadrants_2d(s, "AnnV_PI", parent_id, qd, out->annexin.scaled,
                                                out->pi.scaled, quad_ids, err);
        }
        if (st != APO_OK) {
            goto fail;
        }
        st = find_quadrants(s, q_idx, &parent_idx, dims, err);
        if (st != APO_OK) {
            goto fail;
        }
    }
    /* 5. statistics and QC per sample (one sample's working arrays at a time) */
    for (size_t i = 0; i < n; i++) {
        free(c[i].ann);
        free(c[i].pi);
        free(c[i].ann_t);
        c[i].ann = c[i].pi = c[i].ann_t = NULL;
    }
    size_t n_ok = 0;
    for (size_t i = 0; i < n; i++) {
        if (!c[i].ok) {
            continue;
        }
        apo_error e2;
        if (sample_stats(out->strategy, in[i].role, &c[i], q_idx, parent_idx, dims, &out->samples[i],
                         &e2) != APO_OK) {
            fail_sample(&out->samples[i], e2.msg);
            c[i].ok = false;
            continue;
        }
        sample_qc(&in[i], &c[i], opt, gate_strategy_find(out->strategy, "Singlets") != SIZE_MAX,
                  &out->samples[i]);
        free(c[i].ann);
        free(c[i].pi);
        free(c[i].ann_t);
        free(c[i].parent);
        c[i].ann = c[i].pi = c[i].ann_t = NULL;
        c[i].parent = NULL;
        n_ok++;
    }
    if (n_ok == 0) {
        st = apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                           "expected at least one sample the gating applies to, found none: %s",
                           out->samples[ref].error);
        goto fail;
    }
    /* threshold outliers: a sample's own AnnV valley far from the others' */
    {
        double *v = malloc(n * sizeof *v);
        size_t m = 0;
        for (size_t i = 0; v != NULL && i < n; i++) {
            if (c[i].ok && isfinite(out->samples[i].annexin_valley)) {
                v[m++] = out->samples[i].annexin_valley;
            }
        }
        if (v != NULL && m >= 3) {
            double med = median_of(v, m);
            for (size_t i = 0; i < n; i++) {
                double y = out->samples[i].annexin_valley;
                if (c[i].ok && isfinite(y) && fabs(y - med) > 0.1) {
                    gate_apo_sample *s = &out->samples[i];
                    s->qc |= GATE_QC_THRESHOLD_OUTLIER;
                    size_t len = strlen(s->qc_detail);
                    snprintf(s->qc_detail + len, sizeof s->qc_detail - len,
                             "%sown AnnV valley %.3f vs median %.3f (logicle scale)",
                             len ? "; " : "", y, med);
                }
            }
        }
        free(v);
        for (size_t i = 0; i < n; i++) {
            double y = out->samples[i].annexin_valley;
            out->samples[i].annexin_valley =
                isfinite(y) ? gate_transform_inverse(&out->annexin_scale, y) : NAN;
        }
    }
    for (size_t i = 0; i < n; i++) {
        ctx_free(&c[i]);
    }
    free(c);
    st = gate_apo_compare(in, n, out, err);
    if (st != APO_OK) {
        gate_apo_result_free(out);
    }
    return st;
fail:
    for (size_t i = 0; i < n; i++) {
        ctx_free(&c[i]);
    }
    free(c);
    gate_apo_result_free(out);
    return st;
}

apo_status gate_apo_sample_events(const gate_apo_result *r, const gate_apo_input *in,
                                  uint8_t **singlet, uint8_t **quadrant, double **annexin,
                                  double **pi, apo_error *err)
{
    *singlet = *quadrant = NULL;
    *annexin = *pi = NULL;
    size_t q_idx[GATE_Q_COUNT], parent_idx;
    gate_dim dims[2];
    apo_status st = find_quadrants(r->strategy, q_idx, &parent_idx, dims, err);
    if (st != APO_OK) {
        return st;
    }
    ctx c = {0};
    st = gate_data_init(&c.data, in->ds, in->ev, err);
    if (st != APO_OK) {
        return st;
    }
    c.data_ok = true;
    gate_result res = {0};
    st = parent_mask(r->strategy, &c, parent_idx, &res, err);
    size_t ne = c.data.n_events;
    if (st == APO_OK) {
        *quadrant = malloc(ne ? ne : 1);
        *annexin = malloc((ne ? ne : 1) * sizeof(double));
        *pi = malloc((ne ? ne : 1) * sizeof(double));
        if (*quadrant == NULL || *annexin == NULL || *pi == NULL) {
            st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
        }
    }
    if (st == APO_OK) {
        st = gate_dim_values(r->strategy, &c.data, &dims[0], false, *annexin, err);
    }
    if (st == APO_OK) {
        st = gate_dim_values(r->strategy, &c.data, &dims[1], false, *pi, err);
    }
    if (st == APO_OK) {
        memset(*quadrant, 255, ne);
        for (int q = 0; q < GATE_Q_COUNT; q++) {
            const uint8_t *m = gate_result_membership(&res, q_idx[q]);
            for (size_t e = 0; e < ne; e++) {
                if (m[e]) {
                    (*quadrant)[e] = (uint8_t)q;
                }
            }
        }
        *singlet = c.parent;
        c.parent = NULL;
    } else {
        free(*quadrant);
        free(*annexin);
        free(*pi);
        *quadrant = NULL;
        *annexin = *pi = NULL;
    }
    gate_result_free(&res);
    ctx_free(&c);
    return st;
}
