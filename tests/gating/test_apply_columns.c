/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_apply_columns.c: the channels a strategy reads (gate_strategy_columns), the gating
 * with dimension values (gate_strategy_apply_dims), the same in runs on threads
 * (gate_strategy_apply_dims_threads), and the stream that decodes only the channels read and
 * hands over the dimension values (strategy_columns_only, on_block_dims): every membership,
 * count and value bit for bit equal to gate_strategy_apply and gate_dim_values on every event.
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

TestSuite(gating_apply_columns, .init = setup_gsl);

#define N_EVENTS 300001u /* four runs of at least a block, five stream blocks (last partial) */
#define N_PARAMS 6

typedef struct fixture {
    uint8_t *bytes;
    size_t len;
    fcs_file *file;
    const fcs_dataset *ds;
    fcs_events ev; /* every event, decoded as gates expect */
    gate_data d;
} fixture;

static double next_uniform(uint64_t *state)
{
    *state = *state * 6364136223846793005u + 1442695040888963407u;
    return (double)(*state >> 11) / 9007199254740992.0;
}

/* FSC, SSC, three fluorescence channels under a 3 x 3 $SPILLOVER, and Time. */
static void fixture_init(fixture *fx)
{
    memset(fx, 0, sizeof(*fx));
    double *v = malloc((size_t)N_EVENTS * N_PARAMS * sizeof(double));
    cr_assert_not_null(v);
    uint64_t state = 7;
    for (size_t e = 0; e < N_EVENTS; e++) {
        v[e] = 1000 + 200000 * next_uniform(&state);
        v[N_EVENTS + e] = 500 + 150000 * next_uniform(&state);
        for (size_t p = 2; p < 5; p++) {
            const double u = next_uniform(&state);
            v[p * N_EVENTS + e] = -300 + (u < 0.5 ? 400 : 30000) * next_uniform(&state);
        }
        v[5 * N_EVENTS + e] = (double)e * 0.01;
    }
    const fcs_write_param params[N_PARAMS] = {
        {"FSC-A", NULL, 262144}, {"SSC-A", NULL, 262144}, {"FL1-A", NULL, 262144},
        {"FL2-A", NULL, 262144}, {"FL3-A", NULL, 262144}, {"Time", NULL, 262144}};
    const fcs_write_keyword kw[1] = {
        {"$SPILLOVER", "3,FL1-A,FL2-A,FL3-A,1,0.12,0.02,0.05,1,0.1,0.01,0.03,1"}};
    const fcs_write_spec spec = {N_PARAMS, params, N_EVENTS, v, 1, kw};
    apo_error err;
    cr_assert_eq(fcs_write_buffer(&fx->bytes, &fx->len, &spec, &err), APO_OK, "%s", err.msg);
    free(v);
    const fcs_read_options ro = FCS_READ_OPTIONS_INIT;
    cr_assert_eq(fcs_file_open_buffer(&fx->file, fx->bytes, fx->len, "cols.fcs", &ro, &err),
                 APO_OK, "%s", err.msg);
    fx->ds = fcs_file_dataset(fx->file, 0);
    const fcs_decode_options dec = {FCS_VALUES_SCALED, true, 0};
    cr_assert_eq(fcs_dataset_read_events(fx->ds, &dec, &fx->ev, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(gate_data_init(&fx->d, fx->ds, &fx->ev, &err), APO_OK, "%s", err.msg);
}

static void fixture_free(fixture *fx)
{
    gate_data_free(&fx->d);
    fcs_events_free(&fx->ev);
    fcs_file_free(fx->file);
    free(fx->bytes);
}

static const gate_dim FL_COMP[2] = {
    {.name = "FL1-A", .comp_ref = GATE_COMP_FCS, .transform_ref = "lg"},
    {.name = "FL2-A", .comp_ref = GATE_COMP_FCS, .transform_ref = "lg"}};
static const gate_dim FL_RAW[2] = {{.name = "FL1-A", .transform_ref = "lg"},
                                   {.name = "FL2-A", .transform_ref = "lg"}};

/* Cells (rectangle on scatter), quadrants on FL1/FL2 on a logicle scale (compensated by the
 * file's matrix or not) whose limits are computed transforms of two events (the hardest case
 * for a limit tested on raw values), and a polygon on the raw scatter under Cells. */
static gate_strategy *strategy(const fixture *fx, bool comp)
{
    gate_strategy *s = NULL;
    apo_error err;
    cr_assert_eq(gate_strategy_new(&s, &err), APO_OK);
    gate_transform lg;
    cr_assert_eq(gate_transform_init_logicle(&lg, 262144.0, 0.5, 4.5, 0.0, &err), APO_OK);
    cr_assert_eq(gate_strategy_add_transform(s, "lg", &lg, &err), APO_OK, "%s", err.msg);
    const gate_dim scatter[2] = {{.name = "FSC-A"}, {.name = "SSC-A"}};
    const double lo[2] = {20000, 10000}, hi[2] = {180000, 140000};
    cr_assert_eq(gate_strategy_add_rectangle(s, "Cells", NULL, 2, scatter, lo, hi, &err),
                 APO_OK, "%s", err.msg);
    const gate_dim *fl = comp ? FL_COMP : FL_RAW;
    double *t = malloc((size_t)N_EVENTS * sizeof *t);
    cr_assert_not_null(t);
    double lim[2];
    for (int k = 0; k < 2; k++) {
        cr_assert_eq(gate_dim_values(s, &fx->d, &fl[k], true, t, &err), APO_OK, "%s", err.msg);
        lim[k] = t[k == 0 ? 123457 : 222223];
    }
    free(t);
    const char *q[4] = {"NN", "PN", "PP", "NP"};
    cr_assert_eq(gate_strategy_add_quadrants_2d(s, "Q", "Cells", fl, lim[0], lim[1], q, &err),
                 APO_OK, "%s", err.msg);
    const double tri[6] = {20000, 10000, 180000, 10000, 20000, 140000};
    cr_assert_eq(gate_strategy_add_polygon(s, "Low", "Cells", scatter, 3, tri, &err), APO_OK,
                 "%s", err.msg);
    return s;
}

static void expect_same_result(const gate_result *a, const gate_result *b, const char *what)
{
    cr_assert_eq(a->n_gates, b->n_gates, "%s", what);
    cr_assert_eq(a->n_events, b->n_events, "%s", what);
    for (size_t g = 0; g < a->n_gates; g++) {
        cr_assert_eq(a->count[g], b->count[g], "%s: gate %zu", what, g);
        cr_assert_eq(memcmp(gate_result_membership(a, g), gate_result_membership(b, g),
                            a->n_events),
                     0, "%s: membership of gate %zu", what, g);
    }
}

/* Compensation reads every detector of the matrix; the channels no gate reads are not set. */
Test(gating_apply_columns, the_channels_a_strategy_reads)
{
    fixture fx;
    fixture_init(&fx);
    apo_error err;
    for (int comp = 0; comp < 2; comp++) {
        gate_strategy *s = strategy(&fx, comp);
        bool used[N_PARAMS];
        cr_assert_eq(gate_strategy_columns(s, &fx.d, used, &err), APO_OK, "%s", err.msg);
        const bool want[N_PARAMS] = {true, true, true, true, comp != 0, false};
        for (size_t p = 0; p < N_PARAMS; p++) {
            cr_assert_eq(used[p], want[p], "comp %d channel %zu", comp, p);
        }
        gate_strategy_free(s);
    }
    /* a channel missing from the data is the error gate_strategy_apply gives */
    gate_strategy *s = NULL;
    cr_assert_eq(gate_strategy_new(&s, &err), APO_OK);
    const gate_dim nope[1] = {{.name = "APC-A"}};
    const double lo[1] = {0}, hi[1] = {1};
    cr_assert_eq(gate_strategy_add_rectangle(s, "R", NULL, 1, nope, lo, hi, &err), APO_OK);
    bool used[N_PARAMS];
    cr_assert_eq(gate_strategy_columns(s, &fx.d, used, &err), APO_E_USAGE);
    cr_assert(strstr(err.msg, "APC-A") != NULL, "%s", err.msg);
    gate_strategy_free(s);
    fixture_free(&fx);
}

/* The gating with values, whole or in runs on 1, 2, 3 and 8 threads, equals the plain
 * gating and gate_dim_values on every event, bit for bit. */
Test(gating_apply_columns, gating_with_values_whole_and_in_runs)
{
    fixture fx;
    fixture_init(&fx);
    apo_error err;
    for (int comp = 0; comp < 2; comp++) {
        gate_strategy *s = strategy(&fx, comp);
        const gate_dim *fl = comp ? FL_COMP : FL_RAW;
        gate_result want;
        cr_assert_eq(gate_strategy_apply(s, &fx.d, &want, &err), APO_OK, "%s", err.msg);
        cr_assert_gt(want.count[gate_strategy_find(s, "PP")], 0);
        double *wv[2], *got[2];
        for (int k = 0; k < 2; k++) {
            wv[k] = malloc((size_t)N_EVENTS * sizeof(double));
            got[k] = malloc((size_t)N_EVENTS * sizeof(double));
            cr_assert(wv[k] != NULL && got[k] != NULL);
            cr_assert_eq(gate_dim_values(s, &fx.d, &fl[k], false, wv[k], &err), APO_OK);
        }
        const unsigned threads[] = {0, 1, 2, 3, 8}; /* 0: gate_strategy_apply_dims itself */
        for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
            gate_result r;
            for (int k = 0; k < 2; k++) {
                memset(got[k], 0, (size_t)N_EVENTS * sizeof(double));
            }
            const apo_status st =
                threads[t] == 0
                    ? gate_strategy_apply_dims(s, &fx.d, 2, fl, got, &r, &err)
                    : gate_strategy_apply_dims_threads(s, &fx.d, 2, fl, got, threads[t], &r,
                                                       &err);
            cr_assert_eq(st, APO_OK, "%s", err.msg);
            char what[64];
            snprintf(what, sizeof what, "comp %d threads %u", comp, threads[t]);
            expect_same_result(&want, &r, what);
            for (int k = 0; k < 2; k++) {
                cr_assert_eq(memcmp(got[k], wv[k], (size_t)N_EVENTS * sizeof(double)), 0,
                             "%s: values of dimension %d", what, k);
            }
            gate_result_free(&r);
        }
        for (int k = 0; k < 2; k++) {
            free(wv[k]);
            free(got[k]);
        }
        gate_result_free(&want);
        gate_strategy_free(s);
    }
    fixture_free(&fx);
}

/* What the stream's blocks are checked against: the whole data set's gating and values. */
typedef struct stream_check {
    const fixture *fx;
    const gate_strategy *s;
    const gate_result *all;
    const double *const *values; /* the whole data set's, per dimension */
    const bool *used;
    uint64_t next;
    size_t blocks;
    size_t mismatches;
} stream_check;

static apo_status check_dims_block(void *ctx, const gate_data *block, const gate_result *r,
                                   const double *const *dim_values, uint64_t first,
                                   apo_error *err)
{
    (void)err;
    stream_check *c = ctx;
    const size_t n = block->n_events, ne = c->fx->d.n_events;
    c->mismatches += first != c->next;
    for (size_t g = 0; g < r->n_gates; g++) {
        c->mismatches += memcmp(gate_result_membership(r, g),
                                gate_result_membership(c->all, g) + first, n) != 0;
    }
    for (int k = 0; k < 2; k++) {
        c->mismatches += memcmp(dim_values[k], c->values[k] + first, n * sizeof(double)) != 0;
    }
    for (size_t p = 0; p < block->n_params; p++) { /* read channels decoded, the others 0 */
        for (size_t e = 0; e < n; e++) {
            const double want = c->used[p] ? c->fx->d.values[p * ne + first + e] : 0.0;
            c->mismatches += block->values[p * n + e] != want;
        }
    }
    c->next += n;
    c->blocks++;
    return APO_OK;
}

/* Streamed with the read channels only and the values handed over, decoded from the data set
 * or copied from decoded events, on 1, 2 and 3 threads: the whole data set's memberships,
 * counts and values, block by block in order. */
Test(gating_apply_columns, stream_of_the_read_channels_with_values)
{
    fixture fx;
    fixture_init(&fx);
    apo_error err;
    gate_strategy *s = strategy(&fx, true);
    gate_result all;
    cr_assert_eq(gate_strategy_apply(s, &fx.d, &all, &err), APO_OK, "%s", err.msg);
    double *vals[2];
    for (int k = 0; k < 2; k++) {
        vals[k] = malloc((size_t)N_EVENTS * sizeof(double));
        cr_assert_not_null(vals[k]);
        cr_assert_eq(gate_dim_values(s, &fx.d, &FL_COMP[k], false, vals[k], &err), APO_OK);
    }
    bool used[N_PARAMS];
    cr_assert_eq(gate_strategy_columns(s, &fx.d, used, &err), APO_OK);
    const size_t ng = gate_strategy_n_gates(s);
    uint64_t *counts = calloc(ng, sizeof *counts);
    cr_assert_not_null(counts);
    const unsigned threads[] = {1, 2, 3};
    for (int copied = 0; copied < 2; copied++) {
        for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
            stream_check c = {&fx, s, &all, (const double *const *)vals, used, 0, 0, 0};
            gate_stream_options so = GATE_STREAM_OPTIONS_INIT;
            so.threads = threads[t];
            so.strategy_columns_only = true;
            so.n_dims = 2;
            so.dims = FL_COMP;
            so.on_block_dims = check_dims_block;
            so.ctx = &c;
            so.events = copied ? &fx.ev : NULL;
            cr_assert_eq(gate_strategy_apply_stream(s, fx.ds, &so, counts, &err), APO_OK, "%s",
                         err.msg);
            cr_assert_eq(c.next, N_EVENTS);
            cr_assert_eq(c.blocks, 5);
            cr_assert_eq(c.mismatches, 0, "copied %d threads %u", copied, threads[t]);
            for (size_t g = 0; g < ng; g++) {
                cr_assert_eq(counts[g], all.count[g], "threads %u gate %zu", threads[t], g);
            }
        }
    }
    free(counts);
    for (int k = 0; k < 2; k++) {
        free(vals[k]);
    }
    gate_result_free(&all);
    gate_strategy_free(s);
    fixture_free(&fx);
}
