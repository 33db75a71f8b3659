/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * layout.c: turns the parameters of one data set into a checked DATA layout (fcs_layout):
 * per-column stored width and byte offset (mixed widths, 24-bit, $PnB 10 stored in 16-bit words,
 * F/D with a wrong $PnB), $BYTEORD, the integer mask from $PnR, and the DATA offsets: HEADER and
 * TEXT candidates scored against $TOT x row size and the file size (missing, disagreeing,
 * one-too-far and empty offsets, truncation, HEADER+TEXT-only files). The rules are in
 * docs/fcs-quirks.md, "Quirks: DATA layout" and "Quirks: DATA offsets and sizes". Everything is
 * checked before the decoder sees it.
 */
#include "fcs/parse_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- $BYTEORD ---- */

typedef struct byteord {
    unsigned ord[8];
    size_t k;
    bool valid;
    fcs_byteorder kind;
} byteord;

static byteord parse_byteord(const char *s)
{
    byteord b;
    memset(&b, 0, sizeof b);
    size_t len = strlen(s);
    size_t i = 0;
    while (i <= len) {
        size_t j = i;
        while (j < len && s[j] != ',') {
            j++;
        }
        uint64_t v;
        if (b.k == 8 || !apo_parse_u64(s + i, j - i, &v) || v < 1 || v > 8) {
            return b; /* invalid */
        }
        b.ord[b.k++] = (unsigned)v;
        i = j + 1;
    }
    /* a permutation of 1..k? */
    bool seen[9] = {false};
    for (size_t x = 0; x < b.k; x++) {
        if (b.ord[x] > b.k || seen[b.ord[x]]) {
            return b;
        }
        seen[b.ord[x]] = true;
    }
    bool asc = true, desc = true;
    for (size_t x = 0; x < b.k; x++) {
        asc = asc && b.ord[x] == x + 1;
        desc = desc && b.ord[x] == b.k - x;
    }
    b.valid = b.k > 0;
    b.kind = asc ? FCS_BYTEORDER_LITTLE : desc ? FCS_BYTEORDER_BIG : FCS_BYTEORDER_PERMUTED;
    if (b.k == 1) {
        b.kind = FCS_BYTEORDER_LITTLE;
    }
    return b;
}

/* ---- mask ---- */

static uint64_t range_mask(fcs_parse_ctx *c, size_t i, const fcs_param *p)
{
    unsigned declared = p->bits;
    uint64_t dmask = declared >= 64 ? UINT64_MAX : (UINT64_C(1) << declared) - 1;
    uint64_t none = declared < p->stored_bits ? dmask : UINT64_MAX;
    double r = p->range;
    if (!isfinite(r) || r <= 0) {
        return none;
    }
    if (declared < 64 && r >= ldexp(1.0, (int)declared)) {
        return none; /* e.g. 4294967296 with 32 bits */
    }
    if (r <= 1) {
        char kn[48];
        const fcs_keyword *k = fcs_ctx_pkw(c, i, "R", kn, sizeof kn);
        fcs_warn(&c->ds->warnings, c->name, fcs_ctx_off(c, k), kn,
                 "expected a range above 1, found %g; no range mask applied", r);
        return none;
    }
    double up = ceil(r);
    uint64_t m = 1;
    while ((double)m < up && m < (UINT64_C(1) << 63)) {
        m <<= 1;
    }
    return (m - 1) & dmask;
}

/* ---- DATA offsets ---- */

typedef struct cand {
    bool present;
    const char *src; /* "HEADER" or "TEXT" */
    uint64_t begin, end; /* relative to the data set */
    uint64_t len;
    int score; /* 4 exact, 3 one byte long, 2 longer, 1 short (allowed), 0 short, -1 past EOF */
    uint64_t use_len; /* bytes of DATA to use */
    uint64_t n_events;
    bool overlaps_text; /* begins inside the HEADER or the primary TEXT: certainly wrong */
    bool adjacent;      /* begins right after the primary TEXT (only blank padding between) */
} cand;

typedef struct need {
    bool binary_fixed; /* row_bytes meaningful */
    size_t row_bytes;
    bool tot_known;
    uint64_t tot;
    uint64_t expected; /* tot * row_bytes when both known */
    size_t n_params;
} need;

static void score(fcs_parse_ctx *c, cand *k, const need *nd)
{
    uint64_t file = c->f->len;
    uint64_t ab;
    k->len = k->end >= k->begin ? k->end - k->begin + 1 : 0;
    if (!apo_add_u64(c->base, k->begin, &ab) || ab > file) {
        k->score = -2;
        return;
    }
    k->overlaps_text = k->begin < 58 || (k->begin >= c->h.text_begin && k->begin <= c->h.text_end);
    k->adjacent = false;
    if (k->begin > c->h.text_end) {
        uint64_t from = c->base + c->h.text_end + 1;
        k->adjacent = true;
        for (uint64_t x = from; x < ab && k->adjacent; x++) {
            k->adjacent = c->f->buf[x] == ' ' || c->f->buf[x] == '\0';
        }
    }
    uint64_t avail = file - ab;
    if (nd->tot_known && nd->tot == 0) {
        k->score = 4;
        k->use_len = 0;
        k->n_events = 0;
        return;
    }
    if (nd->binary_fixed && nd->tot_known) {
        uint64_t exp = nd->expected;
        if (k->len == exp) {
            k->score = 4;
        } else if (k->len == exp + 1) {
            k->score = 3;
        } else if (k->len > exp) {
            k->score = 2;
        } else {
            k->score = c->opts->allow_truncated ? 1 : 0;
        }
        uint64_t want = k->len < exp ? k->len : exp;
        if (want > avail) {
            k->score = c->opts->allow_truncated ? 1 : -1;
            want = avail;
        }
        k->use_len = want;
        k->n_events = want / nd->row_bytes;
        if (k->n_events > nd->tot) {
            k->n_events = nd->tot;
        }
        k->use_len = k->n_events * nd->row_bytes;
        return;
    }
    /* event count unknown, or delimited ASCII */
    uint64_t want = k->len;
    k->score = 2;
    if (want > avail) {
        /* one byte past EOF is the usual +1 end */
        if (want == avail + 1) {
            want = avail;
        } else {
            k->score = c->opts->allow_truncated ? 1 : -1;
            want = avail;
        }
    }
    k->use_len = want;
    if (nd->binary_fixed) {
        k->n_events = nd->row_bytes ? want / nd->row_bytes : 0;
        k->use_len = k->n_events * nd->row_bytes;
    } else {
        /* delimited ASCII: every value takes at least one byte and one separator */
        uint64_t max_ev = (want + 1) / 2 / (nd->n_params ? nd->n_params : 1);
        k->n_events = nd->tot_known ? nd->tot : 0;
        if (k->n_events > max_ev) {
            k->n_events = max_ev;
            if (k->score > 0) {
                k->score = c->opts->allow_truncated ? 1 : 0;
            }
        }
    }
}

static bool text_offsets(fcs_parse_ctx *c, cand *k)
{
    const fcs_keyword *b = fcs_ctx_kw(c, "$BEGINDATA");
    const fcs_keyword *e = fcs_ctx_kw(c, "$ENDDATA");
    if (b == NULL || e == NULL) {
        if (!c->v2) {
            fcs_warn(&c->ds->warnings, c->name, c->base + c->h.text_begin,
                     b ? "$ENDDATA" : "$BEGINDATA",
                     "expected the required DATA offset keywords, found %s missing; using the "
                     "HEADER offsets",
                     b ? "$ENDDATA" : "$BEGINDATA");
        }
        return false;
    }
    char v1[128], v2[128];
    if (!apo_parse_u64(b->value, b->value_len, &k->begin) ||
        !apo_parse_u64(e->value, e->value_len, &k->end)) {
        fcs_warn(&c->ds->warnings, c->name, b->offset, "$BEGINDATA",
                 "expected byte offsets, found $BEGINDATA \"%s\" and $ENDDATA \"%s\"; ignored",
                 fcs_show(v1, sizeof v1, b->value, b->value_len),
                 fcs_show(v2, sizeof v2, e->value, e->value_len));
        return false;
    }
    if (k->begin == 0 && k->end == 0) {
        return false;
    }
    k->present = true;
    k->src = "TEXT";
    return true;
}

static apo_status resolve_offsets(fcs_parse_ctx *c, const need *nd, bool odd_widths,
                                  uint64_t packed_len, apo_error *err)
{
    fcs_dataset *ds = c->ds;
    fcs_layout *L = &ds->layout;
    cand h = {0}, t = {0};
    if (c->h.data_valid) {
        h.present = true;
        h.src = "HEADER";
        h.begin = c->h.data_begin;
        h.end = c->h.data_end;
    }
    text_offsets(c, &t);
    if (!h.present && !t.present) {
        if (nd->tot_known && nd->tot == 0) {
            L->data_begin = c->base;
            L->data_len = 0;
            L->n_events = 0;
            return APO_OK;
        }
        return apo_error_set(err, APO_E_FORMAT, c->name, c->base + 26, "$BEGINDATA",
                             "cannot locate DATA: expected offsets in the HEADER or in "
                             "$BEGINDATA/$ENDDATA, found HEADER %llu..%llu and no usable TEXT "
                             "offsets",
                             (unsigned long long)c->h.data_begin,
                             (unsigned long long)c->h.data_end);
    }
    /* a zero-length TEXT DATA segment with events (Sartorius iQue) */
    if (t.present && t.end <= t.begin && nd->binary_fixed && nd->tot_known && nd->expected > 0) {
        uint64_t ne;
        if (apo_add_u64(t.begin, nd->expected - 1, &ne)) {
            fcs_warn(&ds->warnings, c->name, fcs_ctx_off(c, fcs_ctx_kw(c, "$ENDDATA")),
                     "$ENDDATA",
                     "expected DATA of $TOT x %zu bytes, found $BEGINDATA %llu and $ENDDATA "
                     "%llu; end taken as %llu",
                     nd->row_bytes, (unsigned long long)t.begin, (unsigned long long)t.end,
                     (unsigned long long)ne);
            t.end = ne;
        }
    }
    if (h.present) {
        score(c, &h, nd);
    }
    if (t.present) {
        score(c, &t, nd);
    }
    cand *pick;
    if (c->opts->offsets == FCS_OFFSETS_HEADER && h.present) {
        pick = &h;
    } else if (c->opts->offsets == FCS_OFFSETS_TEXT && t.present) {
        pick = &t;
    } else if (!h.present) {
        pick = &t;
    } else if (!t.present) {
        pick = &h;
    } else if (h.overlaps_text != t.overlaps_text) {
        pick = h.overlaps_text ? &t : &h;
    } else if (h.score != t.score) {
        pick = h.score > t.score ? &h : &t;
    } else if (h.adjacent != t.adjacent) {
        pick = h.adjacent ? &h : &t;
    } else {
        pick = c->v2 ? &h : &t;
    }
    cand *other = pick == &h ? &t : &h;
    if (h.present && t.present && (h.begin != t.begin || h.end != t.end)) {
        fcs_warn(&ds->warnings, c->name, c->base + 26, "$BEGINDATA",
                 "expected HEADER and TEXT DATA offsets to agree, found HEADER %llu..%llu, "
                 "TEXT %llu..%llu; using %s%s",
                 (unsigned long long)h.begin, (unsigned long long)h.end,
                 (unsigned long long)t.begin, (unsigned long long)t.end, pick->src,
                 other->overlaps_text ? " (other one inside HEADER/TEXT)"
                 : nd->binary_fixed && nd->tot_known && pick->score > other->score
                     ? " (fits $TOT x row size)"
                 : pick->adjacent && !other->adjacent ? " (DATA follows TEXT)"
                                                      : "");
    }
    if (pick->overlaps_text) {
        fcs_warn(&ds->warnings, c->name, c->base + pick->begin, "$BEGINDATA",
                 "expected DATA outside the HEADER and TEXT, found %s offset %llu inside them",
                 pick->src, (unsigned long long)pick->begin);
    }
    uint64_t abs_begin = c->base + pick->begin;
    if (pick->score == -2) {
        return apo_error_set(err, APO_E_FORMAT, c->name, c->base + 26, "$BEGINDATA",
                             "expected DATA to begin inside the file of %llu bytes, found "
                             "%s offset %llu",
                             (unsigned long long)c->f->len, pick->src,
                             (unsigned long long)pick->begin);
    }
    if (odd_widths && pick->score < 2 && nd->tot_known) {
        if (pick->len == packed_len || pick->len == packed_len + 1) {
            return apo_error_set(err, APO_E_UNSUPPORTED, c->name, c->base + 26, "$PnB",
                                 "expected byte-aligned values, found bit-packed DATA "
                                 "(%llu bytes for %llu events of odd $PnB widths); packed data "
                                 "is not supported",
                                 (unsigned long long)pick->len, (unsigned long long)nd->tot);
        }
        return apo_error_set(err, APO_E_FORMAT, c->name, c->base + 26, "$PnB",
                             "expected DATA of %llu bytes ($PnB rounded up to whole bytes) or "
                             "%llu bytes (bit-packed) for $TOT %llu, found %llu bytes",
                             (unsigned long long)nd->expected, (unsigned long long)packed_len,
                             (unsigned long long)nd->tot, (unsigned long long)pick->len);
    }
    if (pick->score == -1) {
        return apo_error_set(err, APO_E_FORMAT, c->name, c->base + 34, "$ENDDATA",
                             "expected DATA (%s offsets %llu..%llu) inside the file, found the "
                             "file ends at byte %llu (truncated?)",
                             pick->src, (unsigned long long)pick->begin,
                             (unsigned long long)pick->end, (unsigned long long)c->f->len);
    }
    if (pick->score == 0 && !nd->binary_fixed) {
        return apo_error_set(err, APO_E_FORMAT, c->name, abs_begin, "$TOT",
                             "expected DATA for %llu events of %zu delimited ASCII values, "
                             "found only %llu bytes",
                             (unsigned long long)nd->tot, nd->n_params,
                             (unsigned long long)pick->len);
    }
    if (pick->score == 0) {
        return apo_error_set(err, APO_E_FORMAT, c->name, abs_begin, "$TOT",
                             "expected %llu events of %zu bytes (%llu bytes) in DATA, found "
                             "%llu bytes (%llu complete events)",
                             (unsigned long long)nd->tot, nd->row_bytes,
                             (unsigned long long)nd->expected, (unsigned long long)pick->len,
                             (unsigned long long)(pick->len / nd->row_bytes));
    }
    if (pick->score == 1) {
        fcs_warn(&ds->warnings, c->name, abs_begin, "$TOT",
                 "expected %llu events in DATA, found %llu complete events; reading those "
                 "(allow_truncated)",
                 (unsigned long long)(nd->tot_known ? nd->tot : 0),
                 (unsigned long long)pick->n_events);
    } else if (pick->score == 3) {
        fcs_warn(&ds->warnings, c->name, c->base + 34, "$ENDDATA",
                 "expected DATA to end at %s offset %llu, found %llu (one byte too far); "
                 "reading $TOT events",
                 pick->src, (unsigned long long)(pick->end - 1), (unsigned long long)pick->end);
    } else if (pick->score == 2 && nd->binary_fixed && nd->tot_known &&
               pick->len - nd->expected >= nd->row_bytes) {
        fcs_warn(&ds->warnings, c->name, abs_begin, "$TOT",
                 "expected DATA of %llu bytes for $TOT %llu, found %llu bytes; reading $TOT "
                 "events",
                 (unsigned long long)nd->expected, (unsigned long long)nd->tot,
                 (unsigned long long)pick->len);
    }
    if (nd->binary_fixed && !nd->tot_known && pick->len % nd->row_bytes != 0 &&
        pick->len % nd->row_bytes != 1) {
        fcs_warn(&ds->warnings, c->name, abs_begin, "$TOT",
                 "expected DATA to hold whole events of %zu bytes, found %llu bytes; %llu "
                 "events read",
                 nd->row_bytes, (unsigned long long)pick->len,
                 (unsigned long long)pick->n_events);
    }
    L->data_begin = abs_begin;
    L->data_len = pick->use_len;
    L->n_events = pick->n_events;
    return APO_OK;
}

/* ---- columns ---- */

apo_status fcs_layout_build(fcs_parse_ctx *c, apo_error *err)
{
    fcs_dataset *ds = c->ds;
    fcs_layout *L = &ds->layout;
    size_t n = ds->n_params;
    L->n_params = n;
    L->columns = calloc(n, sizeof *L->columns);
    if (L->columns == NULL) {
        return apo_error_set(err, APO_E_NOMEM, c->name, APO_NO_OFFSET, NULL,
                             "out of memory for %zu columns", n);
    }
    bool ascii = ds->datatype == FCS_DATATYPE_ASCII;
    L->ascii = ascii;
    size_t n_star = 0;
    for (size_t i = 0; i < n; i++) {
        n_star += ds->params[i].bits == 0;
    }
    if (ascii && n_star > 0 && n_star < n) {
        return apo_error_set(err, APO_E_FORMAT, c->name, c->base + c->h.text_begin, "$PnB",
                             "expected either all or no $PnB to be \"*\" for $DATATYPE A, "
                             "found %zu of %zu",
                             n_star, n);
    }
    L->ascii_delimited = ascii && n_star == n;

    bool odd = false;
    uint64_t packed_bits = 0;
    size_t row = 0;
    bool multi_byte = false;
    for (size_t i = 0; i < n; i++) {
        fcs_param *p = &ds->params[i];
        fcs_column *col = &L->columns[i];
        char kn[48];
        col->datatype = p->datatype;
        col->mask = UINT64_MAX;
        if (ascii) {
            col->n_bytes = p->bits; /* characters; 0 for delimited */
            p->stored_bits = p->bits;
        } else if (p->datatype == FCS_DATATYPE_FLOAT || p->datatype == FCS_DATATYPE_DOUBLE) {
            unsigned want = p->datatype == FCS_DATATYPE_FLOAT ? 32 : 64;
            if (p->bits != want) {
                const fcs_keyword *k = fcs_ctx_pkw(c, i, "B", kn, sizeof kn);
                fcs_warn(&ds->warnings, c->name, fcs_ctx_off(c, k), kn,
                         "expected %u bits for $DATATYPE %c, found %u; read as %u", want,
                         (char)p->datatype, p->bits, want);
            }
            p->stored_bits = want;
            col->n_bytes = want / 8;
        } else {
            unsigned stored = (p->bits + 7) / 8 * 8;
            if (stored != p->bits) {
                odd = true;
            }
            p->stored_bits = stored;
            col->n_bytes = stored / 8;
            p->mask = range_mask(c, i, p);
            col->mask = p->mask;
        }
        if (!ascii && p->datatype != FCS_DATATYPE_INT) {
            p->mask = UINT64_MAX;
        }
        packed_bits += p->bits;
        col->byte_offset = row;
        row += col->n_bytes;
        multi_byte = multi_byte || col->n_bytes > 1;
    }
    L->row_bytes = row;

    /* $BYTEORD */
    const fcs_keyword *bk = fcs_ctx_kw(c, "$BYTEORD");
    L->byteorder = FCS_BYTEORDER_LITTLE;
    if (!ascii && multi_byte) {
        if (bk == NULL) {
            return apo_error_set(err, APO_E_FORMAT, c->name, c->base + c->h.text_begin,
                                 "$BYTEORD",
                                 "expected the required keyword $BYTEORD for multi-byte "
                                 "values, found none");
        }
        byteord bo = parse_byteord(ds->byteord);
        char v[128];
        if (!bo.valid) {
            return apo_error_set(err, APO_E_FORMAT, c->name, bk->offset, "$BYTEORD",
                                 "expected a byte order such as 1,2,3,4 or 4,3,2,1, found "
                                 "\"%s\"",
                                 fcs_show(v, sizeof v, bk->value, bk->value_len));
        }
        if (bo.k == 1) {
            return apo_error_set(err, APO_E_FORMAT, c->name, bk->offset, "$BYTEORD",
                                 "expected a byte order for multi-byte values such as 1,2,3,4 "
                                 "or 4,3,2,1, found \"%s\"",
                                 fcs_show(v, sizeof v, bk->value, bk->value_len));
        }
        L->byteorder = bo.kind;
        if (bo.kind == FCS_BYTEORDER_PERMUTED) {
            for (size_t i = 0; i < n; i++) {
                fcs_column *col = &L->columns[i];
                if (col->n_bytes <= 1) {
                    continue;
                }
                if (col->n_bytes != bo.k) {
                    return apo_error_set(err, APO_E_UNSUPPORTED, c->name, bk->offset,
                                         "$BYTEORD",
                                         "expected a byte order for %u-byte values, found "
                                         "\"%s\" (%zu bytes) for parameter %zu",
                                         col->n_bytes, ds->byteord, bo.k, i + 1);
                }
                for (size_t x = 0; x < bo.k; x++) {
                    col->perm[x] = (uint8_t)(bo.ord[x] - 1);
                }
            }
        }
    }

    /* integer columns wider than any multiple of 8 were already rounded; report them */
    if (odd) {
        for (size_t i = 0; i < n; i++) {
            const fcs_param *p = &ds->params[i];
            if (!ascii && p->datatype == FCS_DATATYPE_INT && p->stored_bits != p->bits) {
                char kn[48];
                const fcs_keyword *k = fcs_ctx_pkw(c, i, "B", kn, sizeof kn);
                fcs_warn(&ds->warnings, c->name, fcs_ctx_off(c, k), kn,
                         "expected a multiple of 8 bits, found %u; values read from %u-bit "
                         "words (masked to %u bits)",
                         p->bits, p->stored_bits, p->bits);
            }
        }
    }

    if (c->opts->text_only) {
        ds->has_data = false;
        L->n_events = c->tot_known ? c->tot : 0;
        L->data_begin = 0;
        L->data_len = 0;
        return APO_OK;
    }
    need nd = {0};
    nd.binary_fixed = !L->ascii_delimited && row > 0;
    nd.row_bytes = row;
    nd.n_params = n;
    nd.tot_known = c->tot_known;
    nd.tot = c->tot;
    if (L->ascii_delimited && !c->tot_known) {
        return apo_error_set(err, APO_E_FORMAT, c->name, c->base + c->h.text_begin, "$TOT",
                             "expected $TOT for delimited ASCII data, found none");
    }
    if (nd.binary_fixed && nd.tot_known && !apo_mul_u64(nd.tot, row, &nd.expected)) {
        return apo_error_set(err, APO_E_RANGE, c->name, fcs_ctx_off(c, fcs_ctx_kw(c, "$TOT")),
                             "$TOT",
                             "expected an event count that fits the file, found %llu events "
                             "of %zu bytes (overflow)",
                             (unsigned long long)nd.tot, row);
    }
    uint64_t packed_len = 0;
    if (odd && nd.tot_known) {
        uint64_t bits;
        if (apo_mul_u64(packed_bits, nd.tot, &bits)) {
            packed_len = bits / 8 + (bits % 8 != 0);
        }
    }
    apo_status st = resolve_offsets(c, &nd, odd, packed_len, err);
    if (st != APO_OK) {
        return st;
    }
    ds->has_data = true;
    return APO_OK;
}
