/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * results_xlsx.c: results.xlsx (results_xlsx.h, docs/outputs.md). The workbook is made from
 * the CSV tables just written into the output folder, so its sheets have the CSVs' columns by
 * construction, for a run and for a merge alike. Each column gets one cell type: numbers
 * when every non-empty field of the column is a number (the CSV's double, which libxlsxwriter
 * stores to 16 significant digits), booleans when every one is true/false, text otherwise
 * (and always for the naming columns: a sample called "7" stays text). An empty field (NaN,
 * a failed sample) is a blank cell. The Prism sheets group the samples.csv rows as the
 * comparisons do (role; treatment, dose and unit of treated samples) in the order of
 * comparisons.csv. Written by libxlsxwriter (OOXML, zip) into apo_atomic_open's temporary
 * file, then renamed into place.
 */
#include "assay/results_xlsx.h"

#include "assay/assay.h"
#include "util/csv.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xlsxwriter.h>

#define TABLE_MAX_BYTES ((size_t)1 << 31)
/* Excel's limits of a worksheet (rows and columns) and of one cell's text (characters). */
#define SHEET_MAX_ROWS ((size_t)1048576)
#define SHEET_MAX_COLS ((size_t)16384)
#define CELL_MAX_BYTES ((size_t)32767)
/* The workbook's creation date (1980-01-01T00:00:00Z, the zip format's own epoch): fixed, so
 * the same tables give the same file (the run's date is in report.html and manifest.json). */
#define XLSX_CREATED ((time_t)315532800)
/* Replicate numbers above this do not become row numbers of the Prism sheets. */
#define PRISM_MAX_REPLICATE 10000u

static const char *const endpoint_columns[ASSAY_XLSX_N_ENDPOINTS] = {
    "viable_pct", "early_apoptotic_pct", "late_apoptotic_pct", "necrotic_pct", "apoptotic_pct"};

/* Columns that name things: text even when every value looks like a number. */
static const char *const text_columns[] = {
    "sample",     "file",          "role",      "treatment",  "dose_unit",
    "well",       "qc_flags",      "qc_detail", "error",      "test",
    "test_vs_untreated", "note",   "comparison", "adjust_method", "ci_method",
    "population", "channel",       "annexin_channel", "pi_channel"};

const char *assay_xlsx_endpoint_column(int k)
{
    return k >= 0 && k < ASSAY_XLSX_N_ENDPOINTS ? endpoint_columns[k] : NULL;
}

/* One CSV table of the output folder. */
typedef struct table {
    const char *name; /* the sheet's name and the file's stem */
    char *text;
    size_t len;
    apo_csv_rec *rec; /* header first */
    size_t n, n_cols;
    size_t longest;   /* the longest record, in bytes */
} table;

typedef enum col_kind { COL_TEXT = 0, COL_NUMBER, COL_BOOL } col_kind;

/* The workbook being written and what had to be cut or repaired (said at the end). */
typedef struct book {
    lxw_workbook *wb;
    lxw_format *bold;
    char *field, *text; /* one field unquoted; its text made valid UTF-8 (3x + 1) */
    size_t cap;         /* bytes of field */
    lxw_error lerr;     /* the first error of libxlsxwriter */
    const char *lerr_sheet;
    const apo_observer *obs;
} book;

static apo_status nomem(apo_error *err)
{
    return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
}

static void table_free(table *t)
{
    free(t->text);
    free(t->rec);
    memset(t, 0, sizeof *t);
}

static apo_status table_read(table *t, const char *outdir, const char *name, apo_error *err)
{
    char path[PATH_MAX];
    memset(t, 0, sizeof *t);
    t->name = name;
    snprintf(path, sizeof path, "%s/%s.csv", outdir, name);
    apo_status st = apo_read_small_file(path, TABLE_MAX_BYTES, "result table", &t->text,
                                        &t->len, err);
    if (st != APO_OK) {
        return st;
    }
    t->rec = apo_csv_records(t->text, t->len, &t->n);
    if (t->rec == NULL) {
        return nomem(err);
    }
    for (size_t i = 0; i < t->n; i++) {
        t->longest = t->rec[i].n > t->longest ? t->rec[i].n : t->longest;
    }
    t->n_cols = t->n > 0 ? apo_csv_n_fields(t->rec[0]) : 0;
    return APO_OK;
}

/* Make room in @p b for the fields of @p t. */
static apo_status book_room(book *b, const table *t, apo_error *err)
{
    if (t->longest + 1 <= b->cap) {
        return APO_OK;
    }
    size_t cap = t->longest + 1;
    char *f = realloc(b->field, cap), *x = f ? realloc(b->text, 3 * cap + 1) : NULL;
    if (f != NULL) {
        b->field = f;
    }
    if (x == NULL) {
        return nomem(err);
    }
    b->text = x;
    b->cap = cap;
    return APO_OK;
}

static const char *field(book *b, apo_csv_rec r, size_t k)
{
    apo_csv_field(r, k, b->field, b->cap);
    return b->field;
}

static void note_error(book *b, lxw_error e, const char *sheet)
{
    if (e != LXW_NO_ERROR && b->lerr == LXW_NO_ERROR) {
        b->lerr = e;
        b->lerr_sheet = sheet;
    }
}

/* ---- cell values ------------------------------------------------------------------------ */

static bool is_number(const char *s, double *v)
{
    size_t n = strlen(s);
    return n > 0 && s[0] != ' ' && s[n - 1] != ' ' && apo_parse_double(s, n, false, v) &&
           isfinite(*v);
}

static bool is_bool(const char *s, bool *v)
{
    *v = strcmp(s, "true") == 0;
    return *v || strcmp(s, "false") == 0;
}

/* The length of the valid UTF-8 sequence at @p s (0: none): no overlong form, no surrogate,
 * nothing above U+10FFFF. */
static size_t utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80) {
        return 1;
    }
    size_t n = (s[0] & 0xE0) == 0xC0   ? 2
               : (s[0] & 0xF0) == 0xE0 ? 3
               : (s[0] & 0xF8) == 0xF0 ? 4
                                       : 0;
    unsigned cp = n == 2 ? s[0] & 0x1Fu : n == 3 ? s[0] & 0x0Fu : s[0] & 0x07u;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    static const unsigned least[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (n == 0 || cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return n;
}

/*
 * @p s as a cell's text: valid UTF-8 (an invalid byte becomes U+FFFD), no control character
 * XML 1.0 cannot hold (each becomes U+FFFD), at most CELL_MAX_BYTES bytes (cut at a character).
 * *repaired / *cut say whether it had to be changed.
 */
static const char *cell_text(book *b, const char *s, bool *repaired, bool *cut)
{
    const unsigned char *p = (const unsigned char *)s;
    char *o = b->text;
    size_t w = 0;
    while (*p) {
        size_t n = utf8_len(p);
        bool ok = n > 0 && !(n == 1 && *p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r');
        size_t add = ok ? n : 3;
        if (w + add > CELL_MAX_BYTES) {
            *cut = true;
            break;
        }
        if (ok) {
            memcpy(o + w, p, n);
        } else {
            memcpy(o + w, "\xEF\xBF\xBD", 3);
            *repaired = true;
        }
        w += add;
        p += ok ? n : 1;
    }
    o[w] = '\0';
    return o;
}

/* Display characters of @p s (UTF-8 lead bytes). */
static size_t chars_of(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        n += ((unsigned char)*s & 0xC0) != 0x80;
    }
    return n;
}

/* ---- the table sheets ------------------------------------------------------------------- */

static bool forced_text(const char *name)
{
    for (size_t i = 0; i < sizeof text_columns / sizeof *text_columns; i++) {
        if (strcmp(name, text_columns[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* The cell type of each column and its width (characters). */
static void column_kinds(book *b, const table *t, size_t n_cols, size_t n_rows, col_kind *kind,
                         double *width)
{
    for (size_t c = 0; c < n_cols; c++) {
        const char *h = field(b, t->rec[0], c);
        size_t wide = chars_of(h) + 1; /* bold */
        bool text = forced_text(h);
        size_t nums = 0, bools = 0, others = 0;
        for (size_t r = 1; r < n_rows; r++) {
            const char *f = field(b, t->rec[r], c);
            double v;
            bool bv;
            size_t w = chars_of(f);
            if (f[0] == '\0') {
                continue;
            } else if (is_number(f, &v)) {
                nums++;
                w = w > 11 ? 11 : w; /* Excel's General format shows up to 11 characters */
            } else if (is_bool(f, &bv)) {
                bools++;
            } else {
                others++;
            }
            wide = w > wide ? w : wide;
        }
        kind[c] = text || others > 0 ? COL_TEXT
                  : nums > 0 && bools == 0 ? COL_NUMBER
                  : bools > 0 && nums == 0 ? COL_BOOL
                                           : COL_TEXT;
        width[c] = (double)(wide < 6 ? 6 : wide > 60 ? 60 : wide) + 2;
    }
}

static void write_cell(book *b, lxw_worksheet *ws, const char *sheet, size_t r, size_t c,
                       const char *f, col_kind kind, size_t *repaired, size_t *cut)
{
    double v;
    bool bv, rep = false, ct = false;
    lxw_row_t row = (lxw_row_t)r;
    lxw_col_t col = (lxw_col_t)c;
    lxw_error e = LXW_NO_ERROR;
    if (f[0] == '\0') {
        return; /* blank */
    } else if (kind == COL_NUMBER && is_number(f, &v)) {
        e = worksheet_write_number(ws, row, col, v, NULL);
    } else if (kind == COL_BOOL && is_bool(f, &bv)) {
        e = worksheet_write_boolean(ws, row, col, bv, NULL);
    } else {
        e = worksheet_write_string(ws, row, col, cell_text(b, f, &rep, &ct),
                                   r == 0 ? b->bold : NULL);
    }
    *repaired += rep;
    *cut += ct;
    note_error(b, e, sheet);
}

/* What had to be cut or repaired on sheet @p name (made from @p csv), as warnings. */
static void say_cuts(const book *b, const char *name, const char *csv, size_t rows, size_t cols,
                     size_t repaired, size_t cut)
{
    if (rows > 0 || cols > 0) {
        apo_observe_note(b->obs, APO_NOTE_WARNING,
                         "results.xlsx: sheet %s: %zu rows and %zu columns beyond a worksheet's "
                         "%zu rows and %zu columns were left out (%s has them all)",
                         name, rows, cols, SHEET_MAX_ROWS, SHEET_MAX_COLS, csv);
    }
    if (cut > 0) {
        apo_observe_note(b->obs, APO_NOTE_WARNING,
                         "results.xlsx: sheet %s: %zu text%s longer than a cell holds (%zu "
                         "bytes) cut (%s has them whole)",
                         name, cut, cut == 1 ? "" : "s", CELL_MAX_BYTES, csv);
    }
    if (repaired > 0) {
        apo_observe_note(b->obs, APO_NOTE_WARNING,
                         "results.xlsx: sheet %s: %zu text%s had bytes that are not UTF-8 "
                         "characters, or control characters; each such byte is U+FFFD there "
                         "(%s has the bytes as they were)",
                         name, repaired, repaired == 1 ? "" : "s", csv);
    }
}

static apo_status write_table(book *b, const table *t, apo_error *err)
{
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, t->name);
    if (ws == NULL) {
        return nomem(err);
    }
    if (t->n == 0) {
        return APO_OK;
    }
    size_t n_cols = t->n_cols < SHEET_MAX_COLS ? t->n_cols : SHEET_MAX_COLS;
    size_t n_rows = t->n < SHEET_MAX_ROWS ? t->n : SHEET_MAX_ROWS;
    col_kind *kind = calloc(n_cols ? n_cols : 1, sizeof *kind);
    double *width = calloc(n_cols ? n_cols : 1, sizeof *width);
    if (kind == NULL || width == NULL) {
        free(kind);
        free(width);
        return nomem(err);
    }
    column_kinds(b, t, n_cols, n_rows, kind, width);
    for (size_t c = 0; c < n_cols; c++) {
        note_error(b, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, width[c], NULL),
                   t->name);
    }
    /* the header row stays in view; on the wide samples sheet the sample name too */
    worksheet_freeze_panes(ws, 1, strcmp(t->name, "samples") == 0 ? 1 : 0);
    size_t repaired = 0, cut = 0;
    for (size_t r = 0; r < n_rows; r++) {
        for (size_t c = 0; c < n_cols; c++) {
            write_cell(b, ws, t->name, r, c, field(b, t->rec[r], c), r == 0 ? COL_TEXT : kind[c],
                       &repaired, &cut);
        }
    }
    char csv[64];
    snprintf(csv, sizeof csv, "%s.csv", t->name);
    say_cuts(b, t->name, csv, t->n - n_rows, t->n_cols - n_cols, repaired, cut);
    free(kind);
    free(width);
    return APO_OK;
}

/* ---- the Prism sheets ------------------------------------------------------------------- */

/* A group of samples: the untreated, the stimulus-only, or one treated group. */
typedef struct prism_group {
    assay_role role;
    char *treatment, *dose, *unit; /* owned; of treated groups (the title of the others) */
    double dose_value;             /* NaN when none */
    char title[256];
    size_t id;                     /* its index before sorting */
    size_t n, first;               /* its samples: members[first .. first + n) */
    bool aligned;                  /* rows are replicate numbers */
} prism_group;

/* One sample of a group: its samples.csv row, replicate and Prism row (1-based). */
typedef struct prism_member {
    size_t rec, group, order;
    unsigned replicate; /* 0: none */
    size_t row;
} prism_member;

typedef struct prism {
    size_t n_groups, n_members, n_rows;
    prism_group *groups;
    prism_member *members;
} prism;

static void prism_free(prism *p)
{
    for (size_t g = 0; g < p->n_groups; g++) {
        free(p->groups[g].treatment);
        free(p->groups[g].dose);
        free(p->groups[g].unit);
    }
    free(p->groups);
    free(p->members);
    memset(p, 0, sizeof *p);
}

static int role_rank(assay_role r)
{
    return r == ASSAY_ROLE_UNTREATED ? 0 : r == ASSAY_ROLE_STIMULUS ? 1 : 2;
}

/* The order of comparisons.csv: untreated, stimulus, then treatment, dose (none last). */
static int cmp_group(const void *a, const void *b)
{
    const prism_group *x = a, *y = b;
    int c = role_rank(x->role) - role_rank(y->role);
    if (c == 0 && x->role == ASSAY_ROLE_TREATED) {
        c = strcmp(x->treatment, y->treatment);
        if (c == 0 && (isnan(x->dose_value) || isnan(y->dose_value))) {
            c = isnan(x->dose_value) - isnan(y->dose_value);
        } else if (c == 0) {
            c = (x->dose_value > y->dose_value) - (x->dose_value < y->dose_value);
        }
        c = c ? c : strcmp(x->dose, y->dose);
        c = c ? c : strcmp(x->unit, y->unit);
    }
    return c;
}

/* Members by group, then replicate (none last), then samples.csv order. */
static int cmp_member(const void *a, const void *b)
{
    const prism_member *x = a, *y = b;
    if (x->group != y->group) {
        return (x->group > y->group) - (x->group < y->group);
    }
    unsigned rx = x->replicate ? x->replicate : UINT_MAX;
    unsigned ry = y->replicate ? y->replicate : UINT_MAX;
    if (rx != ry) {
        return (rx > ry) - (rx < ry);
    }
    return (x->order > y->order) - (x->order < y->order);
}

/* The group of a row with @p role, treatment, dose and unit; a new one when none fits. */
static size_t group_of(prism *p, assay_role role, const char *trt, const char *dose,
                       const char *unit, bool *ok)
{
    for (size_t g = 0; g < p->n_groups; g++) {
        const prism_group *x = &p->groups[g];
        if (x->role == role && (role != ASSAY_ROLE_TREATED ||
                                (strcmp(x->treatment, trt) == 0 && strcmp(x->dose, dose) == 0 &&
                                 strcmp(x->unit, unit) == 0))) {
            return g;
        }
    }
    prism_group *x = &p->groups[p->n_groups];
    *x = (prism_group){.role = role, .treatment = strdup(trt), .dose = strdup(dose),
                       .unit = strdup(unit), .dose_value = NAN, .id = p->n_groups};
    *ok = x->treatment && x->dose && x->unit;
    if (dose[0] && !apo_parse_double(dose, strlen(dose), false, &x->dose_value)) {
        x->dose_value = NAN;
    }
    return p->n_groups++;
}

/* The column titles: "untreated"; the stimulus's treatment (and dose), else "stimulus";
 * "treatment dose unit" of a treated group, else "treated". A repeated title gets " #2". */
static void group_titles(prism *p)
{
    for (size_t g = 0; g < p->n_groups; g++) {
        prism_group *x = &p->groups[g];
        char t[256];
        snprintf(t, sizeof t, "%s%s%s%s%s", x->treatment, x->treatment[0] && x->dose[0] ? " " : "",
                 x->dose, x->dose[0] && x->unit[0] ? " " : "", x->dose[0] ? x->unit : "");
        snprintf(x->title, sizeof x->title, "%s",
                 x->role == ASSAY_ROLE_UNTREATED ? "untreated"
                 : t[0]                          ? t
                 : x->role == ASSAY_ROLE_STIMULUS ? "stimulus"
                                                  : "treated");
        for (size_t k = 0, dup = 1; k < g; k++) {
            if (strcmp(p->groups[k].title, x->title) == 0) {
                char d[256];
                snprintf(d, sizeof d, "%.240s #%zu", x->title, ++dup);
                memcpy(x->title, d, sizeof d);
                k = (size_t)-1; /* check the new title again */
            }
        }
    }
}

/* Rows: the replicate numbers when each group's are distinct, set and small; else 1, 2, ...
 * in replicate order. */
static void prism_rows(prism *p)
{
    for (size_t g = 0; g < p->n_groups; g++) {
        prism_group *x = &p->groups[g];
        prism_member *m = p->members + x->first;
        x->aligned = true;
        for (size_t i = 0; i < x->n; i++) {
            unsigned r = m[i].replicate;
            x->aligned = x->aligned && r >= 1 && r <= PRISM_MAX_REPLICATE &&
                         (i == 0 || r != m[i - 1].replicate);
        }
        for (size_t i = 0; i < x->n; i++) {
            m[i].row = x->aligned ? m[i].replicate : i + 1;
            p->n_rows = m[i].row > p->n_rows ? m[i].row : p->n_rows;
        }
    }
}

/* The groups and their samples from samples.csv (no role column: no group). */
static apo_status prism_build(book *b, const table *t, prism *p, apo_error *err)
{
    memset(p, 0, sizeof *p);
    if (t->n < 2) {
        return APO_OK;
    }
    apo_csv_rec h = t->rec[0];
    size_t c_role = apo_csv_column(h, "role"), c_trt = apo_csv_column(h, "treatment");
    size_t c_dose = apo_csv_column(h, "dose"), c_unit = apo_csv_column(h, "dose_unit");
    size_t c_rep = apo_csv_column(h, "replicate");
    if (c_role == SIZE_MAX) {
        return APO_OK;
    }
    p->groups = calloc(t->n, sizeof *p->groups);
    p->members = calloc(t->n, sizeof *p->members);
    if (p->groups == NULL || p->members == NULL) {
        return nomem(err);
    }
    bool ok = true;
    for (size_t r = 1; r < t->n && ok; r++) {
        assay_role role;
        if (!assay_role_parse(field(b, t->rec[r], c_role), &role) ||
            (role != ASSAY_ROLE_UNTREATED && role != ASSAY_ROLE_STIMULUS &&
             role != ASSAY_ROLE_TREATED)) {
            continue; /* controls and unknown roles are in no group */
        }
        char trt[256], dose[64], unit[64];
        apo_csv_field(t->rec[r], c_trt, trt, sizeof trt);
        apo_csv_field(t->rec[r], c_dose, dose, sizeof dose);
        apo_csv_field(t->rec[r], c_unit, unit, sizeof unit);
        uint64_t rep = 0;
        const char *rs = field(b, t->rec[r], c_rep);
        if (!apo_parse_u64(rs, strlen(rs), &rep) || rep > UINT_MAX) {
            rep = 0;
        }
        size_t g = group_of(p, role, trt, dose, unit, &ok);
        p->members[p->n_members++] = (prism_member){.rec = r, .group = g, .order = r,
                                                    .replicate = (unsigned)rep};
    }
    if (!ok) {
        return nomem(err);
    }
    /* sort the groups; renumber the members' groups to the sorted order */
    size_t *rank = malloc((p->n_groups ? p->n_groups : 1) * sizeof *rank);
    prism_group *sorted = malloc((p->n_groups ? p->n_groups : 1) * sizeof *sorted);
    if (rank == NULL || sorted == NULL) {
        free(rank);
        free(sorted);
        return nomem(err);
    }
    memcpy(sorted, p->groups, p->n_groups * sizeof *sorted);
    qsort(sorted, p->n_groups, sizeof *sorted, cmp_group);
    for (size_t k = 0; k < p->n_groups; k++) {
        rank[sorted[k].id] = k;
    }
    memcpy(p->groups, sorted, p->n_groups * sizeof *sorted);
    for (size_t i = 0; i < p->n_members; i++) {
        p->members[i].group = rank[p->members[i].group];
    }
    free(rank);
    free(sorted);
    qsort(p->members, p->n_members, sizeof *p->members, cmp_member);
    for (size_t i = 0; i < p->n_members; i++) {
        prism_group *x = &p->groups[p->members[i].group];
        x->first = x->n++ == 0 ? i : x->first;
    }
    group_titles(p);
    prism_rows(p);
    return APO_OK;
}

/* Sheet prism_<endpoint>: a title row of the groups, then one row per replicate. */
static apo_status write_prism(book *b, const table *t, const prism *p, int k, apo_error *err)
{
    char name[32];
    const char *col = endpoint_columns[k];
    snprintf(name, sizeof name, "prism_%.*s", (int)(strlen(col) - 4), col);
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, name);
    if (ws == NULL) {
        return nomem(err);
    }
    size_t c_val = t->n > 0 ? apo_csv_column(t->rec[0], col) : SIZE_MAX;
    size_t n_cols = p->n_groups < SHEET_MAX_COLS ? p->n_groups : SHEET_MAX_COLS;
    size_t n_rows = p->n_rows < SHEET_MAX_ROWS - 1 ? p->n_rows : SHEET_MAX_ROWS - 1;
    size_t repaired = 0, cut = 0;
    worksheet_freeze_panes(ws, 1, 0);
    for (size_t g = 0; g < n_cols; g++) {
        double w = (double)chars_of(p->groups[g].title) + 3;
        note_error(b, worksheet_set_column(ws, (lxw_col_t)g, (lxw_col_t)g, w < 10 ? 10 : w, NULL),
                   name);
        write_cell(b, ws, name, 0, g, p->groups[g].title, COL_TEXT, &repaired, &cut);
    }
    size_t *next = calloc(n_cols ? n_cols : 1, sizeof *next); /* each group's next member */
    if (next == NULL) {
        return nomem(err);
    }
    for (size_t row = 1; row <= n_rows && c_val != SIZE_MAX; row++) {
        for (size_t g = 0; g < n_cols; g++) {
            const prism_group *x = &p->groups[g];
            const prism_member *m = p->members + x->first;
            if (next[g] < x->n && m[next[g]].row == row) {
                write_cell(b, ws, name, row, g, field(b, t->rec[m[next[g]].rec], c_val),
                           COL_NUMBER, &repaired, &cut);
                next[g]++;
            }
        }
    }
    free(next);
    say_cuts(b, name, "samples.csv", p->n_rows - n_rows, p->n_groups - n_cols, repaired, cut);
    return APO_OK;
}

/* ---- the workbook ----------------------------------------------------------------------- */

static apo_status write_book(book *b, table *tables, size_t n_tables, apo_error *err)
{
    apo_status st = APO_OK;
    for (size_t i = 0; i < n_tables && st == APO_OK; i++) {
        st = book_room(b, &tables[i], err);
        if (st == APO_OK) {
            st = write_table(b, &tables[i], err);
        }
    }
    prism p;
    memset(&p, 0, sizeof p);
    if (st == APO_OK) {
        st = book_room(b, &tables[0], err);
    }
    if (st == APO_OK) {
        st = prism_build(b, &tables[0], &p, err);
    }
    for (int k = 0; k < ASSAY_XLSX_N_ENDPOINTS && st == APO_OK; k++) {
        st = write_prism(b, &tables[0], &p, k, err);
    }
    prism_free(&p);
    return st;
}

apo_status assay_write_results_xlsx(const char *outdir, const apo_observer *obs, apo_error *err)
{
    static const char *const names[] = {"samples", "comparisons", "stats"};
    table tables[3];
    memset(tables, 0, sizeof tables);
    apo_status st = APO_OK;
    for (size_t i = 0; i < 3 && st == APO_OK; i++) {
        st = table_read(&tables[i], outdir, names[i], err);
    }
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/results.xlsx", outdir);
    apo_atomic_file af;
    if (st == APO_OK) {
        st = apo_atomic_open(&af, path, err);
    }
    if (st != APO_OK) {
        for (size_t i = 0; i < 3; i++) {
            table_free(&tables[i]);
        }
        return st;
    }
    /* constant memory: rows go to libxlsxwriter's temporary files as they are written */
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE};
    book b = {.obs = obs};
    b.wb = workbook_new_opt(af.tmp_path, &opt);
    b.bold = b.wb ? workbook_add_format(b.wb) : NULL;
    if (b.wb == NULL || b.bold == NULL) {
        st = nomem(err);
    } else {
        format_set_bold(b.bold);
        char title[] = "apoflow results";
        char comments[] = "samples.csv, comparisons.csv and stats.csv of one run, and the "
                          "endpoints laid out for GraphPad Prism";
        lxw_doc_properties props = {.title = title, .comments = comments,
                                    .created = XLSX_CREATED};
        note_error(&b, workbook_set_properties(b.wb, &props), "");
        st = write_book(&b, tables, 3, err);
    }
    lxw_error closed = b.wb ? workbook_close(b.wb) : LXW_NO_ERROR; /* frees the workbook */
    note_error(&b, closed, "");
    if (st == APO_OK && b.lerr != LXW_NO_ERROR) {
        st = apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL,
                           "cannot write the workbook%s%s: %s", b.lerr_sheet[0] ? ", sheet " : "",
                           b.lerr_sheet, lxw_strerror(b.lerr));
    }
    if (st == APO_OK) {
        st = apo_atomic_commit(&af, err); /* renames the file libxlsxwriter wrote into place */
    } else {
        apo_atomic_abort(&af);
    }
    free(b.field);
    free(b.text);
    for (size_t i = 0; i < 3; i++) {
        table_free(&tables[i]);
    }
    return st;
}
