/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * html_util.c: the small writers every part of report.html uses: HTML escaping, numbers and
 * p-values, PNG files embedded as base64 data URIs, and the order and anchors of samples.
 */
#include "report/html_internal.h"
#include "util/paths.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

void html_esc(FILE *f, const char *s)
{
    for (; s != NULL && *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

void html_esc_wrap(FILE *f, const char *s)
{
    for (; s != NULL && *s; s++) {
        char c[2] = {*s, '\0'};
        html_esc(f, c);
        if ((*s == '_' || *s == '.' || *s == '/') && s[1] != '\0') {
            fputs("<wbr>", f);
        }
    }
}

void html_num(FILE *f, double v, int digits)
{
    if (isfinite(v)) {
        fprintf(f, "%.*f", digits, v);
    } else {
        fputs("&ndash;", f);
    }
}

void html_gnum(FILE *f, double v)
{
    if (isfinite(v)) {
        fprintf(f, "%.4g", v);
    } else {
        fputs("&ndash;", f);
    }
}

void html_pval(FILE *f, double v)
{
    if (v == 0) {
        fputs("&lt;&nbsp;1e-300", f);
    } else {
        html_gnum(f, v);
    }
}

bool html_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool html_embed_png(FILE *f, const char *path, const char *alt, const char *cls)
{
    FILE *in = fopen(path, "rb");
    if (in == NULL) {
        return false;
    }
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    fprintf(f, "<img class=\"%s\" alt=\"", cls);
    html_esc(f, alt);
    fputs("\" src=\"data:image/png;base64,", f);
    unsigned char buf[3 * 8192]; /* 24 KB read, 32 KB written at once */
    char o[4 * 8192];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, in)) > 0) {
        size_t i = 0, k = 0;
        for (; i + 3 <= got; i += 3, k += 4) {
            unsigned v = (unsigned)buf[i] << 16 | (unsigned)buf[i + 1] << 8 | buf[i + 2];
            o[k] = b64[v >> 18];
            o[k + 1] = b64[(v >> 12) & 63];
            o[k + 2] = b64[(v >> 6) & 63];
            o[k + 3] = b64[v & 63];
        }
        if (i < got) { /* only at the end of the file: sizeof buf is a multiple of 3 */
            unsigned v = (unsigned)buf[i] << 16 | (i + 1 < got ? (unsigned)buf[i + 1] << 8 : 0u);
            o[k] = b64[v >> 18];
            o[k + 1] = b64[(v >> 12) & 63];
            o[k + 2] = i + 1 < got ? b64[(v >> 6) & 63] : '=';
            o[k + 3] = '=';
            k += 4;
        }
        fwrite(o, 1, k, f);
    }
    fclose(in);
    fputs("\">", f);
    return true;
}

size_t html_sample_at(const report_input *r, size_t k)
{
    return r->order != NULL ? r->order[k] : k;
}

void html_sample_id(const report_sample *s, char *id, size_t cap)
{
    char stem[160];
    apo_output_name(s->sample, stem, sizeof stem);
    for (char *p = stem; *p; p++) { /* an id has no blanks */
        *p = *p == ' ' ? '~' : *p;
    }
    snprintf(id, cap, "sample-%s", stem);
}
