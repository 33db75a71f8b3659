/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_gate.c: `apoflow gate FILE... --gating STRATEGY.xml [--comp auto|none|MATRIX.csv]
 * [--format table|csv|json] [-o OUT] [--membership OUT.csv]`: apply a Gating-ML 2.0 strategy
 * to FCS files and report one row per file x population: count, % of parent, % of total and
 * the median of every gating dimension (compensated, untransformed). Events are streamed by
 * blocks (gate_report_stream): counts exact, medians from a bounded subsample of large files,
 * membership written block by block. A file that fails is reported on stderr and the others
 * are still processed; outputs are written atomically.
 */
#include "cli/cli.h"
#include "cli/gate_wsp.h"
#include "cli/options.h"
#include "gating/flowjo.h"
#include "util/csv.h"
#include "util/util.h"
#include "gating/gate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum gate_format { FMT_TABLE, FMT_CSV, FMT_JSON } gate_format;

typedef struct gate_options {
    const char *gating;
    const char *group;      /* --group NAME of a FlowJo workspace */
    const char *comp;       /* "auto", "none" or a CSV path */
    const char *out;        /* "-" = stdout */
    const char *membership; /* NULL = none */
    gate_format format;
    bool format_given;
    size_t dataset; /* 1-based */
    uint64_t sample_events; /* medians from at most this many events, 0 = all */
    fcs_read_options read;
} gate_options;

/* One processed file: its report (n_dims/dim_names are the strategy's, same for all). */
typedef struct file_report {
    const char *file;
    gate_report rep;
} file_report;

enum { OPT_GATING = CLI_KEY_LONG, OPT_COMP, OPT_FORMAT, OPT_MEMBERSHIP, OPT_DATASET,
       OPT_SAMPLE_EVENTS, OPT_GROUP };

static const cli_option gate_options_table[] = {
    {"gating", OPT_GATING, "FILE", "gating",
     "the Gating-ML 2.0 strategy, or a FlowJo 10 workspace (.wsp): each FILE is then gated as "
     "its sample of the workspace (matched by $FIL, else file name) with the sample's own "
     "matrix, transforms and gates; extra columns sample, flowjo_count (FlowJo's count) and "
     "difference (required)", NULL},
    {"group", OPT_GROUP, "NAME", "gating", "with a workspace: only the samples of group NAME",
     "every sample"},
    {"comp", OPT_COMP, "MODE", "gating",
     "what compensation-ref=\"FCS\" uses: auto = the file's $SPILLOVER/SPILL (uncompensated "
     "if it has none), none = no compensation, or a CSV matrix file", "auto"},
    {"sample-events", OPT_SAMPLE_EVENTS, "N", "gating",
     "medians from at most N events of each file (every step-th event above N; 0 = every "
     "event)", "1000000"},
    {"format", OPT_FORMAT, "FMT", "output", "table|csv|json",
     "from -o's extension .csv/.json, else table"},
    {"output", 'o', "OUT", "output", "output file, written atomically; '-' = stdout", "-"},
    {"membership", OPT_MEMBERSHIP, "OUT.csv", "output",
     "also write per-event membership: one 0/1 column per population (header = population "
     "paths), one row per event; a leading 'file' column when several FILEs are given",
     "not written"},
    {"dataset", OPT_DATASET, "N", "input", "data set N of each file (1-based)", "1"},
    {NULL, 0, NULL, NULL, NULL, NULL}};

static const cli_option *const gate_tables[] = {gate_options_table, cli_read_options, NULL};

static const cli_spec gate_spec = {
    "gate",
    "usage: apoflow gate FILE... --gating STRATEGY.xml [OPTIONS]\n\n"
    "Apply a Gating-ML 2.0 gating strategy to FCS files: one row per file x population.\n"
    "Events are scale values ($PnE decoded, divided by $PnG); gates see them compensated\n"
    "and transformed as each gate dimension says. Columns (csv/json):\n"
    "  file,population,parent,count,pct_parent,pct_total,median_<dim>...\n"
    "population: the Gating-ML ids from the top level down joined by '/' (a quadrant's\n"
    "id under its QuadrantGate's parent); parent: the parent's path, empty at the top.\n"
    "pct_parent/pct_total in percent. median_<dim>: median of the population on each\n"
    "gating dimension, compensated but untransformed; <dim> is the channel name,\n"
    "Comp-<name> for compensation-ref FCS, <matrix>:<name> for a named spectrumMatrix,\n"
    "the fratio id for a ratio dimension. Empty populations give NaN (null in JSON).\n"
    "Counts and percentages always use every event; medians use every event of a file\n"
    "with at most --sample-events events, else every step-th event (step =\n"
    "ceil(events / N), deterministic).\n",
    gate_tables,
    "exit codes: 0 ok, 64 usage, 65 bad input data (worst failing file), 66 cannot open\n"
    "            input, 71 out of memory, 73 cannot create output\n"};

/* ---- output --------------------------------------------------------------------------------- */

static void csv_number(FILE *out, double v)
{
    char buf[40];
    if (isnan(v)) {
        fputs("NaN", out);
        return;
    }
    apo_format_double(buf, sizeof(buf), v);
    fputs(buf, out);
}

static void write_csv(FILE *out, const file_report *fr, size_t n, const gate_report *shape)
{
    fputs("file,population,parent,count,pct_parent,pct_total", out);
    for (size_t i = 0; i < shape->n_dims; i++) {
        fputc(',', out);
        char col[300];
        snprintf(col, sizeof(col), "median_%s", shape->dim_names[i]);
        apo_csv_write_field(out, col);
    }
    fputc('\n', out);
    for (size_t f = 0; f < n; f++) {
        for (size_t p = 0; p < fr[f].rep.n_populations; p++) {
            const gate_population *pp = &fr[f].rep.populations[p];
            apo_csv_write_field(out, fr[f].file);
            fputc(',', out);
            apo_csv_write_field(out, pp->path);
            fputc(',', out);
            apo_csv_write_field(out, pp->parent_path);
            fprintf(out, ",%llu,", (unsigned long long)pp->count);
            csv_number(out, pp->pct_parent);
            fputc(',', out);
            csv_number(out, pp->pct_total);
            for (size_t i = 0; i < fr[f].rep.n_dims; i++) {
                fputc(',', out);
                csv_number(out, pp->medians[i]);
            }
            fputc('\n', out);
        }
    }
}

static void write_json(FILE *out, const file_report *fr, size_t n)
{
    fputs("[", out);
    bool first = true;
    for (size_t f = 0; f < n; f++) {
        for (size_t p = 0; p < fr[f].rep.n_populations; p++) {
            const gate_population *pp = &fr[f].rep.populations[p];
            fputs(first ? "\n  {" : ",\n  {", out);
            first = false;
            fputs("\"file\": ", out);
            apo_json_string(out, fr[f].file);
            fputs(", \"population\": ", out);
            apo_json_string(out, pp->path);
            fputs(", \"parent\": ", out);
            apo_json_string(out, pp->parent_path);
            fprintf(out, ", \"count\": %llu, \"pct_parent\": ", (unsigned long long)pp->count);
            apo_json_number(out, pp->pct_parent);
            fputs(", \"pct_total\": ", out);
            apo_json_number(out, pp->pct_total);
            for (size_t i = 0; i < fr[f].rep.n_dims; i++) {
                char col[300];
                snprintf(col, sizeof(col), "median_%s", fr[f].rep.dim_names[i]);
                fputs(", ", out);
                apo_json_string(out, col);
                fputs(": ", out);
                apo_json_number(out, pp->medians[i]);
            }
            fputs("}", out);
        }
    }
    fputs(first ? "]\n" : "\n]\n", out);
}

/* Text of one table cell (row r of the body; r == SIZE_MAX for the header). */
static void table_cell(const file_report *fr, const gate_population *pp, size_t col,
                       const gate_report *shape, char *buf, size_t cap)
{
    static const char *const head[6] = {"file", "population", "parent", "count", "%parent",
                                        "%total"};
    if (pp == NULL) {
        if (col < 6) {
            snprintf(buf, cap, "%s", head[col]);
        } else {
            snprintf(buf, cap, "median %s", shape->dim_names[col - 6]);
        }
        return;
    }
    switch (col) {
    case 0:
        snprintf(buf, cap, "%s", fr->file);
        break;
    case 1:
        snprintf(buf, cap, "%s", pp->path);
        break;
    case 2:
        snprintf(buf, cap, "%s", pp->parent_path[0] ? pp->parent_path : "-");
        break;
    case 3:
        snprintf(buf, cap, "%llu", (unsigned long long)pp->count);
        break;
    case 4:
    case 5:
    default: {
        double v = col == 4 ? pp->pct_parent : col == 5 ? pp->pct_total : pp->medians[col - 6];
        if (isnan(v)) {
            snprintf(buf, cap, "-"); /* empty population / empty parent */
        } else {
            snprintf(buf, cap, col <= 5 ? "%.2f" : "%.6g", v);
        }
        break;
    }
    }
}

static void write_table(FILE *out, const file_report *fr, size_t n, const gate_report *shape)
{
    size_t ncol = 6 + shape->n_dims;
    size_t *w = calloc(ncol, sizeof(size_t));
    if (w == NULL) {
        return;
    }
    char cell[512];
    for (size_t c = 0; c < ncol; c++) {
        table_cell(NULL, NULL, c, shape, cell, sizeof(cell));
        w[c] = strlen(cell);
        for (size_t f = 0; f < n; f++) {
            for (size_t p = 0; p < fr[f].rep.n_populations; p++) {
                table_cell(&fr[f], &fr[f].rep.populations[p], c, shape, cell, sizeof(cell));
                size_t l = strlen(cell);
                w[c] = l > w[c] ? l : w[c];
            }
        }
    }
    for (size_t f = 0; f <= n; f++) {
        size_t rows = f == 0 ? 1 : fr[f - 1].rep.n_populations;
        for (size_t p = 0; p < rows; p++) {
            for (size_t c = 0; c < ncol; c++) {
                const gate_population *pp = f == 0 ? NULL : &fr[f - 1].rep.populations[p];
                table_cell(f == 0 ? NULL : &fr[f - 1], pp, c, shape, cell, sizeof(cell));
                bool right = c >= 3;
                fprintf(out, right ? "%*s" : "%-*s", (int)w[c], cell);
                fputs(c + 1 < ncol ? "  " : "\n", out);
            }
        }
    }
    free(w);
}

/* ---- processing ----------------------------------------------------------------------------- */

static void print_file_error(const char *path, const apo_error *err)
{
    if (err->file[0] == '\0') {
        cli_errorf("%s: %s", path, err->msg[0] ? err->msg : apo_status_name(err->status));
    } else {
        cli_print_error(err);
    }
}

/* Where the membership rows of one file go (gate_stream_options.on_block context). */
typedef struct membership_sink {
    FILE *fp;
    const char *file;
    bool with_file;
    const gate_strategy *s;
} membership_sink;

/* Membership rows of one block of events into the sink's stream. */
static apo_status write_membership(void *ctx, const gate_data *block, const gate_result *r,
                                   uint64_t first_event, apo_error *err)
{
    (void)block;
    (void)first_event;
    (void)err;
    const membership_sink *sk = ctx;
    FILE *mfp = sk->fp;
    const char *file = sk->file;
    bool with_file = sk->with_file;
    const gate_strategy *s = sk->s;
    size_t ng = gate_strategy_n_gates(s);
    for (size_t e = 0; e < r->n_events; e++) {
        bool first = true;
        if (with_file) {
            apo_csv_write_field(mfp, file);
            first = false;
        }
        for (size_t g = 0; g < ng; g++) {
            if (!gate_strategy_is_population(s, g)) {
                continue;
            }
            if (!first) {
                fputc(',', mfp);
            }
            first = false;
            fputc(r->member[g * r->n_events + e] ? '1' : '0', mfp);
        }
        fputc('\n', mfp);
    }
    return APO_OK;
}

/* The matrix comp_ref "FCS" uses for @p ds under --comp (*owned: made from the file). */
static apo_status choose_comp(const char *path, const fcs_dataset *ds, const gate_comp *csv,
                              const gate_options *o, gate_comp **owned, const gate_comp **out,
                              apo_error *err)
{
    *out = NULL;
    if (strcmp(o->comp, "none") == 0) {
        return APO_OK;
    }
    if (csv != NULL) {
        *out = csv;
    } else if (fcs_dataset_spillover(ds) != NULL) {
        apo_status st = gate_comp_from_fcs(owned, fcs_dataset_spillover(ds), err);
        if (st != APO_OK) {
            return st;
        }
        *out = *owned;
    }
    if (*out != NULL && (*out)->ill_conditioned) {
        char msg[512];
        snprintf(msg, sizeof(msg),
                 "%s: the compensation matrix is ill-conditioned (cond2 %.3g, largest "
                 "off-diagonal %.3g): compensated values may be noisy",
                 path, (*out)->cond2, (*out)->max_offdiag);
        cli_warn(msg);
    }
    return APO_OK;
}

static apo_status process_file(const char *path, const gate_strategy *s, const gate_comp *csv,
                               const gate_options *o, FILE *mfp, bool with_file,
                               gate_report *rep, apo_error *err)
{
    fcs_file *f = NULL;
    gate_comp *owned = NULL;
    apo_status st = fcs_file_open(&f, path, &o->read, err);
    if (st != APO_OK) {
        return st;
    }
    if (o->dataset > fcs_file_n_datasets(f)) {
        st = apo_error_set(err, APO_E_USAGE, path, APO_NO_OFFSET, NULL,
                           "expected data set %zu, found %zu in the file", o->dataset,
                           fcs_file_n_datasets(f));
        goto done;
    }
    const fcs_dataset *ds = fcs_file_dataset(f, o->dataset - 1);
    for (size_t i = 0; i < fcs_file_n_warnings(f); i++) {
        cli_warn(fcs_file_warning(f, i)->msg);
    }
    for (size_t i = 0; i < fcs_dataset_n_warnings(ds); i++) {
        cli_warn(fcs_dataset_warning(ds, i)->msg);
    }
    gate_stream_options so = GATE_STREAM_OPTIONS_INIT;
    so.sample_events = o->sample_events;
    so.override_comp = true;
    st = choose_comp(path, ds, csv, o, &owned, &so.comp, err);
    membership_sink sink = {mfp, path, with_file, s};
    if (mfp != NULL) {
        so.on_block = write_membership;
        so.ctx = &sink;
    }
    if (st == APO_OK) {
        st = gate_report_stream(s, ds, &so, rep, NULL, err);
    }
done:
    gate_comp_free(owned);
    fcs_file_free(f);
    return st;
}

static int open_output(apo_atomic_file *af, const char *path, FILE **fp)
{
    apo_error err;
    apo_error_clear(&err);
    if (strcmp(path, "-") == 0) {
        memset(af, 0, sizeof(*af));
        *fp = stdout;
        return 0;
    }
    apo_status st = apo_atomic_open(af, path, &err);
    if (st != APO_OK) {
        cli_print_error(&err);
        return apo_status_exit_code(st);
    }
    *fp = af->fp;
    return 0;
}

static int close_output(apo_atomic_file *af, FILE *fp, bool ok)
{
    apo_error err;
    apo_error_clear(&err);
    if (fp == stdout) {
        if (fflush(stdout) != 0) {
            cli_errorf("<stdout>: expected to write the output, found a write error");
            return CLI_EXIT_IOERR;
        }
        return 0;
    }
    if (!ok) {
        apo_atomic_abort(af);
        return 0;
    }
    apo_status st = apo_atomic_commit(af, &err);
    if (st != APO_OK) {
        cli_print_error(&err);
        return apo_status_exit_code(st);
    }
    return 0;
}

/* The header of the membership CSV: "file" (several files), then every population path. */
static void membership_header(FILE *mfp, const gate_strategy *s, bool with_file)
{
    bool first = true;
    if (with_file) {
        fputs("file", mfp);
        first = false;
    }
    for (size_t g = 0; g < gate_strategy_n_gates(s); g++) {
        if (!gate_strategy_is_population(s, g)) {
            continue;
        }
        char *p = gate_strategy_path(s, g);
        if (!first) {
            fputc(',', mfp);
        }
        first = false;
        apo_csv_write_field(mfp, p ? p : "?");
        free(p);
    }
    fputc('\n', mfp);
}

static int run_gate(int n_files, char **files, const gate_options *o)
{
    apo_error err;
    apo_error_clear(&err);
    gate_strategy *s = NULL;
    apo_status st = gate_strategy_read_gml(&s, o->gating, &err);
    if (st != APO_OK) {
        print_file_error(o->gating, &err);
        return apo_status_exit_code(st);
    }
    gate_comp *csv = NULL;
    if (strcmp(o->comp, "auto") != 0 && strcmp(o->comp, "none") != 0) {
        st = gate_comp_read_csv(&csv, o->comp, &err);
        if (st != APO_OK) {
            print_file_error(o->comp, &err);
            gate_strategy_free(s);
            return apo_status_exit_code(st);
        }
    }
    int rc = 0;
    apo_atomic_file maf;
    FILE *mfp = NULL;
    memset(&maf, 0, sizeof(maf));
    if (o->membership != NULL) {
        rc = open_output(&maf, o->membership, &mfp);
        if (rc != 0) {
            gate_comp_free(csv);
            gate_strategy_free(s);
            return rc;
        }
        membership_header(mfp, s, n_files > 1);
    }
    file_report *fr = calloc((size_t)n_files, sizeof(*fr));
    size_t n_ok = 0;
    if (fr == NULL) {
        cli_errorf("out of memory");
        rc = CLI_EXIT_OSERR;
    }
    for (int i = 0; i < n_files && fr != NULL; i++) {
        apo_error_clear(&err);
        gate_report rep;
        memset(&rep, 0, sizeof(rep));
        st = process_file(files[i], s, csv, o, mfp, n_files > 1, &rep, &err);
        if (st != APO_OK) {
            print_file_error(files[i], &err);
            rc = cli_worse_exit(rc, apo_status_exit_code(st));
            continue;
        }
        fr[n_ok].file = files[i];
        fr[n_ok].rep = rep;
        n_ok++;
    }
    if (fr != NULL) {
        /* The column set comes from the strategy alone (also when every file failed). */
        gate_report shape_rep;
        memset(&shape_rep, 0, sizeof(shape_rep));
        if (gate_report_dims(s, &shape_rep, &err) != APO_OK) {
            cli_print_error(&err);
            rc = cli_worse_exit(rc, apo_status_exit_code(err.status));
        }
        const gate_report *shape = &shape_rep;
        apo_atomic_file af;
        FILE *fp = NULL;
        int orc = open_output(&af, o->out, &fp);
        if (orc == 0) {
            if (o->format == FMT_CSV) {
                write_csv(fp, fr, n_ok, shape);
            } else if (o->format == FMT_JSON) {
                write_json(fp, fr, n_ok);
            } else {
                write_table(fp, fr, n_ok, shape);
            }
            orc = close_output(&af, fp, true);
        }
        rc = cli_worse_exit(rc, orc);
        for (size_t i = 0; i < n_ok; i++) {
            gate_report_free(&fr[i].rep);
        }
        gate_report_free(&shape_rep);
        free(fr);
    }
    if (mfp != NULL) {
        rc = cli_worse_exit(rc, close_output(&maf, mfp, true));
    }
    gate_comp_free(csv);
    gate_strategy_free(s);
    return rc;
}

/* --gating WORKSPACE.wsp: the FlowJo branch (cmd_gate_wsp.c). */
static int run_workspace(int n_files, char **files, const gate_options *o)
{
    if (o->membership != NULL) {
        cli_errorf("--membership: expected a Gating-ML strategy, found a FlowJo workspace "
                   "(not supported for workspaces)");
        return CLI_EXIT_USAGE;
    }
    if (strcmp(o->comp, "auto") != 0) {
        cli_errorf("--comp: expected auto with a FlowJo workspace (each sample uses the "
                   "workspace's own matrix), found %s", o->comp);
        return CLI_EXIT_USAGE;
    }
    gate_wsp_options w = {o->gating, o->group, o->out,
                          o->format == FMT_CSV ? 1 : o->format == FMT_JSON ? 2 : 0,
                          o->dataset, o->sample_events, o->read};
    return gate_wsp_run(n_files, files, &w);
}

static bool parse_format(const char *arg, gate_format *out)
{
    if (strcmp(arg, "table") == 0) {
        *out = FMT_TABLE;
    } else if (strcmp(arg, "csv") == 0) {
        *out = FMT_CSV;
    } else if (strcmp(arg, "json") == 0) {
        *out = FMT_JSON;
    } else {
        cli_errorf("--format: expected table, csv or json, found \"%s\"", arg);
        return false;
    }
    return true;
}

/* Apply option @p key; false after printing an error. */
static bool gate_option(void *ctx, int key, const char *arg)
{
    gate_options *o = ctx;
    uint64_t n = 0;
    switch (key) {
    case OPT_GATING:
        o->gating = arg;
        return true;
    case OPT_GROUP:
        o->group = arg;
        return true;
    case OPT_COMP:
        if (arg[0] == '\0') {
            cli_errorf("--comp: expected auto, none or a CSV file, found \"\"");
            return false;
        }
        o->comp = arg;
        return true;
    case OPT_FORMAT:
        o->format_given = true;
        return parse_format(arg, &o->format);
    case 'o':
        o->out = arg;
        return true;
    case OPT_MEMBERSHIP:
        o->membership = arg;
        return true;
    case OPT_DATASET:
        if (!cli_parse_count("--dataset", arg, 1, &n)) {
            return false;
        }
        o->dataset = (size_t)n;
        return true;
    case OPT_SAMPLE_EVENTS:
        return cli_parse_count("--sample-events", arg, 0, &o->sample_events);
    default:
        return cli_read_option(key, arg, &o->read);
    }
}

int cmd_gate(int argc, char **argv)
{
    gate_options o = {NULL, NULL, "auto", "-", NULL, FMT_TABLE, false, 1,
                      GATE_SAMPLE_EVENTS_DEFAULT, FCS_READ_OPTIONS_INIT};
    int first;
    int rc = cli_parse_options(&gate_spec, argc, argv, gate_option, &o, &first);
    if (rc >= 0) {
        return rc;
    }
    if (o.gating == NULL || first >= argc) {
        cli_errorf("gate: expected at least one FCS file and --gating STRATEGY.xml");
        cli_print_help(&gate_spec, stderr);
        return CLI_EXIT_USAGE;
    }
    if (!o.format_given && strcmp(o.out, "-") != 0) {
        const char *dot = strrchr(o.out, '.');
        if (dot != NULL && strcmp(dot, ".csv") == 0) {
            o.format = FMT_CSV;
        } else if (dot != NULL && strcmp(dot, ".json") == 0) {
            o.format = FMT_JSON;
        }
    }
    if (o.membership != NULL && strcmp(o.membership, "-") == 0 && strcmp(o.out, "-") == 0) {
        cli_errorf("--membership -: standard output is already used by the report; give -o");
        return CLI_EXIT_USAGE;
    }
    if (flowjo_path_is_workspace(o.gating)) {
        return run_workspace(argc - first, argv + first, &o);
    }
    if (o.group != NULL) {
        cli_errorf("--group: expected a FlowJo workspace (.wsp) for --gating, found %s", o.gating);
        return CLI_EXIT_USAGE;
    }
    return run_gate(argc - first, argv + first, &o);
}
