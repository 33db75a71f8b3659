// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * methods.c: the names of the choices recorded in the results model (methods.h) and their
 * parsers. One table per enumeration, indexed by value, holds the exact text the outputs
 * write; parsing is the reverse lookup, so a name and its parse cannot drift apart.
 */
#include "assay/methods.h"

#include "util/util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof *(a))

static const char *const threshold_names[] = {"", "fixed", "control_quantile", "density_valley",
                                              "gating_file"};
static const char *const comp_source_names[] = {"auto", "controls", "file",
                                                "matrix", "none",     "gating_file"};
static const char *const debris_choice_names[] = {"", "automatic", "off (--no-debris-gate)",
                                                  "from --gating"};
static const char *const singlet_choice_names[] = {"", "automatic", "off (--no-singlet-gate)",
                                                   "from --gating"};
static const char *const comparison_names[] = {"", "treated_vs_stimulus",
                                               "stimulus_vs_untreated"};
static const char *const test_names[] = {"", "welch_t", "welch_t_no_variance",
                                         "none_no_replicates"};
static const char *const adjust_names[] = {"", "dunnett_single_step", "none_single_comparison"};
static const char *const ci_names[] = {"", "t_replicates", "events_wilson_wald_log"};

_Static_assert(COUNT(threshold_names) == ASSAY_THRESHOLD_METHOD_COUNT, "threshold methods");
_Static_assert(COUNT(comp_source_names) == ASSAY_COMPSRC_COUNT, "spillover sources");
_Static_assert(COUNT(debris_choice_names) == ASSAY_PREGATE_CHOICE_COUNT, "pre-gate choices");
_Static_assert(COUNT(singlet_choice_names) == ASSAY_PREGATE_CHOICE_COUNT, "pre-gate choices");
_Static_assert(COUNT(comparison_names) == ASSAY_COMPARISON_KIND_COUNT, "comparison kinds");
_Static_assert(COUNT(test_names) == ASSAY_TEST_COUNT, "tests");
_Static_assert(COUNT(adjust_names) == ASSAY_ADJUST_COUNT, "adjustments");
_Static_assert(COUNT(ci_names) == ASSAY_CI_METHOD_COUNT, "interval methods");

static const char *name_in(const char *const *names, size_t n, int v)
{
    return v >= 0 && (size_t)v < n ? names[v] : "";
}

/* The index of @p s in @p names, or -1. */
static int index_in(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; s != NULL && i < n; i++) {
        if (strcmp(names[i], s) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* The name and the parser of an enumeration whose table holds every value's name. */
#define ENUM_NAMES(fn, type, names)                                                           \
    const char *assay_##fn##_name(type v)                                                    \
    {                                                                                         \
        return name_in(names, COUNT(names), (int)v);                                          \
    }                                                                                         \
    bool assay_##fn##_parse(const char *s, type *out)                                         \
    {                                                                                         \
        int i = index_in(names, COUNT(names), s);                                             \
        if (i >= 0) {                                                                         \
            *out = (type)i;                                                                   \
        }                                                                                     \
        return i >= 0;                                                                        \
    }

ENUM_NAMES(comp_source, assay_comp_source, comp_source_names)
ENUM_NAMES(comparison_kind, assay_comparison_kind, comparison_names)
ENUM_NAMES(test, assay_test, test_names)
ENUM_NAMES(adjust, assay_adjust, adjust_names)
ENUM_NAMES(ci_method, assay_ci_method, ci_names)

bool assay_test_is_welch(assay_test t)
{
    return t == ASSAY_TEST_WELCH_T || t == ASSAY_TEST_WELCH_T_NO_VARIANCE;
}

const char *assay_threshold_method_name(assay_threshold_method m)
{
    return name_in(threshold_names, COUNT(threshold_names), (int)m);
}

const char *assay_threshold_method_text(assay_threshold_method m, double percentile, char *buf,
                                        size_t cap)
{
    if (cap == 0) {
        return buf;
    }
    if (m == ASSAY_THRESHOLD_CONTROL_QUANTILE) {
        snprintf(buf, cap, "%s_%g", assay_threshold_method_name(m), percentile);
    } else {
        snprintf(buf, cap, "%s", assay_threshold_method_name(m));
    }
    return buf;
}

bool assay_threshold_method_parse(const char *s, assay_threshold_method *out, double *percentile)
{
    if (s == NULL) {
        return false;
    }
    const char *q = threshold_names[ASSAY_THRESHOLD_CONTROL_QUANTILE];
    const size_t nq = strlen(q);
    if (strncmp(s, q, nq) == 0 && s[nq] == '_') {
        /* the percentile, accepted only as the text function writes it (so the text read
         * back is the text written) */
        double p;
        char again[ASSAY_THRESHOLD_METHOD_TEXT];
        if (!apo_parse_double(s + nq + 1, strlen(s + nq + 1), false, &p) || !(p > 0) ||
            p > 100 ||
            strcmp(assay_threshold_method_text(ASSAY_THRESHOLD_CONTROL_QUANTILE, p, again,
                                               sizeof again),
                   s) != 0) {
            return false;
        }
        *out = ASSAY_THRESHOLD_CONTROL_QUANTILE;
        *percentile = p;
        return true;
    }
    int i = index_in(threshold_names, COUNT(threshold_names), s);
    if (i < 0 || i == ASSAY_THRESHOLD_CONTROL_QUANTILE) {
        return false;
    }
    *out = (assay_threshold_method)i;
    *percentile = NAN;
    return true;
}

const char *assay_pregate_choice_name(assay_pregate_choice c, assay_pregate g)
{
    return g == ASSAY_PREGATE_SINGLET
               ? name_in(singlet_choice_names, COUNT(singlet_choice_names), (int)c)
               : name_in(debris_choice_names, COUNT(debris_choice_names), (int)c);
}

bool assay_pregate_choice_parse(const char *s, assay_pregate g, assay_pregate_choice *out)
{
    int i = g == ASSAY_PREGATE_SINGLET
                ? index_in(singlet_choice_names, COUNT(singlet_choice_names), s)
                : index_in(debris_choice_names, COUNT(debris_choice_names), s);
    if (i >= 0) {
        *out = (assay_pregate_choice)i;
    }
    return i >= 0;
}
