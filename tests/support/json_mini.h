/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * json_mini.h: a small JSON DOM parser for tests (reference files such as the corpus's
 * *.expected.json). Objects, arrays, strings (escapes incl. \uXXXX and surrogate pairs, decoded
 * to UTF-8), numbers (as double), true/false/null. Not for untrusted production input.
 *
 *   json_value *root = json_parse_file(path);          // NULL on error
 *   const json_value *ds = json_index(json_get(root, "datasets"), 0);
 *   double n = json_number(json_get(ds, "n_events"), -1);
 *   json_free(root);
 */
#ifndef APOFLOW_TESTS_SUPPORT_JSON_MINI_H
#define APOFLOW_TESTS_SUPPORT_JSON_MINI_H

#include <stdbool.h>
#include <stddef.h>

typedef enum json_type {
    JSON_NULL,
    JSON_BOOL,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT
} json_type;

typedef struct json_value json_value;
struct json_value {
    json_type type;
    bool boolean;
    double number;
    char *string;      /* JSON_STRING: NUL-terminated UTF-8 (may contain NUL: see string_len) */
    size_t string_len;
    size_t n;          /* ARRAY / OBJECT: number of items */
    json_value **items; /* ARRAY / OBJECT values */
    char **keys;        /* OBJECT keys (n entries) */
};

/* Parse @p len bytes. Returns NULL on a syntax error (then *err_offset, if not NULL, holds
 * the byte offset of the error). */
json_value *json_parse(const char *text, size_t len, size_t *err_offset);
/* Read and parse a file; NULL if it cannot be read or parsed. */
json_value *json_parse_file(const char *path);
void json_free(json_value *v);

/* Lookups: NULL-safe (a NULL or wrong-typed @p v gives NULL / the default). */
const json_value *json_get(const json_value *obj, const char *key); /* first match */
const json_value *json_index(const json_value *arr, size_t i);
size_t json_size(const json_value *v); /* items of an array/object, else 0 */
double json_number(const json_value *v, double dflt);
const char *json_string(const json_value *v); /* NULL unless a string */
bool json_bool(const json_value *v, bool dflt);
bool json_is_null(const json_value *v);

#endif /* APOFLOW_TESTS_SUPPORT_JSON_MINI_H */
