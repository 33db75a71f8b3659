/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench_render.c: the cost of a 1 million event pseudocolor plot (logicle axes, 600 px at
 * scale 2, every event drawn) next to the cost of reading the same FCS file in the same run:
 * fcs_file_open + fcs_dataset_read_events (all channels, scaled doubles). Prints both times
 * (best of N runs, CLOCK_MONOTONIC), the render/PNG split and the ratio plot / read.
 *
 * usage: bench_render [-r runs] [data dir]
 *   with a data dir: plots the first 1M events of <dir>/synth_f32_le.fcs (bench/run's file;
 *   its read time is scaled to 1M events when the file holds more);
 *   without: writes its own 1M-event Annexin V / PI-like file with fcs_write_file into a
 *   temporary folder and removes it afterwards.
 */
#include "fcs/fcs.h"
#include "gating/gate.h"
#include "render/render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define N_PLOT 1000000u

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double uniform(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return ((double)(*s >> 11) + 0.5) * 0x1.0p-53;
}

static double normal(uint64_t *s)
{
    double u = uniform(s);
    return sqrt(-2 * log(u)) * cos(6.283185307179586 * uniform(s));
}

/* Four populations (live, early, late apoptotic, necrotic) on FSC-A, SSC-A, FITC-A, PE-A. */
static int write_synthetic(const char *path, apo_error *err)
{
    size_t n = N_PLOT;
    uint64_t rs = 0x9e3779b97f4a7c15ull;
    double *v = malloc(4 * n * sizeof *v);
    if (!v) return 1;
    for (size_t e = 0; e < n; e++) {
        double r = uniform(&rs), ax, ay;
        if (r < 0.7) {
            ax = 150 + 120 * normal(&rs);
            ay = 80 + 100 * normal(&rs);
        } else if (r < 0.82) {
            ax = pow(10, 3.6 + 0.25 * normal(&rs));
            ay = 100 + 150 * normal(&rs);
        } else if (r < 0.95) {
            ax = pow(10, 4.3 + 0.2 * normal(&rs));
            ay = pow(10, 3.9 + 0.25 * normal(&rs));
        } else {
            ax = pow(10, 2.5 + 0.3 * normal(&rs));
            ay = pow(10, 4.0 + 0.2 * normal(&rs));
        }
        v[e] = 100000 + 20000 * normal(&rs);
        v[n + e] = 50000 + 15000 * normal(&rs);
        v[2 * n + e] = ax;
        v[3 * n + e] = ay;
    }
    fcs_write_param params[4] = {{"FSC-A", NULL, 262144},
                                 {"SSC-A", NULL, 262144},
                                 {"FITC-A", "Annexin V", 262144},
                                 {"PE-A", "PI", 262144}};
    fcs_write_spec spec = {4, params, n, v, 0, NULL};
    apo_status st = fcs_write_file(path, &spec, err);
    free(v);
    return st == APO_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    int runs = 3, argi = 1;
    if (argi + 1 < argc && strcmp(argv[argi], "-r") == 0) {
        uint64_t v = 0;
        if (!apo_parse_u64(argv[argi + 1], strlen(argv[argi + 1]), &v) || v < 1 || v > 100) {
            fprintf(stderr, "bench_render: -r: expected 1..100, found %s\n", argv[argi + 1]);
            return 64;
        }
        runs = (int)v;
        argi += 2;
    }
    char dir[256] = "", path[512];
    apo_error err;
    apo_error_clear(&err);
    if (argi < argc) {
        snprintf(path, sizeof path, "%s/synth_f32_le.fcs", argv[argi]);
    } else {
        snprintf(dir, sizeof dir, "/tmp/apoflow-bench-render-XXXXXX");
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            return 1;
        }
        snprintf(path, sizeof path, "%s/annv_pi_1M.fcs", dir);
        if (write_synthetic(path, &err) != 0) {
            fprintf(stderr, "bench_render: cannot write %s: %s\n", path, err.msg);
            return 1;
        }
    }
    double best_read = INFINITY, best_render = INFINITY, best_png = INFINITY;
    uint64_t n_file = 0;
    int rc = 0;
    char out[600];
    snprintf(out, sizeof out, "%s.bench.png", path);
    for (int r = 0; r < runs && rc == 0; r++) {
        double t0 = now_s();
        fcs_file *f = NULL;
        fcs_events ev = {0, 0, NULL};
        fcs_read_options ro = FCS_READ_OPTIONS_INIT;
        fcs_decode_options dec = FCS_DECODE_OPTIONS_INIT;
        dec.values = FCS_VALUES_SCALED;
        if (fcs_file_open(&f, path, &ro, &err) != APO_OK ||
            fcs_dataset_read_events(fcs_file_dataset(f, 0), &dec, &ev, &err) != APO_OK) {
            fprintf(stderr, "bench_render: %s: %s\n", path, err.msg);
            fcs_file_free(f);
            rc = 1;
            break;
        }
        double t1 = now_s();
        n_file = ev.n_events;
        const fcs_dataset *ds = fcs_file_dataset(f, 0);
        size_t xi = fcs_dataset_find_param(ds, "FITC-A"), yi = fcs_dataset_find_param(ds, "PE-A");
        if (xi == SIZE_MAX || yi == SIZE_MAX) { /* bench/run's synthetic file */
            xi = fcs_dataset_find_param(ds, "FL1-A");
            yi = fcs_dataset_find_param(ds, "FL2-A");
        }
        gate_transform lgc;
        render_image *img = NULL;
        apo_status st = gate_transform_init_logicle(&lgc, 262144, 0.5, 4.5, 0, &err);
        if (st == APO_OK && (xi == SIZE_MAX || yi == SIZE_MAX)) {
            st = apo_error_set(&err, APO_E_USAGE, path, APO_NO_OFFSET, NULL,
                               "expected FITC-A/PE-A or FL1-A/FL2-A channels, found none");
        }
        double t2 = t1, t3 = t1;
        if (st == APO_OK) {
            render_plot p;
            render_plot_init(&p);
            p.kind = RENDER_PSEUDOCOLOR;
            p.x = fcs_events_column(&ev, xi);
            p.y = fcs_events_column(&ev, yi);
            p.n = ev.n_events < N_PLOT ? (size_t)ev.n_events : N_PLOT;
            render_axis_init(&p.xaxis, &lgc, "Annexin V (FITC-A)");
            render_axis_init(&p.yaxis, &lgc, "PI (PE-A)");
            render_quadrant q = {1000, 1000, {"Q4 Live", "Q3 Early", "Q2 Late", "Q1 Necrotic"},
                                 {70, 12, 13, 5}, 1};
            p.quadrant = &q;
            p.title = "bench";
            p.subtitle = "1,000,000 events";
            render_panel_spec panel = {NULL, 1, &p, 1};
            render_options o = RENDER_OPTIONS_INIT;
            o.scale = 2;
            st = render_panel(&img, &panel, &o, &err);
            t2 = now_s();
            if (st == APO_OK) st = render_image_write_png(img, out, 300, 0, NULL, &err);
            t3 = now_s();
        }
        render_image_free(img);
        fcs_events_free(&ev);
        fcs_file_free(f);
        if (st != APO_OK) {
            fprintf(stderr, "bench_render: %s\n", err.msg);
            rc = 1;
            break;
        }
        best_read = fmin(best_read, t1 - t0);
        best_render = fmin(best_render, t2 - t1);
        best_png = fmin(best_png, t3 - t2);
    }
    if (rc == 0) {
        double read_1m = n_file > N_PLOT ? best_read * N_PLOT / (double)n_file : best_read;
        double plot = best_render + best_png;
        printf("file            %s (%llu events)\n", path, (unsigned long long)n_file);
        printf("read (decode)   %.3f s%s\n", best_read,
               n_file > N_PLOT ? " (whole file)" : "");
        if (n_file > N_PLOT) printf("read per 1M     %.3f s\n", read_1m);
        printf("plot 1M events  %.3f s (render %.3f s + PNG %.3f s; 1200x1200 px)\n", plot,
               best_render, best_png);
        printf("ratio plot/read %.2f (best of %d runs)\n", plot / read_1m, runs);
    }
    unlink(out);
    if (dir[0]) {
        unlink(path);
        rmdir(dir);
    }
    return rc;
}
