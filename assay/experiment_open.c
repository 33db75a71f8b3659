/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * experiment_open.c: opening an experiment's files (experiment.h): every wanted file is
 * opened on the thread pool (HEADER, TEXT and the layout checks; each task fills only its
 * own slot, so results do not depend on the number of threads), then, in path order, files
 * are matched to sheet rows, given unique sample names and become the analysis inputs.
 *
 * A file with several data sets (Guava Muse and easyCyte store one sample per data set) gives
 * one sample per data set: without a sheet each is named from its own keywords (TUBE NAME,
 * SAMPLE ID, GTI$SAMPLEID, $SMNO, $FIL, else "<file stem>#N"); with a sheet, rows name a
 * data set with the "dataset" column or FILE#N, and a row without one means data set 1 (the
 * others are then left out with a note).
 */
#include "assay/experiment.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct open_item {
    fcs_file *f;
    uint64_t n_events; /* of the first data set */
    apo_status st;
    apo_error err;
    bool wanted;
    double seconds;
} open_item;

typedef struct open_job {
    char *const *paths;
    open_item *items;
    fcs_read_options read;
    const apo_observer *obs;
} open_job;

static void open_task(void *ctx, size_t i)
{
    open_job *j = ctx;
    open_item *it = &j->items[i];
    if (!it->wanted) {
        return;
    }
    double t0 = apo_now();
    it->st = fcs_file_open(&it->f, j->paths[i], &j->read, &it->err);
    if (it->st == APO_OK) {
        it->n_events = fcs_dataset_n_events(fcs_file_dataset(it->f, 0));
    }
    it->seconds = apo_now() - t0;
}

static void open_done(void *ctx, size_t i)
{
    open_job *j = ctx;
    const open_item *it = &j->items[i];
    if (it->wanted) {
        apo_observe_tick(j->obs, j->paths[i], it->n_events, it->seconds, it->st != APO_OK);
    }
}

static bool has_fcs_ext(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && (strcasecmp(name + n - 4, ".fcs") == 0 || strcasecmp(name + n - 4, ".lmd") == 0);
}

/* The file name without its folder and .fcs/.lmd extension. */
static char *stem_of(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    char *s = strdup(b);
    if (s != NULL && has_fcs_ext(s)) {
        s[strlen(s) - 4] = '\0';
    }
    return s;
}

/* Make names[n] unique among names[0..n): NAME-2, NAME-3, ... */
static bool unique_name(char **names, size_t n)
{
    char base[256];
    snprintf(base, sizeof base, "%s", names[n]);
    for (size_t k = 0, dup = 1; k < n; k++) {
        if (strcmp(names[k], names[n]) == 0) {
            char buf[300];
            snprintf(buf, sizeof buf, "%s-%zu", base, ++dup);
            free(names[n]);
            names[n] = strdup(buf);
            if (names[n] == NULL) {
                return false;
            }
            k = (size_t)-1;
        }
    }
    return true;
}

static bool add_failed(assay_experiment *x, const char *path, const char *msg)
{
    char **f = realloc(x->failed_files, (x->n_failed + 1) * sizeof *f);
    if (f != NULL) {
        x->failed_files = f;
    }
    char **m = realloc(x->failed_msgs, (x->n_failed + 1) * sizeof *m);
    if (m != NULL) {
        x->failed_msgs = m;
    }
    if (f == NULL || m == NULL) {
        return false;
    }
    f[x->n_failed] = strdup(path);
    m[x->n_failed] = strdup(msg);
    if (f[x->n_failed] == NULL) {
        free(m[x->n_failed]);
        return false;
    }
    x->n_failed++;
    return true;
}

static void fill_input(assay_input *in, const char *sample, const char *path,
                       const assay_sheet_row *row, const fcs_file *f, size_t dataset)
{
    in->sample = sample;
    in->file = path;
    in->role = row ? row->role : ASSAY_ROLE_UNKNOWN;
    in->treatment = row ? row->treatment : "";
    in->dose_text = row ? row->dose_text : "";
    in->dose = row ? row->dose : NAN;
    in->dose_unit = row ? row->dose_unit : "";
    in->replicate = row ? row->replicate : 0;
    in->ds = fcs_file_dataset(f, dataset);
    in->ev = NULL; /* decoded block by block by the analysis */
}

typedef struct named_ds {
    const char *v;
    size_t k;
} named_ds;

static int cmp_named(const void *a, const void *b)
{
    const named_ds *x = a, *y = b;
    int c = strcmp(x->v, y->v);
    return c != 0 ? c : (x->k > y->k) - (x->k < y->k);
}

/* For keyword @p key: distinct[k] = data set k has it, non-empty, and no other data set has
 * the same value; returns whether that holds for every data set. O(n log n): the number of
 * data sets is untrusted. */
static bool distinct_values(const fcs_file *f, const char *key, named_ds *tmp, bool *distinct)
{
    size_t nd = fcs_file_n_datasets(f), m = 0;
    for (size_t k = 0; k < nd; k++) {
        const char *v = fcs_dataset_keyword(fcs_file_dataset(f, k), key);
        distinct[k] = false;
        if (v != NULL && v[0] != '\0') {
            tmp[m++] = (named_ds){v, k};
        }
    }
    qsort(tmp, m, sizeof *tmp, cmp_named);
    size_t n_distinct = 0;
    for (size_t i = 0; i < m; i++) {
        bool same_prev = i > 0 && strcmp(tmp[i].v, tmp[i - 1].v) == 0;
        bool same_next = i + 1 < m && strcmp(tmp[i].v, tmp[i + 1].v) == 0;
        distinct[tmp[i].k] = !same_prev && !same_next;
        n_distinct += distinct[tmp[i].k];
    }
    return n_distinct == nd;
}

/* "<stem of path>#<k+1>". */
static char *numbered_name(const char *path, size_t k)
{
    char *stem = stem_of(path);
    if (stem == NULL) {
        return NULL;
    }
    size_t n = strlen(stem) + 24;
    char *name = malloc(n);
    if (name != NULL) {
        snprintf(name, n, "%s#%zu", stem, k + 1);
    }
    free(stem);
    return name;
}

/* The names of the data sets of a multi-data-set file without a sheet: the first of the
 * TUBE NAME, SAMPLE ID, GTI$SAMPLEID (the name a Guava Muse or easyCyte user typed for the
 * sample), $SMNO, $FIL keywords that names every data set differently (so that the data sets
 * of one file are named alike); else each data set by the first of them whose value is its
 * own, else "<stem>#<k+1>". */
char **assay_dataset_names(const fcs_file *f, const char *path)
{
    static const char *const keys[] = {"TUBE NAME", "SAMPLE ID", "GTI$SAMPLEID", "$SMNO",
                                       "$FIL"};
    enum { N_KEYS = sizeof keys / sizeof keys[0] };
    size_t nd = fcs_file_n_datasets(f);
    char **names = calloc(nd + 1, sizeof *names);
    named_ds *tmp = malloc((nd + 1) * sizeof *tmp);
    bool *distinct = malloc((N_KEYS * nd + 1) * sizeof *distinct);
    bool ok = names != NULL && tmp != NULL && distinct != NULL;
    int every = -1;
    for (int q = 0; ok && q < N_KEYS && every < 0; q++) {
        every = distinct_values(f, keys[q], tmp, distinct + (size_t)q * nd) ? q : -1;
    }
    for (size_t k = 0; ok && k < nd; k++) {
        int q = every;
        for (int c = 0; q < 0 && c < N_KEYS; c++) {
            q = distinct[(size_t)c * nd + k] ? c : -1;
        }
        names[k] = q >= 0 ? strdup(fcs_dataset_keyword(fcs_file_dataset(f, k), keys[q]))
                          : numbered_name(path, k);
        ok = names[k] != NULL;
    }
    free(tmp);
    free(distinct);
    if (!ok && names != NULL) {
        for (size_t k = 0; k < nd; k++) {
            free(names[k]);
        }
        free(names);
        names = NULL;
    }
    return names;
}

char *assay_dataset_name(const fcs_file *f, size_t k, const char *path)
{
    char **names = assay_dataset_names(f, path);
    if (names == NULL) {
        return NULL;
    }
    char *name = names[k];
    for (size_t i = 0; i < fcs_file_n_datasets(f); i++) {
        if (i != k) {
            free(names[i]);
        }
    }
    free(names);
    return name;
}

/* The sheet row for data set @p k (0-based) of the file whose rows are spelled like @p any
 * (the row assay_sheet_find matched): a row naming that data set, or for data set @p plain_k
 * (the first, or a file's newest copy of its one acquisition) a row naming none. */
static const assay_sheet_row *row_for(const assay_sheet *s, const assay_sheet_row *any,
                                      size_t k, size_t plain_k, const bool *row_used)
{
    const assay_sheet_row *plain = NULL;
    for (size_t r = 0; r < s->n_rows; r++) {
        const assay_sheet_row *row = &s->rows[r];
        if (row_used[r] || strcmp(row->file, any->file) != 0) {
            continue;
        }
        if (row->dataset == k + 1) {
            return row;
        }
        if (row->dataset == 0 && k == plain_k && plain == NULL) {
            plain = row;
        }
    }
    return plain;
}

/* Data set @p k of the file of candidate @p i becomes input x->n. False when out of memory. */
static bool take_dataset(assay_experiment *x, size_t i, fcs_file *f, size_t k,
                         const assay_sheet_row *row, char *own_name)
{
    const char *path = x->paths[i];
    size_t n = x->n;
    x->names[n] = row ? strdup(row->sample) : own_name ? own_name : stem_of(path);
    if (row != NULL) {
        free(own_name);
    }
    if (x->names[n] == NULL || !unique_name(x->names, n)) {
        return false;
    }
    x->fcs[n] = f;
    fill_input(&x->in[n], x->names[n], path, row, f, k);
    x->n++;
    return true;
}

/* Candidate @p i: skipped, failed or the next inputs (one per data set the sheet, or without
 * a sheet the file, holds). False only when out of memory. */
static bool take_file(assay_experiment *x, size_t i, open_item *it, bool *row_used,
                      const apo_observer *obs)
{
    const char *path = x->paths[i];
    const assay_sheet_row *any = NULL;
    if (x->sheet != NULL) {
        any = assay_sheet_find(x->sheet, path);
        if (any == NULL) {
            x->n_skipped++; /* said once, with the count (assay_experiment_open) */
            return true;
        }
    }
    if (it->st != APO_OK) {
        bool seen = false; /* the same file given twice fails once */
        for (size_t j = 0; j < x->n_failed && !seen; j++) {
            seen = strcmp(x->failed_files[j], path) == 0;
        }
        if (seen) {
            return true;
        }
        apo_observe_error(obs, &it->err);
        x->failed_status = it->st == APO_E_NOMEM || x->failed_status == APO_E_NOMEM
                               ? APO_E_NOMEM
                               : APO_E_FORMAT;
        return add_failed(x, path, it->err.msg);
    }
    fcs_file *f = it->f;
    size_t nd = fcs_file_n_datasets(f);
    size_t taken = 0, newest = 0;
    /* one acquisition stored twice (Beckman .LMD): one sample, its newest copy, unless the
     * sheet names the copies (a guessed sheet names them all; the picks FILE#N and --dataset
     * N leave only theirs) */
    const bool copies = fcs_file_one_acquisition(f, &newest);
    const bool one_copy =
        copies && (x->sheet == NULL ||
                   (x->sheet_guessed && row_for(x->sheet, any, newest, newest, row_used)));
    const size_t plain_k = copies ? newest : 0;
    char **own = x->sheet == NULL && nd > 1 && !one_copy ? assay_dataset_names(f, x->paths[i])
                                                         : NULL;
    if (x->sheet == NULL && nd > 1 && !one_copy && own == NULL) {
        return false;
    }
    bool ok = true, plain_copy = false, dropped = false;
    for (size_t k = 0; k < nd; k++) {
        const assay_sheet_row *row = NULL;
        if (x->sheet != NULL) {
            row = row_for(x->sheet, any, k, plain_k, row_used);
            if (row == NULL) {
                continue;
            }
            row_used[row - x->sheet->rows] = true; /* an older copy's row: answered here */
            plain_copy |= copies && row->dataset == 0;
        }
        if (one_copy && k != newest) {
            dropped = true;
            continue;
        }
        char *name = own ? own[k] : NULL;
        if (own != NULL) {
            own[k] = NULL; /* taken (or freed) by take_dataset */
        }
        if (!take_dataset(x, i, f, k, row, name)) {
            ok = false;
            break;
        }
        taken++;
    }
    for (size_t k = 0; own != NULL && k < nd; k++) {
        free(own[k]);
    }
    free(own);
    if (!ok) {
        return false;
    }
    if (taken > 0) {
        it->f = NULL; /* owned by the inputs now (adjacent entries of x->fcs) */
    }
    if (copies && (x->sheet == NULL || dropped || plain_copy)) {
        const fcs_dataset *b = fcs_file_dataset(f, newest);
        apo_observe_note(obs, APO_NOTE_INFO,
                         "%s holds one acquisition in %zu data sets of the same %llu events "
                         "(as Beckman Coulter .LMD files store an FCS 2.0 copy and a "
                         "full-resolution FCS 3.0 copy): analysing data set %zu, the %s copy "
                         "(FILE#N, --dataset N or the sheet's \"dataset\" column name another)",
                         path, nd, (unsigned long long)fcs_dataset_n_events(b), newest + 1,
                         fcs_dataset_version(b));
    } else if (nd > 1 && taken < nd && !one_copy) {
        apo_observe_note(obs, APO_NOTE_INFO,
                         "%s has %zu data sets: %zu %s in the sample sheet (name others with "
                         "the \"dataset\" column or FILE#N)",
                         path, nd, taken, taken == 1 ? "is" : "are");
    } else if (nd > 1 && x->sheet == NULL) {
        apo_observe_note(obs, APO_NOTE_INFO, "%s has %zu data sets: one sample each", path, nd);
    }
    return true;
}

/* Sheet rows without a file among the candidates (and not failed). */
static void check_missing(assay_experiment *x, const bool *row_used, const apo_observer *obs)
{
    const assay_sheet *s = x->sheet;
    for (size_t k = 0; s != NULL && k < s->n_rows; k++) {
        if (row_used[k]) {
            continue;
        }
        bool was_failed = false;
        for (size_t j = 0; j < x->n_failed; j++) {
            was_failed = was_failed || assay_sheet_find(s, x->failed_files[j]) == &s->rows[k];
        }
        if (!was_failed) {
            apo_observe_note(obs, APO_NOTE_ERROR,
                             "%s (sheet line %zu): expected among the inputs, found no such file",
                             s->rows[k].file, s->rows[k].line);
            x->n_missing++;
        }
    }
}

static apo_status open_all(const assay_experiment *x, open_job *j, unsigned jobs)
{
    size_t n_want = 0;
    for (size_t i = 0; i < x->n_paths; i++) {
        j->items[i].wanted = x->sheet == NULL || assay_sheet_find(x->sheet, x->paths[i]) != NULL;
        n_want += j->items[i].wanted;
    }
    apo_observe_begin(j->obs, "files", n_want, true);
    apo_pool_run(x->n_paths, jobs, open_task, open_done, j);
    apo_observe_end(j->obs);
    return APO_OK;
}

/* The channel names ($PnN) of @p ds, space-separated, into @p out (cut at @p cap). */
static void channel_list(const fcs_dataset *ds, char *out, size_t cap)
{
    size_t w = 0;
    out[0] = '\0';
    for (size_t p = 0; p < fcs_dataset_n_params(ds) && w + 1 < cap; p++) {
        int k = snprintf(out + w, cap - w, "%s%s", p ? " " : "", fcs_dataset_param(ds, p)->name);
        w += k > 0 ? (size_t)k : 0;
    }
}

/* Does every channel of @p a exist in @p b (by $PnN)? */
static bool channels_within(const fcs_dataset *a, const fcs_dataset *b)
{
    for (size_t p = 0; p < fcs_dataset_n_params(a); p++) {
        if (fcs_dataset_find_param(b, fcs_dataset_param(a, p)->name) == SIZE_MAX) {
            return false;
        }
    }
    return true;
}

/* One experiment is one instrument and panel: every sample must have the same channels (by
 * name, in any order). Samples from another instrument or panel are refused, naming both
 * channel sets, rather than analysing whichever came first. */
static apo_status check_one_panel(const assay_experiment *x, apo_error *err)
{
    for (size_t i = 1; i < x->n; i++) {
        const fcs_dataset *a = x->in[0].ds, *b = x->in[i].ds;
        if (channels_within(a, b) && channels_within(b, a)) {
            continue;
        }
        char ca[512], cb[512];
        channel_list(a, ca, sizeof ca);
        channel_list(b, cb, sizeof cb);
        return apo_error_set(err, APO_E_FORMAT, x->in[i].file, APO_NO_OFFSET, NULL,
                             "expected the channels of one instrument and panel in one "
                             "experiment, found %s with \"%s\" but %s with \"%s\": analyse "
                             "them as separate experiments (a folder or sample sheet each)",
                             x->in[0].file, ca, x->in[i].file, cb);
    }
    return APO_OK;
}

/* Grow the input arrays to one slot per data set of the files opened. */
static bool room_for_datasets(assay_experiment *x, const open_job *j)
{
    size_t total = 0;
    for (size_t i = 0; i < x->n_paths; i++) {
        total += j->items[i].f != NULL ? fcs_file_n_datasets(j->items[i].f) : 1;
    }
    if (total <= x->n_paths) {
        return true;
    }
    assay_input *in = realloc(x->in, total * sizeof *in);
    if (in != NULL) {
        x->in = in;
    }
    fcs_file **fcs = realloc(x->fcs, total * sizeof *fcs);
    if (fcs != NULL) {
        x->fcs = fcs;
    }
    char **names = realloc(x->names, total * sizeof *names);
    if (names != NULL) {
        x->names = names;
    }
    return in != NULL && fcs != NULL && names != NULL;
}

apo_status assay_experiment_open(assay_experiment *x, const fcs_read_options *read,
                                 unsigned jobs, bool check_missing_rows,
                                 const apo_observer *obs, apo_error *err)
{
    size_t m = x->n_paths ? x->n_paths : 1;
    open_job j = {.paths = x->paths, .obs = obs};
    j.read = read != NULL ? *read : (fcs_read_options)FCS_READ_OPTIONS_INIT;
    j.items = calloc(m, sizeof *j.items);
    bool *row_used = calloc(x->sheet && x->sheet->n_rows ? x->sheet->n_rows : 1, sizeof *row_used);
    x->in = calloc(m, sizeof *x->in);
    x->fcs = calloc(m, sizeof *x->fcs);
    x->names = calloc(m, sizeof *x->names);
    bool ok = j.items && row_used && x->in && x->fcs && x->names;
    if (ok) {
        (void)open_all(x, &j, jobs);
        ok = room_for_datasets(x, &j);
        for (size_t i = 0; ok && i < x->n_paths; i++) {
            ok = take_file(x, i, &j.items[i], row_used, obs);
        }
    }
    if (ok && x->n_skipped > 0) {
        apo_observe_note(obs, APO_NOTE_INFO, "%zu file%s not in the sample sheet: skipped",
                         x->n_skipped, x->n_skipped == 1 ? " is" : "s are");
    }
    if (ok && check_missing_rows) {
        check_missing(x, row_used, obs);
    }
    apo_status panel = ok && x->one_panel ? check_one_panel(x, err) : APO_OK;
    for (size_t i = 0; j.items != NULL && i < x->n_paths; i++) {
        fcs_file_free(j.items[i].f);
    }
    free(j.items);
    free(row_used);
    return !ok ? apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory")
               : panel;
}
