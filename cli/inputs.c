/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * inputs.c: the FCS files among the command line's paths (cli_collect_fcs): files as given,
 * folders searched recursively for *.fcs, *.lmd and extension-less files that start with an
 * "FCS" version (FACSCalibur's "060909.001"), sorted by path, each once.
 * cli_collect_experiment, for a run without a sheet, takes a folder's own files and searches
 * its subfolders only when it has none, so an experiment folder with a subfolder of another
 * experiment is one experiment.
 */
#include "cli/cli.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

typedef struct file_list {
    char **v;
    size_t n, cap;
} file_list;

static bool list_push(file_list *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        char **v = realloc(l->v, cap * sizeof *v);
        if (v == NULL) {
            return false;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n] = strdup(s);
    return l->v[l->n++] != NULL;
}

static bool has_fcs_ext(const char *name)
{
    size_t n = strlen(name);
    return (n > 4 && strcasecmp(name + n - 4, ".fcs") == 0) ||
           (n > 4 && strcasecmp(name + n - 4, ".lmd") == 0);
}

/* Files without an .fcs extension (FACSCalibur's "060909.001") are recognised by their
 * "FCS" version at byte 0. */
static bool has_fcs_magic(const char *path)
{
    char head[6];
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return false;
    }
    size_t got = fread(head, 1, sizeof head, f);
    fclose(f);
    return got == sizeof head && memcmp(head, "FCS", 3) == 0 && head[4] == '.';
}

static int walk(const char *dir, file_list *l, int depth, bool recurse)
{
    if (depth > 32) {
        return 0;
    }
    DIR *d = opendir(dir);
    if (d == NULL) {
        cli_errorf("%s: cannot open folder: %s", dir, strerror(errno));
        return CLI_EXIT_NOINPUT;
    }
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }
        char path[PATH_MAX];
        size_t dl = strlen(dir);
        int w = snprintf(path, sizeof path, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/",
                         de->d_name);
        if (w < 0 || (size_t)w >= sizeof path) {
            continue;
        }
        struct stat st;
        if (stat(path, &st) != 0) {
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            if (recurse) {
                rc = cli_worse_exit(rc, walk(path, l, depth + 1, true));
            }
        } else if (S_ISREG(st.st_mode) && (has_fcs_ext(de->d_name) || has_fcs_magic(path))) {
            if (!list_push(l, path)) {
                rc = CLI_EXIT_OSERR;
            }
        }
    }
    closedir(d);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* @p experiment: a folder gives the files directly in it, its subfolders only when it holds
 * none (one experiment per folder: a run without a sheet, docs/sample-sheet.md). */
static int collect(int n_args, char **args, char ***files, size_t *n_files, bool experiment)
{
    file_list l = {0};
    int rc = 0;
    for (int i = 0; i < n_args; i++) {
        struct stat st;
        if (stat(args[i], &st) != 0) {
            cli_errorf("%s: cannot open: %s", args[i], strerror(errno));
            rc = cli_worse_exit(rc, CLI_EXIT_NOINPUT);
        } else if (S_ISDIR(st.st_mode)) {
            size_t before = l.n;
            rc = cli_worse_exit(rc, walk(args[i], &l, 0, !experiment));
            if (experiment && l.n == before) {
                rc = cli_worse_exit(rc, walk(args[i], &l, 0, true));
            }
        } else if (!list_push(&l, args[i])) {
            rc = CLI_EXIT_OSERR;
        }
    }
    if (l.n > 1) { /* sorted, each file once (FILE#1 FILE#2 name one file) */
        qsort(l.v, l.n, sizeof *l.v, cmp_str);
        size_t w = 1;
        for (size_t i = 1; i < l.n; i++) {
            if (strcmp(l.v[i], l.v[w - 1]) == 0) {
                free(l.v[i]);
            } else {
                l.v[w++] = l.v[i];
            }
        }
        l.n = w;
    }
    *files = l.v;
    *n_files = l.n;
    return rc;
}

int cli_collect_fcs(int n_args, char **args, char ***files, size_t *n_files)
{
    return collect(n_args, args, files, n_files, false);
}

int cli_collect_experiment(int n_args, char **args, char ***files, size_t *n_files)
{
    return collect(n_args, args, files, n_files, true);
}
