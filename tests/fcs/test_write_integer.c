/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_write_integer.c: the writer's integer and big-endian formats (fcs_write_file_format,
 * fcs_writer_open_format): float64 and float32 big-endian; $DATATYPE I with 8/16/32-bit parameters and $PnE log channels read
 * back by our reader as the same channel numbers and, scaled, as f2 * 10^(f1 c / $PnR); the
 * block-wise writer writes the same bytes; values that are not channel numbers, odd widths
 * and a log parameter without offset are usage errors that leave no file behind.
 */
#include "fcs/fcs.h"
#include "support/run_cli.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { N_PAR = 4, N_EV = 5000 };

static const fcs_write_param params[N_PAR] = {
    {"FSC-H", NULL, 1024}, {"FL1-H", "Annexin V-FITC", 1024}, {"FL3-H", "PI", 256},
    {"Time", NULL, NAN}};
static const unsigned bits[N_PAR] = {16, 16, 8, 32};
static const double decades[N_PAR] = {0, 4, 2, 0};
static const double offsets[N_PAR] = {0, 1, 0.5, 0};
static const fcs_write_keyword keywords[] = {{"$CYT", "FACSCalibur-like"},
                                             {"$LAST_MODIFIED", "01-JAN-2026 00:00:00"}};

static double *make_values(void)
{
    double *v = malloc(sizeof(double) * N_PAR * N_EV);
    cr_assert_not_null(v);
    for (size_t e = 0; e < N_EV; e++) {
        v[0 * N_EV + e] = (double)((e * 37) % 1024);
        v[1 * N_EV + e] = (double)((e * 101) % 1024);
        v[2 * N_EV + e] = (double)(e % 256);
        v[3 * N_EV + e] = 70000.0 + (double)e * 3; /* beyond 16 bits: needs the 32-bit column */
    }
    return v;
}

static fcs_write_spec make_spec(const double *values)
{
    fcs_write_spec s = {N_PAR, params, N_EV, values, sizeof keywords / sizeof keywords[0],
                        keywords};
    return s;
}

static char *tmp_file(char **dir, const char *name)
{
    *dir = test_tmpdir();
    char *path = malloc(strlen(*dir) + strlen(name) + 2);
    cr_assert_not_null(path);
    sprintf(path, "%s/%s", *dir, name);
    return path;
}

static void remove_dir(char *dir, char *path)
{
    unlink(path);
    rmdir(dir);
    free(path);
    free(dir);
}

static fcs_file *open_file(const char *path)
{
    fcs_file *f = NULL;
    fcs_read_options ro = FCS_READ_OPTIONS_INIT;
    apo_error err;
    cr_assert_eq(fcs_file_open(&f, path, &ro, &err), APO_OK, "%s", err.msg);
    return f;
}

Test(fcs_write_integer, big_endian_16_8_32_bits_with_log_channels_read_back)
{
    char *dir, *path = tmp_file(&dir, "calibur.fcs");
    double *v = make_values();
    fcs_write_spec spec = make_spec(v);
    fcs_write_format fmt = {'I', true, bits, decades, offsets};
    apo_error err;
    cr_assert_eq(fcs_write_file_format(path, &spec, &fmt, &err), APO_OK, "%s", err.msg);

    fcs_file *f = open_file(path);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$DATATYPE"), "I");
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$BYTEORD"), "4,3,2,1");
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$P1B"), "16");
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$P3B"), "8");
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$P4B"), "32");
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$P1E"), "0,0");
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$P2E"), "4,1");
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$P3E"), "2,0.5");
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$P4R"), "84998"); /* ceil(max) + 1 */
    cr_assert_eq(fcs_dataset_n_warnings(ds), 0);

    fcs_events raw, scaled;
    fcs_decode_options dec = FCS_DECODE_OPTIONS_INIT;
    cr_assert_eq(fcs_dataset_read_events(ds, &dec, &raw, &err), APO_OK, "%s", err.msg);
    dec.values = FCS_VALUES_SCALED;
    cr_assert_eq(fcs_dataset_read_events(ds, &dec, &scaled, &err), APO_OK, "%s", err.msg);
    for (size_t p = 0; p < N_PAR; p++) {
        for (size_t e = 0; e < N_EV; e++) {
            double c = v[p * N_EV + e];
            cr_assert_eq(fcs_events_column(&raw, p)[e], c, "p %zu e %zu", p, e);
            double want = p == 1 ? pow(10.0, 4.0 * c / 1024.0)
                          : p == 2 ? 0.5 * pow(10.0, 2.0 * c / 256.0)
                                   : c;
            if (p != 3) { /* Time is scaled by $TIMESTEP (none here) */
                cr_assert(fabs(fcs_events_column(&scaled, p)[e] - want) <= 1e-9 * want,
                          "p %zu e %zu: %g vs %g", p, e, fcs_events_column(&scaled, p)[e], want);
            }
        }
    }
    fcs_events_free(&raw);
    fcs_events_free(&scaled);
    fcs_file_free(f);
    free(v);
    remove_dir(dir, path);
}

Test(fcs_write_integer, streaming_writes_the_same_bytes)
{
    char *dir, *path = tmp_file(&dir, "one.fcs");
    char *path2 = malloc(strlen(dir) + 16);
    cr_assert_not_null(path2);
    sprintf(path2, "%s/blocks.fcs", dir);
    double *v = make_values();
    fcs_write_spec spec = make_spec(v);
    fcs_write_format fmt = {'I', false, bits, decades, offsets};
    apo_error err;
    cr_assert_eq(fcs_write_file_format(path, &spec, &fmt, &err), APO_OK, "%s", err.msg);
    double max[N_PAR] = {1023, 1023, 255, 70000.0 + (N_EV - 1) * 3.0};
    fcs_writer *w = NULL;
    cr_assert_eq(fcs_writer_open_format(&w, path2, &spec, max, &fmt, &err), APO_OK, "%s",
                 err.msg);
    for (size_t at = 0; at < N_EV; at += 777) {
        size_t n = N_EV - at < 777 ? N_EV - at : 777;
        cr_assert_eq(fcs_writer_append(w, v + at, n, N_EV, &err), APO_OK, "%s", err.msg);
    }
    cr_assert_eq(fcs_writer_commit(w, &err), APO_OK, "%s", err.msg);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", path, path2);
    cr_assert_eq(system(cmd), 0, "block-wise bytes differ");
    unlink(path2);
    free(path2);
    free(v);
    remove_dir(dir, path);
}

Test(fcs_write_integer, float_big_endian_reads_back)
{
    char *dir, *path = tmp_file(&dir, "f.fcs");
    double *v = make_values();
    v[0] = 2.5; /* floats need not be integers */
    fcs_write_spec spec = make_spec(v);
    fcs_write_format fmt = {'F', true, NULL, NULL, NULL};
    apo_error err;
    cr_assert_eq(fcs_write_file_format(path, &spec, &fmt, &err), APO_OK, "%s", err.msg);
    fcs_file *f = open_file(path);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$DATATYPE"), "F");
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$BYTEORD"), "4,3,2,1");
    fcs_events raw;
    fcs_decode_options dec = FCS_DECODE_OPTIONS_INIT;
    cr_assert_eq(fcs_dataset_read_events(ds, &dec, &raw, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(fcs_events_column(&raw, 0)[0], 2.5);
    cr_assert_eq(fcs_events_column(&raw, 3)[N_EV - 1], 70000.0 + (N_EV - 1) * 3.0);
    fcs_events_free(&raw);
    fcs_file_free(f);
    free(v);
    remove_dir(dir, path);
}

Test(fcs_write_integer, double_big_endian_reads_back_exactly)
{
    char *dir, *path = tmp_file(&dir, "d.fcs");
    double *v = make_values();
    v[0] = 0.1; /* not a float32 */
    fcs_write_spec spec = make_spec(v);
    fcs_write_format fmt = {'D', true, NULL, NULL, NULL};
    apo_error err;
    cr_assert_eq(fcs_write_file_format(path, &spec, &fmt, &err), APO_OK, "%s", err.msg);
    fcs_file *f = open_file(path);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$DATATYPE"), "D");
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$P1B"), "64");
    fcs_events raw;
    fcs_decode_options dec = FCS_DECODE_OPTIONS_INIT;
    cr_assert_eq(fcs_dataset_read_events(ds, &dec, &raw, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(fcs_events_column(&raw, 0)[0], 0.1);
    cr_assert_eq(fcs_events_column(&raw, 1)[N_EV - 1], v[1 * N_EV + N_EV - 1]);
    fcs_events_free(&raw);
    fcs_file_free(f);
    free(v);
    remove_dir(dir, path);
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
    }
    closedir(d);
    return n;
}

/* Writing fails with APO_E_USAGE, the message holds @p needle, no file is left. */
static void refused(double *v, const fcs_write_format *fmt, const char *needle)
{
    char *dir, *path = tmp_file(&dir, "bad.fcs");
    fcs_write_spec spec = make_spec(v);
    apo_error err;
    cr_assert_eq(fcs_write_file_format(path, &spec, fmt, &err), APO_E_USAGE);
    cr_assert(strstr(err.msg, needle) != NULL, "message: %s", err.msg);
    cr_assert_eq(count_entries(dir), 0);
    remove_dir(dir, path);
}

Test(fcs_write_integer, values_that_are_not_channel_numbers_are_refused)
{
    double *v = make_values();
    fcs_write_format fmt = {'I', false, bits, decades, offsets};
    v[1 * N_EV + 17] = 2.5;
    refused(v, &fmt, "parameter 2, event 17");
    v[1 * N_EV + 17] = 1;
    v[0 * N_EV + 4000] = 65536; /* one past 16 bits */
    refused(v, &fmt, "0..65535 (parameter 1, event 4000)");
    v[0 * N_EV + 4000] = -1;
    refused(v, &fmt, "found -1");
    v[0 * N_EV + 4000] = NAN;
    refused(v, &fmt, "found nan");
    v[0 * N_EV + 4000] = 3;
    v[2 * N_EV + 9] = 256; /* 8 bits */
    refused(v, &fmt, "0..255 (parameter 3, event 9)");
    free(v);
}

Test(fcs_write_integer, bad_formats_are_refused)
{
    double *v = make_values();
    const unsigned odd[N_PAR] = {16, 12, 8, 32};
    fcs_write_format f1 = {'I', false, odd, NULL, NULL};
    refused(v, &f1, "8, 16 or 32 bits for parameter 2, found 12");
    const double no_offset[N_PAR] = {0, 1, 0, 0};
    fcs_write_format f2 = {'I', false, bits, decades, no_offset};
    refused(v, &f2, "parameter 3, found 2,0");
    fcs_write_format f3 = {'I', false, NULL, NULL, NULL};
    refused(v, &f3, "bits of every parameter");
    fcs_write_format f4 = {'X', false, NULL, NULL, NULL};
    refused(v, &f4, "expected F, D or I");
    free(v);
}
