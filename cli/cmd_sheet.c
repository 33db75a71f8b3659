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
#include "assay/experiment.h"

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
    "use it with 'apoflow run --sheet'. INPUT is an FCS file (FILE#N: only its data\n"
    "set N) or a folder (recursive).\n",
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

/* The draft's rows so far. */
typedef struct draft_rows {
    assay_sheet_guess *g;
    char **rel;
    size_t n, cap;
} draft_rows;

static bool draft_push(draft_rows *d, const assay_sheet_guess *g, const char *rel)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 64;
        assay_sheet_guess *ng = realloc(d->g, cap * sizeof *ng);
        if (ng != NULL) {
            d->g = ng;
        }
        char **nr = realloc(d->rel, cap * sizeof *nr);
        if (nr != NULL) {
            d->rel = nr;
        }
        if (ng == NULL || nr == NULL) {
            return false;
        }
        d->cap = cap;
    }
    d->g[d->n] = *g;
    d->rel[d->n] = strdup(rel);
    return d->rel[d->n++] != NULL;
}

/* Guess the rows of file @p path from its keywords: one per data set, a file with several
 * written as "FILE#N" and named from its data sets' own keywords (a file that cannot be read
 * still gets a row from its name). A file holding one acquisition several times (Beckman
 * .LMD: fcs_file_one_acquisition) gets one row, "FILE#N" of its newest copy named as the
 * file, unless FILE#N operands pick other copies. Returns an exit code. */
static int guess_file(const char *path, const cli_file_refs *in, const char *dir_real,
                      draft_rows *d)
{
    fcs_file *f = NULL;
    fcs_read_options ro = FCS_READ_OPTIONS_INIT;
    ro.text_only = true;
    apo_error err;
    int rc = CLI_EXIT_OK;
    if (fcs_file_open(&f, path, &ro, &err) != APO_OK) {
        cli_print_error(&err);
        rc = CLI_EXIT_DATAERR;
    }
    char buf[PATH_MAX];
    relative_to(dir_real, path, buf, sizeof buf);
    size_t nd = f != NULL ? fcs_file_n_datasets(f) : 1;
    char **own = nd > 1 ? assay_dataset_names(f, path) : NULL;
    if (nd > 1 && own == NULL) {
        fcs_file_free(f);
        return CLI_EXIT_OSERR;
    }
    size_t newest = 0;
    const bool one_copy = fcs_file_one_acquisition(f, &newest) &&
                          cli_file_refs_wants(in, 0, path, newest + 1);
    if (one_copy) {
        cli_notef("%s holds one acquisition in %zu data sets of the same events (as Beckman "
                  "Coulter .LMD files store an FCS 2.0 copy and a full-resolution FCS 3.0 "
                  "copy): drafting data set %zu, the %s copy (FILE#N names another)",
                  path, nd, newest + 1, fcs_dataset_version(fcs_file_dataset(f, newest)));
    }
    for (size_t k = 0; k < nd && rc != CLI_EXIT_OSERR; k++) {
        if (!cli_file_refs_wants(in, 0, path, k + 1) || (one_copy && k != newest)) {
            continue; /* FILE#N operands pick other data sets; an older copy */
        }
        assay_sheet_guess g;
        assay_sheet_guess_row(f != NULL ? fcs_file_dataset(f, k) : NULL, path, &g);
        char rel[PATH_MAX + 32];
        snprintf(rel, sizeof rel, "%s", buf);
        if (nd > 1) {
            if (!one_copy) {
                snprintf(g.sample, sizeof g.sample, "%s", own[k]);
            }
            snprintf(rel, sizeof rel, "%s#%zu", buf, k + 1);
        }
        if (!draft_push(d, &g, rel)) {
            rc = CLI_EXIT_OSERR;
        }
    }
    for (size_t k = 0; own != NULL && k < nd; k++) {
        free(own[k]);
    }
    free(own);
    fcs_file_free(f);
    return rc;
}

/* Draft the sheet of @p files into @p out; returns an exit code. */
static int draft(const char *out, const cli_file_refs *in, char **files, size_t n)
{
    char dir_real[PATH_MAX] = "";
    sheet_folder(out, dir_real);
    draft_rows d = {0};
    int rc = CLI_EXIT_OK;
    for (size_t i = 0; rc != CLI_EXIT_OSERR && i < n; i++) {
        rc = cli_worse_exit(rc, guess_file(files[i], in, dir_real, &d));
    }
    apo_error err;
    int sync_rc;
    if (rc != CLI_EXIT_OSERR) {
        unique_samples(d.g, d.n);
        if (assay_sheet_write_draft(out, d.n, (const char *const *)d.rel, d.g, &err) != APO_OK) {
            cli_print_error(&err);
            rc = cli_worse_exit(rc, cli_exit_code(err.status));
        } else if ((sync_rc = cli_sync_output(out)) != 0) {
            rc = cli_worse_exit(rc, sync_rc);
        } else {
            size_t unknown = 0;
            for (size_t i = 0; i < d.n; i++) {
                unknown += d.g[i].role == ASSAY_ROLE_UNKNOWN;
            }
            printf("wrote %s: %zu files, %zu samples, %zu without a role guess; check every "
                   "row before 'apoflow run --sheet %s'\n",
                   out, n, d.n, unknown, out);
        }
    }
    for (size_t i = 0; i < d.n; i++) {
        free(d.rel[i]);
    }
    free(d.rel);
    free(d.g);
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
    cli_file_refs in; /* FILE#N: only data set N of FILE */
    int rc = cli_file_refs_resolve(&in, argc - first, argv + first, 0, NULL);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    char **files = NULL;
    size_t n = 0;
    rc = cli_collect_fcs((int)in.n, in.paths, &files, &n);
    if (n == 0) {
        cli_errorf("expected FCS files in the inputs, found none");
        free(files);
        cli_file_refs_free(&in);
        return cli_worse_exit(rc, CLI_EXIT_NOINPUT);
    }
    rc = cli_worse_exit(rc, draft(out, &in, files, n));
    cli_file_refs_free(&in);
    for (size_t i = 0; i < n; i++) {
        free(files[i]);
    }
    free(files);
    return rc;
}
