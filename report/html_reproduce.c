/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * html_reproduce.c: the end of report.html: links to the tables of the output folder, and
 * how to reproduce the run (the command without options that change only speed or messages,
 * the versions, the SHA-256 of every input file).
 */
#include "report/html_internal.h"

#include <gsl/gsl_version.h>
#include <libxml/xmlversion.h>
#include <stdio.h>
#include <string.h>

/* Options that change speed or chatter, not results: left out of the command shown. */
static bool cosmetic(const char *a, bool *skip_next)
{
    static const char *const with_value[] = {"--jobs", "-j"};
    static const char *const alone[] = {"--quiet", "-q", "--verbose", "-v", "--timings"};
    for (size_t i = 0; i < sizeof with_value / sizeof *with_value; i++) {
        size_t n = strlen(with_value[i]);
        if (strcmp(a, with_value[i]) == 0) {
            *skip_next = true;
            return true;
        }
        if (strncmp(a, with_value[i], n) == 0 && (a[n] == '=' || (n == 2 && a[n] != '\0'))) {
            return true;
        }
    }
    for (size_t i = 0; i < sizeof alone / sizeof *alone; i++) {
        if (strcmp(a, alone[i]) == 0) {
            return true;
        }
    }
    return false;
}

static void shell_word(FILE *f, const char *w)
{
    bool plain = *w != '\0';
    for (const char *p = w; *p; p++) {
        plain = plain && (strchr("+-_./=:,@%", *p) != NULL || (*p >= '0' && *p <= '9') ||
                          (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'));
    }
    if (plain) {
        html_esc(f, w);
        return;
    }
    fputc('\'', f);
    for (const char *p = w; *p; p++) {
        if (*p == '\'') {
            fputs("'\\''", f);
        } else {
            char c[2] = {*p, '\0'};
            html_esc(f, c);
        }
    }
    fputc('\'', f);
}

void html_reproduce(FILE *f, const report_input *r)
{
    fputs("<section id=\"reproduce\"><h2>How to reproduce</h2>\n<p>Command (options that only "
          "change speed or messages, such as <code>--jobs</code>, are left out):</p>\n<pre>"
          "apoflow",
          f);
    bool skip = false;
    for (int i = 0; i < r->argc; i++) {
        if (skip) {
            skip = false;
            continue;
        }
        if (cosmetic(r->argv[i], &skip)) {
            continue;
        }
        fputc(' ', f);
        shell_word(f, r->argv[i]);
    }
    fputs("</pre>\n", f);
    if (r->note != NULL) {
        fputs("<p>", f);
        html_esc(f, r->note);
        fputs("</p>\n", f);
    }
    fprintf(f, "<p>Versions: apoflow %s, GNU Scientific Library %s, libxml2 %s.</p>\n",
            APOFLOW_VERSION, GSL_VERSION, LIBXML_DOTTED_VERSION);
    fputs("<h3>Inputs (SHA-256)</h3>\n<div class=\"scroll\"><table id=\"checksums\"><thead>"
          "<tr><th>file</th><th>SHA-256</th></tr></thead><tbody>\n",
          f);
    for (size_t k = 0; k < r->n_samples; k++) {
        const report_sample *s = &r->samples[html_sample_at(r, k)];
        fputs("<tr><td class=\"path\">", f);
        html_esc(f, s->file);
        fputs("</td><td class=\"hash\"><code>", f);
        html_esc(f, s->sha256[0] ? s->sha256 : "unknown");
        fputs("</code></td></tr>\n", f);
    }
    for (size_t i = 0; i < r->n_failures; i++) {
        if (strcmp(r->failures[i].step, "read") != 0) {
            continue; /* analysed samples are listed above */
        }
        fputs("<tr><td class=\"path\">", f);
        html_esc(f, r->failures[i].file);
        fputs("</td><td>(could not be read)</td></tr>\n", f);
    }
    fputs("</tbody></table></div>\n</section>\n", f);
}

/* The tables of the folder, linked when they exist (relative links: they work wherever the
 * folder is copied). */
void html_files(FILE *f, const report_input *r)
{
    static const struct {
        const char *name, *what;
    } files[] = {{"samples.csv", "one row per sample: counts and quadrant percentages"},
                 {"comparisons.csv", "the group comparisons"},
                 {"stats.csv", "every population's statistics per sample"},
                 {"results.json", "everything above, with the settings and warnings"},
                 {"results.xlsx", "the tables as a spreadsheet"},
                 {"gating.xml", "the gating as applied (Gating-ML 2.0)"},
                 {"methods.txt", "the methods paragraph"}};
    char path[4096];
    fputs("<section id=\"files\"><h2>Files of this analysis</h2>\n<ul>\n", f);
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "%s/%s", r->outdir, files[i].name);
        if (strcmp(files[i].name, "methods.txt") != 0 && !html_file_exists(path)) {
            continue; /* methods.txt is written just after the page */
        }
        fprintf(f, "<li><a href=\"%s\">%s</a>: %s</li>\n", files[i].name, files[i].name,
                files[i].what);
    }
    fputs("</ul>\n</section>\n", f);
}
