/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * warning.c: the growable warning list kept by every data set and file. A warning records a
 * vendor quirk the reader repaired or a value it ignored, in the same "file: byte N: keyword:
 * message" shape as errors. Running out of memory drops the warning, never fails the parse;
 * after FCS_MAX_WARNINGS one last warning says that the rest were dropped (hostile files could
 * otherwise produce one warning per keyword).
 */
#include "fcs/fcs_internal.h"

#define FCS_MAX_WARNINGS 1000

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fcs_warn(fcs_warning_list *list, const char *file_name, uint64_t offset,
              const char *keyword, const char *fmt, ...)
{
    if (list == NULL || list->n > FCS_MAX_WARNINGS) {
        return;
    }
    bool last = list->n == FCS_MAX_WARNINGS;
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 8;
        fcs_warning *items = realloc(list->items, cap * sizeof *items);
        if (items == NULL) {
            return;
        }
        list->items = items;
        list->cap = cap;
    }
    fcs_warning *w = &list->items[list->n];
    memset(w, 0, sizeof *w);
    w->offset = offset;
    if (keyword != NULL) {
        snprintf(w->keyword, sizeof w->keyword, "%s", keyword);
    }
    size_t used = 0;
    int n;
    if (file_name != NULL && file_name[0] != '\0') {
        n = snprintf(w->msg, sizeof w->msg, "%s: ", file_name);
        used = n > 0 ? (size_t)n : 0;
    }
    if (used < sizeof w->msg && offset != APO_NO_OFFSET) {
        n = snprintf(w->msg + used, sizeof w->msg - used, "byte %llu: ",
                     (unsigned long long)offset);
        used += n > 0 ? (size_t)n : 0;
    }
    if (used < sizeof w->msg && keyword != NULL && keyword[0] != '\0') {
        n = snprintf(w->msg + used, sizeof w->msg - used, "%s: ", keyword);
        used += n > 0 ? (size_t)n : 0;
    }
    if (last) {
        snprintf(w->msg + used, sizeof w->msg - used,
                 "expected at most %d warnings, found more; the rest are not recorded",
                 FCS_MAX_WARNINGS);
    } else if (used < sizeof w->msg) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(w->msg + used, sizeof w->msg - used, fmt, ap);
        va_end(ap);
    }
    list->n++;
}

void fcs_warning_list_free(fcs_warning_list *list)
{
    if (list == NULL) {
        return;
    }
    free(list->items);
    list->items = NULL;
    list->n = 0;
    list->cap = 0;
}
