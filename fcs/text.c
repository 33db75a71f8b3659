/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * text.c: the TEXT tokenizer (3.0 §3.2.5-3.2.9) for the primary TEXT, STEXT and ANALYSIS. TEXT is
 * handled as (pointer, length): NUL bytes and any delimiter byte are plain data. Two modes for a
 * doubled delimiter (docs/fcs-quirks.md, "Doubled delimiters"): ESCAPE reads it as an escaped
 * delimiter and then splits keyword tokens that contain one (their parts get empty values, the IFC
 * method); EMPTY reads it as an empty value (flowCore's default). dataset.c picks the mode. Also
 * repaired here, with warnings: trailing padding, a missing final delimiter, an odd token count,
 * leading empty tokens, blanks around keywords (docs/fcs-quirks.md, the TEXT quirks).
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

/* One TEXT segment being tokenized. */
typedef struct tokenizer {
    const uint8_t *text;
    size_t len;
    uint64_t abs_offset;
    uint8_t delim;
    fcs_text_mode mode;
    int segment;
    const char *name, *seg_name;
    fcs_warning_list *warnings;
    char *sto;   /* token bytes, each NUL-terminated */
    size_t used;
    tok_list toks;
    kw_list kws;
    fcs_text_segment *out;
} tokenizer;

/* Strip padding after the final delimiter, never the delimiter itself. */
static void strip_padding(tokenizer *z)
{
    const uint8_t *text = z->text;
    size_t stripped_nul = 0;
    while (z->len > 1 && text[z->len - 1] != z->delim &&
           (text[z->len - 1] == ' ' || text[z->len - 1] == '\0' || text[z->len - 1] == '\r' ||
            text[z->len - 1] == '\n')) {
        stripped_nul += text[z->len - 1] == '\0';
        z->len--;
    }
    if (stripped_nul > 0) {
        fcs_warn(z->warnings, z->name, z->abs_offset + z->len, NULL,
                 "%s segment: expected it to end with the delimiter, found %zu NUL byte(s) of "
                 "padding; ignored",
                 z->seg_name, stripped_nul);
    }
}

/* Leading empty tokens: skip delimiters right after the first; returns the position of the
 * first token. */
static size_t skip_leading(const tokenizer *z)
{
    size_t pos = 1, leading = 0;
    while (pos < z->len && z->text[pos] == z->delim) {
        pos++;
        leading++;
    }
    if (leading > 0) {
        fcs_warn(z->warnings, z->name, z->abs_offset + 1, NULL,
                 "%s segment: expected a keyword after the first delimiter, found %zu more "
                 "delimiter(s); skipped",
                 z->seg_name, leading);
    }
    return pos;
}

/* The token at *pos into storage; *tail_empty when a doubled delimiter ends the segment
 * (ESCAPE: "K//" at the very end is K with an empty value). False when it ran to the end
 * without a delimiter. */
static bool read_token(tokenizer *z, size_t *pos, token *tk, bool *tail_empty)
{
    const uint8_t *text = z->text;
    const size_t len = z->len;
    *tk = (token){*pos, z->used, 0, false};
    bool terminated = false;
    while (*pos < len) {
        uint8_t c = text[*pos];
        if (c == z->delim) {
            if (z->mode == FCS_TEXT_ESCAPE && *pos + 1 < len && text[*pos + 1] == z->delim) {
                if (*pos + 2 == len) { /* the doubled delimiter ends the TEXT: end + empty value */
                    *tail_empty = true;
                    *pos += 2;
                    terminated = true;
                    break;
                }
                z->sto[z->used++] = (char)z->delim;
                tk->has_delim = true;
                *pos += 2;
                continue;
            }
            (*pos)++;
            terminated = true;
            break;
        }
        z->sto[z->used++] = (char)c;
        (*pos)++;
    }
    tk->len = z->used - tk->sto;
    z->sto[z->used++] = '\0';
    return terminated;
}

/* Split the segment into tokens (a missing final delimiter is warned). */
static apo_status split_tokens(tokenizer *z)
{
    size_t pos = skip_leading(z);
    bool unterminated = false, tail_empty = false;
    while (pos < z->len) {
        token tk;
        unterminated |= !read_token(z, &pos, &tk, &tail_empty);
        if (!push_token(&z->toks, tk)) {
            return APO_E_NOMEM;
        }
        if (tail_empty) {
            token e = {z->len, z->used, 0, false};
            z->sto[z->used++] = '\0';
            if (!push_token(&z->toks, e)) {
                return APO_E_NOMEM;
            }
        }
    }
    if (unterminated) {
        fcs_warn(z->warnings, z->name, z->abs_offset + z->len - 1, NULL,
                 "%s segment: expected it to end with the delimiter 0x%02X, found 0x%02X; the "
                 "last value was read up to the end of the segment",
                 z->seg_name, z->delim, z->text[z->len - 1]);
    }
    return APO_OK;
}

/* A keyword with an empty value, counted as split from a doubled delimiter. */
static bool push_empty_split(tokenizer *z, const char *kname, const token *k)
{
    if (!push_kw(&z->kws, kname, empty_value, 0, z->abs_offset + k->raw, z->segment)) {
        return false;
    }
    z->out->n_empty_split++;
    return true;
}

/* Doubled delimiters, step 2 (ESCAPE): split keyword token "K1/K2/K3" into K1="", K2="",
 * K3=<value>. */
static apo_status split_escaped_keyword(tokenizer *z, const token *k, const token *v)
{
    char *kname = z->sto + k->sto;
    const char delim = (char)z->delim;
    size_t n_parts = 1;
    for (size_t j = 0; j < k->len; j++) {
        n_parts += kname[j] == delim;
    }
    size_t part_start = 0, part_no = 0, split_before = z->out->n_empty_split;
    char *last_name = NULL;
    for (size_t j = 0; j <= k->len; j++) {
        if (j < k->len && kname[j] != delim) {
            continue;
        }
        kname[j] = '\0';
        char *pn = trim_name(kname + part_start, j - part_start);
        bool is_last = ++part_no == n_parts;
        if (is_last && pn[0] == '\0' && last_name != NULL) {
            break; /* ended with an escaped delimiter: drop the empty last part */
        }
        if (last_name != NULL && !push_empty_split(z, last_name, k)) {
            return APO_E_NOMEM;
        }
        last_name = pn[0] ? pn : NULL;
        if (!is_last && pn[0] == '\0') {
            fcs_warn(z->warnings, z->name, z->abs_offset + k->raw, NULL,
                     "%s segment: expected a keyword, found an empty one; skipped", z->seg_name);
        }
        part_start = j + 1;
    }
    if (last_name != NULL) {
        bool ok = v != NULL ? push_kw(&z->kws, last_name, z->sto + v->sto, v->len,
                                      z->abs_offset + k->raw, z->segment)
                            : push_empty_split(z, last_name, k);
        if (!ok) {
            return APO_E_NOMEM;
        }
    }
    if (z->out->n_empty_split > split_before) {
        fcs_warn(z->warnings, z->name, z->abs_offset + k->raw, NULL,
                 "%s segment: expected one keyword, found \"%s\" holding the delimiter; read as "
                 "keywords with empty values (doubled delimiter)",
                 z->seg_name, last_name ? last_name : "");
    }
    return APO_OK;
}

/* Pair keyword and value tokens (an odd count drops the last keyword; blanks around keywords
 * are trimmed; an empty keyword skips its pair). */
static apo_status pair_tokens(tokenizer *z)
{
    const tok_list *toks = &z->toks;
    for (size_t i = 0; i < toks->n; i += 2) {
        const token *k = &toks->t[i];
        const token *v = i + 1 < toks->n ? &toks->t[i + 1] : NULL;
        char *kname = z->sto + k->sto;
        if (z->mode == FCS_TEXT_ESCAPE && k->has_delim) {
            apo_status st = split_escaped_keyword(z, k, v);
            if (st != APO_OK) {
                return st;
            }
            continue;
        }
        if (v == NULL && k->len == 0) {
            fcs_warn(z->warnings, z->name, z->abs_offset + k->raw, NULL,
                     "%s segment: expected one delimiter at the end, found an extra one; "
                     "ignored",
                     z->seg_name);
            break;
        }
        if (v == NULL) {
            fcs_warn(z->warnings, z->name, z->abs_offset + k->raw, NULL,
                     "%s segment: expected a value after keyword \"%.60s\", found the end of "
                     "the segment (odd number of tokens); keyword dropped",
                     z->seg_name, kname);
            break;
        }
        char *pn = trim_name(kname, k->len);
        if (pn[0] == '\0') {
            fcs_warn(z->warnings, z->name, z->abs_offset + k->raw, NULL,
                     "%s segment: expected a keyword, found an empty one (value \"%.60s\"); "
                     "pair skipped",
                     z->seg_name, z->sto + v->sto);
        } else if (!push_kw(&z->kws, pn, z->sto + v->sto, v->len, z->abs_offset + k->raw,
                            z->segment)) {
            return APO_E_NOMEM;
        }
    }
    return APO_OK;
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
    tokenizer z = {.text = text, .len = len, .abs_offset = abs_offset, .delim = delim,
                   .mode = mode, .segment = segment, .name = name, .seg_name = seg_name,
                   .warnings = warnings, .out = out};
    strip_padding(&z);
    size_t cap;
    if (!apo_mul_size(z.len, 2, &cap) || cap > SIZE_MAX - 16) {
        return apo_error_set(err, APO_E_RANGE, name, abs_offset, NULL, "%s segment too large",
                             seg_name);
    }
    z.sto = malloc(cap + 8);
    if (z.sto == NULL) {
        return apo_error_set(err, APO_E_NOMEM, name, abs_offset, NULL,
                             "out of memory for a %zu-byte %s segment", z.len, seg_name);
    }
    apo_status st = split_tokens(&z);
    if (st == APO_OK) {
        st = pair_tokens(&z);
    }
    free(z.toks.t);
    if (st != APO_OK) {
        free(z.kws.kw);
        free(z.sto);
        return apo_error_set(err, st, name, abs_offset, NULL,
                             "out of memory while tokenizing the %s segment", seg_name);
    }
    out->kw = z.kws.kw;
    out->n = z.kws.n;
    out->storage = z.sto;
    return APO_OK;
}
