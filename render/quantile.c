/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * quantile.c: nearest-rank quantiles of finite values by selection on a copy (O(n): the radix
 * selection of gating/select.c, gate_select), used to pick automatic axis ranges without
 * sorting a million events. A rank within SMALL_RANK of either end (the axis ranges' 0.05 %
 * and 99.9 % of 20,000 drawn events: ranks 10 and 19,980) is found in one pass keeping the
 * few smallest (or largest) values seen, most values rejected by one comparison.
 */
#include "render/render_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SMALL_RANK 32

/* The nearest rank of quantile @p q among @p m values. */
static size_t rank_of(double q, size_t m)
{
    double r = q * (double)(m - 1);
    return r <= 0 ? 0 : (r >= (double)(m - 1) ? m - 1 : (size_t)(r + 0.5));
}

/* An unsigned key with the order of the finite doubles (sign bit flipped for positives, every
 * bit for negatives); -0 and +0 get different keys. */
static uint64_t key_of(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return (b >> 63) ? ~b : (b | (1ull << 63));
}

static double value_of(uint64_t k)
{
    uint64_t b = (k >> 63) ? (k & ~(1ull << 63)) : ~k;
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

/* The value of rank @p r (0-based, ascending) of the m finite values a[0..m) when r or
 * m - 1 - r is below SMALL_RANK: the K smallest keys seen kept in order (from the top: the
 * K largest, by the complemented key), K = the rank from that end + 1. The keys order the
 * values as < does, so this is the value a selection gives, except when zeros of both signs
 * occur (-0 == +0, their keys differ): then false, and the caller selects. */
static bool select_near_end(const double *a, size_t m, size_t r, double *out)
{
    const bool top = m - 1 - r < r;
    const size_t K = (top ? m - 1 - r : r) + 1;
    if (K > SMALL_RANK) return false;
    const uint64_t flip = top ? ~0ull : 0;
    uint64_t best[SMALL_RANK];
    size_t nb = 0;
    bool pos0 = false, neg0 = false;
    for (size_t i = 0; i < m; i++) {
        if (a[i] == 0) {
            if (signbit(a[i])) neg0 = true;
            else pos0 = true;
        }
        const uint64_t k = key_of(a[i]) ^ flip;
        if (nb == K && k >= best[K - 1]) continue;
        size_t j = nb < K ? nb++ : K - 1; /* the largest kept drops out when full */
        for (; j > 0 && best[j - 1] > k; j--) best[j] = best[j - 1];
        best[j] = k;
    }
    if (pos0 && neg0) return false;
    *out = value_of(best[K - 1] ^ flip);
    return true;
}

apo_status rquantiles(const double *x, size_t n, size_t nq, const double *q, double *out,
                      apo_error *err)
{
    for (size_t i = 0; i < nq; i++) {
        out[i] = NAN;
    }
    if (n == 0) {
        return APO_OK;
    }
    double *a = malloc(n * sizeof *a);
    if (!a) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for %zu values, found none", n);
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (isfinite(x[i])) a[m++] = x[i];
    }
    /* the k-th smallest value does not depend on the order a selection left the copy in
     * (zeros of both signs aside: then every rank is selected, in turn, as before) */
    for (size_t i = 0; m > 0 && i < nq; i++) {
        const size_t r = rank_of(q[i], m);
        if (!select_near_end(a, m, r, &out[i])) {
            out[i] = gate_select(a, m, r);
        }
    }
    free(a);
    return APO_OK;
}

apo_status rquantile(const double *x, size_t n, double q, double *out, apo_error *err)
{
    return rquantiles(x, n, 1, &q, out, err);
}
