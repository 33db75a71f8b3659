/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * json_out.h: small helpers for writing JSON to a FILE: strings (with bytes that are not
 * valid UTF-8 transcoded from Latin-1, so keywords are never lost), and numbers in their
 * shortest round-trip form (NaN and infinities as null).
 */
#ifndef APOFLOW_CLI_JSON_OUT_H
#define APOFLOW_CLI_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

void json_write_string(FILE *out, const char *s);
void json_write_string_n(FILE *out, const char *s, size_t len);
void json_write_number(FILE *out, double v);

/* Object members: a comma unless *first (which is then cleared), the key, then the value. */
void json_key(FILE *out, const char *key, bool *first);
void json_kv_str(FILE *out, const char *key, const char *value, bool *first); /* NULL -> "" */
void json_kv_num(FILE *out, const char *key, double value, bool *first);
void json_kv_uint(FILE *out, const char *key, uint64_t value, bool *first);

#endif /* APOFLOW_CLI_JSON_OUT_H */
