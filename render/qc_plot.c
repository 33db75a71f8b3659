/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * qc_plot.c: the QC plot of FCS files (qc_plot.h): each file read (channels, gating,
 * compensation, the plotted values of a bounded subsample, exact numbers streamed over every
 * event), then the axes shared by every plot, the quadrant and gate overlays (drawn as
 * applied), the titles and the provenance chunks, and one PNG; or, with path, the gating
 * path of a population (qc_plot_path.c).
 */
#include "render/qc_plot.h"
#include "render/qc_plot_path.h"

#include "gating/gate.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- channels ---------------------------------------------------------------------------- */

static apo_status unknown_channel(const apo_observer *obs, const char *file,
                                  const fcs_dataset *ds, const char *name)
{
    apo_observe_note(obs, APO_NOTE_ERROR,
                     "%s: expected a channel named \"%s\" ($PnN or $PnS), found none; the "
                     "file's channels are:",
                     file, name);
    for (size_t i = 0; i < fcs_dataset_n_params(ds); i++) {
        const fcs_param *p = fcs_dataset_param(ds, i);
        if (p->label[0] && strcasecmp(p->label, p->name) != 0) {
            apo_observe_note(obs, APO_NOTE_DETAIL, "%s (%s)", p->name, p->label);
        } else {
            apo_observe_note(obs, APO_NOTE_DETAIL, "%s", p->name);
        }
    }
    return APO_E_USAGE;
}

/* What the axes need of a channel, copied so the file can be closed early. */
typedef struct chan_info {
    char name[128];
    char label[128];
    double top;          /* top of scale in scale units: $PnR, or the top of a $PnE range */
    bool log_amplified;  /* $PnE with decades > 0 */
    bool scatter_or_time;
} chan_info;

static void chan_info_init(chan_info *c, const fcs_param *p)
{
    snprintf(c->name, sizeof c->name, "%s", p->name);
    snprintf(c->label, sizeof c->label, "%s", p->label);
    double t = p->range;
    if (p->log_decades > 0) {
        t = p->log_offset * pow(10, p->log_decades);
    }
    c->top = isfinite(t) && t > 1 ? t : 262144;
    c->log_amplified = p->log_decades > 0;
    /* FSC-A, SSC-H, Beckman's "FS INT LIN" / "SS", Sony's "BSC-A", Time, HDR-T ... */
    bool fs_ss = (strncasecmp(p->name, "FS", 2) == 0 || strncasecmp(p->name, "SS", 2) == 0 ||
                  strncasecmp(p->name, "BS", 2) == 0) &&
                 (p->name[2] == '\0' || p->name[2] == ' ' || p->name[2] == '-' ||
                  p->name[2] == 'C' || p->name[2] == 'c');
    c->scatter_or_time = p->is_time || fs_ss || strncasecmp(p->name, "Time", 4) == 0;
}

/*
 * The display transform of one axis, shared by every plot of the panel (so they compare);
 * *desc receives a description for the PNG comment. Logicle W is the largest estimate over
 * the samples (every sample's negatives fit), 0.5 when none has negatives.
 */
static apo_status axis_transform(const char *scale, const chan_info *c, size_t n_samples,
                                 const double *const *x, const size_t *n, gate_transform *t,
                                 char *desc, size_t cap, apo_error *err)
{
    /* log-amplified channels ($PnE) hold 10^0..10^decades: a log axis shows them best */
    const char *s = scale ? scale
                          : (c->scatter_or_time ? "linear"
                                                : (c->log_amplified ? "log" : "logicle"));
    if (strcmp(s, "linear") == 0) {
        gate_transform_init_linear(t);
        snprintf(desc, cap, "linear");
    } else if (strcmp(s, "log") == 0) {
        gate_transform_init_log10(t);
        snprintf(desc, cap, "log10");
    } else if (strcmp(s, "asinh") == 0) {
        snprintf(desc, cap, "asinh(x/150)");
        return gate_transform_init_asinh(t, 150, err);
    } else {
        double T = c->top, M = 4.5, W = 0;
        for (size_t i = 0; i < n_samples; i++) {
            apo_error ignored;
            double w = NAN;
            if (n[i] > 0 && gate_logicle_estimate_w(x[i], n[i], T, M, &w, &ignored) == APO_OK &&
                isfinite(w) && w > W) {
                W = w;
            }
        }
        W = W > 0 ? (W > 2 ? 2 : (W < 0.1 ? 0.1 : W)) : 0.5;
        snprintf(desc, cap, "logicle(T=%g,W=%.3g,M=4.5,A=0)", T, W);
        return gate_transform_init_logicle(t, T, W, M, 0, err);
    }
    return APO_OK;
}

/* ---- gating ------------------------------------------------------------------------------ */

/* Gates and quadrants to draw, with storage for their converted coordinates. */
typedef struct overlay_set {
    size_t n_gates;
    render_gate gates[16];
    double *coords[16];
    char *names[16];
    bool has_quadrant;
    render_quadrant quadrant;
    char qlabels[4][96];
} overlay_set;

static void overlay_free(overlay_set *o)
{
    for (size_t i = 0; i < o->n_gates; i++) {
        free(o->coords[i]);
        free(o->names[i]);
    }
    o->n_gates = 0;
}

static bool dim_is(const gate_dim *d, const chan_info *p)
{
    return d->name && d->ratio_ref == NULL &&
           (strcasecmp(d->name, p->name) == 0 || (p->label[0] && strcasecmp(d->name, p->label) == 0));
}

/* Data-unit value of a gate coordinate given on the dimension's transformed scale. */
static double to_data(const gate_strategy *s, const gate_dim *d, double v)
{
    if (!d->transform_ref || isinf(v) || isnan(v)) return v;
    const gate_transform *t = gate_strategy_transform(s, d->transform_ref);
    return t ? gate_transform_inverse(t, v) : v;
}

/* The transform a gate coordinate of dimension @p d is on (NULL: data units). */
static const gate_transform *dim_space(const gate_strategy *s, const gate_dim *d)
{
    return d->transform_ref ? gate_strategy_transform(s, d->transform_ref) : NULL;
}

/*
 * Add gate @p gi drawn as applied: coordinates stay in the gate's own space (its dimensions'
 * transforms), the renderer traces its edges onto the axes. @p xd / @p yd: the gate dimension
 * on x / y, or -1 for a 1-D range drawn across that axis.
 */
static void add_gate(overlay_set *o, const gate_strategy *s, const gate_info *gi, int xd, int yd,
                     double pct)
{
    if (o->n_gates >= 16) return;
    render_gate *g = &o->gates[o->n_gates];
    memset(g, 0, sizeof *g);
    double *c = NULL;
    if (gi->kind == GATE_POLYGON) {
        c = malloc(2 * gi->n_vertices * sizeof *c);
        if (!c) return;
        for (size_t v = 0; v < gi->n_vertices; v++) {
            c[2 * v] = gi->vertices[2 * v + (size_t)xd];
            c[2 * v + 1] = gi->vertices[2 * v + (size_t)yd];
        }
        g->shape = RENDER_SHAPE_POLYGON;
        g->n_vertices = gi->n_vertices;
    } else if (gi->kind == GATE_RECTANGLE) {
        c = malloc(4 * sizeof *c);
        if (!c) return;
        c[0] = xd < 0 ? -INFINITY : gi->min[xd];
        c[1] = yd < 0 ? -INFINITY : gi->min[yd];
        c[2] = xd < 0 ? INFINITY : gi->max[xd];
        c[3] = yd < 0 ? INFINITY : gi->max[yd];
        g->shape = RENDER_SHAPE_RECTANGLE;
    } else if (gi->kind == GATE_ELLIPSOID && gi->n_dims == 2) {
        size_t x = (size_t)xd, y = (size_t)yd;
        g->shape = RENDER_SHAPE_ELLIPSE;
        g->cx = gi->mean[x];
        g->cy = gi->mean[y];
        g->covariance[0] = gi->covariance[x * 2 + x];
        g->covariance[1] = gi->covariance[x * 2 + y];
        g->covariance[2] = gi->covariance[y * 2 + x];
        g->covariance[3] = gi->covariance[y * 2 + y];
        g->distance_square = gi->distance_square;
    } else {
        return;
    }
    g->x_space = xd < 0 ? NULL : dim_space(s, &gi->dims[xd]);
    g->y_space = yd < 0 ? NULL : dim_space(s, &gi->dims[yd]);
    g->xy = c;
    g->pct = pct;
    o->coords[o->n_gates] = c;
    o->names[o->n_gates] = strdup(gi->id);
    g->name = o->names[o->n_gates];
    o->n_gates++;
}

/* Child gates of population @p pop drawn on (px, py) (py NULL: a histogram of px): outlines,
 * 1-D ranges as bands, and quadrants. */
static void collect_overlays(overlay_set *o, const gate_strategy *s, const gate_result *r,
                             size_t pop, const chan_info *px, const chan_info *py)
{
    size_t ng = gate_strategy_n_gates(s);
    double parent = pop == SIZE_MAX ? (double)r->n_events : (double)r->count[pop];
    for (size_t g = 0; g < ng; g++) {
        if (gate_strategy_parent(s, g) != pop) continue;
        gate_info gi;
        gate_strategy_gate(s, g, &gi);
        double pct = parent > 0 ? 100.0 * (double)r->count[g] / parent : NAN;
        if (gi.kind == GATE_RECTANGLE && gi.n_dims == 1) {
            if (dim_is(&gi.dims[0], px)) {
                add_gate(o, s, &gi, 0, -1, pct);
            } else if (py && dim_is(&gi.dims[0], py)) {
                add_gate(o, s, &gi, -1, 0, pct);
            }
        } else if (!py) {
            continue;
        } else if ((gi.kind == GATE_POLYGON || gi.kind == GATE_RECTANGLE ||
                    gi.kind == GATE_ELLIPSOID) && gi.n_dims == 2) {
            if (dim_is(&gi.dims[0], px) && dim_is(&gi.dims[1], py)) {
                add_gate(o, s, &gi, 0, 1, pct);
            } else if (dim_is(&gi.dims[1], px) && dim_is(&gi.dims[0], py)) {
                add_gate(o, s, &gi, 1, 0, pct);
            }
        } else if (gi.kind == GATE_QUADRANT && gi.n_dims == 2 && !o->has_quadrant) {
            /* a quadrant of a 2-D QuadrantGate: its lower bounds give the corner */
            bool xfirst = dim_is(&gi.dims[0], px) && dim_is(&gi.dims[1], py);
            bool yfirst = dim_is(&gi.dims[1], px) && dim_is(&gi.dims[0], py);
            if (!xfirst && !yfirst) continue;
            size_t xd = xfirst ? 0 : 1, yd = xfirst ? 1 : 0;
            bool xpos = isfinite(gi.min[xd]), ypos = isfinite(gi.min[yd]);
            double xt = xpos ? gi.min[xd] : gi.max[xd], yt = ypos ? gi.min[yd] : gi.max[yd];
            if (!isfinite(xt) || !isfinite(yt)) continue;
            int corner = xpos ? (ypos ? RENDER_Q_UR : RENDER_Q_LR)
                              : (ypos ? RENDER_Q_UL : RENDER_Q_LL);
            o->quadrant.x = to_data(s, &gi.dims[xd], xt);
            o->quadrant.y = to_data(s, &gi.dims[yd], yt);
            snprintf(o->qlabels[corner], sizeof o->qlabels[corner], "%s", gi.id);
            o->quadrant.pct[corner] = pct;
            o->quadrant.label[corner] = o->qlabels[corner];
            o->quadrant.digits = 1;
        }
    }
    /* a quadrant overlay only when all four corners were found */
    int found = 0;
    for (int k = 0; k < 4; k++) found += o->quadrant.label[k] != NULL;
    o->has_quadrant = found == 4;
}

static size_t find_population(const gate_strategy *s, const char *name)
{
    size_t ng = gate_strategy_n_gates(s);
    for (size_t g = 0; g < ng; g++) {
        if (!gate_strategy_is_population(s, g)) continue;
        char *path = gate_strategy_path(s, g);
        bool eq = path && strcmp(path, name) == 0;
        free(path);
        if (eq) return g;
    }
    size_t g = gate_strategy_find(s, name);
    return g != SIZE_MAX && gate_strategy_is_population(s, g) ? g : SIZE_MAX;
}

static apo_status unknown_population(const apo_observer *obs, const gate_strategy *s,
                                     const char *name)
{
    apo_observe_note(obs, APO_NOTE_ERROR,
                     "--population: expected a population path or id, found \"%s\"; the "
                     "strategy's populations are:",
                     name);
    for (size_t g = 0; g < gate_strategy_n_gates(s); g++) {
        if (!gate_strategy_is_population(s, g)) continue;
        char *path = gate_strategy_path(s, g);
        apo_observe_note(obs, APO_NOTE_DETAIL, "%s", path ? path : "?");
        free(path);
    }
    return APO_E_USAGE;
}

/* ---- the command ------------------------------------------------------------------------- */

/* One file's plotted values and annotations (the file itself is closed after loading). */
typedef struct plot_sample {
    const char *path;
    size_t dataset;    /* 1-based */
    char title[256];
    char pop_text[300];
    chan_info cx, cy;
    bool xcomp, ycomp; /* the channel was compensated */
    char comp_source[64];
    size_t n;          /* displayable events (of the subsample when step > 1) */
    double *x, *y;
    uint64_t n_total;  /* events of the plotted population in the whole data set */
    uint64_t step;     /* subsample step (1 = every event read) */
    bool q_exact;      /* qcnt/qtot hold the streamed quadrant counts */
    uint64_t qcnt[4], qtot;
    overlay_set ov;
    render_quadrant q;
    char subtitle[512];
    char xtitle[300], ytitle[300];
} plot_sample;

/* Shared by every file: the strategy and a CSV matrix. */
typedef struct plot_shared {
    gate_strategy *strategy;
    gate_comp *csv;
    const apo_observer *obs;
} plot_shared;

static void sample_free(plot_sample *s)
{
    overlay_free(&s->ov);
    free(s->x);
    free(s->y);
    s->x = s->y = NULL;
}

/* Report @p err (prefixed with @p path when it names no file); returns its status. */
apo_status render_qc_fail(const apo_observer *obs, const apo_error *err, const char *path)
{
    if (err->file[0] == '\0') {
        apo_observe_note(obs, APO_NOTE_ERROR, "%s: %s", path,
                         err->msg[0] ? err->msg : apo_status_name(err->status));
    } else {
        apo_observe_error(obs, err);
    }
    return err->status;
}

static apo_status out_of_memory(const apo_observer *obs)
{
    apo_observe_note(obs, APO_NOTE_ERROR, "out of memory");
    return APO_E_NOMEM;
}

static bool compensated(const gate_comp *c, size_t param)
{
    if (!c || !c->param_index) return false;
    for (size_t i = 0; i < c->n; i++) {
        if (c->param_index[i] == param) return true;
    }
    return false;
}

static void axis_title(char *buf, size_t cap, const chan_info *c, bool comp)
{
    char name[160];
    snprintf(name, sizeof name, "%s%s", comp ? "Comp-" : "", c->name);
    render_axis_title(buf, cap, name, c->label);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Gate on the uncompensated events (the engine compensates as the strategy says): the
 * population's membership (*member, NULL for all events) and the overlays of its children. */
static apo_status gate_sample(const render_qc_options *o, const plot_shared *sh,
                              const fcs_dataset *ds, const fcs_events *ev, plot_sample *s,
                              uint8_t **member)
{
    const apo_observer *obs = sh->obs;
    apo_error err;
    apo_error_clear(&err);
    gate_data d;
    gate_result r;
    memset(&d, 0, sizeof d);
    memset(&r, 0, sizeof r);
    apo_status rc = APO_OK;
    apo_status st = gate_data_init(&d, ds, ev, &err);
    if (st == APO_OK) {
        if (strcmp(o->comp, "none") == 0) d.comp = NULL;
        else if (sh->csv) d.comp = sh->csv;
        st = gate_strategy_apply(sh->strategy, &d, &r, &err);
    }
    size_t pop = SIZE_MAX;
    if (st == APO_OK && o->population) {
        pop = find_population(sh->strategy, o->population); /* checked by the caller */
        size_t n = (size_t)ev->n_events;
        *member = malloc(n ? n : 1);
        if (!*member) {
            rc = out_of_memory(obs);
        } else {
            memcpy(*member, gate_result_membership(&r, pop), n);
        }
        char *path = gate_strategy_path(sh->strategy, pop);
        snprintf(s->pop_text, sizeof s->pop_text, "%s", path ? path : o->population);
        free(path);
    }
    if (st == APO_OK && rc == APO_OK) {
        collect_overlays(&s->ov, sh->strategy, &r, pop, &s->cx,
                         o->yname && o->kind != RENDER_HISTOGRAM ? &s->cy : NULL);
    }
    gate_result_free(&r);
    gate_data_free(&d);
    if (st != APO_OK) rc = render_qc_fail(obs, &err, s->path);
    return rc;
}

/* The streamed pass over every event (gate_strategy_apply_stream's on_block context). */
typedef struct exact_pass {
    const render_qc_options *o;
    const gate_comp *comp; /* compensation of the plotted values, or NULL */
    size_t pop;            /* plotted population or SIZE_MAX (all events) */
    size_t xi, yi;
    fcs_events scratch;    /* one block, compensated */
    uint64_t qcnt[4], qtot;
} exact_pass;

/* Quadrant counts of one block: the plotted population, compensated, the engine's rule. */
static apo_status exact_block(void *ctx, const gate_data *block, const gate_result *r,
                              uint64_t first, apo_error *err)
{
    (void)first;
    exact_pass *x = ctx;
    size_t n = block->n_events, np = block->n_params;
    x->scratch.n_events = n;
    x->scratch.n_params = np;
    memcpy(x->scratch.values, block->values, n * np * sizeof(double));
    if (x->comp != NULL) {
        apo_status st = gate_comp_apply(x->comp, &x->scratch, 1, err);
        if (st != APO_OK) return st;
    }
    const uint8_t *m = r != NULL && x->pop != SIZE_MAX ? gate_result_membership(r, x->pop) : NULL;
    const double *xv = fcs_events_column(&x->scratch, x->xi);
    const double *yv = fcs_events_column(&x->scratch, x->yi);
    for (size_t e = 0; e < n; e++) {
        if ((m && !m[e]) || isnan(xv[e]) || isnan(yv[e])) continue;
        bool xp = xv[e] >= x->o->qx, yp = yv[e] >= x->o->qy;
        x->qcnt[xp ? (yp ? RENDER_Q_UR : RENDER_Q_LR) : (yp ? RENDER_Q_UL : RENDER_Q_LL)]++;
        x->qtot++;
    }
    return APO_OK;
}

/*
 * The numbers of a subsampled file, exact over every event: the population's size, the
 * child gates' % of parent (overlays redone with the streamed counts) and the quadrant counts.
 */
static apo_status exact_numbers(const render_qc_options *o, const plot_shared *sh,
                                const fcs_dataset *ds, const gate_comp *comp, size_t xi,
                                size_t yi, plot_sample *s)
{
    const apo_observer *obs = sh->obs;
    apo_error err;
    apo_error_clear(&err);
    const bool quad = o->quadrant && o->kind != RENDER_HISTOGRAM;
    const uint64_t total = fcs_dataset_n_events(ds);
    s->n_total = total;
    if (!sh->strategy && !quad) return 0;
    exact_pass x = {o, comp, SIZE_MAX, xi, yi, {0, 0, NULL}, {0, 0, 0, 0}, 0};
    size_t ng = sh->strategy ? gate_strategy_n_gates(sh->strategy) : 0;
    uint64_t *counts = calloc(ng ? ng : 1, sizeof *counts);
    size_t np = fcs_dataset_n_params(ds);
    if (quad) x.scratch.values = malloc((np ? np : 1) * GATE_BLOCK_EVENTS * sizeof(double));
    if (!counts || (quad && !x.scratch.values)) {
        free(counts);
        free(x.scratch.values);
        return out_of_memory(obs);
    }
    if (sh->strategy && o->population) x.pop = find_population(sh->strategy, o->population);
    gate_stream_options so = GATE_STREAM_OPTIONS_INIT;
    if (strcmp(o->comp, "none") == 0) {
        so.override_comp = true;
    } else if (sh->csv) {
        so.override_comp = true;
        so.comp = sh->csv;
    }
    if (quad) {
        so.on_block = exact_block;
        so.ctx = &x;
    }
    apo_status rc = APO_OK;
    if (gate_strategy_apply_stream(sh->strategy, ds, &so, counts, &err) != APO_OK) {
        rc = render_qc_fail(obs, &err, s->path);
    }
    if (rc == APO_OK && sh->strategy) {
        if (x.pop != SIZE_MAX) s->n_total = counts[x.pop];
        {
            gate_result exact = {ng, (size_t)total, NULL, counts};
            overlay_free(&s->ov);
            memset(&s->ov, 0, sizeof s->ov);
            collect_overlays(&s->ov, sh->strategy, &exact, x.pop, &s->cx,
                             o->yname && o->kind != RENDER_HISTOGRAM ? &s->cy : NULL);
        }
    }
    if (rc == APO_OK && quad) {
        memcpy(s->qcnt, x.qcnt, sizeof s->qcnt);
        s->qtot = x.qtot;
        s->q_exact = true;
    }
    free(counts);
    free(x.scratch.values);
    return rc;
}

/* Read one file: channels, gating, compensation, the plotted values. */
static apo_status load_sample(const render_qc_options *o, const plot_shared *sh, plot_sample *s)
{
    const apo_observer *obs = sh->obs;
    apo_error err;
    apo_error_clear(&err);
    fcs_file *f = NULL;
    fcs_events ev = {0, 0, NULL};
    gate_comp *owned = NULL;
    const gate_comp *comp = NULL;
    uint8_t *member = NULL;
    apo_status rc = APO_OK;
    snprintf(s->pop_text, sizeof s->pop_text, "All events");
    snprintf(s->comp_source, sizeof s->comp_source, "none");
    if (fcs_file_open(&f, s->path, &o->read, &err) != APO_OK) {
        rc = render_qc_fail(obs, &err, s->path);
        goto done;
    }
    if (s->dataset < 1 || s->dataset > fcs_file_n_datasets(f)) {
        apo_observe_note(obs, APO_NOTE_ERROR, "%s: data set %zu requested, the file has %zu",
                         s->path, s->dataset, fcs_file_n_datasets(f));
        rc = APO_E_FORMAT;
        goto done;
    }
    const fcs_dataset *ds = fcs_file_dataset(f, s->dataset - 1);
    for (size_t i = 0; i < fcs_file_n_warnings(f); i++) {
        apo_observe_note(obs, APO_NOTE_WARNING, "%s", fcs_file_warning(f, i)->msg);
    }
    for (size_t i = 0; i < fcs_dataset_n_warnings(ds); i++) {
        apo_observe_note(obs, APO_NOTE_WARNING, "%s", fcs_dataset_warning(ds, i)->msg);
    }
    size_t xi = fcs_dataset_find_param(ds, o->xname);
    size_t yi = o->yname ? fcs_dataset_find_param(ds, o->yname) : SIZE_MAX;
    if (xi == SIZE_MAX || (o->yname && yi == SIZE_MAX)) {
        rc = unknown_channel(obs, s->path, ds, xi == SIZE_MAX ? o->xname : o->yname);
        goto done;
    }
    chan_info_init(&s->cx, fcs_dataset_param(ds, xi));
    if (yi != SIZE_MAX) chan_info_init(&s->cy, fcs_dataset_param(ds, yi));
    const char *title = fcs_dataset_keyword(ds, "TUBE NAME");
    if (!title || !title[0]) title = fcs_dataset_keyword(ds, "$FIL");
    if (!title || !title[0]) title = base_name(s->path);
    snprintf(s->title, sizeof s->title, "%s", title);
    fcs_decode_options dec = FCS_DECODE_OPTIONS_INIT;
    dec.values = FCS_VALUES_SCALED;
    dec.apply_gain = true;
    if (fcs_dataset_read_sampled(ds, &dec, o->sample_events, &ev, &s->step, &err) != APO_OK) {
        rc = render_qc_fail(obs, &err, s->path);
        goto done;
    }
    if (sh->strategy) {
        rc = gate_sample(o, sh, ds, &ev, s, &member);
        if (rc != APO_OK) goto done;
    }
    /* compensate the plotted values */
    if (strcmp(o->comp, "none") != 0) {
        if (sh->csv) {
            if (gate_comp_bind(sh->csv, ds, &err) != APO_OK) {
                rc = render_qc_fail(obs, &err, o->comp);
                goto done;
            }
            comp = sh->csv;
        } else if (fcs_dataset_spillover(ds)) {
            if (gate_comp_from_fcs(&owned, fcs_dataset_spillover(ds), &err) != APO_OK) {
                rc = render_qc_fail(obs, &err, s->path);
                goto done;
            }
            comp = owned;
        }
        if (comp && gate_comp_apply(comp, &ev, 1, &err) != APO_OK) { /* the calling thread */
            rc = render_qc_fail(obs, &err, s->path);
            goto done;
        }
    }
    if (comp) {
        snprintf(s->comp_source, sizeof s->comp_source, "%s", comp->source);
        s->xcomp = compensated(comp, xi);
        s->ycomp = yi != SIZE_MAX && compensated(comp, yi);
    }
    size_t n_all = (size_t)ev.n_events;
    s->x = malloc((n_all ? n_all : 1) * sizeof *s->x);
    s->y = malloc((n_all ? n_all : 1) * sizeof *s->y);
    if (!s->x || !s->y) {
        rc = out_of_memory(obs);
        goto done;
    }
    size_t n = 0;
    for (size_t e = 0; e < n_all; e++) {
        if (member && !member[e]) continue;
        s->x[n] = fcs_events_column(&ev, xi)[e];
        s->y[n] = yi != SIZE_MAX ? fcs_events_column(&ev, yi)[e] : 0;
        n++;
    }
    s->n = n;
    s->n_total = n;
    if (s->step > 1) rc = exact_numbers(o, sh, ds, comp, xi, yi, s);
done:
    free(member);
    gate_comp_free(owned);
    fcs_events_free(&ev);
    fcs_file_free(f);
    return rc;
}

/* Quadrant percentages of every plotted event, the engine's rule: x >= X is '+'. */
static void count_quadrant(const render_qc_options *o, plot_sample *s)
{
    uint64_t cnt[4] = {0, 0, 0, 0}, tot = 0;
    if (s->q_exact) {
        memcpy(cnt, s->qcnt, sizeof cnt);
        tot = s->qtot;
    }
    for (size_t e = 0; e < s->n && !s->q_exact; e++) {
        if (isnan(s->x[e]) || isnan(s->y[e])) continue;
        bool xp = s->x[e] >= o->qx, yp = s->y[e] >= o->qy;
        cnt[xp ? (yp ? RENDER_Q_UR : RENDER_Q_LR) : (yp ? RENDER_Q_UL : RENDER_Q_LL)]++;
        tot++;
    }
    memset(&s->q, 0, sizeof s->q);
    s->q.x = o->qx;
    s->q.y = o->qy;
    static const char *const qname[4] = {"Q4", "Q3", "Q2", "Q1"};
    const char *xs = s->cx.label[0] ? s->cx.label : s->cx.name;
    const char *ys = s->cy.label[0] ? s->cy.label : s->cy.name;
    for (int k = 0; k < 4; k++) {
        bool xp = k == RENDER_Q_LR || k == RENDER_Q_UR, yp = k == RENDER_Q_UL || k == RENDER_Q_UR;
        snprintf(s->ov.qlabels[k], sizeof s->ov.qlabels[k], "%s %s%s %s%s", qname[k], xs,
                 xp ? "+" : "\xe2\x88\x92", ys, yp ? "+" : "\xe2\x88\x92");
        s->q.label[k] = s->ov.qlabels[k];
        s->q.pct[k] = tot ? 100.0 * (double)cnt[k] / (double)tot : NAN;
    }
    s->q.digits = 1;
}

/* Append printf output to a growing string; false when out of memory. */
static bool appendf(char **buf, size_t *len, size_t *cap, const char *fmt, ...) APO_PRINTF(4, 5);
static bool appendf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(*buf ? *buf + *len : NULL, *buf ? *cap - *len : 0, fmt, ap);
        va_end(ap);
        if (k < 0) return false;
        if (*buf && *len + (size_t)k < *cap) {
            *len += (size_t)k;
            return true;
        }
        size_t ncap = (*cap ? *cap * 2 : 512) + (size_t)k;
        char *nb = realloc(*buf, ncap);
        if (!nb) return false;
        *buf = nb;
        *cap = ncap;
    }
}

static const char *kind_name(render_kind k)
{
    switch (k) {
    case RENDER_HISTOGRAM:
        return "hist";
    case RENDER_DOT:
        return "dot";
    case RENDER_CONTOUR:
        return "contour";
    case RENDER_PSEUDOCOLOR:
    default:
        return "pseudocolor";
    }
}

/* The plots of every sample into one PNG with its provenance chunks. */
static apo_status render_samples(const render_qc_options *o, plot_sample *s, size_t ns,
                                 const apo_observer *obs)
{
    apo_error err;
    apo_error_clear(&err);
    bool hist = o->kind == RENDER_HISTOGRAM;
    const double **xs = calloc(ns, sizeof *xs), **ys = calloc(ns, sizeof *ys);
    size_t *n = calloc(ns, sizeof *n);
    render_plot *p = calloc(ns, sizeof *p);
    char *comment = NULL, *source = NULL;
    size_t clen = 0, ccap = 0, slen = 0, scap = 0;
    apo_status rc = APO_OK;
    if (!xs || !ys || !n || !p) {
        rc = out_of_memory(obs);
        goto done;
    }
    for (size_t i = 0; i < ns; i++) {
        xs[i] = s[i].x;
        ys[i] = s[i].y;
        n[i] = s[i].n;
    }
    gate_transform tx, ty;
    char xdesc[96], ydesc[96] = "-";
    if (axis_transform(o->xscale, &s[0].cx, ns, xs, n, &tx, xdesc, sizeof xdesc, &err) !=
            APO_OK ||
        (!hist && axis_transform(o->yscale, &s[0].cy, ns, ys, n, &ty, ydesc, sizeof ydesc,
                                 &err) != APO_OK)) {
        rc = render_qc_fail(obs, &err, s[0].path);
        goto done;
    }
    bool ok = appendf(&comment, &clen, &ccap, "x=%s; y=%s; xscale=%s; yscale=%s; comp=%s; "
                      "population=%s; kind=%s", s[0].cx.name,
                      hist ? "-" : s[0].cy.name, xdesc, ydesc, s[0].comp_source, s[0].pop_text,
                      kind_name(o->kind));
    if (ns > 1) ok = ok && appendf(&comment, &clen, &ccap, "; files=%zu", ns);
    if (o->quadrant && !hist) {
        ok = ok && appendf(&comment, &clen, &ccap, "; quadrant=%g,%g", o->qx, o->qy);
    }
    for (size_t i = 0; i < ns; i++) {
        render_plot *pl = &p[i];
        render_plot_init(pl);
        pl->kind = o->kind;
        axis_title(s[i].xtitle, sizeof s[i].xtitle, &s[i].cx, s[i].xcomp);
        render_axis_init(&pl->xaxis, &tx, s[i].xtitle);
        if (!hist) {
            axis_title(s[i].ytitle, sizeof s[i].ytitle, &s[i].cy, s[i].ycomp);
            render_axis_init(&pl->yaxis, &ty, s[i].ytitle);
        }
        pl->x = s[i].x;
        pl->y = hist ? NULL : s[i].y;
        pl->n = s[i].n;
        if (o->quadrant && !hist) {
            count_quadrant(o, &s[i]);
            pl->quadrant = &s[i].q;
        } else if (s[i].ov.has_quadrant && !hist) {
            pl->quadrant = &s[i].ov.quadrant;
        }
        pl->gates = s[i].ov.gates; /* on a histogram: the 1-D ranges on x */
        pl->n_gates = s[i].ov.n_gates;
        char count[32], shown[32];
        render_format_count(count, sizeof count, s[i].n_total);
        size_t drawn = !hist && o->ro.max_events && o->ro.max_events < s[i].n
                           ? o->ro.max_events
                           : s[i].n;
        if (drawn < s[i].n_total) {
            render_format_count(shown, sizeof shown, drawn);
            snprintf(s[i].subtitle, sizeof s[i].subtitle, "%s \xc2\xb7 n = %s (display %s)",
                     s[i].pop_text, count, shown);
        } else {
            snprintf(s[i].subtitle, sizeof s[i].subtitle, "%s \xc2\xb7 n = %s", s[i].pop_text,
                     count);
        }
        pl->title = s[i].title;
        pl->subtitle = s[i].subtitle;
        const render_quadrant *q = pl->quadrant;
        if (q) {
            if (ns > 1) {
                ok = ok && appendf(&comment, &clen, &ccap, "; quadrant_pct[%s]=",
                                   base_name(s[i].path));
            } else {
                if (!o->quadrant) {
                    ok = ok && appendf(&comment, &clen, &ccap, "; quadrant=%g,%g", q->x, q->y);
                }
                ok = ok && appendf(&comment, &clen, &ccap, "; quadrant_pct=");
            }
            ok = ok && appendf(&comment, &clen, &ccap, "LL:%.4f,LR:%.4f,UR:%.4f,UL:%.4f",
                               q->pct[RENDER_Q_LL], q->pct[RENDER_Q_LR], q->pct[RENDER_Q_UR],
                               q->pct[RENDER_Q_UL]);
        }
        if (s[i].step > 1 && ns > 1) {
            ok = ok && appendf(&comment, &clen, &ccap, "; sample_step[%s]=%llu",
                               base_name(s[i].path), (unsigned long long)s[i].step);
        } else if (s[i].step > 1) {
            ok = ok && appendf(&comment, &clen, &ccap, "; sample_step=%llu",
                               (unsigned long long)s[i].step);
        }
        ok = ok && appendf(&source, &slen, &scap, "%s%s", i ? ", " : "", base_name(s[i].path));
        if (s[i].dataset > 1) { /* data set N of a multi-data-set file: FILE#N */
            ok = ok && appendf(&source, &slen, &scap, "#%zu", s[i].dataset);
        }
    }
    if (!ok) {
        rc = out_of_memory(obs);
        goto done;
    }
    render_panel_spec panel = {o->title, ns, p, o->columns};
    render_series *series = NULL;
    char overlay_title[300];
    if (o->overlay) {
        /* one histogram, one series per file (titles as labels), the first the reference */
        series = calloc(ns, sizeof *series);
        if (!series) {
            rc = out_of_memory(obs);
            goto done;
        }
        for (size_t i = 0; i < ns; i++) {
            series[i] = (render_series){s[i].x, s[i].n, s[i].title};
        }
        p[0].series = series;
        p[0].n_series = ns;
        snprintf(overlay_title, sizeof overlay_title, "%s", o->title ? o->title : s[0].xtitle);
        p[0].title = overlay_title;
        p[0].subtitle = s[0].pop_text;
        panel.title = NULL;
        panel.n_plots = 1;
        panel.columns = 1;
    }
    render_text_chunk meta[2] = {{"Source", source}, {"Comment", comment}};
    if (render_panel_png(o->out, &panel, &o->ro, 2, meta, &err) != APO_OK) {
        rc = render_qc_fail(obs, &err, o->out);
    }
    free(series);
done:
    free(comment);
    free(source);
    free(xs);
    free(ys);
    free(n);
    free(p);
    return rc;
}

static apo_status run_plot(const render_qc_options *o, const apo_observer *obs)
{
    apo_error err;
    apo_error_clear(&err);
    plot_shared sh = {NULL, NULL, obs};
    plot_sample *s = calloc(o->n_files, sizeof *s);
    apo_status rc = APO_OK;
    if (!s) {
        return out_of_memory(obs);
    }
    if (strcmp(o->comp, "auto") != 0 && strcmp(o->comp, "none") != 0 &&
        gate_comp_read_csv(&sh.csv, o->comp, &err) != APO_OK) {
        rc = render_qc_fail(obs, &err, o->comp);
        goto done;
    }
    if (o->gating) {
        if (gate_strategy_read_gml(&sh.strategy, o->gating, &err) != APO_OK) {
            rc = render_qc_fail(obs, &err, o->gating);
            goto done;
        }
        if (o->population && find_population(sh.strategy, o->population) == SIZE_MAX) {
            rc = unknown_population(obs, sh.strategy, o->population);
            goto done;
        }
    }
    for (size_t i = 0; i < o->n_files && rc == APO_OK; i++) {
        s[i].path = o->files[i];
        s[i].dataset = o->datasets != NULL ? o->datasets[i] : o->dataset;
        rc = load_sample(o, &sh, &s[i]);
    }
    /* titles must tell the plots apart: add the file name to a title that repeats */
    bool *dup = calloc(o->n_files, sizeof *dup);
    for (size_t i = 0; rc == APO_OK && dup && i < o->n_files; i++) {
        for (size_t j = 0; j < o->n_files && !dup[i]; j++) {
            dup[i] = j != i && strcmp(s[i].title, s[j].title) == 0;
        }
    }
    for (size_t i = 0; rc == APO_OK && dup && i < o->n_files; i++) {
        if (!dup[i]) continue;
        char stem[200];
        snprintf(stem, sizeof stem, "%s", base_name(s[i].path));
        char *dot = strrchr(stem, '.');
        if (dot && dot != stem) *dot = '\0';
        bool same_file = false; /* data sets of one file: say which */
        for (size_t j = 0; j < o->n_files; j++) {
            same_file = same_file || (j != i && strcmp(s[j].path, s[i].path) == 0);
        }
        if (same_file) {
            size_t l = strlen(stem);
            snprintf(stem + l, sizeof stem - l, "#%zu", s[i].dataset);
        }
        char t[sizeof s[i].title];
        snprintf(t, sizeof t, "%.120s (%.120s)", s[i].title, stem);
        memcpy(s[i].title, t, sizeof t);
    }
    free(dup);
    if (rc == APO_OK) rc = render_samples(o, s, o->n_files, obs);
done:
    for (size_t i = 0; i < o->n_files; i++) sample_free(&s[i]);
    free(s);
    gate_comp_free(sh.csv);
    gate_strategy_free(sh.strategy);
    return rc;
}

/* --path: the gating path of --population in one picture (qc_plot_path.c). */
static apo_status run_path(const render_qc_options *o, const apo_observer *obs)
{
    apo_error err;
    apo_error_clear(&err);
    gate_strategy *s = NULL;
    gate_comp *csv = NULL;
    apo_status rc = APO_OK;
    if (strcmp(o->comp, "auto") != 0 && strcmp(o->comp, "none") != 0 &&
        gate_comp_read_csv(&csv, o->comp, &err) != APO_OK) {
        return render_qc_fail(obs, &err, o->comp);
    }
    if (gate_strategy_read_gml(&s, o->gating, &err) != APO_OK) {
        rc = render_qc_fail(obs, &err, o->gating);
    } else {
        size_t pop = find_population(s, o->population);
        if (pop == SIZE_MAX) {
            rc = unknown_population(obs, s, o->population);
        } else {
            size_t dataset = o->datasets != NULL ? o->datasets[0] : o->dataset;
            render_qc_path_opts po = {o->files[0], dataset, &o->read, o->sample_events, s,
                                      o->gating, pop, o->comp, csv, o->title, o->out, &o->ro};
            rc = render_qc_path(&po, obs);
        }
    }
    gate_strategy_free(s);
    gate_comp_free(csv);
    return rc;
}

apo_status render_qc_plot(const render_qc_options *o, const apo_observer *obs)
{
    return o->path ? run_path(o, obs) : run_plot(o, obs);
}
