/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * info_stats.h: the per-channel statistics of `apoflow info --stats` over every event of a
 * data set: min, max and sum of the finite raw values and the NaN / Inf counts.
 */
#ifndef APOFLOW_CLI_INFO_STATS_H
#define APOFLOW_CLI_INFO_STATS_H

#include "fcs/export.h"

typedef fcs_channel_stats channel_stats; /* min, max, sum of the finite values; NaN/Inf counts */

/* Fill st[0..n_params) for every event of @p ds, decoding on @p jobs threads of apo_pool_run
 * (0 = all cores). The result does not depend on @p jobs: each channel's sum adds the events
 * in file order. Memory: a few blocks of events, whatever the file's size. */
apo_status info_stats_compute(const fcs_dataset *ds, unsigned jobs, channel_stats *st,
                              apo_error *err);

#endif /* APOFLOW_CLI_INFO_STATS_H */
