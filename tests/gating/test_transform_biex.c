/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_transform_biex.c: the FlowJo biex lookup table against the table FlowJo itself wrote
 * (flowjo/tr_biex_l256_w-7.943282_n1.000000_m4.418540_r262144.000029.csv) and the sampled
 * vectors/flowjo_biex_lut_samples.csv; apply/inverse round trips; and the approximate logicle
 * conversion of docs/algorithms.md 3 (T = top, W = log10(-width)/2, M = positive, A = negative).
 */
#include "gating/gating_internal.h"

#include "support/need.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void setup_gsl(void)
{
    gsl_set_error_handler_off();
}

TestSuite(gating_transform_biex, .init = setup_gsl);

static FILE *open_corpus(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", APOFLOW_CORPUS_DIR, rel);
    test_need_path(path, "the corpus file");
    FILE *fp = fopen(path, "r");
    cr_assert_not_null(fp, "cannot open %s", path);
    return fp;
}

/* Read "i,value" rows after a header; returns the count. */
static size_t read_table(const char *rel, size_t *idx, double *val, size_t cap)
{
    FILE *fp = open_corpus(rel);
    char line[256];
    size_t n = 0;
    cr_assert_not_null(fgets(line, sizeof(line), fp));
    while (fgets(line, sizeof(line), fp) != NULL && n < cap) {
        line[strcspn(line, "\r\n")] = '\0';
        char *comma = strchr(line, ',');
        cr_assert_not_null(comma);
        uint64_t i = 0;
        cr_assert(apo_parse_u64(line, (size_t)(comma - line), &i));
        cr_assert(apo_parse_double(comma + 1, strlen(comma + 1), false, &val[n]));
        idx[n++] = (size_t)i;
    }
    fclose(fp);
    return n;
}

static gate_biex_lut *flowjo_lut(void)
{
    gate_biex_lut *lut = NULL;
    apo_error err;
    cr_assert_eq(gate_biex_lut_new(&lut, 4.41854, 1.0, -7.943282, 262144.000029, 4096, &err),
                 APO_OK, "%s", err.msg);
    return lut;
}

Test(gating_transform_biex, matches_flowjo_table)
{
    static size_t idx[5000];
    static double val[5000];
    const size_t n = read_table(
        "flowjo/tr_biex_l256_w-7.943282_n1.000000_m4.418540_r262144.000029.csv", idx, val, 5000);
    cr_assert_eq(n, 4096);
    gate_biex_lut *lut = flowjo_lut();
    double sum_rel = 0.0;
    double max_rel = 0.0;
    size_t used = 0;
    for (size_t k = 0; k < n; k++) {
        const double got = lut->data[idx[k]];
        if (val[k] == 0.0) {
            cr_assert_float_eq(got, 0.0, 1e-9, "zero channel %zu", idx[k]);
            continue;
        }
        const double rel = fabs(got - val[k]) / fabs(val[k]);
        sum_rel += rel;
        max_rel = fmax(max_rel, rel);
        used++;
    }
    const double mean_rel = sum_rel / (double)used;
    cr_log_info("biex vs FlowJo table: mean relative error %.3g, max %.3g", mean_rel, max_rel);
    cr_assert_lt(mean_rel, 1e-4); /* FlowKit's acceptance: < 0.01% */
    cr_assert_lt(max_rel, 1e-3);
    gate_biex_lut_free(lut);
}

Test(gating_transform_biex, samples_and_round_trip)
{
    size_t idx[64];
    double val[64];
    const size_t n = read_table("vectors/flowjo_biex_lut_samples.csv", idx, val, 64);
    cr_assert_eq(n, 19);
    gate_biex_lut *lut = flowjo_lut();
    for (size_t k = 0; k < n; k++) {
        const double y = (double)idx[k] / 4096.0;
        const double x = gate_biex_lut_inverse(lut, y);
        cr_assert_float_eq(x, val[k], 1e-4 * fmax(1.0, fabs(val[k])), "channel %zu: %g vs %g",
                           idx[k], x, val[k]);
        cr_assert_float_eq(gate_biex_lut_apply(lut, x), y, 1e-12);
    }
    cr_assert_eq(gate_biex_lut_apply(lut, -1e9), 0.0);
    cr_assert_eq(gate_biex_lut_apply(lut, 1e9), 1.0);
    cr_assert(isnan(gate_biex_lut_apply(lut, NAN)));
    /* interpolation is monotone and invertible between table points */
    double prev = -1.0;
    for (double x = -800.0; x < 250000.0; x += 1.0 + 0.01 * fabs(x)) {
        const double y = gate_biex_lut_apply(lut, x);
        cr_assert_gt(y, prev);
        prev = y;
        cr_assert_float_eq(gate_biex_lut_inverse(lut, y), x, 1e-9 * fmax(1.0, fabs(x)));
    }
    gate_biex_lut_free(lut);
    gate_biex_lut *bad = NULL;
    apo_error err;
    cr_assert_eq(gate_biex_lut_new(&bad, 4.4, 0, 10, 262144, 4096, &err), APO_E_USAGE);
    cr_assert_eq(gate_biex_lut_new(&bad, 4.4, 0, -10, 262144, 1, &err), APO_E_USAGE);
}

/* the logicle approximation is 0.13-0.18% off in mean, not exact */
Test(gating_transform_biex, logicle_approximation)
{
    gate_biex_lut *lut = flowjo_lut();
    gate_transform t;
    cr_assert_eq(gate_transform_init_logicle(&t, 262144.000029, log10(7.943282) / 2.0, 4.41854,
                                             1.0, NULL),
                 APO_OK);
    double sum = 0.0;
    size_t used = 0;
    for (size_t i = 0; i < 4096; i++) {
        const double ref = lut->data[i];
        if (fabs(ref) < 1.0) {
            continue;
        }
        const double x = gate_transform_inverse(&t, (double)i / 4096.0);
        sum += fabs(x - ref) / fabs(ref);
        used++;
    }
    const double mean = sum / (double)used;
    cr_log_info("logicle approximation vs biex: mean relative difference %.3g", mean);
    cr_assert_gt(mean, 1e-4);
    cr_assert_lt(mean, 5e-3);
    gate_biex_lut_free(lut);
}
