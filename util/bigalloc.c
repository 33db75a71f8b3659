/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bigalloc.c: allocation of large event matrices. A fresh multi-hundred-MB matrix costs more
 * in 4 KiB page faults than decoding into it (bench/README.md), so large blocks are 2 MiB
 * aligned and, on Linux, advised to use transparent huge pages. Memory from here is released
 * with free(). Linux-specific advice is optional: elsewhere this is a plain aligned allocation.
 */
#define _DEFAULT_SOURCE 1 /* madvise(MADV_HUGEPAGE) */

#include "util/util.h"

#include <stdlib.h>
#include <sys/mman.h>

#define HUGE_PAGE_BYTES ((size_t)2 << 20)
#define BIG_ALLOC_MIN_BYTES ((size_t)16 << 20)

void *apo_big_alloc(size_t n_bytes)
{
    if (n_bytes < BIG_ALLOC_MIN_BYTES) {
        return malloc(n_bytes > 0 ? n_bytes : 1);
    }
    size_t rounded = 0;
    if (__builtin_add_overflow(n_bytes, HUGE_PAGE_BYTES - 1, &rounded)) {
        return NULL;
    }
    rounded &= ~(HUGE_PAGE_BYTES - 1);
    void *p = aligned_alloc(HUGE_PAGE_BYTES, rounded);
#ifdef MADV_HUGEPAGE
    if (p != NULL) {
        (void)madvise(p, rounded, MADV_HUGEPAGE); /* advice only: failure is harmless */
    }
#endif
    return p;
}
