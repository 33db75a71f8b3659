/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * csv_table.h: a whole CSV file (RFC 4180: quoted fields with doubled quotes, commas and line
 * breaks inside quotes) read into rows of strings, with the columns named by the first row.
 * For the accuracy scorer, which reads apoflow's tables and the simulator's truth.
 */
#ifndef APOFLOW_BENCH_CSV_TABLE_H
#define APOFLOW_BENCH_CSV_TABLE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct csv_table {
    size_t n_rows;  /* data rows (the header row not counted) */
    size_t n_cols;  /* columns of the header */
    char ***rows;   /* rows[r][c], r = 0 the header; every row has n_cols fields ("" padded) */
} csv_table;

/* Read @p path; false (and *t zeroed) when it cannot be read or has no header. */
bool csv_table_read(csv_table *t, const char *path);
void csv_table_free(csv_table *t);
/* Column index of @p name in the header, or (size_t)-1. */
size_t csv_table_col(const csv_table *t, const char *name);
/* Field of data row @p r (0-based) in column @p c; "" when c is (size_t)-1. */
const char *csv_table_get(const csv_table *t, size_t r, size_t c);
/* Data row whose column @p c equals @p value, or (size_t)-1. */
size_t csv_table_find(const csv_table *t, size_t c, const char *value);

#endif /* APOFLOW_BENCH_CSV_TABLE_H */
