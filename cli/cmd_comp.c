/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_comp.c: `apoflow comp FILE... --controls SHEET [-o MATRIX.csv]`: compute a spillover
 * matrix from single-stain control files and an unstained control (flowStats' median method,
 * see gate_comp_compute) and write it as CSV (FlowJo/FlowKit layout), atomically.
 */
#include "cli/cli.h"
#include "assay/assay.h"
#include "cli/options.h"
#include "gating/gate.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_CONTROLS = CLI_KEY_LONG, OPT_POPULATION, OPT_QUANTILE, OPT_MIN_EVENTS,
       OPT_SAMPLE_EVENTS, OPT_DATASET };

static const cli_option comp_options_table[] = {
    {"controls", OPT_CONTROLS, "SHEET", "controls",
     "CSV pairing each control file with its primary channel: columns filename (or name) and "
     "channel; the channel \"unstained\" marks the unstained control. Files are matched by "
     "base name; sheet rows without a FILE are skipped. The run's sample sheet (with a role "
     "column) also works: its unstained, annexin_single and pi_single rows, each with the "
     "detector the run finds for its dye.", NULL},
    {"population", OPT_POPULATION, "MODE", "controls",
     "positive: events of each control above the unstained control's --quantile in the "
     "control's channel; all: every event (flowStats spillover, useNormFilt=FALSE)",
     "positive"},
    {"quantile", OPT_QUANTILE, "Q", "controls", "threshold quantile for 'positive'", "0.995"},
    {"min-events", OPT_MIN_EVENTS, "N", "controls",
     "fewer positive events than N is an error", "20"},
    {"sample-events", OPT_SAMPLE_EVENTS, "N", "controls",
     "use at most N events of each control (0 = every event)", "1000000"},
    {"dataset", OPT_DATASET, "N", "controls",
     "data set N (1-based) of each control file; FILE#N names one data set of one file. A "
     "file given plainly whose data sets the sheet names (a run's sheet with a dataset column) "
     "gives each of them", "1"},
    {"output", 'o', "FILE", "output", "write the matrix here (atomically); '-' or none: stdout",
     NULL},
    {NULL, 0, NULL, NULL, NULL, NULL}};

static const cli_option *const comp_tables[] = {comp_options_table, cli_read_options, NULL};

static const cli_spec comp_spec = {
    "comp",
    "usage: apoflow comp FILE[#N]... --controls SHEET [-o MATRIX.csv] [OPTIONS]\n\n"
    "Compute a spillover matrix from single-stain controls plus one unstained control\n"
    "(median method: S[i][j] = (med_i(j) - med_unstained(j)) / (med_i(i) -\n"
    "med_unstained(i)), clipped at 0), on scale values ($PnE decoded, divided by\n"
    "$PnG, as apoflow gate/plot/run see them). Rows/columns follow the unstained\n"
    "file's channel order. A control of more than --sample-events events is read as\n"
    "every step-th event (step = ceil(events / N), deterministic).\n",
    comp_tables,
    "exit codes: 0 ok, 64 usage, 65 bad input data (e.g. singular matrix),\n"
    "            66 cannot open input, 71 out of memory, 73 cannot create output\n"};

static void report(const gate_comp *c, const gate_comp_report *r, const char *out, FILE *to)
{
    fprintf(to, "spillover matrix: %zu detectors (unstained control: %zu events)\n", c->n,
            r->unstained_events);
    for (size_t i = 0; i < c->n; i++) {
        fprintf(to, "  %-24s %s (%zu events)\n", c->detectors[i], r->control_file[i],
                r->used_events[i]);
    }
    fprintf(to, "condition number (2-norm) %.4g, largest off-diagonal %.4g\n", c->cond2,
            c->max_offdiag);
    fprintf(to, "wrote %s\n", out);
}

typedef struct comp_args {
    const char *sheet_path, *out;
    size_t dataset; /* --dataset N (0 = not given) */
    gate_comp_compute_options copts;
    fcs_read_options ropts;
} comp_args;

/* Apply option @p key; false after printing an error. */
static bool comp_option(void *ctx, int key, const char *arg)
{
    comp_args *a = ctx;
    uint64_t n = 0;
    switch (key) {
    case OPT_CONTROLS:
        a->sheet_path = arg;
        return true;
    case 'o':
        a->out = arg;
        return true;
    case OPT_POPULATION:
        if (strcmp(arg, "positive") == 0) {
            a->copts.population = GATE_COMP_POP_POSITIVE;
        } else if (strcmp(arg, "all") == 0) {
            a->copts.population = GATE_COMP_POP_ALL;
        } else {
            cli_errorf("--population: expected positive or all, found \"%s\"", arg);
            return false;
        }
        return true;
    case OPT_QUANTILE:
        if (!apo_parse_double(arg, strlen(arg), false, &a->copts.positive_quantile) ||
            !(a->copts.positive_quantile > 0.0 && a->copts.positive_quantile < 1.0)) {
            cli_errorf("--quantile: expected a number between 0 and 1, found \"%s\"", arg);
            return false;
        }
        return true;
    case OPT_MIN_EVENTS:
        if (!cli_parse_count("--min-events", arg, 1, &n)) {
            return false;
        }
        a->copts.min_events = n > SIZE_MAX ? SIZE_MAX : (size_t)n;
        return true;
    case OPT_SAMPLE_EVENTS:
        return cli_parse_count("--sample-events", arg, 0, &a->copts.sample_events);
    case OPT_DATASET:
        if (!cli_parse_count("--dataset", arg, 1, &n)) {
            return false;
        }
        a->dataset = n > SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)n;
        return true;
    default:
        return cli_read_option(key, arg, &a->ropts);
    }
}

/*
 * --controls: a controls sheet (file,channel), or the run's sample sheet: one whose header
 * has a "role" column gives its unstained and single-stain rows, each with the detector the
 * run would use (assay_comp_controls).
 */
static apo_status read_controls(const char *path, const fcs_read_options *read,
                                gate_comp_sheet *out, apo_error *err)
{
    assay_sheet run;
    if (assay_sheet_read(&run, path, NULL) == APO_OK) {
        bool has_roles = false;
        for (size_t i = 0; i < run.n_rows; i++) {
            has_roles = has_roles || run.rows[i].role != ASSAY_ROLE_UNKNOWN;
        }
        apo_status st = has_roles ? assay_comp_controls(&run, read, out, err) : APO_E_FORMAT;
        assay_sheet_free(&run);
        if (has_roles) {
            return st;
        }
    }
    return gate_comp_sheet_read(out, path, err);
}

/* The control data sets: each operand's (FILE#N, else --dataset), a file given plainly
 * expanded to every data set the sheet names of it. *datasets stays NULL when no data set is
 * named anywhere (every control its file's first). Returns 0 or the exit code (printed). */
static int control_datasets(const cli_file_refs *in, size_t dflt, const gate_comp_sheet *sheet,
                            char ***paths, size_t **datasets, size_t *n)
{
    size_t cap = in->n + sheet->n + 1, m = 0;
    bool named = dflt > 0;
    *paths = calloc(cap, sizeof **paths);
    *datasets = calloc(cap, sizeof **datasets);
    if (*paths == NULL || *datasets == NULL) {
        cli_errorf("out of memory");
        return CLI_EXIT_OSERR;
    }
    for (size_t i = 0; i < in->n; i++) {
        const char *base = strrchr(in->paths[i], '/');
        base = base ? base + 1 : in->paths[i];
        size_t before = m;
        for (size_t e = 0; dflt == 0 && in->datasets[i] == 0 && e < sheet->n; e++) {
            const char *eb = strrchr(sheet->entries[e].file, '/');
            eb = eb ? eb + 1 : sheet->entries[e].file;
            if (sheet->entries[e].dataset > 0 && strcmp(eb, base) == 0 && m < cap) {
                (*paths)[m] = in->paths[i];
                (*datasets)[m++] = sheet->entries[e].dataset;
            }
        }
        if (m == before && m < cap) {
            (*paths)[m] = in->paths[i];
            (*datasets)[m++] = in->datasets[i];
        }
        named = named || in->datasets[i] > 0 || m > before + 1 ||
                (m == before + 1 && (*datasets)[before] > 0);
    }
    *n = m;
    if (!named) {
        free(*datasets);
        *datasets = NULL;
    }
    return CLI_EXIT_OK;
}

int cmd_comp(int argc, char **argv)
{
    comp_args a = {NULL, NULL, 0, GATE_COMP_COMPUTE_OPTIONS_INIT, FCS_READ_OPTIONS_INIT};
    int first;
    int rc = cli_parse_options(&comp_spec, argc, argv, comp_option, &a, &first);
    if (rc >= 0) {
        return rc;
    }
    if (first >= argc || a.sheet_path == NULL) {
        cli_errorf("comp: expected control FCS files and --controls SHEET");
        cli_print_help(&comp_spec, stderr);
        return CLI_EXIT_USAGE;
    }
    const char *sheet_path = a.sheet_path, *out = a.out;
    apo_error err;
    apo_error_clear(&err);
    gate_comp_sheet sheet;
    apo_status st = read_controls(sheet_path, &a.ropts, &sheet, &err);
    if (st != APO_OK) {
        cli_print_error(&err);
        return apo_status_exit_code(st);
    }
    cli_file_refs in; /* FILE#N: data set N of FILE */
    char **paths = NULL;
    size_t *datasets = NULL, n = 0;
    rc = cli_file_refs_resolve(&in, argc - first, argv + first, a.dataset, &a.ropts);
    if (rc == CLI_EXIT_OK) {
        rc = control_datasets(&in, a.dataset, &sheet, &paths, &datasets, &n);
    }
    if (rc != CLI_EXIT_OK) {
        gate_comp_sheet_free(&sheet);
        cli_file_refs_free(&in);
        free(paths);
        free(datasets);
        return rc;
    }
    gate_comp *c = NULL;
    gate_comp_report rep;
    st = gate_comp_compute_datasets(&c, n, (const char *const *)paths, datasets, &sheet, &a.copts,
                                    &a.ropts, &rep, &err);
    gate_comp_sheet_free(&sheet);
    cli_file_refs_free(&in);
    free(paths);
    free(datasets);
    if (st != APO_OK) {
        cli_print_error(&err);
        return apo_status_exit_code(st);
    }
    char msg[512];
    for (size_t i = 0; i < rep.n_skipped; i++) {
        snprintf(msg, sizeof(msg), "%s: control %s is listed but was not given; skipped",
                 sheet_path, rep.skipped[i]);
        cli_warn(msg);
    }
    if (c->ill_conditioned) {
        snprintf(msg, sizeof(msg),
                 "the spillover matrix is ill-conditioned (cond2 %.4g, largest off-diagonal "
                 "%.4g): check the controls",
                 c->cond2, c->max_offdiag);
        cli_warn(msg);
    }
    const bool to_stdout = out == NULL || strcmp(out, "-") == 0;
    st = to_stdout ? gate_comp_write_csv_stream(c, stdout, &err)
                   : gate_comp_write_csv(c, out, &err);
    rc = 0;
    if (st != APO_OK) {
        cli_print_error(&err);
    } else if (!to_stdout && (rc = cli_sync_output(out)) == 0) {
        report(c, &rep, out, stdout);
    }
    gate_comp_report_free(&rep);
    gate_comp_free(c);
    return st != APO_OK ? apo_status_exit_code(st) : rc;
}
