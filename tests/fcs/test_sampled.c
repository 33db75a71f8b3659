/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_sampled.c: fcs_dataset_read_sampled keeps exactly events 0, step, 2 step, ... across
 * block boundaries, and equals fcs_dataset_read_events when nothing needs dropping.
 */
#include "fcs/fcs.h"
#include "support/fcs_builder.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* A float32 file of n events x 3 parameters whose values encode the event index. */
static fcs_file *open_indexed(uint64_t n, uint8_t **bytes)
{
    fcs_builder *b = fcs_builder_new("FCS3.1");
    fcs_builder_param(b, "A", 32, 262144);
    fcs_builder_param(b, "B", 32, 262144);
    fcs_builder_param(b, "C", 32, 262144);
    fcs_builder_set_datatype(b, 'F');
    double *v = malloc((size_t)n * 3 * sizeof *v);
    cr_assert_not_null(v);
    for (uint64_t e = 0; e < n; e++) {
        v[e * 3] = (double)e;
        v[e * 3 + 1] = (double)(e % 1000) + 0.5;
        v[e * 3 + 2] = -(double)e;
    }
    fcs_builder_set_events(b, (size_t)n, v);
    free(v);
    size_t len = 0;
    *bytes = fcs_builder_build(b, &len);
    fcs_builder_free(b);
    fcs_file *f = NULL;
    apo_error err;
    cr_assert_eq(fcs_file_open_buffer(&f, *bytes, len, "indexed.fcs", NULL, &err), APO_OK, "%s",
                 err.msg);
    return f;
}

Test(fcs_sampled, step_rounds_up)
{
    cr_assert_eq(fcs_sample_step(10, 0), 1);
    cr_assert_eq(fcs_sample_step(10, 10), 1);
    cr_assert_eq(fcs_sample_step(11, 10), 2);
    cr_assert_eq(fcs_sample_step(20, 10), 2);
    cr_assert_eq(fcs_sample_step(21, 10), 3);
    cr_assert_eq(fcs_sample_step(10000000, 1000000), 10);
    cr_assert_eq(fcs_sample_step(0, 5), 1);
}

Test(fcs_sampled, keeps_every_step_th_event_across_blocks)
{
    uint8_t *bytes = NULL;
    const uint64_t n = 200003; /* more than three 64K blocks, odd tail */
    fcs_file *f = open_indexed(n, &bytes);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    const uint64_t limits[] = {100000, 66666, 7, 1, 200002};
    for (size_t t = 0; t < sizeof limits / sizeof limits[0]; t++) {
        fcs_events ev;
        uint64_t step = 0;
        apo_error err;
        cr_assert_eq(fcs_dataset_read_sampled(ds, NULL, limits[t], &ev, &step, &err), APO_OK,
                     "%s", err.msg);
        cr_assert_eq(step, fcs_sample_step(n, limits[t]));
        cr_assert_eq(ev.n_events, (n + step - 1) / step);
        cr_assert_leq(ev.n_events, limits[t]);
        cr_assert_eq(ev.n_params, 3);
        for (uint64_t k = 0; k < ev.n_events; k++) {
            const uint64_t e = k * step;
            cr_assert_eq(fcs_events_column(&ev, 0)[k], (double)e, "limit %llu event %llu",
                         (unsigned long long)limits[t], (unsigned long long)k);
            cr_assert_eq(fcs_events_column(&ev, 1)[k], (double)(e % 1000) + 0.5);
            cr_assert_eq(fcs_events_column(&ev, 2)[k], -(double)e);
        }
        fcs_events_free(&ev);
    }
    fcs_file_free(f);
    free(bytes);
}

Test(fcs_sampled, no_limit_equals_read_events)
{
    uint8_t *bytes = NULL;
    fcs_file *f = open_indexed(5000, &bytes);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    fcs_events all, s;
    uint64_t step = 0;
    cr_assert_eq(fcs_dataset_read_events(ds, NULL, &all, NULL), APO_OK);
    cr_assert_eq(fcs_dataset_read_sampled(ds, NULL, 0, &s, &step, NULL), APO_OK);
    cr_assert_eq(step, 1);
    cr_assert_eq(s.n_events, all.n_events);
    for (size_t i = 0; i < 3 * 5000; i++) {
        cr_assert_eq(s.values[i], all.values[i]);
    }
    fcs_events_free(&all);
    fcs_events_free(&s);
    fcs_file_free(f);
    free(bytes);
}

/* A 16-bit integer file of n events x 3 parameters written to a temporary path (so DATA is
 * read through pread, several staging buffers of it), $P2G 4 so that scaled values divide. */
static fcs_file *open_int_path(uint64_t n, char path[32])
{
    fcs_builder *b = fcs_builder_new("FCS3.1");
    fcs_builder_param(b, "A", 16, 65536);
    fcs_builder_param(b, "B", 16, 65536);
    fcs_builder_param(b, "C", 16, 65536);
    fcs_builder_keyword(b, "$P2G", "4");
    fcs_builder_set_datatype(b, 'I');
    double *v = malloc((size_t)n * 3 * sizeof *v);
    cr_assert_not_null(v);
    for (uint64_t e = 0; e < n; e++) {
        v[e * 3] = (double)(e % 65536);
        v[e * 3 + 1] = (double)((e * 7) % 65521);
        v[e * 3 + 2] = (double)(e / 65536);
    }
    fcs_builder_set_events(b, (size_t)n, v);
    free(v);
    size_t len = 0;
    uint8_t *bytes = fcs_builder_build(b, &len);
    fcs_builder_free(b);
    snprintf(path, 32, "/tmp/apoflow-smp-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, bytes, len), (ssize_t)len);
    close(fd);
    free(bytes);
    fcs_file *f = NULL;
    apo_error err;
    cr_assert_eq(fcs_file_open(&f, path, NULL, &err), APO_OK, "%s", err.msg);
    return f;
}

/* Binary DATA read from a path decodes only the kept events; they must be exactly the values
 * a full decode gives at those events, with transforms, on one thread or two, whatever the
 * step (small, across staging buffers, larger than a staging buffer of rows). */
Test(fcs_sampled, kept_events_equal_the_full_decode_from_a_path)
{
    char path[32];
    const uint64_t n = 400009; /* 2.4 MB of rows: three 1 MiB staging buffers */
    fcs_file *f = open_int_path(n, path);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    fcs_decode_options opts = FCS_DECODE_OPTIONS_INIT;
    opts.values = FCS_VALUES_SCALED;
    opts.apply_gain = true;
    fcs_events all;
    apo_error err;
    cr_assert_eq(fcs_dataset_read_events(ds, &opts, &all, &err), APO_OK, "%s", err.msg);
    const uint64_t limits[] = {200005, 133336, 1000, 3, 1};
    for (unsigned threads = 1; threads <= 2; threads++) {
        opts.threads = threads;
        for (size_t t = 0; t < sizeof limits / sizeof limits[0]; t++) {
            fcs_events ev;
            uint64_t step = 0;
            cr_assert_eq(fcs_dataset_read_sampled(ds, &opts, limits[t], &ev, &step, &err),
                         APO_OK, "%s", err.msg);
            cr_assert_eq(step, fcs_sample_step(n, limits[t]));
            cr_assert_gt(step, 1);
            cr_assert_eq(ev.n_events, (n + step - 1) / step);
            for (size_t p = 0; p < 3; p++) {
                for (uint64_t k = 0; k < ev.n_events; k++) {
                    cr_assert_eq(fcs_events_column(&ev, p)[k],
                                 fcs_events_column(&all, p)[k * step],
                                 "threads %u limit %llu parameter %zu kept event %llu", threads,
                                 (unsigned long long)limits[t], p, (unsigned long long)k);
                }
            }
            if (ev.n_events > 1) { /* the stored value divided by $P2G */
                cr_assert_eq(fcs_events_column(&ev, 1)[1], (double)((step * 7) % 65521) / 4.0);
            }
            fcs_events_free(&ev);
        }
    }
    fcs_events_free(&all);
    fcs_file_free(f);
    unlink(path);
}

/* A chosen set of columns decodes to exactly the full decode's values in those columns, from
 * a path (staging buffers) and from memory, on one thread or two, for any range; the other
 * columns are not written. */
Test(fcs_sampled, chosen_columns_equal_the_full_decode_others_untouched)
{
    char path[32];
    const uint64_t n = 300007;
    fcs_file *f = open_int_path(n, path);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    fcs_decode_options opts = FCS_DECODE_OPTIONS_INIT;
    opts.values = FCS_VALUES_SCALED;
    opts.apply_gain = true;
    fcs_events all;
    apo_error err;
    cr_assert_eq(fcs_dataset_read_events(ds, &opts, &all, &err), APO_OK, "%s", err.msg);
    const bool choices[3][3] = {{false, true, false}, {true, false, true}, {true, true, true}};
    const uint64_t ranges[3][2] = {{0, 300007}, {65536, 65536}, {299000, 1007}};
    const double sentinel = -12345.25;
    for (unsigned threads = 1; threads <= 2; threads++) {
        opts.threads = threads;
        for (size_t c = 0; c < 3; c++) {
            for (size_t r = 0; r < 3; r++) {
                const uint64_t first = ranges[r][0], count = ranges[r][1];
                double *out = malloc((size_t)count * 3 * sizeof *out);
                cr_assert_not_null(out);
                for (size_t i = 0; i < (size_t)count * 3; i++) {
                    out[i] = sentinel;
                }
                cr_assert_eq(fcs_dataset_decode_columns_f64(ds, first, count, &opts, choices[c],
                                                            out, (size_t)count, &err),
                             APO_OK, "%s", err.msg);
                for (size_t p = 0; p < 3; p++) {
                    for (uint64_t e = 0; e < count; e++) {
                        const double want =
                            choices[c][p] ? fcs_events_column(&all, p)[first + e] : sentinel;
                        cr_assert_eq(out[p * count + e], want,
                                     "threads %u choice %zu range %zu parameter %zu event %llu",
                                     threads, c, r, p, (unsigned long long)e);
                    }
                }
                free(out);
            }
        }
    }
    /* NULL chooses every column: the full decode */
    double *out = malloc((size_t)n * 3 * sizeof *out);
    cr_assert_not_null(out);
    cr_assert_eq(fcs_dataset_decode_columns_f64(ds, 0, n, &opts, NULL, out, (size_t)n, &err),
                 APO_OK, "%s", err.msg);
    cr_assert_eq(memcmp(out, all.values, (size_t)n * 3 * sizeof *out), 0);
    free(out);
    fcs_events_free(&all);
    fcs_file_free(f);
    unlink(path);
}
