/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fig_internal.h: what the summary figures (summary_figs.c, dose_figs.c) share: the groups of
 * a run's sample rows in the sheet's order (untreated, stimulus, then each treatment by dose)
 * with their replicate values and comparison rows (fig_groups.c), the significance mark of an
 * adjusted p-value, and the colours; the finite range and 16-bit rounding of the per-sample
 * Time plot and review preview. Private to report/.
 */
#ifndef APOFLOW_REPORT_FIG_INTERNAL_H
#define APOFLOW_REPORT_FIG_INTERNAL_H

#include "report/report.h"
#include "render/chart.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum fig_role { FIG_UNTREATED = 0, FIG_STIMULUS, FIG_TREATED } fig_role;

typedef struct fig_group {
    fig_role role;
    const char *treatment, *dose, *unit; /* borrowed from the rows ("" when none) */
    double dose_value;                   /* NaN when the dose is not a number */
    size_t treat;                        /* treated: index of its treatment (0-based) */
    size_t n;                            /* replicate values (analysed samples) */
    double *v;                           /* apoptotic % of each, in row order */
    double mean, sd;                     /* sd NaN when n < 2 */
    const assay_comparison *cmp;         /* the group's comparison row, or NULL */
} fig_group;

typedef struct fig_groups {
    fig_group *g;
    size_t n;
    const char **treatments; /* distinct treatments of treated rows, first appearance */
    size_t n_treatments;
    double *pool;            /* owns the values of every group */
} fig_groups;

/* Group @p n rows (failed rows and controls left out) and attach the comparison rows of
 * @p res. APO_E_NOMEM only. */
apo_status fig_groups_build(fig_groups *out, const assay_result *res, size_t n,
                            const report_sample *rows, apo_error *err);
void fig_groups_free(fig_groups *g);

/* The order of the sample rows for per-sample figures: controls (unstained, single stains),
 * untreated, stimulus, treated by treatment and dose, each by replicate; rows with an error
 * and unknown roles last. @p order gets n indices. */
void fig_sample_order(const report_sample *rows, size_t n, size_t *order);

/* The mark of an adjusted p-value: "***" < 0.001, "**" < 0.01, "*" < 0.05, else "ns"; NULL when
 * the row carries no p-value that is evidence (no replicates, no comparison). */
const char *fig_sig_mark(const assay_comparison *c);

/* Bar colour of a group; text and line colours. */
uint32_t fig_group_color(const fig_group *g);
#define FIG_INK 0x202020u
#define FIG_SUBTLE 0x555555u

/* Title (bold 14) and subtitle (11) centred at the top of a chart of width @p w, as render/'s
 * plots; a text too long for the width is set smaller (not below 7). */
void fig_titles(render_chart *c, double w, const char *title, const char *subtitle);
/* Write @p c as <base>.png (scale 2; 1 beyond 3000 units wide), <base>.svg and, when @p pdf, <base>.pdf, titled
 * @p title. */
apo_status fig_write(const render_chart *c, const char *base, const char *title, bool pdf,
                     apo_error *err);

/* *lo = fmin(*lo, v[e]) and *hi = fmax(*hi, v[e]) over the finite v[e], e = 0, step, 2 step,
 * ... < n, in order; returns how many are finite (time_fig.c). The values fmin and fmax give,
 * found with < and > (inlined; the libm calls were most of the loop): the two can differ only
 * in which of two equal zeros they give, so when a -0 is among the values or the starting
 * ones, the fmin and fmax loop is run instead, as before. */
uint64_t fig_finite_range(const double *v, uint64_t n, uint64_t step, double *lo, double *hi);
/* lround(u) for 0 < u < 65535: the whole part plus one when the fraction (exact: u minus its
 * whole part) is at least 1/2, rounding halves away from zero as lround does (time_fig.c). */
unsigned fig_round_u16(double u);

/* plots/dose_<k>.{png,svg} for every treatment k (1-based, in @p gs's order) with at least
 * one numeric dose (dose_figs.c). */
apo_status report_dose_figures(const char *outdir, const assay_result *res,
                               const fig_groups *gs, apo_error *err);

/* The summary figures of report_summary_figures in parts, for a pool (summary_figs.c):
 * fig_summary_init groups the @p n rows and puts them in order (APO_E_NOMEM only);
 * fig_summary_draw(s, k) draws part k < FIG_SUMMARY_PARTS (the group bars, the quadrant bars,
 * the dose figures), each into its own files, on any thread, each part once;
 * fig_summary_finish gives the first failure in that order and frees. The rows, @p outdir
 * and @p res are borrowed until then. */
#define FIG_SUMMARY_PARTS 3
typedef struct fig_summary {
    const char *outdir;
    const assay_result *res;
    const report_sample *rows;
    fig_groups gs;
    size_t *order; /* the rows in figure order (fig_sample_order) */
    size_t m;      /* analysed rows: order[0..m) */
    apo_status st[FIG_SUMMARY_PARTS];
    apo_error errs[FIG_SUMMARY_PARTS];
} fig_summary;
apo_status fig_summary_init(fig_summary *s, const char *outdir, const assay_result *res,
                            size_t n, const report_sample *rows, apo_error *err);
void fig_summary_draw(fig_summary *s, size_t k);
apo_status fig_summary_finish(fig_summary *s, apo_error *err);

#endif /* APOFLOW_REPORT_FIG_INTERNAL_H */
