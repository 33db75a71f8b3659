/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_strategy_stream.c: gate_strategy_apply_stream and gate_report_stream on a generated
 * data set of several blocks: counts and percentages equal gate_strategy_apply's on every
 * event, medians those of the deterministic subsample (or of every event without a limit,
 * where the report equals gate_report_compute's exactly), blocks delivered in order, also
 * when they are decoded and gated side by side on threads.
 */
#include "gating/gate.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void setup_gsl(void)
{
    gsl_set_error_handler_off();
}

TestSuite(gating_strategy_stream, .init = setup_gsl);

#define N_EVENTS 150001u /* three blocks, the last one partial */
#define N_PARAMS 4

typedef struct fixture {
    uint8_t *bytes;
    size_t len;
    fcs_file *file;
    const fcs_dataset *ds;
    gate_strategy *s;
} fixture;

static double next_uniform(uint64_t *state)
{
    *state = *state * 6364136223846793005u + 1442695040888963407u;
    return (double)(*state >> 11) / 9007199254740992.0;
}

/* A spillover-carrying data set and a strategy: cells (rectangle), quadrants on compensated
 * FL1/FL2 under cells, a polygon on the raw fluorescence and a NOT of the cells. */
static void fixture_init(fixture *fx)
{
    memset(fx, 0, sizeof(*fx));
    double *v = malloc((size_t)N_EVENTS * N_PARAMS * sizeof(double));
    cr_assert_not_null(v);
    uint64_t state = 42;
    for (size_t e = 0; e < N_EVENTS; e++) {
        v[e] = 1000 + 200000 * next_uniform(&state);
        v[N_EVENTS + e] = 500 + 150000 * next_uniform(&state);
        v[2 * N_EVENTS + e] = -200 + 20000 * next_uniform(&state) * next_uniform(&state);
        v[3 * N_EVENTS + e] = -200 + 10000 * next_uniform(&state) * next_uniform(&state);
    }
    const fcs_write_param params[N_PARAMS] = {{"FSC-A", NULL, 262144},
                                              {"SSC-A", NULL, 262144},
                                              {"FL1-A", NULL, 262144},
                                              {"FL2-A", NULL, 262144}};
    const fcs_write_keyword kw[1] = {{"$SPILLOVER", "2,FL1-A,FL2-A,1,0.12,0.05,1"}};
    const fcs_write_spec spec = {N_PARAMS, params, N_EVENTS, v, 1, kw};
    apo_error err;
    cr_assert_eq(fcs_write_buffer(&fx->bytes, &fx->len, &spec, &err), APO_OK, "%s", err.msg);
    free(v);
    const fcs_read_options ro = FCS_READ_OPTIONS_INIT;
    cr_assert_eq(fcs_file_open_buffer(&fx->file, fx->bytes, fx->len, "stream.fcs", &ro, &err),
                 APO_OK, "%s", err.msg);
    fx->ds = fcs_file_dataset(fx->file, 0);
    cr_assert_eq(fcs_dataset_n_events(fx->ds), N_EVENTS);

    cr_assert_eq(gate_strategy_new(&fx->s, &err), APO_OK);
    const gate_dim scatter[2] = {{.name = "FSC-A"}, {.name = "SSC-A"}};
    const double lo[2] = {20000, 10000}, hi[2] = {180000, 140000};
    cr_assert_eq(gate_strategy_add_rectangle(fx->s, "Cells", NULL, 2, scatter, lo, hi, &err),
                 APO_OK, "%s", err.msg);
    const gate_dim fl[2] = {{.name = "FL1-A", .comp_ref = GATE_COMP_FCS},
                            {.name = "FL2-A", .comp_ref = GATE_COMP_FCS}};
    const char *q[4] = {"NN", "PN", "PP", "NP"};
    cr_assert_eq(gate_strategy_add_quadrants_2d(fx->s, "Q", "Cells", fl, 3000, 1500, q, &err),
                 APO_OK, "%s", err.msg);
    const gate_dim raw[2] = {{.name = "FL1-A"}, {.name = "FL2-A"}};
    const double tri[6] = {0, 0, 15000, 0, 0, 8000};
    cr_assert_eq(gate_strategy_add_polygon(fx->s, "Low", "Cells", raw, 3, tri, &err), APO_OK,
                 "%s", err.msg);
    const char *ops[1] = {"Cells"};
    cr_assert_eq(gate_strategy_add_boolean(fx->s, "NotCells", NULL, GATE_BOOL_NOT, 1, ops, NULL,
                                           &err),
                 APO_OK, "%s", err.msg);
}

static void fixture_free(fixture *fx)
{
    gate_strategy_free(fx->s);
    fcs_file_free(fx->file);
    free(fx->bytes);
}

/* The in-memory way: every event (max_events 0) or the subsample, applied and reported. */
static void in_memory(const fixture *fx, uint64_t max_events, const gate_comp *comp,
                      bool override, gate_result *r, gate_report *rep, uint64_t *step)
{
    fcs_decode_options dec = {FCS_VALUES_SCALED, true, 0};
    fcs_events ev = {0, 0, NULL};
    gate_data d;
    apo_error err;
    cr_assert_eq(fcs_dataset_read_sampled(fx->ds, &dec, max_events, &ev, step, &err), APO_OK,
                 "%s", err.msg);
    cr_assert_eq(gate_data_init(&d, fx->ds, &ev, &err), APO_OK, "%s", err.msg);
    if (override) {
        d.comp = comp;
    }
    cr_assert_eq(gate_strategy_apply(fx->s, &d, r, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(gate_report_compute(fx->s, &d, r, rep, &err), APO_OK, "%s", err.msg);
    gate_data_free(&d);
    fcs_events_free(&ev);
}

static bool same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

/* Is population i among those whose medians gate_report_stream takes over every event: the
 * non-empty ones, smallest first, while their total count stays within @p budget? */
static bool exact_small(const gate_report *rep, size_t i, uint64_t budget)
{
    const uint64_t ci = rep->populations[i].count;
    if (ci == 0) {
        return false;
    }
    uint64_t before = 0; /* events of the populations that come first (smaller, or equal and
                            earlier, as a stable sort orders them) */
    for (size_t j = 0; j < rep->n_populations; j++) {
        const uint64_t cj = rep->populations[j].count;
        if (cj > 0 && (cj < ci || (cj == ci && j < i))) {
            before += cj;
        }
    }
    /* every population up to this one must fit */
    return before + ci <= budget;
}

Test(gating_strategy_stream, counts_exact_medians_from_the_subsample)
{
    fixture fx;
    fixture_init(&fx);
    gate_result all, sub;
    gate_report all_rep, sub_rep, rep;
    uint64_t step_all = 0, step_sub = 0, step = 0;
    in_memory(&fx, 0, NULL, false, &all, &all_rep, &step_all);
    in_memory(&fx, 1000, NULL, false, &sub, &sub_rep, &step_sub);
    cr_assert_eq(step_all, 1);
    cr_assert_eq(step_sub, 151); /* ceil(150001 / 1000) */
    cr_assert_lt(sub.n_events, 1000);

    gate_stream_options so = GATE_STREAM_OPTIONS_INIT;
    so.sample_events = 1000;
    apo_error err;
    cr_assert_eq(gate_report_stream(fx.s, fx.ds, &so, &rep, &step, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(step, 151);
    cr_assert_eq(rep.n_populations, all_rep.n_populations);
    cr_assert_eq(rep.n_dims, all_rep.n_dims);
    cr_assert_eq(rep.n_dims, 6); /* FSC-A, SSC-A, Comp-FL1-A, Comp-FL2-A, FL1-A, FL2-A */
    size_t nonempty = 0;
    for (size_t i = 0; i < rep.n_populations; i++) {
        const gate_population *p = &rep.populations[i], *a = &all_rep.populations[i];
        const gate_population *b = &sub_rep.populations[i];
        cr_assert_str_eq(p->path, a->path);
        cr_assert_eq(p->count, a->count, "%s: %llu vs %llu", p->path,
                     (unsigned long long)p->count, (unsigned long long)a->count);
        cr_assert_eq(p->count, all.count[p->gate]);
        cr_assert_eq(p->parent_count, a->parent_count);
        cr_assert(same_double(p->pct_parent, a->pct_parent), "%s", p->path);
        cr_assert(same_double(p->pct_total, a->pct_total), "%s", p->path);
        /* populations of at most 1000 events (smallest first, 1000 values in all) have
         * medians over every event; the others those of the subsample */
        const gate_population *want = exact_small(&rep, i, 1000) ? a : b;
        for (size_t k = 0; k < rep.n_dims; k++) {
            cr_assert(same_double(p->medians[k], want->medians[k]), "%s median %zu: %g vs %g",
                      p->path, k, p->medians[k], want->medians[k]);
        }
        nonempty += p->count > 1000;
    }
    cr_assert_geq(nonempty, 4); /* the populations are not trivially empty */
    /* the subsample's counts differ from the exact ones: the test can tell them apart */
    cr_assert_neq(sub_rep.populations[0].count, rep.populations[0].count);
    gate_report_free(&rep);
    gate_report_free(&sub_rep);
    gate_report_free(&all_rep);
    gate_result_free(&sub);
    gate_result_free(&all);
    fixture_free(&fx);
}

Test(gating_strategy_stream, no_limit_equals_the_in_memory_report)
{
    fixture fx;
    fixture_init(&fx);
    gate_result all;
    gate_report all_rep, rep;
    uint64_t step = 0;
    in_memory(&fx, 0, NULL, false, &all, &all_rep, &step);
    gate_stream_options so = GATE_STREAM_OPTIONS_INIT;
    so.sample_events = 0;
    apo_error err;
    cr_assert_eq(gate_report_stream(fx.s, fx.ds, &so, &rep, &step, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(step, 1);
    cr_assert_eq(rep.n_populations, all_rep.n_populations);
    for (size_t i = 0; i < rep.n_populations; i++) {
        const gate_population *p = &rep.populations[i], *a = &all_rep.populations[i];
        cr_assert_str_eq(p->path, a->path);
        cr_assert_str_eq(p->parent_path, a->parent_path);
        cr_assert_eq(p->count, a->count);
        cr_assert_eq(p->parent_count, a->parent_count);
        cr_assert(same_double(p->pct_parent, a->pct_parent));
        cr_assert(same_double(p->pct_total, a->pct_total));
        for (size_t k = 0; k < rep.n_dims; k++) {
            cr_assert(same_double(p->medians[k], a->medians[k]));
        }
    }
    /* the default limit (1,000,000) holds this data set whole: the same report */
    gate_report dflt;
    cr_assert_eq(gate_report_stream(fx.s, fx.ds, NULL, &dflt, &step, &err), APO_OK);
    cr_assert_eq(step, 1);
    for (size_t i = 0; i < dflt.n_populations; i++) {
        cr_assert_eq(dflt.populations[i].count, all_rep.populations[i].count);
        cr_assert(same_double(dflt.populations[i].medians[0], all_rep.populations[i].medians[0]));
    }
    gate_report_free(&dflt);
    gate_report_free(&rep);
    gate_report_free(&all_rep);
    gate_result_free(&all);
    fixture_free(&fx);
}

/* on_block context: checks every block's membership against the whole result. */
typedef struct block_check {
    const gate_result *all;
    uint64_t next;  /* first event expected next */
    size_t blocks;
    size_t mismatches;
    int stop_at;    /* return an error at this block (-1 = never) */
} block_check;

static apo_status check_block(void *ctx, const gate_data *block, const gate_result *r,
                              uint64_t first, apo_error *err)
{
    block_check *c = ctx;
    cr_assert_eq(first, c->next);
    cr_assert_eq(block->n_events, r->n_events);
    cr_assert_eq(r->n_gates, c->all->n_gates);
    for (size_t g = 0; g < r->n_gates; g++) {
        const uint8_t *m = gate_result_membership(r, g);
        const uint8_t *a = gate_result_membership(c->all, g) + first;
        c->mismatches += memcmp(m, a, r->n_events) != 0;
    }
    c->next += r->n_events;
    if ((int)c->blocks++ == c->stop_at) {
        return apo_error_set(err, APO_E_WRITE, NULL, APO_NO_OFFSET, NULL, "stop");
    }
    return APO_OK;
}

Test(gating_strategy_stream, blocks_in_order_with_the_whole_membership)
{
    fixture fx;
    fixture_init(&fx);
    gate_result all;
    gate_report all_rep, rep;
    uint64_t step = 0;
    in_memory(&fx, 0, NULL, false, &all, &all_rep, &step);
    apo_error err;
    for (int limited = 0; limited < 2; limited++) {
        block_check c = {&all, 0, 0, 0, -1};
        gate_stream_options so = GATE_STREAM_OPTIONS_INIT;
        so.sample_events = limited ? 1000 : 0;
        so.on_block = check_block;
        so.ctx = &c;
        cr_assert_eq(gate_report_stream(fx.s, fx.ds, &so, &rep, &step, &err), APO_OK, "%s",
                     err.msg);
        cr_assert_eq(c.next, N_EVENTS);
        cr_assert_eq(c.blocks, limited ? 3 : 1); /* 65536 + 65536 + 18929, or the whole */
        cr_assert_eq(c.mismatches, 0);
        gate_report_free(&rep);
    }
    /* an error from the callback stops the stream and is returned, with no report */
    block_check c = {&all, 0, 0, 0, 1};
    gate_stream_options so = GATE_STREAM_OPTIONS_INIT;
    so.sample_events = 1000;
    so.on_block = check_block;
    so.ctx = &c;
    cr_assert_eq(gate_report_stream(fx.s, fx.ds, &so, &rep, &step, &err), APO_E_WRITE);
    cr_assert_eq(c.blocks, 2);
    cr_assert_eq(rep.n_populations, 0);
    cr_assert_null(rep.populations);
    gate_report_free(&all_rep);
    gate_result_free(&all);
    fixture_free(&fx);
}

/* Blocks decoded and gated side by side (threads 2: rounds of two blocks, the last one
 * short; 3: one round; 8: more threads than blocks) are delivered as one after another:
 * in order, each with its whole membership, the same counts; an error of the callback stops
 * the stream at that block. */
Test(gating_strategy_stream, blocks_side_by_side_as_one_after_another)
{
    fixture fx;
    fixture_init(&fx);
    gate_result all;
    gate_report all_rep;
    uint64_t step = 0;
    in_memory(&fx, 0, NULL, false, &all, &all_rep, &step);
    apo_error err;
    const size_t ng = gate_strategy_n_gates(fx.s);
    uint64_t *counts = calloc(ng, sizeof(uint64_t));
    const unsigned threads[] = {1, 2, 3, 8};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        block_check c = {&all, 0, 0, 0, -1};
        gate_stream_options so = GATE_STREAM_OPTIONS_INIT;
        so.on_block = check_block;
        so.ctx = &c;
        so.threads = threads[t];
        cr_assert_eq(gate_strategy_apply_stream(fx.s, fx.ds, &so, counts, &err), APO_OK, "%s",
                     err.msg);
        cr_assert_eq(c.next, N_EVENTS);
        cr_assert_eq(c.blocks, 3);
        cr_assert_eq(c.mismatches, 0, "threads %u", threads[t]);
        for (size_t g = 0; g < ng; g++) {
            cr_assert_eq(counts[g], all.count[g], "threads %u, gate %zu", threads[t], g);
        }
        block_check stop = {&all, 0, 0, 0, 0};
        so.ctx = &stop;
        cr_assert_eq(gate_strategy_apply_stream(fx.s, fx.ds, &so, counts, &err), APO_E_WRITE);
        cr_assert_eq(stop.blocks, 1, "threads %u", threads[t]);
    }
    free(counts);
    gate_report_free(&all_rep);
    gate_result_free(&all);
    fixture_free(&fx);
}

static apo_status count_events(void *ctx, const gate_data *block, const gate_result *r,
                               uint64_t first, apo_error *err)
{
    (void)err;
    uint64_t *seen = ctx;
    cr_assert_null(r);
    cr_assert_eq(first, *seen);
    *seen += block->n_events;
    return APO_OK;
}

Test(gating_strategy_stream, comp_override_and_counts)
{
    fixture fx;
    fixture_init(&fx);
    const size_t ng = gate_strategy_n_gates(fx.s);
    uint64_t *counts = calloc(ng, sizeof(uint64_t));
    cr_assert_not_null(counts);
    apo_error err;
    for (int none = 0; none < 2; none++) {
        gate_result all;
        gate_report all_rep;
        uint64_t step = 0;
        in_memory(&fx, 0, NULL, none != 0, &all, &all_rep, &step);
        gate_stream_options so = GATE_STREAM_OPTIONS_INIT;
        so.override_comp = none != 0;
        so.comp = NULL;
        cr_assert_eq(gate_strategy_apply_stream(fx.s, fx.ds, &so, counts, &err), APO_OK, "%s",
                     err.msg);
        for (size_t g = 0; g < ng; g++) {
            cr_assert_eq(counts[g], all.count[g], "gate %zu: %llu vs %llu", g,
                         (unsigned long long)counts[g], (unsigned long long)all.count[g]);
        }
        gate_report_free(&all_rep);
        gate_result_free(&all);
    }
    /* the compensation matters for the quadrants: with and without differ */
    gate_stream_options so = GATE_STREAM_OPTIONS_INIT;
    uint64_t *comp_counts = calloc(ng, sizeof(uint64_t));
    cr_assert_eq(gate_strategy_apply_stream(fx.s, fx.ds, &so, comp_counts, &err), APO_OK);
    size_t pp = gate_strategy_find(fx.s, "PP");
    cr_assert_neq(comp_counts[pp], counts[pp]);
    /* no strategy: only the blocks, with no membership */
    uint64_t seen = 0;
    gate_stream_options bare = GATE_STREAM_OPTIONS_INIT;
    bare.on_block = count_events;
    bare.ctx = &seen;
    cr_assert_eq(gate_strategy_apply_stream(NULL, fx.ds, &bare, NULL, &err), APO_OK);
    cr_assert_eq(seen, N_EVENTS);
    free(comp_counts);
    free(counts);
    fixture_free(&fx);
}

/* A population too small to show up in the subsample still gets its medians, over every one
 * of its events, instead of NaN. */
Test(gating_strategy_stream, small_population_medians_over_every_event)
{
    fixture fx;
    fixture_init(&fx);
    apo_error err;
    const gate_dim fsc = {.name = "FSC-A"};
    const double lo = 1000, hi = 1100; /* about 75 of 150001 events */
    cr_assert_eq(gate_strategy_add_rectangle(fx.s, "Tiny", NULL, 1, &fsc, &lo, &hi, &err),
                 APO_OK, "%s", err.msg);
    gate_result all, sub;
    gate_report all_rep, sub_rep, rep;
    uint64_t step = 0;
    in_memory(&fx, 0, NULL, false, &all, &all_rep, &step);
    in_memory(&fx, 1000, NULL, false, &sub, &sub_rep, &step);
    gate_stream_options so = GATE_STREAM_OPTIONS_INIT;
    so.sample_events = 1000;
    cr_assert_eq(gate_report_stream(fx.s, fx.ds, &so, &rep, &step, &err), APO_OK, "%s", err.msg);
    size_t t = SIZE_MAX;
    for (size_t i = 0; i < rep.n_populations; i++) {
        if (strcmp(rep.populations[i].path, "Tiny") == 0) {
            t = i;
        }
    }
    cr_assert_neq(t, SIZE_MAX);
    const gate_population *p = &rep.populations[t];
    cr_assert(p->count > 10 && p->count < 200, "%llu", (unsigned long long)p->count);
    cr_assert(exact_small(&rep, t, 1000));
    for (size_t k = 0; k < rep.n_dims; k++) {
        cr_assert(same_double(p->medians[k], all_rep.populations[t].medians[k]),
                  "median %zu: %g vs %g", k, p->medians[k], all_rep.populations[t].medians[k]);
    }
    cr_assert(isfinite(p->medians[0]) && p->medians[0] >= 1000 && p->medians[0] <= 1100);
    /* the subsample alone sees almost none of it */
    cr_assert_lt(sub_rep.populations[t].count, 5);
    gate_report_free(&rep);
    gate_report_free(&sub_rep);
    gate_report_free(&all_rep);
    gate_result_free(&sub);
    gate_result_free(&all);
    fixture_free(&fx);
}

/* Decoded events given with the options stream exactly like the data set they came from; events
 * of another shape are refused. */
Test(gating_strategy_stream, decoded_events_stream_like_the_data_set)
{
    fixture fx;
    fixture_init(&fx);
    apo_error err;
    const size_t ng = gate_strategy_n_gates(fx.s);
    uint64_t *a = calloc(ng, sizeof *a), *b = calloc(ng, sizeof *b);
    fcs_decode_options dec = {FCS_VALUES_SCALED, true, 0};
    fcs_events ev = {0, 0, NULL};
    cr_assert_eq(fcs_dataset_read_events(fx.ds, &dec, &ev, &err), APO_OK, "%s", err.msg);
    gate_stream_options so = GATE_STREAM_OPTIONS_INIT;
    cr_assert_eq(gate_strategy_apply_stream(fx.s, fx.ds, &so, a, &err), APO_OK, "%s", err.msg);
    so.events = &ev;
    cr_assert_eq(gate_strategy_apply_stream(fx.s, fx.ds, &so, b, &err), APO_OK, "%s", err.msg);
    uint64_t total = 0;
    for (size_t g = 0; g < ng; g++) {
        cr_assert_eq(a[g], b[g], "gate %zu", g);
        total += a[g];
    }
    cr_assert_gt(total, 0);
    fcs_events shorter = ev;
    shorter.n_events = ev.n_events - 1;
    so.events = &shorter;
    cr_assert_eq(gate_strategy_apply_stream(fx.s, fx.ds, &so, b, &err), APO_E_USAGE);
    cr_assert(strstr(err.msg, "decoded events") != NULL, "%s", err.msg);
    fcs_events_free(&ev);
    free(a);
    free(b);
    fixture_free(&fx);
}
