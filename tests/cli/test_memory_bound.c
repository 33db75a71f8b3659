/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_memory_bound.c: `apoflow gate` and `apoflow plot` on a 3,000,000-event file (written
 * here block by block) stay within memory proportional to a block plus the bounded sample,
 * not to the file: exact counts and quadrant percentages over every event, and the child's
 * peak resident size (getrusage) below what holding the decoded events alone would take
 * (3M x 6 channels x 8 bytes = 144 MB). The size is not asserted under the sanitizers.
 * Also --sample-events on a small corpus file: counts unchanged, medians from the sample.
 */
#include "support/need.h"
#include "support/big_fcs.h"
#include "support/run_cli.h"
#include "support/slurp.h"

#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_EVENTS 3000000u
#define N_PARAMS 6
#define RSS_BOUND_KB (120L * 1024L)

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_SANITIZER 1
#else
#define UNDER_SANITIZER 0
#endif

static const char *const names[N_PARAMS] = {"FSC-A", "FSC-H", "SSC-A", "FL1-A", "FL2-A", "FL3-A"};

/* Exact populations of the generated events (the strategy below, counted while writing). */
typedef struct expected {
    uint64_t cells;
    uint64_t quad[4]; /* NN, PN, PP, NP = x-y-, x+y-, x+y+, x-y+ on FL1-A / FL2-A */
} expected;

static double next_uniform(uint64_t *state)
{
    *state = *state * 6364136223846793005u + 1442695040888963407u;
    return (double)(*state >> 11) / 9007199254740992.0;
}

/* The generated events, counting the strategy's populations as they are made. */
typedef struct generator {
    uint64_t state;
    expected *x;
} generator;

static void fill_block(void *ctx, uint64_t first, size_t n, double *block)
{
    (void)first;
    generator *g = ctx;
    for (size_t e = 0; e < n; e++) {
        float r[N_PARAMS]; /* stored as float32: the expectations use the stored values */
        r[0] = (float)(250000 * next_uniform(&g->state));
        r[1] = (float)(0.8 * r[0]);
        r[2] = (float)(250000 * next_uniform(&g->state) * next_uniform(&g->state));
        r[3] = (float)(-100 + 100000 * next_uniform(&g->state) * next_uniform(&g->state));
        r[4] = (float)(-100 + 20000 * next_uniform(&g->state) * next_uniform(&g->state));
        r[5] = (float)(5000 * next_uniform(&g->state));
        for (int p = 0; p < N_PARAMS; p++) {
            block[(size_t)p * n + e] = r[p];
        }
        /* the strategy: Cells = FSC-A in [30000, 220000) and SSC-A in [10000, 200000);
         * quadrants under Cells at FL1-A 1000, FL2-A 1000 ('+' at or above) */
        double fsc = r[0], ssc = r[2], fl1 = r[3], fl2 = r[4];
        if (fsc >= 30000 && fsc < 220000 && ssc >= 10000 && ssc < 200000) {
            g->x->cells++;
            bool xp = fl1 >= 1000, yp = fl2 >= 1000;
            g->x->quad[xp ? (yp ? 2 : 1) : (yp ? 3 : 0)]++;
        }
    }
}

/* Write the file block by block (the test process stays small: the child starts as its copy). */
static void write_big_fcs(const char *path, expected *x)
{
    memset(x, 0, sizeof(*x));
    generator g = {7, x};
    big_fcs_write(path, names, N_PARAMS, N_EVENTS, fill_block, &g);
}

static const char strategy[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<gating:Gating-ML xmlns:gating=\"http://www.isac-net.org/std/Gating-ML/v2.0/gating\"\n"
    "    xmlns:data-type=\"http://www.isac-net.org/std/Gating-ML/v2.0/datatypes\">\n"
    "  <gating:RectangleGate gating:id=\"Cells\">\n"
    "    <gating:dimension gating:compensation-ref=\"uncompensated\" gating:min=\"30000\" gating:max=\"220000\">\n"
    "      <data-type:fcs-dimension data-type:name=\"FSC-A\" /></gating:dimension>\n"
    "    <gating:dimension gating:compensation-ref=\"uncompensated\" gating:min=\"10000\" gating:max=\"200000\">\n"
    "      <data-type:fcs-dimension data-type:name=\"SSC-A\" /></gating:dimension>\n"
    "  </gating:RectangleGate>\n"
    "  <gating:QuadrantGate gating:id=\"Q\" gating:parent_id=\"Cells\">\n"
    "    <gating:divider gating:id=\"D1\" gating:compensation-ref=\"uncompensated\">\n"
    "      <data-type:fcs-dimension data-type:name=\"FL1-A\" /><gating:value>1000</gating:value>\n"
    "    </gating:divider>\n"
    "    <gating:divider gating:id=\"D2\" gating:compensation-ref=\"uncompensated\">\n"
    "      <data-type:fcs-dimension data-type:name=\"FL2-A\" /><gating:value>1000</gating:value>\n"
    "    </gating:divider>\n"
    "    <gating:Quadrant gating:id=\"NN\"><gating:position gating:divider_ref=\"D1\" "
    "gating:location=\"0\" /><gating:position gating:divider_ref=\"D2\" gating:location=\"0\" "
    "/></gating:Quadrant>\n"
    "    <gating:Quadrant gating:id=\"PN\"><gating:position gating:divider_ref=\"D1\" "
    "gating:location=\"5000\" /><gating:position gating:divider_ref=\"D2\" "
    "gating:location=\"0\" /></gating:Quadrant>\n"
    "    <gating:Quadrant gating:id=\"PP\"><gating:position gating:divider_ref=\"D1\" "
    "gating:location=\"5000\" /><gating:position gating:divider_ref=\"D2\" "
    "gating:location=\"5000\" /></gating:Quadrant>\n"
    "    <gating:Quadrant gating:id=\"NP\"><gating:position gating:divider_ref=\"D1\" "
    "gating:location=\"0\" /><gating:position gating:divider_ref=\"D2\" "
    "gating:location=\"5000\" /></gating:Quadrant>\n"
    "  </gating:QuadrantGate>\n"
    "</gating:Gating-ML>\n";

typedef struct fixture {
    char *dir;
    char fcs[1024], gml[1024], out[1024];
    expected x;
} fixture;

static void fixture_init(fixture *f, const char *out_name)
{
    f->dir = test_tmpdir();
    cr_assert_not_null(f->dir);
    snprintf(f->fcs, sizeof(f->fcs), "%s/big.fcs", f->dir);
    snprintf(f->gml, sizeof(f->gml), "%s/strategy.xml", f->dir);
    snprintf(f->out, sizeof(f->out), "%s/%s", f->dir, out_name);
    FILE *fp = fopen(f->gml, "w");
    cr_assert_not_null(fp);
    fputs(strategy, fp);
    cr_assert_eq(fclose(fp), 0);
    write_big_fcs(f->fcs, &f->x);
    cr_assert_gt(f->x.cells, N_EVENTS / 2);
    for (int q = 0; q < 4; q++) {
        cr_assert_gt(f->x.quad[q], 1000, "quadrant %d: %" PRIu64, q, f->x.quad[q]);
    }
}

static void fixture_free(fixture *f)
{
    remove(f->fcs);
    remove(f->gml);
    remove(f->out);
    remove(f->dir);
    free(f->dir);
}

static void check_rss(const char *what, long kb)
{
    cr_log_info("%s: peak RSS %ld KiB (bound %ld KiB)", what, kb, RSS_BOUND_KB);
    fprintf(stderr, "test_memory_bound: %s: peak RSS %ld KiB\n", what, kb);
    if (!UNDER_SANITIZER) {
        cr_assert_gt(kb, 0);
        cr_assert_lt(kb, RSS_BOUND_KB, "%s: peak RSS %ld KiB, expected below %ld KiB", what, kb,
                     RSS_BOUND_KB);
    }
}

/* The count column (4th) of population @p pop in gate's CSV. */
static uint64_t csv_count(const char *csv, const char *pop)
{
    char key[64];
    snprintf(key, sizeof(key), ",%s,", pop);
    const char *p = strstr(csv, key);
    cr_assert_not_null(p, "no row for %s in:\n%s", pop, csv);
    p = strchr(p + strlen(key), ',');
    cr_assert_not_null(p);
    return strtoull(p + 1, NULL, 10);
}

Test(cli_memory_bound, gate_exact_counts_in_bounded_memory, .timeout = 300)
{
    fixture f;
    fixture_init(&f, "gate.csv");
    const char *argv[] = {APOFLOW_BINARY, "gate", f.fcs, "--gating", f.gml, "-o", f.out, NULL};
    run_result r;
    long kb = -1;
    cr_assert_eq(run_cli_max_rss(argv, &r, &kb), 0, "%s", r.err);
    check_rss("apoflow gate (3M events x 6 channels)", kb);
    FILE *fp = fopen(f.out, "r");
    cr_assert_not_null(fp);
    char csv[8192];
    size_t len = fread(csv, 1, sizeof(csv) - 1, fp);
    csv[len] = '\0';
    fclose(fp);
    cr_assert_eq(csv_count(csv, "Cells"), f.x.cells);
    static const char *const qn[4] = {"Cells/NN", "Cells/PN", "Cells/PP", "Cells/NP"};
    for (int q = 0; q < 4; q++) {
        cr_assert_eq(csv_count(csv, qn[q]), f.x.quad[q], "%s", qn[q]);
    }
    run_result_free(&r);
    fixture_free(&f);
}

/* Does the file at @p path contain @p needle (PNG tEXt chunks are stored as is)? */
static bool file_contains(const char *path, const char *needle)
{
    size_t n = 0;
    char *buf = test_slurp(path, &n);
    size_t k = strlen(needle);
    bool found = false;
    for (size_t i = 0; !found && i + k <= n; i++) {
        found = memcmp(buf + i, needle, k) == 0;
    }
    free(buf);
    return found;
}

Test(cli_memory_bound, plot_exact_quadrants_in_bounded_memory, .timeout = 300)
{
    fixture f;
    fixture_init(&f, "plot.png");
    const char *argv[] = {APOFLOW_BINARY, "plot", f.fcs, "-x", "FL1-A", "-y", "FL2-A",
                          "--gating", f.gml, "--population", "Cells", "--quadrant",
                          "1000,1000", "-o", f.out, NULL};
    run_result r;
    long kb = -1;
    cr_assert_eq(run_cli_max_rss(argv, &r, &kb), 0, "%s", r.err);
    check_rss("apoflow plot (3M events x 6 channels)", kb);
    /* the quadrant percentages of every Cells event, as the PNG comment records them */
    char want[256];
    double c = (double)f.x.cells;
    snprintf(want, sizeof(want), "quadrant_pct=LL:%.4f,LR:%.4f,UR:%.4f,UL:%.4f; sample_step=3",
             100.0 * (double)f.x.quad[0] / c, 100.0 * (double)f.x.quad[1] / c,
             100.0 * (double)f.x.quad[2] / c, 100.0 * (double)f.x.quad[3] / c);
    cr_assert(file_contains(f.out, want), "the PNG has no \"%s\"", want);
    run_result_free(&r);
    fixture_free(&f);
}

/* ---- --sample-events on a small corpus file: counts unchanged, medians from the sample ---- */

#define GML_DIR APOFLOW_CORPUS_DIR "/gating-ml"

/* Run gate on the compliance data with @p limit (NULL = default) into @p out; its text. */
static char *gate_csv(const char *limit, const char *out)
{
    const char *argv[12] = {APOFLOW_BINARY, "gate", GML_DIR "/data1.fcs", "--gating",
                            GML_DIR "/gml/gml_all_gates.xml", "-o", out, NULL};
    if (limit != NULL) {
        argv[7] = "--sample-events";
        argv[8] = limit;
        argv[9] = NULL;
    }
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 0, "%s", r.err);
    run_result_free(&r);
    return test_slurp(out, NULL);
}

Test(cli_memory_bound, gate_sample_events_option)
{
    test_need_path(GML_DIR "/data1.fcs", "the corpus file");
    char *dir = test_tmpdir();
    char out[1024];
    snprintf(out, sizeof(out), "%s/g.csv", dir);
    char *dflt = gate_csv(NULL, out);
    char *all = gate_csv("0", out);
    char *small = gate_csv("1000", out);
    cr_assert_str_eq(all, dflt); /* the file is within the default limit: used whole */
    cr_assert_str_neq(small, dflt); /* medians from every 14th event differ */
    /* ... but every line keeps its count and percentages (fields 1-5) */
    const char *a = dflt, *b = small;
    size_t lines = 0;
    while (*a && *b) {
        size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
        const char *ea = a, *eb = b;
        for (int k = 0; k < 6 && ea; k++) {
            ea = strchr(ea + 1, ',');
            eb = eb ? strchr(eb + 1, ',') : NULL;
        }
        cr_assert(ea != NULL && eb != NULL && ea - a == eb - b && memcmp(a, b, (size_t)(ea - a)) == 0,
                  "line %zu: %.*s vs %.*s", lines, (int)la, a, (int)lb, b);
        a += la + (a[la] != '\0');
        b += lb + (b[lb] != '\0');
        lines++;
    }
    cr_assert(*a == '\0' && *b == '\0');
    cr_assert_gt(lines, 10);
    const char *bad[] = {APOFLOW_BINARY, "gate", GML_DIR "/data1.fcs", "--gating",
                         GML_DIR "/gml/gml_all_gates.xml", "--sample-events", "lots", NULL};
    run_result r;
    cr_assert_eq(run_cli(bad, &r), 64);
    cr_assert_not_null(strstr(r.err, "--sample-events"), "%s", r.err);
    run_result_free(&r);
    const char *bad_plot[] = {APOFLOW_BINARY, "plot", GML_DIR "/data1.fcs", "-x", "FSC-H",
                              "--kind", "hist", "--sample-events", "-1", "-o", out, NULL};
    cr_assert_eq(run_cli(bad_plot, &r), 64);
    run_result_free(&r);
    free(dflt);
    free(all);
    free(small);
    remove(out);
    remove(dir);
    free(dir);
}
