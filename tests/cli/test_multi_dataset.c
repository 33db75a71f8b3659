/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_multi_dataset.c: a file with one sample per data set (as Guava Muse and easyCyte
 * instruments write them) gives one named sample per data set in `apoflow sheet` and
 * `apoflow run`. The example experiment's 18 files are stored as the 18 data sets of one file
 * (each named by its TUBE NAME keyword); the run with a sheet naming data sets gives the same
 * per-sample numbers as the 18 separate files. A Beckman Coulter .LMD file, which holds one
 * acquisition twice (an FCS 2.0 and an FCS 3.0 copy), gives one sample: its FCS 3.0 copy, said,
 * with Beckman's scatter names found; FILE#N and --dataset N still pick a copy.
 */
#include "fcs/fcs.h"
#include "support/need.h"
#include "support/run_cli.h"
#include "support/slurp.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define N_MAX 32

typedef struct source {
    fcs_file *f;
    fcs_events ev;
    fcs_write_param params[16];
    fcs_write_keyword kw[4];
} source;

/* The spec of one sample file as a data set named @p sample. */
static void load(source *s, const char *file, const char *sample, fcs_write_spec *spec)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/samples/%s", APOFLOW_SOURCE_DIR, file);
    apo_error err;
    cr_assert_eq(fcs_file_open(&s->f, path, NULL, &err), APO_OK, "%s", err.msg);
    const fcs_dataset *ds = fcs_file_dataset(s->f, 0);
    fcs_decode_options d = FCS_DECODE_OPTIONS_INIT;
    cr_assert_eq(fcs_dataset_read_events(ds, &d, &s->ev, &err), APO_OK, "%s", err.msg);
    size_t np = fcs_dataset_n_params(ds);
    cr_assert_leq(np, 16);
    for (size_t p = 0; p < np; p++) {
        const fcs_param *pr = fcs_dataset_param(ds, p);
        s->params[p] = (fcs_write_param){pr->name, pr->label[0] ? pr->label : NULL, pr->range};
    }
    s->kw[0] = (fcs_write_keyword){"TUBE NAME", sample};
    s->kw[1] = (fcs_write_keyword){"$SPILLOVER", fcs_dataset_keyword(ds, "$SPILLOVER")};
    s->kw[2] = (fcs_write_keyword){"$TIMESTEP", fcs_dataset_keyword(ds, "$TIMESTEP")};
    s->kw[3] = (fcs_write_keyword){"$CYT", "Guava Muse (simulated layout)"};
    *spec = (fcs_write_spec){np, s->params, s->ev.n_events, s->ev.values, 4, s->kw};
}

/* Field @p k (0-based) of a CSV line (no quotes in these tables). */
static void field(const char *line, int k, char *out, size_t cap)
{
    for (; k > 0 && line != NULL; k--) {
        line = strchr(line, ',');
        line = line ? line + 1 : NULL;
    }
    size_t n = line ? strcspn(line, ",\n") : 0;
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), line ? line : "");
}

Test(cli_multi_dataset, one_sample_per_data_set, .timeout = 300)
{
    char *dir = test_tmpdir();
    char muse[4096], sheet[4096], out_a[4096], out_b[4096], draft[4096];
    snprintf(muse, sizeof muse, "%s/muse.fcs", dir);
    snprintf(sheet, sizeof sheet, "%s/sheet.csv", dir);
    snprintf(out_a, sizeof out_a, "%s/a", dir);
    snprintf(out_b, sizeof out_b, "%s/b", dir);
    snprintf(draft, sizeof draft, "%s/draft.csv", dir);

    /* The example sheet's files as the data sets of one file; its sheet names the data sets. */
    char *text = test_slurp(APOFLOW_SOURCE_DIR "/samples/sheet.csv", NULL);
    source src[N_MAX];
    fcs_write_spec specs[N_MAX];
    char names[N_MAX][128], files[N_MAX][128];
    size_t n = 0;
    FILE *sh = fopen(sheet, "w");
    cr_assert_not_null(sh);
    fputs("file,sample,role,treatment,dose,dose_unit,replicate,stimulus,well,dataset\n", sh);
    for (char *line = strchr(text, '\n') + 1; *line != '\0' && n < N_MAX;
         line = strchr(line, '\n') + 1) {
        field(line, 0, files[n], sizeof files[n]);
        field(line, 1, names[n], sizeof names[n]);
        const char *rest = strchr(line, ',');
        size_t len = strcspn(rest, "\n");
        fprintf(sh, "muse.fcs%.*s,%zu\n", (int)len, rest, n + 1);
        load(&src[n], files[n], names[n], &specs[n]);
        n++;
    }
    fclose(sh);
    free(text);
    cr_assert_eq(n, 18);
    apo_error err;
    cr_assert_eq(fcs_write_datasets(muse, specs, n, &err), APO_OK, "%s", err.msg);

    /* info sees 18 data sets */
    const char *info[] = {APOFLOW_BINARY, "info", muse, NULL};
    run_result r;
    cr_assert_eq(run_cli(info, &r), 0, "%s", r.err);
    cr_assert(strstr(r.out, "18 data sets") != NULL, "%s", r.out);
    run_result_free(&r);

    /* sheet: one row per data set, FILE#N, named from TUBE NAME */
    const char *sh_args[] = {APOFLOW_BINARY, "sheet", muse, "-o", draft, NULL};
    cr_assert_eq(run_cli(sh_args, &r), 0, "%s", r.err);
    run_result_free(&r);
    char *d = test_slurp(draft, NULL);
    for (size_t k = 0; k < n; k++) {
        char want[300];
        snprintf(want, sizeof want, "muse.fcs#%zu,%s,", k + 1, names[k]);
        cr_assert(strstr(d, want) != NULL, "expected \"%s\" in the draft:\n%s", want, d);
    }
    free(d);

    /* run: the 18 data sets against the 18 files */
    const char *run_a[] = {APOFLOW_BINARY, "run", "--sheet", APOFLOW_SOURCE_DIR "/samples/sheet.csv",
                           "-o", out_a, "--no-plots", "-q", NULL};
    const char *run_b[] = {APOFLOW_BINARY, "run", "--sheet", sheet, "-o", out_b, "--no-plots",
                           "-q", NULL};
    cr_assert_eq(run_cli(run_a, &r), 0, "%s", r.err);
    run_result_free(&r);
    cr_assert_eq(run_cli(run_b, &r), 0, "%s", r.err);
    run_result_free(&r);
    char pa[4200], pb[4200];
    snprintf(pa, sizeof pa, "%s/samples.csv", out_a);
    snprintf(pb, sizeof pb, "%s/samples.csv", out_b);
    char *ta = test_slurp(pa, NULL), *tb = test_slurp(pb, NULL);
    /* every sample's row: the same numbers (column 3 on: role ... ), the file column differs */
    for (size_t k = 0; k < n; k++) {
        char key[160];
        snprintf(key, sizeof key, "\n%s,", names[k]);
        const char *la = strstr(ta, key), *lb = strstr(tb, key);
        cr_assert(la != NULL && lb != NULL, "sample %s missing", names[k]);
        char fa[64], fb[64];
        for (int c = 2; c < 16; c++) {
            field(la + 1, c, fa, sizeof fa);
            field(lb + 1, c, fb, sizeof fb);
            cr_assert_str_eq(fa, fb, "sample %s column %d", names[k], c);
        }
    }
    free(ta);
    free(tb);
    snprintf(pa, sizeof pa, "%s/comparisons.csv", out_a);
    snprintf(pb, sizeof pb, "%s/comparisons.csv", out_b);
    ta = test_slurp(pa, NULL);
    tb = test_slurp(pb, NULL);
    cr_assert_str_eq(ta, tb);
    free(ta);
    free(tb);
    for (size_t k = 0; k < n; k++) {
        fcs_events_free(&src[k].ev);
        fcs_file_free(src[k].f);
    }
    free(dir);
}

/* The lines of @p text that are not empty. */
static size_t n_lines(const char *text)
{
    size_t n = 0;
    for (const char *l = text; l != NULL && *l != '\0'; l = strchr(l, '\n'), l = l ? l + 1 : l) {
        n += *l != '\n';
    }
    return n;
}

Test(cli_multi_dataset, beckman_lmd_gives_one_sample_its_fcs3_copy, .timeout = 300)
{
    const char *lmd = APOFLOW_CORPUS_DIR "/fcs/cytoflow/Beckman Coulter - Gallios.LMD";
    test_need_path(lmd, "the FCS corpus");
    char *dir = test_tmpdir();
    char in[4096], link[4200], out[4096], draft[4096], sheet[4096], pick[4300], samples[4200];
    snprintf(in, sizeof in, "%s/in", dir);
    snprintf(link, sizeof link, "%s/Beckman Coulter - Gallios.LMD", in);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(draft, sizeof draft, "%s/draft.csv", dir);
    snprintf(sheet, sizeof sheet, "%s/sheet.csv", in);
    snprintf(samples, sizeof samples, "%s/samples.csv", out);
    cr_assert_eq(mkdir(in, 0700), 0);
    cr_assert_eq(symlink(lmd, link), 0);

    /* a folder of it, no sheet: one sample named as the file, the FCS 3.0 copy, said; its
     * forward scatter FS-A is found and gates the cells */
    const char *run[] = {APOFLOW_BINARY, "run", in, "-o", out, "--no-plots", NULL};
    run_result r;
    cr_assert_eq(run_cli(run, &r), 0, "%s", r.err);
    cr_assert(strstr(r.err, "holds one acquisition in 2 data sets of the same 26383 events") !=
                  NULL && strstr(r.err, "analysing data set 2, the FCS3.0 copy") != NULL,
              "%s", r.err);
    cr_assert(strstr(r.out, "Cells: FS-A >= ") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "Gallios#1") == NULL && strstr(r.out, "00001483") == NULL,
              "the older copy is not in the printed design:\n%s", r.out);
    run_result_free(&r);
    char *t = test_slurp(samples, NULL);
    cr_assert_eq(n_lines(t), 2, "%s", t);
    cr_assert(strstr(t, "\nBeckman Coulter - Gallios,") != NULL, "%s", t);
    free(t);
    snprintf(pick, sizeof pick, "%s/results.json", out);
    t = test_slurp(pick, NULL);
    cr_assert(strstr(t, "\"file_warnings\":[],\"dataset\":2}") != NULL, "%s", t);
    free(t);

    /* --dataset 1 and FILE#1: the FCS 2.0 copy, its integral FS INT LIN as the scatter */
    const char *run1[] = {APOFLOW_BINARY, "run", in, "--dataset", "1", "-o", out, "--no-plots",
                          NULL};
    snprintf(pick, sizeof pick, "%s#1", link);
    const char *run1b[] = {APOFLOW_BINARY, "run", pick, "-o", out, "--no-plots", NULL};
    const char *const *picks[] = {run1, run1b};
    for (int k = 0; k < 2; k++) {
        cr_assert_eq(run_cli(picks[k], &r), 0, "%s", r.err);
        cr_assert(strstr(r.out, "Cells: FS INT LIN >= ") != NULL, "%s", r.out);
        cr_assert(strstr(r.err, "holds one acquisition") == NULL, "%s", r.err);
        run_result_free(&r);
        t = test_slurp(samples, NULL);
        cr_assert_eq(n_lines(t), 2, "%s", t);
        free(t);
    }

    /* sheet: one row, the FCS 3.0 copy named explicitly, named as the file */
    const char *sh[] = {APOFLOW_BINARY, "sheet", in, "-o", draft, NULL};
    cr_assert_eq(run_cli(sh, &r), 0, "%s", r.err);
    cr_assert(strstr(r.err, "drafting data set 2, the FCS3.0 copy") != NULL, "%s", r.err);
    run_result_free(&r);
    t = test_slurp(draft, NULL);
    cr_assert_eq(n_lines(t), 2, "%s", t);
    cr_assert(strstr(t, "Gallios.LMD#2,Beckman Coulter - Gallios,") != NULL, "%s", t);
    free(t);

    /* a written sheet's row naming no data set: the FCS 3.0 copy, said */
    FILE *f = fopen(sheet, "w");
    cr_assert_not_null(f);
    fputs("file,sample,role\nBeckman Coulter - Gallios.LMD,g1,stimulus\n", f);
    fclose(f);
    const char *run_sheet[] = {APOFLOW_BINARY, "run", "--sheet", sheet, "-o", out,
                               "--no-plots", NULL};
    cr_assert_eq(run_cli(run_sheet, &r), 0, "%s", r.err);
    cr_assert(strstr(r.err, "analysing data set 2, the FCS3.0 copy") != NULL, "%s", r.err);
    cr_assert(strstr(r.out, "Cells: FS-A >= ") != NULL, "%s", r.out);
    run_result_free(&r);
    t = test_slurp(samples, NULL);
    cr_assert_eq(n_lines(t), 2, "%s", t);
    cr_assert(strstr(t, "\ng1,") != NULL, "%s", t);
    free(t);
    free(dir);
}
