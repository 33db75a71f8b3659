/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_spillover.c: spillover keywords (docs/fcs-reader.md): search order, name matching
 * ($PnN exact, trimmed case-insensitive, $PnS, 1-based index), Accuri decimal commas,
 * MACSQuant names without values, and unusable matrices (no matrix, a warning, file readable).
 */
#include "test_parse_util.h"

static fcs_builder *three(void)
{
    fcs_builder *b = fcs_builder_new("FCS3.1");
    fcs_builder_set_datatype(b, 'F');
    fcs_builder_param(b, "FSC-A", 32, 262144);
    fcs_builder_param(b, "FITC-A", 32, 262144);
    fcs_builder_param(b, "PE-A", 32, 262144);
    fcs_builder_keyword(b, "$P2S", "Annexin V");
    fcs_builder_keyword(b, "$P3S", "PI");
    const double v[] = {1, 2, 3};
    fcs_builder_set_events(b, 1, v);
    return b;
}

static tp_file with_spill(const char *kw, const char *value)
{
    fcs_builder *b = three();
    fcs_builder_keyword(b, kw, value);
    return tp_parse(b, NULL);
}

Test(fcs_spillover, standard_keyword)
{
    tp_file t = with_spill("$SPILLOVER", "2,FITC-A,PE-A,1,0.25,0.03,1");
    const fcs_dataset *ds = tp_ds(&t);
    const fcs_spillover *s = fcs_dataset_spillover(ds);
    cr_assert_not_null(s);
    cr_assert_eq(s->n, 2);
    cr_assert_str_eq(s->names[0], "FITC-A");
    cr_assert_str_eq(s->names[1], "PE-A");
    cr_assert_eq(s->param_index[0], 1);
    cr_assert_eq(s->param_index[1], 2);
    cr_assert_float_eq(s->values[1], 0.25, 0);
    cr_assert_float_eq(s->values[2], 0.03, 0);
    cr_assert_str_eq(s->keyword, "$SPILLOVER");
    tp_free(&t);
}

Test(fcs_spillover, vendor_keywords_and_order)
{
    const char *kws[] = {"SPILL", "spillover", "$SPILL"};
    for (size_t i = 0; i < 3; i++) {
        tp_file t = with_spill(kws[i], "2,FITC-A,PE-A,1,0.5,0,1");
        const fcs_spillover *s = fcs_dataset_spillover(tp_ds(&t));
        cr_assert_not_null(s, "%s", kws[i]);
        cr_assert_str_eq(s->keyword, kws[i]);
        cr_assert_float_eq(s->values[1], 0.5, 0);
        tp_free(&t);
    }
    /* $SPILLOVER wins over SPILL */
    fcs_builder *b = three();
    fcs_builder_keyword(b, "SPILL", "2,FITC-A,PE-A,1,0.5,0,1");
    fcs_builder_keyword(b, "$SPILLOVER", "2,FITC-A,PE-A,1,0.125,0,1");
    tp_file t = tp_parse(b, NULL);
    const fcs_spillover *s = fcs_dataset_spillover(tp_ds(&t));
    cr_assert_str_eq(s->keyword, "$SPILLOVER");
    cr_assert_float_eq(s->values[1], 0.125, 0);
    tp_free(&t);
    /* an unusable $SPILLOVER falls back to SPILL, with a warning */
    b = three();
    fcs_builder_keyword(b, "$SPILLOVER", "2,FITC-A,PE-A");
    fcs_builder_keyword(b, "SPILL", "2,FITC-A,PE-A,1,0.5,0,1");
    t = tp_parse(b, NULL);
    const fcs_dataset *ds = tp_ds(&t);
    s = fcs_dataset_spillover(ds);
    cr_assert_str_eq(s->keyword, "SPILL");
    cr_assert(tp_warned(ds, "$SPILLOVER", "found names only"));
    tp_free(&t);
}

Test(fcs_spillover, name_matching_fallbacks)
{
    /* trimmed, case-insensitive $PnN; then $PnS; then index */
    tp_file t = with_spill("$SPILLOVER", "3, fitc-a ,PI,1,1,0,0,0,1,0,0,0,1");
    const fcs_dataset *ds = tp_ds(&t);
    const fcs_spillover *s = fcs_dataset_spillover(ds);
    cr_assert_not_null(s);
    cr_assert_eq(s->param_index[0], 1);
    cr_assert_eq(s->param_index[1], 2); /* $P3S = PI */
    cr_assert_eq(s->param_index[2], 0); /* index 1 */
    cr_assert_str_eq(s->names[1], "PE-A");
    cr_assert_str_eq(s->names[2], "FSC-A");
    tp_free(&t);
}

Test(fcs_spillover, accuri_decimal_commas)
{
    tp_file t = with_spill("$SPILLOVER", "2,2,3,1,000,0,125,0,030,1,000");
    const fcs_dataset *ds = tp_ds(&t);
    const fcs_spillover *s = fcs_dataset_spillover(ds);
    cr_assert_not_null(s);
    cr_assert_eq(s->param_index[0], 1);
    cr_assert_float_eq(s->values[0], 1.0, 0);
    cr_assert_float_eq(s->values[1], 0.125, 0);
    cr_assert_float_eq(s->values[2], 0.03, 1e-15);
    cr_assert(tp_warned(ds, "$SPILLOVER", "decimal comma"));
    tp_free(&t);
}

Test(fcs_spillover, unusable_matrices_warn_and_give_none)
{
    struct {
        const char *value;
        const char *fragment;
    } cases[] = {
        {"2,FITC-A,PE-A", "found names only"},
        {"2,FITC-A,PE-A,1,0,0", "expected 7 items for a 2x2 matrix, found 6"},
        {"x,FITC-A", "with a positive n, found \"x,FITC-A\""},
        {"0", "with a positive n"},
        {"2,FITC-A,APC-A,1,0,0,1", "found \"APC-A\""},
        {"2,FITC-A,fitc-a,1,0,0,1", "expected distinct detectors"},
        {"2,FITC-A,PE-A,1,abc,0,1", "entry 2, found \"abc\""},
        {"2,FITC-A,PE-A,1,nan,0,1", "entry 2, found \"nan\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tp_file t = with_spill("$SPILLOVER", cases[i].value);
        const fcs_dataset *ds = tp_ds(&t);
        cr_assert_null(fcs_dataset_spillover(ds), "%s", cases[i].value);
        cr_assert(tp_warned(ds, "$SPILLOVER", cases[i].fragment), "%s: no warning \"%s\"",
                  cases[i].value, cases[i].fragment);
        cr_assert_eq(fcs_dataset_n_events(ds), 1);
        tp_free(&t);
    }
}

Test(fcs_spillover, none_present)
{
    tp_file t = tp_parse(three(), NULL);
    cr_assert_null(fcs_dataset_spillover(tp_ds(&t)));
    cr_assert_eq(fcs_dataset_n_warnings(tp_ds(&t)), 0);
    tp_free(&t);
}
