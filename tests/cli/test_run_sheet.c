/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_run_sheet.c: `apoflow sheet` drafts the example experiment's sample sheet from the
 * files' keywords and names: every role and dose matches the hand-written samples/sheet.csv,
 * and the draft is directly usable by `apoflow run --sheet`.
 */
#include "support/run_cli.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(cli_run_sheet);

static int sh(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Field @p k (0-based) of a simple CSV line without quotes in the first fields. */
static void field(const char *line, int k, char *out, size_t cap)
{
    const char *p = line;
    for (int i = 0; i < k && p != NULL; i++) {
        p = strchr(p, ',');
        p = p ? p + 1 : NULL;
    }
    size_t n = p ? strcspn(p, ",\r\n") : 0;
    snprintf(out, cap, "%.*s", (int)n, p ? p : "");
}

Test(cli_run_sheet, draft_matches_hand_written_sheet_and_runs)
{
    char dir[] = "/tmp/apoflow-test-sheet-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char cmd[4096];
    /* copy the experiment so that the draft's relative paths point at the copies */
    snprintf(cmd, sizeof cmd, "cp %s/samples/*.fcs %s/", APOFLOW_SOURCE_DIR, dir);
    cr_assert_eq(sh(cmd), 0);
    char sheet[512];
    snprintf(sheet, sizeof sheet, "%s/sheet.csv", dir);
    const char *draft_argv[] = {APOFLOW_BINARY, "sheet", dir, "-o", sheet, NULL};
    run_result r;
    cr_assert_eq(run_cli(draft_argv, &r), 0, "%s", r.err);
    run_result_free(&r);
    char path[512];
    snprintf(path, sizeof path, "%s/sheet.csv", dir);
    FILE *d = fopen(path, "r");
    snprintf(path, sizeof path, "%s/samples/sheet.csv", APOFLOW_SOURCE_DIR);
    FILE *h = fopen(path, "r");
    cr_assert_not_null(d);
    cr_assert_not_null(h);
    char dl[1024], hl[1024];
    cr_assert_not_null(fgets(dl, sizeof dl, d));
    cr_assert_not_null(fgets(hl, sizeof hl, h));
    cr_assert(strncmp(dl, "file,sample,role,treatment,dose,dose_unit,replicate", 51) == 0, "%s", dl);
    static char draft[64][1024];
    size_t n_draft = 0;
    while (n_draft < 64 && fgets(draft[n_draft], sizeof draft[0], d) != NULL) {
        n_draft++;
    }
    cr_assert_eq(n_draft, 18);
    size_t rows = 0;
    while (fgets(hl, sizeof hl, h) != NULL) {
        char a[128], b[128], file[128];
        field(hl, 0, file, sizeof file);
        const char *match = NULL;
        for (size_t i = 0; i < n_draft; i++) {
            field(draft[i], 0, b, sizeof b);
            if (strcmp(b, file) == 0) {
                match = draft[i];
            }
        }
        cr_assert_not_null(match, "%s not in the draft", file);
        for (int k = 1; k < 7; k++) {
            if (k == 3 || k == 5) {
                continue; /* treatment spelling and unit are the user's to fill in */
            }
            field(hl, k, a, sizeof a);
            field(match, k, b, sizeof b);
            cr_assert_str_eq(b, a, "%s column %d: draft \"%s\" vs sheet \"%s\"", file, k, b, a);
        }
        rows++;
    }
    fclose(d);
    fclose(h);
    cr_assert_eq(rows, 18);
    char outdir[512];
    snprintf(outdir, sizeof outdir, "%s-out", dir);
    const char *run_argv[] = {APOFLOW_BINARY, "run", "--sheet", sheet, "-o", outdir, "--no-plots",
                              "-q", NULL};
    cr_assert_eq(run_cli(run_argv, &r), 0, "%s", r.err);
    run_result_free(&r);
    snprintf(cmd, sizeof cmd, "grep -c welch_t %s-out/comparisons.csv | grep -qx 4", dir);
    cr_assert_eq(sh(cmd), 0, "expected 4 Welch comparisons from the drafted sheet (stimulus vs "
                             "untreated, 3 treated vs stimulus)");
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s-out'", dir, dir);
    cr_assert_eq(sh(cmd), 0);
}
