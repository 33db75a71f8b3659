/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_sampled.c: fcs_dataset_read_sampled keeps exactly events 0, step, 2 step, ... across
 * block boundaries, and equals fcs_dataset_read_events when nothing needs dropping.
 */
#include "fcs/fcs.h"
#include "support/fcs_builder.h"

#include <criterion/criterion.h>
#include <stdlib.h>

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
