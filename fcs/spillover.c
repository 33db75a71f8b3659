/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * spillover.c: finds and parses the spillover matrix (docs/fcs-reader.md): $SPILLOVER, then SPILL,
 * spillover, $SPILL. Format "n,name1..namen,v11..vnn" row-major. Names are matched to parameters by
 * exact $PnN, then trimmed case-insensitive $PnN, then $PnS, then as 1-based indices. Repairs:
 * Accuri decimal commas (1+n+2n^2 tokens). MACSQuant names without values and any other unusable
 * matrix give no matrix and a warning; the file stays readable.
 */
#include "fcs/parse_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct span {
    const char *p;
    size_t len;
} span;

static span trimmed(const char *p, size_t len)
{
    while (len > 0 && (p[0] == ' ' || p[0] == '\t' || p[0] == '\r' || p[0] == '\n')) {
        p++;
        len--;
    }
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r' ||
                       p[len - 1] == '\n')) {
        len--;
    }
    span s = {p, len};
    return s;
}

static bool span_ieq(span s, const char *z)
{
    size_t n = strlen(z);
    if (n != s.len) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char a = s.p[i], b = z[i];
        if (a >= 'a' && a <= 'z') {
            a = (char)(a - 32);
        }
        if (b >= 'a' && b <= 'z') {
            b = (char)(b - 32);
        }
        if (a != b) {
            return false;
        }
    }
    return true;
}

static size_t match_name(const fcs_dataset *ds, span raw)
{
    for (size_t i = 0; i < ds->n_params; i++) {
        if (strlen(ds->params[i].name) == raw.len &&
            memcmp(ds->params[i].name, raw.p, raw.len) == 0) {
            return i;
        }
    }
    span t = trimmed(raw.p, raw.len);
    for (size_t i = 0; i < ds->n_params; i++) {
        const char *nm = ds->params[i].name;
        span pn = trimmed(nm, strlen(nm));
        char buf[256];
        if (pn.len < sizeof buf) {
            memcpy(buf, pn.p, pn.len);
            buf[pn.len] = '\0';
            if (span_ieq(t, buf)) {
                return i;
            }
        }
    }
    for (size_t i = 0; i < ds->n_params; i++) {
        if (ds->params[i].label[0] != '\0' && span_ieq(t, ds->params[i].label)) {
            return i;
        }
    }
    uint64_t idx;
    if (apo_parse_u64(t.p, t.len, &idx) && idx >= 1 && idx <= ds->n_params) {
        return (size_t)(idx - 1);
    }
    return SIZE_MAX;
}

void fcs_spillover_free(fcs_spillover *s)
{
    if (s == NULL) {
        return;
    }
    if (s->names != NULL) {
        for (size_t i = 0; i < s->n; i++) {
            free(s->names[i]);
        }
    }
    free(s->names);
    free(s->param_index);
    free(s->values);
    free(s);
}

static void parse_one(fcs_dataset *ds, const fcs_keyword *k)
{
    const char *file = ds->file->name;
    char shown[128];
    fcs_show(shown, sizeof shown, k->value, k->value_len);
    size_t n_tok = 1;
    for (size_t i = 0; i < k->value_len; i++) {
        n_tok += k->value[i] == ',';
    }
    span *tok = malloc(n_tok * sizeof *tok);
    fcs_spillover *s = calloc(1, sizeof *s);
    if (tok == NULL || s == NULL) {
        free(tok);
        free(s);
        fcs_warn(&ds->warnings, file, k->offset, k->name, "out of memory; matrix ignored");
        return;
    }
    size_t t = 0, start = 0;
    for (size_t i = 0; i <= k->value_len; i++) {
        if (i == k->value_len || k->value[i] == ',') {
            tok[t++] = trimmed(k->value + start, i - start);
            start = i + 1;
        }
    }
    uint64_t n;
    bool decimal_commas = false;
    uint64_t nn = 0;
    if (!apo_parse_u64(tok[0].p, tok[0].len, &n) || n == 0 || n > n_tok ||
        !apo_mul_u64(n, n, &nn)) {
        fcs_warn(&ds->warnings, file, k->offset, k->name,
                 "expected \"n,names...,values...\" with a positive n, found \"%s\"; no "
                 "spillover matrix",
                 shown);
        goto fail;
    }
    if (n_tok == 1 + n) {
        fcs_warn(&ds->warnings, file, k->offset, k->name,
                 "expected %llu names and %llu values, found names only; no spillover matrix",
                 (unsigned long long)n, (unsigned long long)nn);
        goto fail;
    }
    if (n_tok == 1 + n + 2 * nn) {
        decimal_commas = true;
        fcs_warn(&ds->warnings, file, k->offset, k->name,
                 "expected %llu values, found %llu: read as numbers with a decimal comma "
                 "(Accuri)",
                 (unsigned long long)nn, (unsigned long long)(2 * nn));
    } else if (n_tok != 1 + n + nn) {
        fcs_warn(&ds->warnings, file, k->offset, k->name,
                 "expected %llu items for a %llux%llu matrix, found %zu; no spillover matrix",
                 (unsigned long long)(1 + n + nn), (unsigned long long)n,
                 (unsigned long long)n, n_tok);
        goto fail;
    }
    s->n = (size_t)n;
    s->keyword = k->name;
    s->names = calloc(s->n, sizeof *s->names);
    s->param_index = calloc(s->n, sizeof *s->param_index);
    s->values = calloc((size_t)nn, sizeof *s->values);
    if (s->names == NULL || s->param_index == NULL || s->values == NULL) {
        fcs_warn(&ds->warnings, file, k->offset, k->name, "out of memory; matrix ignored");
        goto fail;
    }
    for (size_t i = 0; i < s->n; i++) {
        span nm = tok[1 + i];
        size_t idx = match_name(ds, nm);
        char sn[128];
        if (idx == SIZE_MAX) {
            fcs_warn(&ds->warnings, file, k->offset, k->name,
                     "expected detector names that are parameters ($PnN, $PnS or index), "
                     "found \"%s\"; no spillover matrix",
                     fcs_show(sn, sizeof sn, nm.p, nm.len));
            goto fail;
        }
        for (size_t j = 0; j < i; j++) {
            if (s->param_index[j] == idx) {
                fcs_warn(&ds->warnings, file, k->offset, k->name,
                         "expected distinct detectors, found \"%s\" twice; no spillover "
                         "matrix",
                         fcs_show(sn, sizeof sn, nm.p, nm.len));
                goto fail;
            }
        }
        s->param_index[i] = idx;
        size_t len = strlen(ds->params[idx].name);
        s->names[i] = malloc(len + 1);
        if (s->names[i] == NULL) {
            goto fail;
        }
        memcpy(s->names[i], ds->params[idx].name, len + 1);
    }
    for (size_t v = 0; v < (size_t)nn; v++) {
        double d;
        bool ok;
        char sv[128];
        span a = tok[1 + s->n + (decimal_commas ? 2 * v : v)];
        if (decimal_commas) {
            span b = tok[1 + s->n + 2 * v + 1];
            char buf[160];
            ok = a.len + b.len + 2 < sizeof buf;
            if (ok) {
                memcpy(buf, a.p, a.len);
                buf[a.len] = '.';
                memcpy(buf + a.len + 1, b.p, b.len);
                ok = apo_parse_double(buf, a.len + 1 + b.len, false, &d);
            }
        } else {
            ok = apo_parse_double(a.p, a.len, false, &d);
        }
        if (!ok) {
            fcs_warn(&ds->warnings, file, k->offset, k->name,
                     "expected a finite number for entry %zu, found \"%s\"; no spillover "
                     "matrix",
                     v + 1, fcs_show(sv, sizeof sv, a.p, a.len));
            goto fail;
        }
        s->values[v] = d;
    }
    free(tok);
    ds->spillover = s;
    return;
fail:
    free(tok);
    fcs_spillover_free(s);
}

void fcs_spillover_parse(fcs_dataset *ds)
{
    static const char *const names[] = {"$SPILLOVER", "SPILL", "SPILLOVER", "$SPILL"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const fcs_keyword *k = fcs_dataset_find_keyword(ds, names[i]);
        if (k != NULL) {
            parse_one(ds, k);
            if (ds->spillover != NULL) {
                return;
            }
        }
    }
}
