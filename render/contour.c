/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * contour.c: FlowJo-style equal-probability contours (docs/plots.md, "Contours"): levels of the
 * smoothed 2-D density chosen so that the lines enclose 95 %, 90 %, 80 % ... 10 % of the
 * events, traced with marching squares (saddles resolved by the cell-centre average), and the
 * events outside the outermost line drawn as grey dots ("show outliers").
 */
#include "render/render_internal.h"

#include <math.h>
#include <stdlib.h>

#define CGRID 128
#define N_LEVELS 10

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

typedef struct cpt {
    double x, y;
} cpt;

static cpt edge_point(const double *g, size_t i, size_t j, int e, double lev, const rframe *f)
{
    /* corners: a (i,j), b (i+1,j), c (i+1,j+1), d (i,j+1); edges ab, bc, cd, da */
    static const int ci[4][2][2] = {{{0, 0}, {1, 0}}, {{1, 0}, {1, 1}},
                                    {{1, 1}, {0, 1}}, {{0, 1}, {0, 0}}};
    size_t i0 = i + (size_t)ci[e][0][0], j0 = j + (size_t)ci[e][0][1];
    size_t i1 = i + (size_t)ci[e][1][0], j1 = j + (size_t)ci[e][1][1];
    double v0 = g[j0 * CGRID + i0], v1 = g[j1 * CGRID + i1];
    double t = v1 != v0 ? (lev - v0) / (v1 - v0) : 0.5;
    double gu = ((double)i0 + t * ((double)i1 - (double)i0) + 0.5) / CGRID;
    double gv = ((double)j0 + t * ((double)j1 - (double)j0) + 0.5) / CGRID;
    cpt p = {f->x0 + gu * (f->x1 - f->x0), f->y1 - gv * (f->y1 - f->y0)};
    return p;
}

static void trace(const rc_canvas *c, const double *g, double lev, const rframe *f, double w,
                  uint32_t col)
{
    for (size_t j = 0; j + 1 < CGRID; j++) {
        for (size_t i = 0; i + 1 < CGRID; i++) {
            double a = g[j * CGRID + i], b = g[j * CGRID + i + 1];
            double cc = g[(j + 1) * CGRID + i + 1], d = g[(j + 1) * CGRID + i];
            int in[4] = {a >= lev, b >= lev, cc >= lev, d >= lev};
            int edges[4], ne = 0;
            for (int e = 0; e < 4; e++) {
                if (in[e] != in[(e + 1) % 4]) edges[ne++] = e;
            }
            if (ne == 2) {
                cpt p = edge_point(g, i, j, edges[0], lev, f);
                cpt q = edge_point(g, i, j, edges[1], lev, f);
                rc_line(c, p.x, p.y, q.x, q.y, w, col, 1);
            } else if (ne == 4) {
                bool center_in = (a + b + cc + d) / 4 >= lev;
                /* the pair of edges around each corner; keep corners of the minority apart */
                bool cut_ac = (in[0] != center_in); /* corners a and c differ from centre */
                int pairs[2][2];
                if (cut_ac) {
                    pairs[0][0] = 3; pairs[0][1] = 0; /* around a */
                    pairs[1][0] = 1; pairs[1][1] = 2; /* around c */
                } else {
                    pairs[0][0] = 0; pairs[0][1] = 1; /* around b */
                    pairs[1][0] = 2; pairs[1][1] = 3; /* around d */
                }
                for (int k = 0; k < 2; k++) {
                    cpt p = edge_point(g, i, j, pairs[k][0], lev, f);
                    cpt q = edge_point(g, i, j, pairs[k][1], lev, f);
                    rc_line(c, p.x, p.y, q.x, q.y, w, col, 1);
                }
            }
        }
    }
}

apo_status rplot_contour(const rc_canvas *c, rctx *ctx, const render_plot *p, const raxis *ax,
                         const raxis *ay, const rframe *f, apo_error *err)
{
    static const double enclosed[N_LEVELS] = {0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1};
    size_t n = p->n;
    double *u = NULL, *v = NULL, *grid = NULL, *sorted = NULL;
    size_t *idx = NULL;
    apo_status st = rplot_fracs(ax, ay, p->x, p->y, n, ctx->opts->cache, &u, &v, err);
    if (st != APO_OK) return st;
    double sigma = rplot_sigma(n) * 0.75;
    st = rdensity_grid(u, v, n, CGRID, sigma < 1.5 ? 1.5 : sigma, &grid, err);
    if (st != APO_OK) goto done;
    sorted = malloc(CGRID * CGRID * sizeof *sorted);
    idx = malloc((n ? n : 1) * sizeof *idx);
    if (!sorted || !idx) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                           "expected memory for contours, found none");
        goto done;
    }
    double total = 0;
    for (size_t k = 0; k < CGRID * CGRID; k++) {
        sorted[k] = grid[k];
        total += grid[k];
    }
    qsort(sorted, CGRID * CGRID, sizeof *sorted, cmp_desc);
    double level[N_LEVELS];
    for (int l = 0; l < N_LEVELS; l++) {
        double cum = 0, target = enclosed[l] * total;
        level[l] = sorted[CGRID * CGRID - 1];
        for (size_t k = 0; k < CGRID * CGRID; k++) {
            cum += sorted[k];
            if (cum >= target) {
                level[l] = sorted[k];
                break;
            }
        }
    }
    /* outliers: displayed events below the outermost level */
    size_t m = render_subsample(n, ctx->opts->max_events, ctx->opts->seed, idx);
    int size = (int)ctx->opts->scale;
    int w = (int)(f->x1 - f->x0), h = (int)(f->y1 - f->y0);
    for (size_t k = 0; k < m; k++) {
        size_t e = idx[k];
        if (isnan(u[e]) || !(total > 0)) continue;
        if (rdensity_at(grid, CGRID, u[e], v[e]) >= level[0]) continue;
        int px = (int)(u[e] * w), py = (int)(v[e] * h);
        if (px >= w) px = w - 1;
        if (py >= h) py = h - 1;
        int x = (int)f->x0 + px, y = (int)f->y1 - 1 - py;
        rc_fill_box(c, x, y, x + size, y + size, 0x8c8c8c);
    }
    if (total > 0) {
        for (int l = 0; l < N_LEVELS; l++) {
            if (level[l] > 0 && (l == 0 || level[l] > level[l - 1])) {
                trace(c, grid, level[l], f, ctx->u, 0x1a1a1a);
            }
        }
    }
done:
    free(u);
    free(v);
    free(grid);
    free(sorted);
    free(idx);
    return st;
}
