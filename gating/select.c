/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * select.c: the k-th smallest of n doubles and the median by radix selection: each double
 * maps to an unsigned key with the same order (sign bit flipped for positives, every bit
 * flipped for negatives), and three passes of an 11-bit digit histogram narrow the candidates
 * to the bucket holding rank k, then to the value. O(n) without the unpredictable branches
 * and swaps of quickselect, and the same value: the k-th smallest does not depend on how it
 * is found. Values that break the key order's agreement with <, NaN and zeros of either sign
 * (-0 == +0 but their keys differ), make it hand over to gsl_stats_select / gsl_stats_median.
 * Several ranks of one array (gate_select_ranks, gate_median_masked) share the keys and the
 * first passes: each histogram pass serves every rank, and the ranks split only where their
 * buckets differ (each bucket then narrowed on its own, in one scatter pass).
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
    return b ^ ((uint64_t)((int64_t)b >> 63) | (1ull << 63)); /* ~b or b | sign, no branch */
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

/* count[d]: how many of keys[0..n) have digit d at shift @p sh; two tables, the even and
 * the odd keys, so that runs of one digit do not wait on each other's increments. */
static void digit_counts(const uint64_t *keys, size_t n, int sh, uint32_t count[DIGITS])
{
    uint32_t c2[DIGITS];
    memset(count, 0, DIGITS * sizeof *count);
    memset(c2, 0, sizeof c2);
    size_t i = 0;
    for (; i + 1 < n; i += 2) {
        count[(keys[i] >> sh) & (DIGITS - 1)]++;
        c2[(keys[i + 1] >> sh) & (DIGITS - 1)]++;
    }
    if (i < n) {
        count[(keys[i] >> sh) & (DIGITS - 1)]++;
    }
    for (size_t d = 0; d < DIGITS; d++) {
        count[d] += c2[d];
    }
}

/* Keys of values that break the order's agreement with <: the zeros' (-0 and +0), and every
 * NaN's, below the key of -inf or above that of +inf. */
#define KEY_NEG_ZERO 0x7fffffffffffffffull
#define KEY_NEG_INF 0x000fffffffffffffull
#define KEY_POS_INF 0xfff0000000000000ull

/* The range of keys (their values go to gsl when a key is a zero's or a NaN's). */
typedef struct key_range {
    uint64_t lo, hi, zero; /* the smallest and largest key; nonzero when a zero's is among them */
} key_range;

#define KEY_RANGE_INIT {UINT64_MAX, 0, 0}

static inline void key_range_add(key_range *r, uint64_t key)
{
    r->lo = key < r->lo ? key : r->lo;
    r->hi = key > r->hi ? key : r->hi;
    r->zero |= key - KEY_NEG_ZERO < 2;
}

/* From the range of the keys (not all equal): the first digit's shift, the top 11 of the
 * bits in which they differ (negative when they differ in the lowest 10 bits only: then one
 * digit of those); false when a key is a zero's or a NaN's. */
static bool range_shift(const key_range *r, int *shift)
{
    *shift = r->lo == r->hi ? 0 : 64 - __builtin_clzll(r->lo ^ r->hi) - DIGIT_BITS;
    return !r->zero && r->lo >= KEY_NEG_INF && r->hi <= KEY_POS_INF;
}

/*
 * The keys of ranks r[0..nr) (ascending, distinct, < n) among keys[0..n) into out[0..nr),
 * the digit at @p shift first (bits below 0 are taken as 0: the last digit is shorter).
 * keys is reordered; @p tmp, room for n keys, is scratch. While the ranks share one bucket
 * it is kept in place, as in select_key; where they fall into several, the buckets they need
 * are scattered into tmp side by side in one pass and each is narrowed on its own, with the
 * same stretch of keys (no longer needed) as its scratch.
 */
static void select_keys_ranks(uint64_t *keys, uint64_t *tmp, size_t n, size_t *r, size_t nr,
                              int shift, uint64_t *out)
{
    uint32_t count[DIGITS];
    for (;; shift -= DIGIT_BITS) {
        if (n == 1 || nr == 0) {
            for (size_t j = 0; j < nr; j++) {
                out[j] = keys[0];
            }
            return;
        }
        const int sh = shift < 0 ? 0 : shift;
        digit_counts(keys, n, sh, count);
        size_t bucket[GATE_SELECT_MAX_RANKS], below[GATE_SELECT_MAX_RANKS];
        size_t b = 0, acc = 0;
        for (size_t j = 0; j < nr; j++) { /* ranks ascend, so do their buckets */
            while (acc + count[b] <= r[j]) {
                acc += count[b++];
            }
            bucket[j] = b;
            below[j] = acc;
        }
        if (bucket[0] == bucket[nr - 1]) { /* one bucket: keep it in place */
            if (count[bucket[0]] < n) {
                size_t m = 0; /* without branches: the count moves on at the kept keys */
                for (size_t i = 0; i < n; i++) {
                    const uint64_t key = keys[i];
                    keys[m] = key;
                    m += ((key >> sh) & (DIGITS - 1)) == bucket[0];
                }
                n = m;
            }
            for (size_t j = 0; j < nr; j++) {
                r[j] -= below[0];
            }
            if (sh == 0) { /* every bit decided: all candidates are equal */
                for (size_t j = 0; j < nr; j++) {
                    out[j] = keys[r[j]];
                }
                return;
            }
            continue;
        }
        /* several buckets: each needed one gets its stretch of tmp, starting at the offset
         * of its first key in the sorted order relative to the first needed bucket */
        uint8_t slot[DIGITS];
        size_t start[GATE_SELECT_MAX_RANKS], ng = 0;
        uint64_t *at[GATE_SELECT_MAX_RANKS + 1], trash;
        size_t step[GATE_SELECT_MAX_RANKS + 1];
        memset(slot, GATE_SELECT_MAX_RANKS, sizeof slot); /* not needed: into trash */
        size_t off = 0;
        for (size_t j = 0; j < nr; j++) {
            if (j == 0 || bucket[j] != bucket[j - 1]) {
                slot[bucket[j]] = (uint8_t)ng;
                start[ng] = off;
                at[ng] = tmp + off;
                step[ng] = 1;
                off += count[bucket[j]];
                ng++;
            }
        }
        at[GATE_SELECT_MAX_RANKS] = &trash; /* written over and over, never moved on */
        step[GATE_SELECT_MAX_RANKS] = 0;
        for (size_t i = 0; i < n; i++) { /* without branches */
            const uint64_t key = keys[i];
            const uint8_t g = slot[(key >> sh) & (DIGITS - 1)];
            *at[g] = key;
            at[g] += step[g];
        }
        for (size_t j = 0, g = 0; j < nr; g++) {
            size_t e = j;
            while (e < nr && bucket[e] == bucket[j]) {
                r[e] -= below[j];
                e++;
            }
            const size_t c = count[bucket[j]];
            if (sh == 0) { /* every bit decided */
                for (size_t q = j; q < e; q++) {
                    out[q] = tmp[start[g]];
                }
            } else {
                select_keys_ranks(tmp + start[g], keys + start[g], c, r + j, e - j,
                                  shift - DIGIT_BITS, out + j);
            }
            j = e;
        }
        return;
    }
}

/* The values of ranks[0..nr) (< n) among the keys keys[0..n) (n > 0; reordered; tmp: room
 * for n keys; @p range: theirs, or NULL to find it); false, with nothing written, when a key
 * is a zero's or a NaN's. */
static bool values_of_ranks(uint64_t *keys, uint64_t *tmp, size_t n, const key_range *range,
                            const size_t *ranks, size_t nr, double *out)
{
    uint64_t key[GATE_SELECT_MAX_RANKS];
    int shift;
    key_range own = KEY_RANGE_INIT;
    if (range == NULL) {
        for (size_t i = 0; i < n; i++) {
            key_range_add(&own, keys[i]);
        }
        range = &own;
    }
    if (!range_shift(range, &shift)) {
        return false;
    }
    size_t r[GATE_SELECT_MAX_RANKS], nu = 0; /* the distinct ranks, ascending */
    for (size_t j = 0; j < nr; j++) {
        size_t p = 0;
        while (p < nu && r[p] < ranks[j]) {
            p++;
        }
        if (p < nu && r[p] == ranks[j]) {
            continue;
        }
        memmove(r + p + 1, r + p, (nu - p) * sizeof *r);
        r[p] = ranks[j];
        nu++;
    }
    size_t want[GATE_SELECT_MAX_RANKS]; /* r, before select_keys_ranks makes it relative */
    memcpy(want, r, nu * sizeof *r);
    if (range->lo == range->hi) { /* all equal */
        for (size_t j = 0; j < nu; j++) {
            key[j] = range->lo;
        }
    } else {
        select_keys_ranks(keys, tmp, n, r, nu, shift, key);
    }
    for (size_t j = 0; j < nr; j++) {
        size_t p = 0;
        while (want[p] != ranks[j]) {
            p++;
        }
        out[j] = value_of(key[p]);
    }
    return true;
}

/* The median of keys[0..m) (m > 0; reordered; tmp: room for m keys) as gsl_stats_median
 * gives it: the middle value, or the mean of the two (overflow included). */
static bool median_of_keys(uint64_t *keys, uint64_t *tmp, size_t m, double *out)
{
    const size_t k = (m - 1) / 2, ranks[2] = {k, k + 1};
    double r[2];
    if (!values_of_ranks(keys, tmp, m, NULL, ranks, m % 2 == 0 ? 2 : 1, r)) {
        return false;
    }
    *out = m % 2 == 0 ? 0.5 * (r[0] + r[1]) : r[0];
    return true;
}

bool gate_select_ranks(const double *v, size_t n, const size_t *ranks, size_t nr, double *out)
{
    if (n == 0 || nr == 0 || nr > GATE_SELECT_MAX_RANKS) {
        return false;
    }
    for (size_t j = 0; j < nr; j++) {
        if (ranks[j] >= n) {
            return false;
        }
    }
    uint64_t *keys = n <= SIZE_MAX / (2 * sizeof *keys) ? malloc(2 * n * sizeof *keys) : NULL;
    if (keys == NULL) {
        return false;
    }
    key_range range = KEY_RANGE_INIT;
    for (size_t i = 0; i < n; i++) {
        keys[i] = key_of(v[i]);
        key_range_add(&range, keys[i]);
    }
    const bool ok = values_of_ranks(keys, keys + n, n, &range, ranks, nr, out);
    free(keys);
    return ok;
}

bool gate_median_masked(const double *v, const uint8_t *mask, size_t n, double *out)
{
    uint64_t *keys = n <= SIZE_MAX / (2 * sizeof *keys) ? malloc((n ? 2 * n : 1) * sizeof *keys)
                                                         : NULL;
    if (keys == NULL) {
        return false;
    }
    size_t m = 0;
    /* without branches: every key is written, the count moves on at the selected ones (a
     * quadrant's membership is too irregular to predict) */
    for (size_t i = 0; i < n; i++) {
        keys[m] = key_of(v[i]);
        m += mask == NULL || mask[i] != 0;
    }
    const bool ok = m > 0 && median_of_keys(keys, keys + m, m, out);
    free(keys);
    return ok;
}

/* The group of each event: the index of the one mask that holds it, nm when none does, and
 * each group's size in count[0..nm]; false when two masks hold one event. */
static bool mask_groups(const uint8_t *const *masks, size_t nm, size_t n, uint8_t *group,
                        size_t *count)
{
    memset(group, (int)nm, n);
    uint8_t overlap = 0;
    count[nm] = n;
    for (size_t q = 0; q < nm; q++) { /* mask by mask: byte operations the compiler widens */
        const uint8_t *mq = masks[q];
        size_t c = 0;
        for (size_t e = 0; e < n; e++) {
            const uint8_t in = mq[e] != 0;
            overlap |= in & (group[e] != (uint8_t)nm);
            group[e] = in ? (uint8_t)q : group[e];
            c += in;
        }
        count[q] = c;
        count[nm] -= c;
    }
    return overlap == 0;
}

void gate_medians_masked(const double *const *v, size_t nv, const uint8_t *const *masks,
                         size_t nm, size_t n, double *out, bool *ok)
{
    memset(ok, 0, nm * sizeof *ok);
    if (nm == 0 || nv == 0 || nm > GATE_SELECT_MAX_MASKS || nv > GATE_SELECT_MAX_MASKS) {
        return;
    }
    uint8_t *group = malloc(n ? n : 1);
    uint64_t *keys = n <= SIZE_MAX / ((nv + 1) * sizeof *keys) /* + scratch */
                         ? malloc((n ? (nv + 1) * n : 1) * sizeof *keys)
                         : NULL;
    size_t count[GATE_SELECT_MAX_MASKS + 1], at[GATE_SELECT_MAX_MASKS + 1];
    if (group == NULL || keys == NULL || !mask_groups(masks, nm, n, group, count)) {
        free(group);
        free(keys);
        for (size_t q = 0; q < nm; q++) { /* each mask on its own */
            ok[q] = true;
            for (size_t c = 0; c < nv; c++) {
                ok[q] &= gate_median_masked(v[c], masks[q], n, &out[q * nv + c]);
            }
        }
        return;
    }
    /* every value's key into its group's stretch (the events of no mask last), in order */
    at[0] = 0;
    for (size_t g = 1; g <= nm; g++) {
        at[g] = at[g - 1] + count[g - 1];
    }
    if (nv == 2) { /* the usual pair (AnnV, PI): one place per event for both */
        for (size_t e = 0; e < n; e++) {
            const size_t i = at[group[e]]++;
            keys[i] = key_of(v[0][e]);
            keys[n + i] = key_of(v[1][e]);
        }
    } else {
        for (size_t e = 0; e < n; e++) {
            const size_t i = at[group[e]]++;
            for (size_t c = 0; c < nv; c++) {
                keys[c * n + i] = key_of(v[c][e]);
            }
        }
    }
    uint64_t *const tmp = keys + nv * n;
    size_t start = 0;
    for (size_t q = 0; q < nm; q++) {
        ok[q] = count[q] > 0;
        for (size_t c = 0; c < nv && ok[q]; c++) {
            ok[q] = median_of_keys(keys + c * n + start, tmp, count[q], &out[q * nv + c]);
        }
        start += count[q];
    }
    free(group);
    free(keys);
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
