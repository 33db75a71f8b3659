/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * decode_internal.h: what the pieces of the event decoder share. decode.c checks the
 * request and splits it over threads; decode_binary.c decodes I/F/D rows, decode_ascii.c
 * fixed-width and delimited ASCII. Every piece writes column-major into a decode target
 * (float or double) and applies the same per-column value transform.
 */
#ifndef APOFLOW_FCS_DECODE_INTERNAL_H
#define APOFLOW_FCS_DECODE_INTERNAL_H

#include "fcs/fcs_internal.h"

#include <math.h>

/* Where decoded values go: exactly one of f64/f32 is non-NULL. Event e (counted from the
 * first requested event) of parameter p lands at [p * ld + e]. */
typedef struct fcs_decode_target {
    double *f64;
    float *f32;
    size_t ld;
} fcs_decode_target;

/* The channel-to-scale conversion of one column ($PnE, $PnG, $TIMESTEP; docs/fcs-quirks.md). */
typedef enum fcs_transform_kind {
    FCS_TRANSFORM_NONE = 0,
    FCS_TRANSFORM_LOG,  /* x = 10^(decades * x / range) * offset */
    FCS_TRANSFORM_GAIN  /* x = x / gain */
} fcs_transform_kind;

typedef struct fcs_transform {
    fcs_transform_kind kind;
    double decades; /* LOG: $PnE f1 */
    double range;   /* LOG: $PnR, or 2^bits when missing */
    double offset;  /* LOG: $PnE f2 (already repaired 0 -> 1) */
    double gain;    /* GAIN: $PnG */
} fcs_transform;

static inline double fcs_transform_apply(const fcs_transform *t, double x)
{
    switch (t->kind) {
    case FCS_TRANSFORM_LOG:
        return pow(10.0, t->decades * x / t->range) * t->offset;
    case FCS_TRANSFORM_GAIN:
        return x / t->gain;
    case FCS_TRANSFORM_NONE:
    default:
        return x;
    }
}

/* One decode job: events [lo, hi) of the data set (absolute event numbers); the target
 * index of event e is e - first. With step > 1 (binary layouts only) just the events
 * lo, lo + step, ... below hi are decoded, (lo - first) is a multiple of step and the target
 * index of event e is (e - first) / step; step 0 means 1. */
typedef struct fcs_decode_job {
    const fcs_dataset *ds;
    const fcs_transform *transforms; /* n_params entries */
    fcs_decode_target target;
    uint64_t first;
    uint64_t lo;
    uint64_t hi;
    uint64_t step;
    const bool *columns; /* NULL = every column; else only columns p with columns[p] */
} fcs_decode_job;

/* How many runs of four float columns fcs_decode_binary decodes at once (f32le_d4) for @p job
 * into a double target, or for a decode of @p ds with @p opts and @p columns (NULL: every
 * column); 0 where the processor has no such path. The decoded values are the same bits
 * either way; the tests read these to know which path ran (decode_binary.c, decode.c). */
size_t fcs_decode_binary_quads(const fcs_decode_job *job);
size_t fcs_decode_quad_runs(const fcs_dataset *ds, const fcs_decode_options *opts,
                            const bool *columns);

/* Events first, first + step, ... below first + count of a binary data set into out[p * ld +
 * k] (k counted from first): the same values fcs_dataset_decode_f64 gives for those events,
 * without decoding the others (sampled.c). APO_E_USAGE for an ASCII layout or step 0. */
apo_status fcs_layout_decode_every_f64(const fcs_dataset *ds, uint64_t first, uint64_t count,
                                       uint64_t step, const fcs_decode_options *opts,
                                       double *out, size_t ld, apo_error *err);

/*
 * Rows of a data set's DATA for decoding (rows.c). A file opened from a path is read with
 * pread into a staging buffer, so a file that shrinks while it is decoded gives an APO_E_IO
 * error naming the offset instead of a SIGBUS from the mapping; a file opened from a buffer
 * hands out pointers into the buffer.
 */
typedef struct fcs_rows {
    const fcs_dataset *ds;
    int fd;          /* the file, opened again for this pass (-1 for buffers) */
    uint8_t *stage;  /* owned staging buffer (NULL for buffers) */
    size_t cap_rows; /* rows that fit in stage */
} fcs_rows;

apo_status fcs_rows_init(fcs_rows *r, const fcs_dataset *ds, apo_error *err);
/* Rows [e, e + want) or a leading part of them: *data points at the first row, *got (>= 1)
 * says how many. APO_E_IO when the file no longer holds them. */
apo_status fcs_rows_fetch(fcs_rows *r, uint64_t e, uint64_t want, const uint8_t **data,
                          uint64_t *got, apo_error *err);
void fcs_rows_free(fcs_rows *r);

/* Binary I/F/D data (decode_binary.c): fails for lack of memory, or (APO_E_IO) when the file
 * shrank under the reader. */
apo_status fcs_decode_binary(const fcs_decode_job *job, apo_error *err);

/* Fixed-width ASCII (decode_ascii.c): APO_E_FORMAT with the byte offset of a bad field. */
apo_status fcs_decode_ascii_fixed(const fcs_decode_job *job, apo_error *err);

/* Delimited ASCII: scans from the start of DATA; APO_E_FORMAT for a bad or missing value. */
apo_status fcs_decode_ascii_delimited(const fcs_decode_job *job, apo_error *err);

#endif /* APOFLOW_FCS_DECODE_INTERNAL_H */
