/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_stats.c: population statistics against vectors/stats_vectors.csv (type-7 quantiles,
 * MAD, moments, FlowJo robust CV, BD robust CV on x = 1..9, 100), subsets by mask and by index,
 * NaN and non-positive handling, empty subsets, counts and frequencies.
 */
#include "gating/gating_internal.h"

#include "support/need.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

TestSuite(gating_stats);

static const double X10[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 100};

/* Value of "key=<number>" inside @p s; fails the test if absent. */
static double kv(const char *s, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof(pat), "%s=", key);
    const char *p = strstr(s, pat);
    cr_assert_not_null(p, "key %s missing in %s", key, s);
    p += strlen(pat);
    /* "rCV=100*3.0717/5.5=55.8491": take the final value of a worked expression */
    const size_t span = strcspn(p, ";( ");
    for (const char *r = p; r < p + span; r++) {
        if (*r == '=') {
            p = r + 1;
        }
    }
    size_t len = strspn(p, "0123456789.-e+");
    while (len > 0 && (p[len - 1] == '.' || p[len - 1] == 'e')) {
        len--;
    }
    double v = 0;
    cr_assert(apo_parse_double(p, len, false, &v), "bad number after %s", key);
    return v;
}

/* The "expected" field (3rd, quoted) of the row named @p test. */
static void expected_of(const char *test, char *out, size_t cap)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/vectors/stats_vectors.csv", APOFLOW_CORPUS_DIR);
    test_need_path(path, "the corpus file");
    FILE *fp = fopen(path, "r");
    cr_assert_not_null(fp);
    char line[2048];
    bool found = false;
    while (fgets(line, sizeof(line), fp) != NULL) {
        const size_t tl = strlen(test);
        if (strncmp(line, test, tl) == 0 && line[tl] == ',') {
            /* fields: test,"input","expected","tool" */
            const char *q = line + tl + 1;
            cr_assert_eq(*q, '"');
            q = strchr(q + 1, '"'); /* end of input */
            cr_assert_not_null(q);
            q += 2; /* skip ", */
            cr_assert_eq(*q, '"');
            const char *e = strchr(q + 1, '"');
            cr_assert_not_null(e);
            snprintf(out, cap, "%.*s", (int)(e - q - 1), q + 1);
            found = true;
        }
    }
    fclose(fp);
    cr_assert(found, "row %s missing", test);
}

Test(gating_stats, vectors)
{
    gate_stats s;
    cr_assert_eq(gate_stats_compute(X10, 10, NULL, &s, NULL), APO_OK);
    char e[1024];
    expected_of("quantile_type7", e, sizeof(e));
    cr_assert_float_eq(s.p25, kv(e, "q.25"), 1e-12);
    cr_assert_float_eq(s.p75, kv(e, "q.75"), 1e-12);
    cr_assert_float_eq(s.median, kv(e, "median"), 1e-12);
    const double p[2] = {0.1587, 0.8413};
    double q[2];
    cr_assert_eq(gate_stats_quantiles(X10, 10, NULL, p, 2, q, NULL), APO_OK);
    cr_assert_float_eq(q[0], kv(e, "q.1587"), 1e-12);
    cr_assert_float_eq(q[1], kv(e, "q.8413"), 1e-12);
    expected_of("mad", e, sizeof(e));
    cr_assert_float_eq(s.mad, kv(e, "raw MAD"), 1e-12);
    cr_assert_float_eq(s.bd_rsd, kv(e, "scaled MAD"), 1e-12);
    expected_of("moments", e, sizeof(e));
    cr_assert_float_eq(s.mean, kv(e, "mean"), 1e-12);
    cr_assert_float_eq(s.sd, kv(e, "sd"), 1e-6);
    cr_assert_float_eq(s.cv, kv(e, "CV%"), 1e-4);
    cr_assert_float_eq(s.geo_mean, kv(e, "geometric mean"), 1e-6);
    expected_of("robust_cv_flowjo", e, sizeof(e));
    cr_assert_float_eq(s.rsd, 3.0717, 1e-12);
    cr_assert_float_eq(s.rcv, kv(e, "rCV"), 1e-4);
    expected_of("bd_rcv", e, sizeof(e));
    cr_assert_float_eq(s.bd_rcv, kv(e, "BD rCV"), 5e-3);
    cr_assert_eq(s.count, 10);
    cr_assert_eq(s.n_used, 10);
    cr_assert_eq(s.n_nonpositive, 0);
    cr_assert_eq(s.min, 1.0);
    cr_assert_eq(s.max, 100.0);
}

Test(gating_stats, mask_and_index_subsets)
{
    /* the 10 values interleaved with junk events that the subset excludes */
    double x[20];
    uint8_t mask[20];
    size_t idx[10];
    for (size_t i = 0; i < 10; i++) {
        x[2 * i] = -1e6 * (double)(i + 1);
        mask[2 * i] = 0;
        x[2 * i + 1] = X10[9 - i];
        mask[2 * i + 1] = 1;
        idx[i] = 2 * i + 1;
    }
    gate_stats a;
    gate_stats b;
    cr_assert_eq(gate_stats_compute(x, 20, mask, &a, NULL), APO_OK);
    cr_assert_eq(gate_stats_compute_idx(x, 20, idx, 10, &b, NULL), APO_OK);
    cr_assert_eq(a.count, 10);
    cr_assert_float_eq(a.median, 5.5, 1e-12);
    cr_assert_float_eq(a.mean, 14.5, 1e-12);
    cr_assert_eq(memcmp(&a, &b, sizeof(a)), 0);
    size_t bad = 20;
    apo_error err;
    cr_assert_eq(gate_stats_compute_idx(x, 20, &bad, 1, &b, &err), APO_E_USAGE);
    /* no mask: all 20 */
    cr_assert_eq(gate_stats_compute(x, 20, NULL, &a, NULL), APO_OK);
    cr_assert_eq(a.count, 20);
    cr_assert_eq(a.n_nonpositive, 10);
}

Test(gating_stats, nan_nonpositive_and_empty)
{
    const double x[6] = {NAN, -5, 0, 2, 8, INFINITY};
    gate_stats s;
    cr_assert_eq(gate_stats_compute(x, 6, NULL, &s, NULL), APO_OK);
    cr_assert_eq(s.count, 6);
    cr_assert_eq(s.n_used, 4);
    cr_assert_eq(s.n_nonpositive, 2);
    cr_assert_float_eq(s.geo_mean, 4.0, 1e-12); /* sqrt(2 * 8): positives only */
    cr_assert_float_eq(s.mean, 1.25, 1e-12);
    cr_assert_float_eq(s.median, 1.0, 1e-12);
    const uint8_t none[6] = {0};
    cr_assert_eq(gate_stats_compute(x, 6, none, &s, NULL), APO_OK);
    cr_assert_eq(s.count, 0);
    cr_assert(isnan(s.mean) && isnan(s.median) && isnan(s.sd) && isnan(s.geo_mean));
    const uint8_t one[6] = {0, 0, 0, 1, 0, 0};
    cr_assert_eq(gate_stats_compute(x, 6, one, &s, NULL), APO_OK);
    cr_assert_eq(s.mean, 2.0);
    cr_assert(isnan(s.sd));
    const double neg[3] = {-1, -2, 0};
    cr_assert_eq(gate_stats_compute(neg, 3, NULL, &s, NULL), APO_OK);
    cr_assert(isnan(s.geo_mean));
    cr_assert_eq(s.n_nonpositive, 3);
    cr_assert_float_eq(s.median, -1.0, 1e-15);
}

Test(gating_stats, events_and_quantile_edges)
{
    double v[2 * 10];
    for (size_t i = 0; i < 10; i++) {
        v[i] = X10[i];
        v[10 + i] = 2.0 * X10[i];
    }
    fcs_events ev = {10, 2, v};
    gate_stats s[2];
    cr_assert_eq(gate_stats_events(&ev, NULL, s, NULL), APO_OK);
    cr_assert_float_eq(s[0].median, 5.5, 1e-12);
    cr_assert_float_eq(s[1].median, 11.0, 1e-12);
    cr_assert_float_eq(s[1].cv, s[0].cv, 1e-9);
    const double p[4] = {0, 1, 0.5, 0.995};
    double q[4];
    cr_assert_eq(gate_stats_quantiles(X10, 10, NULL, p, 4, q, NULL), APO_OK);
    cr_assert_eq(q[0], 1.0);
    cr_assert_eq(q[1], 100.0);
    cr_assert_float_eq(q[2], 5.5, 1e-12);
    cr_assert_float_eq(q[3], 9.0 + 0.955 * 91.0, 1e-9); /* h = 8.955 */
    const uint8_t none[10] = {0};
    cr_assert_eq(gate_stats_quantiles(X10, 10, none, p, 1, q, NULL), APO_OK);
    cr_assert(isnan(q[0]));
}

Test(gating_stats, counts)
{
    const uint8_t parent[8] = {1, 1, 1, 1, 0, 0, 0, 0};
    const uint8_t member[8] = {1, 0, 1, 0, 0, 0, 0, 0};
    gate_counts c;
    gate_counts_compute(member, parent, 8, &c);
    cr_assert_eq(c.count, 2);
    cr_assert_eq(c.parent, 4);
    cr_assert_eq(c.total, 8);
    cr_assert_float_eq(c.pct_parent, 50.0, 1e-12);
    cr_assert_float_eq(c.pct_total, 25.0, 1e-12);
    gate_counts_compute(member, NULL, 8, &c);
    cr_assert_float_eq(c.pct_parent, 25.0, 1e-12);
    const uint8_t empty[8] = {0};
    gate_counts_compute(empty, empty, 8, &c);
    cr_assert(isnan(c.pct_parent));
    cr_assert_float_eq(c.pct_total, 0.0, 1e-12);
    cr_assert(isnan(gate_percent(3, 0)));
    cr_assert_eq(gate_mask_count(member, 8), 2);
}
