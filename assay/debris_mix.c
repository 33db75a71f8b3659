// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * debris_mix.c: the debris model behind the Cells gate (docs/algorithms.md, "Debris
 * exclusion"). The events of log10 FSC (x log10 SSC when the instrument has side scatter) are
 * described as a mixture of Gaussians fitted by expectation-maximisation: two components
 * started on the events below the FSC valley between the debris and cell modes (debris: one
 * for its bulk, one for its low half), two on the events above it (the cells: the larger ones
 * and the shrunken apoptotic ones). After the fit a component is debris when its centre lies
 * below that valley on FSC, so a component that wandered keeps an honest label (a broad cell
 * population's low shoulder stays cells). Each event gets its probability of being
 * debris; the gate is the one of the drawable family "FSC >= a and SSC >= b" (b = -inf
 * without side scatter) with the fewest expected misclassified events: debris kept plus cells
 * lost, each weighted by those probabilities (the Bayes rule restricted to an L-shaped
 * boundary an analyst draws). Deterministic (fixed starts, no random numbers).
 */
#include "density.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MIX_K 4
#define MIX_MAX_POINTS 50000 /* every step-th event beyond this many */
#define MIX_MAX_ITER 300
#define MIX_VAR_FLOOR 1e-4   /* (0.01 decades)^2: discrete channels cannot collapse a component */
#define MIX_GRID 160         /* candidate gate sides between the debris and cell centres */
/* The cost of a cell lost relative to a debris event kept. A cell cut off at the edge of the
 * cell cluster removes an event like the ones kept beside it, and changes the sample's
 * percentages only by how much its class differs from theirs; a debris event kept adds an
 * event whose stain has nothing to do with the cells and lands in any quadrant. With 1/4 an
 * event on the gate's edge is kept when it is a cell with probability at least 0.8. */
#define MIX_CELL_COST 0.25
#define MIX_TIE 1.0 /* expected misclassified events: gates this close to the best are ties */

typedef struct mix_comp {
    double w, mx, my, cxx, cxy, cyy;
} mix_comp;

/* log of w N(x, y; comp) without the 2 pi term (1-D: y = 0, cyy = 1, cxy = 0), split into
 * the part that is the same for every point, log w - 0.5 log det (comp_lognorm, once per
 * iteration), and the point's own part. */
static double comp_lognorm(const mix_comp *c)
{
    const double det = c->cxx * c->cyy - c->cxy * c->cxy;
    return log(c->w) - 0.5 * log(det);
}

static double comp_logpdf(const mix_comp *c, double lognorm, double x, double y)
{
    const double det = c->cxx * c->cyy - c->cxy * c->cxy;
    const double dx = x - c->mx, dy = y - c->my;
    const double q = (c->cyy * dx * dx - 2.0 * c->cxy * dx * dy + c->cxx * dy * dy) / det;
    return lognorm - 0.5 * q;
}

/* Weighted moments of the points selected by sel (NULL = all) into c; false when empty. */
static bool comp_moments(mix_comp *c, const double *x, const double *y, size_t n,
                         const double *r, size_t stride, bool two_d)
{
    double s = 0, sx = 0, sy = 0;
    for (size_t i = 0; i < n; i++) {
        const double w = r[i * stride];
        s += w;
        sx += w * x[i];
        sy += two_d ? w * y[i] : 0;
    }
    if (!(s > 1e-9)) {
        return false;
    }
    c->mx = sx / s;
    c->my = two_d ? sy / s : 0;
    double vxx = 0, vxy = 0, vyy = 0;
    for (size_t i = 0; i < n; i++) {
        const double w = r[i * stride], dx = x[i] - c->mx, dy = two_d ? y[i] - c->my : 0;
        vxx += w * dx * dx;
        vxy += w * dx * dy;
        vyy += w * dy * dy;
    }
    c->cxx = fmax(vxx / s, MIX_VAR_FLOOR);
    c->cyy = two_d ? fmax(vyy / s, MIX_VAR_FLOOR) : 1.0;
    const double lim = 0.99 * sqrt(c->cxx * c->cyy);
    c->cxy = two_d ? fmax(-lim, fmin(lim, vxy / s)) : 0.0;
    c->w = s;
    return true;
}

/* EM from the start responsibilities in r (n x MIX_K); false when a component empties. */
static bool mix_em(mix_comp *c, const double *x, const double *y, size_t n, double *r,
                   bool two_d)
{
    double prev = -INFINITY;
    for (int it = 0; it < MIX_MAX_ITER; it++) {
        double tot = 0;
        for (int k = 0; k < MIX_K; k++) {
            if (!comp_moments(&c[k], x, y, n, r + k, MIX_K, two_d)) {
                return false;
            }
            tot += c[k].w;
        }
        for (int k = 0; k < MIX_K; k++) {
            c[k].w /= tot;
        }
        double lognorm[MIX_K];
        for (int k = 0; k < MIX_K; k++) {
            lognorm[k] = comp_lognorm(&c[k]);
        }
        double ll = 0;
        for (size_t i = 0; i < n; i++) {
            double lp[MIX_K], top = -INFINITY, s = 0;
            for (int k = 0; k < MIX_K; k++) {
                lp[k] = comp_logpdf(&c[k], lognorm[k], x[i], two_d ? y[i] : 0);
                top = fmax(top, lp[k]);
            }
            for (int k = 0; k < MIX_K; k++) {
                lp[k] = exp(lp[k] - top);
                s += lp[k];
            }
            for (int k = 0; k < MIX_K; k++) {
                r[i * MIX_K + k] = lp[k] / s;
            }
            ll += top + log(s);
        }
        if (ll - prev < 1e-7 * (double)n) {
            break;
        }
        prev = ll;
    }
    return true;
}

/* Start responsibilities: below the valley v the bulk of the debris (0) and its low half (1,
 * below the median of those events), above it the cells (2) and their lower half (3). */
static void mix_start(const double *x, size_t n, double v, double *r)
{
    double *lo = malloc(n * sizeof *lo), *hi = malloc(n * sizeof *hi);
    size_t nl = 0, nh = 0;
    for (size_t i = 0; lo != NULL && hi != NULL && i < n; i++) {
        if (x[i] < v) {
            lo[nl++] = x[i];
        } else {
            hi[nh++] = x[i];
        }
    }
    const double ml = lo != NULL && nl > 0 ? assay_quantile(lo, nl, 0.5) : v - 0.5;
    const double mh = hi != NULL && nh > 0 ? assay_quantile(hi, nh, 0.5) : v + 0.5;
    free(lo);
    free(hi);
    for (size_t i = 0; i < n; i++) {
        double *ri = r + i * MIX_K;
        memset(ri, 0, MIX_K * sizeof *ri);
        const int k = x[i] < v ? (x[i] < ml ? 1 : 0) : (x[i] < mh ? 3 : 2);
        ri[k] = 0.9;
        for (int j = 0; j < MIX_K; j++) {
            ri[j] += 0.1 / MIX_K; /* no component starts empty */
        }
    }
}

/* Index of the cut among the grid edges: bin 0 below e0, bin k + 1 in [e_k, e_k+1), bin
 * MIX_GRID + 1 at or above the last edge. */
static size_t grid_bin(double v, double e0, double de)
{
    const double p = (v - e0) / de;
    if (!(p >= 0)) {
        return 0;
    }
    return p >= MIX_GRID ? MIX_GRID + 1 : (size_t)p + 1;
}

/* The L-shaped gate "x >= a and y >= b" with the fewest expected misclassified events: p
 * summed inside (debris kept) plus MIX_CELL_COST times 1 - p summed outside (cells lost); a on
 * the grid from xd to xc, b from yd to yc or -inf (two_d false: b = -inf). */
static void best_corner(const double *x, const double *y, const double *p, size_t n,
                        bool two_d, double xd, double xc, double valley, double yd, double yc,
                        double *a, double *b, double *leak)
{
    enum { G = MIX_GRID + 2 };
    double *hd = calloc((size_t)G * G, sizeof *hd), *hc = calloc((size_t)G * G, sizeof *hc);
    *a = xd;
    *b = -INFINITY;
    *leak = NAN;
    if (hd == NULL || hc == NULL) {
        free(hd);
        free(hc);
        return;
    }
    const double dx = (xc - xd) / MIX_GRID, dy = two_d ? (yc - yd) / MIX_GRID : 1.0;
    double cells = 0;
    for (size_t i = 0; i < n; i++) {
        const size_t ix = grid_bin(x[i], xd, dx), iy = two_d ? grid_bin(y[i], yd, dy) : 0;
        hd[ix * G + iy] += p[i];
        hc[ix * G + iy] += 1.0 - p[i];
        cells += 1.0 - p[i];
    }
    /* suffix sums: h[ix][iy] = sum over bins >= ix and >= iy */
    for (size_t ix = G; ix-- > 0;) {
        for (size_t iy = G; iy-- > 0;) {
            const size_t k = ix * G + iy;
            double sd = hd[k], sc = hc[k];
            if (ix + 1 < G) {
                sd += hd[k + G];
                sc += hc[k + G];
            }
            if (iy + 1 < G) {
                sd += hd[k + 1];
                sc += hc[k + 1];
            }
            if (ix + 1 < G && iy + 1 < G) {
                sd -= hd[k + G + 1];
                sc -= hc[k + G + 1];
            }
            hd[k] = sd;
            hc[k] = sc;
        }
    }
    double best = INFINITY;
    size_t bx = 1, by = 0;
    const size_t ny = two_d ? (size_t)MIX_GRID + 1 : 0;
    for (size_t ix = 1; ix <= MIX_GRID + 1; ix++) { /* the cut a = edge ix - 1 */
        for (size_t iy = 0; iy <= ny; iy++) {
            best = fmin(best, hd[ix * G + iy] + MIX_CELL_COST * (cells - hc[ix * G + iy]));
        }
    }
    /* Among the gates within MIX_TIE events of the best (an empty gap between well separated
     * debris and cells leaves many), the one without an SSC side or with the lowest, then
     * the one nearest the valley: no cut is moved across an empty region for nothing. */
    double near = INFINITY;
    for (size_t iy = 0; iy <= ny && !isfinite(near); iy++) {
        for (size_t ix = 1; ix <= MIX_GRID + 1; ix++) {
            const double cost = hd[ix * G + iy] + MIX_CELL_COST * (cells - hc[ix * G + iy]);
            const double dist = fabs(xd + dx * (double)(ix - 1) - valley);
            if (cost <= best + MIX_TIE && dist < near) {
                near = dist;
                bx = ix;
                by = iy;
            }
        }
    }
    *a = xd + dx * (double)(bx - 1);
    *b = by == 0 ? -INFINITY : yd + dy * (double)(by - 1);
    const double in = hd[bx * G + by] + hc[bx * G + by];
    *leak = in > 0 ? hd[bx * G + by] / in : NAN;
    free(hd);
    free(hc);
}

bool pregate_debris_mixture(const double *lf, const double *ls, size_t n, double valley,
                            double xd, double xc, double *a, double *b, double *leak)
{
    const size_t step = n > MIX_MAX_POINTS ? (n + MIX_MAX_POINTS - 1) / MIX_MAX_POINTS : 1;
    const size_t cap = n > 0 ? (n + step - 1) / step : 1;
    double *x = malloc(cap * sizeof *x), *y = malloc(cap * sizeof *y);
    double *r = malloc(cap * MIX_K * sizeof *r), *p = malloc(cap * sizeof *p);
    bool ok = x != NULL && y != NULL && r != NULL && p != NULL;
    const bool two_d = ls != NULL;
    size_t m = 0; /* the finite points of every step-th event */
    for (size_t i = 0; ok && i < n; i += step) {
        if (isfinite(lf[i]) && (!two_d || isfinite(ls[i]))) {
            x[m] = lf[i];
            y[m] = two_d ? ls[i] : 0;
            m++;
        }
    }
    ok = ok && m >= 100 && isfinite(valley) && xc > xd;
    mix_comp c[MIX_K];
    if (ok) {
        mix_start(x, m, valley, r);
        ok = mix_em(c, x, y, m, r, two_d);
    }
    bool is_debris[MIX_K], any_d = false, any_c = false;
    double yd = 0, yc = 0, wd = 0, wc = 0;
    for (int k = 0; ok && k < MIX_K; k++) {
        is_debris[k] = c[k].mx < valley;
        any_d |= is_debris[k];
        any_c |= !is_debris[k];
        if (is_debris[k]) {
            yd += c[k].w * c[k].my;
            wd += c[k].w;
        } else {
            yc += c[k].w * c[k].my;
            wc += c[k].w;
        }
    }
    ok = ok && any_d && any_c;
    if (ok) {
        for (size_t i = 0; i < m; i++) {
            double s = 0;
            for (int k = 0; k < MIX_K; k++) {
                s += is_debris[k] ? r[i * MIX_K + k] : 0;
            }
            p[i] = s;
        }
        yd /= wd;
        yc /= wc;
        best_corner(x, y, p, m, two_d && yc - yd > 0.05, xd, xc, valley, yd, yc, a, b, leak);
    }
    free(x);
    free(y);
    free(r);
    free(p);
    return ok;
}
