/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * json_write.c: JSON string and number output for the CLI's machine-readable formats.
 */
#include "util/util.h"


#include <math.h>
#include <stdint.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n > avail) {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return n;
}

void apo_json_string_n(FILE *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', out);
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc(c, out);
            i++;
        } else if (c < 0x20) {
            switch (c) {
            case '\n':
                fputs("\\n", out);
                break;
            case '\r':
                fputs("\\r", out);
                break;
            case '\t':
                fputs("\\t", out);
                break;
            default:
                fprintf(out, "\\u%04x", c);
                break;
            }
            i++;
        } else if (c < 0x80) {
            fputc(c, out);
            i++;
        } else {
            size_t n = utf8_seq_len(p + i, len - i);
            if (n > 0) {
                fwrite(p + i, 1, n, out);
                i += n;
            } else {
                /* Not UTF-8: read the byte as Latin-1 (docs/fcs-quirks.md, "Bytes that are not
                 * ASCII"). */
                fputc(0xC0 | (c >> 6), out);
                fputc(0x80 | (c & 0x3F), out);
                i++;
            }
        }
    }
    fputc('"', out);
}

void apo_json_string(FILE *out, const char *s)
{
    apo_json_string_n(out, s, strlen(s));
}

void apo_json_number(FILE *out, double v)
{
    if (!isfinite(v)) {
        fputs("null", out);
        return;
    }
    char buf[40];
    apo_format_double(buf, sizeof(buf), v);
    fputs(buf, out);
}

void apo_json_key(FILE *out, const char *key, bool *first)
{
    fputs(*first ? "" : ",", out);
    *first = false;
    apo_json_string(out, key);
    fputc(':', out);
}

void apo_json_kv_str(FILE *out, const char *key, const char *value, bool *first)
{
    apo_json_key(out, key, first);
    apo_json_string(out, value != NULL ? value : "");
}

void apo_json_kv_num(FILE *out, const char *key, double value, bool *first)
{
    apo_json_key(out, key, first);
    apo_json_number(out, value);
}

void apo_json_kv_uint(FILE *out, const char *key, uint64_t value, bool *first)
{
    apo_json_key(out, key, first);
    fprintf(out, "%llu", (unsigned long long)value);
}
