/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * merge.c: reading and merging shard folders (merge.h): each shard's samples.csv, stats.csv
 * and results.json; the checks that shards fit together; the merged samples in input path
 * order with their numbers read back from samples.csv; the comparisons recomputed over all
 * of them by the same code as a run (assay_compare); the shards' warnings merged.
 */
#include "assay/merge.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static apo_status nomem(apo_error *err)
{
    return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
}

/* Read a whole file of any size; returns 0 or an errno value. */
static int slurp(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return errno ? errno : EIO;
    }
    size_t cap = 1 << 16, n = 0, got;
    char *p = malloc(cap + 1);
    while (p != NULL && (got = fread(p + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *q = realloc(p, 2 * cap + 1);
            if (q == NULL) {
                free(p);
                p = NULL;
                break;
            }
            p = q;
            cap *= 2;
        }
    }
    int e = p == NULL ? ENOMEM : ferror(f) ? EIO : 0;
    fclose(f);
    if (e != 0) {
        free(p);
        return e;
    }
    p[n] = '\0';
    *out = p;
    *len = n;
    return 0;
}

static apo_status read_shard(assay_shard *s, const char *dir, apo_error *err)
{
    char path[4096 + 32];
    const char *names[3] = {"samples.csv", "stats.csv", "results.json"};
    char **dst[3] = {&s->samples, &s->stats, &s->json};
    size_t *len[3] = {&s->samples_len, &s->stats_len, &s->json_len};
    s->dir = dir;
    for (int k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        int e = slurp(path, dst[k], len[k]);
        if (e != 0) {
            return apo_error_set(err, e == ENOMEM ? APO_E_NOMEM : APO_E_IO, path, APO_NO_OFFSET,
                                 NULL,
                                 "%s: cannot read: %s (expected the output folder of 'apoflow "
                                 "run')",
                                 path, strerror(e));
        }
    }
    s->srec = apo_csv_records(s->samples, s->samples_len, &s->ns);
    s->trec = apo_csv_records(s->stats, s->stats_len, &s->nt);
    s->doc = apo_jscan_doc(s->json, s->json_len);
    if (s->srec == NULL || s->trec == NULL || s->ns == 0 || s->nt == 0 || s->doc.p == NULL) {
        return apo_error_set(err, APO_E_FORMAT, dir, APO_NO_OFFSET, NULL,
                             "%s: expected samples.csv, stats.csv and results.json of 'apoflow "
                             "run', found unreadable ones",
                             dir);
    }
    return APO_OK;
}

static bool same_span(apo_jspan a, apo_jspan b)
{
    return a.p != NULL && b.p != NULL && a.e - a.p == b.e - b.p &&
           memcmp(a.p, b.p, (size_t)(a.e - a.p)) == 0;
}

/* Shard @p s against the first: the same sheet and gating file, by their SHA-256 in
 * results.json "shard" (shards of older versions record none). */
static apo_status check_record(const assay_shard *s, const assay_shard *first, apo_error *err)
{
    static const char *const what[2][2] = {{"sheet", "sample sheet (--sheet)"},
                                           {"gating", "gating file (--gating)"}};
    for (int k = 0; k < 2; k++) {
        char hs[80] = "", hf[80] = "";
        apo_jscan_string(apo_jscan_get(apo_jscan_get(apo_jscan_get(s->doc, "shard"), what[k][0]),
                                       "sha256"),
                         hs, sizeof hs);
        apo_jscan_string(
            apo_jscan_get(apo_jscan_get(apo_jscan_get(first->doc, "shard"), what[k][0]), "sha256"),
            hf, sizeof hf);
        if (strcmp(hs, hf) != 0) {
            return apo_error_set(err, APO_E_FORMAT, s->dir, APO_NO_OFFSET, "shard",
                                 "expected the %s of %s (SHA-256 %s), found another (SHA-256 "
                                 "%s); run every shard with the same %s",
                                 what[k][0], first->dir, hf[0] ? hf : "not recorded",
                                 hs[0] ? hs : "not recorded", what[k][1]);
        }
    }
    return APO_OK;
}

/* Shard @p s against the first: the same columns and the same gating results. */
static apo_status check_fits(const assay_shard *s, const assay_shard *first, apo_error *err)
{
    if (!apo_csv_same(s->srec[0], first->srec[0]) || !apo_csv_same(s->trec[0], first->trec[0])) {
        return apo_error_set(err, APO_E_FORMAT, s->dir, APO_NO_OFFSET, NULL,
                             "%s: expected the same samples.csv/stats.csv columns as %s (same "
                             "sheet and version), found different ones",
                             s->dir, first->dir);
    }
    static const char *const same[] = {"thresholds",    "compensation", "channels",
                                       "pregates",      "pregate_choices",
                                       "annexin_scale", "pi_scale"};
    for (size_t j = 0; j < sizeof same / sizeof *same; j++) {
        if (!same_span(apo_jscan_get(s->doc, same[j]), apo_jscan_get(first->doc, same[j]))) {
            return apo_error_set(err, APO_E_FORMAT, s->dir, APO_NO_OFFSET, NULL,
                                 "%s: expected the same %s as %s (run every shard with the same "
                                 "--gating), found different ones",
                                 s->dir, same[j], first->dir);
        }
    }
    return check_record(s, first, err);
}

/* One input file of a shard (results.json "shard" "inputs"): its "file" and "sha256" values
 * as written (sha256 p NULL: none recorded). */
typedef struct shard_input {
    apo_jspan file, sha;
    size_t shard;
} shard_input;

static int cmp_span(apo_jspan a, apo_jspan b)
{
    size_t na = (size_t)(a.e - a.p), nb = (size_t)(b.e - b.p);
    int c = memcmp(a.p, b.p, na < nb ? na : nb);
    return c ? c : (na > nb) - (na < nb);
}

/* By file (or checksum), then shard: the first of two shards is named first. */
static int cmp_input_file(const void *a, const void *b)
{
    const shard_input *x = a, *y = b;
    int c = cmp_span(x->file, y->file);
    return c ? c : (x->shard > y->shard) - (x->shard < y->shard);
}

static int cmp_input_sha(const void *a, const void *b)
{
    const shard_input *x = a, *y = b;
    int c = cmp_span(x->sha, y->sha);
    return c ? c : (x->shard > y->shard) - (x->shard < y->shard);
}

/* Two entries of @p v (n, sorted by @p key) of different shards with the same key. */
static apo_status overlap(const assay_merge *m, shard_input *v, size_t n, bool by_file,
                          apo_error *err)
{
    qsort(v, n, sizeof *v, by_file ? cmp_input_file : cmp_input_sha);
    for (size_t i = 0; i + 1 < n; i++) {
        const shard_input *a = &v[i], *b = &v[i + 1];
        if (a->shard == b->shard || !same_span(by_file ? a->file : a->sha,
                                               by_file ? b->file : b->sha)) {
            continue;
        }
        char fa[2048], fb[2048];
        apo_jscan_string(a->file, fa, sizeof fa);
        apo_jscan_string(b->file, fb, sizeof fb);
        return apo_error_set(err, APO_E_FORMAT, m->shards[b->shard].dir, APO_NO_OFFSET, "shard",
                             "expected each input in one shard, found %s in %s and %s%s%s "
                             "(shards of different sheets or file lists?)",
                             fa, m->shards[a->shard].dir, m->shards[b->shard].dir,
                             by_file ? "" : " as ", by_file ? "" : fb);
    }
    return APO_OK;
}

/*
 * No input in two shards. A shard takes all data sets of its files, so a file named by two
 * shards (analysed or failed), or the same bytes under two names (the same SHA-256), means
 * shards of different sheets or selections.
 */
static apo_status check_inputs(const assay_merge *m, apo_error *err)
{
    size_t total = 0;
    for (size_t k = 0; k < m->n_shards; k++) {
        total += apo_jscan_count(apo_jscan_get(apo_jscan_get(m->shards[k].doc, "shard"),
                                               "inputs"));
    }
    shard_input *v = malloc((total ? total : 1) * sizeof *v);
    if (v == NULL) {
        return nomem(err);
    }
    size_t n = 0;
    for (size_t k = 0; k < m->n_shards; k++) {
        apo_jspan in = apo_jscan_get(apo_jscan_get(m->shards[k].doc, "shard"), "inputs"), o;
        for (size_t i = 0; n < total && (o = apo_jscan_index(in, i)).p != NULL; i++) {
            apo_jspan sha = apo_jscan_get(o, "sha256");
            bool hex = sha.p != NULL && *sha.p == '"'; /* else null: none recorded */
            v[n] = (shard_input){apo_jscan_get(o, "file"), hex ? sha : (apo_jspan){0}, k};
            n += v[n].file.p != NULL;
        }
    }
    apo_status st = overlap(m, v, n, true, err);
    if (st == APO_OK) { /* only those with a checksum, moved to the front */
        size_t w = 0;
        for (size_t i = 0; i < n; i++) {
            if (v[i].sha.p != NULL) {
                v[w++] = v[i];
            }
        }
        st = overlap(m, v, w, false, err);
    }
    free(v);
    return st;
}

/*
 * Every shard of a sharded run, once: the shards' results.json say which shard of how many
 * they are ("shard": {index, count}); the same count everywhere, every index from 1 to count
 * exactly once. A missing shard would make the merged tables silently partial.
 */
static apo_status check_complete(const assay_merge *m, apo_error *err)
{
    size_t with = 0;
    unsigned count = 0;
    for (size_t k = 0; k < m->n_shards; k++) {
        apo_jspan sh = apo_jscan_get(m->shards[k].doc, "shard");
        with += sh.p != NULL;
        double c = apo_jscan_number(apo_jscan_get(sh, "count"));
        if (sh.p != NULL && k == 0) {
            count = c >= 1 && c <= 100000 ? (unsigned)c : 0;
        }
        if (sh.p != NULL && (unsigned)c != count) {
            return apo_error_set(err, APO_E_FORMAT, m->shards[k].dir, APO_NO_OFFSET, "shard",
                                 "expected a shard of %u, found one of %.0f (%s is one of %u: "
                                 "shards of different runs?)",
                                 count, c, m->shards[0].dir, count);
        }
    }
    if (with == 0) {
        return APO_OK; /* shards of an older version say nothing: nothing to check */
    }
    if (with != m->n_shards || count == 0) {
        return apo_error_set(err, APO_E_FORMAT, NULL, APO_NO_OFFSET, "shard",
                             "expected every folder to be a shard of one sharded run (results.json "
                             "\"shard\"), found %zu of %zu that are",
                             with, m->n_shards);
    }
    char *seen = calloc(count + 1, 1);
    if (seen == NULL) {
        return nomem(err);
    }
    apo_status st = APO_OK;
    for (size_t k = 0; k < m->n_shards && st == APO_OK; k++) {
        double i = apo_jscan_number(apo_jscan_get(apo_jscan_get(m->shards[k].doc, "shard"),
                                                  "index"));
        if (!(i >= 1 && i <= count)) {
            st = apo_error_set(err, APO_E_FORMAT, m->shards[k].dir, APO_NO_OFFSET, "shard",
                               "%s: expected a shard index from 1 to %u, found %.0f",
                               m->shards[k].dir, count, i);
        } else if (seen[(unsigned)i]++) {
            st = apo_error_set(err, APO_E_FORMAT, m->shards[k].dir, APO_NO_OFFSET, "shard",
                               "%s: shard %.0f/%u given twice", m->shards[k].dir, i, count);
        }
    }
    for (unsigned i = 1; i <= count && st == APO_OK; i++) {
        if (!seen[i]) {
            st = apo_error_set(err, APO_E_FORMAT, NULL, APO_NO_OFFSET, "shard",
                               "expected all %u shards, found no shard %u/%u among the %zu "
                               "folders given",
                               count, i, count, m->n_shards);
        }
    }
    free(seen);
    return st;
}

static apo_status read_shards(assay_merge *m, size_t n_dirs, const char *const *dirs,
                              size_t *n_samples, size_t *n_failed, apo_error *err)
{
    m->shards = calloc(n_dirs ? n_dirs : 1, sizeof *m->shards);
    if (m->shards == NULL) {
        return nomem(err);
    }
    m->n_shards = n_dirs;
    *n_samples = *n_failed = 0;
    for (size_t k = 0; k < n_dirs; k++) {
        apo_status st = read_shard(&m->shards[k], dirs[k], err);
        if (st == APO_OK) {
            st = check_fits(&m->shards[k], &m->shards[0], err);
        }
        if (st != APO_OK) {
            return st;
        }
        *n_samples += m->shards[k].ns - 1;
        *n_failed += apo_jscan_count(apo_jscan_get(m->shards[k].doc, "failed_files"));
    }
    apo_status st = check_complete(m, err);
    return st == APO_OK ? check_inputs(m, err) : st;
}

/* The object of sample @p name in results.json array @p js (p NULL: none). */
static apo_jspan sample_object(apo_jspan js, const char *name)
{
    apo_jspan o;
    for (size_t j = 0; (o = apo_jscan_index(js, j)).p != NULL; j++) {
        char got[256];
        apo_jscan_string(apo_jscan_get(o, "sample"), got, sizeof got);
        if (strcmp(got, name) == 0) {
            break;
        }
    }
    return o;
}

static void collect(assay_merge *m, size_t c_sample, size_t c_file)
{
    for (size_t k = 0; k < m->n_shards; k++) {
        const assay_shard *s = &m->shards[k];
        apo_jspan js = apo_jscan_get(s->doc, "samples");
        for (size_t i = 1; i < s->ns; i++) {
            assay_merged_sample *x = &m->samples[m->n++];
            x->row = s->srec[i];
            x->shard = k;
            apo_csv_field(x->row, c_sample, x->sample, sizeof x->sample);
            apo_csv_field(x->row, c_file, x->file, sizeof x->file);
            x->json = sample_object(js, x->sample);
        }
        apo_jspan jf = apo_jscan_get(s->doc, "failed_files"), o;
        for (size_t i = 0; (o = apo_jscan_index(jf, i)).p != NULL; i++) {
            assay_merged_failure *f = &m->failed[m->n_failed++];
            f->obj = o;
            apo_jscan_string(apo_jscan_get(o, "file"), f->file, sizeof f->file);
            apo_jscan_string(apo_jscan_get(o, "error"), f->error, sizeof f->error);
        }
    }
}

static int cmp_sample(const void *a, const void *b)
{
    const assay_merged_sample *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    return c ? c : (x->shard > y->shard) - (x->shard < y->shard);
}

static int cmp_failed(const void *a, const void *b)
{
    return strcmp(((const assay_merged_failure *)a)->file,
                  ((const assay_merged_failure *)b)->file);
}

static apo_status check_unique(const assay_merge *m, apo_error *err)
{
    for (size_t i = 0; i + 1 < m->n; i++) {
        const assay_merged_sample *a = &m->samples[i], *b = &m->samples[i + 1];
        if (strcmp(a->file, b->file) == 0 || strcmp(a->sample, b->sample) == 0) {
            return apo_error_set(err, APO_E_FORMAT, a->file, APO_NO_OFFSET, NULL,
                                 "%s: expected each file in one shard, found it in %s and %s",
                                 a->file, m->shards[a->shard].dir, m->shards[b->shard].dir);
        }
    }
    return APO_OK;
}

/* ---- the samples' numbers, the comparisons, the warnings ------------------------------- */

/* The columns of samples.csv the merge reads back. */
typedef struct row_columns {
    size_t role, treatment, dose, dose_unit, qc_flags, error, qc_detail, well;
    size_t apoptotic, singlets, events, replicate;
    size_t pct[ASSAY_Q_COUNT], count[ASSAY_Q_COUNT];
} row_columns;

static void find_columns(apo_csv_rec h, row_columns *c)
{
    c->role = apo_csv_column(h, "role");
    c->treatment = apo_csv_column(h, "treatment");
    c->dose = apo_csv_column(h, "dose");
    c->dose_unit = apo_csv_column(h, "dose_unit");
    c->qc_flags = apo_csv_column(h, "qc_flags");
    c->error = apo_csv_column(h, "error");
    c->qc_detail = apo_csv_column(h, "qc_detail");
    c->well = apo_csv_column(h, "well");
    c->apoptotic = apo_csv_column(h, "apoptotic_pct");
    c->singlets = apo_csv_column(h, "singlets");
    c->events = apo_csv_column(h, "events");
    c->replicate = apo_csv_column(h, "replicate");
    for (int q = 0; q < ASSAY_Q_COUNT; q++) {
        char nm[64];
        snprintf(nm, sizeof nm, "%s_pct", assay_quadrant_name(q));
        c->pct[q] = apo_csv_column(h, nm);
        snprintf(nm, sizeof nm, "%s_count", assay_quadrant_name(q));
        c->count[q] = apo_csv_column(h, nm);
    }
}

static double field_number(apo_csv_rec r, size_t col)
{
    char buf[256];
    apo_csv_field(r, col, buf, sizeof buf);
    return apo_jscan_number((apo_jspan){buf, buf + strlen(buf)});
}

static uint64_t field_count(apo_csv_rec r, size_t col)
{
    char buf[256];
    uint64_t u = 0;
    apo_csv_field(r, col, buf, sizeof buf);
    return apo_parse_u64(buf, strlen(buf), &u) ? u : 0;
}

/* The QC bits named in the ';'-joined list @p names. */
static unsigned qc_bits(const char *names)
{
    unsigned qc = 0;
    for (unsigned bit = 0; bit < 16; bit++) {
        char nm[160];
        assay_qc_flags_format(1u << bit, nm, sizeof nm);
        size_t ln = strlen(nm);
        for (const char *p = names; ln && (p = strstr(p, nm)) != NULL; p += ln) {
            if ((p == names || p[-1] == ';') && (p[ln] == '\0' || p[ln] == ';')) {
                qc |= 1u << bit;
                break;
            }
        }
    }
    return qc;
}

/* Sample @p x's input and result from its samples.csv row. */
static void read_row(assay_merged_sample *x, const row_columns *c, assay_input *in,
                     assay_sample *s)
{
    char flags[256];
    apo_csv_rec r = x->row;
    apo_csv_field(r, c->role, x->role, sizeof x->role);
    apo_csv_field(r, c->treatment, x->treatment, sizeof x->treatment);
    apo_csv_field(r, c->dose, x->dose, sizeof x->dose);
    apo_csv_field(r, c->dose_unit, x->dose_unit, sizeof x->dose_unit);
    apo_csv_field(r, c->qc_flags, flags, sizeof flags);
    apo_csv_field(r, c->error, s->error, sizeof s->error);
    apo_csv_field(r, c->qc_detail, s->qc_detail, sizeof s->qc_detail);
    apo_csv_field(r, c->well, x->well, sizeof x->well);
    *in = (assay_input){.sample = x->sample, .file = x->file, .treatment = x->treatment,
                        .dose_text = x->dose, .dose_unit = x->dose_unit, .dose = NAN};
    if (!assay_role_parse(x->role, &in->role)) {
        in->role = ASSAY_ROLE_UNKNOWN;
    }
    if (x->dose[0] && !apo_parse_double(x->dose, strlen(x->dose), false, &in->dose)) {
        in->dose = NAN;
    }
    uint64_t rep = field_count(r, c->replicate);
    in->replicate = rep < 100000 ? (unsigned)rep : 0;
    s->qc = qc_bits(flags) | (s->error[0] ? (unsigned)ASSAY_QC_FAILED : 0u);
    s->apoptotic_pct = field_number(r, c->apoptotic);
    s->singlets = field_count(r, c->singlets);
    s->events = field_count(r, c->events);
    for (int q = 0; q < ASSAY_Q_COUNT; q++) {
        s->pct[q] = field_number(r, c->pct[q]);
        s->count[q] = field_count(r, c->count[q]);
    }
}

/* Append @p s to the warnings unless it is there already. */
static bool warn_add(char ***v, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++) {
        if (strcmp((*v)[i], s) == 0) {
            return true;
        }
    }
    char **w = realloc(*v, (*n + 1) * sizeof *w);
    if (w == NULL) {
        return false;
    }
    *v = w;
    w[*n] = strdup(s);
    *n += w[*n] != NULL;
    return w[*n - 1] != NULL;
}

/* The shards' warnings (without the comparison ones), then the recomputed comparisons'. */
static apo_status merge_warnings(assay_merge *m, char **cmp, size_t n_cmp, apo_error *err)
{
    char **v = NULL;
    size_t n = 0;
    bool ok = true;
    for (size_t k = 0; k < m->n_shards; k++) {
        apo_jspan jw = apo_jscan_get(m->shards[k].doc, "warnings");
        char buf[1024];
        for (size_t i = 0; ok && apo_jscan_index(jw, i).p != NULL; i++) {
            apo_jscan_string(apo_jscan_index(jw, i), buf, sizeof buf);
            ok = assay_is_comparison_warning(buf) || warn_add(&v, &n, buf);
        }
    }
    for (size_t i = 0; ok && i < n_cmp; i++) {
        ok = warn_add(&v, &n, cmp[i]);
    }
    m->res.warnings = v;
    m->res.n_warnings = n;
    return ok ? APO_OK : nomem(err);
}

/* A choice read back from results.json that is none of its names: the file, the key and the
 * value found. */
static apo_status unknown_choice(const char *dir, const char *key, apo_jspan v,
                                 const char *expected, apo_error *err)
{
    char path[4096 + 32], found[80];
    snprintf(path, sizeof path, "%s/results.json", dir);
    if (v.p == NULL) {
        snprintf(found, sizeof found, "no such key");
    } else {
        char text[64];
        apo_jscan_string(v, text, sizeof text);
        for (char *c = text; *c != '\0'; c++) {
            *c = (unsigned char)*c < 0x20 ? '?' : *c; /* no control bytes in a message */
        }
        snprintf(found, sizeof found, "\"%s\"", text);
    }
    return apo_error_set(err, APO_E_FORMAT, path, APO_NO_OFFSET, key, "expected %s, found %s",
                         expected, found);
}

static apo_status threshold_from_json(apo_jspan t, const char *dir, const char *key,
                                      assay_threshold *out, apo_error *err)
{
    out->value = apo_jscan_number(apo_jscan_get(t, "value"));
    out->scaled = apo_jscan_number(apo_jscan_get(t, "scaled"));
    out->realized_pct = apo_jscan_number(apo_jscan_get(t, "realized_pct"));
    out->valley_depth = apo_jscan_number(apo_jscan_get(t, "valley_depth"));
    out->control_scaled = apo_jscan_number(apo_jscan_get(t, "control_scaled"));
    out->half_depth[0] = apo_jscan_number(apo_jscan_get(t, "valley_depth_other_negative"));
    out->half_depth[1] = apo_jscan_number(apo_jscan_get(t, "valley_depth_other_positive"));
    apo_jscan_string(apo_jscan_get(t, "reason"), out->reason, sizeof out->reason);
    apo_jscan_string(apo_jscan_get(t, "source"), out->source, sizeof out->source);
    apo_jspan m = apo_jscan_get(t, "method");
    char text[ASSAY_THRESHOLD_METHOD_TEXT + 1];
    apo_jscan_string(m, text, sizeof text);
    if (m.p == NULL || !assay_threshold_method_parse(text, &out->method, &out->percentile)) {
        return unknown_choice(dir, key, m,
                              "a threshold method (fixed, control_quantile_<percentile>, "
                              "density_valley, gating_file)",
                              err);
    }
    return APO_OK;
}

/* The pre-gate choices as the shard recorded them (results.json pregate_choices); an older
 * shard without them keeps UNSET ("not recorded"). */
static void pregate_choices_from_json(apo_jspan pc, assay_result *r)
{
    static const char *const gate_key[2] = {"debris_gate", "singlet_gate"};
    static const char *const choice_key[2] = {"debris_choice", "singlet_choice"};
    bool *applied[2] = {&r->debris_gate, &r->singlet_gate};
    assay_pregate_choice *choice[2] = {&r->debris_choice, &r->singlet_choice};
    for (int g = 0; g < 2; g++) {
        apo_jspan b = apo_jscan_get(pc, gate_key[g]);
        *applied[g] = b.p != NULL && (size_t)(b.e - b.p) == 4 && memcmp(b.p, "true", 4) == 0;
        char text[64];
        apo_jscan_string(apo_jscan_get(pc, choice_key[g]), text, sizeof text);
        if (!assay_pregate_choice_parse(text, (assay_pregate)g, choice[g])) {
            *choice[g] = ASSAY_PREGATE_CHOICE_UNSET;
        }
    }
}

static void scale_from_json(apo_jspan s, gate_transform *t)
{
    char kind[32];
    memset(t, 0, sizeof *t);
    apo_jscan_string(apo_jscan_get(s, "kind"), kind, sizeof kind);
    for (int k = GATE_TRANSFORM_LINEAR; k <= GATE_TRANSFORM_LOG10; k++) {
        if (strcmp(gate_transform_kind_name((gate_transform_kind)k), kind) == 0) {
            t->kind = (gate_transform_kind)k;
        }
    }
    t->T = apo_jscan_number(apo_jscan_get(s, "T"));
    t->W = apo_jscan_number(apo_jscan_get(s, "W"));
    t->M = apo_jscan_number(apo_jscan_get(s, "M"));
    t->A = apo_jscan_number(apo_jscan_get(s, "A"));
}

/* Channels, compensation, pre-gates, scales and thresholds from the results.json of the
 * shard in @p dir. */
static apo_status result_from_json(apo_jspan doc, const char *dir, assay_result *r,
                                   apo_error *err)
{
    apo_jspan ch = apo_jscan_get(doc, "channels"), comp = apo_jscan_get(doc, "compensation");
    apo_jspan th = apo_jscan_get(doc, "thresholds");
    apo_jscan_string(apo_jscan_get(ch, "annexin"), r->annexin_channel, sizeof r->annexin_channel);
    apo_jscan_string(apo_jscan_get(ch, "annexin_reason"), r->annexin_why, sizeof r->annexin_why);
    apo_jscan_string(apo_jscan_get(ch, "pi"), r->pi_channel, sizeof r->pi_channel);
    apo_jscan_string(apo_jscan_get(ch, "pi_reason"), r->pi_why, sizeof r->pi_why);
    apo_jscan_string(apo_jscan_get(ch, "dead_dye"), r->dead_dye, sizeof r->dead_dye);
    apo_jscan_string(apo_jscan_get(ch, "annexin_conjugate"), r->annexin_fluor,
                     sizeof r->annexin_fluor);
    apo_jscan_string(apo_jscan_get(comp, "detail"), r->comp_detail, sizeof r->comp_detail);
    apo_jspan sp = apo_jscan_get(comp, "spillover");
    for (size_t i = 0; i < 4; i++) {
        r->spill[i] = apo_jscan_number(apo_jscan_index(apo_jscan_index(sp, i / 2), i % 2));
    }
    apo_jscan_string(apo_jscan_get(doc, "pregates"), r->pregate_detail, sizeof r->pregate_detail);
    pregate_choices_from_json(apo_jscan_get(doc, "pregate_choices"), r);
    scale_from_json(apo_jscan_get(doc, "annexin_scale"), &r->annexin_scale);
    scale_from_json(apo_jscan_get(doc, "pi_scale"), &r->pi_scale);
    apo_jspan src = apo_jscan_get(comp, "source");
    char text[32];
    apo_jscan_string(src, text, sizeof text);
    if (src.p == NULL || !assay_comp_source_parse(text, &r->comp_source) ||
        r->comp_source == ASSAY_COMPSRC_AUTO) {
        return unknown_choice(dir, "compensation.source", src,
                              "a spillover source (controls, file, matrix, none, gating_file)",
                              err);
    }
    apo_status st = threshold_from_json(apo_jscan_get(th, "annexin"), dir,
                                        "thresholds.annexin.method", &r->annexin, err);
    if (st == APO_OK) {
        st = threshold_from_json(apo_jscan_get(th, "pi"), dir, "thresholds.pi.method", &r->pi,
                                 err);
    }
    return st;
}

/* Inputs and results of the merged samples, the comparisons over all of them (by the same
 * library code as a run), the merged warnings. */
static apo_status merge_rows(assay_merge *m, apo_error *err)
{
    size_t n = m->n;
    m->in = calloc(n ? n : 1, sizeof *m->in);
    m->res.samples = calloc(n ? n : 1, sizeof *m->res.samples);
    if (m->in == NULL || m->res.samples == NULL) {
        return nomem(err);
    }
    m->res.n_samples = n;
    row_columns c;
    find_columns(m->shards[0].srec[0], &c);
    for (size_t i = 0; i < n; i++) {
        read_row(&m->samples[i], &c, &m->in[i], &m->res.samples[i]);
    }
    apo_status st = assay_compare(m->in, n, &m->res, err);
    if (st != APO_OK) {
        return st;
    }
    char **cmp = m->res.warnings; /* the comparisons' own */
    size_t n_cmp = m->res.n_warnings;
    st = merge_warnings(m, cmp, n_cmp, err);
    for (size_t i = 0; i < n_cmp; i++) {
        free(cmp[i]);
    }
    free(cmp);
    if (st == APO_OK) {
        st = result_from_json(m->shards[0].doc, m->shards[0].dir, &m->res, err);
    }
    return st;
}

apo_status assay_merge_read(assay_merge *m, size_t n_dirs, const char *const *dirs,
                            apo_error *err)
{
    memset(m, 0, sizeof *m);
    size_t total = 0, nf = 0;
    apo_status st = read_shards(m, n_dirs, dirs, &total, &nf, err);
    if (st != APO_OK) {
        return st;
    }
    m->samples = calloc(total ? total : 1, sizeof *m->samples);
    m->failed = calloc(nf + 1, sizeof *m->failed); /* + 1: the scan probes one past the end */
    if (m->samples == NULL || m->failed == NULL) {
        return nomem(err);
    }
    apo_csv_rec header = m->shards[0].srec[0];
    size_t c_sample = apo_csv_column(header, "sample"), c_file = apo_csv_column(header, "file");
    if (c_sample == SIZE_MAX || c_file == SIZE_MAX) {
        return apo_error_set(err, APO_E_FORMAT, m->shards[0].dir, APO_NO_OFFSET, NULL,
                             "%s/samples.csv: expected columns sample and file, found none",
                             m->shards[0].dir);
    }
    collect(m, c_sample, c_file);
    qsort(m->samples, m->n, sizeof *m->samples, cmp_sample);
    qsort(m->failed, m->n_failed, sizeof *m->failed, cmp_failed);
    m->failed_files = calloc(m->n_failed + 1, sizeof *m->failed_files);
    m->failed_msgs = calloc(m->n_failed + 1, sizeof *m->failed_msgs);
    if (m->failed_files == NULL || m->failed_msgs == NULL) {
        return nomem(err);
    }
    for (size_t i = 0; i < m->n_failed; i++) {
        m->failed_files[i] = m->failed[i].file;
        m->failed_msgs[i] = m->failed[i].error;
    }
    st = check_unique(m, err);
    return st == APO_OK ? merge_rows(m, err) : st;
}

void assay_merge_free(assay_merge *m)
{
    for (size_t k = 0; m->shards != NULL && k < m->n_shards; k++) {
        assay_shard *s = &m->shards[k];
        free(s->samples);
        free(s->stats);
        free(s->json);
        free(s->srec);
        free(s->trec);
    }
    free(m->shards);
    free(m->samples);
    free(m->in);
    free(m->failed);
    free(m->failed_files);
    free(m->failed_msgs);
    assay_result_free(&m->res);
    memset(m, 0, sizeof *m);
}
