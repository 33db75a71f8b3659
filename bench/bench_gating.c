/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench_gating.c: the gating engine's core work over a whole file, next to a baseline in the
 * same run. On <dir>/synth_f32_le.fcs (bench/run's 10 million events x 12 channels):
 *   baseline      a plain loop that reads every decoded value once (one thread);
 *   compensation  a 12 x 12 spillover matrix applied to every channel (gate_comp_apply);
 *   logicle       the logicle transform of every channel (gate_transform_apply_array);
 *   quadrant      a 2-D quadrant gate of the strategy engine (gate_strategy_apply).
 * Each step is timed as the best of N runs (CLOCK_MONOTONIC) and printed with its ratio to the
 * baseline. The events are decoded once, untimed.
 *
 * usage: bench_gating [-r runs] [data dir]     (without a data dir: 2M synthetic events)
 */
#include "fcs/fcs.h"
#include "gating/gate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_CHANNELS 12

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Deterministic synthetic events (log-normal-ish, some negatives) when no file is given. */
static int synthesize(fcs_events *ev, size_t n_events, char names[][16])
{
    ev->n_events = n_events;
    ev->n_params = N_CHANNELS;
    ev->values = malloc(n_events * N_CHANNELS * sizeof(double));
    if (ev->values == NULL) {
        return -1;
    }
    uint64_t s = 0x9E3779B97F4A7C15u;
    for (size_t i = 0; i < n_events * N_CHANNELS; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        double u = ((double)(s >> 11) + 0.5) * 0x1.0p-53;
        ev->values[i] = exp(2.0 + 8.0 * u) - 200.0;
    }
    for (size_t p = 0; p < N_CHANNELS; p++) {
        snprintf(names[p], 16, "CH%zu-A", p + 1);
    }
    return 0;
}

static double baseline_sum(const fcs_events *ev)
{
    const double *v = ev->values;
    const size_t n = ev->n_events * ev->n_params;
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += v[i];
        s1 += v[i + 1];
        s2 += v[i + 2];
        s3 += v[i + 3];
    }
    for (; i < n; i++) {
        s0 += v[i];
    }
    return s0 + s1 + s2 + s3;
}

int main(int argc, char **argv)
{
    int runs = 3;
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-r") == 0 && i + 1 < argc) {
            runs = atoi(argv[++i]);
        } else {
            dir = argv[i];
        }
    }
    runs = runs < 1 ? 1 : runs;

    fcs_events ev = {0, 0, NULL};
    fcs_file *f = NULL;
    apo_error err;
    char synth_names[N_CHANNELS][16];
    const char *names[N_CHANNELS];
    if (dir != NULL) {
        char path[4096];
        snprintf(path, sizeof path, "%s/synth_f32_le.fcs", dir);
        fcs_read_options ro = FCS_READ_OPTIONS_INIT;
        fcs_decode_options dec = FCS_DECODE_OPTIONS_INIT;
        if (fcs_file_open(&f, path, &ro, &err) != APO_OK ||
            fcs_dataset_read_events(fcs_file_dataset(f, 0), &dec, &ev, &err) != APO_OK) {
            fprintf(stderr, "bench_gating: %s\n", err.msg);
            return 1;
        }
        if (ev.n_params < N_CHANNELS) {
            fprintf(stderr, "bench_gating: %s has %zu channels, need %d\n", path, ev.n_params,
                    N_CHANNELS);
            return 1;
        }
        for (size_t p = 0; p < N_CHANNELS; p++) {
            names[p] = fcs_dataset_param(fcs_file_dataset(f, 0), p)->name;
        }
        printf("file %s\n", path);
    } else {
        if (synthesize(&ev, 2000000, synth_names) != 0) {
            fprintf(stderr, "bench_gating: out of memory\n");
            return 1;
        }
        for (size_t p = 0; p < N_CHANNELS; p++) {
            names[p] = synth_names[p];
        }
        printf("synthetic events (no data dir given)\n");
    }
    const size_t n_values = ev.n_events * ev.n_params;
    printf("%llu events x %zu channels (%.1f M values), best of %d runs\n",
           (unsigned long long)ev.n_events, ev.n_params, (double)n_values / 1e6, runs);

    /* A diagonally dominant 12 x 12 spillover matrix over all channels. */
    double spill[N_CHANNELS * N_CHANNELS];
    for (size_t i = 0; i < N_CHANNELS; i++) {
        for (size_t j = 0; j < N_CHANNELS; j++) {
            spill[i * N_CHANNELS + j] = i == j ? 1.0 : 0.01 * (double)((i * 7 + j * 3) % 9);
        }
    }
    gate_comp *comp = NULL;
    gate_transform logicle;
    if (gate_comp_new(&comp, N_CHANNELS, names, NULL, spill, &err) != APO_OK ||
        gate_comp_bind_names(comp, ev.n_params, names, &err) != APO_OK ||
        gate_transform_init_logicle(&logicle, 262144.0, 0.5, 4.5, 0.0, &err) != APO_OK) {
        fprintf(stderr, "bench_gating: %s\n", err.msg);
        return 1;
    }

    /* The quadrant gate sees the already transformed columns as plain channels. */
    gate_strategy *s = NULL;
    gate_dim dims[2] = {{.name = names[0]}, {.name = names[1]}};
    const char *q[4] = {"Q1", "Q2", "Q3", "Q4"};
    gate_data data = {ev.n_events, ev.n_params, names, NULL, ev.values, NULL, NULL};
    if (gate_strategy_new(&s, &err) != APO_OK ||
        gate_strategy_add_quadrants_2d(s, "Quad", NULL, dims, 0.3, 0.3, q, &err) != APO_OK) {
        fprintf(stderr, "bench_gating: %s\n", err.msg);
        return 1;
    }

    double t_base = INFINITY, t_comp = INFINITY, t_logicle = INFINITY, t_quad = INFINITY;
    double sink = 0;
    size_t in_q3 = 0;
    double *work = malloc(n_values * sizeof(double));
    if (work == NULL) {
        fprintf(stderr, "bench_gating: out of memory\n");
        return 1;
    }
    fcs_events wev = {ev.n_events, ev.n_params, work};
    for (int r = 0; r < runs; r++) {
        double t0 = now_s();
        sink += baseline_sum(&ev);
        double t1 = now_s();
        t_base = fmin(t_base, t1 - t0);

        memcpy(work, ev.values, n_values * sizeof(double)); /* untimed: fresh raw values */
        t0 = now_s();
        if (gate_comp_apply(comp, &wev, 1, &err) != APO_OK) { /* one thread, as the baseline */
            fprintf(stderr, "bench_gating: %s\n", err.msg);
            return 1;
        }
        t1 = now_s();
        t_comp = fmin(t_comp, t1 - t0);

        t0 = now_s();
        for (size_t p = 0; p < ev.n_params; p++) {
            double *col = work + p * ev.n_events;
            gate_transform_apply_array(&logicle, col, col, ev.n_events);
        }
        t1 = now_s();
        t_logicle = fmin(t_logicle, t1 - t0);

        data.values = work;
        gate_result res;
        t0 = now_s();
        if (gate_strategy_apply(s, &data, &res, &err) != APO_OK) {
            fprintf(stderr, "bench_gating: %s\n", err.msg);
            return 1;
        }
        t1 = now_s();
        t_quad = fmin(t_quad, t1 - t0);
        in_q3 = (size_t)res.count[gate_strategy_find(s, "Q3")];
        gate_result_free(&res);
    }
    double total = t_comp + t_logicle + t_quad;
    printf("%-34s %9.4f s  %8.1f M values/s  ratio %7.2f\n", "baseline (read every value once)",
           t_base, (double)n_values / t_base / 1e6, 1.0);
    printf("%-34s %9.4f s  %8.1f M values/s  ratio %7.2f\n", "compensation 12x12 (all channels)",
           t_comp, (double)n_values / t_comp / 1e6, t_comp / t_base);
    printf("%-34s %9.4f s  %8.1f M values/s  ratio %7.2f\n", "logicle (all channels)", t_logicle,
           (double)n_values / t_logicle / 1e6, t_logicle / t_base);
    printf("%-34s %9.4f s  %8.1f M events/s  ratio %7.2f\n", "quadrant gate (2 channels)", t_quad,
           (double)ev.n_events / t_quad / 1e6, t_quad / t_base);
    printf("%-34s %9.4f s  ratio to baseline %.1f\n", "comp + logicle + quadrant", total,
           total / t_base);
    printf("(checksum %g, %zu events in Q3)\n", sink, in_q3);
    free(work);
    gate_strategy_free(s);
    gate_comp_free(comp);
    fcs_events_free(&ev);
    fcs_file_free(f);
    return 0;
}
