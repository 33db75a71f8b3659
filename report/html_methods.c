/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * html_methods.c: the methods paragraph of a run, written from the run's own values so a
 * scientist can paste it into a paper: instrument ($CYT), channels and dyes, compensation,
 * pre-gates, quadrant thresholds (units and the $PnG rule), statistics and software
 * versions. Shown in report.html and written as methods.txt (docs/outputs.md).
 */
#include "report/html_internal.h"
#include "util/util.h"

#include <gsl/gsl_version.h>
#include <libxml/xmlversion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The $CYT of the samples (the first one found; a note when the files do not name it). */
static void instrument(FILE *m, const report_input *r)
{
    const char *cyt = NULL;
    bool several = false, read = false;
    for (size_t i = 0; r->inputs != NULL && i < r->n_samples; i++) {
        read = read || r->inputs[i].ds != NULL;
        const char *c = r->inputs[i].ds ? fcs_dataset_keyword(r->inputs[i].ds, "$CYT") : NULL;
        if (c != NULL && c[0] != '\0') {
            several = several || (cyt != NULL && strcmp(c, cyt) != 0);
            cyt = cyt != NULL ? cyt : c;
        }
    }
    size_t analysed = 0;
    for (size_t i = 0; i < r->n_samples; i++) {
        analysed += r->samples[i].error[0] == '\0';
    }
    fprintf(m, "%zu samples were acquired on ", analysed);
    if (cyt != NULL) {
        fprintf(m, "a %s%s", cyt, several ? " (and other instruments; see the FCS files)" : "");
    } else if (read) {
        fputs("a flow cytometer whose FCS files do not name it ($CYT)", m);
    } else { /* merged shards: the files were read by the shards */
        fputs("a flow cytometer", m);
    }
    fputs(" and analysed with apoflow " APOFLOW_VERSION ".", m);
}

static void channels(FILE *m, const assay_result *res)
{
    fprintf(m, " Annexin V%s%s was read on %s and the dead-cell dye%s%s on %s.",
            res->annexin_fluor[0] ? "-" : "", res->annexin_fluor, res->annexin_channel,
            res->dead_dye[0] ? " " : "", res->dead_dye, res->pi_channel);
}

static void compensation(FILE *m, const assay_result *res)
{
    if (res->comp_source == ASSAY_COMPSRC_NONE) {
        fputs(" No compensation was applied.", m);
    } else {
        fprintf(m, " Spillover was compensated (source: %s; %s): %s into %s %.4g, %s into %s "
                   "%.4g.",
                assay_comp_source_name(res->comp_source), res->comp_detail,
                res->annexin_channel, res->pi_channel,
                res->spill[1], res->pi_channel, res->annexin_channel, res->spill[2]);
    }
}

/* The part of the pre-gate detail after @p key ("Cells: ") up to "; Singlets: " or the end;
 * "" when @p key is absent. */
static void segment(const char *detail, const char *key, char *out, size_t cap)
{
    const char *p = strstr(detail, key);
    out[0] = '\0';
    if (p == NULL) {
        return;
    }
    p += strlen(key);
    const char *e = strstr(p, "; Singlets: ");
    size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), p);
}

/* "Debris was excluded on forward and side scatter (automatic: <how>)." or why not
 * (@p what: "Debris was", "Doublets were"). */
static void one_pregate(FILE *m, const char *what, const char *where, bool applied,
                        assay_pregate gate, assay_pregate_choice c, const char *how)
{
    const char *choice = assay_pregate_choice_name(c, gate);
    if (applied) {
        fprintf(m, " %s excluded on %s (%s%s%s).", what, where, choice, how[0] ? ": " : "", how);
    } else if (c == ASSAY_PREGATE_CHOICE_OFF || how[0] == '\0') {
        fprintf(m, " %s not excluded (%s).", what, choice);
    } else { /* "none (no FSC-A/FSC-H pair ...)": the reason */
        size_t n = strlen(how);
        bool wrapped = strncmp(how, "none (", 6) == 0 && how[n - 1] == ')';
        fprintf(m, " %s not excluded (%.*s).", what, wrapped ? (int)(n - 7) : (int)n,
                wrapped ? how + 6 : how);
    }
}

static void pregates(FILE *m, const assay_result *res)
{
    char cells[512], singlets[512];
    segment(res->pregate_detail, "Cells: ", cells, sizeof cells);
    segment(res->pregate_detail, "Singlets: ", singlets, sizeof singlets);
    one_pregate(m, "Debris was", "forward and side scatter", res->debris_gate,
                ASSAY_PREGATE_DEBRIS, res->debris_choice, cells);
    one_pregate(m, "Doublets were", "forward scatter area against height or width",
                res->singlet_gate, ASSAY_PREGATE_SINGLET, res->singlet_choice, singlets);
}

/* Whether the first sample's Annexin V or dye channel has a $PnG that divides its values. */
static bool gain_divides(const report_input *r)
{
    const fcs_dataset *ds = NULL;
    for (size_t i = 0; r->inputs != NULL && i < r->n_samples && ds == NULL; i++) {
        ds = r->inputs[i].ds;
    }
    for (size_t p = 0; ds != NULL && p < fcs_dataset_n_params(ds); p++) {
        const fcs_param *pr = fcs_dataset_param(ds, p);
        bool ours = strcmp(pr->name, r->res->annexin_channel) == 0 ||
                    strcmp(pr->name, r->res->pi_channel) == 0;
        if (ours && fcs_param_gain_divides(pr)) {
            return true;
        }
    }
    return false;
}

/* "Annexin V at 326.2 (the 99.5th percentile of ctrl_pi_only; control_quantile_99.5)". */
static void one_threshold(FILE *m, const char *marker, const assay_threshold *t)
{
    fprintf(m, "%s at %.4g (", marker, t->value);
    switch (t->method) {
    case ASSAY_THRESHOLD_CONTROL_QUANTILE:
        fprintf(m, "the %gth percentile of the negative control %s; ", t->percentile, t->source);
        break;
    case ASSAY_THRESHOLD_DENSITY_VALLEY:
        fprintf(m, "the density valley between negative and positive cells of %s%s; ",
                t->source[0] ? t->source : "the stained samples",
                isfinite(t->control_scaled) ? ", where the negative control's line lay on a "
                                              "population (see the thresholds table)"
                                            : "");
        break;
    case ASSAY_THRESHOLD_FIXED:
        fputs("set by hand; ", m);
        break;
    case ASSAY_THRESHOLD_GATING_FILE:
        fputs("from a gating file; ", m);
        break;
    case ASSAY_THRESHOLD_UNSET:
        break;
    }
    char method[ASSAY_THRESHOLD_METHOD_TEXT];
    fprintf(m, "%s)", assay_threshold_method_text(t->method, t->percentile, method, sizeof method));
}

static void thresholds(FILE *m, const report_input *r)
{
    const assay_result *res = r->res;
    fputs(" Quadrants were set on compensated, logicle-transformed singlets with the "
          "thresholds ",
          m);
    one_threshold(m, "Annexin V", &res->annexin);
    fputs(" and ", m);
    one_threshold(m, res->dead_dye[0] ? res->dead_dye : "dead-cell dye", &res->pi);
    fputs(" in compensated data units", m);
    fputs(gain_divides(r) ? ", after dividing each value by its channel's gain ($PnG)." : ".",
          m);
    fputs(" Apoptotic cells were the Annexin V-positive singlets (early plus late apoptotic).",
          m);
}

static void statistics(FILE *m, const assay_result *res)
{
    bool reps = false, none = false, untreated = false;
    for (size_t i = 0; i < res->n_comparisons; i++) {
        const assay_comparison *c = &res->comparisons[i];
        reps = reps || c->replicates;
        none = none || !c->replicates;
        untreated = untreated || c->comparison == ASSAY_COMPARISON_STIMULUS_VS_UNTREATED;
    }
    if (reps) {
        fputs(" Apoptotic percentages of treated groups were compared with the stimulus-only "
              "group by one-way ANOVA with Dunnett's many-to-one comparisons (single-step "
              "adjusted p-values) and by Welch's t-test per pair",
              m);
        fputs(untreated ? "; the stimulus-only group was compared with the untreated group "
                          "by Welch's t-test."
                        : ".",
              m);
        fputs(" Replicate samples were the experimental unit.", m);
    }
    if (none) {
        fputs(" Groups without replicate samples were not tested: their 95 % confidence "
              "intervals, computed from event counts, describe the precision of the "
              "measurement only, since events are not independent replicates.",
              m);
    }
    if (res->n_comparisons == 0) {
        fputs(" No groups were compared.", m);
    }
    for (size_t k = 0; k < res->n_fits; k++) {
        if (res->fits[k].ok) {
            fprintf(m, " The dose response of %s was fitted with a four-parameter logistic "
                       "model.",
                    res->fits[k].treatment);
        }
    }
}

char *html_methods_text(const report_input *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (m == NULL) {
        return NULL;
    }
    instrument(m, r);
    channels(m, r->res);
    compensation(m, r->res);
    pregates(m, r->res);
    thresholds(m, r);
    statistics(m, r->res);
    if (r->adjustments != NULL && r->adjustments->n > 0) {
        fprintf(m, " %zu gate(s) were adjusted by hand in the report's gate review and "
                   "applied to every event (results.json, gating_adjustments).",
                r->adjustments->n);
    }
    fprintf(m, " Software: apoflow %s (GNU Scientific Library %s, libxml2 %s).",
            APOFLOW_VERSION, GSL_VERSION, LIBXML_DOTTED_VERSION);
    if (fclose(m) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

void html_methods_section(FILE *f, const char *text)
{
    fputs("<section id=\"methods\"><h2>Methods</h2>\n<p>A paragraph for a paper, written from "
          "this run's values (also in <a href=\"methods.txt\">methods.txt</a>):</p>\n"
          "<p class=\"methods\" id=\"methods-text\">",
          f);
    html_esc(f, text != NULL ? text : "(not available: out of memory)");
    fputs("</p>\n</section>\n", f);
}

apo_status html_write_methods_txt(const report_input *r, const char *text, apo_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/methods.txt", r->outdir);
    apo_atomic_file af;
    apo_status st = apo_atomic_open(&af, path, err);
    if (st != APO_OK) {
        return st;
    }
    fputs(text, af.fp);
    fputc('\n', af.fp);
    if (ferror(af.fp)) {
        apo_atomic_abort(&af);
        return apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL, "write error");
    }
    return apo_atomic_commit(&af, err);
}
