/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_jscan.h: a minimal reader of apoflow's own results.json for `apoflow merge` and its
 * report: find the raw text of a key's value, walk array elements, decode strings and
 * numbers (null = NaN). Spans point into the caller's buffer; nothing is allocated.
 */
#ifndef APOFLOW_CLI_REPORT_JSCAN_H
#define APOFLOW_CLI_REPORT_JSCAN_H

#include <stdbool.h>
#include <stddef.h>

typedef struct jspan {
    const char *p, *e; /* [p, e): one JSON value; p == NULL when absent */
} jspan;

/* The whole document (leading/trailing space trimmed); p NULL if it is not one value. */
jspan jscan_doc(const char *text, size_t len);
/* The value of @p key in object @p obj (first match); p NULL when absent or not an object. */
jspan jscan_get(jspan obj, const char *key);
/* Path of keys ("thresholds", "annexin", "value", NULL-terminated). */
jspan jscan_path(jspan obj, const char *const *keys);
/* Element @p i of array @p arr (p NULL past the end). */
jspan jscan_index(jspan arr, size_t i);
/* Number of elements of an array (0 if not an array). */
size_t jscan_count(jspan arr);
/* A number (NaN for null, absent or not a number). */
double jscan_number(jspan v);
/* Decode a string into @p out (truncated to cap - 1 bytes); "" when not a string. */
void jscan_string(jspan v, char *out, size_t cap);

#endif /* APOFLOW_CLI_REPORT_JSCAN_H */
