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
#include "gating/gate_file.h"
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

/* @p files: the operands as given (the file column), @p in: the files and data sets. */
static int run_gate(int n_files, char **files, const cli_file_refs *in, const gate_options *o)
{
    apo_error err;
    apo_error_clear(&err);
    gate_strategy *s = NULL;
    apo_status st = gate_strategy_read_gml(&s, o->gating, &err);
    if (st != APO_OK) {
        cli_print_file_error(o->gating, &err);
        return apo_status_exit_code(st);
    }
    gate_comp *csv = NULL;
    if (strcmp(o->comp, "auto") != 0 && strcmp(o->comp, "none") != 0) {
        st = gate_comp_read_csv(&csv, o->comp, &err);
        if (st != APO_OK) {
            cli_print_file_error(o->comp, &err);
            gate_strategy_free(s);
            return apo_status_exit_code(st);
        }
    }
    int rc = 0;
    apo_atomic_file maf;
    FILE *mfp = NULL;
    memset(&maf, 0, sizeof(maf));
    if (o->membership != NULL) {
        rc = cli_output_open(&maf, o->membership, &mfp);
        if (rc != 0) {
            gate_comp_free(csv);
            gate_strategy_free(s);
            return rc;
        }
        gate_membership_header(mfp, s, n_files > 1);
    }
    gate_file_options fo = {.no_comp = strcmp(o->comp, "none") == 0, .matrix = csv,
                            .dataset = o->dataset, .sample_events = o->sample_events,
                            .read = o->read, .membership = mfp, .with_file = n_files > 1};
    cli_observer obs;
    cli_observer_init(&obs, CLI_NORMAL);
    gate_file_report *fr = calloc((size_t)n_files, sizeof(*fr));
    size_t n_ok = 0;
    if (fr == NULL) {
        cli_errorf("out of memory");
        rc = CLI_EXIT_OSERR;
    }
    for (int i = 0; i < n_files && fr != NULL; i++) {
        apo_error_clear(&err);
        gate_report rep;
        memset(&rep, 0, sizeof(rep));
        fo.dataset = in->datasets[i];
        st = gate_file_apply(in->paths[i], s, &fo, &rep, &obs.obs, &err);
        if (st != APO_OK) {
            cli_print_file_error(files[i], &err);
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
        int orc = cli_output_open(&af, o->out, &fp);
        if (orc == 0) {
            if (o->format == FMT_CSV) {
                gate_reports_write_csv(fp, fr, n_ok, shape);
            } else if (o->format == FMT_JSON) {
                gate_reports_write_json(fp, fr, n_ok);
            } else {
                gate_reports_write_table(fp, fr, n_ok, shape);
            }
            orc = cli_output_close(&af, fp, true);
        }
        rc = cli_worse_exit(rc, orc);
        for (size_t i = 0; i < n_ok; i++) {
            gate_report_free(&fr[i].rep);
        }
        gate_report_free(&shape_rep);
        free(fr);
    }
    if (mfp != NULL) {
        rc = cli_worse_exit(rc, cli_output_close(&maf, mfp, true));
    }
    gate_comp_free(csv);
    gate_strategy_free(s);
    return rc;
}

/* --gating WORKSPACE.wsp: the FlowJo branch (cmd_gate_wsp.c). */
static int run_workspace(int n_files, char **files, const cli_file_refs *in,
                         const gate_options *o)
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
                          o->sample_events, o->read};
    return gate_wsp_run(n_files, files, in->paths, in->datasets, &w);
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
    bool wsp = flowjo_path_is_workspace(o.gating);
    if (!wsp && o.group != NULL) {
        cli_errorf("--group: expected a FlowJo workspace (.wsp) for --gating, found %s", o.gating);
        return CLI_EXIT_USAGE;
    }
    cli_file_refs in; /* FILE#N: data set N of FILE */
    rc = cli_file_refs_resolve(&in, argc - first, argv + first, o.dataset, &o.read);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    rc = wsp ? run_workspace(argc - first, argv + first, &in, &o)
             : run_gate(argc - first, argv + first, &in, &o);
    cli_file_refs_free(&in);
    return rc;
}
