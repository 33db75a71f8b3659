/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_sheet.c: `apoflow sheet INPUT... -o sheet.csv`: drafts a sample sheet from the FCS
 * files' keywords (TUBE NAME, SAMPLE ID, $FIL, the file name: words like unstained, FITC/
 * Annexin only, PI only, untreated, H2O2, a dose) for the user to check before
 * `apoflow run --sheet`. File paths are written relative to the sheet's folder when inside it.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "cli/cli.h"
#include "assay/assay.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static void print_help(FILE *to)
{
    fprintf(to, "usage: apoflow sheet [OPTIONS] INPUT... -o SHEET.csv\n\n"
                "Draft a sample sheet (file,sample,role,treatment,dose,dose_unit,replicate,\n"
                "guess_evidence) from the FCS files' keywords and names. Check and edit it, then\n"
                "use it with 'apoflow run --sheet'. INPUT is an FCS file or a folder (recursive).\n\n"
                "options:\n"
                "  -o, --output FILE  the sheet to write (replaced atomically)\n"
                "  -h, --help         this help\n\n"
                "exit codes: 0 ok, 64 usage, 65 a file could not be read (still listed), 66 no\n"
                "input, 73/74 cannot write the sheet\n");
}

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

int cmd_sheet(int argc, char **argv)
{
    static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
                                              {"help", no_argument, NULL, 'h'},
                                              {NULL, 0, NULL, 0}};
    const char *out = NULL;
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'o':
            out = optarg;
            break;
        case 'h':
            print_help(stdout);
            return 0;
        case ':':
            cli_errorf("option %s needs a value (see 'apoflow sheet --help')", argv[optind - 1]);
            return 64;
        default:
            cli_errorf("unknown option %s (see 'apoflow sheet --help')", argv[optind - 1]);
            return 64;
        }
    }
    if (out == NULL || optind >= argc) {
        cli_errorf("expected INPUT... and -o SHEET.csv (see 'apoflow sheet --help')");
        return 64;
    }
    char **files = NULL;
    size_t n = 0;
    int rc = cli_collect_fcs(argc - optind, argv + optind, &files, &n);
    if (n == 0) {
        cli_errorf("expected FCS files in the inputs, found none");
        free(files);
        return cli_worse_exit(rc, 66);
    }
    /* the sheet's folder, for relative paths */
    char dir[PATH_MAX], dir_real[PATH_MAX] = "";
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
    assay_sheet_guess *g = calloc(n, sizeof *g);
    char **rel = calloc(n, sizeof *rel);
    if (g == NULL || rel == NULL) {
        rc = 71;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        fcs_file *f = NULL;
        fcs_read_options ro = FCS_READ_OPTIONS_INIT;
        ro.text_only = true;
        apo_error err;
        const fcs_dataset *ds = NULL;
        if (fcs_file_open(&f, files[i], &ro, &err) != APO_OK) {
            cli_print_error(&err);
            rc = cli_worse_exit(rc, 65);
        } else {
            ds = fcs_file_dataset(f, 0);
        }
        assay_sheet_guess_row(ds, files[i], &g[i]);
        char buf[PATH_MAX];
        relative_to(dir_real, files[i], buf, sizeof buf);
        rel[i] = strdup(buf);
        fcs_file_free(f);
        if (rel[i] == NULL) {
            rc = 71;
            goto done;
        }
    }
    /* unique sample names */
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
    {
        apo_error err;
        if (assay_sheet_write_draft(out, n, (const char *const *)rel, g, &err) != APO_OK) {
            cli_print_error(&err);
            rc = cli_worse_exit(rc, apo_status_exit_code(err.status));
            goto done;
        }
    }
    size_t unknown = 0;
    for (size_t i = 0; i < n; i++) {
        unknown += g[i].role == ASSAY_ROLE_UNKNOWN;
    }
    printf("wrote %s: %zu files, %zu without a role guess; check every row before "
           "'apoflow run --sheet %s'\n",
           out, n, unknown, out);
done:
    for (size_t i = 0; i < n; i++) {
        free(files[i]);
        if (rel != NULL) {
            free(rel[i]);
        }
    }
    free(files);
    free(rel);
    free(g);
    return rc;
}
