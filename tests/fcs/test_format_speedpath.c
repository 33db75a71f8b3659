/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_format_speedpath.c: apo_format_double (which tries %.15g, %.16g, %.17g) must print
 * byte for byte what the straightforward shortest-round-trip search (every precision 1..17
 * with snprintf + strtod) prints: checked on 200k deterministic pseudo-random doubles of
 * every magnitude, float32-derived values, short decimals and edge cases.
 */
#include "fcs/fcs.h"
#include "support/format_reference.h"

#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t next_rand(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static size_t n_mismatch;

static void check_one(double v)
{
    char a[64], b[64];
    memset(a, 'x', sizeof(a));
    memset(b, 'x', sizeof(b));
    size_t la = apo_format_double(a, sizeof(a), v);
    size_t lb = format_reference(b, sizeof(b), v);
    if (la != lb || strcmp(a, b) != 0) {
        if (n_mismatch++ < 5) {
            cr_log_error("%.17g (bits %a): got \"%s\" (%zu), expected \"%s\" (%zu)", v, v, a,
                         la, b, lb);
        }
    }
}

Test(fcs_format_speedpath, edge_cases)
{
    n_mismatch = 0;
    const double edges[] = {0.0,
                            -0.0,
                            0.1,
                            -0.1,
                            0.2,
                            0.3,
                            1.0 / 3.0,
                            2.0 / 3.0,
                            1e-300,
                            -1e-300,
                            1e300,
                            DBL_MAX,
                            -DBL_MAX,
                            DBL_MIN,
                            DBL_MIN * (1 + DBL_EPSILON),
                            DBL_MIN / 2,
                            DBL_TRUE_MIN,
                            -DBL_TRUE_MIN,
                            3 * DBL_TRUE_MIN,
                            1e-310,
                            2.2250738585072e-308,
                            4.9406564584124654e-324,
                            9007199254740992.0,
                            9007199254740991.0,
                            9007199254740993.0,
                            -9007199254740992.0,
                            18014398509481984.0,
                            1e15 + 0.5,
                            1e15,
                            999999999999999.9,
                            123456789012345.6,
                            1e16,
                            1e17,
                            1.5e20,
                            1e21,
                            1e22,
                            1e23,
                            5e-324,
                            0.0001,
                            0.00001,
                            0.000123456,
                            1e-5,
                            9.5,
                            0.5,
                            2.5e-7,
                            225389.296875,
                            7.62939453125e-06,
                            -2.288818359375e-05,
                            0.0001220703125,
                            6.103515625e-05,
                            1.52587890625e-05,
                            0.1211395263671875,
                            (double)FLT_MAX,
                            (double)FLT_MIN,
                            (double)FLT_TRUE_MIN,
                            (double)0.1f,
                            (double)(1.0f / 3.0f),
                            NAN,
                            -NAN,
                            INFINITY,
                            -INFINITY,
                            3.141592653589793,
                            2.718281828459045};
    for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
        check_one(edges[i]);
        check_one(nextafter(edges[i], INFINITY));
        check_one(nextafter(edges[i], -INFINITY));
    }
    cr_assert_eq(n_mismatch, 0, "%zu edge cases differ from the reference", n_mismatch);

    char buf[64];
    cr_assert_eq(apo_format_double(buf, sizeof(buf), 0.1), 3);
    cr_assert_str_eq(buf, "0.1");
    apo_format_double(buf, sizeof(buf), 1.0 / 3.0);
    cr_assert_str_eq(buf, "0.3333333333333333");
    apo_format_double(buf, sizeof(buf), DBL_TRUE_MIN);
    cr_assert_str_eq(buf, "5e-324");
    apo_format_double(buf, sizeof(buf), 1e-300);
    cr_assert_str_eq(buf, "1e-300");
    apo_format_double(buf, sizeof(buf), 9007199254740992.0);
    cr_assert_str_eq(buf, "9007199254740992");
    apo_format_double(buf, sizeof(buf), -0.0);
    cr_assert_str_eq(buf, "-0");
    apo_format_double(buf, sizeof(buf), 225389.296875);
    cr_assert_str_eq(buf, "225389.296875");
}

Test(fcs_format_speedpath, small_capacity_truncates_like_reference)
{
    const double vals[] = {1.0 / 3.0, 0.1, 1e-300, 225389.296875, DBL_MAX, 12345.0, NAN};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        for (size_t cap = 1; cap < 30; cap++) {
            char a[32], b[32];
            memset(a, 'x', sizeof(a));
            memset(b, 'x', sizeof(b));
            size_t la = apo_format_double(a, cap, vals[i]);
            size_t lb = format_reference(b, cap, vals[i]);
            cr_assert_eq(la, lb, "value %zu cap %zu: length %zu, expected %zu", i, cap, la, lb);
            cr_assert_eq(memcmp(a, b, sizeof(a)), 0, "value %zu cap %zu: bytes differ", i, cap);
        }
    }
    char c[1] = {'x'};
    cr_assert_eq(apo_format_double(c, 0, 0.1), 0);
    cr_assert_eq(c[0], 'x');
}

Test(fcs_format_speedpath, random_doubles_match_reference)
{
    n_mismatch = 0;
    uint64_t s = 20261125;
    const size_t n = 200000;
    for (size_t i = 0; i < n; i++) {
        uint64_t r = next_rand(&s);
        double v = 0;
        switch (i % 9) {
        case 0: { /* any bit pattern (NaN/Inf included) */
            memcpy(&v, &r, sizeof(v));
            break;
        }
        case 1: /* uniform mantissa, any binary exponent (subnormals included) */
            v = ldexp((double)(r >> 11) / 9007199254740992.0 + 0.0, (int)(r % 2100) - 1075);
            break;
        case 2: /* float32 values of many magnitudes */
            v = (double)(float)ldexp(1.0 + (double)(r >> 40) / 16777216.0, (int)(r % 280) - 140);
            break;
        case 3: /* float32 cytometry-like values */
            v = (double)(float)((double)(r >> 11) / 9007199254740992.0 * 262144.0);
            break;
        case 4: { /* short decimals: k digits / 10^j */
            int digits = 1 + (int)(r % 16);
            uint64_t m = (r >> 8) % 10000000000000000ull;
            for (int d = 16; d > digits; d--) {
                m /= 10;
            }
            int scale = (int)((r >> 56) % 40) - 20;
            v = (double)m * pow(10.0, scale);
            break;
        }
        case 5: /* values around 1 with many digits */
            v = 1.0 + (double)(r >> 11) / 9007199254740992.0;
            break;
        case 8: /* short binary fractions: exact decimals of up to ~15 digits, tiny to large */
            v = ldexp((double)((r >> 40) | 1u), (int)((r >> 8) % 60) - 55);
            break;
        case 6: /* around 2^53 */
            v = 9007199254740992.0 + (double)((int64_t)(r % 2001) - 1000) * 0.5;
            break;
        default: /* uniform in a wide decimal range, negative half the time */
            v = (double)(r >> 11) / 9007199254740992.0 * pow(10.0, (double)((r % 60)) - 30.0);
            if (r & 1) {
                v = -v;
            }
            break;
        }
        check_one(v);
    }
    cr_assert_eq(n_mismatch, 0, "%zu of %zu random doubles differ from the reference",
                 n_mismatch, n);
}
