/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_gate_cli.c: end-to-end tests of `apoflow gate` on the Gating-ML compliance data
 * (data1.fcs + gml_all_gates.xml): the CSV and JSON reports carry the compliance counts,
 * percentages and medians computed independently here; --membership agrees with the truth
 * files; a bad file in a batch is reported while the others are processed (exit 65).
 */
#include "fcs/fcs.h"
#include "support/json_mini.h"
#include "support/need.h"
#include "support/run_cli.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define GML APOFLOW_CORPUS_DIR "/gating-ml"
#define DATA1 GML "/data1.fcs"
#define ALL_GATES GML "/gml/gml_all_gates.xml"

static void need_corpus(void)
{
    test_need_path(DATA1, "the Gating-ML corpus");
}

/* The CSV line of @p population (second field), copied into @p line; false if absent. */
static bool find_row(const char *csv, const char *population, char *line, size_t cap)
{
    const char *p = csv;
    while (p != NULL && *p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        const char *c1 = memchr(p, ',', len);
        if (c1 != NULL) {
            const char *c2 = memchr(c1 + 1, ',', len - (size_t)(c1 + 1 - p));
            size_t plen = strlen(population);
            if (c2 != NULL && (size_t)(c2 - c1 - 1) == plen && memcmp(c1 + 1, population, plen) == 0) {
                if (len >= cap) {
                    return false;
                }
                memcpy(line, p, len);
                line[len] = '\0';
                return true;
            }
        }
        p = eol ? eol + 1 : NULL;
    }
    return false;
}

/* Field @p k (0-based) of a CSV line without quoted fields. */
static void field(const char *line, int k, char *out, size_t cap)
{
    const char *p = line;
    for (int i = 0; i < k && p != NULL; i++) {
        p = strchr(p, ',');
        p = p ? p + 1 : NULL;
    }
    cr_assert_not_null(p);
    size_t n = strcspn(p, ",");
    cr_assert_lt(n, cap);
    memcpy(out, p, n);
    out[n] = '\0';
}

static double field_num(const char *line, int k)
{
    char buf[64];
    field(line, k, buf, sizeof(buf));
    double v;
    cr_assert(apo_parse_double(buf, strlen(buf), true, &v), "field %d: %s", k, buf);
    return v;
}

/* Median of FSC-H (scale values) over the events of a truth file, computed independently. */
static double truth_median_fsc(const char *gate_id)
{
    fcs_file *f = NULL;
    apo_error err;
    cr_assert_eq(fcs_file_open(&f, DATA1, NULL, &err), APO_OK, "%s", err.msg);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    fcs_decode_options o = FCS_DECODE_OPTIONS_INIT;
    o.values = FCS_VALUES_SCALED;
    o.apply_gain = true;
    fcs_events ev;
    cr_assert_eq(fcs_dataset_read_events(ds, &o, &ev, &err), APO_OK);
    size_t p = fcs_dataset_find_param(ds, "FSC-H");
    char path[512];
    snprintf(path, sizeof(path), GML "/truth/Results_%s.txt", gate_id);
    FILE *fp = fopen(path, "r");
    cr_assert_not_null(fp);
    double *v = malloc(ev.n_events * sizeof(double));
    size_t n = 0, e = 0;
    int ch;
    while ((ch = fgetc(fp)) != EOF) {
        if (ch == '0' || ch == '1') {
            if (ch == '1') {
                v[n++] = fcs_events_column(&ev, p)[e];
            }
            e++;
        }
    }
    fclose(fp);
    /* insertion sort is fine for a few hundred values */
    for (size_t i = 1; i < n; i++) {
        double x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
    double med = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    free(v);
    fcs_events_free(&ev);
    fcs_file_free(f);
    return med;
}

Test(cli_gate, csv_report_has_compliance_counts_and_medians)
{
    need_corpus();
    const char *argv[] = {APOFLOW_BINARY, "gate", DATA1, "--gating", ALL_GATES, "--format",
                          "csv", NULL};
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 0, "stderr: %s", r.err);
    cr_assert(strncmp(r.out, "file,population,parent,count,pct_parent,pct_total,median_", 57) == 0,
              "header: %.120s", r.out);
    cr_assert(strstr(r.out, ",median_FSC-H,") != NULL);
    cr_assert(strstr(r.out, ",median_Comp-FL2-H,") != NULL);
    cr_assert(strstr(r.out, ",median_MySpill:PE") != NULL);
    cr_assert(strstr(r.out, ",median_FL2Rat1") != NULL);
    char line[4096];
    struct {
        const char *pop;
        unsigned long long n;
    } expect[] = {{"Range1", 440},        {"Polygon3NS", 1325},   {"Ellipse1", 203},
                  {"FL2P-FL4P", 620},     {"FSCD-FL1P", 2978},    {"RatRange1a", 7865},
                  {"ScaleRange8c", 6263}, {"Polygon1/ParAnd2", 12}, {"Range1/ParAnd3", 120},
                  {"ScaleRect1/ScalePar1", 558}, {"Or2", 8283}};
    for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
        cr_assert(find_row(r.out, expect[i].pop, line, sizeof(line)), "no row %s", expect[i].pop);
        cr_assert_eq((unsigned long long)field_num(line, 3), expect[i].n, "%s: %s", expect[i].pop,
                     line);
        cr_assert_float_eq(field_num(line, 5), 100.0 * (double)expect[i].n / 13367.0, 1e-9);
    }
    cr_assert(find_row(r.out, "ScaleRect1/ScalePar1", line, sizeof(line)));
    char parent[64];
    field(line, 2, parent, sizeof(parent));
    cr_assert_str_eq(parent, "ScaleRect1");
    cr_assert_float_eq(field_num(line, 4), 100.0 * 558.0 / 809.0, 1e-9);
    /* The FSC-H median of Range1 (column 6 is the first dimension, FSC-H) */
    cr_assert(find_row(r.out, "Range1", line, sizeof(line)));
    cr_assert_float_eq(field_num(line, 6), truth_median_fsc("Range1"), 1e-9);
    run_result_free(&r);
}

Test(cli_gate, json_report_and_membership_file)
{
    need_corpus();
    char *dir = test_tmpdir();
    char out[512], mem[512];
    snprintf(out, sizeof(out), "%s/pops.json", dir);
    snprintf(mem, sizeof(mem), "%s/member.csv", dir);
    const char *argv[] = {APOFLOW_BINARY, "gate", DATA1, "--gating", ALL_GATES, "-o", out,
                          "--membership", mem, NULL};
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 0, "stderr: %s", r.err);
    json_value *root = json_parse_file(out);
    cr_assert_not_null(root);
    cr_assert_eq(json_size(root), 49);
    const json_value *first = json_index(root, 0);
    cr_assert_str_eq(json_string(json_get(first, "population")), "Range1");
    cr_assert_str_eq(json_string(json_get(first, "parent")), "");
    cr_assert_eq(json_number(json_get(first, "count"), -1), 440);
    cr_assert_float_eq(json_number(json_get(first, "median_FSC-H"), NAN),
                       truth_median_fsc("Range1"), 1e-9);
    json_free(root);
    /* membership: header of 49 population paths, 13367 rows; column Range1 = truth */
    FILE *fp = fopen(mem, "r");
    cr_assert_not_null(fp);
    char *line = NULL;
    size_t cap = 0;
    cr_assert_gt(getline(&line, &cap, fp), 0);
    cr_assert(strncmp(line, "Range1,Rectangle1,Rectangle2,Polygon1,", 38) == 0, "%s", line);
    FILE *tf = fopen(GML "/truth/Results_Range1.txt", "r");
    cr_assert_not_null(tf);
    size_t rows = 0, mismatch = 0;
    char tl[16];
    while (getline(&line, &cap, fp) > 0) {
        cr_assert_not_null(fgets(tl, sizeof(tl), tf));
        mismatch += line[0] != tl[0];
        rows++;
    }
    fclose(tf);
    fclose(fp);
    free(line);
    cr_assert_eq(rows, 13367);
    cr_assert_eq(mismatch, 0);
    unlink(out);
    unlink(mem);
    rmdir(dir);
    free(dir);
    run_result_free(&r);
}

Test(cli_gate, batch_reports_bad_file_and_continues)
{
    need_corpus();
    const char *argv[] = {APOFLOW_BINARY, "gate", ALL_GATES, DATA1, "--gating", ALL_GATES,
                          "--format", "csv", NULL};
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 65, "stderr: %s", r.err);
    cr_assert(strstr(r.err, "gml_all_gates.xml") != NULL, "%s", r.err);
    cr_assert(strstr(r.out, "data1.fcs,Range1,,440,") != NULL, "%.300s", r.out);
    run_result_free(&r);
}

Test(cli_gate, table_help_and_usage_errors)
{
    need_corpus();
    const char *argv[] = {APOFLOW_BINARY, "gate", DATA1, "--gating", GML "/gml/gml_quadrant1_gate.xml",
                          "--comp", "none", NULL};
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 0, "stderr: %s", r.err);
    cr_assert(strstr(r.out, "population") != NULL);
    cr_assert(strstr(r.out, "FL2P-FL4P") != NULL);
    cr_assert(strstr(r.out, " 620 ") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "38.51") != NULL, "%s", r.out); /* 5148 / 13367 */
    run_result_free(&r);
    const char *help[] = {APOFLOW_BINARY, "gate", "--help", NULL};
    cr_assert_eq(run_cli(help, &r), 0);
    const char *opts[] = {"--gating", "--comp", "--format", "--output", "--membership",
                          "--dataset", "default auto", "default 1"};
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
        cr_assert(strstr(r.out, opts[i]) != NULL, "help lacks %s", opts[i]);
    }
    run_result_free(&r);
    const char *nogating[] = {APOFLOW_BINARY, "gate", DATA1, NULL};
    cr_assert_eq(run_cli(nogating, &r), 64);
    run_result_free(&r);
    const char *badfmt[] = {APOFLOW_BINARY, "gate", DATA1, "--gating", ALL_GATES, "--format",
                            "xml", NULL};
    cr_assert_eq(run_cli(badfmt, &r), 64);
    run_result_free(&r);
    const char *missing[] = {APOFLOW_BINARY, "gate", DATA1, "--gating", "/nonexistent.xml", NULL};
    cr_assert_eq(run_cli(missing, &r), 66);
    cr_assert(strstr(r.err, "/nonexistent.xml") != NULL);
    run_result_free(&r);
}

/* --comp MATRIX.csv replaces the file's (absent) spillover for compensation-ref="FCS": with
 * the compliance MySpill matrix, Polygon1 (FL2-H x FL3-H, "FCS") becomes Polygon4 (716). */
Test(cli_gate, comp_csv_matrix_is_used_for_fcs_refs)
{
    need_corpus();
    char *dir = test_tmpdir();
    char csv[512];
    snprintf(csv, sizeof(csv), "%s/myspill.csv", dir);
    FILE *fp = fopen(csv, "w");
    cr_assert_not_null(fp);
    fputs("FL1-H,FL2-H,FL3-H\n1,0.02,0.06\n0.11,1,0.07\n0.09,0.01,1\n", fp);
    cr_assert_eq(fclose(fp), 0);
    const char *argv[] = {APOFLOW_BINARY, "gate", DATA1, "--gating", GML "/gml/gml_poly1_gate.xml",
                          "--comp", csv, "--format", "csv", NULL};
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 0, "stderr: %s", r.err);
    char line[1024];
    cr_assert(find_row(r.out, "Polygon1", line, sizeof(line)), "%s", r.out);
    cr_assert_eq(field_num(line, 3), 716, "%s", line);
    run_result_free(&r);
    const char *none[] = {APOFLOW_BINARY, "gate", DATA1, "--gating", GML "/gml/gml_poly1_gate.xml",
                          "--comp", "none", "--format", "csv", NULL};
    cr_assert_eq(run_cli(none, &r), 0, "stderr: %s", r.err);
    cr_assert(find_row(r.out, "Polygon1", line, sizeof(line)));
    cr_assert_eq(field_num(line, 3), 1582, "%s", line);
    run_result_free(&r);
    const char *bad[] = {APOFLOW_BINARY, "gate", DATA1, "--gating", GML "/gml/gml_poly1_gate.xml",
                         "--comp", "/nonexistent/m.csv", NULL};
    cr_assert_eq(run_cli(bad, &r), 66, "stderr: %s", r.err);
    run_result_free(&r);
    unlink(csv);
    rmdir(dir);
    free(dir);
}
