/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_dataset_ref.c: naming one data set of a multi-data-set file on the command line, on the
 * Muse example (samples/muse/muse.fcs: 18 samples, one per data set). FILE#N and --dataset N
 * give the same output in info, export, plot, gate, sheet, run and comp; a data set number
 * out of range exits 65 naming the file, its number of data sets and N; a real file whose
 * name contains '#' still opens (the whole name is tried first); comp takes a file given
 * plainly as every data set the run's sheet names of it.
 */
#include "support/png_util.h"
#include "support/run_cli.h"
#include "support/slurp.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MUSE APOFLOW_SOURCE_DIR "/samples/muse/muse.fcs"
#define MUSE_SHEET APOFLOW_SOURCE_DIR "/samples/muse/sheet.csv"

TestSuite(cli_dataset_ref, .timeout = 300);

/* Runs @p argv, asserts exit @p want; returns stdout + stderr (caller frees). */
static char *run_expect(const char *const *argv, int want)
{
    run_result r;
    int rc = run_cli(argv, &r);
    cr_assert_eq(rc, want, "%s %s: exit %d, expected %d\n%s%s", argv[1], argv[2], rc, want,
                 r.out, r.err);
    size_t n = strlen(r.out) + strlen(r.err) + 2;
    char *all = malloc(n);
    cr_assert_not_null(all);
    snprintf(all, n, "%s\n%s", r.out, r.err);
    run_result_free(&r);
    return all;
}

static void assert_same_file(const char *a, const char *b)
{
    size_t na = 0, nb = 0;
    char *ta = test_read_file(a, &na), *tb = test_read_file(b, &nb);
    cr_assert(ta != NULL && tb != NULL, "%s or %s missing", a, b);
    cr_assert(na == nb && memcmp(ta, tb, na) == 0, "%s and %s differ", a, b);
    free(ta);
    free(tb);
}

/* Lines of @p path (CSV data rows: all lines but the header). */
static size_t data_rows(const char *path)
{
    char *t = test_slurp(path, NULL);
    size_t n = 0;
    for (const char *p = t; *p; p++) {
        n += *p == '\n';
    }
    free(t);
    return n - 1;
}

Test(cli_dataset_ref, info_shows_only_the_data_set_named)
{
    const char *argv[] = {APOFLOW_BINARY, "info", MUSE "#2", NULL};
    char *out = run_expect(argv, 0);
    cr_assert(strstr(out, "18 data sets") != NULL, "%s", out);
    cr_assert(strstr(out, "data set 2 of 18") != NULL, "%s", out);
    cr_assert(strstr(out, "data set 1 of 18") == NULL, "%s", out);
    free(out);
}

Test(cli_dataset_ref, out_of_range_exits_65_naming_file_count_and_n)
{
    char *dir = test_tmpdir();
    char o[4096], png[4096];
    snprintf(o, sizeof o, "%s/out", dir);
    snprintf(png, sizeof png, "%s/p.png", dir);
    const char *gating = APOFLOW_SOURCE_DIR "/samples/muse/sheet.csv"; /* never read */
    const char *cmds[][12] = {
        {APOFLOW_BINARY, "info", MUSE "#19", NULL},
        {APOFLOW_BINARY, "info", MUSE, "--dataset", "19", NULL},
        {APOFLOW_BINARY, "export", MUSE "#19", "-o", o, NULL},
        {APOFLOW_BINARY, "export", MUSE, "--dataset", "19", "-o", o, NULL},
        {APOFLOW_BINARY, "plot", MUSE "#19", "-x", "YEL-HLin", "-y", "RED-HLin", "-o", png, NULL},
        {APOFLOW_BINARY, "plot", MUSE, "--dataset", "19", "-x", "YEL-HLin", "-y", "RED-HLin",
         "-o", png, NULL},
        {APOFLOW_BINARY, "gate", MUSE "#19", "--gating", gating, NULL},
        {APOFLOW_BINARY, "sheet", MUSE "#19", "-o", o, NULL},
        {APOFLOW_BINARY, "run", MUSE "#19", "-o", o, "-q", NULL},
        {APOFLOW_BINARY, "run", MUSE, "--dataset", "19", "-o", o, "-q", NULL},
        {APOFLOW_BINARY, "comp", MUSE "#19", "--controls", MUSE_SHEET, NULL},
        {APOFLOW_BINARY, "comp", MUSE, "--dataset", "19", "--controls", MUSE_SHEET, NULL},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char *out = run_expect(cmds[i], 65);
        cr_assert(strstr(out, "muse.fcs: data set 19 requested, the file has 18 data sets") !=
                      NULL,
                  "%s %s: %s", cmds[i][1], cmds[i][2], out);
        free(out);
    }
    const char *zero[] = {APOFLOW_BINARY, "info", MUSE "#0", NULL};
    char *out = run_expect(zero, 65);
    cr_assert(strstr(out, "data set 0 requested, the file has 18 data sets") != NULL, "%s", out);
    free(out);
    free(dir);
}

Test(cli_dataset_ref, a_real_name_with_a_hash_opens_first)
{
    char *dir = test_tmpdir();
    char real[4096], cmd[8300];
    snprintf(real, sizeof real, "%s/tube#2", dir);
    snprintf(cmd, sizeof cmd, "cp '%s/samples/h2o2_r1.fcs' '%s'", APOFLOW_SOURCE_DIR, real);
    cr_assert_eq(system(cmd), 0);
    /* "tube#2" exists: it is that file, not data set 2 of "tube" */
    const char *whole[] = {APOFLOW_BINARY, "info", real, NULL};
    char *out = run_expect(whole, 0);
    cr_assert(strstr(out, "1 data set\n") != NULL, "%s", out);
    free(out);
    /* "tube#2#1": data set 1 of the file "tube#2" */
    char one[4200];
    snprintf(one, sizeof one, "%s#1", real);
    const char *first[] = {APOFLOW_BINARY, "info", one, NULL};
    free(run_expect(first, 0));
    /* a one-data-set file asked for data set 2 */
    char two[4200];
    snprintf(two, sizeof two, "%s/samples/h2o2_r1.fcs#2", APOFLOW_SOURCE_DIR);
    const char *second[] = {APOFLOW_BINARY, "info", two, NULL};
    out = run_expect(second, 65);
    cr_assert(strstr(out, "h2o2_r1.fcs: data set 2 requested, the file has 1 data set\n") != NULL,
              "%s", out);
    free(out);
    /* a folder has no data sets: "DIR#2" is a name that does not exist */
    char folder[4200];
    snprintf(folder, sizeof folder, "%s#2", dir);
    const char *fold[] = {APOFLOW_BINARY, "info", folder, NULL};
    out = run_expect(fold, 66);
    free(out);
    /* neither a file nor FILE#N of one: cannot open (66), named as given */
    char none[4200];
    snprintf(none, sizeof none, "%s/absent.fcs#2", dir);
    const char *missing[] = {APOFLOW_BINARY, "info", none, NULL};
    out = run_expect(missing, 66);
    cr_assert(strstr(out, "absent.fcs#2") != NULL, "%s", out);
    free(out);
    free(dir);
}

Test(cli_dataset_ref, export_and_plot_hash_n_equal_dataset_n)
{
    char *dir = test_tmpdir();
    char a[4096], b[4096], pa[4096], pb[4096];
    snprintf(a, sizeof a, "%s/a.csv", dir);
    snprintf(b, sizeof b, "%s/b.csv", dir);
    snprintf(pa, sizeof pa, "%s/a.png", dir);
    snprintf(pb, sizeof pb, "%s/b.png", dir);
    const char *ea[] = {APOFLOW_BINARY, "export", MUSE "#7", "-o", a, NULL};
    const char *eb[] = {APOFLOW_BINARY, "export", MUSE, "--dataset", "7", "-o", b, NULL};
    free(run_expect(ea, 0));
    free(run_expect(eb, 0));
    assert_same_file(a, b);
    cr_assert_eq(data_rows(a), 2500);
    const char *qa[] = {APOFLOW_BINARY, "plot", MUSE "#7", "-x", "YEL-HLin", "-y", "RED-HLin",
                        "-o", pa, NULL};
    const char *qb[] = {APOFLOW_BINARY, "plot", MUSE, "--dataset", "7", "-x", "YEL-HLin", "-y",
                        "RED-HLin", "-o", pb, NULL};
    free(run_expect(qa, 0));
    free(run_expect(qb, 0));
    assert_same_file(pa, pb);
    rt_png png;
    cr_assert(rt_png_read(pa, &png));
    bool named = false; /* the PNG's provenance names the data set */
    for (int i = 0; i < png.n_text; i++) {
        named = named || (strcmp(png.keys[i], "Source") == 0 &&
                          strcmp(png.texts[i], "muse.fcs#7") == 0);
    }
    cr_assert(named, "no Source muse.fcs#7 in %s", pa);
    rt_png_free(&png);
    /* another data set draws another picture */
    const char *qc[] = {APOFLOW_BINARY, "plot", MUSE "#8", "-x", "YEL-HLin", "-y", "RED-HLin",
                        "-o", pb, NULL};
    free(run_expect(qc, 0));
    size_t na = 0, nb = 0;
    char *ta = test_read_file(pa, &na), *tb = test_read_file(pb, &nb);
    cr_assert(na != nb || memcmp(ta, tb, na) != 0, "data sets 7 and 8 drew the same plot");
    free(ta);
    free(tb);
    free(dir);
}

Test(cli_dataset_ref, sheet_run_gate_and_comp_take_data_sets)
{
    char *dir = test_tmpdir();
    char draft[4096], out[4096], out2[4096], gated[4096], gated2[4096], gating[4200];
    char m1[4096], m2[4096];
    snprintf(draft, sizeof draft, "%s/draft.csv", dir);
    snprintf(out, sizeof out, "%s/run", dir);
    snprintf(out2, sizeof out2, "%s/run2", dir);
    snprintf(gated, sizeof gated, "%s/g.csv", dir);
    snprintf(gated2, sizeof gated2, "%s/g2.csv", dir);
    snprintf(m1, sizeof m1, "%s/m1.csv", dir);
    snprintf(m2, sizeof m2, "%s/m2.csv", dir);

    /* sheet: only the data sets named, each named by its own keywords */
    const char *sh[] = {APOFLOW_BINARY, "sheet", MUSE "#4", MUSE "#7", "-o", draft, NULL};
    free(run_expect(sh, 0));
    char *d = test_slurp(draft, NULL);
    cr_assert(strstr(d, "muse.fcs#4,untreated_r1,untreated,") != NULL, "%s", d);
    cr_assert(strstr(d, "muse.fcs#7,h2o2_r1,stimulus,H2O2,") != NULL, "%s", d);
    cr_assert_eq(data_rows(draft), 2, "%s", d);
    free(d);

    /* run with the sheet: FILE#N keeps those data sets' rows; --dataset N one of each file */
    const char *run[] = {APOFLOW_BINARY, "run", MUSE "#4", MUSE "#7", "--sheet", MUSE_SHEET,
                         "-o", out, "--no-plots", "-q", NULL};
    free(run_expect(run, 0));
    char path[4200];
    snprintf(path, sizeof path, "%s/samples.csv", out);
    char *t = test_slurp(path, NULL);
    cr_assert_eq(data_rows(path), 2, "%s", t);
    cr_assert(strstr(t, "\nuntreated_r1,") != NULL && strstr(t, "\nh2o2_r1,") != NULL, "%s", t);
    free(t);
    const char *run2[] = {APOFLOW_BINARY, "run", "--sheet", MUSE_SHEET, "--dataset", "6", "-o",
                          out2, "--no-plots", "-q", NULL};
    free(run_expect(run2, 0));
    snprintf(path, sizeof path, "%s/samples.csv", out2);
    t = test_slurp(path, NULL);
    cr_assert_eq(data_rows(path), 1, "%s", t);
    cr_assert(strstr(t, "\nuntreated_r3,") != NULL, "%s", t);
    free(t);

    /* gate: the file column names the data set; the counts are data set 4's */
    snprintf(gating, sizeof gating, "%s/gating.xml", out);
    const char *ga[] = {APOFLOW_BINARY, "gate", MUSE "#4", "--gating", gating, "-o", gated, NULL};
    const char *gb[] = {APOFLOW_BINARY, "gate", MUSE, "--dataset", "4", "--gating", gating, "-o",
                        gated2, NULL};
    free(run_expect(ga, 0));
    free(run_expect(gb, 0));
    char *ta = test_slurp(gated, NULL), *tb = test_slurp(gated2, NULL);
    cr_assert(strstr(ta, "muse.fcs#4,Cells,,2304,") != NULL, "%s", ta);
    cr_assert(strstr(tb, "muse.fcs,Cells,,2304,") != NULL, "%s", tb);
    free(ta);
    free(tb);

    /* comp: the run's sheet names the controls' data sets of one file */
    const char *ca[] = {APOFLOW_BINARY, "comp", MUSE, "--controls", MUSE_SHEET, "-o", m1, NULL};
    const char *cb[] = {APOFLOW_BINARY, "comp", MUSE "#1", MUSE "#2", MUSE "#3", "--controls",
                        MUSE_SHEET, "-o", m2, NULL};
    char *said = run_expect(ca, 0);
    cr_assert(strstr(said, "muse.fcs#2 (") != NULL && strstr(said, "muse.fcs#3 (") != NULL,
              "%s", said);
    free(said);
    free(run_expect(cb, 0));
    assert_same_file(m1, m2);
    char *m = test_slurp(m1, NULL);
    cr_assert(strncmp(m, "YEL-HLin,RED-HLin\n1,0.08", 24) == 0, "%s", m);
    free(m);
    free(dir);
}
