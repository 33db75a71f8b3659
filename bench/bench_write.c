/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench_write.c: how fast the FCS writer exports a large data set. Reads synth_f32_le.fcs
 * from the data folder into doubles (fcs_dataset_read_events), then times fcs_write_file
 * of all events to a temporary file in the same folder (atomic write: temp file, rename;
 * `apoflow export` syncs the file afterwards, which is not timed here; best of N runs), checks the file reads back with the same event count, and
 * deletes it.
 *
 * usage: bench_write [-r runs] <data dir>
 */
#include "fcs/fcs.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    int runs = 3;
    int opt;
    while ((opt = getopt(argc, argv, "r:")) != -1) {
        uint64_t v = 0;
        if (opt == 'r' && apo_parse_u64(optarg, strlen(optarg), &v) && v >= 1 && v <= 100) {
            runs = (int)v;
        } else {
            fprintf(stderr, "usage: bench_write [-r runs] <data dir>\n");
            return 64;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "usage: bench_write [-r runs] <data dir>\n");
        return 64;
    }
    const char *dir = argv[optind];
    char in[4096], out[4200];
    snprintf(in, sizeof(in), "%s/synth_f32_le.fcs", dir);
    snprintf(out, sizeof(out), "%s/.bench_write_out.fcs", dir);

    apo_error err;
    fcs_file *f = NULL;
    if (fcs_file_open(&f, in, NULL, &err) != APO_OK) {
        fprintf(stderr, "bench_write: %s\n", err.msg);
        return 66;
    }
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    fcs_events ev;
    if (fcs_dataset_read_events(ds, NULL, &ev, &err) != APO_OK) {
        fprintf(stderr, "bench_write: %s\n", err.msg);
        fcs_file_free(f);
        return 65;
    }
    size_t np = ev.n_params;
    fcs_write_param *params = calloc(np, sizeof(*params));
    if (params == NULL) {
        return 70;
    }
    for (size_t p = 0; p < np; p++) {
        params[p].name = fcs_dataset_param(ds, p)->name;
        params[p].label = NULL;
        params[p].range = fcs_dataset_param(ds, p)->range;
    }
    const fcs_write_keyword kws[1] = {{"$CYT", "apoflow bench_write"}};
    fcs_write_spec spec = {np, params, ev.n_events, ev.values, 1, kws};

    double best = 1e300;
    int status = 0;
    for (int i = 0; i < runs && status == 0; i++) {
        double t0 = now_s();
        if (fcs_write_file(out, &spec, &err) != APO_OK) {
            fprintf(stderr, "bench_write: %s\n", err.msg);
            status = 74;
            break;
        }
        double t = now_s() - t0;
        best = t < best ? t : best;
    }
    uint64_t size = 0;
    if (status == 0) {
        fcs_file *back = NULL;
        if (fcs_file_open(&back, out, NULL, &err) != APO_OK ||
            fcs_dataset_n_events(fcs_file_dataset(back, 0)) != ev.n_events) {
            fprintf(stderr, "bench_write: written file does not read back: %s\n", err.msg);
            status = 1;
        } else {
            size = fcs_file_size(back);
        }
        fcs_file_free(back);
    }
    unlink(out);
    if (status == 0) {
        double mb = (double)size / 1e6;
        printf("bench_write: best of %d runs; fcs_write_file (float32, atomic, not synced)\n",
               runs);
        printf("%-18s %9s %8s %8s %9s\n", "from", "events", "MB", "seconds", "MB/s");
        printf("%-18s %9llu %8.1f %8.3f %9.0f\n", "synth_f32_le.fcs",
               (unsigned long long)ev.n_events, mb, best, mb / best);
    }
    free(params);
    fcs_events_free(&ev);
    fcs_file_free(f);
    return status;
}
