/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dataset_ref.c: file operands that name a data set, "FILE#N" (docs/user-guide.md, "Files
 * with several data sets"). The whole operand is tried first, so a real file whose name
 * contains '#' still opens; only when no such file exists, and the operand ends in '#' and
 * digits after an existing regular file FILE, is it read as data set N (1-based) of FILE. A data set
 * number outside 1..K of a file with K data sets is an input error (exit 65) naming the
 * file, K and N.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool cli_file_ref_parse(const char *arg, cli_file_ref *out)
{
    *out = (cli_file_ref){NULL, false, 0};
    const char *hash = strrchr(arg, '#');
    size_t digits = hash != NULL ? strspn(hash + 1, "0123456789") : 0;
    size_t len = strlen(arg);
    if (hash != NULL && digits > 0 && hash[1 + digits] == '\0' && !exists(arg)) {
        char *file = strndup(arg, (size_t)(hash - arg));
        if (file == NULL) {
            return false;
        }
        uint64_t n = 0;
        if (file[0] != '\0' && is_file(file)) { /* a folder has no data sets */
            out->path = file;
            out->has_dataset = true;
            /* a number too long for size_t is out of range like any other */
            out->dataset = apo_parse_u64(hash + 1, digits, &n) && n <= SIZE_MAX / 2
                               ? (size_t)n
                               : SIZE_MAX / 2 + 1;
            return true;
        }
        free(file);
    }
    out->path = strndup(arg, len);
    return out->path != NULL;
}

void cli_file_ref_free(cli_file_ref *r)
{
    free(r->path);
    r->path = NULL;
}

int cli_dataset_in_range(const char *path, size_t n, size_t count)
{
    if (n >= 1 && n <= count) {
        return CLI_EXIT_OK;
    }
    cli_errorf("%s: data set %zu requested, the file has %zu data set%s", path, n, count,
               count == 1 ? "" : "s");
    return CLI_EXIT_DATAERR;
}

/* @p open_errors: report a file that cannot be opened (else leave it to the command, which
 * reports it when it reads the file). */
static int check_file(const char *path, size_t n, const fcs_read_options *read, bool open_errors)
{
    fcs_read_options ro = read != NULL ? *read : (fcs_read_options)FCS_READ_OPTIONS_INIT;
    ro.text_only = true;
    fcs_file *f = NULL;
    apo_error err;
    apo_status st = fcs_file_open(&f, path, &ro, &err);
    if (st != APO_OK) {
        if (!open_errors) {
            return CLI_EXIT_OK;
        }
        cli_print_error(&err);
        return cli_exit_input(st);
    }
    int rc = cli_dataset_in_range(path, n, fcs_file_n_datasets(f));
    fcs_file_free(f);
    return rc;
}

int cli_dataset_check_file(const char *path, size_t n, const fcs_read_options *read,
                           bool open_errors)
{
    return check_file(path, n, read, open_errors);
}

void cli_file_refs_free(cli_file_refs *r)
{
    for (size_t i = 0; r->paths != NULL && i < r->n; i++) {
        free(r->paths[i]);
    }
    free(r->paths);
    free(r->datasets);
    *r = (cli_file_refs){0, NULL, NULL};
}

int cli_file_refs_resolve(cli_file_refs *out, int n, char **args, size_t dflt,
                          const fcs_read_options *read)
{
    *out = (cli_file_refs){0, NULL, NULL};
    size_t m = n > 0 ? (size_t)n : 0;
    out->paths = calloc(m + 1, sizeof *out->paths);
    out->datasets = calloc(m + 1, sizeof *out->datasets);
    if (out->paths == NULL || out->datasets == NULL) {
        cli_file_refs_free(out);
        cli_errorf("out of memory");
        return CLI_EXIT_OSERR;
    }
    int rc = CLI_EXIT_OK;
    for (size_t i = 0; i < m && rc == CLI_EXIT_OK; i++) {
        cli_file_ref ref;
        if (!cli_file_ref_parse(args[i], &ref)) {
            cli_errorf("out of memory");
            rc = CLI_EXIT_OSERR;
            break;
        }
        out->paths[i] = ref.path;
        out->datasets[i] = ref.has_dataset ? ref.dataset : dflt;
        out->n++;
        if (ref.has_dataset || dflt > 1) { /* data set 1 always exists */
            rc = check_file(ref.path, out->datasets[i], read, false);
        }
    }
    if (rc != CLI_EXIT_OK) {
        cli_file_refs_free(out);
    }
    return rc;
}

/* The data sets of @p path the operands pick, into keep[] (up to @p cap); false when they
 * pick every data set. */
bool cli_file_refs_picked(const cli_file_refs *r, size_t dflt, const char *path, size_t *keep,
                          size_t cap, size_t *n_keep)
{
    bool named = false;
    *n_keep = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->paths[i], path) != 0) {
            continue;
        }
        named = true;
        if (r->datasets[i] == 0) {
            return false; /* the file given plainly: all of it */
        }
        if (*n_keep < cap) {
            keep[(*n_keep)++] = r->datasets[i];
        }
    }
    if (!named && dflt > 0) {
        keep[(*n_keep)++] = dflt;
    }
    return *n_keep > 0;
}

bool cli_file_refs_wants(const cli_file_refs *r, size_t dflt, const char *path, size_t dataset)
{
    size_t keep[64], n = 0;
    if (!cli_file_refs_picked(r, dflt, path, keep, sizeof keep / sizeof keep[0], &n)) {
        return true;
    }
    for (size_t k = 0; k < n; k++) {
        if (keep[k] == dataset) {
            return true;
        }
    }
    return false;
}
