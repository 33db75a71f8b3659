// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * sheet.c: the sample sheet (docs/sample-sheet.md): a CSV with a header row naming the
 * columns file,sample,role,treatment,dose,dose_unit,replicate (only "file" is required; any
 * other column is kept as metadata), RFC 4180 quoting, '#' comment lines, and the lookup of
 * a data file's row.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "assay/assay.h"

#include <limits.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const role_names[] = {"",          "unstained", "annexin_single", "pi_single",
                                         "untreated", "stimulus",  "treated"};

const char *assay_role_name(assay_role r)
{
    return (unsigned)r < sizeof role_names / sizeof role_names[0] ? role_names[r] : "";
}

bool assay_role_parse(const char *s, assay_role *out)
{
    char buf[32];
    size_t n = 0;
    while (*s == ' ') {
        s++;
    }
    for (; *s && n + 1 < sizeof buf; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        buf[n++] = (c == '-' || c == ' ') ? '_' : c;
    }
    while (n > 0 && buf[n - 1] == '_') {
        n--;
    }
    buf[n] = '\0';
    static const struct {
        const char *name;
        assay_role role;
    } alias[] = {{"unstained", ASSAY_ROLE_UNSTAINED},       {"annexin_single", ASSAY_ROLE_ANNEXIN_SINGLE},
                 {"annexin_only", ASSAY_ROLE_ANNEXIN_SINGLE}, {"pi_single", ASSAY_ROLE_PI_SINGLE},
                 {"pi_only", ASSAY_ROLE_PI_SINGLE},         {"untreated", ASSAY_ROLE_UNTREATED},
                 {"stimulus", ASSAY_ROLE_STIMULUS},         {"stimulus_only", ASSAY_ROLE_STIMULUS},
                 {"treated", ASSAY_ROLE_TREATED},           {"", ASSAY_ROLE_UNKNOWN}};
    for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++) {
        if (strcmp(buf, alias[i].name) == 0) {
            *out = alias[i].role;
            return true;
        }
    }
    return false;
}

/* A growing list of fields of one CSV record. */
typedef struct record {
    char **f;
    size_t n, cap;
} record;

static void record_clear(record *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->f[i]);
    }
    r->n = 0;
}

static bool record_push(record *r, const char *s, size_t len)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        char **f = realloc(r->f, cap * sizeof *f);
        if (f == NULL) {
            return false;
        }
        r->f = f;
        r->cap = cap;
    }
    /* trim spaces */
    while (len > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t')) {
        len--;
    }
    char *c = malloc(len + 1);
    if (c == NULL) {
        return false;
    }
    memcpy(c, s, len);
    c[len] = '\0';
    r->f[r->n++] = c;
    return true;
}

/* Parse one record starting at *pos; returns 1 ok, 0 end of input, -1 error. */
static int read_record(const char *t, size_t len, size_t *pos, size_t *line, record *r,
                       char *buf, size_t cap, char sep)
{
    record_clear(r);
    size_t i = *pos;
    if (i >= len) {
        return 0;
    }
    size_t b = 0;
    bool quoted = false, was_quoted = false;
    for (;;) {
        char c = i < len ? t[i] : '\n';
        if (quoted) {
            if (i >= len) {
                return -1; /* unterminated quote */
            }
            if (c == '"') {
                if (i + 1 < len && t[i + 1] == '"') {
                    if (b < cap) {
                        buf[b++] = '"';
                    }
                    i += 2;
                    continue;
                }
                quoted = false;
                i++;
                continue;
            }
            if (c == '\n') {
                (*line)++;
            }
            if (b < cap) {
                buf[b++] = c;
            }
            i++;
            continue;
        }
        if (c == '"' && (b == 0 || was_quoted == false)) {
            quoted = true;
            was_quoted = true;
            b = 0;
            i++;
            continue;
        }
        if (c == sep || c == '\n' || c == '\r') {
            if (!record_push(r, buf, b)) {
                return -1;
            }
            b = 0;
            was_quoted = false;
            if (c == sep) {
                i++;
                continue;
            }
            if (c == '\r' && i + 1 < len && t[i + 1] == '\n') {
                i++;
            }
            i++;
            (*line)++;
            break;
        }
        if (b < cap) {
            buf[b++] = c;
        }
        i++;
    }
    *pos = i;
    return 1;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s);
    char *c = malloc(n + 1);
    if (c != NULL) {
        memcpy(c, s, n + 1);
    }
    return c;
}

static void row_free(const assay_sheet *s, assay_sheet_row *r)
{
    free(r->file);
    free(r->sample);
    free(r->treatment);
    free(r->dose_text);
    free(r->dose_unit);
    for (size_t k = 0; r->extra != NULL && k < s->n_extra; k++) {
        free(r->extra[k]);
    }
    free(r->extra);
}

void assay_sheet_free(assay_sheet *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < s->n_rows; i++) {
        row_free(s, &s->rows[i]);
    }
    free(s->rows);
    for (size_t k = 0; k < s->n_extra; k++) {
        free(s->extra_names[k]);
    }
    free(s->extra_names);
    free(s->dir);
    memset(s, 0, sizeof *s);
}

enum { COL_FILE, COL_SAMPLE, COL_ROLE, COL_TREATMENT, COL_DOSE, COL_UNIT, COL_REP, COL_DATASET,
       COL_N };
static const char *const std_cols[COL_N] = {"file", "sample", "role", "treatment",
                                            "dose", "dose_unit", "replicate", "dataset"};

/*
 * The field separator of a sheet (docs/sample-sheet.md): spreadsheets save CSV with ',' or,
 * in locales whose decimal mark is a comma, with ';'; a tab-separated export is also common.
 * The header line decides: the separator among ',', ';' and tab that occurs most often in it
 * outside quotes (',' on a tie or when none occurs).
 */
static char detect_separator(const char *t, size_t len, size_t pos)
{
    /* the first line that is neither blank nor a '#' comment */
    while (pos < len) {
        if (t[pos] == '\n' || t[pos] == '\r') {
            pos++;
        } else if (t[pos] == '#') {
            while (pos < len && t[pos] != '\n') {
                pos++;
            }
        } else {
            break;
        }
    }
    size_t n_comma = 0, n_semi = 0, n_tab = 0;
    bool quoted = false;
    for (size_t i = pos; i < len && (quoted || (t[i] != '\n' && t[i] != '\r')); i++) {
        char c = t[i];
        quoted = c == '"' ? !quoted : quoted;
        n_comma += !quoted && c == ',';
        n_semi += !quoted && c == ';';
        n_tab += !quoted && c == '\t';
    }
    if (n_semi > n_comma && n_semi >= n_tab) {
        return ';';
    }
    if (n_tab > n_comma && n_tab > n_semi) {
        return '\t';
    }
    return ',';
}

/*
 * A number of a numeric column: '.' as the decimal mark, or a decimal comma ("12,5", as a
 * spreadsheet in a comma locale writes it): one ',' and no '.' is read as the decimal mark.
 */
static bool parse_number(const char *s, double *out)
{
    size_t n = strlen(s);
    const char *comma = strchr(s, ',');
    if (comma != NULL && strchr(comma + 1, ',') == NULL && strchr(s, '.') == NULL && n < 64) {
        char buf[64];
        memcpy(buf, s, n + 1);
        buf[comma - s] = '.';
        return apo_parse_double(buf, n, false, out);
    }
    return apo_parse_double(s, n, false, out);
}

/* "file.fcs#2": data set 2 of file.fcs. Cuts the suffix off @p file and returns N, 0 when there
 * is none (a '#' not followed by digits only stays part of the name); SIZE_MAX for #0. */
static size_t split_dataset_suffix(char *file)
{
    char *hash = strrchr(file, '#');
    if (hash == NULL || hash[1] == '\0') {
        return 0;
    }
    uint64_t v = 0;
    if (!apo_parse_u64(hash + 1, strlen(hash + 1), &v) || strspn(hash + 1, "0123456789") !=
                                                             strlen(hash + 1)) {
        return 0;
    }
    *hash = '\0';
    return v == 0 || v > 1000000 ? SIZE_MAX : (size_t)v;
}

static bool blank_record(const record *r)
{
    for (size_t i = 0; i < r->n; i++) {
        if (r->f[i][0] != '\0') {
            return false;
        }
    }
    return true;
}

typedef struct sample_ref {
    const char *sample;
    size_t row;
} sample_ref;

static int cmp_sample_ref(const void *a, const void *b)
{
    const sample_ref *x = a, *y = b;
    int c = strcmp(x->sample, y->sample);
    return c != 0 ? c : (x->row > y->row) - (x->row < y->row);
}

/*
 * The first row (in file order) whose sample name an earlier row already has: *dup_i, with
 * that earlier row in *dup_j (SIZE_MAX when all are unique). Sorting keeps this O(n log n):
 * the sheet is untrusted input. Returns false when out of memory.
 */
static bool find_duplicate_sample(const assay_sheet *sh, size_t *dup_i, size_t *dup_j)
{
    *dup_i = *dup_j = SIZE_MAX;
    if (sh->n_rows < 2) {
        return true;
    }
    sample_ref *refs = malloc(sh->n_rows * sizeof *refs);
    if (refs == NULL) {
        return false;
    }
    for (size_t i = 0; i < sh->n_rows; i++) {
        refs[i] = (sample_ref){sh->rows[i].sample, i};
    }
    qsort(refs, sh->n_rows, sizeof *refs, cmp_sample_ref);
    for (size_t k = 1; k < sh->n_rows; k++) {
        /* within a run of equal names, the second is the first repeat of that name */
        bool repeat = strcmp(refs[k].sample, refs[k - 1].sample) == 0;
        bool second = k < 2 || strcmp(refs[k - 1].sample, refs[k - 2].sample) != 0;
        if (repeat && second && refs[k].row < *dup_i) {
            *dup_i = refs[k].row;
            *dup_j = refs[k - 1].row;
        }
    }
    free(refs);
    return true;
}

/* One sheet being parsed. */
typedef struct sheet_parser {
    const char *text;
    size_t len, pos, line;
    const char *name;
    record r;
    char *buf;
    size_t cap;
    size_t col[COL_N];  /* the standard columns' fields (SIZE_MAX = absent) */
    size_t *extra_col;  /* the extra columns' fields */
    size_t n_fields;    /* fields of the header */
    assay_sheet *out;
} sheet_parser;

static apo_status sheet_nomem(const sheet_parser *p, apo_error *err)
{
    return apo_error_set(err, APO_E_NOMEM, p->name, APO_NO_OFFSET, NULL, "out of memory");
}

/* The header: the first record that is not a comment; the standard columns by name (the
 * first of each), every other column kept as an extra one. */
static apo_status read_header(sheet_parser *p, apo_error *err)
{
    assay_sheet *out = p->out;
    record *r = &p->r;
    int rc;
    size_t header_line;
    do {
        header_line = p->line;
        rc = read_record(p->text, p->len, &p->pos, &p->line, r, p->buf, p->cap, out->sep);
    } while (rc == 1 && (blank_record(r) || r->f[0][0] == '#'));
    if (rc != 1) {
        return apo_error_set(err, APO_E_FORMAT, p->name, APO_NO_OFFSET, "header",
                             "expected a header row naming the columns, found %s",
                             rc == 0 ? "an empty file" : "a broken quote");
    }
    for (int c = 0; c < COL_N; c++) {
        p->col[c] = SIZE_MAX;
    }
    p->extra_col = calloc(r->n, sizeof *p->extra_col);
    out->extra_names = calloc(r->n, sizeof *out->extra_names);
    if (p->extra_col == NULL || out->extra_names == NULL) {
        return sheet_nomem(p, err);
    }
    p->n_fields = r->n;
    for (size_t i = 0; i < r->n; i++) {
        int hit = -1;
        for (int c = 0; c < COL_N; c++) {
            if (strcasecmp(r->f[i], std_cols[c]) == 0 ||
                (c == COL_SAMPLE && strcasecmp(r->f[i], "sample_id") == 0)) {
                hit = c;
            }
        }
        if (hit >= 0 && p->col[hit] == SIZE_MAX) {
            p->col[hit] = i;
        } else {
            p->extra_col[out->n_extra] = i;
            out->extra_names[out->n_extra] = xstrdup(r->f[i]);
            if (out->extra_names[out->n_extra] == NULL) {
                return sheet_nomem(p, err);
            }
            out->n_extra++;
        }
    }
    if (p->col[COL_FILE] == SIZE_MAX) {
        return apo_error_set(err, APO_E_FORMAT, p->name, APO_NO_OFFSET, "header",
                             "expected a column named \"file\" on line %zu, found none",
                             header_line);
    }
    return APO_OK;
}

/* A new zeroed row at the end of the sheet. */
static assay_sheet_row *add_row(sheet_parser *p, size_t *cap_rows)
{
    assay_sheet *out = p->out;
    if (out->n_rows == *cap_rows) {
        size_t nc = *cap_rows ? 2 * *cap_rows : 32;
        assay_sheet_row *rows = realloc(out->rows, nc * sizeof *rows);
        if (rows == NULL) {
            return NULL;
        }
        out->rows = rows;
        *cap_rows = nc;
    }
    assay_sheet_row *row = &out->rows[out->n_rows];
    memset(row, 0, sizeof *row);
    out->n_rows++;
    return row;
}

/* The row's text fields copied (the standard ones in @p v, then the extra columns). */
static apo_status row_strings(sheet_parser *p, assay_sheet_row *row, const char *const *v,
                              apo_error *err)
{
    const record *r = &p->r;
    const size_t n_extra = p->out->n_extra;
    row->file = xstrdup(v[COL_FILE]);
    row->sample = xstrdup(v[COL_SAMPLE]);
    row->treatment = xstrdup(v[COL_TREATMENT]);
    row->dose_text = xstrdup(v[COL_DOSE]);
    row->dose_unit = xstrdup(v[COL_UNIT]);
    row->extra = calloc(n_extra ? n_extra : 1, sizeof *row->extra);
    if (!row->file || !row->sample || !row->treatment || !row->dose_text || !row->dose_unit ||
        !row->extra) {
        return sheet_nomem(p, err);
    }
    for (size_t k = 0; k < n_extra; k++) {
        row->extra[k] = xstrdup(p->extra_col[k] < r->n ? r->f[p->extra_col[k]] : "");
        if (row->extra[k] == NULL) {
            return sheet_nomem(p, err);
        }
    }
    return APO_OK;
}

/* The data set a row names: the dataset column or a FILE#N suffix (cut from the file). */
static apo_status row_dataset(sheet_parser *p, assay_sheet_row *row, const char *text,
                              apo_error *err)
{
    size_t ds_suffix = split_dataset_suffix(row->file);
    uint64_t dsn = 0;
    if (text[0] != '\0' &&
        (!apo_parse_u64(text, strlen(text), &dsn) || dsn == 0 || dsn > 1000000)) {
        return apo_error_set(err, APO_E_FORMAT, p->name, APO_NO_OFFSET, "dataset",
                             "line %zu: expected a data set number from 1, found \"%s\"",
                             row->line, text);
    }
    if (ds_suffix == SIZE_MAX || (ds_suffix != 0 && dsn != 0 && ds_suffix != dsn)) {
        return apo_error_set(err, APO_E_FORMAT, p->name, APO_NO_OFFSET, "dataset",
                             "line %zu: expected one data set number from 1 (FILE#N or the "
                             "dataset column), found %s",
                             row->line, ds_suffix == SIZE_MAX ? "#0" : "two different ones");
    }
    row->dataset = dsn != 0 ? (size_t)dsn : ds_suffix;
    return APO_OK;
}

/* The row's role, dose, replicate and data set, checked. */
static apo_status row_values(sheet_parser *p, assay_sheet_row *row, const char *const *v,
                             apo_error *err)
{
    const size_t line = row->line;
    if (row->file[0] == '\0') {
        return apo_error_set(err, APO_E_FORMAT, p->name, APO_NO_OFFSET, "file",
                             "line %zu: expected a file name, found an empty field", line);
    }
    if (!assay_role_parse(v[COL_ROLE], &row->role)) {
        return apo_error_set(err, APO_E_FORMAT, p->name, APO_NO_OFFSET, "role",
                             "line %zu: expected a role (unstained, annexin_single, pi_single, "
                             "untreated, stimulus, treated), found \"%s\"",
                             line, v[COL_ROLE]);
    }
    row->dose = NAN;
    if (row->dose_text[0] != '\0' && !parse_number(row->dose_text, &row->dose)) {
        return apo_error_set(err, APO_E_FORMAT, p->name, APO_NO_OFFSET, "dose",
                             "line %zu: expected a number, found \"%s\"", line, row->dose_text);
    }
    uint64_t rep = 0;
    if (v[COL_REP][0] != '\0' &&
        (!apo_parse_u64(v[COL_REP], strlen(v[COL_REP]), &rep) || rep > 1000000)) {
        return apo_error_set(err, APO_E_FORMAT, p->name, APO_NO_OFFSET, "replicate",
                             "line %zu: expected a whole number, found \"%s\"", line,
                             v[COL_REP]);
    }
    row->replicate = (unsigned)rep;
    return row_dataset(p, row, v[COL_DATASET], err);
}

/* Default sample name: the file's base name without extension. */
static apo_status default_sample(sheet_parser *p, assay_sheet_row *row, apo_error *err)
{
    if (row->sample[0] != '\0') {
        return APO_OK;
    }
    const char *base = strrchr(row->file, '/');
    base = base ? base + 1 : row->file;
    free(row->sample);
    row->sample = xstrdup(base);
    if (row->sample == NULL) {
        return sheet_nomem(p, err);
    }
    char *dot = strrchr(row->sample, '.');
    if (dot != NULL && dot != row->sample) {
        *dot = '\0';
    }
    return APO_OK;
}

/* The rows after the header (comment and blank lines skipped). */
static apo_status read_rows(sheet_parser *p, apo_error *err)
{
    size_t cap_rows = 0;
    const record *r = &p->r;
    for (;;) {
        size_t rec_line = p->line;
        int rc = read_record(p->text, p->len, &p->pos, &p->line, &p->r, p->buf, p->cap,
                             p->out->sep);
        if (rc == 0) {
            return APO_OK;
        }
        if (rc < 0) {
            return apo_error_set(err, APO_E_FORMAT, p->name, APO_NO_OFFSET, NULL,
                                 "line %zu: expected a closing quote, found the end of the file",
                                 rec_line);
        }
        if (blank_record(r) || r->f[0][0] == '#') {
            continue;
        }
        if (r->n > p->n_fields) {
            return apo_error_set(err, APO_E_FORMAT, p->name, APO_NO_OFFSET, NULL,
                                 "line %zu: expected at most %zu fields, found %zu", rec_line,
                                 p->n_fields, r->n);
        }
        assay_sheet_row *row = add_row(p, &cap_rows);
        if (row == NULL) {
            return sheet_nomem(p, err);
        }
        row->line = rec_line;
        const char *v[COL_N];
        for (int c = 0; c < COL_N; c++) {
            v[c] = p->col[c] < r->n ? r->f[p->col[c]] : "";
        }
        apo_status st = row_strings(p, row, v, err);
        if (st == APO_OK) {
            st = row_values(p, row, v, err);
        }
        if (st == APO_OK) {
            st = default_sample(p, row, err);
        }
        if (st != APO_OK) {
            return st;
        }
    }
}

/* Sample names must be unique: the first repeat is named with both lines. */
static apo_status check_unique_samples(sheet_parser *p, apo_error *err)
{
    const assay_sheet *out = p->out;
    size_t dup_i = SIZE_MAX, dup_j = SIZE_MAX;
    if (!find_duplicate_sample(out, &dup_i, &dup_j)) {
        return sheet_nomem(p, err);
    }
    if (dup_i != SIZE_MAX) {
        return apo_error_set(err, APO_E_FORMAT, p->name, APO_NO_OFFSET, "sample",
                             "line %zu: expected unique sample names, found \"%s\" again "
                             "(first on line %zu)",
                             out->rows[dup_i].line, out->rows[dup_i].sample,
                             out->rows[dup_j].line);
    }
    return APO_OK;
}

apo_status assay_sheet_parse(assay_sheet *out, const char *text, size_t len, const char *name,
                            apo_error *err)
{
    memset(out, 0, sizeof *out);
    sheet_parser p = {.text = text, .len = len, .line = 1, .name = name, .cap = 4096, .out = out};
    p.buf = malloc(p.cap);
    if (p.buf == NULL) {
        return sheet_nomem(&p, err);
    }
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        p.pos = 3; /* UTF-8 byte order mark */
    }
    out->sep = detect_separator(text, len, p.pos);
    apo_status st = read_header(&p, err);
    if (st == APO_OK) {
        st = read_rows(&p, err);
    }
    if (st == APO_OK) {
        st = check_unique_samples(&p, err);
    }
    if (st == APO_OK) {
        out->dir = xstrdup(".");
        st = out->dir == NULL ? sheet_nomem(&p, err) : APO_OK;
    }
    record_clear(&p.r);
    free(p.r.f);
    free(p.buf);
    free(p.extra_col);
    if (st != APO_OK) {
        assay_sheet_free(out);
    }
    return st;
}

apo_status assay_sheet_read(assay_sheet *out, const char *path, apo_error *err)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        apo_status st = apo_error_set(err, APO_E_IO, path, APO_NO_OFFSET, NULL,
                                      "cannot open the sample sheet: %s", strerror(errno));
        if (err != NULL) {
            err->sys_errno = errno;
        }
        return st;
    }
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    while (text != NULL) {
        size_t got = fread(text + len, 1, cap - len, f);
        len += got;
        if (len < cap) {
            break;
        }
        if (cap > ((size_t)64 << 20)) {
            free(text);
            fclose(f);
            return apo_error_set(err, APO_E_RANGE, path, APO_NO_OFFSET, NULL,
                                 "expected a sample sheet under 64 MiB, found a larger file");
        }
        char *t = realloc(text, cap * 2);
        if (t == NULL) {
            free(text);
            text = NULL;
            break;
        }
        text = t;
        cap *= 2;
    }
    bool bad = ferror(f) != 0;
    fclose(f);
    if (text == NULL) {
        return apo_error_set(err, APO_E_NOMEM, path, APO_NO_OFFSET, NULL, "out of memory");
    }
    if (bad) {
        free(text);
        return apo_error_set(err, APO_E_IO, path, APO_NO_OFFSET, NULL, "read error");
    }
    apo_status st = assay_sheet_parse(out, text, len, path, err);
    free(text);
    if (st != APO_OK) {
        return st;
    }
    const char *slash = strrchr(path, '/');
    if (slash != NULL) {
        size_t n = (size_t)(slash - path);
        char *dir = malloc(n + 2);
        if (dir == NULL) {
            assay_sheet_free(out);
            return apo_error_set(err, APO_E_NOMEM, path, APO_NO_OFFSET, NULL, "out of memory");
        }
        memcpy(dir, path, n);
        dir[n] = '\0';
        if (n == 0) {
            dir[0] = '/';
            dir[1] = '\0';
        }
        free(out->dir);
        out->dir = dir;
    }
    return APO_OK;
}

/* Compare two paths after dropping "./" components and duplicate slashes. */
static bool same_path(const char *a, const char *b)
{
    for (;;) {
        while (a[0] == '.' && a[1] == '/') {
            a += 2;
        }
        while (b[0] == '.' && b[1] == '/') {
            b += 2;
        }
        while (*a == '/' && a[1] == '/') {
            a++;
        }
        while (*b == '/' && b[1] == '/') {
            b++;
        }
        if (*a != *b) {
            return false;
        }
        if (*a == '\0') {
            return true;
        }
        a++;
        b++;
        if (a[-1] == '/') {
            continue;
        }
    }
}

const assay_sheet_row *assay_sheet_find(const assay_sheet *s, const char *path)
{
    char buf[4096];
    for (size_t i = 0; i < s->n_rows; i++) {
        const char *f = s->rows[i].file;
        if (f[0] == '/') {
            if (same_path(f, path)) {
                return &s->rows[i];
            }
            continue;
        }
        snprintf(buf, sizeof buf, "%s/%s", s->dir ? s->dir : ".", f);
        if (same_path(buf, path)) {
            return &s->rows[i];
        }
    }
    /* the same file spelled differently (absolute vs relative, symlinks) */
    char want[PATH_MAX], got[PATH_MAX];
    if (realpath(path, want) == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < s->n_rows; i++) {
        const char *f = s->rows[i].file;
        if (f[0] == '/') {
            snprintf(buf, sizeof buf, "%s", f);
        } else {
            snprintf(buf, sizeof buf, "%s/%s", s->dir ? s->dir : ".", f);
        }
        if (realpath(buf, got) != NULL && strcmp(got, want) == 0) {
            return &s->rows[i];
        }
    }
    return NULL;
}

size_t assay_sheet_keep_datasets(assay_sheet *s, const char *path, const size_t *keep,
                                 size_t n_keep)
{
    const assay_sheet_row *any = assay_sheet_find(s, path);
    if (any == NULL) {
        return 0;
    }
    char *file = strdup(any->file); /* the rows of this file are spelled like this one */
    if (file == NULL) {
        return 0;
    }
    size_t w = 0, removed = 0;
    for (size_t i = 0; i < s->n_rows; i++) {
        assay_sheet_row *r = &s->rows[i];
        bool kept = strcmp(r->file, file) != 0;
        for (size_t k = 0; !kept && k < n_keep; k++) {
            kept = keep[k] == (r->dataset > 0 ? r->dataset : 1);
        }
        if (kept) {
            s->rows[w++] = *r;
        } else {
            row_free(s, r);
            removed++;
        }
    }
    s->n_rows = w;
    free(file);
    return removed;
}
