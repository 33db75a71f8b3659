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

/* Index of the sheet row for data set @p dataset (1-based; 0 = the first) of @p path, or
 * SIZE_MAX. */
static size_t sheet_row(const gate_comp_sheet *sheet, const char *path, size_t dataset)
{
    const char *b = base_name(path);
    size_t want = dataset > 0 ? dataset : 1;
    for (size_t pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < sheet->n; i++) {
            const char *e = base_name(sheet->entries[i].file);
            size_t has = sheet->entries[i].dataset > 0 ? sheet->entries[i].dataset : 1;
            if (has == want && (pass == 0 ? strcmp(e, b) == 0 : strcasecmp(e, b) == 0)) {
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

/* The control files of one computation. */
typedef struct controls {
    size_t n_paths;
    const char *const *paths;
    const size_t *datasets; /* per path its data set (1-based; 0 = the first, or a copy's
                               newest: open_controls); NULL: all 0 */
    char **names;           /* per path as messages name it: the path, "path#N" for a data
                               set named */
    const gate_comp_sheet *sheet;
    loaded *L;
    const char **det_names; /* detectors, in the unstained file's channel order */
    size_t *det_file;       /* the control file of each detector */
    size_t n_det;
    size_t unstained;       /* the unstained control's file */
} controls;

/* A control as messages name it (malloc'd; NULL when out of memory): "path#N" for data set
 * @p dataset (1-based), the path for 0. */
static char *control_name(const char *path, size_t dataset)
{
    const size_t len = strlen(path) + 24;
    char *name = malloc(len);
    if (name != NULL && dataset > 0) {
        snprintf(name, len, "%s#%zu", path, dataset);
    } else if (name != NULL) {
        snprintf(name, len, "%s", path);
    }
    return name;
}

/* 1. pair files with sheet rows: each once, exactly one unstained. */
static apo_status pair_with_sheet(controls *c, apo_error *err)
{
    const char *const *paths = (const char *const *)c->names;
    loaded *L = c->L;
    apo_status st = APO_OK;
    for (size_t k = 0; k < c->n_paths && st == APO_OK; k++) {
        L[k].row = sheet_row(c->sheet, c->paths[k], c->datasets ? c->datasets[k] : 0);
        if (L[k].row == SIZE_MAX) {
            return apo_error_set(err, APO_E_USAGE, paths[k], APO_NO_OFFSET, NULL,
                                 "expected a row for \"%s\" in the controls sheet, found none",
                                 base_name(paths[k]));
        }
        for (size_t j = 0; j < k; j++) {
            if (L[j].row == L[k].row) {
                st = apo_error_set(err, APO_E_USAGE, paths[k], APO_NO_OFFSET, NULL,
                                   "expected each control once, found \"%s\" and \"%s\" for "
                                   "the same sheet row",
                                   paths[j], paths[k]);
            }
        }
        if (c->sheet->entries[L[k].row].channel == NULL) {
            if (c->unstained != SIZE_MAX && st == APO_OK) {
                st = apo_error_set(err, APO_E_USAGE, paths[k], APO_NO_OFFSET, NULL,
                                   "expected one unstained control, found \"%s\" and \"%s\"",
                                   paths[c->unstained], paths[k]);
            }
            c->unstained = k;
        }
    }
    if (st == APO_OK && c->unstained == SIZE_MAX) {
        st = apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                           "expected an unstained control among the files (sheet channel "
                           "\"unstained\"), found none");
    }
    return st;
}

/* 2. open every file (its data set: the one named, else the first, or the newest copy of a
 * file holding one acquisition in several FCS versions, as `run` takes it, then named
 * "path#N" in messages and the report). */
static apo_status open_controls(controls *c, const fcs_read_options *read_opts, apo_error *err)
{
    apo_status st = APO_OK;
    for (size_t k = 0; k < c->n_paths && st == APO_OK; k++) {
        st = fcs_file_open(&c->L[k].file, c->paths[k], read_opts, err);
        const bool named = c->datasets != NULL && c->datasets[k] > 0;
        size_t ds = named ? c->datasets[k] : 1;
        if (st == APO_OK && !named && (ds = fcs_file_default_dataset(c->L[k].file) + 1) > 1) {
            char *name = control_name(c->paths[k], ds); /* a newest copy: said by its name */
            if (name == NULL) {
                return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                                     "out of memory");
            }
            free(c->names[k]);
            c->names[k] = name;
        }
        if (st == APO_OK) {
            c->L[k].ds = fcs_file_dataset(c->L[k].file, ds - 1);
            if (c->L[k].ds == NULL) {
                st = apo_error_set(err, APO_E_FORMAT, c->paths[k], APO_NO_OFFSET, NULL,
                                   "data set %zu requested, the file has %zu", ds,
                                   fcs_file_n_datasets(c->L[k].file));
            }
        }
    }
    return st;
}

/* 3. file k's detector into det_param/det_file, kept sorted by parameter index. */
static apo_status add_detector(controls *c, size_t k, size_t *det_param, apo_error *err)
{
    const char *const *paths = (const char *const *)c->names;
    const char *ch = c->sheet->entries[c->L[k].row].channel;
    const size_t p = fcs_dataset_find_param(c->L[c->unstained].ds, ch);
    if (p == SIZE_MAX) {
        return apo_error_set(err, APO_E_USAGE, paths[c->unstained], APO_NO_OFFSET, ch,
                             "expected channel \"%s\" (control %s) in the unstained control, "
                             "found no such channel",
                             ch, base_name(paths[k]));
    }
    apo_status st = APO_OK;
    for (size_t d = 0; d < c->n_det; d++) {
        if (det_param[d] == p) {
            st = apo_error_set(err, APO_E_USAGE, paths[k], APO_NO_OFFSET, ch,
                               "expected one control per channel, found %s and %s both for "
                               "\"%s\"",
                               base_name(paths[c->det_file[d]]), base_name(paths[k]), ch);
        }
    }
    size_t at = c->n_det;
    while (at > 0 && det_param[at - 1] > p) {
        det_param[at] = det_param[at - 1];
        c->det_file[at] = c->det_file[at - 1];
        at--;
    }
    det_param[at] = p;
    c->det_file[at] = k;
    c->n_det++;
    return st;
}

/* 3. detectors, in the unstained file's channel order. */
static apo_status choose_detectors(controls *c, apo_error *err)
{
    size_t *det_param = calloc(c->n_paths, sizeof(size_t));
    if (det_param == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for detectors, found none");
    }
    apo_status st = APO_OK;
    for (size_t k = 0; k < c->n_paths && st == APO_OK; k++) {
        if (k != c->unstained) {
            st = add_detector(c, k, det_param, err);
        }
    }
    if (st == APO_OK && c->n_det == 0) {
        st = apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                           "expected at least one single-stain control besides the unstained, "
                           "found none");
    }
    for (size_t d = 0; d < c->n_det && st == APO_OK; d++) {
        c->det_names[d] = fcs_dataset_param(c->L[c->unstained].ds, det_param[d])->name;
    }
    free(det_param);
    return st;
}

/* 4. columns and events of every file (the subsample, detector columns only). */
static apo_status read_controls(controls *c, const gate_comp_compute_options *opts,
                                apo_error *err)
{
    const uint64_t sample_events =
        opts != NULL ? opts->sample_events : (uint64_t)GATE_SAMPLE_EVENTS_DEFAULT;
    fcs_decode_options dopts = FCS_DECODE_OPTIONS_INIT;
    /* The same value space as apoflow gate/plot/run, which compensate gain-scaled values
     * ($PnG applied, as FlowKit and the Gating-ML compliance data do): a matrix computed here
     * must fit the data it is later applied to. */
    dopts.values = FCS_VALUES_SCALED;
    dopts.apply_gain = true;
    apo_status st = APO_OK;
    for (size_t k = 0; k < c->n_paths && st == APO_OK; k++) {
        loaded *l = &c->L[k];
        l->columns = malloc(c->n_det * sizeof(size_t));
        if (l->columns == NULL) {
            return apo_error_set(err, APO_E_NOMEM, c->paths[k], APO_NO_OFFSET, NULL,
                                 "expected memory for detectors, found none");
        }
        for (size_t d = 0; d < c->n_det && st == APO_OK; d++) {
            l->columns[d] = fcs_dataset_find_param(l->ds, c->det_names[d]);
            if (l->columns[d] == SIZE_MAX) {
                st = apo_error_set(err, APO_E_USAGE, c->paths[k], APO_NO_OFFSET, c->det_names[d],
                                   "expected channel \"%s\" in every control, found it missing",
                                   c->det_names[d]);
            }
        }
        if (st == APO_OK) {
            st = read_detectors(l->ds, &dopts, sample_events, c->n_det, l->columns, &l->ev, err);
        }
    }
    return st;
}

/* What was used: each detector's control file and events, the sheet rows not given. */
static bool fill_report(const controls *c, const size_t *used, gate_comp_report *report)
{
    const gate_comp_sheet *sheet = c->sheet;
    report->n = c->n_det;
    report->unstained_events = (size_t)c->L[c->unstained].ev.n_events;
    report->control_file = calloc(c->n_det, sizeof(char *));
    report->used_events = calloc(c->n_det, sizeof(size_t));
    report->skipped = calloc(sheet->n > 0 ? sheet->n : 1, sizeof(char *));
    bool ok = report->control_file && report->used_events && report->skipped;
    for (size_t d = 0; ok && d < c->n_det; d++) {
        report->control_file[d] = dup_str(c->names[c->det_file[d]]);
        report->used_events[d] = used[d];
        ok = report->control_file[d] != NULL;
    }
    for (size_t i = 0; ok && i < sheet->n; i++) {
        bool given = false;
        for (size_t k = 0; k < c->n_paths; k++) {
            given = given || c->L[k].row == i;
        }
        if (!given) {
            report->skipped[report->n_skipped] = dup_str(sheet->entries[i].file);
            ok = report->skipped[report->n_skipped] != NULL;
            report->n_skipped += ok;
        }
    }
    return ok;
}

/* 5. the matrix from the unstained control and one single-stain control per detector. */
static apo_status compute(const controls *c, gate_comp **out,
                          const gate_comp_compute_options *opts, gate_comp_report *report,
                          apo_error *err)
{
    gate_comp_sample *samples = calloc(c->n_det, sizeof(*samples));
    size_t *used = calloc(c->n_det, sizeof(size_t));
    apo_status st = APO_OK;
    if (samples == NULL || used == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                           "expected memory for %zu control files, found none", c->n_paths);
    }
    const loaded *u = &c->L[c->unstained];
    const gate_comp_sample us = {&u->ev, u->columns, c->names[c->unstained]};
    for (size_t d = 0; st == APO_OK && d < c->n_det; d++) {
        const size_t k = c->det_file[d];
        samples[d] = (gate_comp_sample){&c->L[k].ev, c->L[k].columns, c->names[k]};
    }
    if (st == APO_OK) {
        st = gate_comp_compute(out, c->n_det, c->det_names, &us, samples, opts, used, err);
    }
    if (st == APO_OK && report != NULL && !fill_report(c, used, report)) {
        gate_comp_report_free(report);
        gate_comp_free(*out);
        *out = NULL;
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                           "expected memory for the report, found none");
    }
    free(samples);
    free(used);
    return st;
}

apo_status gate_comp_compute_files(gate_comp **out, size_t n_paths, const char *const *paths,
                                   const gate_comp_sheet *sheet,
                                   const gate_comp_compute_options *opts,
                                   const fcs_read_options *read_opts, gate_comp_report *report,
                                   apo_error *err)
{
    return gate_comp_compute_datasets(out, n_paths, paths, NULL, sheet, opts, read_opts, report,
                                      err);
}

/* Each path as messages name it: "path#N" for a data set named, else the path. */
static char **control_names(size_t n, const char *const *paths, const size_t *datasets)
{
    char **names = calloc(n, sizeof *names);
    for (size_t k = 0; names != NULL && k < n; k++) {
        names[k] = control_name(paths[k], datasets != NULL ? datasets[k] : 0);
        if (names[k] == NULL) {
            for (size_t j = 0; j < k; j++) {
                free(names[j]);
            }
            free(names);
            return NULL;
        }
    }
    return names;
}

apo_status gate_comp_compute_datasets(gate_comp **out, size_t n_paths, const char *const *paths,
                                      const size_t *datasets, const gate_comp_sheet *sheet,
                                      const gate_comp_compute_options *opts,
                                      const fcs_read_options *read_opts,
                                      gate_comp_report *report, apo_error *err)
{
    *out = NULL;
    if (report != NULL) {
        *report = (gate_comp_report){0};
    }
    if (n_paths == 0) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected control FCS files, found none");
    }
    controls c = {.n_paths = n_paths, .paths = paths, .datasets = datasets, .sheet = sheet,
                  .unstained = SIZE_MAX};
    c.names = control_names(n_paths, paths, datasets);
    c.L = calloc(n_paths, sizeof(*c.L));
    c.det_names = calloc(n_paths, sizeof(char *));
    c.det_file = calloc(n_paths, sizeof(size_t));
    apo_status st = APO_OK;
    if (c.names == NULL || c.L == NULL || c.det_names == NULL || c.det_file == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                           "expected memory for %zu control files, found none", n_paths);
    }
    if (st == APO_OK) {
        st = pair_with_sheet(&c, err);
    }
    if (st == APO_OK) {
        st = open_controls(&c, read_opts, err);
    }
    if (st == APO_OK) {
        st = choose_detectors(&c, err);
    }
    if (st == APO_OK) {
        st = read_controls(&c, opts, err);
    }
    if (st == APO_OK) {
        st = compute(&c, out, opts, report, err);
    }
    for (size_t k = 0; c.L != NULL && k < n_paths; k++) {
        fcs_events_free(&c.L[k].ev);
        free(c.L[k].columns);
        fcs_file_free(c.L[k].file);
    }
    for (size_t k = 0; c.names != NULL && k < n_paths; k++) {
        free(c.names[k]);
    }
    free(c.names);
    free(c.L);
    free(c.det_names);
    free(c.det_file);
    return st;
}
