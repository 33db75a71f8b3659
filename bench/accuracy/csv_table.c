// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * csv_table.c: reads a whole CSV file into rows of strings (RFC 4180 quoting) for the
 * accuracy scorer.
 */
#include "csv_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growing array of pointers. */
typedef struct ptr_list {
    void **items;
    size_t n, cap;
} ptr_list;

static bool list_push(ptr_list *l, void *p)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        void **items = realloc(l->items, cap * sizeof *items);
        if (items == NULL) {
            return false;
        }
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = p;
    return true;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *b = realloc(buf, 2 * cap + 1);
            if (b == NULL) {
                free(buf);
                buf = NULL;
            }
            buf = b;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf != NULL) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

/* One field starting at s[*i]; unquotes in place into a new string. */
static char *next_field(const char *s, size_t len, size_t *i)
{
    char *out = malloc(len - *i + 1);
    if (out == NULL) {
        return NULL;
    }
    size_t k = 0;
    if (*i < len && s[*i] == '"') {
        (*i)++;
        while (*i < len) {
            if (s[*i] == '"' && *i + 1 < len && s[*i + 1] == '"') {
                out[k++] = '"';
                *i += 2;
            } else if (s[*i] == '"') {
                (*i)++;
                break;
            } else {
                out[k++] = s[(*i)++];
            }
        }
    }
    while (*i < len && s[*i] != ',' && s[*i] != '\n' && s[*i] != '\r') {
        out[k++] = s[(*i)++];
    }
    out[k] = '\0';
    return out;
}

static void free_row(char **row)
{
    for (size_t c = 0; row != NULL && row[c] != NULL; c++) {
        free(row[c]);
    }
    free(row);
}

/* Parses one record (NULL-terminated array of fields); *i moves past its line break. */
static char **next_row(const char *s, size_t len, size_t *i)
{
    ptr_list f = {0};
    for (;;) {
        char *field = next_field(s, len, i);
        if (field == NULL || !list_push(&f, field)) {
            free(field);
            for (size_t k = 0; k < f.n; k++) {
                free(f.items[k]);
            }
            free(f.items);
            return NULL;
        }
        if (*i < len && s[*i] == ',') {
            (*i)++;
            continue;
        }
        break;
    }
    if (*i < len && s[*i] == '\r') {
        (*i)++;
    }
    if (*i < len && s[*i] == '\n') {
        (*i)++;
    }
    if (!list_push(&f, NULL)) {
        for (size_t k = 0; k < f.n; k++) {
            free(f.items[k]);
        }
        free(f.items);
        return NULL;
    }
    return (char **)f.items;
}

/* Pads or cuts @p row to @p n fields (no terminator needed afterwards). */
static char **fit_row(char **row, size_t n)
{
    size_t have = 0;
    while (row[have] != NULL) {
        have++;
    }
    char **out = calloc(n + 1, sizeof *out);
    if (out == NULL) {
        free_row(row);
        return NULL;
    }
    for (size_t c = 0; c < n; c++) {
        out[c] = c < have ? row[c] : calloc(1, 1);
        if (c < have) {
            row[c] = NULL;
        }
    }
    for (size_t c = n; c < have; c++) {
        free(row[c]);
        row[c] = NULL;
    }
    free(row);
    for (size_t c = 0; c < n; c++) {
        if (out[c] == NULL) {
            free_row(out);
            return NULL;
        }
    }
    return out;
}

bool csv_table_read(csv_table *t, const char *path)
{
    memset(t, 0, sizeof *t);
    size_t len = 0;
    char *s = read_all(path, &len);
    if (s == NULL) {
        return false;
    }
    ptr_list rows = {0};
    size_t i = 0, n_cols = 0;
    bool ok = true;
    while (ok && i < len) {
        char **row = next_row(s, len, &i);
        if (row == NULL) {
            ok = false;
            break;
        }
        if (row[0][0] == '\0' && row[1] == NULL) {
            free_row(row); /* blank line */
            continue;
        }
        if (rows.n == 0) {
            while (row[n_cols] != NULL) {
                n_cols++;
            }
        }
        row = fit_row(row, n_cols);
        ok = row != NULL && list_push(&rows, row);
    }
    free(s);
    t->rows = (char ***)rows.items;
    t->n_cols = n_cols;
    t->n_rows = rows.n > 0 ? rows.n - 1 : 0;
    if (!ok || rows.n == 0) {
        if (rows.n > 0) {
            t->n_rows = rows.n - 1;
        }
        csv_table_free(t);
        return false;
    }
    return true;
}

void csv_table_free(csv_table *t)
{
    if (t->rows != NULL) {
        for (size_t r = 0; r <= t->n_rows; r++) {
            free_row(t->rows[r]);
        }
    }
    free(t->rows);
    memset(t, 0, sizeof *t);
}

size_t csv_table_col(const csv_table *t, const char *name)
{
    for (size_t c = 0; c < t->n_cols; c++) {
        if (strcmp(t->rows[0][c], name) == 0) {
            return c;
        }
    }
    return (size_t)-1;
}

const char *csv_table_get(const csv_table *t, size_t r, size_t c)
{
    return c < t->n_cols && r < t->n_rows ? t->rows[r + 1][c] : "";
}

size_t csv_table_find(const csv_table *t, size_t c, const char *value)
{
    for (size_t r = 0; c < t->n_cols && r < t->n_rows; r++) {
        if (strcmp(t->rows[r + 1][c], value) == 0) {
            return r;
        }
    }
    return (size_t)-1;
}
