/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * merge_write.c: the outputs of merged shards (merge.h): samples.csv and stats.csv from the
 * shards' own rows in the merged order, comparisons.csv, results.json from the shards' own
 * JSON (so a merged file is byte-identical to a single run's) with the recomputed
 * comparisons, and the per-sample plots copied.
 */
#include "assay/merge.h"

#include "util/paths.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static apo_status finish(apo_atomic_file *af, const char *path, apo_error *err)
{
    if (ferror(af->fp)) {
        apo_atomic_abort(af);
        return apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL, "write error");
    }
    return apo_atomic_commit(af, err);
}

static void put_rec(FILE *f, apo_csv_rec r)
{
    fwrite(r.p, 1, r.n, f);
    fputc('\n', f);
}

static apo_status write_samples_csv(const assay_merge *m, const char *path, apo_error *err)
{
    apo_atomic_file af;
    apo_status st = apo_atomic_open(&af, path, err);
    if (st != APO_OK) {
        return st;
    }
    put_rec(af.fp, m->shards[0].srec[0]);
    for (size_t i = 0; i < m->n; i++) {
        put_rec(af.fp, m->samples[i].row);
    }
    return finish(&af, path, err);
}

/* stats.csv: each sample's block of rows, in the merged order. */
static apo_status write_stats_csv(const assay_merge *m, const char *path, apo_error *err)
{
    apo_atomic_file af;
    apo_status st = apo_atomic_open(&af, path, err);
    if (st != APO_OK) {
        return st;
    }
    put_rec(af.fp, m->shards[0].trec[0]);
    for (size_t i = 0; i < m->n; i++) {
        const assay_shard *s = &m->shards[m->samples[i].shard];
        for (size_t r = 1; r < s->nt; r++) {
            char name[256];
            apo_csv_field(s->trec[r], 0, name, sizeof name);
            if (strcmp(name, m->samples[i].sample) == 0) {
                put_rec(af.fp, s->trec[r]);
            }
        }
    }
    return finish(&af, path, err);
}

static void put_raw(FILE *f, apo_jspan v)
{
    if (v.p == NULL) {
        fputs("null", f);
    } else {
        fwrite(v.p, 1, (size_t)(v.e - v.p), f);
    }
}

static void write_json_body(FILE *f, const assay_merge *m)
{
    bool first = true;
    static const char *const head[] = {"versions",      "sheet",         "channels",
                                       "compensation",  "pregates",      "pregate_choices",
                                       "annexin_scale", "pi_scale",      "thresholds"};
    for (size_t k = 0; k < sizeof head / sizeof *head; k++) {
        apo_json_key(f, head[k], &first);
        put_raw(f, apo_jscan_get(m->shards[0].doc, head[k]));
    }
    apo_json_key(f, "samples", &first);
    fputc('[', f);
    for (size_t i = 0; i < m->n; i++) {
        fputs(i ? "," : "", f);
        put_raw(f, m->samples[i].json);
    }
    fputc(']', f);
    assay_json_comparisons(f, &m->res, &first);
    apo_json_key(f, "failed_files", &first);
    fputc('[', f);
    for (size_t i = 0; i < m->n_failed; i++) {
        fputs(i ? "," : "", f);
        put_raw(f, m->failed[i].obj);
    }
    fputc(']', f);
    /* the shards share one --gating: the first shard's record of gates moved in a report */
    apo_json_key(f, "gating_adjustments", &first);
    if (m->n_shards > 0 && apo_jscan_get(m->shards[0].doc, "gating_adjustments").p != NULL) {
        put_raw(f, apo_jscan_get(m->shards[0].doc, "gating_adjustments"));
    } else {
        fputs("[]", f);
    }
    apo_json_key(f, "warnings", &first);
    fputc('[', f);
    for (size_t i = 0; i < m->res.n_warnings; i++) {
        fputs(i ? "," : "", f);
        apo_json_string(f, m->res.warnings[i]);
    }
    fputc(']', f);
}

static apo_status write_results_json(const assay_merge *m, const char *path, apo_error *err)
{
    apo_atomic_file af;
    apo_status st = apo_atomic_open(&af, path, err);
    if (st != APO_OK) {
        return st;
    }
    fputc('{', af.fp);
    write_json_body(af.fp, m);
    fputs("}\n", af.fp);
    return finish(&af, path, err);
}

static int copy_file(const char *from, const char *to);

/* The gating every shard applied (they were checked to agree): the first shard's gating.xml. */
static apo_status copy_gating(const assay_merge *m, const char *outdir, apo_error *err)
{
    char from[PATH_MAX + 32], to[PATH_MAX + 32];
    snprintf(from, sizeof from, "%s/gating.xml", m->shards[0].dir);
    snprintf(to, sizeof to, "%s/gating.xml", outdir);
    struct stat st;
    if (stat(from, &st) != 0) {
        return APO_OK; /* a shard of an older version: nothing to copy */
    }
    int e = copy_file(from, to);
    return e == 0 ? APO_OK
                  : apo_error_set(err, APO_E_WRITE, to, APO_NO_OFFSET, NULL,
                                  "cannot copy %s: %s", from, strerror(e));
}

apo_status assay_merge_write(const assay_merge *m, const char *outdir, apo_error *err)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/samples.csv", outdir);
    apo_status st = write_samples_csv(m, path, err);
    if (st == APO_OK) {
        snprintf(path, sizeof path, "%s/stats.csv", outdir);
        st = write_stats_csv(m, path, err);
    }
    if (st == APO_OK) {
        snprintf(path, sizeof path, "%s/comparisons.csv", outdir);
        st = assay_write_comparisons_csv(&m->res, path, err);
    }
    if (st == APO_OK) {
        snprintf(path, sizeof path, "%s/results.json", outdir);
        st = write_results_json(m, path, err);
    }
    if (st == APO_OK) {
        st = copy_gating(m, outdir, err);
    }
    return st;
}

/* Copy file @p from to @p to atomically; returns 0 or an errno value. */
static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    if (in == NULL) {
        return errno ? errno : EIO;
    }
    apo_atomic_file af;
    apo_error err;
    if (apo_atomic_open(&af, to, &err) != APO_OK) {
        fclose(in);
        return EIO;
    }
    char buf[1 << 16];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, in)) > 0) {
        fwrite(buf, 1, got, af.fp);
    }
    bool bad = ferror(in) != 0 || ferror(af.fp) != 0;
    fclose(in);
    if (bad) {
        apo_atomic_abort(&af);
        return EIO;
    }
    return apo_atomic_commit(&af, &err) == APO_OK ? 0 : EIO;
}

/* The sample's event rate over Time (plots/<stem>.time.png and .svg, drawn by the shard's
 * run from its events), when the shard has it. The folder exists (the caller made it or will:
 * it is made here too). */
static apo_status copy_time_plots(const char *shard, const char *stem, const char *outdir,
                                  const apo_observer *obs)
{
    static const char *const ext[] = {"time.png", "time.svg"};
    char from[PATH_MAX + 300], path[PATH_MAX + 300];
    apo_status worst = APO_OK;
    for (size_t k = 0; k < 2; k++) {
        struct stat st;
        snprintf(from, sizeof from, "%s/plots/%s.%s", shard, stem, ext[k]);
        if (stat(from, &st) != 0) {
            continue;
        }
        snprintf(path, sizeof path, "%s/plots", outdir);
        int e = apo_mkdirs(path);
        if (e == 0) {
            snprintf(path, sizeof path, "%s/plots/%s.%s", outdir, stem, ext[k]);
            e = copy_file(from, path);
        }
        if (e != 0) {
            apo_observe_note(obs, APO_NOTE_ERROR, "%s: cannot copy to %s: %s", from, path,
                             strerror(e));
            worst = apo_status_worse(worst, APO_E_WRITE);
        }
    }
    return worst;
}

apo_status assay_merge_copy_plots(const assay_merge *m, const char *outdir, bool *copied,
                                  const apo_observer *obs)
{
    char from[PATH_MAX + 300], path[PATH_MAX + 300];
    apo_status worst = APO_OK;
    *copied = false;
    for (size_t i = 0; i < m->n; i++) {
        const assay_merged_sample *x = &m->samples[i];
        struct stat st;
        char stem[160];
        apo_output_name(x->sample, stem, sizeof stem); /* as the run named it */
        snprintf(from, sizeof from, "%s/plots/%s.png", m->shards[x->shard].dir, stem);
        if (stat(from, &st) != 0) {
            continue;
        }
        worst = apo_status_worse(worst, copy_time_plots(m->shards[x->shard].dir, stem, outdir,
                                                        obs));
        if (!*copied) {
            snprintf(path, sizeof path, "%s/plots", outdir);
            int e = apo_mkdirs(path);
            if (e != 0) {
                apo_observe_note(obs, APO_NOTE_ERROR, "%s: cannot create folder: %s", path,
                                 strerror(e));
                return apo_status_worse(worst, APO_E_WRITE);
            }
            *copied = true;
        }
        snprintf(path, sizeof path, "%s/plots/%s.png", outdir, stem);
        int e = copy_file(from, path);
        if (e != 0) {
            apo_observe_note(obs, APO_NOTE_ERROR, "%s: cannot copy to %s: %s", from, path,
                             strerror(e));
            worst = apo_status_worse(worst, APO_E_WRITE);
        }
    }
    return worst;
}
