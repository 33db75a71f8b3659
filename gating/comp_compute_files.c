/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * comp_compute_files.c: glue from control FCS files plus a controls sheet to
 * gate_comp_compute: pair files with sheet rows by base name, find each detector's column in
 * every file, decode the events (scale values with $PnG; at most opts->sample_events per
 * file, the deterministic subsample, keeping only the detector columns) and compute S.
 */
#include "gating/gating_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s != NULL ? s + 1 : p;
}

void gate_comp_report_free(gate_comp_report *r)
{
    if (r == NULL) {
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        free(r->control_file[i]);
    }
    for (size_t i = 0; i < r->n_skipped; i++) {
        free(r->skipped[i]);
    }
    free(r->control_file);
    free(r->used_events);
    free(r->skipped);
    *r = (gate_comp_report){0};
}

static char *dup_str(const char *s)
{
    const size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL) {
        memcpy(d, s, n);
    }
    return d;
}

/* Index of the sheet row for @p path, or SIZE_MAX. */
static size_t sheet_row(const gate_comp_sheet *sheet, const char *path)
{
    const char *b = base_name(path);
    for (size_t pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < sheet->n; i++) {
            const char *e = base_name(sheet->entries[i].file);
            if (pass == 0 ? strcmp(e, b) == 0 : strcasecmp(e, b) == 0) {
                return i;
            }
        }
    }
    return SIZE_MAX;
}

/*
 * The subsample of at most @p max_events events of @p ds (every event of a data set within
 * it), reduced to the @p n_det columns @p columns; @p columns becomes 0 .. n_det - 1.
 */
static apo_status read_detectors(const fcs_dataset *ds, const fcs_decode_options *dopts,
                                 uint64_t max_events, size_t n_det, size_t *columns,
                                 fcs_events *out, apo_error *err)
{
    fcs_events all = {0, 0, NULL};
    apo_status st = fcs_dataset_read_sampled(ds, dopts, max_events, &all, NULL, err);
    if (st != APO_OK) {
        return st;
    }
    const size_t ne = (size_t)all.n_events;
    double *v = malloc((n_det ? n_det : 1) * (ne ? ne : 1) * sizeof(double));
    if (v == NULL) {
        fcs_events_free(&all);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for %zu events of %zu detectors, found none", ne,
                             n_det);
    }
    for (size_t d = 0; d < n_det; d++) {
        memcpy(v + d * ne, fcs_events_column(&all, columns[d]), ne * sizeof(double));
        columns[d] = d;
    }
    fcs_events_free(&all);
    out->n_events = ne;
    out->n_params = n_det;
    out->values = v;
    return APO_OK;
}

typedef struct loaded {
    fcs_file *file;
    const fcs_dataset *ds;
    fcs_events ev;
    size_t row; /* sheet row */
    size_t *columns;
} loaded;

apo_status gate_comp_compute_files(gate_comp **out, size_t n_paths, const char *const *paths,
                                   const gate_comp_sheet *sheet,
                                   const gate_comp_compute_options *opts,
                                   const fcs_read_options *read_opts, gate_comp_report *report,
                                   apo_error *err)
{
    *out = NULL;
    if (report != NULL) {
        *report = (gate_comp_report){0};
    }
    if (n_paths == 0) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected control FCS files, found none");
    }
    apo_status st = APO_OK;
    loaded *L = calloc(n_paths, sizeof(*L));
    const char **det_names = calloc(n_paths, sizeof(char *));
    size_t *det_file = calloc(n_paths, sizeof(size_t)); /* file of each detector */
    gate_comp_sample *samples = calloc(n_paths, sizeof(*samples));
    size_t *used = calloc(n_paths, sizeof(size_t));
    size_t unstained = SIZE_MAX;
    size_t n_det = 0;
    if (L == NULL || det_names == NULL || det_file == NULL || samples == NULL ||
        used == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                           "expected memory for %zu control files, found none", n_paths);
        goto done;
    }
    /* 1. pair files with sheet rows */
    for (size_t k = 0; k < n_paths && st == APO_OK; k++) {
        L[k].row = sheet_row(sheet, paths[k]);
        if (L[k].row == SIZE_MAX) {
            st = apo_error_set(err, APO_E_USAGE, paths[k], APO_NO_OFFSET, NULL,
                               "expected a row for \"%s\" in the controls sheet, found none",
                               base_name(paths[k]));
            break;
        }
        for (size_t j = 0; j < k; j++) {
            if (L[j].row == L[k].row) {
                st = apo_error_set(err, APO_E_USAGE, paths[k], APO_NO_OFFSET, NULL,
                                   "expected each control once, found \"%s\" and \"%s\" for "
                                   "the same sheet row",
                                   paths[j], paths[k]);
            }
        }
        if (sheet->entries[L[k].row].channel == NULL) {
            if (unstained != SIZE_MAX && st == APO_OK) {
                st = apo_error_set(err, APO_E_USAGE, paths[k], APO_NO_OFFSET, NULL,
                                   "expected one unstained control, found \"%s\" and \"%s\"",
                                   paths[unstained], paths[k]);
            }
            unstained = k;
        }
    }
    if (st == APO_OK && unstained == SIZE_MAX) {
        st = apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                           "expected an unstained control among the files (sheet channel "
                           "\"unstained\"), found none");
    }
    if (st != APO_OK) {
        goto done;
    }
    /* 2. open everything */
    for (size_t k = 0; k < n_paths && st == APO_OK; k++) {
        st = fcs_file_open(&L[k].file, paths[k], read_opts, err);
        if (st == APO_OK) {
            L[k].ds = fcs_file_dataset(L[k].file, 0);
            if (L[k].ds == NULL) {
                st = apo_error_set(err, APO_E_FORMAT, paths[k], APO_NO_OFFSET, NULL,
                                   "expected a data set, found none");
            }
        }
    }
    if (st != APO_OK) {
        goto done;
    }
    /* 3. detectors, in the unstained file's channel order */
    const fcs_dataset *uds = L[unstained].ds;
    size_t *det_param = calloc(n_paths, sizeof(size_t));
    if (det_param == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                           "expected memory for detectors, found none");
        goto done;
    }
    for (size_t k = 0; k < n_paths && st == APO_OK; k++) {
        const char *ch = sheet->entries[L[k].row].channel;
        if (k == unstained) {
            continue;
        }
        const size_t p = fcs_dataset_find_param(uds, ch);
        if (p == SIZE_MAX) {
            st = apo_error_set(err, APO_E_USAGE, paths[unstained], APO_NO_OFFSET, ch,
                               "expected channel \"%s\" (control %s) in the unstained control, "
                               "found no such channel",
                               ch, base_name(paths[k]));
            break;
        }
        for (size_t d = 0; d < n_det; d++) {
            if (det_param[d] == p) {
                st = apo_error_set(err, APO_E_USAGE, paths[k], APO_NO_OFFSET, ch,
                                   "expected one control per channel, found %s and %s both for "
                                   "\"%s\"",
                                   base_name(paths[det_file[d]]), base_name(paths[k]), ch);
            }
        }
        /* insertion by parameter index */
        size_t at = n_det;
        while (at > 0 && det_param[at - 1] > p) {
            det_param[at] = det_param[at - 1];
            det_file[at] = det_file[at - 1];
            at--;
        }
        det_param[at] = p;
        det_file[at] = k;
        n_det++;
    }
    if (st == APO_OK && n_det == 0) {
        st = apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                           "expected at least one single-stain control besides the unstained, "
                           "found none");
    }
    for (size_t d = 0; d < n_det && st == APO_OK; d++) {
        det_names[d] = fcs_dataset_param(uds, det_param[d])->name;
    }
    free(det_param);
    if (st != APO_OK) {
        goto done;
    }
    /* 4. columns and events of every file (the subsample, detector columns only) */
    const uint64_t sample_events =
        opts != NULL ? opts->sample_events : (uint64_t)GATE_SAMPLE_EVENTS_DEFAULT;
    fcs_decode_options dopts = FCS_DECODE_OPTIONS_INIT;
    /* The same value space as apoflow gate/plot/run, which compensate gain-scaled values
     * ($PnG applied, as FlowKit and the Gating-ML compliance data do): a matrix computed here
     * must fit the data it is later applied to. */
    dopts.values = FCS_VALUES_SCALED;
    dopts.apply_gain = true;
    for (size_t k = 0; k < n_paths && st == APO_OK; k++) {
        L[k].columns = malloc(n_det * sizeof(size_t));
        if (L[k].columns == NULL) {
            st = apo_error_set(err, APO_E_NOMEM, paths[k], APO_NO_OFFSET, NULL,
                               "expected memory for detectors, found none");
            break;
        }
        for (size_t d = 0; d < n_det && st == APO_OK; d++) {
            L[k].columns[d] = fcs_dataset_find_param(L[k].ds, det_names[d]);
            if (L[k].columns[d] == SIZE_MAX) {
                st = apo_error_set(err, APO_E_USAGE, paths[k], APO_NO_OFFSET, det_names[d],
                                   "expected channel \"%s\" in every control, found it missing",
                                   det_names[d]);
            }
        }
        if (st == APO_OK) {
            st = read_detectors(L[k].ds, &dopts, sample_events, n_det, L[k].columns, &L[k].ev,
                                err);
        }
    }
    if (st != APO_OK) {
        goto done;
    }
    const gate_comp_sample us = {&L[unstained].ev, L[unstained].columns, paths[unstained]};
    for (size_t d = 0; d < n_det; d++) {
        const size_t k = det_file[d];
        samples[d] = (gate_comp_sample){&L[k].ev, L[k].columns, paths[k]};
    }
    st = gate_comp_compute(out, n_det, det_names, &us, samples, opts, used, err);
    if (st == APO_OK && report != NULL) {
        report->n = n_det;
        report->unstained_events = (size_t)L[unstained].ev.n_events;
        report->control_file = calloc(n_det, sizeof(char *));
        report->used_events = calloc(n_det, sizeof(size_t));
        report->skipped = calloc(sheet->n > 0 ? sheet->n : 1, sizeof(char *));
        bool ok = report->control_file && report->used_events && report->skipped;
        for (size_t d = 0; ok && d < n_det; d++) {
            report->control_file[d] = dup_str(paths[det_file[d]]);
            report->used_events[d] = used[d];
            ok = report->control_file[d] != NULL;
        }
        for (size_t i = 0; ok && i < sheet->n; i++) {
            bool given = false;
            for (size_t k = 0; k < n_paths; k++) {
                given = given || L[k].row == i;
            }
            if (!given) {
                report->skipped[report->n_skipped] = dup_str(sheet->entries[i].file);
                ok = report->skipped[report->n_skipped] != NULL;
                report->n_skipped += ok;
            }
        }
        if (!ok) {
            gate_comp_report_free(report);
            gate_comp_free(*out);
            *out = NULL;
            st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                               "expected memory for the report, found none");
        }
    }
done:
    if (L != NULL) {
        for (size_t k = 0; k < n_paths; k++) {
            fcs_events_free(&L[k].ev);
            free(L[k].columns);
            fcs_file_free(L[k].file);
        }
    }
    free(L);
    free(det_names);
    free(det_file);
    free(samples);
    free(used);
    return st;
}
