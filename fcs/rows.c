/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rows.c: hands the binary decoder the rows of DATA it asks for. HEADER and TEXT are parsed
 * from the read-only mapping made at open, but DATA of a file opened from a path is read with
 * pread(2) into a staging buffer of about 1 MiB, through a descriptor opened for each decoding
 * pass (so a run over thousands of files holds no descriptors between samples). When the path
 * no longer names the file that was opened (deleted, or replaced by a rename: another device or
 * inode), the mapping is used as before, since that file can no longer be rewritten through its
 * path. if another process truncates the file while
 * a run decodes it, the read comes up short and the sample fails with an error naming the
 * byte offset, where a mapped page past the new end of file would kill the whole process with
 * SIGBUS. Reads come from the page cache, so the cost over the mapping is one copy of each
 * row, a small part of decoding it.
 */
#include "fcs/decode_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STAGE_BYTES ((size_t)1 << 20)

apo_status fcs_rows_init(fcs_rows *r, const fcs_dataset *ds, apo_error *err)
{
    memset(r, 0, sizeof *r);
    r->ds = ds;
    r->fd = -1;
    const struct fcs_file *f = ds->file;
    size_t row = ds->layout.row_bytes;
    if (!f->from_path || row == 0) {
        return APO_OK;
    }
    r->fd = open(f->name, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (r->fd >= 0 && (fstat(r->fd, &sb) != 0 || (uint64_t)sb.st_dev != f->dev ||
                       (uint64_t)sb.st_ino != f->ino)) {
        close(r->fd);
        r->fd = -1;
    }
    if (r->fd < 0) {
        /* Deleted or replaced since it was opened: the file we mapped is no longer reachable
         * by its path, so nobody rewrites it there; its mapping stays valid. */
        return APO_OK;
    }
    r->cap_rows = STAGE_BYTES / row > 0 ? STAGE_BYTES / row : 1;
    r->stage = malloc(r->cap_rows * row);
    if (r->stage == NULL) {
        fcs_rows_free(r);
        return apo_error_set(err, APO_E_NOMEM, f->name, APO_NO_OFFSET, NULL, "out of memory");
    }
    return APO_OK;
}

apo_status fcs_rows_fetch(fcs_rows *r, uint64_t e, uint64_t want, const uint8_t **data,
                          uint64_t *got, apo_error *err)
{
    const fcs_layout *lay = &r->ds->layout;
    const struct fcs_file *f = r->ds->file;
    size_t row = lay->row_bytes;
    if (r->fd < 0) {
        *data = f->buf + (size_t)lay->data_begin + (size_t)e * row;
        *got = want;
        return APO_OK;
    }
    uint64_t n = want < r->cap_rows ? want : r->cap_rows;
    size_t bytes = (size_t)n * row;
    uint64_t at = lay->data_begin + e * (uint64_t)row;
    size_t done = 0;
    while (done < bytes) {
        ssize_t k = pread(r->fd, r->stage + done, bytes - done, (off_t)(at + done));
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k < 0) {
            return apo_error_set(err, APO_E_IO, f->name, at + done, NULL,
                                 "DATA: cannot read: %s", strerror(errno));
        }
        if (k == 0) {
            return apo_error_set(err, APO_E_IO, f->name, at + done, NULL,
                                 "DATA: expected %zu more bytes, found the end of the file (it "
                                 "was %llu bytes when opened: it shrank while being read)",
                                 bytes - done, (unsigned long long)f->len);
        }
        done += (size_t)k;
    }
    *data = r->stage;
    *got = n;
    return APO_OK;
}

void fcs_rows_free(fcs_rows *r)
{
    if (r->fd >= 0) {
        close(r->fd);
    }
    free(r->stage);
    memset(r, 0, sizeof *r);
    r->fd = -1;
}
