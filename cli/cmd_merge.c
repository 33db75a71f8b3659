/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_merge.c: `apoflow merge SHARD_DIR... -o OUTDIR`: combines the outputs of sharded
 * `apoflow run --shard I/N --gating G` runs into the tables a single run with the same
 * gating gives: samples.csv and stats.csv rows in the single run's order (input path order),
 * comparisons and dose-response fits recomputed over all samples, results.json, plots/ and
 * report.html. Exit 65 when a shard reported failed files or samples.
 */
#define _XOPEN_SOURCE 700
#include "cli/cli.h"
#include "util/util.h"
#include "assay/assay.h"
#include "util/util.h"
#include "cli/pool_read.h"
#include "report/report.h"
#include "util/util.h"
#include "assay/assay.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- files and CSV records ------------------------------------------------------------- */

typedef struct text {
    char *p;
    size_t n;
} text;

static int slurp(const char *path, text *t)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return errno ? errno : EIO;
    }
    size_t cap = 1 << 16, n = 0;
    char *p = malloc(cap + 1);
    size_t got;
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
    t->p = p;
    t->n = n;
    return 0;
}

typedef struct rec {
    const char *p;
    size_t n; /* without the line end */
} rec;

/* Split CSV text into records (line ends outside quotes). */
static rec *records(const text *t, size_t *count)
{
    size_t cap = 64, n = 0;
    rec *v = malloc(cap * sizeof *v);
    const char *p = t->p, *e = t->p + t->n;
    while (v != NULL && p < e) {
        const char *s = p;
        bool q = false;
        while (p < e && (q || *p != '\n')) {
            q = *p == '"' ? !q : q;
            p++;
        }
        size_t len = (size_t)(p - s);
        if (len > 0 && s[len - 1] == '\r') {
            len--;
        }
        if (p < e) {
            p++;
        }
        if (n == cap) {
            rec *w = realloc(v, 2 * cap * sizeof *v);
            if (w == NULL) {
                free(v);
                return NULL;
            }
            v = w;
            cap *= 2;
        }
        v[n++] = (rec){s, len};
    }
    *count = n;
    return v;
}

/* Field @p k of record @p r, unquoted, into @p out. */
static void field(rec r, size_t k, char *out, size_t cap)
{
    const char *p = r.p, *e = r.p + r.n;
    for (size_t i = 0; i < k && p <= e; i++) {
        bool q = false;
        while (p < e && (q || *p != ',')) {
            q = *p == '"' ? !q : q;
            p++;
        }
        p++;
    }
    size_t n = 0;
    if (p < e && *p == '"') {
        for (p++; p < e && n + 1 < cap; p++) {
            if (*p == '"') {
                if (p + 1 < e && p[1] == '"') {
                    p++;
                } else {
                    break;
                }
            }
            out[n++] = *p;
        }
    } else {
        while (p < e && *p != ',' && n + 1 < cap) {
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
}

static size_t column(rec header, const char *name)
{
    char buf[256];
    for (size_t k = 0; k < 512; k++) {
        field(header, k, buf, sizeof buf);
        if (strcmp(buf, name) == 0) {
            return k;
        }
        /* past the last field: field() returns "" repeatedly */
        const char *p = header.p;
        size_t commas = 0;
        bool q = false;
        for (; p < header.p + header.n; p++) {
            q = *p == '"' ? !q : q;
            commas += !q && *p == ',';
        }
        if (k >= commas) {
            break;
        }
    }
    return SIZE_MAX;
}

/* ---- shards ---------------------------------------------------------------------------- */

typedef struct shard {
    const char *dir;
    text samples, stats, json;
    rec *srec, *trec;
    size_t ns, nt;
    apo_jspan doc;
} shard;

/* One merged sample. */
typedef struct msample {
    rec row;
    size_t shard;
    char sample[256], file[PATH_MAX];
    apo_jspan json; /* its object in the shard's results.json */
} msample;

static int cmp_msample(const void *a, const void *b)
{
    const msample *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    return c ? c : (x->shard > y->shard) - (x->shard < y->shard);
}

/* ---- comparisons (the same rules as the analysis: docs/outputs.md) --------------------- */

typedef struct warn_list {
    char **v;
    size_t n;
} warn_list;

static void warn_add(warn_list *w, const char *s)
{
    for (size_t i = 0; i < w->n; i++) {
        if (strcmp(w->v[i], s) == 0) {
            return;
        }
    }
    char **v = realloc(w->v, (w->n + 1) * sizeof *v);
    if (v == NULL) {
        return;
    }
    w->v = v;
    w->v[w->n] = strdup(s);
    w->n += w->v[w->n] != NULL;
}

/* Warnings that the comparisons step writes (recomputed here, so dropped from shards). */
static bool comparison_warning(const char *s)
{
    return strncmp(s, "no usable stimulus-only sample", 30) == 0 ||
           strncmp(s, "stimulus-only (", 15) == 0 || strncmp(s, "4PL fit for ", 12) == 0;
}

/* ---- results.json ---------------------------------------------------------------------- */

static void jraw(FILE *f, const char *k, apo_jspan v, bool *first)
{
    apo_json_key(f, k, first);
    if (v.p == NULL) {
        fputs("null", f);
    } else {
        fwrite(v.p, 1, (size_t)(v.e - v.p), f);
    }
}

typedef struct failed_item {
    apo_jspan obj;
    char file[PATH_MAX];
    char error[512];
} failed_item;

static int cmp_failed(const void *a, const void *b)
{
    return strcmp(((const failed_item *)a)->file, ((const failed_item *)b)->file);
}

static apo_status write_json(const char *path, const shard *sh, const msample *ms, size_t n,
                             const assay_result *r, const failed_item *fl, size_t nf,
                             const warn_list *w, apo_error *err)
{
    apo_atomic_file af;
    apo_status st = apo_atomic_open(&af, path, err);
    if (st != APO_OK) {
        return st;
    }
    FILE *f = af.fp;
    bool first = true;
    fputc('{', f);
    static const char *const head[] = {"versions", "sheet", "channels", "compensation",
                                       "pregates", "annexin_scale", "pi_scale", "thresholds"};
    for (size_t k = 0; k < sizeof head / sizeof *head; k++) {
        jraw(f, head[k], apo_jscan_get(sh[0].doc, head[k]), &first);
    }
    apo_json_key(f, "samples", &first);
    fputc('[', f);
    for (size_t i = 0; i < n; i++) {
        if (i) {
            fputc(',', f);
        }
        if (ms[i].json.p != NULL) {
            fwrite(ms[i].json.p, 1, (size_t)(ms[i].json.e - ms[i].json.p), f);
        } else {
            fputs("null", f);
        }
    }
    fputc(']', f);
    assay_json_comparisons(f, r, &first);
    apo_json_key(f, "failed_files", &first);
    fputc('[', f);
    for (size_t i = 0; i < nf; i++) {
        if (i) {
            fputc(',', f);
        }
        fwrite(fl[i].obj.p, 1, (size_t)(fl[i].obj.e - fl[i].obj.p), f);
    }
    fputc(']', f);
    /* the shards share one --gating: the first shard's record of gates moved in a report */
    apo_jspan adj = apo_jscan_get(sh[0].doc, "gating_adjustments");
    if (adj.p != NULL) {
        jraw(f, "gating_adjustments", adj, &first);
    } else {
        apo_json_key(f, "gating_adjustments", &first);
        fputs("[]", f);
    }
    apo_json_key(f, "warnings", &first);
    fputc('[', f);
    for (size_t i = 0; i < w->n; i++) {
        if (i) {
            fputc(',', f);
        }
        apo_json_string(f, w->v[i]);
    }
    fputs("]}\n", f);
    if (ferror(f)) {
        apo_atomic_abort(&af);
        return apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL, "write error");
    }
    return apo_atomic_commit(&af, err);
}

/* ---- the report's view of a merged run ------------------------------------------------- */

static void threshold_from_json(apo_jspan t, assay_threshold *out)
{
    out->value = apo_jscan_number(apo_jscan_get(t, "value"));
    out->scaled = apo_jscan_number(apo_jscan_get(t, "scaled"));
    out->realized_pct = apo_jscan_number(apo_jscan_get(t, "realized_pct"));
    apo_jscan_string(apo_jscan_get(t, "method"), out->method, sizeof out->method);
    apo_jscan_string(apo_jscan_get(t, "source"), out->source, sizeof out->source);
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

static void result_from_json(apo_jspan doc, assay_result *r)
{
    apo_jspan ch = apo_jscan_get(doc, "channels"), comp = apo_jscan_get(doc, "compensation");
    apo_jspan th = apo_jscan_get(doc, "thresholds");
    apo_jscan_string(apo_jscan_get(ch, "annexin"), r->annexin_channel, sizeof r->annexin_channel);
    apo_jscan_string(apo_jscan_get(ch, "annexin_reason"), r->annexin_why, sizeof r->annexin_why);
    apo_jscan_string(apo_jscan_get(ch, "pi"), r->pi_channel, sizeof r->pi_channel);
    apo_jscan_string(apo_jscan_get(ch, "pi_reason"), r->pi_why, sizeof r->pi_why);
    apo_jscan_string(apo_jscan_get(comp, "source"), r->comp_source, sizeof r->comp_source);
    apo_jscan_string(apo_jscan_get(comp, "detail"), r->comp_detail, sizeof r->comp_detail);
    apo_jspan sp = apo_jscan_get(comp, "spillover");
    for (size_t i = 0; i < 4; i++) {
        r->spill[i] = apo_jscan_number(apo_jscan_index(apo_jscan_index(sp, i / 2), i % 2));
    }
    apo_jscan_string(apo_jscan_get(doc, "pregates"), r->pregate_detail, sizeof r->pregate_detail);
    scale_from_json(apo_jscan_get(doc, "annexin_scale"), &r->annexin_scale);
    scale_from_json(apo_jscan_get(doc, "pi_scale"), &r->pi_scale);
    threshold_from_json(apo_jscan_get(th, "annexin"), &r->annexin);
    threshold_from_json(apo_jscan_get(th, "pi"), &r->pi);
}

static int copy_file(const char *from, const char *to)
{
    text t;
    int e = slurp(from, &t);
    if (e != 0) {
        return e;
    }
    apo_atomic_file af;
    apo_error err;
    if (apo_atomic_open(&af, to, &err) != APO_OK) {
        free(t.p);
        return EIO;
    }
    fwrite(t.p, 1, t.n, af.fp);
    free(t.p);
    if (ferror(af.fp)) {
        apo_atomic_abort(&af);
        return EIO;
    }
    return apo_atomic_commit(&af, &err) == APO_OK ? 0 : EIO;
}

/* ---- main ------------------------------------------------------------------------------ */

static void print_help(FILE *to)
{
    fprintf(to,
            "usage: apoflow merge SHARD_DIR... -o OUTDIR\n\n"
            "Combine the output folders of sharded runs (apoflow run --shard I/N --gating G)\n"
            "into the outputs one run over all files with --gating G writes: samples.csv and\n"
            "stats.csv (rows in input path order), comparisons.csv and the dose-response fits\n"
            "recomputed over all samples, results.json, plots/ and report.html\n"
            "(docs/scaling.md).\n\n"
            "options:\n"
            "  -o, --output DIR      output folder (created; not a shard folder nor inside\n"
            "                        one)\n"
            "  --no-report           do not write report.html (default: write it)\n"
            "  -j, --jobs N          threads for checksums (default 0 = all cores)\n"
            "  -q, --quiet           no summary on standard output\n"
            "  -h, --help            this help\n\n"
            "exit codes: 0 ok, 64 usage, 65 a shard had failed files or samples, or shards\n"
            "that do not fit together, 66 a shard folder or file is missing, 73/74 cannot\n"
            "write the outputs\n");
}

static int mkdir_p(const char *path)
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
    return mkdir(buf, 0777) != 0 && errno != EEXIST ? errno : 0;
}

static apo_status write_parts(const char *path, rec header, const rec *rows, size_t n,
                              apo_error *err)
{
    apo_atomic_file af;
    apo_status st = apo_atomic_open(&af, path, err);
    if (st != APO_OK) {
        return st;
    }
    fwrite(header.p, 1, header.n, af.fp);
    fputc('\n', af.fp);
    for (size_t i = 0; i < n; i++) {
        fwrite(rows[i].p, 1, rows[i].n, af.fp);
        fputc('\n', af.fp);
    }
    if (ferror(af.fp)) {
        apo_atomic_abort(&af);
        return apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL, "write error");
    }
    return apo_atomic_commit(&af, err);
}

static bool read_shard(shard *s, const char *dir, int *rc)
{
    char path[PATH_MAX];
    const char *names[3] = {"samples.csv", "stats.csv", "results.json"};
    text *dst[3] = {&s->samples, &s->stats, &s->json};
    s->dir = dir;
    for (int k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        int e = slurp(path, dst[k]);
        if (e != 0) {
            cli_errorf("%s: cannot read: %s (expected the output folder of 'apoflow run')", path,
                       strerror(e));
            *rc = e == ENOMEM ? 71 : 66;
            return false;
        }
    }
    s->srec = records(&s->samples, &s->ns);
    s->trec = records(&s->stats, &s->nt);
    s->doc = apo_jscan_doc(s->json.p, s->json.n);
    if (s->srec == NULL || s->trec == NULL || s->ns == 0 || s->nt == 0 || s->doc.p == NULL) {
        cli_errorf("%s: expected samples.csv, stats.csv and results.json of 'apoflow run', "
                   "found unreadable ones",
                   dir);
        *rc = 65;
        return false;
    }
    return true;
}

/* The real path @p path will have: its deepest existing ancestor resolved, the rest appended.
 * False when nothing of it resolves. */
static bool future_realpath(const char *path, char *out)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        return false;
    }
    size_t len = strlen(buf);
    while (len > 1 && buf[len - 1] == '/') {
        buf[--len] = '\0';
    }
    char *cut = NULL;
    for (;;) {
        char real[PATH_MAX];
        if (realpath(buf, real) != NULL) {
            int w = snprintf(out, PATH_MAX, "%s%s%s", real, cut ? "/" : "", cut ? cut + 1 : "");
            return w > 0 && w < PATH_MAX;
        }
        char *slash = strrchr(buf, '/');
        if (cut != NULL) {
            *cut = '/';
        }
        if (slash == NULL) {
            /* a relative name in the working folder */
            if (getcwd(real, sizeof real) == NULL) {
                return false;
            }
            int w = snprintf(out, PATH_MAX, "%s/%s", real, path);
            return w > 0 && w < PATH_MAX;
        }
        *slash = '\0';
        cut = slash;
        if (buf[0] == '\0') {
            return false;
        }
    }
}

static bool same_rec(rec a, rec b)
{
    return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

int cmd_merge(int argc, char **argv)
{
    static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
                                             {"no-report", no_argument, NULL, 'R'},
                                             {"jobs", required_argument, NULL, 'j'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *outdir = NULL;
    bool report = true, quiet = false;
    unsigned jobs = 0;
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":o:j:qh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'o':
            outdir = optarg;
            break;
        case 'R':
            report = false;
            break;
        case 'j':
            if (!cli_parse_jobs(optarg, &jobs)) {
                return 64;
            }
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            print_help(stdout);
            return 0;
        case ':':
            cli_errorf("option %s needs a value (see 'apoflow merge --help')", argv[optind - 1]);
            return 64;
        default:
            cli_errorf("unknown option %s (see 'apoflow merge --help')", argv[optind - 1]);
            return 64;
        }
    }
    if (outdir == NULL || optind >= argc) {
        cli_errorf("expected SHARD_DIR... -o OUTDIR, found %s (see 'apoflow merge --help')",
                   outdir == NULL ? "no -o" : "no shard folder");
        return 64;
    }
    size_t nsh = (size_t)(argc - optind);
    int rc = 0;
    shard *sh = calloc(nsh, sizeof *sh);
    msample *ms = NULL;
    rec *rows = NULL;
    failed_item *fl = NULL;
    assay_input *in = NULL;
    assay_result res = {0};
    warn_list w = {0};
    report_sample *rs = NULL;
    report_failure *rf = NULL;
    char(*flags)[160] = NULL;
    size_t n = 0, nf = 0;
    apo_error err;
    if (sh == NULL) {
        return 71;
    }
    /* refuse a shard folder, or a folder inside one, as the output */
    char real_out[PATH_MAX];
    bool out_known = future_realpath(outdir, real_out);
    for (size_t k = 0; k < nsh; k++) {
        char real_in[PATH_MAX];
        size_t rl;
        if (out_known && realpath(argv[optind + (int)k], real_in) != NULL &&
            strncmp(real_out, real_in, rl = strlen(real_in)) == 0 &&
            (real_out[rl] == '\0' || real_out[rl] == '/')) {
            cli_errorf("%s: expected an output folder outside the shard folders, found it in %s",
                       outdir, argv[optind + (int)k]);
            rc = 64;
            goto out;
        }
    }
    size_t total = 0, n_stats = 0;
    for (size_t k = 0; k < nsh; k++) {
        if (!read_shard(&sh[k], argv[optind + (int)k], &rc)) {
            goto out;
        }
        if (!same_rec(sh[k].srec[0], sh[0].srec[0]) || !same_rec(sh[k].trec[0], sh[0].trec[0])) {
            cli_errorf("%s: expected the same samples.csv/stats.csv columns as %s (same sheet "
                       "and version), found different ones",
                       sh[k].dir, sh[0].dir);
            rc = 65;
            goto out;
        }
        static const char *const same[] = {"thresholds", "compensation", "channels", "pregates",
                                           "annexin_scale", "pi_scale"};
        for (size_t j = 0; j < sizeof same / sizeof *same; j++) {
            apo_jspan a = apo_jscan_get(sh[k].doc, same[j]), b = apo_jscan_get(sh[0].doc, same[j]);
            if (a.p == NULL || b.p == NULL || a.e - a.p != b.e - b.p ||
                memcmp(a.p, b.p, (size_t)(a.e - a.p)) != 0) {
                cli_errorf("%s: expected the same %s as %s (run every shard with the same "
                           "--gating), found different ones",
                           sh[k].dir, same[j], sh[0].dir);
                rc = 65;
                goto out;
            }
        }
        total += sh[k].ns - 1;
        n_stats += sh[k].nt - 1;
        nf += apo_jscan_count(apo_jscan_get(sh[k].doc, "failed_files"));
    }
    ms = calloc(total ? total : 1, sizeof *ms);
    rows = calloc((total > n_stats ? total : n_stats) + 1, sizeof *rows);
    fl = calloc(nf + 1, sizeof *fl); /* + 1: the scan loops probe one past the end */
    if (ms == NULL || rows == NULL || fl == NULL) {
        rc = 71;
        goto out;
    }
    rec header = sh[0].srec[0];
    size_t c_sample = column(header, "sample"), c_file = column(header, "file");
    if (c_sample == SIZE_MAX || c_file == SIZE_MAX) {
        cli_errorf("%s/samples.csv: expected columns sample and file, found none", sh[0].dir);
        rc = 65;
        goto out;
    }
    nf = 0;
    for (size_t k = 0; k < nsh; k++) {
        apo_jspan js = apo_jscan_get(sh[k].doc, "samples");
        for (size_t i = 1; i < sh[k].ns; i++) {
            msample *m = &ms[n++];
            m->row = sh[k].srec[i];
            m->shard = k;
            field(m->row, c_sample, m->sample, sizeof m->sample);
            field(m->row, c_file, m->file, sizeof m->file);
            for (size_t j = 0; (m->json = apo_jscan_index(js, j)).p != NULL; j++) {
                char name[256];
                apo_jscan_string(apo_jscan_get(m->json, "sample"), name, sizeof name);
                if (strcmp(name, m->sample) == 0) {
                    break;
                }
            }
        }
        apo_jspan jf = apo_jscan_get(sh[k].doc, "failed_files");
        for (size_t i = 0; (fl[nf].obj = apo_jscan_index(jf, i)).p != NULL; i++) {
            apo_jscan_string(apo_jscan_get(fl[nf].obj, "file"), fl[nf].file, sizeof fl[nf].file);
            apo_jscan_string(apo_jscan_get(fl[nf].obj, "error"), fl[nf].error, sizeof fl[nf].error);
            nf++;
        }
    }
    qsort(ms, n, sizeof *ms, cmp_msample);
    qsort(fl, nf, sizeof *fl, cmp_failed);
    for (size_t i = 0; i + 1 < n; i++) {
        if (strcmp(ms[i].file, ms[i + 1].file) == 0 ||
            strcmp(ms[i].sample, ms[i + 1].sample) == 0) {
            cli_errorf("%s: expected each file in one shard, found it in %s and %s", ms[i].file,
                       sh[ms[i].shard].dir, sh[ms[i + 1].shard].dir);
            rc = 65;
            goto out;
        }
    }
    int e = mkdir_p(outdir);
    if (e != 0) {
        cli_errorf("%s: cannot create the output folder: %s", outdir, strerror(e));
        rc = 73;
        goto out;
    }
    char path[PATH_MAX + 300];
    /* samples.csv */
    for (size_t i = 0; i < n; i++) {
        rows[i] = ms[i].row;
    }
    snprintf(path, sizeof path, "%s/samples.csv", outdir);
    if (write_parts(path, header, rows, n, &err) != APO_OK) {
        goto io_error;
    }
    /* stats.csv: each sample's block of rows, in the merged order */
    {
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            const shard *s = &sh[ms[i].shard];
            char name[256];
            for (size_t r = 1; r < s->nt; r++) {
                field(s->trec[r], 0, name, sizeof name);
                if (strcmp(name, ms[i].sample) == 0 && m < n_stats) {
                    rows[m++] = s->trec[r];
                }
            }
        }
        snprintf(path, sizeof path, "%s/stats.csv", outdir);
        if (write_parts(path, sh[0].trec[0], rows, m, &err) != APO_OK) {
            goto io_error;
        }
    }
    /* the comparisons over all samples */
    in = calloc(n ? n : 1, sizeof *in);
    res.samples = calloc(n ? n : 1, sizeof *res.samples);
    rs = calloc(n ? n : 1, sizeof *rs);
    flags = calloc(n ? n : 1, sizeof *flags);
    rf = calloc(nf + n + 1, sizeof *rf);
    char(*strs)[7][256] = calloc(n ? n : 1, sizeof *strs);
    if (in == NULL || res.samples == NULL || rs == NULL || flags == NULL || rf == NULL ||
        strs == NULL) {
        free(strs);
        rc = 71;
        goto out;
    }
    res.n_samples = n;
    {
        static const char *const cols[7] = {"role",     "treatment", "dose",     "dose_unit",
                                            "qc_flags", "error",     "qc_detail"};
        size_t ci[7];
        for (int k = 0; k < 7; k++) {
            ci[k] = column(header, cols[k]);
        }
        size_t c_apo = column(header, "apoptotic_pct"), c_sing = column(header, "singlets");
        size_t c_ev = column(header, "events"), c_rep = column(header, "replicate");
        size_t c_well = column(header, "well");
        size_t c_q[ASSAY_Q_COUNT], c_cnt[ASSAY_Q_COUNT];
        for (int q = 0; q < ASSAY_Q_COUNT; q++) {
            char nm[64];
            snprintf(nm, sizeof nm, "%s_pct", assay_quadrant_name(q));
            c_q[q] = column(header, nm);
            snprintf(nm, sizeof nm, "%s_count", assay_quadrant_name(q));
            c_cnt[q] = column(header, nm);
        }
        char *wells = calloc(n ? n : 1, 64);
        if (wells == NULL) {
            free(strs);
            rc = 71;
            goto out;
        }
        for (size_t i = 0; i < n; i++) {
            char buf[256];
            for (int k = 0; k < 7; k++) {
                field(ms[i].row, ci[k], strs[i][k], sizeof strs[i][k]);
            }
            assay_sample *s = &res.samples[i];
            assay_input *x = &in[i];
            x->sample = ms[i].sample;
            x->file = ms[i].file;
            if (!assay_role_parse(strs[i][0], &x->role)) {
                x->role = ASSAY_ROLE_UNKNOWN;
            }
            x->treatment = strs[i][1];
            x->dose_text = strs[i][2];
            x->dose_unit = strs[i][3];
            x->dose = NAN;
            if (x->dose_text[0] &&
                !apo_parse_double(x->dose_text, strlen(x->dose_text), false, &x->dose)) {
                x->dose = NAN;
            }
            /* qc flags back to bits */
            for (unsigned bit = 0; bit < 16; bit++) {
                char nm[160];
                assay_qc_flags_format(1u << bit, nm, sizeof nm);
                const char *fl_s = strs[i][4];
                size_t ln = strlen(nm);
                for (const char *p = fl_s; ln && (p = strstr(p, nm)) != NULL; p += ln) {
                    if ((p == fl_s || p[-1] == ';') && (p[ln] == '\0' || p[ln] == ';')) {
                        s->qc |= 1u << bit;
                        break;
                    }
                }
            }
            if (strs[i][5][0]) {
                s->qc |= ASSAY_QC_FAILED;
            }
            field(ms[i].row, c_apo, buf, sizeof buf);
            s->apoptotic_pct = apo_jscan_number((apo_jspan){buf, buf + strlen(buf)});
            field(ms[i].row, c_sing, buf, sizeof buf);
            uint64_t u = 0;
            s->singlets = apo_parse_u64(buf, strlen(buf), &u) ? u : 0;
            field(ms[i].row, c_ev, buf, sizeof buf);
            s->events = apo_parse_u64(buf, strlen(buf), &u) ? u : 0;
            for (int q = 0; q < ASSAY_Q_COUNT; q++) {
                field(ms[i].row, c_q[q], buf, sizeof buf);
                s->pct[q] = apo_jscan_number((apo_jspan){buf, buf + strlen(buf)});
                field(ms[i].row, c_cnt[q], buf, sizeof buf);
                s->count[q] = apo_parse_u64(buf, strlen(buf), &u) ? u : 0;
            }
            field(ms[i].row, c_rep, buf, sizeof buf);
            x->replicate = apo_parse_u64(buf, strlen(buf), &u) && u < 100000 ? (unsigned)u : 0;
            char *well = wells + 64 * i;
            if (c_well != SIZE_MAX) {
                field(ms[i].row, c_well, well, 64);
            }
            /* the report's row */
            report_sample *r = &rs[i];
            assay_qc_flags_format(s->qc & ~(unsigned)ASSAY_QC_FAILED, flags[i], sizeof flags[i]);
            *r = (report_sample){.sample = x->sample, .file = x->file,
                                 .role = assay_role_name(x->role), .treatment = x->treatment,
                                 .dose = x->dose_text, .dose_unit = x->dose_unit, .well = well,
                                 .replicate = x->replicate, .events = s->events,
                                 .singlets = s->singlets, .apoptotic_pct = s->apoptotic_pct,
                                 .qc_flags = flags[i], .qc_detail = strs[i][6],
                                 .error = strs[i][5]};
            for (int q = 0; q < ASSAY_Q_COUNT; q++) {
                r->pct[q] = s->pct[q];
            }
            rc = cli_worse_exit(rc, (s->qc & ASSAY_QC_FAILED) ? 65 : 0);
        }
        /* shard warnings (without the comparison ones, recomputed below) */
        for (size_t k = 0; k < nsh; k++) {
            apo_jspan jw = apo_jscan_get(sh[k].doc, "warnings");
            char buf[1024];
            for (size_t i = 0; apo_jscan_index(jw, i).p != NULL; i++) {
                apo_jscan_string(apo_jscan_index(jw, i), buf, sizeof buf);
                if (!comparison_warning(buf)) {
                    warn_add(&w, buf);
                }
            }
        }
        /* The comparisons over all merged samples, by the same library code as a run. */
        size_t warn_first = res.n_warnings;
        bool ok = assay_compare(in, n, &res, &err) == APO_OK;
        for (size_t i = warn_first; i < res.n_warnings; i++) {
            warn_add(&w, res.warnings[i]);
            free(res.warnings[i]);
        }
        res.n_warnings = warn_first;
        if (ok) {
            snprintf(path, sizeof path, "%s/comparisons.csv", outdir);
            ok = assay_write_comparisons_csv(&res, path, &err) == APO_OK;
            if (!ok) {
                free(strs);
                free(wells);
                goto io_error;
            }
        } else {
            free(strs);
            free(wells);
            rc = 71;
            goto out;
        }
        rc = cli_worse_exit(rc, nf > 0 ? 65 : 0);
        snprintf(path, sizeof path, "%s/results.json", outdir);
        if (write_json(path, sh, ms, n, &res, fl, nf, &w, &err) != APO_OK) {
            free(strs);
            free(wells);
            goto io_error;
        }
        /* plots: each sample's gating path from its shard */
        bool plots = false;
        for (size_t i = 0; i < n; i++) {
            char from[PATH_MAX + 300];
            struct stat st;
            snprintf(from, sizeof from, "%s/plots/%s.png", sh[ms[i].shard].dir, ms[i].sample);
            if (stat(from, &st) != 0) {
                continue;
            }
            if (!plots) {
                snprintf(path, sizeof path, "%s/plots", outdir);
                e = mkdir_p(path);
                if (e != 0) {
                    cli_errorf("%s: cannot create folder: %s", path, strerror(e));
                    rc = cli_worse_exit(rc, 73);
                    break;
                }
                plots = true;
            }
            snprintf(path, sizeof path, "%s/plots/%s.png", outdir, ms[i].sample);
            e = copy_file(from, path);
            if (e != 0) {
                cli_errorf("%s: cannot copy to %s: %s", from, path, strerror(e));
                rc = cli_worse_exit(rc, 74);
            }
        }
        if (report) {
            result_from_json(sh[0].doc, &res);
            res.warnings = w.v;
            res.n_warnings = w.n;
            char note[512];
            snprintf(note, sizeof note,
                     "Merged from %zu shard folders (apoflow merge); the quadrant overview and "
                     "Annexin V overlay of all samples are drawn by a single run only.",
                     nsh);
            for (size_t i = 0; i < nf; i++) {
                rf[i] = (report_failure){fl[i].file, "read", fl[i].error};
            }
            size_t nrf = nf;
            for (size_t i = 0; i < n; i++) { /* samples read but not analysable */
                if (rs[i].error[0]) {
                    rf[nrf++] = (report_failure){rs[i].file, "analysis", rs[i].error};
                }
            }
            report_checksums(rs, n, jobs);
            if (plots && report_dose_plots(outdir, &res, n, rs, &err) != APO_OK) {
                cli_print_error(&err);
                rc = cli_worse_exit(rc, apo_status_exit_code(err.status));
            }
            report_input ri = {.outdir = outdir,
                               .title = "Annexin V / PI apoptosis report (merged shards)",
                               .n_samples = n,
                               .samples = rs,
                               .res = &res,
                               .n_failures = nrf,
                               .failures = rf,
                               .argc = argc,
                               .argv = argv,
                               .note = note,
                               .jobs = jobs};
            if (report_write_html(&ri, &err) != APO_OK) {
                cli_print_error(&err);
                rc = cli_worse_exit(rc, apo_status_exit_code(err.status));
            }
            res.warnings = NULL;
            res.n_warnings = 0;
        }
        free(strs);
        free(wells);
    }
    if (!quiet) {
        printf("merged %zu samples from %zu shard(s): %zu comparison(s), %zu dose-response "
               "fit(s), %zu failed file(s)\noutputs in %s/\n",
               n, nsh, res.n_comparisons, res.n_fits, nf, outdir);
    }
    goto out;
io_error:
    cli_print_error(&err);
    rc = cli_worse_exit(rc, apo_status_exit_code(err.status));
out:
    for (size_t k = 0; k < nsh; k++) {
        free(sh[k].samples.p);
        free(sh[k].stats.p);
        free(sh[k].json.p);
        free(sh[k].srec);
        free(sh[k].trec);
    }
    free(sh);
    free(ms);
    free(rows);
    free(fl);
    free(in);
    free(rs);
    free(rf);
    free(flags);
    for (size_t i = 0; i < w.n; i++) {
        free(w.v[i]);
    }
    free(w.v);
    assay_result_free(&res);
    return rc;
}
