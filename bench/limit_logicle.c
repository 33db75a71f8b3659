/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * limit_logicle.c: CPU time per value of the logicle transform on arrays, one thread
 * (bench/bench_plate.sh): 4 million values spread like compensated fluorescence (mostly
 * log-normal over the decades, a tenth around zero with negatives), transformed in arrays
 * of 60,000 (the array path, below the size at which gate_transform_apply_array would use a
 * second thread). Prints the best of N runs in ns per value.
 *
 * usage: limit_logicle [-r runs]
 */
#include "gating/gate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    int runs = argc > 2 && strcmp(argv[1], "-r") == 0 ? atoi(argv[2]) : 5;
    const size_t n = 4000000, chunk = 60000;
    double *in = malloc(n * sizeof *in), *out = malloc(n * sizeof *out);
    gate_transform t;
    apo_error err;
    if (in == NULL || out == NULL || runs < 1 ||
        gate_transform_init_logicle(&t, 262144.0, 0.5, 4.5, 0.0, &err) != APO_OK) {
        fprintf(stderr, "limit_logicle: cannot set up\n");
        return 71;
    }
    uint64_t x = 0x2545f4914f6cdd1du;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        const double u = (double)(x >> 11) / 9007199254740992.0;
        in[i] = i % 10 == 0 ? (u - 0.5) * 400.0 : exp(2.0 + u * 10.0);
    }
    double best = 1e300, check = 0;
    for (int r = 0; r < runs; r++) {
        const double t0 = now_s();
        for (size_t i = 0; i < n; i += chunk) {
            gate_transform_apply_array(&t, in + i, out + i, n - i < chunk ? n - i : chunk);
        }
        const double dt = now_s() - t0;
        best = dt < best ? dt : best;
        check += out[n / 2];
    }
    printf("%.2f ns/value (checksum %g)\n", best / (double)n * 1e9, check * 0.0);
    free(in);
    free(out);
    return 0;
}
