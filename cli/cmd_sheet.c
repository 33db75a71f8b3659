/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_sheet.c: `apoflow sheet INPUT... -o sheet.csv`: drafts a sample sheet from the FCS
 * files' keywords (TUBE NAME, SAMPLE ID, $FIL, the file name: words like unstained, FITC/
 * Annexin only, PI only, untreated, H2O2, a dose) for the user to check before
 * `apoflow run --sheet`. File paths are written relative to the sheet's folder when inside it.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "cli/cli.h"
#include "cli/options.h"
#include "assay/assay.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const cli_option sheet_options_table[] = {
    {"output", 'o', "FILE", "options", "the sheet to write (replaced atomically)", NULL},
    {NULL, 0, NULL, NULL, NULL, NULL}};

static const cli_option *const sheet_tables[] = {sheet_options_table, NULL};

static const cli_spec sheet_spec = {
    "sheet",
    "usage: apoflow sheet [OPTIONS] INPUT... -o SHEET.csv\n\n"
    "Draft a sample sheet (file,sample,role,treatment,dose,dose_unit,replicate,\n"
    "guess_evidence) from the FCS files' keywords and names. Check and edit it, then\n"
    "use it with 'apoflow run --sheet'. INPUT is an FCS file or a folder (recursive).\n",
    sheet_tables,
    "exit codes: 0 ok, 64 usage, 65 a file could not be read (still listed), 66 no\n"
    "input, 71 out of memory, 73/74 cannot write the sheet\n"};

/* @p file relative to folder @p dir_real when it lies inside it, else as given. */
static void relative_to(const char *dir_real, const char *file, char *out, size_t cap)
{
    char real[PATH_MAX];
    size_t n = strlen(dir_real);
    if (realpath(file, real) != NULL && strncmp(real, dir_real, n) == 0 && real[n] == '/') {
        snprintf(out, cap, "%s", real + n + 1);
    } else if (realpath(file, real) != NULL) {
        snprintf(out, cap, "%s", real);
    } else {
        snprintf(out, cap, "%s", file);
    }
}

/* The real path of the folder that will hold @p out ("" when it cannot be resolved). */
static void sheet_folder(const char *out, char *dir_real)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", out);
    char *slash = strrchr(dir, '/');
    if (slash == NULL) {
        snprintf(dir, sizeof dir, ".");
    } else if (slash == dir) {
        dir[1] = '\0';
    } else {
        *slash = '\0';
    }
    if (realpath(dir, dir_real) == NULL) {
        dir_real[0] = '\0';
    }
}

/* Make the guessed sample names unique: NAME-2, NAME-3, ... */
static void unique_samples(assay_sheet_guess *g, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0, k = 2; j < i; j++) {
            if (strcmp(g[i].sample, g[j].sample) == 0) {
                char base[128];
                snprintf(base, sizeof base, "%s", g[i].sample);
                snprintf(g[i].sample, sizeof g[i].sample, "%.100s-%zu", base, k++);
                j = (size_t)-1;
            }
        }
    }
}

/* Guess row @p i from file @p path's keywords (a file that cannot be read still gets a row
 * from its name); its path relative to the sheet into rel[i]. Returns an exit code. */
static int guess_file(const char *path, const char *dir_real, assay_sheet_guess *g, char **rel)
{
    fcs_file *f = NULL;
    fcs_read_options ro = FCS_READ_OPTIONS_INIT;
    ro.text_only = true;
    apo_error err;
    int rc = CLI_EXIT_OK;
    const fcs_dataset *ds = NULL;
    if (fcs_file_open(&f, path, &ro, &err) != APO_OK) {
        cli_print_error(&err);
        rc = CLI_EXIT_DATAERR;
    } else {
        ds = fcs_file_dataset(f, 0);
    }
    assay_sheet_guess_row(ds, path, g);
    char buf[PATH_MAX];
    relative_to(dir_real, path, buf, sizeof buf);
    *rel = strdup(buf);
    fcs_file_free(f);
    return *rel == NULL ? CLI_EXIT_OSERR : rc;
}

/* Draft the sheet of @p files into @p out; returns an exit code. */
static int draft(const char *out, char **files, size_t n)
{
    char dir_real[PATH_MAX] = "";
    sheet_folder(out, dir_real);
    assay_sheet_guess *g = calloc(n, sizeof *g);
    char **rel = calloc(n, sizeof *rel);
    int rc = g == NULL || rel == NULL ? CLI_EXIT_OSERR : CLI_EXIT_OK;
    for (size_t i = 0; rc != CLI_EXIT_OSERR && i < n; i++) {
        rc = cli_worse_exit(rc, guess_file(files[i], dir_real, &g[i], &rel[i]));
    }
    apo_error err;
    if (rc != CLI_EXIT_OSERR) {
        unique_samples(g, n);
        if (assay_sheet_write_draft(out, n, (const char *const *)rel, g, &err) != APO_OK) {
            cli_print_error(&err);
            rc = cli_worse_exit(rc, cli_exit_code(err.status));
        } else {
            size_t unknown = 0;
            for (size_t i = 0; i < n; i++) {
                unknown += g[i].role == ASSAY_ROLE_UNKNOWN;
            }
            printf("wrote %s: %zu files, %zu without a role guess; check every row before "
                   "'apoflow run --sheet %s'\n",
                   out, n, unknown, out);
        }
    }
    for (size_t i = 0; rel != NULL && i < n; i++) {
        free(rel[i]);
    }
    free(rel);
    free(g);
    return rc;
}

int cmd_sheet(int argc, char **argv)
{
    const char *out = NULL;
    cli_parser p;
    cli_parser_init(&p, &sheet_spec, argc, argv);
    const char *arg;
    int key;
    while ((key = cli_parser_next(&p, &arg)) != CLI_OPTS_DONE) {
        if (key == CLI_OPTS_EXIT) {
            return p.exit_code;
        }
        out = arg; /* -o */
    }
    int first = cli_parser_operands(&p);
    if (out == NULL || first >= argc) {
        cli_errorf("expected INPUT... and -o SHEET.csv (see 'apoflow sheet --help')");
        return CLI_EXIT_USAGE;
    }
    char **files = NULL;
    size_t n = 0;
    int rc = cli_collect_fcs(argc - first, argv + first, &files, &n);
    if (n == 0) {
        cli_errorf("expected FCS files in the inputs, found none");
        free(files);
        return cli_worse_exit(rc, CLI_EXIT_NOINPUT);
    }
    rc = cli_worse_exit(rc, draft(out, files, n));
    for (size_t i = 0; i < n; i++) {
        free(files[i]);
    }
    free(files);
    return rc;
}
