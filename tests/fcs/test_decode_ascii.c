/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_decode_ascii.c: the decoder on $DATATYPE A: fixed-width fields and delimited values
 * (runs of space/tab/comma/CR/LF), event ranges, and errors that name the bad byte.
 */
#include "test_decode_fake.h"

#include <criterion/criterion.h>

static void fake_ascii_fixed(fake_ds *f, const char *text, const unsigned *widths, size_t n)
{
    fake_init(f, text, strlen(text), FCS_BYTEORDER_LITTLE);
    f->ds.layout.ascii = true;
    for (size_t p = 0; p < n; p++) {
        fake_column(f, FCS_DATATYPE_ASCII, widths[p], UINT64_MAX);
        f->params[p].datatype = FCS_DATATYPE_ASCII;
    }
    fake_finish(f);
}

static void fake_ascii_delimited(fake_ds *f, const char *text, size_t n_params,
                                 uint64_t n_events)
{
    fake_init(f, text, strlen(text), FCS_BYTEORDER_LITTLE);
    f->ds.layout.ascii = true;
    f->ds.layout.ascii_delimited = true;
    for (size_t p = 0; p < n_params; p++) {
        fake_column(f, FCS_DATATYPE_ASCII, 0, UINT64_MAX);
        f->params[p].datatype = FCS_DATATYPE_ASCII;
        f->params[p].bits = 0;
    }
    f->ds.layout.row_bytes = 0;
    f->ds.layout.n_events = n_events;
}

Test(fcs_decode_ascii, fixed_width_fields)
{
    const unsigned widths[3] = {4, 2, 6};
    fake_ds f;
    fake_ascii_fixed(&f, "  1223  3.25" "0007 0    -1", widths, 3);
    cr_assert_eq(f.ds.layout.n_events, 2);
    double out[6];
    float outf[6];
    apo_error err;
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, 2, NULL, out, 2, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(fcs_dataset_decode_f32(&f.ds, 0, 2, NULL, outf, 2, &err), APO_OK, "%s", err.msg);
    const double want[6] = {12, 7, 23, 0, 3.25, -1};
    for (int i = 0; i < 6; i++) {
        cr_assert_eq(out[i], want[i], "value %d: %g", i, out[i]);
        cr_assert_eq(outf[i], (float)want[i]);
    }
    /* Only the second event. */
    double one[3];
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 1, 1, NULL, one, 1, NULL), APO_OK);
    cr_assert_eq(one[0], 7);
    cr_assert_eq(one[2], -1);
    fake_free(&f);
}

Test(fcs_decode_ascii, fixed_width_bad_field_names_offset)
{
    const unsigned widths[2] = {3, 3};
    fake_ds f;
    fake_ascii_fixed(&f, "  1  2" "  3 x4", widths, 2);
    double out[4];
    apo_error err;
    apo_error_clear(&err);
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, 2, NULL, out, 2, &err), APO_E_FORMAT);
    cr_assert_eq(err.offset, FAKE_DATA_BEGIN + 9, "offset %llu", (unsigned long long)err.offset);
    cr_assert(strstr(err.msg, "x4") != NULL, "%s", err.msg);
    cr_assert(strstr(err.msg, "fake.fcs") != NULL, "%s", err.msg);
    /* The first event alone is fine. */
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, 1, NULL, out, 1, NULL), APO_OK);
    cr_assert_eq(out[1], 2);
    fake_free(&f);
}

Test(fcs_decode_ascii, delimited_runs_of_separators)
{
    fake_ds f;
    fake_ascii_delimited(&f, "\r\n 1 2,,3\r\n4\t\t5 , 6.5e1\n7 8 9\n", 3, 3);
    double out[9];
    apo_error err;
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, 3, NULL, out, 3, &err), APO_OK, "%s", err.msg);
    const double want[9] = {1, 4, 7, 2, 5, 8, 3, 65, 9};
    for (int i = 0; i < 9; i++) {
        cr_assert_eq(out[i], want[i], "value %d: %g", i, out[i]);
    }
    /* Events 1..2 into a wider output (ld 4). */
    double part[12];
    for (int i = 0; i < 12; i++) {
        part[i] = -99;
    }
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 1, 2, NULL, part, 4, NULL), APO_OK);
    cr_assert_eq(part[0], 4);
    cr_assert_eq(part[1], 7);
    cr_assert_eq(part[2], -99);
    cr_assert_eq(part[4], 5);
    cr_assert_eq(part[9], 9);
    fake_free(&f);
}

Test(fcs_decode_ascii, delimited_bad_number_names_offset)
{
    fake_ds f;
    fake_ascii_delimited(&f, "1 2 3 4 5e 6", 2, 3);
    double out[6];
    apo_error err;
    apo_error_clear(&err);
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, 3, NULL, out, 3, &err), APO_E_FORMAT);
    cr_assert_eq(err.offset, FAKE_DATA_BEGIN + 8, "offset %llu", (unsigned long long)err.offset);
    cr_assert(strstr(err.msg, "\"5e\"") != NULL, "%s", err.msg);
    /* Events before the bad one still decode. */
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, 2, NULL, out, 2, NULL), APO_OK);
    cr_assert_eq(out[3], 4);
    fake_free(&f);
}

Test(fcs_decode_ascii, delimited_too_few_values)
{
    fake_ds f;
    fake_ascii_delimited(&f, "1 2 3  ", 2, 2);
    double out[4];
    apo_error err;
    apo_error_clear(&err);
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, 2, NULL, out, 2, &err), APO_E_FORMAT);
    cr_assert(strstr(err.msg, "expected 4") != NULL, "%s", err.msg);
    cr_assert(strstr(err.msg, "found 3") != NULL, "%s", err.msg);
    fake_free(&f);
}

Test(fcs_decode_ascii, delimited_gain_applies_when_scaled)
{
    fake_ds f;
    fake_ascii_delimited(&f, "10 20 30 40", 2, 2);
    f.params[1].gain = 4;
    f.params[0].log_decades = 4; /* ASCII is not integer data: no log decoding */
    f.params[0].log_offset = 1;
    f.params[0].range = 1024;
    fcs_decode_options opts = {FCS_VALUES_SCALED, true, 0};
    double out[4];
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, 2, &opts, out, 2, NULL), APO_OK);
    cr_assert_eq(out[0], 10);
    cr_assert_eq(out[1], 30);
    cr_assert_eq(out[2], 5);
    cr_assert_eq(out[3], 10);
    fake_free(&f);
}

Test(fcs_decode_ascii, fixed_width_threads_and_first_error)
{
    enum { N = 6000 };
    const unsigned widths[2] = {6, 4};
    char *text = malloc(N * 10 + 1);
    cr_assert_not_null(text);
    for (int e = 0; e < N; e++) {
        snprintf(text + e * 10, 11, "%6d%4d", e * 7, e % 1000);
    }
    fake_ds f;
    fake_ascii_fixed(&f, text, widths, 2);
    cr_assert_eq(f.ds.layout.n_events, N);
    double *one = malloc(2 * N * sizeof(double));
    double *two = malloc(2 * N * sizeof(double));
    fcs_decode_options o1 = {FCS_VALUES_RAW, false, 1};
    fcs_decode_options o2 = {FCS_VALUES_RAW, false, 2};
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, N, &o1, one, N, NULL), APO_OK);
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, N, &o2, two, N, NULL), APO_OK);
    cr_assert_eq(memcmp(one, two, 2 * N * sizeof(double)), 0);
    cr_assert_eq(one[N - 1], (N - 1) * 7);
    cr_assert_eq(one[N + 1234], 234);

    /* Bad fields in both halves: the earliest one is reported, whatever the threads. */
    f.buf[FAKE_DATA_BEGIN + 5000 * 10 + 2] = 'x';
    f.buf[FAKE_DATA_BEGIN + 1000 * 10 + 7] = '?';
    apo_error e1, e2;
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, N, &o1, one, N, &e1), APO_E_FORMAT);
    cr_assert_eq(fcs_dataset_decode_f64(&f.ds, 0, N, &o2, two, N, &e2), APO_E_FORMAT);
    cr_assert_eq(e1.offset, FAKE_DATA_BEGIN + 1000 * 10 + 6);
    cr_assert_eq(e2.offset, e1.offset);
    cr_assert_str_eq(e1.msg, e2.msg);
    free(one);
    free(two);
    free(text);
    fake_free(&f);
}
