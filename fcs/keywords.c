/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * keywords.c: case-insensitive keyword lookup (3.0 §3.2.10). Keywords keep their original
 * spelling; a sorted index of case-folded names gives O(log n) lookups, and ties are ordered
 * by position so the first occurrence (primary TEXT before STEXT/ANALYSIS) wins.
 */
#include "fcs/fcs_internal.h"

#include <stdlib.h>

static int fold(unsigned char c)
{
    return (c >= 'a' && c <= 'z') ? c - 32 : c;
}

int fcs_ascii_icmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;
    for (;; x++, y++) {
        int d = fold(*x) - fold(*y);
        if (d != 0 || *x == '\0') {
            return d;
        }
    }
}

typedef struct sort_item {
    const char *name;
    size_t index;
} sort_item;

static int cmp_item(const void *pa, const void *pb)
{
    const sort_item *a = pa;
    const sort_item *b = pb;
    int d = fcs_ascii_icmp(a->name, b->name);
    if (d != 0) {
        return d;
    }
    return (a->index > b->index) - (a->index < b->index);
}

size_t *fcs_keywords_sort(const fcs_keyword *kw, size_t n)
{
    size_t bytes;
    if (!apo_mul_size(n ? n : 1, sizeof(sort_item), &bytes)) {
        return NULL;
    }
    sort_item *items = malloc(bytes);
    size_t *out = malloc((n ? n : 1) * sizeof *out);
    if (items == NULL || out == NULL) {
        free(items);
        free(out);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        items[i].name = kw[i].name;
        items[i].index = i;
    }
    qsort(items, n, sizeof *items, cmp_item);
    for (size_t i = 0; i < n; i++) {
        out[i] = items[i].index;
    }
    free(items);
    return out;
}

const fcs_keyword *fcs_keywords_lookup(const fcs_keyword *kw, const size_t *sorted, size_t n,
                                       const char *name)
{
    if (kw == NULL || sorted == NULL || name == NULL) {
        return NULL;
    }
    size_t lo = 0, hi = n; /* first position whose name >= name */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (fcs_ascii_icmp(kw[sorted[mid]].name, name) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo < n && fcs_ascii_icmp(kw[sorted[lo]].name, name) == 0) {
        return &kw[sorted[lo]];
    }
    return NULL;
}

const fcs_keyword *fcs_dataset_find_keyword(const fcs_dataset *ds, const char *name)
{
    if (ds == NULL) {
        return NULL;
    }
    return fcs_keywords_lookup(ds->keywords, ds->kw_sorted, ds->n_keywords, name);
}
