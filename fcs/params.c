/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * params.c: builds the fcs_param record of every parameter from $PAR and the $Pn keywords: $PnN
 * (unique, -1/-2 suffixes), $PnS, $PnB as declared, $PnDATATYPE (3.2), $PnR as a double, $PnE (f2 =
 * 0 -> 1 repair, FCS 3.1), $PnG (0/invalid -> 1), the time channel, and numbering from $P0
 * (docs/fcs-quirks.md, "Quirks: keywords and values"). Widths are only parsed here; layout.c
 * decides how they are stored.
 */
#include "fcs/parse_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void trim(const char **s, size_t *len)
{
    while (*len > 0 && ((*s)[0] == ' ' || (*s)[0] == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t')) {
        (*len)--;
    }
}

static apo_status parse_count(fcs_parse_ctx *c, size_t *n_out, apo_error *err)
{
    fcs_dataset *ds = c->ds;
    const fcs_keyword *k = fcs_ctx_kw(c, "$PAR");
    if (k == NULL) {
        return apo_error_set(err, APO_E_FORMAT, c->name, c->base + c->h.text_begin, "$PAR",
                             "expected the required keyword $PAR, found none");
    }
    uint64_t n;
    char v[128];
    if (!apo_parse_u64(k->value, k->value_len, &n) || n == 0) {
        return apo_error_set(err, APO_E_FORMAT, c->name, k->offset, "$PAR",
                             "expected a positive number of parameters, found \"%s\"",
                             fcs_show(v, sizeof v, k->value, k->value_len));
    }
    if (n > ds->n_keywords) {
        return apo_error_set(err, APO_E_FORMAT, c->name, k->offset, "$PAR",
                             "expected at most %zu parameters (one $PnB keyword each), found "
                             "%llu",
                             ds->n_keywords, (unsigned long long)n);
    }
    *n_out = (size_t)n;
    /* parameters numbered from 0: $P0B .. $P{PAR-1}B with no $P{PAR}B */
    c->zero_based = false;
    char last[48];
    snprintf(last, sizeof last, "$P%zuB", (size_t)n);
    if (fcs_ctx_kw(c, "$P0B") != NULL && fcs_ctx_kw(c, last) == NULL) {
        c->zero_based = true;
        fcs_warn(&ds->warnings, c->name, k->offset, "$P0B",
                 "expected parameters numbered from 1, found $P0...; read as numbered from 0");
    }
    return APO_OK;
}

static bool name_is_time(const char *n)
{
    return fcs_ascii_icmp(n, "time") == 0 || fcs_ascii_icmp(n, "hdr-t") == 0 ||
           fcs_ascii_icmp(n, "time_msw") == 0 || fcs_ascii_icmp(n, "time_lsw") == 0;
}

static apo_status parse_bits(fcs_parse_ctx *c, size_t i, fcs_param *p, apo_error *err)
{
    char kn[48], v[128];
    const fcs_keyword *k = fcs_ctx_pkw(c, i, "B", kn, sizeof kn);
    if (k == NULL) {
        return apo_error_set(err, APO_E_FORMAT, c->name, c->base + c->h.text_begin, kn,
                             "expected the required keyword %s (bits per value), found none",
                             kn);
    }
    const char *s = k->value;
    size_t len = k->value_len;
    trim(&s, &len);
    if (len == 1 && s[0] == '*') {
        if (c->ds->datatype != FCS_DATATYPE_ASCII) {
            return apo_error_set(err, APO_E_FORMAT, c->name, k->offset, kn,
                                 "expected a bit width for $DATATYPE %c, found \"*\" (only "
                                 "allowed for $DATATYPE A)",
                                 (char)c->ds->datatype);
        }
        p->bits = 0;
        return APO_OK;
    }
    uint64_t b;
    if (!apo_parse_u64(s, len, &b) || b == 0 || b > 64) {
        if (c->ds->datatype == FCS_DATATYPE_ASCII) {
            return apo_error_set(err, APO_E_FORMAT, c->name, k->offset, kn,
                                 "expected a field width of 1 to 64 characters or \"*\" for "
                                 "$DATATYPE A, found \"%s\"",
                                 fcs_show(v, sizeof v, k->value, k->value_len));
        }
        return apo_error_set(err, APO_E_FORMAT, c->name, k->offset, kn,
                             "expected a bit width of 8, 16, 24, 32 or 64 for $DATATYPE %c, "
                             "found \"%s\"",
                             (char)p->datatype, fcs_show(v, sizeof v, k->value, k->value_len));
    }
    p->bits = (unsigned)b;
    return APO_OK;
}

static apo_status parse_type(fcs_parse_ctx *c, size_t i, fcs_param *p, apo_error *err)
{
    char kn[48], v[128];
    p->datatype = c->ds->datatype;
    const fcs_keyword *k = fcs_ctx_pkw(c, i, "DATATYPE", kn, sizeof kn);
    if (k == NULL) {
        return APO_OK;
    }
    const char *s = k->value;
    size_t len = k->value_len;
    trim(&s, &len);
    char t = len == 1 ? s[0] : '?';
    if (t >= 'a' && t <= 'z') {
        t = (char)(t - 32);
    }
    if (t != 'I' && t != 'F' && t != 'D') {
        return apo_error_set(err, APO_E_FORMAT, c->name, k->offset, kn,
                             "expected I, F or D, found \"%s\"",
                             fcs_show(v, sizeof v, k->value, k->value_len));
    }
    if (c->ds->datatype == FCS_DATATYPE_ASCII) {
        return apo_error_set(err, APO_E_UNSUPPORTED, c->name, k->offset, kn,
                             "expected $PnDATATYPE only with binary $DATATYPE, found it with "
                             "$DATATYPE A");
    }
    p->datatype = (fcs_datatype)t;
    return APO_OK;
}

static void parse_range(fcs_parse_ctx *c, size_t i, fcs_param *p)
{
    char kn[48], v[128];
    p->range = NAN;
    const fcs_keyword *k = fcs_ctx_pkw(c, i, "R", kn, sizeof kn);
    if (k == NULL) {
        fcs_warn(&c->ds->warnings, c->name, c->base + c->h.text_begin, kn,
                 "expected the required keyword %s (range), found none; no range mask", kn);
        return;
    }
    double r;
    if (!apo_parse_double(k->value, k->value_len, false, &r)) {
        fcs_warn(&c->ds->warnings, c->name, k->offset, kn,
                 "expected a number, found \"%s\"; treated as missing",
                 fcs_show(v, sizeof v, k->value, k->value_len));
        return;
    }
    p->range = r;
}

static void parse_log(fcs_parse_ctx *c, size_t i, fcs_param *p)
{
    char kn[48], v[128];
    p->log_decades = 0;
    p->log_offset = 0;
    const fcs_keyword *k = fcs_ctx_pkw(c, i, "E", kn, sizeof kn);
    if (k == NULL) {
        if (!c->v2) {
            fcs_warn(&c->ds->warnings, c->name, c->base + c->h.text_begin, kn,
                     "expected the required keyword %s, found none; assuming 0,0 (linear)",
                     kn);
        }
        return;
    }
    const char *comma = memchr(k->value, ',', k->value_len);
    double f1, f2;
    if (comma == NULL || !apo_parse_double(k->value, (size_t)(comma - k->value), false, &f1) ||
        !apo_parse_double(comma + 1, k->value_len - (size_t)(comma + 1 - k->value), false,
                          &f2) ||
        f1 < 0 || f2 < 0) {
        fcs_warn(&c->ds->warnings, c->name, k->offset, kn,
                 "expected \"f1,f2\" with non-negative numbers, found \"%s\"; read as linear",
                 fcs_show(v, sizeof v, k->value, k->value_len));
        return;
    }
    if (f1 > 0 && f2 == 0) {
        fcs_warn(&c->ds->warnings, c->name, k->offset, kn,
                 "expected a non-zero offset with %g decades, found \"%s\"; offset taken as 1",
                 f1, fcs_show(v, sizeof v, k->value, k->value_len));
        f2 = 1;
    }
    p->log_decades = f1;
    p->log_offset = f2;
}

static void parse_gain(fcs_parse_ctx *c, size_t i, fcs_param *p)
{
    char kn[48], v[128];
    p->gain = 1;
    const fcs_keyword *k = fcs_ctx_pkw(c, i, "G", kn, sizeof kn);
    if (k == NULL) {
        return;
    }
    double g;
    if (!apo_parse_double(k->value, k->value_len, false, &g) || !(g > 0)) {
        fcs_warn(&c->ds->warnings, c->name, k->offset, kn,
                 "expected a positive gain, found \"%s\"; gain taken as 1",
                 fcs_show(v, sizeof v, k->value, k->value_len));
        return;
    }
    p->gain = g;
}

typedef struct name_ix {
    const char *name;
    size_t index;
} name_ix;

static int cmp_name_ix(const void *pa, const void *pb)
{
    const name_ix *a = pa;
    const name_ix *b = pb;
    int d = strcmp(a->name, b->name);
    return d != 0 ? d : (a->index > b->index) - (a->index < b->index);
}

static bool name_taken(const name_ix *v, size_t n, const char *s)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int d = strcmp(v[mid].name, s);
        if (d == 0) {
            return true;
        }
        if (d < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return false;
}

/* Make names unique: later duplicates get "-1", "-2", ... skipping names already in use
 * (docs/fcs-quirks.md, "Duplicate parameter names"). Sorting keeps this O(n log n) for hostile
 * files. New names go to ds->param_storage from *used on (sized by the caller for every name
 * plus 48 bytes). */
static apo_status dedup_names(fcs_parse_ctx *c, size_t *used, apo_error *err)
{
    fcs_dataset *ds = c->ds;
    size_t n = ds->n_params;
    if (n < 2) {
        return APO_OK;
    }
    name_ix *v = malloc(n * sizeof *v);
    if (v == NULL) {
        return apo_error_set(err, APO_E_NOMEM, c->name, APO_NO_OFFSET, NULL,
                             "out of memory checking %zu parameter names", n);
    }
    for (size_t i = 0; i < n; i++) {
        v[i].name = ds->params[i].name;
        v[i].index = i;
    }
    qsort(v, n, sizeof *v, cmp_name_ix);
    char *sto = ds->param_storage;
    for (size_t g = 0; g < n;) {
        size_t h = g + 1;
        while (h < n && strcmp(v[h].name, v[g].name) == 0) {
            h++;
        }
        if (h > g + 1 && !(c->opts != NULL && c->opts->rename_duplicates)) {
            /* Name the first two parameters that share the name, in file order. */
            size_t first = SIZE_MAX, again = SIZE_MAX;
            for (size_t j = g; j < h; j++) {
                size_t ix = v[j].index;
                if (ix < first) {
                    again = first;
                    first = ix;
                } else if (ix < again) {
                    again = ix;
                }
            }
            char kn[48];
            const fcs_keyword *kw = fcs_ctx_pkw(c, again, "N", kn, sizeof kn);
            apo_status st = apo_error_set(
                err, APO_E_FORMAT, c->name, fcs_ctx_off(c, kw), kn,
                "expected unique parameter names, found \"%.60s\" for parameters %zu and %zu "
                "(--rename-duplicates reads them as \"%.60s-1\" ...)",
                v[g].name, first + 1, again + 1, v[g].name);
            free(v);
            return st;
        }
        unsigned long k = 0;
        for (size_t j = g + 1; j < h; j++) {
            const char *orig = v[g].name;
            size_t cap = strlen(orig) + 24;
            do {
                k++;
                snprintf(sto + *used, cap, "%s-%lu", orig, k);
            } while (name_taken(v, n, sto + *used));
            size_t i = v[j].index;
            char kn[48];
            const fcs_keyword *kw = fcs_ctx_pkw(c, i, "N", kn, sizeof kn);
            fcs_warn(&ds->warnings, c->name, fcs_ctx_off(c, kw), kn,
                     "expected unique parameter names, found \"%.60s\" again; renamed to "
                     "\"%.80s\"",
                     orig, sto + *used);
            ds->params[i].name = sto + *used;
            *used += strlen(sto + *used) + 1;
        }
        g = h;
    }
    free(v);
    return APO_OK;
}

apo_status fcs_params_parse(fcs_parse_ctx *c, apo_error *err)
{
    fcs_dataset *ds = c->ds;
    size_t n = 0;
    apo_status st = parse_count(c, &n, err);
    if (st != APO_OK) {
        return st;
    }
    ds->params = calloc(n, sizeof *ds->params);
    if (ds->params == NULL) {
        return apo_error_set(err, APO_E_NOMEM, c->name, APO_NO_OFFSET, "$PAR",
                             "out of memory for %zu parameters", n);
    }
    ds->n_params = n;
    /* storage for synthetic names (missing $PnN) and de-duplicated ones */
    size_t cap = 1;
    for (size_t i = 0; i < n; i++) {
        const fcs_keyword *k = fcs_ctx_pkw(c, i, "N", NULL, 0);
        cap += (k ? strlen(k->name) + k->value_len : 24) + 48;
    }
    ds->param_storage = malloc(cap);
    if (ds->param_storage == NULL) {
        return apo_error_set(err, APO_E_NOMEM, c->name, APO_NO_OFFSET, NULL,
                             "out of memory for parameter names");
    }
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        fcs_param *p = &ds->params[i];
        char kn[48];
        if ((st = parse_type(c, i, p, err)) != APO_OK ||
            (st = parse_bits(c, i, p, err)) != APO_OK) {
            return st;
        }
        const fcs_keyword *k = fcs_ctx_pkw(c, i, "N", kn, sizeof kn);
        if (k != NULL) {
            p->name = k->value;
        } else {
            snprintf(ds->param_storage + used, 24, "P%zu", i + 1);
            p->name = ds->param_storage + used;
            used += strlen(p->name) + 1;
            if (!c->v2) {
                fcs_warn(&ds->warnings, c->name, c->base + c->h.text_begin, kn,
                         "expected a parameter name, found no %s; named \"%s\"", kn, p->name);
            }
        }
        if (k != NULL && !c->v2 && strcmp(ds->version, "FCS3.0") != 0 &&
            memchr(k->value, ',', k->value_len) != NULL) {
            fcs_warn(&ds->warnings, c->name, k->offset, kn,
                     "expected a name without commas (FCS 3.1+), found \"%.60s\"; kept",
                     k->value);
        }
        k = fcs_ctx_pkw(c, i, "S", NULL, 0);
        p->label = k ? k->value : "";
        parse_range(c, i, p);
        parse_log(c, i, p);
        parse_gain(c, i, p);
        k = fcs_ctx_pkw(c, i, "TYPE", NULL, 0);
        p->is_time = name_is_time(p->name) || (k && fcs_ascii_icmp(k->value, "time") == 0);
        p->stored_bits = p->bits;
        p->mask = UINT64_MAX;
    }
    return dedup_names(c, &used, err);
}
