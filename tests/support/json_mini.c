/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * json_mini.c: recursive-descent JSON parser building a small DOM, for tests only (reference
 * values in trusted files). See json_mini.h.
 */
#include "support/json_mini.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct jp {
    const char *s;
    size_t len, pos;
    int depth;
} jp;

static void ws(jp *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
                               p->s[p->pos] == '\n' || p->s[p->pos] == '\r')) {
        p->pos++;
    }
}

static json_value *new_value(json_type t)
{
    json_value *v = calloc(1, sizeof *v);
    if (v) {
        v->type = t;
    }
    return v;
}

void json_free(json_value *v)
{
    if (!v) {
        return;
    }
    for (size_t i = 0; i < v->n; i++) {
        json_free(v->items[i]);
        if (v->keys) {
            free(v->keys[i]);
        }
    }
    free(v->items);
    free(v->keys);
    free(v->string);
    free(v);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static bool hex4(jp *p, uint32_t *out)
{
    if (p->len - p->pos < 4) {
        return false;
    }
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p->s[p->pos + (size_t)i]);
        if (h < 0) {
            return false;
        }
        v = v * 16 + (uint32_t)h;
    }
    p->pos += 4;
    *out = v;
    return true;
}

static size_t put_utf8(char *d, uint32_t cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xC0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xE0 | (cp >> 12));
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | (cp >> 18));
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    d[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Parses a string at p->pos (which is at the opening quote). */
static char *parse_string(jp *p, size_t *out_len)
{
    p->pos++; /* quote */
    size_t start = p->pos;
    /* Decoded output is never longer than the source. */
    size_t end = start;
    while (end < p->len && p->s[end] != '"') {
        end += (p->s[end] == '\\') ? 2 : 1;
    }
    if (end >= p->len) {
        return NULL;
    }
    char *d = malloc(end - start + 1);
    if (!d) {
        return NULL;
    }
    size_t n = 0;
    while (p->pos < end) {
        char c = p->s[p->pos++];
        if (c != '\\') {
            d[n++] = c;
            continue;
        }
        char e = p->s[p->pos++];
        switch (e) {
        case '"': d[n++] = '"'; break;
        case '\\': d[n++] = '\\'; break;
        case '/': d[n++] = '/'; break;
        case 'b': d[n++] = '\b'; break;
        case 'f': d[n++] = '\f'; break;
        case 'n': d[n++] = '\n'; break;
        case 'r': d[n++] = '\r'; break;
        case 't': d[n++] = '\t'; break;
        case 'u': {
            uint32_t cp;
            if (!hex4(p, &cp)) {
                free(d);
                return NULL;
            }
            if (cp >= 0xD800 && cp < 0xDC00 && p->pos + 6 <= end && p->s[p->pos] == '\\' &&
                p->s[p->pos + 1] == 'u') {
                size_t save = p->pos;
                p->pos += 2;
                uint32_t lo;
                if (hex4(p, &lo) && lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else {
                    p->pos = save;
                }
            }
            n += put_utf8(d + n, cp); /* \uXXXX is 6 source bytes, at most 4 out */
            break;
        }
        default:
            free(d);
            return NULL;
        }
    }
    p->pos = end + 1;
    d[n] = '\0';
    *out_len = n;
    return d;
}

static json_value *parse_value(jp *p);

static bool push(json_value *v, json_value *item, char *key)
{
    json_value **items = realloc(v->items, (v->n + 1) * sizeof *items);
    if (!items) {
        return false;
    }
    v->items = items;
    if (v->type == JSON_OBJECT) {
        char **keys = realloc(v->keys, (v->n + 1) * sizeof *keys);
        if (!keys) {
            return false;
        }
        v->keys = keys;
        v->keys[v->n] = key;
    }
    v->items[v->n++] = item;
    return true;
}

static json_value *parse_container(jp *p, bool object)
{
    json_value *v = new_value(object ? JSON_OBJECT : JSON_ARRAY);
    if (!v) {
        return NULL;
    }
    p->pos++;
    ws(p);
    if (p->pos < p->len && p->s[p->pos] == (object ? '}' : ']')) {
        p->pos++;
        return v;
    }
    for (;;) {
        ws(p);
        char *key = NULL;
        if (object) {
            size_t kl;
            if (p->pos >= p->len || p->s[p->pos] != '"' || !(key = parse_string(p, &kl))) {
                goto fail;
            }
            ws(p);
            if (p->pos >= p->len || p->s[p->pos] != ':') {
                free(key);
                goto fail;
            }
            p->pos++;
        }
        json_value *item = parse_value(p);
        if (!item || !push(v, item, key)) {
            json_free(item);
            free(key);
            goto fail;
        }
        ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == (object ? '}' : ']')) {
            p->pos++;
            return v;
        }
        goto fail;
    }
fail:
    json_free(v);
    return NULL;
}

static bool word(jp *p, const char *w)
{
    size_t n = strlen(w);
    if (p->len - p->pos >= n && memcmp(p->s + p->pos, w, n) == 0) {
        p->pos += n;
        return true;
    }
    return false;
}

static json_value *parse_value(jp *p)
{
    ws(p);
    if (p->pos >= p->len || p->depth > 200) {
        return NULL;
    }
    char c = p->s[p->pos];
    json_value *v = NULL;
    if (c == '{' || c == '[') {
        p->depth++;
        v = parse_container(p, c == '{');
        p->depth--;
        return v;
    }
    if (c == '"') {
        v = new_value(JSON_STRING);
        if (v && !(v->string = parse_string(p, &v->string_len))) {
            json_free(v);
            return NULL;
        }
        return v;
    }
    if (word(p, "true") || word(p, "false")) {
        v = new_value(JSON_BOOL);
        if (v) {
            v->boolean = p->s[p->pos - 1] == 'e' && p->s[p->pos - 2] == 'u';
        }
        return v;
    }
    if (word(p, "null")) {
        return new_value(JSON_NULL);
    }
    if (word(p, "NaN")) { /* Python's json writes NaN/Infinity */
        v = new_value(JSON_NUMBER);
        if (v) {
            v->number = (double)NAN;
        }
        return v;
    }
    if (word(p, "Infinity") || word(p, "-Infinity")) {
        v = new_value(JSON_NUMBER);
        if (v) {
            v->number = p->s[p->pos - 9] == '-' ? -(double)INFINITY : (double)INFINITY;
        }
        return v;
    }
    size_t start = p->pos;
    while (p->pos < p->len && strchr("+-0123456789.eE", p->s[p->pos]) && p->s[p->pos]) {
        p->pos++;
    }
    if (p->pos == start || p->pos - start > 64) {
        return NULL;
    }
    char tmp[72];
    memcpy(tmp, p->s + start, p->pos - start);
    tmp[p->pos - start] = '\0';
    char *end;
    double d = strtod(tmp, &end);
    if (*end) {
        return NULL;
    }
    v = new_value(JSON_NUMBER);
    if (v) {
        v->number = d;
    }
    return v;
}

json_value *json_parse(const char *text, size_t len, size_t *err_offset)
{
    jp p = {text, len, 0, 0};
    json_value *v = parse_value(&p);
    ws(&p);
    if (v && p.pos != len) {
        json_free(v);
        v = NULL;
    }
    if (!v && err_offset) {
        *err_offset = p.pos;
    }
    return v;
}

json_value *json_parse_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        return NULL;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 65536 > cap) {
            cap = cap ? cap * 2 : 131072;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(fp);
                return NULL;
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n, fp);
        if (r == 0) {
            break;
        }
        n += r;
    }
    fclose(fp);
    json_value *v = buf ? json_parse(buf, n, NULL) : NULL;
    free(buf);
    return v;
}

const json_value *json_get(const json_value *obj, const char *key)
{
    if (!obj || obj->type != JSON_OBJECT) {
        return NULL;
    }
    for (size_t i = 0; i < obj->n; i++) {
        if (strcmp(obj->keys[i], key) == 0) {
            return obj->items[i];
        }
    }
    return NULL;
}

const json_value *json_index(const json_value *arr, size_t i)
{
    if (!arr || (arr->type != JSON_ARRAY && arr->type != JSON_OBJECT) || i >= arr->n) {
        return NULL;
    }
    return arr->items[i];
}

size_t json_size(const json_value *v)
{
    return (v && (v->type == JSON_ARRAY || v->type == JSON_OBJECT)) ? v->n : 0;
}

double json_number(const json_value *v, double dflt)
{
    return (v && v->type == JSON_NUMBER) ? v->number : dflt;
}

const char *json_string(const json_value *v)
{
    return (v && v->type == JSON_STRING) ? v->string : NULL;
}

bool json_bool(const json_value *v, bool dflt)
{
    return (v && v->type == JSON_BOOL) ? v->boolean : dflt;
}

bool json_is_null(const json_value *v)
{
    return v && v->type == JSON_NULL;
}
