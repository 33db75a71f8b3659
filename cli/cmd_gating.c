/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_gating.c: `apoflow gating convert IN OUT [--fcs FILE] [--sample NAME]`: convert a gating
 * between Gating-ML 2.0 (.xml) and a FlowJo 10 workspace (.wsp), either way. IN is recognised
 * by its root element, OUT by its extension (.wsp = workspace, anything else Gating-ML).
 * Gating-ML to a workspace links the sample to --fcs FILE (whose $SPILLOVER stands for
 * compensation-ref "FCS", and whose events give FlowJo its counts); a workspace to Gating-ML
 * takes one sample's gating (--sample, needed when the workspace has several).
 */
#include "cli/cli.h"
#include "gating/flowjo.h"
#include "gating/gate.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct convert_options {
    const char *in, *out;
    const char *fcs;    /* NULL = none */
    const char *sample; /* NULL = the only one */
} convert_options;

static void print_help(FILE *to)
{
    fprintf(to,
            "usage: apoflow gating convert IN OUT [--fcs FILE] [--sample NAME]\n\n"
            "Convert a gating between Gating-ML 2.0 and a FlowJo 10 workspace (docs/flowjo.md).\n"
            "IN: a Gating-ML document or a .wsp workspace (told apart by content). OUT: a .wsp\n"
            "name writes a workspace, any other name Gating-ML. Gates keep their names;\n"
            "what the other format cannot hold is an error naming the gate.\n\n"
            "options:\n"
            "  --fcs FILE      Gating-ML -> workspace: the FCS file the sample links to; its\n"
            "                  $SPILLOVER is the matrix of compensation-ref \"FCS\" and its\n"
            "                  events give the populations' counts (default: no file)\n"
            "  --sample NAME   workspace -> Gating-ML: the sample (name or sampleID) whose\n"
            "                  gating to write (default: the only sample)\n"
            "  -h, --help      this help\n\n"
            "exit codes: 0 ok, 64 usage, 65 bad input or a gating the output cannot hold,\n"
            "            66 cannot open input, 73 cannot create output\n");
}

/* Print @p err; a builder's or writer's error without a file name is about @p out. */
static int fail_on(const char *out, const apo_error *err)
{
    if (err->file[0] == '\0') {
        cli_errorf("%s: %s", out, err->msg);
    } else {
        cli_print_error(err);
    }
    return apo_status_exit_code(err->status);
}

static int fail(const apo_error *err)
{
    cli_print_error(err);
    return apo_status_exit_code(err->status);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The FCS file's events counted through @p s, its matrix and event count. */
static apo_status fcs_facts(const char *path, const gate_strategy *s, uint64_t **counts,
                            gate_comp **comp, uint64_t *events, apo_error *err)
{
    fcs_file *f = NULL;
    fcs_read_options ro = FCS_READ_OPTIONS_INIT;
    apo_status st = fcs_file_open(&f, path, &ro, err);
    if (st != APO_OK) {
        return st;
    }
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    *events = fcs_dataset_n_events(ds);
    if (fcs_dataset_spillover(ds) != NULL) {
        st = gate_comp_from_fcs(comp, fcs_dataset_spillover(ds), err);
    }
    *counts = calloc(gate_strategy_n_gates(s) + 1, sizeof(uint64_t));
    if (st == APO_OK && *counts == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, path, APO_NO_OFFSET, NULL,
                           "expected memory for the counts, found none");
    }
    if (st == APO_OK) {
        st = gate_strategy_apply_stream(s, ds, NULL, *counts, err);
    }
    fcs_file_free(f);
    return st;
}

static int gml_to_wsp(const gate_strategy *s, const convert_options *o)
{
    apo_error err;
    apo_error_clear(&err);
    uint64_t *counts = NULL;
    gate_comp *comp = NULL;
    uint64_t events = 0;
    if (o->fcs != NULL && fcs_facts(o->fcs, s, &counts, &comp, &events, &err) != APO_OK) {
        free(counts);
        gate_comp_free(comp);
        return fail(&err);
    }
    flowjo_write_sample ws = {o->fcs, s, comp, events, counts};
    int rc = 0;
    if (flowjo_workspace_write(o->out, 1, &ws, &err) != APO_OK) {
        rc = fail(&err);
    }
    free(counts);
    gate_comp_free(comp);
    return rc;
}

/* The sample --sample names (or the only one); SIZE_MAX after printing why not. */
static size_t pick_sample(const flowjo_workspace *w, const convert_options *o)
{
    for (size_t i = 0; o->sample != NULL && i < w->n_samples; i++) {
        if (strcmp(w->samples[i].name, o->sample) == 0 ||
            strcmp(w->samples[i].id, o->sample) == 0) {
            return i;
        }
    }
    if (o->sample == NULL && w->n_samples == 1) {
        return 0;
    }
    cli_errorf("%s: expected %s, found %zu samples:", o->in,
               o->sample ? "the sample given by --sample" : "one sample or --sample NAME",
               w->n_samples);
    for (size_t i = 0; i < w->n_samples; i++) {
        fprintf(stderr, "  %s (sampleID %s)\n", w->samples[i].name, w->samples[i].id);
    }
    return SIZE_MAX;
}

static int wsp_to_any(const convert_options *o, bool to_wsp)
{
    apo_error err;
    apo_error_clear(&err);
    flowjo_workspace w;
    if (flowjo_workspace_read(&w, o->in, &err) != APO_OK) {
        return fail(&err);
    }
    for (size_t i = 0; i < w.n_warnings; i++) {
        cli_warn(w.warnings[i]);
    }
    int rc = 0;
    if (to_wsp) {
        flowjo_write_sample *ws = calloc(w.n_samples + 1, sizeof *ws);
        char(*paths)[4096] = calloc(w.n_samples + 1, sizeof *paths);
        for (size_t i = 0; ws != NULL && paths != NULL && i < w.n_samples; i++) {
            bool local = flowjo_uri_path(w.samples[i].uri, paths[i], sizeof paths[i]);
            ws[i] = (flowjo_write_sample){local ? paths[i] : NULL, w.samples[i].strategy, NULL,
                                          w.samples[i].count > 0 ? (uint64_t)w.samples[i].count
                                                                 : 0,
                                          NULL};
        }
        if (ws == NULL || paths == NULL) {
            cli_errorf("out of memory");
            rc = CLI_EXIT_OSERR;
        } else if (flowjo_workspace_write(o->out, w.n_samples, ws, &err) != APO_OK) {
            rc = fail(&err);
        }
        free(ws);
        free(paths);
    } else {
        size_t i = pick_sample(&w, o);
        if (i == SIZE_MAX) {
            rc = CLI_EXIT_USAGE;
        } else if (gate_strategy_write_gml(w.samples[i].strategy, o->out, &err) != APO_OK) {
            rc = fail_on(o->out, &err);
        }
    }
    flowjo_workspace_free(&w);
    return rc;
}

static int convert(const convert_options *o)
{
    bool to_wsp = ends_with(o->out, ".wsp") || ends_with(o->out, ".WSP");
    if (flowjo_path_is_workspace(o->in)) {
        return wsp_to_any(o, to_wsp);
    }
    apo_error err;
    apo_error_clear(&err);
    gate_strategy *s = NULL;
    if (gate_strategy_read_gml(&s, o->in, &err) != APO_OK) {
        return fail(&err);
    }
    int rc = 0;
    if (to_wsp) {
        rc = gml_to_wsp(s, o);
    } else if (gate_strategy_write_gml(s, o->out, &err) != APO_OK) {
        rc = fail_on(o->out, &err);
    }
    gate_strategy_free(s);
    return rc;
}

int cmd_gating(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        print_help(stdout);
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "convert") != 0) {
        cli_errorf("gating: expected the action convert, found %s", argc >= 2 ? argv[1] : "none");
        print_help(stderr);
        return CLI_EXIT_USAGE;
    }
    convert_options o = {NULL, NULL, NULL, NULL};
    static const struct option longopts[] = {{"fcs", required_argument, NULL, 'F'},
                                             {"sample", required_argument, NULL, 'S'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc - 1, argv + 1, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'F':
            o.fcs = optarg;
            break;
        case 'S':
            o.sample = optarg;
            break;
        case 'h':
            print_help(stdout);
            return 0;
        default:
            print_help(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (argc - 1 - optind != 2) {
        cli_errorf("gating convert: expected IN and OUT, found %d argument(s)", argc - 1 - optind);
        print_help(stderr);
        return CLI_EXIT_USAGE;
    }
    o.in = argv[1 + optind];
    o.out = argv[2 + optind];
    int rc = convert(&o);
    return rc == 0 ? cli_sync_output(o.out) : rc;
}
