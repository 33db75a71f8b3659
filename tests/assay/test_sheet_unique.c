/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_sheet_unique.c: duplicate sample names in a sample sheet are refused, naming the first
 * repeat in file order and the line of its first use; a large unique sheet is accepted
 * (the check sorts, so an untrusted sheet cannot make it quadratic: bug B4 of docs/hardening.md).
 */
#include "assay/assay.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Test(assay_sheet_unique, first_repeat_in_file_order_is_named)
{
    const char *text = "file,sample,role\n"
                       "a.fcs,a,untreated\n"
                       "b.fcs,b,untreated\n"
                       "c.fcs,c,untreated\n"
                       "d.fcs,b,untreated\n"
                       "e.fcs,a,untreated\n";
    assay_sheet sh;
    apo_error err;
    cr_assert_eq(assay_sheet_parse(&sh, text, strlen(text), "sheet.csv", &err), APO_E_FORMAT);
    cr_assert(strstr(err.msg, "sheet.csv") != NULL, "%s", err.msg);
    cr_assert(strstr(err.msg, "line 5: expected unique sample names, found \"b\" again "
                              "(first on line 3)") != NULL,
              "%s", err.msg);
}

Test(assay_sheet_unique, many_unique_rows_are_accepted)
{
    const size_t n = 50000;
    size_t cap = 64 + n * 48, len = 0;
    char *text = malloc(cap);
    len += (size_t)snprintf(text + len, cap - len, "file,sample,role\n");
    for (size_t i = 0; i < n; i++) {
        len += (size_t)snprintf(text + len, cap - len, "f%zu.fcs,s%zu,untreated\n", i, i);
    }
    assay_sheet sh;
    apo_error err;
    cr_assert_eq(assay_sheet_parse(&sh, text, len, "big.csv", &err), APO_OK, "%s", err.msg);
    cr_assert_eq(sh.n_rows, n);
    assay_sheet_free(&sh);
    free(text);
}
