/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_merge.c: `apoflow merge SHARD_DIR... -o OUTDIR`: combines the outputs of sharded
 * `apoflow run --shard I/N --gating G` runs into the outputs a single run with the same
 * gating gives (assay/merge.h) and results.xlsx, copies the per-sample plots, writes
 * report.html, and last manifest.json (the folder is owned as a run's: cli/outdir_own.h).
 * Exit 65 when a shard reported failed files or samples.
 */
#include "cli/cli.h"
#include "cli/options.h"
#include "cli/outdir_own.h"
#include "cli/pool_read.h"
#include "assay/merge.h"
#include "assay/results_xlsx.h"
#include "report/report.h"
#include "util/paths.h"

#include <stdlib.h>
#include <string.h>

enum { OPT_NO_REPORT = CLI_KEY_LONG };

static const cli_option merge_options_table[] = {
    {"output", 'o', "DIR", "options", "output folder (created; not a shard folder nor inside one)",
     NULL},
    {"no-report", OPT_NO_REPORT, NULL, "options", "do not write report.html",
     "write it"},
    {"jobs", 'j', "N", "options", "threads for checksums (0 = all cores)", "0"},
    {"quiet", 'q', NULL, "options", "no summary on standard output", NULL},
    {NULL, 0, NULL, NULL, NULL, NULL}};

static const cli_option *const merge_tables[] = {merge_options_table, NULL};

static const cli_spec merge_spec = {
    "merge",
    "usage: apoflow merge SHARD_DIR... -o OUTDIR\n\n"
    "Combine the output folders of sharded runs (apoflow run --shard I/N --gating G)\n"
    "into the outputs one run over all files with --gating G writes: samples.csv and\n"
    "stats.csv (rows in input path order), comparisons.csv and the dose-response fits\n"
    "recomputed over all samples, results.json, results.xlsx, gating.xml, plots/ and\n"
    "report.html (docs/scaling.md). Refuses a missing, repeated or foreign shard (of\n"
    "another count, sheet or gating file) and a file in two shards.\n",
    merge_tables,
    "exit codes: 0 ok, 64 usage, 65 a shard had failed files or samples, or shards\n"
    "that do not fit together, 66 a shard folder or file is missing, 71 out of memory,\n"
    "73/74 cannot write the outputs\n"};

typedef struct merge_options {
    const char *outdir;
    bool report, quiet;
    unsigned jobs;
    size_t n_dirs;
    const char *const *dirs;
} merge_options;

/* Parse the command line into @p o; returns -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, merge_options *o)
{
    *o = (merge_options){.report = true};
    cli_parser p;
    cli_parser_init(&p, &merge_spec, argc, argv);
    const char *arg;
    int key;
    while ((key = cli_parser_next(&p, &arg)) != CLI_OPTS_DONE) {
        switch (key) {
        case CLI_OPTS_EXIT:
            return p.exit_code;
        case 'o':
            o->outdir = arg;
            break;
        case OPT_NO_REPORT:
            o->report = false;
            break;
        case 'j':
            if (!cli_parse_jobs(arg, &o->jobs)) {
                return CLI_EXIT_USAGE;
            }
            break;
        default: /* 'q' */
            o->quiet = true;
            break;
        }
    }
    int first = cli_parser_operands(&p);
    if (o->outdir == NULL || first >= argc) {
        cli_errorf("expected SHARD_DIR... -o OUTDIR, found %s (see 'apoflow merge --help')",
                   o->outdir == NULL ? "no -o" : "no shard folder");
        return CLI_EXIT_USAGE;
    }
    o->n_dirs = (size_t)(argc - first);
    o->dirs = (const char *const *)argv + first;
    return -1;
}

/* report.html of the merged samples (the per-sample plots come from the shards). */
static apo_status merge_report(const merge_options *o, const assay_merge *m, bool plots,
                               int argc, char **argv, const apo_observer *obs)
{
    const char **wells = calloc(m->n ? m->n : 1, sizeof *wells);
    if (wells == NULL) {
        return APO_E_NOMEM;
    }
    for (size_t i = 0; i < m->n; i++) {
        wells[i] = m->samples[i].well;
    }
    char note[512];
    snprintf(note, sizeof note,
             "Merged from %zu shard folders (apoflow merge); the quadrant overview and "
             "Annexin V overlay of all samples are drawn by a single run only.",
             m->n_shards);
    report_input ri = {.outdir = o->outdir,
                       .title = "Annexin V / PI apoptosis report (merged shards)",
                       .n_samples = m->n,
                       .res = &m->res,
                       .argc = argc,
                       .argv = argv,
                       .note = note,
                       .jobs = o->jobs};
    apo_status st = report_for_samples(&ri, m->in, wells, m->n_failed, m->failed_files,
                                       m->failed_msgs, plots, obs);
    free(wells);
    return st;
}

/* 65 when a shard had failed files or samples. */
static int failures_exit(const assay_merge *m)
{
    for (size_t i = 0; i < m->n; i++) {
        if (m->res.samples[i].qc & ASSAY_QC_FAILED) {
            return CLI_EXIT_DATAERR;
        }
    }
    return m->n_failed > 0 ? CLI_EXIT_DATAERR : CLI_EXIT_OK;
}

/* Read and merge the shards, write the outputs into the folder @p own takes; returns the
 * exit code. */
static int merge(const merge_options *o, assay_merge *m, cli_outdir *own, int argc, char **argv)
{
    apo_error err;
    cli_observer obs;
    cli_observer_init(&obs, o->quiet ? CLI_QUIET : CLI_NORMAL);
    if (apo_output_outside(o->outdir, "shard folders", o->n_dirs, o->dirs, 0, NULL, &err) !=
            APO_OK ||
        assay_merge_read(m, o->n_dirs, o->dirs, &err) != APO_OK) {
        cli_print_error(&err);
        return cli_exit_code(err.status);
    }
    int e = apo_mkdirs(o->outdir);
    if (e != 0) {
        cli_errorf("%s: cannot create the output folder: %s", o->outdir, strerror(e));
        return CLI_EXIT_CANTCREAT;
    }
    int code = cli_outdir_own(own, o->outdir, o->quiet);
    if (code != 0) {
        return code;
    }
    if (assay_merge_write(m, o->outdir, &err) != APO_OK) {
        cli_print_error(&err);
        return cli_exit_code(err.status);
    }
    int rc = failures_exit(m);
    if (assay_write_results_xlsx(o->outdir, &obs.obs, &err) != APO_OK) {
        cli_print_error(&err); /* the tables are written: go on */
        rc = cli_worse_exit(rc, cli_exit_code(err.status));
    }
    bool plots = false;
    rc = cli_worse_exit(rc, cli_exit_code(assay_merge_copy_plots(m, o->outdir, &plots,
                                                                 &obs.obs)));
    if (o->report) {
        rc = cli_worse_exit(rc, cli_exit_code(merge_report(o, m, plots, argc, argv, &obs.obs)));
    }
    rc = cli_worse_exit(rc, cli_outdir_seal(own, o->outdir, o->quiet)); /* manifest.json last */
    if (!o->quiet) {
        printf("merged %zu samples from %zu shard(s): %zu comparison(s), %zu dose-response "
               "fit(s), %zu failed file(s)\noutputs in %s/\n",
               m->n, m->n_shards, m->res.n_comparisons, m->res.n_fits, m->n_failed, o->outdir);
    }
    return rc;
}

int cmd_merge(int argc, char **argv)
{
    merge_options o;
    int rc = parse_args(argc, argv, &o);
    if (rc >= 0) {
        return rc;
    }
    assay_merge m;
    memset(&m, 0, sizeof m);
    cli_outdir own;
    memset(&own, 0, sizeof own);
    rc = merge(&o, &m, &own, argc, argv);
    cli_outdir_free(&own);
    assay_merge_free(&m);
    return rc;
}
