/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * export.h: every event of one data set read block by block (bounded memory for any file
 * size), summarised per channel or written out: as delimited text (CSV or TSV: a header row of $PnN, numbers in shortest
 * round-trip form, C locale), or as an FCS 3.1 file that analyses like its source ($PnG kept
 * where values were not divided, log-amplified columns linearized, computed values as
 * float64 when float32 would lose them).
 */
#ifndef APOFLOW_FCS_EXPORT_H
#define APOFLOW_FCS_EXPORT_H

#include "fcs/fcs.h"

#include <stdbool.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Write the events of @p ds decoded with @p decode to @p out, fields separated by @p sep
 * (',' or '\t'); @p out_name names the output in errors. */
APO_NODISCARD apo_status fcs_export_text(FILE *out, const char *out_name, const fcs_dataset *ds,
                                         const fcs_decode_options *decode, char sep,
                                         apo_error *err);

/* Write @p ds as an FCS 3.1 file at @p path (atomically). Raw values of a data set with
 * log-amplified integer columns are written linearized instead (float data cannot carry
 * $PnE): *linearized tells. */
APO_NODISCARD apo_status fcs_export_fcs(const char *path, const fcs_dataset *ds,
                                        const fcs_decode_options *decode, bool *linearized,
                                        apo_error *err);

/* Called with each decoded block: @p count events, column p at buf + p * ld. */
typedef apo_status (*fcs_block_fn)(void *ctx, const double *buf, size_t count, size_t ld,
                                   apo_error *err);

/* Decode @p ds block by block into @p buf (room for @p block events of every column),
 * giving back the mapped pages of each block once decoded; calls @p use for every block. */
APO_NODISCARD apo_status fcs_dataset_each_block(const fcs_dataset *ds,
                                                const fcs_decode_options *decode, double *buf,
                                                size_t block, fcs_block_fn use, void *ctx,
                                                apo_error *err);

/* Per-channel summary of the raw values (an integrity check). */
typedef struct fcs_channel_stats {
    double min, max, sum; /* over the finite values */
    uint64_t n_finite, n_nan, n_inf;
} fcs_channel_stats;

/*
 * Every event of @p ds summarised into st[p] for each of its parameters (channel_stats.c),
 * decoding on up to @p jobs threads of apo_pool_run (0 or 1: the calling thread only). The
 * result does not depend on @p jobs: each channel's sum adds the events in file order.
 * Memory: a few blocks of events, whatever the file's size.
 */
APO_NODISCARD apo_status fcs_dataset_channel_stats(const fcs_dataset *ds, unsigned jobs,
                                                   fcs_channel_stats *st, apo_error *err);

/* Whether @p ds has a log-amplified ($PnE) integer column. */
bool fcs_export_has_log_column(const fcs_dataset *ds);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_FCS_EXPORT_H */
