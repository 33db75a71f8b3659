/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_run_memory.c: `apoflow run` on a file larger than its estimation sample keeps its
 * memory bounded (peak resident size of the child, from wait4) while its counts still cover
 * every event: 3,000,000 events x 6 channels (144 MB as doubles, 72 MB on disk) analysed with
 * --sample-events 200000 must stay well under what holding the events would take.
 */
#define _DEFAULT_SOURCE 1 /* wait4 */
#include "fcs/fcs.h"
#include "support/run_cli.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

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
static void write_big(const char *path)
{
    static const char *const names[NP] = {"FSC-A", "FSC-H", "SSC-A", "FITC-A", "PI-A", "Time"};
    double *v = malloc((size_t)NE * NP * sizeof *v);
    cr_assert_not_null(v);
    uint64_t s = 88172645463325252ull;
    for (size_t e = 0; e < NE; e++) {
        double u = unit(&s);
        bool debris = u < 0.10;
        double c = unit(&s);
        int cls = c < 0.70 ? 0 : c < 0.80 ? 1 : c < 0.87 ? 2 : 3;
        double fsc = debris ? 2000 + 3000 * unit(&s) : 60000 + 20000 * (unit(&s) - 0.5);
        v[0 * (size_t)NE + e] = fsc;
        v[1 * (size_t)NE + e] = fsc * (0.9 + 0.05 * unit(&s));
        v[2 * (size_t)NE + e] = 30000 + 10000 * unit(&s);
        v[3 * (size_t)NE + e] = (cls == 1 || cls == 2) ? 5000 + 20000 * unit(&s) : 50 + 100 * unit(&s);
        v[4 * (size_t)NE + e] = (cls == 2 || cls == 3) ? 8000 + 20000 * unit(&s) : 40 + 100 * unit(&s);
        v[5 * (size_t)NE + e] = (double)e / 10000.0;
    }
    fcs_write_param p[NP];
    for (int k = 0; k < NP; k++) {
        p[k] = (fcs_write_param){names[k], NULL, 262144};
    }
    fcs_write_spec spec = {NP, p, NE, v, 0, NULL};
    apo_error err;
    cr_assert_eq(fcs_write_file(path, &spec, &err), APO_OK, "%s", err.msg);
    free(v);
}

/* Run argv, stdout/stderr to /dev/null; the exit code and the child's peak RSS in KiB. */
static int spawn_rss(char *const *argv, long *max_rss_kib)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    cr_assert_eq(rc, 0, "posix_spawn %s", argv[0]);
    int status = 0;
    struct rusage ru;
    cr_assert_eq(wait4(pid, &status, 0, &ru), pid);
    *max_rss_kib = ru.ru_maxrss;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

Test(cli_run_memory, big_file_bounded_memory_exact_counts)
{
    char *dir = test_tmpdir();
    char in[1024], out[1024], csv[1100];
    snprintf(in, sizeof in, "%s/in", dir);
    cr_assert_eq(mkdir(in, 0777), 0);
    snprintf(out, sizeof out, "%s/big.fcs", in);
    /* written by a child process: the spawned apoflow inherits this process's peak RSS
     * (exec records the old address space's high-water mark), so keep this one small */
    pid_t w = fork();
    cr_assert_neq(w, -1);
    if (w == 0) {
        write_big(out);
        _exit(0);
    }
    int ws = 0;
    cr_assert_eq(waitpid(w, &ws, 0), w);
    cr_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    snprintf(out, sizeof out, "%s/out", dir);
    char a_bin[] = APOFLOW_BINARY, a_run[] = "run", a_o[] = "-o", a_np[] = "--no-plots",
         a_q[] = "-q", a_se[] = "--sample-events", a_n[] = "200000", a_j[] = "--jobs",
         a_1[] = "1";
    char *argv[] = {a_bin, a_run, in, a_o, out, a_np, a_q, a_se, a_n, a_j, a_1, NULL};
    long rss = 0;
    cr_assert_eq(spawn_rss(argv, &rss), 0);
    fprintf(stderr, "apoflow run, 3M events x 6 channels, --sample-events 200000: peak RSS %ld KiB\n",
            rss);
#if !defined(__SANITIZE_ADDRESS__)
    /* the events alone would be 144,000,000 bytes as doubles (and 72 MB of mapped file) */
    cr_assert_lt(rss, 100 * 1024, "peak RSS %ld KiB", rss);
#endif
    /* counts over every event: events, and the quadrants add up to the singlets */
    snprintf(csv, sizeof csv, "%s/samples.csv", out);
    const char *t = slurp(csv);
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
    free(dir);
}
