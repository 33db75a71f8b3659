/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * big_fcs.h: write a large FCS 3.1 float32 test file block by block through the library's
 * block-wise writer (fcs_writer_*), so that the test process stays small: the memory tests
 * measure their child's peak RSS, and a forked child starts as a copy of the test.
 */
#ifndef APOFLOW_TESTS_SUPPORT_BIG_FCS_H
#define APOFLOW_TESTS_SUPPORT_BIG_FCS_H

#include <stddef.h>
#include <stdint.h>

/* Fill events [first, first + count) column-major: value of event first + e, parameter p at
 * block[p * count + e]. */
typedef void (*big_fcs_fill)(void *ctx, uint64_t first, size_t count, double *block);

/* Write @p n_events events of @p n_params parameters named @p names ($PnR 262144) to @p path,
 * GATE_BLOCK_EVENTS-sized blocks from @p fill. Aborts the calling test on any error. */
void big_fcs_write(const char *path, const char *const *names, size_t n_params,
                   uint64_t n_events, big_fcs_fill fill, void *ctx);

#endif /* APOFLOW_TESTS_SUPPORT_BIG_FCS_H */
