/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * channel_stats.c: the per-channel summary of every event of a data set (min, max and sum of
 * the finite values, NaN / Inf counts: `apoflow info --stats`), in rounds: while one
 * pool task adds the previous round's decoded blocks into the statistics (in file order, so
 * every sum is the same sequence of additions as a one-block-at-a-time loop), the other tasks
 * decode the next round's blocks. Two sets of ROUND_BLOCKS blocks of BLOCK_EVENTS events are
 * all the memory it needs. The adding is cheap because the channels' sums are independent
 * chains interleaved event by event (a NaN / Inf check per block first: a block with a
 * non-finite value in a channel takes the value-by-value path for that channel).
 */
#include "fcs/export.h"
#include "util/util.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_EVENTS 16384u
#define ROUND_BLOCKS 4u
#define MAX_FAST 64 /* channels added interleaved; more take the per-channel path */

typedef struct stats_run {
    const fcs_dataset *ds;
    size_t n_params;
    uint64_t n_events;
    fcs_channel_stats *st;
    double *buf[2][ROUND_BLOCKS];
    uint64_t first[2][ROUND_BLOCKS];
    size_t count[2][ROUND_BLOCKS]; /* 0 = empty slot */
    apo_status status[2][ROUND_BLOCKS];
    apo_error err[2][ROUND_BLOCKS];
    int decode_set; /* the set the round decodes into; the other one is added up */
} stats_run;

/* One channel, value by value (NaN / Inf counted). */
static void add_checked(fcs_channel_stats *s, const double *col, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        double v = col[i];
        if (isnan(v)) {
            s->n_nan++;
        } else if (isinf(v)) {
            s->n_inf++;
        } else {
            s->min = v < s->min ? v : s->min;
            s->max = v > s->max ? v : s->max;
            s->sum += v;
            s->n_finite++;
        }
    }
}

static bool all_finite(const double *col, size_t count)
{
    size_t bad = 0;
    for (size_t i = 0; i < count; i++) {
        bad += !(col[i] - col[i] == 0.0); /* NaN and +-Inf give NaN */
    }
    return bad == 0;
}

/* One decoded block (column-major, leading dimension BLOCK_EVENTS) into the statistics. */
static void add_block(fcs_channel_stats *st, size_t n_params, const double *buf, size_t count)
{
    size_t fast[MAX_FAST], nf = 0;
    for (size_t p = 0; p < n_params; p++) {
        const double *col = buf + p * (size_t)BLOCK_EVENTS;
        if (nf < MAX_FAST && all_finite(col, count)) {
            fast[nf++] = p;
        } else {
            add_checked(&st[p], col, count);
        }
    }
    double sum[MAX_FAST], mn[MAX_FAST], mx[MAX_FAST];
    for (size_t k = 0; k < nf; k++) {
        sum[k] = st[fast[k]].sum;
        mn[k] = st[fast[k]].min;
        mx[k] = st[fast[k]].max;
    }
    for (size_t i = 0; i < count; i++) { /* event by event: nf independent sums */
        for (size_t k = 0; k < nf; k++) {
            const double v = buf[fast[k] * (size_t)BLOCK_EVENTS + i];
            sum[k] += v;
            mn[k] = v < mn[k] ? v : mn[k];
            mx[k] = v > mx[k] ? v : mx[k];
        }
    }
    for (size_t k = 0; k < nf; k++) {
        fcs_channel_stats *s = &st[fast[k]];
        s->sum = sum[k];
        s->min = mn[k];
        s->max = mx[k];
        s->n_finite += count;
    }
}

/* Task 0 adds the other set's blocks in order; task j > 0 decodes block j - 1 of the round. */
static void round_task(void *ctx, size_t i)
{
    stats_run *r = ctx;
    if (i == 0) {
        const int set = 1 - r->decode_set;
        for (size_t b = 0; b < ROUND_BLOCKS && r->count[set][b] > 0; b++) {
            if (r->status[set][b] == APO_OK) {
                add_block(r->st, r->n_params, r->buf[set][b], r->count[set][b]);
            }
        }
        return;
    }
    const int set = r->decode_set;
    const size_t b = i - 1;
    if (r->count[set][b] == 0) {
        return;
    }
    fcs_decode_options dopt = FCS_DECODE_OPTIONS_INIT;
    dopt.threads = 1; /* the parallelism is the pool's */
    r->status[set][b] = fcs_dataset_decode_f64(r->ds, r->first[set][b], r->count[set][b], &dopt,
                                               r->buf[set][b], BLOCK_EVENTS, &r->err[set][b]);
    /* The block is decoded: its mapped DATA pages need not stay resident. */
    fcs_dataset_drop_pages(r->ds, r->first[set][b], r->count[set][b]);
}

/* The first failed block of set @p set, in file order; APO_OK if none. */
static apo_status first_error(const stats_run *r, int set, apo_error *err)
{
    for (size_t b = 0; b < ROUND_BLOCKS && r->count[set][b] > 0; b++) {
        if (r->status[set][b] != APO_OK) {
            if (err != NULL) {
                *err = r->err[set][b];
            }
            return r->status[set][b];
        }
    }
    return APO_OK;
}

apo_status fcs_dataset_channel_stats(const fcs_dataset *ds, unsigned jobs, fcs_channel_stats *st,
                                     apo_error *err)
{
    jobs = jobs == 0 ? 1 : jobs; /* a library starts no threads the caller did not give it */
    stats_run r = {.ds = ds, .n_params = fcs_dataset_n_params(ds),
                   .n_events = fcs_dataset_n_events(ds), .st = st};
    for (size_t p = 0; p < r.n_params; p++) {
        st[p] = (fcs_channel_stats){INFINITY, -INFINITY, 0.0, 0, 0, 0};
    }
    if (r.n_params == 0 || r.n_events == 0) {
        return APO_OK;
    }
    apo_status rc = APO_OK;
    for (int s = 0; s < 2; s++) {
        for (size_t b = 0; b < ROUND_BLOCKS; b++) {
            r.buf[s][b] = malloc((size_t)BLOCK_EVENTS * r.n_params * sizeof(double));
            if (r.buf[s][b] == NULL) {
                rc = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
            }
        }
    }
    uint64_t next = 0;
    /* rounds: decode into one set while the other (the round before) is added up; the last
     * round decodes nothing and only adds */
    for (bool more = true; rc == APO_OK && more;) {
        const int set = r.decode_set;
        for (size_t b = 0; b < ROUND_BLOCKS; b++) {
            const uint64_t left = r.n_events - next;
            r.first[set][b] = next;
            r.count[set][b] = left < BLOCK_EVENTS ? (size_t)left : BLOCK_EVENTS;
            r.status[set][b] = APO_OK;
            next += r.count[set][b];
        }
        apo_pool_run(1 + ROUND_BLOCKS, jobs, round_task, NULL, &r);
        rc = first_error(&r, 1 - set, err); /* the set just added */
        if (rc == APO_OK) {
            rc = first_error(&r, set, err);
        }
        more = r.count[set][0] > 0;
        for (size_t b = 0; b < ROUND_BLOCKS; b++) {
            r.count[1 - set][b] = 0; /* added: empty */
        }
        r.decode_set = 1 - set;
    }
    for (int s = 0; s < 2; s++) {
        for (size_t b = 0; b < ROUND_BLOCKS; b++) {
            free(r.buf[s][b]);
        }
    }
    return rc;
}
