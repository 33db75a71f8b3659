/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * apoptosis_stats.c: the statistics step of assay_analyze (apoptosis.c, step 5), one sample per
 * task: exact counts over every event (streamed in blocks for a file larger than its
 * subsample, the small quadrants' values collected on the way), the quadrants' medians, the
 * sample's own Annexin V valley and the lines' depths from its subsample (beside the stream
 * for a large file), the flow check and QC flags, and the hand-over of its plot events
 * (docs/algorithms.md, "Which events each number uses").
 */
#include "density.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Stream options for sample @p in: its decoded events when it has them, else its data set
 * decoded block by block (scale values with gain, one thread: samples run in parallel). */
static gate_stream_options input_stream(const assay_input *in)
{
    gate_stream_options so = GATE_STREAM_OPTIONS_INIT;
    so.decode.threads = 1;
    so.events = in->ev;
    return so;
}

/* Collecting the compensated AnnV/PI values of the quadrants while the counts stream: each
 * quadrant's values until it has more than the budget (then it cannot be one of the small
 * quadrants whose medians use every event, gate_pick_small, and its values are dropped). */
typedef struct quadrant_values {
    size_t gate[ASSAY_Q_COUNT];
    size_t budget;            /* values kept per quadrant at most */
    size_t alloc[ASSAY_Q_COUNT], filled[ASSAY_Q_COUNT];
    bool over[ASSAY_Q_COUNT];
    double *vals[ASSAY_Q_COUNT][2];
} quadrant_values;

static void quadrant_values_free(quadrant_values *x)
{
    for (size_t k = 0; k < ASSAY_Q_COUNT; k++) {
        free(x->vals[k][0]);
        free(x->vals[k][1]);
    }
}

/* Room for @p need values of quadrant k (need <= budget); false when out of memory. */
static bool quadrant_room(quadrant_values *x, size_t k, size_t need)
{
    if (need <= x->alloc[k]) {
        return true;
    }
    size_t cap = x->alloc[k] ? 2 * x->alloc[k] : 4096;
    cap = cap < need ? need : cap;
    cap = cap > x->budget ? x->budget : cap;
    for (int j = 0; j < 2; j++) {
        double *v = realloc(x->vals[k][j], cap * sizeof(double));
        if (v == NULL) {
            return false;
        }
        x->vals[k][j] = v;
    }
    x->alloc[k] = cap;
    return true;
}

/* The quadrants kept are the small ones, so their rows are mostly zeros: 8 events at a time
 * are passed over while all 8 are zero (the same members in the same order). */
size_t assay_gather_members(const uint8_t *m, size_t n, const double *const *dim_values,
                             size_t want, double *va, double *vp)
{
    size_t f = 0;
    for (size_t e = 0; e < n && f < want;) {
        uint64_t w = 1;
        if (n - e >= 8) {
            memcpy(&w, m + e, sizeof w);
        }
        if (w == 0) {
            e += 8;
            continue;
        }
        const size_t end = n - e >= 8 ? e + 8 : n;
        for (; e < end && f < want; e++) {
            if (m[e]) {
                va[f] = dim_values[0][e];
                vp[f] = dim_values[1][e];
                f++;
            }
        }
    }
    return f;
}

/* One streamed block: the quadrants' counts come with its gating (r->count), their AnnV/PI
 * values (dim_values, compensated with the gating, on the block's thread) are kept while a
 * quadrant stays within the budget. */
static apo_status collect_quadrants(void *arg, const gate_data *d, const gate_result *r,
                                    const double *const *dim_values, uint64_t first,
                                    apo_error *err)
{
    (void)first;
    quadrant_values *x = arg;
    size_t in[ASSAY_Q_COUNT] = {0};
    for (size_t k = 0; k < ASSAY_Q_COUNT; k++) {
        if (x->over[k]) {
            continue;
        }
        in[k] = (size_t)r->count[x->gate[k]]; /* the members of its row in this block */
        if (x->filled[k] + in[k] > x->budget) { /* too many: drop it */
            x->over[k] = true;
            free(x->vals[k][0]);
            free(x->vals[k][1]);
            x->vals[k][0] = x->vals[k][1] = NULL;
        }
    }
    for (size_t k = 0; k < ASSAY_Q_COUNT; k++) {
        if (x->over[k] || in[k] == 0) {
            continue;
        }
        if (!quadrant_room(x, k, x->filled[k] + in[k])) {
            return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
        }
        const uint8_t *m = gate_result_membership(r, x->gate[k]);
        double *va = x->vals[k][0] + x->filled[k], *vp = x->vals[k][1] + x->filled[k];
        x->filled[k] += assay_gather_members(m, d->n_events, dim_values, in[k], va, vp);
    }
    return APO_OK;
}

/*
 * Counts over every event, streamed block by block, and in the same pass the values of the
 * quadrants small enough to hold: afterwards the quadrants gate_pick_small chooses (at most
 * @p budget events in all, smallest first) get medians over every one of their events, so a
 * rare quadrant that the estimation subsample nearly misses still gets exact medians. (The
 * values are those a second pass over the chosen quadrants would collect, in the same order.)
 */
static apo_status stream_counts_and_small_medians(const gate_strategy *s, const assay_input *in,
                                                  const size_t q_idx[ASSAY_Q_COUNT],
                                                  const gate_dim dims[2], const assay_options *opt,
                                                  uint64_t *cnt, double med_a[ASSAY_Q_COUNT],
                                                  double med_p[ASSAY_Q_COUNT],
                                                  bool got[ASSAY_Q_COUNT], apo_error *err)
{
    const uint64_t budget = opt->sample_events;
    quadrant_values x;
    memset(&x, 0, sizeof x);
    x.budget = budget > SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)budget;
    for (size_t k = 0; k < ASSAY_Q_COUNT; k++) {
        x.gate[k] = q_idx[k];
    }
    gate_stream_options so = input_stream(in);
    so.n_dims = 2; /* AnnV, PI: computed with each block's gating */
    so.dims = dims;
    so.on_block_dims = collect_quadrants;
    so.ctx = &x;
    so.threads = opt->block_threads; /* blocks side by side, taken in file order */
    so.strategy_columns_only = true; /* collect_quadrants reads the quadrants' dims only */
    apo_status st = gate_strategy_apply_stream(s, in->ds, &so, cnt, err);
    if (st == APO_OK) {
        uint64_t qcount[ASSAY_Q_COUNT];
        size_t pick[ASSAY_Q_COUNT];
        for (size_t k = 0; k < ASSAY_Q_COUNT; k++) {
            qcount[k] = cnt[q_idx[k]];
        }
        const size_t np = gate_pick_small(qcount, ASSAY_Q_COUNT, budget, pick);
        for (size_t j = 0; j < np; j++) {
            const size_t k = pick[j];
            if (x.over[k] || x.filled[k] != qcount[k]) { /* cannot happen: count <= budget */
                st = apo_error_set(err, APO_E_RANGE, in->file, APO_NO_OFFSET, NULL,
                                   "expected %llu values of a small quadrant, found %zu",
                                   (unsigned long long)qcount[k], x.filled[k]);
                break;
            }
            med_a[k] = assay_median_of(x.vals[k][0], x.filled[k]);
            med_p[k] = assay_median_of(x.vals[k][1], x.filled[k]);
            got[k] = true;
        }
    }
    quadrant_values_free(&x);
    return st;
}

static void sample_qc(const assay_input *in, const assay_sample_state *c, const assay_options *opt,
                      bool singlet_gate, const double *time, size_t n_time, assay_sample *s)
{
    char *d = s->qc_detail;
    size_t cap = sizeof s->qc_detail, len = strlen(d);
#define QC_NOTE(...)                                                                           \
    do {                                                                                       \
        int w_ = snprintf(d + len, cap - len, "%s", len ? "; " : "");                          \
        if (w_ >= 0 && (size_t)w_ < cap - len) {                                              \
            len += (size_t)w_;                                                                 \
            w_ = snprintf(d + len, cap - len, __VA_ARGS__);                                    \
            if (w_ > 0 && (size_t)w_ < cap - len) {                                            \
                len += (size_t)w_;                                                             \
            }                                                                                  \
        }                                                                                      \
    } while (0)
    if (s->singlets < opt->min_events) {
        s->qc |= ASSAY_QC_LOW_EVENTS;
        QC_NOTE("%llu singlets < %llu", (unsigned long long)s->singlets,
                (unsigned long long)opt->min_events);
    }
    double annpos = s->pct[ASSAY_Q_EARLY] + s->pct[ASSAY_Q_LATE];
    double pipos = s->pct[ASSAY_Q_LATE] + s->pct[ASSAY_Q_NECROTIC];
    switch (in->role) {
    case ASSAY_ROLE_UNSTAINED:
        if (annpos > 5 || pipos > 5) {
            s->qc |= ASSAY_QC_CONTROL_IMPLAUSIBLE;
            QC_NOTE("unstained control %.1f%% AnnV+, %.1f%% PI+ (expected < 5%%)", annpos, pipos);
        }
        break;
    case ASSAY_ROLE_ANNEXIN_SINGLE:
        if (annpos < 5 || pipos > 5) {
            s->qc |= ASSAY_QC_CONTROL_IMPLAUSIBLE;
            QC_NOTE("AnnV-only control %.1f%% AnnV+ (expected >= 5%%), %.1f%% PI+ (expected < 5%%)",
                    annpos, pipos);
        }
        break;
    case ASSAY_ROLE_PI_SINGLE:
        if (pipos < 5 || annpos > 5) {
            s->qc |= ASSAY_QC_CONTROL_IMPLAUSIBLE;
            QC_NOTE("PI-only control %.1f%% PI+ (expected >= 5%%), %.1f%% AnnV+ (expected < 5%%)",
                    pipos, annpos);
        }
        break;
    default:
        break;
    }
    if (!singlet_gate) {
        s->qc |= ASSAY_QC_NO_SINGLET_GATE;
    } else if (s->cells > 0 && (double)(s->cells - s->singlets) >
                                   ASSAY_SINGLET_PLAUSIBLE_LOSS * (double)s->cells) {
        s->qc |= ASSAY_QC_SINGLET_REMOVED_MANY;
        QC_NOTE("the singlet gate removed %.1f%% of the cells (plausible: <= %.0f%%)",
                100.0 * (double)(s->cells - s->singlets) / (double)s->cells,
                100.0 * ASSAY_SINGLET_PLAUSIBLE_LOSS);
    }
    if (c->ch.time == SIZE_MAX || time == NULL) {
        s->qc |= ASSAY_QC_NO_TIME;
        s->flow_max_dev = NAN;
    } else {
        s->flow_max_dev = qc_flow_deviation(time, n_time);
        if (isfinite(s->flow_max_dev) && s->flow_max_dev > ASSAY_FLOW_MAX_DEVIATION) {
            s->qc |= ASSAY_QC_FLOW_INSTABILITY;
            QC_NOTE("event rate over Time deviates up to %.0f%% from its median",
                    100 * s->flow_max_dev);
        }
    }
#undef QC_NOTE
}

/* Values per task when a long column of scale values is spread over the block threads. */
#define APO_SCALE_CHUNK ((size_t)65536)

/* Scale values of the parent's events of both dimensions: chunk i of dimension k. */
typedef struct scale_job {
    const gate_transform *t[2];
    double *v[2];
    size_t m[2];
    size_t chunks[2];
} scale_job;

static void scale_chunk(void *arg, size_t i)
{
    const scale_job *j = arg;
    const int k = i < j->chunks[0] ? 0 : 1;
    const size_t c = k == 0 ? i : i - j->chunks[0];
    const size_t lo = c * APO_SCALE_CHUNK;
    const size_t n = j->m[k] - lo < APO_SCALE_CHUNK ? j->m[k] - lo : APO_SCALE_CHUNK;
    /* each value is computed alone, so chunks change nothing */
    gate_transform_apply_array(j->t[k], j->v[k] + lo, j->v[k] + lo, n);
}

/* assay_masked without branches: every value is written, the count moves on where the mask
 * (NULL: every event) is set; the same values in the same order. */
static size_t masked_copy(const double *x, const uint8_t *mask, size_t n, double *out)
{
    if (mask == NULL) {
        memcpy(out, x, n * sizeof *out);
        return n;
    }
    size_t m = 0;
    for (size_t e = 0; e < n; e++) {
        out[m] = x[e];
        m += mask[e] != 0;
    }
    return m;
}

/* The scale values of dimensions @p dims (raw values raw[k] of the sample's ne events) at the
 * events where @p mask is set, into out[k][0..m[k]): each value transformed exactly as in the
 * whole column (gate_dim_values with transformed = true),
 * the events outside the mask not transformed at all. When a column is longer than a chunk
 * (a large file's subsample), the chunks are transformed on up to @p threads threads
 * (apo_pool_run): the same values. */
static apo_status masked_scaled(const gate_strategy *s, const gate_dim dims[2],
                                double *const raw[2], const uint8_t *mask, size_t ne,
                                unsigned threads, double *const out[2], size_t m[2],
                                apo_error *err)
{
    scale_job j;
    memset(&j, 0, sizeof j);
    for (int k = 0; k < 2; k++) {
        m[k] = masked_copy(raw[k], mask, ne, out[k]);
        if (dims[k].transform_ref == NULL) {
            continue;
        }
        j.t[k] = gate_strategy_transform(s, dims[k].transform_ref);
        if (j.t[k] == NULL) {
            return apo_error_set(err, APO_E_FORMAT, NULL, APO_NO_OFFSET, dims[k].transform_ref,
                                 "expected a defined transformation, found none with this id");
        }
        j.v[k] = out[k];
        j.m[k] = m[k];
        j.chunks[k] = (m[k] + APO_SCALE_CHUNK - 1) / APO_SCALE_CHUNK;
    }
    const size_t n = j.chunks[0] + j.chunks[1];
    if (threads > 1 && (j.chunks[0] > 1 || j.chunks[1] > 1)) { /* a long column only */
        apo_pool_run(n, threads, scale_chunk, NULL, &j);
    } else {
        for (size_t i = 0; i < n; i++) {
            scale_chunk(&j, i);
        }
    }
    return APO_OK;
}

/* The median of x's values where mem is set (assay_median_of of their copy): selected
 * straight from x (gate_median_masked), else, for a zero, NaN or no value, copied into
 * @p tmp first as before (the same value either way: gate_median's). */
static double masked_median(const double *x, const uint8_t *mem, size_t ne, double *tmp)
{
    double med;
    if (gate_median_masked(x, mem, ne, &med)) {
        return med;
    }
    return assay_median_of(tmp, assay_masked(x, mem, ne, tmp));
}

/* The statistics of one sample that need its estimation subsample only: its final gating
 * (with the compensated AnnV/PI values), the medians of its quadrants there, its own AnnV
 * valley and the two lines' depths on its density. */
typedef struct sub_stats {
    const gate_strategy *s;
    const gate_dim *dims;      /* [2] */
    assay_loaded *l;                 /* the subsample; l->parent is set here */
    size_t parent_idx;
    gate_result *res;          /* the final gating of the subsample, made here */
    const size_t *q_idx;       /* [ASSAY_Q_COUNT] */
    size_t ne;
    unsigned threads;          /* for the gating and the scale values of long columns */
    const double *line;        /* [2], on the display scale */
    bool valley;               /* the own valley is wanted (stained with AnnV) */
    double *ann, *pi;          /* compensated values of the subsample */
    double *ann_t, *pi_t, *tmp; /* scratch of ne values each */
    double med_a[ASSAY_Q_COUNT], med_p[ASSAY_Q_COUNT], valley_at, depth[2];
    apo_status st;
    apo_error err;
} sub_stats;

static void sub_stats_run(sub_stats *j)
{
    double *const raw[2] = {j->ann, j->pi}, *const scaled[2] = {j->ann_t, j->pi_t};
    /* the gating and the AnnV/PI values compensated once, together */
    j->st = gate_strategy_apply_dims_threads(j->s, &j->l->data, 2, j->dims, raw, j->threads,
                                             j->res, &j->err);
    if (j->st == APO_OK) {
        j->st = assay_loaded_parent(j->l, j->res, j->parent_idx, &j->err);
    }
    size_t n_t[2] = {0, 0}; /* the parent's scale values in ann_t, pi_t */
    if (j->st == APO_OK) {
        j->st = masked_scaled(j->s, j->dims, raw, j->l->parent, j->ne, j->threads, scaled, n_t,
                              &j->err);
    }
    if (j->st != APO_OK) {
        return;
    }
    /* the quadrants' medians: every quadrant's values gathered in one pass (one selection
     * each); a quadrant with a zero or NaN value, or quadrants sharing an event, as before */
    const uint8_t *mem[ASSAY_Q_COUNT];
    for (int q = 0; q < ASSAY_Q_COUNT; q++) {
        mem[q] = gate_result_membership(j->res, j->q_idx[q]);
    }
    const double *const cols[2] = {j->ann, j->pi};
    double med[2 * ASSAY_Q_COUNT];
    bool ok[ASSAY_Q_COUNT];
    gate_medians_masked(cols, 2, mem, ASSAY_Q_COUNT, j->ne, med, ok);
    for (int q = 0; q < ASSAY_Q_COUNT; q++) {
        j->med_a[q] = ok[q] ? med[2 * q] : masked_median(j->ann, mem[q], j->ne, j->tmp);
        j->med_p[q] = ok[q] ? med[2 * q + 1] : masked_median(j->pi, mem[q], j->ne, j->tmp);
    }
    /* the sample's own AnnV valley, for the threshold-outlier QC, and each line's valley
     * depth on the sample's own density: the AnnV values' extremes, SDs and quartiles found
     * once for both (assay_values: the same numbers each would find alone) */
    j->valley_at = j->depth[0] = j->depth[1] = NAN;
    assay_values v;
    for (int k = 0; k < 2; k++) {
        const bool valley = k == 0 && j->valley;
        if ((!valley && !isfinite(j->line[k])) || !assay_values_init(&v, scaled[k], n_t[k])) {
            continue;
        }
        if (valley) {
            j->valley_at = assay_density_valley_values(&v, -INFINITY, INFINITY);
        }
        j->depth[k] = assay_line_depth_values(&v, j->line[k]);
        assay_values_free(&v);
    }
}

/* The exact counts of a large file (streamed) and the medians of its small quadrants. */
typedef struct count_stats {
    const gate_strategy *s;
    const assay_input *in;
    const size_t *q_idx;
    const gate_dim *dims;
    const assay_options *opt;
    uint64_t *cnt;
    double small_a[ASSAY_Q_COUNT], small_p[ASSAY_Q_COUNT];
    bool small[ASSAY_Q_COUNT];
    apo_status st;
    apo_error err;
} count_stats;

static void count_stats_run(count_stats *j)
{
    j->st = stream_counts_and_small_medians(j->s, j->in, j->q_idx, j->dims, j->opt, j->cnt,
                                            j->small_a, j->small_p, j->small, &j->err);
}

typedef struct both_stats {
    count_stats *count;
    sub_stats *sub;
} both_stats;

static void both_stats_task(void *arg, size_t i)
{
    const both_stats *b = arg;
    if (i == 0) {
        count_stats_run(b->count);
    } else {
        sub_stats_run(b->sub);
    }
}

/*
 * The subsample's statistics and the exact counts: for a file within its subsample, its
 * gating's counts; for a larger file, the counts streamed over every event, side by side with
 * the subsample's part on the block threads when there are two or more (neither reads what
 * the other writes, so each result is the one computed alone), else one after the other. The
 * subsample's error comes first, as when it was computed first.
 */
static apo_status subsample_and_counts(sub_stats *sub, count_stats *count, uint64_t step,
                                       unsigned threads, apo_error *err)
{
    count->st = APO_OK;
    if (step == 1) {
        sub_stats_run(sub);
        if (sub->st == APO_OK) {
            memcpy(count->cnt, sub->res->count, sub->res->n_gates * sizeof *count->cnt);
        }
    } else if (threads > 1) {
        sub->threads = 1; /* the stream takes the block threads */
        both_stats b = {count, sub};
        apo_pool_run(2, 2, both_stats_task, NULL, &b);
    } else {
        sub_stats_run(sub);
        if (sub->st == APO_OK) {
            count_stats_run(count);
        }
    }
    if (sub->st != APO_OK) {
        *err = sub->err;
        return sub->st;
    }
    if (count->st != APO_OK) {
        *err = count->err;
    }
    return count->st;
}

/* Per-sample statistics from the final gating: counts over every event, medians, the own
 * valley and the flow check from the estimation subsample, then the QC flags. */
static apo_status sample_stats(const gate_strategy *s, const assay_input *in,
                               const assay_sample_state *c, const assay_options *opt,
                               size_t q_idx[ASSAY_Q_COUNT], size_t parent_idx,
                               const gate_dim dims[2], bool singlet_gate, const double line[2],
                               const assay_result *r, size_t i, apo_error *err)
{
    assay_sample *smp = &r->samples[i];
    assay_loaded l;
    apo_status st = assay_load(in, c, opt->sample_events, &l, err);
    if (st != APO_OK) {
        return st;
    }
    const size_t ne = l.data.n_events, nb = (ne ? ne : 1) * sizeof(double);
    gate_result res = {0};
    sub_stats sub = {.s = s, .dims = dims, .l = &l, .parent_idx = parent_idx, .res = &res,
                     .q_idx = q_idx, .ne = ne, .threads = opt->block_threads, .line = line,
                     .valley = in->role != ASSAY_ROLE_UNSTAINED &&
                               in->role != ASSAY_ROLE_PI_SINGLE};
    count_stats count = {.s = s, .in = in, .q_idx = q_idx, .dims = dims, .opt = opt};
    sub.ann = malloc(nb);
    sub.pi = malloc(nb);
    sub.ann_t = malloc(nb);
    sub.pi_t = malloc(nb);
    sub.tmp = malloc(nb);
    count.cnt = malloc((gate_strategy_n_gates(s) ? gate_strategy_n_gates(s) : 1) *
                       sizeof *count.cnt);
    if (sub.ann == NULL || sub.pi == NULL || sub.ann_t == NULL || sub.pi_t == NULL ||
        sub.tmp == NULL || count.cnt == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    if (st == APO_OK) {
        st = subsample_and_counts(&sub, &count, l.step, opt->block_threads, err);
    }
    if (st != APO_OK) {
        goto done;
    }
    const uint64_t *cnt = count.cnt;
    smp->events = apo_input_n_events(in);
    smp->singlets = parent_idx == SIZE_MAX ? smp->events : cnt[parent_idx];
    size_t gp = parent_idx == SIZE_MAX ? SIZE_MAX : gate_strategy_parent(s, parent_idx);
    smp->cells = gp == SIZE_MAX ? smp->singlets : cnt[gp];
    if (gp == SIZE_MAX && parent_idx == gate_strategy_find(s, "Singlets")) {
        smp->cells = smp->events; /* a singlet gate without a debris gate */
    }
    for (int q = 0; q < ASSAY_Q_COUNT; q++) {
        smp->count[q] = cnt[q_idx[q]];
        smp->pct[q] = smp->singlets ? 100.0 * (double)smp->count[q] / (double)smp->singlets : NAN;
        /* small quadrants: every event; the others: the subsample */
        smp->median_annexin[q] = count.small[q] ? count.small_a[q] : sub.med_a[q];
        smp->median_pi[q] = count.small[q] ? count.small_p[q] : sub.med_p[q];
    }
    smp->apoptotic_pct = smp->pct[ASSAY_Q_EARLY] + smp->pct[ASSAY_Q_LATE];
    smp->annexin_valley = sub.valley_at;
    smp->annexin_depth = sub.depth[0];
    smp->pi_depth = sub.depth[1];
    sample_qc(in, c, opt, singlet_gate,
              c->ch.time != SIZE_MAX ? fcs_events_column(&l.ev, c->ch.time) : NULL, ne, smp);
    apo_display_hand_over(opt, r, i, in, &l.ev, l.step, l.parent, sub.ann, sub.pi, &res);
done:
    free(sub.ann);
    free(sub.pi);
    free(sub.ann_t);
    free(sub.pi_t);
    free(sub.tmp);
    free(count.cnt);
    gate_result_free(&res);
    assay_loaded_free(&l);
    return st;
}

void assay_stats_task(void *arg, size_t i)
{
    const assay_stats_job *j = arg;
    if (!j->c[i].ok) {
        return;
    }
    size_t q_idx[ASSAY_Q_COUNT];
    memcpy(q_idx, j->q_idx, sizeof q_idx);
    apo_error e2;
    const double line[2] = {j->out->annexin.scaled, j->out->pi.scaled};
    if (sample_stats(j->out->strategy, &j->in[i], &j->c[i], j->opt, q_idx, j->parent_idx,
                     j->dims, j->singlet_gate, line, j->out, i, &e2) != APO_OK) {
        assay_fail_sample(&j->out->samples[i], e2.msg);
        j->c[i].ok = false;
    }
    fcs_events_free(&j->c[i].held); /* the last step that reads it */
}
