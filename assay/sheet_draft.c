/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sheet_draft.c: the sample sheet of a run given no sheet, guessed from the files as
 * `apoflow sheet` drafts it (sheet_guess.c): one row per data set, roles, treatments, doses
 * and replicates from the keywords and names. The rows are written as CSV text and parsed by
 * assay_sheet_parse, so a guessed sheet obeys every rule a written one does.
 */
#include "assay/assay.h"
#include "assay/experiment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growing text buffer. */
typedef struct text_buf {
    char *p;
    size_t n, cap;
    bool failed;
} text_buf;

static void put(text_buf *b, const char *s, size_t n)
{
    if (b->failed) {
        return;
    }
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 4096;
        while (cap < b->n + n + 1) {
            cap *= 2;
        }
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            b->failed = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

/* One CSV field, quoted (RFC 4180), then @p end (',' or '\n'). */
static void put_field(text_buf *b, const char *s, char end)
{
    put(b, "\"", 1);
    for (const char *q = s; *q; q++) {
        put(b, *q == '"' ? "\"\"" : q, 1 + (*q == '"'));
    }
    put(b, "\"", 1);
    put(b, &end, 1);
}

/* Is @p name among names[0..n)? */
static bool taken(char **names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(names[i], name) == 0) {
            return true;
        }
    }
    return false;
}

/* The guess of data set @p k of @p f (NULL: a file that could not be read), as a CSV row;
 * @p own the data set's own name (assay_dataset_names) in a file with several, NULL to name
 * the row as the file (the newest copy of a file holding one acquisition several times). */
static bool add_row(text_buf *b, const char *path, const fcs_file *f, size_t k, const char *own,
                    char **names, size_t *n_names, assay_sheet_guess *g)
{
    assay_sheet_guess_row(f ? fcs_file_dataset(f, k) : NULL, path, g);
    size_t nd = f ? fcs_file_n_datasets(f) : 1;
    if (nd > 1 && own != NULL) {
        snprintf(g->sample, sizeof g->sample, "%s", own);
    }
    char base[sizeof g->sample];
    snprintf(base, sizeof base, "%s", g->sample);
    for (size_t dup = 2; taken(names, *n_names, g->sample); dup++) {
        snprintf(g->sample, sizeof g->sample, "%.100s-%zu", base, dup);
    }
    if ((names[*n_names] = strdup(g->sample)) == NULL) {
        return false;
    }
    (*n_names)++;
    char rep[24], ds[24];
    snprintf(rep, sizeof rep, "%u", g->replicate);
    snprintf(ds, sizeof ds, "%zu", nd > 1 ? k + 1 : (size_t)0);
    put_field(b, path, ',');
    put_field(b, g->sample, ',');
    put_field(b, assay_role_name(g->role), ',');
    put_field(b, g->treatment, ',');
    put_field(b, g->dose, ',');
    put_field(b, g->dose_unit, ',');
    put_field(b, rep, ',');
    put_field(b, nd > 1 ? ds : "", '\n');
    return true;
}

apo_status assay_sheet_guess_files(assay_sheet *out, char *const *paths, size_t n,
                                   const fcs_read_options *read, assay_sheet_guess **guesses,
                                   size_t *n_guesses, apo_error *err)
{
    text_buf b = {0};
    static const char header[] = "file,sample,role,treatment,dose,dose_unit,replicate,dataset\n";
    put(&b, header, sizeof header - 1);
    size_t cap = n ? n : 1, n_names = 0, n_g = 0;
    char **names = calloc(cap, sizeof *names);
    assay_sheet_guess *g = calloc(cap, sizeof *g);
    bool ok = names != NULL && g != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        fcs_read_options ro = read ? *read : (fcs_read_options)FCS_READ_OPTIONS_INIT;
        ro.text_only = true;
        fcs_file *f = NULL;
        if (fcs_file_open(&f, paths[i], &ro, NULL) != APO_OK) {
            f = NULL; /* still a row: the run reports the file as it opens it */
        }
        size_t nd = f ? fcs_file_n_datasets(f) : 1;
        if (n_g + nd > cap) {
            size_t nc = 2 * (n_g + nd);
            char **nn = realloc(names, nc * sizeof *nn);
            names = nn ? nn : names;
            assay_sheet_guess *ng = realloc(g, nc * sizeof *ng);
            g = ng ? ng : g;
            ok = nn != NULL && ng != NULL;
            cap = ok ? nc : cap;
        }
        char **own = nd > 1 ? assay_dataset_names(f, paths[i]) : NULL;
        ok = ok && (nd == 1 || own != NULL);
        size_t newest = 0; /* one acquisition stored several times: the newest copy is the
                              file's sample, the others rows a pick can take */
        const bool copies = fcs_file_one_acquisition(f, &newest);
        for (size_t k = 0; ok && k < nd; k++) {
            const bool as_file = copies && k == newest;
            ok = add_row(&b, paths[i], f, k, own && !as_file ? own[k] : NULL, names, &n_names,
                         &g[n_g]);
            if (ok) {
                g[n_g].copy_of = copies && k != newest ? newest + 1 : 0;
            }
            n_g += ok;
        }
        for (size_t k = 0; own != NULL && k < nd; k++) {
            free(own[k]);
        }
        free(own);
        fcs_file_free(f);
    }
    apo_status st = APO_OK;
    if (!ok || b.failed) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    } else {
        st = assay_sheet_parse(out, b.p, b.n, "the guessed sample sheet", err);
    }
    for (size_t i = 0; names != NULL && i < n_names; i++) {
        free(names[i]);
    }
    free(names);
    free(b.p);
    if (st == APO_OK && guesses != NULL) {
        *guesses = g;
        *n_guesses = n_g;
    } else {
        free(g);
    }
    return st;
}

apo_status assay_sheet_fill_roles(assay_sheet *sh, const fcs_read_options *read, bool *filled,
                                  apo_error *err)
{
    *filled = false;
    for (size_t i = 0; i < sh->n_rows; i++) {
        if (sh->rows[i].role != ASSAY_ROLE_UNKNOWN) {
            return APO_OK;
        }
    }
    char **paths = calloc(sh->n_rows ? sh->n_rows : 1, sizeof *paths);
    bool ok = paths != NULL;
    for (size_t i = 0; ok && i < sh->n_rows; i++) {
        const char *f = sh->rows[i].file;
        size_t n = strlen(sh->dir) + strlen(f) + 2;
        ok = (paths[i] = malloc(n)) != NULL;
        if (ok) {
            snprintf(paths[i], n, "%s/%s", f[0] == '/' ? "" : sh->dir, f);
            if (f[0] == '/') {
                memmove(paths[i], paths[i] + 1, strlen(paths[i]));
            }
        }
    }
    assay_sheet guess;
    apo_status st = ok ? assay_sheet_guess_files(&guess, paths, sh->n_rows, read, NULL, NULL,
                                                 err)
                       : apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                                       "out of memory");
    for (size_t i = 0; paths != NULL && i < sh->n_rows; i++) {
        free(paths[i]);
    }
    free(paths);
    if (st != APO_OK) {
        return st;
    }
    /* one guessed row per row of the sheet (a multi-data-set file gives more: take the first) */
    for (size_t i = 0, g = 0; i < sh->n_rows && g < guess.n_rows; i++) {
        while (g + 1 < guess.n_rows && guess.rows[g].dataset > 1) {
            g++;
        }
        sh->rows[i].role = guess.rows[g].role;
        if (sh->rows[i].treatment[0] == '\0' && guess.rows[g].treatment[0] != '\0') {
            free(sh->rows[i].treatment);
            sh->rows[i].treatment = strdup(guess.rows[g].treatment);
        }
        if (sh->rows[i].dose_text[0] == '\0' && guess.rows[g].dose_text[0] != '\0') {
            free(sh->rows[i].dose_text);
            free(sh->rows[i].dose_unit);
            sh->rows[i].dose_text = strdup(guess.rows[g].dose_text);
            sh->rows[i].dose_unit = strdup(guess.rows[g].dose_unit);
            sh->rows[i].dose = guess.rows[g].dose;
        }
        if (sh->rows[i].treatment == NULL || sh->rows[i].dose_text == NULL ||
            sh->rows[i].dose_unit == NULL) {
            assay_sheet_free(&guess);
            return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
        }
        g++;
    }
    assay_sheet_free(&guess);
    *filled = true;
    return APO_OK;
}
