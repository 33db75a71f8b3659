/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * json_read.c: the minimal JSON scanner (apo_jscan_*, util.h). Values are skipped
 * structurally (strings with escapes, nested objects/arrays up to a fixed depth); only what
 * is asked for is decoded.
 */
#include "util/util.h"


#include <math.h>
#include <stdint.h>
#include <string.h>

static const char *ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
        p++;
    }
    return p;
}

static const char *skip_string(const char *p, const char *e)
{
    for (p++; p < e; p++) {
        if (*p == '\\') {
            p++;
        } else if (*p == '"') {
            return p + 1;
        }
    }
    return NULL;
}

/* End of the value at p (p at its first byte), or NULL. */
static const char *skip_value(const char *p, const char *e)
{
    if (p >= e) {
        return NULL;
    }
    if (*p == '"') {
        return skip_string(p, e);
    }
    if (*p != '{' && *p != '[') {
        while (p < e && strchr(",]} \t\r\n", *p) == NULL) {
            p++;
        }
        return p;
    }
    int depth = 0;
    for (; p < e; p++) {
        if (*p == '"') {
            p = skip_string(p, e);
            if (p == NULL) {
                return NULL;
            }
            p--;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            if (--depth == 0) {
                return p + 1;
            }
        }
    }
    return NULL;
}

apo_jspan apo_jscan_doc(const char *text, size_t len)
{
    const char *e = text + len;
    const char *p = ws(text, e);
    const char *q = skip_value(p, e);
    apo_jspan r = {NULL, NULL};
    if (q != NULL && ws(q, e) == e) {
        r.p = p;
        r.e = q;
    }
    return r;
}

apo_jspan apo_jscan_get(apo_jspan obj, const char *key)
{
    apo_jspan none = {NULL, NULL};
    if (obj.p == NULL || *obj.p != '{') {
        return none;
    }
    size_t kl = strlen(key);
    const char *p = ws(obj.p + 1, obj.e);
    while (p < obj.e && *p == '"') {
        const char *k = p;
        p = skip_string(p, obj.e);
        if (p == NULL) {
            return none;
        }
        bool match = (size_t)(p - k) == kl + 2 && memcmp(k + 1, key, kl) == 0;
        p = ws(p, obj.e);
        if (p >= obj.e || *p != ':') {
            return none;
        }
        p = ws(p + 1, obj.e);
        const char *v = p;
        p = skip_value(p, obj.e);
        if (p == NULL) {
            return none;
        }
        if (match) {
            apo_jspan r = {v, p};
            return r;
        }
        p = ws(p, obj.e);
        if (p < obj.e && *p == ',') {
            p = ws(p + 1, obj.e);
        }
    }
    return none;
}

apo_jspan apo_jscan_path(apo_jspan obj, const char *const *keys)
{
    for (; *keys != NULL && obj.p != NULL; keys++) {
        obj = apo_jscan_get(obj, *keys);
    }
    return obj;
}

apo_jspan apo_jscan_index(apo_jspan arr, size_t i)
{
    apo_jspan none = {NULL, NULL};
    if (arr.p == NULL || *arr.p != '[') {
        return none;
    }
    const char *p = ws(arr.p + 1, arr.e);
    for (size_t k = 0; p < arr.e && *p != ']'; k++) {
        const char *v = p;
        p = skip_value(p, arr.e);
        if (p == NULL) {
            return none;
        }
        if (k == i) {
            apo_jspan r = {v, p};
            return r;
        }
        p = ws(p, arr.e);
        if (p < arr.e && *p == ',') {
            p = ws(p + 1, arr.e);
        }
    }
    return none;
}

size_t apo_jscan_count(apo_jspan arr)
{
    size_t n = 0;
    while (apo_jscan_index(arr, n).p != NULL) {
        n++;
    }
    return n;
}

double apo_jscan_number(apo_jspan v)
{
    double d;
    if (v.p == NULL || !apo_parse_double(v.p, (size_t)(v.e - v.p), false, &d)) {
        return NAN;
    }
    return d;
}

static size_t put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 63));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 63));
        o[2] = (char)(0x80 | (cp & 63));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 63));
    o[2] = (char)(0x80 | ((cp >> 6) & 63));
    o[3] = (char)(0x80 | (cp & 63));
    return 4;
}

static bool hex4(const char *p, const char *e, uint32_t *out)
{
    uint32_t v = 0;
    if (e - p < 4) {
        return false;
    }
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') {
            v |= (uint32_t)(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            v |= (uint32_t)(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            v |= (uint32_t)(c - 'A' + 10);
        } else {
            return false;
        }
    }
    *out = v;
    return true;
}

void apo_jscan_string(apo_jspan v, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    if (v.p == NULL || *v.p != '"' || cap < 5) {
        return;
    }
    for (const char *p = v.p + 1; p < v.e - 1 && n + 5 < cap; p++) {
        if (*p != '\\') {
            out[n++] = *p;
            continue;
        }
        p++;
        switch (*p) {
        case 'n':
            out[n++] = '\n';
            break;
        case 't':
            out[n++] = '\t';
            break;
        case 'r':
            out[n++] = '\r';
            break;
        case 'b':
            out[n++] = '\b';
            break;
        case 'f':
            out[n++] = '\f';
            break;
        case 'u': {
            uint32_t cp;
            if (!hex4(p + 1, v.e, &cp)) {
                break;
            }
            p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && p + 6 < v.e && p[1] == '\\' && p[2] == 'u') {
                uint32_t lo;
                if (hex4(p + 3, v.e, &lo) && lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                }
            }
            n += put_utf8(out + n, cp);
            break;
        }
        default:
            out[n++] = *p;
        }
    }
    out[n] = '\0';
}
