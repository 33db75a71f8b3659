/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sheet_fuzzer.c: fuzz target for the sample sheet reader (assay_sheet_parse, RFC 4180 CSV):
 * parse a buffer, read every field of every row, look a few paths up, and free. Errors are
 * expected; crashes, hangs, leaks and sanitizer reports are bugs (docs/hardening.md).
 */
#include "fcs/fcs.h"
#include "assay/assay.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    assay_sheet sheet = {0};
    apo_error err;
    if (assay_sheet_parse(&sheet, (const char *)data, size, "fuzz.csv", &err) != APO_OK) {
        (void)strlen(err.msg);
        assay_sheet_free(&sheet);
        return 0;
    }
    size_t sum = strlen(sheet.dir);
    for (size_t i = 0; i < sheet.n_extra; i++) {
        sum += strlen(sheet.extra_names[i]);
    }
    for (size_t r = 0; r < sheet.n_rows; r++) {
        const assay_sheet_row *row = &sheet.rows[r];
        sum += strlen(row->file) + strlen(row->sample) + strlen(row->treatment) +
               strlen(row->dose_text) + strlen(row->dose_unit) + row->replicate + row->line;
        sum += strlen(assay_role_name(row->role));
        for (size_t i = 0; i < sheet.n_extra; i++) {
            sum += strlen(row->extra[i]);
        }
        sum += assay_sheet_find(&sheet, row->file) != NULL;
    }
    sum += assay_sheet_find(&sheet, "./x.fcs") != NULL;
    sum += assay_sheet_find(&sheet, "") != NULL;
    (void)sum;
    assay_sheet_free(&sheet);
    return 0;
}
