/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * export.c: every event of a data set read block by block, giving back each block's mapped
 * input pages so memory stays bounded for any file size (export.h): written out as CSV/TSV
 * (header row of $PnN, numbers in shortest round-trip form, C locale) or as an FCS 3.1 file
 * that analyses like its source, or summarised per channel (an integrity check).
 */
#include "fcs/export.h"

#include "util/csv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

apo_status fcs_export_text(FILE *out, const char *out_name, const fcs_dataset *ds,
                           const fcs_decode_options *decode, char sep, apo_error *err)
{
    size_t n_params = fcs_dataset_n_params(ds);
    uint64_t n_events = fcs_dataset_n_events(ds);
    for (size_t p = 0; p < n_params; p++) {
        const char *name = fcs_dataset_param(ds, p)->name;
        if (p) {
            fputc(sep, out);
        }
        /* Quote names holding a separator, a quote or a newline (RFC 4180). */
        apo_csv_write_field_if(out, name, ",\t\"\n\r");
    }
    fputc('\n', out);
    if (n_params == 0 || n_events == 0) {
        return APO_OK;
    }
    const size_t block = 1u << 14;
    double *buf = malloc(block * n_params * sizeof(double));
    /* Rows are formatted into one buffer written with fwrite when nearly full: a value takes
     * at most 24 bytes ("-2.2250738585072014e-308"), so OUT_SLACK always fits one more. */
    enum { OUT_BYTES = 1 << 18, OUT_SLACK = 64 };
    char *line = malloc(OUT_BYTES);
    if (buf == NULL || line == NULL) {
        free(buf);
        free(line);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    apo_status rc = APO_OK;
    size_t used = 0;
    bool write_ok = true;
    int write_errno = 0;
    for (uint64_t first = 0; first < n_events && rc == APO_OK && write_ok; first += block) {
        uint64_t left = n_events - first;
        size_t count = left < block ? (size_t)left : block;
        rc = fcs_dataset_decode_f64(ds, first, count, decode, buf, block, err);
        fcs_dataset_drop_pages(ds, first, count); /* bounded RSS: see fcs.h */
        for (size_t i = 0; rc == APO_OK && write_ok && i < count; i++) {
            for (size_t p = 0; p < n_params; p++) {
                if (OUT_BYTES - used < OUT_SLACK) {
                    write_ok = fwrite(line, 1, used, out) == used;
                    write_errno = errno;
                    used = 0;
                }
                if (p) {
                    line[used++] = sep;
                }
                size_t len = apo_format_double(line + used, OUT_SLACK - 1, buf[p * block + i]);
                used += len < OUT_SLACK - 1 ? len : OUT_SLACK - 2;
            }
            line[used++] = '\n';
        }
    }
    if (write_ok && used > 0) {
        write_ok = fwrite(line, 1, used, out) == used;
        write_errno = errno;
    }
    free(line);
    free(buf);
    if (rc == APO_OK && !write_ok) {
        rc = apo_error_set(err, APO_E_WRITE, out_name, APO_NO_OFFSET, NULL, "cannot write: %s",
                           strerror(write_errno));
    }
    return rc;
}

apo_status fcs_dataset_each_block(const fcs_dataset *ds, const fcs_decode_options *decode,
                                  double *buf, size_t block, fcs_block_fn use, void *ctx,
                                  apo_error *err)
{
    uint64_t n_events = fcs_dataset_n_events(ds);
    apo_status rc = APO_OK;
    for (uint64_t first = 0; first < n_events && rc == APO_OK; first += block) {
        uint64_t left = n_events - first;
        size_t count = left < block ? (size_t)left : block;
        rc = fcs_dataset_decode_f64(ds, first, count, decode, buf, block, err);
        fcs_dataset_drop_pages(ds, first, count);
        if (rc == APO_OK) {
            rc = use(ctx, buf, count, block, err);
        }
    }
    return rc;
}

/* First pass: the largest finite value of each column (NaN if none), for derived $PnR. */
typedef struct max_pass {
    size_t n_params;
    double *max;
} max_pass;

static apo_status update_max(void *ctx, const double *buf, size_t count, size_t ld,
                             apo_error *err)
{
    (void)err;
    const max_pass *m = ctx;
    for (size_t p = 0; p < m->n_params; p++) {
        const double *col = buf + p * ld;
        double mx = m->max[p];
        for (size_t i = 0; i < count; i++) {
            if (isfinite(col[i]) && (isnan(mx) || col[i] > mx)) {
                mx = col[i];
            }
        }
        m->max[p] = mx;
    }
    return APO_OK;
}

static apo_status append_block(void *ctx, const double *buf, size_t count, size_t ld,
                               apo_error *err)
{
    return fcs_writer_append(ctx, buf, count, ld, err);
}

/* Keywords carried over into an exported FCS file (docs/fcs-reader.md, "FCS export"). */
static const char *const carried_keywords[] = {"$CYT", "$CYTSN", "$DATE", "$BTIM", "$ETIM",
                                               "$FIL", "$SRC", "$VOL", "$TIMESTEP", "$INST",
                                               "$OP", "$COM", "$SPILLOVER", "SPILL"};

/* Does the data set have an integer column stored through a log amplifier ($PnE f1 > 0)? */
bool fcs_export_has_log_column(const fcs_dataset *ds)
{
    for (size_t p = 0; p < fcs_dataset_n_params(ds); p++) {
        const fcs_param *pr = fcs_dataset_param(ds, p);
        if (fcs_param_log_decoded(pr)) {
            return true;
        }
    }
    return false;
}

/*
 * The exported file must analyse exactly like its source (docs/fcs-reader.md, "FCS export").
 * Its data are float32, which cannot carry $PnE, so log-amplified integer columns are always
 * written linearized (scaled values; the caller says so). $PnG is kept on every column whose
 * values were not divided by it (no --apply-gain, and not a log-decoded column, which the reader
 * never divides), so gain-using commands divide the copy as they divide the source.
 */
static size_t gain_keywords(const fcs_dataset *ds, const fcs_decode_options *decode,
                            char (*names)[32], char (*values)[32], fcs_write_keyword *kws)
{
    size_t n = 0;
    for (size_t p = 0; p < fcs_dataset_n_params(ds); p++) {
        const fcs_param *pr = fcs_dataset_param(ds, p);
        bool log_decoded = fcs_param_log_decoded(pr);
        bool divided = decode->apply_gain && !pr->is_time;
        if (divided || log_decoded || !isfinite(pr->gain) || pr->gain <= 0 || pr->gain == 1.0) {
            continue;
        }
        snprintf(names[n], sizeof names[n], "$P%zuG", p + 1);
        apo_format_double(values[n], sizeof values[n], pr->gain);
        kws[n].name = names[n];
        kws[n].value = values[n];
        n++;
    }
    return n;
}

/*
 * float32 keeps every value exactly when the source is float32 or integers of at most 24 bits
 * and nothing was computed from them; otherwise (float64 sources, 32/64-bit integers, log
 * decoding, division by the gain or by $TIMESTEP) the copy is written as float64, so it
 * analyses exactly like its source.
 */
static bool needs_double(const fcs_dataset *ds, const fcs_decode_options *decode)
{
    bool scaled = decode->values == FCS_VALUES_SCALED;
    double ts = fcs_dataset_timestep(ds);
    for (size_t p = 0; p < fcs_dataset_n_params(ds); p++) {
        const fcs_param *pr = fcs_dataset_param(ds, p);
        bool is_int = pr->datatype == FCS_DATATYPE_INT;
        if (pr->datatype == FCS_DATATYPE_DOUBLE || pr->datatype == FCS_DATATYPE_ASCII ||
            (is_int && pr->stored_bits > 24)) {
            return true;
        }
        if (scaled && fcs_param_log_decoded(pr)) {
            return true;
        }
        if (scaled && decode->apply_gain && fcs_param_gain_divides(pr)) {
            return true;
        }
        if (scaled && pr->is_time && isfinite(ts) && ts > 0 && ts != 1.0) {
            return true;
        }
    }
    return false;
}

/* Streamed in blocks like the text formats: a data pass for the maxima of columns whose range
 * is derived (log-decoded ones), then a pass that writes. */
static apo_status write_fcs(const char *path, const fcs_dataset *ds,
                            const fcs_decode_options *decode, apo_error *err)
{
    size_t n_params = fcs_dataset_n_params(ds);
    const size_t block = 1u << 16;
    const size_t n_carried = sizeof(carried_keywords) / sizeof(carried_keywords[0]);
    fcs_write_param *params = calloc(n_params + 1, sizeof(*params));
    double *max = calloc(n_params + 1, sizeof(*max));
    double *buf = n_params > 0 ? malloc(block * n_params * sizeof(double)) : NULL;
    fcs_write_keyword *kws = calloc(n_carried + n_params, sizeof(*kws));
    char(*gain_names)[32] = calloc(n_params + 1, sizeof(*gain_names));
    char(*gain_values)[32] = calloc(n_params + 1, sizeof(*gain_values));
    if (params == NULL || max == NULL || (n_params > 0 && buf == NULL) || kws == NULL ||
        gain_names == NULL || gain_values == NULL) {
        free(params);
        free(max);
        free(buf);
        free(kws);
        free(gain_names);
        free(gain_values);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    bool any_derived = false;
    for (size_t p = 0; p < n_params; p++) {
        const fcs_param *pr = fcs_dataset_param(ds, p);
        bool linearized = decode->values == FCS_VALUES_SCALED && pr->log_decades > 0;
        params[p].name = pr->name;
        params[p].label = pr->label[0] ? pr->label : NULL;
        /* Log-decoded values no longer fit the channel range: let the writer derive it. */
        params[p].range = linearized ? -1.0 : pr->range;
        any_derived = any_derived || !(isfinite(params[p].range) && params[p].range > 0);
        max[p] = NAN;
    }
    size_t n_kw = 0;
    bool have_spillover = false;
    for (size_t k = 0; k < sizeof(carried_keywords) / sizeof(carried_keywords[0]); k++) {
        const char *v = fcs_dataset_keyword(ds, carried_keywords[k]);
        bool is_spill = strcmp(carried_keywords[k], "SPILL") == 0 ||
                        strcmp(carried_keywords[k], "$SPILLOVER") == 0;
        /* Scaled Time is already in seconds: $TIMESTEP would apply twice on reading. */
        bool time_scaled = decode->values == FCS_VALUES_SCALED &&
                           strcmp(carried_keywords[k], "$TIMESTEP") == 0;
        if (v == NULL || v[0] == '\0' || (is_spill && have_spillover) || time_scaled) {
            continue;
        }
        /* SPILL is written under its standard 3.1 name. */
        kws[n_kw].name = is_spill ? "$SPILLOVER" : carried_keywords[k];
        kws[n_kw].value = v;
        have_spillover = have_spillover || is_spill;
        n_kw++;
    }
    n_kw += gain_keywords(ds, decode, gain_names, gain_values, kws + n_kw);
    fcs_write_spec spec = {n_params, params, fcs_dataset_n_events(ds), NULL, n_kw, kws};
    apo_status rc = APO_OK;
    if (any_derived) {
        max_pass mp = {n_params, max};
        rc = fcs_dataset_each_block(ds, decode, buf, block, update_max, &mp, err);
    }
    fcs_writer *w = NULL;
    if (rc == APO_OK) {
        rc = fcs_writer_open_as(&w, path, &spec, max,
                                needs_double(ds, decode) ? FCS_DATATYPE_DOUBLE : FCS_DATATYPE_FLOAT,
                                err);
    }
    if (rc == APO_OK) {
        rc = fcs_dataset_each_block(ds, decode, buf, block, append_block, w, err);
        if (rc == APO_OK) {
            rc = fcs_writer_commit(w, err);
        } else {
            fcs_writer_abort(w);
        }
    }
    free(params);
    free(max);
    free(buf);
    free(kws);
    free(gain_names);
    free(gain_values);
    return rc;
}

apo_status fcs_export_fcs(const char *path, const fcs_dataset *ds,
                          const fcs_decode_options *decode, bool *linearized, apo_error *err)
{
    fcs_decode_options d = *decode;
    *linearized = d.values == FCS_VALUES_RAW && fcs_export_has_log_column(ds);
    if (*linearized) {
        d.values = FCS_VALUES_SCALED; /* float32 cannot carry $PnE */
    }
    return write_fcs(path, ds, &d, err);
}
