/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * html_samples.c: the samples of report.html, in the order people read an experiment
 * (assay_result_sheet_order): the sortable samples table, the failures table, and one
 * section per sample with its gating path (every gate), quadrant counts and percentages, its
 * event rate over Time, and each QC flag explained with what to check. The samples table and
 * the Warnings section link to these sections.
 */
#include "report/figures.h"
#include "report/html_internal.h"
#include "util/paths.h"

#include <stdio.h>
#include <string.h>

/* What a QC flag means and what to check (the rules: docs/outputs.md, docs/algorithms.md). */
typedef struct flag_text {
    const char *name, *meaning, *check;
} flag_text;

static const flag_text flag_texts[] = {
    {"low_events", "fewer singlets than --min-events (default 500): the percentages have a wide "
                   "sampling error",
     "whether enough cells were acquired; repeat the acquisition or pool replicates"},
    {"control_implausible", "a control's positive fraction is implausible (the unstained over "
                            "5 % positive, a single stain under 5 % positive for its own dye or "
                            "over 5 % for the other)",
     "that the control tube was stained as labelled and matched to the right file in the sheet"},
    {"threshold_outlier", "this sample's own Annexin V valley is far from the shared threshold",
     "its quadrant plot: a shifted negative population (staining, voltage or compensation) "
     "moves its percentages"},
    {"flow_instability", "the event rate over Time changes abruptly (a clog, a bubble or a "
                         "pressure change)",
     "the Time plot below: events from the unstable stretch may be altered; re-acquire or "
     "exclude that stretch"},
    {"no_singlet_gate", "the file has no FSC-A/FSC-H pair, so doublets were not excluded",
     "whether doublets matter for this experiment; record FSC-H (or FSC-W) next time"},
    {"no_time_channel", "the file has no Time channel, so the flow could not be checked",
     "the acquisition log for clogs; record Time next time"},
    {"threshold_in_population", "a quadrant line lies inside a population (valley depth above "
                                "0.5), so small shifts move many cells between quadrants",
     "the quadrant plot and the controls; consider fixed thresholds (--thresholds)"},
    {"no_separation", "a marker shows no valley between its negative and positive cells: the "
                      "percentages are unreliable",
     "the staining (titration, fresh reagent) and the detector voltage"},
    {"singlet_gate_removed_many", "the singlet gate removed more than 20 % of the cells",
     "the FSC-A/FSC-H plot of the gating path: clumped cells, or a gate that cuts singlets "
     "(--no-singlet-gate to compare)"},
    {"debris_gate_outlier", "this sample's own debris valley is more than 0.2 decades from the "
                            "shared debris gate",
     "the FSC/SSC plot of the gating path: the cells' size differs from the other samples"},
    {"debris_in_cells", "debris overlaps the cells: an estimated more than 1 % of the Cells gate "
                        "is debris, which biases the percentages of debris-rich samples",
     "the FSC/SSC plot of the gating path; compare with --no-debris-gate"},
};

static const flag_text *flag_lookup(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof flag_texts / sizeof *flag_texts; i++) {
        if (strlen(flag_texts[i].name) == len && strncmp(flag_texts[i].name, name, len) == 0) {
            return &flag_texts[i];
        }
    }
    return NULL;
}

/* The first @p len bytes of @p s, escaped. */
static void esc_n(FILE *f, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c[2] = {s[i], '\0'};
        html_esc(f, c);
    }
}

/* The ';'-joined @p flags as links to the sample's QC flags (text unchanged). */
static void flag_links(FILE *f, const char *id, const char *flags)
{
    for (const char *p = flags; *p;) {
        size_t len = strcspn(p, ";");
        fputs("<a href=\"#", f);
        html_esc(f, id);
        fputs("-qc\">", f);
        esc_n(f, p, len); /* merged shards' flags come from their files */
        fputs("</a>", f);
        p += len;
        if (*p == ';') {
            fputs(";<wbr>", f);
            p++;
        }
    }
}

static void sample_row(FILE *f, const report_sample *s)
{
    char id[200];
    html_sample_id(s, id, sizeof id);
    const char *base = strrchr(s->file, '/');
    fputs(s->error[0] ? "<tr class=\"failed\"><td><a href=\"#" : "<tr><td><a href=\"#", f);
    html_esc(f, id);
    fputs("\">", f);
    html_esc(f, s->sample);
    fputs("</a></td><td>", f);
    html_esc_wrap(f, base ? base + 1 : s->file);
    fputs("</td><td>", f);
    html_esc_wrap(f, s->role);
    fputs("</td><td>", f);
    html_esc(f, s->treatment);
    fputs("</td><td class=\"n\">", f);
    html_esc(f, s->dose);
    fputs("</td><td>", f);
    html_esc(f, s->dose_unit);
    fputs("</td><td class=\"n\">", f);
    if (s->replicate) {
        fprintf(f, "%u", s->replicate);
    }
    fputs("</td><td>", f);
    html_esc(f, s->well);
    fprintf(f, "</td><td class=\"n\">%llu</td><td class=\"n\">%llu</td>",
            (unsigned long long)s->events, (unsigned long long)s->singlets);
    for (int q = 0; q < ASSAY_Q_COUNT; q++) {
        fputs("<td class=\"n\">", f);
        html_num(f, s->pct[q], 2);
        fputs("</td>", f);
    }
    fputs("<td class=\"n\"><b>", f);
    html_num(f, s->apoptotic_pct, 2);
    fputs("</b></td><td class=\"qc\" title=\"", f);
    html_esc(f, s->error[0] ? s->error : s->qc_detail);
    fputs("\">", f);
    if (s->error[0]) {
        fputs("failed", f);
    } else {
        flag_links(f, id, s->qc_flags);
    }
    fputs("</td></tr>\n", f);
}

static void failures_table(FILE *f, const report_input *r)
{
    fputs("<h3>Files and samples that could not be analysed</h3>\n<div class=\"scroll\">"
          "<table id=\"failures\"><thead><tr><th>file</th><th>step</th><th>reason</th></tr>"
          "</thead><tbody>\n",
          f);
    for (size_t i = 0; i < r->n_failures; i++) {
        fputs("<tr class=\"failed\"><td class=\"path\">", f);
        html_esc(f, r->failures[i].file);
        fputs("</td><td>", f);
        html_esc(f, r->failures[i].step);
        fputs("</td><td>", f);
        html_esc(f, r->failures[i].reason);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
}

void html_samples_table(FILE *f, const report_input *r)
{
    fputs("<section id=\"samples\"><h2>Samples</h2>\n<p>In the sheet's order: controls, "
          "untreated, stimulus, then each treatment by increasing dose. Quadrant percentages "
          "are of singlets (apoptotic = early + late). Click a sample for its gating path, "
          "Time plot and flags, a column header to sort. Full precision is in samples.csv."
          "</p>\n<div class=\"scroll\"><table id=\"samples-table\" class=\"sortable\"><thead>"
          "<tr><th>sample</th><th>file</th><th>role</th><th>treatment</th><th data-type="
          "\"num\">dose</th><th>unit</th><th data-type=\"num\">rep</th><th>well</th>"
          "<th data-type=\"num\">events</th><th data-type=\"num\">singlets</th>"
          "<th data-type=\"num\">viable %</th><th data-type=\"num\">early %</th>"
          "<th data-type=\"num\">late %</th><th data-type=\"num\">necrotic %</th>"
          "<th data-type=\"num\">apoptotic %</th><th>QC flags</th></tr></thead><tbody>\n",
          f);
    for (size_t k = 0; k < r->n_samples; k++) {
        sample_row(f, &r->samples[html_sample_at(r, k)]);
    }
    fputs("</tbody></table></div>\n<p><small>QC flags (each sample's section explains its own "
          "and what to check):",
          f);
    for (size_t i = 0; i < sizeof flag_texts / sizeof *flag_texts; i++) {
        fprintf(f, "%s <b>%s</b> %s", i ? ";" : "", flag_texts[i].name, flag_texts[i].meaning);
    }
    fputs("; <b>failed</b> not analysed. Hover a flag for the details.</small></p>\n", f);
    if (r->n_failures > 0) {
        failures_table(f, r);
    }
    fputs("</section>\n", f);
}

static void quadrant_table(FILE *f, const report_sample *s, const char *id)
{
    static const char *const names[ASSAY_Q_COUNT] = {
        "viable (Annexin V&minus; dye&minus;)", "early apoptotic (Annexin V+ dye&minus;)",
        "late apoptotic (Annexin V+ dye+)", "necrotic (Annexin V&minus; dye+)"};
    fputs("<div class=\"scroll\"><table class=\"quadrants\" id=\"", f);
    html_esc(f, id);
    fputs("-quadrants\"><thead><tr><th>quadrant</th><th>events</th><th>% of singlets</th>"
          "</tr></thead><tbody>\n",
          f);
    for (int q = 0; q < ASSAY_Q_COUNT; q++) {
        fprintf(f, "<tr><td>%s</td><td class=\"n\">%llu</td><td class=\"n\">", names[q],
                (unsigned long long)s->count[q]);
        html_num(f, s->pct[q], 2);
        fputs("</td></tr>\n", f);
    }
    fprintf(f, "<tr><td><b>apoptotic (early + late)</b></td><td class=\"n\">%llu</td><td "
               "class=\"n\"><b>",
            (unsigned long long)(s->count[ASSAY_Q_EARLY] + s->count[ASSAY_Q_LATE]));
    html_num(f, s->apoptotic_pct, 2);
    fprintf(f, "</b></td></tr>\n<tr><td>singlets</td><td class=\"n\">%llu</td><td "
               "class=\"n\">100.00</td></tr>\n</tbody></table></div>\n",
            (unsigned long long)s->singlets);
}

static void flag_list(FILE *f, const report_sample *s, const char *id)
{
    fputs("<h4 id=\"", f);
    html_esc(f, id);
    fputs("-qc\">QC flags</h4>\n", f);
    if (s->error[0]) {
        fputs("<p class=\"warn\">Not analysed: ", f);
        html_esc(f, s->error);
        fputs("</p>\n", f);
        return;
    }
    if (s->qc_flags[0] == '\0') {
        fputs("<p>None.</p>\n", f);
        return;
    }
    fputs("<ul class=\"flags\">\n", f);
    for (const char *p = s->qc_flags; *p;) {
        size_t len = strcspn(p, ";");
        const flag_text *t = flag_lookup(p, len);
        fputs("<li><b>", f);
        esc_n(f, p, len);
        fputs("</b>: ", f);
        html_esc(f, t != NULL ? t->meaning : "see docs/outputs.md");
        if (t != NULL) {
            fputs(". <i>Check:</i> ", f);
            html_esc(f, t->check);
        }
        fputs(".</li>\n", f);
        p += len + (p[len] == ';');
    }
    fputs("</ul>\n", f);
    if (s->qc_detail[0]) {
        fputs("<p><small>Details: ", f);
        html_esc(f, s->qc_detail);
        fputs("</small></p>\n", f);
    }
}

/* Embed plots/<stem>.time.png, the sample's event rate over Time, when it was drawn. */
static void time_plot(FILE *f, const report_input *r, const report_sample *s, const char *stem)
{
    char name[200], path[4096], alt[300];
    report_time_plot_name(name, sizeof name, stem, "png");
    snprintf(path, sizeof path, "%s/plots/%s", r->outdir, name);
    snprintf(alt, sizeof alt, "event rate over Time of %s", s->sample);
    fputs("<h4>Event rate over Time</h4>\n", f);
    if (!html_embed_png(f, path, alt, "plot")) {
        fputs("<p>No Time plot was drawn for this sample.</p>\n", f);
    }
}

static void sample_section(FILE *f, const report_input *r, const report_sample *s)
{
    char id[200], stem[160], path[4096];
    html_sample_id(s, id, sizeof id);
    apo_output_name(s->sample, stem, sizeof stem);
    fputs("<section class=\"sample\" id=\"", f);
    html_esc(f, id);
    fputs("\"><h3>", f);
    html_esc(f, s->sample);
    fputs("</h3>\n<p>", f);
    html_esc(f, s->file);
    fputs("; role ", f);
    html_esc(f, s->role[0] ? s->role : "not given");
    if (s->treatment[0]) {
        fputs("; ", f);
        html_esc(f, s->treatment);
    }
    if (s->dose[0]) {
        fputc(' ', f);
        html_esc(f, s->dose);
        fputc(' ', f);
        html_esc(f, s->dose_unit);
    }
    if (s->replicate) {
        fprintf(f, "; replicate %u", s->replicate);
    }
    if (s->well[0]) {
        fputs("; well ", f);
        html_esc(f, s->well);
    }
    fprintf(f, "; %llu events, %llu singlets.</p>\n<figure>", (unsigned long long)s->events,
            (unsigned long long)s->singlets);
    snprintf(path, sizeof path, "%s/plots/%s.png", r->outdir, stem);
    if (!html_embed_png(f, path, s->sample, "thumb")) {
        fputs("<p>(no plot)</p>", f);
    }
    fputs("<figcaption>Gating path: every gate as applied, then the quadrants.</figcaption>"
          "</figure>\n",
          f);
    if (!s->error[0]) {
        quadrant_table(f, s, id);
    }
    time_plot(f, r, s, stem);
    flag_list(f, s, id);
    fputs("</section>\n", f);
}

void html_sample_sections(FILE *f, const report_input *r)
{
    fprintf(f, "<section id=\"gating\"><h2>Each sample</h2>\n<p>Debris exclusion (FSC/SSC), "
               "doublet exclusion (FSC-A/FSC-H), then the Annexin V / %s quadrants on "
               "compensated, logicle-scaled singlets; the quadrant counts, the event rate over "
               "Time and the QC flags with what to check.</p>\n",
            r->res != NULL ? assay_dead_dye_label(r->res) : "PI");
    for (size_t k = 0; k < r->n_samples; k++) {
        sample_section(f, r, &r->samples[html_sample_at(r, k)]);
    }
    fputs("</section>\n", f);
}

size_t html_warning_items(const report_input *r)
{
    size_t n = r->res->n_warnings;
    for (size_t i = 0; i < r->n_samples; i++) {
        n += r->samples[i].error[0] || r->samples[i].qc_flags[0];
    }
    return n;
}
