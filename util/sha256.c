/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sha256.c: a small SHA-256 (FIPS 180-4 section 6.2) written for apoflow: checksums of the
 * input files so a report says exactly which data it was made from. On x86-64 processors
 * with the SHA extensions (Intel SHA-NI: SHA256RNDS2, SHA256MSG1/2) the block function uses
 * them, chosen at run time: the same FIPS 180-4 rounds in hardware, several times faster.
 */
#include "util/util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define SHA256_X86 1
#endif

static const uint32_t K[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u,
    0xab1c5ed5u, 0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu,
    0x9bdc06a7u, 0xc19bf174u, 0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu,
    0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau, 0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u,
    0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u, 0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu,
    0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u, 0xa2bfe8a1u, 0xa81a664bu,
    0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u, 0x19a4c116u,
    0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u,
    0xc67178f2u};

static uint32_t rotr(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32u - n));
}

static void compress(uint32_t h[8], const uint8_t *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++) {
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    }
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] +
                      w[i];
        uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        k = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += k;
}

#ifdef SHA256_X86
/* One group of 4 rounds: the message words @p msg plus the constants K[4g..4g+3]. */
#define SHA_ROUNDS4(msg, g)                                                                    \
    do {                                                                                       \
        __m128i t_ = _mm_add_epi32(msg, _mm_loadu_si128((const __m128i *)&K[4 * (g)]));        \
        s1 = _mm_sha256rnds2_epu32(s1, s0, t_);                                                \
        s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(t_, 0x0e));                       \
    } while (0)

/* Blocks with the SHA extensions. The instructions keep the state as (A,B,E,F) and (C,D,G,H)
 * in lanes 3..0; the message schedule W[t] for t >= 16 comes from SHA256MSG1 (the sigma0
 * term), the W[t-7] term added by hand, and SHA256MSG2 (the sigma1 term). */
__attribute__((target("sha,sse4.1,ssse3"))) static void blocks_shani(uint32_t h[8],
                                                                      const uint8_t *p,
                                                                      size_t n)
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bll, 0x0405060700010203ll);
    __m128i t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xb1); /* CDAB */
    __m128i s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1b); /* EFGH */
    __m128i s0 = _mm_alignr_epi8(t, s1, 8);                                            /* ABEF */
    s1 = _mm_blend_epi16(s1, t, 0xf0);                                                 /* CDGH */
    for (; n > 0; n--, p += 64) {
        const __m128i abef = s0, cdgh = s1;
        __m128i w[4];
        for (int g = 0; g < 4; g++) {
            w[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)), bswap);
            SHA_ROUNDS4(w[g], g);
        }
        for (int g = 4; g < 16; g++) {
            /* W[4g..4g+3] from the four groups before it (w[g % 4] holds group g - 4) */
            __m128i x = _mm_sha256msg1_epu32(w[g % 4], w[(g + 1) % 4]);
            x = _mm_add_epi32(x, _mm_alignr_epi8(w[(g + 3) % 4], w[(g + 2) % 4], 4));
            w[g % 4] = _mm_sha256msg2_epu32(x, w[(g + 3) % 4]);
            SHA_ROUNDS4(w[g % 4], g);
        }
        s0 = _mm_add_epi32(s0, abef);
        s1 = _mm_add_epi32(s1, cdgh);
    }
    t = _mm_shuffle_epi32(s0, 0x1b);                               /* FEBA */
    s1 = _mm_shuffle_epi32(s1, 0xb1);                              /* DCHG */
    _mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(t, s1, 0xf0)); /* DCBA */
    _mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(s1, t, 8));    /* HGFE */
}
#undef SHA_ROUNDS4
#endif

#ifdef SHA256_X86
/* The processor has the SHA extensions (CPUID leaf 7, EBX bit 29) and SSE4.1 (leaf 1, ECX bit
 * 19). Asked through CPUID itself: clang 14's __builtin_cpu_supports does not know "sha". */
static bool cpu_has_sha(void)
{
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 19))) {
        return false;
    }
    return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29));
}
#endif

/* @p n consecutive 64-byte blocks, with the SHA extensions when @p shani. */
static void blocks(uint32_t h[8], const uint8_t *p, size_t n, bool shani)
{
#ifdef SHA256_X86
    if (shani) {
        blocks_shani(h, p, n);
        return;
    }
#else
    (void)shani;
#endif
    for (; n > 0; n--, p += 64) {
        compress(h, p);
    }
}

void apo_sha256_init(apo_sha256 *c)
{
    static const uint32_t iv[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                   0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
    memcpy(c->h, iv, sizeof iv);
#ifdef SHA256_X86
    c->shani = cpu_has_sha();
#else
    c->shani = false;
#endif
    c->bytes = 0;
    c->used = 0;
}

void apo_sha256_update(apo_sha256 *c, const void *data, size_t len)
{
    const uint8_t *p = data;
    c->bytes += len;
    if (c->used > 0) {
        size_t take = 64 - c->used < len ? 64 - c->used : len;
        memcpy(c->block + c->used, p, take);
        c->used += take;
        p += take;
        len -= take;
        if (c->used < 64) {
            return;
        }
        compress(c->h, c->block);
        c->used = 0;
    }
    blocks(c->h, p, len / 64, c->shani);
    p += len / 64 * 64;
    len %= 64;
    memcpy(c->block, p, len);
    c->used = len;
}

void apo_sha256_final(apo_sha256 *c, uint8_t digest[32])
{
    uint64_t bits = c->bytes * 8u;
    c->block[c->used++] = 0x80;
    if (c->used > 56) {
        memset(c->block + c->used, 0, 64 - c->used);
        compress(c->h, c->block);
        c->used = 0;
    }
    memset(c->block + c->used, 0, 56 - c->used);
    for (int i = 0; i < 8; i++) {
        c->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    }
    compress(c->h, c->block);
    for (int i = 0; i < 8; i++) {
        digest[4 * i] = (uint8_t)(c->h[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
        digest[4 * i + 3] = (uint8_t)c->h[i];
    }
}

static void to_hex(const uint8_t d[32], char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[64] = '\0';
}

void apo_sha256_hex(const void *data, size_t len, char hex[65])
{
    apo_sha256 c;
    uint8_t d[32];
    apo_sha256_init(&c);
    apo_sha256_update(&c, data, len);
    apo_sha256_final(&c, d);
    to_hex(d, hex);
}

int apo_sha256_file(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return errno ? errno : EIO;
    }
    apo_sha256 c;
    apo_sha256_init(&c);
    unsigned char buf[1 << 16];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
        apo_sha256_update(&c, buf, got);
    }
    int e = ferror(f) ? EIO : 0;
    fclose(f);
    if (e != 0) {
        return e;
    }
    uint8_t d[32];
    apo_sha256_final(&c, d);
    to_hex(d, hex);
    return 0;
}
