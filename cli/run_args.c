/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * run_args.c: the options of `apoflow run` as one table (the grouped --help is generated from
 * it), their values parsed, and the checks between them (run_args.h).
 */
#include "cli/run_args.h"
#include "gating/flowjo.h"

#include "cli/cli.h"
#include "cli/options.h"
#include "cli/pool_read.h"

#include <string.h>

enum {
    OPT_SHEET = CLI_KEY_LONG, OPT_ANNEXIN, OPT_PI, OPT_COMP, OPT_THRESHOLDS, OPT_QUANTILE,
    OPT_MIN_EVENTS, OPT_SAMPLE_EVENTS, OPT_GATING, OPT_WRITE_GATING, OPT_NO_PLOTS, OPT_SHARD,
    OPT_NO_DEBRIS_GATE, OPT_NO_SINGLET_GATE,
    OPT_CONTROLS_ONLY, OPT_TIMINGS, OPT_POPULATION, OPT_WRITE_FLOWJO, OPT_DATASET
};

static const cli_option run_options_table[] = {
    {"sheet", OPT_SHEET, "FILE", "input",
     "sample sheet CSV: file,sample,role,treatment,dose,dose_unit,replicate "
     "(docs/sample-sheet.md); only its files are analysed", NULL},
    {"dataset", OPT_DATASET, "N", "input",
     "only data set N (1-based) of each file, for files holding one sample per data set; "
     "FILE#N names one data set of one file", "every data set"},
    {"output", 'o', "DIR", "output", "output folder (created; never an input folder)", NULL},
    {"no-plots", OPT_NO_PLOTS, NULL, "output",
     "skip plots/ (default: write them; report.html is always written)", NULL},
    {"write-gating", OPT_WRITE_GATING, "FILE", "output",
     "also save the gating as applied to FILE (Gating-ML 2.0)", "only OUTDIR/gating.xml"},
    {"write-flowjo", OPT_WRITE_FLOWJO, "OUT", "output",
     "also save the analysis as a FlowJo 10 workspace: every analysed file as a sample with "
     "the applied matrix, transforms, pre-gates and quadrants (docs/flowjo.md)", NULL},
    {"annexin", OPT_ANNEXIN, "CH", "analysis", "the Annexin V channel ($PnN or $PnS)",
     "automatic"},
    {"pi", OPT_PI, "CH", "analysis", "the dead-cell dye channel (PI, 7-AAD, DAPI, SYTOX ...)",
     "automatic"},
    {"dead", OPT_PI, "CH", "analysis", "the same as --pi, for any dead-cell dye", "automatic"},
    {"comp", OPT_COMP, "SRC", "analysis",
     "auto (controls, else the files' $SPILLOVER), controls, file, none, or a matrix CSV file",
     "auto"},
    {"thresholds", OPT_THRESHOLDS, "A,P", "analysis",
     "fixed quadrant thresholds in compensated data units: the scale values the run gates on "
     "(divided by $PnG where a channel has a gain, as the summary says)",
     "from the controls, else the density valley"},
    {"quantile", OPT_QUANTILE, "Q", "analysis", "negative-control quantile for thresholds",
     "0.995"},
    {"min-events", OPT_MIN_EVENTS, "N", "analysis", "QC: fewest singlets per sample", "500"},
    {"no-debris-gate", OPT_NO_DEBRIS_GATE, NULL, "analysis",
     "no debris gate on FSC (recorded in the results)", NULL},
    {"no-singlet-gate", OPT_NO_SINGLET_GATE, NULL, "analysis",
     "no doublet exclusion, e.g. instruments whose own analysis uses none (recorded in the "
     "results)", NULL},
    {"sample-events", OPT_SAMPLE_EVENTS, "N", "analysis",
     "estimates (pre-gates, spillover, scales, thresholds, medians, flow check) and plots use "
     "at most N events per sample, every k-th; counts and percentages always use every event; "
     "0 = all events", "1000000"},
    {"gating", OPT_GATING, "FILE", "analysis",
     "use this Gating-ML 2.0 gating instead of the automatic one (quadrant ids viable, "
     "early_apoptotic, late_apoptotic, necrotic; e.g. a gating.xml of an earlier run), or a "
     "FlowJo workspace (.wsp): its first sample's gates, its quadrant (x = Annexin V) "
     "becoming the four quadrants",
     "built from the data"},
    {"population", OPT_POPULATION, "PATH", "analysis",
     "with --gating WORKSPACE.wsp: the FlowJo path of the population holding the quadrant (or "
     "of one of its four rectangles)", "the workspace's only quadrant"},
    {"jobs", 'j', "N", "batches",
     "threads for reading, per-sample plots and checksums (0 = all cores); the outputs are "
     "identical for every N", "0"},
    {"shard", OPT_SHARD, "I/N", "batches",
     "analyse only slice I of N of the (sheet's) files, sorted by path; needs --gating "
     "(docs/scaling.md); combine the shards with 'apoflow merge'", NULL},
    {"controls-only", OPT_CONTROLS_ONLY, NULL, "batches",
     "analyse only the sheet's unstained and single-stain controls: the first step of a "
     "sharded run, whose gating.xml (thresholds, compensation, pre-gates) every shard then "
     "takes with --gating", NULL},
    {"quiet", 'q', NULL, "messages", "only errors (no summary, notes, warnings or progress)",
     NULL},
    {"verbose", 'v', NULL, "messages", "one line per file read and the time of every stage",
     NULL},
    {"timings", OPT_TIMINGS, NULL, "messages",
     "print the time of each stage (parse, gating and statistics, tables, plots, report) to "
     "standard error", "a progress bar when stderr is a terminal"},
    {NULL, 0, NULL, NULL, NULL, NULL}};

static const cli_option *const run_tables[] = {run_options_table, cli_read_options, NULL};

static const cli_spec run_spec = {
    "run",
    "usage: apoflow run [OPTIONS] INPUT... -o OUTDIR\n"
    "       apoflow run --sheet SHEET.csv -o OUTDIR   (the sheet's files)\n\n"
    "Annexin V / PI apoptosis analysis of an experiment: compensation, debris and\n"
    "doublet pre-gates, quadrant thresholds from the controls, per-sample quadrant\n"
    "percentages, comparisons of treated groups with the stimulus-only group, QC.\n"
    "INPUT is an FCS file (FILE#N: its data set N) or a folder (searched recursively\n"
    "for *.fcs).\n"
    "Writes samples.csv, stats.csv, comparisons.csv, results.json, results.xlsx,\n"
    "gating.xml, plots/ and report.html (one self-contained page) into OUTDIR.\n",
    run_tables,
    "exit codes: 0 ok, 64 usage, 65 a file or sample failed (the rest is written),\n"
    "66 no input, 71 out of memory, 73/74 cannot write the outputs\n"};


static bool parse_thresholds(const char *arg, double *a, double *p)
{
    const char *comma = strchr(arg, ',');
    if (comma == NULL || !apo_parse_double(arg, (size_t)(comma - arg), false, a) ||
        !apo_parse_double(comma + 1, strlen(comma + 1), false, p)) {
        cli_errorf("--thresholds: expected two numbers A,P, found \"%s\"", arg);
        return false;
    }
    return true;
}

static bool parse_quantile(const char *arg, double *q)
{
    if (!apo_parse_double(arg, strlen(arg), false, q) || !(*q > 0.5 && *q < 1)) {
        cli_errorf("--quantile: expected a number between 0.5 and 1, found \"%s\"", arg);
        return false;
    }
    return true;
}

/* Apply option @p key of the analysis; false after printing an error. */
static bool analysis_option(run_options *o, int key, const char *arg)
{
    switch (key) {
    case OPT_ANNEXIN:
        o->apo.annexin_channel = arg;
        return true;
    case OPT_PI:
        o->apo.pi_channel = arg;
        return true;
    case OPT_THRESHOLDS:
        o->apo.fixed_thresholds = true;
        return parse_thresholds(arg, &o->apo.annexin_threshold, &o->apo.pi_threshold);
    case OPT_QUANTILE:
        return parse_quantile(arg, &o->apo.quantile);
    case OPT_MIN_EVENTS:
        return cli_parse_count("--min-events", arg, 0, &o->apo.min_events);
    case OPT_NO_DEBRIS_GATE:
        o->apo.no_debris_gate = true;
        return true;
    case OPT_NO_SINGLET_GATE:
        o->apo.no_singlet_gate = true;
        return true;
    case OPT_SAMPLE_EVENTS:
        return cli_parse_count("--sample-events", arg, 0, &o->apo.sample_events);
    default:
        return cli_read_option(key, arg, &o->read);
    }
}

/* Apply option @p key; false after printing an error. */
static bool run_option(run_options *o, int key, const char *arg)
{
    switch (key) {
    case 'o':
        o->outdir = arg;
        return true;
    case OPT_SHEET:
        o->sheet = arg;
        return true;
    case OPT_COMP: { /* a source by name, else (still AUTO) a matrix file, read by the run */
        assay_comp_source k;
        o->comp = arg;
        o->apo.comp = ASSAY_COMPSRC_AUTO;
        if (assay_comp_source_parse(arg, &k) && k != ASSAY_COMPSRC_MATRIX &&
            k != ASSAY_COMPSRC_GATING_FILE) {
            o->apo.comp = k;
        }
        return true;
    }
    case OPT_GATING:
        o->gating = arg;
        return true;
    case OPT_POPULATION:
        o->population = arg;
        return true;
    case OPT_WRITE_FLOWJO:
        o->write_flowjo = arg;
        return true;
    case OPT_WRITE_GATING:
        o->write_gating = arg;
        return true;
    case OPT_NO_PLOTS:
        o->plots = false;
        return true;
    case 'q':
        o->verbosity = CLI_QUIET;
        return true;
    case 'v':
        o->verbosity = CLI_VERBOSE;
        return true;
    case 'j':
        return cli_parse_jobs(arg, &o->jobs);
    case OPT_SHARD:
        return cli_parse_shard(arg, &o->shard_i, &o->shard_n);
    case OPT_TIMINGS:
        o->timings = true;
        return true;
    case OPT_CONTROLS_ONLY:
        o->controls_only = true;
        return true;
    case OPT_DATASET: {
        uint64_t n = 0;
        if (!cli_parse_count("--dataset", arg, 1, &n)) {
            return false;
        }
        o->dataset = n > SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)n;
        return true;
    }
    default:
        return analysis_option(o, key, arg);
    }
}

/* Parse the command line into @p o; returns -1 to go on, else the exit code. */
int run_parse_args(int argc, char **argv, run_options *o)
{
    *o = (run_options){.plots = true, .verbosity = CLI_NORMAL};
    o->read = (fcs_read_options)FCS_READ_OPTIONS_INIT;
    assay_options_init(&o->apo);
    cli_parser p;
    cli_parser_init(&p, &run_spec, argc, argv);
    const char *arg;
    int key;
    while ((key = cli_parser_next(&p, &arg)) != CLI_OPTS_DONE) {
        if (key == CLI_OPTS_EXIT) {
            return p.exit_code;
        }
        if (!run_option(o, key, arg)) {
            return CLI_EXIT_USAGE;
        }
    }
    o->n_inputs = argc - cli_parser_operands(&p);
    o->inputs = argv + cli_parser_operands(&p);
    if (o->outdir == NULL) {
        cli_errorf("expected an output folder (-o OUTDIR), found none");
        return CLI_EXIT_USAGE;
    }
    if (o->n_inputs == 0 && o->sheet == NULL) {
        cli_errorf("expected FCS files, folders or --sheet, found none (see 'apoflow run --help')");
        return CLI_EXIT_USAGE;
    }
    if (o->controls_only && o->sheet == NULL) {
        cli_errorf("--controls-only: expected --sheet too (the roles say which samples "
                   "are controls)");
        return CLI_EXIT_USAGE;
    }
    o->gating_wsp = o->gating != NULL && flowjo_path_is_workspace(o->gating);
    if (o->population != NULL && !o->gating_wsp) {
        cli_errorf("--population: expected --gating WORKSPACE.wsp (a FlowJo workspace)");
        return CLI_EXIT_USAGE;
    }
    if (o->shard_n > 0 && o->gating == NULL) {
        cli_errorf("--shard: expected --gating FILE too (thresholds, compensation and "
                   "pre-gates computed once for all shards; see docs/scaling.md)");
        return CLI_EXIT_USAGE;
    }
    int rc = cli_file_refs_resolve(&o->in, o->n_inputs, o->inputs, o->dataset, &o->read);
    o->inputs = o->in.paths;
    return rc != CLI_EXIT_OK ? rc : -1;
}

void run_args_free(run_options *o)
{
    cli_file_refs_free(&o->in);
}

