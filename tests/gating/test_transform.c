/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_transform.c: the scale transforms against the corpus vectors
 * (vectors/transforms_flowutils_tests.csv, transforms_derived.csv), the derived logicle constants
 * of Moore & Parks 2012 (docs/algorithms.md 3), round trips to 1e-10, parameter validation, bounds,
 * fratio and the flowCore estimateLogicle W table (its percentile by selection equal to the
 * one by sorting, bit for bit).
 */
#include "gating/gating_internal.h"

#include "support/need.h"

#include <criterion/criterion.h>
#include <float.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void setup_gsl(void)
{
    gsl_set_error_handler_off();
}

TestSuite(gating_transform, .init = setup_gsl);

/* Open a corpus file; fail under CI, skip otherwise when the corpus is missing. */
static FILE *open_corpus(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", APOFLOW_CORPUS_DIR, rel);
    test_need_path(path, "the corpus file");
    FILE *fp = fopen(path, "r");
    cr_assert_not_null(fp, "cannot open %s", path);
    return fp;
}

/* Split a CSV line (no quotes in these files) into at most max fields, in place. */
static size_t split_csv(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;
    line[strcspn(line, "\r\n")] = '\0';
    while (n < max) {
        fields[n++] = p;
        char *comma = strchr(p, ',');
        if (comma == NULL) {
            break;
        }
        *comma = '\0';
        p = comma + 1;
    }
    return n;
}

static double num(const char *s)
{
    if (strcmp(s, "nan") == 0) {
        return NAN;
    }
    if (strcmp(s, "-inf") == 0) {
        return -INFINITY;
    }
    if (s[0] == '\0') {
        return NAN;
    }
    double v = 0.0;
    cr_assert(apo_parse_double(s, strlen(s), false, &v), "bad number '%s'", s);
    return v;
}

static void make(gate_transform *t, const char *kind, double T, double W, double M, double A)
{
    apo_error err;
    apo_status st = APO_OK;
    if (strcmp(kind, "logicle") == 0) {
        st = gate_transform_init_logicle(t, T, W, M, A, &err);
    } else if (strcmp(kind, "hyperlog") == 0) {
        st = gate_transform_init_hyperlog(t, T, W, M, A, &err);
    } else if (strcmp(kind, "fasinh") == 0) {
        st = gate_transform_init_fasinh(t, T, M, A, &err);
    } else if (strcmp(kind, "flog") == 0) {
        st = gate_transform_init_flog(t, T, M, &err);
    } else if (strcmp(kind, "flin") == 0) {
        st = gate_transform_init_flin(t, T, A, &err);
    } else if (strcmp(kind, "asinh_cofactor150") == 0) {
        st = gate_transform_init_asinh(t, 150.0, &err);
    } else {
        cr_assert_fail("unknown transform %s", kind);
    }
    cr_assert_eq(st, APO_OK, "%s init: %s", kind, err.msg);
}

Test(gating_transform, flowutils_vectors)
{
    FILE *fp = open_corpus("vectors/transforms_flowutils_tests.csv");
    char line[512];
    char *f[8];
    size_t rows = 0;
    cr_assert_not_null(fgets(line, sizeof(line), fp)); /* header */
    while (fgets(line, sizeof(line), fp) != NULL) {
        cr_assert_eq(split_csv(line, f, 8), 8);
        gate_transform t;
        const double M = num(f[3]);
        const double W = f[2][0] ? num(f[2]) : 0.0;
        const double A = f[4][0] ? num(f[4]) : 0.0;
        make(&t, f[0], num(f[1]), W, M, A);
        const double x = num(f[5]);
        const double want = num(f[6]);
        const double got = gate_transform_apply(&t, x);
        if (isnan(want)) {
            cr_assert(isnan(got), "%s(%g) = %g, expected NaN", f[0], x, got);
        } else if (isinf(want)) {
            cr_assert(isinf(got) && got < 0.0, "%s(%g) = %g, expected -inf", f[0], x, got);
        } else {
            cr_assert_float_eq(got, want, 1e-6, "%s(%g) = %.9f, expected %s", f[0], x, got,
                               f[6]);
        }
        rows++;
    }
    fclose(fp);
    cr_assert_eq(rows, 41);
}

Test(gating_transform, derived_vectors_and_inverse)
{
    FILE *fp = open_corpus("vectors/transforms_derived.csv");
    char line[512];
    char *f[8];
    size_t rows = 0;
    size_t inverses = 0;
    cr_assert_not_null(fgets(line, sizeof(line), fp));
    while (fgets(line, sizeof(line), fp) != NULL) {
        cr_assert_eq(split_csv(line, f, 8), 8);
        gate_transform t;
        const double T = f[1][0] ? num(f[1]) : 0.0;
        const double W = f[2][0] ? num(f[2]) : 0.0;
        const double M = f[3][0] ? num(f[3]) : 0.0;
        const double A = f[4][0] ? num(f[4]) : 0.0;
        make(&t, f[0], T, W, M, A);
        const double x = num(f[5]);
        const double want = num(f[6]);
        const double got = gate_transform_apply(&t, x);
        cr_assert_float_eq(got, want, 1e-9, "%s(%g) = %.12f, expected %s", f[0], x, got, f[6]);
        /* array form gives the same value */
        double arr = x;
        gate_transform_apply_array(&t, &arr, &arr, 1);
        cr_assert_eq(arr, got);
        const double back = gate_transform_inverse(&t, got);
        cr_assert_float_eq(back, x, 1e-10 * fmax(1.0, fabs(x)), "%s inverse(%g) = %.12g", f[0],
                           got, back);
        if (f[7][0]) {
            inverses++;
        }
        rows++;
    }
    fclose(fp);
    cr_assert_eq(rows, 76);
    cr_assert_eq(inverses, 57);
}

/* logicle derived constants (Moore & Parks 2012): d, a, c, f (spec sign = -fcode), x1. */
Test(gating_transform, logicle_constants)
{
    static const double tab[][9] = {
        {1000, 1, 4, 0, 2.2096394, 0.09871067636, 29.79759595, -16.16323099, 0.25},
        {262144, 0.5, 4.5, 0, 4.530271309, 8.286292274, 226.765097, -110.8745913, 0.1111111111},
        {10000, 0.5, 4.5, 0, 4.530271309, 0.3160969648, 8.650401956, -4.229530001, 0.1111111111},
        {10000, 1, 4, 0.5, 2.485844325, 0.3121505667, 392.7674614, -161.6323099, 0.3333333333},
    };
    for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
        gate_transform t;
        cr_assert_eq(gate_transform_init_logicle(&t, tab[i][0], tab[i][1], tab[i][2], tab[i][3],
                                                 NULL),
                     APO_OK);
        cr_assert_float_eq(t.coef[GATE_BX_D], tab[i][4], 1e-7 * tab[i][4]);
        cr_assert_float_eq(t.coef[GATE_BX_A], tab[i][5], 1e-9 * tab[i][5]);
        cr_assert_float_eq(t.coef[GATE_BX_C], tab[i][6], 1e-8 * tab[i][6]);
        cr_assert_float_eq(-t.coef[GATE_BX_F], tab[i][7], 1e-8 * fabs(tab[i][7]));
        cr_assert_float_eq(t.coef[GATE_BX_X1], tab[i][8], 1e-10);
        cr_assert_eq(t.coef[GATE_BX_TAYLOR + 1], 0.0);
    }
    /* hyperlog constants (Bagwell 2005) */
    gate_transform h;
    cr_assert_eq(gate_transform_init_hyperlog(&h, 262144, 0.5, 4.5, 0, NULL), APO_OK);
    cr_assert_float_eq(h.coef[GATE_BX_A], 8.269627426, 1e-8);
    cr_assert_float_eq(h.coef[GATE_BX_C], 744.2664683, 1e-6);
    cr_assert_float_eq(-h.coef[GATE_BX_F], 108.8471323, 1e-6);
    cr_assert_eq(gate_transform_init_hyperlog(&h, 10000, 1, 4.5, 0, NULL), APO_OK);
    cr_assert_float_eq(h.coef[GATE_BX_A], 0.3128639331, 1e-9);
    cr_assert_float_eq(h.coef[GATE_BX_C], 140.7887699, 1e-6);
    cr_assert_float_eq(-h.coef[GATE_BX_F], 34.41503264, 1e-7);
}

static void round_trip(const gate_transform *t, double lo, double hi, double step)
{
    double worst = 0.0;
    const size_t n = (size_t)((hi - lo) / step + 0.5) + 1;
    for (size_t i = 0; i < n; i++) {
        const double x = lo + (double)i * step;
        const double back = gate_transform_inverse(t, gate_transform_apply(t, x));
        const double e = fabs(back - x) / fmax(1.0, fabs(x));
        worst = fmax(worst, e);
    }
    cr_assert_lt(worst, 1e-10, "%s: worst round-trip error %g", gate_transform_kind_name(t->kind),
                 worst);
}

Test(gating_transform, round_trips)
{
    gate_transform t;
    /* FlowUtils' round-trip test: 0..1000 step 0.1, T=10000, W=0.5, M=4.5 (decimal=10) */
    cr_assert_eq(gate_transform_init_logicle(&t, 10000, 0.5, 4.5, 0, NULL), APO_OK);
    round_trip(&t, -1000, 1000, 0.1);
    round_trip(&t, -10000, 262144, 7.3);
    cr_assert_eq(gate_transform_init_logicle(&t, 262144, 0.5, 4.5, 0, NULL), APO_OK);
    round_trip(&t, -5000, 262144, 3.7);
    cr_assert_eq(gate_transform_init_logicle(&t, 262144, 0, 4.5, 0, NULL), APO_OK);
    round_trip(&t, -5000, 5000, 0.37);
    cr_assert_eq(gate_transform_init_logicle(&t, 10000, 1, 4, 0.5, NULL), APO_OK);
    round_trip(&t, -1000, 1000, 0.1);
    cr_assert_eq(gate_transform_init_hyperlog(&t, 10000, 0.5, 4.5, 0, NULL), APO_OK);
    round_trip(&t, -1000, 1000, 0.1);
    cr_assert_eq(gate_transform_init_hyperlog(&t, 262144, 1, 4.5, 0.5, NULL), APO_OK);
    round_trip(&t, -5000, 262144, 3.7);
    cr_assert_eq(gate_transform_init_fasinh(&t, 10000, 4, 1, NULL), APO_OK);
    round_trip(&t, -1000, 1000, 0.1);
    cr_assert_eq(gate_transform_init_asinh(&t, 150, NULL), APO_OK);
    round_trip(&t, -1000, 1000, 0.1);
    cr_assert_eq(gate_transform_init_flin(&t, 10000, 500, NULL), APO_OK);
    round_trip(&t, -1000, 1000, 0.1);
    cr_assert_eq(gate_transform_init_flog(&t, 10000, 5, NULL), APO_OK);
    round_trip(&t, 0.1, 1000, 0.1);
    gate_transform_init_log10(&t);
    round_trip(&t, 0.1, 1000, 0.1);
    gate_transform_init_linear(&t);
    round_trip(&t, -1000, 1000, 0.1);
}

Test(gating_transform, array_matches_scalar_and_aliases)
{
    gate_transform ts[5];
    cr_assert_eq(gate_transform_init_logicle(&ts[0], 262144, 0.5, 4.5, 0, NULL), APO_OK);
    cr_assert_eq(gate_transform_init_hyperlog(&ts[1], 262144, 0.5, 4.5, 0, NULL), APO_OK);
    cr_assert_eq(gate_transform_init_fasinh(&ts[2], 262144, 4.5, 0, NULL), APO_OK);
    cr_assert_eq(gate_transform_init_asinh(&ts[3], 150, NULL), APO_OK);
    cr_assert_eq(gate_transform_init_flog(&ts[4], 10000, 5, NULL), APO_OK);
    enum { N = 1000 };
    double in[N];
    double out[N];
    for (size_t i = 0; i < N; i++) {
        in[i] = -2000.0 + 263.0 * (double)i + 0.25;
    }
    for (size_t k = 0; k < 5; k++) {
        gate_transform_apply_array(&ts[k], in, out, N);
        for (size_t i = 0; i < N; i++) {
            const double s = gate_transform_apply(&ts[k], in[i]);
            cr_assert((isnan(s) && isnan(out[i])) || s == out[i], "kind %zu i %zu", k, i);
        }
        double copy[N];
        memcpy(copy, in, sizeof(copy));
        gate_transform_apply_array(&ts[k], copy, copy, N);
        cr_assert_eq(memcmp(copy, out, sizeof(copy)), 0);
    }
    /* monotone logicle over the whole array */
    gate_transform_apply_array(&ts[0], in, out, N);
    for (size_t i = 1; i < N; i++) {
        cr_assert_gt(out[i], out[i - 1]);
    }
}

Test(gating_transform, special_values)
{
    gate_transform t;
    cr_assert_eq(gate_transform_init_logicle(&t, 262144, 0.5, 4.5, 0, NULL), APO_OK);
    cr_assert(isnan(gate_transform_apply(&t, NAN)));
    cr_assert_eq(gate_transform_apply(&t, 0.0), t.coef[GATE_BX_X1]);
    cr_assert_float_eq(gate_transform_apply(&t, 262144.0), 1.0, 1e-15);
    gate_transform_init_log10(&t);
    cr_assert(isnan(gate_transform_apply(&t, 0.0)));
    cr_assert(isnan(gate_transform_apply(&t, -3.0)));
    cr_assert_float_eq(gate_transform_apply(&t, 1000.0), 3.0, 1e-15);
    gate_transform_init_linear(&t);
    cr_assert_eq(gate_transform_apply(&t, -7.5), -7.5);
    cr_assert_str_eq(gate_transform_kind_name(GATE_TRANSFORM_HYPERLOG), "hyperlog");
}

Test(gating_transform, invalid_parameters)
{
    gate_transform t;
    apo_error err;
    cr_assert_eq(gate_transform_init_logicle(&t, 262144, 3, 4.5, 0, &err), APO_E_USAGE); /* 2W>M */
    cr_assert(strstr(err.msg, "expected") != NULL);
    cr_assert_eq(gate_transform_init_logicle(&t, 0, 0.5, 4.5, 0, &err), APO_E_USAGE);
    cr_assert_eq(gate_transform_init_logicle(&t, 1000, 0.5, 4.5, -1, &err), APO_E_USAGE);
    cr_assert_eq(gate_transform_init_logicle(&t, 1000, 0.5, 4.5, 4, &err), APO_E_USAGE);
    cr_assert_eq(gate_transform_init_logicle(&t, 1000, -0.1, 4.5, 0, &err), APO_E_USAGE);
    cr_assert_eq(gate_transform_init_logicle(&t, NAN, 0.5, 4.5, 0, &err), APO_E_USAGE);
    cr_assert_eq(gate_transform_init_hyperlog(&t, 1000, 0, 4.5, 0, &err), APO_E_USAGE);
    cr_assert_eq(gate_transform_init_asinh(&t, 0, &err), APO_E_USAGE);
    cr_assert_eq(gate_transform_init_fasinh(&t, 1000, 4, -1, &err), APO_E_USAGE);
    cr_assert_eq(gate_transform_init_flog(&t, 1000, 0, &err), APO_E_USAGE);
    cr_assert_eq(gate_transform_init_flin(&t, 1000, -1000, &err), APO_E_USAGE);
    cr_assert_eq(gate_transform_init_flin(&t, -5, 0, &err), APO_E_USAGE);
    /* the edges of the valid region are accepted */
    cr_assert_eq(gate_transform_init_logicle(&t, 1000, 2.25, 4.5, 0, &err), APO_OK);
    cr_assert_eq(gate_transform_init_logicle(&t, 1000, 0.5, 4.5, -0.5, &err), APO_OK);
    cr_assert_eq(gate_transform_init_logicle(&t, 1000, 0.5, 4.5, 3.5, &err), APO_OK);
}

Test(gating_transform, bounds)
{
    gate_transform t;
    cr_assert_eq(gate_transform_init_flin(&t, 10000, 500, NULL), APO_OK);
    cr_assert_eq(gate_transform_set_bounds(&t, 0.04, 0.5, NULL), APO_OK);
    cr_assert_float_eq(gate_transform_apply(&t, -1000), 0.04, 1e-15);
    cr_assert_float_eq(gate_transform_apply(&t, 100000), 0.5, 1e-15);
    cr_assert_float_eq(gate_transform_apply(&t, 1000), 0.142857142857, 1e-12);
    double v[3] = {-1000, 1000, 100000};
    gate_transform_apply_array(&t, v, v, 3);
    cr_assert_float_eq(v[0], 0.04, 1e-15);
    cr_assert_float_eq(v[1], 0.142857142857, 1e-12);
    cr_assert_float_eq(v[2], 0.5, 1e-15);
    apo_error err;
    cr_assert_eq(gate_transform_set_bounds(&t, 1, 0, &err), APO_E_USAGE);
    /* open bounds again */
    cr_assert_eq(gate_transform_set_bounds(&t, -INFINITY, INFINITY, NULL), APO_OK);
    cr_assert_float_eq(gate_transform_apply(&t, -1000), 0.0 - 500.0 / 10500.0, 1e-15);
    /* a zeroed struct is the identity without bounds */
    gate_transform z;
    memset(&z, 0, sizeof(z));
    cr_assert_eq(gate_transform_apply(&z, -7.25), -7.25);
    cr_assert_eq(gate_transform_apply(&z, 7.25), 7.25);
}

Test(gating_transform, fratio)
{
    cr_assert_float_eq(gate_fratio(1, 0, -1, 100, 30), 3.225806451613, 1e-12);
    cr_assert_float_eq(gate_fratio_inverse(1, 0, -1, 3.225806451613, 30), 100, 1e-9);
    cr_assert_float_eq(gate_fratio(2.7, -100, -300, 50, 200), 2.7 * 150 / 500, 1e-15);
    cr_assert_float_eq(gate_fratio_inverse(2.7, -100, -300, 0.81, 200), 50, 1e-12);
    cr_assert(isinf(gate_fratio(1, 0, 5, 3, 5)));
}

/* flowCore's estimateLogicle: t=262144, m=4.5, r -> w */
Test(gating_transform, estimate_logicle_w)
{
    static const double tab[][2] = {{-10, 0.0407300390},
                                    {-50, 0.3902150412},
                                    {-100, 0.5407300390},
                                    {-500, 0.8902150412},
                                    {-1000, 1.0407300390}};
    for (size_t i = 0; i < 5; i++) {
        /* 40 negatives all equal r (so the 5th percentile is r) plus positives */
        double x[100];
        for (size_t j = 0; j < 100; j++) {
            x[j] = j < 40 ? tab[i][0] : 10.0 * (double)j;
        }
        double w = -1;
        cr_assert_eq(gate_logicle_estimate_w(x, 100, 262144, 4.5, &w, NULL), APO_OK);
        cr_assert_float_eq(w, tab[i][1], 1e-9, "r=%g w=%.10f", tab[i][0], w);
    }
    /* type-7 interpolation: negatives -1..-21 -> P5 = -20 */
    double y[21];
    for (size_t j = 0; j < 21; j++) {
        y[j] = -(double)(j + 1);
    }
    double w = 0;
    cr_assert_eq(gate_logicle_estimate_w(y, 21, 262144, 4.5, &w, NULL), APO_OK);
    cr_assert_float_eq(w, (4.5 - log10(262144.0 / 20.0)) / 2.0, 1e-12);
    /* no negatives -> 0 */
    const double pos[3] = {1, 2, 3};
    cr_assert_eq(gate_logicle_estimate_w(pos, 3, 262144, 4.5, &w, NULL), APO_OK);
    cr_assert_eq(w, 0.0);
    /* tiny negatives -> w < 0 -> error */
    const double tiny[3] = {-0.001, -0.002, 5};
    apo_error err;
    cr_assert_eq(gate_logicle_estimate_w(tiny, 3, 262144, 4.5, &w, &err), APO_E_NUMERIC);
    cr_assert(strstr(err.msg, "negative") != NULL);
    gate_transform t;
    const double x[4] = {-100, -100, 50, 5000};
    cr_assert_eq(gate_transform_init_logicle_estimate(&t, x, 4, 262144, 4.5, NULL), APO_OK);
    cr_assert_eq(t.kind, GATE_TRANSFORM_LOGICLE);
    cr_assert_float_eq(t.W, 0.5407300390, 1e-9);
}

/* estimateLogicle's 5th percentile of the negatives from two selections equals the one from
 * sorting them all, bit for bit: W over random negatives of many counts (ties included). */
Test(gating_transform, estimate_logicle_w_selection_equals_sort)
{
    const size_t cap = 100000;
    double *x = malloc(cap * sizeof *x), *neg = malloc(cap * sizeof *neg);
    cr_assert(x != NULL && neg != NULL);
    uint64_t s = 0x2545f4914f6cdd1du;
    size_t checked = 0;
    for (size_t n = 1; n <= cap; n = n < 300 ? n + 1 : n * 3) {
        for (size_t i = 0; i < n; i++) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            const double u = (double)(s >> 11) / 9007199254740992.0;
            /* 60 % negatives down to -2000 (every 7th rounded: ties), the rest positive */
            x[i] = u < 0.6 ? -2000.0 * u / 0.6 : 1e4 * u;
            x[i] = i % 7 == 0 ? round(x[i]) : x[i];
        }
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (x[i] < 0.0) {
                neg[m++] = x[i];
            }
        }
        if (m == 0) {
            continue;
        }
        gsl_sort(neg, 1, m);
        const double r = DBL_EPSILON + gate_quantile_sorted(neg, m, 0.05);
        const double want = (4.5 - log10(262144.0 / fabs(r))) / 2.0;
        double w = NAN;
        if (want >= 0.0) {
            cr_assert_eq(gate_logicle_estimate_w(x, n, 262144, 4.5, &w, NULL), APO_OK);
            cr_assert(memcmp(&w, &want, sizeof w) == 0, "n %zu: w %a, sorted %a", n, w, want);
            checked++;
        }
    }
    cr_assert_gt(checked, 300);
    free(x);
    free(neg);
}

/* The logicle array's vector path (AVX2 where the processor has it) and its portable loop
 * give the same bits for values across the scale (linear part, decades, negatives, zero,
 * beyond the top, non-finite) and several parameter sets. */
Test(gating_transform, logicle_array_vector_path_bit_identical)
{
    const double params[][4] = {{262144, 0.5, 4.5, 0}, {262144, 0, 4.5, 0},
                                {10000, 1, 4, 0.5},    {262144, 1.5, 5, 0.3},
                                {4176, 0.2, 3, 0},     {1e6, 0.7, 6, 0}};
    const size_t n = 200000;
    double *in = malloc(n * sizeof *in), *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    cr_assert(in && a && b);
    uint64_t x = 88172645463325252u;
    for (size_t p = 0; p < sizeof params / sizeof params[0]; p++) {
        gate_transform t;
        cr_assert_eq(gate_transform_init_logicle(&t, params[p][0], params[p][1], params[p][2],
                                                 params[p][3], NULL),
                     APO_OK);
        const double top = params[p][0];
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            const double u = (double)(x >> 11) / 9007199254740992.0;
            switch (i % 5) {
            case 0:
                in[i] = (u * 2 - 1) * top * 1.2;
                break;
            case 1:
                in[i] = exp(u * log(top * 2)) * ((x & 1) ? 1 : -1);
                break;
            case 2:
                in[i] = (u - 0.5) * 200;
                break;
            case 3:
                in[i] = exp(u * 60 - 40);
                break;
            default: /* mostly in range; some zeros, NaNs and infinities */
                in[i] = i % 1000 == 4 ? 0.0 : (i % 1000 == 9 ? NAN : u * top);
                if (i % 1000 == 14) in[i] = -INFINITY;
                break;
            }
        }
        gate_logicle_scale_array_path(&t, in, a, n, 0);
        gate_logicle_scale_array_path(&t, in, b, n, 2);
        size_t differ = 0;
        for (size_t i = 0; i < n; i++) {
            differ += memcmp(&a[i], &b[i], sizeof a[i]) != 0;
        }
        cr_assert_eq(differ, 0, "parameter set %zu: %zu of %zu values differ", p, differ, n);
        cr_assert_float_eq(b[2], a[2], 0.0); /* the comparison saw real numbers */
    }
    free(in);
    free(a);
    free(b);
}
