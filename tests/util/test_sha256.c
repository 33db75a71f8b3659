/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_sha256.c: the SHA-256 of util/ (util/sha256.c) on the
 * FIPS 180-4 / NIST example vectors, across block boundaries and in pieces.
 */
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void to_hex(const uint8_t d[32], char hex[65])
{
    for (size_t i = 0; i < 32; i++) {
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    }
}

Test(apo_sha256, fips_vectors)
{
    char hex[65];
    apo_sha256_hex("", 0, hex);
    cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    apo_sha256_hex("abc", 3, hex);
    cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    apo_sha256_hex(two, strlen(two), hex);
    cr_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(apo_sha256, million_a_in_odd_pieces)
{
    size_t n = 1000000;
    char *a = malloc(n);
    cr_assert_not_null(a);
    memset(a, 'a', n);
    apo_sha256 c;
    apo_sha256_init(&c);
    for (size_t off = 0, step = 1; off < n; off += step, step = step % 97 + 13) {
        apo_sha256_update(&c, a + off, off + step > n ? n - off : step);
    }
    uint8_t d[32];
    apo_sha256_final(&c, d);
    char hex[65];
    to_hex(d, hex);
    cr_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}

Test(apo_sha256, padding_boundaries_match_one_shot)
{
    /* lengths around the 55/56/64-byte padding edges: streamed byte by byte = one shot */
    unsigned char buf[130];
    for (size_t i = 0; i < sizeof buf; i++) {
        buf[i] = (unsigned char)(i * 7 + 1);
    }
    for (size_t len = 50; len <= 130; len++) {
        char one[65], two[65];
        apo_sha256_hex(buf, len, one);
        apo_sha256 c;
        apo_sha256_init(&c);
        for (size_t i = 0; i < len; i++) {
            apo_sha256_update(&c, buf + i, 1);
        }
        uint8_t d[32];
        apo_sha256_final(&c, d);
        to_hex(d, two);
        cr_assert_str_eq(one, two, "length %zu", len);
    }
    /* 64 zero bytes, a known vector */
    unsigned char z[64] = {0};
    char hex[65];
    apo_sha256_hex(z, sizeof z, hex);
    cr_assert_str_eq(hex, "f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b");
}

Test(apo_sha256, file_helper)
{
    char hex[65];
    cr_assert_neq(apo_sha256_file("/nonexistent/apoflow-sha", hex), 0);
    cr_assert_eq(apo_sha256_file(APOFLOW_SOURCE_DIR "/LICENSE", hex), 0);
    /* the GPL-3.0 text: sha256sum LICENSE */
    cr_assert_str_eq(hex, "3972dc9744f6499f0f9b2dbf76696f2ae7ad8af9b23dde66d6af86c9dfb36986");
}

/* Digest of @p len bytes streamed in pieces of up to 200 bytes, with the processor's SHA
 * extensions when the context chose them (@p portable false) or the portable rounds. */
static void digest_of(const unsigned char *p, size_t len, bool portable, char hex[65])
{
    apo_sha256 c;
    apo_sha256_init(&c);
    if (portable) {
        c.shani = false;
    }
    for (size_t off = 0, step = 1; off < len; off += step, step = step * 7 % 200 + 1) {
        apo_sha256_update(&c, p + off, off + step > len ? len - off : step);
    }
    uint8_t d[32];
    apo_sha256_final(&c, d);
    to_hex(d, hex);
}

Test(apo_sha256, processor_rounds_equal_portable_rounds)
{
    /* the SHA-extension path (chosen once per context) against the portable rounds, on
     * random multi-block messages; both give the FIPS vectors above */
    apo_sha256 probe;
    apo_sha256_init(&probe);
    if (!probe.shani) {
        cr_log_info("processor without SHA extensions: both sides are the portable rounds");
    }
    unsigned char buf[5000];
    uint64_t state = 12345;
    for (int trial = 0; trial < 300; trial++) {
        size_t len = (size_t)(state % sizeof buf);
        for (size_t i = 0; i < len; i++) {
            state = state * 6364136223846793005u + 1442695040888963407u;
            buf[i] = (unsigned char)(state >> 56);
        }
        state = state * 6364136223846793005u + 1442695040888963407u;
        char a[65], b[65];
        digest_of(buf, len, false, a);
        digest_of(buf, len, true, b);
        cr_assert_str_eq(a, b, "trial %d, %zu bytes", trial, len);
    }
    char hex[65];
    digest_of((const unsigned char *)"abc", 3, true, hex);
    cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
