/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * csv.c: the one CSV record splitter, field reader and field writer (csv.h).
 */
#include "util/csv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The end of the record starting at @p p: the first line feed outside double quotes. */
static const char *record_end(const char *p, const char *e)
{
    bool q = false;
    while (p < e && (q || *p != '\n')) {
        q = *p == '"' ? !q : q;
        p++;
    }
    return p;
}

apo_csv_rec *apo_csv_records(const char *text, size_t len, size_t *count)
{
    size_t cap = 64, n = 0;
    apo_csv_rec *v = malloc(cap * sizeof *v);
    const char *p = text, *e = text + len;
    while (v != NULL && p < e) {
        const char *s = p;
        p = record_end(p, e);
        size_t rl = (size_t)(p - s);
        if (rl > 0 && s[rl - 1] == '\r') {
            rl--;
        }
        if (p < e) {
            p++;
        }
        if (n == cap) {
            apo_csv_rec *w = realloc(v, 2 * cap * sizeof *v);
            if (w == NULL) {
                free(v);
                return NULL;
            }
            v = w;
            cap *= 2;
        }
        v[n++] = (apo_csv_rec){s, rl};
    }
    *count = n;
    return v;
}

/* The start of field @p k of @p r (past the end when there is none). */
static const char *field_start(apo_csv_rec r, size_t k)
{
    const char *p = r.p, *e = r.p + r.n;
    for (size_t i = 0; i < k && p <= e; i++) {
        bool q = false;
        while (p < e && (q || *p != ',')) {
            q = *p == '"' ? !q : q;
            p++;
        }
        p++;
    }
    return p;
}

void apo_csv_field(apo_csv_rec r, size_t k, char *out, size_t cap)
{
    const char *p = field_start(r, k), *e = r.p + r.n;
    size_t n = 0;
    if (p < e && *p == '"') {
        for (p++; p < e && n + 1 < cap; p++) {
            if (*p == '"') {
                if (p + 1 < e && p[1] == '"') {
                    p++;
                } else {
                    break;
                }
            }
            out[n++] = *p;
        }
    } else {
        while (p < e && *p != ',' && n + 1 < cap) {
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
}

size_t apo_csv_n_fields(apo_csv_rec r)
{
    size_t commas = 0;
    bool q = false;
    for (const char *p = r.p; p < r.p + r.n; p++) {
        q = *p == '"' ? !q : q;
        commas += !q && *p == ',';
    }
    return commas + 1;
}

size_t apo_csv_column(apo_csv_rec header, const char *name)
{
    char buf[256];
    size_t n = apo_csv_n_fields(header);
    for (size_t k = 0; k < n && k < 512; k++) {
        apo_csv_field(header, k, buf, sizeof buf);
        if (strcmp(buf, name) == 0) {
            return k;
        }
    }
    return SIZE_MAX;
}

bool apo_csv_same(apo_csv_rec a, apo_csv_rec b)
{
    return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

void apo_csv_write_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') {
            fputc('"', f);
        }
        fputc(*s, f);
    }
    fputc('"', f);
}

void apo_csv_write_field_if(FILE *f, const char *s, const char *special)
{
    if (s == NULL) {
        s = "";
    }
    if (strpbrk(s, special) == NULL) {
        fputs(s, f);
    } else {
        apo_csv_write_quoted(f, s);
    }
}

void apo_csv_write_field(FILE *f, const char *s)
{
    apo_csv_write_field_if(f, s, ",\"\r\n");
}
