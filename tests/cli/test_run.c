/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_run.c: `apoflow run` end to end on the simulated experiments in samples/: the
 * recovered quadrant percentages are within 1.5 points of the simulation's truth for every
 * fully stained sample, the relative reductions within 3 points; the second (FACSCalibur-like,
 * height-only) experiment too; re-running with the written gating.xml reproduces the same
 * numbers; the FACSCalibur experiment re-encoded as FCS 2.0 $DATATYPE I with $PnE 4,0 log
 * channels, big-endian, and a SPILL keyword gives the same answers; an unreadable file is
 * reported (exit 65) while the others are still analysed.
 */
#include "fcs/fcs.h"
#include "support/fcs_builder.h"
#include "support/run_cli.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

TestSuite(cli_run);

/* ---- a small CSV table (RFC 4180 quotes) ---- */
typedef struct table {
    size_t n_cols, n_rows;
    char **cells; /* (n_rows + 1) x n_cols, row 0 = header */
} table;

static size_t split(const char *line, char **out, size_t max)
{
    size_t n = 0;
    const char *p = line;
    for (;;) {
        char buf[1024];
        size_t b = 0;
        bool q = false;
        if (*p == '"') {
            q = true;
            p++;
        }
        while (*p && (q || (*p != ',' && *p != '\n' && *p != '\r'))) {
            if (q && *p == '"') {
                if (p[1] == '"') {
                    p++;
                } else {
                    q = false;
                    p++;
                    continue;
                }
            }
            if (b + 1 < sizeof buf) {
                buf[b++] = *p;
            }
            p++;
        }
        buf[b] = '\0';
        if (n < max) {
            out[n++] = strdup(buf);
        }
        if (*p != ',') {
            break;
        }
        p++;
    }
    return n;
}

static table read_table(const char *path)
{
    table t = {0};
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    char line[8192];
    size_t lines = 0, cap = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        char *cells[128];
        size_t n = split(line, cells, 128);
        if (lines == 0) {
            t.n_cols = n;
        }
        cr_assert_eq(n, t.n_cols, "%s: %zu fields, header has %zu: %s", path, n, t.n_cols, line);
        if ((lines + 1) * t.n_cols > cap) {
            cap = 2 * (lines + 1) * t.n_cols;
            t.cells = realloc(t.cells, cap * sizeof *t.cells);
            cr_assert_not_null(t.cells);
        }
        memcpy(t.cells + lines * t.n_cols, cells, n * sizeof *cells);
        lines++;
    }
    fclose(f);
    cr_assert_gt(lines, 0, "%s is empty", path);
    t.n_rows = lines - 1;
    return t;
}

static void table_free(table *t, size_t rows_plus_header)
{
    for (size_t i = 0; i < rows_plus_header * t->n_cols; i++) {
        free(t->cells[i]);
    }
    free(t->cells);
}

static size_t col(const table *t, const char *name)
{
    for (size_t c = 0; c < t->n_cols; c++) {
        if (strcmp(t->cells[c], name) == 0) {
            return c;
        }
    }
    cr_assert_fail("no column %s", name);
    return SIZE_MAX;
}

static const char *cell(const table *t, size_t row, size_t c)
{
    return t->cells[(row + 1) * t->n_cols + c];
}

static size_t find_row(const table *t, size_t c, const char *v)
{
    for (size_t r = 0; r < t->n_rows; r++) {
        if (strcmp(cell(t, r, c), v) == 0) {
            return r;
        }
    }
    return SIZE_MAX;
}

static double num(const table *t, size_t row, size_t c)
{
    const char *s = cell(t, row, c);
    double v = NAN;
    cr_assert(apo_parse_double(s, strlen(s), false, &v), "not a number: \"%s\"", s);
    return v;
}

/* ---- running the tool ---- */

/* Run apoflow with @p args, words separated by single spaces (no quoting; the paths here have
 * no spaces), in @p cwd (NULL = here); returns the exit status. */
static int run_in(const char *cwd, const char *args)
{
    char words[4096];
    snprintf(words, sizeof words, "%s", args);
    const char *argv[32] = {APOFLOW_BINARY};
    size_t n = 1;
    for (char *w = strtok(words, " "); w != NULL && n < 31; w = strtok(NULL, " ")) {
        argv[n++] = w;
    }
    argv[n] = NULL;
    run_cli_options opts = {.cwd = cwd};
    run_result r;
    int rc = run_cli_with(argv, &opts, &r);
    run_result_free(&r);
    return rc;
}

static int run(const char *args)
{
    return run_in(NULL, args);
}

static void temp_dir(char *buf, size_t cap)
{
    snprintf(buf, cap, "/tmp/apoflow-test-run-XXXXXX");
    cr_assert_not_null(mkdtemp(buf));
}

static void remove_tree(const char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* Compare samples.csv and comparisons.csv with the truth of an experiment folder. */
static void check_truth(const char *out, const char *exp_dir, size_t expect_fits)
{
    char p1[1200], p2[1200], p3[1200];
    snprintf(p1, sizeof p1, "%s/samples.csv", out);
    snprintf(p2, sizeof p2, "%s/truth.csv", exp_dir);
    snprintf(p3, sizeof p3, "%s/sheet.csv", exp_dir);
    table s = read_table(p1), tr = read_table(p2), sh = read_table(p3);
    const char *pcts[] = {"viable_pct", "early_apoptotic_pct", "late_apoptotic_pct",
                          "necrotic_pct", "apoptotic_pct"};
    size_t checked = 0;
    double worst = 0;
    for (size_t r = 0; r < s.n_rows; r++) {
        const char *role = cell(&s, r, col(&s, "role"));
        if (strcmp(role, "untreated") != 0 && strcmp(role, "stimulus") != 0 &&
            strcmp(role, "treated") != 0) {
            continue; /* single-stain controls are not classified by biology */
        }
        const char *name = cell(&s, r, col(&s, "sample"));
        size_t tr_row = find_row(&tr, col(&tr, "sample"), name);
        cr_assert_neq(tr_row, SIZE_MAX, "no truth for %s", name);
        for (size_t k = 0; k < 5; k++) {
            double got = num(&s, r, col(&s, pcts[k]));
            double want = num(&tr, tr_row, col(&tr, pcts[k]));
            worst = fmax(worst, fabs(got - want));
            cr_assert(fabs(got - want) <= 1.5, "%s %s: %.3f vs truth %.3f", name, pcts[k], got,
                      want);
        }
        checked++;
    }
    cr_assert_geq(checked, 7, "only %zu samples checked", checked);
    /* relative reductions against the truth group means */
    double stim = 0, n_stim = 0;
    for (size_t r = 0; r < sh.n_rows; r++) {
        if (strcmp(cell(&sh, r, col(&sh, "role")), "stimulus") == 0) {
            size_t t = find_row(&tr, col(&tr, "sample"), cell(&sh, r, col(&sh, "sample")));
            stim += num(&tr, t, col(&tr, "apoptotic_pct"));
            n_stim++;
        }
    }
    cr_assert_gt(n_stim, 0);
    stim /= n_stim;
    char p4[1200];
    snprintf(p4, sizeof p4, "%s/comparisons.csv", out);
    table c = read_table(p4);
    cr_assert_geq(c.n_rows, 4);
    /* the first row: did the stimulus induce apoptosis at all? */
    cr_assert_str_eq(cell(&c, 0, col(&c, "comparison")), "stimulus_vs_untreated");
    cr_assert_gt(num(&c, 0, col(&c, "difference_pp")), 20.0);
    for (size_t r = 1; r < c.n_rows; r++) {
        cr_assert_str_eq(cell(&c, r, col(&c, "comparison")), "treated_vs_stimulus");
        const char *dose = cell(&c, r, col(&c, "dose"));
        double trt = 0, n_trt = 0;
        for (size_t k = 0; k < sh.n_rows; k++) {
            if (strcmp(cell(&sh, k, col(&sh, "role")), "treated") == 0 &&
                strcmp(cell(&sh, k, col(&sh, "dose")), dose) == 0) {
                size_t t = find_row(&tr, col(&tr, "sample"), cell(&sh, k, col(&sh, "sample")));
                trt += num(&tr, t, col(&tr, "apoptotic_pct"));
                n_trt++;
            }
        }
        cr_assert_gt(n_trt, 0);
        trt /= n_trt;
        double want = 100.0 * (stim - trt) / stim;
        double got = num(&c, r, col(&c, "reduction_relative_pct"));
        cr_assert(fabs(got - want) <= 3.0, "dose %s: relative reduction %.3f vs truth %.3f", dose,
                  got, want);
        if (n_trt >= 2) {
            double p = num(&c, r, col(&c, "p_value")), pa = num(&c, r, col(&c, "p_adjusted"));
            cr_assert(p >= 0 && p <= 1);
            cr_assert(pa >= 0 && pa <= 1);
            cr_assert_str_eq(cell(&c, r, col(&c, "test")), "welch_t");
            cr_assert_str_eq(cell(&c, r, col(&c, "adjust_method")), "dunnett_single_step");
        } else {
            /* no replicates: no p-value anywhere in the row, the intervals and the warning */
            const char *none[] = {"p_value", "p_adjusted", "p_value_vs_untreated", "statistic",
                                  "anova_p"};
            for (size_t k = 0; k < sizeof none / sizeof *none; k++) {
                cr_assert_str_eq(cell(&c, r, col(&c, none[k])), "", "%s: %s", dose, none[k]);
            }
            cr_assert_str_eq(cell(&c, r, col(&c, "test")), "none_no_replicates");
            cr_assert_not_null(strstr(cell(&c, r, col(&c, "note")), "pseudo-replicates"));
            double lo = num(&c, r, col(&c, "difference_pp_ci_low"));
            double hi = num(&c, r, col(&c, "difference_pp_ci_high"));
            double d = num(&c, r, col(&c, "difference_pp"));
            cr_assert(lo < d && d < hi, "%s: %g not in [%g, %g]", dose, d, lo, hi);
        }
    }
    /* results.json mentions the dose-response fit when there are >= 4 doses */
    char p5[1200];
    snprintf(p5, sizeof p5, "%s/results.json", out);
    FILE *f = fopen(p5, "r");
    cr_assert_not_null(f);
    static char json[1 << 20];
    size_t len = fread(json, 1, sizeof json - 1, f);
    json[len] = '\0';
    fclose(f);
    cr_assert(strstr(json, "\"thresholds\"") && strstr(json, "\"compensation\""));
    const char *fit = strstr(json, "\"ec50\":");
    cr_assert(expect_fits ? fit != NULL : fit == NULL);
    table_free(&s, s.n_rows + 1);
    table_free(&tr, tr.n_rows + 1);
    table_free(&sh, sh.n_rows + 1);
    table_free(&c, c.n_rows + 1);
}

Test(cli_run, shsy5y_recovers_truth_and_reproduces_with_gating_xml)
{
    char out[256], out2[256], args[2048];
    temp_dir(out, sizeof out);
    snprintf(args, sizeof args, "run %s/samples --sheet %s/samples/sheet.csv -o %s/r",
             APOFLOW_SOURCE_DIR, APOFLOW_SOURCE_DIR, out);
    cr_assert_eq(run(args), 0);
    snprintf(out2, sizeof out2, "%s/r", out);
    check_truth(out2, APOFLOW_SOURCE_DIR "/samples", 0);
    const char *files[] = {"samples.csv", "comparisons.csv", "stats.csv", "results.json",
                           "gating.xml", "plots/overview.png", "plots/overlay_annexin.png",
                           "plots/h2o2_r1.png"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char p[600];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", out2, files[i]);
        cr_assert_eq(stat(p, &st), 0, "missing %s", p);
        cr_assert_gt(st.st_size, 0);
    }
    /* the clog in h2o2_asiv100_r2 is flagged, and only there */
    char p[600];
    snprintf(p, sizeof p, "%s/samples.csv", out2);
    table s = read_table(p);
    for (size_t r = 0; r < s.n_rows; r++) {
        bool clog = strcmp(cell(&s, r, col(&s, "sample")), "h2o2_asiv100_r2") == 0;
        bool flagged = strstr(cell(&s, r, col(&s, "qc_flags")), "flow_instability") != NULL;
        cr_assert_eq(clog, flagged, "%s", cell(&s, r, col(&s, "sample")));
    }
    /* re-run with the saved gating: identical tables */
    snprintf(args, sizeof args,
             "run %s/samples --sheet %s/samples/sheet.csv -o %s/g --gating %s/r/gating.xml "
             "--no-plots",
             APOFLOW_SOURCE_DIR, APOFLOW_SOURCE_DIR, out, out);
    cr_assert_eq(run(args), 0);
    const char *same[] = {"samples.csv", "comparisons.csv", "stats.csv"};
    for (size_t i = 0; i < 3; i++) {
        char cmd[1400];
        snprintf(cmd, sizeof cmd, "cmp -s %s/r/%s %s/g/%s", out, same[i], out, same[i]);
        cr_assert_eq(system(cmd), 0, "%s differs with --gating", same[i]);
    }
    table_free(&s, s.n_rows + 1);
    remove_tree(out);
}

Test(cli_run, calibur_height_only_recovers_truth)
{
    char out[256], args[2048];
    temp_dir(out, sizeof out);
    snprintf(args, sizeof args,
             "run %s/samples/calibur --sheet %s/samples/calibur/sheet.csv -o %s/r --no-plots",
             APOFLOW_SOURCE_DIR, APOFLOW_SOURCE_DIR, out);
    cr_assert_eq(run(args), 0);
    char r[300];
    snprintf(r, sizeof r, "%s/r", out);
    check_truth(r, APOFLOW_SOURCE_DIR "/samples/calibur", 1);
    remove_tree(out);
}

Test(cli_run, unreadable_file_exit_65_others_processed)
{
    char dir[256], args[2048], p[600];
    temp_dir(dir, sizeof dir);
    /* a copy of the calibur sheet's files plus one broken file listed in the sheet */
    snprintf(args, sizeof args, "cp %s/samples/calibur/*.fcs %s/", APOFLOW_SOURCE_DIR, dir);
    cr_assert_eq(system(args), 0);
    snprintf(p, sizeof p, "%s/broken.fcs", dir);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs("FCS3.1    this is not an FCS file", f);
    fclose(f);
    snprintf(args, sizeof args,
             "(cat %s/samples/calibur/sheet.csv; echo 'broken.fcs,broken,treated,AS-IV,7,mg/L,1,,') "
             "> %s/sheet.csv",
             APOFLOW_SOURCE_DIR, dir);
    cr_assert_eq(system(args), 0);
    char out[256];
    temp_dir(out, sizeof out);
    snprintf(args, sizeof args, "run %s --sheet %s/sheet.csv -o %s/out --no-plots", dir, dir, out);
    cr_assert_eq(run(args), 65);
    snprintf(p, sizeof p, "%s/out/samples.csv", out);
    table s = read_table(p);
    cr_assert_eq(s.n_rows, 10);
    cr_assert_eq(find_row(&s, col(&s, "sample"), "broken"), SIZE_MAX);
    table_free(&s, s.n_rows + 1);
    /* an output folder inside the input folder is refused */
    snprintf(args, sizeof args, "run %s --sheet %s/sheet.csv -o %s/inside --no-plots", dir, dir,
             dir);
    cr_assert_eq(run(args), 64);
    struct stat st;
    snprintf(p, sizeof p, "%s/inside", dir);
    cr_assert_neq(stat(p, &st), 0, "the refused output folder was created");
    remove_tree(dir);
    remove_tree(out);
}

/* Re-encode one float FCS file of the calibur experiment as a FACSCalibur-style FCS 2.0 file:
 * 16-bit integers, big-endian, 1024 channels, fluorescence on a 4-decade log amplifier. */
static void reencode(const char *src, const char *dst)
{
    fcs_file *f = NULL;
    fcs_read_options ro = FCS_READ_OPTIONS_INIT;
    apo_error err;
    cr_assert_eq(fcs_file_open(&f, src, &ro, &err), APO_OK, "%s", err.msg);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    fcs_events ev;
    fcs_decode_options dec = FCS_DECODE_OPTIONS_INIT;
    cr_assert_eq(fcs_dataset_read_events(ds, &dec, &ev, &err), APO_OK, "%s", err.msg);
    size_t np = ev.n_params, n = (size_t)ev.n_events;
    cr_assert_eq(np, 6);
    fcs_builder *b = fcs_builder_new("FCS2.0");
    fcs_builder_set_datatype(b, 'I');
    fcs_builder_set_byteord(b, "4,3,2,1");
    char key[16];
    for (size_t p = 0; p < np; p++) {
        const fcs_param *pr = fcs_dataset_param(ds, p);
        fcs_builder_param(b, pr->name, 16, pr->is_time ? 65536 : 1024);
        if (pr->label[0]) {
            snprintf(key, sizeof key, "$P%zuS", p + 1);
            fcs_builder_keyword(b, key, pr->label);
        }
        if (p >= 2 && p <= 4) {
            snprintf(key, sizeof key, "$P%zuE", p + 1);
            fcs_builder_keyword(b, key, "4,0");
        }
    }
    const char *copy[] = {"$CYT", "$FIL", "TUBE NAME", "$TIMESTEP"};
    for (size_t k = 0; k < 4; k++) {
        const char *v = fcs_dataset_keyword(ds, copy[k]);
        if (v != NULL) {
            fcs_builder_keyword(b, copy[k], v);
        }
    }
    fcs_builder_keyword(b, "SPILL", fcs_dataset_keyword(ds, "$SPILLOVER"));
    double *rows = malloc(n * np * sizeof *rows);
    cr_assert_not_null(rows);
    for (size_t e = 0; e < n; e++) {
        for (size_t p = 0; p < np; p++) {
            double v = fcs_events_column(&ev, p)[e];
            if (p >= 2 && p <= 4) {
                v = v >= 1.0 ? round(256.0 * log10(v)) : 0.0; /* back to the channel number */
            }
            rows[e * np + p] = v < 0 ? 0 : v;
        }
    }
    fcs_builder_set_events(b, n, rows);
    size_t len;
    uint8_t *bytes = fcs_builder_build(b, &len);
    FILE *o = fopen(dst, "wb");
    cr_assert_not_null(o);
    cr_assert_eq(fwrite(bytes, 1, len, o), len);
    cr_assert_eq(fclose(o), 0);
    free(bytes);
    free(rows);
    fcs_builder_free(b);
    fcs_events_free(&ev);
    fcs_file_free(f);
}

Test(cli_run, calibur_as_integer_fcs2_recovers_truth)
{
    char dir[256], out[256], cmd[2048];
    temp_dir(dir, sizeof dir);
    temp_dir(out, sizeof out);
    const char *names[] = {"ctrl_unstained",   "ctrl_annexin_only", "ctrl_pi_only",
                           "untreated_r1",     "h2o2_r1",           "h2o2_asiv12.5_r1",
                           "h2o2_asiv25_r1",   "h2o2_asiv50_r1",    "h2o2_asiv100_r1",
                           "h2o2_asiv200_r1"};
    for (size_t i = 0; i < 10; i++) {
        char src[600], dst[600];
        snprintf(src, sizeof src, "%s/samples/calibur/%s.fcs", APOFLOW_SOURCE_DIR, names[i]);
        snprintf(dst, sizeof dst, "%s/%s.fcs", dir, names[i]);
        reencode(src, dst);
    }
    snprintf(cmd, sizeof cmd, "cp %s/samples/calibur/sheet.csv %s/samples/calibur/truth.csv %s/",
             APOFLOW_SOURCE_DIR, APOFLOW_SOURCE_DIR, dir);
    cr_assert_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "run %s --sheet %s/sheet.csv -o %s/r --no-plots", dir, dir, out);
    cr_assert_eq(run(cmd), 0);
    char r[300];
    snprintf(r, sizeof r, "%s/r", out);
    check_truth(r, dir, 1);
    remove_tree(dir);
    remove_tree(out);
}

Test(cli_run, absolute_inputs_relative_sheet_fixed_thresholds_no_comp)
{
    char out[256], cmd[2048];
    temp_dir(out, sizeof out);
    snprintf(cmd, sizeof cmd,
             "run %s/samples/calibur --sheet samples/calibur/sheet.csv -o %s/r "
             "--comp none --thresholds 15,10 --no-plots -q",
             APOFLOW_SOURCE_DIR, out);
    cr_assert_eq(run_in(APOFLOW_SOURCE_DIR, cmd), 0);
    char p[600];
    snprintf(p, sizeof p, "%s/r/samples.csv", out);
    table s = read_table(p);
    cr_assert_eq(s.n_rows, 10);
    for (size_t r = 0; r < s.n_rows; r++) {
        cr_assert_float_eq(num(&s, r, col(&s, "annexin_threshold")), 15.0, 1e-9);
        cr_assert_float_eq(num(&s, r, col(&s, "pi_threshold")), 10.0, 1e-9);
    }
    table_free(&s, s.n_rows + 1);
    snprintf(cmd, sizeof cmd,
             "grep -q '\"compensation\":{\"source\":\"none\"' %s/r/results.json && "
             "grep -q '\"method\":\"fixed\"' %s/r/results.json",
             out, out);
    cr_assert_eq(system(cmd), 0);
    remove_tree(out);
}

/* --no-debris-gate and --no-singlet-gate: no Cells and Singlets gates (cells = singlets = every
 * event, every sample flagged no_singlet_gate), and the choice is recorded in results.json and
 * the pre-gate description; by default both are "automatic" and each line's check is there. */
Test(cli_run, pregate_switches_are_applied_and_recorded)
{
    char out[256], args[2048], p[600];
    temp_dir(out, sizeof out);
    snprintf(args, sizeof args,
             "run %s/samples --sheet %s/samples/sheet.csv -o %s/off --no-plots -q "
             "--no-debris-gate --no-singlet-gate",
             APOFLOW_SOURCE_DIR, APOFLOW_SOURCE_DIR, out);
    cr_assert_eq(run(args), 0);
    snprintf(p, sizeof p, "%s/off/samples.csv", out);
    table s = read_table(p);
    cr_assert_gt(s.n_rows, 10);
    for (size_t r = 0; r < s.n_rows; r++) {
        cr_assert_eq(num(&s, r, col(&s, "singlets")), num(&s, r, col(&s, "events")));
        cr_assert_eq(num(&s, r, col(&s, "cells")), num(&s, r, col(&s, "events")));
        cr_assert(strstr(cell(&s, r, col(&s, "qc_flags")), "no_singlet_gate") != NULL);
    }
    table_free(&s, s.n_rows + 1);
    static char json[1 << 20];
    for (int k = 0; k < 2; k++) {
        if (k == 1) {
            snprintf(args, sizeof args, "run %s/samples --sheet %s/samples/sheet.csv -o %s/on "
                                        "--no-plots -q",
                     APOFLOW_SOURCE_DIR, APOFLOW_SOURCE_DIR, out);
            cr_assert_eq(run(args), 0);
        }
        snprintf(p, sizeof p, "%s/%s/results.json", out, k == 0 ? "off" : "on");
        FILE *f = fopen(p, "r");
        cr_assert_not_null(f);
        size_t len = fread(json, 1, sizeof json - 1, f);
        json[len] = '\0';
        fclose(f);
        if (k == 0) {
            cr_assert(strstr(json, "\"debris_gate\":false,\"debris_choice\":\"off "
                                   "(--no-debris-gate)\"") != NULL);
            cr_assert(strstr(json, "\"singlet_gate\":false,\"singlet_choice\":\"off "
                                   "(--no-singlet-gate)\"") != NULL);
            cr_assert(strstr(json, "no doublet exclusion (--no-singlet-gate)") != NULL);
        } else {
            cr_assert(strstr(json, "\"debris_gate\":true,\"debris_choice\":\"automatic\"") != NULL);
            cr_assert(strstr(json, "\"singlet_gate\":true,\"singlet_choice\":\"automatic\"") !=
                      NULL);
            cr_assert(strstr(json, "\"valley_depth\":") != NULL && strstr(json, "\"reason\":"));
            cr_assert(strstr(json, "\"in_population\":false") != NULL);
        }
    }
    remove_tree(out);
}
