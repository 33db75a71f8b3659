/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * compensate_bind.c: bind a gate_comp's detectors to the channels of an FCS data set
 * ($PnN first, with the FlowJo "Comp-" prefix tolerated, then $PnS labels). Kept apart
 * from compensate.c so that matrix code links without the FCS reader.
 */
#include "gating/gating_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <strings.h>

static const char *strip_comp(const char *s)
{
    return strncasecmp(s, "Comp-", 5) == 0 ? s + 5 : s;
}

apo_status gate_comp_bind(gate_comp *c, const fcs_dataset *ds, apo_error *err)
{
    const size_t np = fcs_dataset_n_params(ds);
    const char **names = calloc(np > 0 ? np : 1, sizeof(char *));
    if (names == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for %zu names, found none", np);
    }
    for (size_t k = 0; k < np; k++) {
        names[k] = fcs_dataset_param(ds, k)->name;
    }
    apo_status st = gate_comp_bind_names(c, np, names, err);
    free(names);
    if (st == APO_OK) {
        return APO_OK;
    }
    /* fall back to $PnS labels (fcs_dataset_find_param tries $PnN, then $PnS) */
    for (size_t i = 0; i < c->n; i++) {
        size_t idx = fcs_dataset_find_param(ds, c->detectors[i]);
        if (idx == SIZE_MAX) {
            idx = fcs_dataset_find_param(ds, strip_comp(c->detectors[i]));
        }
        if (idx == SIZE_MAX) {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, c->detectors[i],
                                 "expected detector \"%s\" of the spillover matrix among the "
                                 "file's channels ($PnN or $PnS), found no such channel",
                                 c->detectors[i]);
        }
        for (size_t j = 0; j < i; j++) {
            if (c->param_index[j] == idx) {
                return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, c->detectors[i],
                                     "expected one channel per detector, found \"%s\" and "
                                     "\"%s\" both matching channel %zu",
                                     c->detectors[j], c->detectors[i], idx + 1);
            }
        }
        c->param_index[i] = idx;
    }
    apo_error_clear(err);
    return APO_OK;
}
