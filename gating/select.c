/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * select.c: the k-th smallest of n doubles and the median by radix selection: each double
 * maps to an unsigned key with the same order (sign bit flipped for positives, every bit
 * flipped for negatives), and three passes of an 11-bit digit histogram narrow the candidates
 * to the bucket holding rank k, then to the value. O(n) without the unpredictable branches
 * and swaps of quickselect, and the same value: the k-th smallest does not depend on how it
 * is found. Values that break the key order's agreement with <, NaN and zeros of either sign
 * (-0 == +0 but their keys differ), make it hand over to gsl_stats_select / gsl_stats_median.
 */
#include "gating/stats.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DIGIT_BITS 11
#define DIGITS (1u << DIGIT_BITS)

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

/* The key of rank @p k among keys[0..n) (keys is reordered). The first digit is the top 11
 * of the bits in which the keys differ at all (the min/max keys tell), so even values of one
 * binade spread over the buckets. */
static uint64_t select_key(uint64_t *keys, size_t n, size_t k)
{
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t i = 0; i < n; i++) {
        lo = keys[i] < lo ? keys[i] : lo;
        hi = keys[i] > hi ? keys[i] : hi;
    }
    if (lo == hi) {
        return lo;
    }
    uint32_t count[DIGITS];
    int shift = 64 - __builtin_clzll(lo ^ hi) - DIGIT_BITS;
    for (; n > 1; shift -= DIGIT_BITS) {
        const int sh = shift < 0 ? 0 : shift;
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++) {
            count[(keys[i] >> sh) & (DIGITS - 1)]++;
        }
        size_t b = 0, below = 0;
        while (below + count[b] <= k) {
            below += count[b++];
        }
        size_t m = 0; /* keep bucket b only, in place */
        for (size_t i = 0; i < n; i++) {
            if (((keys[i] >> sh) & (DIGITS - 1)) == b) {
                keys[m++] = keys[i];
            }
        }
        n = m;
        k -= below;
        if (sh == 0) {
            break; /* every bit decided: all candidates are equal */
        }
    }
    return keys[k];
}

/* Keys of v[0..n) into a new array; NULL when out of memory or a value needs gsl (NaN,
 * zero). */
static uint64_t *keys_of(const double *v, size_t n)
{
    uint64_t *keys = malloc((n ? n : 1) * sizeof *keys);
    if (keys == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i]) || v[i] == 0.0) {
            free(keys);
            return NULL;
        }
        keys[i] = key_of(v[i]);
    }
    return keys;
}

double gate_select(double *v, size_t n, size_t k)
{
    uint64_t *keys = n > 0 && k < n ? keys_of(v, n) : NULL;
    if (keys == NULL) {
        return gsl_stats_select(v, 1, n, k);
    }
    const double r = value_of(select_key(keys, n, k));
    free(keys);
    return r;
}

double gate_median(double *v, size_t n)
{
    uint64_t *keys = n > 0 ? keys_of(v, n) : NULL;
    if (keys == NULL) {
        return gsl_stats_median(v, 1, n);
    }
    const size_t k = (n - 1) / 2;
    const double lo = value_of(select_key(keys, n, k));
    double r = lo;
    if (n % 2 == 0) {
        /* the (k+1)-th smallest: lo again when more than k + 1 values are <= lo, else the
         * smallest value above lo */
        const uint64_t klo = key_of(lo);
        uint64_t above = UINT64_MAX;
        size_t at_most = 0;
        for (size_t i = 0; i < n; i++) {
            const uint64_t key = key_of(v[i]);
            at_most += key <= klo;
            above = key > klo && key < above ? key : above;
        }
        const double hi = at_most >= k + 2 ? lo : value_of(above);
        r = 0.5 * (lo + hi); /* as gsl_stats_median: their mean, overflow included */
    }
    free(keys);
    return r;
}
