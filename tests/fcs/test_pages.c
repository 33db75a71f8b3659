/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_pages.c: fcs_dataset_drop_pages gives back mapped DATA pages without changing what is
 * decoded afterwards: ranges aligned or not, empty, partly or wholly outside the data set,
 * from two threads at once, on buffers (no-op); and (where /proc/self/smaps exists) the
 * mapping's resident size really shrinks.
 */
#include "fcs/fcs.h"
#include "support/fcs_builder.h"
#include "support/run_cli.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { N_PAR = 7, N_EV = 40000 };

/* A generated file written to a fresh temporary folder; *dir and the path are malloc'd. */
static char *write_file(char datatype, unsigned bits, char **dir)
{
    fcs_builder *b = fcs_builder_new("FCS3.1");
    for (int p = 0; p < N_PAR; p++) {
        char name[16];
        snprintf(name, sizeof(name), "P%d", p + 1);
        fcs_builder_param(b, name, bits, 65536);
    }
    fcs_builder_set_datatype(b, datatype);
    double *v = malloc(sizeof(double) * N_PAR * N_EV);
    cr_assert_not_null(v);
    for (size_t i = 0; i < (size_t)N_PAR * N_EV; i++) {
        v[i] = (double)((i * 2654435761u) % 60000u) + (datatype == 'F' ? 0.25 : 0);
    }
    fcs_builder_set_events(b, N_EV, v);
    free(v);
    size_t len = 0;
    uint8_t *bytes = fcs_builder_build(b, &len);
    fcs_builder_free(b);
    *dir = test_tmpdir();
    cr_assert_not_null(*dir);
    char *path = malloc(strlen(*dir) + 16);
    cr_assert_not_null(path);
    sprintf(path, "%s/pages.fcs", *dir);
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp);
    cr_assert_eq(fwrite(bytes, 1, len, fp), len);
    cr_assert_eq(fclose(fp), 0);
    free(bytes);
    return path;
}

static void remove_file(char *path, char *dir)
{
    unlink(path);
    rmdir(dir);
    free(path);
    free(dir);
}

static double *decode_all(const fcs_dataset *ds)
{
    uint64_t n = fcs_dataset_n_events(ds);
    size_t np = fcs_dataset_n_params(ds);
    double *out = malloc(sizeof(double) * np * (size_t)n);
    cr_assert_not_null(out);
    fcs_decode_options o = FCS_DECODE_OPTIONS_INIT;
    o.threads = 1;
    apo_error err;
    cr_assert_eq(fcs_dataset_decode_f64(ds, 0, n, &o, out, (size_t)n, &err), APO_OK, "%s",
                 err.msg);
    return out;
}

/* Resident kB of the mapping of @p path in this process, or -1 if it cannot be told. */
static long mapping_rss_kb(const char *path)
{
    FILE *fp = fopen("/proc/self/smaps", "r");
    if (fp == NULL) {
        return -1;
    }
    char line[4608];
    bool in_map = false;
    long rss = -1;
    while (fgets(line, sizeof(line), fp) != NULL) {
        size_t n = strlen(line);
        if (n > 0 && line[n - 1] == '\n') {
            line[--n] = '\0';
        }
        size_t pl = strlen(path);
        if (n >= pl && strcmp(line + n - pl, path) == 0 && strchr(line, '-') != NULL) {
            in_map = true;
            continue;
        }
        uint64_t kb = 0;
        if (in_map && strncmp(line, "Rss:", 4) == 0) {
            char *unit = strstr(line, " kB");
            if (unit != NULL && apo_parse_u64(line + 4, (size_t)(unit - line - 4), &kb)) {
                rss = (long)kb;
            }
            break;
        }
    }
    fclose(fp);
    return rss;
}

Test(fcs_pages, drops_keep_decoded_values)
{
    const char types[] = {'F', 'I', 'D'};
    const unsigned bits[] = {32, 16, 64};
    for (size_t t = 0; t < 3; t++) {
        char *dir = NULL;
        char *path = write_file(types[t], bits[t], &dir);
        fcs_file *f = NULL;
        apo_error err;
        cr_assert_eq(fcs_file_open(&f, path, NULL, &err), APO_OK, "%s", err.msg);
        const fcs_dataset *ds = fcs_file_dataset(f, 0);
        cr_assert_eq(fcs_dataset_n_events(ds), N_EV);
        double *want = decode_all(ds);
        cr_assert_eq(want[0], types[t] == 'F' ? 0.25 : 0.0);

        const uint64_t ranges[][2] = {{0, 1},           {3, 1000},        {777, 12345},
                                      {100, 0},         {N_EV - 1, 1},    {N_EV, 10},
                                      {N_EV + 5, 1},    {N_EV - 10, 100}, {10, UINT64_MAX},
                                      {UINT64_MAX, 1},  {UINT64_MAX, UINT64_MAX},
                                      {0, N_EV}};
        for (size_t r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++) {
            fcs_dataset_drop_pages(ds, ranges[r][0], ranges[r][1]);
            double *got = decode_all(ds);
            cr_assert_eq(memcmp(got, want, sizeof(double) * N_PAR * N_EV), 0,
                         "type %c, range %zu: values changed", types[t], r);
            free(got);
        }
        /* Block-wise pass dropping as it goes: the same values as one decode. */
        double *blk = malloc(sizeof(double) * N_PAR * 4099);
        cr_assert_not_null(blk);
        fcs_decode_options o = FCS_DECODE_OPTIONS_INIT;
        for (uint64_t first = 0; first < N_EV; first += 4099) {
            uint64_t count = N_EV - first < 4099 ? N_EV - first : 4099;
            cr_assert_eq(fcs_dataset_decode_f64(ds, first, count, &o, blk, 4099, &err), APO_OK);
            for (size_t p = 0; p < N_PAR; p++) {
                cr_assert_eq(memcmp(blk + p * 4099, want + p * N_EV + first,
                                    sizeof(double) * (size_t)count),
                             0, "type %c block at %llu", types[t], (unsigned long long)first);
            }
            fcs_dataset_drop_pages(ds, first, count);
        }
        free(blk);
        free(want);
        fcs_file_free(f);
        remove_file(path, dir);
    }
}

Test(fcs_pages, resident_size_shrinks)
{
    char *dir = NULL;
    char *path = write_file('F', 32, &dir);
    fcs_file *f = NULL;
    apo_error err;
    cr_assert_eq(fcs_file_open(&f, path, NULL, &err), APO_OK, "%s", err.msg);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    double *want = decode_all(ds);
    long before = mapping_rss_kb(path);
    if (before < 0) {
        free(want);
        fcs_file_free(f);
        remove_file(path, dir);
        cr_skip_test("no /proc/self/smaps entry for the mapping");
    }
    /* 40000 x 7 x 4 bytes = 1.1 MB of DATA, all decoded. DATA of a file opened from a path is
     * read with pread (fcs/rows.c), so how much of the mapping is resident now depends on the
     * kernel (fault-around, readahead): whatever it is, dropping gives it back, leaving only
     * the partial first and last pages (HEADER/TEXT side, file end). */
    fcs_dataset_drop_pages(ds, 0, N_EV);
    long after = mapping_rss_kb(path);
    cr_assert_leq(after, 16, "resident after: %ld kB (before %ld kB)", after, before);
    double *got = decode_all(ds);
    cr_assert_eq(memcmp(got, want, sizeof(double) * N_PAR * N_EV), 0);
    free(got);
    free(want);
    fcs_file_free(f);
    remove_file(path, dir);
}

typedef struct drop_job {
    const fcs_dataset *ds;
    uint64_t first, count;
} drop_job;

static void *drop_worker(void *arg)
{
    const drop_job *j = arg;
    fcs_decode_options o = FCS_DECODE_OPTIONS_INIT;
    o.threads = 1;
    double *blk = malloc(sizeof(double) * N_PAR * 1000);
    for (int rep = 0; blk != NULL && rep < 20; rep++) {
        for (uint64_t e = j->first; e < j->first + j->count; e += 1000) {
            if (fcs_dataset_decode_f64(j->ds, e, 1000, &o, blk, 1000, NULL) != APO_OK) {
                free(blk);
                return (void *)1;
            }
            fcs_dataset_drop_pages(j->ds, e, 1000);
        }
    }
    free(blk);
    return NULL;
}

Test(fcs_pages, two_threads_disjoint_ranges)
{
    char *dir = NULL;
    char *path = write_file('F', 32, &dir);
    fcs_file *f = NULL;
    apo_error err;
    cr_assert_eq(fcs_file_open(&f, path, NULL, &err), APO_OK, "%s", err.msg);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    double *want = decode_all(ds);
    drop_job jobs[2] = {{ds, 0, N_EV / 2}, {ds, N_EV / 2, N_EV / 2}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(pthread_create(&th[i], NULL, drop_worker, &jobs[i]), 0);
    }
    for (int i = 0; i < 2; i++) {
        void *res = NULL;
        cr_assert_eq(pthread_join(th[i], &res), 0);
        cr_assert_null(res, "worker %d failed to decode", i);
    }
    double *got = decode_all(ds);
    cr_assert_eq(memcmp(got, want, sizeof(double) * N_PAR * N_EV), 0);
    free(got);
    free(want);
    fcs_file_free(f);
    remove_file(path, dir);
}

Test(fcs_pages, buffer_and_ascii_are_no_ops)
{
    fcs_builder *b = fcs_builder_new("FCS3.1");
    fcs_builder_param(b, "A", 0, 1024);
    fcs_builder_param(b, "B", 0, 1024);
    fcs_builder_set_datatype(b, 'A');
    const double v[] = {1, 2, 3, 4, 5, 6};
    fcs_builder_set_events(b, 3, v);
    size_t len = 0;
    uint8_t *bytes = fcs_builder_build(b, &len);
    fcs_builder_free(b);
    fcs_file *f = NULL;
    apo_error err;
    cr_assert_eq(fcs_file_open_buffer(&f, bytes, len, "mem", NULL, &err), APO_OK, "%s", err.msg);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    fcs_dataset_drop_pages(ds, 0, 3);
    fcs_dataset_drop_pages(NULL, 0, 3);
    double out[6];
    fcs_decode_options o = FCS_DECODE_OPTIONS_INIT;
    cr_assert_eq(fcs_dataset_decode_f64(ds, 0, 3, &o, out, 3, &err), APO_OK, "%s", err.msg);
    const double col_major[] = {1, 3, 5, 2, 4, 6};
    cr_assert_eq(memcmp(out, col_major, sizeof(out)), 0);
    fcs_file_free(f);
    free(bytes);
}
