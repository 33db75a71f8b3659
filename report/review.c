/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * review.c: the "Review gates" section of report.html: the data the page script (review.js,
 * embedded verbatim) needs to let a user drag the quadrant lines and see every sample's
 * percentages previewed live: the applied thresholds and the tables between the gating scale
 * and compensated data units, the run's gating.xml (which the export edits), the command to
 * re-run, the pre-gates above the quadrants, and per sample its exact percentages and the
 * preview subsample that `apoflow run` wrote to plots/<sample>.preview.json
 * (report/review_preview.c). docs/report.md has the design.
 */
#include "report/html_internal.h"
#include "report/report.h"
#include "util/paths.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Knots of the gating-scale -> data-units tables, over the preview range [-0.5, 1.5]. */
#define REVIEW_KNOTS 4001
#define REVIEW_LO (-0.5)
#define REVIEW_HI 1.5
/* A preview file larger than this is not embedded (6,000 events make about 70 kB). */
#define REVIEW_MAX_PREVIEW (1u << 20)

extern const char apoflow_review_js[]; /* review.js, generated into the build (CMake) */

/* A JSON string safe inside <script>: <, >, & and control characters as \u escapes. */
static void js_string(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc(c, f);
        } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            fprintf(f, "\\u%04x", c);
        } else {
            fputc(c, f);
        }
    }
    fputc('"', f);
}

static void js_str(FILE *f, const char *s)
{
    js_string(f, s ? s : "", s ? strlen(s) : 0);
}

static void js_num(FILE *f, double v)
{
    if (isfinite(v)) {
        fprintf(f, "%.17g", v);
    } else {
        fputs("null", f);
    }
}

/* The whole of a small file, NUL-terminated (caller frees); NULL when unreadable or larger
 * than @p cap. */
static char *slurp(const char *path, size_t cap, size_t *len)
{
    FILE *in = fopen(path, "rb");
    if (in == NULL) {
        return NULL;
    }
    char *buf = malloc(cap + 1);
    size_t got = buf ? fread(buf, 1, cap + 1, in) : 0;
    fclose(in);
    if (buf == NULL || got > cap) {
        free(buf);
        return NULL;
    }
    buf[got] = '\0';
    *len = got;
    return buf;
}

/* The preview file is ours, but it is read back from disk: embed it only if it is the JSON
 * review_preview.c writes (no character that could end the script element). */
static bool preview_ok(const char *s, size_t n)
{
    if (n < 20 || strncmp(s, "{\"format\":\"apoflow-preview-2\"", 28) != 0) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(c == '\n' || (c >= 0x20 && c < 0x7f && c != '<' && c != '>' && c != '&'))) {
            return false;
        }
    }
    return true;
}

/* The divider of the quadrant gate on @p channel (the first QuadrantGate that has one). */
static const char *divider_id(const gate_strategy *s, const char *channel)
{
    if (s == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < gate_strategy_n_gates(s); i++) {
        gate_info g;
        gate_strategy_gate(s, i, &g);
        for (size_t k = 0; g.kind == GATE_QUADRANT_GATE && k < g.n_dividers; k++) {
            if (g.dividers[k].dim.name && strcmp(g.dividers[k].dim.name, channel) == 0) {
                return g.dividers[k].id;
            }
        }
    }
    return NULL;
}

/* The gates above the quadrant gate, top down: {"id", "kind", "dims": [{name, plain}],
 * "min", "max" (rectangles; null = open), "vertices" (polygons, x0, y0, x1, ...)}. */
static void pregates(FILE *f, const gate_strategy *s)
{
    size_t chain[32], n = 0, qg = SIZE_MAX;
    for (size_t i = 0; s != NULL && i < gate_strategy_n_gates(s) && qg == SIZE_MAX; i++) {
        gate_info g;
        gate_strategy_gate(s, i, &g);
        qg = g.kind == GATE_QUADRANT_GATE ? i : SIZE_MAX;
    }
    for (size_t i = qg == SIZE_MAX ? SIZE_MAX : gate_strategy_parent(s, qg);
         i != SIZE_MAX && n < 32; i = gate_strategy_parent(s, i)) {
        chain[n++] = i;
    }
    fputs("\"pregates\":[", f);
    for (size_t k = n; k-- > 0;) {
        gate_info g;
        gate_strategy_gate(s, chain[k], &g);
        fputs(k + 1 < n ? ",{\"id\":" : "{\"id\":", f);
        js_str(f, g.id);
        fprintf(f, ",\"kind\":\"%s\",\"dims\":[", g.kind == GATE_RECTANGLE ? "rectangle"
                                                    : g.kind == GATE_POLYGON ? "polygon"
                                                                             : "other");
        for (size_t d = 0; d < g.n_dims; d++) {
            const gate_dim *dm = &g.dims[d];
            bool plain = dm->name != NULL && dm->transform_ref == NULL && dm->ratio_ref == NULL &&
                         (dm->comp_ref == NULL || strcmp(dm->comp_ref, GATE_COMP_NONE) == 0);
            fputs(d ? ",{\"name\":" : "{\"name\":", f);
            js_str(f, dm->name);
            fprintf(f, ",\"plain\":%s}", plain ? "true" : "false");
        }
        fputs("]", f);
        if (g.kind == GATE_RECTANGLE) {
            fputs(",\"min\":[", f);
            for (size_t d = 0; d < g.n_dims; d++) {
                fputs(d ? "," : "", f);
                js_num(f, g.min[d]);
            }
            fputs("],\"max\":[", f);
            for (size_t d = 0; d < g.n_dims; d++) {
                fputs(d ? "," : "", f);
                js_num(f, g.max[d]);
            }
            fputs("]", f);
        } else if (g.kind == GATE_POLYGON) {
            fputs(",\"vertices\":[", f);
            for (size_t v = 0; v < 2 * g.n_vertices; v++) {
                fputs(v ? "," : "", f);
                js_num(f, g.vertices[v]);
            }
            fputs("]", f);
        }
        fputs("}", f);
    }
    fputs("]", f);
}

static void marker(FILE *f, const char *key, const char *channel, const assay_threshold *t,
                   const gate_transform *scale, const gate_strategy *s)
{
    fprintf(f, "\"%s\":{\"channel\":", key);
    js_str(f, channel);
    fputs(",\"divider\":", f);
    const char *d = divider_id(s, channel);
    if (d) {
        js_str(f, d);
    } else {
        fputs("null", f);
    }
    fputs(",\"value\":", f);
    js_num(f, t->value);
    fputs(",\"scaled\":", f);
    js_num(f, t->scaled);
    fputs(",\"method\":", f);
    char method[ASSAY_THRESHOLD_METHOD_TEXT];
    js_str(f, assay_threshold_method_text(t->method, t->percentile, method, sizeof method));
    fputs(",\"transform\":", f);
    js_str(f, gate_transform_kind_name(scale->kind));
    fputs(",\"data\":[", f);
    for (int k = 0; k < REVIEW_KNOTS; k++) {
        double y = REVIEW_LO + (REVIEW_HI - REVIEW_LO) * k / (REVIEW_KNOTS - 1);
        if (k) {
            fputc(',', f);
        }
        double x = gate_transform_inverse(scale, y);
        if (isfinite(x)) {
            fprintf(f, "%.9g", x);
        } else {
            fputs("null", f);
        }
    }
    fputs("]}", f);
}

/* The re-run command without the options the page's export replaces. */
static void command(FILE *f, const report_input *r)
{
    static const char *const with_value[] = {"--gating", "--write-gating", "--output", "-o",
                                             "--thresholds", "--quantile", "--comp", "--jobs",
                                             "-j"};
    static const char *const alone[] = {"--quiet", "-q", "--verbose", "-v", "--timings"};
    fputs("\"command\":[", f);
    bool first = true, skip = false;
    for (int i = 0; i < r->argc; i++) {
        const char *a = r->argv[i];
        bool drop = skip;
        skip = false;
        for (size_t k = 0; !drop && k < sizeof with_value / sizeof *with_value; k++) {
            size_t n = strlen(with_value[k]);
            if (strcmp(a, with_value[k]) == 0) {
                drop = skip = true;
            } else if (strncmp(a, with_value[k], n) == 0 &&
                       (a[n] == '=' || (n == 2 && a[n] != '\0'))) {
                drop = true;
            }
        }
        for (size_t k = 0; !drop && k < sizeof alone / sizeof *alone; k++) {
            drop = strcmp(a, alone[k]) == 0;
        }
        if (!drop) {
            if (!first) {
                fputc(',', f);
            }
            first = false;
            js_str(f, a);
        }
    }
    fputs("]", f);
}

static void sample(FILE *f, const report_input *r, size_t i)
{
    const report_sample *s = &r->samples[i];
    char path[4096];
    fputs("{\"name\":", f);
    js_str(f, s->sample);
    fputs(",\"failed\":", f);
    fputs(s->error[0] ? "true" : "false", f);
    fputs(",\"flags\":", f);
    js_str(f, s->error[0] ? "failed" : s->qc_flags);
    fputs(",\"detail\":", f);
    js_str(f, s->error[0] ? s->error : s->qc_detail);
    fprintf(f, ",\"singlets\":%llu,\"pct\":[", (unsigned long long)s->singlets);
    for (int q = 0; q < ASSAY_Q_COUNT; q++) {
        if (q) {
            fputc(',', f);
        }
        js_num(f, s->pct[q]);
    }
    fputs("],\"preview\":", f);
    char stem[160];
    apo_output_name(s->sample, stem, sizeof stem); /* as report/figures.c names the files */
    snprintf(path, sizeof path, "%s/plots/%s.preview.json", r->outdir, stem);
    size_t n = 0;
    char *text = s->error[0] ? NULL : slurp(path, REVIEW_MAX_PREVIEW, &n);
    while (text != NULL && n > 0 && text[n - 1] == '\n') {
        text[--n] = '\0';
    }
    if (text != NULL && preview_ok(text, n)) {
        fwrite(text, 1, n, f);
    } else {
        fputs("null", f);
    }
    free(text);
    fputc('}', f);
}

static void data(FILE *f, const report_input *r)
{
    const assay_result *res = r->res;
    char path[4096];
    fputs("<script type=\"application/json\" id=\"apoflow-review-data\">{\"format\":"
          "\"apoflow-review-1\",",
          f);
    fprintf(f, "\"lo\":%g,\"hi\":%g,", REVIEW_LO, REVIEW_HI);
    marker(f, "annexin", res->annexin_channel, &res->annexin, &res->annexin_scale,
           res->strategy);
    fputc(',', f);
    marker(f, "dead", res->pi_channel, &res->pi, &res->pi_scale, res->strategy);
    fputc(',', f);
    pregates(f, res->strategy);
    fputs(",\"outdir\":", f);
    js_str(f, r->outdir);
    fputc(',', f);
    command(f, r);
    fputs(",\"gating_xml\":", f);
    snprintf(path, sizeof path, "%s/gating.xml", r->outdir);
    size_t n = 0;
    char *xml = slurp(path, 64u << 20, &n);
    if (xml != NULL) {
        js_string(f, xml, n);
    } else {
        fputs("null", f);
    }
    free(xml);
    fputs(",\"samples\":[", f);
    for (size_t i = 0; i < r->n_samples; i++) {
        if (i) {
            fputs(",\n", f);
        }
        sample(f, r, html_sample_at(r, i)); /* the report's order */
    }
    fputs("]}</script>\n", f);
}

void review_write_html(FILE *f, const report_input *r)
{
    fputs("<section id=\"review\"><h2>Review gates</h2>\n"
          "<p>Move the Annexin V and dead-cell-dye lines (drag them on any plot, or use the "
          "fields and sliders; on a focused plot the left/right arrow keys move the Annexin V "
          "line and up/down the dead-cell-dye line, Shift for larger steps). Every sample's quadrant percentages update at once in this "
          "section, the samples table and the plots. <b>These are a preview</b>, computed in "
          "the page from <span id=\"review-events\"></span> of each sample (the singlets among "
          "them); the debris and singlet gates can be moved too, on their panels below; "
          "<em>Use these gates</em> gives a gating file and the command that re-runs the "
          "analysis over every event with them. Click a plot for the sample's gating path, "
          "flags and Time plot.</p>\n"
          "<div id=\"review-controls\"></div>\n<div id=\"review-status\" role=\"status\" "
          "aria-live=\"polite\"></div>\n<div id=\"review-export\"></div>\n"
          "<div id=\"review-grid\" class=\"review-grid\"></div>\n"
          "<dialog id=\"review-sample\" aria-labelledby=\"review-sample-title\"></dialog>\n"
          "<noscript><p>The gate review needs JavaScript.</p></noscript>\n",
          f);
    data(f, r);
    fputs("</section>\n", f);
}

void review_write_script(FILE *f)
{
    fprintf(f, "<script>\n%s</script>\n", apoflow_review_js);
}

static void esc_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<') {
            fputs("&lt;", f);
        } else if (*s == '>') {
            fputs("&gt;", f);
        } else if (*s == '&') {
            fputs("&amp;", f);
        } else if (*s == '"') {
            fputs("&quot;", f);
        } else {
            fputc(*s, f);
        }
    }
}

void review_adjustments_html(FILE *f, const assay_adjustments *adj)
{
    if (adj == NULL || adj->n == 0) {
        return;
    }
    fputs("<div id=\"gating-adjustments\"><h3>Gates adjusted in a report</h3>\n<p>The gating "
          "file given with <code>--gating</code> was exported from ",
          f);
    esc_text(f, adj->source[0] ? adj->source : "a report");
    if (adj->when[0]) {
        fputs(" on ", f);
        esc_text(f, adj->when);
    }
    fputs(" after these lines were moved by hand; the numbers of this report are over every "
          "event with the adjusted gates:</p>\n<ul>\n",
          f);
    for (size_t i = 0; i < adj->n; i++) {
        const assay_adjustment *a = &adj->v[i];
        if (a->marker == ASSAY_MARKER_PREGATE) {
            fputs("<li>Pre-gate <code>", f);
            esc_text(f, a->divider);
            fputs("</code>: ", f);
            esc_text(f, a->what);
            fprintf(f, " moved from %.6g to %.6g (data units)</li>\n", a->from, a->to);
            continue;
        }
        fprintf(f, "<li>%s line (divider <code>",
                a->marker == ASSAY_MARKER_ANNEXIN ? "Annexin V" : "Dead-cell dye");
        esc_text(f, a->divider);
        fprintf(f, "</code>) moved from %.6g to %.6g compensated units (%.4f to %.4f on the "
                   "gating scale)</li>\n",
                a->from, a->to, a->from_scaled, a->to_scaled);
    }
    fputs("</ul></div>\n", f);
}
