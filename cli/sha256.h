/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sha256.h: SHA-256 (FIPS 180-4) for the checksums of input files in report.html and
 * results.json ("how to reproduce"). Streaming interface plus a whole-file helper.
 */
#ifndef APOFLOW_CLI_SHA256_H
#define APOFLOW_CLI_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct cli_sha256 {
    uint32_t h[8];
    uint64_t bytes;     /* message length so far */
    uint8_t block[64];  /* pending input */
    size_t used;        /* bytes in block */
} cli_sha256;

void cli_sha256_init(cli_sha256 *c);
void cli_sha256_update(cli_sha256 *c, const void *data, size_t len);
/* Finish and write the 32-byte digest; @p c must be re-initialised before reuse. */
void cli_sha256_final(cli_sha256 *c, uint8_t digest[32]);
/* Lower-case hex digest of @p len bytes into @p hex (65 bytes with the NUL). */
void cli_sha256_hex(const void *data, size_t len, char hex[65]);
/* Hex digest of a whole file; returns 0 or an errno value. */
int cli_sha256_file(const char *path, char hex[65]);

#endif /* APOFLOW_CLI_SHA256_H */
