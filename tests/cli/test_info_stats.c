/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_info_stats.c: `apoflow info --stats` over a float32 file of 200,003 events (several
 * rounds of blocks decoded on the pool, a last partial block): every channel's min, max, mean
 * and NaN / Inf counts equal a plain loop over the events in file order, bit for bit (the
 * mean is a sum in file order divided by the count), for channels without non-finite values
 * (the interleaved path) and with NaN, +Inf and -Inf in some blocks only (the checked path).
 */
#include "support/fcs_builder.h"
#include "support/json_mini.h"
#include "support/run_cli.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NE 200003u
#define NP 3

Test(cli_info_stats, sums_in_file_order_with_nonfinite_values)
{
    double *v = malloc((size_t)NE * NP * sizeof *v); /* row-major */
    cr_assert_not_null(v);
    uint64_t x = 0x853c49e6748fea9bu;
    for (size_t e = 0; e < NE; e++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        /* values exact in float32 (at most 24 significant bits), so the file holds them */
        v[e * NP + 0] = ((double)(x % 4000000u) - 1000000.0) / 16.0;
        v[e * NP + 1] = (double)((x >> 20) % 16777216u) * 0.25;
        v[e * NP + 2] = ((double)((x >> 40) % 65536u) - 32768.0) / 65536.0;
    }
    v[70000 * NP + 1] = NAN; /* second round */
    v[150001 * NP + 1] = INFINITY;
    v[199999 * NP + 1] = -INFINITY; /* last, partial block */
    v[5 * NP + 2] = -INFINITY;      /* first block */
    /* the reference: one loop in file order, as the statistics are defined */
    double mn[NP], mx[NP], sum[NP];
    unsigned long long fin[NP] = {0}, nan_n[NP] = {0}, inf_n[NP] = {0};
    for (int p = 0; p < NP; p++) {
        mn[p] = INFINITY;
        mx[p] = -INFINITY;
        sum[p] = 0;
        for (size_t e = 0; e < NE; e++) {
            const double y = v[e * NP + (size_t)p];
            if (isnan(y)) {
                nan_n[p]++;
            } else if (isinf(y)) {
                inf_n[p]++;
            } else {
                mn[p] = y < mn[p] ? y : mn[p];
                mx[p] = y > mx[p] ? y : mx[p];
                sum[p] += y;
                fin[p]++;
            }
        }
    }
    fcs_builder *b = fcs_builder_new("FCS3.1");
    fcs_builder_set_datatype(b, 'F');
    fcs_builder_param(b, "A", 32, 262144);
    fcs_builder_param(b, "B", 32, 262144);
    fcs_builder_param(b, "C", 32, 1);
    fcs_builder_set_events(b, NE, v);
    size_t len = 0;
    uint8_t *bytes = fcs_builder_build(b, &len);
    fcs_builder_free(b);
    char *dir = test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/stats.fcs", dir);
    FILE *f = fopen(path, "wb");
    cr_assert(f != NULL && fwrite(bytes, 1, len, f) == len);
    fclose(f);
    free(bytes);

    const char *argv[] = {APOFLOW_BINARY, "info", "--json", "--stats", path, NULL};
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 0, "stderr: %s", r.err);
    json_value *root = json_parse(r.out, r.out_len, NULL);
    cr_assert_not_null(root);
    const json_value *params = json_get(json_index(json_get(root, "datasets"), 0), "parameters");
    cr_assert_eq(json_size(params), NP);
    for (size_t p = 0; p < NP; p++) {
        const json_value *st = json_get(json_index(params, p), "stats");
        cr_assert_not_null(st);
        cr_assert_eq(json_number(json_get(st, "min"), NAN), mn[p], "channel %zu", p);
        cr_assert_eq(json_number(json_get(st, "max"), NAN), mx[p], "channel %zu", p);
        cr_assert_eq(json_number(json_get(st, "mean"), NAN), sum[p] / (double)fin[p],
                     "channel %zu", p);
        cr_assert_eq(json_number(json_get(st, "nan"), -1), (double)nan_n[p], "channel %zu", p);
        cr_assert_eq(json_number(json_get(st, "inf"), -1), (double)inf_n[p], "channel %zu", p);
    }
    cr_assert_eq(nan_n[1] + inf_n[1] + inf_n[2], 4);
    json_free(root);
    run_result_free(&r);
    remove(path);
    remove(dir);
    free(dir);
    free(v);
}
