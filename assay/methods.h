/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * methods.h: the choices the assay records in its results model (assay.h) as enumerations:
 * how each quadrant threshold was placed, where the spillover came from, how each pre-gate
 * was chosen, which test, adjustment and interval each group comparison used. Each has one
 * _name() giving the exact text the outputs write (samples.csv, comparisons.csv,
 * results.json, report.html; docs/outputs.md) and one _parse() reading that text back (the
 * merge of sharded runs reads results.json). Free-text explanations (reasons, notes,
 * details) stay strings in the results model.
 */
#ifndef APOFLOW_ASSAY_METHODS_H
#define APOFLOW_ASSAY_METHODS_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Every _name() returns a static string ("" for a value out of range); every _parse() accepts
 * exactly the names (case-sensitive, as the outputs write them) and returns false, leaving
 * *out unchanged, for any other text. The zero value of each enumeration, where it means
 * "not recorded", has the name "".
 */

/* How a quadrant threshold was placed (results.json thresholds.*.method). */
typedef enum assay_threshold_method {
    ASSAY_THRESHOLD_UNSET = 0,        /* "" */
    ASSAY_THRESHOLD_FIXED,            /* "fixed": given with --thresholds */
    ASSAY_THRESHOLD_CONTROL_QUANTILE, /* "control_quantile_<p>": the p-th percentile of a
                                         negative control, p written as %g ("..._99.5") */
    ASSAY_THRESHOLD_DENSITY_VALLEY,   /* "density_valley": the stained samples' valley */
    ASSAY_THRESHOLD_GATING_FILE       /* "gating_file": read from --gating */
} assay_threshold_method;
#define ASSAY_THRESHOLD_METHOD_COUNT 5
/* Room for the text of any threshold method, its NUL included. */
#define ASSAY_THRESHOLD_METHOD_TEXT 48

/** The name of @p m without its percentile ("control_quantile" for CONTROL_QUANTILE). */
const char *assay_threshold_method_name(assay_threshold_method m);
/** The text the outputs write for @p m into @p buf: its name, and for CONTROL_QUANTILE "_"
 *  and @p percentile as %g ("control_quantile_99.5"). Returns @p buf. */
const char *assay_threshold_method_text(assay_threshold_method m, double percentile, char *buf,
                                        size_t cap);
/** Parse a threshold method's text; *percentile gets the percentile of CONTROL_QUANTILE (a
 *  number in (0, 100] written as the text function writes it), NaN for the others. */
bool assay_threshold_method_parse(const char *s, assay_threshold_method *out,
                                  double *percentile);

/* Where the spillover comes from: asked for (assay_options.comp) and used (assay_result). */
typedef enum assay_comp_source {
    ASSAY_COMPSRC_AUTO = 0, /* "auto": controls when the sheet has both single stains, else
                               file, else none (asked for only) */
    ASSAY_COMPSRC_CONTROLS, /* "controls": computed from the single-stain controls */
    ASSAY_COMPSRC_FILE,     /* "file": the data set's spillover keyword */
    ASSAY_COMPSRC_MATRIX,   /* "matrix": options.matrix (e.g. --comp MATRIX.csv) */
    ASSAY_COMPSRC_NONE,     /* "none" */
    ASSAY_COMPSRC_GATING_FILE /* "gating_file": as the --gating file applies it (used only) */
} assay_comp_source;
#define ASSAY_COMPSRC_COUNT 6

const char *assay_comp_source_name(assay_comp_source s);
bool assay_comp_source_parse(const char *s, assay_comp_source *out);

/* The two pre-gates. */
typedef enum assay_pregate {
    ASSAY_PREGATE_DEBRIS = 0, /* the Cells gate on scatter */
    ASSAY_PREGATE_SINGLET     /* the Singlets gate (doublet exclusion) */
} assay_pregate;

/* How a pre-gate was chosen (results.json pregate_choices). */
typedef enum assay_pregate_choice {
    ASSAY_PREGATE_CHOICE_UNSET = 0,  /* "": not recorded (a merged run) */
    ASSAY_PREGATE_CHOICE_AUTOMATIC,  /* "automatic" */
    ASSAY_PREGATE_CHOICE_OFF,        /* "off (--no-debris-gate)", "off (--no-singlet-gate)" */
    ASSAY_PREGATE_CHOICE_FROM_GATING /* "from --gating" */
} assay_pregate_choice;
#define ASSAY_PREGATE_CHOICE_COUNT 4

/** The text of choice @p c for pre-gate @p g (OFF names the option that turned @p g off). */
const char *assay_pregate_choice_name(assay_pregate_choice c, assay_pregate g);
bool assay_pregate_choice_parse(const char *s, assay_pregate g, assay_pregate_choice *out);

/* Which group comparison a row is (comparisons.csv "comparison"). */
typedef enum assay_comparison_kind {
    ASSAY_COMPARISON_UNSET = 0,            /* "" */
    ASSAY_COMPARISON_TREATED_VS_STIMULUS,  /* "treated_vs_stimulus" */
    ASSAY_COMPARISON_STIMULUS_VS_UNTREATED /* "stimulus_vs_untreated" */
} assay_comparison_kind;
#define ASSAY_COMPARISON_KIND_COUNT 3

const char *assay_comparison_kind_name(assay_comparison_kind k);
bool assay_comparison_kind_parse(const char *s, assay_comparison_kind *out);

/* The test of a comparison (comparisons.csv "test", "test_vs_untreated"). */
typedef enum assay_test {
    ASSAY_TEST_UNSET = 0,           /* "": no such comparison (no untreated group) */
    ASSAY_TEST_WELCH_T,             /* "welch_t" */
    ASSAY_TEST_WELCH_T_NO_VARIANCE, /* "welch_t_no_variance": Welch's t without variance in
                                       either group (no p-value) */
    ASSAY_TEST_NONE_NO_REPLICATES   /* "none_no_replicates": fewer than 2 samples in a group */
} assay_test;
#define ASSAY_TEST_COUNT 4

const char *assay_test_name(assay_test t);
bool assay_test_parse(const char *s, assay_test *out);
/** Whether @p t is one of the Welch tests. */
bool assay_test_is_welch(assay_test t);

/* The multiplicity adjustment of a comparison's p-value (comparisons.csv "adjust_method"). */
typedef enum assay_adjust {
    ASSAY_ADJUST_UNSET = 0,             /* "": no adjusted p-value */
    ASSAY_ADJUST_DUNNETT_SINGLE_STEP,   /* "dunnett_single_step" */
    ASSAY_ADJUST_NONE_SINGLE_COMPARISON /* "none_single_comparison" */
} assay_adjust;
#define ASSAY_ADJUST_COUNT 3

const char *assay_adjust_name(assay_adjust a);
bool assay_adjust_parse(const char *s, assay_adjust *out);

/* How a comparison's 95 % intervals were computed (comparisons.csv "ci_method"). */
typedef enum assay_ci_method {
    ASSAY_CI_UNSET = 0,            /* "" */
    ASSAY_CI_T_REPLICATES,         /* "t_replicates": replicates as the unit */
    ASSAY_CI_EVENTS_WILSON_WALD_LOG /* "events_wilson_wald_log": events, no replicates */
} assay_ci_method;
#define ASSAY_CI_METHOD_COUNT 3

const char *assay_ci_method_name(assay_ci_method m);
bool assay_ci_method_parse(const char *s, assay_ci_method *out);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_ASSAY_METHODS_H */
