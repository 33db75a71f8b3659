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
#include "gating/flowjo.h"
#include "assay/experiment.h"
#include "assay/results_xlsx.h"
#include "report/compare_text.h"
#include "report/figures.h"
#include "report/report.h"
#include "util/paths.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* What a run holds besides the options: the sheet, matrix and gating it loaded, the
 * experiment, stage times and the exit code so far. */
typedef struct run_state {
    assay_sheet sheet;
    bool have_sheet;
    bool guessed; /* the sheet was guessed from the files (no --sheet) */
    cli_outdir own; /* the output folder's earlier run, the time this one started */
    gate_comp *matrix;
    gate_strategy *given;
    assay_adjustments adjustments; /* the change record of --gating (report.html's review) */
    assay_experiment x;
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
    const assay_sheet *sh = &s->sheet;
    s->guessed = true;
    if (o->verbosity > CLI_QUIET) {
        printf("%s gives no roles: they are guessed from the files' keywords and names:\n",
               o->sheet);
        for (size_t i = 0; i < sh->n_rows; i++) {
            printf("  %-24s %s\n", sh->rows[i].sample,
                   sh->rows[i].role ? assay_role_name(sh->rows[i].role) : "?");
        }
    }
    return true;
}

/* --comp, --gating and --sheet: the files the options name. */
static bool load_option_files(run_options *o, run_state *s)
{
    apo_error err;
    static const char *const sources[] = {"auto", "controls", "file", NULL, "none"};
    for (int k = 0; o->comp != NULL && k <= ASSAY_COMPSRC_NONE; k++) {
        if (sources[k] != NULL && strcmp(o->comp, sources[k]) == 0) {
            o->apo.comp = (assay_comp_source)k;
        }
    }
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
    if (o->verbosity > CLI_QUIET) {
        printf("no sample sheet: the design is guessed from the files' keywords and names (as "
               "'apoflow sheet' drafts it; check it, or write it down with 'apoflow sheet ... -o "
               "sheet.csv' and pass --sheet):\n");
        for (size_t i = 0; i < ng && i < s->sheet.n_rows; i++) {
            const assay_sheet_row *r = &s->sheet.rows[i];
            printf("  %-24s %-15s %s%s%s%s%s  (%s)\n", r->sample,
                   r->role == ASSAY_ROLE_UNKNOWN ? "?" : assay_role_name(r->role), r->treatment,
                   r->dose_text[0] ? " " : "", r->dose_text, r->dose_unit[0] ? " " : "",
                   r->dose_unit, g[i].evidence);
        }
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

/* After every output: the manifest of this run's files, written last, then the earlier run's
 * outputs that this run did not write again are removed (said). */
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
    s->x.adjustments = s->adjustments;
    apo_status st = assay_experiment_set_files(&s->x, files, n, &err);
    if (st == APO_OK && o->n_inputs == 0) {
        st = assay_experiment_sheet_files(&s->x, &err);
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
    if (assay_experiment_analyze(&s->x, &o->apo, o->jobs, &s->obs.obs, &err) != APO_OK) {
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
    if (o->shard_n > 0 && /* the shard's record for merge: its sheet, gating and inputs */
        assay_experiment_record_inputs(&s->x, o->sheet, o->gating, o->jobs, &s->obs.obs,
                                       &err) != APO_OK) {
        return fail(s, &err, cli_exit_code(err.status));
    }
    if (assay_experiment_write(&s->x, &out, &err) != APO_OK) {
        return fail(s, &err, cli_exit_code(err.status));
    }
    if (o->gating_wsp) {
        run_flowjo_note_gml(o->outdir, s->own.started);
    }
    if (o->write_flowjo != NULL &&
        run_flowjo_write(o->write_flowjo, &s->x.res, s->x.in, s->x.n, &err) != APO_OK) {
        return fail(s, &err, cli_exit_code(err.status));
    }
    if (assay_write_results_xlsx(o->outdir, &s->obs.obs, &err) != APO_OK) {
        fail(s, &err, cli_exit_code(err.status)); /* the tables are written: go on */
    }
    s->tm[3] = cli_now();
    if (o->plots) {
        apo_status st = report_write_figures(o->outdir, &s->x.res, s->x.in, s->x.n, o->jobs,
                                             &s->obs.obs);
        s->rc = cli_worse_exit(s->rc, cli_exit_code(st));
    }
    s->tm[4] = cli_now();
    cli_status(o->verbosity, "writing report.html ...");
    apo_status st = report_for_run(o->outdir, &s->x.res, s->x.in, s->x.n, s->x.sheet,
                                   s->x.n_failed, (const char *const *)s->x.failed_files,
                                   (const char *const *)s->x.failed_msgs, argc, argv, o->jobs,
                                   &s->x.adjustments, &s->obs.obs);
    s->rc = cli_worse_exit(s->rc, cli_exit_code(st));
    s->tm[5] = cli_now();
    cli_status(o->verbosity, NULL);
    return seal_output_folder(o, s);
}

/* Values are divided by $PnG before anything is gated (docs/algorithms.md, "Values"): say so
 * when a channel of the first sample has a gain, since a threshold copied from the
 * instrument's software is in undivided units. */
static void print_gain(const assay_input *in, size_t n)
{
    if (n == 0 || in[0].ds == NULL) {
        return;
    }
    const fcs_dataset *ds = in[0].ds;
    char list[512] = "";
    size_t w = 0, k = 0;
    for (size_t p = 0; p < fcs_dataset_n_params(ds); p++) {
        const fcs_param *pr = fcs_dataset_param(ds, p);
        if (!fcs_param_gain_divides(pr) || w + 64 > sizeof list) {
            continue;
        }
        int m = snprintf(list + w, sizeof list - w, "%s%s / %g", k++ ? ", " : "", pr->name,
                         pr->gain);
        w += m > 0 ? (size_t)m : 0;
    }
    if (k > 0) {
        printf("gain: values divided by $PnG before gating (%s); --thresholds and every "
               "threshold in the outputs are in these divided units\n",
               list);
    }
}

static void print_summary(const assay_result *r, const assay_input *in, size_t n)
{
    printf("channels: Annexin V%s%s = %s (%s); dead-cell dye%s%s = %s (%s)\n",
           r->annexin_fluor[0] ? "-" : "", r->annexin_fluor, r->annexin_channel, r->annexin_why,
           r->dead_dye[0] ? " " : "", r->dead_dye, r->pi_channel, r->pi_why);
    printf("compensation: %s: %s; spillover AnnV->PI %.4g, PI->AnnV %.4g\n", r->comp_source,
           r->comp_detail, r->spill[1], r->spill[2]);
    print_gain(in, n);
    printf("pre-gates: %s\n", r->pregate_detail);
    printf("thresholds: Annexin V %.6g (%s, %s), PI %.6g (%s, %s)\n", r->annexin.value,
           r->annexin.method, r->annexin.source, r->pi.value, r->pi.method, r->pi.source);
    printf("\n%-24s %-15s %9s %7s %7s %7s %7s %7s  %s\n", "sample", "role", "singlets", "viable",
           "early", "late", "necro", "apopt", "qc");
    for (size_t i = 0; i < n; i++) {
        const assay_sample *s = &r->samples[i];
        char flags[160];
        assay_qc_flags_format(s->qc, flags, sizeof flags);
        if (s->qc & ASSAY_QC_FAILED) {
            printf("%-24s %-15s failed: %s\n", in[i].sample, assay_role_name(in[i].role), s->error);
            continue;
        }
        printf("%-24s %-15s %9llu %7.2f %7.2f %7.2f %7.2f %7.2f  %s\n", in[i].sample,
               assay_role_name(in[i].role), (unsigned long long)s->singlets, s->pct[0], s->pct[1],
               s->pct[2], s->pct[3], s->apoptotic_pct, flags);
    }
}

static void print_comparisons(const assay_result *r)
{
    report_compare_print(stdout, r);
    for (size_t i = 0; i < r->n_fits; i++) {
        const assay_dose_fit *d = &r->fits[i];
        printf("\n4PL %s: EC50 %.4g %s (95%% CI %.4g - %.4g), bottom %.3g, top %.3g, hill %.3g%s%s\n",
               d->treatment, d->ec50, d->dose_unit, d->ec50_ci_lo, d->ec50_ci_hi, d->bottom,
               d->top, d->hill, d->message[0] ? "; " : "", d->message);
    }
}

static void print_outcome(const run_options *o, const run_state *s)
{
    const assay_experiment *x = &s->x;
    if (o->timings || o->verbosity >= CLI_VERBOSE) {
        cli_print_timings(s->tm, x->n, o->plots);
    }
    if (o->verbosity == CLI_QUIET) {
        return;
    }
    print_summary(&x->res, x->in, x->n);
    print_comparisons(&x->res);
    printf("\noutputs in %s/\n", o->outdir);
    if (x->n_skipped > 0) {
        printf("%zu file(s) not in the sample sheet were skipped\n", x->n_skipped);
    }
    for (size_t i = 0; i < x->n_failed; i++) { /* failures in the summary too */
        printf("%sfailed: %s (step: read): %s\n", i ? "" : "\n", x->failed_files[i],
               x->failed_msgs[i] ? x->failed_msgs[i] : "");
    }
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
        print_outcome(&o, &s);
    }
    assay_experiment_free(&s.x);
    cli_outdir_free(&s.own);
    if (s.have_sheet) {
        assay_sheet_free(&s.sheet);
    }
    gate_comp_free(s.matrix);
    gate_strategy_free(s.given);
    return s.rc;
}
