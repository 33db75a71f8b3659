/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * comp_controls.c: the controls of a run's sample sheet as the controls sheet `apoflow comp`
 * takes: the unstained row, and each single-stain row with the detector its dye is seen in
 * (the Annexin V channel of an annexin_single control, the dead-cell dye channel of a
 * pi_single one, found on the control file itself as the run finds them).
 */
#include "assay/assay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The path of row @p r's file (relative ones against the sheet's folder); caller frees. */
static char *row_path(const assay_sheet *s, const assay_sheet_row *r)
{
    size_t n = strlen(s->dir) + strlen(r->file) + 2;
    char *p = malloc(n);
    if (p != NULL) {
        if (r->file[0] == '/') {
            snprintf(p, n, "%s", r->file);
        } else {
            snprintf(p, n, "%s/%s", s->dir, r->file);
        }
    }
    return p;
}

/* The detector of single-stain control @p r (annexin or dead-cell dye). */
static apo_status control_channel(const assay_sheet *s, const assay_sheet_row *r,
                                  const fcs_read_options *read, char **channel, apo_error *err)
{
    char *path = row_path(s, r);
    if (path == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    fcs_read_options ro = read ? *read : (fcs_read_options)FCS_READ_OPTIONS_INIT;
    ro.text_only = true;
    fcs_file *f = NULL;
    apo_status st = fcs_file_open(&f, path, &ro, err);
    size_t ds_index = r->dataset > 0 ? r->dataset - 1 : 0;
    if (st == APO_OK && r->dataset == 0) {
        ds_index = fcs_file_default_dataset(f); /* the one `run` and `comp` read */
    }
    if (st == APO_OK && ds_index >= fcs_file_n_datasets(f)) {
        st = apo_error_set(err, APO_E_USAGE, path, APO_NO_OFFSET, "dataset",
                           "sheet line %zu: expected data set %zu, found %zu", r->line,
                           ds_index + 1, fcs_file_n_datasets(f));
    }
    assay_channels ch;
    if (st == APO_OK) {
        st = assay_find_channels(fcs_file_dataset(f, ds_index), NULL, NULL, &ch, err);
    }
    if (st == APO_OK) {
        size_t p = r->role == ASSAY_ROLE_ANNEXIN_SINGLE ? ch.annexin : ch.pi;
        *channel = strdup(fcs_dataset_param(fcs_file_dataset(f, ds_index), p)->name);
        if (*channel == NULL) {
            st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
        }
    }
    fcs_file_free(f);
    free(path);
    return st;
}

apo_status assay_comp_controls(const assay_sheet *s, const fcs_read_options *read,
                               gate_comp_sheet *out, apo_error *err)
{
    memset(out, 0, sizeof *out);
    out->entries = calloc(s->n_rows ? s->n_rows : 1, sizeof *out->entries);
    if (out->entries == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    apo_status st = APO_OK;
    for (size_t i = 0; st == APO_OK && i < s->n_rows; i++) {
        const assay_sheet_row *r = &s->rows[i];
        if (r->role != ASSAY_ROLE_UNSTAINED && r->role != ASSAY_ROLE_ANNEXIN_SINGLE &&
            r->role != ASSAY_ROLE_PI_SINGLE) {
            continue;
        }
        gate_comp_sheet_entry *e = &out->entries[out->n];
        const char *base = strrchr(r->file, '/');
        e->file = strdup(base ? base + 1 : r->file);
        if (e->file == NULL) {
            st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
            break;
        }
        e->dataset = r->dataset;
        out->n++;
        if (r->role != ASSAY_ROLE_UNSTAINED) {
            st = control_channel(s, r, read, &e->channel, err);
        }
    }
    if (st != APO_OK) {
        gate_comp_sheet_free(out);
    }
    return st;
}
