/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * run.c: the report of a run or of merged shards (report.h): the failures table (files
 * that could not be read, samples that could not be analysed), input checksums on the thread
 * pool (those the caller computed before are kept), the dose-response and summary figures
 * (or what they gave when the run's figure stage drew them, report_figures_run), then
 * report.html; and the sample rows of a run from its analysis and sheet (with the sheet's
 * "well" column when there is one), built once for the figure stage and the page, shown in
 * the sheet's order.
 */
#include "report/report.h"
#include "report/fig_internal.h"
#include "report/run_internal.h"

#include "util/util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static void hash_task(void *ctx, size_t i)
{
    report_sample *s = (report_sample *)ctx + i;
    if (s->sha256[0] == '\0' && apo_sha256_file(s->file, s->sha256) != 0) {
        s->sha256[0] = '\0';
    }
}

void report_checksums(report_sample *samples, size_t n, unsigned jobs)
{
    apo_pool_run(n, jobs, hash_task, NULL, samples);
}

/* The dose-response plots, then the summary figures, into @p out (nothing reported). */
static void draw_figures(report_figs_drawn *out, const char *outdir, const assay_result *res,
                         size_t n, const report_sample *rows, unsigned jobs)
{
    out->drawn = true;
    out->st[0] = report_dose_plots(outdir, res, n, rows, &out->err[0]);
    out->st[1] = report_summary_figures_jobs(outdir, res, n, rows, jobs, &out->err[1]);
}

/* report_publish, with the record of the figures the figure stage drew (@p drawn, may be
 * NULL). */
static apo_status publish(report_input *ri, report_sample *rows, size_t n_read_failed,
                          const char *const *failed_files, const char *const *failed_msgs,
                          bool dose_plots, const report_figs_drawn *drawn,
                          const apo_observer *obs)
{
    size_t n = ri->n_samples;
    report_failure *fl = calloc(n_read_failed + n + 1, sizeof *fl);
    if (fl == NULL) {
        apo_observe_note(obs, APO_NOTE_ERROR, "out of memory");
        return APO_E_NOMEM;
    }
    for (size_t i = 0; i < n_read_failed; i++) {
        fl[i] = (report_failure){failed_files[i], "read", failed_msgs[i] ? failed_msgs[i] : ""};
    }
    size_t nfl = n_read_failed;
    for (size_t i = 0; i < n; i++) { /* samples read but not analysable */
        if (rows[i].error[0]) {
            fl[nfl++] = (report_failure){rows[i].file, "analysis", rows[i].error};
        }
    }
    report_checksums(rows, n, ri->jobs);
    report_figs_drawn here = {.drawn = false};
    const report_figs_drawn *figs = drawn;
    if (figs == NULL || !figs->drawn) {
        figs = &here;
        if (dose_plots) {
            draw_figures(&here, ri->outdir, ri->res, n, rows, ri->jobs);
        }
    }
    apo_status worst = APO_OK;
    for (int k = 0; k < 2 && figs->drawn; k++) { /* dose-response, then summary figures */
        if (figs->st[k] != APO_OK) {
            apo_observe_error(obs, &figs->err[k]);
            worst = apo_status_worse(worst, figs->err[k].status);
        }
    }
    apo_error err;
    ri->samples = rows;
    ri->n_failures = nfl;
    ri->failures = fl;
    if (report_write_html(ri, &err) != APO_OK) {
        apo_observe_error(obs, &err);
        worst = apo_status_worse(worst, err.status);
    }
    ri->failures = NULL;
    ri->n_failures = 0;
    free(fl);
    return worst;
}

apo_status report_publish(report_input *ri, report_sample *rows, size_t n_read_failed,
                          const char *const *failed_files, const char *const *failed_msgs,
                          bool dose_plots, const apo_observer *obs)
{
    return publish(ri, rows, n_read_failed, failed_files, failed_msgs, dose_plots, NULL, obs);
}

/* The column of the sheet's extra "well" column, or SIZE_MAX. */
static size_t well_column(const assay_sheet *sheet)
{
    size_t col = SIZE_MAX;
    for (size_t k = 0; sheet != NULL && k < sheet->n_extra; k++) {
        if (strcasecmp(sheet->extra_names[k], "well") == 0) {
            col = k;
        }
    }
    return col;
}

static void run_row(report_sample *r, const assay_sample *s, const assay_input *in,
                    const char *well, char *flags, size_t flags_cap)
{
    assay_qc_flags_format(s->qc & ~(unsigned)ASSAY_QC_FAILED, flags, flags_cap);
    r->sample = in->sample;
    r->file = in->file;
    r->role = assay_role_name(in->role);
    r->treatment = in->treatment ? in->treatment : "";
    r->dose = in->dose_text ? in->dose_text : "";
    r->dose_unit = in->dose_unit ? in->dose_unit : "";
    r->well = well;
    r->replicate = in->replicate;
    r->events = s->events;
    r->singlets = s->singlets;
    for (int q = 0; q < ASSAY_Q_COUNT; q++) {
        r->pct[q] = s->pct[q];
        r->count[q] = s->count[q];
    }
    r->apoptotic_pct = s->apoptotic_pct;
    r->qc_flags = flags;
    r->qc_detail = s->qc_detail;
    r->error = (s->qc & ASSAY_QC_FAILED) ? (s->error[0] ? s->error : "failed") : "";
}

/* The sample rows of @p n samples (their QC flags' text in @p flags). */
static void run_rows(report_sample *rs, char (*flags)[160], const assay_result *res,
                     const assay_input *in, size_t n, const char *const *wells)
{
    for (size_t i = 0; i < n; i++) {
        run_row(&rs[i], &res->samples[i], &in[i], wells != NULL ? wells[i] : "", flags[i],
                sizeof flags[i]);
    }
}

/* report_for_samples from rows built before (@p rs, ri->n_samples of them; their checksums
 * are filled here) and the record of the figures drawn before (@p drawn, may be NULL). */
static apo_status for_rows(report_input *ri, const assay_input *in, report_sample *rs,
                           size_t n_failed, const char *const *failed_files,
                           const char *const *failed_msgs, bool dose_plots,
                           const report_figs_drawn *drawn, const apo_observer *obs)
{
    size_t n = ri->n_samples;
    size_t *order = calloc(n ? n : 1, sizeof *order);
    apo_error err;
    if (order == NULL || assay_result_sheet_order(in, n, order, &err) != APO_OK) {
        free(order);
        apo_observe_note(obs, APO_NOTE_ERROR, "out of memory");
        return APO_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if (ri->known_sha256 != NULL) {
            memcpy(rs[i].sha256, ri->known_sha256[i], sizeof rs[i].sha256);
            rs[i].sha256[sizeof rs[i].sha256 - 1] = '\0';
        }
    }
    ri->order = order;
    ri->inputs = in;
    apo_status s = publish(ri, rs, n_failed, failed_files, failed_msgs, dose_plots, drawn, obs);
    ri->order = NULL;
    ri->inputs = NULL;
    free(order);
    return s;
}

apo_status report_for_samples(report_input *ri, const assay_input *in,
                              const char *const *wells, size_t n_failed,
                              const char *const *failed_files, const char *const *failed_msgs,
                              bool dose_plots, const apo_observer *obs)
{
    size_t n = ri->n_samples;
    report_sample *rs = calloc(n ? n : 1, sizeof *rs);
    char(*flags)[160] = calloc(n ? n : 1, sizeof *flags);
    if (rs == NULL || flags == NULL) {
        free(rs);
        free(flags);
        apo_observe_note(obs, APO_NOTE_ERROR, "out of memory");
        return APO_E_NOMEM;
    }
    run_rows(rs, flags, ri->res, in, n, wells);
    apo_status s = for_rows(ri, in, rs, n_failed, failed_files, failed_msgs, dose_plots, NULL,
                            obs);
    free(rs);
    free(flags);
    return s;
}

/* The "well" of each sample from the sheet ("" without one); NULL when out of memory. */
static const char **run_wells(const assay_sheet *sheet, const assay_input *in, size_t n)
{
    const char **wells = calloc(n ? n : 1, sizeof *wells);
    if (wells == NULL) {
        return NULL;
    }
    size_t well_col = well_column(sheet);
    for (size_t i = 0; i < n; i++) {
        const assay_sheet_row *row = sheet != NULL ? assay_sheet_find(sheet, in[i].file) : NULL;
        wells[i] = row != NULL && well_col != SIZE_MAX ? row->extra[well_col] : "";
    }
    return wells;
}

/* The run's figures go with the report when OUTDIR/plots exists. */
static bool plots_folder(const char *outdir)
{
    char plots[4096];
    struct stat st;
    snprintf(plots, sizeof plots, "%s/plots", outdir);
    return stat(plots, &st) == 0 && S_ISDIR(st.st_mode);
}

apo_status report_run_rows_build(report_run_rows *out, const assay_result *res,
                                 const assay_input *in, size_t n, const assay_sheet *sheet)
{
    memset(out, 0, sizeof *out);
    out->wells = run_wells(sheet, in, n);
    out->rows = calloc(n ? n : 1, sizeof *out->rows);
    out->flags = calloc(n ? n : 1, sizeof *out->flags);
    if (out->wells == NULL || out->rows == NULL || out->flags == NULL) {
        report_run_rows_free(out);
        return APO_E_NOMEM;
    }
    out->n = n;
    run_rows(out->rows, out->flags, res, in, n, out->wells);
    return APO_OK;
}

void report_run_rows_free(report_run_rows *r)
{
    free(r->wells);
    free(r->rows);
    free(r->flags);
    memset(r, 0, sizeof *r);
}

void report_run_part_free(report_run_part *p)
{
    report_run_rows_free(&p->rows);
    memset(p, 0, sizeof *p);
}

/* The report's figures as tasks of the figure stage's pool: task 0 the dose-response plots,
 * then the parts of the summary figures; what each gave goes to the run's part. */
typedef struct run_figs_job {
    report_run_part *part;
    const char *outdir;
    const assay_result *res;
    fig_summary sum;
    bool sum_ok; /* fig_summary_init succeeded */
} run_figs_job;

static void run_figs_task(void *ctx, size_t k)
{
    run_figs_job *j = ctx;
    report_run_part *p = j->part;
    if (k == 0) {
        p->drawn.st[0] = report_dose_plots(j->outdir, j->res, p->rows.n, p->rows.rows,
                                           &p->drawn.err[0]);
    } else if (j->sum_ok) {
        fig_summary_draw(&j->sum, k - 1);
    }
}

apo_status report_figures_run(report_figures **f, const char *outdir, const assay_result *r,
                              const assay_input *in, size_t n, const assay_sheet *sheet,
                              unsigned jobs, const apo_observer *obs)
{
    if (*f == NULL) { /* the error said, or the figures made now */
        apo_error err;
        apo_status st = report_figures_new(f, outdir, in, n, &err);
        if (st != APO_OK) {
            apo_observe_error(obs, &err);
            return st;
        }
    }
    report_run_part *p = report_figures_part(*f);
    report_run_part_free(p);
    run_figs_job j = {.part = p, .outdir = outdir, .res = r};
    size_t n_extra = 0;
    if (plots_folder(outdir) && report_run_rows_build(&p->rows, r, in, n, sheet) == APO_OK) {
        p->drawn.drawn = true; /* else report_for_run builds the rows and draws the figures */
        p->drawn.st[1] = fig_summary_init(&j.sum, outdir, r, n, p->rows.rows, &p->drawn.err[1]);
        j.sum_ok = p->drawn.st[1] == APO_OK;
        n_extra = 1 + (j.sum_ok ? FIG_SUMMARY_PARTS : 0);
    }
    apo_status st = report_figures_stage(*f, r, jobs, n_extra, run_figs_task, &j, obs);
    if (j.sum_ok) {
        p->drawn.st[1] = fig_summary_finish(&j.sum, &p->drawn.err[1]);
    }
    return st;
}

apo_status report_for_run(const char *outdir, const assay_result *res, const assay_input *in,
                          size_t n, const assay_sheet *sheet, size_t n_failed,
                          const char *const *failed_files, const char *const *failed_msgs,
                          int argc, char *const *argv, unsigned jobs,
                          const char (*known_sha256)[65], const assay_adjustments *adj,
                          struct report_figures *fig, const apo_observer *obs)
{
    report_run_part *part = fig != NULL ? report_figures_part(fig) : NULL;
    report_run_rows own;
    memset(&own, 0, sizeof own);
    report_run_rows *rows = part != NULL && part->drawn.drawn ? &part->rows : &own;
    if (rows == &own && report_run_rows_build(&own, res, in, n, sheet) != APO_OK) {
        apo_observe_note(obs, APO_NOTE_ERROR, "out of memory");
        return APO_E_NOMEM;
    }
    /* the page draws its own figures only when the stage did not (OUTDIR/plots looked up then) */
    bool dose_plots = rows == &own && plots_folder(outdir);
    char title[64];
    snprintf(title, sizeof title, "Annexin V / %s apoptosis report", assay_dead_dye_label(res));
    report_input ri = {.outdir = outdir,
                       .title = title,
                       .n_samples = n,
                       .res = res,
                       .argc = argc,
                       .argv = argv,
                       .jobs = jobs,
                       .adjustments = adj,
                       .known_sha256 = known_sha256};
    apo_status s = for_rows(&ri, in, rows->rows, n_failed, failed_files, failed_msgs,
                            dose_plots, part != NULL ? &part->drawn : NULL, obs);
    report_run_rows_free(&own);
    return s;
}
