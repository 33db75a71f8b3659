/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_comp.c: `apoflow comp FILE... --controls SHEET [-o MATRIX.csv]`: compute a spillover
 * matrix from single-stain control files and an unstained control (flowStats' median method,
 * see gate_comp_compute) and write it as CSV (FlowJo/FlowKit layout), atomically.
 */
#include "cli/cli.h"
#include "gating/gate.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_help(FILE *to)
{
    fprintf(to,
            "usage: apoflow comp FILE... --controls SHEET [-o MATRIX.csv] [OPTIONS]\n\n"
            "Compute a spillover matrix from single-stain controls plus one unstained control\n"
            "(median method: S[i][j] = (med_i(j) - med_unstained(j)) / (med_i(i) -\n"
            "med_unstained(i)), clipped at 0), on scale values ($PnE decoded, divided by\n"
            "$PnG, as apoflow gate/plot/run see them). Rows/columns follow the unstained\n"
            "file's channel order. A control of more than --sample-events events is read as\n"
            "every step-th event (step = ceil(events / N), deterministic).\n\n"
            "options:\n"
            "  --controls SHEET      CSV pairing each control file with its primary channel:\n"
            "                        columns filename (or name) and channel; the channel\n"
            "                        \"unstained\" marks the unstained control. Files are matched\n"
            "                        by base name; sheet rows without a FILE are skipped.\n"
            "  -o, --output FILE     write the matrix here (atomically); '-' or none: stdout\n"
            "  --population MODE     positive (default): events of each control above the\n"
            "                        unstained control's --quantile in the control's channel;\n"
            "                        all: every event (flowStats spillover, useNormFilt=FALSE)\n"
            "  --quantile Q          threshold quantile for 'positive' (default 0.995)\n"
            "  --min-events N        fewer positive events than N is an error (default 20)\n"
            "  --sample-events N     use at most N events of each control (default 1000000;\n"
            "                        0 = every event)\n"
            "  --offsets MODE        auto|header|text (default auto)\n"
            "  --text-mode MODE      auto|escape|empty (default auto)\n"
            "  --allow-truncated     use the complete events of a short DATA segment\n"
            "  --rename-duplicates   read duplicate $PnN names as NAME-1, NAME-2 (warned)\n"
            "  -h, --help            this help\n\n"
            "exit codes: 0 ok, 64 usage, 65 bad input data (e.g. singular matrix),\n"
            "            66 cannot open input, 73 cannot create output\n");
}

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

int cmd_comp(int argc, char **argv)
{
    const char *sheet_path = NULL;
    const char *out = NULL;
    gate_comp_compute_options copts = GATE_COMP_COMPUTE_OPTIONS_INIT;
    fcs_read_options ropts = FCS_READ_OPTIONS_INIT;
    static const struct option longopts[] = {
        {"controls", required_argument, NULL, 'c'},  {"output", required_argument, NULL, 'o'},
        {"population", required_argument, NULL, 'p'}, {"quantile", required_argument, NULL, 'q'},
        {"min-events", required_argument, NULL, 'm'}, {"offsets", required_argument, NULL, 'O'},
        {"text-mode", required_argument, NULL, 'T'},  {"allow-truncated", no_argument, NULL, 'R'},
        {"rename-duplicates", no_argument, NULL, 'D'},
        {"sample-events", required_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},             {NULL, 0, NULL, 0}};
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        uint64_t n = 0;
        switch (opt) {
        case 'c':
            sheet_path = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'p':
            if (strcmp(optarg, "positive") == 0) {
                copts.population = GATE_COMP_POP_POSITIVE;
            } else if (strcmp(optarg, "all") == 0) {
                copts.population = GATE_COMP_POP_ALL;
            } else {
                cli_errorf("--population: expected positive or all, found \"%s\"", optarg);
                return 64;
            }
            break;
        case 'q':
            if (!apo_parse_double(optarg, strlen(optarg), false, &copts.positive_quantile) ||
                !(copts.positive_quantile > 0.0 && copts.positive_quantile < 1.0)) {
                cli_errorf("--quantile: expected a number between 0 and 1, found \"%s\"", optarg);
                return 64;
            }
            break;
        case 'm':
            if (!cli_parse_count("--min-events", optarg, 1, &n)) {
                return 64;
            }
            copts.min_events = n > SIZE_MAX ? SIZE_MAX : (size_t)n;
            break;
        case 'S':
            if (!cli_parse_count("--sample-events", optarg, 0, &n)) {
                return 64;
            }
            copts.sample_events = n;
            break;
        case 'O':
        case 'T':
        case 'R':
        case 'D':
            if (!cli_parse_read_option(opt, optarg, &ropts)) {
                return 64;
            }
            break;
        case 'h':
            print_help(stdout);
            return 0;
        default:
            print_help(stderr);
            return 64;
        }
    }
    if (optind >= argc || sheet_path == NULL) {
        cli_errorf("comp: expected control FCS files and --controls SHEET");
        print_help(stderr);
        return 64;
    }
    apo_error err;
    apo_error_clear(&err);
    gate_comp_sheet sheet;
    apo_status st = gate_comp_sheet_read(&sheet, sheet_path, &err);
    if (st != APO_OK) {
        cli_print_error(&err);
        return apo_status_exit_code(st);
    }
    gate_comp *c = NULL;
    gate_comp_report rep;
    st = gate_comp_compute_files(&c, (size_t)(argc - optind), (const char *const *)argv + optind,
                                 &sheet, &copts, &ropts, &rep, &err);
    gate_comp_sheet_free(&sheet);
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
    if (st != APO_OK) {
        cli_print_error(&err);
    } else if (!to_stdout) {
        report(c, &rep, out, stdout);
    }
    gate_comp_report_free(&rep);
    gate_comp_free(c);
    return apo_status_exit_code(st);
}
