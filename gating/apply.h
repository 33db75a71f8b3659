/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * apply.h: applying a gating strategy to a data set's events: membership of every gate,
 * population tables, and the block-streamed path with bounded memory. Part of gating/gate.h.
 */
#ifndef APOFLOW_GATING_APPLY_H
#define APOFLOW_GATING_APPLY_H

#include "gating/strategy.h"
#include "gating/stats.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The events of one data set as gates see them: scale values (fcs_events from
 * fcs_dataset_read_events with FCS_VALUES_SCALED and apply_gain), channel names, and the
 * matrix used for comp_ref "FCS" (NULL: none, "FCS" then means uncompensated). The matrix's
 * detector names are matched to channel names (a "Comp-" prefix allowed); its inverse is used.
 * To override the file's matrix (e.g. apoflow gate --comp), set comp to another gate_comp
 * (or NULL for none) after gate_data_init.
 */
typedef struct gate_data {
    size_t n_events;
    size_t n_params;
    const char *const *names;  /* $PnN, n_params */
    const char *const *labels; /* $PnS or NULL entries; the array itself may be NULL */
    const double *values;      /* column-major, values[p * n_events + e] */
    const struct gate_comp *comp;
    struct gate_comp *owned_comp; /* private: the file's matrix made by gate_data_init */
} gate_data;

/** Borrowed view of @p ev from @p ds (names/labels point into @p ds); comp = the file's
 *  spillover matrix (gate_comp_from_fcs) or NULL when it has none. */
APO_NODISCARD apo_status gate_data_init(gate_data *out, const fcs_dataset *ds,
                                        const fcs_events *ev, apo_error *err);
/** Free what gate_data_init allocated (name arrays, owned matrix; not the values). NULL ok. */
void gate_data_free(gate_data *d);

/* Membership of every gate: member[g * n_events + e] is 1 inside, 0 outside. */
typedef struct gate_result {
    size_t n_gates;
    size_t n_events;
    uint8_t *member;  /* final membership (restricted to the parent); a QuadrantGate row
                         holds its parent's membership */
    uint64_t *count;  /* events inside, per gate */
} gate_result;

/**
 * Evaluate every gate of @p s on @p d.
 * @return APO_OK; APO_E_USAGE for a channel / fluorochrome not in the data; APO_E_FORMAT for a
 *         broken reference; APO_E_NUMERIC for a singular matrix.
 */
APO_NODISCARD apo_status gate_strategy_apply(const gate_strategy *s, const gate_data *d,
                                             gate_result *out, apo_error *err);
/**
 * As gate_strategy_apply, but only gate @p gate and the gates it depends on (ancestors,
 * boolean operands) are evaluated; every other row is zero, its count 0. For callers that
 * need one population (e.g. the singlets under which plots are drawn) without the cost of the
 * rest (transforms of the gates below it). APO_E_USAGE for a gate index out of range.
 */
APO_NODISCARD apo_status gate_strategy_apply_to(const gate_strategy *s, const gate_data *d,
                                                size_t gate, gate_result *out, apo_error *err);
void gate_result_free(gate_result *r);
/**
 * As gate_strategy_apply, and the values of @p dims[0..n_dims) into values[k] (d->n_events
 * each): bit for bit what gate_dim_values(s, d, &dims[k], false, ...) gives, taken from the
 * evaluation's own compensated columns instead of compensating again. On error no values.
 */
APO_NODISCARD apo_status gate_strategy_apply_dims(const gate_strategy *s, const gate_data *d,
                                                  size_t n_dims, const gate_dim *dims,
                                                  double *const *values, gate_result *out,
                                                  apo_error *err);
/**
 * As gate_strategy_apply_dims, on up to @p threads threads (apo_pool_run) when @p d holds at
 * least two runs of GATE_BLOCK_EVENTS events: the same memberships, counts and values, bit
 * for bit (apply_threads.c says why). Memory: a copy of the read channels of the events, in
 * runs.
 */
APO_NODISCARD apo_status gate_strategy_apply_dims_threads(const gate_strategy *s,
                                                          const gate_data *d, size_t n_dims,
                                                          const gate_dim *dims,
                                                          double *const *values,
                                                          unsigned threads, gate_result *out,
                                                          apo_error *err);
/**
 * The channels gate_strategy_apply reads on data like @p d (names, labels and matrix; the
 * values are not used): used[p] (d->n_params entries) is set for each channel a gate, a
 * compensation or a ratio takes, cleared for the others. The same errors as
 * gate_strategy_apply (a channel missing from the data).
 */
APO_NODISCARD apo_status gate_strategy_columns(const gate_strategy *s, const gate_data *d,
                                               bool *used, apo_error *err);
static inline const uint8_t *gate_result_membership(const gate_result *r, size_t g)
{
    return r->member + g * r->n_events;
}

/*
 * Values of one dimension for all events, in the space gates use (compensated, ratio, then
 * transformed when @p transformed; untransformed otherwise). @p out holds d->n_events values.
 */
APO_NODISCARD apo_status gate_dim_values(const gate_strategy *s, const gate_data *d,
                                         const gate_dim *dim, bool transformed, double *out,
                                         apo_error *err);

/* One population's statistics. */
typedef struct gate_population {
    size_t gate;         /* index in the strategy */
    char *path;          /* see gate_strategy_path */
    char *parent_path;   /* "" for a top-level population */
    uint64_t count;
    uint64_t parent_count; /* all events for a top-level population */
    double pct_parent;   /* 100 * count / parent_count (NaN when parent_count is 0) */
    double pct_total;    /* 100 * count / n_events */
    double *medians;     /* one per report dimension; NaN when count is 0 */
} gate_population;

/*
 * Population table of one file: every population of the strategy, and the medians of every
 * distinct gating dimension (compensated, untransformed; ratios as ratio values), in the order
 * the dimensions first appear. Dimension names: "<name>" uncompensated, "Comp-<name>" with
 * comp_ref FCS, "<matrix>:<name>" with a named matrix, "<ratio id>" for a ratio.
 */
typedef struct gate_report {
    size_t n_dims;
    char **dim_names;
    gate_dim *dims; /* the dimensions (strings borrowed from the strategy) */
    size_t n_populations;
    gate_population *populations;
} gate_report;

/** Only the report dimensions of @p s (n_dims, dim_names, dims; no populations): the column
 *  set of a report, known without data. Free with gate_report_free. */
APO_NODISCARD apo_status gate_report_dims(const gate_strategy *s, gate_report *out,
                                          apo_error *err);
APO_NODISCARD apo_status gate_report_compute(const gate_strategy *s, const gate_data *d,
                                             const gate_result *r, gate_report *out,
                                             apo_error *err);
void gate_report_free(gate_report *rep);

/*
 * Streaming a data set through a strategy (strategy_stream.c), within the memory policy above:
 * events are decoded one block of GATE_BLOCK_EVENTS at a time, so memory is one block plus
 * the results, whatever the size of the file.
 */
typedef struct gate_stream_options {
    fcs_decode_options decode; /* default FCS_VALUES_SCALED with apply_gain (as gates expect) */
    uint64_t sample_events;    /* medians from at most this many events; 0 = every event */
    bool override_comp;        /* comp_ref "FCS" uses @p comp instead of the file's matrix */
    const gate_comp *comp;     /* with override_comp: the matrix, or NULL for none */
    /* Called for every block in order (NULL = not called): @p block holds its decoded events
     * (values[p * n_events + e], uncompensated), @p r its membership (NULL when streamed
     * without a strategy), @p first the index of its first event in the data set. A non-OK
     * return stops the stream with that status. */
    apo_status (*on_block)(void *ctx, const gate_data *block, const gate_result *r,
                           uint64_t first, apo_error *err);
    void *ctx;
    /* Every event of the data set already decoded (its n_events and n_params must match):
     * blocks are copied from it instead of decoded (decode is then unused). NULL = decode. */
    const fcs_events *events;
    /* The caller's thread budget (apo_pool_run): with N >= 2, blocks are decoded and gated N
     * at a time side by side; counts and on_block still take them in file order, so results
     * do not depend on it. 0 and 1 = the calling thread only. */
    unsigned threads;
    /* With a strategy: decode (or copy) only the channels it reads (gate_strategy_columns);
     * the blocks on_block sees then hold 0 in every other channel (or its values, for ASCII
     * DATA, which is scanned whole). For callers whose on_block reads nothing but the
     * strategy's dimensions. */
    bool strategy_columns_only;
    /* With a strategy and n_dims > 0: the untransformed values of dims[0..n_dims) (as
     * gate_dim_values) are computed with each block's gating, on the block's thread
     * (gate_strategy_apply_dims), and on_block_dims is called with them (dim_values[k], the
     * block's n_events each) where on_block would be; on_block is then not called. */
    size_t n_dims;
    const gate_dim *dims;
    apo_status (*on_block_dims)(void *ctx, const gate_data *block, const gate_result *r,
                                const double *const *dim_values, uint64_t first,
                                apo_error *err);
} gate_stream_options;

#define GATE_STREAM_OPTIONS_INIT                                                               \
    {{FCS_VALUES_SCALED, true, 0}, GATE_SAMPLE_EVENTS_DEFAULT, false, NULL, NULL, NULL, NULL, 0, \
     false, 0, NULL, NULL}

/**
 * Stream every event of @p ds through @p s (may be NULL: only the blocks are delivered):
 * counts[g] (gate_strategy_n_gates entries, may be NULL) receives the exact number of events
 * in gate g over the whole data set (a QuadrantGate's entry: its parent's count).
 * opts->sample_events is not used. @p opts NULL = GATE_STREAM_OPTIONS_INIT.
 */
APO_NODISCARD apo_status gate_strategy_apply_stream(const gate_strategy *s,
                                                    const fcs_dataset *ds,
                                                    const gate_stream_options *opts,
                                                    uint64_t *counts, apo_error *err);
/**
 * The population table of @p ds (as gate_report_compute) within the memory policy: count,
 * parent_count, pct_parent and pct_total exact over every event (streamed by blocks); the
 * medians over the deterministic subsample of fcs_dataset_read_sampled(opts->sample_events),
 * i.e. over every event (the report is then identical to gate_report_compute's) when the
 * data set has at most that many events. on_block sees every event once, in order.
 * *step_out (may be NULL) receives the subsample step (1 = medians over every event).
 */
APO_NODISCARD apo_status gate_report_stream(const gate_strategy *s, const fcs_dataset *ds,
                                            const gate_stream_options *opts, gate_report *out,
                                            uint64_t *step_out, apo_error *err);

/* Exact medians of small populations: the populations (of @p n, with counts @p count) whose medians use every one of their events:
 * the non-empty ones by increasing count (ties in index order) while their total count stays
 * within @p budget. Their indices go to @p chosen (room for n; it is also scratch); returns
 * how many. */
size_t gate_pick_small(const uint64_t *count, size_t n, uint64_t budget, size_t *chosen);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_GATING_APPLY_H */
