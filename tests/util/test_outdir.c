/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_outdir.c: the manifest of a run's outputs: names are checked, stale files of an earlier
 * run are removed (never anything outside the folder, never a folder or through a link), and
 * the temporary files of a killed write are cleaned.
 */
#include "util/util.h"
#include "support/run_cli.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void touch(const char *dir, const char *name)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f, "%s", p);
    fputs("x", f);
    fclose(f);
}

static bool exists(const char *dir, const char *name)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    struct stat sb;
    return lstat(p, &sb) == 0;
}

Test(apo_outdir, names)
{
    cr_assert(apo_manifest_name_ok("samples.csv"));
    cr_assert(apo_manifest_name_ok("plots/h2o2_r1.png"));
    cr_assert(apo_manifest_name_ok("plots/muse#2.png"));
    cr_assert_not(apo_manifest_name_ok("../etc/passwd"));
    cr_assert_not(apo_manifest_name_ok("/etc/passwd"));
    cr_assert_not(apo_manifest_name_ok("plots/../x"));
    cr_assert_not(apo_manifest_name_ok("a/b/c"));
    cr_assert_not(apo_manifest_name_ok(".hidden"));
    cr_assert_not(apo_manifest_name_ok("plots/.x"));
    cr_assert_not(apo_manifest_name_ok("a b"));
    cr_assert_not(apo_manifest_name_ok(""));
}

Test(apo_outdir, stale_files_of_an_earlier_run_are_removed)
{
    char *dir = test_tmpdir();
    char plots[4096];
    snprintf(plots, sizeof plots, "%s/plots", dir);
    cr_assert_eq(mkdir(plots, 0755), 0);
    touch(dir, "samples.csv");
    touch(dir, "plots/a.png");
    touch(dir, "plots/b.png");
    touch(dir, "notes.txt"); /* the user's own file: never listed, never removed */
    apo_manifest first, second, read;
    apo_manifest_init(&first);
    apo_error err;
    cr_assert_eq(apo_manifest_add(&first, "samples.csv", &err), APO_OK);
    cr_assert_eq(apo_manifest_add(&first, "plots/a.png", &err), APO_OK);
    cr_assert_eq(apo_manifest_add(&first, "plots/b.png", &err), APO_OK);
    cr_assert_eq(apo_manifest_add(&first, "../escape", &err), APO_E_USAGE);
    cr_assert_eq(apo_manifest_write(&first, dir, "apoflow test", &err), APO_OK, "%s", err.msg);

    bool found = false;
    cr_assert_eq(apo_manifest_read(&read, dir, &found, &err), APO_OK);
    cr_assert(found);
    cr_assert_eq(read.n, 3);
    apo_manifest_init(&second);
    cr_assert_eq(apo_manifest_add(&second, "samples.csv", &err), APO_OK);
    cr_assert_eq(apo_manifest_add(&second, "plots/a.png", &err), APO_OK);
    size_t removed = 0;
    cr_assert_eq(apo_outdir_remove_stale(dir, &read, &second, &removed, &err), APO_OK);
    cr_assert_eq(removed, 1);
    cr_assert_not(exists(dir, "plots/b.png"));
    cr_assert(exists(dir, "plots/a.png") && exists(dir, "samples.csv") &&
              exists(dir, "notes.txt"));
    apo_manifest_free(&first);
    apo_manifest_free(&second);
    apo_manifest_free(&read);
    free(dir);
}

Test(apo_outdir, hostile_manifest_removes_nothing_outside)
{
    char *dir = test_tmpdir();
    char *outside = test_tmpdir();
    touch(outside, "precious.txt");
    char sub[4096];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    cr_assert_eq(mkdir(sub, 0755), 0);
    char link[4096], target[4096];
    snprintf(link, sizeof link, "%s/link.csv", dir);
    snprintf(target, sizeof target, "%s/precious.txt", outside);
    cr_assert_eq(symlink(target, link), 0);
    char m[8192];
    snprintf(m, sizeof m,
             "{\"files\":[\"../%s/precious.txt\",\"%s\",\"sub\",\"link.csv\",\"..\",\"/tmp\"]}",
             outside, target);
    char mp[4096];
    snprintf(mp, sizeof mp, "%s/manifest.json", dir);
    FILE *f = fopen(mp, "w");
    cr_assert_not_null(f);
    fputs(m, f);
    fclose(f);
    apo_manifest prev, cur;
    bool found;
    apo_error err;
    cr_assert_eq(apo_manifest_read(&prev, dir, &found, &err), APO_OK);
    apo_manifest_init(&cur);
    size_t removed = 0;
    cr_assert_eq(apo_outdir_remove_stale(dir, &prev, &cur, &removed, &err), APO_OK);
    cr_assert_eq(removed, 0, "removed %zu", removed);
    cr_assert(exists(outside, "precious.txt"));
    cr_assert(exists(dir, "sub") && exists(dir, "link.csv"));
    apo_manifest_free(&prev);
    free(dir);
    free(outside);
}

Test(apo_outdir, temporaries_of_a_killed_run_are_removed)
{
    char *dir = test_tmpdir();
    char plots[4096];
    snprintf(plots, sizeof plots, "%s/plots", dir);
    cr_assert_eq(mkdir(plots, 0755), 0);
    touch(dir, ".samples.csv.tmp-0a1b2c");
    touch(dir, "plots/.x.png.tmp-ffffff");
    touch(dir, ".keep.tmp-zzzzzz"); /* not our pattern */
    touch(dir, "samples.csv");
    size_t removed = 0;
    apo_error err;
    cr_assert_eq(apo_outdir_remove_temps(dir, &removed, &err), APO_OK);
    cr_assert_eq(removed, 2);
    cr_assert_not(exists(dir, ".samples.csv.tmp-0a1b2c"));
    cr_assert_not(exists(dir, "plots/.x.png.tmp-ffffff"));
    cr_assert(exists(dir, ".keep.tmp-zzzzzz") && exists(dir, "samples.csv"));
    free(dir);
}

/* File times must move past a run's start (they may be coarser than the clock). */
static void pause_20ms(void)
{
    struct timespec ts = {0, 20000000};
    nanosleep(&ts, NULL);
}

/* A first run's folder: samples.csv and plots/old.png listed in its manifest. */
static void first_run(const char *dir)
{
    char plots[4096];
    snprintf(plots, sizeof plots, "%s/plots", dir);
    cr_assert_eq(mkdir(plots, 0755), 0);
    touch(dir, "samples.csv");
    touch(dir, "plots/old.png");
    apo_manifest m;
    apo_manifest_init(&m);
    apo_error err;
    cr_assert_eq(apo_manifest_add(&m, "samples.csv", &err), APO_OK);
    cr_assert_eq(apo_manifest_add(&m, "plots/old.png", &err), APO_OK);
    cr_assert_eq(apo_manifest_write(&m, dir, "apoflow test", &err), APO_OK, "%s", err.msg);
    apo_manifest_free(&m);
}

/* A new run begun on @p dir after the first: the first run's manifest set aside and read. */
static void begin_after_first(apo_outdir_run *r, const char *dir)
{
    apo_error err;
    size_t removed = 0;
    pause_20ms(); /* the new run's files are newer than its start */
    cr_assert_eq(apo_outdir_begin(r, dir, &removed, &err), APO_OK, "%s", err.msg);
    cr_assert_not(exists(dir, "manifest.json"));
    cr_assert(exists(dir, ".manifest.previous.json"));
    cr_assert_eq(r->previous.n, 2);
}

Test(apo_outdir, a_run_killed_after_writing_leaves_no_manifest)
{
    char *dir = test_tmpdir();
    first_run(dir);
    apo_outdir_run r;
    apo_error err;
    size_t removed = 0;
    begin_after_first(&r, dir); /* while it writes, the folder claims no complete run */
    pause_20ms();
    touch(dir, "samples.csv");
    apo_outdir_run_free(&r); /* killed: neither sealed nor abandoned */
    cr_assert_not(exists(dir, "manifest.json"));

    /* the next run reads the set-aside manifest: the first run's stale plot is removed */
    cr_assert_eq(apo_outdir_begin(&r, dir, &removed, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(r.previous.n, 2);
    pause_20ms();
    touch(dir, "samples.csv");
    cr_assert_eq(apo_outdir_seal(&r, dir, "apoflow test", &removed, &err), APO_OK, "%s",
                 err.msg);
    cr_assert_eq(removed, 1);
    cr_assert_not(exists(dir, "plots/old.png"));
    cr_assert(exists(dir, "manifest.json"));
    cr_assert_not(exists(dir, ".manifest.previous.json"));
    apo_manifest now;
    bool found = false;
    cr_assert_eq(apo_manifest_read(&now, dir, &found, &err), APO_OK);
    cr_assert(found);
    cr_assert_eq(now.n, 1);
    cr_assert_str_eq(now.files[0], "samples.csv");
    apo_manifest_free(&now);
    apo_outdir_run_free(&r);
    free(dir);
}

Test(apo_outdir, a_run_that_wrote_nothing_puts_the_manifest_back)
{
    char *dir = test_tmpdir();
    first_run(dir);
    apo_outdir_run r;
    begin_after_first(&r, dir);
    apo_outdir_abandon(&r, dir); /* failed before writing: the first run still stands */
    cr_assert(exists(dir, "manifest.json"));
    cr_assert_not(exists(dir, ".manifest.previous.json"));
    apo_outdir_run_free(&r);

    /* one that wrote a file before failing leaves it set aside */
    begin_after_first(&r, dir);
    pause_20ms();
    touch(dir, "plots/new.png");
    apo_outdir_abandon(&r, dir);
    cr_assert_not(exists(dir, "manifest.json"));
    cr_assert(exists(dir, ".manifest.previous.json"));
    apo_outdir_run_free(&r);
    free(dir);
}

/* Back to back, with no pause anywhere: runs that each rewrite one file and drop the other.
 * File times come from the file system's clock, which lags the process's wall clock by up to
 * a scheduler tick: each run's file must still count as its own (listed), and the earlier
 * run's file it did not write again must not (removed). */
Test(apo_outdir, back_to_back_runs_list_exactly_their_own_files)
{
    char *dir = test_tmpdir();
    apo_error err;
    for (int i = 0; i < 300; i++) {
        apo_outdir_run r;
        size_t removed = 0;
        const char *mine = i % 2 == 0 ? "even.csv" : "odd.csv";
        const char *other = i % 2 == 0 ? "odd.csv" : "even.csv";
        cr_assert_eq(apo_outdir_begin(&r, dir, &removed, &err), APO_OK, "%s", err.msg);
        touch(dir, mine);
        cr_assert_eq(apo_outdir_seal(&r, dir, "apoflow test", &removed, &err), APO_OK, "%s",
                     err.msg);
        apo_outdir_run_free(&r);
        apo_manifest now;
        bool found = false;
        cr_assert_eq(apo_manifest_read(&now, dir, &found, &err), APO_OK);
        cr_assert(found);
        cr_assert_eq(now.n, 1, "run %d lists %zu files", i, now.n);
        cr_assert_str_eq(now.files[0], mine, "run %d", i);
        apo_manifest_free(&now);
        cr_assert(exists(dir, mine));
        cr_assert_eq(removed, i > 0 ? 1u : 0u, "run %d", i);
        cr_assert_not(exists(dir, other), "run %d kept the earlier run's %s", i, other);
    }
    free(dir);
}
