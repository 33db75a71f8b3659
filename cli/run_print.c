/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * run_print.c: what `apoflow run` prints on standard output: the design guessed without a
 * sheet (or the roles guessed for a sheet without them), and at the end the channels,
 * compensation, gain, pre-gates and thresholds used, one line per sample, the comparisons
 * and dose-response fits, and where the outputs are.
 */
#include "cli/run_args.h"
#include "report/compare_text.h"

#include <math.h>
#include <stdio.h>

void run_print_guess(const run_options *o, const assay_sheet *sh, const assay_sheet_guess *g,
                     size_t ng)
{
    printf("no sample sheet: the design is guessed from the files' keywords and names (as "
           "'apoflow sheet' drafts it; check it, or write it down with 'apoflow sheet ... -o "
           "sheet.csv' and pass --sheet):\n");
    for (size_t i = 0; i < ng && i < sh->n_rows; i++) {
        const assay_sheet_row *r = &sh->rows[i];
        if (!run_picks(o, r->file, r->dataset > 0 ? r->dataset : 1)) {
            continue; /* a data set the operands leave out */
        }
        if (g[i].copy_of > 0 && run_picks(o, r->file, g[i].copy_of)) {
            continue; /* an older copy of the events of a data set analysed instead (said) */
        }
        printf("  %-24s %-15s %s%s%s%s%s  (%s)\n", r->sample,
               r->role == ASSAY_ROLE_UNKNOWN ? "?" : assay_role_name(r->role), r->treatment,
               r->dose_text[0] ? " " : "", r->dose_text, r->dose_unit[0] ? " " : "",
               r->dose_unit, g[i].evidence);
    }
}

void run_print_filled_roles(const char *sheet_name, const assay_sheet *sh)
{
    printf("%s gives no roles: they are guessed from the files' keywords and names:\n",
           sheet_name);
    for (size_t i = 0; i < sh->n_rows; i++) {
        printf("  %-24s %s\n", sh->rows[i].sample,
               sh->rows[i].role ? assay_role_name(sh->rows[i].role) : "?");
    }
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

/* A line the stained samples moved away from its control's place: why (the user should
 * see a switched method where the numbers are). */
static void print_moved_line(const char *marker, const assay_threshold *t)
{
    if (t->method == ASSAY_THRESHOLD_DENSITY_VALLEY && isfinite(t->control_scaled)) {
        printf("  %s line: %s\n", marker, t->reason);
    }
}

static void print_summary(const assay_result *r, const assay_input *in, size_t n)
{
    printf("channels: Annexin V%s%s = %s (%s); dead-cell dye%s%s = %s (%s)\n",
           r->annexin_fluor[0] ? "-" : "", r->annexin_fluor, r->annexin_channel, r->annexin_why,
           r->dead_dye[0] ? " " : "", r->dead_dye, r->pi_channel, r->pi_why);
    printf("compensation: %s: %s; spillover AnnV->PI %.4g, PI->AnnV %.4g\n",
           assay_comp_source_name(r->comp_source), r->comp_detail, r->spill[1], r->spill[2]);
    print_gain(in, n);
    printf("pre-gates: %s\n", r->pregate_detail);
    char am[ASSAY_THRESHOLD_METHOD_TEXT], pm[ASSAY_THRESHOLD_METHOD_TEXT];
    printf("thresholds: Annexin V %.6g (%s, %s), PI %.6g (%s, %s)\n", r->annexin.value,
           assay_threshold_method_text(r->annexin.method, r->annexin.percentile, am, sizeof am),
           r->annexin.source, r->pi.value,
           assay_threshold_method_text(r->pi.method, r->pi.percentile, pm, sizeof pm),
           r->pi.source);
    print_moved_line("Annexin V", &r->annexin);
    print_moved_line(assay_dead_dye_label(r), &r->pi);
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

void run_print_outcome(const run_options *o, const assay_experiment *x, const double tm[6],
                       const cli_step_times *steps)
{
    if (o->timings || o->verbosity >= CLI_VERBOSE) {
        cli_print_timings(tm, x->n, o->plots);
        cli_print_step_times(steps, tm[1], tm[2]);
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

