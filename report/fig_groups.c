/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fig_groups.c: the groups the summary figures draw (fig_internal.h): untreated, stimulus and
 * each treated (treatment, dose, unit) group of a run's sample rows with their apoptotic %
 * values, mean and SD, in the sheet's order (untreated, stimulus, then each treatment in order
 * of first appearance by increasing dose), and the comparison row of each; the order of the
 * samples for per-sample figures; significance marks; colours; writing PNG, SVG and PDF.
 */
#include "report/fig_internal.h"

#include "util/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The hues of render/'s overlays (hist.c) for treatments; greys for the controls. */
static const uint32_t treat_colors[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                        0x8c564b};

uint32_t fig_group_color(const fig_group *g)
{
    if (g->role == FIG_UNTREATED) {
        return 0xb4b4b4;
    }
    if (g->role == FIG_STIMULUS) {
        return 0x707070;
    }
    return treat_colors[g->treat % (sizeof treat_colors / sizeof treat_colors[0])];
}

static int role_of(const report_sample *s, fig_role *r)
{
    if (s->error[0] || !isfinite(s->apoptotic_pct)) {
        return 0;
    }
    if (strcmp(s->role, "untreated") == 0) {
        *r = FIG_UNTREATED;
    } else if (strcmp(s->role, "stimulus") == 0) {
        *r = FIG_STIMULUS;
    } else if (strcmp(s->role, "treated") == 0) {
        *r = FIG_TREATED;
    } else {
        return 0;
    }
    return 1;
}

static double dose_value(const char *text)
{
    double v;
    return apo_parse_double(text, strlen(text), false, &v) && isfinite(v) ? v : NAN;
}

static bool same_group(const fig_group *g, fig_role r, const report_sample *s)
{
    return g->role == r && (r != FIG_TREATED || (strcmp(g->treatment, s->treatment) == 0 &&
                                                 strcmp(g->dose, s->dose) == 0 &&
                                                 strcmp(g->unit, s->dose_unit) == 0));
}

/* Sheet order: role, then treatment, then numeric dose (non-numbers after, by text). */
static int group_cmp(const fig_group *a, const fig_group *b)
{
    if (a->role != b->role) {
        return a->role < b->role ? -1 : 1;
    }
    if (a->role != FIG_TREATED) {
        return 0;
    }
    if (a->treat != b->treat) {
        return a->treat < b->treat ? -1 : 1;
    }
    bool na = isnan(a->dose_value), nb = isnan(b->dose_value);
    if (na != nb) {
        return na ? 1 : -1;
    }
    if (!na && a->dose_value != b->dose_value) {
        return a->dose_value < b->dose_value ? -1 : 1;
    }
    int c = strcmp(a->dose, b->dose);
    return c != 0 ? c : strcmp(a->unit, b->unit);
}

static size_t treatment_index(fig_groups *out, const char *t)
{
    for (size_t k = 0; k < out->n_treatments; k++) {
        if (strcmp(out->treatments[k], t) == 0) {
            return k;
        }
    }
    out->treatments[out->n_treatments] = t;
    return out->n_treatments++;
}

static const assay_comparison *find_comparison(const assay_result *res, const fig_group *g)
{
    for (size_t i = 0; res != NULL && i < res->n_comparisons; i++) {
        const assay_comparison *c = &res->comparisons[i];
        if (g->role == FIG_STIMULUS && c->comparison == ASSAY_COMPARISON_STIMULUS_VS_UNTREATED) {
            return c;
        }
        if (g->role == FIG_TREATED && c->comparison == ASSAY_COMPARISON_TREATED_VS_STIMULUS &&
            strcmp(c->treatment, g->treatment) == 0 && strcmp(c->dose_text, g->dose) == 0 &&
            strcmp(c->dose_unit, g->unit) == 0) {
            return c;
        }
    }
    return NULL;
}

static void group_stats(fig_group *g)
{
    double s = 0, ss = 0;
    for (size_t i = 0; i < g->n; i++) {
        s += g->v[i];
    }
    g->mean = s / (double)g->n;
    for (size_t i = 0; i < g->n; i++) {
        ss += (g->v[i] - g->mean) * (g->v[i] - g->mean);
    }
    g->sd = g->n >= 2 ? sqrt(ss / (double)(g->n - 1)) : NAN;
}

/* Find or add the group of row @p s; the new group counts but holds no values yet. */
static fig_group *group_of(fig_groups *out, fig_role r, const report_sample *s)
{
    for (size_t k = 0; k < out->n; k++) {
        if (same_group(&out->g[k], r, s)) {
            return &out->g[k];
        }
    }
    fig_group *g = &out->g[out->n++];
    memset(g, 0, sizeof *g);
    g->role = r;
    g->treatment = s->treatment;
    g->dose = r == FIG_TREATED ? s->dose : "";
    g->unit = r == FIG_TREATED ? s->dose_unit : "";
    g->dose_value = r == FIG_TREATED ? dose_value(s->dose) : NAN;
    g->treat = r == FIG_TREATED ? treatment_index(out, s->treatment) : 0;
    return g;
}

apo_status fig_groups_build(fig_groups *out, const assay_result *res, size_t n,
                            const report_sample *rows, apo_error *err)
{
    memset(out, 0, sizeof *out);
    out->g = calloc(n ? n : 1, sizeof *out->g);
    out->treatments = calloc(n ? n : 1, sizeof *out->treatments);
    out->pool = calloc(n ? n : 1, sizeof *out->pool);
    if (out->g == NULL || out->treatments == NULL || out->pool == NULL) {
        fig_groups_free(out);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    fig_role r;
    for (size_t i = 0; i < n; i++) { /* the groups and their sizes */
        if (role_of(&rows[i], &r)) {
            group_of(out, r, &rows[i])->n++;
        }
    }
    for (size_t a = 1; a < out->n; a++) { /* stable insertion sort into the sheet's order */
        for (size_t b = a; b > 0 && group_cmp(&out->g[b - 1], &out->g[b]) > 0; b--) {
            fig_group t = out->g[b - 1];
            out->g[b - 1] = out->g[b];
            out->g[b] = t;
        }
    }
    size_t used = 0;
    for (size_t k = 0; k < out->n; k++) {
        out->g[k].v = out->pool + used;
        used += out->g[k].n;
        out->g[k].n = 0;
    }
    for (size_t i = 0; i < n; i++) { /* the values, in row order */
        if (role_of(&rows[i], &r)) {
            fig_group *g = group_of(out, r, &rows[i]);
            g->v[g->n++] = rows[i].apoptotic_pct;
        }
    }
    for (size_t k = 0; k < out->n; k++) {
        group_stats(&out->g[k]);
        out->g[k].cmp = find_comparison(res, &out->g[k]);
    }
    return APO_OK;
}

void fig_groups_free(fig_groups *g)
{
    free(g->g);
    free(g->treatments);
    free(g->pool);
    memset(g, 0, sizeof *g);
}

/* Rank of a row's role in the per-sample order. */
static int sample_rank(const report_sample *s)
{
    static const char *const order[] = {"unstained", "annexin_single", "pi_single",
                                        "untreated", "stimulus",       "treated"};
    if (s->error[0]) {
        return 7;
    }
    for (int k = 0; k < 6; k++) {
        if (strcmp(s->role, order[k]) == 0) {
            return k;
        }
    }
    return 6;
}

/* The sort key of one row for fig_sample_order. */
typedef struct row_key {
    int rank;          /* sample_rank */
    size_t treat;      /* first row with the same treatment (treated rows) */
    double dose;       /* NaN when not a number */
    const char *dose_text;
    unsigned replicate;
    size_t index;      /* the row: ties keep row order */
} row_key;

static int key_cmp(const void *pa, const void *pb)
{
    const row_key *a = pa, *b = pb;
    if (a->rank != b->rank) {
        return a->rank < b->rank ? -1 : 1;
    }
    if (a->rank == 5) {
        if (a->treat != b->treat) {
            return a->treat < b->treat ? -1 : 1;
        }
        if (isnan(a->dose) != isnan(b->dose)) {
            return isnan(a->dose) ? 1 : -1;
        }
        if (!isnan(a->dose) && a->dose != b->dose) {
            return a->dose < b->dose ? -1 : 1;
        }
        int c = strcmp(a->dose_text, b->dose_text);
        if (c != 0) {
            return c;
        }
    }
    if (a->replicate != b->replicate) {
        return a->replicate < b->replicate ? -1 : 1;
    }
    return a->index < b->index ? -1 : a->index > b->index;
}

void fig_sample_order(const report_sample *rows, size_t n, size_t *order)
{
    row_key *k = malloc((n ? n : 1) * sizeof *k);
    const char **names = malloc((n ? n : 1) * sizeof *names); /* distinct treatments */
    size_t *first = malloc((n ? n : 1) * sizeof *first);
    size_t n_names = 0;
    if (k == NULL || names == NULL || first == NULL) { /* keep the row order */
        for (size_t i = 0; i < n; i++) {
            order[i] = i;
        }
        free(k);
        free(names);
        free(first);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        size_t t = 0;
        while (t < n_names && strcmp(names[t], rows[i].treatment) != 0) {
            t++;
        }
        if (t == n_names) {
            names[n_names] = rows[i].treatment;
            first[n_names++] = i;
        }
        k[i] = (row_key){sample_rank(&rows[i]), first[t], dose_value(rows[i].dose),
                         rows[i].dose, rows[i].replicate, i};
    }
    qsort(k, n, sizeof *k, key_cmp);
    for (size_t i = 0; i < n; i++) {
        order[i] = k[i].index;
    }
    free(k);
    free(names);
    free(first);
}

const char *fig_sig_mark(const assay_comparison *c)
{
    if (c == NULL || !c->replicates || !isfinite(c->p_adjusted)) {
        return NULL;
    }
    double p = c->p_adjusted;
    return p < 0.001 ? "***" : p < 0.01 ? "**" : p < 0.05 ? "*" : "ns";
}

/* The size at which @p text fits in @p w - 16 units: @p px, smaller for a long text (a sample
 * or treatment name), not below 7. */
static double fit_px(render_chart *c, const char *text, double px, bool bold, double w)
{
    double tw = render_chart_text_width(c, text, px, bold);
    return tw > w - 16 && tw > 0 ? fmax(7, px * (w - 16) / tw) : px;
}

void fig_titles(render_chart *c, double w, const char *title, const char *subtitle)
{
    render_text_style t = {.px = fit_px(c, title, 14, true, w), .bold = true, .color = 0x101010,
                           .anchor = RENDER_ANCHOR_MIDDLE, .cls = "title"};
    render_chart_text(c, w / 2, 26, title, &t);
    if (subtitle != NULL && subtitle[0] != '\0') {
        t = (render_text_style){.px = fit_px(c, subtitle, 11, false, w), .color = FIG_SUBTLE,
                                .anchor = RENDER_ANCHOR_MIDDLE, .cls = "subtitle"};
        render_chart_text(c, w / 2, 44, subtitle, &t);
    }
}

apo_status fig_write(const render_chart *c, const char *base, const char *title, bool pdf,
                     apo_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s.png", base);
    render_text_chunk meta[] = {{"Comment", title}};
    /* 2 pixels per unit, 1 for a chart wider than 3000 units (a large plate's) */
    double scale = render_chart_width(c) > 3000 ? 1 : 2;
    apo_status st = render_chart_write_png(c, path, scale, 1, meta, err);
    if (st == APO_OK) {
        snprintf(path, sizeof path, "%s.svg", base);
        st = render_chart_write_svg(c, path, title, err);
    }
    if (st == APO_OK && pdf) {
        snprintf(path, sizeof path, "%s.pdf", base);
        st = render_chart_write_pdf(c, path, title, err);
    }
    return st;
}
