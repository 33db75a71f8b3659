// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * exp_simd.h: exp over arrays with exactly the C library's bits, four values at a time where
 * the processor and the library allow it (exp_simd.c; docs/performance.md, "Eighth round").
 * A caller chooses the path once (apo_exp_choose: processor features and a self-check
 * against the library's exp) and passes it to every apo_exp_array call; there is no hidden
 * state.
 */
#ifndef APOFLOW_UTIL_EXP_SIMD_H
#define APOFLOW_UTIL_EXP_SIMD_H
#include <stdbool.h>
#include <stddef.h>

typedef enum apo_exp_path {
    APO_EXP_LIBM = 0, /* the C library's exp, one value per call */
    APO_EXP_AVX2 = 1, /* four values per step with AVX2 and fused multiply-adds (x86-64) */
} apo_exp_path;

/* The path to use on this processor with this C library: APO_EXP_AVX2 when the processor has
 * AVX2 and FMA (the features for which glibc's x86-64 libm takes its FMA build of exp) and the
 * vector path gives the library's bits on every argument of the self-check, else
 * APO_EXP_LIBM. Costs a few thousand exp calls: call it once per task, not per array. */
apo_exp_path apo_exp_choose(void);

/* y[i] = exp(x[i]) for i < n, the same bits as the C library's exp on every argument (those
 * the vector formula does not cover, |x| < 2^-54, |x| >= 512, NaN, are handed to the library
 * itself); x and y may be the same array. */
void apo_exp_array(apo_exp_path path, const double *x, double *y, size_t n);

/* For tests: the path the processor's features allow (no self-check), and whether @p path
 * agrees with the C library on every argument of the self-check. */
apo_exp_path apo_exp_cpu_path(void);
bool apo_exp_selfcheck(apo_exp_path path);
#endif
