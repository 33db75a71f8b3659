/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * html_internal.h: the pieces report.html is written from, shared by the files of the page
 * (private to report/): escaping and number formatting (html_util.c), the style sheet and
 * table script (html_style.c), the samples table and per-sample sections (html_samples.c),
 * the comparisons (html_compare.c), the methods paragraph and methods.txt (html_methods.c),
 * the file links and how to reproduce the run (html_reproduce.c).
 */
#ifndef APOFLOW_REPORT_HTML_INTERNAL_H
#define APOFLOW_REPORT_HTML_INTERNAL_H

#include "report/report.h"

#include <stdbool.h>
#include <stdio.h>

/* Text with < > & " escaped. */
void html_esc(FILE *f, const char *s);
/* html_esc, with a line break allowed after each '_', '.' and '/' (file names in tables). */
void html_esc_wrap(FILE *f, const char *s);
/* @p v with @p digits decimals; "–" when not finite. */
void html_num(FILE *f, double v, int digits);
/* @p v as %.4g; "–" when not finite. */
void html_gnum(FILE *f, double v);
/* A p-value: "< 1e-300" when it underflowed to 0. */
void html_pval(FILE *f, double v);
/* Embed the PNG at @p path as <img>; false when it cannot be read. */
bool html_embed_png(FILE *f, const char *path, const char *alt, const char *cls);
/* Whether @p path names an existing regular file. */
bool html_file_exists(const char *path);

/* The index of the @p k-th sample in the report's order (r->order, or as given). */
size_t html_sample_at(const report_input *r, size_t k);
/* The id of sample @p s's section ("sample-" and its output name) into @p id. */
void html_sample_id(const report_sample *s, char *id, size_t cap);

/* The style sheet (screen and print) and the sortable-table script. */
extern const char html_style[];
extern const char html_script[];

/* The samples table (in the report's order) and the failures table. */
void html_samples_table(FILE *f, const report_input *r);
/* One section per sample: gating path, quadrants, Time plot, QC flags explained. */
void html_sample_sections(FILE *f, const report_input *r);
/* The number of items the Warnings section lists. */
size_t html_warning_items(const report_input *r);

/* The Comparisons section (html_compare.c). */
void html_comparisons(FILE *f, const report_input *r);
/* Links to the tables of the folder; how to reproduce the run (html_reproduce.c). */
void html_files(FILE *f, const report_input *r);
void html_reproduce(FILE *f, const report_input *r);

/* The methods paragraph as plain text into a new string (free()); NULL when out of memory. */
char *html_methods_text(const report_input *r);
/* The "Methods" section around @p text. */
void html_methods_section(FILE *f, const char *text);
/* Write OUTDIR/methods.txt (atomically) with @p text. */
APO_NODISCARD apo_status html_write_methods_txt(const report_input *r, const char *text,
                                                apo_error *err);

#endif /* APOFLOW_REPORT_HTML_INTERNAL_H */
