/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * wsp_internal.h: private declarations shared by the FlowJo workspace reader files
 * (wsp_read.c: document, samples, groups, matrices, transforms; wsp_gates.c: the population
 * trees). Not part of the public interface (gating/flowjo.h).
 */
#ifndef APOFLOW_GATING_WSP_INTERNAL_H
#define APOFLOW_GATING_WSP_INTERNAL_H

#include "gating/flowjo.h"

#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>

#define WSP_NS_GATING "http://www.isac-net.org/std/Gating-ML/v2.0/gating"
#define WSP_NS_TRANS "http://www.isac-net.org/std/Gating-ML/v2.0/transformations"
#define WSP_NS_DT "http://www.isac-net.org/std/Gating-ML/v2.0/datatypes"

typedef struct wsp_ctx {
    const char *name; /* document name for messages */
    apo_error *err;
    flowjo_workspace *w;
} wsp_ctx;

/* A transform of one sample, keyed by the parameter name FlowJo gives it. */
typedef struct wsp_xform {
    char *param;      /* as written, e.g. "Comp-FITC-A" or "FSC-A"; also the strategy id */
    gate_transform t;
} wsp_xform;

/* What the gate reader needs to know about the sample whose tree it reads. */
typedef struct wsp_sample_ctx {
    wsp_ctx *c;
    flowjo_sample *s;
    const char *matrix_id;   /* strategy id of the sample's matrix, NULL = none */
    const char *prefix;      /* the matrix's compensated-name prefix / suffix */
    const char *suffix;
    size_t n_det;
    char **detectors;        /* the matrix's detectors (borrowed) */
    size_t n_xf;
    wsp_xform *xf;           /* borrowed */
    size_t cap_pops;
    size_t n_dropped;        /* populations not applied (warned) */
} wsp_sample_ctx;

/* ---- wsp_read.c helpers used by wsp_gates.c ------------------------------------------------ */
bool wsp_is_el(const xmlNode *n, const char *ns, const char *local);
/* Attribute in namespace @p ns or without one; caller frees with xmlFree. */
char *wsp_attr(const xmlNode *n, const char *ns, const char *local);
/* Error for element @p n: keyword "line N: name". */
apo_status wsp_fail(wsp_ctx *c, const xmlNode *n, apo_status st, const char *fmt, ...)
    APO_PRINTF(4, 5);
/* Append a warning (element @p n may be NULL); false when out of memory (error set). */
apo_status wsp_warn(wsp_ctx *c, const xmlNode *n, const char *fmt, ...) APO_PRINTF(3, 4);
/* A finite number within FLOWJO_MAX_COORD from attribute @p local (absent: *out = dflt when
 * @p optional, else an error). */
apo_status wsp_num_attr(wsp_ctx *c, const xmlNode *n, const char *ns, const char *local,
                        bool optional, double dflt, double *out);
char *wsp_strdup(const char *s);
/* FlowJo's stored event count from the "count" attribute of @p n: a whole number of events
 * in [0, 2^53] (where doubles are exact), else -1 ("not stored"). */
apo_status wsp_count_attr(wsp_ctx *c, const xmlNode *n, int64_t *out);
/* Re-issue a builder's error (no file name) for element @p n of the document. */
apo_status wsp_relabel(wsp_ctx *c, const xmlNode *n, apo_status st);

/* ---- wsp_gates.c ------------------------------------------------------------------------- */
/* Read the Subpopulations of @p node (a SampleNode) into the sample's strategy and
 * population list. */
apo_status wsp_read_tree(wsp_sample_ctx *sc, const xmlNode *node);
/* Paths of a group's template tree (GroupNode Subpopulations), for listing only. */
apo_status wsp_read_template(wsp_ctx *c, const xmlNode *node, flowjo_group *g);

#endif /* APOFLOW_GATING_WSP_INTERNAL_H */
