/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_group_stats.c: the group-comparison statistics against reference values made by R
 * (tests/assay/vectors/make_stats_vectors.R; R is not needed to run this): one-way ANOVA
 * (oneway.test), Welch's t-test and its interval (t.test), Dunnett's single-step adjusted
 * p-values (multcomp glht), Wilson and two-proportion intervals (prop.test), the log interval
 * of a ratio, and Dunnett critical values against the published tables (Dunnett 1955, 1964).
 */
#include "assay/assay.h"
#include "assay/groupstats.h"

#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VECTORS APOFLOW_SOURCE_DIR "/tests/assay/vectors/"

static void setup(void)
{
    gsl_set_error_handler_off();
}

TestSuite(assay_group_stats, .init = setup);

/* ---- a tiny CSV reader (no quoting in the vector files) ------------------------------------ */

enum { MAX_ROWS = 256, MAX_COLS = 16 };

typedef struct csv {
    size_t n_rows, n_cols;
    char names[MAX_COLS][32];
    char cells[MAX_ROWS][MAX_COLS][48];
} csv;

static void split(char *line, char out[][48], size_t *n)
{
    line[strcspn(line, "\r\n")] = '\0';
    *n = 0;
    for (char *p = line;; p++) {
        char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        cr_assert_lt(len, 48);
        cr_assert_lt(*n, MAX_COLS);
        memcpy(out[*n], p, len);
        out[(*n)++][len] = '\0';
        if (c == NULL) {
            break;
        }
        p = c;
    }
}

static csv *csv_read(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s%s", VECTORS, name);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    csv *t = calloc(1, sizeof *t);
    char line[1024], head[MAX_COLS][48];
    cr_assert_not_null(fgets(line, sizeof line, f));
    split(line, head, &t->n_cols);
    for (size_t i = 0; i < t->n_cols; i++) {
        snprintf(t->names[i], sizeof t->names[i], "%s", head[i]);
    }
    while (fgets(line, sizeof line, f) != NULL) {
        cr_assert_lt(t->n_rows, MAX_ROWS);
        size_t n;
        split(line, t->cells[t->n_rows], &n);
        cr_assert_eq(n, t->n_cols, "%s row %zu: %zu fields", name, t->n_rows + 2, n);
        t->n_rows++;
    }
    fclose(f);
    return t;
}

static const char *get(const csv *t, size_t r, const char *col)
{
    for (size_t i = 0; i < t->n_cols; i++) {
        if (strcmp(t->names[i], col) == 0) {
            return t->cells[r][i];
        }
    }
    cr_assert_fail("no column %s", col);
    return NULL;
}

static double num(const csv *t, size_t r, const char *col)
{
    const char *s = get(t, r, col);
    return s[0] ? strtod(s, NULL) : NAN;
}

/* ---- the data sets of stats_data.csv ------------------------------------------------------ */

enum { MAX_GROUPS = 10, MAX_VALUES = 32 };

typedef struct dataset {
    size_t k; /* groups 0..k-1 (0 = control) */
    double v[MAX_GROUPS][MAX_VALUES];
    size_t n[MAX_GROUPS];
    double untreated[MAX_VALUES]; /* group 9 in the file */
    size_t n_untreated;
} dataset;

static void load_dataset(const char *name, dataset *d)
{
    csv *t = csv_read("stats_data.csv");
    memset(d, 0, sizeof *d);
    for (size_t r = 0; r < t->n_rows; r++) {
        if (strcmp(get(t, r, "dataset"), name) != 0) {
            continue;
        }
        int g = atoi(get(t, r, "group"));
        double v = num(t, r, "value");
        if (g == 9) {
            d->untreated[d->n_untreated++] = v;
            continue;
        }
        cr_assert(g >= 0 && g < MAX_GROUPS - 1);
        cr_assert_lt(d->n[g], MAX_VALUES);
        d->v[g][d->n[g]++] = v;
        if ((size_t)g + 1 > d->k) {
            d->k = (size_t)g + 1;
        }
    }
    free(t);
    cr_assert_geq(d->k, 2, "no data set %s", name);
}

static void summarise(const dataset *d, assay_group_summary *g)
{
    for (size_t i = 0; i < d->k; i++) {
        g[i].n = d->n[i];
        g[i].mean = gsl_stats_mean(d->v[i], 1, d->n[i]);
        g[i].sd = d->n[i] >= 2 ? gsl_stats_sd(d->v[i], 1, d->n[i]) : NAN;
    }
}

static const char *const DATASETS[] = {"triplicate_example", "recovery", "unbalanced",
                                       "one_treatment", "equal_eight"};
#define N_DATASETS (sizeof DATASETS / sizeof *DATASETS)

static void close_rel(double got, double want, double rel, const char *what)
{
    cr_assert(fabs(got - want) <= rel * fabs(want), "%s: %.17g, R %.17g (rel %.3g)", what, got,
              want, fabs(got - want) / fabs(want));
}

/* ---- the tests ---------------------------------------------------------------------------- */

Test(assay_group_stats, anova_matches_r_oneway_test)
{
    csv *e = csv_read("stats_expected.csv");
    size_t checked = 0;
    for (size_t s = 0; s < N_DATASETS; s++) {
        dataset d;
        assay_group_summary g[MAX_GROUPS];
        load_dataset(DATASETS[s], &d);
        summarise(&d, g);
        assay_anova a;
        cr_assert_eq(assay_anova_oneway(g, d.k, &a, NULL), APO_OK);
        for (size_t r = 0; r < e->n_rows; r++) {
            if (strcmp(get(e, r, "dataset"), DATASETS[s]) == 0 &&
                strcmp(get(e, r, "kind"), "anova") == 0) {
                close_rel(a.f, num(e, r, "statistic"), 1e-9, "F");
                cr_assert_eq(a.df1, num(e, r, "df1"));
                cr_assert_eq(a.df2, num(e, r, "df2"));
                close_rel(a.p, num(e, r, "p"), 1e-7, "ANOVA p");
                checked++;
            }
        }
    }
    cr_assert_eq(checked, N_DATASETS);
    free(e);
}

Test(assay_group_stats, welch_and_interval_match_r_t_test_within_1e6)
{
    csv *e = csv_read("stats_expected.csv");
    size_t checked = 0;
    for (size_t s = 0; s < N_DATASETS; s++) {
        dataset d;
        load_dataset(DATASETS[s], &d);
        for (size_t r = 0; r < e->n_rows; r++) {
            if (strcmp(get(e, r, "dataset"), DATASETS[s]) != 0 ||
                strncmp(get(e, r, "kind"), "welch", 5) != 0) {
                continue;
            }
            int g = atoi(get(e, r, "group"));
            const double *a = g == 9 ? d.v[0] : d.v[g];
            size_t na = g == 9 ? d.n[0] : d.n[g];
            const double *b = g == 9 ? d.untreated : d.v[0];
            size_t nb = g == 9 ? d.n_untreated : d.n[0];
            double t, df, p, lo, hi;
            cr_assert_eq(assay_welch_t(a, na, b, nb, &t, &df, &p, NULL), APO_OK);
            cr_assert_eq(assay_welch_ci(a, na, b, nb, 0.95, &lo, &hi, NULL), APO_OK);
            cr_assert_float_eq(t, num(e, r, "statistic"), 1e-6);
            cr_assert_float_eq(df, num(e, r, "df1"), 1e-6);
            cr_assert_float_eq(p, num(e, r, "p"), 1e-6);
            close_rel(p, num(e, r, "p"), 1e-6, "Welch p");
            cr_assert_float_eq(lo, num(e, r, "ci_low"), 1e-6);
            cr_assert_float_eq(hi, num(e, r, "ci_high"), 1e-6);
            checked++;
        }
    }
    cr_assert_eq(checked, 21);
    free(e);
}

/* mvtnorm's values are randomised quasi-Monte Carlo estimates with an error target of 1e-6
 * (the file gives each estimate's error, at most about 6e-6): allow 1e-5 absolute. */
Test(assay_group_stats, dunnett_matches_r_multcomp)
{
    csv *e = csv_read("stats_expected.csv");
    size_t checked = 0;
    double worst = 0;
    for (size_t s = 0; s < N_DATASETS; s++) {
        dataset d;
        assay_group_summary g[MAX_GROUPS];
        load_dataset(DATASETS[s], &d);
        summarise(&d, g);
        double t[MAX_GROUPS], p[MAX_GROUPS], df;
        cr_assert_eq(assay_dunnett(g, d.k, t, p, &df, NULL), APO_OK);
        for (size_t r = 0; r < e->n_rows; r++) {
            if (strcmp(get(e, r, "dataset"), DATASETS[s]) != 0 ||
                strcmp(get(e, r, "kind"), "dunnett") != 0) {
                continue;
            }
            size_t i = (size_t)atoi(get(e, r, "group")) - 1;
            cr_assert_lt(i, d.k - 1);
            close_rel(t[i], num(e, r, "statistic"), 1e-9, "Dunnett t");
            cr_assert_eq(df, num(e, r, "df1"));
            double want = num(e, r, "p"), diff = fabs(p[i] - want);
            cr_assert(diff <= 1e-5, "%s group %zu: p %.10g, R %.10g", DATASETS[s], i + 1, p[i],
                      want);
            worst = fmax(worst, diff);
            checked++;
        }
    }
    cr_assert_eq(checked, 1 + 3 + 3 + 5 + 8);
    cr_log_info("largest |p - R| over the Dunnett vectors: %g", worst);
    free(e);
}

/* The deterministic values (inclusion-exclusion over TVPACK orthant probabilities, R script)
 * for the data sets with <= 3 treatments: these hold small p-values to their relative
 * accuracy, which multcomp's randomised ones do not (its 2.8e-7 and 7e-13 for the triplicate
 * example are below the unadjusted p-values 3.7e-7 and 1.7e-8, which is impossible). */
Test(assay_group_stats, dunnett_matches_deterministic_r_values_to_1e7_relative)
{
    csv *e = csv_read("stats_expected.csv");
    size_t checked = 0;
    for (size_t s = 0; s < N_DATASETS; s++) {
        dataset d;
        assay_group_summary g[MAX_GROUPS];
        load_dataset(DATASETS[s], &d);
        summarise(&d, g);
        double t[MAX_GROUPS], p[MAX_GROUPS], df;
        cr_assert_eq(assay_dunnett(g, d.k, t, p, &df, NULL), APO_OK);
        for (size_t r = 0; r < e->n_rows; r++) {
            if (strcmp(get(e, r, "dataset"), DATASETS[s]) == 0 &&
                strcmp(get(e, r, "kind"), "dunnett_exact") == 0) {
                size_t i = (size_t)atoi(get(e, r, "group")) - 1;
                close_rel(p[i], num(e, r, "p"), 1e-7, DATASETS[s]);
                /* Bonferroni: the unadjusted p <= adjusted <= (k - 1) x unadjusted */
                double raw = 2 * gsl_cdf_tdist_Q(fabs(t[i]), df);
                cr_assert(p[i] >= raw * (1 - 1e-9) && p[i] <= (double)(d.k - 1) * raw * (1 + 1e-9),
                          "%s %zu: %g outside [%g, %g]", DATASETS[s], i, p[i], raw,
                          (double)(d.k - 1) * raw);
                checked++;
            }
        }
    }
    cr_assert_eq(checked, 7);
    free(e);
}

Test(assay_group_stats, dunnett_one_comparison_is_the_pooled_t_test)
{
    /* m = 1: P(|T| >= c) = 2 Q_t(c, df) exactly */
    const size_t n[] = {3, 4};
    for (double c = 0.25; c < 12; c *= 1.7) {
        double p, e;
        cr_assert_eq(assay_dunnett_exceed(c, n, 1, 5, true, &p, &e, NULL), APO_OK);
        double want = 2 * gsl_cdf_tdist_Q(c, 5);
        cr_assert(fabs(p - want) <= 1e-9 * want, "c %g: %.15g vs %.15g", c, p, want);
        cr_assert_eq(assay_dunnett_exceed(c, n, 1, 5, false, &p, &e, NULL), APO_OK);
        cr_assert(fabs(p - want / 2) <= 1e-9 * want, "one-sided c %g: %.15g", c, p);
    }
}

Test(assay_group_stats, dunnett_independent_limit_and_normal_df)
{
    /* a control far larger than the groups makes the statistics nearly independent:
     * 1 - (1 - 2 Q(c))^m; and df = infinity uses the normal directly */
    const size_t n[] = {100000000, 3, 3, 3};
    double p;
    cr_assert_eq(assay_dunnett_exceed(2.5, n, 3, INFINITY, true, &p, NULL, NULL), APO_OK);
    double q = 2 * gsl_cdf_ugaussian_Q(2.5);
    cr_assert_float_eq(p, 1 - pow(1 - q, 3), 1e-7);
    /* equal sizes, df = infinity, two comparisons, c = 2.212 is the 5 % point (Dunnett 1964) */
    const size_t eq[] = {5, 5, 5};
    cr_assert_eq(assay_dunnett_exceed(2.2121, eq, 2, INFINITY, true, &p, NULL, NULL), APO_OK);
    cr_assert_float_eq(p, 0.05, 2e-4);
}

Test(assay_group_stats, dunnett_critical_values_match_published_tables)
{
    csv *t = csv_read("dunnett_critical.csv");
    cr_assert_geq(t->n_rows, 20);
    for (size_t r = 0; r < t->n_rows; r++) {
        int sides = atoi(get(t, r, "sides"));
        size_t k = (size_t)atoi(get(t, r, "k"));
        double df = num(t, r, "df");
        size_t n[16];
        for (size_t i = 0; i <= k; i++) {
            n[i] = 7; /* equal sizes: every correlation 0.5 */
        }
        double c;
        cr_assert_eq(assay_dunnett_critical(0.05, n, k, df, sides == 2, &c, NULL), APO_OK);
        double pub = num(t, r, "published"), mv = num(t, r, "mvtnorm");
        /* the tables give 2 decimals */
        cr_assert(fabs(c - pub) <= 0.005 + 1e-9, "%d-sided k %zu df %g: %.5f, table %.2f",
                  sides, k, df, c, pub);
        cr_assert(fabs(c - mv) <= 2e-3, "%d-sided k %zu df %g: %.6f, mvtnorm %.6f", sides, k,
                  df, c, mv);
    }
    free(t);
}

Test(assay_group_stats, proportion_intervals_match_r_prop_test)
{
    csv *t = csv_read("stats_proportions.csv");
    cr_assert_geq(t->n_rows, 8);
    for (size_t r = 0; r < t->n_rows; r++) {
        uint64_t x1 = strtoull(get(t, r, "x1"), NULL, 10), n1 = strtoull(get(t, r, "n1"), NULL, 10);
        uint64_t x2 = strtoull(get(t, r, "x2"), NULL, 10), n2 = strtoull(get(t, r, "n2"), NULL, 10);
        double lo, hi;
        cr_assert_eq(assay_wilson_ci(x1, n1, 0.95, &lo, &hi, NULL), APO_OK);
        cr_assert_float_eq(lo, num(t, r, "wilson_low"), 1e-12, "row %zu", r);
        cr_assert_float_eq(hi, num(t, r, "wilson_high"), 1e-12, "row %zu", r);
        cr_assert_eq(assay_prop_diff_ci(x1, n1, x2, n2, 0.95, &lo, &hi, NULL), APO_OK);
        cr_assert_float_eq(lo, num(t, r, "diff_low"), 1e-12, "row %zu", r);
        cr_assert_float_eq(hi, num(t, r, "diff_high"), 1e-12, "row %zu", r);
        double z, p;
        cr_assert_eq(assay_two_proportion(x1, n1, x2, n2, &z, &p, NULL), APO_OK);
        close_rel(p, num(t, r, "chisq_p"), 1e-9, "chi-square p");
        double want_lo = num(t, r, "ratio_low");
        apo_status st = assay_prop_ratio_ci(x1, n1, x2, n2, 0.95, &lo, &hi, NULL);
        if (isnan(want_lo)) {
            cr_assert_eq(st, APO_E_NUMERIC);
        } else {
            cr_assert_eq(st, APO_OK);
            close_rel(lo, want_lo, 1e-12, "ratio low");
            close_rel(hi, num(t, r, "ratio_high"), 1e-12, "ratio high");
        }
    }
    free(t);
}

Test(assay_group_stats, refuses_what_has_no_answer)
{
    assay_group_summary one[] = {{1, 40.0, NAN}, {1, 30.0, NAN}};
    assay_anova a;
    apo_error err;
    cr_assert_eq(assay_anova_oneway(one, 2, &a, &err), APO_E_USAGE);
    cr_assert(isnan(a.p));
    cr_assert_not_null(strstr(err.msg, "N - k >= 1"), "%s", err.msg);
    assay_group_summary flat[] = {{3, 40.0, 0.0}, {3, 30.0, 0.0}};
    double t[1], p[1], df;
    cr_assert_eq(assay_dunnett(flat, 2, t, p, &df, &err), APO_E_NUMERIC);
    cr_assert(isnan(p[0]));
    double lo, hi;
    cr_assert_eq(assay_wilson_ci(5, 4, 0.95, &lo, &hi, &err), APO_E_USAGE);
    cr_assert_eq(assay_wilson_ci(5, 10, 1.0, &lo, &hi, &err), APO_E_USAGE);
    const double v[] = {1.0};
    cr_assert_eq(assay_mean_ci(v, 1, 0.95, &lo, &hi, &err), APO_E_USAGE);
}

Test(assay_group_stats, mean_interval_matches_r_t_test)
{
    csv *e = csv_read("stats_expected.csv");
    size_t checked = 0;
    for (size_t s = 0; s < N_DATASETS; s++) {
        dataset d;
        load_dataset(DATASETS[s], &d);
        for (size_t r = 0; r < e->n_rows; r++) {
            if (strcmp(get(e, r, "dataset"), DATASETS[s]) == 0 &&
                strcmp(get(e, r, "kind"), "mean_ci") == 0) {
                double lo, hi;
                cr_assert_eq(assay_mean_ci(d.v[0], d.n[0], 0.95, &lo, &hi, NULL), APO_OK);
                cr_assert_float_eq(lo, num(e, r, "ci_low"), 1e-9);
                cr_assert_float_eq(hi, num(e, r, "ci_high"), 1e-9);
                checked++;
            }
        }
    }
    cr_assert_eq(checked, N_DATASETS);
    free(e);
}
