/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_plot.c: `apoflow plot FILE -x CHANNEL [-y CHANNEL] -o OUT.png [OPTIONS]`: one QC plot
 * (pseudocolor, dot, contour or histogram) of a data set as PNG: compensated with the file's
 * spillover (or a CSV matrix, or not at all), optionally restricted to a population of a
 * Gating-ML strategy whose child gates on the plotted channels are drawn with the engine's
 * percentages, optionally with a quadrant whose percentages are counted on every event of the
 * plotted population (display subsampling with --events never changes a number).
 */
#include "cli/cli.h"
#include "gating/gate.h"
#include "render/render.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct plot_opts {
    const char *file;
    const char *xname, *yname, *out;
    render_kind kind;
    const char *xscale, *yscale; /* NULL = automatic */
    const char *comp;            /* auto | none | CSV path */
    bool quadrant;
    double qx, qy;
    const char *gating, *population;
    render_options ro;
    size_t dataset;
    fcs_read_options read;
} plot_opts;

static void print_help(FILE *to)
{
    fprintf(to,
            "usage: apoflow plot FILE -x CHANNEL [-y CHANNEL] -o OUT.png [OPTIONS]\n\n"
            "Draw one QC plot of an FCS data set as a PNG (written atomically).\n"
            "Channels are matched by $PnN or $PnS, ignoring case.\n\n"
            "options:\n"
            "  -x, --x CHANNEL          x channel (required)\n"
            "  -y, --y CHANNEL          y channel (required except for --kind hist)\n"
            "  -o, --output OUT.png     output file (required)\n"
            "  --kind KIND              pseudocolor|dot|contour|hist (default pseudocolor)\n"
            "  --xscale, --yscale S     linear|log|logicle|asinh (default: linear for FSC/SSC/\n"
            "                           Time, log for $PnE log-amplified channels, logicle\n"
            "                           for everything else; logicle T = $PnR,\n"
            "                           W estimated from the data (0.5 when it has no\n"
            "                           negatives), M = 4.5, A = 0; asinh cofactor 150)\n"
            "  --comp MODE              auto (the file's $SPILLOVER, if any) | none |\n"
            "                           MATRIX.csv (default auto)\n"
            "  --quadrant X,Y           quadrant lines at X and Y (data units) with the four\n"
            "                           percentages of the plotted events (x >= X is '+')\n"
            "  --gating STRATEGY.xml    a Gating-ML 2.0 strategy; with --population PATH only\n"
            "                           that population is plotted and its child gates on\n"
            "                           these two channels are drawn with their %% of parent\n"
            "  --population PATH        population path or gate id (see 'apoflow gate')\n"
            "  --size PX                edge of the plot at scale 1 (default 600)\n"
            "  --scale N                multiply every length by N, 1..4 (default 1; 2 gives\n"
            "                           1200 px at 300 dpi)\n"
            "  --colormap MAP           jet|viridis|grey (default jet)\n"
            "  --events N               draw at most N events (fixed-seed random subsample);\n"
            "                           percentages always use every event\n"
            "  --dataset N              data set N of the file (1-based; default 1)\n"
            "  --offsets MODE           auto|header|text (default auto)\n"
            "  --text-mode MODE         auto|escape|empty (default auto)\n"
            "  --allow-truncated        use the complete events of a short DATA segment\n"
            "  -h, --help               this help\n\n"
            "examples:\n"
            "  apoflow plot A05.fcs -x FSC-A -y SSC-A -o A05_scatter.png\n"
            "  apoflow plot A05.fcs -x 'Annexin V' -y PI --quadrant 1000,800 --scale 2 -o q.png\n"
            "  apoflow plot A05.fcs -x FL1-A --kind hist -o a.png\n\n"
            "exit codes: 0 ok, 64 usage (unknown channel or population), 65 bad input data,\n"
            "            66 cannot open input, 73 cannot create output\n");
}

/* ---- option parsing ---------------------------------------------------------------------- */

static bool parse_kind(const char *s, render_kind *out)
{
    static const struct {
        const char *name;
        render_kind kind;
    } kinds[] = {{"pseudocolor", RENDER_PSEUDOCOLOR}, {"dot", RENDER_DOT},
                 {"contour", RENDER_CONTOUR},         {"hist", RENDER_HISTOGRAM},
                 {"histogram", RENDER_HISTOGRAM}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(s, kinds[i].name) == 0) {
            *out = kinds[i].kind;
            return true;
        }
    }
    cli_errorf("--kind: expected pseudocolor, dot, contour or hist, found \"%s\"", s);
    return false;
}

static bool check_scale_name(const char *opt, const char *s)
{
    if (strcmp(s, "linear") == 0 || strcmp(s, "log") == 0 || strcmp(s, "logicle") == 0 ||
        strcmp(s, "asinh") == 0) {
        return true;
    }
    cli_errorf("%s: expected linear, log, logicle or asinh, found \"%s\"", opt, s);
    return false;
}

static bool parse_colormap(const char *s, render_colormap *out)
{
    if (strcmp(s, "jet") == 0) {
        *out = RENDER_CMAP_JET;
    } else if (strcmp(s, "viridis") == 0) {
        *out = RENDER_CMAP_VIRIDIS;
    } else if (strcmp(s, "grey") == 0 || strcmp(s, "gray") == 0) {
        *out = RENDER_CMAP_GREY;
    } else {
        cli_errorf("--colormap: expected jet, viridis or grey, found \"%s\"", s);
        return false;
    }
    return true;
}

static bool parse_pair(const char *s, double *a, double *b)
{
    const char *comma = strchr(s, ',');
    if (!comma || !apo_parse_double(s, (size_t)(comma - s), false, a) ||
        !apo_parse_double(comma + 1, strlen(comma + 1), false, b)) {
        cli_errorf("--quadrant: expected X,Y (two numbers in data units), found \"%s\"", s);
        return false;
    }
    return true;
}

/* ---- channels ---------------------------------------------------------------------------- */

static void print_unknown_channel(const char *file, const fcs_dataset *ds, const char *name)
{
    fprintf(stderr, "apoflow: error: %s: expected a channel named \"%s\" ($PnN or $PnS), found "
                    "none; the file's channels are:\n", file, name);
    for (size_t i = 0; i < fcs_dataset_n_params(ds); i++) {
        const fcs_param *p = fcs_dataset_param(ds, i);
        if (p->label[0]) {
            fprintf(stderr, "  %s (%s)\n", p->name, p->label);
        } else {
            fprintf(stderr, "  %s\n", p->name);
        }
    }
}

static bool is_scatter_or_time(const fcs_param *p)
{
    return p->is_time || strncasecmp(p->name, "FSC", 3) == 0 ||
           strncasecmp(p->name, "SSC", 3) == 0 || strncasecmp(p->name, "Time", 4) == 0;
}

/* Top of scale of a channel in scale units: $PnR, or the top of a $PnE log range. */
static double channel_top(const fcs_param *p)
{
    double t = p->range;
    if (p->log_decades > 0) {
        t = p->log_offset * pow(10, p->log_decades);
    }
    return isfinite(t) && t > 1 ? t : 262144;
}

/* The display transform of one axis; *desc receives a description for the PNG comment. */
static apo_status axis_transform(const char *scale, const fcs_param *p, const double *x,
                                 size_t n, gate_transform *t, char *desc, size_t cap,
                                 apo_error *err)
{
    /* log-amplified channels ($PnE) hold 10^0..10^decades: a log axis shows them best */
    const char *s = scale ? scale
                          : (is_scatter_or_time(p) ? "linear"
                                                   : (p->log_decades > 0 ? "log" : "logicle"));
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
        double T = channel_top(p), M = 4.5, W = 0.5;
        apo_error ignored;
        double w = NAN;
        if (n > 0 && gate_logicle_estimate_w(x, n, T, M, &w, &ignored) == APO_OK &&
            isfinite(w) && w > 0) {
            W = w > 2 ? 2 : (w < 0.1 ? 0.1 : w);
        }
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

static bool dim_is(const gate_dim *d, const fcs_param *p)
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

static void add_gate(overlay_set *o, const gate_strategy *s, const gate_info *gi, bool swap,
                     double pct)
{
    if (o->n_gates >= 16) return;
    size_t xd = swap ? 1 : 0, yd = swap ? 0 : 1;
    render_gate *g = &o->gates[o->n_gates];
    memset(g, 0, sizeof *g);
    double *c = NULL;
    if (gi->kind == GATE_POLYGON) {
        c = malloc(2 * gi->n_vertices * sizeof *c);
        if (!c) return;
        for (size_t v = 0; v < gi->n_vertices; v++) {
            c[2 * v] = to_data(s, &gi->dims[xd], gi->vertices[2 * v + xd]);
            c[2 * v + 1] = to_data(s, &gi->dims[yd], gi->vertices[2 * v + yd]);
        }
        g->shape = RENDER_SHAPE_POLYGON;
        g->n_vertices = gi->n_vertices;
    } else if (gi->kind == GATE_RECTANGLE) {
        c = malloc(4 * sizeof *c);
        if (!c) return;
        c[0] = to_data(s, &gi->dims[xd], gi->min[xd]);
        c[1] = to_data(s, &gi->dims[yd], gi->min[yd]);
        c[2] = to_data(s, &gi->dims[xd], gi->max[xd]);
        c[3] = to_data(s, &gi->dims[yd], gi->max[yd]);
        g->shape = RENDER_SHAPE_RECTANGLE;
    } else if (gi->kind == GATE_ELLIPSOID && !gi->dims[0].transform_ref &&
               !gi->dims[1].transform_ref) {
        g->shape = RENDER_SHAPE_ELLIPSE;
        g->cx = gi->mean[xd];
        g->cy = gi->mean[yd];
        g->covariance[0] = gi->covariance[xd * 2 + xd];
        g->covariance[1] = gi->covariance[xd * 2 + yd];
        g->covariance[2] = gi->covariance[yd * 2 + xd];
        g->covariance[3] = gi->covariance[yd * 2 + yd];
        g->distance_square = gi->distance_square;
    } else {
        return;
    }
    g->xy = c;
    g->pct = pct;
    o->coords[o->n_gates] = c;
    o->names[o->n_gates] = strdup(gi->id);
    g->name = o->names[o->n_gates];
    o->n_gates++;
}

/* Child gates of population @p pop drawn on (px, py): outlines and quadrants. */
static void collect_overlays(overlay_set *o, const gate_strategy *s, const gate_result *r,
                             size_t pop, const fcs_param *px, const fcs_param *py)
{
    size_t ng = gate_strategy_n_gates(s);
    double parent = pop == SIZE_MAX ? (double)r->n_events : (double)r->count[pop];
    for (size_t g = 0; g < ng; g++) {
        if (gate_strategy_parent(s, g) != pop) continue;
        gate_info gi;
        gate_strategy_gate(s, g, &gi);
        double pct = parent > 0 ? 100.0 * (double)r->count[g] / parent : NAN;
        if ((gi.kind == GATE_POLYGON || gi.kind == GATE_RECTANGLE ||
             gi.kind == GATE_ELLIPSOID) && gi.n_dims == 2) {
            if (dim_is(&gi.dims[0], px) && dim_is(&gi.dims[1], py)) {
                add_gate(o, s, &gi, false, pct);
            } else if (dim_is(&gi.dims[1], px) && dim_is(&gi.dims[0], py)) {
                add_gate(o, s, &gi, true, pct);
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

static void print_populations(const gate_strategy *s, const char *name)
{
    fprintf(stderr, "apoflow: error: --population: expected a population path or id, found "
                    "\"%s\"; the strategy's populations are:\n", name);
    for (size_t g = 0; g < gate_strategy_n_gates(s); g++) {
        if (!gate_strategy_is_population(s, g)) continue;
        char *path = gate_strategy_path(s, g);
        fprintf(stderr, "  %s\n", path ? path : "?");
        free(path);
    }
}

/* ---- the command ------------------------------------------------------------------------- */

typedef struct plot_state {
    fcs_file *f;
    fcs_events ev;
    gate_strategy *strategy;
    gate_comp *csv;
    gate_comp *comp; /* what the plotted values were compensated with (borrowed or owned) */
    gate_comp *owned_comp;
    uint8_t *member;
    double *x, *y;
    overlay_set ov;
} plot_state;

static void state_free(plot_state *ps)
{
    overlay_free(&ps->ov);
    free(ps->x);
    free(ps->y);
    free(ps->member);
    gate_comp_free(ps->owned_comp);
    gate_comp_free(ps->csv);
    gate_strategy_free(ps->strategy);
    fcs_events_free(&ps->ev);
    fcs_file_free(ps->f);
}

static int fail(const apo_error *err, const char *path)
{
    if (err->file[0] == '\0') {
        cli_errorf("%s: %s", path, err->msg[0] ? err->msg : apo_status_name(err->status));
    } else {
        cli_print_error(err);
    }
    return apo_status_exit_code(err->status);
}

static bool compensated(const gate_comp *c, size_t param)
{
    if (!c || !c->param_index) return false;
    for (size_t i = 0; i < c->n; i++) {
        if (c->param_index[i] == param) return true;
    }
    return false;
}

static void axis_title(char *buf, size_t cap, const fcs_param *p, bool comp)
{
    char name[160];
    snprintf(name, sizeof name, "%s%s", comp ? "Comp-" : "", p->name);
    render_axis_title(buf, cap, name, p->label);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int run_plot(const plot_opts *o)
{
    apo_error err;
    apo_error_clear(&err);
    plot_state ps;
    memset(&ps, 0, sizeof ps);
    int rc = 0;
    if (fcs_file_open(&ps.f, o->file, &o->read, &err) != APO_OK) {
        rc = fail(&err, o->file);
        goto done;
    }
    if (o->dataset > fcs_file_n_datasets(ps.f)) {
        cli_errorf("%s: expected data set %zu, found %zu in the file", o->file, o->dataset,
                   fcs_file_n_datasets(ps.f));
        rc = 64;
        goto done;
    }
    const fcs_dataset *ds = fcs_file_dataset(ps.f, o->dataset - 1);
    for (size_t i = 0; i < fcs_file_n_warnings(ps.f); i++) {
        cli_warn(fcs_file_warning(ps.f, i)->msg);
    }
    for (size_t i = 0; i < fcs_dataset_n_warnings(ds); i++) {
        cli_warn(fcs_dataset_warning(ds, i)->msg);
    }
    bool hist = o->kind == RENDER_HISTOGRAM;
    size_t xi = fcs_dataset_find_param(ds, o->xname);
    size_t yi = o->yname ? fcs_dataset_find_param(ds, o->yname) : SIZE_MAX;
    if (xi == SIZE_MAX || (o->yname && yi == SIZE_MAX)) {
        print_unknown_channel(o->file, ds, xi == SIZE_MAX ? o->xname : o->yname);
        rc = 64;
        goto done;
    }
    if (!hist && yi == SIZE_MAX) {
        cli_errorf("plot: expected -y CHANNEL for a 2-D plot (or --kind hist)");
        rc = 64;
        goto done;
    }
    const fcs_param *px = fcs_dataset_param(ds, xi);
    const fcs_param *py = yi != SIZE_MAX ? fcs_dataset_param(ds, yi) : NULL;
    fcs_decode_options dec = FCS_DECODE_OPTIONS_INIT;
    dec.values = FCS_VALUES_SCALED;
    dec.apply_gain = true;
    if (fcs_dataset_read_events(ds, &dec, &ps.ev, &err) != APO_OK) {
        rc = fail(&err, o->file);
        goto done;
    }
    if (strcmp(o->comp, "auto") != 0 && strcmp(o->comp, "none") != 0) {
        if (gate_comp_read_csv(&ps.csv, o->comp, &err) != APO_OK ||
            gate_comp_bind(ps.csv, ds, &err) != APO_OK) {
            rc = fail(&err, o->comp);
            goto done;
        }
    }
    size_t n_all = (size_t)ps.ev.n_events;
    size_t pop = SIZE_MAX;
    char pop_text[300] = "All events";
    if (o->gating) {
        /* gate on the uncompensated events (the engine compensates as the strategy says) */
        gate_data d;
        gate_result r;
        memset(&d, 0, sizeof d);
        memset(&r, 0, sizeof r);
        apo_status st = gate_strategy_read_gml(&ps.strategy, o->gating, &err);
        if (st == APO_OK) st = gate_data_init(&d, ds, &ps.ev, &err);
        if (st == APO_OK) {
            if (strcmp(o->comp, "none") == 0) d.comp = NULL;
            else if (ps.csv) d.comp = ps.csv;
            st = gate_strategy_apply(ps.strategy, &d, &r, &err);
        }
        if (st == APO_OK && o->population) {
            pop = find_population(ps.strategy, o->population);
            if (pop == SIZE_MAX) {
                print_populations(ps.strategy, o->population);
                gate_result_free(&r);
                gate_data_free(&d);
                rc = 64;
                goto done;
            }
            ps.member = malloc(n_all ? n_all : 1);
            if (ps.member) memcpy(ps.member, gate_result_membership(&r, pop), n_all);
            char *path = gate_strategy_path(ps.strategy, pop);
            snprintf(pop_text, sizeof pop_text, "%s", path ? path : o->population);
            free(path);
        }
        if (st == APO_OK && py) {
            collect_overlays(&ps.ov, ps.strategy, &r, pop, px, py);
        }
        gate_result_free(&r);
        gate_data_free(&d);
        if (st != APO_OK) {
            rc = fail(&err, o->gating);
            goto done;
        }
        if (o->population && !ps.member) {
            cli_errorf("out of memory");
            rc = 71;
            goto done;
        }
    }
    /* compensate the plotted values */
    if (strcmp(o->comp, "none") != 0) {
        if (ps.csv) {
            ps.comp = ps.csv;
        } else if (fcs_dataset_spillover(ds)) {
            if (gate_comp_from_fcs(&ps.owned_comp, fcs_dataset_spillover(ds), &err) != APO_OK) {
                rc = fail(&err, o->file);
                goto done;
            }
            ps.comp = ps.owned_comp;
        }
        if (ps.comp && gate_comp_apply(ps.comp, &ps.ev, 0, &err) != APO_OK) {
            rc = fail(&err, o->file);
            goto done;
        }
    }
    ps.x = malloc((n_all ? n_all : 1) * sizeof *ps.x);
    ps.y = malloc((n_all ? n_all : 1) * sizeof *ps.y);
    if (!ps.x || !ps.y) {
        cli_errorf("out of memory");
        rc = 71;
        goto done;
    }
    size_t n = 0;
    for (size_t e = 0; e < n_all; e++) {
        if (ps.member && !ps.member[e]) continue;
        ps.x[n] = fcs_events_column(&ps.ev, xi)[e];
        ps.y[n] = py ? fcs_events_column(&ps.ev, yi)[e] : 0;
        n++;
    }
    gate_transform tx, ty;
    char xdesc[96], ydesc[96] = "-";
    if (axis_transform(o->xscale, px, ps.x, n, &tx, xdesc, sizeof xdesc, &err) != APO_OK ||
        (py && axis_transform(o->yscale, py, ps.y, n, &ty, ydesc, sizeof ydesc, &err) !=
                   APO_OK)) {
        rc = fail(&err, o->file);
        goto done;
    }
    char xt[256], yt[256] = "";
    axis_title(xt, sizeof xt, px, compensated(ps.comp, xi));
    if (py) axis_title(yt, sizeof yt, py, compensated(ps.comp, yi));

    render_plot p;
    render_plot_init(&p);
    p.kind = o->kind;
    render_axis_init(&p.xaxis, &tx, xt);
    render_axis_init(&p.yaxis, py ? &ty : NULL, yt);
    p.x = ps.x;
    p.y = py ? ps.y : NULL;
    p.n = n;
    render_quadrant q;
    if (o->quadrant && py) {
        /* percentages of every plotted event, the same rule as the engine: x >= X is '+' */
        uint64_t cnt[4] = {0, 0, 0, 0}, tot = 0;
        for (size_t e = 0; e < n; e++) {
            if (isnan(ps.x[e]) || isnan(ps.y[e])) continue;
            bool xp = ps.x[e] >= o->qx, yp = ps.y[e] >= o->qy;
            cnt[xp ? (yp ? RENDER_Q_UR : RENDER_Q_LR) : (yp ? RENDER_Q_UL : RENDER_Q_LL)]++;
            tot++;
        }
        memset(&q, 0, sizeof q);
        q.x = o->qx;
        q.y = o->qy;
        static const char *const qname[4] = {"Q4", "Q3", "Q2", "Q1"};
        const char *xs = px->label[0] ? px->label : px->name;
        const char *ys = py->label[0] ? py->label : py->name;
        for (int k = 0; k < 4; k++) {
            bool xp = k == RENDER_Q_LR || k == RENDER_Q_UR, yp = k == RENDER_Q_UL || k == RENDER_Q_UR;
            snprintf(ps.ov.qlabels[k], sizeof ps.ov.qlabels[k], "%s %s%s %s%s", qname[k], xs,
                     xp ? "+" : "\xe2\x88\x92", ys, yp ? "+" : "\xe2\x88\x92");
            q.label[k] = ps.ov.qlabels[k];
            q.pct[k] = tot ? 100.0 * (double)cnt[k] / (double)tot : NAN;
        }
        q.digits = 1;
        p.quadrant = &q;
    } else if (ps.ov.has_quadrant && !hist) {
        p.quadrant = &ps.ov.quadrant;
    }
    if (!hist) {
        p.gates = ps.ov.gates;
        p.n_gates = ps.ov.n_gates;
    }
    const char *sample = fcs_dataset_keyword(ds, "TUBE NAME");
    if (!sample || !sample[0]) sample = fcs_dataset_keyword(ds, "$FIL");
    if (!sample || !sample[0]) sample = base_name(o->file);
    char count[32], shown[32], subtitle[512];
    render_format_count(count, sizeof count, n);
    size_t drawn = o->ro.max_events && o->ro.max_events < n ? o->ro.max_events : n;
    if (drawn < n && !hist) {
        render_format_count(shown, sizeof shown, drawn);
        snprintf(subtitle, sizeof subtitle, "%s \xc2\xb7 n = %s (display %s)", pop_text, count,
                 shown);
    } else {
        snprintf(subtitle, sizeof subtitle, "%s \xc2\xb7 n = %s", pop_text, count);
    }
    p.title = sample;
    p.subtitle = subtitle;
    render_panel_spec panel = {NULL, 1, &p, 1};
    char comment[1400];
    snprintf(comment, sizeof comment,
             "x=%s; y=%s; xscale=%s; yscale=%s; comp=%s; population=%s; kind=%s", px->name,
             py ? py->name : "-", xdesc, ydesc,
             ps.comp ? ps.comp->source : "none", pop_text,
             hist ? "hist" : (o->kind == RENDER_DOT ? "dot" :
                              (o->kind == RENDER_CONTOUR ? "contour" : "pseudocolor")));
    if (p.quadrant) {
        size_t len = strlen(comment);
        snprintf(comment + len, sizeof comment - len,
                 "; quadrant=%g,%g; quadrant_pct=LL:%.4f,LR:%.4f,UR:%.4f,UL:%.4f", p.quadrant->x,
                 p.quadrant->y, p.quadrant->pct[RENDER_Q_LL], p.quadrant->pct[RENDER_Q_LR],
                 p.quadrant->pct[RENDER_Q_UR], p.quadrant->pct[RENDER_Q_UL]);
    }
    render_text_chunk meta[2] = {{"Source", base_name(o->file)}, {"Comment", comment}};
    if (render_panel_png(o->out, &panel, &o->ro, 2, meta, &err) != APO_OK) {
        rc = fail(&err, o->out);
        goto done;
    }
done:
    state_free(&ps);
    return rc;
}

int cmd_plot(int argc, char **argv)
{
    plot_opts o;
    memset(&o, 0, sizeof o);
    o.kind = RENDER_PSEUDOCOLOR;
    o.comp = "auto";
    o.dataset = 1;
    render_options ro = RENDER_OPTIONS_INIT;
    o.ro = ro;
    fcs_read_options rd = FCS_READ_OPTIONS_INIT;
    o.read = rd;
    static const struct option longopts[] = {
        {"x", required_argument, NULL, 'x'},          {"y", required_argument, NULL, 'y'},
        {"output", required_argument, NULL, 'o'},     {"kind", required_argument, NULL, 'k'},
        {"xscale", required_argument, NULL, 'X'},     {"yscale", required_argument, NULL, 'Y'},
        {"comp", required_argument, NULL, 'C'},       {"quadrant", required_argument, NULL, 'Q'},
        {"gating", required_argument, NULL, 'G'},     {"population", required_argument, NULL, 'P'},
        {"size", required_argument, NULL, 's'},       {"scale", required_argument, NULL, 'S'},
        {"colormap", required_argument, NULL, 'm'},   {"events", required_argument, NULL, 'e'},
        {"dataset", required_argument, NULL, 'd'},    {"offsets", required_argument, NULL, 'O'},
        {"text-mode", required_argument, NULL, 'T'},  {"allow-truncated", no_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},             {NULL, 0, NULL, 0}};
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "hx:y:o:", longopts, NULL)) != -1) {
        uint64_t v = 0;
        switch (opt) {
        case 'x':
            o.xname = optarg;
            break;
        case 'y':
            o.yname = optarg;
            break;
        case 'o':
            o.out = optarg;
            break;
        case 'k':
            if (!parse_kind(optarg, &o.kind)) return 64;
            break;
        case 'X':
            if (!check_scale_name("--xscale", optarg)) return 64;
            o.xscale = optarg;
            break;
        case 'Y':
            if (!check_scale_name("--yscale", optarg)) return 64;
            o.yscale = optarg;
            break;
        case 'C':
            if (optarg[0] == '\0') {
                cli_errorf("--comp: expected auto, none or a CSV file, found \"\"");
                return 64;
            }
            o.comp = optarg;
            break;
        case 'Q':
            if (!parse_pair(optarg, &o.qx, &o.qy)) return 64;
            o.quadrant = true;
            break;
        case 'G':
            o.gating = optarg;
            break;
        case 'P':
            o.population = optarg;
            break;
        case 's':
            if (!cli_parse_count("--size", optarg, 200, &v)) return 64;
            if (v > 4000) {
                cli_errorf("--size: expected 200..4000, found %s", optarg);
                return 64;
            }
            o.ro.size = (unsigned)v;
            break;
        case 'S':
            if (!cli_parse_count("--scale", optarg, 1, &v)) return 64;
            if (v > 4) {
                cli_errorf("--scale: expected 1..4, found %s", optarg);
                return 64;
            }
            o.ro.scale = (unsigned)v;
            break;
        case 'm':
            if (!parse_colormap(optarg, &o.ro.colormap)) return 64;
            break;
        case 'e':
            if (!cli_parse_count("--events", optarg, 1, &v)) return 64;
            o.ro.max_events = v > SIZE_MAX ? SIZE_MAX : (size_t)v;
            break;
        case 'd':
            if (!cli_parse_count("--dataset", optarg, 1, &v)) return 64;
            o.dataset = (size_t)v;
            break;
        case 'O':
        case 'T':
        case 'R':
            if (!cli_parse_read_option(opt, optarg, &o.read)) return 64;
            break;
        case 'h':
            print_help(stdout);
            return 0;
        default:
            print_help(stderr);
            return 64;
        }
    }
    if (optind + 1 != argc || !o.xname || !o.out) {
        cli_errorf("plot: expected one FCS file, -x CHANNEL and -o OUT.png");
        print_help(stderr);
        return 64;
    }
    if (o.population && !o.gating) {
        cli_errorf("--population: expected --gating STRATEGY.xml as well");
        return 64;
    }
    o.file = argv[optind];
    return run_plot(&o);
}
