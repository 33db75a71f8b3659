/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sheet_order.c: the order in which people read an experiment (assay_result_sheet_order):
 * controls (unstained, Annexin V only, dye only), untreated, stimulus only, then each
 * treatment by increasing dose, replicates in order. The report lists samples this way;
 * the tables keep the input order (docs/outputs.md).
 */
#include "assay/assay.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct order_key {
    int rank;         /* the role's place */
    size_t treatment; /* index of the first input with the same treatment */
    double dose;      /* NaN last */
    unsigned replicate; /* 0 (none) last */
    size_t index;     /* the input order breaks every tie */
} order_key;

static int role_rank(assay_role r)
{
    switch (r) {
    case ASSAY_ROLE_UNSTAINED:
        return 0;
    case ASSAY_ROLE_ANNEXIN_SINGLE:
        return 1;
    case ASSAY_ROLE_PI_SINGLE:
        return 2;
    case ASSAY_ROLE_UNTREATED:
        return 3;
    case ASSAY_ROLE_STIMULUS:
        return 4;
    case ASSAY_ROLE_TREATED:
        return 5;
    default:
        return 6;
    }
}

static int cmp_size(size_t a, size_t b)
{
    return (a > b) - (a < b);
}

static int cmp_key(const void *pa, const void *pb)
{
    const order_key *a = pa, *b = pb;
    if (a->rank != b->rank) {
        return a->rank - b->rank;
    }
    if (a->treatment != b->treatment) {
        return cmp_size(a->treatment, b->treatment);
    }
    bool na = isnan(a->dose), nb = isnan(b->dose);
    if (na != nb) {
        return na ? 1 : -1;
    }
    if (!na && a->dose != b->dose) {
        return a->dose < b->dose ? -1 : 1;
    }
    unsigned ra = a->replicate ? a->replicate : ~0u, rb = b->replicate ? b->replicate : ~0u;
    if (ra != rb) {
        return ra < rb ? -1 : 1;
    }
    return cmp_size(a->index, b->index);
}

typedef struct named {
    const char *t;
    size_t i;
} named;

static int cmp_named(const void *pa, const void *pb)
{
    const named *a = pa, *b = pb;
    int c = strcmp(a->t, b->t);
    return c != 0 ? c : cmp_size(a->i, b->i);
}

/* k[i].treatment = the index of the first input with input i's treatment: sorted by name,
 * so a large sheet is not quadratic. */
static apo_status first_treatments(const assay_input *in, size_t n, order_key *k,
                                   apo_error *err)
{
    named *v = calloc(n ? n : 1, sizeof *v);
    if (v == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        v[i] = (named){in[i].treatment != NULL ? in[i].treatment : "", i};
    }
    qsort(v, n, sizeof *v, cmp_named);
    for (size_t i = 0, first = 0; i < n; i++) {
        if (i == 0 || strcmp(v[i].t, v[i - 1].t) != 0) {
            first = v[i].i;
        }
        k[v[i].i].treatment = first;
    }
    free(v);
    return APO_OK;
}

apo_status assay_result_sheet_order(const assay_input *in, size_t n, size_t *order,
                                    apo_error *err)
{
    order_key *k = calloc(n ? n : 1, sizeof *k);
    if (k == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    apo_status st = first_treatments(in, n, k, err);
    if (st != APO_OK) {
        free(k);
        return st;
    }
    for (size_t i = 0; i < n; i++) {
        bool treated = in[i].role == ASSAY_ROLE_TREATED;
        k[i] = (order_key){role_rank(in[i].role), treated ? k[i].treatment : 0,
                           treated ? in[i].dose : NAN, in[i].replicate, i};
    }
    qsort(k, n, sizeof *k, cmp_key);
    for (size_t i = 0; i < n; i++) {
        order[i] = k[i].index;
    }
    free(k);
    return APO_OK;
}
