/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * writer.c: writes one FCS 3.1 data set with float32 little-endian data (docs/fcs-quirks.md,
 * "Writing FCS"), or, given a data type or an fcs_write_format, float64 (for values float32 would
 * round), unsigned integers of 8, 16 or 32 bits (with $PnE for channels of a log amplifier) and/or
 * big-endian bytes, as instruments like the FACSCalibur store them.
 *
 * Layout: 58-byte HEADER, TEXT right after it, DATA right after TEXT, then the "00000000"
 * CRC placeholder. Offsets in TEXT are 20-digit zero-padded so the TEXT size is known
 * before the offsets are. The delimiter is the first of / | \ ! ^ ~ ` found in no keyword
 * name or value, so nothing needs escaping; only when none is free are delimiters inside
 * values doubled (then the delimiter must not start any value). Empty values are never
 * written (the keyword is left out).
 *
 * Files are written through the block-wise fcs_writer (HEADER + TEXT at open, DATA rows per
 * append, placeholder at commit); fcs_write_file is one open, one append and a commit.
 */
#include "fcs/fcs.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HEADER_BYTES 58u
#define HEADER_OFFSET_MAX 99999999ull
#define OFFSET_DIGITS 20
#define CRC_PLACEHOLDER "00000000"

/* How DATA is stored: the caller's fcs_write_format checked and copied (or float32 LE). */
typedef struct wformat {
    char datatype;     /* 'F', 'D' or 'I' */
    bool big_endian;
    size_t n_params;
    unsigned *bytes;   /* per parameter: 4 for F, 8 for D; 1, 2 or 4 for I */
    double *f1, *f2;   /* $PnE per parameter */
    size_t row_bytes;  /* sum of bytes */
} wformat;

static void wformat_free(wformat *f)
{
    free(f->bytes);
    free(f->f1);
    free(f->f2);
    memset(f, 0, sizeof(*f));
}

/* Check @p in against @p n_params parameters and copy it into @p f (NULL: float32 LE). */
static apo_status wformat_init(wformat *f, const fcs_write_format *in, size_t n_params,
                               apo_error *err)
{
    memset(f, 0, sizeof(*f));
    char dt = in != NULL ? in->datatype : 'F';
    if (dt != 'F' && dt != 'D' && dt != 'I') {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "$DATATYPE",
                             "expected F, D or I, found '%c'", dt);
    }
    if (dt == 'I' && in->bits == NULL) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "$PnB",
                             "expected the bits of every parameter for integer data, found NULL");
    }
    f->datatype = dt;
    f->big_endian = in != NULL && in->big_endian;
    f->n_params = n_params;
    f->bytes = calloc(n_params ? n_params : 1, sizeof(*f->bytes));
    f->f1 = calloc(n_params ? n_params : 1, sizeof(*f->f1));
    f->f2 = calloc(n_params ? n_params : 1, sizeof(*f->f2));
    if (f->bytes == NULL || f->f1 == NULL || f->f2 == NULL) {
        wformat_free(f);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    for (size_t p = 0; p < n_params; p++) {
        unsigned bits = dt == 'F' ? 32 : dt == 'D' ? 64 : in->bits[p];
        double f1 = dt == 'I' && in->log_decades != NULL ? in->log_decades[p] : 0;
        double f2 = f1 > 0 ? (in->log_offset != NULL ? in->log_offset[p] : 1) : 0;
        if (bits != 8 && bits != 16 && bits != 32 && !(dt == 'D' && bits == 64)) {
            wformat_free(f);
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "$PnB",
                                 "expected 8, 16 or 32 bits for parameter %zu, found %u", p + 1,
                                 bits);
        }
        if (!(isfinite(f1) && f1 >= 0) || !(isfinite(f2) && (f1 == 0 || f2 > 0))) {
            wformat_free(f);
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "$PnE",
                                 "expected decades >= 0 and, with decades, an offset > 0 for "
                                 "parameter %zu, found %g,%g",
                                 p + 1, f1, f2);
        }
        f->bytes[p] = bits / 8;
        f->f1[p] = f1;
        f->f2[p] = f2;
        f->row_bytes += bits / 8;
    }
    return APO_OK;
}

/* One keyword to write. name/value point into the spec, or are NULL for the owned buffers
 * (never a pointer into the item itself: kv_add's realloc moves items). */
typedef struct kv {
    const char *name;
    const char *value;
    char name_buf[48];
    char value_buf[48];
} kv;

static const char *kv_name(const kv *k)
{
    return k->name != NULL ? k->name : k->name_buf;
}

static const char *kv_value(const kv *k)
{
    return k->value != NULL ? k->value : k->value_buf;
}

typedef struct kv_list {
    kv *items;
    size_t n;
    size_t cap;
} kv_list;

static kv *kv_add(kv_list *l)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        kv *items = realloc(l->items, cap * sizeof(*items));
        if (items == NULL) {
            return NULL;
        }
        l->items = items;
        l->cap = cap;
    }
    kv *k = &l->items[l->n++];
    memset(k, 0, sizeof(*k));
    return k;
}

/* Keyword with a generated name and value (both short). */
static kv *kv_fmt(kv_list *l, const char *name, const char *value)
{
    kv *k = kv_add(l);
    if (k != NULL) {
        snprintf(k->name_buf, sizeof(k->name_buf), "%s", name);
        snprintf(k->value_buf, sizeof(k->value_buf), "%s", value);
        k->name = NULL;
        k->value = NULL;
    }
    return k;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static bool ascii_ieq(const char *a, const char *b)
{
    for (;; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'a' && x <= 'z') {
            x = (char)(x - 'a' + 'A');
        }
        if (y >= 'a' && y <= 'z') {
            y = (char)(y - 'a' + 'A');
        }
        if (x != y) {
            return false;
        }
        if (x == '\0') {
            return true;
        }
    }
}

/*
 * Does @p name match @p pattern, where an 'n' in the pattern stands for a decimal number
 * (case-insensitive otherwise)? The number is stored in *num (0 when the pattern has none).
 */
static bool match_pattern(const char *name, const char *pattern, uint64_t *num)
{
    *num = 0;
    const char *s = name;
    for (const char *q = pattern; *q != '\0'; q++) {
        if (*q == 'n') {
            size_t d = 0;
            while (s[d] >= '0' && s[d] <= '9') {
                d++;
            }
            if (d == 0 || !apo_parse_u64(s, d, num)) {
                return false;
            }
            s += d;
            continue;
        }
        char c = *s;
        if (c >= 'a' && c <= 'z') {
            c = (char)(c - 'a' + 'A');
        }
        if (c != *q) {
            return false;
        }
        s++;
    }
    return *s == '\0';
}

/* Standard keywords the writer sets itself: a caller may not pass them. */
static const char *const reserved_keywords[] = {
    "$BEGINANALYSIS", "$ENDANALYSIS", "$BEGINDATA", "$ENDDATA", "$BEGINSTEXT", "$ENDSTEXT",
    "$BYTEORD", "$DATATYPE", "$MODE", "$NEXTDATA", "$PAR", "$TOT", "$PnB", "$PnE", "$PnN",
    "$PnR", "$PnS", "$PnDATATYPE", "$ORIGINALITY", "$LAST_MODIFIER"};

/* Other standard keywords (FCS 3.1, plus 3.2 additions) a caller may pass. */
static const char *const standard_keywords[] = {
    "$ABRT", "$BTIM", "$CELLS", "$COM", "$CSMODE", "$CSVBITS", "$CSVnFLAG", "$CYT", "$CYTSN",
    "$DATE", "$ETIM", "$EXP", "$FIL", "$GATE", "$GATING", "$GnE", "$GnF", "$GnN", "$GnP",
    "$GnR", "$GnS", "$GnT", "$GnV", "$INST", "$LAST_MODIFIED", "$LOST", "$OP", "$PLATEID",
    "$PLATENAME", "$PROJ", "$RnI", "$RnW", "$SMNO", "$SPILLOVER", "$SRC", "$SYS",
    "$TIMESTEP", "$TR", "$VOL", "$WELLID", "$COMP", "$CARRIERID", "$CARRIERTYPE",
    "$LOCATIONID", "$FLOWRATE", "$UNSTAINEDCENTERS", "$UNSTAINEDINFO", "$PnCALIBRATION",
    "$PnD", "$PnF", "$PnG", "$PnL", "$PnO", "$PnP", "$PnT", "$PnV", "$PnTYPE", "$PnDET",
    "$PnTAG", "$PnANALYTE", "$PnFEATURE", "$PnDISPLAY"};

static apo_status check_keyword_name(const char *name, size_t n_params, apo_error *err)
{
    uint64_t num = 0;
    size_t n_reserved = sizeof(reserved_keywords) / sizeof(reserved_keywords[0]);
    for (size_t i = 0; i < n_reserved; i++) {
        if (match_pattern(name, reserved_keywords[i], &num)) {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, name,
                                 "expected a keyword the writer does not set itself, found "
                                 "one it sets");
        }
    }
    size_t n_std = sizeof(standard_keywords) / sizeof(standard_keywords[0]);
    for (size_t i = 0; i < n_std; i++) {
        if (match_pattern(name, standard_keywords[i], &num)) {
            if (strncmp(standard_keywords[i], "$Pn", 3) == 0 && (num < 1 || num > n_params)) {
                return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, name,
                                     "expected a parameter number in 1..%zu, found %llu",
                                     n_params, (unsigned long long)num);
            }
            return APO_OK;
        }
    }
    return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, name,
                         "expected a standard FCS 3.1 keyword (or a name without '$'), "
                         "found an unknown '$' keyword");
}

/* @p need_values: the one-shot writers take the events from spec->values. */
static apo_status check_spec(const fcs_write_spec *spec, bool need_values, apo_error *err)
{
    if (spec == NULL || spec->n_params == 0 || spec->params == NULL) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected at least one parameter, found none");
    }
    if (need_values && spec->n_events > 0 && spec->values == NULL) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected values for %llu events, found NULL",
                             (unsigned long long)spec->n_events);
    }
    if (spec->n_keywords > 0 && spec->keywords == NULL) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected %zu keywords, found NULL", spec->n_keywords);
    }
    for (size_t p = 0; p < spec->n_params; p++) {
        const char *name = spec->params[p].name;
        if (name == NULL || name[0] == '\0') {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "$PnN",
                                 "expected a name for parameter %zu, found none", p + 1);
        }
        if (strchr(name, ',') != NULL) {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "$PnN",
                                 "expected a parameter name without commas, found \"%s\"",
                                 name);
        }
        for (size_t q = 0; q < p; q++) {
            if (ascii_ieq(name, spec->params[q].name)) {
                return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "$PnN",
                                     "expected unique parameter names, found \"%s\" twice",
                                     name);
            }
        }
    }
    for (size_t i = 0; i < spec->n_keywords; i++) {
        const char *name = spec->keywords[i].name;
        if (name == NULL || name[0] == '\0') {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                                 "expected a name for extra keyword %zu, found none", i + 1);
        }
        size_t len = strlen(name);
        if (is_space(name[0]) || is_space(name[len - 1])) {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, name,
                                 "expected a keyword name without leading or trailing spaces "
                                 "(readers trim them), found \"%s\"",
                                 name);
        }
        if (name[0] == '$') {
            apo_status st = check_keyword_name(name, spec->n_params, err);
            if (st != APO_OK) {
                return st;
            }
        }
        for (size_t j = 0; j < i; j++) {
            if (ascii_ieq(name, spec->keywords[j].name)) {
                return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, name,
                                     "expected each keyword once, found it twice");
            }
        }
    }
    return APO_OK;
}

static bool range_given(const fcs_write_param *par)
{
    return isfinite(par->range) && par->range > 0;
}

/* $PnR: the caller's value, or ceil(max)+1 of the column (at least 1). The column maximum
 * is computed from spec->values (@p from_values), else it is data_max[p] (NaN: no finite
 * value; the streaming writer checked data_max is there when a range is missing). */
static double param_range(const fcs_write_spec *spec, bool from_values, const double *data_max,
                          size_t p)
{
    double r = spec->params[p].range;
    if (range_given(&spec->params[p])) {
        return r;
    }
    double max = 0;
    if (!from_values) {
        max = data_max != NULL && isfinite(data_max[p]) ? data_max[p] : 0;
    } else {
        bool any = false;
        const double *col = spec->values + p * spec->n_events;
        for (uint64_t e = 0; e < spec->n_events; e++) {
            double v = col[e];
            if (isfinite(v) && (!any || v > max)) {
                max = v;
                any = true;
            }
        }
    }
    r = ceil(max) + 1;
    return r >= 1 ? r : 1;
}

static void format_number(char *buf, size_t cap, double v)
{
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, cap, "%.0f", v);
    } else {
        apo_format_double(buf, cap, v);
    }
}

static void format_now(char *buf, size_t cap)
{
    static const char months[12][4] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm) == NULL) {
        snprintf(buf, cap, "01-JAN-1970 00:00:00");
        return;
    }
    snprintf(buf, cap, "%02d-%s-%04d %02d:%02d:%02d", tm.tm_mday, months[tm.tm_mon % 12],
             tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The keywords in writing order. The six offset values are placeholders (20 zeros). */
static apo_status collect_keywords(const fcs_write_spec *spec, const wformat *fmt, bool chained,
                                   bool from_values, const double *data_max, kv_list *l,
                                   apo_error *err)
{
    char num[48];
    static const char *const offset_names[] = {"$BEGINANALYSIS", "$ENDANALYSIS",
                                               "$BEGINSTEXT",    "$ENDSTEXT",
                                               "$BEGINDATA",     "$ENDDATA"};
    bool ok = true;
    for (size_t i = 0; i < 6; i++) {
        ok = ok && kv_fmt(l, offset_names[i], "00000000000000000000") != NULL;
    }
    snprintf(num, sizeof(num), "%zu", spec->n_params);
    const char dt[2] = {fmt->datatype, '\0'};
    ok = ok && kv_fmt(l, "$BYTEORD", fmt->big_endian ? "4,3,2,1" : "1,2,3,4") != NULL &&
         kv_fmt(l, "$DATATYPE", dt) != NULL &&
         kv_fmt(l, "$MODE", "L") != NULL && kv_fmt(l, "$NEXTDATA", chained ? "00000000000000000000" : "0") != NULL &&
         kv_fmt(l, "$PAR", num) != NULL;
    snprintf(num, sizeof(num), "%llu", (unsigned long long)spec->n_events);
    ok = ok && kv_fmt(l, "$TOT", num) != NULL;
    for (size_t p = 0; ok && p < spec->n_params; p++) {
        const fcs_write_param *par = &spec->params[p];
        char name[48];
        snprintf(name, sizeof(name), "$P%zuN", p + 1);
        kv *k = kv_fmt(l, name, "");
        ok = k != NULL;
        if (ok) {
            k->value = par->name;
        }
        if (ok && par->label != NULL && par->label[0] != '\0') {
            snprintf(name, sizeof(name), "$P%zuS", p + 1);
            k = kv_fmt(l, name, "");
            ok = k != NULL;
            if (ok) {
                k->value = par->label;
            }
        }
        snprintf(name, sizeof(name), "$P%zuB", p + 1);
        snprintf(num, sizeof(num), "%u", 8 * fmt->bytes[p]);
        ok = ok && kv_fmt(l, name, num) != NULL;
        snprintf(name, sizeof(name), "$P%zuE", p + 1);
        char f1[24], f2[24];
        format_number(f1, sizeof(f1), fmt->f1[p]);
        format_number(f2, sizeof(f2), fmt->f2[p]);
        snprintf(num, sizeof(num), "%s,%s", f1, f2);
        ok = ok && kv_fmt(l, name, num) != NULL;
        snprintf(name, sizeof(name), "$P%zuR", p + 1);
        format_number(num, sizeof(num), param_range(spec, from_values, data_max, p));
        ok = ok && kv_fmt(l, name, num) != NULL;
    }
    ok = ok && kv_fmt(l, "$ORIGINALITY", "DataModified") != NULL;
    bool has_modified = false;
    for (size_t i = 0; i < spec->n_keywords; i++) {
        has_modified = has_modified || ascii_ieq(spec->keywords[i].name, "$LAST_MODIFIED");
    }
    if (!has_modified) {
        char now[48];
        format_now(now, sizeof(now));
        ok = ok && kv_fmt(l, "$LAST_MODIFIED", now) != NULL;
    }
    ok = ok && kv_fmt(l, "$LAST_MODIFIER", "apoflow") != NULL;
    for (size_t i = 0; ok && i < spec->n_keywords; i++) {
        const fcs_write_keyword *w = &spec->keywords[i];
        if (w->value == NULL || w->value[0] == '\0') {
            continue; /* never write empty values */
        }
        kv *k = kv_add(l);
        ok = k != NULL;
        if (ok) {
            k->name = w->name;
            k->value = w->value;
        }
    }
    if (!ok) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    return APO_OK;
}

/* The delimiter, and whether delimiters inside values must be doubled. */
static apo_status choose_delimiter(const kv_list *l, char *delim, bool *escape, apo_error *err)
{
    static const char candidates[] = "/|\\!^~`";
    for (int pass = 0; pass < 2; pass++) {
        for (const char *c = candidates; *c != '\0'; c++) {
            bool used = false;
            for (size_t i = 0; i < l->n && !used; i++) {
                /* With doubling, a value may hold the delimiter but not start with it
                 * ("///" after a keyword would be ambiguous). */
                used = strchr(kv_name(&l->items[i]), *c) != NULL ||
                       (pass == 0 && strchr(kv_value(&l->items[i]), *c) != NULL) ||
                       kv_value(&l->items[i])[0] == *c;
            }
            if (!used) {
                *delim = *c;
                *escape = pass == 1;
                return APO_OK;
            }
        }
    }
    return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                         "expected one of the delimiters / | \\ ! ^ ~ ` to occur in no keyword "
                         "name and at the start of no value, found all of them used");
}

static size_t escaped_len(const char *s, char delim, bool escape)
{
    size_t n = 0;
    for (; *s != '\0'; s++) {
        n += (escape && *s == delim) ? 2 : 1;
    }
    return n;
}

static char *put_escaped(char *dst, const char *s, char delim, bool escape)
{
    for (; *s != '\0'; s++) {
        *dst++ = *s;
        if (escape && *s == delim) {
            *dst++ = delim;
        }
    }
    return dst;
}

/* HEADER and TEXT of a file, and where DATA goes. */
typedef struct prelude {
    char *bytes; /* HEADER + TEXT */
    size_t len;
    uint64_t data_len;
} prelude;

/* @p from_values: the one-shot writers (events and missing ranges from spec->values); else
 * the streaming writer, with the column maxima @p data_max for parameters without a range. */
static apo_status build_prelude(const fcs_write_spec *spec, const wformat *fmt, bool chained,
                                bool from_values, const double *data_max, prelude *out,
                                apo_error *err)
{
    memset(out, 0, sizeof(*out));
    apo_status st = check_spec(spec, from_values, err);
    if (st != APO_OK) {
        return st;
    }
    uint64_t n_values = 0;
    if (!apo_mul_u64(spec->n_events, spec->n_params, &n_values) ||
        !apo_mul_u64(spec->n_events, fmt->row_bytes, &out->data_len) ||
        n_values > SIZE_MAX / sizeof(double)) {
        return apo_error_set(err, APO_E_RANGE, NULL, APO_NO_OFFSET, "$TOT",
                             "expected a data size that fits in 64 bits, found %llu x %zu values",
                             (unsigned long long)spec->n_events, spec->n_params);
    }
    kv_list l = {NULL, 0, 0};
    st = collect_keywords(spec, fmt, chained, from_values, data_max, &l, err);
    char delim = '/';
    bool escape = false;
    if (st == APO_OK) {
        st = choose_delimiter(&l, &delim, &escape, err);
    }
    if (st != APO_OK) {
        free(l.items);
        return st;
    }
    size_t text_len = 1;
    for (size_t i = 0; i < l.n; i++) {
        text_len += strlen(kv_name(&l.items[i])) + 1 +
                    escaped_len(kv_value(&l.items[i]), delim, escape) + 1;
    }
    uint64_t text_end = HEADER_BYTES + (uint64_t)text_len - 1;
    if (text_end > HEADER_OFFSET_MAX) {
        free(l.items);
        return apo_error_set(err, APO_E_RANGE, NULL, APO_NO_OFFSET, NULL,
                             "expected a TEXT segment within the first 99,999,999 bytes, "
                             "found %zu bytes of TEXT", text_len);
    }
    uint64_t data_begin = 0, data_end = 0;
    if (out->data_len > 0) {
        data_begin = text_end + 1;
        if (!apo_add_u64(data_begin, out->data_len - 1, &data_end) ||
            data_end > UINT64_MAX - sizeof(CRC_PLACEHOLDER)) {
            free(l.items);
            return apo_error_set(err, APO_E_RANGE, NULL, APO_NO_OFFSET, NULL,
                                 "expected a file size that fits in 64 bits, found more");
        }
    }
    /* Fill in the offsets: items 4 and 5 are $BEGINDATA and $ENDDATA. */
    snprintf(l.items[4].value_buf, sizeof(l.items[4].value_buf), "%0*llu", OFFSET_DIGITS,
             (unsigned long long)data_begin);
    snprintf(l.items[5].value_buf, sizeof(l.items[5].value_buf), "%0*llu", OFFSET_DIGITS,
             (unsigned long long)data_end);
    if (chained) { /* item 9 is $NEXTDATA: the next data set starts after this one's CRC */
        snprintf(l.items[9].value_buf, sizeof(l.items[9].value_buf), "%0*llu", OFFSET_DIGITS,
                 (unsigned long long)(HEADER_BYTES + text_len + out->data_len +
                                      sizeof(CRC_PLACEHOLDER) - 1));
    }

    char *bytes = malloc(HEADER_BYTES + text_len + 1);
    if (bytes == NULL) {
        free(l.items);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    bool small = data_end <= HEADER_OFFSET_MAX;
    char header[160];
    snprintf(header, sizeof(header), "FCS3.1    %8llu%8llu%8llu%8llu%8d%8d",
             (unsigned long long)HEADER_BYTES, (unsigned long long)text_end,
             (unsigned long long)(small ? data_begin : 0),
             (unsigned long long)(small ? data_end : 0), 0, 0);
    memcpy(bytes, header, HEADER_BYTES); /* every field fits its 8 bytes (checked above) */
    char *w = bytes + HEADER_BYTES;
    *w++ = delim;
    for (size_t i = 0; i < l.n; i++) {
        const char *name = kv_name(&l.items[i]);
        size_t nl = strlen(name);
        memcpy(w, name, nl);
        w += nl;
        *w++ = delim;
        w = put_escaped(w, kv_value(&l.items[i]), delim, escape);
        *w++ = delim;
    }
    free(l.items);
    out->bytes = bytes;
    out->len = (size_t)(w - bytes);
    return APO_OK;
}

/* The first event of the column-major @p block (n events) whose integer value of some
 * parameter is not a channel number 0 .. 2^bits - 1: APO_E_USAGE naming it; APO_OK for F. */
static apo_status check_integers(const wformat *fmt, const double *block, size_t ld, size_t n,
                                 uint64_t first_event, const char *path, apo_error *err)
{
    for (size_t p = 0; fmt->datatype == 'I' && p < fmt->n_params; p++) {
        double max = fmt->bytes[p] == 4 ? 4294967295.0 : fmt->bytes[p] == 2 ? 65535.0 : 255.0;
        for (size_t i = 0; i < n; i++) {
            double v = block[p * ld + i];
            if (!(v >= 0 && v <= max && v == floor(v))) {
                return apo_error_set(err, APO_E_USAGE, path, APO_NO_OFFSET, "$DATATYPE",
                                     "expected an integer 0..%.0f (parameter %zu, event %llu), "
                                     "found %g",
                                     max, p + 1, (unsigned long long)(first_event + i), v);
            }
        }
    }
    return APO_OK;
}

/* Stores @p u in @p nb bytes at dst, in the format's byte order; returns the next byte. */
static uint8_t *put_uint(uint8_t *dst, uint64_t u, unsigned nb, bool big_endian)
{
    for (unsigned k = 0; k < nb; k++) {
        unsigned shift = 8 * (big_endian ? nb - 1 - k : k);
        dst[k] = (uint8_t)(u >> shift);
    }
    return dst + nb;
}

/* Row-major DATA bytes of the @p n events of the column-major @p block (value of event i,
 * parameter p at block[p * ld + i]) into dst; integers were checked by check_integers. */
static void encode_rows(const wformat *fmt, const double *block, size_t ld, size_t n,
                        uint8_t *dst)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t p = 0; p < fmt->n_params; p++) {
            double v = block[p * ld + i];
            uint64_t u;
            if (fmt->datatype == 'F') {
                float f = (float)v;
                uint32_t u32;
                memcpy(&u32, &f, sizeof(u32));
                u = u32;
            } else if (fmt->datatype == 'D') {
                memcpy(&u, &v, sizeof(u));
            } else {
                u = (uint64_t)v;
            }
            dst = put_uint(dst, u, fmt->bytes[p], fmt->big_endian);
        }
    }
}

static apo_status write_buffer(uint8_t **out, size_t *out_len, const fcs_write_spec *spec,
                               bool chained, apo_error *err)
{
    if (out == NULL || out_len == NULL) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected output pointers, found NULL");
    }
    *out = NULL;
    *out_len = 0;
    prelude pre;
    wformat fmt;
    apo_status st = wformat_init(&fmt, NULL, spec != NULL ? spec->n_params : 0, err);
    if (st == APO_OK) {
        st = build_prelude(spec, &fmt, chained, true, NULL, &pre, err);
    }
    if (st != APO_OK) {
        wformat_free(&fmt);
        return st;
    }
    size_t crc = sizeof(CRC_PLACEHOLDER) - 1;
    if (pre.data_len > SIZE_MAX - pre.len - crc) {
        free(pre.bytes);
        wformat_free(&fmt);
        return apo_error_set(err, APO_E_RANGE, NULL, APO_NO_OFFSET, NULL,
                             "expected a file that fits in memory, found %llu bytes of DATA",
                             (unsigned long long)pre.data_len);
    }
    size_t total = pre.len + (size_t)pre.data_len + crc;
    uint8_t *buf = malloc(total);
    if (buf == NULL) {
        free(pre.bytes);
        wformat_free(&fmt);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "out of memory for %zu bytes", total);
    }
    memcpy(buf, pre.bytes, pre.len);
    encode_rows(&fmt, spec->values, (size_t)spec->n_events, (size_t)spec->n_events,
                buf + pre.len);
    memcpy(buf + pre.len + (size_t)pre.data_len, CRC_PLACEHOLDER, crc);
    free(pre.bytes);
    wformat_free(&fmt);
    *out = buf;
    *out_len = total;
    return APO_OK;
}

apo_status fcs_write_buffer(uint8_t **out, size_t *out_len, const fcs_write_spec *spec,
                            apo_error *err)
{
    return write_buffer(out, out_len, spec, false, err);
}

apo_status fcs_write_datasets(const char *path, const fcs_write_spec *specs, size_t n,
                              apo_error *err)
{
    if (path == NULL || specs == NULL || n == 0) {
        return apo_error_set(err, APO_E_USAGE, path, APO_NO_OFFSET, NULL,
                             "expected a path and at least one data set, found none");
    }
    apo_atomic_file af;
    apo_status st = apo_atomic_open(&af, path, err);
    for (size_t k = 0; st == APO_OK && k < n; k++) {
        uint8_t *buf = NULL;
        size_t len = 0;
        st = write_buffer(&buf, &len, &specs[k], k + 1 < n, err);
        if (st == APO_OK && fwrite(buf, 1, len, af.fp) != len) {
            st = apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL, "cannot write: %s",
                               strerror(errno));
        }
        free(buf);
    }
    if (st != APO_OK) {
        apo_atomic_abort(&af);
        return st;
    }
    return apo_atomic_commit(&af, err);
}

/* ---- block-wise writer; fcs_write_file is one open + one append + commit ---- */

enum { CHUNK_EVENTS = 4096 };

struct fcs_writer {
    apo_atomic_file af;
    size_t n_params;
    uint64_t n_events; /* announced at open */
    uint64_t written;  /* appended so far */
    uint8_t *chunk;    /* CHUNK_EVENTS encoded rows */
    bool failed;       /* a write failed: only abort is left */
    wformat fmt;       /* how DATA is stored (owned) */
};

static apo_status writer_open(fcs_writer **out, const char *path, const fcs_write_spec *spec,
                              bool from_values, const double *data_max,
                              const fcs_write_format *format, apo_error *err)
{
    if (out == NULL || path == NULL) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected an output path, found NULL");
    }
    *out = NULL;
    prelude pre;
    wformat fmt;
    apo_status st = wformat_init(&fmt, format, spec != NULL ? spec->n_params : 0, err);
    if (st == APO_OK) {
        st = build_prelude(spec, &fmt, false, from_values, data_max, &pre, err);
    }
    if (st != APO_OK) {
        wformat_free(&fmt);
        return st;
    }
    fcs_writer *w = calloc(1, sizeof(*w));
    size_t chunk_bytes = 0;
    if (w == NULL ||
        (spec->n_events > 0 && (!apo_mul_size(fmt.row_bytes, CHUNK_EVENTS, &chunk_bytes) ||
                                (w->chunk = malloc(chunk_bytes)) == NULL))) {
        free(w);
        free(pre.bytes);
        wformat_free(&fmt);
        return apo_error_set(err, APO_E_NOMEM, path, APO_NO_OFFSET, NULL, "out of memory");
    }
    w->n_params = spec->n_params;
    w->n_events = spec->n_events;
    w->fmt = fmt;
    st = apo_atomic_open(&w->af, path, err);
    if (st != APO_OK) {
        free(pre.bytes);
        free(w->chunk);
        wformat_free(&w->fmt);
        free(w);
        return st;
    }
    bool ok = fwrite(pre.bytes, 1, pre.len, w->af.fp) == pre.len;
    int e = errno;
    free(pre.bytes);
    if (!ok) {
        fcs_writer_abort(w);
        return apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL, "cannot write: %s",
                             strerror(e));
    }
    *out = w;
    return APO_OK;
}

apo_status fcs_writer_open(fcs_writer **out, const char *path, const fcs_write_spec *spec,
                           const double *data_max, apo_error *err)
{
    if (spec != NULL && data_max == NULL) {
        for (size_t p = 0; spec->params != NULL && p < spec->n_params; p++) {
            if (!range_given(&spec->params[p])) {
                return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "$PnR",
                                     "expected a range or the data maximum for parameter "
                                     "%zu, found neither",
                                     p + 1);
            }
        }
    }
    return writer_open(out, path, spec, false, data_max, NULL, err);
}

apo_status fcs_writer_open_as(fcs_writer **out, const char *path, const fcs_write_spec *spec,
                              const double *data_max, fcs_datatype datatype, apo_error *err)
{
    if (datatype != FCS_DATATYPE_FLOAT && datatype != FCS_DATATYPE_DOUBLE) {
        return apo_error_set(err, APO_E_USAGE, path, APO_NO_OFFSET, "$DATATYPE",
                             "expected F or D, found %d", (int)datatype);
    }
    fcs_write_format fmt = {(char)datatype, false, NULL, NULL, NULL};
    return fcs_writer_open_format(out, path, spec, data_max, &fmt, err);
}

apo_status fcs_writer_open_format(fcs_writer **out, const char *path, const fcs_write_spec *spec,
                                  const double *data_max, const fcs_write_format *format,
                                  apo_error *err)
{
    if (spec != NULL && data_max == NULL) {
        for (size_t p = 0; spec->params != NULL && p < spec->n_params; p++) {
            if (!range_given(&spec->params[p])) {
                return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "$PnR",
                                     "expected a range or the data maximum for parameter "
                                     "%zu, found neither",
                                     p + 1);
            }
        }
    }
    return writer_open(out, path, spec, false, data_max, format, err);
}

apo_status fcs_writer_append(fcs_writer *w, const double *block, size_t count, size_t ld,
                             apo_error *err)
{
    if (w == NULL || w->failed) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected an open writer, found %s", w ? "a failed one" : "NULL");
    }
    if (count > 0 && (block == NULL || ld < count)) {
        return apo_error_set(err, APO_E_USAGE, w->af.final_path, APO_NO_OFFSET, NULL,
                             "expected a block of %zu events with ld >= %zu, found %s", count,
                             count, block == NULL ? "NULL" : "a smaller ld");
    }
    if (count > w->n_events - w->written) {
        return apo_error_set(err, APO_E_USAGE, w->af.final_path, APO_NO_OFFSET, "$TOT",
                             "expected at most %llu more events, found %zu",
                             (unsigned long long)(w->n_events - w->written), count);
    }
    apo_status st = check_integers(&w->fmt, block, ld, count, w->written, w->af.final_path, err);
    if (st != APO_OK) {
        return st;
    }
    size_t row = w->fmt.row_bytes;
    for (size_t i = 0; i < count; i += CHUNK_EVENTS) {
        size_t n = count - i < CHUNK_EVENTS ? count - i : CHUNK_EVENTS;
        encode_rows(&w->fmt, block + i, ld, n, w->chunk);
        if (fwrite(w->chunk, row, n, w->af.fp) != n) {
            w->failed = true;
            return apo_error_set(err, APO_E_WRITE, w->af.final_path, APO_NO_OFFSET, NULL,
                                 "cannot write: %s", strerror(errno));
        }
    }
    w->written += count;
    return APO_OK;
}

apo_status fcs_writer_commit(fcs_writer *w, apo_error *err)
{
    if (w == NULL) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected a writer, found NULL");
    }
    if (w->failed || w->written != w->n_events) {
        apo_status st = w->failed ? APO_E_WRITE : APO_E_USAGE;
        (void)apo_error_set(err, st, w->af.final_path, APO_NO_OFFSET, "$TOT",
                            "expected %llu events written, found %llu",
                            (unsigned long long)w->n_events, (unsigned long long)w->written);
        fcs_writer_abort(w);
        return st;
    }
    size_t crc = sizeof(CRC_PLACEHOLDER) - 1;
    if (fwrite(CRC_PLACEHOLDER, 1, crc, w->af.fp) != crc) {
        int e = errno;
        apo_status st = apo_error_set(err, APO_E_WRITE, w->af.final_path, APO_NO_OFFSET, NULL,
                                      "cannot write: %s", strerror(e));
        fcs_writer_abort(w);
        return st;
    }
    apo_status st = apo_atomic_commit(&w->af, err);
    free(w->chunk);
    wformat_free(&w->fmt);
    free(w);
    return st;
}

void fcs_writer_abort(fcs_writer *w)
{
    if (w == NULL) {
        return;
    }
    apo_atomic_abort(&w->af);
    free(w->chunk);
    wformat_free(&w->fmt);
    free(w);
}

apo_status fcs_write_file(const char *path, const fcs_write_spec *spec, apo_error *err)
{
    return fcs_write_file_format(path, spec, NULL, err);
}

apo_status fcs_write_file_format(const char *path, const fcs_write_spec *spec,
                                 const fcs_write_format *format, apo_error *err)
{
    fcs_writer *w = NULL;
    apo_status st = writer_open(&w, path, spec, true, NULL, format, err);
    if (st == APO_OK) {
        /* build_prelude checked that every value fits in memory, so n_events fits size_t. */
        st = fcs_writer_append(w, spec->values, (size_t)spec->n_events, (size_t)spec->n_events,
                               err);
        if (st != APO_OK) {
            fcs_writer_abort(w);
            return st;
        }
        st = fcs_writer_commit(w, err);
    }
    return st;
}
