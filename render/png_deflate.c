/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * png_deflate.c: the zlib stream of a PNG's filtered rows (RFC 1950 around RFC 1951 DEFLATE),
 * made for our plots: flat colour over large areas, where almost every repeat is "the same
 * as the pixel to the left" or "the same as the row above". The rows (read in place, each
 * behind its filter byte 0) are parsed greedily into literals and matches at those two
 * distances (3 bytes back, one row back), and where neither holds, at the last place the
 * next four bytes were seen (one hash probe: glyphs and dot patterns recur); each block of
 * tokens gets its own Huffman codes (dynamic block, code lengths limited to 15 and 7 bits as
 * RFC 1951 requires), or is written stored when that would be smaller. No search beyond
 * that: a general match finder spends most of its time on the flat areas these distances
 * already cover (docs/performance.md, "Sixth round"). Any DEFLATE decoder reads the result;
 * the pixels are what the caller gave.
 */
#include "render/render_internal.h"

#include <libdeflate.h>

#include <stdlib.h>
#include <string.h>

#define BLOCK_TOKENS 32768u
#define MAX_MATCH 258u
#define N_LITLEN 286
#define N_DIST 30
#define N_CLEN 19
/* A shorter match costs more bits than its literals: a pixel repeat is cheap (a short
 * distance code), a row repeat carries up to 13 extra distance bits. */
#define MIN_PIXEL_MATCH 3u
#define MIN_ROW_MATCH 6u
/* Where neither repeat holds (text, dots), the last place the next 4 bytes were seen as
 * literals (a hash table of HASH_BITS bits) is tried too: glyphs and dot patterns recur. */
#define HASH_BITS 14
#define MIN_HASH_MATCH 5u

/* RFC 1951, 3.2.5: the lengths and distances each code starts at, and its extra bits */
static const uint16_t len_base[29] = {3,  4,  5,  6,  7,  8,  9,   10,  11,  13,
                                      15, 17, 19, 23, 27, 31, 35,  43,  51,  59,
                                      67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t dist_base[N_DIST] = {1,    2,    3,    4,    5,    7,     9,     13,
                                           17,   25,   33,   49,   65,   97,    129,   193,
                                           257,  385,  513,  769,  1025, 1537,  2049,  3073,
                                           4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t dist_extra[N_DIST] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                           6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
static const uint8_t clen_order[N_CLEN] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                           11, 4,  12, 3, 13, 2, 14, 1, 15};

/* ---- bits --------------------------------------------------------------------------------- */

typedef struct bitw {
    uint8_t *p, *end;
    uint64_t acc;
    unsigned nb;
    bool full;
} bitw;

/* Append the @p n (<= 32) low bits of @p v, least significant first (RFC 1951, 3.1.1). */
static void put_bits(bitw *w, uint32_t v, unsigned n)
{
    w->acc |= (uint64_t)v << w->nb;
    w->nb += n;
    if (w->nb >= 32) {
        if (w->end - w->p >= 4) {
            w->p[0] = (uint8_t)w->acc;
            w->p[1] = (uint8_t)(w->acc >> 8);
            w->p[2] = (uint8_t)(w->acc >> 16);
            w->p[3] = (uint8_t)(w->acc >> 24);
            w->p += 4;
        } else {
            w->full = true;
        }
        w->acc >>= 32;
        w->nb -= 32;
    }
}

/* Write out the pending bits, the last byte padded with zeros. */
static void flush_bits(bitw *w)
{
    while (w->nb > 0) {
        if (w->p < w->end) {
            *w->p++ = (uint8_t)w->acc;
        } else {
            w->full = true;
        }
        w->acc >>= 8;
        w->nb = w->nb > 8 ? w->nb - 8 : 0;
    }
    w->acc = 0;
}

/* ---- Huffman codes ------------------------------------------------------------------------ */

typedef struct huff {
    uint8_t len[N_LITLEN];
    uint16_t code[N_LITLEN]; /* bit-reversed, ready for put_bits */
} huff;

/* Symbols with a nonzero count, by ascending count, ties by symbol (deterministic): the
 * keys count << 9 | symbol are distinct, so any correct sort gives this one order; a radix
 * sort of them, 8 bits a pass (an insertion sort of up to 286 symbols was most of the time
 * spent writing a block). */
static int used_symbols(const uint32_t *freq, int n, uint16_t *sym)
{
    uint64_t key[N_LITLEN], tmp[N_LITLEN];
    int m = 0;
    uint32_t fmax = 0;
    for (int s = 0; s < n; s++) {
        if (freq[s] > 0) {
            key[m++] = (uint64_t)freq[s] << 9 | (uint64_t)s;
            fmax = freq[s] > fmax ? freq[s] : fmax;
        }
    }
    const uint64_t kmax = (uint64_t)fmax << 9 | 511u;
    uint64_t *a = key, *b = tmp;
    for (unsigned shift = 0; shift < 64 && (kmax >> shift) > 0; shift += 8) {
        unsigned start[257] = {0};
        for (int i = 0; i < m; i++) start[((a[i] >> shift) & 0xffu) + 1]++;
        for (int d = 0; d < 256; d++) start[d + 1] += start[d];
        for (int i = 0; i < m; i++) b[start[(a[i] >> shift) & 0xffu]++] = a[i];
        uint64_t *t = a;
        a = b;
        b = t;
    }
    for (int i = 0; i < m; i++) sym[i] = (uint16_t)(a[i] & 511u);
    return m;
}

/* Code lengths of an optimal prefix code for @p freq (every symbol with a nonzero count
 * gets a code; at least two do, as zlib also ensures), at most @p limit bits: the Huffman
 * tree's depths by the two-queue method on counts in ascending order, then lengths beyond
 * the limit folded back until the Kraft sum is exact again. */
static void huff_build(uint32_t *freq, int n, int limit, huff *h)
{
    memset(h->len, 0, sizeof h->len);
    int used = 0;
    for (int s = 0; s < n; s++) used += freq[s] > 0;
    if (used < 2) { /* fewer than two codes: give symbols 0 and 1 one each */
        freq[0] += freq[0] == 0;
        freq[1] += freq[1] == 0;
    }
    uint16_t sym[N_LITLEN];
    const int m = used_symbols(freq, n, sym);
    uint64_t weight[2 * N_LITLEN];
    int parent[2 * N_LITLEN];
    for (int i = 0; i < m; i++) weight[i] = freq[sym[i]];
    int leaf = 0, inner = m, next = m;
    for (int k = 0; k < m - 1; k++) {
        int pick[2];
        for (int j = 0; j < 2; j++) {
            bool take_leaf = leaf < m && (inner >= next || weight[leaf] <= weight[inner]);
            pick[j] = take_leaf ? leaf++ : inner++;
        }
        weight[next] = weight[pick[0]] + weight[pick[1]];
        parent[pick[0]] = parent[pick[1]] = next;
        next++;
    }
    unsigned depth[2 * N_LITLEN];
    unsigned count[33] = {0};
    depth[next - 1] = 0;
    for (int i = next - 2; i >= 0; i--) {
        depth[i] = depth[parent[i]] + 1;
    }
    for (int i = 0; i < m; i++) count[depth[i] > 32 ? 32 : depth[i]]++;
    for (int l = limit + 1; l <= 32; l++) { /* fold the long codes back (as miniz does) */
        count[limit] += count[l];
        count[l] = 0;
    }
    uint64_t kraft = 0;
    for (int l = 1; l <= limit; l++) kraft += (uint64_t)count[l] << (limit - l);
    while (kraft > (1ull << limit)) {
        count[limit]--;
        for (int l = limit - 1; l > 0; l--) {
            if (count[l] > 0) {
                count[l]--;
                count[l + 1] += 2;
                break;
            }
        }
        kraft--;
    }
    /* the most frequent symbols take the shortest codes */
    for (int l = 1, j = m; l <= limit; l++) {
        for (unsigned c = count[l]; c > 0; c--) h->len[sym[--j]] = (uint8_t)l;
    }
    /* canonical codes (RFC 1951, 3.2.2), bit-reversed */
    unsigned bl_count[16] = {0}, next_code[16] = {0};
    for (int s = 0; s < n; s++) bl_count[h->len[s]]++;
    bl_count[0] = 0;
    for (unsigned code = 0, l = 1; l <= 15; l++) {
        code = (code + bl_count[l - 1]) << 1;
        next_code[l] = code;
    }
    for (int s = 0; s < n; s++) {
        unsigned l = h->len[s], c = l ? next_code[l]++ : 0, r = 0;
        for (unsigned b = 0; b < l; b++) r |= ((c >> b) & 1u) << (l - 1 - b);
        h->code[s] = (uint16_t)r;
    }
}

/* ---- tokens ------------------------------------------------------------------------------- */

/* A token: a literal byte (len 0) or a match of len 3..258 at distance 1..32768:
 * lit | dist | len << 16. */
typedef struct block {
    uint32_t tok[BLOCK_TOKENS];
    size_t n_tok;
    uint32_t lit_freq[N_LITLEN], dist_freq[N_DIST];
    uint8_t len_code[MAX_MATCH + 1]; /* length -> index into len_base */
    uint32_t head[1u << HASH_BITS];  /* last literal position + 1 of each 4-byte hash */
} block;

/* The length of the common prefix of a and b, at most @p max. */
static size_t match_len_long(const uint8_t *a, const uint8_t *b, size_t max)
{
    size_t l = 0;
    if (max == MAX_MATCH) { /* flat areas: most matches run to the longest; memcmp checks
                             * those fastest, after 8 bytes that rule out the others */
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y) return (size_t)__builtin_ctzll(x ^ y) >> 3;
        if (memcmp(a + 8, b + 8, MAX_MATCH - 8) == 0) return MAX_MATCH;
        l = 8;
    }
    while (l + 8 <= max) {
        uint64_t x, y;
        memcpy(&x, a + l, 8);
        memcpy(&y, b + l, 8);
        if (x != y) return l + ((size_t)__builtin_ctzll(x ^ y) >> 3);
        l += 8;
    }
    while (l < max && a[l] == b[l]) l++;
    return l;
}

/* match_len_long with its first 8 bytes compared here, inlined: at most positions of the
 * text and dots (literals) they already differ, and the call was a third of the cost. */
static inline size_t match_len(const uint8_t *a, const uint8_t *b, size_t max)
{
    if (max >= 8) {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y) return (size_t)__builtin_ctzll(x ^ y) >> 3;
    }
    return match_len_long(a, b, max);
}

/* The distance code of d in 1..32768 (RFC 1951, 3.2.5). */
static unsigned dist_code(uint32_t d)
{
    const uint32_t d1 = d - 1;
    if (d1 < 4) return d1;
    const unsigned l = 31u - (unsigned)__builtin_clz(d1);
    return 2 * l + ((d1 >> (l - 1)) & 1u);
}

static void add_match(block *b, size_t len, uint32_t dist)
{
    b->tok[b->n_tok++] = dist | (uint32_t)len << 16;
    b->lit_freq[257 + b->len_code[len]]++;
    b->dist_freq[dist_code(dist)]++;
}

static uint32_t hash4(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return (v * 0x9e3779b1u) >> (32 - HASH_BITS);
}

/* The rows of an image as the PNG sees them: each row a filter byte (0, None) then the row's
 * bytes, which are read where they are (no copy of the image). */
typedef struct rows {
    const uint8_t *rgb;
    size_t rb, h; /* bytes per row without the filter byte, rows */
} rows;

/* Position in the PNG byte stream of byte @p off of the rows. */
static size_t stream_pos(const rows *r, size_t off)
{
    return off + off / r->rb + 1;
}

/* Where the tokeniser is: row y, byte k of it in the stream (0 = the filter byte). */
typedef struct cursor {
    size_t y, k;
} cursor;

/* Tokenise from @p c until the block is full or the rows end; returns the stream bytes
 * consumed. The filter byte is a literal; a match never runs past the end of its row, and
 * neither does its source, so no filter byte is ever inside one. */
static size_t tokenise(block *b, const rows *r, cursor *c)
{
    size_t used = 0;
    const size_t rb = r->rb, row_dist = rb + 1;
    const bool row_ok = row_dist <= 32768;
    b->n_tok = 0;
    memset(b->lit_freq, 0, sizeof b->lit_freq);
    memset(b->dist_freq, 0, sizeof b->dist_freq);
    while (c->y < r->h && b->n_tok < BLOCK_TOKENS) {
        size_t step = 1;
        if (c->k == 0) {
            b->tok[b->n_tok++] = 0; /* filter type None */
            b->lit_freq[0]++;
        } else {
            const size_t x = c->k - 1, off = c->y * rb + x, rem = rb - x;
            const uint8_t *p = r->rgb + off;
            const size_t max = rem < MAX_MATCH ? rem : MAX_MATCH;
            const size_t lp = x >= 3 ? match_len(p, p - 3, max) : 0;
            const size_t lr = row_ok && c->y > 0 && lp < max ? match_len(p, p - rb, max) : 0;
            size_t lh = 0, dh = 0;
            if (lr < MIN_ROW_MATCH && lp < MIN_PIXEL_MATCH && rem >= 4 && off < UINT32_MAX - 1) {
                uint32_t *slot = &b->head[hash4(p)];
                const size_t cand = *slot;
                *slot = (uint32_t)(off + 1);
                /* stream_pos(r, off) without a division: off is in row c->y */
                dh = cand > 0 ? off + c->y + 1 - stream_pos(r, cand - 1) : 0;
                if (dh > 0 && dh <= 32768) {
                    const size_t cx = (cand - 1) % rb;
                    const size_t cmax = rb - cx < max ? rb - cx : max;
                    lh = match_len(p, r->rgb + cand - 1, cmax);
                }
            }
            if (lr >= MIN_ROW_MATCH && lr > lp) {
                add_match(b, lr, (uint32_t)row_dist);
                step = lr;
            } else if (lp >= MIN_PIXEL_MATCH) {
                add_match(b, lp, 3);
                step = lp;
            } else if (lh >= MIN_HASH_MATCH) {
                add_match(b, lh, (uint32_t)dh);
                step = lh;
            } else {
                b->tok[b->n_tok++] = *p;
                b->lit_freq[*p]++;
            }
        }
        used += step;
        c->k += step;
        if (c->k == rb + 1) {
            c->y++;
            c->k = 0;
        }
    }
    b->lit_freq[256]++; /* end of block */
    return used;
}

/* Stream bytes [pos, pos + len) of the rows into @p dst. */
static void stream_copy(const rows *r, size_t pos, size_t len, uint8_t *dst)
{
    while (len > 0) {
        const size_t y = pos / (r->rb + 1), k = pos % (r->rb + 1);
        size_t part;
        if (k == 0) {
            *dst = 0;
            part = 1;
        } else {
            part = r->rb + 1 - k < len ? r->rb + 1 - k : len;
            memcpy(dst, r->rgb + y * r->rb + (k - 1), part);
        }
        dst += part;
        pos += part;
        len -= part;
    }
}

/* ---- blocks ------------------------------------------------------------------------------- */

/* The code-length sequence of both codes as symbols 0..18 with their extra bits
 * (RFC 1951, 3.2.7): sym | extra << 8. Returns how many. */
static size_t rle_lengths(const uint8_t *lens, size_t total, uint32_t *out, uint32_t *freq)
{
    size_t k = 0;
    for (size_t i = 0; i < total;) {
        const uint8_t l = lens[i];
        size_t run = 1;
        while (i + run < total && lens[i + run] == l) run++;
        i += run;
        if (l == 0) {
            for (; run >= 11; ) {
                size_t r = run < 138 ? run : 138;
                out[k++] = 18u | (uint32_t)(r - 11) << 8;
                run -= r;
            }
            if (run >= 3) {
                out[k++] = 17u | (uint32_t)(run - 3) << 8;
                run = 0;
            }
        } else {
            out[k++] = l;
            run--;
            for (; run >= 3; ) {
                size_t r = run < 6 ? run : 6;
                out[k++] = 16u | (uint32_t)(r - 3) << 8;
                run -= r;
            }
        }
        for (; run > 0; run--) out[k++] = l;
    }
    for (size_t j = 0; j < k; j++) freq[out[j] & 0xffu]++;
    return k;
}

static const uint8_t clen_extra_bits[N_CLEN] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                0, 0, 0, 0, 0, 0, 2, 3, 7};

/* Stream bytes [pos, pos + len) as stored blocks (at most 65535 bytes each). */
static void write_stored(bitw *w, const rows *r, size_t pos, size_t len, bool last)
{
    do {
        const size_t part = len < 65535 ? len : 65535;
        put_bits(w, last && part == len ? 1u : 0u, 3); /* BFINAL, BTYPE 00 */
        flush_bits(w);
        if ((size_t)(w->end - w->p) < part + 4) {
            w->full = true;
            return;
        }
        w->p[0] = (uint8_t)part;
        w->p[1] = (uint8_t)(part >> 8);
        w->p[2] = (uint8_t)~part;
        w->p[3] = (uint8_t)(~part >> 8);
        stream_copy(r, pos, part, w->p + 4);
        w->p += 4 + part;
        pos += part;
        len -= part;
    } while (len > 0);
}

/* The tokens of a block and its end code. The writer is a local copy (kept in registers);
 * a length code and its extra bits go out as one put, as do a distance code and its extra
 * bits (at most 20 and 28 bits): the same bits in the same order. A code without extra bits
 * stands for its base value alone, so the extra value is then 0. */
static void write_tokens(bitw *w, const block *b, const huff *lit, const huff *dist)
{
    bitw lw = *w;
    for (size_t t = 0; t < b->n_tok; t++) {
        const uint32_t tok = b->tok[t], ml = tok >> 16;
        if (ml == 0) {
            put_bits(&lw, lit->code[tok & 0xffu], lit->len[tok & 0xffu]);
            continue;
        }
        const unsigned lc = b->len_code[ml], d = tok & 0xffffu, dc = dist_code(d);
        const unsigned ll = lit->len[257 + lc], dl = dist->len[dc];
        put_bits(&lw, lit->code[257 + lc] | (ml - len_base[lc]) << ll, ll + len_extra[lc]);
        put_bits(&lw, dist->code[dc] | (d - dist_base[dc]) << dl, dl + dist_extra[dc]);
    }
    put_bits(&lw, lit->code[256], lit->len[256]);
    *w = lw;
}

/* One block of tokens covering stream bytes [pos, pos + len): dynamic Huffman codes, or
 * stored if smaller. */
static void write_block(bitw *w, block *b, const rows *r, size_t pos, size_t len, bool last)
{
    huff lit, dist, clen;
    huff_build(b->lit_freq, N_LITLEN, 15, &lit);
    huff_build(b->dist_freq, N_DIST, 15, &dist);
    int hlit = N_LITLEN, hdist = N_DIST;
    while (hlit > 257 && lit.len[hlit - 1] == 0) hlit--;
    while (hdist > 1 && dist.len[hdist - 1] == 0) hdist--;
    uint8_t lens[N_LITLEN + N_DIST];
    memcpy(lens, lit.len, (size_t)hlit);
    memcpy(lens + hlit, dist.len, (size_t)hdist);
    uint32_t rle[N_LITLEN + N_DIST], cfreq[N_CLEN] = {0};
    const size_t nrle = rle_lengths(lens, (size_t)(hlit + hdist), rle, cfreq);
    huff_build(cfreq, N_CLEN, 7, &clen);
    int hclen = N_CLEN;
    while (hclen > 4 && clen.len[clen_order[hclen - 1]] == 0) hclen--;
    /* its size in bits, against the stored blocks' */
    uint64_t bits = 3 + 14 + 3 * (uint64_t)hclen;
    for (size_t j = 0; j < nrle; j++) {
        bits += clen.len[rle[j] & 0xffu] + clen_extra_bits[rle[j] & 0xffu];
    }
    for (int s = 0; s < N_LITLEN; s++) {
        bits += (uint64_t)b->lit_freq[s] * lit.len[s];
        if (s >= 257) bits += (uint64_t)b->lit_freq[s] * len_extra[s - 257];
    }
    for (int s = 0; s < N_DIST; s++) {
        bits += (uint64_t)b->dist_freq[s] * (dist.len[s] + dist_extra[s]);
    }
    const uint64_t stored = 8 * ((uint64_t)len + 5 * (len / 65535 + 1)) + 7;
    if (bits > stored) {
        write_stored(w, r, pos, len, last);
        return;
    }
    put_bits(w, (last ? 1u : 0u) | 2u << 1, 3); /* BFINAL, BTYPE 10 */
    put_bits(w, (uint32_t)(hlit - 257), 5);
    put_bits(w, (uint32_t)(hdist - 1), 5);
    put_bits(w, (uint32_t)(hclen - 4), 4);
    for (int i = 0; i < hclen; i++) put_bits(w, clen.len[clen_order[i]], 3);
    for (size_t j = 0; j < nrle; j++) {
        const unsigned s = rle[j] & 0xffu;
        put_bits(w, clen.code[s], clen.len[s]);
        if (clen_extra_bits[s]) put_bits(w, rle[j] >> 8, clen_extra_bits[s]);
    }
    write_tokens(w, b, &lit, &dist);
}

/* Each block is at most its stored size (write_block), its bytes plus 5 per 65535 and one
 * for the padding; a block covers at least 32768 bytes (BLOCK_TOKENS tokens) unless it ends
 * a piece: with the header, the sync flushes and the checksum, n / 2048 + 16 per piece + 64
 * more than the bytes is enough. */
size_t rpng_zlib_bound(size_t n)
{
    return n + n / 2048 + 16 + 64;
}

/* Fill the table of length codes (index into len_base of each match length). */
static void init_len_codes(block *b)
{
    for (unsigned c = 0, l = 3; l <= MAX_MATCH; l++) {
        while (c + 1 < 29 && len_base[c + 1] <= l) c++;
        b->len_code[l] = (uint8_t)c;
    }
}

/* The DEFLATE blocks of rows [y0, y1) of @p r into @p w: the last block final when @p last,
 * otherwise followed by an empty stored block (a sync flush: the piece ends on a byte
 * boundary, so pieces are concatenated as bytes). Matches may reach back into the rows
 * before y0 (the decoder has them: they were written before this piece); the hash of
 * earlier places starts empty, so the piece depends only on the pixels. */
static void deflate_rows(bitw *w, block *b, const rows *r, size_t y0, size_t y1, bool last)
{
    memset(b->head, 0, sizeof b->head);
    const rows band = {r->rgb, r->rb, y1};
    const size_t end = (r->rb + 1) * y1;
    size_t pos = (r->rb + 1) * y0;
    cursor c = {y0, 0};
    do {
        const size_t used = tokenise(b, &band, &c);
        write_block(w, b, &band, pos, used, last && pos + used == end);
        pos += used;
    } while (pos < end && !w->full);
    if (!last) {
        put_bits(w, 0, 3); /* BFINAL 0, BTYPE 00: an empty stored block */
        flush_bits(w);
        if (w->end - w->p < 4) {
            w->full = true;
            return;
        }
        memcpy(w->p, "\x00\x00\xff\xff", 4); /* LEN 0, NLEN */
        w->p += 4;
    }
    flush_bits(w);
}

/* The zlib header: CM 8 (deflate), 32K window, FLEVEL 0 (fastest); FCHECK makes 0x7801 a
 * multiple of 31. */
static const uint8_t zlib_head[2] = {0x78, 0x01};

/* Adler-32 of the PNG stream of rows [y0, y1): each row's filter byte 0, then the row. */
static uint32_t rows_adler(const rows *r, size_t y0, size_t y1)
{
    uint32_t adler = 1;
    for (size_t y = y0; y < y1; y++) {
        static const uint8_t none = 0;
        adler = libdeflate_adler32(adler, &none, 1);
        adler = libdeflate_adler32(adler, r->rgb + y * r->rb, r->rb);
    }
    return adler;
}

/* The Adler-32 of A followed by B from theirs and B's length (RFC 1950, 8.2: the two sums
 * are s1 = 1 + the bytes, s2 = the sum of the s1 after each byte, modulo 65521). */
static uint32_t adler_combine(uint32_t a, uint32_t b, size_t len_b)
{
    const uint64_t base = 65521, rem = len_b % base;
    const uint64_t a1 = a & 0xffffu, a2 = a >> 16, b1 = b & 0xffffu, b2 = b >> 16;
    const uint64_t s1 = (a1 + b1 + base - 1) % base;
    const uint64_t s2 = (a2 + b2 + rem * a1 + base - rem) % base;
    return (uint32_t)(s2 << 16 | s1);
}

static size_t put_adler(uint8_t *p, uint8_t *end, uint32_t adler)
{
    if (end - p < 4) {
        return 0;
    }
    p[0] = (uint8_t)(adler >> 24);
    p[1] = (uint8_t)(adler >> 16);
    p[2] = (uint8_t)(adler >> 8);
    p[3] = (uint8_t)adler;
    return 4;
}

size_t rpng_zlib(const uint8_t *rgb, size_t row_bytes, size_t height, uint8_t *out,
                 size_t cap)
{
    block *b = malloc(sizeof *b);
    if (b == NULL || cap < 8 || row_bytes == 0) {
        free(b);
        return 0;
    }
    init_len_codes(b);
    const rows r = {rgb, row_bytes, height};
    memcpy(out, zlib_head, 2);
    bitw w = {out + 2, out + cap, 0, 0, false};
    deflate_rows(&w, b, &r, 0, height, true);
    free(b);
    if (w.full) {
        return 0;
    }
    const size_t na = put_adler(w.p, w.end, rows_adler(&r, 0, height));
    return na ? (size_t)(w.p + na - out) : 0;
}

/* ---- bands -------------------------------------------------------------------------------- */

/* Rows compressed as pieces of their own once an image has this many stream bytes: the
 * pieces are independent, so they run on several threads (docs/performance.md, "Eighth
 * round"). Below it one piece (the stream of rpng_zlib). */
#define BAND_BYTES (1u << 21)

size_t rpng_zlib_bands_count(size_t row_bytes, size_t height)
{
    const size_t n = (row_bytes + 1) * height;
    if (height < 2 || n < 2 * (size_t)BAND_BYTES) {
        return 1;
    }
    const size_t k = n / BAND_BYTES; /* pieces of at least BAND_BYTES */
    return k < height ? k : height;
}

typedef struct band_job {
    rows r;
    size_t n_bands;
    uint8_t **out;  /* each piece's bytes */
    size_t *len;    /* their lengths, 0 when a piece failed */
    uint32_t *adler;
} band_job;

/* Rows of piece i: an even split of the rows. */
static size_t band_row(const band_job *j, size_t i)
{
    return j->r.h * i / j->n_bands; /* h < 2^31, i <= h: no overflow */
}

static void band_task(void *ctx, size_t i)
{
    band_job *j = ctx;
    const size_t y0 = band_row(j, i), y1 = band_row(j, i + 1);
    const size_t cap = rpng_zlib_bound((j->r.rb + 1) * (y1 - y0)) + 8;
    block *b = malloc(sizeof *b);
    j->out[i] = malloc(cap);
    j->len[i] = 0;
    if (b == NULL || j->out[i] == NULL) {
        free(b);
        return;
    }
    init_len_codes(b);
    bitw w = {j->out[i], j->out[i] + cap, 0, 0, false};
    deflate_rows(&w, b, &j->r, y0, y1, i + 1 == j->n_bands);
    free(b);
    j->adler[i] = rows_adler(&j->r, y0, y1);
    j->len[i] = w.full ? 0 : (size_t)(w.p - j->out[i]);
}

size_t rpng_zlib_bands(const uint8_t *rgb, size_t row_bytes, size_t height, size_t n_bands,
                       unsigned jobs, uint8_t *out, size_t cap)
{
    if (n_bands <= 1 || height < 2) {
        return rpng_zlib(rgb, row_bytes, height, out, cap);
    }
    if (row_bytes == 0 || cap < 8) {
        return 0;
    }
    n_bands = n_bands < height ? n_bands : height;
    band_job j = {{rgb, row_bytes, height}, n_bands, calloc(n_bands, sizeof *j.out),
                  calloc(n_bands, sizeof *j.len), calloc(n_bands, sizeof *j.adler)};
    size_t total = 0;
    if (j.out != NULL && j.len != NULL && j.adler != NULL) {
        apo_pool_run(n_bands, jobs, band_task, NULL, &j);
        memcpy(out, zlib_head, 2);
        total = 2;
        uint32_t adler = 1;
        for (size_t i = 0; i < n_bands && total > 0; i++) {
            const size_t len = j.len[i];
            if (len == 0 || len > cap - total) {
                total = 0;
                break;
            }
            memcpy(out + total, j.out[i], len);
            total += len;
            const size_t rows_i = band_row(&j, i + 1) - band_row(&j, i);
            adler = adler_combine(adler, j.adler[i], rows_i * (row_bytes + 1));
        }
        const size_t na = total > 0 ? put_adler(out + total, out + cap, adler) : 0;
        total = na ? total + na : 0;
    }
    for (size_t i = 0; j.out != NULL && i < n_bands; i++) {
        free(j.out[i]);
    }
    free(j.out);
    free(j.len);
    free(j.adler);
    return total;
}
