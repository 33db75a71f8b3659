/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_export.c: `apoflow export FILE -o OUT [--format csv|tsv|fcs] [--values raw|scaled]
 * [--dataset N] [--apply-gain]`: every event of one data set as CSV/TSV (header row of $PnN,
 * numbers in shortest round-trip form, C locale) or as an FCS 3.1 float32 file.
 * fcs/export.h writes them block by block; this file parses, opens and reports.
 */
#include "cli/cli.h"
#include "cli/options.h"
#include "fcs/export.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum export_format { EXPORT_CSV, EXPORT_TSV, EXPORT_FCS } export_format;

typedef struct export_options {
    const char *out;
    export_format format;
    size_t dataset; /* 1-based */
    fcs_decode_options decode;
    fcs_read_options read;
} export_options;

enum { OPT_FORMAT = CLI_KEY_LONG, OPT_VALUES, OPT_APPLY_GAIN, OPT_DATASET };

static const cli_option export_options_table[] = {
    {"output", 'o', "OUT", "output", "output file; '-' writes CSV/TSV to standard output",
     NULL},
    {"format", OPT_FORMAT, "FMT", "output", "csv|tsv|fcs", "from OUT's extension, else csv"},
    {"values", OPT_VALUES, "KIND", "values",
     "raw: stored values, integers masked by $PnR; scaled: $PnE log amplification decoded "
     "(f2=0 read as 1)", "raw"},
    {"apply-gain", OPT_APPLY_GAIN, NULL, "values",
     "with --values scaled, also divide by $PnG (never Time)", NULL},
    {"dataset", OPT_DATASET, "N", "input", "data set N (1-based)", "1"},
    {NULL, 0, NULL, NULL, NULL, NULL}};

static const cli_option *const export_tables[] = {export_options_table, cli_read_options, NULL};

static const cli_spec export_spec = {
    "export",
    "usage: apoflow export FILE -o OUT [OPTIONS]\n\n"
    "Write every event of one data set as CSV, TSV or FCS 3.1 (float32).\n",
    export_tables,
    "exit codes: 0 ok, 64 usage, 65 bad input data, 66 cannot open input,\n"
    "            71 out of memory, 73 cannot create output\n"};

static bool parse_format(const char *arg, export_format *out)
{
    if (strcmp(arg, "csv") == 0) {
        *out = EXPORT_CSV;
    } else if (strcmp(arg, "tsv") == 0) {
        *out = EXPORT_TSV;
    } else if (strcmp(arg, "fcs") == 0) {
        *out = EXPORT_FCS;
    } else {
        cli_errorf("--format: expected csv, tsv or fcs, found \"%s\"", arg);
        return false;
    }
    return true;
}

static export_format format_from_name(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot != NULL && (strcmp(dot, ".tsv") == 0 || strcmp(dot, ".txt") == 0)) {
        return EXPORT_TSV;
    }
    if (dot != NULL && (strcmp(dot, ".fcs") == 0 || strcmp(dot, ".FCS") == 0)) {
        return EXPORT_FCS;
    }
    return EXPORT_CSV;
}

static int run_export(const char *path, const export_options *o)
{
    fcs_file *f = NULL;
    apo_error err;
    apo_error_clear(&err);
    apo_status rc = fcs_file_open(&f, path, &o->read, &err);
    if (rc != APO_OK) {
        cli_print_error(&err);
        return apo_status_exit_code(rc);
    }
    if (cli_dataset_in_range(path, o->dataset, fcs_file_n_datasets(f)) != CLI_EXIT_OK) {
        fcs_file_free(f);
        return CLI_EXIT_DATAERR;
    }
    const fcs_dataset *ds = fcs_file_dataset(f, o->dataset - 1);
    const char sep = o->format == EXPORT_TSV ? '\t' : ',';
    if (o->format == EXPORT_FCS) {
        bool linearized = false;
        rc = fcs_export_fcs(o->out, ds, &o->decode, &linearized, &err);
        if (linearized) { /* a raw copy would analyse differently */
            cli_warn("FCS export: log-amplified integer columns ($PnE) are written linearized "
                     "(--values scaled), since float data cannot carry $PnE");
        }
    } else if (strcmp(o->out, "-") == 0) {
        rc = fcs_export_text(stdout, "<stdout>", ds, &o->decode, sep, &err);
        if (rc == APO_OK && fflush(stdout) != 0) {
            rc = apo_error_set(&err, APO_E_WRITE, "<stdout>", APO_NO_OFFSET, NULL,
                               "cannot write");
        }
    } else {
        apo_atomic_file af;
        rc = apo_atomic_open(&af, o->out, &err);
        if (rc == APO_OK) {
            rc = fcs_export_text(af.fp, o->out, ds, &o->decode, sep, &err);
            if (rc == APO_OK) {
                rc = apo_atomic_commit(&af, &err);
            } else {
                apo_atomic_abort(&af);
            }
        }
    }
    if (rc != APO_OK) {
        if (err.file[0] == '\0') {
            /* Decode errors from the block reader carry no file name: add it. */
            apo_error named = err;
            (void)apo_error_set(&named, rc, path, err.offset, err.keyword, "%s", err.msg);
            err = named;
        }
        cli_print_error(&err);
    }
    fcs_file_free(f);
    return rc == APO_OK ? cli_sync_output(o->out) : apo_status_exit_code(rc);
}

typedef struct export_args {
    export_options o;
    bool format_given;
} export_args;

/* Apply option @p key; false after printing an error. */
static bool export_option(void *ctx, int key, const char *arg)
{
    export_args *a = ctx;
    uint64_t n = 0;
    switch (key) {
    case 'o':
        a->o.out = arg;
        return true;
    case OPT_FORMAT:
        a->format_given = true;
        return parse_format(arg, &a->o.format);
    case OPT_VALUES:
        if (strcmp(arg, "raw") == 0) {
            a->o.decode.values = FCS_VALUES_RAW;
        } else if (strcmp(arg, "scaled") == 0) {
            a->o.decode.values = FCS_VALUES_SCALED;
        } else {
            cli_errorf("--values: expected raw or scaled, found \"%s\"", arg);
            return false;
        }
        return true;
    case OPT_APPLY_GAIN:
        a->o.decode.apply_gain = true;
        return true;
    case OPT_DATASET:
        if (!cli_parse_count("--dataset", arg, 1, &n)) {
            return false;
        }
        a->o.dataset = (size_t)n;
        return true;
    default:
        return cli_read_option(key, arg, &a->o.read);
    }
}

int cmd_export(int argc, char **argv)
{
    export_args a = {{NULL, EXPORT_CSV, 1, FCS_DECODE_OPTIONS_INIT, FCS_READ_OPTIONS_INIT}, false};
    export_options *o = &a.o;
    int first;
    int rc = cli_parse_options(&export_spec, argc, argv, export_option, &a, &first);
    if (rc >= 0) {
        return rc;
    }
    if (first + 1 != argc || o->out == NULL) {
        cli_errorf("export: expected one FCS file and -o OUT");
        cli_print_help(&export_spec, stderr);
        return CLI_EXIT_USAGE;
    }
    if (o->decode.apply_gain && o->decode.values != FCS_VALUES_SCALED) {
        cli_errorf("--apply-gain needs --values scaled");
        return CLI_EXIT_USAGE;
    }
    if (!a.format_given) {
        o->format = strcmp(o->out, "-") == 0 ? EXPORT_CSV : format_from_name(o->out);
    }
    if (o->format == EXPORT_FCS && strcmp(o->out, "-") == 0) {
        cli_errorf("--format fcs cannot be written to standard output; give a file name");
        return CLI_EXIT_USAGE;
    }
    cli_file_ref ref; /* FILE#N: data set N, as --dataset N */
    if (!cli_file_ref_parse(argv[first], &ref)) {
        cli_errorf("out of memory");
        return CLI_EXIT_OSERR;
    }
    if (ref.has_dataset) {
        o->dataset = ref.dataset;
    }
    rc = run_export(ref.path, o);
    cli_file_ref_free(&ref);
    return rc;
}
