// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * debris_mix.c: the debris model behind the Cells gate (docs/algorithms.md, "Debris
 * exclusion"). The events of log10 FSC (x log10 SSC when the instrument has side scatter) are
 * described as a mixture of Gaussians fitted by expectation-maximisation on their 2-D
 * histogram (bins of 0.02 decades, each with its count, mean and spread, so a step costs a
 * bin where it would cost an event; accelerated by squared extrapolation): two components
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
#include "debris_mix_internal.h"
#include "density.h"
#include "util/clones.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MIX_K ASSAY_MIX_K
#define MIX_MAX_POINTS 50000 /* every step-th event beyond this many */
#define MIX_MAX_ITER 300     /* E-steps at most */
#define MIX_TOL 1e-7         /* stop when a cycle gains less than this per point (a looser stop
                                was faster and less accurate: docs/performance.md) */
#define MIX_SQ_TRIES 4       /* extrapolations tried per cycle before plain EM */
#define MIX_BIN 0.02         /* histogram cell (decades): twice the smallest SD allowed */
#define MIX_BIN_MAX 512      /* cells per axis at most (wider cells on a wider range) */
#define MIX_VAR_FLOOR 1e-4   /* (0.01 decades)^2: discrete channels cannot collapse a component */
#define MIX_GRID ASSAY_MIX_GRID /* candidate gate sides between the debris and cell centres */
/* The cost of a cell lost relative to a debris event kept. A cell cut off at the edge of the
 * cell cluster removes an event like the ones kept beside it, and changes the sample's
 * percentages only by how much its class differs from theirs; a debris event kept adds an
 * event whose stain has nothing to do with the cells and lands in any quadrant. With 1/4 an
 * event on the gate's edge is kept when it is a cell with probability at least 0.8. */
#define MIX_CELL_COST 0.25
#define MIX_TIE 1.0 /* expected misclassified events: gates this close to the best are ties */

typedef assay_mix_comp mix_comp;
typedef assay_mix_bins mix_bins;
/* The E- and M-steps' loops also built for AVX2 on x86-64 (APO_CLONES, util/clones.h: the copy
 * taken is chosen once, by the processor): wider vectors, the same operations on each lane (AVX2 has no fused
 * multiply-add, so no product and sum is fused whatever the flags), the same bits. */

/* The components' numbers side by side: GNU C vector extensions, one operation on every
 * lane, each lane's result the bits of the same operation on one double. */
typedef double mix_v4 __attribute__((vector_size(MIX_K * sizeof(double))));

void assay_mix_bins_free(mix_bins *b)
{
    free(b->cell);
    free(b->n);
    memset(b, 0, sizeof *b);
}

size_t assay_mix_cell(const mix_bins *b, double x, double y, size_t *ix, size_t *iy)
{
    const double fx = (x - b->x0) * b->ihx, fy = (y - b->y0) * b->ihy;
    /* truncated as int32 below MIX_BIN_MAX (the same as size_t there); nx, ny <= MIX_BIN_MAX */
    const size_t cx = fx > 0 ? (size_t)(int32_t)(fx < MIX_BIN_MAX ? fx : MIX_BIN_MAX) : 0;
    const size_t cy = fy > 0 ? (size_t)(int32_t)(fy < MIX_BIN_MAX ? fy : MIX_BIN_MAX) : 0;
    *ix = cx < b->nx ? cx : b->nx - 1;
    *iy = cy < b->ny ? cy : b->ny - 1;
    return *ix * b->ny + *iy;
}

/* Grid of one axis over [lo, hi]: cells of MIX_BIN decades, wider when the range would need
 * more than MIX_BIN_MAX of them. False when the range is not finite. */
static bool mix_axis(double lo, double hi, double *h, size_t *nc)
{
    const double range = hi - lo;
    if (!isfinite(range)) {
        return false;
    }
    *h = fmax(MIX_BIN, range / (MIX_BIN_MAX - 1));
    const double c = floor(range / *h) + 1;
    *nc = c < MIX_BIN_MAX ? (size_t)c : MIX_BIN_MAX;
    return true;
}

bool assay_mix_bins_alloc(mix_bins *b, size_t nb)
{
    b->nb = nb;
    b->n = calloc(nb * (12 + MIX_K), sizeof *b->n);
    if (b->n == NULL) {
        return false;
    }
    b->x = b->n + nb;
    b->y = b->x + nb;
    b->wxx = b->y + nb;
    b->wxy = b->wxx + nb;
    b->wyy = b->wxy + nb;
    b->r = b->wyy + nb;
    b->p = b->r + nb * MIX_K;
    b->dx = b->p + nb;
    b->dy = b->dx + nb;
    b->sxx = b->dy + nb;
    b->sxy = b->sxx + nb;
    b->syy = b->sxy + nb;
    return true;
}

void assay_mix_bins_centre(mix_bins *b)
{
    for (size_t i = 0; i < b->nb; i++) {
        const double dx = b->x[i] - b->ox, dy = b->y[i] - b->oy;
        b->dx[i] = dx;
        b->dy[i] = dy;
        b->sxx[i] = dx * dx + b->wxx[i];
        b->sxy[i] = dx * dy + b->wxy[i];
        b->syy[i] = dy * dy + b->wyy[i];
    }
}

bool assay_mix_bins_fill(mix_bins *b, const double *x, const double *y, size_t m, bool two_d,
                         uint32_t *pbin)
{
    memset(b, 0, sizeof *b);
    double xl = x[0], xh = x[0], yl = two_d ? y[0] : 0, yh = yl;
    for (size_t i = 1; i < m; i++) {
        xl = x[i] < xl ? x[i] : xl;
        xh = x[i] > xh ? x[i] : xh;
        if (two_d) {
            yl = y[i] < yl ? y[i] : yl;
            yh = y[i] > yh ? y[i] : yh;
        }
    }
    b->x0 = xl;
    b->y0 = yl;
    b->hy = 1.0;
    b->ny = 1;
    if (!mix_axis(xl, xh, &b->hx, &b->nx) || (two_d && !mix_axis(yl, yh, &b->hy, &b->ny))) {
        return false;
    }
    b->ihx = 1.0 / b->hx;
    b->ihy = 1.0 / b->hy;
    b->cell = calloc(b->nx * b->ny, sizeof *b->cell);
    if (b->cell == NULL) {
        return false;
    }
    for (size_t i = 0; i < m; i++) { /* counts first, then bin numbers in grid order */
        size_t ix, iy;
        b->cell[assay_mix_cell(b, x[i], y[i], &ix, &iy)]++;
    }
    for (size_t c = 0; c < b->nx * b->ny; c++) {
        b->cell[c] = b->cell[c] > 0 ? (int32_t)b->nb++ : -1;
    }
    if (!assay_mix_bins_alloc(b, b->nb)) {
        return false;
    }
    /* sums of the offsets from the cell's corner (smaller than a cell: no cancellation), a
     * bin's six side by side (an event's additions touch one or two cache lines, not six) */
    double(*acc)[6] = calloc(b->nb, sizeof *acc);
    if (acc == NULL) {
        return false;
    }
    for (size_t i = 0; i < m; i++) {
        size_t ix, iy;
        const size_t k = (size_t)b->cell[assay_mix_cell(b, x[i], y[i], &ix, &iy)];
        const double dx = x[i] - (b->x0 + b->hx * (double)ix);
        const double dy = two_d ? y[i] - (b->y0 + b->hy * (double)iy) : 0;
        pbin[i] = (uint32_t)k;
        acc[k][0] += 1;
        acc[k][1] += dx;
        acc[k][2] += dy;
        acc[k][3] += dx * dx;
        acc[k][4] += dx * dy;
        acc[k][5] += dy * dy;
    }
    for (size_t c = 0; c < b->nx * b->ny; c++) {
        if (b->cell[c] < 0) {
            continue;
        }
        const size_t k = (size_t)b->cell[c];
        const double nk = acc[k][0], mx = acc[k][1] / nk, my = acc[k][2] / nk;
        b->n[k] = nk;
        b->wxx[k] = fmax(acc[k][3] / nk - mx * mx, 0);
        b->wxy[k] = acc[k][4] / nk - mx * my;
        b->wyy[k] = fmax(acc[k][5] / nk - my * my, 0);
        b->x[k] = b->x0 + b->hx * (double)(c / b->ny) + mx;
        b->y[k] = two_d ? b->y0 + b->hy * (double)(c % b->ny) + my : 0;
        b->ox += nk * b->x[k];
        b->oy += nk * b->y[k];
    }
    free(acc);
    b->ox /= (double)m;
    b->oy /= (double)m;
    assay_mix_bins_centre(b);
    return true;
}

/* A component's terms of the E-step: log w - 0.5 log det (2 pi left out) and the inverse
 * covariance. */
typedef struct mix_term {
    double lognorm, ixx, ixy, iyy;
} mix_term;

static mix_term comp_term(const mix_comp *c)
{
    const double det = c->cxx * c->cyy - c->cxy * c->cxy;
    return (mix_term){log(c->w) - 0.5 * log(det), c->cyy / det, -c->cxy / det, c->cxx / det};
}

/* Bins per block of the E-step: its scratch stays in the first-level cache. */
#define MIX_BLOCK 256

/* The E-step on the nb bins from i0: their responsibilities; returns ll with their terms of
 * the bound added one by one in bin order when @p bound (the same sum as one loop over every
 * bin), else ll. */
APO_CLONES("avx2")
static double estep_block(const mix_comp *c, const mix_term *t, mix_bins *b,
                          size_t i0, size_t nb, bool bound, double ll)
{
    double e[MIX_K][MIX_BLOCK], top[MIX_BLOCK], sum[MIX_BLOCK];
    const double *restrict x = b->x + i0, *restrict y = b->y + i0;
    const double *restrict wxx = b->wxx + i0, *restrict wxy = b->wxy + i0;
    const double *restrict wyy = b->wyy + i0;
    for (int k = 0; k < MIX_K; k++) { /* each component's log density at each bin */
        const double mx = c[k].mx, my = c[k].my, ixy2 = 2.0 * t[k].ixy;
        const double ixx = t[k].ixx, iyy = t[k].iyy, lognorm = t[k].lognorm;
        double *restrict ek = e[k];
        for (size_t i = 0; i < nb; i++) {
            const double dx = x[i] - mx, dy = y[i] - my;
            const double q = ixx * (dx * dx + wxx[i]) + ixy2 * (dx * dy + wxy[i]) +
                             iyy * (dy * dy + wyy[i]);
            ek[i] = lognorm - 0.5 * q;
        }
    }
    /* the largest (the first of equals; the first when none is above -inf) gets share 1; the
     * others exp of their difference from it when above -40 (below e^-40 a share is lost in
     * a sum of at least 1), else 0. The differences to exponentiate are gathered first, so
     * exp runs over an array without a branch to mispredict (util/exp_simd.c: four at a
     * time with the library's bits where the processor and library allow). */
    double arg[MIX_K * MIX_BLOCK];
    uint16_t at[MIX_K * MIX_BLOCK];
    size_t na = 0;
    for (size_t i = 0; i < nb; i++) {
        double tp = -INFINITY, kt = 0;
        for (int k = 0; k < MIX_K; k++) {
            const bool up = e[k][i] > tp;
            tp = up ? e[k][i] : tp;
            kt = up ? (double)k : kt;
        }
        for (int k = 0; k < MIX_K; k++) {
            const double d = e[k][i] - tp;
            const bool call = kt != (double)k && d > -40.0;
            arg[na] = d;
            at[na] = (uint16_t)((size_t)k * MIX_BLOCK + i);
            na += call;
            e[k][i] = kt == (double)k ? 1.0 : 0.0;
        }
        top[i] = tp;
    }
    if (na > 0) { /* libm's bits, several at a time where it can (the guard also tells the
                   * compiler that arg is set) */
        apo_exp_array(b->exp, arg, arg, na);
    }
    double *ef = &e[0][0];
    for (size_t j = 0; j < na; j++) {
        ef[at[j]] = arg[j];
    }
    double *restrict r = b->r + i0 * MIX_K;
    for (size_t i = 0; i < nb; i++) {
        double s = 0;
        for (int k = 0; k < MIX_K; k++) {
            s += e[k][i];
        }
        const double inv = 1.0 / s;
        for (int k = 0; k < MIX_K; k++) {
            r[i * MIX_K + (size_t)k] = e[k][i] * inv;
        }
        sum[i] = s;
    }
    for (size_t i = 0; bound && i < nb; i++) {
        ll += b->n[i0 + i] * (top[i] + log(sum[i]));
    }
    return ll;
}

/* E-step over the bins: a bin's points share their responsibilities, those maximising the
 * likelihood's lower bound, which sees a component's density at the bin's mean lowered by the
 * bin's spread measured in that component's covariance (Verbeek, Nunnink & Vlassis 2006).
 * Returns that bound (without the 2 pi terms) when @p bound, else 0. In blocks of bins, each
 * in passes over the block (the arithmetic ones run across bins in vector registers; exp
 * gives libm's bits, b->exp says how; log is libm's): each bin's numbers come from the same
 * operations in the same order as in one loop per bin, so the results are the same bits
 * (tests/assay/test_debris_mix_steps.c checks them against that loop). */
double assay_mix_estep(const mix_comp *c, mix_bins *b, bool bound)
{
    mix_term t[MIX_K];
    for (int k = 0; k < MIX_K; k++) {
        t[k] = comp_term(&c[k]);
    }
    double ll = 0;
    for (size_t i0 = 0; i0 < b->nb; i0 += MIX_BLOCK) {
        const size_t nb = b->nb - i0 < MIX_BLOCK ? b->nb - i0 : MIX_BLOCK;
        ll = estep_block(c, t, b, i0, nb, bound, ll);
    }
    return ll;
}

/* M-step: each component's weight (summing to 1), mean and covariance from the bins'
 * responsibilities, the covariance adding each bin's own spread to that of its mean; one pass,
 * moments taken about the points' mean (ox, oy: each bin's offsets and second moments about
 * it are computed once per fit, assay_mix_bins_centre); false when a component is empty. */
APO_CLONES("avx2")
bool assay_mix_mstep(mix_comp *c, const mix_bins *b, bool two_d)
{
    /* sums of w, x, y, xx, xy, yy, the components side by side in vectors (each sum in bin
     * order, as in a loop per component) */
    mix_v4 m[6] = {{0}};
    for (size_t i = 0; i < b->nb; i++) {
        mix_v4 ri;
        memcpy(&ri, b->r + i * MIX_K, sizeof ri);
        const double dx = b->dx[i], dy = b->dy[i];
        const double sxx = b->sxx[i], sxy = b->sxy[i], syy = b->syy[i];
        const mix_v4 w = b->n[i] * ri;
        m[0] += w;
        m[1] += w * dx;
        m[2] += w * dy;
        m[3] += w * sxx;
        m[4] += w * sxy;
        m[5] += w * syy;
    }
    double tot = 0;
    for (int k = 0; k < MIX_K; k++) {
        const double s = m[0][k];
        if (!(s > 1e-9)) {
            return false;
        }
        const double mx = m[1][k] / s, my = two_d ? m[2][k] / s : 0;
        c[k].mx = b->ox + mx;
        c[k].my = two_d ? b->oy + my : 0;
        c[k].cxx = fmax(m[3][k] / s - mx * mx, MIX_VAR_FLOOR);
        c[k].cyy = two_d ? fmax(m[5][k] / s - my * my, MIX_VAR_FLOOR) : 1.0;
        const double lim = 0.99 * sqrt(c[k].cxx * c[k].cyy);
        c[k].cxy = two_d ? fmax(-lim, fmin(lim, m[4][k] / s - mx * my)) : 0.0;
        c[k].w = s;
        tot += s;
    }
    for (int k = 0; k < MIX_K; k++) {
        c[k].w /= tot;
    }
    return true;
}

/* The parameters of the mixture as one vector (MIX_NP numbers) and back. */
#define MIX_NP (6 * MIX_K)
static void mix_pack(const mix_comp *c, double *v)
{
    for (int k = 0; k < MIX_K; k++) {
        const double e[6] = {c[k].w, c[k].mx, c[k].my, c[k].cxx, c[k].cxy, c[k].cyy};
        memcpy(v + 6 * k, e, sizeof e);
    }
}

/* From the vector, false when it is not a mixture the M-step could give: a weight not
 * positive, a variance below the floor, a correlation beyond the limit. */
static bool mix_unpack(const double *v, mix_comp *c, bool two_d)
{
    double tot = 0;
    for (int k = 0; k < MIX_K; k++) {
        const double *e = v + 6 * k;
        c[k] = (mix_comp){e[0], e[1], e[2], e[3], e[4], e[5]};
        if (!(e[0] > 0) || !(e[3] >= MIX_VAR_FLOOR) ||
            (two_d && (!(e[5] >= MIX_VAR_FLOOR) || !(fabs(e[4]) <= 0.99 * sqrt(e[3] * e[5]))))) {
            return false;
        }
        tot += e[0];
    }
    for (int k = 0; k < MIX_K; k++) {
        c[k].w /= tot;
    }
    return true;
}

/* EM from the start responsibilities in b->r, accelerated by squared extrapolation (SQUAREM,
 * Varadhan & Roland 2008, scheme S3): from parameters t0 two EM steps give t1 and t2, and
 * t0 - 2 a r + a^2 v (r = t1 - t0, v = t2 - 2 t1 + t0, a = -|r| / |v|) is taken when it is a
 * valid mixture whose likelihood bound is at least that of t0; else a is halved towards -1,
 * where the point is t2 itself (plain EM, which never lowers the bound). Stops when a cycle
 * gains less than MIX_TOL per point or after MIX_MAX_ITER E-steps. Leaves c and b->r those of
 * the last accepted point; false when a component empties. */
static bool mix_em(mix_comp *c, mix_bins *b, size_t m, bool two_d)
{
    if (!assay_mix_mstep(c, b, two_d)) {
        return false;
    }
    double ll = assay_mix_estep(c, b, true);
    mix_comp c1[MIX_K], c2[MIX_K];
    for (int evals = 1; evals < MIX_MAX_ITER;) {
        if (!assay_mix_mstep(c1, b, two_d)) {
            return false;
        }
        assay_mix_estep(c1, b, false); /* its bound is not needed */
        if (!assay_mix_mstep(c2, b, two_d)) {
            return false;
        }
        evals += 1;
        double t0[MIX_NP], t1[MIX_NP], t2[MIX_NP], rr = 0, vv = 0;
        mix_pack(c, t0);
        mix_pack(c1, t1);
        mix_pack(c2, t2);
        for (int j = 0; j < MIX_NP; j++) {
            const double r = t1[j] - t0[j], v = t2[j] - 2.0 * t1[j] + t0[j];
            rr += r * r;
            vv += v * v;
        }
        double alpha = vv > 0 ? fmin(-sqrt(rr / vv), -1.0) : -1.0, lx = -INFINITY;
        for (int tries = 0; tries < MIX_SQ_TRIES && alpha < -1.0; tries++) {
            double tx[MIX_NP];
            mix_comp cx[MIX_K];
            for (int j = 0; j < MIX_NP; j++) {
                const double r = t1[j] - t0[j], v = t2[j] - 2.0 * t1[j] + t0[j];
                tx[j] = t0[j] - 2.0 * alpha * r + alpha * alpha * v;
            }
            if (mix_unpack(tx, cx, two_d)) {
                lx = assay_mix_estep(cx, b, true);
                evals++;
                if (lx >= ll) {
                    memcpy(c, cx, sizeof cx);
                    break;
                }
            }
            alpha = (alpha - 1.0) / 2.0;
        }
        if (!(lx >= ll)) { /* plain EM: the point t2 */
            memcpy(c, c2, sizeof c2);
            lx = assay_mix_estep(c, b, true);
            evals++;
        }
        const double gain = lx - ll;
        ll = lx;
        if (gain < MIX_TOL * (double)m) {
            break;
        }
    }
    return true;
}

/* The median x of the points in the bins whose mean lies below v (below true) or not, to
 * within a cell: the mean of the bin where their count passes half (bins are in the order of
 * their columns). NaN when there are none. */
static double bins_median(const mix_bins *b, double v, bool below)
{
    double tot = 0;
    for (size_t i = 0; i < b->nb; i++) {
        tot += (b->x[i] < v) == below ? b->n[i] : 0;
    }
    double run = 0;
    for (size_t i = 0; i < b->nb; i++) {
        if ((b->x[i] < v) == below && (run += b->n[i]) >= 0.5 * tot) {
            return b->x[i];
        }
    }
    return NAN;
}

/* Start responsibilities: below the valley v the bulk of the debris (0) and its low half (1,
 * below the median of those points), above it the cells (2) and their lower half (3); each
 * bin by its mean. */
static void mix_start(mix_bins *b, double v)
{
    double ml = bins_median(b, v, true), mh = bins_median(b, v, false);
    ml = isnan(ml) ? v - 0.5 : ml;
    mh = isnan(mh) ? v + 0.5 : mh;
    for (size_t i = 0; i < b->nb; i++) {
        double *ri = b->r + i * MIX_K;
        const double xi = b->x[i];
        memset(ri, 0, MIX_K * sizeof *ri);
        const int k = xi < v ? (xi < ml ? 1 : 0) : (xi < mh ? 3 : 2);
        ri[k] = 0.9;
        for (int j = 0; j < MIX_K; j++) {
            ri[j] += 0.1 / MIX_K; /* no component starts empty */
        }
    }
}

/* The gate grid's cell of v (assay_mix_grid_bin). */
static inline int32_t grid_index(double v, double e0, double ide)
{
    const double p = (v - e0) * ide;
    /* without branches: -1 below (or NaN), MIX_GRID at or above; int32 truncation is the
     * size_t one on [0, MIX_GRID) */
    const double q = p >= 0 ? (p < MIX_GRID ? p : MIX_GRID) : -1.0;
    return (int32_t)q + 1;
}

size_t assay_mix_grid_bin(double v, double e0, double ide)
{
    return (size_t)grid_index(v, e0, ide);
}

/* In a loop the compiler runs across points in vector registers. */
APO_CLONES("avx2")
void assay_mix_grid_cells(const double *restrict x, const double *restrict y,
                          size_t n, size_t g, double xd, double idx, double yd,
                          double idy, uint32_t *restrict cell)
{
    const int32_t gi = (int32_t)g;
    if (y == NULL) {
        for (size_t i = 0; i < n; i++) {
            cell[i] = (uint32_t)(grid_index(x[i], xd, idx) * gi);
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        cell[i] = (uint32_t)(grid_index(x[i], xd, idx) * gi + grid_index(y[i], yd, idy));
    }
}

/* The L-shaped gate "x >= a and y >= b" with the fewest expected misclassified events: p
 * summed inside (debris kept) plus MIX_CELL_COST times 1 - p summed outside (cells lost); a on
 * the grid from xd to xc, b from yd to yc or -inf (two_d false: b = -inf). The two sums of a
 * grid cell are kept side by side (h[2 k] debris, h[2 k + 1] cells): an event's two additions
 * touch one cache line. False when out of memory. */
static bool best_corner(const double *x, const double *y, const uint32_t *pbin,
                        const double *pb, size_t n,
                        bool two_d, double xd, double xc, double valley, double yd, double yc,
                        double *a, double *b, double *leak)
{
    enum { G = MIX_GRID + 2 };
    double *h = calloc((size_t)2 * G * G, sizeof *h);
    uint32_t *cell = malloc((n > 0 ? n : 1) * sizeof *cell);
    *a = xd;
    *b = -INFINITY;
    *leak = NAN;
    if (h == NULL || cell == NULL) {
        free(h);
        free(cell);
        return false; /* no gate chosen: the caller reports the model as not fitted */
    }
    const double dx = (xc - xd) / MIX_GRID, dy = two_d ? (yc - yd) / MIX_GRID : 1.0;
    const double idx = 1.0 / dx, idy = 1.0 / dy;
    assay_mix_grid_cells(x, two_d ? y : NULL, n, G, xd, idx, yd, idy, cell);
    double cells = 0;
    for (size_t i = 0; i < n; i++) {
        const double p = pb[pbin[i]];
        double *hk = h + 2 * (size_t)cell[i];
        hk[0] += p;
        hk[1] += 1.0 - p;
        cells += 1.0 - p;
    }
    /* suffix sums: h[ix][iy] = sum over bins >= ix and >= iy */
    for (size_t ix = G; ix-- > 0;) {
        for (size_t iy = G; iy-- > 0;) {
            const size_t k = ix * G + iy;
            for (int c = 0; c < 2; c++) {
                double sum = h[2 * k + (size_t)c];
                if (ix + 1 < G) {
                    sum += h[2 * (k + G) + (size_t)c];
                }
                if (iy + 1 < G) {
                    sum += h[2 * (k + 1) + (size_t)c];
                }
                if (ix + 1 < G && iy + 1 < G) {
                    sum -= h[2 * (k + G + 1) + (size_t)c];
                }
                h[2 * k + (size_t)c] = sum;
            }
        }
    }
    double best = INFINITY;
    size_t bx = 1, by = 0;
    const size_t ny = two_d ? (size_t)MIX_GRID + 1 : 0;
    for (size_t ix = 1; ix <= MIX_GRID + 1; ix++) { /* the cut a = edge ix - 1 */
        for (size_t iy = 0; iy <= ny; iy++) {
            const double *hk = h + 2 * (ix * G + iy);
            const double cost = hk[0] + MIX_CELL_COST * (cells - hk[1]);
            best = cost < best ? cost : best;
        }
    }
    /* Among the gates within MIX_TIE events of the best (an empty gap between well separated
     * debris and cells leaves many), the one without an SSC side or with the lowest, then
     * the one nearest the valley: no cut is moved across an empty region for nothing. */
    double near = INFINITY;
    for (size_t iy = 0; iy <= ny && !isfinite(near); iy++) {
        for (size_t ix = 1; ix <= MIX_GRID + 1; ix++) {
            const double *hk = h + 2 * (ix * G + iy);
            const double cost = hk[0] + MIX_CELL_COST * (cells - hk[1]);
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
    const double *hb = h + 2 * (bx * G + by);
    const double in = hb[0] + hb[1];
    *leak = in > 0 ? hb[0] / in : NAN;
    free(h);
    free(cell);
    return true;
}

/* Label the components (debris: centred below the valley on FSC), set each bin's probability
 * of debris and the debris and cell components' mean log10 SSC *yd, *yc; false when either
 * kind is missing. */
static bool mix_label(const mix_comp *c, mix_bins *bins, double valley, double *yd, double *yc)
{
    bool is_debris[MIX_K], any_d = false, any_c = false;
    double sd = 0, sc = 0, wd = 0, wc = 0;
    for (int k = 0; k < MIX_K; k++) {
        is_debris[k] = c[k].mx < valley;
        any_d |= is_debris[k];
        any_c |= !is_debris[k];
        if (is_debris[k]) {
            sd += c[k].w * c[k].my;
            wd += c[k].w;
        } else {
            sc += c[k].w * c[k].my;
            wc += c[k].w;
        }
    }
    if (!any_d || !any_c) {
        return false;
    }
    for (size_t i = 0; i < bins->nb; i++) {
        const double *ri = bins->r + i * MIX_K;
        double s = 0;
        for (int k = 0; k < MIX_K; k++) {
            s += is_debris[k] ? ri[k] : 0;
        }
        bins->p[i] = s;
    }
    *yd = sd / wd;
    *yc = sc / wc;
    return true;
}

bool pregate_debris_mixture(const double *lf, const double *ls, size_t n, double valley,
                            double xd, double xc, double *a, double *b, double *leak)
{
    const size_t step = n > MIX_MAX_POINTS ? (n + MIX_MAX_POINTS - 1) / MIX_MAX_POINTS : 1;
    const size_t cap = n > 0 ? (n + step - 1) / step : 1;
    double *x = malloc(cap * sizeof *x), *y = malloc(cap * sizeof *y);
    uint32_t *pbin = malloc(cap * sizeof *pbin);
    bool ok = x != NULL && y != NULL && pbin != NULL;
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
    mix_bins bins = {0};
    mix_comp c[MIX_K];
    double yd = 0, yc = 0;
    ok = ok && assay_mix_bins_fill(&bins, x, y, m, two_d, pbin);
    if (ok) {
        bins.exp = apo_exp_choose(); /* once per fit: the processor and the self-check */
        mix_start(&bins, valley);
        ok = mix_em(c, &bins, m, two_d) && mix_label(c, &bins, valley, &yd, &yc);
    }
    if (ok) { /* a point's probability of debris is its bin's */
        ok = best_corner(x, y, pbin, bins.p, m, two_d && yc - yd > 0.05, xd, xc, valley, yd, yc,
                         a, b, leak);
    }
    assay_mix_bins_free(&bins);
    free(x);
    free(y);
    free(pbin);
    return ok;
}
