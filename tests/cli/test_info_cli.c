/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_info_cli.c: end-to-end tests of `apoflow info` and `apoflow export`: the binary's
 * JSON parses and agrees with the library and the corpus references, exports read back to
 * exactly the library's values, and bad input gets the documented exit codes and messages.
 */
#include "fcs/fcs.h"
#include "support/need.h"
#include "support/json_mini.h"
#include "support/run_cli.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define INT_FILE "fcs/fcsparser/Sample_Well_A02.fcs"
#define FLOAT_FILE "fcs/fcsparser/FCS_3.0_Fortessa_PBS_Specimen_001_A1_A01.fcs"

static char *corpus_path(const char *rel)
{
    static const char *dir = APOFLOW_CORPUS_DIR;
    test_need_path(dir, "the shared corpus");
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", dir, rel);
    return p;
}

static fcs_file *open_lib(const char *path)
{
    fcs_file *f = NULL;
    fcs_read_options o = FCS_READ_OPTIONS_INIT;
    apo_error err;
    cr_assert_eq(fcs_file_open(&f, path, &o, &err), APO_OK, "%s", err.msg);
    return f;
}

Test(cli_info, json_matches_library_and_reference)
{
    char *path = corpus_path(INT_FILE);
    const char *argv[] = {APOFLOW_BINARY, "info", "--json", path, NULL};
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 0, "stderr: %s", r.err);
    json_value *root = json_parse(r.out, r.out_len, NULL);
    cr_assert_not_null(root, "info --json output is not JSON: %.200s", r.out);
    cr_assert_str_eq(json_string(json_get(root, "file")), path);
    cr_assert_str_eq(json_string(json_get(root, "version")), "FCS2.0");
    const json_value *ds = json_index(json_get(root, "datasets"), 0);
    cr_assert_eq(json_number(json_get(ds, "events"), -1), 37395);
    cr_assert_str_eq(json_string(json_get(ds, "datatype")), "I");
    cr_assert_str_eq(json_string(json_get(ds, "byteord")), "4,3,2,1");
    const json_value *params = json_get(ds, "parameters");
    cr_assert_eq(json_size(params), 8);

    fcs_file *f = open_lib(path);
    const fcs_dataset *lib = fcs_file_dataset(f, 0);
    for (size_t p = 0; p < 8; p++) {
        const fcs_param *pr = fcs_dataset_param(lib, p);
        const json_value *jp = json_index(params, p);
        cr_assert_str_eq(json_string(json_get(jp, "name")), pr->name);
        cr_assert_eq((unsigned)json_number(json_get(jp, "bits"), -1), pr->bits);
    }
    cr_assert_str_eq(json_string(json_get(json_get(ds, "keywords"), "$PAR")), "8");
    cr_assert(json_get(ds, "spillover") != NULL);
    cr_assert(json_get(ds, "warnings") != NULL);
    fcs_file_free(f);
    json_free(root);
    run_result_free(&r);
    free(path);
}

Test(cli_info, stats_agree_with_reference_means)
{
    char *path = corpus_path(INT_FILE);
    size_t n = strlen(path) + 32;
    char *ref_path = malloc(n);
    snprintf(ref_path, n, "%s.expected.json", path);
    json_value *ref = json_parse_file(ref_path);
    cr_assert_not_null(ref);
    const json_value *ref_stats = json_get(json_index(json_get(ref, "datasets"), 0),
                                           "channel_stats");
    cr_assert_not_null(ref_stats);

    const char *argv[] = {APOFLOW_BINARY, "info", "--json", "--stats", path, NULL};
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 0, "stderr: %s", r.err);
    json_value *root = json_parse(r.out, r.out_len, NULL);
    cr_assert_not_null(root);
    const json_value *params = json_get(json_index(json_get(root, "datasets"), 0), "parameters");
    for (size_t p = 0; p < json_size(params); p++) {
        const json_value *jp = json_index(params, p);
        const char *name = json_string(json_get(jp, "name"));
        const json_value *st = json_get(jp, "stats");
        /* The reference keys channel_stats by channel name or lists them in order. */
        const json_value *rs = ref_stats->type == JSON_OBJECT ? json_get(ref_stats, name)
                                                              : json_index(ref_stats, p);
        cr_assert_not_null(rs, "no reference stats for %s", name);
        double mean = json_number(json_get(st, "mean"), NAN);
        double ref_mean = json_number(json_get(rs, "mean"), NAN);
        cr_assert_float_eq(mean, ref_mean, 1e-9 * fmax(1.0, fabs(ref_mean)), "%s", name);
        cr_assert_float_eq(json_number(json_get(st, "min"), NAN),
                           json_number(json_get(rs, "min"), NAN), 1e-9, "%s", name);
        cr_assert_float_eq(json_number(json_get(st, "max"), NAN),
                           json_number(json_get(rs, "max"), NAN), 1e-9, "%s", name);
        cr_assert_eq(json_number(json_get(st, "nan"), -1), 0);
    }
    json_free(root);
    json_free(ref);
    run_result_free(&r);
    free(ref_path);
    free(path);
}

Test(cli_info, human_output_names_parameters)
{
    char *path = corpus_path(FLOAT_FILE);
    const char *argv[] = {APOFLOW_BINARY, "info", path, NULL};
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 0, "stderr: %s", r.err);
    cr_assert(strstr(r.out, "11585 events") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "$DATATYPE F") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "spillover") != NULL);
    cr_assert(strstr(r.out, "FSC-A") != NULL);
    run_result_free(&r);
    free(path);
}

Test(cli_info, bad_input_exit_codes)
{
    char *neg = corpus_path("fcs/fcsparser/corrupted.fcs");
    char *good = corpus_path(INT_FILE);
    const char *argv[] = {APOFLOW_BINARY, "info", neg, good, NULL};
    run_result r;
    /* The bad file is reported, the good one still described, and the run exits 65. */
    cr_assert_eq(run_cli(argv, &r), 65, "stderr: %s", r.err);
    cr_assert(strstr(r.err, "corrupted.fcs") != NULL, "%s", r.err);
    cr_assert(strstr(r.out, "37395 events") != NULL);
    run_result_free(&r);

    const char *missing[] = {APOFLOW_BINARY, "info", "/nonexistent/dir/x.fcs", NULL};
    cr_assert_eq(run_cli(missing, &r), 66);
    cr_assert(strstr(r.err, "/nonexistent/dir/x.fcs") != NULL, "%s", r.err);
    run_result_free(&r);

    const char *usage[] = {APOFLOW_BINARY, "info", "--no-such-option", good, NULL};
    cr_assert_eq(run_cli(usage, &r), 64);
    run_result_free(&r);
    const char *nothing[] = {APOFLOW_BINARY, "info", NULL};
    cr_assert_eq(run_cli(nothing, &r), 64);
    run_result_free(&r);
    const char *unknown[] = {APOFLOW_BINARY, "frobnicate", NULL};
    cr_assert_eq(run_cli(unknown, &r), 64);
    run_result_free(&r);
    free(neg);
    free(good);
}

/* Parse one CSV row of numbers; returns how many were read. */
static size_t parse_row(const char *line, double *out, size_t max)
{
    size_t n = 0;
    const char *p = line;
    while (n < max && *p && *p != '\n') {
        char *end = NULL;
        out[n++] = strtod(p, &end);
        p = end;
        if (*p == ',' || *p == '\t') {
            p++;
        }
    }
    return n;
}

Test(cli_export, csv_reads_back_exactly)
{
    char *path = corpus_path(FLOAT_FILE);
    char *dir = test_tmpdir();
    char out[4096];
    snprintf(out, sizeof(out), "%s/events.csv", dir);
    const char *argv[] = {APOFLOW_BINARY, "export", path, "-o", out, NULL};
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 0, "stderr: %s", r.err);
    run_result_free(&r);

    fcs_file *f = open_lib(path);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    fcs_events ev;
    fcs_decode_options dopt = FCS_DECODE_OPTIONS_INIT;
    cr_assert_eq(fcs_dataset_read_events(ds, &dopt, &ev, NULL), APO_OK);

    FILE *fp = fopen(out, "r");
    cr_assert_not_null(fp);
    static char line[1 << 16];
    cr_assert_not_null(fgets(line, sizeof(line), fp));
    cr_assert(strncmp(line, fcs_dataset_param(ds, 0)->name,
                      strlen(fcs_dataset_param(ds, 0)->name)) == 0, "header: %s", line);
    uint64_t rows = 0;
    double vals[64];
    while (fgets(line, sizeof(line), fp) != NULL) {
        size_t n = parse_row(line, vals, 64);
        cr_assert_eq(n, ev.n_params, "row %llu", (unsigned long long)rows);
        for (size_t p = 0; p < n; p++) {
            cr_assert(vals[p] == ev.values[p * ev.n_events + rows], "row %llu col %zu",
                      (unsigned long long)rows, p);
        }
        rows++;
    }
    cr_assert_eq(rows, ev.n_events);
    fclose(fp);
    fcs_events_free(&ev);
    fcs_file_free(f);
    free(dir);
    free(path);
}

Test(cli_export, fcs_round_trip_keeps_values)
{
    char *path = corpus_path(INT_FILE);
    char *dir = test_tmpdir();
    char out[4096];
    snprintf(out, sizeof(out), "%s/copy.fcs", dir);
    const char *argv[] = {APOFLOW_BINARY, "export", path, "-o", out, "--format", "fcs", NULL};
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 0, "stderr: %s", r.err);
    /* The FACSCalibur file has log-amplified columns: float data cannot carry $PnE, so they
     * are written linearized (said on stderr) and, being computed, as float64. */
    cr_assert(strstr(r.err, "written linearized") != NULL, "stderr: %s", r.err);
    run_result_free(&r);

    fcs_file *a = open_lib(path), *b = open_lib(out);
    const fcs_dataset *da = fcs_file_dataset(a, 0), *db = fcs_file_dataset(b, 0);
    cr_assert_eq(fcs_dataset_n_events(da), fcs_dataset_n_events(db));
    cr_assert_eq(fcs_dataset_n_params(da), fcs_dataset_n_params(db));
    cr_assert_eq(fcs_dataset_datatype(db), FCS_DATATYPE_DOUBLE);
    fcs_events ea, eb;
    fcs_decode_options dopt = FCS_DECODE_OPTIONS_INIT;
    dopt.values = FCS_VALUES_SCALED;
    cr_assert_eq(fcs_dataset_read_events(da, &dopt, &ea, NULL), APO_OK);
    cr_assert_eq(fcs_dataset_read_events(db, &dopt, &eb, NULL), APO_OK);
    /* The copy's scaled values are the source's, bit for bit. */
    for (size_t i = 0; i < ea.n_events * ea.n_params; i++) {
        cr_assert(ea.values[i] == eb.values[i], "value %zu: %g vs %g", i, ea.values[i],
                  eb.values[i]);
    }
    cr_assert_str_eq(fcs_dataset_param(db, 0)->name, fcs_dataset_param(da, 0)->name);
    fcs_events_free(&ea);
    fcs_events_free(&eb);
    fcs_file_free(a);
    fcs_file_free(b);
    free(dir);
    free(path);
}

Test(cli_export, refuses_bad_options_without_writing)
{
    char *path = corpus_path(INT_FILE);
    char *dir = test_tmpdir();
    char out[4096];
    snprintf(out, sizeof(out), "%s/x.csv", dir);
    const char *argv[] = {APOFLOW_BINARY, "export", path, "-o", out, "--values", "cooked", NULL};
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 64);
    cr_assert(strstr(r.err, "--values") != NULL, "%s", r.err);
    struct stat st;
    cr_assert_neq(stat(out, &st), 0, "no output may be written on a usage error");
    run_result_free(&r);
    free(dir);
    free(path);
}

Test(cli_info, duplicate_names_rejected_unless_renamed)
{
    char *path = corpus_path("fcs/facejava/invalid-duplicate_parameter_name.fcs");
    char *dir = test_tmpdir();
    char png[4096];
    snprintf(png, sizeof(png), "%s/d.png", dir);
    run_result r;
    const char *info[] = {APOFLOW_BINARY, "info", path, NULL};
    cr_assert_eq(run_cli(info, &r), 65);
    cr_assert(strstr(r.err, "expected unique parameter names") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "--rename-duplicates") != NULL, "%s", r.err);
    run_result_free(&r);
    /* Every command that reads FCS files takes the same reader options. */
    const char *plot[] = {APOFLOW_BINARY, "plot",  path, "-x", "FCS-1", "-y", "FCS",
                          "-o",           png,     "--rename-duplicates", NULL};
    cr_assert_eq(run_cli(plot, &r), 0, "stderr: %s", r.err);
    cr_assert(strstr(r.err, "renamed to \"FCS-1\"") != NULL, "%s", r.err);
    struct stat st;
    cr_assert_eq(stat(png, &st), 0);
    run_result_free(&r);
    free(dir);
    free(path);
}
