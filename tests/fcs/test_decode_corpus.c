/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_decode_corpus.c: decoded events of every real corpus file against its reference
 * parse (<file>.expected.json): the first and last five events exactly (raw values: floats
 * as stored, integers masked) and every channel's min, max and mean. All mismatches are
 * collected and reported together.
 */
#include "fcs/fcs.h"
#include "support/need.h"
#include "support/json_mini.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct report {
    char text[8192];
    size_t used;
    int failures;
    int checked_datasets;
    int checked_values;
} report;

static void fail(report *r, const char *fmt, ...) APO_PRINTF(2, 3);
static void fail(report *r, const char *fmt, ...)
{
    r->failures++;
    if (r->used + 200 >= sizeof(r->text)) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->text + r->used, sizeof(r->text) - r->used, fmt, ap);
    va_end(ap);
    if (n > 0) {
        r->used += (size_t)n < sizeof(r->text) - r->used ? (size_t)n : 0;
    }
    if (r->used + 1 < sizeof(r->text)) {
        r->text[r->used++] = '\n';
        r->text[r->used] = '\0';
    }
}

static bool same(double got, const json_value *want)
{
    if (json_is_null(want)) {
        return isnan(got);
    }
    return got == json_number(want, NAN);
}

static void check_rows(report *r, const char *file, size_t di, const double *v, uint64_t n,
                       size_t np, const json_value *rows, uint64_t first_row)
{
    for (size_t k = 0; k < json_size(rows); k++) {
        const json_value *row = json_index(rows, k);
        uint64_t e = first_row + k;
        if (json_size(row) != np) {
            fail(r, "%s[%zu]: reference row %zu has %zu values, expected %zu", file, di, k,
                 json_size(row), np);
            return;
        }
        for (size_t p = 0; p < np; p++) {
            double got = v[p * n + e];
            r->checked_values++;
            if (!same(got, json_index(row, p))) {
                fail(r, "%s[%zu]: event %llu param %zu: got %.17g, expected %.17g", file, di,
                     (unsigned long long)e, p + 1, got, json_number(json_index(row, p), NAN));
                return;
            }
        }
    }
}

static void check_stats(report *r, const char *file, size_t di, const double *v, uint64_t n,
                        size_t np, const json_value *stats)
{
    for (size_t s = 0; s < json_size(stats); s++) {
        const json_value *cs = json_index(stats, s);
        size_t p = (size_t)json_number(json_get(cs, "channel"), 0) - 1;
        if (p >= np) {
            fail(r, "%s[%zu]: stats for channel %zu of %zu", file, di, p + 1, np);
            continue;
        }
        double mn = INFINITY, mx = -INFINITY, sum = 0;
        uint64_t finite = 0;
        for (uint64_t e = 0; e < n; e++) {
            double x = v[p * n + e];
            if (isfinite(x)) {
                mn = x < mn ? x : mn;
                mx = x > mx ? x : mx;
                sum += x;
                finite++;
            }
        }
        double mean = finite ? sum / (double)finite : NAN;
        double wmin = json_number(json_get(cs, "min"), NAN);
        double wmax = json_number(json_get(cs, "max"), NAN);
        double wmean = json_number(json_get(cs, "mean"), NAN);
        if (mn != wmin || mx != wmax || !(fabs(mean - wmean) <= 1e-9 * fmax(1.0, fabs(wmean)))) {
            fail(r, "%s[%zu]: channel %zu: min/max/mean %.9g/%.9g/%.12g, expected %.9g/%.9g/%.12g",
                 file, di, p + 1, mn, mx, mean, wmin, wmax, wmean);
        }
    }
}

static void check_file(report *r, const char *rel)
{
    char path[1024], ref[1100];
    snprintf(path, sizeof(path), "%s/fcs/%s", APOFLOW_CORPUS_DIR, rel);
    snprintf(ref, sizeof(ref), "%s.expected.json", path);
    json_value *root = json_parse_file(ref);
    if (root == NULL) {
        return; /* no reference parse */
    }
    fcs_file *f = NULL;
    apo_error err;
    if (fcs_file_open(&f, path, NULL, &err) != APO_OK) {
        fail(r, "%s: cannot open: %s", rel, err.msg);
        json_free(root);
        return;
    }
    const json_value *dss = json_get(root, "datasets");
    for (size_t i = 0; i < json_size(dss); i++) {
        const json_value *jd = json_index(dss, i);
        const json_value *ev = json_get(jd, "events");
        if (ev == NULL || json_bool(json_get(ev, "suspect"), false)) {
            continue;
        }
        size_t di = (size_t)json_number(json_get(jd, "index"), (double)i);
        const fcs_dataset *ds = fcs_file_dataset(f, di);
        if (ds == NULL) {
            fail(r, "%s: data set %zu missing", rel, di);
            continue;
        }
        uint64_t n = fcs_dataset_n_events(ds);
        size_t np = fcs_dataset_n_params(ds);
        uint64_t want_n = (uint64_t)json_number(json_get(ev, "n_rows"), -1);
        if (n != want_n) {
            fail(r, "%s[%zu]: %llu events, expected %llu", rel, di, (unsigned long long)n,
                 (unsigned long long)want_n);
            continue;
        }
        double *v = malloc((n ? n : 1) * (np ? np : 1) * sizeof(double));
        cr_assert_not_null(v);
        fcs_decode_options opts = FCS_DECODE_OPTIONS_INIT;
        if (fcs_dataset_decode_f64(ds, 0, n, &opts, v, n ? (size_t)n : 1, &err) != APO_OK) {
            fail(r, "%s[%zu]: decode failed: %s", rel, di, err.msg);
            free(v);
            continue;
        }
        const json_value *last5 = json_get(ev, "last5");
        check_rows(r, rel, di, v, n, np, json_get(ev, "first5"), 0);
        check_rows(r, rel, di, v, n, np, last5, n - json_size(last5));
        check_stats(r, rel, di, v, n, np, json_get(jd, "channel_stats"));
        r->checked_datasets++;
        free(v);
    }
    fcs_file_free(f);
    json_free(root);
}

Test(fcs_decode_corpus, events_match_reference_parses, .timeout = 600)
{
    test_need_path(APOFLOW_CORPUS_DIR "/fcs/MANIFEST.tsv", "the FCS corpus");
    FILE *fp = fopen(APOFLOW_CORPUS_DIR "/fcs/MANIFEST.tsv", "r");
    cr_assert_not_null(fp);
    static report r;
    memset(&r, 0, sizeof(r));
    char line[8192];
    bool header = true;
    while (fgets(line, sizeof(line), fp) != NULL) {
        if (header) {
            header = false;
            continue;
        }
        char *tab = strchr(line, '\t');
        if (tab == NULL) {
            continue;
        }
        *tab = '\0';
        if (strstr(tab + 1, "NEGATIVE") != NULL) {
            continue;
        }
        check_file(&r, line);
    }
    fclose(fp);
    cr_log_info("checked %d data sets, %d values", r.checked_datasets, r.checked_values);
    cr_assert_eq(r.failures, 0, "%d mismatches:\n%s", r.failures, r.text);
    cr_assert_gt(r.checked_datasets, 50);
}
