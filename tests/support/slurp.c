/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * slurp.c: whole-file reads for tests (slurp.h). Reads until end of file rather than trusting
 * the size, so pipes and files that grow while read work too.
 */
#include "support/slurp.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *test_read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        n += fread(buf + n, 1, cap - n - 1, fp);
        if (n + 1 < cap) {
            break; /* end of file or an error, told apart below */
        }
        char *bigger = realloc(buf, cap * 2);
        if (bigger == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int failed = ferror(fp);
    fclose(fp);
    if (buf == NULL || failed) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    if (len != NULL) {
        *len = n;
    }
    return buf;
}

char *test_slurp(const char *path, size_t *len)
{
    errno = 0;
    char *buf = test_read_file(path, len);
    cr_assert_not_null(buf, "cannot read %s: %s", path, errno ? strerror(errno) : "read error");
    return buf;
}
