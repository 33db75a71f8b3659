/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * format_reference.h: the original, slow apo_format_double (the shortest %.Ng, N = 1..17, that
 * strtod reads back; integers below 2^53 as integers), kept as the oracle for the test of the
 * fast one (tests/fcs/test_format_speedpath.c) and for the number_format fuzz target. Header
 * only, so that the fuzz targets, which do not link the test support library, can use it.
 */
#ifndef APOFLOW_TESTS_SUPPORT_FORMAT_REFERENCE_H
#define APOFLOW_TESTS_SUPPORT_FORMAT_REFERENCE_H

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

static inline size_t format_reference(char *buf, size_t cap, double v)
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
    if (fabs(v) < 9007199254740992.0 && v == floor(v)) {
        return (size_t)snprintf(buf, cap, "%.0f", v);
    }
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
        if (strtod(tmp, NULL) == v) {
            break;
        }
    }
    return (size_t)snprintf(buf, cap, "%s", tmp);
}

#endif /* APOFLOW_TESTS_SUPPORT_FORMAT_REFERENCE_H */
