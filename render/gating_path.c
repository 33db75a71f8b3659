/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gating_path.c: the gating path of a population as plots, one per applied gate from the top
 * down (docs/algorithms.md, "Drawing gates"). Each plot shows the events of the gate's parent
 * on the gate's own dimensions (values as the gate sees them: compensated as it says; the
 * axis uses the dimension's transform, linear when it has none) with the gate drawn as
 * applied. A 1-D range gate is drawn as a band across a companion channel: a width channel
 * (FSC-W) on y against forward scatter on x, anything else on x against side scatter (or
 * forward scatter for a side-scatter range). Boolean gates have no shape and get no plot.
 */
#include "render/render_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void render_gating_path_free(render_gating_path *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->n_plots; i++) {
        free(p->panels[i].x);
        free(p->panels[i].y);
    }
    free(p->panels);
    free(p->plots);
    memset(p, 0, sizeof *p);
}

static bool name_is(const char *a, const char *b)
{
    return a && b && strcasecmp(a, b) == 0;
}

static bool starts_with(const char *s, const char *prefix)
{
    return s && strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool is_width(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    return n > 2 && strcasecmp(name + n - 2, "-W") == 0;
}

/* Index of the first data channel matching one of @p names, then of one starting with
 * @p prefix (not a width channel, not @p self), or SIZE_MAX. */
static size_t find_channel(const gate_data *d, const char *const *names, size_t n_names,
                           const char *prefix, const char *self)
{
    for (size_t k = 0; k < n_names; k++) {
        for (size_t i = 0; i < d->n_params; i++) {
            if (name_is(d->names[i], names[k]) && !name_is(d->names[i], self)) return i;
        }
    }
    for (size_t i = 0; i < d->n_params; i++) {
        if (starts_with(d->names[i], prefix) && !is_width(d->names[i]) &&
            !name_is(d->names[i], self)) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* The channel a 1-D range on @p dim is plotted against; *dim_on_y when the range is drawn
 * on the y axis. SIZE_MAX when the data has no other channel. */
static size_t companion_channel(const gate_data *d, const char *dim, bool *dim_on_y)
{
    static const char *const fsc[] = {"FSC-A", "FSC-H", "FSC", "FS INT", "FS Lin"};
    static const char *const ssc[] = {"SSC-A", "SSC-H", "SSC", "SS INT", "SS Lin"};
    *dim_on_y = is_width(dim);
    size_t c = SIZE_MAX;
    if (*dim_on_y || starts_with(dim, "SS")) {
        c = find_channel(d, fsc, 5, "FS", dim);
    } else {
        c = find_channel(d, ssc, 5, "SS", dim);
        if (c == SIZE_MAX) c = find_channel(d, fsc, 5, "FS", dim);
    }
    for (size_t i = 0; c == SIZE_MAX && i < d->n_params; i++) {
        if (!name_is(d->names[i], dim) && !starts_with(d->names[i], "Time")) c = i;
    }
    return c;
}

/* Axis title of a gate dimension: its channel (Comp- prefixed when compensated) or ratio. */
static void dim_title(char *buf, size_t cap, const gate_dim *dim)
{
    bool comp = dim->comp_ref && strcmp(dim->comp_ref, GATE_COMP_NONE) != 0;
    const char *name = dim->ratio_ref ? dim->ratio_ref : (dim->name ? dim->name : "?");
    snprintf(buf, cap, "%s%s", comp && !dim->ratio_ref ? "Comp-" : "", name);
}

/* Events of the parent (mask NULL = all) of column values @p v into a new array. */
static double *masked_copy(const double *v, const uint8_t *mask, size_t n, size_t *m_out)
{
    double *out = malloc((n ? n : 1) * sizeof *out);
    size_t m = 0;
    for (size_t e = 0; out && e < n; e++) {
        if (!mask || mask[e]) out[m++] = v[e];
    }
    *m_out = m;
    return out;
}

/* Values of @p dim (untransformed) for the events of @p mask; *out is malloc'd. */
static apo_status dim_column(const gate_strategy *s, const gate_data *d, const gate_dim *dim,
                             const uint8_t *mask, double **out, size_t *m, apo_error *err)
{
    double *all = malloc((d->n_events ? d->n_events : 1) * sizeof *all);
    if (!all) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for %zu values, found none", d->n_events);
    }
    apo_status st = gate_dim_values(s, d, dim, false, all, err);
    if (st == APO_OK) {
        *out = masked_copy(all, mask, d->n_events, m);
        if (!*out) {
            st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                               "expected memory for %zu values, found none", d->n_events);
        }
    }
    free(all);
    return st;
}

/* Count of population @p g (SIZE_MAX = all events) in the whole data set, or UINT64_MAX. */
static uint64_t known_count(const render_path_counts *c, const gate_result *res,
                            const gate_data *d, size_t g)
{
    if (g == SIZE_MAX) return c->n_events;
    if (c->count && c->count[g] != UINT64_MAX) return c->count[g];
    return d->n_events == c->n_events ? res->count[g] : UINT64_MAX;
}

/* The two dimensions a gate is drawn on, the gate's outline on them, and what is not drawn. */
typedef struct path_dims {
    gate_dim x, y;
    bool drawn;
    const char *note;
} path_dims;

static bool panel_dims(const gate_info *gi, const gate_data *d, render_path_panel *pn,
                       path_dims *pd)
{
    memset(pd, 0, sizeof *pd);
    bool range = (gi->kind == GATE_RECTANGLE || gi->kind == GATE_QUADRANT) && gi->n_dims == 1;
    if (range) {
        bool on_y = false;
        size_t c = companion_channel(d, gi->dims[0].name, &on_y);
        if (c == SIZE_MAX) return false;
        gate_dim comp = {d->names[c], NULL, NULL, NULL};
        pd->x = on_y ? comp : gi->dims[0];
        pd->y = on_y ? gi->dims[0] : comp;
        double lo = isnan(gi->min[0]) ? -INFINITY : gi->min[0];
        double hi = isnan(gi->max[0]) ? INFINITY : gi->max[0];
        double r[4] = {lo, -INFINITY, hi, INFINITY};
        if (on_y) {
            r[0] = -INFINITY, r[1] = lo, r[2] = INFINITY, r[3] = hi;
        }
        memcpy(pn->rect, r, sizeof r);
        pn->gate.shape = RENDER_SHAPE_RECTANGLE;
        pn->gate.xy = pn->rect;
        pd->drawn = true;
        return true;
    }
    if (gi->n_dims < 2 || gi->kind == GATE_BOOLEAN || gi->kind == GATE_QUADRANT_GATE) {
        return false;
    }
    pd->x = gi->dims[0];
    pd->y = gi->dims[1];
    if ((gi->kind == GATE_RECTANGLE || gi->kind == GATE_QUADRANT) && gi->n_dims == 2) {
        double r[4] = {gi->min[0], gi->min[1], gi->max[0], gi->max[1]};
        memcpy(pn->rect, r, sizeof r);
        pn->gate.shape = RENDER_SHAPE_RECTANGLE;
        pn->gate.xy = pn->rect;
        pd->drawn = true;
    } else if (gi->kind == GATE_POLYGON) {
        pn->gate.shape = RENDER_SHAPE_POLYGON;
        pn->gate.n_vertices = gi->n_vertices;
        pn->gate.xy = gi->vertices;
        pd->drawn = true;
    } else if (gi->kind == GATE_ELLIPSOID && gi->n_dims == 2) {
        pn->gate.shape = RENDER_SHAPE_ELLIPSE;
        pn->gate.cx = gi->mean[0];
        pn->gate.cy = gi->mean[1];
        memcpy(pn->gate.covariance, gi->covariance, 4 * sizeof(double));
        pn->gate.distance_square = gi->distance_square;
        pd->drawn = true;
    } else {
        pd->note = "a gate on more than 2 dimensions: not drawn";
    }
    return true;
}

/* Percentage of @p g in its parent, and the parent's count, from the known counts. */
static void panel_counts(const render_path_counts *c, const gate_result *res,
                         const gate_data *d, size_t g, size_t parent, double *pct,
                         uint64_t *parent_n)
{
    uint64_t n = known_count(c, res, d, g), pn = known_count(c, res, d, parent);
    *pct = n != UINT64_MAX && pn != UINT64_MAX && pn > 0 ? 100.0 * (double)n / (double)pn
                                                           : NAN;
    *parent_n = pn;
}

static void panel_text(render_path_panel *pn, const gate_strategy *s, const gate_info *gi,
                       size_t parent, uint64_t parent_n, size_t shown, const char *note)
{
    snprintf(pn->title, sizeof pn->title, "%s", gi->id);
    char who[96], cnt[32], disp[32];
    if (parent == SIZE_MAX) {
        snprintf(who, sizeof who, "All events");
    } else {
        gate_info pi;
        gate_strategy_gate(s, parent, &pi);
        snprintf(who, sizeof who, "%s", pi.id);
    }
    render_format_count(disp, sizeof disp, shown);
    if (parent_n == UINT64_MAX) {
        snprintf(pn->subtitle, sizeof pn->subtitle, "%s, display n = %s%s%s", who, disp,
                 note ? "; " : "", note ? note : "");
        return;
    }
    render_format_count(cnt, sizeof cnt, parent_n);
    if (parent_n > shown) {
        snprintf(pn->subtitle, sizeof pn->subtitle, "%s, n = %s (display %s)%s%s", who, cnt,
                 disp, note ? "; " : "", note ? note : "");
    } else {
        snprintf(pn->subtitle, sizeof pn->subtitle, "%s, n = %s%s%s", who, cnt,
                 note ? "; " : "", note ? note : "");
    }
}

static void panel_axis(render_axis *a, const gate_strategy *s, const gate_dim *dim,
                       const char *title, const gate_transform **space)
{
    const gate_transform *t = dim->transform_ref ? gate_strategy_transform(s, dim->transform_ref)
                                                 : NULL;
    render_axis_init(a, t, title);
    *space = t;
}

/* One plot: gate @p g over its parent's events. false (and no error) when it has none. */
static apo_status build_panel(render_path_panel *pn, const gate_strategy *s,
                              const gate_data *d, const gate_result *res, size_t g,
                              const render_path_counts *c, bool *made, apo_error *err)
{
    memset(pn, 0, sizeof *pn);
    *made = false;
    gate_info gi;
    gate_strategy_gate(s, g, &gi);
    path_dims pd;
    if (!panel_dims(&gi, d, pn, &pd)) return APO_OK;
    size_t parent = gate_strategy_parent(s, g);
    const uint8_t *mask = parent == SIZE_MAX ? NULL : gate_result_membership(res, parent);
    size_t mx = 0, my = 0;
    apo_status st = dim_column(s, d, &pd.x, mask, &pn->x, &mx, err);
    if (st == APO_OK) st = dim_column(s, d, &pd.y, mask, &pn->y, &my, err);
    if (st != APO_OK) {
        free(pn->x);
        free(pn->y);
        pn->x = pn->y = NULL;
        return st;
    }
    render_plot *p = &pn->plot;
    render_plot_init(p);
    p->kind = RENDER_PSEUDOCOLOR;
    p->x = pn->x;
    p->y = pn->y;
    p->n = mx;
    dim_title(pn->xtitle, sizeof pn->xtitle, &pd.x);
    dim_title(pn->ytitle, sizeof pn->ytitle, &pd.y);
    panel_axis(&p->xaxis, s, &pd.x, pn->xtitle, &pn->gate.x_space);
    panel_axis(&p->yaxis, s, &pd.y, pn->ytitle, &pn->gate.y_space);
    uint64_t parent_n;
    panel_counts(c, res, d, g, parent, &pn->gate.pct, &parent_n);
    panel_text(pn, s, &gi, parent, parent_n, mx, pd.note);
    pn->gate.name = gi.id;
    if (pd.drawn) {
        p->gates = &pn->gate;
        p->n_gates = 1;
    }
    p->title = pn->title;
    p->subtitle = pn->subtitle;
    *made = true;
    return APO_OK;
}

/* Gates from the top of the hierarchy down to @p gate; *n_out of them in *out (malloc'd). */
static apo_status path_of(const gate_strategy *s, size_t gate, size_t **out, size_t *n_out,
                          apo_error *err)
{
    size_t ng = gate_strategy_n_gates(s), n = 0;
    size_t *path = malloc((ng ? ng : 1) * sizeof *path);
    if (!path) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for a gating path, found none");
    }
    for (size_t g = gate; g != SIZE_MAX && n < ng; g = gate_strategy_parent(s, g)) {
        path[n++] = g;
    }
    for (size_t i = 0; i < n / 2; i++) {
        size_t t = path[i];
        path[i] = path[n - 1 - i];
        path[n - 1 - i] = t;
    }
    *out = path;
    *n_out = n;
    return APO_OK;
}

apo_status render_gating_path_build(render_gating_path *out, const gate_strategy *s,
                                    const gate_data *d, size_t gate,
                                    const render_path_counts *counts, apo_error *err)
{
    return render_gating_path_build_from(out, s, d, gate, counts, NULL, err);
}

apo_status render_gating_path_build_from(render_gating_path *out, const gate_strategy *s,
                                         const gate_data *d, size_t gate,
                                         const render_path_counts *counts,
                                         const gate_result *applied, apo_error *err)
{
    memset(out, 0, sizeof *out);
    if (gate == SIZE_MAX) return APO_OK;
    if (gate >= gate_strategy_n_gates(s)) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected a gate index below %zu, found %zu",
                             gate_strategy_n_gates(s), gate);
    }
    render_path_counts none = {d->n_events, NULL};
    const render_path_counts *c = counts ? counts : &none;
    gate_result own = {0};
    const gate_result *res = applied;
    size_t *path = NULL, n = 0;
    apo_status st = APO_OK;
    if (res == NULL || res->n_gates != gate_strategy_n_gates(s) ||
        res->n_events != d->n_events) {
        st = gate_strategy_apply(s, d, &own, err);
        res = &own;
    }
    if (st == APO_OK) st = path_of(s, gate, &path, &n, err);
    if (st == APO_OK) {
        out->panels = calloc(n ? n : 1, sizeof *out->panels);
        out->plots = calloc(n ? n : 1, sizeof *out->plots);
        if (!out->panels || !out->plots) {
            st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                               "expected memory for %zu plots, found none", n);
        }
    }
    for (size_t i = 0; st == APO_OK && i < n; i++) {
        bool made = false;
        st = build_panel(&out->panels[out->n_plots], s, d, res, path[i], c, &made, err);
        if (st == APO_OK && made) out->n_plots++;
    }
    /* the plots refer to their panel's storage, which stays put */
    for (size_t i = 0; st == APO_OK && i < out->n_plots; i++) {
        out->plots[i] = out->panels[i].plot;
    }
    free(path);
    gate_result_free(&own);
    if (st != APO_OK) render_gating_path_free(out);
    return st;
}
