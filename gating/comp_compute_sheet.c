/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * comp_compute_sheet.c: the controls sheet that pairs single-stain control files with their
 * primary channel, in the two layouts found in the wild: flowStats' comp_match
 * ("filename,channel", "unstained" as the channel of the unstained file) and CytoExploreR's
 * Compensation-Channels.csv ("name","channel", channel "Unstained").
 */
#include "gating/gating_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SHEET_MAX_BYTES ((size_t)1 << 20)

void gate_comp_sheet_free(gate_comp_sheet *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < s->n; i++) {
        free(s->entries[i].file);
        free(s->entries[i].channel);
    }
    free(s->entries);
    s->entries = NULL;
    s->n = 0;
}

static bool tok_is(gate_text_token t, const char *const *names)
{
    for (size_t i = 0; names[i] != NULL; i++) {
        if (strlen(names[i]) == t.len && strncasecmp(t.p, names[i], t.len) == 0) {
            return true;
        }
    }
    return false;
}

static const char *const FILE_COLS[] = {"filename", "file", "name", "fcs", "sample", NULL};
static const char *const CHAN_COLS[] = {"channel", "detector", "parameter", NULL};
static const char *const UNSTAINED[] = {"unstained", "none", "na", "universal negative", NULL};

static char *tok_dup(gate_text_token t)
{
    char *s = malloc(t.len + 1);
    if (s != NULL) {
        memcpy(s, t.p, t.len);
        s[t.len] = '\0';
    }
    return s;
}

apo_status gate_comp_sheet_parse(gate_comp_sheet *out, const char *buf, size_t len,
                                 const char *name, apo_error *err)
{
    *out = (gate_comp_sheet){0};
    gate_text_tokens toks = {0};
    apo_status st = APO_OK;
    size_t cap = 0;
    size_t fcol = 0;
    size_t ccol = 1;
    bool header_done = false;
    char sep = ',';
    size_t line_no = 0;
    if (len >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB &&
        (unsigned char)buf[2] == 0xBF) {
        buf += 3;
        len -= 3;
    }
    size_t pos = 0;
    const char *lp = NULL;
    size_t ll = 0;
    while (st == APO_OK && gate_text_next_line(buf, len, &pos, &lp, &ll)) {
        line_no++;
        size_t k = 0;
        while (k < ll && (lp[k] == ' ' || lp[k] == '\t')) {
            k++;
        }
        if (k == ll || lp[k] == '#') {
            continue;
        }
        if (!header_done) {
            sep = memchr(lp, '\t', ll) != NULL && memchr(lp, ',', ll) == NULL ? '\t' : ',';
        }
        if (!gate_text_split_line(lp, ll, sep, &toks)) {
            st = apo_error_set(err, APO_E_NOMEM, name, APO_NO_OFFSET, NULL,
                               "expected memory for the controls sheet, found none");
            break;
        }
        if (!header_done) {
            header_done = true;
            bool is_header = false;
            for (size_t i = 0; i < toks.n; i++) {
                if (tok_is(toks.v[i], FILE_COLS)) {
                    fcol = i;
                    is_header = true;
                } else if (tok_is(toks.v[i], CHAN_COLS)) {
                    ccol = i;
                    is_header = true;
                }
            }
            if (fcol == ccol) {
                st = apo_error_set(err, APO_E_FORMAT, name, APO_NO_OFFSET, "header",
                                   "line %zu: expected a file column and a channel column, "
                                   "found one column for both",
                                   line_no);
                break;
            }
            if (is_header) {
                continue;
            }
        }
        const size_t need = (fcol > ccol ? fcol : ccol) + 1;
        if (toks.n < need) {
            st = apo_error_set(err, APO_E_FORMAT, name, APO_NO_OFFSET, NULL,
                               "line %zu: expected %zu fields (file, channel), found %zu",
                               line_no, need, toks.n);
            break;
        }
        if (toks.v[fcol].len == 0) {
            st = apo_error_set(err, APO_E_FORMAT, name, APO_NO_OFFSET, NULL,
                               "line %zu: expected a file name, found an empty field", line_no);
            break;
        }
        if (out->n == cap) {
            const size_t nc = cap ? 2 * cap : 8;
            gate_comp_sheet_entry *e = realloc(out->entries, nc * sizeof(*e));
            if (e == NULL) {
                st = apo_error_set(err, APO_E_NOMEM, name, APO_NO_OFFSET, NULL,
                                   "expected memory for the controls sheet, found none");
                break;
            }
            out->entries = e;
            cap = nc;
        }
        gate_comp_sheet_entry *e = &out->entries[out->n];
        const gate_text_token ch = toks.v[ccol];
        const bool unstained = ch.len == 0 || tok_is(ch, UNSTAINED);
        e->file = tok_dup(toks.v[fcol]);
        e->channel = unstained ? NULL : tok_dup(ch);
        e->dataset = 0;
        out->n++;
        if (e->file == NULL || (!unstained && e->channel == NULL)) {
            st = apo_error_set(err, APO_E_NOMEM, name, APO_NO_OFFSET, NULL,
                               "expected memory for the controls sheet, found none");
        }
    }
    free(toks.v);
    if (st == APO_OK && out->n == 0) {
        st = apo_error_set(err, APO_E_FORMAT, name, APO_NO_OFFSET, NULL,
                           "expected rows \"file,channel\" in the controls sheet, found none");
    }
    if (st != APO_OK) {
        gate_comp_sheet_free(out);
    }
    return st;
}

apo_status gate_comp_sheet_read(gate_comp_sheet *out, const char *path, apo_error *err)
{
    *out = (gate_comp_sheet){0};
    char *buf = NULL;
    size_t len = 0;
    apo_status st = apo_read_small_file(path, SHEET_MAX_BYTES, "controls sheet", &buf, &len, err);
    if (st == APO_OK) {
        st = gate_comp_sheet_parse(out, buf, len, path, err);
    }
    free(buf);
    return st;
}
