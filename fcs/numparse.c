/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * numparse.c: locale-independent, length-bounded number parsing for untrusted text
 * (FCS keyword values, CSV cells), and shortest round-trip formatting of doubles.
 * strtod/atoi/sscanf are not used on untrusted text: they depend on the locale or
 * accept junk.
 */
#include "fcs/fcs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static void trim(const char **s, size_t *len)
{
    while (*len > 0 && is_space((*s)[0])) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && is_space((*s)[*len - 1])) {
        (*len)--;
    }
}

bool apo_parse_u64(const char *s, size_t len, uint64_t *out)
{
    trim(&s, &len);
    if (len == 0) {
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        if (!apo_mul_u64(v, 10, &v) || !apo_add_u64(v, (uint64_t)(s[i] - '0'), &v)) {
            return false;
        }
    }
    *out = v;
    return true;
}

bool apo_parse_i64(const char *s, size_t len, int64_t *out)
{
    trim(&s, &len);
    bool neg = false;
    if (len > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s++;
        len--;
    }
    uint64_t mag = 0;
    if (len == 0 || is_space(s[0]) || !apo_parse_u64(s, len, &mag)) {
        return false;
    }
    if (neg) {
        if (mag > (uint64_t)INT64_MAX + 1u) {
            return false;
        }
        *out = (mag == (uint64_t)INT64_MAX + 1u) ? INT64_MIN : -(int64_t)mag;
    } else {
        if (mag > (uint64_t)INT64_MAX) {
            return false;
        }
        *out = (int64_t)mag;
    }
    return true;
}

static bool ascii_ieq(const char *a, size_t len, const char *b)
{
    size_t n = strlen(b);
    if (n != len) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        if (c != b[i]) {
            return false;
        }
    }
    return true;
}

/*
 * Validate the syntax [sign] digits [. digits] [e [sign] digits] ourselves, then hand a
 * NUL-terminated copy to strtod. The syntax check guarantees strtod sees only characters
 * that mean the same in every locale except the decimal point; we therefore replace '.'
 * by the locale's decimal point is NOT needed because cli/ never calls setlocale (C locale).
 */
bool apo_parse_double(const char *s, size_t len, bool allow_nonfinite, double *out)
{
    trim(&s, &len);
    if (len == 0 || len > 400) {
        return false;
    }
    size_t i = 0;
    bool neg = false;
    if (s[i] == '+' || s[i] == '-') {
        neg = s[i] == '-';
        i++;
    }
    if (allow_nonfinite) {
        const char *r = s + i;
        size_t rl = len - i;
        if (ascii_ieq(r, rl, "inf") || ascii_ieq(r, rl, "infinity")) {
            *out = neg ? -INFINITY : INFINITY;
            return true;
        }
        if (ascii_ieq(r, rl, "nan")) {
            *out = NAN;
            return true;
        }
    }
    size_t digits = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        i++;
        digits++;
    }
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            i++;
            digits++;
        }
    }
    if (digits == 0) {
        return false;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) {
            i++;
        }
        size_t exp_digits = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            i++;
            exp_digits++;
        }
        if (exp_digits == 0) {
            return false;
        }
    }
    if (i != len) {
        return false;
    }
    char buf[402];
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end = NULL;
    double v = strtod(buf, &end);
    if (end != buf + len) {
        return false;
    }
    if (!allow_nonfinite && !isfinite(v)) {
        return false; /* overflowed to inf */
    }
    *out = v;
    return true;
}

size_t apo_format_double(char *buf, size_t cap, double v)
{
    if (cap == 0) {
        return 0;
    }
    if (isnan(v)) {
        return (size_t)snprintf(buf, cap, "NaN");
    }
    if (isinf(v)) {
        return (size_t)snprintf(buf, cap, v < 0 ? "-Inf" : "Inf");
    }
    if (v == 0.0) {
        return (size_t)snprintf(buf, cap, signbit(v) ? "-0" : "0");
    }
    /* Whole numbers below 2^53 print as integers ("220", not "2.2e+02"). */
    if (fabs(v) < 9007199254740992.0 && v == floor(v)) {
        return (size_t)snprintf(buf, cap, "%.0f", v);
    }
    /* Otherwise the shortest %.*g that reads back exactly; 17 digits always does. */
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
        if (strtod(tmp, NULL) == v) {
            break;
        }
    }
    return (size_t)snprintf(buf, cap, "%s", tmp);
}
