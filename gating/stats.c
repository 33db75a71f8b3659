/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * stats.c: per-channel population statistics over a subset of events (mask or index list): count,
 * mean, SD, CV, median, type-7 percentiles, geometric mean over positive values, FlowJo robust
 * SD/CV and BD's MAD-based robust SD/CV (definitions in stats.h and docs/algorithms.md 7).
 */
#include "gating/gating_internal.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

/* Statistics of the finite values v[0..n) (sorted in place); count is set by the caller. */
static apo_status stats_from_values(double *v, size_t n, gate_stats *out, apo_error *err)
{
    const size_t count = out->count;
    *out = (gate_stats){0};
    out->count = count;
    out->n_used = n;
    out->mean = out->sd = out->cv = out->median = out->geo_mean = NAN;
    out->min = out->max = out->p25 = out->p75 = NAN;
    out->rsd = out->rcv = out->mad = out->bd_rsd = out->bd_rcv = NAN;
    if (n == 0) {
        return APO_OK;
    }
    gsl_sort(v, 1, n);
    out->min = v[0];
    out->max = v[n - 1];
    out->mean = gsl_stats_mean(v, 1, n);
    if (n >= 2) {
        out->sd = gsl_stats_sd_m(v, 1, n, out->mean);
    }
    out->cv = out->mean != 0.0 ? 100.0 * out->sd / out->mean : NAN;
    out->median = gate_quantile_sorted(v, n, 0.5);
    out->p25 = gate_quantile_sorted(v, n, 0.25);
    out->p75 = gate_quantile_sorted(v, n, 0.75);
    out->rsd = 0.5 * (gate_quantile_sorted(v, n, 0.8413) - gate_quantile_sorted(v, n, 0.1587));
    out->rcv = out->median != 0.0 ? 100.0 * out->rsd / out->median : NAN;
    double log_sum = 0.0;
    size_t n_pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] > 0.0) {
            log_sum += log(v[i]);
            n_pos++;
        }
    }
    out->n_nonpositive = n - n_pos;
    out->geo_mean = n_pos > 0 ? exp(log_sum / (double)n_pos) : NAN;
    double *dev = malloc(n * sizeof(double));
    if (dev == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for %zu deviations, found none", n);
    }
    for (size_t i = 0; i < n; i++) {
        dev[i] = fabs(v[i] - out->median);
    }
    gsl_sort(dev, 1, n);
    out->mad = gate_quantile_sorted(dev, n, 0.5);
    free(dev);
    out->bd_rsd = 1.4826 * out->mad;
    out->bd_rcv = out->median != 0.0 ? 100.0 * out->bd_rsd / out->median : NAN;
    return APO_OK;
}

/* Gather the finite values of the subset into a new array. */
static apo_status gather(const double *x, size_t n, const uint8_t *mask, const size_t *idx,
                         size_t n_idx, double **vals, size_t *n_vals, size_t *count,
                         apo_error *err)
{
    const size_t cap = idx != NULL ? n_idx : n;
    double *v = malloc((cap > 0 ? cap : 1) * sizeof(double));
    if (v == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for %zu values, found none", cap);
    }
    size_t k = 0;
    size_t c = 0;
    if (idx != NULL) {
        for (size_t i = 0; i < n_idx; i++) {
            if (idx[i] >= n) {
                free(v);
                return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                                     "expected event indices below %zu, found %zu", n, idx[i]);
            }
            const double xi = x[idx[i]];
            c++;
            if (isfinite(xi)) {
                v[k++] = xi;
            }
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            if (mask != NULL && mask[i] == 0) {
                continue;
            }
            c++;
            if (isfinite(x[i])) {
                v[k++] = x[i];
            }
        }
    }
    *vals = v;
    *n_vals = k;
    *count = c;
    return APO_OK;
}

apo_status gate_stats_compute(const double *x, size_t n, const uint8_t *mask, gate_stats *out,
                              apo_error *err)
{
    double *v = NULL;
    size_t nv = 0;
    size_t count = 0;
    apo_status st = gather(x, n, mask, NULL, 0, &v, &nv, &count, err);
    if (st != APO_OK) {
        return st;
    }
    out->count = count;
    st = stats_from_values(v, nv, out, err);
    free(v);
    return st;
}

apo_status gate_stats_compute_idx(const double *x, size_t n, const size_t *idx, size_t n_idx,
                                  gate_stats *out, apo_error *err)
{
    double *v = NULL;
    size_t nv = 0;
    size_t count = 0;
    static const size_t none = 0;
    apo_status st = gather(x, n, NULL, idx != NULL ? idx : &none, idx != NULL ? n_idx : 0, &v,
                           &nv, &count, err);
    if (st != APO_OK) {
        return st;
    }
    out->count = count;
    st = stats_from_values(v, nv, out, err);
    free(v);
    return st;
}

apo_status gate_stats_events(const fcs_events *ev, const uint8_t *mask, gate_stats *out,
                             apo_error *err)
{
    if (ev->n_events > SIZE_MAX) {
        return apo_error_set(err, APO_E_RANGE, NULL, APO_NO_OFFSET, NULL,
                             "expected an in-memory event count, found %llu",
                             (unsigned long long)ev->n_events);
    }
    for (size_t p = 0; p < ev->n_params; p++) {
        const apo_status st =
            gate_stats_compute(fcs_events_column(ev, p), (size_t)ev->n_events, mask, &out[p], err);
        if (st != APO_OK) {
            return st;
        }
    }
    return APO_OK;
}

/* The quantiles gate_quantile_sorted gives on v[0..nv) once sorted, without sorting: each
 * from the one or two order statistics it interpolates, found by selection (gate_select_ranks,
 * up to GATE_SELECT_MAX_RANKS at a time), and the interpolation of
 * gsl_stats_quantile_from_sorted_data (h = p (n - 1), lower rank floor(h), (1 - d) a + d b
 * with d = h - floor(h)): the same values through the same operations, so the same bits.
 * False, with out partly written, when a selection declines (a zero among the values, whose
 * sign the sorted order decides; out of memory): the caller then sorts. */
static bool quantiles_by_selection(const double *v, size_t nv, const double *p, size_t n_p,
                                   double *out)
{
    enum { PER_CALL = GATE_SELECT_MAX_RANKS / 2 };
    for (size_t k0 = 0; k0 < n_p; k0 += PER_CALL) {
        const size_t nk = n_p - k0 < PER_CALL ? n_p - k0 : PER_CALL;
        size_t ranks[GATE_SELECT_MAX_RANKS], nr = 0;
        double delta[PER_CALL], sel[GATE_SELECT_MAX_RANKS];
        bool two[PER_CALL], none[PER_CALL];
        for (size_t k = 0; k < nk; k++) {
            const double q = p[k0 + k];
            none[k] = nv == 0 || isnan(q);
            two[k] = false;
            delta[k] = 0;
            size_t lo = 0;
            if (!none[k] && q >= 1.0) {
                lo = nv - 1;
            } else if (!none[k] && q > 0.0) {
                const double index = q * (double)(nv - 1);
                lo = (size_t)index;
                lo = lo < nv - 1 ? lo : nv - 1;
                delta[k] = index - (double)lo;
                two[k] = lo < nv - 1;
            }
            ranks[nr++] = lo;
            if (two[k]) {
                ranks[nr++] = lo + 1;
            }
        }
        if (nv > 0 && !gate_select_ranks(v, nv, ranks, nr, sel)) {
            return false;
        }
        for (size_t k = 0, r = 0; k < nk; k++) {
            if (none[k]) {
                out[k0 + k] = NAN;
                r++;
            } else if (two[k]) {
                out[k0 + k] = (1 - delta[k]) * sel[r] + delta[k] * sel[r + 1];
                r += 2;
            } else {
                out[k0 + k] = sel[r++];
            }
        }
    }
    return true;
}

apo_status gate_stats_quantiles(const double *x, size_t n, const uint8_t *mask, const double *p,
                                size_t n_p, double *out, apo_error *err)
{
    double *v = NULL;
    size_t nv = 0;
    size_t count = 0;
    const apo_status st = gather(x, n, mask, NULL, 0, &v, &nv, &count, err);
    if (st != APO_OK) {
        return st;
    }
    if (!quantiles_by_selection(v, nv, p, n_p, out)) {
        gsl_sort(v, 1, nv);
        for (size_t k = 0; k < n_p; k++) {
            out[k] = gate_quantile_sorted(v, nv, p[k]);
        }
    }
    free(v);
    return APO_OK;
}

size_t gate_mask_count(const uint8_t *mask, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++) {
        c += mask[i] != 0;
    }
    return c;
}

double gate_percent(size_t part, size_t whole)
{
    return whole == 0 ? NAN : 100.0 * (double)part / (double)whole;
}

void gate_counts_compute(const uint8_t *member, const uint8_t *parent, size_t n_events,
                         gate_counts *out)
{
    out->total = n_events;
    out->count = gate_mask_count(member, n_events);
    out->parent = parent != NULL ? gate_mask_count(parent, n_events) : n_events;
    out->pct_parent = gate_percent(out->count, out->parent);
    out->pct_total = gate_percent(out->count, out->total);
}
