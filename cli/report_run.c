/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_run.c: glue between `apoflow run` and the report: sample rows from the analysis
 * and the sheet (well column), input checksums on the thread pool, dose-response plots,
 * then report.html.
 */
#include "cli/cli.h"
#include "util/util.h"
#include "report/report.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static void hash_task(void *ctx, size_t i)
{
    report_sample *s = (report_sample *)ctx + i;
    if (apo_sha256_file(s->file, s->sha256) != 0) {
        s->sha256[0] = '\0';
    }
}

void report_checksums(report_sample *samples, size_t n, unsigned jobs)
{
    apo_pool_run(n, jobs, hash_task, NULL, samples);
}

int report_for_run(const char *outdir, const assay_result *res, const assay_input *in,
                   size_t n, const assay_sheet *sheet, size_t n_failed,
                   const char *const *failed_files, const char *const *failed_msgs, int argc,
                   char *const *argv, unsigned jobs, const review_adjustments *adj)
{
    report_sample *rs = calloc(n ? n : 1, sizeof *rs);
    char(*flags)[160] = calloc(n ? n : 1, sizeof *flags);
    report_failure *fl = calloc(n_failed + n + 1, sizeof *fl);
    if (rs == NULL || flags == NULL || fl == NULL) {
        free(rs);
        free(flags);
        free(fl);
        cli_errorf("out of memory");
        return 71;
    }
    size_t well_col = SIZE_MAX;
    for (size_t k = 0; sheet != NULL && k < sheet->n_extra; k++) {
        if (strcasecmp(sheet->extra_names[k], "well") == 0) {
            well_col = k;
        }
    }
    for (size_t i = 0; i < n; i++) {
        const assay_sample *s = &res->samples[i];
        report_sample *r = &rs[i];
        const assay_sheet_row *row = sheet != NULL ? assay_sheet_find(sheet, in[i].file) : NULL;
        assay_qc_flags_format(s->qc & ~(unsigned)ASSAY_QC_FAILED, flags[i], sizeof flags[i]);
        r->sample = in[i].sample;
        r->file = in[i].file;
        r->role = assay_role_name(in[i].role);
        r->treatment = in[i].treatment ? in[i].treatment : "";
        r->dose = in[i].dose_text ? in[i].dose_text : "";
        r->dose_unit = in[i].dose_unit ? in[i].dose_unit : "";
        r->well = row != NULL && well_col != SIZE_MAX ? row->extra[well_col] : "";
        r->replicate = in[i].replicate;
        r->events = s->events;
        r->singlets = s->singlets;
        for (int q = 0; q < ASSAY_Q_COUNT; q++) {
            r->pct[q] = s->pct[q];
        }
        r->apoptotic_pct = s->apoptotic_pct;
        r->qc_flags = flags[i];
        r->qc_detail = s->qc_detail;
        r->error = (s->qc & ASSAY_QC_FAILED) ? (s->error[0] ? s->error : "failed") : "";
    }
    for (size_t i = 0; i < n_failed; i++) {
        fl[i] = (report_failure){failed_files[i], "read", failed_msgs[i] ? failed_msgs[i] : ""};
    }
    size_t nfl = n_failed;
    for (size_t i = 0; i < n; i++) { /* samples read but not analysable */
        if (rs[i].error[0]) {
            fl[nfl++] = (report_failure){rs[i].file, "analysis", rs[i].error};
        }
    }
    report_checksums(rs, n, jobs);
    int rc = 0;
    apo_error err;
    char plots[4096];
    struct stat st;
    snprintf(plots, sizeof plots, "%s/plots", outdir);
    if (stat(plots, &st) == 0 && S_ISDIR(st.st_mode) &&
        report_dose_plots(outdir, res, n, rs, &err) != APO_OK) {
        cli_print_error(&err);
        rc = apo_status_exit_code(err.status);
    }
    report_input ri = {.outdir = outdir,
                       .title = "Annexin V / PI apoptosis report",
                       .n_samples = n,
                       .samples = rs,
                       .res = res,
                       .n_failures = nfl,
                       .failures = fl,
                       .argc = argc,
                       .argv = argv,
                       .jobs = jobs,
                       .adjustments = adj};
    if (report_write_html(&ri, &err) != APO_OK) {
        cli_print_error(&err);
        rc = cli_worse_exit(rc, apo_status_exit_code(err.status));
    }
    free(rs);
    free(flags);
    free(fl);
    return rc;
}
