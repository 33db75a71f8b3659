/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_decode_builder.c: parser + decoder end to end on files from the test builder: every
 * integer width and byte order, permuted $BYTEORD, F and D, fixed and delimited ASCII,
 * $PnR masks, FCS 3.2 per-column data types, $PnE log scaling, and event ranges.
 */
#include "fcs/fcs.h"
#include "support/fcs_builder.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct opened {
    uint8_t *bytes;
    fcs_file *file;
    const fcs_dataset *ds;
} opened;

static opened open_built(fcs_builder *b)
{
    opened o;
    size_t len = 0;
    o.bytes = fcs_builder_build(b, &len);
    o.file = NULL;
    apo_error err;
    cr_assert_eq(fcs_file_open_buffer(&o.file, o.bytes, len, "built.fcs", NULL, &err), APO_OK,
                 "%s", err.msg);
    o.ds = fcs_file_dataset(o.file, 0);
    cr_assert_not_null(o.ds);
    return o;
}

static void close_built(opened *o)
{
    fcs_file_free(o->file);
    free(o->bytes);
}

/* Decode all events as doubles and as floats; check against row-major @p want. */
static void expect_values(const fcs_dataset *ds, const fcs_decode_options *opts,
                          const double *want, size_t n_events, size_t n_params, const char *what)
{
    cr_assert_eq(fcs_dataset_n_events(ds), n_events, "%s", what);
    cr_assert_eq(fcs_dataset_n_params(ds), n_params, "%s", what);
    double *out = malloc(n_events * n_params * sizeof(double));
    float *outf = malloc(n_events * n_params * sizeof(float));
    apo_error err;
    cr_assert_eq(fcs_dataset_decode_f64(ds, 0, n_events, opts, out, n_events, &err), APO_OK,
                 "%s: %s", what, err.msg);
    cr_assert_eq(fcs_dataset_decode_f32(ds, 0, n_events, opts, outf, n_events, &err), APO_OK,
                 "%s: %s", what, err.msg);
    for (size_t e = 0; e < n_events; e++) {
        for (size_t p = 0; p < n_params; p++) {
            double got = out[p * n_events + e];
            double w = want[e * n_params + p];
            cr_assert(got == w || fabs(got - w) <= 1e-12 * fabs(w), "%s: event %zu param %zu: %.17g != %.17g",
                      what, e, p, got, w);
            cr_assert_eq(outf[p * n_events + e], (float)got, "%s: float", what);
        }
    }
    free(out);
    free(outf);
}

static void check_int(unsigned bits, const char *byteord)
{
    enum { N = 4 };
    const uint64_t top = bits == 64 ? (uint64_t)1 << 52 : ((uint64_t)1 << (bits - 1));
    const double v[N * 2] = {0, 1, (double)(top - 1), (double)top, 255, (double)(top + 5), 7,
                             42};
    fcs_builder *b = fcs_builder_new("FCS3.1");
    fcs_builder_param(b, "A", bits, NAN);
    fcs_builder_param(b, "B", bits, NAN);
    fcs_builder_set_byteord(b, byteord);
    fcs_builder_set_events(b, N, v);
    opened o = open_built(b);
    char what[64];
    snprintf(what, sizeof(what), "I%u %s", bits, byteord);
    expect_values(o.ds, NULL, v, N, 2, what);
    close_built(&o);
    fcs_builder_free(b);
}

Test(fcs_decode_builder, int_widths_and_byte_orders)
{
    for (unsigned bits = 8; bits <= 64; bits += 8) {
        check_int(bits, "1,2,3,4");
        check_int(bits, "4,3,2,1");
    }
}

Test(fcs_decode_builder, permuted_byteord_30)
{
    const double v[4] = {0x11223344, 7, 0xFFFFFFFE, 65536};
    fcs_builder *b = fcs_builder_new("FCS3.0");
    fcs_builder_param(b, "A", 32, NAN);
    fcs_builder_param(b, "B", 32, NAN);
    fcs_builder_set_byteord(b, "3,4,1,2");
    fcs_builder_set_events(b, 2, v);
    opened o = open_built(b);
    expect_values(o.ds, NULL, v, 2, 2, "I32 3,4,1,2");
    close_built(&o);
    fcs_builder_free(b);
}

static void check_float(char type, const char *byteord)
{
    const double v[6] = {1.5, -2.25, 1e10, 0.1, -0.0, 123456.789};
    fcs_builder *b = fcs_builder_new("FCS3.1");
    unsigned bits = type == 'F' ? 32 : 64;
    fcs_builder_param(b, "A", bits, 262144);
    fcs_builder_param(b, "B", bits, 262144);
    fcs_builder_set_datatype(b, type);
    fcs_builder_set_byteord(b, byteord);
    fcs_builder_set_events(b, 3, v);
    opened o = open_built(b);
    double want[6];
    for (int i = 0; i < 6; i++) {
        /* float32 storage rounds each value once. Through a volatile: GCC 12 at -O3 vectorises
         * the plain (double)(float) round trip of this constant array into no rounding at all */
        volatile float f = (float)v[i];
        want[i] = type == 'F' ? (double)f : v[i];
    }
    char what[32];
    snprintf(what, sizeof(what), "%c %s", type, byteord);
    expect_values(o.ds, NULL, want, 3, 2, what);
    close_built(&o);
    fcs_builder_free(b);
}

Test(fcs_decode_builder, float_and_double_both_orders)
{
    check_float('F', "1,2,3,4");
    check_float('F', "4,3,2,1");
    check_float('D', "1,2,3,4,5,6,7,8");
    check_float('D', "4,3,2,1");
}

Test(fcs_decode_builder, mask_from_range)
{
    /* 16-bit storage with $PnR 1024: the top 6 bits are flags. */
    const double v[4] = {0xFC05, 0x0400 | 17, 1023, 0xFFFF};
    fcs_builder *b = fcs_builder_new("FCS3.1");
    fcs_builder_param(b, "A", 16, 1024);
    fcs_builder_param(b, "B", 16, 65536);
    fcs_builder_set_events(b, 2, v);
    opened o = open_built(b);
    const double want[4] = {5, 0x0400 | 17, 1023, 0xFFFF}; /* B: $PnR 2^16, no mask */
    expect_values(o.ds, NULL, want, 2, 2, "mask");
    close_built(&o);
    fcs_builder_free(b);
}

Test(fcs_decode_builder, mixed_types_32)
{
    const double v[6] = {3, 1.25, 1e-300, 65535, -7.5, 2.5e300};
    fcs_builder *b = fcs_builder_new("FCS3.2");
    fcs_builder_param(b, "Index", 16, 65536);
    fcs_builder_param(b, "FSC-A", 32, 262144);
    fcs_builder_param_datatype(b, 'F');
    fcs_builder_param(b, "Big", 64, 1e301);
    fcs_builder_param_datatype(b, 'D');
    fcs_builder_set_byteord(b, "4,3,2,1");
    fcs_builder_set_events(b, 2, v);
    opened o = open_built(b);
    const double want[6] = {3, 1.25, 1e-300, 65535, -7.5, 2.5e300};
    expect_values(o.ds, NULL, want, 2, 3, "3.2 mixed");
    close_built(&o);
    fcs_builder_free(b);
}

Test(fcs_decode_builder, ascii_fixed_and_delimited)
{
    const double v[6] = {1, 22, 333, 4444, 0, 7};
    fcs_builder *b = fcs_builder_new("FCS3.0");
    fcs_builder_param(b, "A", 5, 1024);
    fcs_builder_param(b, "B", 6, 10000);
    fcs_builder_set_datatype(b, 'A');
    fcs_builder_set_events(b, 3, v);
    opened o = open_built(b);
    expect_values(o.ds, NULL, v, 3, 2, "A fixed");
    close_built(&o);
    fcs_builder_free(b);

    const double d[6] = {1.5, 22, 333, -4, 0, 7e3};
    b = fcs_builder_new("FCS3.0");
    fcs_builder_param(b, "A", 0, 1024);
    fcs_builder_param(b, "B", 0, 10000);
    fcs_builder_set_datatype(b, 'A');
    fcs_builder_set_ascii_sep(b, " ,\r\n\t");
    fcs_builder_set_events(b, 3, d);
    o = open_built(b);
    expect_values(o.ds, NULL, d, 3, 2, "A delimited");
    double one[2];
    cr_assert_eq(fcs_dataset_decode_f64(o.ds, 2, 1, NULL, one, 1, NULL), APO_OK);
    cr_assert_eq(one[0], 0);
    cr_assert_eq(one[1], 7e3);
    close_built(&o);
    fcs_builder_free(b);
}

Test(fcs_decode_builder, log_scaled_through_parser)
{
    const double v[4] = {0, 10, 512, 20};
    fcs_builder *b = fcs_builder_new("FCS3.1");
    fcs_builder_param(b, "FL1-LOG", 16, 1024);
    fcs_builder_param(b, "FL2-LIN", 16, 1024);
    fcs_builder_keyword(b, "$P1E", "4,0"); /* f2 = 0 is repaired to 1 */
    fcs_builder_keyword(b, "$P2G", "2");
    fcs_builder_set_events(b, 2, v);
    opened o = open_built(b);
    fcs_decode_options opts = {FCS_VALUES_SCALED, true, 0};
    const double want[4] = {1, 5, pow(10.0, 4.0 * 512 / 1024), 10};
    expect_values(o.ds, &opts, want, 2, 2, "scaled");
    expect_values(o.ds, NULL, v, 2, 2, "raw");
    close_built(&o);
    fcs_builder_free(b);
}

Test(fcs_decode_builder, ranges_match_whole_decode)
{
    enum { N = 1000, P = 3 };
    double *v = malloc(N * P * sizeof(double));
    for (size_t i = 0; i < N * P; i++) {
        v[i] = (double)((i * 2654435761u) % 65536);
    }
    fcs_builder *b = fcs_builder_new("FCS3.1");
    fcs_builder_param(b, "A", 16, 65536);
    fcs_builder_param(b, "B", 24, 16777216);
    fcs_builder_param(b, "C", 32, NAN);
    fcs_builder_set_byteord(b, "4,3,2,1");
    fcs_builder_set_events(b, N, v);
    opened o = open_built(b);
    double whole[N * P];
    cr_assert_eq(fcs_dataset_decode_f64(o.ds, 0, N, NULL, whole, N, NULL), APO_OK);
    const uint64_t firsts[4] = {0, 1, 499, 999};
    for (int k = 0; k < 4; k++) {
        uint64_t first = firsts[k];
        uint64_t count = N - first < 77 ? N - first : 77;
        double part[80 * P];
        cr_assert_eq(fcs_dataset_decode_f64(o.ds, first, count, NULL, part, 80, NULL), APO_OK);
        for (size_t p = 0; p < P; p++) {
            for (uint64_t i = 0; i < count; i++) {
                cr_assert_eq(part[p * 80 + i], whole[p * N + first + i]);
                cr_assert_eq(part[p * 80 + i], v[(first + i) * P + p]);
            }
        }
    }
    cr_assert_eq(fcs_dataset_decode_f64(o.ds, 999, 2, NULL, whole, 2, NULL), APO_E_USAGE);
    close_built(&o);
    fcs_builder_free(b);
    free(v);
}
