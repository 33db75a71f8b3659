/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_writer_stream.c: the block-wise fcs_writer writes byte for byte what fcs_write_buffer
 * and fcs_write_file write, whatever the block sizes and leading dimensions (ranges derived
 * from the data included); appending too many or too few events, or leaving out the data
 * maximum a derived range needs, is a usage error that leaves no file behind.
 */
#include "fcs/fcs.h"
#include "support/fcs_builder.h"
#include "support/run_cli.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { N_PAR = 5, N_EV = 10007 };

static const fcs_write_param params[N_PAR] = {
    {"FSC-A", "forward", 262144},
    {"SSC-A", NULL, -1},  /* derived from the data */
    {"FL1-A", "Annexin", NAN}, /* derived, with NaN/Inf and negative values in the column */
    {"FL2-A", NULL, 0},   /* derived, column all NaN: range 1 */
    {"Time", NULL, 1024}};
static const fcs_write_keyword keywords[] = {{"$CYT", "streamer"},
                                             {"$LAST_MODIFIED", "25-NOV-2026 12:00:00"},
                                             {"VENDOR", "a/b|c"}};

/* Column-major test values. */
static double *make_values(uint64_t n)
{
    double *v = malloc(sizeof(double) * N_PAR * (n ? n : 1));
    cr_assert_not_null(v);
    for (uint64_t e = 0; e < n; e++) {
        double x = (double)((e * 2654435761u) % 100003u);
        v[0 * n + e] = x * 2.5 + 0.125;
        v[1 * n + e] = x / 7.0;
        v[2 * n + e] = e % 97 == 0 ? NAN : e % 101 == 0 ? INFINITY : x - 60000.3;
        v[3 * n + e] = NAN;
        v[4 * n + e] = (double)e * 0.01;
    }
    return v;
}

static fcs_write_spec make_spec(uint64_t n, const double *values)
{
    fcs_write_spec s = {N_PAR, params, n, values, sizeof(keywords) / sizeof(keywords[0]),
                        keywords};
    return s;
}

/* Largest finite value per column, NaN if none (what fcs_writer_open wants). */
static void column_max(const double *v, uint64_t n, double *max)
{
    for (size_t p = 0; p < N_PAR; p++) {
        max[p] = NAN;
        for (uint64_t e = 0; e < n; e++) {
            double x = v[p * n + e];
            if (isfinite(x) && (isnan(max[p]) || x > max[p])) {
                max[p] = x;
            }
        }
    }
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

/* Stream @p n events of @p v to @p path in the block sizes @p sizes (cycled), each block
 * copied to a scratch buffer with ld = count + 3. */
static void stream_write(const char *path, const double *v, uint64_t n, const size_t *sizes,
                         size_t n_sizes)
{
    fcs_write_spec spec = make_spec(n, NULL);
    double max[N_PAR];
    column_max(v, n, max);
    fcs_writer *w = NULL;
    apo_error err;
    cr_assert_eq(fcs_writer_open(&w, path, &spec, max, &err), APO_OK, "%s", err.msg);
    uint64_t done = 0;
    for (size_t k = 0; done < n; k++) {
        size_t count = sizes[k % n_sizes];
        if (count > n - done) {
            count = (size_t)(n - done);
        }
        size_t ld = count + 3;
        double *blk = malloc(sizeof(double) * N_PAR * ld);
        cr_assert_not_null(blk);
        for (size_t p = 0; p < N_PAR; p++) {
            memcpy(blk + p * ld, v + p * n + done, sizeof(double) * count);
        }
        cr_assert_eq(fcs_writer_append(w, blk, count, ld, &err), APO_OK, "%s", err.msg);
        free(blk);
        done += count;
    }
    cr_assert_eq(fcs_writer_commit(w, &err), APO_OK, "%s", err.msg);
}

Test(fcs_writer_stream, uneven_blocks_equal_one_shot_bytes)
{
    char *dir = test_tmpdir();
    cr_assert_not_null(dir);
    char path[600], path2[600];
    snprintf(path, sizeof(path), "%s/stream.fcs", dir);
    snprintf(path2, sizeof(path2), "%s/oneshot.fcs", dir);

    const uint64_t counts[] = {N_EV, 1, 0, 4096, 4097};
    const size_t sizes[] = {1, 2, 4095, 4097, 3000, 0, 8191, 77};
    for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
        uint64_t n = counts[c];
        double *v = make_values(n);
        fcs_write_spec spec = make_spec(n, v);
        uint8_t *want = NULL;
        size_t want_len = 0;
        apo_error err;
        cr_assert_eq(fcs_write_buffer(&want, &want_len, &spec, &err), APO_OK, "%s", err.msg);
        cr_assert_eq(memcmp(want, "FCS3.1", 6), 0);
        cr_assert_eq(memcmp(want + want_len - 8, "00000000", 8), 0);

        stream_write(path, v, n, sizes, sizeof(sizes) / sizeof(sizes[0]));
        size_t len = 0;
        uint8_t *got = fcs_read_file(path, &len);
        cr_assert_not_null(got);
        cr_assert_eq(len, want_len, "%llu events: %zu bytes, expected %zu",
                     (unsigned long long)n, len, want_len);
        cr_assert_eq(memcmp(got, want, len), 0, "%llu events: bytes differ",
                     (unsigned long long)n);
        free(got);

        cr_assert_eq(fcs_write_file(path2, &spec, &err), APO_OK, "%s", err.msg);
        got = fcs_read_file(path2, &len);
        cr_assert_not_null(got);
        cr_assert_eq(len, want_len);
        cr_assert_eq(memcmp(got, want, len), 0);
        free(got);

        if (n == N_EV) {
            /* Derived ranges: ceil(max)+1 (FL2-A, all NaN: 1). VENDOR's value holds '/' and
             * '|', so the delimiter is '\\'. */
            double max[N_PAR];
            column_max(v, n, max);
            char kw[64];
            snprintf(kw, sizeof(kw), "\\$P2R\\%.0f\\", ceil(max[1]) + 1);
            cr_assert_neq(fcs_bytes_find(want, want_len, kw), SIZE_MAX, "%s", kw);
            snprintf(kw, sizeof(kw), "\\$P3R\\%.0f\\", ceil(max[2]) + 1);
            cr_assert_neq(fcs_bytes_find(want, want_len, kw), SIZE_MAX, "%s", kw);
            cr_assert_neq(fcs_bytes_find(want, want_len, "\\$P4R\\1\\"), SIZE_MAX);
            cr_assert_neq(fcs_bytes_find(want, want_len, "\\$P1R\\262144\\"), SIZE_MAX);
        }
        free(want);
        free(v);
        cr_assert_eq(count_entries(dir), 2, "no temporary file left");
    }
    unlink(path);
    unlink(path2);
    rmdir(dir);
    free(dir);
}

Test(fcs_writer_stream, wrong_counts_leave_no_file)
{
    char *dir = test_tmpdir();
    cr_assert_not_null(dir);
    char path[600];
    snprintf(path, sizeof(path), "%s/bad.fcs", dir);
    double *v = make_values(100);
    fcs_write_spec spec = make_spec(100, NULL);
    double max[N_PAR];
    column_max(v, 100, max);
    apo_error err;

    /* A derived range without the data maximum. */
    fcs_writer *w = NULL;
    cr_assert_eq(fcs_writer_open(&w, path, &spec, NULL, &err), APO_E_USAGE);
    cr_assert_null(w);
    cr_assert_eq(count_entries(dir), 0);

    /* Too many events. */
    cr_assert_eq(fcs_writer_open(&w, path, &spec, max, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(fcs_writer_append(w, v, 60, 100, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(fcs_writer_append(w, v, 41, 100, &err), APO_E_USAGE);
    cr_assert_eq(fcs_writer_append(w, v, 10, 5, &err), APO_E_USAGE, "ld < count");
    /* Too few: commit fails and removes the temporary file. */
    cr_assert_eq(fcs_writer_commit(w, &err), APO_E_USAGE);
    cr_assert(strstr(err.msg, "expected 100 events written, found 60") != NULL, "%s", err.msg);
    cr_assert_eq(count_entries(dir), 0);

    /* Abort after a partial write: nothing left. */
    cr_assert_eq(fcs_writer_open(&w, path, &spec, max, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(fcs_writer_append(w, v, 50, 100, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(count_entries(dir), 1, "the temporary file exists while writing");
    fcs_writer_abort(w);
    fcs_writer_abort(NULL);
    cr_assert_eq(count_entries(dir), 0);

    /* Every range given: no data maximum needed. */
    fcs_write_param given[N_PAR];
    memcpy(given, params, sizeof(given));
    for (size_t p = 0; p < N_PAR; p++) {
        given[p].range = 1024;
    }
    spec.params = given;
    cr_assert_eq(fcs_writer_open(&w, path, &spec, NULL, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(fcs_writer_append(w, v, 100, 100, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(fcs_writer_commit(w, &err), APO_OK, "%s", err.msg);
    fcs_file *f = NULL;
    cr_assert_eq(fcs_file_open(&f, path, NULL, &err), APO_OK, "%s", err.msg);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    cr_assert_eq(fcs_dataset_n_events(ds), 100);
    double back[N_PAR * 100];
    fcs_decode_options o = FCS_DECODE_OPTIONS_INIT;
    cr_assert_eq(fcs_dataset_decode_f64(ds, 0, 100, &o, back, 100, &err), APO_OK, "%s",
                 err.msg);
    cr_assert_eq(back[0], (double)(float)v[0]);
    cr_assert_eq(back[4 * 100 + 99], (double)(float)v[4 * 100 + 99]);
    fcs_file_free(f);
    unlink(path);
    rmdir(dir);
    free(dir);
    free(v);
}

/* More keywords than the writer's first keyword-list allocation (64): the generated values
 * ($PnB, $PnR, ...) must survive the list growing (they once pointed into moved items). */
Test(fcs_writer_stream, many_parameters)
{
    enum { NP = 40, NE = 3 };
    fcs_write_param many[NP];
    char names[NP][16];
    double v[NP * NE];
    for (size_t p = 0; p < NP; p++) {
        snprintf(names[p], sizeof(names[p]), "CH%zu", p + 1);
        many[p].name = names[p];
        many[p].label = p % 2 ? "lab" : NULL;
        many[p].range = p % 3 ? (double)(1000 + p) : -1;
        for (size_t e = 0; e < NE; e++) {
            v[p * NE + e] = (double)(p * 10 + e);
        }
    }
    fcs_write_spec spec = {NP, many, NE, v, 0, NULL};
    uint8_t *buf = NULL;
    size_t len = 0;
    apo_error err;
    cr_assert_eq(fcs_write_buffer(&buf, &len, &spec, &err), APO_OK, "%s", err.msg);
    fcs_file *f = NULL;
    cr_assert_eq(fcs_file_open_buffer(&f, buf, len, "many", NULL, &err), APO_OK, "%s", err.msg);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    cr_assert_eq(fcs_dataset_n_params(ds), NP);
    for (size_t p = 0; p < NP; p++) {
        const fcs_param *pr = fcs_dataset_param(ds, p);
        cr_assert_str_eq(pr->name, names[p]);
        cr_assert_eq(pr->bits, 32);
        double want = p % 3 ? (double)(1000 + p) : (double)(p * 10 + NE - 1) + 1;
        cr_assert_eq(pr->range, want, "P%zuR %g, expected %g", p + 1, pr->range, want);
    }
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$P1E"), "0,0");
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$LAST_MODIFIER"), "apoflow");
    fcs_file_free(f);
    free(buf);
}
