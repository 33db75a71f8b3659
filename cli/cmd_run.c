/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_run.c: `apoflow run INPUT... --sheet FILE -o OUTDIR`: the whole Annexin V / PI
 * analysis of an experiment (docs/outputs.md). Parses the options, then calls the
 * experiment (assay/experiment.h: match files to the sheet, open, analyse, write the tables
 * and results.json), the figures and the report (report/), and prints the summary. A file
 * that cannot be read is reported and the others are still analysed (exit 65 at the end).
 */
#include "cli/cli.h"
#include "cli/outdir_own.h"
#include "cli/run_args.h"
#include "cli/run_flowjo.h"
#include "cli/run_hash.h"
#include "assay/experiment.h"
#include "assay/results_xlsx.h"
#include "report/compare_text.h"
#include "report/figures.h"
#include "report/report.h"
#include "util/paths.h"

#include <stdlib.h>
#include <string.h>

/* What a run holds besides the options: the sheet, matrix and gating it loaded, the
 * experiment, stage times and the exit code so far. */
typedef struct run_state {
    assay_sheet sheet;
    bool have_sheet;
    bool guessed; /* the sheet was guessed from the files (no --sheet), or its roles were */
    bool rows_guessed; /* its rows were: one per data set of every file (no --sheet) */
    cli_outdir own; /* the output folder's earlier run, the time this one started */
    gate_comp *matrix;
    gate_strategy *given;
    assay_adjustments adjustments; /* the change record of --gating (report.html's review) */
    assay_experiment x;
    report_figures *fig; /* the plots, drawn in part during the statistics pass */
    run_hash hash;       /* the inputs' checksums, computed while the analysis runs */
    cli_observer obs;
    double tm[6]; /* stage marks for --timings (progress.h) */
    int rc;
} run_state;

/* Report @p err and fold exit code @p code into the run's; returns false. */
static bool fail(run_state *s, const apo_error *err, int code)
{
    if (err != NULL) {
        cli_print_error(err);
    }
    s->rc = cli_worse_exit(s->rc, code);
    return false;
}

/* A sheet that gives no roles (no "role" column, or every role empty) gets them guessed from
 * its files as without a sheet, and says so; what the sheet gives (names, treatments, doses,
 * replicates) is kept. */
static bool fill_roles(const run_options *o, run_state *s)
{
    apo_error err;
    bool filled = false;
    apo_status st = assay_sheet_fill_roles(&s->sheet, &o->read, &filled, &err);
    if (st != APO_OK) {
        return fail(s, &err, cli_exit_code(st));
    }
    if (!filled) {
        return true;
    }
    s->guessed = true;
    if (o->verbosity > CLI_QUIET) {
        run_print_filled_roles(o->sheet, &s->sheet);
    }
    return true;
}

/* --comp, --gating and --sheet: the files the options name. */
static bool load_option_files(run_options *o, run_state *s)
{
    apo_error err;
    if (o->comp != NULL && o->apo.comp == ASSAY_COMPSRC_AUTO && strcmp(o->comp, "auto") != 0) {
        if (gate_comp_read_csv(&s->matrix, o->comp, &err) != APO_OK) {
            return fail(s, &err, cli_exit_input(err.status));
        }
        o->apo.comp = ASSAY_COMPSRC_MATRIX;
        o->apo.matrix = s->matrix;
    }
    if (o->gating_wsp) {
        int code = run_flowjo_gating(o->gating, o->population, o->verbosity == CLI_QUIET,
                                     &s->given);
        if (code != 0) {
            return fail(s, NULL, code);
        }
        o->apo.gating = s->given;
    } else if (o->gating != NULL) {
        if (gate_strategy_read_gml(&s->given, o->gating, &err) != APO_OK) {
            return fail(s, &err, cli_exit_input(err.status));
        }
        o->apo.gating = s->given;
        if (assay_adjustments_read(o->gating, &s->adjustments, &err) != APO_OK) {
            return fail(s, &err, cli_exit_input(err.status));
        }
    }
    if (o->sheet != NULL) {
        if (assay_sheet_read(&s->sheet, o->sheet, &err) != APO_OK) {
            return fail(s, &err, cli_exit_input(err.status));
        }
        s->have_sheet = true;
        return fill_roles(o, s);
    }
    return true;
}

/* Without a sheet the design is guessed as `apoflow sheet` drafts it, and said: every
 * sample's guessed role, treatment and dose (check them; write them down with apoflow sheet). */
static bool guess_sheet(const run_options *o, run_state *s, char **files, size_t n)
{
    apo_error err;
    assay_sheet_guess *g = NULL;
    size_t ng = 0;
    apo_status st = assay_sheet_guess_files(&s->sheet, files, n, &o->read, &g, &ng, &err);
    if (st != APO_OK) {
        return fail(s, &err, cli_exit_code(st));
    }
    s->have_sheet = true;
    s->guessed = true;
    s->rows_guessed = true;
    if (o->verbosity > CLI_QUIET) {
        run_print_guess(o, &s->sheet, g, ng);
    }
    free(g);
    return true;
}

/* The run owns its output folder (cli/outdir_own.h): temporary files of a killed run are
 * removed (said), the earlier run's manifest is read so that its outputs this run does not
 * write again can be removed at the end, and the files written from now on are this run's. */
static bool own_output_folder(const run_options *o, run_state *s)
{
    int code = cli_outdir_own(&s->own, o->outdir, o->verbosity <= CLI_QUIET);
    return code == 0 || fail(s, NULL, code);
}

/* After every output: the manifest of this run's files, then the earlier run's outputs that
 * this run did not write again are removed (said). */
static bool seal_output_folder(const run_options *o, run_state *s)
{
    int code = cli_outdir_seal(&s->own, o->outdir, o->verbosity <= CLI_QUIET);
    return code == 0 || fail(s, NULL, code);
}

/* The candidate files (the inputs, or the sheet's), the selection, the output folder
 * checked against the inputs and created. */
static bool prepare(const run_options *o, run_state *s)
{
    apo_error err;
    char **files = NULL;
    size_t n = 0;
    s->rc = cli_worse_exit(s->rc, s->have_sheet
                                      ? cli_collect_fcs(o->n_inputs, o->inputs, &files, &n)
                                      : cli_collect_experiment(o->n_inputs, o->inputs, &files, &n));
    if (s->rc == CLI_EXIT_OSERR) {
        return false;
    }
    if (!s->have_sheet && !guess_sheet(o, s, files, n)) {
        return false;
    }
    assay_experiment_init(&s->x, s->have_sheet ? &s->sheet : NULL);
    s->x.one_panel = s->guessed;
    s->x.sheet_guessed = s->rows_guessed;
    s->x.adjustments = s->adjustments;
    apo_status st = assay_experiment_set_files(&s->x, files, n, &err);
    if (st == APO_OK && o->n_inputs == 0) {
        st = assay_experiment_sheet_files(&s->x, &err);
    }
    if (st == APO_OK && s->have_sheet) { /* FILE#N, --dataset N */
        s->rc = cli_worse_exit(s->rc, run_pick_datasets(o, &s->sheet, s->x.paths, s->x.n_paths));
    }
    if (st == APO_OK) {
        st = assay_experiment_select(&s->x, o->controls_only, o->shard_i, o->shard_n, &err);
    }
    if (st == APO_OK) {
        st = apo_output_outside(o->outdir, "input folders", (size_t)o->n_inputs,
                                (const char *const *)o->inputs, s->x.n_paths,
                                (const char *const *)s->x.paths, &err);
    }
    if (st != APO_OK) {
        return fail(s, &err, cli_exit_code(st));
    }
    int e = apo_mkdirs(o->outdir);
    if (e != 0) {
        cli_errorf("%s: cannot create the output folder: %s", o->outdir, strerror(e));
        return fail(s, NULL, CLI_EXIT_CANTCREAT);
    }
    return own_output_folder(o, s);
}

/* Open and match the files; the analysis. */
static bool analyse(run_options *o, run_state *s)
{
    apo_error err;
    bool all_files = o->shard_n == 0 && !o->controls_only;
    apo_status st = assay_experiment_open(&s->x, &o->read, o->jobs, all_files, &s->obs.obs, &err);
    if (st != APO_OK) { /* out of memory, or samples of different instruments or panels */
        return fail(s, &err, cli_exit_code(st));
    }
    s->tm[1] = cli_now();
    s->rc = cli_worse_exit(s->rc, cli_exit_code(s->x.failed_status)); /* 65, or 71 */
    s->rc = cli_worse_exit(s->rc, s->x.n_missing > 0 ? CLI_EXIT_NOINPUT : CLI_EXIT_OK);
    if (s->x.n == 0) {
        cli_errorf("expected at least one readable FCS file%s, found none",
                   s->have_sheet ? " named in the sheet" : "");
        return fail(s, NULL, CLI_EXIT_NOINPUT);
    }
    run_hash_start(&s->hash, s->x.in, s->x.n, o->jobs); /* the report's provenance */
    if (o->plots && report_figures_new(&s->fig, o->outdir, s->x.in, s->x.n, &err) == APO_OK) {
        o->apo.display = report_figures_display; /* panels from the events the pass holds */
        o->apo.display_ctx = s->fig;
        o->apo.display_events = REPORT_DISPLAY_EVENTS;
    } /* else report_figures_run tries again and reports why there are no plots */
    st = assay_experiment_analyze(&s->x, &o->apo, o->jobs, &s->obs.obs, &err);
    o->apo.display = NULL;
    o->apo.display_ctx = NULL;
    if (st != APO_OK) {
        /* a channel named with --annexin/--pi that no file has is a usage error (64) */
        int code = err.status == APO_E_NOMEM ? CLI_EXIT_OSERR
                   : err.status == APO_E_USAGE ? CLI_EXIT_USAGE
                                               : CLI_EXIT_DATAERR;
        return fail(s, &err, code);
    }
    s->tm[2] = cli_now();
    for (size_t i = 0; i < s->x.n; i++) {
        if (s->x.res.samples[i].qc & ASSAY_QC_FAILED) {
            cli_errorf("%s: %s", s->x.in[i].file, s->x.res.samples[i].error);
            s->rc = cli_worse_exit(s->rc, CLI_EXIT_DATAERR);
        }
    }
    for (size_t i = 0; i < s->x.res.n_warnings && o->verbosity > CLI_QUIET; i++) {
        cli_warn(s->x.res.warnings[i]);
    }
    return true;
}

/* Tables and results.json, figures, report.html. */
static bool write_outputs(const run_options *o, run_state *s, int argc, char **argv)
{
    apo_error err;
    assay_experiment_output out = {o->outdir, o->write_gating, o->sheet, APOFLOW_VERSION,
                                   o->gating_wsp};
    const char (*sha)[65] = NULL; /* a shard's record of its inputs, for the report too */
    if (o->shard_n > 0) { /* the shard's record for merge: its sheet, gating and inputs, with
                             the checksums hashed beside the analysis (a file hashed once) */
        if (assay_experiment_record_inputs(&s->x, o->sheet, o->gating,
                                           run_hash_finish(&s->hash), o->jobs, &s->obs.obs,
                                           &err) != APO_OK) {
            return fail(s, &err, cli_exit_code(err.status));
        }
        sha = (const char(*)[65])s->x.input_sha256;
    }
    if (assay_experiment_write(&s->x, &out, &err) != APO_OK) {
        return fail(s, &err, cli_exit_code(err.status));
    }
    if (o->gating_wsp) {
        run_flowjo_note_gml(o->outdir, s->own.run.started);
    }
    if (o->write_flowjo != NULL &&
        run_flowjo_write(o->write_flowjo, &s->x.res, s->x.in, s->x.n, &err) != APO_OK) {
        return fail(s, &err, cli_exit_code(err.status));
    }
    if (assay_write_results_xlsx(o->outdir, &s->obs.obs, &err) != APO_OK) {
        fail(s, &err, cli_exit_code(err.status)); /* the tables are written: go on */
    }
    s->tm[3] = cli_now();
    if (o->plots) { /* the run's figures and the report's (report/figures.h), one pool */
        apo_status fst = report_figures_run(&s->fig, o->outdir, &s->x.res, s->x.in, s->x.n,
                                            s->x.sheet, o->jobs, &s->obs.obs);
        s->rc = cli_worse_exit(s->rc, cli_exit_code(fst));
    }
    s->tm[4] = cli_now();
    cli_status(o->verbosity, "writing report.html ...");
    apo_status st = report_for_run(o->outdir, &s->x.res, s->x.in, s->x.n, s->x.sheet,
                                   s->x.n_failed, (const char *const *)s->x.failed_files,
                                   (const char *const *)s->x.failed_msgs, argc, argv, o->jobs,
                                   sha != NULL ? sha : run_hash_finish(&s->hash),
                                   &s->x.adjustments, s->fig, &s->obs.obs);
    s->rc = cli_worse_exit(s->rc, cli_exit_code(st));
    s->tm[5] = cli_now();
    cli_status(o->verbosity, NULL);
    return seal_output_folder(o, s);
}

int cmd_run(int argc, char **argv)
{
    run_options o;
    int rc = run_parse_args(argc, argv, &o);
    if (rc >= 0) {
        return rc;
    }
    run_state s = {.tm = {cli_now()}};
    cli_observer_init(&s.obs, o.verbosity);
    assay_experiment_init(&s.x, NULL);
    if (load_option_files(&o, &s) && prepare(&o, &s) && analyse(&o, &s) &&
        write_outputs(&o, &s, argc, argv)) {
        run_print_outcome(&o, &s.x, s.tm, &s.obs.steps);
    }
    run_hash_free(&s.hash);
    report_figures_free(s.fig);
    assay_experiment_free(&s.x);
    cli_outdir_free(&s.own);
    run_args_free(&o);
    if (s.have_sheet) {
        assay_sheet_free(&s.sheet);
    }
    gate_comp_free(s.matrix);
    gate_strategy_free(s.given);
    return s.rc;
}
