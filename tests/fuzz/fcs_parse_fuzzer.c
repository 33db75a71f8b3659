/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fcs_parse_fuzzer.c: fuzz target for the FCS reader: parse a buffer (all three TEXT modes,
 * offsets policy, allow_truncated and text_only varied by input bytes), then decode every event
 * of every data set (raw and scaled, in bounded blocks; the whole matrix for small ones), read
 * every keyword, parameter, spillover entry and warning, and free. Any crash, hang, leak or
 * sanitizer report is a bug; rejections with an error are the expected outcome.
 */
#include "fcs/fcs.h"

#include <stdlib.h>
#include <string.h>

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

/* Read every string the reader hands out, so ASan sees any that is unterminated or freed. */
static size_t touch_metadata(const fcs_dataset *ds)
{
    size_t sum = strlen(fcs_dataset_version(ds)) + strlen(fcs_dataset_byteord(ds));
    for (size_t k = 0; k < fcs_dataset_n_keywords(ds); k++) {
        const fcs_keyword *kw = fcs_dataset_keyword_at(ds, k);
        sum += strlen(kw->name) + kw->value_len;
        if (kw->value_len > 0) {
            sum += (unsigned char)kw->value[kw->value_len - 1];
        }
        (void)fcs_dataset_keyword(ds, kw->name);
    }
    for (size_t p = 0; p < fcs_dataset_n_params(ds); p++) {
        const fcs_param *par = fcs_dataset_param(ds, p);
        sum += strlen(par->name) + strlen(par->label);
        (void)fcs_dataset_find_param(ds, par->name);
    }
    const fcs_spillover *sp = fcs_dataset_spillover(ds);
    if (sp != NULL) {
        for (size_t i = 0; i < sp->n; i++) {
            sum += strlen(sp->names[i]) + sp->param_index[i];
            sum += sp->values[i * sp->n + (sp->n - 1)] > 0.0;
        }
    }
    for (size_t w = 0; w < fcs_dataset_n_warnings(ds); w++) {
        sum += strlen(fcs_dataset_warning(ds, w)->msg);
    }
    return sum;
}

/* The whole-matrix path (what the CLI uses) for small data sets. */
static void read_all(const fcs_dataset *ds)
{
    uint64_t cells = 0;
    if (!fcs_dataset_has_data(ds) ||
        !apo_mul_u64(fcs_dataset_n_events(ds), fcs_dataset_n_params(ds), &cells) ||
        cells > (1u << 16)) {
        return;
    }
    fcs_decode_options opt = FCS_DECODE_OPTIONS_INIT;
    opt.values = FCS_VALUES_SCALED;
    opt.apply_gain = true;
    fcs_events ev = {0};
    if (fcs_dataset_read_events(ds, &opt, &ev, NULL) == APO_OK && ev.n_events > 0) {
        (void)fcs_events_column(&ev, ev.n_params - 1)[ev.n_events - 1];
    }
    fcs_events_free(&ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const fcs_text_mode modes[] = {FCS_TEXT_AUTO, FCS_TEXT_EMPTY, FCS_TEXT_ESCAPE};
    for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
        fcs_read_options opts = FCS_READ_OPTIONS_INIT;
        opts.text_mode = modes[m];
        /* The other options from bytes of the input, so the format of the seeds is unchanged:
         * AUTO reads with the defaults; the other modes vary offsets policy and truncation. */
        if (m > 0 && size > 0) {
            opts.offsets = (fcs_offsets_policy)(data[size / 2] % 3);
            opts.allow_truncated = (data[size - 1] & 1) != 0;
            opts.text_only = m == 2 && (data[size - 1] & 6) == 6;
        }
        fcs_file *f = NULL;
        apo_error err;
        if (fcs_file_open_buffer(&f, data, size, "fuzz.fcs", &opts, &err) != APO_OK) {
            continue;
        }
        for (size_t d = 0; d < fcs_file_n_datasets(f); d++) {
            const fcs_dataset *ds = fcs_file_dataset(f, d);
            touch_metadata(ds);
            decode_all(ds, FCS_VALUES_RAW);
            decode_all(ds, FCS_VALUES_SCALED);
            read_all(ds);
        }
        for (size_t w = 0; w < fcs_file_n_warnings(f); w++) {
            (void)strlen(fcs_file_warning(f, w)->msg);
        }
        fcs_file_free(f);
    }
    return 0;
}
