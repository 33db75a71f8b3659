/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scatter.c: dot and pseudocolor layers (docs/plots.md, "Density"), given the drawn events (the
 * display subsample, plot.c). Pseudocolor: the smoothed 2-D histogram of the drawn events on
 * the display scale, looked up bilinearly at each of them; the colour is the event's density
 * rank among them (so one hot spot does not flatten the rest), and events are drawn in
 * ascending colour order (a stable counting sort, so ties keep event order: deterministic),
 * densest last.
 */
#include "render/render_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GRID 256
#define RANK_BINS 4096

#define TABLE_STEPS 8192

/*
 * Axis fractions through a table: the inverse transform (closed form for every kind) sampled
 * at TABLE_STEPS + 1 evenly spaced display values, then a binary search per event. 5x faster
 * than the forward logicle (a root-finding per value) and within 1/8192 of the axis length of
 * it. The table depends on the axis alone, so the plots of a run share it (render_cache).
 */

/* The table of axis @p a (malloc'd); NULL when out of memory or when the sampled inverse is
 * not increasing (the caller then uses the exact path). */
static double *knots_build(const raxis *a)
{
    double *knots = malloc((TABLE_STEPS + 1) * sizeof *knots);
    if (!knots) return NULL;
    for (size_t k = 0; k <= TABLE_STEPS; k++) {
        double d = a->lo + (a->hi - a->lo) * (double)k / TABLE_STEPS;
        knots[k] = gate_transform_inverse(&a->t, d);
        if (!isfinite(knots[k]) || (k > 0 && !(knots[k] > knots[k - 1]))) {
            free(knots);
            return NULL;
        }
    }
    return knots;
}

/* The fractions through the table of @p a, from @p cache (made once per axis: the same
 * values) or made here; false when there is no table. */
static bool fracs_by_table(const raxis *a, const double *x, size_t n, double *out,
                           render_cache *cache)
{
    double *own;
    const double *knots = rcache_knots(cache, a, knots_build, &own);
    if (knots == NULL) {
        return false;
    }
    for (size_t e = 0; e < n; e++) {
        double v = x[e];
        if (isnan(v)) {
            out[e] = NAN;
        } else if (v <= knots[0]) {
            out[e] = 0;
        } else if (v >= knots[TABLE_STEPS]) {
            out[e] = 1;
        } else {
            /* knots[lo] <= v < knots[lo + 1]: unique, the knots strictly increase; found by a
             * bisection without branches (a conditional move per step), which lets the
             * processor overlap the searches of consecutive events */
            size_t lo = 0;
            for (size_t half = TABLE_STEPS / 2; half > 0; half /= 2) {
                lo = knots[lo + half] <= v ? lo + half : lo;
            }
            const size_t hi = lo + 1;
            double t = (v - knots[lo]) / (knots[hi] - knots[lo]);
            out[e] = ((double)lo + t) / TABLE_STEPS;
        }
    }
    free(own);
    return true;
}

static void fracs_exact(const raxis *a, const double *x, size_t n, double *out)
{
    gate_transform_apply_array(&a->t, x, out, n);
    for (size_t e = 0; e < n; e++) {
        double f = raxis_frac_display(a, out[e]);
        /* NaN from a log of a non-positive value piles up on the low edge */
        if (isnan(f)) f = isnan(x[e]) ? NAN : 0;
        out[e] = f < 0 ? 0 : (f > 1 ? 1 : f);
    }
}

static void fracs(const raxis *a, const double *x, size_t n, double *out, render_cache *cache)
{
    if (n == 0) {
        return; /* x may be NULL */
    }
    if (a->t.kind == GATE_TRANSFORM_LINEAR || !fracs_by_table(a, x, n, out, cache)) {
        fracs_exact(a, x, n, out);
    }
}

apo_status rplot_fracs(const raxis *ax, const raxis *ay, const double *x, const double *y,
                       size_t n, render_cache *cache, double **u_out, double **v_out,
                       apo_error *err)
{
    *u_out = NULL;
    *v_out = NULL;
    double *u = malloc((n ? n : 1) * sizeof *u), *v = malloc((n ? n : 1) * sizeof *v);
    if (!u || !v) {
        free(u);
        free(v);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for %zu events, found none", n);
    }
    fracs(ax, x, n, u, cache);
    fracs(ay, y, n, v, cache);
    for (size_t e = 0; e < n; e++) {
        if (isnan(v[e])) u[e] = NAN; /* one NaN marks the event as not drawable */
    }
    *u_out = u;
    *v_out = v;
    return APO_OK;
}

double rplot_sigma(size_t n)
{
    double s = 3.0 * pow(1e4 / (double)(n ? n : 1), 1.0 / 6.0);
    return s < 1.5 ? 1.5 : (s > 8 ? 8 : s);
}

/* Plot-area pixel of an event, packed as py * 65536 + px. */
static uint32_t pixel_of(const rframe *f, double u, double v)
{
    int w = (int)(f->x1 - f->x0), h = (int)(f->y1 - f->y0);
    int px = (int)(u * w), py = (int)(v * h);
    if (px >= w) px = w - 1;
    if (py >= h) py = h - 1;
    return (uint32_t)py * 65536u + (uint32_t)px;
}

static void dot_at(const rc_canvas *c, const rframe *f, uint32_t pix, int size, uint32_t col)
{
    int x = (int)f->x0 + (int)(pix & 0xffffu) - (size - 1) / 2;
    int y = (int)f->y1 - 1 - (int)(pix >> 16) - (size - 1) / 2;
    if (size == 1 && x >= c->clip_x0 && y >= c->clip_y0 && x < c->clip_x1 && y < c->clip_y1) {
        uint8_t *p = c->img->rgb + ((size_t)y * c->img->width + (size_t)x) * 3;
        p[0] = (uint8_t)(col >> 16);
        p[1] = (uint8_t)(col >> 8);
        p[2] = (uint8_t)col;
        return;
    }
    rc_fill_box(c, x, y, x + size, y + size, col);
}

static void dot(const rc_canvas *c, const rframe *f, double u, double v, int size, uint32_t col)
{
    dot_at(c, f, pixel_of(f, u, v), size, col);
}

/* The drawn events (p holds the display subsample, plot.c) as axis fractions, events off
 * both scales (NaN) dropped; *u_out and *v_out are malloc'd, *m_out of them kept. */
static apo_status drawn_events(const render_plot *p, const raxis *ax, const raxis *ay,
                               render_cache *cache, double **u_out, double **v_out,
                               size_t *m_out, apo_error *err)
{
    *m_out = 0;
    double *u = NULL, *v = NULL;
    apo_status st = rplot_fracs(ax, ay, p->x, p->y, p->n, cache, &u, &v, err);
    *u_out = u;
    *v_out = v;
    if (st != APO_OK) return st;
    size_t kept = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (!isnan(u[i])) {
            u[kept] = u[i];
            v[kept] = v[i];
            kept++;
        }
    }
    *m_out = kept;
    return APO_OK;
}

apo_status rplot_scatter(const rc_canvas *c, rctx *ctx, const render_plot *p, const raxis *ax,
                         const raxis *ay, const rframe *f, apo_error *err)
{
    size_t n = p->n, m = 0;
    double *u = NULL, *v = NULL, *grid = NULL, *dens = NULL;
    size_t *count = NULL;
    uint32_t *order = NULL;
    uint8_t *level = NULL;
    apo_status st = drawn_events(p, ax, ay, ctx->opts->cache, &u, &v, &m, err);
    if (st != APO_OK) return st;
    int size = (int)ctx->opts->scale * (m < 5000 ? 2 : 1);
    if (p->kind == RENDER_DOT) {
        for (size_t i = 0; i < m; i++) dot(c, f, u[i], v[i], size, 0x000000);
        goto done;
    }
    /* the shading is made from the drawn events, smoothed as wide as their number asks (a
     * density from fewer events needs a wider kernel to be as smooth) */
    st = rdensity_grid(u, v, m, GRID, rplot_sigma(n), &grid, err);
    if (st != APO_OK) goto done;
    dens = malloc((m ? m : 1) * sizeof *dens);
    level = malloc(m ? m : 1);
    order = malloc((m ? m : 1) * sizeof *order);
    count = calloc(RANK_BINS + 1, sizeof *count);
    if (!dens || !level || !order || !count) goto nomem;
    double dmax = 0;
    for (size_t i = 0; i < m; i++) {
        dens[i] = rdensity_at(grid, GRID, u[i], v[i]);
        if (dens[i] > dmax) dmax = dens[i];
    }
    /* rank of each event's density among displayed events, via a histogram of
     * sqrt(d / dmax) (fine at the sparse end, where most distinct values are) */
    for (size_t i = 0; i < m; i++) {
        double s = dmax > 0 ? sqrt(dens[i] / dmax) : 0;
        size_t b = (size_t)(s * (RANK_BINS - 1) + 0.5);
        dens[i] = (double)b; /* reuse: bin index */
        count[b]++;
    }
    {
        double below = 0;
        double *cdf = (double *)malloc(RANK_BINS * sizeof *cdf);
        if (!cdf) goto nomem;
        for (size_t b = 0; b < RANK_BINS; b++) {
            cdf[b] = m ? (below + 0.5 * (double)count[b]) / (double)m : 0;
            below += (double)count[b];
        }
        for (size_t i = 0; i < m; i++) {
            double t = cdf[(size_t)dens[i]];
            int li = (int)(t * 256);
            level[i] = (uint8_t)(li > 255 ? 255 : (li < 0 ? 0 : li));
        }
        free(cdf);
    }
    /* counting sort by colour level: stable, densest drawn last; the sorted array holds
     * pixel positions so the drawing loop reads memory in order */
    size_t start[257] = {0};
    for (size_t i = 0; i < m; i++) start[level[i] + 1]++;
    for (int k = 0; k < 256; k++) start[k + 1] += start[k];
    size_t end[256];
    memcpy(end, start + 1, sizeof end);
    for (size_t i = 0; i < m; i++) {
        order[start[level[i]]++] = pixel_of(f, u[i], v[i]);
    }
    size_t k = 0;
    for (int lev = 0; lev < 256; lev++) {
        for (; k < end[lev]; k++) dot_at(c, f, order[k], size, ctx->lut[lev]);
    }
    goto done;
nomem:
    st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                       "expected memory for %zu events, found none", n);
done:
    free(u);
    free(v);
    free(grid);
    free(dens);
    free(order);
    free(count);
    free(level);
    return st;
}
