/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fcs_parse_fuzzer.c: fuzz target for the FCS reader: parse a buffer, then decode every event
 * of every data set (raw and scaled, in bounded blocks), and free. Any crash, hang, leak or
 * sanitizer report is a bug; rejections with an error are the expected outcome.
 */
#include "fcs/fcs.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode_all(const fcs_dataset *ds, fcs_values values)
{
    size_t n_params = fcs_dataset_n_params(ds);
    uint64_t n_events = fcs_dataset_n_events(ds);
    if (!fcs_dataset_has_data(ds) || n_params == 0 || n_events == 0) {
        return;
    }
    const size_t block = 256;
    double *buf = malloc(block * n_params * sizeof(double));
    if (buf == NULL) {
        return;
    }
    fcs_decode_options opt = FCS_DECODE_OPTIONS_INIT;
    opt.values = values;
    for (uint64_t first = 0; first < n_events; first += block) {
        uint64_t left = n_events - first;
        size_t count = left < block ? (size_t)left : block;
        if (fcs_dataset_decode_f64(ds, first, count, &opt, buf, block, NULL) != APO_OK) {
            break;
        }
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const fcs_text_mode modes[] = {FCS_TEXT_AUTO, FCS_TEXT_EMPTY};
    for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
        fcs_read_options opts = FCS_READ_OPTIONS_INIT;
        opts.text_mode = modes[m];
        fcs_file *f = NULL;
        apo_error err;
        if (fcs_file_open_buffer(&f, data, size, "fuzz.fcs", &opts, &err) != APO_OK) {
            continue;
        }
        for (size_t d = 0; d < fcs_file_n_datasets(f); d++) {
            const fcs_dataset *ds = fcs_file_dataset(f, d);
            for (size_t k = 0; k < fcs_dataset_n_keywords(ds); k++) {
                (void)fcs_dataset_keyword_at(ds, k);
            }
            decode_all(ds, FCS_VALUES_RAW);
            decode_all(ds, FCS_VALUES_SCALED);
        }
        fcs_file_free(f);
    }
    return 0;
}
