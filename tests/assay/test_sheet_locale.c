/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_sheet_locale.c: sample sheets as spreadsheets in many locales save them (';' or tab
 * separators, decimal commas), and data sets of multi-data-set files named in the sheet
 * (a "dataset" column or FILE#N).
 */
#include "assay/assay.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

static void parse_ok(const char *text, assay_sheet *s)
{
    apo_error err;
    cr_assert_eq(assay_sheet_parse(s, text, strlen(text), "sheet.csv", &err), APO_OK, "%s",
                 err.msg);
}

Test(assay_sheet_locale, semicolon_and_decimal_comma)
{
    assay_sheet s;
    parse_ok("file;sample;role;treatment;dose;dose_unit;replicate\n"
             "a.fcs;A;treated;drug;12,5;uM;1\n"
             "b.fcs;B;treated;drug;\"0,25\";uM;2\n"
             "c.fcs;C;stimulus;;;;1\n",
             &s);
    cr_assert_eq(s.sep, ';');
    cr_assert_eq(s.n_rows, 3);
    cr_assert_float_eq(s.rows[0].dose, 12.5, 0);
    cr_assert_float_eq(s.rows[1].dose, 0.25, 0);
    cr_assert_eq(s.rows[1].replicate, 2);
    cr_assert(isnan(s.rows[2].dose));
    assay_sheet_free(&s);
}

Test(assay_sheet_locale, tabs_with_a_comment_first)
{
    assay_sheet s;
    parse_ok("# exported from a spreadsheet, with, commas, in, the, comment\n"
             "file\tsample\trole\tdose\n"
             "x y.fcs\tX, the first\ttreated\t3,75\n",
             &s);
    cr_assert_eq(s.sep, '\t');
    cr_assert_str_eq(s.rows[0].file, "x y.fcs");
    cr_assert_str_eq(s.rows[0].sample, "X, the first");
    cr_assert_float_eq(s.rows[0].dose, 3.75, 0);
    assay_sheet_free(&s);
}

Test(assay_sheet_locale, comma_sheet_unchanged)
{
    assay_sheet s;
    parse_ok("file,sample,role,dose\na.fcs,A,treated,50\nb.fcs,B,treated,\"12,5\"\n", &s);
    cr_assert_eq(s.sep, ',');
    cr_assert_float_eq(s.rows[0].dose, 50, 0);
    cr_assert_float_eq(s.rows[1].dose, 12.5, 0);
    assay_sheet_free(&s);
}

Test(assay_sheet_locale, bad_number_names_line_and_value)
{
    assay_sheet s;
    apo_error err;
    const char *t = "file;dose\na.fcs;1,2,3\n";
    cr_assert_eq(assay_sheet_parse(&s, t, strlen(t), "sheet.csv", &err), APO_E_FORMAT);
    cr_assert(strstr(err.msg, "line 2") && strstr(err.msg, "1,2,3"), "%s", err.msg);
}

Test(assay_sheet_locale, datasets_by_column_or_suffix)
{
    assay_sheet s;
    parse_ok("file,sample,role,dataset\n"
             "muse.fcs,unstained,unstained,1\n"
             "muse.fcs#2,annexin,annexin_single,\n"
             "muse.fcs,pi,pi_single,3\n"
             "plain.fcs,p,treated,\n"
             "odd#name.fcs,o,treated,\n",
             &s);
    cr_assert_eq(s.rows[0].dataset, 1);
    cr_assert_eq(s.rows[1].dataset, 2);
    cr_assert_str_eq(s.rows[1].file, "muse.fcs");
    cr_assert_eq(s.rows[2].dataset, 3);
    cr_assert_eq(s.rows[3].dataset, 0);
    cr_assert_str_eq(s.rows[4].file, "odd#name.fcs");
    cr_assert_eq(s.rows[4].dataset, 0);
    assay_sheet_free(&s);

    apo_error err;
    const char *bad[] = {"file,dataset\na.fcs,0\n", "file,dataset\na.fcs#2,3\n",
                         "file\na.fcs#0\n", "file,dataset\na.fcs,x\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(assay_sheet_parse(&s, bad[i], strlen(bad[i]), "sheet.csv", &err),
                     APO_E_FORMAT, "%s", bad[i]);
        cr_assert_str_eq(err.keyword, "dataset");
    }
}
