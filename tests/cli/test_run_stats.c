/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_run_stats.c: the statistics `apoflow run` reports for the two example experiments.
 * The one-replicate dose series (samples/calibur) shows no p-value anywhere (terminal,
 * comparisons.csv, results.json, report.html), only 95 % intervals with the
 * pseudo-replication warning next to them. The triplicate experiment (samples/) reports the
 * stimulus-vs-untreated row, Dunnett's adjusted p-values and the one-way ANOVA exactly as the
 * library computes them from samples.csv, and, while the example's per-sample values are the
 * ones R was given (tests/assay/vectors/stats_data.csv), as R computed them.
 */
#include "assay/assay.h"
#include "assay/groupstats.h"
#include "support/json_mini.h"
#include "support/run_cli.h"
#include "support/slurp.h"

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLES APOFLOW_SOURCE_DIR "/samples"

static void setup(void)
{
    gsl_set_error_handler_off();
}

TestSuite(cli_run_stats, .init = setup);

/* ---- a small CSV reader (RFC 4180 quotes) -------------------------------------------------- */

enum { T_ROWS = 160, T_COLS = 64, T_CELL = 256 };

typedef struct table {
    size_t n_rows, n_cols;
    char head[T_COLS][64];
    char cell[T_ROWS][T_COLS][T_CELL];
} table;

static size_t split_row(const char *p, char out[][T_CELL])
{
    size_t n = 0;
    while (*p && *p != '\n') {
        cr_assert_lt(n, T_COLS);
        size_t len = 0;
        bool quoted = *p == '"';
        p += quoted;
        while (*p && (quoted || (*p != ',' && *p != '\n'))) {
            if (quoted && *p == '"') {
                if (p[1] == '"') {
                    p++;
                } else {
                    quoted = false;
                    p++;
                    continue;
                }
            }
            cr_assert_lt(len, T_CELL - 1);
            out[n][len++] = *p++;
        }
        out[n++][len] = '\0';
        if (*p == ',') {
            p++;
            if (*p == '\n' || *p == '\0') {
                out[n++][0] = '\0';
            }
        }
    }
    return n;
}

static table *read_table(const char *path)
{
    char *text = test_slurp(path, NULL);
    table *t = calloc(1, sizeof *t);
    char(*tmp)[T_CELL] = calloc(T_COLS, T_CELL);
    const char *p = text;
    t->n_cols = split_row(p, tmp);
    for (size_t i = 0; i < t->n_cols; i++) {
        snprintf(t->head[i], sizeof t->head[i], "%s", tmp[i]);
    }
    while ((p = strchr(p, '\n')) != NULL && *++p) {
        cr_assert_lt(t->n_rows, T_ROWS);
        size_t n = split_row(p, t->cell[t->n_rows]);
        cr_assert_eq(n, t->n_cols, "%s row %zu: %zu fields, header %zu", path, t->n_rows, n,
                     t->n_cols);
        t->n_rows++;
    }
    free(tmp);
    free(text);
    return t;
}

static const char *cell(const table *t, size_t r, const char *name)
{
    for (size_t i = 0; i < t->n_cols; i++) {
        if (strcmp(t->head[i], name) == 0) {
            return t->cell[r][i];
        }
    }
    cr_assert_fail("no column %s", name);
    return NULL;
}

static double num(const table *t, size_t r, const char *name)
{
    const char *s = cell(t, r, name);
    return s[0] ? strtod(s, NULL) : NAN;
}

static void close_rel(double got, double want, double rel, const char *what)
{
    cr_assert(fabs(got - want) <= rel * fabs(want), "%s: %.17g, expected %.17g", what, got, want);
}

/* ---- the one-replicate dose series --------------------------------------------------------- */

Test(cli_run_stats, one_replicate_series_shows_no_p_value_anywhere)
{
    char *dir = test_tmpdir(), path[4200];
    const char *a[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/calibur/sheet.csv",
                       "--no-plots", "-o", dir, NULL};
    run_result r;
    cr_assert_eq(run_cli(a, &r), 0, "%s", r.err);
    /* terminal: intervals, the warning, no p */
    const char *tab = strstr(r.out, "\ncomparison ");
    cr_assert_not_null(tab, "%s", r.out);
    cr_assert_null(strstr(tab, "p ="), "%s", tab);
    cr_assert_null(strstr(tab, "p_adj"), "%s", tab);
    cr_assert_null(strstr(tab, "ANOVA"), "%s", tab);
    cr_assert_not_null(strstr(tab, "H2O2 (stimulus) vs untreated"), "%s", tab);
    cr_assert_not_null(strstr(tab, "difference 95% CI -24.02 to -21.52 pp"), "%s", tab);
    cr_assert_not_null(strstr(tab, "* no replicates: events used as pseudo-replicates"), "%s", tab);
    run_result_free(&r);
    /* comparisons.csv: 6 rows, no p-value, the intervals and the note */
    snprintf(path, sizeof path, "%s/comparisons.csv", dir);
    table *c = read_table(path);
    cr_assert_eq(c->n_rows, 6);
    for (size_t i = 0; i < c->n_rows; i++) {
        const char *ps[] = {"p_value", "p_adjusted", "p_value_vs_untreated", "anova_p",
                            "statistic"};
        for (size_t k = 0; k < sizeof ps / sizeof *ps; k++) {
            cr_assert_str_eq(cell(c, i, ps[k]), "", "row %zu %s", i, ps[k]);
        }
        cr_assert_str_eq(cell(c, i, "replicates"), "false");
        cr_assert_str_eq(cell(c, i, "ci_method"), "events_wilson_wald_log");
        cr_assert_not_null(strstr(cell(c, i, "note"), "pseudo-replicates"));
        /* one sample per group: the event proportion is the sample's percentage */
        double lo = num(c, i, "apoptotic_pct_ci_low"), hi = num(c, i, "apoptotic_pct_ci_high");
        double m = num(c, i, "apoptotic_pct_mean");
        cr_assert(lo < m && m < hi && hi - lo < 3.0, "row %zu: %g in [%g, %g]", i, m, lo, hi);
        close_rel(100.0 * num(c, i, "apoptotic_events") / num(c, i, "singlet_events"), m, 1e-12,
                  "pooled proportion");
    }
    cr_assert_str_eq(cell(c, 0, "comparison"), "stimulus_vs_untreated");
    /* AS-IV 200: the relative reduction inside its interval */
    double red = num(c, 5, "reduction_relative_pct");
    cr_assert(num(c, 5, "reduction_relative_ci_low") < red &&
              red < num(c, 5, "reduction_relative_ci_high"));
    free(c);
    /* results.json: null p-values, the note per row and the warning */
    snprintf(path, sizeof path, "%s/results.json", dir);
    json_value *root = json_parse_file(path);
    cr_assert_not_null(root);
    const json_value *cs = json_get(root, "comparisons");
    cr_assert_eq(json_size(cs), 6);
    for (size_t i = 0; i < json_size(cs); i++) {
        const json_value *o = json_index(cs, i);
        cr_assert(json_is_null(json_get(o, "p_value")) && json_is_null(json_get(o, "p_adjusted")) &&
                  json_is_null(json_get(o, "p_value_vs_untreated")));
        cr_assert_not_null(strstr(json_string(json_get(o, "note")), "pseudo-replicates"));
    }
    bool warned = false;
    for (size_t i = 0; i < json_size(json_get(root, "warnings")); i++) {
        const char *w = json_string(json_index(json_get(root, "warnings"), i));
        warned = warned || strstr(w, "no p-value is given") != NULL;
    }
    cr_assert(warned);
    json_free(root);
    /* report.html: the warning in each row, no p-value in the comparisons */
    snprintf(path, sizeof path, "%s/report.html", dir);
    char *html = test_slurp(path, NULL);
    char *sec = strstr(html, "<section id=\"comparisons\">");
    cr_assert_not_null(sec);
    char *end = strstr(sec, "</table>");
    cr_assert_not_null(end);
    *end = '\0';
    cr_assert_null(strstr(sec, "p = "));
    cr_assert_null(strstr(sec, "p_adj"));
    size_t warned_rows = 0;
    for (const char *p = strstr(sec, "<tr class=\"no-replicates\">"); p != NULL;
         p = strstr(p + 1, "<tr class=\"no-replicates\">")) {
        const char *row_end = strstr(p, "</tr>");
        const char *w = strstr(p, "pseudo-replicates");
        warned_rows += w != NULL && w < row_end;
    }
    cr_assert_eq(warned_rows, 6);
    free(html);
    free(dir);
}

/* ---- the triplicate experiment ------------------------------------------------------------- */

/* The apoptotic % of the usable samples of role @p role (and dose @p dose for treated). */
static size_t values_of(const table *s, const char *role, const char *dose, double *v)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_rows; i++) {
        if (strcmp(cell(s, i, "role"), role) == 0 &&
            (dose == NULL || strcmp(cell(s, i, "dose"), dose) == 0) &&
            cell(s, i, "apoptotic_pct")[0] != '\0') {
            v[n++] = num(s, i, "apoptotic_pct");
        }
    }
    return n;
}

static void summary(const double *v, size_t n, assay_group_summary *g)
{
    g->n = n;
    g->mean = gsl_stats_mean(v, 1, n);
    g->sd = n >= 2 ? gsl_stats_sd(v, 1, n) : NAN;
}

/* R's values for the triplicate example, while its per-sample values are R's input. */
static void compare_with_r(const double v[4][8], const double *unt, const table *c)
{
    table *d = read_table(APOFLOW_SOURCE_DIR "/tests/assay/vectors/stats_data.csv");
    size_t k[10] = {0};
    bool same = true;
    for (size_t i = 0; i < d->n_rows; i++) {
        if (strcmp(cell(d, i, "dataset"), "triplicate_example") == 0) {
            int g = atoi(cell(d, i, "group"));
            double want = num(d, i, "value"), got = g == 9 ? unt[k[g]] : v[g][k[g]];
            k[g]++;
            same = same && fabs(got - want) <= 1e-12 * want;
        }
    }
    free(d);
    /* A stale vector file must not turn this check off: regenerate it (the script's
     * triplicate_example holds the example's per-sample apoptotic %). */
    cr_assert(same, "the example's apoptotic %% changed since the R vectors were made: update "
                    "triplicate_example in tests/assay/vectors/make_stats_vectors.R and rerun it");
    table *e = read_table(APOFLOW_SOURCE_DIR "/tests/assay/vectors/stats_expected.csv");
    size_t checked = 0;
    for (size_t i = 0; i < e->n_rows; i++) {
        if (strcmp(cell(e, i, "dataset"), "triplicate_example") != 0) {
            continue;
        }
        const char *kind = cell(e, i, "kind");
        size_t g = (size_t)atoi(cell(e, i, "group"));
        if (strcmp(kind, "dunnett_exact") == 0) {
            close_rel(num(c, g, "p_adjusted"), num(e, i, "p"), 1e-7, "Dunnett p vs R");
            checked++;
        } else if (strcmp(kind, "welch") == 0) {
            cr_assert_float_eq(num(c, g, "p_value"), num(e, i, "p"), 1e-6);
            checked++;
        } else if (strcmp(kind, "welch_control_vs_untreated") == 0) {
            cr_assert_float_eq(num(c, 0, "p_value"), num(e, i, "p"), 1e-6);
            checked++;
        } else if (strcmp(kind, "anova") == 0) {
            close_rel(num(c, 1, "anova_f"), num(e, i, "statistic"), 1e-9, "F vs R");
            close_rel(num(c, 1, "anova_p"), num(e, i, "p"), 1e-7, "ANOVA p vs R");
            checked++;
        }
    }
    cr_assert_eq(checked, 8);
    free(e);
}

Test(cli_run_stats, triplicates_report_dunnett_anova_and_the_stimulus_row)
{
    char *dir = test_tmpdir(), path[4200];
    const char *a[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/sheet.csv", "--no-plots",
                       "-o", dir, NULL};
    run_result r;
    cr_assert_eq(run_cli(a, &r), 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "(Dunnett vs stimulus); Welch p = "), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "One-way ANOVA over the stimulus and 3 treated group(s): "
                                     "F(3, 8) = "),
                       "%s", r.out);
    cr_assert_null(strstr(r.out, "pseudo-replicates"), "%s", r.out);
    /* a line the stained samples moved is explained where the numbers are printed */
    cr_assert_not_null(strstr(r.out, "thresholds: Annexin V "), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "\n  Annexin V line: 99.5 percentile of ctrl_pi_only's "),
                       "%s", r.out);
    cr_assert_not_null(strstr(r.out, "among the PI-positive events that line"), "%s", r.out);
    run_result_free(&r);
    snprintf(path, sizeof path, "%s/samples.csv", dir);
    table *s = read_table(path);
    snprintf(path, sizeof path, "%s/comparisons.csv", dir);
    table *c = read_table(path);
    cr_assert_eq(c->n_rows, 4);
    const char *doses[] = {NULL, "50", "100", "200"};
    double v[4][8], unt[8];
    assay_group_summary g[4];
    summary(v[0], values_of(s, "stimulus", NULL, v[0]), &g[0]);
    for (size_t i = 1; i < 4; i++) {
        summary(v[i], values_of(s, "treated", doses[i], v[i]), &g[i]);
        cr_assert_str_eq(cell(c, i, "dose"), doses[i]);
    }
    size_t nu = values_of(s, "untreated", NULL, unt);
    cr_assert_eq(nu, 3);
    /* the stimulus row: Welch stimulus vs untreated, a single comparison */
    cr_assert_str_eq(cell(c, 0, "comparison"), "stimulus_vs_untreated");
    cr_assert_str_eq(cell(c, 0, "adjust_method"), "none_single_comparison");
    double t, df, p;
    cr_assert_eq(assay_welch_t(v[0], 3, unt, 3, &t, &df, &p, NULL), APO_OK);
    close_rel(num(c, 0, "p_value"), p, 1e-12, "stimulus vs untreated p");
    cr_assert_eq(num(c, 0, "p_adjusted"), num(c, 0, "p_value"));
    /* the treated rows: Dunnett and the ANOVA over stimulus + 3 doses, Welch per pair */
    double dt[3], dp[3], ddf;
    assay_anova an;
    cr_assert_eq(assay_dunnett(g, 4, dt, dp, &ddf, NULL), APO_OK);
    cr_assert_eq(assay_anova_oneway(g, 4, &an, NULL), APO_OK);
    for (size_t i = 1; i < 4; i++) {
        cr_assert_str_eq(cell(c, i, "adjust_method"), "dunnett_single_step");
        cr_assert_str_eq(cell(c, i, "replicates"), "true");
        close_rel(num(c, i, "p_adjusted"), dp[i - 1], 1e-12, "Dunnett p");
        close_rel(num(c, i, "statistic_adjusted"), dt[i - 1], 1e-12, "Dunnett t");
        cr_assert_eq(num(c, i, "df_adjusted"), 8.0);
        close_rel(num(c, i, "anova_f"), an.f, 1e-12, "F");
        cr_assert_eq(num(c, i, "anova_df1"), 3.0);
        cr_assert_eq(num(c, i, "anova_df2"), 8.0);
        cr_assert_eq(assay_welch_t(v[i], 3, v[0], 3, &t, &df, &p, NULL), APO_OK);
        close_rel(num(c, i, "p_value"), p, 1e-12, "Welch p");
        cr_assert(num(c, i, "difference_pp_ci_low") < num(c, i, "difference_pp") &&
                  num(c, i, "difference_pp") < num(c, i, "difference_pp_ci_high"));
    }
    compare_with_r((const double(*)[8])v, unt, c);
    free(s);
    free(c);
    free(dir);
}
