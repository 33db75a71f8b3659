/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * csv.h: reading and writing CSV (RFC 4180): records of a text held in memory (line ends
 * inside double quotes belong to the field; a CR before LF is dropped), fields unquoted on
 * demand, a header's column by name, and writing one field quoted when it needs to be.
 * Spans point into the caller's text. Nothing here prints.
 */
#ifndef APOFLOW_UTIL_CSV_H
#define APOFLOW_UTIL_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct apo_csv_rec {
    const char *p;
    size_t n; /* without the line end */
} apo_csv_rec;

/* The records of @p len bytes of @p text (malloc'ed array, *count entries; NULL when out
 * of memory). */
apo_csv_rec *apo_csv_records(const char *text, size_t len, size_t *count);

/* Field @p k (0-based) of record @p r, unquoted, into @p out (truncated to cap - 1 bytes;
 * "" past the last field). */
void apo_csv_field(apo_csv_rec r, size_t k, char *out, size_t cap);

/* The number of fields of @p r. */
size_t apo_csv_n_fields(apo_csv_rec r);

/* The index of the field of header @p header equal to @p name, or SIZE_MAX. */
size_t apo_csv_column(apo_csv_rec header, const char *name);

/* Whether two records are the same bytes. */
bool apo_csv_same(apo_csv_rec a, apo_csv_rec b);

/* Write @p s as one CSV field: as is, or double-quoted (quotes doubled) when it holds a
 * comma, a double quote or a line end. NULL is written as "". */
void apo_csv_write_field(FILE *f, const char *s);
/* The same, quoting when @p s holds any byte of @p special. */
void apo_csv_write_field_if(FILE *f, const char *s, const char *special);
/* Write @p s double-quoted, its quotes doubled. */
void apo_csv_write_quoted(FILE *f, const char *s);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_UTIL_CSV_H */
