/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_support.c: checks of the test helpers themselves (fcs_builder byte layout and
 * json_mini parsing), so that parser tests built on them can be trusted.
 */
#include "support/fcs_builder.h"
#include "support/json_mini.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Test(fcs_support, builder_layout_is_consistent)
{
    fcs_builder *b = fcs_builder_new("FCS3.1");
    fcs_builder_param(b, "A", 16, 1024);
    fcs_builder_param(b, "B", 16, 1024);
    fcs_builder_set_byteord(b, "4,3,2,1");
    const double v[] = {1, 2, 0x0102, 0xFFFF};
    fcs_builder_set_events(b, 2, v);
    size_t len;
    uint8_t *buf = fcs_builder_build(b, &len);
    cr_assert_eq(memcmp(buf, "FCS3.1    ", 10), 0);
    cr_assert_eq(memcmp(buf + 10, "      58", 8), 0);
    /* DATA is the last 8 bytes, big-endian 16-bit */
    const uint8_t want[] = {0, 1, 0, 2, 1, 2, 0xFF, 0xFF};
    cr_assert_eq(memcmp(buf + len - 8, want, 8), 0);
    char field[9] = {0};
    memcpy(field, buf + 26, 8);
    cr_assert_eq(strtoul(field, NULL, 10), len - 8);
    memcpy(field, buf + 34, 8);
    cr_assert_eq(strtoul(field, NULL, 10), len - 1);
    size_t at = fcs_bytes_find(buf, len, "/$TOT/2/");
    cr_assert_neq(at, SIZE_MAX);
    char expect[64];
    snprintf(expect, sizeof expect, "/$BEGINDATA/%zu/$ENDDATA/%zu/", len - 8, len - 1);
    cr_assert_neq(fcs_bytes_find(buf, len, expect), SIZE_MAX);
    free(buf);
    fcs_builder_free(b);
}

Test(fcs_support, builder_permuted_byteord_and_escapes)
{
    fcs_builder *b = fcs_builder_new("FCS3.0");
    fcs_builder_param(b, "X", 32, NAN);
    fcs_builder_set_byteord(b, "3,4,1,2");
    const double v[] = {0x04030201};
    fcs_builder_set_events(b, 1, v);
    fcs_builder_keyword(b, "$SYS", "RSX-11/M");
    size_t len;
    uint8_t *buf = fcs_builder_build(b, &len);
    const uint8_t want[] = {0x03, 0x04, 0x01, 0x02};
    cr_assert_eq(memcmp(buf + len - 4, want, 4), 0);
    cr_assert_neq(fcs_bytes_find(buf, len, "/$SYS/RSX-11//M/"), SIZE_MAX);
    cr_assert_eq(fcs_bytes_find(buf, len, "$P1R"), SIZE_MAX);
    free(buf);
    fcs_builder_free(b);
}

Test(fcs_support, json_mini_parses_values)
{
    const char *t = "{\"a\": [1, -2.5e3, true, null, \"x\\u00e9\\n\"], \"b\": {\"c\": false}}";
    json_value *v = json_parse(t, strlen(t), NULL);
    cr_assert_not_null(v);
    const json_value *a = json_get(v, "a");
    cr_assert_eq(json_size(a), 5);
    cr_assert_float_eq(json_number(json_index(a, 1), 0), -2500.0, 1e-12);
    cr_assert_eq(json_bool(json_index(a, 2), false), true);
    cr_assert(json_is_null(json_index(a, 3)));
    cr_assert_str_eq(json_string(json_index(a, 4)), "x\xc3\xa9\n");
    cr_assert_eq(json_bool(json_get(json_get(v, "b"), "c"), true), false);
    cr_assert_null(json_get(v, "zz"));
    json_free(v);
    size_t off = 0;
    cr_assert_null(json_parse("[1,", 3, &off));
    cr_assert_eq(off, 3);
}
