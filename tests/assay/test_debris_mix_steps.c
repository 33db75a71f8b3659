// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * test_debris_mix_steps.c: the debris mixture model's steps (assay/debris_mix.c) against the
 * plain loops they replaced, bit for bit: the E-step (blocks of bins, passes across bins, the
 * exponentials gathered, then computed by libm or by the vector exp with libm's bits), the
 * M-step (the four components' sums side by side in vectors), the gate grid's cell index and
 * the histogram's cell (int32 truncation without branches), the grid cells of all points in
 * one pass, and the histogram (a bin's sums side by side; the moments about the points'
 * mean). Every output bit decides where the fit stops and where the gate lies, so a single
 * differing bit fails.
 */
#include "assay/debris_mix_internal.h"

#include <criterion/criterion.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

TestSuite(assay_debris_mix_steps);

#define K ASSAY_MIX_K

/* The E-step as one loop per bin (the computation before the passes). */
static double ref_estep(const assay_mix_comp *c, const assay_mix_bins *b, double *r, bool bound)
{
    double lognorm[K], ixx[K], ixy[K], iyy[K];
    for (int k = 0; k < K; k++) {
        const double det = c[k].cxx * c[k].cyy - c[k].cxy * c[k].cxy;
        lognorm[k] = log(c[k].w) - 0.5 * log(det);
        ixx[k] = c[k].cyy / det;
        ixy[k] = -c[k].cxy / det;
        iyy[k] = c[k].cxx / det;
    }
    double ll = 0;
    for (size_t i = 0; i < b->nb; i++) {
        double lp[K], top = -INFINITY, s = 0;
        int kt = 0;
        for (int k = 0; k < K; k++) {
            const double dx = b->x[i] - c[k].mx, dy = b->y[i] - c[k].my;
            const double q = ixx[k] * (dx * dx + b->wxx[i]) +
                             2.0 * ixy[k] * (dx * dy + b->wxy[i]) +
                             iyy[k] * (dy * dy + b->wyy[i]);
            lp[k] = lognorm[k] - 0.5 * q;
            if (lp[k] > top) {
                top = lp[k];
                kt = k;
            }
        }
        for (int k = 0; k < K; k++) {
            const double d = lp[k] - top;
            lp[k] = k == kt ? 1.0 : d > -40.0 ? exp(d) : 0.0;
            s += lp[k];
        }
        const double inv = 1.0 / s;
        for (int k = 0; k < K; k++) {
            r[i * K + (size_t)k] = lp[k] * inv;
        }
        ll += bound ? b->n[i] * (top + log(s)) : 0;
    }
    return ll;
}

/* The M-step's sums as one loop per bin and component; the rest as in debris_mix.c. */
static bool ref_mstep(assay_mix_comp *c, const assay_mix_bins *b, bool two_d)
{
    double m[K][6] = {{0}};
    for (size_t i = 0; i < b->nb; i++) {
        const double *ri = b->r + i * K;
        const double dx = b->x[i] - b->ox, dy = b->y[i] - b->oy;
        const double sxx = dx * dx + b->wxx[i], sxy = dx * dy + b->wxy[i];
        const double syy = dy * dy + b->wyy[i];
        for (int k = 0; k < K; k++) {
            const double w = b->n[i] * ri[k];
            m[k][0] += w;
            m[k][1] += w * dx;
            m[k][2] += w * dy;
            m[k][3] += w * sxx;
            m[k][4] += w * sxy;
            m[k][5] += w * syy;
        }
    }
    double tot = 0;
    for (int k = 0; k < K; k++) {
        const double s = m[k][0];
        if (!(s > 1e-9)) {
            return false;
        }
        const double mx = m[k][1] / s, my = two_d ? m[k][2] / s : 0;
        c[k].mx = b->ox + mx;
        c[k].my = two_d ? b->oy + my : 0;
        c[k].cxx = fmax(m[k][3] / s - mx * mx, 1e-4);
        c[k].cyy = two_d ? fmax(m[k][5] / s - my * my, 1e-4) : 1.0;
        const double lim = 0.99 * sqrt(c[k].cxx * c[k].cyy);
        c[k].cxy = two_d ? fmax(-lim, fmin(lim, m[k][4] / s - mx * my)) : 0.0;
        c[k].w = s;
        tot += s;
    }
    for (int k = 0; k < K; k++) {
        c[k].w /= tot;
    }
    return true;
}

/* nb bins of a histogram like the plate's: means spread over a few decades, small spreads,
 * counts from 1 to a few hundred; responsibilities from a random start. */
static void random_bins(gsl_rng *g, assay_mix_bins *b, size_t nb, bool two_d)
{
    memset(b, 0, sizeof *b);
    cr_assert(assay_mix_bins_alloc(b, nb));
    for (size_t i = 0; i < nb; i++) {
        b->n[i] = 1.0 + floor(300.0 * gsl_rng_uniform(g) * gsl_rng_uniform(g));
        b->x[i] = 2.5 + 2.5 * gsl_rng_uniform(g);
        b->y[i] = two_d ? 2.0 + 3.0 * gsl_rng_uniform(g) : 0;
        b->wxx[i] = 3e-5 * gsl_rng_uniform(g);
        b->wyy[i] = two_d ? 3e-5 * gsl_rng_uniform(g) : 0;
        b->wxy[i] = two_d ? 1e-5 * (gsl_rng_uniform(g) - 0.5) : 0;
        double s = 0;
        for (int k = 0; k < K; k++) {
            b->r[i * K + (size_t)k] = gsl_rng_uniform_pos(g);
            s += b->r[i * K + (size_t)k];
        }
        for (int k = 0; k < K; k++) {
            b->r[i * K + (size_t)k] /= s;
        }
        b->ox += b->n[i] * b->x[i] / (double)nb;
        b->oy += b->n[i] * b->y[i] / (double)nb;
    }
    assay_mix_bins_centre(b);
}

static void free_bins(assay_mix_bins *b)
{
    free(b->n);
    memset(b, 0, sizeof *b);
}

/* Components: debris low and broad, cells high and tight (some bins far out: shares below
 * e^-40 dropped), with correlation; @p twin: components 2 and 3 equal (ties for the top). */
static void components(gsl_rng *g, assay_mix_comp *c, bool twin)
{
    const double mx[K] = {3.0, 2.8, 4.4, 4.2}, my[K] = {2.6, 2.4, 4.3, 4.0};
    for (int k = 0; k < K; k++) {
        const double sx = 0.02 + 0.3 * gsl_rng_uniform(g), sy = 0.02 + 0.3 * gsl_rng_uniform(g);
        const double rho = 0.9 * (gsl_rng_uniform(g) - 0.5);
        c[k] = (assay_mix_comp){0.1 + gsl_rng_uniform(g),
                                mx[k] + 0.1 * gsl_rng_uniform(g),
                                my[k] + 0.1 * gsl_rng_uniform(g),
                                sx * sx,
                                rho * sx * sy,
                                sy * sy};
    }
    if (twin) {
        c[3] = c[2];
    }
}

static void same_bits(const double *a, const double *b, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++) {
        cr_assert(memcmp(&a[i], &b[i], sizeof *a) == 0, "%s[%zu]: %a, reference %a", what, i,
                  a[i], b[i]);
    }
}

/* The reference calls libm's exp on each share; the E-step runs once with libm and once
 * with the path a fit chooses (the vector exp where the processor allows): both bit for bit. */
Test(assay_debris_mix_steps, estep_equals_one_loop_per_bin)
{
    if (apo_exp_choose() == APO_EXP_LIBM) {
        cr_log_info("vector exp not taken on this machine: the E-step checked with libm only");
    }
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 16);
    /* sizes around the block of 256 bins: empty, partial, whole and several blocks */
    const size_t sizes[] = {1, 3, 255, 256, 257, 700, 3001};
    for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
        for (int v = 0; v < 4; v++) {
            const bool two_d = v != 1, twin = v == 2;
            assay_mix_bins b;
            random_bins(g, &b, sizes[t], two_d);
            if (v == 3) { /* far bins: every other share below e^-40, s exactly 1 */
                for (size_t i = 0; i < b.nb; i += 3) {
                    b.x[i] = 9.0 + (double)i;
                }
            }
            assay_mix_comp c[K];
            components(g, c, twin);
            if (!two_d) {
                for (int k = 0; k < K; k++) {
                    c[k].my = 0;
                    c[k].cxy = 0;
                    c[k].cyy = 1.0;
                }
            }
            double *ref = malloc(b.nb * K * sizeof *ref);
            cr_assert_not_null(ref);
            for (int run = 0; run < 4; run++) { /* bound or not; libm's exp or the fit's */
                const bool bound = run % 2;
                b.exp = run < 2 ? APO_EXP_LIBM : apo_exp_choose();
                const double lr = ref_estep(c, &b, ref, bound);
                const double ln = assay_mix_estep(c, &b, bound);
                cr_assert(memcmp(&lr, &ln, sizeof lr) == 0,
                          "bound %a, reference %a (nb %zu, exp path %d)", ln, lr, b.nb,
                          (int)b.exp);
                same_bits(b.r, ref, b.nb * K, "r");
            }
            free(ref);
            free_bins(&b);
        }
    }
    gsl_rng_free(g);
}

Test(assay_debris_mix_steps, mstep_equals_one_loop_per_component)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 17);
    const size_t sizes[] = {1, 2, 5, 256, 3001};
    for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
        for (int two_d = 0; two_d < 2; two_d++) {
            assay_mix_bins b;
            random_bins(g, &b, sizes[t], two_d);
            assay_mix_comp cn[K], cr[K];
            const bool okr = ref_mstep(cr, &b, two_d);
            const bool okn = assay_mix_mstep(cn, &b, two_d);
            cr_assert_eq(okn, okr);
            if (okr) {
                for (int k = 0; k < K; k++) {
                    const double en[6] = {cn[k].w, cn[k].mx, cn[k].my, cn[k].cxx, cn[k].cxy,
                                          cn[k].cyy};
                    const double er[6] = {cr[k].w, cr[k].mx, cr[k].my, cr[k].cxx, cr[k].cxy,
                                          cr[k].cyy};
                    same_bits(en, er, 6, "component");
                }
            }
            for (size_t i = 0; i < b.nb; i++) { /* an emptied component: refused by both */
                b.r[i * K + 1] = 0;
            }
            cr_assert_not(assay_mix_mstep(cn, &b, two_d));
            free_bins(&b);
        }
    }
    gsl_rng_free(g);
}

/* The grid index before it went without branches. */
static size_t ref_grid_bin(double v, double e0, double ide)
{
    const double p = (v - e0) * ide;
    if (!(p >= 0)) {
        return 0;
    }
    return p >= ASSAY_MIX_GRID ? ASSAY_MIX_GRID + 1 : (size_t)p + 1;
}

Test(assay_debris_mix_steps, grid_bin_and_cell_equal_the_size_t_truncation)
{
    const double e0 = 3.2, ide = 1.0 / ((4.4 - 3.2) / ASSAY_MIX_GRID);
    const double edge = e0 + 1.0 / ide * ASSAY_MIX_GRID;
    const double v[] = {-INFINITY, -1e308, 0, 3.2, nextafter(3.2, 0), nextafter(3.2, 9),
                        3.2075, 4.0, nextafter(edge, 0), edge, nextafter(edge, 9), 4.4,
                        1e308, INFINITY, NAN};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        cr_assert_eq(assay_mix_grid_bin(v[i], e0, ide), ref_grid_bin(v[i], e0, ide), "v %a",
                     v[i]);
    }
    for (int i = 0; i <= 200000; i++) {
        const double x = e0 - 0.1 + 1.4 * i / 200000.0;
        cr_assert_eq(assay_mix_grid_bin(x, e0, ide), ref_grid_bin(x, e0, ide), "v %a", x);
    }
    cr_assert_eq(assay_mix_grid_bin(5.0, 5.0, INFINITY), 0); /* 0 x inf: NaN, below */
    /* the histogram's cell: column and row clamped to the grid, as with size_t */
    assay_mix_bins b = {.x0 = 1.0, .y0 = 2.0, .nx = 300, .ny = 512, .ihx = 50.0, .ihy = 0.25};
    const double xs[] = {0.0, 1.0, 1.01, 2.99, 6.98, 6.999, 7.0, 20.0};
    for (size_t i = 0; i < sizeof xs / sizeof *xs; i++) {
        for (size_t j = 0; j < sizeof xs / sizeof *xs; j++) {
            const double fx = (xs[i] - b.x0) * b.ihx, fy = (xs[j] * 300 - b.y0) * b.ihy;
            size_t cx = fx > 0 ? (size_t)fx : 0, cy = fy > 0 ? (size_t)fy : 0;
            cx = cx < b.nx ? cx : b.nx - 1;
            cy = cy < b.ny ? cy : b.ny - 1;
            size_t ix, iy;
            cr_assert_eq(assay_mix_cell(&b, xs[i], xs[j] * 300, &ix, &iy), cx * b.ny + cy);
            cr_assert(ix == cx && iy == cy, "x %g y %g: %zu %zu, reference %zu %zu", xs[i],
                      xs[j] * 300, ix, iy, cx, cy);
        }
    }
}

Test(assay_debris_mix_steps, grid_cells_of_all_points_equal_one_at_a_time)
{
    enum { N = 1003, G = ASSAY_MIX_GRID + 2 };
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 18);
    static double x[N], y[N];
    static uint32_t cell[N];
    const double xd = 3.2, idx = ASSAY_MIX_GRID / 1.2, yd = 2.5, idy = ASSAY_MIX_GRID / 1.9;
    for (size_t i = 0; i < N; i++) { /* inside, below and above the grid, and its edges */
        x[i] = 2.9 + 1.8 * gsl_rng_uniform(g);
        y[i] = 2.0 + 3.0 * gsl_rng_uniform(g);
    }
    x[0] = xd;
    x[1] = xd + 1.2;
    x[2] = -INFINITY;
    x[3] = INFINITY;
    y[4] = yd;
    y[5] = nextafter(yd, 0);
    y[6] = 1e308;
    for (int two_d = 0; two_d < 2; two_d++) {
        assay_mix_grid_cells(x, two_d ? y : NULL, N, G, xd, idx, yd, idy, cell);
        for (size_t i = 0; i < N; i++) {
            const size_t want = ref_grid_bin(x[i], xd, idx) * G +
                                (two_d ? ref_grid_bin(y[i], yd, idy) : 0);
            cr_assert_eq(cell[i], want, "point %zu (%a, %a): %u, reference %zu", i, x[i],
                         y[i], cell[i], want);
        }
    }
    gsl_rng_free(g);
}

/* The histogram as it was filled before: six arrays of sums updated per point. */
static void ref_fill_sums(const assay_mix_bins *b, const double *x, const double *y, size_t m,
                          bool two_d, double *s)
{
    for (size_t i = 0; i < m; i++) {
        const double fx = (x[i] - b->x0) * b->ihx, fy = (y[i] - b->y0) * b->ihy;
        size_t ix = fx > 0 ? (size_t)fx : 0, iy = fy > 0 ? (size_t)fy : 0;
        ix = ix < b->nx ? ix : b->nx - 1;
        iy = iy < b->ny ? iy : b->ny - 1;
        const size_t k = (size_t)b->cell[ix * b->ny + iy];
        const double dx = x[i] - (b->x0 + b->hx * (double)ix);
        const double dy = two_d ? y[i] - (b->y0 + b->hy * (double)iy) : 0;
        s[6 * k] += 1;
        s[6 * k + 1] += dx;
        s[6 * k + 2] += dy;
        s[6 * k + 3] += dx * dx;
        s[6 * k + 4] += dx * dy;
        s[6 * k + 5] += dy * dy;
    }
}

Test(assay_debris_mix_steps, histogram_equals_the_sums_per_array)
{
    enum { N = 20000 };
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 19);
    static double x[N], y[N];
    static uint32_t pbin[N];
    for (size_t i = 0; i < N; i++) {
        const bool debris = gsl_rng_uniform(g) < 0.3;
        x[i] = (debris ? 3.5 : 4.4) + 0.2 * (gsl_rng_uniform(g) + gsl_rng_uniform(g) - 1.0);
        y[i] = (debris ? 2.7 : 4.3) + 0.2 * (gsl_rng_uniform(g) + gsl_rng_uniform(g) - 1.0);
    }
    for (int two_d = 0; two_d < 2; two_d++) {
        assay_mix_bins b;
        cr_assert(assay_mix_bins_fill(&b, x, y, N, two_d, pbin));
        double *s = calloc(b.nb * 6, sizeof *s);
        cr_assert_not_null(s);
        ref_fill_sums(&b, x, y, N, two_d, s);
        double ox = 0, oy = 0;
        for (size_t c = 0; c < b.nx * b.ny; c++) {
            if (b.cell[c] < 0) {
                continue;
            }
            const size_t k = (size_t)b.cell[c];
            const double nk = s[6 * k], mx = s[6 * k + 1] / nk, my = s[6 * k + 2] / nk;
            const double want[6] = {nk,
                                    b.x0 + b.hx * (double)(c / b.ny) + mx,
                                    two_d ? b.y0 + b.hy * (double)(c % b.ny) + my : 0,
                                    fmax(s[6 * k + 3] / nk - mx * mx, 0),
                                    s[6 * k + 4] / nk - mx * my,
                                    fmax(s[6 * k + 5] / nk - my * my, 0)};
            const double got[6] = {b.n[k], b.x[k], b.y[k], b.wxx[k], b.wxy[k], b.wyy[k]};
            same_bits(got, want, 6, "bin");
            ox += nk * want[1];
            oy += nk * want[2];
        }
        ox /= N;
        oy /= N;
        same_bits(&b.ox, &ox, 1, "ox");
        same_bits(&b.oy, &oy, 1, "oy");
        for (size_t i = 0; i < b.nb; i++) { /* the M-step's moments about (ox, oy) */
            const double dx = b.x[i] - ox, dy = b.y[i] - oy;
            const double want[5] = {dx, dy, dx * dx + b.wxx[i], dx * dy + b.wxy[i],
                                    dy * dy + b.wyy[i]};
            const double got[5] = {b.dx[i], b.dy[i], b.sxx[i], b.sxy[i], b.syy[i]};
            same_bits(got, want, 5, "moments");
        }
        free(s);
        assay_mix_bins_free(&b);
    }
    gsl_rng_free(g);
}
