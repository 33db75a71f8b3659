/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gate_wsp.h: `apoflow gate FILE... --gating WORKSPACE.wsp [--group NAME]` (cmd_gate_wsp.c):
 * the FlowJo workspace branch of apoflow gate, called by cmd_gate.c after option parsing.
 */
#ifndef APOFLOW_CLI_GATE_WSP_H
#define APOFLOW_CLI_GATE_WSP_H

#include "fcs/fcs.h"

#include <stddef.h>
#include <stdint.h>

typedef struct gate_wsp_options {
    const char *workspace;
    const char *group;      /* NULL = every sample of the workspace */
    const char *out;        /* "-" = stdout */
    int format;             /* 0 table, 1 csv, 2 json */
    uint64_t sample_events; /* medians from at most this many events, 0 = all */
    fcs_read_options read;
} gate_wsp_options;

/** Run the workspace branch on data set @p datasets[i] (1-based) of @p paths[i], reported as
 *  @p files[i] (the operand as given); returns the exit code. */
int gate_wsp_run(int n_files, char **files, char **paths, const size_t *datasets,
                 const gate_wsp_options *o);

#endif /* APOFLOW_CLI_GATE_WSP_H */
