// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * exp_internal.h: the table and constants of the vector exp (exp_simd.c), generated into
 * exp_table.c by util/make_exp_table.py. Nothing outside util/exp_*.c includes this.
 */
#ifndef APOFLOW_UTIL_EXP_INTERNAL_H
#define APOFLOW_UTIL_EXP_INTERNAL_H
#include <stdint.h>

#define APO_EXP_N 128 /* table entries: 2^(i/N), i < N */

extern const double apo_exp_invln2n, apo_exp_negln2hin, apo_exp_negln2lon, apo_exp_shift;
extern const uint64_t apo_exp_tab[2 * APO_EXP_N];
#endif
