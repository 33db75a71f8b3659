/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_run_memory.c: `apoflow run` on a file larger than its estimation sample keeps its
 * memory bounded (peak resident size of the child, run_cli_max_rss) while its counts still
 * cover every event: 3,000,000 events x 6 channels (144 MB as doubles, 72 MB on disk, written
 * block by block so that this process stays small) analysed with --sample-events 200000 must
 * stay well under what holding the events would take.
 */
#include "support/big_fcs.h"
#include "support/run_cli.h"
#include "support/slurp.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { NE = 3000000, NP = 6 };

/* Deterministic xorshift noise in [0, 1). */
static double unit(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (double)(*s >> 11) / 9007199254740992.0;
}

/* Debris 10 %, then viable 70 %, early 10 %, late 7 %, necrotic 3 % of the rest. */
static void fill_block(void *ctx, uint64_t first, size_t n, double *v)
{
    uint64_t *s = ctx;
    for (size_t e = 0; e < n; e++) {
        double u = unit(s);
        bool debris = u < 0.10;
        double c = unit(s);
        int cls = c < 0.70 ? 0 : c < 0.80 ? 1 : c < 0.87 ? 2 : 3;
        double fsc = debris ? 2000 + 3000 * unit(s) : 60000 + 20000 * (unit(s) - 0.5);
        v[0 * n + e] = fsc;
        v[1 * n + e] = fsc * (0.9 + 0.05 * unit(s));
        v[2 * n + e] = 30000 + 10000 * unit(s);
        v[3 * n + e] = (cls == 1 || cls == 2) ? 5000 + 20000 * unit(s) : 50 + 100 * unit(s);
        v[4 * n + e] = (cls == 2 || cls == 3) ? 8000 + 20000 * unit(s) : 40 + 100 * unit(s);
        v[5 * n + e] = (double)(first + e) / 10000.0;
    }
}

Test(cli_run_memory, big_file_bounded_memory_exact_counts)
{
    char *dir = test_tmpdir();
    char in[1024], out[1024], csv[1100];
    snprintf(in, sizeof in, "%s/in", dir);
    cr_assert_eq(mkdir(in, 0777), 0);
    snprintf(out, sizeof out, "%s/big.fcs", in);
    static const char *const names[NP] = {"FSC-A", "FSC-H", "SSC-A", "FITC-A", "PI-A", "Time"};
    uint64_t seed = 88172645463325252ull;
    big_fcs_write(out, names, NP, NE, fill_block, &seed);
    snprintf(out, sizeof out, "%s/out", dir);
    const char *argv[] = {APOFLOW_BINARY, "run", in, "-o", out, "--no-plots", "-q",
                          "--sample-events", "200000", "--jobs", "1", NULL};
    run_result r;
    long rss = 0;
    cr_assert_eq(run_cli_max_rss(argv, &r, &rss), 0, "%s", r.err);
    run_result_free(&r);
    fprintf(stderr, "apoflow run, 3M events x 6 channels, --sample-events 200000: peak RSS %ld KiB\n",
            rss);
#if !defined(__SANITIZE_ADDRESS__)
    /* the events alone would be 144,000,000 bytes as doubles (and 72 MB of mapped file) */
    cr_assert_lt(rss, 100 * 1024, "peak RSS %ld KiB", rss);
#endif
    /* counts over every event: events, and the quadrants add up to the singlets */
    snprintf(csv, sizeof csv, "%s/samples.csv", out);
    char *t = test_slurp(csv, NULL);
    const char *row = strchr(t, '\n');
    cr_assert_not_null(row);
    row++;
    /* header names the columns; find events, singlets and the four counts by name */
    char head[4096];
    size_t hl = (size_t)(row - t - 1);
    cr_assert_lt(hl, sizeof head);
    memcpy(head, t, hl);
    head[hl] = '\0';
    const char *want[] = {"events", "singlets", "viable_count", "early_apoptotic_count",
                          "late_apoptotic_count", "necrotic_count"};
    long long val[6] = {-1, -1, -1, -1, -1, -1};
    /* split on every comma (empty fields count; the columns used come before any quoted
     * field) */
    const char *hp = head, *rp = row;
    while (*hp != '\0' && *rp != '\0' && *rp != '\n') {
        size_t hn = strcspn(hp, ","), rn = strcspn(rp, ",\n");
        for (int k = 0; k < 6; k++) {
            if (strlen(want[k]) == hn && strncmp(hp, want[k], hn) == 0 && rn > 0) {
                val[k] = strtoll(rp, NULL, 10);
            }
        }
        hp += hn + (hp[hn] == ',');
        rp += rn + (rp[rn] == ',');
    }
    cr_assert_eq(val[0], NE, "events %lld", val[0]);
    for (int k = 1; k < 6; k++) {
        cr_assert_geq(val[k], 0, "column %s not found or empty", want[k]);
    }
    cr_assert_eq(val[2] + val[3] + val[4] + val[5], val[1]);
    /* debris (10 %) is gone: singlets about 90 % of the events */
    cr_assert(val[1] > 0.85 * NE && val[1] < 0.95 * NE, "singlets %lld", val[1]);
    free(t);
    free(dir);
}
