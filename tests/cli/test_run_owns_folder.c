/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_run_owns_folder.c: a run owns its output folder: it writes manifest.json last, a
 * re-run removes the earlier run's outputs it did not write again (the plot of a sample no
 * longer in the sheet) and the temporary files a killed run left, and keeps the user's files;
 * a run that fails before writing leaves the earlier manifest in place.
 */
#include "support/run_cli.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool exists(const char *dir, const char *name)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    struct stat sb;
    return stat(p, &sb) == 0;
}

static void touch(const char *dir, const char *name)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f, "%s", p);
    fclose(f);
}

/* A complete run of the calibur experiment as it is into @p out. */
static void run_calibur(const char *out)
{
    const char *a[] = {APOFLOW_BINARY, "run", "--sheet",
                       APOFLOW_SOURCE_DIR "/samples/calibur/sheet.csv", "-o", out, "-q", NULL};
    run_result r;
    cr_assert_eq(run_cli(a, &r), 0, "%s", r.err);
    run_result_free(&r);
    cr_assert(exists(out, "manifest.json"));
    cr_assert_not(exists(out, ".manifest.previous.json"));
}

Test(cli_run_owns_folder, stale_outputs_and_temporaries_removed, .timeout = 300)
{
    char *dir = test_tmpdir();
    char out[4096], sheet[4096];
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(sheet, sizeof sheet, "%s/sheet.csv", dir);
    run_calibur(out); /* first run: the calibur experiment as it is */
    run_result r;
    cr_assert(exists(out, "plots/h2o2_asiv200_r1.png"), "expected the plot of sample h2o2_asiv200_r1");
    touch(out, "my_notes.txt");                 /* the user's: kept */
    touch(out, "plots/.h2o2_asiv25_r1.png.tmp-00abcd");  /* a killed write: removed */
    /* second run: the same sheet without sample asiv200 */
    FILE *in = fopen(APOFLOW_SOURCE_DIR "/samples/calibur/sheet.csv", "r");
    FILE *o = fopen(sheet, "w");
    cr_assert(in && o);
    char line[1024];
    while (fgets(line, sizeof line, in) != NULL) {
        if (strstr(line, "asiv200") == NULL) {
            if (strncmp(line, "file,", 5) == 0 || line[0] == '#') {
                fputs(line, o);
            } else {
                fprintf(o, "%s/samples/calibur/%s", APOFLOW_SOURCE_DIR, line);
            }
        }
    }
    fclose(in);
    fclose(o);
    const char *b[] = {APOFLOW_BINARY, "run", "--sheet", sheet, "-o", out, NULL};
    cr_assert_eq(run_cli(b, &r), 0, "%s", r.err);
    cr_assert(strstr(r.out, "removed 1 temporary file") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "of the earlier run that this run did not write again") != NULL,
              "%s", r.out);
    run_result_free(&r);
    cr_assert_not(exists(out, "plots/h2o2_asiv200_r1.png"), "the stale plot is still there");
    cr_assert_not(exists(out, "plots/.h2o2_asiv25_r1.png.tmp-00abcd"));
    cr_assert(exists(out, "my_notes.txt"));
    cr_assert(exists(out, "plots/h2o2_asiv25_r1.png") && exists(out, "samples.csv"));
    free(dir);
}

/* While a run writes, the earlier manifest is set aside (so a run killed half-way leaves no
 * manifest claiming a complete run); a run that fails before writing anything leaves the
 * earlier run's manifest as it was; the next complete run leaves only its own. */
Test(cli_run_owns_folder, failed_run_keeps_the_earlier_manifest, .timeout = 300)
{
    char *dir = test_tmpdir();
    char out[4096];
    snprintf(out, sizeof out, "%s/out", dir);
    run_calibur(out);
    run_result r;
    /* no readable FCS file: the run fails before writing any output */
    const char *b[] = {APOFLOW_BINARY, "run", APOFLOW_SOURCE_DIR "/README.md", "-o", out, "-q",
                       NULL};
    cr_assert_neq(run_cli(b, &r), 0);
    run_result_free(&r);
    cr_assert(exists(out, "manifest.json"), "the failed run took the earlier manifest away");
    cr_assert_not(exists(out, ".manifest.previous.json"));
    run_calibur(out);
    free(dir);
}

/* The run's outputs reach the disk once, before the manifest that claims them complete: the
 * system calls of a second run into a folder (traced with strace when it can trace here)
 * hold the earlier manifest's set-aside synced before any output is renamed into place, one
 * file-system sync after the last output's rename and before the rename that puts
 * manifest.json in place, the manifest synced after that, and no fsync per output file
 * (util/atomic.c, util/outdir.c, docs/outputs.md). */
Test(cli_run_owns_folder, outputs_synced_once_before_the_manifest, .timeout = 300)
{
    run_result r;
    const char *strace = access("/usr/bin/strace", X_OK) == 0 ? "/usr/bin/strace" : "/bin/strace";
    const char *probe[] = {strace, "-o", "/dev/null", "/bin/true", NULL};
    if (access(strace, X_OK) != 0 || run_cli(probe, &r) != 0) {
        run_result_free(&r);
        cr_skip_test("strace cannot trace here (not installed, or ptrace not allowed)");
    }
    run_result_free(&r);
    char *dir = test_tmpdir();
    char out[4096], log[4096];
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(log, sizeof log, "%s/trace.txt", dir);
    run_calibur(out); /* the earlier run, whose manifest the traced one sets aside */
    /* the leak checker of a sanitizer build cannot run under ptrace: off for the traced run */
    const char *a[] = {strace, "-f", "-o", log, "-E", "ASAN_OPTIONS=detect_leaks=0", "-e",
                       "trace=fsync,fdatasync,syncfs,rename,renameat,renameat2", APOFLOW_BINARY,
                       "run", "--sheet", APOFLOW_SOURCE_DIR "/samples/calibur/sheet.csv", "-o",
                       out, "-q", NULL};
    cr_assert_eq(run_cli(a, &r), 0, "%s", r.err);
    run_result_free(&r);
    FILE *f = fopen(log, "r");
    cr_assert_not_null(f, "%s", log);
    int line = 0, syncfs_at = -1, n_syncfs = 0, n_fsync = 0, n_renames = 0, manifest_at = -1;
    int aside_at = -1, first_output_at = -1, last_output_at = -1, fsync_aside = 0,
        fsync_manifest = 0;
    char buf[8192];
    while (fgets(buf, sizeof buf, f) != NULL) {
        line++;
        if (strstr(buf, "syncfs(") != NULL) {
            n_syncfs++;
            syncfs_at = line;
        } else if (strstr(buf, "fsync(") != NULL || strstr(buf, "fdatasync(") != NULL) {
            n_fsync++;
            fsync_aside += aside_at > 0 && first_output_at < 0;
            fsync_manifest += manifest_at > 0;
        } else if (strstr(buf, "rename") != NULL && strstr(buf, " = 0") != NULL) {
            if (strstr(buf, "/.manifest.previous.json\"") != NULL) {
                aside_at = line; /* manifest.json to .manifest.previous.json */
            } else if (strstr(buf, "/manifest.json\"") != NULL) {
                manifest_at = line;
            } else { /* an output (or a thread's rename resumed: its end) */
                n_renames++;
                first_output_at = first_output_at < 0 ? line : first_output_at;
                last_output_at = line;
            }
        }
    }
    fclose(f);
    cr_assert_gt(n_renames, 20, "the run's outputs, each renamed into place (%d)", n_renames);
    cr_assert_gt(aside_at, 0, "the earlier manifest set aside");
    cr_assert_lt(aside_at, first_output_at, "set aside before the outputs");
    cr_assert_geq(fsync_aside, 1, "the set-aside synced before the first output's rename");
    cr_assert_eq(n_syncfs, 1, "one file-system sync, found %d", n_syncfs);
    cr_assert_gt(syncfs_at, last_output_at, "the sync after the last output is in place");
    cr_assert_gt(manifest_at, syncfs_at, "the manifest is renamed after the sync");
    cr_assert_geq(fsync_manifest, 1, "the manifest synced after its rename");
    /* the set-aside and its folder; the folder at the sync; the manifest and its folder */
    cr_assert_leq(n_fsync, 5, "no fsync per output file, found %d", n_fsync);
    free(dir);
}
