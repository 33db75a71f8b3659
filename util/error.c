/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * error.c: the project-wide error type. Setting an error formats into the caller's fixed
 * buffer with snprintf and never allocates, so it is safe on every failure path.
 */
#include "util/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void apo_error_clear(apo_error *err)
{
    if (err == NULL) {
        return;
    }
    memset(err, 0, sizeof(*err));
    err->offset = APO_NO_OFFSET;
}

static void copy_bounded(char *dst, size_t cap, const char *src)
{
    if (src == NULL) {
        dst[0] = '\0';
        return;
    }
    size_t n = strlen(src);
    if (n >= cap) {
        n = cap - 1;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

apo_status apo_error_set_at(apo_error *err, apo_status status, const char *file, uint64_t offset,
                            const char *keyword, const char *src_file, int src_line,
                            const char *fmt, ...)
{
    int saved_errno = errno;
    if (err == NULL) {
        return status;
    }
    err->status = status;
    err->sys_errno = (status == APO_E_IO || status == APO_E_WRITE) ? saved_errno : 0;
    err->offset = offset;
    err->src_file = src_file;
    err->src_line = src_line;
    copy_bounded(err->keyword, sizeof(err->keyword), keyword);
    copy_bounded(err->file, sizeof(err->file), file);

    size_t used = 0;
    int n = 0;
    if (file != NULL && file[0] != '\0') {
        n = snprintf(err->msg + used, sizeof(err->msg) - used, "%s: ", file);
        used += (n > 0) ? (size_t)n : 0;
    }
    if (used < sizeof(err->msg) && offset != APO_NO_OFFSET) {
        n = snprintf(err->msg + used, sizeof(err->msg) - used, "byte %llu: ",
                     (unsigned long long)offset);
        used += (n > 0) ? (size_t)n : 0;
    }
    if (used < sizeof(err->msg) && keyword != NULL && keyword[0] != '\0') {
        n = snprintf(err->msg + used, sizeof(err->msg) - used, "%s: ", keyword);
        used += (n > 0) ? (size_t)n : 0;
    }
    if (used < sizeof(err->msg)) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg + used, sizeof(err->msg) - used, fmt, ap);
        va_end(ap);
    }
    return status;
}

const char *apo_status_name(apo_status status)
{
    switch (status) {
    case APO_OK:
        return "ok";
    case APO_E_IO:
        return "io";
    case APO_E_NOMEM:
        return "nomem";
    case APO_E_FORMAT:
        return "format";
    case APO_E_UNSUPPORTED:
        return "unsupported";
    case APO_E_RANGE:
        return "range";
    case APO_E_NUMERIC:
        return "numeric";
    case APO_E_USAGE:
        return "usage";
    case APO_E_WRITE:
        return "write";
    }
    return "unknown";
}

int apo_status_exit_code(apo_status status)
{
    switch (status) {
    case APO_OK:
        return 0;
    case APO_E_USAGE:
        return 64; /* EX_USAGE */
    case APO_E_FORMAT:
    case APO_E_UNSUPPORTED:
    case APO_E_RANGE:
    case APO_E_NUMERIC:
        return 65; /* EX_DATAERR */
    case APO_E_IO:
        return 66; /* EX_NOINPUT */
    case APO_E_NOMEM:
        return 71; /* EX_OSERR */
    case APO_E_WRITE:
        return 73; /* EX_CANTCREAT */
    }
    return 70; /* EX_SOFTWARE */
}
