/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * stats.h: population statistics (mean, median, percentiles, robust SD/CV, counts and
 * frequencies). Part of gating/gate.h.
 */
#ifndef APOFLOW_GATING_STATS_H
#define APOFLOW_GATING_STATS_H

#include "fcs/fcs.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/* Statistics (stats.c)                                                                       */
/* ------------------------------------------------------------------------------------------ */

/*
 * Per-channel statistics of a subset of events (docs/algorithms.md 7), computed exactly on scale
 * values (FlowJo bins first, so expect small differences from FlowJo).
 * - NaN/inf values are left out of every statistic (count still counts them; n_used not).
 * - sd is the sample SD (n - 1); cv = 100 sd / mean (%).
 * - Percentiles are R type 7 (h = (n - 1) p, linear interpolation; =
 *   gsl_stats_quantile_from_sorted_data); median = P50.
 * - geo_mean = exp(mean(ln x)) over the values > 0 ONLY; values <= 0 (normal for compensated
 *   data) are left out and counted in n_nonpositive so the caller can report them; NaN when
 *   no value is > 0.
 * - rsd / rcv are FlowJo's robust SD and CV: rsd = (P84.13 - P15.87) / 2, rcv = 100 rsd / median.
 * - mad is the raw median absolute deviation; bd_rsd = 1.4826 mad, bd_rcv = 100 bd_rsd / median
 *   (BD's robust SD/CV).
 * Undefined results (n_used < 2 for sd, division by 0) are NaN.
 */
typedef struct gate_stats {
    size_t count;         /* events in the subset */
    size_t n_used;        /* finite values used */
    size_t n_nonpositive; /* finite values <= 0 (left out of geo_mean) */
    double mean, sd, cv;
    double median, geo_mean;
    double min, max, p25, p75;
    double rsd, rcv;         /* FlowJo robust SD / CV (%) */
    double mad, bd_rsd, bd_rcv; /* raw MAD; BD robust SD and CV (%) */
} gate_stats;

/**
 * Statistics of @p x[0..n) restricted to the events with @p mask[e] != 0 (@p mask NULL = all).
 * APO_E_NOMEM only.
 */
APO_NODISCARD apo_status gate_stats_compute(const double *x, size_t n, const uint8_t *mask,
                                            gate_stats *out, apo_error *err);
/** As gate_stats_compute over the events listed in @p idx (indices < n, else APO_E_USAGE). */
APO_NODISCARD apo_status gate_stats_compute_idx(const double *x, size_t n, const size_t *idx,
                                                size_t n_idx, gate_stats *out, apo_error *err);
/** gate_stats_compute for every channel of @p ev; @p out has ev->n_params entries. */
APO_NODISCARD apo_status gate_stats_events(const fcs_events *ev, const uint8_t *mask,
                                           gate_stats *out, apo_error *err);
/**
 * Type-7 percentiles: out[k] = quantile p[k] (0 <= p[k] <= 1) of the finite values of the
 * subset (@p mask may be NULL). NaN for an empty subset.
 */
APO_NODISCARD apo_status gate_stats_quantiles(const double *x, size_t n, const uint8_t *mask,
                                              const double *p, size_t n_p, double *out,
                                              apo_error *err);

/* Population counts and frequencies (FlowJo "Freq. of Parent/Total"). */
typedef struct gate_counts {
    size_t count;       /* events in the gate */
    size_t parent;      /* events in the parent (n_events when there is no parent) */
    size_t total;       /* all events */
    double pct_parent;  /* 100 count / parent, NaN when parent == 0 */
    double pct_total;   /* 100 count / total, NaN when total == 0 */
} gate_counts;

/** Counts of @p member (n_events entries, nonzero = in) and @p parent (NULL = all events). */
void gate_counts_compute(const uint8_t *member, const uint8_t *parent, size_t n_events,
                         gate_counts *out);
/** Number of nonzero entries of @p mask. */
size_t gate_mask_count(const uint8_t *mask, size_t n);
/** 100 part / whole, NaN when whole == 0. */
double gate_percent(size_t part, size_t whole);
/** The k-th smallest (0-based, k < n) of v[0..n): the value gsl_stats_select gives, found by
 *  radix selection (gating/select.c); v may be reordered. */
double gate_select(double *v, size_t n, size_t k);
/** The median of v[0..n) (the mean of the two middle values for even n): the value
 *  gsl_stats_median gives, by radix selection; v may be reordered. */
double gate_median(double *v, size_t n);
/** Ranks one gate_select_ranks call takes at most. */
#define GATE_SELECT_MAX_RANKS 8
/** The k-th smallest of v[0..n) for each k of ranks[0..nr) (any order, repeats allowed) into
 *  out[0..nr), in one radix selection sharing its passes (v is left as it is): each the value
 *  gate_select gives. False, with nothing written, when n == 0, nr is 0 or above
 *  GATE_SELECT_MAX_RANKS, a rank is >= n, a value is NaN or zero (gate_select hands those to
 *  gsl, whose choice among -0 and +0 depends on the order) or memory runs out. */
bool gate_select_ranks(const double *v, size_t n, const size_t *ranks, size_t nr, double *out);
/** The median (as gate_median) of the values of v[0..n) where @p mask (NULL: every value) is
 *  set, without copying them first; v is left as it is. False, with nothing written, when no
 *  value is selected, a selected value is NaN or zero, or memory runs out. */
bool gate_median_masked(const double *v, const uint8_t *mask, size_t n, double *out);
/** Masks and columns gate_medians_masked takes at most. */
#define GATE_SELECT_MAX_MASKS 8
/** The medians (as gate_median) of the values of each column v[0..nv) (each of n values) where
 *  each mask masks[0..nm) is set, into out[q * nv + c] (mask q, column c), each found as
 *  gate_median_masked finds it alone but with one pass over the events for all the masks when
 *  no event is in two of them. ok[q] says whether mask q's medians were written: false when
 *  it selects no value, a selected value of a column is NaN or zero, or memory runs out. */
void gate_medians_masked(const double *const *v, size_t nv, const uint8_t *const *masks,
                         size_t nm, size_t n, double *out, bool *ok);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_GATING_STATS_H */
