/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * strategy_stream.c: a strategy applied to a data set of any size within the memory policy
 * of gate.h: events decoded one block of GATE_BLOCK_EVENTS at a time and gated block by
 * block (exact counts, per-block membership for callers; on request only the channels the
 * strategy reads are decoded, and chosen dimensions' values come with each block's gating, on
 * its thread), and the population report whose
 * medians come from the bounded deterministic subsample (fcs_dataset_read_sampled), except for
 * populations with at most sample_events events, whose medians use every one of their events.
 */
#include "gating/gating_internal.h"

#include <stdlib.h>
#include <string.h>

static const gate_stream_options *options_or_default(const gate_stream_options *opts,
                                                     gate_stream_options *storage)
{
    if (opts != NULL) {
        return opts;
    }
    const gate_stream_options d = GATE_STREAM_OPTIONS_INIT;
    *storage = d;
    return storage;
}

/* Blocks decoded and gated side by side: slot k holds block k of the current round. */
typedef struct stream_slot {
    double *buf;
    gate_data d;
    bool d_ok;
    gate_result r;
    uint64_t first;
    size_t count;
    size_t nan_count; /* with a column choice: the block length its unread columns hold 0 for */
    double **dim_values; /* with opts->n_dims: one block of each dimension's values */
    apo_status st;
    apo_error err;
} stream_slot;

typedef struct stream_round {
    const gate_strategy *s;
    const fcs_dataset *ds;
    const gate_stream_options *opts;
    size_t np;
    stream_slot *slots;
    const bool *used; /* NULL = every channel; else only these are decoded or copied */
} stream_round;

/* The channels a block does not read hold zeros: written when the block's length changes (the
 * column offsets move; a new buffer is all zeros, right for a full block). */
static void fill_unread(const stream_round *w, stream_slot *b)
{
    if (w->used == NULL || b->nan_count == b->count) {
        return;
    }
    for (size_t p = 0; p < w->np; p++) {
        if (!w->used[p]) {
            double *col = b->buf + p * b->count;
            for (size_t e = 0; e < b->count; e++) {
                col[e] = 0.0;
            }
        }
    }
    b->nan_count = b->count;
}

/* Decode (or copy) block k of the round and gate it; every result in its own slot. */
static void stream_block(void *ctx, size_t k)
{
    const stream_round *w = ctx;
    stream_slot *b = &w->slots[k];
    const fcs_events *ev = w->opts->events;
    memset(&b->r, 0, sizeof b->r);
    b->st = APO_OK;
    fill_unread(w, b);
    if (ev != NULL) {
        for (size_t p = 0; p < w->np; p++) {
            if (w->used == NULL || w->used[p]) {
                memcpy(b->buf + p * b->count, fcs_events_column(ev, p) + b->first,
                       b->count * sizeof(double));
            }
        }
    } else {
        b->st = fcs_dataset_decode_columns_f64(w->ds, b->first, b->count, &w->opts->decode,
                                               w->used, b->buf, b->count, &b->err);
    }
    b->d.values = b->buf;
    b->d.n_events = b->count;
    if (b->st == APO_OK && w->s != NULL) {
        b->st = b->dim_values != NULL
                    ? gate_strategy_apply_dims(w->s, &b->d, w->opts->n_dims, w->opts->dims,
                                               b->dim_values, &b->r, &b->err)
                    : gate_strategy_apply(w->s, &b->d, &b->r, &b->err);
    }
}

static void stream_slots_free(stream_slot *slots, size_t n)
{
    for (size_t k = 0; slots != NULL && k < n; k++) {
        if (slots[k].d_ok) {
            gate_data_free(&slots[k].d);
        }
        free(slots[k].buf);
        free(slots[k].dim_values);
    }
    free(slots);
}

/* Room for one block of each of @p n_dims dimensions' values (none when n_dims is 0): the
 * pointer array and the values in one allocation. */
static bool slot_dims_new(stream_slot *b, size_t n_dims, size_t block)
{
    if (n_dims == 0) {
        return true;
    }
    size_t bytes = 0;
    if (!apo_mul_size(n_dims, block * sizeof(double) + sizeof(double *), &bytes)) {
        return false;
    }
    b->dim_values = malloc(bytes);
    if (b->dim_values == NULL) {
        return false;
    }
    double *v = (double *)(void *)(b->dim_values + n_dims);
    for (size_t k = 0; k < n_dims; k++) {
        b->dim_values[k] = v + k * block;
    }
    return true;
}

/* Slots of @p width blocks, each with its buffer and its view of the data set. */
static apo_status stream_slots_new(const fcs_dataset *ds, const gate_stream_options *opts,
                                   size_t np, size_t n_dims, size_t width, stream_slot **out,
                                   apo_error *err)
{
    const size_t block = GATE_BLOCK_EVENTS;
    const uint64_t n = fcs_dataset_n_events(ds);
    stream_slot *slots = calloc(width, sizeof *slots);
    size_t bytes = 0;
    if (slots == NULL || !apo_mul_size(np ? np : 1, block * sizeof(double), &bytes)) {
        free(slots);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for a block of %zu events, found none", block);
    }
    for (size_t k = 0; k < width; k++) {
        slots[k].nan_count = block; /* zeros: a full block's unread channels as they must be */
        if ((slots[k].buf = calloc(1, bytes)) == NULL ||
            !slot_dims_new(&slots[k], n_dims, block)) {
            stream_slots_free(slots, width);
            return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                                 "expected memory for a block of %zu events, found none", block);
        }
        fcs_events view = {n < block ? n : block, np, slots[k].buf};
        apo_status st = gate_data_init(&slots[k].d, ds, &view, err);
        if (st != APO_OK) {
            stream_slots_free(slots, width);
            return st;
        }
        slots[k].d_ok = true;
        if (opts->override_comp) {
            slots[k].d.comp = opts->comp;
        }
    }
    *out = slots;
    return APO_OK;
}

apo_status gate_strategy_apply_stream(const gate_strategy *s, const fcs_dataset *ds,
                                      const gate_stream_options *opts, uint64_t *counts,
                                      apo_error *err)
{
    gate_stream_options storage;
    opts = options_or_default(opts, &storage);
    const size_t ng = s != NULL ? gate_strategy_n_gates(s) : 0;
    if (counts != NULL && ng > 0) {
        memset(counts, 0, ng * sizeof(*counts));
    }
    const uint64_t n = fcs_dataset_n_events(ds);
    const size_t np = fcs_dataset_n_params(ds);
    const size_t block = GATE_BLOCK_EVENTS;
    const fcs_events *ev = opts->events;
    if (ev != NULL && (ev->n_events != n || ev->n_params != np)) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected decoded events of %llu x %zu values, found %llu x %zu",
                             (unsigned long long)n, np, (unsigned long long)ev->n_events,
                             ev->n_params);
    }
    /* with threads, a round of one block per thread is decoded and gated side by side; the
     * counts and on_block then take the blocks in file order, as one after another would */
    const uint64_t n_blocks = (n + block - 1) / block;
    size_t width = opts->threads > 1 ? (size_t)opts->threads : 1;
    if (width > n_blocks) {
        width = n_blocks > 0 ? (size_t)n_blocks : 1;
    }
    stream_slot *slots = NULL;
    const size_t n_dims = s != NULL ? opts->n_dims : 0; /* values need the gating */
    apo_status st = stream_slots_new(ds, opts, np, n_dims, width, &slots, err);
    if (st != APO_OK) {
        return st;
    }
    bool *used = NULL; /* the strategy's channels, with strategy_columns_only */
    if (opts->strategy_columns_only && s != NULL) {
        used = malloc((np ? np : 1) * sizeof *used);
        st = used == NULL ? apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                                          "expected memory for %zu channel flags, found none", np)
                          : gate_strategy_columns(s, &slots[0].d, used, err);
    }
    stream_round w = {s, ds, opts, np, slots, used};
    for (uint64_t first = 0; first < n && st == APO_OK; first += (uint64_t)width * block) {
        size_t nb = 0;
        for (uint64_t f = first; f < n && nb < width; f += block, nb++) {
            slots[nb].first = f;
            slots[nb].count = (size_t)(n - f < block ? n - f : block);
        }
        if (nb > 1) {
            apo_pool_run(nb, opts->threads, stream_block, NULL, &w);
        } else {
            stream_block(&w, 0);
        }
        for (size_t k = 0; k < nb; k++) {
            stream_slot *b = &slots[k];
            if (st == APO_OK && b->st != APO_OK) {
                st = b->st;
                *err = b->err;
            }
            if (st == APO_OK && s != NULL && counts != NULL) {
                for (size_t g = 0; g < ng; g++) {
                    counts[g] += b->r.count[g];
                }
            }
            if (st == APO_OK && b->dim_values != NULL) {
                if (opts->on_block_dims != NULL) {
                    st = opts->on_block_dims(opts->ctx, &b->d, &b->r,
                                             (const double *const *)b->dim_values, b->first,
                                             err);
                }
            } else if (st == APO_OK && opts->on_block != NULL) {
                st = opts->on_block(opts->ctx, &b->d, s != NULL ? &b->r : NULL, b->first, err);
            }
            gate_result_free(&b->r);
            if (ev == NULL) {
                fcs_dataset_drop_pages(ds, b->first, b->count); /* resident: this round only */
            }
        }
    }
    stream_slots_free(slots, width);
    free(used);
    return st;
}

/* Report of the subsample (every event when step is 1); the on_block call with step 1. */
static apo_status sampled_report(const gate_strategy *s, const fcs_dataset *ds,
                                 const gate_stream_options *opts, gate_report *out,
                                 uint64_t *step, apo_error *err)
{
    fcs_events ev = {0, 0, NULL};
    gate_data d;
    gate_result r;
    memset(&d, 0, sizeof(d));
    memset(&r, 0, sizeof(r));
    apo_status st = fcs_dataset_read_sampled(ds, &opts->decode, opts->sample_events, &ev, step,
                                             err);
    if (st == APO_OK) {
        st = gate_data_init(&d, ds, &ev, err);
    }
    if (st == APO_OK) {
        if (opts->override_comp) {
            d.comp = opts->comp;
        }
        st = gate_strategy_apply(s, &d, &r, err);
    }
    if (st == APO_OK) {
        st = gate_report_compute(s, &d, &r, out, err);
    }
    if (st == APO_OK && *step == 1 && opts->on_block != NULL) {
        /* the sample is the whole data set: one block holds every event */
        st = opts->on_block(opts->ctx, &d, &r, 0, err);
        if (st != APO_OK) {
            gate_report_free(out);
        }
    }
    gate_result_free(&r);
    gate_data_free(&d);
    fcs_events_free(&ev);
    return st;
}

/* Exact medians of the populations small enough to hold: every event of each chosen
 * population (those with at most the sample's size of events, smallest first, within a
 * budget of that many values per dimension), collected in one more streamed pass. */
typedef struct exact_medians {
    const gate_strategy *s;
    const gate_report *rep;
    size_t n_chosen;
    size_t *pop;      /* chosen population indices into rep->populations */
    double **vals;    /* per chosen population: n_dims x its count values */
    size_t *filled;   /* values collected so far per chosen population */
    double *tmp;      /* one block of one dimension */
} exact_medians;

static apo_status collect_block(void *ctx, const gate_data *block, const gate_result *r,
                                uint64_t first, apo_error *err)
{
    (void)first;
    exact_medians *x = ctx;
    const size_t n = block->n_events, nd = x->rep->n_dims;
    for (size_t i = 0; i < nd; i++) {
        apo_status st = gate_dim_values(x->s, block, &x->rep->dims[i], false, x->tmp, err);
        if (st != APO_OK) {
            return st;
        }
        for (size_t k = 0; k < x->n_chosen; k++) {
            const gate_population *p = &x->rep->populations[x->pop[k]];
            const uint8_t *m = gate_result_membership(r, p->gate);
            double *dst = x->vals[k] + i * (size_t)p->count;
            size_t f = x->filled[k];
            for (size_t e = 0; e < n && f < p->count; e++) {
                if (m[e]) {
                    dst[f++] = x->tmp[e];
                }
            }
            if (i + 1 == nd) {
                x->filled[k] = f;
            }
        }
    }
    return APO_OK;
}

static apo_status small_population_medians(const gate_strategy *s, const fcs_dataset *ds,
                                           const gate_stream_options *opts, gate_report *rep,
                                           apo_error *err)
{
    const size_t np = rep->n_populations, nd = rep->n_dims;
    if (np == 0 || nd == 0 || opts->sample_events == 0) {
        return APO_OK;
    }
    exact_medians x = {s, rep, 0, NULL, NULL, NULL, NULL};
    x.pop = malloc(np * sizeof *x.pop);
    x.vals = calloc(np, sizeof *x.vals);
    x.filled = calloc(np, sizeof *x.filled);
    x.tmp = malloc(GATE_BLOCK_EVENTS * sizeof(double));
    apo_status st = APO_OK;
    if (x.pop == NULL || x.vals == NULL || x.filled == NULL || x.tmp == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
        goto done;
    }
    uint64_t *count = malloc(np * sizeof *count);
    if (count == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < np; i++) {
        count[i] = rep->populations[i].count;
    }
    x.n_chosen = gate_pick_small(count, np, opts->sample_events, x.pop);
    free(count);
    for (size_t k = 0; k < x.n_chosen; k++) {
        size_t bytes = 0;
        const uint64_t c = rep->populations[x.pop[k]].count;
        if (c > SIZE_MAX || !apo_mul_size((size_t)c, nd * sizeof(double), &bytes) ||
            (x.vals[k] = malloc(bytes)) == NULL) {
            st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
            goto done;
        }
    }
    if (x.n_chosen == 0) {
        goto done;
    }
    gate_stream_options o = *opts;
    o.on_block = collect_block;
    o.ctx = &x;
    st = gate_strategy_apply_stream(s, ds, &o, NULL, err);
    const double half = 0.5;
    for (size_t k = 0; k < x.n_chosen && st == APO_OK; k++) {
        gate_population *p = &rep->populations[x.pop[k]];
        for (size_t i = 0; i < nd && st == APO_OK; i++) {
            st = gate_stats_quantiles(x.vals[k] + i * (size_t)p->count, x.filled[k], NULL,
                                      &half, 1, &p->medians[i], err);
        }
    }
done:
    for (size_t k = 0; x.vals != NULL && k < np; k++) {
        free(x.vals[k]);
    }
    free(x.pop);
    free(x.vals);
    free(x.filled);
    free(x.tmp);
    return st;
}

apo_status gate_report_stream(const gate_strategy *s, const fcs_dataset *ds,
                              const gate_stream_options *opts, gate_report *out,
                              uint64_t *step_out, apo_error *err)
{
    gate_stream_options storage;
    opts = options_or_default(opts, &storage);
    memset(out, 0, sizeof(*out));
    uint64_t step = 1;
    apo_status st = sampled_report(s, ds, opts, out, &step, err);
    if (step_out != NULL) {
        *step_out = step;
    }
    if (st != APO_OK || step == 1) {
        return st;
    }
    /* a subsample: counts and percentages again, exactly, over every event */
    const size_t ng = gate_strategy_n_gates(s);
    uint64_t *counts = calloc(ng ? ng : 1, sizeof(*counts));
    if (counts == NULL) {
        gate_report_free(out);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for %zu gate counts, found none", ng);
    }
    st = gate_strategy_apply_stream(s, ds, opts, counts, err);
    const uint64_t total = fcs_dataset_n_events(ds);
    for (size_t i = 0; i < out->n_populations && st == APO_OK; i++) {
        gate_population *p = &out->populations[i];
        const size_t par = gate_strategy_parent(s, p->gate);
        p->count = counts[p->gate];
        p->parent_count = par == SIZE_MAX ? total : counts[par];
        p->pct_parent = gate_percent((size_t)p->count, (size_t)p->parent_count);
        p->pct_total = gate_percent((size_t)p->count, (size_t)total);
    }
    free(counts);
    if (st == APO_OK) {
        st = small_population_medians(s, ds, opts, out, err);
    }
    if (st != APO_OK) {
        gate_report_free(out);
    }
    return st;
}
