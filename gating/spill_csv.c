/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * spill_csv.c: spillover matrices as text files. Reads the FlowJo/FlowKit CSV export (header
 * of detector names, optionally '#'-prefixed, comma or tab separated), optional row names
 * (reordered to the header when they name the same detectors) and R write.table output
 * (space separated, quoted); writes plain CSV atomically through apo_atomic_*.
 */
#include "gating/gating_internal.h"
#include "util/csv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SPILL_CSV_MAX_BYTES ((size_t)16 << 20)
#define SPILL_CSV_MAX_N 512

typedef gate_text_token tok;
typedef gate_text_tokens tok_list;

static bool tok_push(tok_list *l, const char *p, size_t len)
{
    if (l->n == l->cap) {
        const size_t cap = l->cap ? 2 * l->cap : 16;
        tok *v = realloc(l->v, cap * sizeof(*v));
        if (v == NULL) {
            return false;
        }
        l->v = v;
        l->cap = cap;
    }
    /* trim blanks, then one pair of surrounding double quotes */
    while (len > 0 && (*p == ' ' || *p == '\t')) {
        p++;
        len--;
    }
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t')) {
        len--;
    }
    if (len >= 2 && p[0] == '"' && p[len - 1] == '"') {
        p++;
        len -= 2;
    }
    l->v[l->n++] = (tok){p, len};
    return true;
}

bool gate_text_split_line(const char *p, size_t len, char sep, tok_list *out)
{
    out->n = 0;
    if (sep != ' ') {
        size_t start = 0;
        bool quoted = false;
        for (size_t i = 0; i <= len; i++) {
            if (i < len && p[i] == '"') {
                quoted = !quoted;
            }
            if (i == len || (p[i] == sep && !quoted)) {
                if (!tok_push(out, p + start, i - start)) {
                    return false;
                }
                start = i + 1;
            }
        }
        return true;
    }
    size_t i = 0;
    while (i < len) {
        while (i < len && (p[i] == ' ' || p[i] == '\t')) {
            i++;
        }
        if (i == len) {
            break;
        }
        size_t start = i;
        if (p[i] == '"') {
            i++;
            while (i < len && p[i] != '"') {
                i++;
            }
            i += i < len;
        } else {
            while (i < len && p[i] != ' ' && p[i] != '\t') {
                i++;
            }
        }
        if (!tok_push(out, p + start, i - start)) {
            return false;
        }
    }
    return true;
}

bool gate_text_next_line(const char *buf, size_t len, size_t *pos, const char **line,
                         size_t *line_len)
{
    size_t i = *pos;
    if (i >= len) {
        return false;
    }
    const size_t start = i;
    while (i < len && buf[i] != '\n' && buf[i] != '\r') {
        i++;
    }
    *line = buf + start;
    *line_len = i - start;
    if (i < len && buf[i] == '\r') {
        i++;
    }
    if (i < len && buf[i] == '\n' && (i == start + *line_len || buf[i - 1] == '\r')) {
        i++;
    }
    *pos = i;
    return true;
}

static bool is_blank(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] != ' ' && p[i] != '\t') {
            return false;
        }
    }
    return true;
}

static char *tok_dup(tok t)
{
    char *s = malloc(t.len + 1);
    if (s != NULL) {
        memcpy(s, t.p, t.len);
        s[t.len] = '\0';
    }
    return s;
}

static void free_names(char **v, size_t n)
{
    if (v == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        free(v[i]);
    }
    free(v);
}

apo_status gate_comp_parse_csv(gate_comp **out, const char *buf, size_t len, const char *name,
                               apo_error *err)
{
    *out = NULL;
    apo_status st = APO_OK;
    tok_list toks = {0};
    char **det = NULL;
    char **rows = NULL;
    double *m = NULL;
    size_t n = 0;
    size_t row = 0;
    size_t line_no = 0;
    bool any_row_name = false;
    bool all_row_names = true;
    char sep = ',';
    if (len >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB &&
        (unsigned char)buf[2] == 0xBF) {
        buf += 3;
        len -= 3;
    }
    size_t pos = 0;
    const char *lp = NULL;
    size_t ll = 0;
    while (gate_text_next_line(buf, len, &pos, &lp, &ll)) {
        line_no++;
        if (is_blank(lp, ll)) {
            continue;
        }
        if (det == NULL) {
            /* FlowJo's legacy matrix file: a name line, then "<TAB>" naming the separator,
             * then the header. Skip the first two. */
            size_t peek = pos;
            const char *np = NULL;
            size_t nl = 0;
            if (gate_text_next_line(buf, len, &peek, &np, &nl) && nl >= 2 && np[0] == '<' &&
                np[nl - 1] == '>') {
                pos = peek;
                line_no++;
                continue;
            }
            /* header line */
            while (ll > 0 && (*lp == '#' || *lp == ' ')) {
                lp++;
                ll--;
            }
            sep = memchr(lp, '\t', ll) ? '\t' : memchr(lp, ',', ll) ? ',' : ' ';
            if (!gate_text_split_line(lp, ll, sep, &toks)) {
                goto nomem;
            }
            size_t first = 0;
            if (toks.n > 1 && toks.v[0].len == 0) {
                first = 1; /* empty corner cell above a row-name column */
            }
            n = toks.n - first;
            if (n == 0 || n > SPILL_CSV_MAX_N) {
                st = apo_error_set(err, APO_E_FORMAT, name, APO_NO_OFFSET, "header",
                                   "expected 1 to %d detector names in the header, found %zu",
                                   SPILL_CSV_MAX_N, n);
                goto fail;
            }
            det = calloc(n, sizeof(char *));
            rows = calloc(n, sizeof(char *));
            m = malloc(n * n * sizeof(double));
            if (det == NULL || rows == NULL || m == NULL) {
                goto nomem;
            }
            for (size_t i = 0; i < n; i++) {
                det[i] = tok_dup(toks.v[first + i]);
                if (det[i] == NULL) {
                    goto nomem;
                }
            }
            continue;
        }
        if (row == n) {
            st = apo_error_set(err, APO_E_FORMAT, name, APO_NO_OFFSET, NULL,
                               "line %zu: expected %zu matrix rows, found more", line_no, n);
            goto fail;
        }
        if (!gate_text_split_line(lp, ll, sep, &toks)) {
            goto nomem;
        }
        size_t first = 0;
        if (toks.n == n + 1) {
            first = 1;
            any_row_name = true;
            rows[row] = tok_dup(toks.v[0]);
            if (rows[row] == NULL) {
                goto nomem;
            }
        } else if (toks.n == n) {
            all_row_names = false;
        } else {
            st = apo_error_set(err, APO_E_FORMAT, name, APO_NO_OFFSET, NULL,
                               "line %zu: expected %zu values, found %zu fields", line_no, n,
                               toks.n);
            goto fail;
        }
        for (size_t j = 0; j < n; j++) {
            const tok t = toks.v[first + j];
            if (!apo_parse_double(t.p, t.len, false, &m[row * n + j])) {
                st = apo_error_set(err, APO_E_FORMAT, name, APO_NO_OFFSET, det[j],
                                   "line %zu, column %zu: expected a number, found \"%.*s\"",
                                   line_no, j + 1 + first, (int)(t.len > 40 ? 40 : t.len), t.p);
                goto fail;
            }
        }
        row++;
    }
    if (det == NULL) {
        st = apo_error_set(err, APO_E_FORMAT, name, APO_NO_OFFSET, "header",
                           "expected a header of detector names, found an empty file");
        goto fail;
    }
    if (row != n) {
        st = apo_error_set(err, APO_E_FORMAT, name, APO_NO_OFFSET, NULL,
                           "expected %zu matrix rows (one per detector), found %zu", n, row);
        goto fail;
    }
    if (any_row_name && !all_row_names) {
        st = apo_error_set(err, APO_E_FORMAT, name, APO_NO_OFFSET, NULL,
                           "expected a row name on every row or on none, found a mix");
        goto fail;
    }
    if (any_row_name) {
        /* reorder the rows to the header's order when the row names are the detectors */
        size_t *perm = malloc(n * sizeof(size_t));
        double *m2 = malloc(n * n * sizeof(double));
        if (perm == NULL || m2 == NULL) {
            free(perm);
            free(m2);
            goto nomem;
        }
        bool is_perm = true;
        for (size_t i = 0; i < n && is_perm; i++) {
            perm[i] = SIZE_MAX;
            for (size_t r = 0; r < n; r++) {
                if (strcasecmp(rows[r], det[i]) == 0) {
                    perm[i] = r;
                    break;
                }
            }
            for (size_t k = 0; k < i && perm[i] != SIZE_MAX; k++) {
                is_perm = is_perm && perm[k] != perm[i];
            }
            is_perm = is_perm && perm[i] != SIZE_MAX;
        }
        if (is_perm) {
            for (size_t i = 0; i < n; i++) {
                memcpy(m2 + i * n, m + perm[i] * n, n * sizeof(double));
            }
            memcpy(m, m2, n * n * sizeof(double));
            for (size_t i = 0; i < n; i++) {
                free(rows[i]);
                rows[i] = NULL;
            }
        }
        free(perm);
        free(m2);
        if (is_perm) {
            any_row_name = false;
        }
    }
    st = gate_comp_new(out, n, (const char *const *)det,
                       any_row_name ? (const char *const *)rows : NULL, m, err);
    if (st != APO_OK) {
        if (err != NULL && name != NULL) {
            /* Name the CSV file, not the internal "spillover", in the message. */
            apo_error named = *err;
            const char *rest = strstr(err->msg, ": ");
            (void)apo_error_set(&named, st, name, APO_NO_OFFSET, NULL, "%s",
                                rest != NULL ? rest + 2 : err->msg);
            *err = named;
        }
        goto fail;
    }
    snprintf((*out)->source, sizeof((*out)->source), "%s", "csv");
    goto fail; /* common cleanup */
nomem:
    st = apo_error_set(err, APO_E_NOMEM, name, APO_NO_OFFSET, NULL,
                       "expected memory to read the matrix, found none");
fail:
    free(toks.v);
    free_names(det, n);
    free_names(rows, n);
    free(m);
    return st;
}

apo_status gate_comp_read_csv(gate_comp **out, const char *path, apo_error *err)
{
    *out = NULL;
    char *buf = NULL;
    size_t len = 0;
    apo_status st = apo_read_small_file(path, SPILL_CSV_MAX_BYTES, "matrix file", &buf, &len, err);
    if (st == APO_OK) {
        st = gate_comp_parse_csv(out, buf, len, path, err);
    }
    free(buf);
    return st;
}

static void write_name(FILE *fp, const char *s)
{
    const bool quote = strpbrk(s, ",\"\t\r\n") != NULL || s[0] == ' ' || s[0] == '#' ||
                       (s[0] != '\0' && s[strlen(s) - 1] == ' ');
    if (!quote) {
        fputs(s, fp);
        return;
    }
    apo_csv_write_quoted(fp, s);
}

static void write_matrix(const gate_comp *c, FILE *fp)
{
    for (size_t j = 0; j < c->n; j++) {
        if (j > 0) {
            fputc(',', fp);
        }
        write_name(fp, c->detectors[j]);
    }
    fputc('\n', fp);
    char num[64];
    for (size_t i = 0; i < c->n; i++) {
        for (size_t j = 0; j < c->n; j++) {
            apo_format_double(num, sizeof(num), c->spill[i * c->n + j]);
            if (j > 0) {
                fputc(',', fp);
            }
            fputs(num, fp);
        }
        fputc('\n', fp);
    }
}

apo_status gate_comp_write_csv_stream(const gate_comp *c, FILE *fp, apo_error *err)
{
    write_matrix(c, fp);
    if (fflush(fp) != 0 || ferror(fp)) {
        return apo_error_set(err, APO_E_WRITE, NULL, APO_NO_OFFSET, NULL,
                             "expected to write the matrix, found an output error");
    }
    return APO_OK;
}

apo_status gate_comp_write_csv(const gate_comp *c, const char *path, apo_error *err)
{
    apo_atomic_file af;
    apo_status st = apo_atomic_open(&af, path, err);
    if (st != APO_OK) {
        return st;
    }
    write_matrix(c, af.fp);
    if (ferror(af.fp)) {
        apo_atomic_abort(&af);
        return apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL,
                             "expected to write the matrix, found an output error");
    }
    return apo_atomic_commit(&af, err);
}
