/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * consumer.c: a program outside the tree that uses the INSTALLED library, built by run.sh with
 * nothing but `pkg-config --cflags --libs apoflow`. It includes every umbrella header as a user
 * would, reads an FCS file, and touches one function of each module so that every part of
 * libapoflow.a must link.
 *
 *   consumer FILE.fcs   prints "datasets 1 events N params P", "sha256(abc) ..." and
 *                       "logicle(262144) 1.000000"
 */
#include "util/util.h"
#include "fcs/fcs.h"
#include "gating/gate.h"
#include "assay/assay.h"
#include "render/render.h"
#include "report/report.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: consumer FILE.fcs\n");
        return 64;
    }
    fcs_file *f = NULL;
    apo_error err;
    apo_error_clear(&err);
    if (fcs_file_open(&f, argv[1], NULL, &err) != APO_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], err.msg);
        return 65;
    }
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    printf("datasets %zu events %llu params %zu\n", fcs_file_n_datasets(f),
           (unsigned long long)fcs_dataset_n_events(ds), fcs_dataset_n_params(ds));
    fcs_file_free(f);

    char hex[65];
    apo_sha256_hex("abc", 3, hex);
    printf("sha256(abc) %s\n", hex);
    gate_transform t;
    if (gate_transform_init_logicle(&t, 262144, 0.5, 4.5, 0, &err) != APO_OK) {
        fprintf(stderr, "logicle: %s\n", err.msg);
        return 70;
    }
    printf("logicle(262144) %.6f\n", gate_transform_apply(&t, 262144));

    /* Freeing nothing is allowed; these calls make the assay and render objects link. */
    assay_result_free(NULL);
    render_image_free(NULL);
    gate_strategy_free(NULL);
    /* Referenced, not called (it writes files): the report objects must link too. */
    apo_status (*volatile write_html)(const report_input *, apo_error *) = report_write_html;
    return write_html != NULL ? 0 : 70;
}
