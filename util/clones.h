/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * clones.h: APO_CLONES, a function compiled once per instruction set named and once for the
 * base x86-64 set, the copy to run chosen once when the program starts by what the processor
 * has (GCC's target_clones, resolved through a GNU indirect function). Only where that works:
 * GCC on x86-64 with the GNU C library (clang's target_clones differs, and not every C
 * library resolves indirect functions); elsewhere the macro is empty and the one build runs.
 * The copies are the same C, so whoever uses this must make sure each gives the same bits
 * (GCC in ISO C mode fuses no multiply and add unless the source asks; each use says why).
 * The copies are never inlined into a caller, which would take the caller's instruction set.
 *
 *     APO_CLONES("avx512f", "avx2") static void kernel(...);
 */
#ifndef APOFLOW_UTIL_CLONES_H
#define APOFLOW_UTIL_CLONES_H

#include <limits.h> /* any C library header: it defines __GLIBC__ in the GNU C library */

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__GLIBC__)
#define APO_CLONES(...) __attribute__((target_clones(__VA_ARGS__, "default"), noinline))
#else
#define APO_CLONES(...)
#endif

#endif /* APOFLOW_UTIL_CLONES_H */
