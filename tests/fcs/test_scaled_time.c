/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_scaled_time.c: scaled values convert the Time channel from ticks to seconds with
 * $TIMESTEP (FCS 3.0 3.2.20), never apply $PnG to it, and leave raw values alone.
 */
#include "fcs/fcs.h"
#include "support/fcs_builder.h"

#include <criterion/criterion.h>
#include <stdlib.h>

static fcs_file *build_time_file(const char *timestep, uint8_t **bytes)
{
    fcs_builder *b = fcs_builder_new("FCS3.1");
    fcs_builder_set_datatype(b, 'I');
    fcs_builder_param(b, "FL1-A", 16, 1024);
    fcs_builder_param(b, "Time", 32, 4294967296.0);
    fcs_builder_keyword(b, "$P2G", "0.01");
    if (timestep != NULL) {
        fcs_builder_keyword(b, "$TIMESTEP", timestep);
    }
    const double rows[] = {10, 0, 20, 150, 30, 12345};
    fcs_builder_set_events(b, 3, rows);
    size_t len = 0;
    *bytes = fcs_builder_build(b, &len);
    fcs_builder_free(b);
    fcs_file *f = NULL;
    apo_error err;
    cr_assert_eq(fcs_file_open_buffer(&f, *bytes, len, "time.fcs", NULL, &err), APO_OK, "%s",
                 err.msg);
    return f;
}

Test(fcs_scaled_time, time_ticks_become_seconds)
{
    uint8_t *bytes = NULL;
    fcs_file *f = build_time_file("0.01", &bytes);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    cr_assert(fcs_dataset_param(ds, 1)->is_time);
    cr_assert_float_eq(fcs_dataset_timestep(ds), 0.01, 1e-15);
    double out[6];
    fcs_decode_options o = FCS_DECODE_OPTIONS_INIT;
    o.values = FCS_VALUES_SCALED;
    o.apply_gain = true; /* never applied to Time */
    cr_assert_eq(fcs_dataset_decode_f64(ds, 0, 3, &o, out, 3, NULL), APO_OK);
    cr_assert_float_eq(out[0], 10, 0);
    cr_assert_float_eq(out[3], 0.0, 1e-12);
    cr_assert_float_eq(out[4], 1.5, 1e-12);
    cr_assert_float_eq(out[5], 123.45, 1e-9);
    o.values = FCS_VALUES_RAW;
    o.apply_gain = false;
    cr_assert_eq(fcs_dataset_decode_f64(ds, 0, 3, &o, out, 3, NULL), APO_OK);
    cr_assert_float_eq(out[5], 12345, 0);
    fcs_file_free(f);
    free(bytes);
}

Test(fcs_scaled_time, no_timestep_keeps_ticks)
{
    uint8_t *bytes = NULL;
    fcs_file *f = build_time_file(NULL, &bytes);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    double out[6];
    fcs_decode_options o = FCS_DECODE_OPTIONS_INIT;
    o.values = FCS_VALUES_SCALED;
    cr_assert_eq(fcs_dataset_decode_f64(ds, 0, 3, &o, out, 3, NULL), APO_OK);
    cr_assert_float_eq(out[5], 12345, 0);
    fcs_file_free(f);
    free(bytes);
}
