/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_figure_stage.c: the figure stage of a run through the library (report_figures_run,
 * report/figures.h) on the one-replicate example (samples/calibur, which has a 4PL fit):
 * the run's figures and the report's own (dose-response plot, summary figures) are all
 * written by the stage, on one thread and on two; report_for_run then shows the stage's
 * sample rows and embeds the figures without writing any of them again (each file keeps the
 * inode and time the stage gave it: an atomic file is a new inode), while report_for_run
 * without the stage's figures does draw them itself.
 */
#include "assay/experiment.h"
#include "report/figures.h"
#include "report/report.h"
#include "support/run_cli.h"
#include "support/slurp.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SHEET APOFLOW_SOURCE_DIR "/samples/calibur/sheet.csv"

/* The report's figures (then the run's own) in OUTDIR/plots. */
static const char *const report_figs[] = {
    "dose_response_1.png",   "summary_apoptotic.png", "summary_apoptotic.svg",
    "summary_apoptotic.pdf", "summary_quadrants.png", "summary_quadrants.svg",
    "summary_quadrants.pdf", "dose_1.png",            "dose_1.svg",
    "dose_1.pdf",            "overview.png",          "overlay_annexin.png"};
#define N_FIGS (sizeof report_figs / sizeof *report_figs)
#define N_REPORT_FIGS 10 /* the first ten */

typedef struct stamp {
    ino_t ino;
    struct timespec mtime;
} stamp;

static void stamps(const char *out, stamp *s)
{
    for (size_t k = 0; k < N_FIGS; k++) {
        char path[4400];
        struct stat st;
        snprintf(path, sizeof path, "%s/plots/%s", out, report_figs[k]);
        cr_assert_eq(stat(path, &st), 0, "%s is missing", path);
        cr_assert_gt(st.st_size, 0, "%s is empty", path);
        s[k] = (stamp){st.st_ino, st.st_mtim};
    }
}

static bool same_stamp(const stamp *a, const stamp *b)
{
    return a->ino == b->ino && a->mtime.tv_sec == b->mtime.tv_sec &&
           a->mtime.tv_nsec == b->mtime.tv_nsec;
}

static size_t count(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(text, what); p != NULL; p = strstr(p + 1, what)) {
        n++;
    }
    return n;
}

static void on_note(void *ctx, apo_note_kind kind, const char *msg)
{
    (void)msg;
    *(size_t *)ctx += kind == APO_NOTE_ERROR;
}

/* The calibur experiment analysed into @p out (its tables written). */
static void analyse(assay_experiment *x, assay_sheet *sheet, const char *out,
                    const apo_observer *obs)
{
    apo_error err;
    cr_assert_eq(assay_sheet_read(sheet, SHEET, &err), APO_OK, "%s", err.msg);
    assay_experiment_init(x, sheet);
    cr_assert_eq(assay_experiment_sheet_files(x, &err), APO_OK, "%s", err.msg);
    fcs_read_options read = FCS_READ_OPTIONS_INIT;
    cr_assert_eq(assay_experiment_open(x, &read, 1, true, obs, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(x->n, 10);
    assay_options opt;
    assay_options_init(&opt);
    cr_assert_eq(assay_experiment_analyze(x, &opt, 1, obs, &err), APO_OK, "%s", err.msg);
    cr_assert_gt(x->res.n_fits, 0, "the example has a dose-response fit");
    cr_assert_eq(mkdir(out, 0777), 0);
}

static apo_status page(const char *out, const assay_experiment *x, report_figures *fig,
                       const apo_observer *obs)
{
    static char a0[] = "apoflow", a1[] = "run";
    char *argv[] = {a0, a1, NULL};
    return report_for_run(out, &x->res, x->in, x->n, x->sheet, 0, NULL, NULL, 2, argv, 1, NULL,
                          NULL, fig, obs);
}

Test(figure_stage, report_figures_drawn_once_in_the_stage, .timeout = 300)
{
    char *dir = test_tmpdir();
    const unsigned jobs[] = {1, 2};
    for (size_t t = 0; t < 2; t++) {
        char out[4200], html_path[4300];
        snprintf(out, sizeof out, "%s/out%u", dir, jobs[t]);
        size_t errors = 0;
        apo_observer obs = {.ctx = &errors, .note = on_note};
        assay_sheet sheet;
        assay_experiment x;
        analyse(&x, &sheet, out, &obs);

        report_figures *fig = NULL; /* made by the stage, as after a failed report_figures_new */
        cr_assert_eq(report_figures_run(&fig, out, &x.res, x.in, x.n, x.sheet, jobs[t], &obs),
                     APO_OK, "jobs %u", jobs[t]);
        cr_assert_not_null(fig);
        stamp drawn[N_FIGS], after[N_FIGS];
        stamps(out, drawn); /* every figure exists after the stage */

        cr_assert_eq(page(out, &x, fig, &obs), APO_OK, "jobs %u", jobs[t]);
        stamps(out, after);
        for (size_t k = 0; k < N_FIGS; k++) {
            cr_assert(same_stamp(&drawn[k], &after[k]), "jobs %u: %s written again by the page",
                      jobs[t], report_figs[k]);
        }
        cr_assert_eq(errors, 0);
        snprintf(html_path, sizeof html_path, "%s/report.html", out);
        char *html = test_slurp(html_path, NULL);
        cr_assert_eq(count(html, "<figure class=\"chart\">"), 3, "jobs %u", jobs[t]);
        cr_assert_eq(count(html, "alt=\"dose-response curve\""), 1, "jobs %u", jobs[t]);
        cr_assert_eq(count(html, "<td>A01</td>"), 1, "jobs %u: the rows' wells (the sheet's)",
                     jobs[t]);
        free(html);

        /* without the stage's figures the page draws the report's figures itself */
        cr_assert_eq(page(out, &x, NULL, &obs), APO_OK);
        stamps(out, after);
        for (size_t k = 0; k < N_FIGS; k++) {
            cr_assert_eq(same_stamp(&drawn[k], &after[k]), k >= N_REPORT_FIGS,
                         "jobs %u: %s %s by the page without the stage", jobs[t],
                         report_figs[k], k >= N_REPORT_FIGS ? "written" : "not written");
        }
        report_figures_free(fig);
        assay_experiment_free(&x);
        assay_sheet_free(&sheet);
    }
    free(dir);
}
