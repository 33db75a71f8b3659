/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * json_out.h: small helpers for writing JSON to a FILE: strings (with bytes that are not
 * valid UTF-8 transcoded from Latin-1, so keywords are never lost), and numbers in their
 * shortest round-trip form (NaN and infinities as null).
 */
#ifndef APOFLOW_CLI_JSON_OUT_H
#define APOFLOW_CLI_JSON_OUT_H

#include <stddef.h>
#include <stdio.h>

void json_write_string(FILE *out, const char *s);
void json_write_string_n(FILE *out, const char *s, size_t len);
void json_write_number(FILE *out, double v);

#endif /* APOFLOW_CLI_JSON_OUT_H */
