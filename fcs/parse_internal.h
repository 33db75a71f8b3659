/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * parse_internal.h: what the parser's steps share while one data set is being read
 * (dataset.c drives; params.c builds fcs_param records; layout.c checks widths, $BYTEORD and
 * the DATA offsets). Not used by the decoder.
 */
#ifndef APOFLOW_FCS_PARSE_INTERNAL_H
#define APOFLOW_FCS_PARSE_INTERNAL_H

#include "fcs/fcs_internal.h"

typedef struct fcs_parse_ctx {
    fcs_dataset *ds;
    const struct fcs_file *f;
    const char *name; /* file name for messages */
    uint64_t base;    /* absolute offset of the HEADER */
    const fcs_read_options *opts;
    fcs_header h;
    bool v2;          /* FCS2.0 */
    bool v32;         /* FCS3.2 */
    bool zero_based;  /* parameters numbered $P0.. */
    bool tot_known;
    uint64_t tot;
} fcs_parse_ctx;

/* Keyword of the data set (case-insensitive), or NULL. */
const fcs_keyword *fcs_ctx_kw(const fcs_parse_ctx *c, const char *name);
/* Keyword "$P<n><suffix>" of 0-based parameter @p i, honouring zero-based numbering. */
const fcs_keyword *fcs_ctx_pkw(const fcs_parse_ctx *c, size_t i, const char *suffix,
                               char *name_out, size_t name_cap);
/* Offset for messages about keyword @p k (its file offset, or the TEXT start). */
uint64_t fcs_ctx_off(const fcs_parse_ctx *c, const fcs_keyword *k);
/* Printable, bounded copy of a value for messages. */
const char *fcs_show(char *buf, size_t cap, const char *s, size_t len);

/* params.c: fill ds->params from $PAR and the $Pn keywords (needs ds->datatype). */
apo_status fcs_params_parse(fcs_parse_ctx *c, apo_error *err);
/* layout.c: $BYTEORD, the column layout and the DATA offsets; fills ds->layout. */
apo_status fcs_layout_build(fcs_parse_ctx *c, apo_error *err);

#endif /* APOFLOW_FCS_PARSE_INTERNAL_H */
