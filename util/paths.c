/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * paths.c: file-system paths for outputs: create a folder and its parents (mkdir -p), the
 * real path a folder will have once created, the check that an output folder lies outside
 * every input, and the file names of outputs named after untrusted names (paths.h).
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "util/paths.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

int apo_mkdirs(const char *path)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        return ENAMETOOLONG;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
                return errno;
            }
            *p = '/';
        }
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
        return errno;
    }
    return 0;
}

bool apo_path_inside(const char *out, const char *in)
{
    size_t n = strlen(in);
    return strncmp(out, in, n) == 0 &&
           (out[n] == '\0' || out[n] == '/' || (n == 1 && in[0] == '/'));
}

/* Move the last component of @p head to the front of @p tail. */
static void pop_component(char *head, char *tail, size_t cap)
{
    size_t n = strlen(head);
    while (n > 1 && head[n - 1] == '/') {
        head[--n] = '\0';
    }
    char *slash = strrchr(head, '/');
    char piece[PATH_MAX];
    snprintf(piece, sizeof piece, "/%s%s", slash ? slash + 1 : head, tail);
    snprintf(tail, cap, "%s", piece);
    if (slash == NULL) {
        head[0] = '\0';
    } else if (slash == head) {
        head[1] = '\0';
    } else {
        *slash = '\0';
    }
}

bool apo_path_future_real(const char *path, char *out, size_t cap)
{
    char head[PATH_MAX], tail[PATH_MAX] = "";
    if (snprintf(head, sizeof head, "%s", path) >= (int)sizeof head) {
        return false;
    }
    for (;;) {
        char real[PATH_MAX];
        if (realpath(head[0] ? head : ".", real) != NULL) {
            return snprintf(out, cap, "%s%s", real, tail) < (int)cap;
        }
        if (errno != ENOENT) {
            return false;
        }
        pop_component(head, tail, sizeof tail);
    }
}

/* The real path of the folder holding file @p file. */
static bool parent_real(const char *file, char *out)
{
    char d[PATH_MAX];
    snprintf(d, sizeof d, "%s", file);
    char *slash = strrchr(d, '/');
    if (slash != NULL) {
        *slash = '\0';
    } else {
        snprintf(d, sizeof d, ".");
    }
    return realpath(d, out) != NULL;
}

apo_status apo_output_outside(const char *outdir, const char *what, size_t n_dirs, const char *const *dirs,
                              size_t n_files, const char *const *files, apo_error *err)
{
    char real_out[PATH_MAX];
    if (!apo_path_future_real(outdir, real_out, sizeof real_out)) {
        return apo_error_set(err, APO_E_WRITE, outdir, APO_NO_OFFSET, NULL,
                             "%s: cannot resolve the output folder: %s", outdir, strerror(errno));
    }
    for (size_t i = 0; i < n_dirs; i++) {
        char real_in[PATH_MAX];
        struct stat st;
        if (stat(dirs[i], &st) == 0 && S_ISDIR(st.st_mode) && realpath(dirs[i], real_in) != NULL &&
            apo_path_inside(real_out, real_in)) {
            return apo_error_set(err, APO_E_USAGE, outdir, APO_NO_OFFSET, NULL,
                                 "%s: expected an output folder outside the %s, found it in %s",
                                 outdir, what, dirs[i]);
        }
    }
    for (size_t i = 0; i < n_files; i++) {
        char real_in[PATH_MAX];
        if (parent_real(files[i], real_in) && strcmp(real_in, real_out) == 0) {
            return apo_error_set(err, APO_E_USAGE, outdir, APO_NO_OFFSET, NULL,
                                 "%s: expected an output folder that holds no input file, "
                                 "found %s",
                                 outdir, files[i]);
        }
    }
    return APO_OK;
}

/* FNV-1a, 32 bits: a short, stable tag of a name that had to be changed. */
static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h = (h ^ (uint8_t)*s) * 16777619u;
    }
    return h;
}

static bool reserved_device_name(const char *s, size_t n)
{
    static const char *const dev[] = {"CON", "PRN", "AUX", "NUL"};
    size_t stem = strcspn(s, ".");
    stem = stem < n ? stem : n;
    for (size_t i = 0; i < 4; i++) {
        if (stem == 3 && strncasecmp(s, dev[i], 3) == 0) {
            return true;
        }
    }
    return stem == 4 && (strncasecmp(s, "COM", 3) == 0 || strncasecmp(s, "LPT", 3) == 0) &&
           s[3] >= '1' && s[3] <= '9';
}

void apo_output_name(const char *name, char *out, size_t cap)
{
    if (cap < 16) {
        if (cap > 0) {
            out[0] = '\0';
        }
        return;
    }
    size_t limit = cap - 10 < 120 ? cap - 10 : 120; /* room for "~xxxxxxxx" */
    size_t w = 0;
    bool changed = name[0] == '\0';
    for (const char *p = name; *p && w < limit; p++) {
        unsigned char c = (unsigned char)*p;
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '_' || c == '-' || c == '+' || c == '#' || c == ' ' ||
                     (c == '.' && w > 0 && out[w - 1] != '.');
        out[w++] = plain ? (char)c : '_';
        changed = changed || !plain;
    }
    changed = changed || strlen(name) > w;
    while (w > 0 && (out[w - 1] == ' ' || out[w - 1] == '.')) { /* no trailing dot or blank */
        w--;
        changed = true;
    }
    out[w] = '\0';
    if (w == 0 || reserved_device_name(out, w)) {
        changed = true;
    }
    if (changed) {
        snprintf(out + w, cap - w, "%s~%08x", w == 0 ? "sample" : "", name_hash(name));
    }
}
