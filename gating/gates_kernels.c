/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gates_kernels.c: the per-event membership tests on columns of doubles: half-open
 * rectangles, even-odd (PNPOLY) polygons (few-vertex ones edge by edge over chunks of events,
 * many-vertex ones by horizontal slabs, the same result) and ellipsoids; the AND of a row
 * with its parent's and its count, the AND with a limit's classes; plus the LU inverse of a
 * covariance matrix. Loops run over events innermost so the compiler can vectorise them.
 */
#include "gating/gate.h"
#include "gating/gates_internal.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* m[e] &= lo <= x[e] < hi, an infinite limit not tested (NaN then passes the other test
 * only, as before; with no limit at all, m[e] &= x[e] is not NaN). */
APO_CLONES("avx512f", "avx2")
static void rect_and(uint8_t *restrict m, const double *restrict x, double lo, double hi,
                     size_t n)
{
    const bool has_lo = lo != -INFINITY, has_hi = hi != INFINITY;
    if (has_lo && has_hi) {
        for (size_t e = 0; e < n; e++) {
            m[e] &= (uint8_t)((x[e] >= lo) & (x[e] < hi));
        }
    } else if (has_lo) {
        for (size_t e = 0; e < n; e++) {
            m[e] &= (uint8_t)(x[e] >= lo);
        }
    } else if (has_hi) {
        for (size_t e = 0; e < n; e++) {
            m[e] &= (uint8_t)(x[e] < hi);
        }
    } else {
        for (size_t e = 0; e < n; e++) {
            m[e] &= (uint8_t)(x[e] == x[e]); /* not NaN */
        }
    }
}

void gs_rect_member(size_t n, size_t n_dims, const double *const *cols, const double *min,
                    const double *max, uint8_t *m)
{
    memset(m, 1, n);
    for (size_t d = 0; d < n_dims; d++) {
        rect_and(m, cols[d], min[d], max[d], n); /* m is a membership row, never a column */
    }
}

/* Counts by chunks of 256 events summed in 16 bits (at most 256 x 255, no overflow), so the
 * sum runs in vectors of bytes widened once; the total is the same integer. */
APO_CLONES("avx512f", "avx2")
static uint64_t and_count(uint8_t *restrict m, const uint8_t *restrict pm, size_t n)
{
    enum { CHUNK = 256 };
    uint64_t total = 0;
    for (size_t c0 = 0; c0 < n; c0 += CHUNK) {
        const size_t len = n - c0 < CHUNK ? n - c0 : CHUNK;
        uint8_t *restrict mc = m + c0;
        uint16_t sum = 0;
        if (pm != NULL) {
            const uint8_t *restrict pc = pm + c0;
            for (size_t e = 0; e < len; e++) {
                mc[e] &= pc[e];
                sum = (uint16_t)(sum + mc[e]);
            }
        } else {
            for (size_t e = 0; e < len; e++) {
                sum = (uint16_t)(sum + mc[e]);
            }
        }
        total += sum;
    }
    return total;
}

uint64_t gs_and_count(uint8_t *m, const uint8_t *pm, size_t n)
{
    return and_count(m, pm, n);
}

APO_CLONES("avx512f", "avx2")
static void and_class(uint8_t *restrict m, const uint8_t *restrict cls, uint8_t want, size_t n)
{
    for (size_t e = 0; e < n; e++) {
        m[e] &= (uint8_t)(cls[e] == want);
    }
}

void gs_and_class(uint8_t *m, const uint8_t *cls, uint8_t want, size_t n)
{
    and_class(m, cls, want, n);
}

/* Events of a polygon with many vertices (8 to 256): the horizontal slabs between consecutive distinct
 * vertex ordinates, each with the list of edges that cross it. For every py of slab s
 * ([ys[s-1], ys[s]), the first below ys[0]), yi > py holds exactly for the vertices of rank
 * >= s, so the edges with (yi > py) != (yj > py) are the same for the whole slab: the even-odd
 * test below visits only those, with the same expression, so the same result. */
typedef struct poly_slabs {
    size_t u;      /* distinct vertex ordinates */
    double *ys;    /* u, increasing */
    size_t *first; /* u + 2: edges of slab s are edge[first[s] .. first[s + 1]) */
    size_t *edge;  /* index i of edge (i, j = i - 1, or n - 1 for i = 0) */
} poly_slabs;

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Number of ys[0..u) <= y. */
static size_t slab_of(const double *ys, size_t u, double y)
{
    size_t lo = 0, hi = u;
    while (lo < hi) {
        const size_t mid = (lo + hi) / 2;
        if (ys[mid] <= y) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static void slabs_free(poly_slabs *p)
{
    free(p->ys);
    free(p->first);
    free(p->edge);
}

/* False (use the plain loop) on no memory or a non-finite ordinate. */
static bool slabs_build(size_t nv, const double *xy, poly_slabs *p)
{
    memset(p, 0, sizeof *p);
    p->ys = malloc(nv * sizeof *p->ys);
    p->first = calloc(nv + 2, sizeof *p->first);
    p->edge = malloc(nv * (nv + 1) * sizeof *p->edge);
    size_t *rank = malloc(nv * sizeof *rank);
    bool ok = p->ys != NULL && p->first != NULL && p->edge != NULL && rank != NULL;
    for (size_t i = 0; ok && i < nv; i++) {
        p->ys[i] = xy[2 * i + 1];
        ok = isfinite(p->ys[i]);
    }
    if (ok) {
        qsort(p->ys, nv, sizeof *p->ys, cmp_double);
        for (size_t i = 0; i < nv; i++) {
            if (p->u == 0 || p->ys[i] != p->ys[p->u - 1]) {
                p->ys[p->u++] = p->ys[i];
            }
        }
        for (size_t i = 0; i < nv; i++) {
            rank[i] = slab_of(p->ys, p->u, xy[2 * i + 1]) - 1; /* its index in ys */
        }
        size_t k = 0;
        for (size_t s = 0; s <= p->u; s++) {
            p->first[s] = k;
            for (size_t i = 0, j = nv - 1; i < nv; j = i++) {
                if ((rank[i] >= s) != (rank[j] >= s)) {
                    p->edge[k++] = i;
                }
            }
        }
        p->first[p->u + 1] = k;
    }
    free(rank);
    if (!ok) {
        slabs_free(p);
    }
    return ok;
}

/* Polygons with few vertices: edge by edge over a chunk of events (events innermost, so the
 * loop runs in vectors). Each event's crossing test per edge is the one of the event-by-event
 * form, (yi > py) != (yj > py) and px < (xj - xi) * (py - yi) / (yj - yi) + xi, the same
 * operations in the same order on the same values, so the same bits; the parity of the
 * crossings does not depend on the order of the edges. The division is also made where the
 * first test is false (a horizontal edge gives an infinity or NaN there, which is ignored;
 * floating-point exceptions do not trap) and for events outside the bounding box, which are
 * then set 0 as before. */
APO_CLONES("avx512f", "avx2")
static void polygon_small(size_t n, const double *restrict x, const double *restrict y,
                          size_t n_vertices, const double *restrict xy, const double box[4],
                          uint8_t *restrict m)
{
    enum { CHUNK = 512 };
    uint8_t odd[CHUNK];
    const double xmin = box[0], xmax = box[1], ymin = box[2], ymax = box[3];
    for (size_t c0 = 0; c0 < n; c0 += CHUNK) {
        const size_t len = n - c0 < CHUNK ? n - c0 : CHUNK;
        const double *restrict px = x + c0, *restrict py = y + c0;
        for (size_t e = 0; e < len; e++) {
            odd[e] = (uint8_t)((px[e] >= xmin) & (px[e] <= xmax) & (py[e] >= ymin) &
                               (py[e] <= ymax));
        }
        for (size_t i = 0, j = n_vertices - 1; i < n_vertices; j = i++) {
            const double xi = xy[2 * i], yi = xy[2 * i + 1];
            const double xj = xy[2 * j], yj = xy[2 * j + 1];
            const double dx = xj - xi, dy = yj - yi;
            for (size_t e = 0; e < len; e++) {
                const int cross = ((yi > py[e]) != (yj > py[e])) &
                                  (px[e] < dx * (py[e] - yi) / dy + xi);
                odd[e] ^= (uint8_t)(cross << 1); /* bit 1: the parity; bit 0: in the box */
            }
        }
        for (size_t e = 0; e < len; e++) {
            m[c0 + e] = (uint8_t)((odd[e] >> 1) & odd[e] & 1);
        }
    }
}

void gs_polygon_member(size_t n, const double *x, const double *y, size_t n_vertices,
                       const double *xy, uint8_t *m)
{
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (size_t i = 0; i < n_vertices; i++) {
        xmin = fmin(xmin, xy[2 * i]);
        xmax = fmax(xmax, xy[2 * i]);
        ymin = fmin(ymin, xy[2 * i + 1]);
        ymax = fmax(ymax, xy[2 * i + 1]);
    }
    if (n_vertices > 0 && n_vertices < 8) {
        const double box[4] = {xmin, xmax, ymin, ymax};
        polygon_small(n, x, y, n_vertices, xy, box, m);
        return;
    }
    poly_slabs sl;
    /* the slab table has up to n_vertices^2 entries: bounded to a few hundred vertices */
    const bool slabs = n_vertices >= 8 && n_vertices <= 256 && n >= 64 &&
                       slabs_build(n_vertices, xy, &sl);
    for (size_t e = 0; e < n; e++) {
        const double px = x[e], py = y[e];
        if (!(px >= xmin && px <= xmax && py >= ymin && py <= ymax)) {
            m[e] = 0;
            continue;
        }
        uint8_t inside = 0;
        if (slabs) {
            const size_t s = slab_of(sl.ys, sl.u, py);
            for (size_t k = sl.first[s]; k < sl.first[s + 1]; k++) {
                const size_t i = sl.edge[k], j = i == 0 ? n_vertices - 1 : i - 1;
                const double xi = xy[2 * i], yi = xy[2 * i + 1];
                const double xj = xy[2 * j], yj = xy[2 * j + 1];
                if (px < (xj - xi) * (py - yi) / (yj - yi) + xi) {
                    inside ^= 1;
                }
            }
            m[e] = inside;
            continue;
        }
        for (size_t i = 0, j = n_vertices - 1; i < n_vertices; j = i++) {
            const double xi = xy[2 * i], yi = xy[2 * i + 1];
            const double xj = xy[2 * j], yj = xy[2 * j + 1];
            if ((yi > py) != (yj > py) && px < (xj - xi) * (py - yi) / (yj - yi) + xi) {
                inside ^= 1;
            }
        }
        m[e] = inside;
    }
    if (slabs) {
        slabs_free(&sl);
    }
}

void gs_ellipsoid_member(size_t n, size_t n_dims, const double *const *cols, const double *mean,
                         const double *inv, double dist2, uint8_t *m)
{
    enum { BLOCK = 256 };
    double q[BLOCK];
    for (size_t start = 0; start < n; start += BLOCK) {
        size_t len = n - start < BLOCK ? n - start : BLOCK;
        memset(q, 0, sizeof(q));
        for (size_t i = 0; i < n_dims; i++) {
            const double *xi = cols[i] + start;
            for (size_t j = 0; j < n_dims; j++) {
                const double *xj = cols[j] + start;
                const double a = inv[i * n_dims + j], mi = mean[i], mj = mean[j];
                for (size_t e = 0; e < len; e++) {
                    q[e] += (xi[e] - mi) * a * (xj[e] - mj);
                }
            }
        }
        for (size_t e = 0; e < len; e++) {
            m[start + e] = (uint8_t)(q[e] <= dist2);
        }
    }
}

apo_status gs_invert(size_t n, const double *a, double *inv, const char *what, apo_error *err)
{
    gsl_matrix *lu = gsl_matrix_alloc(n, n);
    gsl_matrix *out = gsl_matrix_alloc(n, n);
    gsl_permutation *p = gsl_permutation_alloc(n);
    apo_status st = APO_OK;
    if (lu == NULL || out == NULL || p == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, what,
                           "expected memory for a %zu x %zu matrix, found none", n, n);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            gsl_matrix_set(lu, i, j, a[i * n + j]);
        }
    }
    int sign = 0;
    if (gsl_linalg_LU_decomp(lu, p, &sign) != GSL_SUCCESS) {
        st = apo_error_set(err, APO_E_NUMERIC, NULL, APO_NO_OFFSET, what,
                           "expected an invertible matrix, found LU decomposition failure");
        goto done;
    }
    double maxabs = 0;
    for (size_t i = 0; i < n * n; i++) {
        maxabs = fmax(maxabs, fabs(a[i]));
    }
    for (size_t i = 0; i < n; i++) {
        if (!(fabs(gsl_matrix_get(lu, i, i)) > 1e-14 * maxabs)) {
            st = apo_error_set(err, APO_E_NUMERIC, NULL, APO_NO_OFFSET, what,
                               "expected an invertible matrix, found a singular one");
            goto done;
        }
    }
    if (gsl_linalg_LU_invert(lu, p, out) != GSL_SUCCESS) {
        st = apo_error_set(err, APO_E_NUMERIC, NULL, APO_NO_OFFSET, what,
                           "expected an invertible matrix, found a singular one");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            inv[i * n + j] = gsl_matrix_get(out, i, j);
        }
    }
done:
    gsl_matrix_free(lu);
    gsl_matrix_free(out);
    gsl_permutation_free(p);
    return st;
}
