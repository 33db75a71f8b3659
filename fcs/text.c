/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * text.c: the TEXT tokenizer (3.0 §3.2.5-3.2.9) for the primary TEXT, STEXT and ANALYSIS.
 * TEXT is handled as (pointer, length): NUL bytes and any delimiter byte are plain data.
 * Two modes for a doubled delimiter (Q14): ESCAPE reads it as an escaped delimiter and then
 * splits keyword tokens that contain one (their parts get empty values, the IFC method);
 * EMPTY reads it as an empty value (flowCore's default). dataset.c picks the mode.
 * Also repaired here, with warnings: trailing padding (Q10), a missing final delimiter (Q11),
 * an odd token count (Q12), leading empty tokens (Q15), blanks around keywords (Q16).
 */
#include "fcs/fcs_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct token {
    size_t raw;    /* offset of the token's first byte in the segment */
    size_t sto;    /* offset of its bytes in storage */
    size_t len;    /* bytes in storage */
    bool has_delim; /* holds an escaped delimiter (ESCAPE mode) */
} token;

typedef struct tok_list {
    token *t;
    size_t n, cap;
} tok_list;

static bool push_token(tok_list *l, token tk)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        token *t = realloc(l->t, cap * sizeof *t);
        if (t == NULL) {
            return false;
        }
        l->t = t;
        l->cap = cap;
    }
    l->t[l->n++] = tk;
    return true;
}

typedef struct kw_list {
    fcs_keyword *kw;
    size_t n, cap;
} kw_list;

static bool push_kw(kw_list *l, const char *name, const char *value, size_t value_len,
                    uint64_t offset, int segment)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        fcs_keyword *k = realloc(l->kw, cap * sizeof *k);
        if (k == NULL) {
            return false;
        }
        l->kw = k;
        l->cap = cap;
    }
    fcs_keyword *k = &l->kw[l->n++];
    k->name = name;
    k->value = value;
    k->value_len = value_len;
    k->offset = offset;
    k->segment = segment;
    return true;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Trim a NUL-terminated name in place (storage is writable). */
static char *trim_name(char *s, size_t len)
{
    while (len > 0 && is_blank(s[0])) {
        s++;
        len--;
    }
    while (len > 0 && is_blank(s[len - 1])) {
        len--;
    }
    s[len] = '\0';
    return s;
}

static const char *const empty_value = "";

void fcs_text_segment_free(fcs_text_segment *seg)
{
    if (seg == NULL) {
        return;
    }
    free(seg->kw);
    free(seg->storage);
    seg->kw = NULL;
    seg->storage = NULL;
    seg->n = 0;
}

apo_status fcs_text_tokenize(const uint8_t *text, size_t len, uint64_t abs_offset, uint8_t delim,
                             fcs_text_mode mode, int segment, const char *name,
                             fcs_text_segment *out, fcs_warning_list *warnings, apo_error *err)
{
    memset(out, 0, sizeof *out);
    const char *seg_name = segment == 0 ? "TEXT" : segment == 1 ? "STEXT" : "ANALYSIS";
    if (len == 0 || text[0] != delim) {
        return apo_error_set(err, APO_E_FORMAT, name, abs_offset, NULL,
                             "%s segment: expected the delimiter 0x%02X as first byte, found %s",
                             seg_name, delim, len == 0 ? "an empty segment" : "another byte");
    }
    /* Q10: strip padding after the final delimiter, never the delimiter itself. */
    size_t stripped_nul = 0;
    while (len > 1 && text[len - 1] != delim &&
           (text[len - 1] == ' ' || text[len - 1] == '\0' || text[len - 1] == '\r' ||
            text[len - 1] == '\n')) {
        stripped_nul += text[len - 1] == '\0';
        len--;
    }
    if (stripped_nul > 0) {
        fcs_warn(warnings, name, abs_offset + len, NULL,
                 "%s segment: expected it to end with the delimiter, found %zu NUL byte(s) of "
                 "padding; ignored",
                 seg_name, stripped_nul);
    }

    size_t cap;
    if (!apo_mul_size(len, 2, &cap) || cap > SIZE_MAX - 16) {
        return apo_error_set(err, APO_E_RANGE, name, abs_offset, NULL, "%s segment too large",
                             seg_name);
    }
    char *sto = malloc(cap + 8);
    if (sto == NULL) {
        return apo_error_set(err, APO_E_NOMEM, name, abs_offset, NULL,
                             "out of memory for a %zu-byte %s segment", len, seg_name);
    }
    size_t used = 0;
    tok_list toks = {0};
    kw_list kws = {0};
    apo_status st = APO_OK;

    size_t pos = 1;
    size_t leading = 0;
    while (pos < len && text[pos] == delim) {
        pos++;
        leading++;
    }
    if (leading > 0) {
        fcs_warn(warnings, name, abs_offset + 1, NULL,
                 "%s segment: expected a keyword after the first delimiter, found %zu more "
                 "delimiter(s); skipped",
                 seg_name, leading);
    }
    bool unterminated = false;
    bool tail_empty = false; /* "K//" at the very end: K with an empty value (Q14 step 3) */
    while (pos < len) {
        token tk = {pos, used, 0, false};
        bool terminated = false;
        while (pos < len) {
            uint8_t c = text[pos];
            if (c == delim) {
                if (mode == FCS_TEXT_ESCAPE && pos + 1 < len && text[pos + 1] == delim) {
                    if (pos + 2 == len) {
                        /* the doubled delimiter ends the TEXT: end + empty value */
                        tail_empty = true;
                        pos += 2;
                        terminated = true;
                        break;
                    }
                    sto[used++] = (char)delim;
                    tk.has_delim = true;
                    pos += 2;
                    continue;
                }
                pos++;
                terminated = true;
                break;
            }
            sto[used++] = (char)c;
            pos++;
        }
        if (!terminated) {
            unterminated = true;
        }
        tk.len = used - tk.sto;
        sto[used++] = '\0';
        if (!push_token(&toks, tk)) {
            st = APO_E_NOMEM;
            goto done;
        }
        if (tail_empty) {
            token e = {len, used, 0, false};
            sto[used++] = '\0';
            if (!push_token(&toks, e)) {
                st = APO_E_NOMEM;
                goto done;
            }
        }
    }
    if (unterminated) {
        fcs_warn(warnings, name, abs_offset + len - 1, NULL,
                 "%s segment: expected it to end with the delimiter 0x%02X, found 0x%02X; the "
                 "last value was read up to the end of the segment",
                 seg_name, delim, text[len - 1]);
    }

    for (size_t i = 0; i < toks.n;) {
        token *k = &toks.t[i];
        token *v = i + 1 < toks.n ? &toks.t[i + 1] : NULL;
        char *kname = sto + k->sto;
        if (mode == FCS_TEXT_ESCAPE && k->has_delim) {
            /* Split "K1/K2/K3" into K1="", K2="", K3=<value> (Q14 step 2). */
            size_t n_parts = 1;
            for (size_t j = 0; j < k->len; j++) {
                n_parts += kname[j] == (char)delim;
            }
            size_t part_start = 0;
            size_t part_no = 0;
            size_t split_before = out->n_empty_split;
            char *last_name = NULL;
            for (size_t j = 0; j <= k->len; j++) {
                if (j < k->len && kname[j] != (char)delim) {
                    continue;
                }
                kname[j] = '\0';
                char *pn = trim_name(kname + part_start, j - part_start);
                part_no++;
                bool is_last = part_no == n_parts;
                if (is_last && pn[0] == '\0' && last_name != NULL) {
                    break; /* ended with an escaped delimiter: drop the empty last part */
                }
                if (!is_last) {
                    if (last_name != NULL) {
                        if (!push_kw(&kws, last_name, empty_value, 0, abs_offset + k->raw,
                                     segment)) {
                            st = APO_E_NOMEM;
                            goto done;
                        }
                        out->n_empty_split++;
                    }
                    last_name = pn[0] ? pn : NULL;
                    if (pn[0] == '\0') {
                        fcs_warn(warnings, name, abs_offset + k->raw, NULL,
                                 "%s segment: expected a keyword, found an empty one; skipped",
                                 seg_name);
                    }
                } else {
                    if (last_name != NULL) {
                        if (!push_kw(&kws, last_name, empty_value, 0, abs_offset + k->raw,
                                     segment)) {
                            st = APO_E_NOMEM;
                            goto done;
                        }
                        out->n_empty_split++;
                    }
                    last_name = pn[0] ? pn : NULL;
                }
                part_start = j + 1;
            }
            if (last_name != NULL) {
                if (v != NULL) {
                    if (!push_kw(&kws, last_name, sto + v->sto, v->len, abs_offset + k->raw,
                                 segment)) {
                        st = APO_E_NOMEM;
                        goto done;
                    }
                } else {
                    if (!push_kw(&kws, last_name, empty_value, 0, abs_offset + k->raw,
                                 segment)) {
                        st = APO_E_NOMEM;
                        goto done;
                    }
                    out->n_empty_split++;
                }
            }
            if (out->n_empty_split > split_before) {
                fcs_warn(warnings, name, abs_offset + k->raw, NULL,
                         "%s segment: expected one keyword, found \"%s\" holding the "
                         "delimiter; read as keywords with empty values (doubled delimiter)",
                         seg_name, last_name ? last_name : "");
            }
            i += 2;
            continue;
        }
        if (v == NULL && k->len == 0) {
            fcs_warn(warnings, name, abs_offset + k->raw, NULL,
                     "%s segment: expected one delimiter at the end, found an extra one; "
                     "ignored",
                     seg_name);
            break;
        }
        if (v == NULL) {
            fcs_warn(warnings, name, abs_offset + k->raw, NULL,
                     "%s segment: expected a value after keyword \"%.60s\", found the end of "
                     "the segment (odd number of tokens); keyword dropped",
                     seg_name, kname);
            break;
        }
        char *pn = trim_name(kname, k->len);
        if (pn[0] == '\0') {
            fcs_warn(warnings, name, abs_offset + k->raw, NULL,
                     "%s segment: expected a keyword, found an empty one (value \"%.60s\"); "
                     "pair skipped",
                     seg_name, sto + v->sto);
        } else if (!push_kw(&kws, pn, sto + v->sto, v->len, abs_offset + k->raw, segment)) {
            st = APO_E_NOMEM;
            goto done;
        }
        i += 2;
    }

done:
    free(toks.t);
    if (st != APO_OK) {
        free(kws.kw);
        free(sto);
        return apo_error_set(err, st, name, abs_offset, NULL,
                             "out of memory while tokenizing the %s segment", seg_name);
    }
    out->kw = kws.kw;
    out->n = kws.n;
    out->storage = sto;
    return APO_OK;
}
