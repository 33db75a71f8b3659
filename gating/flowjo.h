/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * flowjo.h: FlowJo 10 workspaces (.wsp): reading one into a gate_strategy per sample (its
 * compensation matrix, its transforms and its gate tree, with FlowJo's own count of every
 * population), and writing gate_strategy objects back as a workspace FlowJo opens.
 * docs/flowjo.md says what is read, what is written and how FlowJo's conventions map onto
 * Gating-ML's. A workspace is untrusted input: every limit is checked and errors name the
 * element and its line. Nothing here prints.
 */
#ifndef APOFLOW_GATING_FLOWJO_H
#define APOFLOW_GATING_FLOWJO_H

#include "gating/gate.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Limits on untrusted workspaces (beyond them: APO_E_UNSUPPORTED naming the element). */
#define FLOWJO_MAX_SAMPLES 10000u
#define FLOWJO_MAX_GATES 10000u    /* gates of one sample */
#define FLOWJO_MAX_DEPTH 64u       /* nesting of populations */
#define FLOWJO_MAX_VERTICES 100000u
#define FLOWJO_MAX_PARAMS 1024u    /* matrix size, transforms per sample */
#define FLOWJO_MAX_COORD 1e15      /* |coordinate| above this is refused as absurd */

/* One population of a sample as FlowJo shows it. */
typedef struct flowjo_population {
    char *path;    /* FlowJo's path: names from the sample's top level down, '/'-joined */
    size_t gate;   /* its gate in the sample's strategy (the gate's id is the path) */
    int64_t count; /* FlowJo's count in the workspace, -1 when FlowJo stored none */
} flowjo_population;

typedef struct flowjo_sample {
    char *id;       /* sampleID */
    char *name;     /* SampleNode name (usually the FCS file name) */
    char *uri;      /* DataSet uri as written ("" when none) */
    char *file;     /* the keyword $FIL as FlowJo stored it (NULL when none) */
    int64_t count;  /* FlowJo's event count of the sample, -1 unknown */
    char *matrix;   /* name of its compensation matrix (NULL: uncompensated) */
    size_t n_transforms; /* transforms read (one per parameter) */
    gate_strategy *strategy; /* transforms, matrix and gates; gate ids are FlowJo paths */
    size_t n_populations;
    flowjo_population *populations; /* in document order (parents before children) */
} flowjo_sample;

typedef struct flowjo_group {
    char *name;
    size_t n_samples;
    size_t *samples;       /* indices into flowjo_workspace.samples */
    size_t n_template;     /* populations of the group's template gate tree */
    char **template_paths; /* their paths (the group's gates; samples hold applied copies) */
} flowjo_group;

/* A matrix of the workspace's <Matrices> list (the samples carry their own copies). */
typedef struct flowjo_matrix {
    char *name;
    char *id;
    size_t n; /* detectors */
} flowjo_matrix;

typedef struct flowjo_workspace {
    size_t n_samples;
    flowjo_sample *samples;
    size_t n_groups;
    flowjo_group *groups;
    size_t n_matrices;
    flowjo_matrix *matrices;
    size_t n_warnings;
    char **warnings; /* what the workspace holds that apoflow does not apply */
} flowjo_workspace;

/** Read a FlowJo 10 workspace. APO_E_FORMAT / APO_E_UNSUPPORTED name the element and line. */
APO_NODISCARD apo_status flowjo_workspace_read(flowjo_workspace *out, const char *path,
                                               apo_error *err);
/** As flowjo_workspace_read from @p len bytes at @p buf; @p name is used in messages. */
APO_NODISCARD apo_status flowjo_workspace_read_buffer(flowjo_workspace *out, const char *buf,
                                                      size_t len, const char *name,
                                                      apo_error *err);
/** Free everything of @p w and zero it. NULL is a no-op. */
void flowjo_workspace_free(flowjo_workspace *w);

/** True when @p buf looks like a FlowJo workspace (root element Workspace), by content. */
bool flowjo_is_workspace(const char *buf, size_t len);
/** True when @p path names a workspace: extension .wsp, or a root element Workspace. */
bool flowjo_path_is_workspace(const char *path);

/** Index of the group named @p name, or SIZE_MAX. */
size_t flowjo_workspace_find_group(const flowjo_workspace *w, const char *name);
/**
 * The sample an FCS file belongs to: the file's $FIL equal to the sample's $FIL, else the
 * file's base name equal to the base name of the sample's uri or to its name. @p fil may be
 * NULL. Only samples with @p allowed[i] true are considered (@p allowed NULL = all).
 * SIZE_MAX when none matches.
 */
size_t flowjo_workspace_match(const flowjo_workspace *w, const char *fcs_path, const char *fil,
                              const bool *allowed);
/** The local path of a sample's uri ("file:" uris, %-escapes decoded) in @p buf; false when
 *  the uri is not a local file. */
bool flowjo_uri_path(const char *uri, char *buf, size_t cap);

/**
 * The gating of sample @p s for the Annexin V / PI analysis (wsp_quadrant.c): every gate of
 * the sample, plus its quadrant (four open rectangles FlowJo saves under one population) as a
 * QuadrantGate "quadrants" with quadrants viable (x-, y-), early_apoptotic (x+, y-),
 * late_apoptotic (x+, y+) and necrotic (x-, y+); x (the quadrant's first dimension) is
 * Annexin V. @p population (NULL = the sample's only quadrant) is the FlowJo path of the
 * population holding the quadrant or of one of its rectangles. @p chosen receives the path
 * of the quadrant's parent ("" at the top level). APO_E_USAGE when no quadrant, or several
 * without @p population, are found (the message lists them).
 */
APO_NODISCARD apo_status flowjo_sample_run_gating(const flowjo_sample *s, const char *population,
                                                  gate_strategy **out, char *chosen, size_t cap,
                                                  apo_error *err);

/* ---- writing ------------------------------------------------------------------------------ */

/* One sample to write. */
typedef struct flowjo_write_sample {
    const char *fcs_path;        /* linked as a file: uri (made absolute) */
    const gate_strategy *strategy;
    const gate_comp *fcs_comp;   /* the matrix comp_ref "FCS" means (NULL: none/unused) */
    uint64_t events;             /* written as the sample's count (0 = unknown) */
    const uint64_t *counts;      /* per gate of the strategy (NULL = no counts written) */
} flowjo_write_sample;

/**
 * Write @p n samples as a FlowJo 10 workspace at @p path (atomically), in one group
 * "All Samples". Gates become FlowJo populations named by their ids (quadrants as open
 * rectangles under the QuadrantGate's parent, booleans as And/Or/NotNodes), coordinates as
 * FlowJo stores them (data values; ellipses in 0..256 display units). APO_E_UNSUPPORTED for
 * what FlowJo cannot hold (complemented operands of AND/OR, ratios, >2-D ellipsoids, ...).
 */
APO_NODISCARD apo_status flowjo_workspace_write(const char *path, size_t n,
                                                const flowjo_write_sample *samples,
                                                apo_error *err);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_GATING_FLOWJO_H */
