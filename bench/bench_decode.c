/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench_decode.c: how fast the reader gets a whole FCS file into memory, next to a baseline
 * measured in the same run. For every *.fcs file in the data folder (one child process per
 * file, so each has its own peak RSS):
 *   baseline: mmap the file and sum its DATA bytes as float32 on one thread;
 *   decode:   fcs_file_open + fcs_dataset_decode_f32 of all events into one freshly
 *             allocated column-major float32 matrix, in three variants: the matrix
 *             advised for transparent huge pages (2 threads; 1 thread), and a
 *             plain malloc'd matrix (2 threads), whose 4 KiB page faults cost
 *             more than the decoding itself.
 * Times are the best of N runs (CLOCK_MONOTONIC). Prints MB/s of DATA, the ratio to the
 * baseline, the decode time relative to synth_f32_le.fcs, and peak RSS against the target
 * (file + one float32 matrix + 10%, plus the 2 MiB huge-page rounding of the matrix).
 *
 * usage: bench_decode [-r runs] <data dir>
 */
#define _DEFAULT_SOURCE 1 /* madvise(MADV_HUGEPAGE): Linux, benchmark only */

#include "fcs/fcs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct result {
    char name[256];
    int ok;
    char msg[APO_ERROR_MSG_SIZE];
    uint64_t file_size;
    uint64_t data_len;
    uint64_t n_events;
    uint64_t n_params;
    double base_s;
    double dec_s;
    double dec1_s;
    double decm_s;
    double checksum;
    long max_rss_kb;
    long start_rss_kb; /* before the file was touched: the program itself */
} result;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Sum @p len bytes as float32 values with 8 independent accumulators (so the loop is
 * limited by memory, not by the latency of one chain of additions). */
static double sum_floats(const uint8_t *p, size_t len)
{
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t n = len / 4;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        float v[8];
        memcpy(v, p + i * 4, sizeof(v));
        for (int k = 0; k < 8; k++) {
            acc[k] += v[k];
        }
    }
    double total = 0;
    for (; i < n; i++) {
        float v;
        memcpy(&v, p + i * 4, 4);
        total += v;
    }
    for (int k = 0; k < 8; k++) {
        total += acc[k];
    }
    return total;
}

static int baseline_once(const char *path, uint64_t begin, uint64_t len, double *sum)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return -1;
    }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        return -1;
    }
    *sum += sum_floats((const uint8_t *)map + begin, (size_t)len);
    munmap(map, (size_t)st.st_size);
    return 0;
}

#define HUGE_PAGE ((size_t)2 << 20)

/* The output matrix: malloc'd, or 2 MiB aligned and advised for transparent huge pages. */
static float *alloc_matrix(size_t bytes, bool huge)
{
    if (!huge) {
        return malloc(bytes + 1);
    }
    size_t rounded = (bytes / HUGE_PAGE + 1) * HUGE_PAGE;
    float *m = aligned_alloc(HUGE_PAGE, rounded);
#ifdef MADV_HUGEPAGE
    if (m != NULL) {
        madvise(m, rounded, MADV_HUGEPAGE);
    }
#endif
    return m;
}

static apo_status decode_once(const char *path, unsigned threads, bool huge, double *checksum,
                              apo_error *err)
{
    fcs_file *f = NULL;
    apo_status st = fcs_file_open(&f, path, NULL, err);
    if (st != APO_OK) {
        return st;
    }
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    uint64_t n = fcs_dataset_n_events(ds);
    size_t np = fcs_dataset_n_params(ds);
    float *m = alloc_matrix((size_t)n * np * sizeof(float), huge);
    if (m == NULL) {
        fcs_file_free(f);
        return apo_error_set(err, APO_E_NOMEM, path, APO_NO_OFFSET, NULL, "out of memory");
    }
    fcs_decode_options opts = FCS_DECODE_OPTIONS_INIT;
    opts.threads = threads;
    st = fcs_dataset_decode_f32(ds, 0, n, &opts, m, (size_t)n, err);
    if (st == APO_OK && n > 0) {
        *checksum += (double)m[0] + (double)m[(size_t)n * np - 1] + (double)m[(size_t)n / 2];
    }
    free(m);
    fcs_file_free(f);
    return st;
}

static void run_file(const char *path, int runs, result *r)
{
    apo_error err;
    fcs_file *f = NULL;
    if (fcs_file_open(&f, path, NULL, &err) != APO_OK) {
        snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
        return;
    }
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    uint64_t begin = fcs_dataset_data_begin(ds);
    r->data_len = fcs_dataset_data_len(ds);
    r->n_events = fcs_dataset_n_events(ds);
    r->n_params = fcs_dataset_n_params(ds);
    r->file_size = fcs_file_size(f);
    fcs_file_free(f);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    r->start_rss_kb = ru.ru_maxrss; /* the program, with its code paged in, holding no data */

    double sum = 0;
    r->base_s = r->dec_s = r->dec1_s = r->decm_s = 1e300;
    for (int i = 0; i < runs; i++) {
        double t0 = now_s();
        if (baseline_once(path, begin, r->data_len, &sum) != 0) {
            snprintf(r->msg, sizeof(r->msg), "baseline: cannot map: %s", strerror(errno));
            return;
        }
        double t1 = now_s();
        r->base_s = t1 - t0 < r->base_s ? t1 - t0 : r->base_s;
    }
    for (int pass = 0; pass < 3; pass++) {
        for (int i = 0; i < runs; i++) {
            double t0 = now_s();
            if (decode_once(path, pass == 1 ? 1 : 2, pass != 2, &r->checksum, &err) != APO_OK) {
                snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
                return;
            }
            double t = now_s() - t0;
            double *best = pass == 0 ? &r->dec_s : pass == 1 ? &r->dec1_s : &r->decm_s;
            *best = t < *best ? t : *best;
        }
    }
    r->checksum += sum * 0.0; /* keep the baseline's work observable */
    getrusage(RUSAGE_SELF, &ru);
    r->max_rss_kb = ru.ru_maxrss;
    r->ok = 1;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int select_fcs(const struct dirent *de)
{
    return has_suffix(de->d_name, ".fcs");
}

int main(int argc, char **argv)
{
    int runs = 5;
    int opt;
    while ((opt = getopt(argc, argv, "r:")) != -1) {
        uint64_t v = 0;
        if (opt == 'r' && apo_parse_u64(optarg, strlen(optarg), &v) && v >= 1 && v <= 100) {
            runs = (int)v;
        } else {
            fprintf(stderr, "usage: bench_decode [-r runs] <data dir>\n");
            return 64;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "usage: bench_decode [-r runs] <data dir>\n");
        return 64;
    }
    const char *dir = argv[optind];
    struct dirent **list = NULL;
    int n = scandir(dir, &list, select_fcs, alphasort);
    if (n < 0) {
        fprintf(stderr, "bench_decode: %s: %s\n", dir, strerror(errno));
        return 66;
    }
    if (n == 0) {
        fprintf(stderr, "bench_decode: no .fcs files in %s\n", dir);
        free(list);
        return 66;
    }
    result *res = calloc((size_t)n, sizeof(*res));
    if (res == NULL) {
        return 70;
    }
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
        snprintf(res[i].name, sizeof(res[i].name), "%s", list[i]->d_name);
        int fds[2];
        if (pipe(fds) != 0) {
            return 71;
        }
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            result r;
            memset(&r, 0, sizeof(r));
            run_file(path, runs, &r);
            ssize_t w = write(fds[1], &r, sizeof(r));
            _exit(w == (ssize_t)sizeof(r) ? 0 : 1);
        }
        close(fds[1]);
        result r;
        memset(&r, 0, sizeof(r));
        size_t got = 0;
        while (pid > 0 && got < sizeof(r)) {
            ssize_t k = read(fds[0], (char *)&r + got, sizeof(r) - got);
            if (k <= 0) {
                break;
            }
            got += (size_t)k;
        }
        close(fds[0]);
        if (pid > 0) {
            waitpid(pid, NULL, 0);
        }
        if (got == sizeof(r)) {
            memcpy(r.name, res[i].name, sizeof(r.name));
            res[i] = r;
        } else {
            snprintf(res[i].msg, sizeof(res[i].msg), "benchmark process failed");
        }
        free(list[i]);
    }
    free(list);

    double ref = 0;
    for (int i = 0; i < n; i++) {
        if (res[i].ok && strcmp(res[i].name, "synth_f32_le.fcs") == 0) {
            ref = res[i].dec_s;
        }
    }
    printf("bench_decode: best of %d runs; MB = 10^6 bytes of DATA; ratio = decode / baseline "
           "throughput;\n  decode = huge-page matrix, 2 threads; 1thr = same, 1 thread; "
           "malloc = plain malloc'd matrix, 2 threads;\n  t/f32le = decode time / decode "
           "time of synth_f32_le.fcs; RSS = peak RSS, of which \"prog\" before any data was\n"
           "  held; mem = (RSS - prog) vs limit = file + matrix + 10%% + 2 MiB (huge-page rounding)\n",
           runs);
    printf("%-18s %9s %6s %9s %9s %5s %9s %5s %9s %5s %7s %7s %5s %7s %4s\n", "file", "events",
           "MB", "base MB/s", "decode", "ratio", "1thr", "ratio", "malloc", "ratio", "t/f32le",
           "RSS MB", "prog", "limit", "mem");
    int failures = 0;
    for (int i = 0; i < n; i++) {
        const result *r = &res[i];
        if (!r->ok) {
            printf("%-18s FAILED: %s\n", r->name, r->msg);
            failures++;
            continue;
        }
        double mb = (double)r->data_len / 1e6;
        double matrix = (double)r->n_events * (double)r->n_params * 4.0;
        /* + one huge page: the huge-page matrix is rounded up to whole 2 MiB pages */
        double limit_mb = (((double)r->file_size + matrix) * 1.10 + (double)HUGE_PAGE) / 1e6;
        double rss_mb = (double)r->max_rss_kb * 1024.0 / 1e6;
        double prog_mb = (double)r->start_rss_kb * 1024.0 / 1e6;
        char rel[32] = "-";
        if (ref > 0) {
            snprintf(rel, sizeof(rel), "%.2f", r->dec_s / ref);
        }
        printf("%-18s %9llu %6.1f %9.0f %9.0f %5.2f %9.0f %5.2f %9.0f %5.2f %7s %7.1f %5.1f %7.1f "
               "%4s\n",
               r->name, (unsigned long long)r->n_events, mb, mb / r->base_s, mb / r->dec_s,
               r->base_s / r->dec_s, mb / r->dec1_s, r->base_s / r->dec1_s, mb / r->decm_s,
               r->base_s / r->decm_s, rel, rss_mb, prog_mb, limit_mb,
               rss_mb - prog_mb <= limit_mb ? "ok" : "OVER");
    }
    free(res);
    return failures ? 1 : 0;
}
