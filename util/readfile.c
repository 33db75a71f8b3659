/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * readfile.c: read a whole small text input (matrix CSV, sample or controls sheet) into memory
 * with a size cap, so an untrusted path can never make us allocate more than the cap.
 */
#include "util/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

apo_status apo_read_small_file(const char *path, size_t max_bytes, const char *what, char **out,
                               size_t *out_len, apo_error *err)
{
    *out = NULL;
    *out_len = 0;
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        const int e = errno;
        apo_status st = apo_error_set(err, APO_E_IO, path, APO_NO_OFFSET, NULL,
                                      "expected a readable %s, found: %s", what, strerror(e));
        if (err != NULL) {
            err->sys_errno = e;
        }
        return st;
    }
    char *buf = malloc(max_bytes + 1);
    if (buf == NULL) {
        fclose(fp);
        return apo_error_set(err, APO_E_NOMEM, path, APO_NO_OFFSET, NULL,
                             "expected memory to read the %s, found none", what);
    }
    const size_t got = fread(buf, 1, max_bytes + 1, fp);
    const bool bad = ferror(fp) != 0;
    fclose(fp);
    if (bad || got > max_bytes) {
        free(buf);
        if (bad) {
            return apo_error_set(err, APO_E_IO, path, APO_NO_OFFSET, NULL,
                                 "expected to read the %s, found a read error", what);
        }
        return apo_error_set(err, APO_E_RANGE, path, APO_NO_OFFSET, NULL,
                             "expected a %s of at most %zu bytes, found a larger one", what,
                             max_bytes);
    }
    buf[got] = '\0';
    *out = buf;
    *out_len = got;
    return APO_OK;
}
