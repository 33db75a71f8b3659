/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_atomic.c: atomic output files (util/atomic.c): a commit puts the whole file in place
 * and leaves no temporary file, an abort leaves the earlier file untouched, and the sync calls
 * succeed on what was written and name what they could not sync.
 */
#include "support/run_cli.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The number of entries of @p dir other than "." and "..". */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    }
    closedir(d);
    return n;
}

static void read_back(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static void write_atomic(const char *path, const char *text)
{
    apo_atomic_file af;
    apo_error err;
    cr_assert_eq(apo_atomic_open(&af, path, &err), APO_OK, "%s", err.msg);
    fputs(text, af.fp);
    cr_assert_eq(apo_atomic_commit(&af, &err), APO_OK, "%s", err.msg);
}

Test(atomic, commit_and_commit_sync_replace_and_leave_no_temporary)
{
    char *dir = test_tmpdir();
    char path[4200], buf[64];
    snprintf(path, sizeof path, "%s/table.csv", dir);
    write_atomic(path, "a,b\n1,2\n");
    read_back(path, buf, sizeof buf);
    cr_assert_str_eq(buf, "a,b\n1,2\n");
    apo_atomic_file af;
    apo_error err;
    cr_assert_eq(apo_atomic_open(&af, path, &err), APO_OK, "%s", err.msg);
    fputs("c\n", af.fp);
    cr_assert_eq(apo_atomic_commit_sync(&af, &err), APO_OK, "%s", err.msg);
    read_back(path, buf, sizeof buf);
    cr_assert_str_eq(buf, "c\n");
    cr_assert_eq(entries(dir), 1, "only table.csv, no temporary file");
    cr_assert_eq(apo_sync_file(path, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(apo_sync_folder(dir, &err), APO_OK, "%s", err.msg);
    free(dir);
}

Test(atomic, abort_keeps_the_earlier_file)
{
    char *dir = test_tmpdir();
    char path[4200], buf[64];
    snprintf(path, sizeof path, "%s/plot.png", dir);
    write_atomic(path, "earlier");
    apo_atomic_file af;
    apo_error err;
    cr_assert_eq(apo_atomic_open(&af, path, &err), APO_OK, "%s", err.msg);
    fputs("half of a new one", af.fp);
    cr_assert_eq(entries(dir), 2, "the file and its temporary while writing");
    apo_atomic_abort(&af);
    read_back(path, buf, sizeof buf);
    cr_assert_str_eq(buf, "earlier");
    cr_assert_eq(entries(dir), 1);
    free(dir);
}

Test(atomic, sync_names_what_is_missing)
{
    char *dir = test_tmpdir();
    char path[4200];
    snprintf(path, sizeof path, "%s/absent.csv", dir);
    apo_error err;
    cr_assert_eq(apo_sync_file(path, &err), APO_E_WRITE);
    cr_assert_str_eq(err.file, path);
    cr_assert(strstr(err.msg, "cannot sync the file") != NULL, "%s", err.msg);
    snprintf(path, sizeof path, "%s/no-such-folder", dir);
    cr_assert_eq(apo_sync_folder(path, &err), APO_E_WRITE);
    cr_assert_str_eq(err.file, path);
    cr_assert(strstr(err.msg, "cannot sync the folder") != NULL, "%s", err.msg);
    free(dir);
}

Test(atomic, sync_of_a_file_without_a_folder_part)
{
    char *dir = test_tmpdir();
    char path[4200];
    snprintf(path, sizeof path, "%s/x.txt", dir);
    write_atomic(path, "x");
    char *cwd = getcwd(NULL, 0);
    cr_assert_not_null(cwd);
    cr_assert_eq(chdir(dir), 0);
    apo_error err;
    apo_status st = apo_sync_file("x.txt", &err); /* its folder is "." */
    cr_assert_eq(chdir(cwd), 0);
    cr_assert_eq(st, APO_OK, "%s", err.msg);
    free(cwd);
    free(dir);
}
