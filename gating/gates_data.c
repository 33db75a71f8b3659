/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gates_data.c: gate_data, the view of one decoded FCS data set that gates evaluate on:
 * channel names and labels from the data set, and the file's spillover matrix for "FCS".
 */
#include "gating/gate.h"

#include <stdlib.h>
#include <string.h>

apo_status gate_data_init(gate_data *out, const fcs_dataset *ds, const fcs_events *ev,
                          apo_error *err)
{
    memset(out, 0, sizeof(*out));
    size_t np = ev->n_params;
    if (np != fcs_dataset_n_params(ds) || ev->n_events > SIZE_MAX) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected events decoded from this data set, found %zu parameters "
                             "instead of %zu",
                             np, fcs_dataset_n_params(ds));
    }
    const char **names = calloc(np ? np : 1, sizeof(char *));
    const char **labels = calloc(np ? np : 1, sizeof(char *));
    if (names == NULL || labels == NULL) {
        free(names);
        free(labels);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for channel names, found none");
    }
    for (size_t p = 0; p < np; p++) {
        const fcs_param *pr = fcs_dataset_param(ds, p);
        names[p] = pr->name;
        labels[p] = pr->label;
    }
    out->n_events = (size_t)ev->n_events;
    out->n_params = np;
    out->names = names;
    out->labels = labels;
    out->values = ev->values;
    const fcs_spillover *sp = fcs_dataset_spillover(ds);
    if (sp != NULL) {
        apo_status st = gate_comp_from_fcs(&out->owned_comp, sp, err);
        if (st != APO_OK) {
            gate_data_free(out);
            return st;
        }
        out->comp = out->owned_comp;
    }
    return APO_OK;
}

void gate_data_free(gate_data *d)
{
    if (d == NULL) {
        return;
    }
    free((void *)d->names);
    free((void *)d->labels);
    gate_comp_free(d->owned_comp);
    memset(d, 0, sizeof(*d));
}
