/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_roundtrip.c: files from the writer read back with the reader: same parameters and
 * keywords, no warnings, and the float32 values identical bit for bit (both through a
 * buffer and through a file written atomically).
 */
#include "fcs/fcs.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { N_EVENTS = 257, N_PARAMS = 4 };

static double *make_values(void)
{
    double *v = malloc(N_EVENTS * N_PARAMS * sizeof(double));
    cr_assert_not_null(v);
    uint64_t s = 12345;
    for (size_t i = 0; i < N_EVENTS * N_PARAMS; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        double u = (double)(s >> 11) / 9007199254740992.0; /* [0,1) with 53 bits */
        switch (i / N_EVENTS) {
        case 0:
            v[i] = u * 262143.0;
            break;
        case 1:
            v[i] = (u - 0.5) * 1e4; /* negative values after compensation */
            break;
        case 2:
            v[i] = u * 1e-30;
            break;
        default:
            v[i] = floor(u * 1024);
            break;
        }
    }
    v[0] = 0.1;          /* not a float: stored rounded */
    v[1] = -0.0;
    v[2] = 3.4028235e38; /* FLT_MAX */
    v[3 * N_EVENTS + 5] = 1023;
    return v;
}

static const fcs_write_param params[N_PARAMS] = {
    {"FSC-A", "Forward scatter", 262144},
    {"Annexin V-FITC", "Annexin/FITC", NAN},
    {"PI-A", NULL, 1e-29},
    {"Time", "", NAN},
};

static void check_file(const fcs_file *f, const fcs_write_keyword *kws, size_t n_kws,
                       const double *values)
{
    cr_assert_eq(fcs_file_n_datasets(f), 1);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    cr_assert_not_null(ds);
    for (size_t i = 0; i < fcs_dataset_n_warnings(ds); i++) {
        cr_log_error("warning: %s", fcs_dataset_warning(ds, i)->msg);
    }
    cr_assert_eq(fcs_dataset_n_warnings(ds), 0);
    cr_assert_eq(fcs_file_n_warnings(f), 0);
    cr_assert_str_eq(fcs_dataset_version(ds), "FCS3.1");
    cr_assert_eq(fcs_dataset_n_events(ds), N_EVENTS);
    cr_assert_eq(fcs_dataset_n_params(ds), N_PARAMS);
    cr_assert_eq(fcs_dataset_datatype(ds), FCS_DATATYPE_FLOAT);
    cr_assert_str_eq(fcs_dataset_byteord(ds), "1,2,3,4");
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$MODE"), "L");
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$ORIGINALITY"), "DataModified");
    cr_assert_str_eq(fcs_dataset_keyword(ds, "$LAST_MODIFIER"), "apoflow");
    cr_assert_not_null(fcs_dataset_keyword(ds, "$LAST_MODIFIED"));
    for (size_t p = 0; p < N_PARAMS; p++) {
        const fcs_param *par = fcs_dataset_param(ds, p);
        cr_assert_str_eq(par->name, params[p].name);
        cr_assert_str_eq(par->label, params[p].label ? params[p].label : "");
        cr_assert_eq(par->bits, 32);
        cr_assert_eq(par->datatype, FCS_DATATYPE_FLOAT);
        cr_assert_eq(par->log_decades, 0);
    }
    cr_assert_eq(fcs_dataset_param(ds, 0)->range, 262144);
    cr_assert_eq(fcs_dataset_param(ds, 2)->range, 1e-29);
    cr_assert_eq(fcs_dataset_param(ds, 3)->range, 1024, "ceil(max)+1 of 0..1023");
    for (size_t i = 0; i < n_kws; i++) {
        const char *got = fcs_dataset_keyword(ds, kws[i].name);
        if (kws[i].value[0] == '\0') {
            cr_assert_null(got, "%s: empty values are not written", kws[i].name);
        } else {
            cr_assert_not_null(got, "%s missing", kws[i].name);
            cr_assert_str_eq(got, kws[i].value);
        }
    }

    double *out = malloc(N_EVENTS * N_PARAMS * sizeof(double));
    float *outf = malloc(N_EVENTS * N_PARAMS * sizeof(float));
    apo_error err;
    cr_assert_eq(fcs_dataset_decode_f64(ds, 0, N_EVENTS, NULL, out, N_EVENTS, &err), APO_OK,
                 "%s", err.msg);
    cr_assert_eq(fcs_dataset_decode_f32(ds, 0, N_EVENTS, NULL, outf, N_EVENTS, &err), APO_OK,
                 "%s", err.msg);
    for (size_t i = 0; i < N_EVENTS * N_PARAMS; i++) {
        float want = (float)values[i];
        double wantd = (double)want;
        cr_assert_eq(memcmp(&outf[i], &want, 4), 0, "value %zu: %a vs %a", i, outf[i], want);
        cr_assert_eq(memcmp(&out[i], &wantd, 8), 0, "value %zu", i);
    }
    free(out);
    free(outf);
}

Test(fcs_roundtrip, buffer_keywords_and_values)
{
    double *values = make_values();
    const fcs_write_keyword kws[] = {
        {"$CYT", "apoflow simulator"},
        {"$FIL", "sample/01.fcs"}, /* forces a delimiter other than '/' */
        {"$SPILLOVER", "2,FSC-A,PI-A,1,0.05,0.01,1"},
        {"$TIMESTEP", "0.01"},
        {"$P1G", "2"},
        {"APOFLOW_GATE", "Q2: Annexin+ PI+ | late apoptotic"},
        {"Unicode", "\xc3\xa9t\xc3\xa9 \xce\xbc" "m"},
        {"NOTHING", ""},
    };
    size_t n_kws = sizeof(kws) / sizeof(kws[0]);
    fcs_write_spec spec = {N_PARAMS, params, N_EVENTS, values, n_kws, kws};
    uint8_t *buf = NULL;
    size_t len = 0;
    apo_error err;
    cr_assert_eq(fcs_write_buffer(&buf, &len, &spec, &err), APO_OK, "%s", err.msg);
    fcs_file *f = NULL;
    cr_assert_eq(fcs_file_open_buffer(&f, buf, len, "rt.fcs", NULL, &err), APO_OK, "%s", err.msg);
    check_file(f, kws, n_kws, values);
    fcs_file_free(f);
    free(buf);
    free(values);
}

Test(fcs_roundtrip, doubled_delimiters)
{
    double *values = make_values();
    const fcs_write_keyword kws[] = {
        {"ALL", "/|\\!^~`"},
        {"TRAILING", "end|"},
        {"MIDDLE", "a|b"},
        {"$COM", "a//b"},
    };
    size_t n_kws = sizeof(kws) / sizeof(kws[0]);
    fcs_write_spec spec = {N_PARAMS, params, N_EVENTS, values, n_kws, kws};
    uint8_t *buf = NULL;
    size_t len = 0;
    cr_assert_eq(fcs_write_buffer(&buf, &len, &spec, NULL), APO_OK);
    cr_assert_eq(buf[58], '|', "'/' starts a value");
    fcs_file *f = NULL;
    apo_error err;
    cr_assert_eq(fcs_file_open_buffer(&f, buf, len, "rt.fcs", NULL, &err), APO_OK, "%s", err.msg);
    check_file(f, kws, n_kws, values);
    fcs_file_free(f);
    free(buf);
    free(values);
}

Test(fcs_roundtrip, file_written_atomically)
{
    double *values = make_values();
    char dir[] = "/tmp/apoflow-rt-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof(path), "%s/out.fcs", dir);
    const fcs_write_keyword kws[] = {{"$CYT", "x"}};
    fcs_write_spec spec = {N_PARAMS, params, N_EVENTS, values, 1, kws};
    apo_error err;
    cr_assert_eq(fcs_write_file(path, &spec, &err), APO_OK, "%s", err.msg);
    fcs_file *f = NULL;
    cr_assert_eq(fcs_file_open(&f, path, NULL, &err), APO_OK, "%s", err.msg);
    check_file(f, kws, 1, values);
    fcs_file_free(f);
    unlink(path);
    rmdir(dir);
    free(values);
}

Test(fcs_roundtrip, large_file_has_zero_header_data_offsets, .timeout = 120)
{
    /* 25,000,001 events x 1 parameter: DATA ends past byte 99,999,999, so the HEADER holds
     * 0/0 and the reader must take the offsets from $BEGINDATA/$ENDDATA. calloc'd values
     * stay unmapped zero pages, so this costs disk, not memory. */
    const uint64_t n = 25000001;
    double *values = calloc((size_t)n, sizeof(double));
    cr_assert_not_null(values);
    values[0] = 1.5;
    values[n - 2] = -2.25;
    values[n - 1] = 3e9;
    const fcs_write_param p[1] = {{"X", NULL, 1024}};
    fcs_write_spec spec = {1, p, n, values, 0, NULL};
    char dir[] = "/tmp/apoflow-big-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof(path), "%s/big.fcs", dir);
    apo_error err;
    cr_assert_eq(fcs_write_file(path, &spec, &err), APO_OK, "%s", err.msg);
    free(values);

    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp);
    char header[59] = {0};
    cr_assert_eq(fread(header, 1, 58, fp), 58);
    fclose(fp);
    cr_assert_eq(memcmp(header + 26, "       0       0", 16), 0, "HEADER: %s", header);

    fcs_file *f = NULL;
    cr_assert_eq(fcs_file_open(&f, path, NULL, &err), APO_OK, "%s", err.msg);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    cr_assert_eq(fcs_dataset_n_events(ds), n);
    cr_assert_gt(fcs_dataset_data_begin(ds) + fcs_dataset_data_len(ds), 99999999u);
    double first = 0, last[2] = {0, 0};
    cr_assert_eq(fcs_dataset_decode_f64(ds, 0, 1, NULL, &first, 1, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(fcs_dataset_decode_f64(ds, n - 2, 2, NULL, last, 2, &err), APO_OK, "%s",
                 err.msg);
    cr_assert_eq(first, 1.5);
    cr_assert_eq(last[0], -2.25);
    cr_assert_eq(last[1], 3e9);
    fcs_file_free(f);
    unlink(path);
    rmdir(dir);
}
