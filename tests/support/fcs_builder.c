/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fcs_builder.c: in-memory FCS writer for tests, able to produce both clean files and the
 * vendor quirks of docs/fcs-quirks.md (see fcs_builder.h for the API). Test code only: it aborts on
 * misuse instead of returning errors.
 */
#include "support/fcs_builder.h"

#include "fcs/fcs.h"
#include "support/slurp.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct bparam {
    char *name;
    unsigned stored_bits;
    char *pnb_text; /* NULL: from stored_bits */
    double range;
    char datatype; /* 0: global */
} bparam;

typedef struct bkw {
    char *name;
    char *value;
    bool raw; /* name holds raw TEXT bytes */
} bkw;

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

struct fcs_builder {
    char version[7];
    char delim;
    char datatype;
    char byteord[64];
    bparam *params;
    size_t n_params;
    bkw *kws;
    size_t n_kws;
    char **omit;
    size_t n_omit;
    bool no_final_delim;
    char *text_pad;
    bool from_zero;
    double *events;
    size_t n_events;
    bool have_events;
    uint8_t *raw_data;
    size_t raw_len;
    bool have_raw;
    char *ascii_sep;
    char header_fields[6][9];
    bool header_field_set[6];
    char header_gap[5];
    char *header_extra;
    size_t data_gap;
    int header_end_delta, text_end_delta;
    char *trailer;
    char *analysis;
    char *stext;
    char nextdata[32]; /* "" = automatic "0" */
};

static void die(const char *msg)
{
    fprintf(stderr, "fcs_builder: %s\n", msg);
    abort();
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        die("out of memory");
    }
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        die("out of memory");
    }
    return q;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s);
    char *d = xmalloc(n + 1);
    memcpy(d, s, n + 1);
    return d;
}

static void sb_put(sbuf *s, const void *p, size_t n)
{
    if (s->n + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 256;
        while (cap < s->n + n + 1) {
            cap *= 2;
        }
        s->p = xrealloc(s->p, cap);
        s->cap = cap;
    }
    if (n) {
        memcpy(s->p + s->n, p, n);
    }
    s->n += n;
    s->p[s->n] = '\0';
}

static void sb_str(sbuf *s, const char *str)
{
    sb_put(s, str, strlen(str));
}

static void sb_printf(sbuf *s, const char *fmt, ...) APO_PRINTF(2, 3);
static void sb_printf(sbuf *s, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        die("formatted text too long");
    }
    sb_put(s, tmp, (size_t)n);
}

static bool ieq(const char *a, const char *b)
{
    for (;; a++, b++) {
        char ca = *a, cb = *b;
        if (ca >= 'a' && ca <= 'z') {
            ca = (char)(ca - 32);
        }
        if (cb >= 'a' && cb <= 'z') {
            cb = (char)(cb - 32);
        }
        if (ca != cb) {
            return false;
        }
        if (!ca) {
            return true;
        }
    }
}

fcs_builder *fcs_builder_new(const char *version)
{
    fcs_builder *b = xmalloc(sizeof *b);
    memset(b, 0, sizeof *b);
    snprintf(b->version, sizeof b->version, "%-6s", version);
    b->delim = '/';
    b->datatype = 'I';
    snprintf(b->byteord, sizeof b->byteord, "1,2,3,4");
    memcpy(b->header_gap, "    ", 5);
    b->ascii_sep = xstrdup(" ");
    return b;
}

void fcs_builder_free(fcs_builder *b)
{
    if (!b) {
        return;
    }
    for (size_t i = 0; i < b->n_params; i++) {
        free(b->params[i].name);
        free(b->params[i].pnb_text);
    }
    free(b->params);
    for (size_t i = 0; i < b->n_kws; i++) {
        free(b->kws[i].name);
        free(b->kws[i].value);
    }
    free(b->kws);
    for (size_t i = 0; i < b->n_omit; i++) {
        free(b->omit[i]);
    }
    free(b->omit);
    free(b->text_pad);
    free(b->events);
    free(b->raw_data);
    free(b->ascii_sep);
    free(b->header_extra);
    free(b->trailer);
    free(b->analysis);
    free(b->stext);
    free(b);
}

void fcs_builder_set_delim(fcs_builder *b, char delim)
{
    b->delim = delim;
}

static void add_kw(fcs_builder *b, const char *name, const char *value, bool raw)
{
    b->kws = xrealloc(b->kws, (b->n_kws + 1) * sizeof *b->kws);
    b->kws[b->n_kws].name = xstrdup(name);
    b->kws[b->n_kws].value = value ? xstrdup(value) : NULL;
    b->kws[b->n_kws].raw = raw;
    b->n_kws++;
}

void fcs_builder_keyword(fcs_builder *b, const char *name, const char *value)
{
    add_kw(b, name, value, false);
}

void fcs_builder_text_raw(fcs_builder *b, const char *bytes)
{
    add_kw(b, bytes, NULL, true);
}

void fcs_builder_omit(fcs_builder *b, const char *name)
{
    b->omit = xrealloc(b->omit, (b->n_omit + 1) * sizeof *b->omit);
    b->omit[b->n_omit++] = xstrdup(name);
}

void fcs_builder_no_final_delim(fcs_builder *b)
{
    b->no_final_delim = true;
}

void fcs_builder_text_pad(fcs_builder *b, const char *bytes)
{
    free(b->text_pad);
    b->text_pad = xstrdup(bytes);
}

void fcs_builder_number_from_zero(fcs_builder *b)
{
    b->from_zero = true;
}

void fcs_builder_param(fcs_builder *b, const char *name, unsigned stored_bits, double range)
{
    b->params = xrealloc(b->params, (b->n_params + 1) * sizeof *b->params);
    bparam *p = &b->params[b->n_params++];
    p->name = xstrdup(name);
    p->stored_bits = stored_bits;
    p->pnb_text = NULL;
    p->range = range;
    p->datatype = 0;
}

void fcs_builder_param_bits(fcs_builder *b, const char *pnb_text)
{
    if (b->n_params == 0) {
        die("fcs_builder_param_bits before fcs_builder_param");
    }
    free(b->params[b->n_params - 1].pnb_text);
    b->params[b->n_params - 1].pnb_text = xstrdup(pnb_text);
}

void fcs_builder_param_datatype(fcs_builder *b, char datatype)
{
    if (b->n_params == 0) {
        die("fcs_builder_param_datatype before fcs_builder_param");
    }
    b->params[b->n_params - 1].datatype = datatype;
}

void fcs_builder_set_datatype(fcs_builder *b, char datatype)
{
    b->datatype = datatype;
}

void fcs_builder_set_byteord(fcs_builder *b, const char *byteord)
{
    snprintf(b->byteord, sizeof b->byteord, "%s", byteord);
}

void fcs_builder_set_events(fcs_builder *b, size_t n_events, const double *values)
{
    size_t n = n_events * b->n_params;
    free(b->events);
    b->events = xmalloc(n * sizeof(double));
    if (n) {
        memcpy(b->events, values, n * sizeof(double));
    }
    b->n_events = n_events;
    b->have_events = true;
}

void fcs_builder_set_raw_data(fcs_builder *b, const uint8_t *data, size_t len)
{
    free(b->raw_data);
    b->raw_data = xmalloc(len);
    if (len) {
        memcpy(b->raw_data, data, len);
    }
    b->raw_len = len;
    b->have_raw = true;
}

void fcs_builder_set_ascii_sep(fcs_builder *b, const char *sep)
{
    free(b->ascii_sep);
    b->ascii_sep = xstrdup(sep);
}

void fcs_builder_header_field(fcs_builder *b, int field, const char *text)
{
    if (field < 0 || field > 5 || strlen(text) > 8) {
        die("bad header field");
    }
    snprintf(b->header_fields[field], 9, "%-8s", text);
    b->header_field_set[field] = true;
}

void fcs_builder_header_gap(fcs_builder *b, const char *four)
{
    snprintf(b->header_gap, sizeof b->header_gap, "%-4s", four);
}

void fcs_builder_header_extra(fcs_builder *b, const char *bytes)
{
    free(b->header_extra);
    b->header_extra = xstrdup(bytes);
}

void fcs_builder_data_gap(fcs_builder *b, size_t n_bytes)
{
    b->data_gap = n_bytes;
}

void fcs_builder_data_end_delta(fcs_builder *b, int header_delta, int text_delta)
{
    b->header_end_delta = header_delta;
    b->text_end_delta = text_delta;
}

void fcs_builder_trailer(fcs_builder *b, const char *bytes)
{
    free(b->trailer);
    b->trailer = xstrdup(bytes);
}

void fcs_builder_analysis(fcs_builder *b, const char *raw_segment)
{
    free(b->analysis);
    b->analysis = xstrdup(raw_segment);
}

void fcs_builder_stext(fcs_builder *b, const char *raw_segment)
{
    free(b->stext);
    b->stext = xstrdup(raw_segment);
}

/* ---- encoding ---- */

static char col_type(const fcs_builder *b, size_t p)
{
    return b->params[p].datatype ? b->params[p].datatype : b->datatype;
}

static size_t col_bytes(const fcs_builder *b, size_t p)
{
    char t = col_type(b, p);
    if (t == 'A') {
        return b->params[p].stored_bits; /* characters */
    }
    return (b->params[p].stored_bits + 7) / 8;
}

static void put_uint(const fcs_builder *b, sbuf *out, uint64_t v, size_t w)
{
    unsigned ord[16];
    size_t k = 0;
    const char *s = b->byteord;
    while (*s && k < 16) {
        while (*s == ' ' || *s == ',') {
            s++;
        }
        if (!*s) {
            break;
        }
        unsigned x = 0;
        while (*s >= '0' && *s <= '9') {
            x = x * 10 + (unsigned)(*s - '0');
            s++;
        }
        ord[k++] = x;
        while (*s && *s != ',') {
            s++;
        }
    }
    bool asc = k > 0, desc = k > 0;
    for (size_t i = 0; i < k; i++) {
        if (ord[i] != i + 1) {
            asc = false;
        }
        if (ord[i] != k - i) {
            desc = false;
        }
    }
    uint8_t bytes[8];
    for (size_t i = 0; i < w; i++) {
        size_t sig;
        if (w == 1 || asc || k == 0) {
            sig = i;
        } else if (desc) {
            sig = w - 1 - i;
        } else {
            if (k != w) {
                die("permuted $BYTEORD with a different number of bytes than the value");
            }
            sig = ord[i] - 1;
        }
        bytes[i] = (uint8_t)(v >> (8 * sig));
    }
    sb_put(out, bytes, w);
}

static void encode_data(const fcs_builder *b, sbuf *out)
{
    if (b->have_raw) {
        sb_put(out, b->raw_data, b->raw_len);
        return;
    }
    if (!b->have_events) {
        return;
    }
    for (size_t e = 0; e < b->n_events; e++) {
        for (size_t p = 0; p < b->n_params; p++) {
            double v = b->events[e * b->n_params + p];
            char t = col_type(b, p);
            if (t == 'F') {
                float f = (float)v;
                uint32_t u;
                memcpy(&u, &f, 4);
                put_uint(b, out, u, 4);
            } else if (t == 'D') {
                uint64_t u;
                memcpy(&u, &v, 8);
                put_uint(b, out, u, 8);
            } else if (t == 'A') {
                unsigned w = b->params[p].stored_bits;
                if (w == 0) {
                    char num[40];
                    apo_format_double(num, sizeof num, v);
                    if (e > 0 || p > 0) {
                        sb_str(out, b->ascii_sep);
                    }
                    sb_str(out, num);
                } else {
                    sb_printf(out, "%*llu", (int)w, (unsigned long long)llround(v));
                }
            } else {
                unsigned bits = b->params[p].stored_bits;
                uint64_t u = (uint64_t)llround(v);
                if (bits < 64) {
                    u &= (UINT64_C(1) << bits) - 1;
                }
                put_uint(b, out, u, col_bytes(b, p));
            }
        }
    }
}

/* ---- TEXT ---- */

static bool omitted(const fcs_builder *b, const char *name)
{
    for (size_t i = 0; i < b->n_omit; i++) {
        if (ieq(b->omit[i], name)) {
            return true;
        }
    }
    for (size_t i = 0; i < b->n_kws; i++) {
        if (!b->kws[i].raw && ieq(b->kws[i].name, name)) {
            return true;
        }
    }
    return false;
}

static void put_escaped(sbuf *s, const char *str, char delim)
{
    for (; *str; str++) {
        sb_put(s, str, 1);
        if (*str == delim) {
            sb_put(s, str, 1);
        }
    }
}

static void put_kw(sbuf *s, const char *name, const char *value, char delim)
{
    put_escaped(s, name, delim);
    sb_put(s, &delim, 1);
    put_escaped(s, value, delim);
    sb_put(s, &delim, 1);
}

static void auto_kw(const fcs_builder *b, sbuf *s, const char *name, const char *value)
{
    if (!omitted(b, name)) {
        put_kw(s, name, value, b->delim);
    }
}

typedef struct offsets {
    uint64_t data_begin, data_end, stext_begin, stext_end, an_begin, an_end;
    uint64_t tot;
} offsets;

static void build_text(const fcs_builder *b, const offsets *o, sbuf *t)
{
    char v[64];
    bool v2 = b->version[3] == '2';
    t->n = 0;
    sb_put(t, &b->delim, 1);
    if (!v2) {
        snprintf(v, sizeof v, "%llu", (unsigned long long)o->data_begin);
        auto_kw(b, t, "$BEGINDATA", v);
        snprintf(v, sizeof v, "%llu", (unsigned long long)o->data_end);
        auto_kw(b, t, "$ENDDATA", v);
        snprintf(v, sizeof v, "%llu", (unsigned long long)o->an_begin);
        auto_kw(b, t, "$BEGINANALYSIS", v);
        snprintf(v, sizeof v, "%llu", (unsigned long long)o->an_end);
        auto_kw(b, t, "$ENDANALYSIS", v);
        snprintf(v, sizeof v, "%llu", (unsigned long long)o->stext_begin);
        auto_kw(b, t, "$BEGINSTEXT", v);
        snprintf(v, sizeof v, "%llu", (unsigned long long)o->stext_end);
        auto_kw(b, t, "$ENDSTEXT", v);
    }
    auto_kw(b, t, "$BYTEORD", b->byteord);
    snprintf(v, sizeof v, "%c", b->datatype);
    auto_kw(b, t, "$DATATYPE", v);
    auto_kw(b, t, "$MODE", "L");
    auto_kw(b, t, "$NEXTDATA", b->nextdata[0] ? b->nextdata : "0");
    snprintf(v, sizeof v, "%zu", b->n_params);
    auto_kw(b, t, "$PAR", v);
    snprintf(v, sizeof v, "%llu", (unsigned long long)o->tot);
    auto_kw(b, t, "$TOT", v);
    for (size_t p = 0; p < b->n_params; p++) {
        const bparam *bp = &b->params[p];
        size_t n = b->from_zero ? p : p + 1;
        char k[48];
        snprintf(k, sizeof k, "$P%zuN", n);
        auto_kw(b, t, k, bp->name);
        snprintf(k, sizeof k, "$P%zuB", n);
        if (bp->pnb_text) {
            auto_kw(b, t, k, bp->pnb_text);
        } else if (bp->stored_bits == 0) {
            auto_kw(b, t, k, "*");
        } else {
            snprintf(v, sizeof v, "%u", bp->stored_bits);
            auto_kw(b, t, k, v);
        }
        if (!isnan(bp->range)) {
            snprintf(k, sizeof k, "$P%zuR", n);
            apo_format_double(v, sizeof v, bp->range);
            auto_kw(b, t, k, v);
        }
        snprintf(k, sizeof k, "$P%zuE", n);
        auto_kw(b, t, k, "0,0");
        if (bp->datatype) {
            snprintf(k, sizeof k, "$P%zuDATATYPE", n);
            snprintf(v, sizeof v, "%c", bp->datatype);
            auto_kw(b, t, k, v);
        }
    }
    for (size_t i = 0; i < b->n_kws; i++) {
        if (b->kws[i].raw) {
            sb_str(t, b->kws[i].name);
        } else {
            put_kw(t, b->kws[i].name, b->kws[i].value, b->delim);
        }
    }
    if (b->no_final_delim && t->n > 1 && t->p[t->n - 1] == b->delim) {
        t->n--;
        t->p[t->n] = '\0';
    }
    if (b->text_pad) {
        sb_str(t, b->text_pad);
    }
}

static void header_num(char field[9], uint64_t v)
{
    if (v > 99999999) {
        v = 0;
    }
    snprintf(field, 9, "%8llu", (unsigned long long)v);
}

static uint64_t add_delta(uint64_t v, int d)
{
    return (uint64_t)((int64_t)v + d);
}

uint8_t *fcs_builder_build(fcs_builder *b, size_t *len)
{
    size_t row = 0;
    for (size_t p = 0; p < b->n_params; p++) {
        row += col_bytes(b, p);
    }
    sbuf data = {0};
    encode_data(b, &data);
    offsets o = {0};
    if (b->have_events) {
        o.tot = b->n_events;
    } else if (row > 0) {
        o.tot = data.n / row;
    }
    size_t extra = b->header_extra ? strlen(b->header_extra) : 0;
    uint64_t text_begin = 58 + extra;
    sbuf text = {0};
    size_t stext_len = b->stext ? strlen(b->stext) : 0;
    size_t an_len = b->analysis ? strlen(b->analysis) : 0;
    for (int iter = 0; iter < 20; iter++) {
        build_text(b, &o, &text);
        uint64_t db = text_begin + text.n + b->data_gap;
        offsets n = o;
        n.data_begin = data.n ? db : 0;
        n.data_end = data.n ? add_delta(db + data.n - 1, b->text_end_delta) : 0;
        uint64_t after = db + data.n;
        n.stext_begin = stext_len ? after : 0;
        n.stext_end = stext_len ? after + stext_len - 1 : 0;
        after += stext_len;
        n.an_begin = an_len ? after : 0;
        n.an_end = an_len ? after + an_len - 1 : 0;
        if (memcmp(&n, &o, sizeof n) == 0) {
            break;
        }
        o = n;
    }
    build_text(b, &o, &text);
    uint64_t db = text_begin + text.n + b->data_gap;

    sbuf out = {0};
    char fields[6][9];
    header_num(fields[0], text_begin);
    header_num(fields[1], text_begin + text.n - 1);
    header_num(fields[2], data.n ? db : 0);
    header_num(fields[3], data.n ? add_delta(db + data.n - 1, b->header_end_delta) : 0);
    uint64_t ab = db + data.n + stext_len;
    header_num(fields[4], an_len ? ab : 0);
    header_num(fields[5], an_len ? ab + an_len - 1 : 0);
    sb_put(&out, b->version, 6);
    sb_put(&out, b->header_gap, 4);
    for (int i = 0; i < 6; i++) {
        sb_put(&out, b->header_field_set[i] ? b->header_fields[i] : fields[i], 8);
    }
    if (b->header_extra) {
        sb_str(&out, b->header_extra);
    }
    sb_put(&out, text.p, text.n);
    for (size_t i = 0; i < b->data_gap; i++) {
        sb_put(&out, " ", 1);
    }
    sb_put(&out, data.p, data.n);
    if (b->stext) {
        sb_str(&out, b->stext);
    }
    if (b->analysis) {
        sb_str(&out, b->analysis);
    }
    if (b->trailer) {
        sb_str(&out, b->trailer);
    }
    free(text.p);
    free(data.p);
    *len = out.n;
    if (!out.p) {
        out.p = xmalloc(1);
    }
    return (uint8_t *)out.p;
}

uint8_t *fcs_builder_build_chain(fcs_builder *const *bs, size_t n, size_t *len)
{
    uint8_t **parts = xmalloc(n * sizeof *parts);
    size_t *lens = xmalloc(n * sizeof *lens);
    for (size_t i = 0; i < n; i++) {
        snprintf(bs[i]->nextdata, sizeof bs[i]->nextdata, "%012d", 0);
        parts[i] = fcs_builder_build(bs[i], &lens[i]);
        if (i + 1 < n) {
            free(parts[i]);
            snprintf(bs[i]->nextdata, sizeof bs[i]->nextdata, "%012zu", lens[i]);
            size_t l2;
            parts[i] = fcs_builder_build(bs[i], &l2);
            if (l2 != lens[i]) {
                die("chain length changed");
            }
        }
        bs[i]->nextdata[0] = '\0';
    }
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        total += lens[i];
    }
    uint8_t *out = xmalloc(total);
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(out + at, parts[i], lens[i]);
        at += lens[i];
        free(parts[i]);
    }
    free(parts);
    free(lens);
    *len = total;
    return out;
}

void fcs_bytes_overwrite(uint8_t *buf, size_t len, size_t offset, const char *text)
{
    size_t n = strlen(text);
    if (offset > len || n > len - offset) {
        die("fcs_bytes_overwrite out of range");
    }
    memcpy(buf + offset, text, n);
}

size_t fcs_bytes_find(const uint8_t *buf, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0 || n > len) {
        return SIZE_MAX;
    }
    for (size_t i = 0; i + n <= len; i++) {
        if (memcmp(buf + i, needle, n) == 0) {
            return i;
        }
    }
    return SIZE_MAX;
}

uint8_t *fcs_read_file(const char *path, size_t *len)
{
    return (uint8_t *)test_read_file(path, len);
}
