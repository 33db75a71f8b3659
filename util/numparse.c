/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * numparse.c: locale-independent, length-bounded number parsing for untrusted text
 * (FCS keyword values, CSV cells), and shortest round-trip formatting of doubles.
 * strtod/atoi/sscanf are not used on untrusted text: they depend on the locale or
 * accept junk.
 */
#include "util/util.h"

#include <float.h>
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

/*
 * Fast path of apo_format_double for a normal, non-integer @p v whose exact binary value
 * M * 2^-k is a decimal of at most 15 significant digits (most float32 data: 225389.296875):
 * then %.15g is exact, so it reads back and is the shortest form; write its text directly.
 * Returns the length written to @p out (room for 32 bytes), or 0 when @p v does not qualify.
 */
static size_t format_exact_decimal(char *out, double v)
{
    int e2 = 0;
    double f = frexp(fabs(v), &e2); /* |v| = f * 2^e2, f in [0.5, 1) */
    uint64_t m = (uint64_t)ldexp(f, 53);
    int k = 53 - e2; /* |v| = m * 2^-k */
    while (k > 0 && (m & 1u) == 0) {
        m >>= 1;
        k--;
    }
    if (k <= 0 || k > 27) {
        return 0;
    }
    /* m * 2^-k = (m * 5^k) * 10^-k */
    uint64_t n = m;
    for (int i = 0; i < k; i++) {
        if (!apo_mul_u64(n, 5, &n)) {
            return 0;
        }
    }
    char digits[24];
    int s = 0;
    for (uint64_t t = n; t > 0; t /= 10) {
        digits[s++] = (char)('0' + (int)(t % 10));
    }
    if (s > 15) {
        return 0;
    }
    for (int i = 0; i < s / 2; i++) { /* most significant first */
        char c = digits[i];
        digits[i] = digits[s - 1 - i];
        digits[s - 1 - i] = c;
    }
    /* n is odd (m odd, 5^k odd): no trailing zeros, and k >= 1 so v is not whole. */
    int x = s - 1 - k; /* decimal exponent of the first digit; < 15 here */
    char *w = out;
    if (v < 0) {
        *w++ = '-';
    }
    if (x < -4) { /* %g exponent form: d.ddde-XX */
        *w++ = digits[0];
        if (s > 1) {
            *w++ = '.';
            memcpy(w, digits + 1, (size_t)(s - 1));
            w += s - 1;
        }
        int ex = -x;
        *w++ = 'e';
        *w++ = '-';
        if (ex >= 100) {
            *w++ = (char)('0' + ex / 100);
        }
        *w++ = (char)('0' + ex / 10 % 10);
        *w++ = (char)('0' + ex % 10);
    } else if (x >= 0) { /* ddd.ddd */
        memcpy(w, digits, (size_t)x + 1);
        w += x + 1;
        *w++ = '.';
        memcpy(w, digits + x + 1, (size_t)(s - x - 1));
        w += s - x - 1;
    } else { /* 0.000ddd */
        *w++ = '0';
        *w++ = '.';
        for (int i = 0; i < -x - 1; i++) {
            *w++ = '0';
        }
        memcpy(w, digits, (size_t)s);
        w += s;
    }
    *w = '\0';
    return (size_t)(w - out);
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
    /*
     * Otherwise the shortest %.*g that reads back exactly. A decimal of at most 15
     * significant digits survives decimal -> double -> %.15g (DBL_DIG), so if any precision
     * up to 15 reads back, %.15g yields that same decimal and text: %g strips trailing
     * zeros, and its fixed/exponent choice differs between precision p and 15 only for a
     * whole number below 1e15, which took the integer path above. One try replaces
     * fifteen; then 16, then 17,
     * which always reads back. Subnormals carry fewer than 15 digits of precision, so for
     * them %.15g may read back without being shortest: they take the precision loop.
     */
    char tmp[40];
    int len = 0;
    size_t exact = fabs(v) >= DBL_MIN ? format_exact_decimal(tmp, v) : 0;
    if (exact > 0) {
        len = (int)exact;
    } else if (fabs(v) < DBL_MIN) {
        for (int prec = 1; prec <= 17; prec++) {
            len = snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
            if (strtod(tmp, NULL) == v) {
                break;
            }
        }
    } else {
        len = snprintf(tmp, sizeof(tmp), "%.15g", v);
        if (strtod(tmp, NULL) != v) {
            len = snprintf(tmp, sizeof(tmp), "%.16g", v);
            if (strtod(tmp, NULL) != v) {
                len = snprintf(tmp, sizeof(tmp), "%.17g", v);
            }
        }
    }
    size_t n = (size_t)len;
    size_t copy = n < cap ? n : cap - 1;
    memcpy(buf, tmp, copy);
    buf[copy] = '\0';
    return n;
}
