/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_decode_range.c: event ranges [first, first+count), the leading dimension, requests
 * outside the data set, text-only data sets, thread-count independence, and
 * fcs_dataset_read_events / fcs_events_free.
 */
#include "test_decode_fake.h"

#include <criterion/criterion.h>

/* n events of 3 big-endian columns: int16 e, float32 e/4, int32 e*7919. */
static uint8_t *make(fake_ds *f, size_t n)
{
    uint8_t *data = malloc(n * 10);
    cr_assert_not_null(data);
    for (size_t e = 0; e < n; e++) {
        uint8_t *r = data + e * 10;
        uint16_t a = (uint16_t)e;
        float b = (float)e / 4.0f;
        uint32_t bu;
        memcpy(&bu, &b, 4);
        uint32_t c = (uint32_t)(e * 7919u);
        r[0] = (uint8_t)(a >> 8);
        r[1] = (uint8_t)a;
        for (int k = 0; k < 4; k++) {
            r[2 + k] = (uint8_t)(bu >> (24 - 8 * k));
            r[6 + k] = (uint8_t)(c >> (24 - 8 * k));
        }
    }
    fake_init(f, data, n * 10, FCS_BYTEORDER_BIG);
    fake_column(f, FCS_DATATYPE_INT, 2, UINT64_MAX);
    fake_column(f, FCS_DATATYPE_FLOAT, 4, UINT64_MAX);
    fake_column(f, FCS_DATATYPE_INT, 4, UINT64_MAX);
    fake_finish(f);
    return data;
}

Test(fcs_decode_range, sub_range_with_leading_dimension)
{
    fake_ds f;
    uint8_t *data = make(&f, 100);
    double out[3 * 20];
    for (int i = 0; i < 60; i++) {
        out[i] = -1;
    }
    apo_error err;
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 37, 15, NULL, out, 20, &err), APO_OK, "%s",
                 err.msg);
    for (int i = 0; i < 15; i++) {
        double e = 37 + i;
        cr_assert_eq(out[i], e);
        cr_assert_eq(out[20 + i], e / 4);
        cr_assert_eq(out[40 + i], e * 7919);
    }
    cr_assert_eq(out[15], -1, "padding between columns untouched");
    cr_assert_eq(out[39], -1);
    /* The last event alone. */
    float last[3];
    cr_assert_eq(fcs_dataset_decode_f32(&f.ds, 99, 1, NULL, last, 1, NULL), APO_OK);
    cr_assert_eq(last[0], 99.0f);
    cr_assert_eq(last[1], 24.75f);
    fake_free(&f);
    free(data);
}

Test(fcs_decode_range, out_of_range_requests)
{
    fake_ds f;
    uint8_t *data = make(&f, 10);
    double out[64];
    apo_error err;
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 5, 6, NULL, out, 6, &err), APO_E_USAGE);
    cr_assert(strstr(err.msg, "[0, 10)") != NULL, "%s", err.msg);
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 11, 0, NULL, out, 1, &err), APO_E_USAGE);
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, UINT64_MAX, 2, NULL, out, 2, &err), APO_E_USAGE);
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, 10, NULL, out, 9, &err), APO_E_USAGE);
    cr_assert_eq(fcs_dataset_decode_f32(&f.ds, 0, 10, NULL, NULL, 10, &err), APO_E_USAGE);
    cr_assert_eq(fcs_dataset_decode_f64(NULL, 0, 1, NULL, out, 1, &err), APO_E_USAGE);
    /* Empty requests succeed and write nothing. */
    out[0] = 123;
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 10, 0, NULL, out, 0, NULL), APO_OK);
    cr_assert_eq(out[0], 123);
    /* Text-only data sets have nothing to decode. */
    f.ds.has_data = false;
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, 1, NULL, out, 1, &err), APO_E_USAGE);
    fake_free(&f);
    free(data);
}

Test(fcs_decode_range, threads_do_not_change_the_result)
{
    enum { N = 300001 };
    fake_ds f;
    uint8_t *data = make(&f, N);
    f.cols[0].mask = 0x3FFF;
    double *one = malloc(3 * N * sizeof(double));
    double *two = malloc(3 * N * sizeof(double));
    float *autof = malloc(3 * N * sizeof(float));
    float *fivef = malloc(3 * N * sizeof(float));
    cr_assert(one && two && autof && fivef);
    fcs_decode_options o1 = {FCS_VALUES_RAW, false, 1};
    fcs_decode_options o2 = {FCS_VALUES_RAW, false, 2};
    fcs_decode_options o0 = {FCS_VALUES_RAW, false, 0};
    fcs_decode_options o5 = {FCS_VALUES_RAW, false, 5};
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, N, &o1, one, N, NULL), APO_OK);
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, N, &o2, two, N, NULL), APO_OK);
    cr_assert_eq(fcs_dataset_decode_f32(&f.ds, 0, N, &o0, autof, N, NULL), APO_OK);
    cr_assert_eq(fcs_dataset_decode_f32(&f.ds, 0, N, &o5, fivef, N, NULL), APO_OK);
    cr_assert_eq(memcmp(one, two, 3 * N * sizeof(double)), 0);
    cr_assert_eq(memcmp(autof, fivef, 3 * N * sizeof(float)), 0);
    for (size_t e = 0; e < N; e += 9973) {
        cr_assert_eq(one[e], (double)(e & 0x3FFF));
        cr_assert_eq(one[2 * N + e], (double)(uint32_t)(e * 7919u));
        cr_assert_eq(autof[N + e], (float)one[N + e]);
    }
    cr_assert_eq(one[N - 1], (double)((N - 1) & 0x3FFF));
    free(one);
    free(two);
    free(autof);
    free(fivef);
    fake_free(&f);
    free(data);
}

Test(fcs_decode_range, read_events_and_free)
{
    fake_ds f;
    uint8_t *data = make(&f, 50);
    fcs_events ev;
    apo_error err;
    cr_assert_eq(fcs_dataset_read_events(&f.ds, NULL, &ev, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(ev.n_events, 50);
    cr_assert_eq(ev.n_params, 3);
    cr_assert_eq(fcs_events_column(&ev, 0)[49], 49);
    cr_assert_eq(fcs_events_column(&ev, 1)[10], 2.5);
    cr_assert_eq(fcs_events_column(&ev, 2)[3], 3 * 7919);
    fcs_events_free(&ev);
    cr_assert_null(ev.values);
    cr_assert_eq(ev.n_events, 0);
    fcs_events_free(NULL);
    /* A failure leaves an empty fcs_events. */
    f.ds.has_data = false;
    cr_assert_eq(fcs_dataset_read_events(&f.ds, NULL, &ev, &err), APO_E_USAGE);
    cr_assert_null(ev.values);
    fake_free(&f);
    free(data);
}
