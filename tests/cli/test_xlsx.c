/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_xlsx.c: results.xlsx read back by an independent reader (openpyxl, Debian's
 * python3-openpyxl, through tests/support/xlsx_dump.py): the documented sheets in order; the
 * samples, comparisons and stats sheets hold exactly the cells of the CSVs (numbers as
 * numbers equal to the CSV's doubles to 16 significant digits, booleans, text; header bold
 * and frozen; widths set);
 * the Prism sheets have the groups as columns in comparisons.csv's order and the replicates as
 * rows, on both example experiments; and the writer's rules on a crafted table (names that
 * look like numbers stay text, doses in numeric order, replicate numbers as rows with a gap,
 * no replicate numbers, a failed sample blank, controls left out, a byte that is not UTF-8).
 * Skipped (failed under CI=true) without python3-openpyxl.
 */
#include "assay/results_xlsx.h"
#include "support/json_mini.h"
#include "support/need.h"
#include "support/run_cli.h"
#include "support/slurp.h"
#include "util/csv.h"
#include "util/observer.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLES APOFLOW_SOURCE_DIR "/samples"
#define PYTHON "/usr/bin/python3"
#define OPENPYXL "/usr/lib/python3/dist-packages/openpyxl"
#define DUMP APOFLOW_SOURCE_DIR "/tests/support/xlsx_dump.py"

static const char *const sheet_names[] = {
    "samples",      "comparisons",           "stats",          "prism_viable",
    "prism_early_apoptotic", "prism_late_apoptotic", "prism_necrotic", "prism_apoptotic"};

/* The workbook @p path as openpyxl reads it. */
static json_value *dump(const char *path)
{
    test_need_path(PYTHON, "Debian's python3");
    test_need_path(OPENPYXL, "python3-openpyxl (apt-get install python3-openpyxl)");
    const char *argv[] = {PYTHON, DUMP, path, NULL};
    run_result r;
    run_cli(argv, &r);
    cr_assert_eq(r.exit_code, 0, "xlsx_dump.py %s: exit %d: %s", path, r.exit_code, r.err);
    json_value *v = json_parse(r.out, r.out_len, NULL);
    cr_assert_not_null(v, "xlsx_dump.py printed no JSON: %.200s", r.out);
    run_result_free(&r);
    return v;
}

static const json_value *table_of(const json_value *book, const char *name)
{
    const json_value *t = json_get(json_get(book, "tables"), name);
    cr_assert_not_null(t, "no sheet %s", name);
    return t;
}

static const json_value *cell(const json_value *t, size_t row, size_t col)
{
    return json_index(json_index(json_get(t, "rows"), row), col);
}

/* The sheet @p t holds exactly the cells of CSV @p csv_path; returns its header. */
static void same_as_csv(const json_value *t, const char *csv_path)
{
    size_t len, n;
    char *text = test_slurp(csv_path, &len);
    apo_csv_rec *rec = apo_csv_records(text, len, &n);
    cr_assert(rec != NULL && n > 1, "%s: no rows", csv_path);
    size_t cols = apo_csv_n_fields(rec[0]);
    const json_value *rows = json_get(t, "rows");
    cr_assert_eq(json_size(rows), n, "%s: %zu rows in the sheet, %zu records", csv_path,
                 json_size(rows), n);
    char *f = malloc(len + 1);
    for (size_t r = 0; r < n; r++) {
        cr_assert_eq(json_size(json_index(rows, r)), cols, "%s row %zu", csv_path, r);
        for (size_t c = 0; c < cols; c++) {
            apo_csv_field(rec[r], c, f, len + 1);
            const json_value *v = cell(t, r, c);
            if (f[0] == '\0') {
                cr_assert(json_is_null(v), "%s row %zu col %zu: expected blank", csv_path, r, c);
            } else if (v->type == JSON_NUMBER) {
                /* the CSV's double to the 16 significant digits the workbook stores */
                double d = NAN;
                char g16[40];
                cr_assert(apo_parse_double(f, strlen(f), false, &d), "%s: %s", csv_path, f);
                snprintf(g16, sizeof g16, "%.16g", d);
                cr_assert(strtod(g16, NULL) == v->number, "%s row %zu col %zu: %s vs %.17g",
                          csv_path, r, c, f, v->number);
            } else if (v->type == JSON_BOOL) {
                cr_assert_str_eq(f, v->boolean ? "true" : "false", "%s row %zu", csv_path, r);
            } else {
                cr_assert(v->type == JSON_STRING, "%s row %zu col %zu: type %d", csv_path, r, c,
                          (int)v->type);
                cr_assert_str_eq(v->string, f, "%s row %zu col %zu", csv_path, r, c);
            }
        }
    }
    free(f);
    free(rec);
    free(text);
}

/* The index of column @p name in row 0 of sheet @p t. */
static size_t column(const json_value *t, const char *name)
{
    const json_value *h = json_index(json_get(t, "rows"), 0);
    for (size_t c = 0; c < json_size(h); c++) {
        if (strcmp(json_string(json_index(h, c)) ? json_string(json_index(h, c)) : "", name) == 0) {
            return c;
        }
    }
    cr_assert_fail("no column %s", name);
    return 0;
}

/* The row of sample @p name in the samples sheet. */
static size_t sample_row(const json_value *samples, const char *name)
{
    const json_value *rows = json_get(samples, "rows");
    for (size_t r = 1; r < json_size(rows); r++) {
        const char *s = json_string(cell(samples, r, 0));
        if (s != NULL && strcmp(s, name) == 0) {
            return r;
        }
    }
    cr_assert_fail("no sample %s", name);
    return 0;
}

static void run_ok(const char *const *argv)
{
    run_result r;
    run_cli(argv, &r);
    cr_assert_eq(r.exit_code, 0, "%s %s: exit %d: %s", argv[1], argv[2], r.exit_code, r.err);
    run_result_free(&r);
}

/* Sheet prism_<endpoint> has the columns @p titles and row r of column g the endpoint of
 * sample names[g][r] (NULL: a blank cell) from the samples sheet. */
static void prism_layout(const json_value *book, size_t n_groups, const char *const *titles,
                         size_t n_rows, const char *const *names)
{
    const json_value *samples = table_of(book, "samples");
    for (int k = 0; k < ASSAY_XLSX_N_ENDPOINTS; k++) {
        const char *col = assay_xlsx_endpoint_column(k);
        char name[64];
        snprintf(name, sizeof name, "prism_%.*s", (int)strlen(col) - 4, col);
        const json_value *t = table_of(book, name);
        cr_assert_eq(json_size(json_get(t, "rows")), n_rows + 1, "%s rows", name);
        cr_assert_str_eq(json_string(json_get(t, "freeze")), "A2", "%s", name);
        cr_assert(json_bool(json_get(t, "header_bold"), false), "%s", name);
        size_t c_val = column(samples, col);
        for (size_t g = 0; g < n_groups; g++) {
            cr_assert_str_eq(json_string(cell(t, 0, g)), titles[g], "%s column %zu", name, g);
            for (size_t r = 0; r < n_rows; r++) {
                const char *s = names[g * n_rows + r];
                const json_value *v = cell(t, r + 1, g);
                if (s == NULL) {
                    cr_assert(json_is_null(v), "%s %s row %zu: expected blank", name, titles[g],
                              r + 1);
                    continue;
                }
                const json_value *want = cell(samples, sample_row(samples, s), c_val);
                cr_assert(v != NULL && v->type == JSON_NUMBER && want->type == JSON_NUMBER &&
                              v->number == want->number,
                          "%s %s row %zu: expected %s's %s", name, titles[g], r + 1, s, col);
            }
        }
        cr_assert_eq(json_size(json_index(json_get(t, "rows"), 0)), n_groups, "%s columns", name);
    }
}

Test(cli_xlsx, run_and_merge_write_the_csv_tables_and_prism_sheets)
{
    char *dir = test_tmpdir();
    char out[4096], path[4200];
    snprintf(out, sizeof out, "%s/run", dir);
    const char *a[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/sheet.csv", "--no-plots",
                       "-q", "-o", out, NULL};
    run_ok(a);
    snprintf(path, sizeof path, "%s/manifest.json", out);
    json_value *manifest = json_parse_file(path);
    bool listed = false;
    for (size_t i = 0; i < json_size(json_get(manifest, "files")); i++) {
        const char *s = json_string(json_index(json_get(manifest, "files"), i));
        listed = listed || (s != NULL && strcmp(s, "results.xlsx") == 0);
    }
    cr_assert(listed, "results.xlsx is not in manifest.json");
    json_free(manifest);
    snprintf(path, sizeof path, "%s/results.xlsx", out);
    json_value *book = dump(path);
    const json_value *names = json_get(book, "sheets");
    cr_assert_eq(json_size(names), sizeof sheet_names / sizeof *sheet_names);
    for (size_t i = 0; i < json_size(names); i++) {
        cr_assert_str_eq(json_string(json_index(names, i)), sheet_names[i]);
    }
    static const char *const csv[3] = {"samples", "comparisons", "stats"};
    for (int i = 0; i < 3; i++) {
        const json_value *t = table_of(book, csv[i]);
        snprintf(path, sizeof path, "%s/%s.csv", out, csv[i]);
        same_as_csv(t, path);
        cr_assert(json_bool(json_get(t, "header_bold"), false), "%s: header not bold", csv[i]);
        cr_assert_str_eq(json_string(json_get(t, "freeze")), i == 0 ? "B2" : "A2", "%s", csv[i]);
        const json_value *w = json_get(t, "widths");
        for (size_t c = 0; c < json_size(w); c++) {
            double wc = json_number(json_index(w, c), 0);
            cr_assert(wc >= 8 && wc <= 64, "%s column %zu width %g", csv[i], c, wc);
        }
    }
    /* the cell types: numbers, booleans and names */
    const json_value *s = table_of(book, "samples"), *c = table_of(book, "comparisons");
    cr_assert_eq(cell(s, 1, column(s, "apoptotic_pct"))->type, JSON_NUMBER);
    cr_assert_eq(cell(s, 1, column(s, "events"))->type, JSON_NUMBER);
    cr_assert_eq(cell(s, 1, column(s, "sample"))->type, JSON_STRING);
    cr_assert_eq(cell(c, 1, column(c, "replicates"))->type, JSON_BOOL);
    cr_assert_eq(cell(c, 1, column(c, "p_value"))->type, JSON_NUMBER);
    cr_assert_eq(cell(c, 1, column(c, "statistic"))->type, JSON_NUMBER);
    cr_assert_eq(cell(table_of(book, "stats"), 1, 4)->type, JSON_NUMBER);
    cr_assert(json_number(json_index(json_get(s, "widths"), 0), 0) >= 15, "sample column");
    /* Prism: untreated, stimulus, the doses in increasing order; replicates 1-3 as rows */
    static const char *const titles[] = {"untreated", "H2O2", "AS-IV 50 mg/L", "AS-IV 100 mg/L",
                                         "AS-IV 200 mg/L"};
    static const char *const members[] = {
        "untreated_r1",    "untreated_r2",    "untreated_r3",    "h2o2_r1",
        "h2o2_r2",         "h2o2_r3",         "h2o2_asiv50_r1",  "h2o2_asiv50_r2",
        "h2o2_asiv50_r3",  "h2o2_asiv100_r1", "h2o2_asiv100_r2", "h2o2_asiv100_r3",
        "h2o2_asiv200_r1", "h2o2_asiv200_r2", "h2o2_asiv200_r3"};
    prism_layout(book, 5, titles, 3, members);
    json_free(book);
    /* the merge of shards writes the same workbook, byte for byte */
    char prep[4200], gating[4300], merged[4200], s1[4200], s2[4200], single[4200];
    snprintf(prep, sizeof prep, "%s/prep", dir);
    snprintf(gating, sizeof gating, "%s/gating.xml", prep);
    snprintf(merged, sizeof merged, "%s/merged", dir);
    snprintf(single, sizeof single, "%s/single", dir);
    snprintf(s1, sizeof s1, "%s/s1", dir);
    snprintf(s2, sizeof s2, "%s/s2", dir);
    const char *a_prep[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/sheet.csv",
                            "--controls-only", "--no-plots", "-q", "-o", prep, NULL};
    run_ok(a_prep);
    const char *a_single[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/sheet.csv", "--gating",
                              gating, "--no-plots", "-q", "-o", single, NULL};
    run_ok(a_single);
    const char *a_s1[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/sheet.csv", "--gating",
                          gating, "--shard", "1/2", "--no-plots", "-q", "-o", s1, NULL};
    const char *a_s2[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/sheet.csv", "--gating",
                          gating, "--shard", "2/2", "--no-plots", "-q", "-o", s2, NULL};
    run_ok(a_s1);
    run_ok(a_s2);
    const char *a_merge[] = {APOFLOW_BINARY, "merge", "-q", "--no-report", "-o", merged, s1, s2,
                             NULL};
    run_ok(a_merge);
    char p1[4300], p2[4300];
    snprintf(p1, sizeof p1, "%s/results.xlsx", single);
    snprintf(p2, sizeof p2, "%s/results.xlsx", merged);
    size_t n1, n2;
    char *x1 = test_slurp(p1, &n1), *x2 = test_slurp(p2, &n2);
    cr_assert(n1 > 1000 && n1 == n2 && memcmp(x1, x2, n1) == 0,
              "results.xlsx of the merge differs from the single run's");
    free(x1);
    free(x2);
    free(dir);
}

Test(cli_xlsx, prism_sheet_of_a_dose_series_without_replicates)
{
    char *dir = test_tmpdir();
    char path[4200];
    const char *a[] = {APOFLOW_BINARY, "run", "--sheet", SAMPLES "/calibur/sheet.csv",
                       "--no-plots", "-q", "-o", dir, NULL};
    run_ok(a);
    snprintf(path, sizeof path, "%s/results.xlsx", dir);
    json_value *book = dump(path);
    static const char *const titles[] = {"untreated",     "H2O2",          "AS-IV 12.5 mg/L",
                                         "AS-IV 25 mg/L", "AS-IV 50 mg/L", "AS-IV 100 mg/L",
                                         "AS-IV 200 mg/L"};
    static const char *const members[] = {"untreated_r1",    "h2o2_r1",         "h2o2_asiv12.5_r1",
                                          "h2o2_asiv25_r1",  "h2o2_asiv50_r1",  "h2o2_asiv100_r1",
                                          "h2o2_asiv200_r1"};
    prism_layout(book, 7, titles, 1, members);
    json_free(book);
    free(dir);
}

static void write_text(const char *dir, const char *name, const char *text)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

/* The warnings an observer receives, joined. */
static void keep_note(void *ctx, apo_note_kind kind, const char *msg)
{
    char *buf = ctx;
    size_t n = strlen(buf);
    snprintf(buf + n, 4096 - n, "%s%s\n", kind == APO_NOTE_WARNING ? "warning: " : "", msg);
}

Test(cli_xlsx, writer_rules_on_a_crafted_table)
{
    char *dir = test_tmpdir();
    /* sample names that look like numbers; untreated replicates 1 and 3 (row 2 blank); doses
     * 10 and 2 (numeric order: 2 first); the 10 group without replicate numbers; a failed
     * sample (blank); a control and an unknown role left out; a Latin-1 byte (0xB5) */
    write_text(dir, "samples.csv",
               "sample,file,role,treatment,dose,dose_unit,replicate,viable_pct,"
               "early_apoptotic_pct,late_apoptotic_pct,necrotic_pct,apoptotic_pct,qc_detail\n"
               "7,a.fcs,untreated,,,,1,90,4,3,3,7,\n"
               "8,b.fcs,untreated,,,,3,91,3,3,3,6,\n"
               "c,c.fcs,unstained,,,,1,99,0,0,1,0,\n"
               "s,s.fcs,stimulus,H2O2,,,1,50,30,15,5,45,\n"
               "t10a,d.fcs,treated,drug,10,uM,,70,15,10,5,25,\n"
               "t10b,e.fcs,treated,drug,10,uM,,72,14,9,5,23,\n"
               "t2,f.fcs,treated,drug,2,uM,1,60,20,12,8,32,dose 2 \xb5M\n"
               "t2f,g.fcs,treated,drug,2,uM,2,,,,,,\n"
               "u,h.fcs,,,,,1,1,1,1,1,2,\n");
    write_text(dir, "comparisons.csv", "treatment,p_value,replicates\ndrug,0.25,false\n");
    write_text(dir, "stats.csv", "sample,population,statistic,channel,value\n7,cells,count,,12\n");
    apo_error err;
    char notes[4096] = "";
    apo_observer obs = {.ctx = notes, .note = keep_note};
    cr_assert_eq(assay_write_results_xlsx(dir, &obs, &err), APO_OK, "%s", err.msg);
    cr_assert_not_null(strstr(notes, "warning: results.xlsx: sheet samples: 1 text had bytes "
                                     "that are not UTF-8"),
                       "%s", notes);
    cr_assert_null(strstr(notes, "prism"), "%s", notes);
    char path[4200];
    snprintf(path, sizeof path, "%s/results.xlsx", dir);
    json_value *book = dump(path);
    const json_value *s = table_of(book, "samples");
    cr_assert_eq(cell(s, 1, 0)->type, JSON_STRING, "a sample named 7 is text");
    cr_assert_str_eq(json_string(cell(s, 1, 0)), "7");
    cr_assert_eq(cell(s, 1, 6)->type, JSON_NUMBER, "replicate");
    cr_assert_str_eq(json_string(cell(s, 7, 12)), "dose 2 \xef\xbf\xbdM", "not UTF-8: U+FFFD");
    cr_assert_eq(cell(table_of(book, "comparisons"), 1, 2)->type, JSON_BOOL);
    cr_assert_eq(cell(table_of(book, "stats"), 1, 0)->type, JSON_STRING, "sample 7 in stats");
    cr_assert_eq(cell(table_of(book, "stats"), 1, 4)->type, JSON_NUMBER);
    static const char *const titles[] = {"untreated", "H2O2", "drug 2 uM", "drug 10 uM"};
    static const char *const members[] = {"7",    NULL,   "8", "s",  NULL, NULL,
                                          "t2",   NULL,   NULL, "t10a", "t10b", NULL};
    prism_layout(book, 4, titles, 3, members);
    json_free(book);
    free(dir);
}
