/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * number_format_fuzzer.c: fuzz target for the number text of every output (CSV, TSV, JSON,
 * Gating-ML, matrices) and the untrusted-number parsers. Each 8 bytes of the input are a
 * double: apo_format_double must give exactly the text of the reference algorithm (the
 * shortest %.Ng, N = 1..17, that reads back; integers below 2^53 as integers) and
 * apo_parse_double must read that text back to the same bits. The whole input is also given
 * to apo_parse_double/u64/i64 as text; a number it accepts must survive format + parse.
 * A mismatch aborts (a finding). Seeds: corpus/number_format/.
 */
#include "fcs/fcs.h"
#include "tests/support/format_reference.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(double v)
{
    char got[64], want[64];
    size_t len = apo_format_double(got, sizeof got, v);
    format_reference(want, sizeof want, v);
    if (len != strlen(got) || strcmp(got, want) != 0) {
        fprintf(stderr, "apo_format_double(%a) = \"%s\", expected \"%s\"\n", v, got, want);
        abort();
    }
    if (isfinite(v)) {
        double back = 0;
        if (!apo_parse_double(got, len, false, &back) || memcmp(&back, &v, sizeof v) != 0) {
            fprintf(stderr, "apo_parse_double(\"%s\") did not give back %a\n", got, v);
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (size_t k = 0; k + 8 <= size; k += 8) {
        double v;
        memcpy(&v, data + k, sizeof v);
        check(v);
        float f;
        memcpy(&f, data + k, sizeof f);
        check((double)f); /* float32 data, as most instruments store it */
    }
    double d;
    if (apo_parse_double((const char *)data, size, true, &d)) {
        check(d);
    }
    uint64_t u;
    if (apo_parse_u64((const char *)data, size, &u)) {
        check((double)u);
    }
    int64_t i;
    if (apo_parse_i64((const char *)data, size, &i)) {
        check((double)i);
    }
    return 0;
}
