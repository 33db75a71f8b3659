/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * slurp.h: read a whole file into memory, the one way tests do it.
 *
 *   size_t len;
 *   char *text = test_slurp(path, &len); // fails the test when path cannot be read
 *   ...
 *   free(text);
 */
#ifndef APOFLOW_TESTS_SUPPORT_SLURP_H
#define APOFLOW_TESTS_SUPPORT_SLURP_H

#include <stddef.h>

/* The bytes of @p path in a malloc'd buffer with a NUL after them (not counted in *len; @p len
 * may be NULL), or NULL when the file cannot be opened or read. */
char *test_read_file(const char *path, size_t *len);

/* As test_read_file, but a file that cannot be read ends the calling Criterion test with a
 * failure naming @p path. */
char *test_slurp(const char *path, size_t *len);

#endif /* APOFLOW_TESTS_SUPPORT_SLURP_H */
