/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * limit_sum.c: the throughput limit a whole-file pass is measured against (bench/bench_plate.sh):
 * map the file and sum its DATA segment as float32 on one thread, page cache warm. Prints the
 * best of N runs in seconds and the DATA size. (Not a bench_* program: bench/run does not run it.)
 *
 * usage: limit_sum [-r runs] FILE.fcs
 */
#include "fcs/fcs.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Eight independent float accumulators (the compiler vectorises), then one double. */
static double sum_floats(const uint8_t *p, size_t len)
{
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t n = len / 4, i = 0;
    for (; i + 8 <= n; i += 8) {
        float v[8];
        memcpy(v, p + i * 4, sizeof v);
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

int main(int argc, char **argv)
{
    int runs = 5, a = 1;
    if (argc > 2 && strcmp(argv[1], "-r") == 0) {
        runs = atoi(argv[2]);
        a = 3;
    }
    if (a >= argc || runs < 1) {
        fprintf(stderr, "usage: limit_sum [-r runs] FILE.fcs\n");
        return 64;
    }
    const char *path = argv[a];
    apo_error err;
    fcs_file *f = NULL;
    if (fcs_file_open(&f, path, NULL, &err) != APO_OK) {
        fprintf(stderr, "limit_sum: %s\n", err.msg);
        return 66;
    }
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    const uint64_t begin = fcs_dataset_data_begin(ds), len = fcs_dataset_data_len(ds);
    fcs_file_free(f);
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        perror(path);
        return 66;
    }
    double best = 1e300, sum = 0;
    for (int r = 0; r < runs; r++) {
        const double t0 = now_s();
        void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            perror(path);
            return 74;
        }
        sum += sum_floats((const uint8_t *)map + begin, (size_t)len);
        munmap(map, (size_t)st.st_size);
        const double t = now_s() - t0;
        best = t < best ? t : best;
    }
    close(fd);
    printf("%.6f s %llu bytes (checksum %g)\n", best, (unsigned long long)len, sum * 0.0);
    return 0;
}
