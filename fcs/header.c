/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * header.c: the 58-byte FCS HEADER (3.0 §3.1): version, then six right-justified 8-byte
 * offset fields. Real files pad with zeros or blanks, shift fields by a byte, use 0 or
 * 99999999 as placeholders, and put non-spaces in bytes 6-9 (docs/fcs-quirks.md, "Quirks:
 * HEADER"); all are accepted here, anything else is rejected with the field's byte range.
 *
 *   bytes   content (offsets count from the data set's first byte; ends are inclusive)
 *   0-5     "FCS2.0", "FCS3.0", "FCS3.1" or "FCS3.2"
 *   6-9     four spaces
 *   10-17   TEXT begin       ASCII decimal, right-aligned in 8 bytes
 *   18-25   TEXT end
 *   26-33   DATA begin       0 in 3.x when DATA lies past byte 99,999,999 ($BEGINDATA has it)
 *   34-41   DATA end
 *   42-49   ANALYSIS begin   0 or blank when there is no ANALYSIS segment
 *   50-57   ANALYSIS end
 *   58-     optional OTHER segment offset pairs, then padding up to the first segment
 */
#include "fcs/fcs_internal.h"

#include <stdio.h>
#include <string.h>

#define HEADER_LEN 58
#define PLACEHOLDER 99999999u

/* Printable copy of up to @p n bytes for messages. */
static void show(char *dst, size_t cap, const uint8_t *p, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 5 < cap; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7F && p[i] != '"' && p[i] != '\\') {
            dst[o++] = (char)p[i];
        } else {
            o += (size_t)snprintf(dst + o, cap - o, "\\x%02X", p[i]);
        }
    }
    dst[o] = '\0';
}

static const char *const field_names[6] = {"TEXT begin", "TEXT end", "DATA begin",
                                           "DATA end", "ANALYSIS begin", "ANALYSIS end"};

/* Parse one field; *value = 0 for blank/negative/placeholder, *usable says whether it holds a
 * real offset. */
static apo_status parse_field(const uint8_t *f, uint64_t abs, int idx, const char *name,
                              uint64_t *value, bool *placeholder, fcs_warning_list *w,
                              apo_error *err)
{
    size_t b = 0, e = 8;
    while (b < e && (f[b] == ' ' || f[b] == '\0' || f[b] == '\t')) {
        b++;
    }
    while (e > b && (f[e - 1] == ' ' || f[e - 1] == '\0' || f[e - 1] == '\t')) {
        e--;
    }
    *value = 0;
    *placeholder = false;
    if (b == e) {
        return APO_OK; /* blank = 0 */
    }
    char shown[48];
    show(shown, sizeof shown, f, 8);
    int64_t sv;
    if (f[b] == '-' && apo_parse_i64((const char *)f + b, e - b, &sv)) {
        fcs_warn(w, name, abs, NULL,
                 "HEADER %s (bytes %d-%d): expected an offset, found \"%s\"; negative means "
                 "absent, using 0",
                 field_names[idx], 10 + 8 * idx, 17 + 8 * idx, shown);
        return APO_OK;
    }
    uint64_t v;
    if (!apo_parse_u64((const char *)f + b, e - b, &v)) {
        return apo_error_set(err, APO_E_FORMAT, name, abs, NULL,
                             "HEADER %s (bytes %d-%d): expected a decimal offset, found \"%s\"",
                             field_names[idx], 10 + 8 * idx, 17 + 8 * idx, shown);
    }
    if (v == PLACEHOLDER) {
        *placeholder = true;
        return APO_OK;
    }
    *value = v;
    return APO_OK;
}

apo_status fcs_header_parse(const uint8_t *buf, uint64_t len, uint64_t base, const char *name,
                            fcs_header *h, fcs_warning_list *warnings, apo_error *err)
{
    memset(h, 0, sizeof *h);
    if (base > len || len - base < HEADER_LEN) {
        uint64_t have = base > len ? 0 : len - base;
        if (base == 0) {
            return apo_error_set(err, APO_E_FORMAT, name, base, NULL,
                                 "not an FCS file: expected a HEADER of at least 58 bytes, "
                                 "found only %llu bytes",
                                 (unsigned long long)have);
        }
        return apo_error_set(err, APO_E_FORMAT, name, base, NULL,
                             "expected a 58-byte HEADER of the next data set, found only %llu "
                             "bytes before the end of the file",
                             (unsigned long long)have);
    }
    const uint8_t *p = buf + base;
    char shown[64];
    if (memcmp(p, "FCS", 3) != 0) {
        show(shown, sizeof shown, p, 6);
        return apo_error_set(err, APO_E_FORMAT, name, base, NULL,
                             "not an FCS file: expected \"FCS\" followed by a version, found "
                             "\"%s\"",
                             shown);
    }
    static const char *const versions[] = {"FCS2.0", "FCS3.0", "FCS3.1", "FCS3.2"};
    bool known = false;
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        if (memcmp(p, versions[i], 6) == 0) {
            known = true;
        }
    }
    show(shown, sizeof shown, p, 6);
    if (!known) {
        return apo_error_set(err, APO_E_UNSUPPORTED, name, base, NULL,
                             "unsupported FCS version: expected FCS2.0, FCS3.0, FCS3.1 or "
                             "FCS3.2, found \"%s\"",
                             shown);
    }
    memcpy(h->version, p, 6);
    h->version[6] = '\0';
    if (memcmp(p + 6, "    ", 4) != 0) {
        show(shown, sizeof shown, p + 6, 4);
        fcs_warn(warnings, name, base + 6, NULL,
                 "HEADER bytes 6-9: expected four spaces, found \"%s\"; ignored", shown);
    }
    uint64_t v[6];
    bool ph[6];
    for (int i = 0; i < 6; i++) {
        apo_status st = parse_field(p + 10 + 8 * i, base + 10 + 8 * (uint64_t)i, i, name, &v[i],
                                    &ph[i], warnings, err);
        if (st != APO_OK) {
            return st;
        }
    }
    h->text_begin = v[0];
    h->text_end = v[1];
    h->data_begin = v[2];
    h->data_end = v[3];
    h->analysis_begin = v[4];
    h->analysis_end = v[5];
    h->data_valid = !ph[2] && !ph[3] && v[3] != 0 && v[2] != 0;
    h->analysis_valid = !ph[4] && !ph[5] && v[4] != 0 && v[5] != 0 && v[5] >= v[4];
    if (ph[0] || ph[1]) {
        return apo_error_set(err, APO_E_FORMAT, name, base + 10, NULL,
                             "HEADER TEXT offsets: expected the TEXT location, found the "
                             "99999999 placeholder");
    }
    return APO_OK;
}
