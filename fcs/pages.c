/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pages.c: giving back the mapped DATA pages of events already decoded. fcs_file_open maps
 * the whole file; without this, a pass over a 480 MB file leaves all 480 MB resident (clean,
 * file-backed pages, but counted in RSS). The mapping is private and never written, so a
 * dropped page is simply re-read from the page cache when touched again.
 */
#define _DEFAULT_SOURCE 1 /* madvise(MADV_DONTNEED) */

#include "fcs/fcs_internal.h"

#include <sys/mman.h>
#include <unistd.h>

void fcs_dataset_drop_pages(const fcs_dataset *ds, uint64_t first, uint64_t count)
{
#if defined(MADV_DONTNEED)
    if (ds == NULL || !ds->has_data || ds->file == NULL || ds->file->map == NULL ||
        ds->layout.ascii_delimited || ds->layout.row_bytes == 0 || count == 0 ||
        first >= ds->layout.n_events) {
        return;
    }
    const fcs_file *f = ds->file;
    if (count > ds->layout.n_events - first) {
        count = ds->layout.n_events - first;
    }
    /* The layout guarantees data_begin + n_events * row_bytes lies inside the file. */
    uint64_t begin = ds->layout.data_begin + first * (uint64_t)ds->layout.row_bytes;
    uint64_t end = begin + count * (uint64_t)ds->layout.row_bytes;
    long ps = sysconf(_SC_PAGESIZE);
    if (ps <= 0 || end > (uint64_t)f->map_len) {
        return;
    }
    uint64_t page = (uint64_t)ps;
    uint64_t a = (begin + page - 1) / page * page; /* first whole page inside */
    uint64_t b = end / page * page;                /* end of the last whole page inside */
    if (a >= b) {
        return;
    }
    /* Advice only: a failure leaves the pages resident, which is harmless. */
    (void)madvise((char *)f->map + a, (size_t)(b - a), MADV_DONTNEED);
#else
    (void)ds;
    (void)first;
    (void)count;
#endif
}
