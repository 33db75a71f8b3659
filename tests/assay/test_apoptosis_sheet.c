/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_apoptosis_sheet.c: sample sheet parsing (columns, quoting, extra metadata, roles,
 * errors with line numbers), row lookup by path, and Annexin V / PI channel detection on
 * data sets built in memory.
 */
#include "assay/assay.h"
#include "support/fcs_builder.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

TestSuite(assay_apoptosis_sheet);

static const char sheet_text[] =
    "# example\n"
    "file,sample,role,treatment,dose,dose_unit,replicate,well,notes\n"
    "a/unst.fcs,U,unstained,,,,1,A01,\n"
    "a/ss.fcs,SS,Annexin-Only,,,,,A02,\"FITC, only\"\n"
    "a/t1.fcs,T1,treated,AS-IV,50,mg/L,2,A03,\"said \"\"ok\"\"\"\r\n"
    "\n"
    "a/t2.fcs,,treated,AS-IV,1e2,mg/L,3,A04,\n";

Test(assay_apoptosis_sheet, parses_columns_roles_and_extras)
{
    assay_sheet s;
    apo_error err;
    cr_assert_eq(assay_sheet_parse(&s, sheet_text, strlen(sheet_text), "t.csv", &err), APO_OK,
                 "%s", err.msg);
    cr_assert_eq(s.n_rows, 4);
    cr_assert_eq(s.n_extra, 2);
    cr_assert_str_eq(s.extra_names[0], "well");
    cr_assert_str_eq(s.extra_names[1], "notes");
    cr_assert_eq(s.rows[0].role, ASSAY_ROLE_UNSTAINED);
    cr_assert_eq(s.rows[1].role, ASSAY_ROLE_ANNEXIN_SINGLE);
    cr_assert_str_eq(s.rows[1].extra[1], "FITC, only");
    cr_assert_eq(s.rows[1].replicate, 0);
    cr_assert_eq(s.rows[2].role, ASSAY_ROLE_TREATED);
    cr_assert_float_eq(s.rows[2].dose, 50.0, 1e-12);
    cr_assert_str_eq(s.rows[2].dose_unit, "mg/L");
    cr_assert_eq(s.rows[2].replicate, 2);
    cr_assert_str_eq(s.rows[2].extra[1], "said \"ok\"");
    cr_assert_str_eq(s.rows[3].sample, "t2"); /* default: the file's stem */
    cr_assert_float_eq(s.rows[3].dose, 100.0, 1e-12);
    cr_assert_eq(s.rows[3].line, 7);
    cr_assert(isnan(s.rows[0].dose));
    cr_assert_eq(assay_sheet_find(&s, "./a/t1.fcs"), &s.rows[2]);
    cr_assert_null(assay_sheet_find(&s, "b/t1.fcs"));
    assay_sheet_free(&s);
    assay_sheet_free(NULL);
}

Test(assay_apoptosis_sheet, rejects_bad_rows_with_line)
{
    assay_sheet s;
    apo_error err;
    const char bad_role[] = "file,role\nx.fcs,control\n";
    cr_assert_eq(assay_sheet_parse(&s, bad_role, strlen(bad_role), "t.csv", &err), APO_E_FORMAT);
    cr_assert(strstr(err.msg, "line 2") != NULL, "%s", err.msg);
    cr_assert(strstr(err.msg, "\"control\"") != NULL, "%s", err.msg);
    const char no_file[] = "sample,role\nx,treated\n";
    cr_assert_eq(assay_sheet_parse(&s, no_file, strlen(no_file), "t.csv", &err), APO_E_FORMAT);
    const char bad_dose[] = "file,dose\nx.fcs,10 uM\n";
    cr_assert_eq(assay_sheet_parse(&s, bad_dose, strlen(bad_dose), "t.csv", &err), APO_E_FORMAT);
    const char dup[] = "file,sample\nx.fcs,A\ny.fcs,A\n";
    cr_assert_eq(assay_sheet_parse(&s, dup, strlen(dup), "t.csv", &err), APO_E_FORMAT);
    cr_assert(strstr(err.msg, "unique") != NULL, "%s", err.msg);
    const char quote[] = "file\n\"x.fcs\n";
    cr_assert_eq(assay_sheet_parse(&s, quote, strlen(quote), "t.csv", &err), APO_E_FORMAT);
}

Test(assay_apoptosis_sheet, role_names_round_trip)
{
    for (int r = ASSAY_ROLE_UNSTAINED; r <= ASSAY_ROLE_TREATED; r++) {
        assay_role back;
        cr_assert(assay_role_parse(assay_role_name((assay_role)r), &back));
        cr_assert_eq(back, (assay_role)r);
    }
    assay_role x;
    cr_assert(assay_role_parse("Stimulus only", &x));
    cr_assert_eq(x, ASSAY_ROLE_STIMULUS);
    cr_assert_not(assay_role_parse("vehicle", &x));
}

/* A data set with the given $PnN and $PnS. */
static fcs_file *build(size_t n, const char *const *names, const char *const *labels,
                       uint8_t **bytes)
{
    fcs_builder *b = fcs_builder_new("FCS3.1");
    for (size_t i = 0; i < n; i++) {
        fcs_builder_param(b, names[i], 32, 1024);
        if (labels[i] != NULL) {
            char key[16];
            snprintf(key, sizeof key, "$P%zuS", i + 1);
            fcs_builder_keyword(b, key, labels[i]);
        }
    }
    fcs_builder_set_datatype(b, 'F');
    double v[16] = {0};
    fcs_builder_set_events(b, 1, v);
    size_t len;
    *bytes = fcs_builder_build(b, &len);
    fcs_builder_free(b);
    fcs_file *f = NULL;
    fcs_read_options o = FCS_READ_OPTIONS_INIT;
    apo_error err;
    cr_assert_eq(fcs_file_open_buffer(&f, *bytes, len, "built", &o, &err), APO_OK, "%s", err.msg);
    return f;
}

Test(assay_apoptosis_sheet, channels_by_label_name_and_override)
{
    uint8_t *bytes;
    const char *n1[] = {"FSC-A", "FSC-H", "SSC-A", "FITC-A", "PE-A", "PE-Texas Red-A", "Time"};
    const char *l1[] = {NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    fcs_file *f = build(7, n1, l1, &bytes);
    assay_channels ch;
    apo_error err;
    cr_assert_eq(assay_find_channels(fcs_file_dataset(f, 0), NULL, NULL, &ch, &err), APO_OK);
    cr_assert_eq(ch.annexin, 3);
    cr_assert_eq(ch.pi, 5); /* PE-Texas Red before PE */
    cr_assert_eq(ch.fsc_a, 0);
    cr_assert_eq(ch.fsc_h, 1);
    cr_assert_eq(ch.time, 6);
    cr_assert_eq(assay_find_channels(fcs_file_dataset(f, 0), NULL, "PE-A", &ch, &err), APO_OK);
    cr_assert_eq(ch.pi, 4);
    cr_assert_eq(assay_find_channels(fcs_file_dataset(f, 0), NULL, "APC-A", &ch, &err),
                 APO_E_USAGE);
    fcs_file_free(f);
    free(bytes);

    const char *n2[] = {"FSC-H", "SSC-H", "FL1-H", "FL2-H", "FL3-H"};
    const char *l2[] = {NULL, NULL, "CD3", "AnnV-FITC", "Propidium iodide"};
    f = build(5, n2, l2, &bytes);
    cr_assert_eq(assay_find_channels(fcs_file_dataset(f, 0), NULL, NULL, &ch, &err), APO_OK);
    cr_assert_eq(ch.annexin, 3); /* the label wins over the FL1 detector name */
    cr_assert_eq(ch.pi, 4);
    cr_assert_eq(ch.fsc_a, SIZE_MAX);
    cr_assert_eq(ch.fsc_h, 0);
    fcs_file_free(f);
    free(bytes);

    const char *n3[] = {"FSC-A", "APC-A"};
    const char *l3[] = {NULL, NULL};
    f = build(2, n3, l3, &bytes);
    cr_assert_eq(assay_find_channels(fcs_file_dataset(f, 0), NULL, NULL, &ch, &err),
                 APO_E_USAGE);
    cr_assert(strstr(err.msg, "--annexin") != NULL, "%s", err.msg);
    fcs_file_free(f);
    free(bytes);
}

Test(assay_apoptosis_sheet, qc_flag_names)
{
    char buf[128];
    assay_qc_flags_format(ASSAY_QC_LOW_EVENTS | ASSAY_QC_FLOW_INSTABILITY, buf, sizeof buf);
    cr_assert_str_eq(buf, "low_events;flow_instability");
    assay_qc_flags_format(0, buf, sizeof buf);
    cr_assert_str_eq(buf, "");
}
