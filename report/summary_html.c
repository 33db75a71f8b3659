/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * summary_html.c: the "Summary figures" section of report.html (report.h): the group bar
 * chart, the stacked quadrant bars and the dose plot of each treatment, each inlined as its
 * SVG file (vector: sharp on screen and in print) with links to the SVG, PDF and PNG files beside
 * the report. Figures that were not written are left out; no figure, no section.
 */
#include "report/fig_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SVG_MAX_BYTES ((long)16 << 20)

/* Copy OUTDIR/plots/<name>.svg into the page without its XML declaration, scaled to the
 * page's width; false when it cannot be read. */
static bool inline_svg(FILE *f, const char *outdir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/plots/%s.svg", outdir, name);
    FILE *in = fopen(path, "rb");
    if (in == NULL) {
        return false;
    }
    char *buf = NULL;
    long len = -1;
    if (fseek(in, 0, SEEK_END) == 0 && (len = ftell(in)) > 0 && len < SVG_MAX_BYTES &&
        fseek(in, 0, SEEK_SET) == 0 && (buf = malloc((size_t)len + 1)) != NULL &&
        fread(buf, 1, (size_t)len, in) == (size_t)len) {
        buf[len] = '\0';
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(in);
    const char *svg = buf != NULL ? strstr(buf, "<svg ") : NULL;
    if (svg == NULL) {
        free(buf);
        return false;
    }
    fputs("<svg style=\"max-width:100%;height:auto\" ", f);
    fputs(svg + 5, f);
    free(buf);
    return true;
}

/* @p s as HTML text (names come from the sheet or the files). */
static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static void figure(FILE *f, const char *outdir, const char *name, const char *caption,
                   const char *what, bool *open)
{
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/plots/%s.svg", outdir, name);
    FILE *p = fopen(probe, "rb");
    if (p == NULL) {
        return;
    }
    fclose(p);
    if (!*open) {
        fputs("<section id=\"figures\"><h2>Summary figures</h2>\n", f);
        *open = true;
    }
    fputs("<figure class=\"chart\">\n", f);
    if (!inline_svg(f, outdir, name)) {
        fputs("<p>(figure unreadable)</p>\n", f);
    }
    fprintf(f, "<figcaption>%s", caption);
    if (what != NULL) {
        esc(f, what);
        fputc('.', f);
    }
    fprintf(f, " <a href=\"plots/%s.svg\">SVG</a> &middot; <a href=\"plots/%s.pdf\">PDF</a> "
               "&middot; <a href=\"plots/%s.png\">PNG</a></figcaption>\n</figure>\n",
            name, name, name);
}

void report_summary_figures_html(FILE *f, const report_input *r)
{
    bool open = false;
    figure(f, r->outdir, "summary_apoptotic",
           "Apoptotic % (early + late) of each group in the sheet's order.", NULL, &open);
    figure(f, r->outdir, "summary_quadrants", "Quadrant percentages of each sample.", NULL,
           &open);
    fig_groups gs;
    apo_error err;
    if (fig_groups_build(&gs, r->res, r->n_samples, r->samples, &err) == APO_OK) {
        for (size_t k = 0; k < gs.n_treatments; k++) {
            char name[32];
            snprintf(name, sizeof name, "dose_%zu", k + 1);
            figure(f, r->outdir, name, "Apoptotic % against dose: ", gs.treatments[k], &open);
        }
        fig_groups_free(&gs);
    }
    if (open) {
        fputs("</section>\n", f);
    }
}
