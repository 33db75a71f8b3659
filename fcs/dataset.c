/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dataset.c: reads one data set up to a checked layout: HEADER, primary TEXT (choosing the
 * doubled-delimiter mode), supplemental TEXT and ANALYSIS keywords (failures only warn),
 * duplicate keywords (first wins), the required keywords ($MODE, $DATATYPE, $PAR,
 * $TOT), then parameters (params.c), layout and DATA offsets (layout.c), $NEXTDATA, $TIMESTEP
 * and the spillover matrix (spillover.c).
 */
#include "fcs/parse_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *fcs_show(char *buf, size_t cap, const char *s, size_t len)
{
    size_t o = 0;
    const size_t limit = 60;
    for (size_t i = 0; i < len && o + 6 < cap; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (i >= limit) {
            o += (size_t)snprintf(buf + o, cap - o, "...");
            break;
        }
        if (ch >= 0x20 && ch != 0x7F && ch != '"' && ch != '\\') {
            buf[o++] = (char)ch;
        } else {
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02X", ch);
        }
    }
    buf[o < cap ? o : cap - 1] = '\0';
    return buf;
}

const fcs_keyword *fcs_ctx_kw(const fcs_parse_ctx *c, const char *name)
{
    return fcs_dataset_find_keyword(c->ds, name);
}

const fcs_keyword *fcs_ctx_pkw(const fcs_parse_ctx *c, size_t i, const char *suffix,
                               char *name_out, size_t name_cap)
{
    char tmp[64];
    char *n = name_out ? name_out : tmp;
    size_t cap = name_out ? name_cap : sizeof tmp;
    snprintf(n, cap, "$P%zu%s", c->zero_based ? i : i + 1, suffix);
    return fcs_ctx_kw(c, n);
}

uint64_t fcs_ctx_off(const fcs_parse_ctx *c, const fcs_keyword *k)
{
    return k ? k->offset : c->base + c->h.text_begin;
}

/* ---- choosing the TEXT mode ---- */

/* Do the required keywords survive this tokenization? */
static bool text_validates(const fcs_text_segment *seg)
{
    size_t *sorted = fcs_keywords_sort(seg->kw, seg->n);
    if (sorted == NULL) {
        return false;
    }
    bool ok = false;
    const fcs_keyword *par = fcs_keywords_lookup(seg->kw, sorted, seg->n, "$PAR");
    uint64_t npar;
    if (par && apo_parse_u64(par->value, par->value_len, &npar) && npar > 0 &&
        npar <= seg->n && fcs_keywords_lookup(seg->kw, sorted, seg->n, "$DATATYPE")) {
        char last[48];
        snprintf(last, sizeof last, "$P%lluB", (unsigned long long)npar);
        bool one = fcs_keywords_lookup(seg->kw, sorted, seg->n, "$P0B") == NULL ||
                   fcs_keywords_lookup(seg->kw, sorted, seg->n, last) != NULL;
        ok = true;
        for (uint64_t i = 0; i < npar && ok; i++) {
            char k[48];
            snprintf(k, sizeof k, "$P%lluB", (unsigned long long)(one ? i + 1 : i));
            ok = fcs_keywords_lookup(seg->kw, sorted, seg->n, k) != NULL;
        }
    }
    free(sorted);
    return ok;
}

static void merge_warnings(fcs_warning_list *dst, const fcs_warning_list *src)
{
    for (size_t i = 0; i < src->n; i++) {
        const fcs_warning *w = &src->items[i];
        fcs_warn(dst, NULL, APO_NO_OFFSET, NULL, "%s", w->msg);
        if (dst->n > 0) {
            dst->items[dst->n - 1].offset = w->offset;
            memcpy(dst->items[dst->n - 1].keyword, w->keyword, sizeof w->keyword);
        }
    }
}

static apo_status tokenize_primary(fcs_parse_ctx *c, const uint8_t *text, size_t len,
                                   fcs_text_segment *out, apo_error *err)
{
    fcs_dataset *ds = c->ds;
    uint64_t abs = c->base + c->h.text_begin;
    uint8_t delim = text[0];
    fcs_text_mode mode = c->opts->text_mode;
    if (mode != FCS_TEXT_AUTO) {
        ds->text_mode_used = mode;
        return fcs_text_tokenize(text, len, abs, delim, mode, 0, c->name, out, &ds->warnings,
                                 err);
    }
    if ((delim == 0 || delim > 126) && !c->v2 && strcmp(ds->version, "FCS3.0") != 0) {
        fcs_warn(&ds->warnings, c->name, abs, NULL,
                 "TEXT: expected a delimiter in ASCII 1-126 (FCS 3.1+), found 0x%02X; used",
                 delim);
    }
    fcs_warning_list w1 = {0};
    apo_status st = fcs_text_tokenize(text, len, abs, delim, FCS_TEXT_ESCAPE, 0, c->name, out,
                                      &w1, err);
    if (st != APO_OK) {
        fcs_warning_list_free(&w1);
        return st;
    }
    if (!text_validates(out)) {
        fcs_text_segment alt;
        fcs_warning_list w2 = {0};
        if (fcs_text_tokenize(text, len, abs, delim, FCS_TEXT_EMPTY, 0, c->name, &alt, &w2,
                              NULL) == APO_OK &&
            text_validates(&alt)) {
            fcs_text_segment_free(out);
            *out = alt;
            merge_warnings(&ds->warnings, &w2);
            fcs_warn(&ds->warnings, c->name, abs, NULL,
                     "TEXT: expected doubled delimiters to be escapes, found that the required "
                     "keywords only appear when they are read as empty values; read so");
            ds->text_mode_used = FCS_TEXT_EMPTY;
            fcs_warning_list_free(&w1);
            fcs_warning_list_free(&w2);
            return APO_OK;
        }
        if (alt.kw || alt.storage) {
            fcs_text_segment_free(&alt);
        }
        fcs_warning_list_free(&w2);
    }
    merge_warnings(&ds->warnings, &w1);
    fcs_warning_list_free(&w1);
    ds->text_mode_used = FCS_TEXT_ESCAPE;
    return APO_OK;
}

/* ---- STEXT and ANALYSIS ---- */

/* Parse an offset keyword; false when absent or unusable (a warning says why). */
static bool offset_kw(fcs_parse_ctx *c, const char *name, uint64_t *out)
{
    const fcs_keyword *k = fcs_ctx_kw(c, name);
    if (k == NULL) {
        return false;
    }
    if (apo_parse_u64(k->value, k->value_len, out)) {
        return true;
    }
    char v[128];
    fcs_warn(&c->ds->warnings, c->name, k->offset, k->name,
             "expected a byte offset, found \"%s\"; ignored",
             fcs_show(v, sizeof v, k->value, k->value_len));
    return false;
}

static void add_segment(fcs_parse_ctx *c, int segment, uint64_t b, uint64_t e, const char *what)
{
    fcs_dataset *ds = c->ds;
    uint64_t ab, ae;
    if (e < b || !apo_add_u64(c->base, b, &ab) || !apo_add_u64(c->base, e, &ae) ||
        ae >= c->f->len) {
        fcs_warn(&ds->warnings, c->name, c->base + c->h.text_begin, NULL,
                 "%s: expected a segment inside the file of %llu bytes, found %llu..%llu; "
                 "ignored",
                 what, (unsigned long long)c->f->len, (unsigned long long)b,
                 (unsigned long long)e);
        return;
    }
    uint8_t delim = c->f->buf[c->base + c->h.text_begin];
    fcs_text_segment seg;
    apo_error e2;
    apo_error_clear(&e2);
    fcs_text_mode mode = ds->text_mode_used == FCS_TEXT_EMPTY ? FCS_TEXT_EMPTY : FCS_TEXT_ESCAPE;
    if (fcs_text_tokenize(c->f->buf + ab, (size_t)(ae - ab + 1), ab, delim, mode, segment,
                          c->name, &seg, &ds->warnings, &e2) != APO_OK) {
        fcs_warn(&ds->warnings, c->name, ab, NULL, "%s ignored: %s", what,
                 e2.msg + (strlen(e2.msg) > strlen(c->name) + 2 ? strlen(c->name) + 2 : 0));
        return;
    }
    if (seg.n == 0) {
        fcs_text_segment_free(&seg);
        return;
    }
    size_t n = ds->n_keywords + seg.n;
    fcs_keyword *kw = realloc(ds->keywords, n * sizeof *kw);
    if (kw == NULL) {
        fcs_text_segment_free(&seg);
        fcs_warn(&ds->warnings, c->name, ab, NULL, "%s ignored: out of memory", what);
        return;
    }
    memcpy(kw + ds->n_keywords, seg.kw, seg.n * sizeof *kw);
    ds->keywords = kw;
    ds->n_keywords = n;
    ds->seg_storage[segment - 1] = seg.storage;
    free(seg.kw);
}

static void extra_segments(fcs_parse_ctx *c)
{
    fcs_dataset *ds = c->ds;
    uint64_t b, e;
    if (!c->v2 && offset_kw(c, "$BEGINSTEXT", &b) && offset_kw(c, "$ENDSTEXT", &e) &&
        !(b == 0 && e == 0)) {
        if (b == c->h.text_begin && e == c->h.text_end) {
            /* Accuri C6 Plus: STEXT = primary TEXT (bad supplemental TEXT): nothing new */
        } else if (b == 0 || e < b) {
            fcs_warn(&ds->warnings, c->name, c->base + c->h.text_begin, "$BEGINSTEXT",
                     "expected a supplemental TEXT segment, found %llu..%llu; ignored",
                     (unsigned long long)b, (unsigned long long)e);
        } else {
            add_segment(c, 1, b, e, "supplemental TEXT");
        }
    }
    bool have = false;
    if (c->h.analysis_valid) {
        b = c->h.analysis_begin;
        e = c->h.analysis_end;
        have = true;
    } else if (!c->v2 && offset_kw(c, "$BEGINANALYSIS", &b) &&
               offset_kw(c, "$ENDANALYSIS", &e) && b != 0 && e >= b) {
        have = true;
    }
    if (have) {
        add_segment(c, 2, b, e, "ANALYSIS segment");
    }
}

/*
 * Keywords that decide where the segments lie or how DATA is laid out. A second, different
 * value of one of these cannot be resolved by taking the first (the data set would be read
 * from the wrong bytes or with the wrong layout), so it rejects the data set. Under
 * `--offsets header` the HEADER's DATA offsets are used and $BEGINDATA/$ENDDATA decide
 * nothing, so their conflicts are only warned about.
 */
static bool is_data_offset(const char *name)
{
    return fcs_ascii_icmp(name, "$BEGINDATA") == 0 || fcs_ascii_icmp(name, "$ENDDATA") == 0;
}

static bool decides_layout(const fcs_parse_ctx *c, const char *name)
{
    static const char *const fixed[] = {"$BEGINSTEXT", "$ENDSTEXT", "$BEGINANALYSIS",
                                        "$ENDANALYSIS", "$NEXTDATA", "$BYTEORD", "$DATATYPE",
                                        "$MODE", "$PAR", "$TOT"};
    if (is_data_offset(name)) {
        return c->opts->offsets != FCS_OFFSETS_HEADER;
    }
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        if (fcs_ascii_icmp(name, fixed[i]) == 0) {
            return true;
        }
    }
    /* $PnB: the bit width of parameter n decides every later column's position. */
    size_t len = strlen(name);
    if (len >= 4 && name[0] == '$' && (name[1] == 'P' || name[1] == 'p') &&
        (name[len - 1] == 'B' || name[len - 1] == 'b')) {
        for (size_t i = 2; i < len - 1; i++) {
            if (name[i] < '0' || name[i] > '9') {
                return false;
            }
        }
        return len > 3;
    }
    return false;
}

/* Re-index; warn about duplicate keywords (the first occurrence is used), and reject a
 * conflicting duplicate of a keyword that decides the layout (decides_layout). */
static apo_status index_keywords(fcs_parse_ctx *c, bool warn_dups, apo_error *err)
{
    fcs_dataset *ds = c->ds;
    free(ds->kw_sorted);
    ds->kw_sorted = fcs_keywords_sort(ds->keywords, ds->n_keywords);
    if (ds->kw_sorted == NULL) {
        return apo_error_set(err, APO_E_NOMEM, c->name, APO_NO_OFFSET, NULL,
                             "out of memory indexing %zu keywords", ds->n_keywords);
    }
    if (!warn_dups) {
        return APO_OK;
    }
    size_t run = 0; /* sorted position of the first keyword of the current name */
    for (size_t i = 1; i < ds->n_keywords; i++) {
        const fcs_keyword *first = &ds->keywords[ds->kw_sorted[run]];
        const fcs_keyword *b = &ds->keywords[ds->kw_sorted[i]];
        if (fcs_ascii_icmp(first->name, b->name) != 0) {
            run = i;
            continue;
        }
        bool same = first->value_len == b->value_len &&
                    memcmp(first->value, b->value, b->value_len) == 0;
        if (b->segment != 0 && first->segment == 0 && same) {
            continue; /* STEXT/ANALYSIS repeating a primary keyword verbatim */
        }
        char v1[128], v2[128];
        if (decides_layout(c, b->name)) {
            return apo_error_set(err, APO_E_FORMAT, c->name, b->offset, b->name,
                                 "expected each keyword once, found it twice with different "
                                 "values (\"%s\" and \"%s\"); it decides where or how the data "
                                 "lies, so neither is guessed%s",
                                 fcs_show(v1, sizeof v1, first->value, first->value_len),
                                 fcs_show(v2, sizeof v2, b->value, b->value_len),
                                 is_data_offset(b->name)
                                     ? " (--offsets header reads DATA where the HEADER says)"
                                     : "");
        }
        fcs_warn(&ds->warnings, c->name, b->offset, b->name,
                 "expected each keyword once, found it again (value \"%s\"); the first value "
                 "\"%s\" is used",
                 fcs_show(v2, sizeof v2, b->value, b->value_len),
                 fcs_show(v1, sizeof v1, first->value, first->value_len));
    }
    return APO_OK;
}

/* ---- required keywords ---- */

static apo_status check_mode(fcs_parse_ctx *c, apo_error *err)
{
    const fcs_keyword *k = fcs_ctx_kw(c, "$MODE");
    if (k == NULL) {
        if (!c->v32) {
            fcs_warn(&c->ds->warnings, c->name, c->base + c->h.text_begin, "$MODE",
                     "expected the required keyword $MODE, found none; assuming L (list mode)");
        }
        return APO_OK;
    }
    char v[128];
    size_t b = 0, e = k->value_len;
    while (b < e && k->value[b] == ' ') {
        b++;
    }
    while (e > b && k->value[e - 1] == ' ') {
        e--;
    }
    if (e - b == 1 && (k->value[b] == 'L' || k->value[b] == 'l')) {
        return APO_OK;
    }
    if (e - b == 1 && (k->value[b] == 'C' || k->value[b] == 'U' || k->value[b] == 'c' ||
                       k->value[b] == 'u')) {
        return apo_error_set(err, APO_E_UNSUPPORTED, c->name, k->offset, "$MODE",
                             "expected list mode L, found histogram mode \"%c\" (not supported)",
                             k->value[b]);
    }
    return apo_error_set(err, APO_E_FORMAT, c->name, k->offset, "$MODE",
                         "expected L (list mode), found \"%s\"",
                         fcs_show(v, sizeof v, k->value, k->value_len));
}

static apo_status check_datatype(fcs_parse_ctx *c, apo_error *err)
{
    const fcs_keyword *k = fcs_ctx_kw(c, "$DATATYPE");
    if (k == NULL) {
        return apo_error_set(err, APO_E_FORMAT, c->name, c->base + c->h.text_begin,
                             "$DATATYPE",
                             "expected the required keyword $DATATYPE, found none");
    }
    size_t b = 0, e = k->value_len;
    while (b < e && k->value[b] == ' ') {
        b++;
    }
    while (e > b && k->value[e - 1] == ' ') {
        e--;
    }
    char t = e - b == 1 ? k->value[b] : '?';
    if (t >= 'a' && t <= 'z') {
        t = (char)(t - 32);
    }
    if (t != 'I' && t != 'F' && t != 'D' && t != 'A') {
        char v[128];
        return apo_error_set(err, APO_E_FORMAT, c->name, k->offset, "$DATATYPE",
                             "expected I, F, D or A, found \"%s\"",
                             fcs_show(v, sizeof v, k->value, k->value_len));
    }
    c->ds->datatype = (fcs_datatype)t;
    return APO_OK;
}

static apo_status check_tot(fcs_parse_ctx *c, apo_error *err)
{
    const fcs_keyword *k = fcs_ctx_kw(c, "$TOT");
    c->tot_known = false;
    if (k == NULL) {
        if (!c->v2) {
            fcs_warn(&c->ds->warnings, c->name, c->base + c->h.text_begin, "$TOT",
                     "expected the required keyword $TOT, found none; the event count is "
                     "derived from the DATA length");
        }
        return APO_OK;
    }
    uint64_t v;
    if (!apo_parse_u64(k->value, k->value_len, &v)) {
        char s[128];
        return apo_error_set(err, APO_E_FORMAT, c->name, k->offset, "$TOT",
                             "expected a non-negative event count, found \"%s\"",
                             fcs_show(s, sizeof s, k->value, k->value_len));
    }
    c->tot = v;
    c->tot_known = true;
    return APO_OK;
}

static void parse_timestep(fcs_parse_ctx *c)
{
    c->ds->timestep = NAN;
    const fcs_keyword *k = fcs_ctx_kw(c, "$TIMESTEP");
    if (k == NULL) {
        return;
    }
    double v;
    if (apo_parse_double(k->value, k->value_len, false, &v) && v > 0) {
        c->ds->timestep = v;
        return;
    }
    char s[128];
    fcs_warn(&c->ds->warnings, c->name, k->offset, "$TIMESTEP",
             "expected a positive number of seconds, found \"%s\"; treated as absent",
             fcs_show(s, sizeof s, k->value, k->value_len));
}

static void parse_nextdata(fcs_parse_ctx *c, uint64_t *next_out)
{
    *next_out = 0;
    const fcs_keyword *k = fcs_ctx_kw(c, "$NEXTDATA");
    if (k == NULL) {
        return;
    }
    uint64_t v;
    char s[128];
    if (!apo_parse_u64(k->value, k->value_len, &v)) {
        fcs_warn(&c->ds->warnings, c->name, k->offset, "$NEXTDATA",
                 "expected the offset of the next data set or 0, found \"%s\"; treated as 0 "
                 "(last data set)",
                 fcs_show(s, sizeof s, k->value, k->value_len));
        return;
    }
    if (v == 0) {
        return;
    }
    uint64_t next;
    if (!apo_add_u64(c->base, v, &next) || next >= c->f->len) {
        fcs_warn(&c->ds->warnings, c->name, k->offset, "$NEXTDATA",
                 "expected an offset inside the file of %llu bytes, found %llu (from data set "
                 "at byte %llu); no further data sets read",
                 (unsigned long long)c->f->len, (unsigned long long)v,
                 (unsigned long long)c->base);
        return;
    }
    *next_out = next;
}

apo_status fcs_dataset_parse(fcs_dataset *ds, uint64_t base, const fcs_read_options *opts,
                             uint64_t *next_out, apo_error *err)
{
    const fcs_file *f = ds->file;
    fcs_parse_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    fcs_parse_ctx *c = &ctx;
    c->ds = ds;
    c->f = f;
    c->name = f->name;
    c->base = base;
    c->opts = opts;
    *next_out = 0;
    ds->offset = base;
    ds->timestep = NAN;

    apo_status st = fcs_header_parse(f->buf, f->len, base, c->name, &c->h, &ds->warnings, err);
    if (st != APO_OK) {
        return st;
    }
    memcpy(ds->version, c->h.version, sizeof ds->version);
    c->v2 = strcmp(ds->version, "FCS2.0") == 0;
    c->v32 = strcmp(ds->version, "FCS3.2") == 0;

    /* TEXT bounds */
    uint64_t tb = c->h.text_begin, te = c->h.text_end;
    uint64_t atb, ate;
    if (tb < 58 || te <= tb || !apo_add_u64(base, tb, &atb) || !apo_add_u64(base, te, &ate) ||
        ate >= f->len) {
        return apo_error_set(err, APO_E_FORMAT, c->name, base + 10, NULL,
                             "HEADER TEXT offsets: expected a TEXT segment after the HEADER and "
                             "inside the file of %llu bytes, found %llu..%llu",
                             (unsigned long long)f->len, (unsigned long long)tb,
                             (unsigned long long)te);
    }
    if (c->h.data_valid && te == c->h.data_begin) {
        fcs_warn(&ds->warnings, c->name, base + 18, NULL,
                 "HEADER: expected TEXT to end before DATA, found TEXT end = DATA begin = "
                 "%llu; TEXT end taken as %llu",
                 (unsigned long long)te, (unsigned long long)(te - 1));
        te--;
        ate--;
        c->h.text_end = te;
    }
    if (ate - atb + 1 > SIZE_MAX / 2 - 16) {
        return apo_error_set(err, APO_E_RANGE, c->name, base + 10, NULL,
                             "TEXT segment of %llu bytes is too large",
                             (unsigned long long)(ate - atb + 1));
    }
    fcs_text_segment seg;
    st = tokenize_primary(c, f->buf + atb, (size_t)(ate - atb + 1), &seg, err);
    if (st != APO_OK) {
        return st;
    }
    ds->keywords = seg.kw;
    ds->n_keywords = seg.n;
    ds->keyword_storage = seg.storage;
    st = index_keywords(c, false, err);
    if (st != APO_OK) {
        return st;
    }
    extra_segments(c);
    st = index_keywords(c, true, err);
    if (st != APO_OK) {
        return st;
    }
    const fcs_keyword *bo = fcs_ctx_kw(c, "$BYTEORD");
    if (bo != NULL) {
        size_t b = 0, e = bo->value_len;
        while (b < e && bo->value[b] == ' ') {
            b++;
        }
        while (e > b && bo->value[e - 1] == ' ') {
            e--;
        }
        size_t n = e - b < sizeof ds->byteord - 1 ? e - b : sizeof ds->byteord - 1;
        memcpy(ds->byteord, bo->value + b, n);
        ds->byteord[n] = '\0';
    }
    if ((st = check_mode(c, err)) != APO_OK || (st = check_datatype(c, err)) != APO_OK ||
        (st = check_tot(c, err)) != APO_OK || (st = fcs_params_parse(c, err)) != APO_OK ||
        (st = fcs_layout_build(c, err)) != APO_OK) {
        return st;
    }
    parse_timestep(c);
    parse_nextdata(c, next_out);
    fcs_spillover_parse(ds);
    return APO_OK;
}

void fcs_dataset_clear(fcs_dataset *ds)
{
    if (ds == NULL) {
        return;
    }
    free(ds->keywords);
    free(ds->keyword_storage);
    free(ds->seg_storage[0]);
    free(ds->seg_storage[1]);
    free(ds->kw_sorted);
    free(ds->params);
    free(ds->param_storage);
    free(ds->layout.columns);
    fcs_spillover_free(ds->spillover);
    fcs_warning_list_free(&ds->warnings);
    const fcs_file *f = ds->file;
    memset(ds, 0, sizeof *ds);
    ds->file = f;
}
