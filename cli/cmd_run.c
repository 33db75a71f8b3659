/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_run.c: `apoflow run INPUT... --sheet FILE -o OUTDIR`: the whole Annexin V / PI
 * analysis of an experiment: reads the FCS files (folders recursively), matches them to the
 * sample sheet, calls assay_analyze and writes samples.csv, comparisons.csv, stats.csv,
 * results.json, gating.xml and plots/ (docs/outputs.md). A file that cannot be read is
 * reported and the others are still analysed (exit 65 at the end).
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "cli/cli.h"
#include "util/util.h"
#include "assay/assay.h"
#include "util/util.h"      /* H6: --jobs */
#include "cli/pool_read.h" /* H6: --jobs, --shard, progress */
#include "cli/run_flowjo.h"
#include "gating/flowjo.h"
#include "report/report.h"    /* H6: report.html */
#include "assay/assay.h"
#include "render/render.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

typedef struct run_options {
    const char *sheet;
    const char *outdir;
    const char *gating;
    const char *write_gating;
    const char *population;   /* --population PATH: the quadrant of a FlowJo --gating */
    const char *write_flowjo; /* --write-flowjo OUT.wsp */
    const char *comp;
    bool plots;
    bool quiet;
    assay_options apo;
    unsigned jobs;             /* H6: threads (0 = all cores) */
    int verbosity;             /* H6: CLI_QUIET / CLI_NORMAL / CLI_VERBOSE */
    unsigned shard_i, shard_n; /* H6: --shard I/N (shard_n 0 = all files) */
    bool timings;              /* H6: --timings */
    bool controls_only;        /* H6: --controls-only */
    fcs_read_options read;     /* --offsets, --text-mode, --allow-truncated, --rename-duplicates */
} run_options;

/* A file to analyse. */
typedef struct run_file {
    char *path;
    char *sample;     /* owned */
    const assay_sheet_row *row;
    fcs_file *f;
    bool ok;
} run_file;

typedef struct file_list {
    char **v;
    size_t n, cap;
} file_list;

static void print_help(FILE *to)
{
    fprintf(to,
            "usage: apoflow run [OPTIONS] INPUT... -o OUTDIR\n"
            "       apoflow run --sheet SHEET.csv -o OUTDIR   (the sheet's files)\n\n"
            "Annexin V / PI apoptosis analysis of an experiment: compensation, debris and\n"
            "doublet pre-gates, quadrant thresholds from the controls, per-sample quadrant\n"
            "percentages, comparisons of treated groups with the stimulus-only group, QC.\n"
            "INPUT is an FCS file or a folder (searched recursively for *.fcs).\n"
            "Writes samples.csv, stats.csv, comparisons.csv, results.json, gating.xml,\n"
            "plots/ and report.html (one self-contained page) into OUTDIR.\n\n"
            "options:\n"
            "  -o, --output DIR      output folder (created; never an input folder)\n"
            "  --sheet FILE          sample sheet CSV: file,sample,role,treatment,dose,\n"
            "                        dose_unit,replicate (docs/sample-sheet.md); only its files\n"
            "                        are analysed\n"
            "  --annexin CH          the Annexin V channel ($PnN or $PnS; default: automatic)\n"
            "  --pi CH               the PI channel (default: automatic)\n"
            "  --comp SRC            auto (default: controls, else the files' $SPILLOVER),\n"
            "                        controls, file, none, or a matrix CSV file\n"
            "  --thresholds A,P      fixed quadrant thresholds (compensated data units;\n"
            "                        default: from the controls, else the density valley)\n"
            "  --quantile Q          negative-control quantile for thresholds (default 0.995)\n"
            "  --min-events N        QC: fewest singlets per sample (default 500)\n"
            "  --sample-events N     estimates (pre-gates, spillover, scales, thresholds,\n"
            "                        medians, flow check) and plots use at most N events per\n"
            "                        sample, every k-th; counts and percentages always use\n"
            "                        every event (default 1000000; 0 = all events)\n"
            "  --offsets MODE        auto|header|text: which segment offsets win (default auto)\n"
            "  --text-mode MODE      auto|escape|empty: doubled delimiters in TEXT (default auto)\n"
            "  --allow-truncated     use the complete events of a short DATA segment\n"
            "  --rename-duplicates   read duplicate $PnN names as NAME-1, NAME-2 (warned)\n"
            "  --gating FILE         use this Gating-ML 2.0 gating instead of the automatic one\n"
            "                        (quadrant ids viable, early_apoptotic, late_apoptotic,\n"
            "                        necrotic; e.g. a gating.xml of an earlier run;\n"
            "                        default: built from the data), or a FlowJo workspace\n"
            "                        (.wsp): its first sample's gates, its quadrant (x =\n"
            "                        Annexin V) becoming the four quadrants\n"
            "  --population PATH     with --gating WORKSPACE.wsp: the FlowJo path of the\n"
            "                        population holding the quadrant (or of one of its four\n"
            "                        rectangles); default: the workspace's only quadrant\n"
            "  --write-flowjo OUT    also save the analysis as a FlowJo 10 workspace: every\n"
            "                        analysed file as a sample with the applied matrix,\n"
            "                        transforms, pre-gates and quadrants (docs/flowjo.md)\n"
            );
    fprintf(to,
            "  --write-gating FILE   also save the gating as applied to FILE (Gating-ML 2.0;\n"
            "                        default: only OUTDIR/gating.xml)\n"
            "  --no-plots            skip plots/ (default: write them; report.html is\n"
            "                        always written)\n"
            "  -j, --jobs N          threads for reading, per-sample plots and checksums\n"
            "                        (default 0 = all cores); the outputs are identical for\n"
            "                        every N\n"
            "  --shard I/N           analyse only slice I of N of the (sheet's) files, sorted\n"
            "                        by path; needs --gating (docs/scaling.md); combine the\n"
            "                        shards with 'apoflow merge'\n"
            "  --controls-only       analyse only the sheet's unstained and single-stain\n"
            "                        controls: the first step of a sharded run, whose\n"
            "                        gating.xml (thresholds, compensation, pre-gates) every\n"
            "                        shard then takes with --gating\n"
            "  -q, --quiet           only errors (no summary, notes, warnings or progress)\n"
            "  -v, --verbose         one line per file read and the time of every stage\n"
            "  --timings             print the time of each stage (parse, gating and\n"
            "                        statistics, tables, plots, report) to standard error\n"
            "                        (default: a progress bar when stderr is a terminal)\n"
            "  -h, --help            this help\n\n"
            "exit codes: 0 ok, 64 usage, 65 a file or sample failed (the rest is written),\n"
            "66 no input, 73/74 cannot write the outputs\n");
}

static bool list_push(file_list *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        char **v = realloc(l->v, cap * sizeof *v);
        if (v == NULL) {
            return false;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n] = strdup(s);
    return l->v[l->n++] != NULL;
}

static bool has_fcs_ext(const char *name)
{
    size_t n = strlen(name);
    return (n > 4 && strcasecmp(name + n - 4, ".fcs") == 0) ||
           (n > 4 && strcasecmp(name + n - 4, ".lmd") == 0);
}

/* Files without an .fcs extension (FACSCalibur's "060909.001") are recognised by their
 * "FCS" version at byte 0. */
static bool has_fcs_magic(const char *path)
{
    char head[6];
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return false;
    }
    size_t got = fread(head, 1, sizeof head, f);
    fclose(f);
    return got == sizeof head && memcmp(head, "FCS", 3) == 0 && head[4] == '.';
}

static int walk(const char *dir, file_list *l, int depth)
{
    if (depth > 32) {
        return 0;
    }
    DIR *d = opendir(dir);
    if (d == NULL) {
        cli_errorf("%s: cannot open folder: %s", dir, strerror(errno));
        return 66;
    }
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }
        char path[PATH_MAX];
        size_t dl = strlen(dir);
        int w = snprintf(path, sizeof path, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/",
                         de->d_name);
        if (w < 0 || (size_t)w >= sizeof path) {
            continue;
        }
        struct stat st;
        if (stat(path, &st) != 0) {
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            rc = cli_worse_exit(rc, walk(path, l, depth + 1));
        } else if (S_ISREG(st.st_mode) && (has_fcs_ext(de->d_name) || has_fcs_magic(path))) {
            if (!list_push(l, path)) {
                rc = 71;
            }
        }
    }
    closedir(d);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int cli_collect_fcs(int n_args, char **args, char ***files, size_t *n_files)
{
    file_list l = {0};
    int rc = 0;
    for (int i = 0; i < n_args; i++) {
        struct stat st;
        if (stat(args[i], &st) != 0) {
            cli_errorf("%s: cannot open: %s", args[i], strerror(errno));
            rc = cli_worse_exit(rc, 66);
        } else if (S_ISDIR(st.st_mode)) {
            rc = cli_worse_exit(rc, walk(args[i], &l, 0));
        } else if (!list_push(&l, args[i])) {
            rc = 71;
        }
    }
    if (l.n > 1) {
        qsort(l.v, l.n, sizeof *l.v, cmp_str);
    }
    *files = l.v;
    *n_files = l.n;
    return rc;
}

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

static int mkdirs(const char *path)
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

/* True when real path @p out equals @p in or lies inside it. */
static bool inside(const char *out, const char *in)
{
    size_t n = strlen(in);
    return strncmp(out, in, n) == 0 && (out[n] == '\0' || out[n] == '/' || (n == 1 && in[0] == '/'));
}

/* The real path @p path will have once created: realpath of its deepest existing ancestor
 * plus the rest, so that nothing is created before the input folders are checked. */
static bool resolve_future(const char *path, char *out, size_t cap)
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
        size_t n = strlen(head);
        while (n > 1 && head[n - 1] == '/') {
            head[--n] = '\0';
        }
        char *slash = strrchr(head, '/');
        char piece[PATH_MAX];
        snprintf(piece, sizeof piece, "/%s%s", slash ? slash + 1 : head, tail);
        snprintf(tail, sizeof tail, "%s", piece);
        if (slash == NULL) {
            head[0] = '\0';
        } else if (slash == head) {
            head[1] = '\0';
        } else {
            *slash = '\0';
        }
    }
}

static bool parse_thresholds(const char *arg, double *a, double *p)
{
    const char *comma = strchr(arg, ',');
    return comma != NULL && apo_parse_double(arg, (size_t)(comma - arg), false, a) &&
           apo_parse_double(comma + 1, strlen(comma + 1), false, p);
}

/* ---- results.json ---------------------------------------------------------------------- */

static void jthreshold(FILE *f, const char *k, const assay_threshold *t, bool *first)
{
    apo_json_key(f, k, first);
    bool b = true;
    fputc('{', f);
    apo_json_kv_num(f, "value", t->value, &b);
    apo_json_kv_num(f, "scaled", t->scaled, &b);
    apo_json_kv_str(f, "method", t->method, &b);
    apo_json_kv_str(f, "source", t->source, &b);
    apo_json_kv_num(f, "realized_pct", t->realized_pct, &b);
    fputc('}', f);
}

static void jscale(FILE *f, const char *k, const gate_transform *t, bool *first)
{
    apo_json_key(f, k, first);
    bool b = true;
    fputc('{', f);
    apo_json_kv_str(f, "kind", gate_transform_kind_name(t->kind), &b);
    apo_json_kv_num(f, "T", t->T, &b);
    apo_json_kv_num(f, "W", t->W, &b);
    apo_json_kv_num(f, "M", t->M, &b);
    apo_json_kv_num(f, "A", t->A, &b);
    fputc('}', f);
}

static apo_status write_json(const char *path, const assay_result *r, const run_file *files,
                             const assay_input *in, size_t n, const file_list *failed,
                             const char *const *failed_msg, const run_options *o,
                             apo_error *err)
{
    apo_atomic_file af;
    apo_status st = apo_atomic_open(&af, path, err);
    if (st != APO_OK) {
        return st;
    }
    FILE *f = af.fp;
    bool first = true;
    fputc('{', f);
    apo_json_key(f, "versions", &first);
    fputs("{\"apoflow\":", f);
    apo_json_string(f, APOFLOW_VERSION);
    fputs(",\"results_format\":1}", f);
    apo_json_kv_str(f, "sheet", o->sheet, &first);
    apo_json_key(f, "channels", &first);
    {
        bool b = true;
        fputc('{', f);
        apo_json_kv_str(f, "annexin", r->annexin_channel, &b);
        apo_json_kv_str(f, "annexin_reason", r->annexin_why, &b);
        apo_json_kv_str(f, "pi", r->pi_channel, &b);
        apo_json_kv_str(f, "pi_reason", r->pi_why, &b);
        fputc('}', f);
    }
    apo_json_key(f, "compensation", &first);
    {
        bool b = true;
        fputc('{', f);
        apo_json_kv_str(f, "source", r->comp_source, &b);
        apo_json_kv_str(f, "detail", r->comp_detail, &b);
        apo_json_key(f, "detectors", &b);
        fputc('[', f);
        apo_json_string(f, r->annexin_channel);
        fputc(',', f);
        apo_json_string(f, r->pi_channel);
        fputc(']', f);
        apo_json_key(f, "spillover", &b);
        fputs("[[", f);
        apo_json_number(f, r->spill[0]);
        fputc(',', f);
        apo_json_number(f, r->spill[1]);
        fputs("],[", f);
        apo_json_number(f, r->spill[2]);
        fputc(',', f);
        apo_json_number(f, r->spill[3]);
        fputs("]]}", f);
    }
    apo_json_kv_str(f, "pregates", r->pregate_detail, &first);
    jscale(f, "annexin_scale", &r->annexin_scale, &first);
    jscale(f, "pi_scale", &r->pi_scale, &first);
    apo_json_key(f, "thresholds", &first);
    {
        bool b = true;
        fputc('{', f);
        jthreshold(f, "annexin", &r->annexin, &b);
        jthreshold(f, "pi", &r->pi, &b);
        fputc('}', f);
    }
    apo_json_key(f, "samples", &first);
    fputc('[', f);
    for (size_t i = 0; i < n; i++) {
        const assay_sample *s = &r->samples[i];
        bool b = true;
        char flags[160];
        assay_qc_flags_format(s->qc, flags, sizeof flags);
        fputs(i ? ",{" : "{", f);
        apo_json_kv_str(f, "sample", in[i].sample, &b);
        apo_json_kv_str(f, "file", files[i].path, &b);
        apo_json_kv_str(f, "role", assay_role_name(in[i].role), &b);
        apo_json_kv_str(f, "treatment", in[i].treatment, &b);
        apo_json_kv_str(f, "dose", in[i].dose_text, &b);
        apo_json_kv_str(f, "dose_unit", in[i].dose_unit, &b);
        apo_json_kv_num(f, "replicate", in[i].replicate ? (double)in[i].replicate : NAN, &b);
        apo_json_kv_uint(f, "events", s->events, &b);
        apo_json_kv_uint(f, "cells", s->cells, &b);
        apo_json_kv_uint(f, "singlets", s->singlets, &b);
        for (int q = 0; q < ASSAY_Q_COUNT; q++) {
            char k[64];
            snprintf(k, sizeof k, "%s_count", assay_quadrant_name(q));
            apo_json_kv_uint(f, k, s->count[q], &b);
            snprintf(k, sizeof k, "%s_pct", assay_quadrant_name(q));
            apo_json_kv_num(f, k, s->pct[q], &b);
            snprintf(k, sizeof k, "%s_annexin_median", assay_quadrant_name(q));
            apo_json_kv_num(f, k, s->median_annexin[q], &b);
            snprintf(k, sizeof k, "%s_pi_median", assay_quadrant_name(q));
            apo_json_kv_num(f, k, s->median_pi[q], &b);
        }
        apo_json_kv_num(f, "apoptotic_pct", s->apoptotic_pct, &b);
        apo_json_kv_num(f, "annexin_valley", s->annexin_valley, &b);
        apo_json_kv_num(f, "flow_max_deviation", s->flow_max_dev, &b);
        apo_json_kv_str(f, "qc_flags", flags, &b);
        apo_json_kv_str(f, "qc_detail", s->qc_detail, &b);
        apo_json_kv_str(f, "error", s->error, &b);
        apo_json_key(f, "file_warnings", &b);
        fputc('[', f);
        const fcs_dataset *ds = files[i].f ? fcs_file_dataset(files[i].f, 0) : NULL;
        for (size_t w = 0; ds != NULL && w < fcs_dataset_n_warnings(ds); w++) {
            if (w) {
                fputc(',', f);
            }
            apo_json_string(f, fcs_dataset_warning(ds, w)->msg);
        }
        fputs("]}", f);
    }
    fputc(']', f);
    assay_json_comparisons(f, r, &first);
    apo_json_key(f, "failed_files", &first);
    fputc('[', f);
    for (size_t i = 0; i < failed->n; i++) {
        bool b = true;
        fputs(i ? ",{" : "{", f);
        apo_json_kv_str(f, "file", failed->v[i], &b);
        apo_json_kv_str(f, "step", "read", &b); /* H6 */
        apo_json_kv_str(f, "error", failed_msg[i], &b);
        fputc('}', f);
    }
    fputc(']', f);
    apo_json_key(f, "warnings", &first);
    fputc('[', f);
    for (size_t i = 0; i < r->n_warnings; i++) {
        if (i) {
            fputc(',', f);
        }
        apo_json_string(f, r->warnings[i]);
    }
    fputs("]}\n", f);
    if (ferror(f)) {
        apo_atomic_abort(&af);
        return apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL, "write error");
    }
    return apo_atomic_commit(&af, err);
}

/* ---- plots ----------------------------------------------------------------------------- */

/* Events drawn per sample: the per-sample panel reads at most PANEL_EVENTS of a sample's
 * events (every k-th); the overview and the overlay keep at most KEEP_SINGLETS of its
 * singlets once the panel is drawn, so plots never hold a whole file. */
#define PANEL_EVENTS 200000u
#define KEEP_SINGLETS 20000u

typedef struct sample_view {
    fcs_events ev;       /* the displayed events (a subsample of large files) */
    uint8_t *singlet, *quadrant;
    double *ann, *pi;    /* compensated, the displayed events */
    double *sa, *sp;     /* singlets only */
    size_t ns;
} sample_view;

static void view_free(sample_view *v)
{
    fcs_events_free(&v->ev);
    free(v->singlet);
    free(v->quadrant);
    free(v->ann);
    free(v->pi);
    free(v->sa);
    free(v->sp);
    memset(v, 0, sizeof *v);
}

static apo_status view_load(const assay_result *r, const assay_input *in, sample_view *v,
                            apo_error *err)
{
    memset(v, 0, sizeof *v);
    apo_status st = assay_sample_events(r, in, PANEL_EVENTS, &v->ev, &v->singlet,
                                           &v->quadrant, &v->ann, &v->pi, err);
    if (st != APO_OK) {
        return st;
    }
    size_t n = (size_t)v->ev.n_events;
    v->sa = malloc((n ? n : 1) * sizeof(double));
    v->sp = malloc((n ? n : 1) * sizeof(double));
    if (v->sa == NULL || v->sp == NULL) {
        view_free(v);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    for (size_t e = 0; e < n; e++) {
        if (v->singlet[e]) {
            v->sa[v->ns] = v->ann[e];
            v->sp[v->ns] = v->pi[e];
            v->ns++;
        }
    }
    return APO_OK;
}

/* After the panel: keep every k-th singlet only (at most KEEP_SINGLETS) for the overview
 * and the overlay, and free the rest. */
static void view_shrink(sample_view *v)
{
    fcs_events_free(&v->ev);
    free(v->singlet);
    free(v->quadrant);
    free(v->ann);
    free(v->pi);
    v->singlet = v->quadrant = NULL;
    v->ann = v->pi = NULL;
    const size_t step = v->ns > KEEP_SINGLETS ? (v->ns + KEEP_SINGLETS - 1) / KEEP_SINGLETS : 1;
    size_t m = 0;
    for (size_t k = 0; k < v->ns; k += step, m++) {
        v->sa[m] = v->sa[k];
        v->sp[m] = v->sp[k];
    }
    v->ns = m;
    double *a = realloc(v->sa, (m ? m : 1) * sizeof(double));
    double *p = realloc(v->sp, (m ? m : 1) * sizeof(double));
    if (a != NULL) {
        v->sa = a;
    }
    if (p != NULL) {
        v->sp = p;
    }
}

static const char *const quad_labels[4] = {"Viable", "Early apoptotic", "Late apoptotic",
                                           "Necrotic"};

static void quadrant_plot(render_plot *p, const assay_result *r, const assay_sample *s,
                          const sample_view *v, render_quadrant *q, const char *xt,
                          const char *yt)
{
    render_plot_init(p);
    p->kind = RENDER_PSEUDOCOLOR;
    p->x = v->sa;
    p->y = v->sp;
    p->n = v->ns;
    render_axis_init(&p->xaxis, &r->annexin_scale, xt);
    render_axis_init(&p->yaxis, &r->pi_scale, yt);
    memset(q, 0, sizeof *q);
    q->x = r->annexin.value;
    q->y = r->pi.value;
    for (int k = 0; k < 4; k++) {
        q->label[k] = quad_labels[k];
        q->pct[k] = s->pct[k];
    }
    q->digits = 1;
    p->quadrant = q;
}

/* H6 (--jobs): one sample's gating-path panel, run on the thread pool. */
typedef struct plot_job {
    const assay_result *r;
    const assay_input *in;
    sample_view *views;
    bool *have;
    int *rcs;
    char (*xt)[128], (*yt)[128];
    const char *dir;
    render_options ro;
    size_t gi_cells, gi_sing;
    cli_progress *prog;
} plot_job;

static void plot_done(void *ctx, size_t i)
{
    const plot_job *j = ctx;
    cli_progress_tick(j->prog, j->in[i].sample, j->r->samples[i].events, 0.0,
                      j->rcs[i] != 0);
}

static void plot_sample(void *ctx, size_t i)
{
    const plot_job *j = ctx;
    const assay_result *r = j->r;
    const assay_input *in = j->in;
    sample_view *views = j->views;
    const char *dir = j->dir;
    const render_options ro = j->ro;
    const size_t gi_cells = j->gi_cells, gi_sing = j->gi_sing;
    char *xt = j->xt[i], *yt = j->yt[i];
    char path[PATH_MAX + 512];
    const assay_sample *s = &r->samples[i];
    if (s->qc & ASSAY_QC_FAILED) {
        return;
    }
    apo_error err;
    if (view_load(r, &in[i], &views[i], &err) != APO_OK) {
        cli_print_error(&err);
        j->rcs[i] = 65;
        return;
    }
    j->have[i] = true;
    const fcs_dataset *ds = in[i].ds;
    size_t ia = fcs_dataset_find_param(ds, s->annexin_name);
    size_t ip = fcs_dataset_find_param(ds, s->pi_name);
    render_axis_title(xt, sizeof j->xt[i], s->annexin_name,
                      ia != SIZE_MAX ? fcs_dataset_param(ds, ia)->label : "");
    render_axis_title(yt, sizeof j->yt[i], s->pi_name,
                      ip != SIZE_MAX ? fcs_dataset_param(ds, ip)->label : "");
    /* per-sample panel: scatter with the Cells gate, singlets, quadrants */
    render_plot p[3];
    render_gate g[2];
    render_quadrant q;
    size_t np = 0;
    size_t fa = fcs_dataset_find_param(ds, "FSC-A"), fh = fcs_dataset_find_param(ds, "FSC-H");
    size_t sa = fcs_dataset_find_param(ds, "SSC-A");
    if (sa == SIZE_MAX) {
        sa = fcs_dataset_find_param(ds, "SSC-H");
    }
    size_t fx = fa != SIZE_MAX ? fa : fh;
    char sub0[96], sub1[96], sub2[96];
    double cell_rect[4];
    if (fx != SIZE_MAX && sa != SIZE_MAX) {
        render_plot_init(&p[np]);
        p[np].kind = RENDER_PSEUDOCOLOR;
        p[np].x = fcs_events_column(&views[i].ev, fx);
        p[np].y = fcs_events_column(&views[i].ev, sa);
        p[np].n = (size_t)views[i].ev.n_events;
        render_axis_init(&p[np].xaxis, NULL, fcs_dataset_param(ds, fx)->name);
        render_axis_init(&p[np].yaxis, NULL, fcs_dataset_param(ds, sa)->name);
        char cnt[32];
        render_format_count(cnt, sizeof cnt, s->events);
        if (views[i].ev.n_events < s->events) {
            char shown[32];
            render_format_count(shown, sizeof shown, views[i].ev.n_events);
            snprintf(sub0, sizeof sub0, "All events, n = %s (display %s)", cnt, shown);
        } else {
            snprintf(sub0, sizeof sub0, "All events, n = %s", cnt);
        }
        p[np].title = "Debris exclusion";
        p[np].subtitle = sub0;
        if (gi_cells != SIZE_MAX) {
            gate_info gi;
            gate_strategy_gate(r->strategy, gi_cells, &gi);
            if (gi.kind == GATE_RECTANGLE && gi.n_dims == 1) {
                cell_rect[0] = gi.min[0];
                cell_rect[1] = -INFINITY;
                cell_rect[2] = INFINITY;
                cell_rect[3] = INFINITY;
                g[0] = (render_gate){.shape = RENDER_SHAPE_RECTANGLE, .xy = cell_rect,
                                     .name = "Cells",
                                     .pct = s->events ? 100.0 * (double)s->cells /
                                                            (double)s->events
                                                      : NAN};
                p[np].gates = &g[0];
                p[np].n_gates = 1;
            }
        }
        np++;
    }
    if (fa != SIZE_MAX && fh != SIZE_MAX && gi_sing != SIZE_MAX) {
        gate_info gi;
        gate_strategy_gate(r->strategy, gi_sing, &gi);
        render_plot_init(&p[np]);
        p[np].kind = RENDER_PSEUDOCOLOR;
        p[np].x = fcs_events_column(&views[i].ev, fa);
        p[np].y = fcs_events_column(&views[i].ev, fh);
        p[np].n = (size_t)views[i].ev.n_events;
        render_axis_init(&p[np].xaxis, NULL, "FSC-A");
        render_axis_init(&p[np].yaxis, NULL, "FSC-H");
        snprintf(sub1, sizeof sub1, "FSC-H / FSC-A band");
        p[np].title = "Doublet exclusion";
        p[np].subtitle = sub1;
        if (gi.kind == GATE_POLYGON) {
            g[1] = (render_gate){.shape = RENDER_SHAPE_POLYGON, .n_vertices = gi.n_vertices,
                                 .xy = gi.vertices, .name = "Singlets",
                                 .pct = s->cells ? 100.0 * (double)s->singlets /
                                                       (double)s->cells
                                                 : NAN};
            p[np].gates = &g[1];
            p[np].n_gates = 1;
        }
        np++;
    }
    quadrant_plot(&p[np], r, s, &views[i], &q, xt, yt);
    char cnt[32];
    render_format_count(cnt, sizeof cnt, s->singlets);
    snprintf(sub2, sizeof sub2, "Singlets, n = %s, apoptotic %.1f%%", cnt, s->apoptotic_pct);
    p[np].title = "Annexin V / PI";
    p[np].subtitle = sub2;
    np++;
    render_panel_spec panel = {in[i].sample, np, p, np};
    snprintf(path, sizeof path, "%s/%s.png", dir, in[i].sample);
    render_text_chunk meta[] = {{"Source", in[i].file}};
    if (render_panel_png(path, &panel, &ro, 1, meta, &err) != APO_OK) {
        cli_print_error(&err);
        j->rcs[i] = apo_status_exit_code(err.status);
    }
    view_shrink(&views[i]);
}

static int write_plots(const char *outdir, const assay_result *r, const assay_input *in,
                       size_t n, const run_options *o)
{
    char dir[PATH_MAX], path[PATH_MAX + 512];
    snprintf(dir, sizeof dir, "%s/plots", outdir);
    if (mkdirs(dir) != 0) {
        cli_errorf("%s: cannot create folder: %s", dir, strerror(errno));
        return 73;
    }
    char(*titles_x)[128] = NULL, (*titles_y)[128] = NULL; /* overview axis titles */
    sample_view *views = calloc(n ? n : 1, sizeof *views);
    bool *have = calloc(n ? n : 1, sizeof *have);
    render_plot *grid = calloc(n ? n : 1, sizeof *grid);
    render_quadrant *gq = calloc(n ? n : 1, sizeof *gq);
    char (*titles)[160] = calloc(n ? n : 1, sizeof *titles);
    int rc = 0;
    if (!views || !have || !grid || !gq || !titles) {
        rc = 71;
        goto done;
    }
    render_options ro = RENDER_OPTIONS_INIT;
    ro.size = 420;
    ro.max_events = 20000;
    char xt[128], yt[128];
    size_t ng = 0;
    /* the Cells / Singlets gates of the automatic strategy, if present */
    size_t gi_cells = gate_strategy_find(r->strategy, "Cells");
    size_t gi_sing = gate_strategy_find(r->strategy, "Singlets");
    { /* H6: the per-sample panels on --jobs threads, then the overview in sample order */
        char(*xts)[128] = calloc(n ? n : 1, sizeof *xts);
        char(*yts)[128] = calloc(n ? n : 1, sizeof *yts);
        int *rcs = calloc(n ? n : 1, sizeof *rcs);
        if (xts == NULL || yts == NULL || rcs == NULL) {
            free(xts);
            free(yts);
            free(rcs);
            rc = 71;
            goto done;
        }
        cli_progress prog;
        cli_progress_start(&prog, "plots", n, o->verbosity == CLI_VERBOSE ? CLI_NORMAL
                                                                         : o->verbosity);
        plot_job job = {r, in, views, have, rcs, xts, yts, dir, ro, gi_cells, gi_sing, &prog};
        apo_pool_run(n, o->jobs, plot_sample, plot_done, &job);
        cli_progress_end(&prog);
        cli_status(o->verbosity, "rendering the overview and overlay ...");
        for (size_t i = 0; i < n; i++) { /* axis titles of the overview: the last sample's */
            if (have[i]) {
                snprintf(xt, sizeof xt, "%s", xts[i]);
                snprintf(yt, sizeof yt, "%s", yts[i]);
            }
        }
        for (size_t i = 0; i < n; i++) {
            rc = cli_worse_exit(rc, rcs[i]);
            if (!have[i]) {
                continue;
            }
            /* overview cell */
            quadrant_plot(&grid[ng], r, &r->samples[i], &views[i], &gq[ng], xt, yt);
            snprintf(titles[ng], sizeof titles[ng], "%s", in[i].sample);
            grid[ng].title = titles[ng];
            ng++;
        }
        /* the overview's axis titles point into xts/yts: keep them (H5 fix of a
         * use-after-free seen under ASan); freed at done: */
        titles_x = xts;
        titles_y = yts;
        free(rcs);
    }
    if (ng > 0) {
        apo_error err;
        render_panel_spec panel = {"Annexin V / PI quadrants (singlets)", ng, grid, 0};
        render_options ro2 = ro;
        ro2.size = 320;
        ro2.max_events = 5000;
        snprintf(path, sizeof path, "%s/overview.png", dir);
        if (render_panel_png(path, &panel, &ro2, 0, NULL, &err) != APO_OK) {
            cli_print_error(&err);
            rc = cli_worse_exit(rc, apo_status_exit_code(err.status));
        }
    }
    /* Annexin V overlay: stimulus-only pooled vs each treated group pooled */
    {
        size_t ns = 0;
        render_series series[16];
        char labels[16][96];
        double *pooled[16] = {NULL};
        size_t pn[16] = {0};
        /* group 0 = stimulus; then treated groups by first appearance */
        const assay_input *keys[16] = {NULL};
        for (size_t i = 0; i < n; i++) {
            if (!have[i] || (in[i].role != ASSAY_ROLE_STIMULUS && in[i].role != ASSAY_ROLE_TREATED)) {
                continue;
            }
            size_t k = 0;
            if (in[i].role == ASSAY_ROLE_TREATED) {
                for (k = 1; k < ns; k++) {
                    if (strcmp(keys[k]->treatment, in[i].treatment) == 0 &&
                        strcmp(keys[k]->dose_text, in[i].dose_text) == 0) {
                        break;
                    }
                }
                if (ns == 0) {
                    ns = 1; /* reserve the stimulus slot */
                    k = 1;
                }
                if (k == ns) {
                    if (ns == 16) {
                        continue;
                    }
                    keys[ns++] = &in[i];
                }
            } else if (ns == 0) {
                ns = 1;
            }
            double *grow = realloc(pooled[k], (pn[k] + views[i].ns + 1) * sizeof(double));
            if (grow == NULL) {
                continue;
            }
            pooled[k] = grow;
            memcpy(pooled[k] + pn[k], views[i].sa, views[i].ns * sizeof(double));
            pn[k] += views[i].ns;
        }
        if (ns >= 2 && pn[0] > 0) {
            /* legend order: stimulus first, then by treatment and increasing dose */
            size_t order[16];
            for (size_t k = 0; k < ns; k++) {
                order[k] = k;
            }
            for (size_t a = 2; a < ns; a++) {
                for (size_t b = a; b > 1; b--) {
                    const assay_input *x = keys[order[b - 1]], *y = keys[order[b]];
                    int c = strcmp(x->treatment, y->treatment);
                    if (c < 0 || (c == 0 && !(x->dose > y->dose))) {
                        break;
                    }
                    size_t t = order[b - 1];
                    order[b - 1] = order[b];
                    order[b] = t;
                }
            }
            size_t m = 0;
            for (size_t kk = 0; kk < ns; kk++) {
                size_t k = order[kk];
                if (pn[k] == 0) {
                    continue;
                }
                if (k == 0) {
                    snprintf(labels[m], sizeof labels[m], "stimulus only");
                } else {
                    snprintf(labels[m], sizeof labels[m], "%s %s %s", keys[k]->treatment,
                             keys[k]->dose_text, keys[k]->dose_unit);
                }
                series[m] = (render_series){pooled[k], pn[k], labels[m]};
                m++;
            }
            render_plot hp;
            render_plot_init(&hp);
            hp.kind = RENDER_HISTOGRAM;
            hp.series = series;
            hp.n_series = m;
            render_axis_init(&hp.xaxis, &r->annexin_scale, r->annexin_channel);
            hp.title = "Annexin V, singlets: treated vs stimulus only";
            render_panel_spec panel = {NULL, 1, &hp, 1};
            render_options ro3 = RENDER_OPTIONS_INIT;
            ro3.size = 700;
            apo_error err;
            snprintf(path, sizeof path, "%s/overlay_annexin.png", dir);
            if (render_panel_png(path, &panel, &ro3, 0, NULL, &err) != APO_OK) {
                cli_print_error(&err);
                rc = cli_worse_exit(rc, apo_status_exit_code(err.status));
            }
        }
        for (size_t k = 0; k < 16; k++) {
            free(pooled[k]);
        }
    }
done:
    free(titles_x);
    free(titles_y);
    for (size_t i = 0; views != NULL && i < n; i++) {
        view_free(&views[i]);
    }
    free(views);
    free(have);
    free(grid);
    free(gq);
    free(titles);
    return rc;
}

/* ---- summary --------------------------------------------------------------------------- */

static void print_summary(const assay_result *r, const assay_input *in, size_t n,
                          const char *outdir)
{
    printf("channels: Annexin V = %s (%s); PI = %s (%s)\n", r->annexin_channel, r->annexin_why,
           r->pi_channel, r->pi_why);
    printf("compensation: %s: %s; spillover AnnV->PI %.4g, PI->AnnV %.4g\n", r->comp_source,
           r->comp_detail, r->spill[1], r->spill[2]);
    printf("pre-gates: %s\n", r->pregate_detail);
    printf("thresholds: Annexin V %.6g (%s, %s), PI %.6g (%s, %s)\n", r->annexin.value,
           r->annexin.method, r->annexin.source, r->pi.value, r->pi.method, r->pi.source);
    printf("\n%-24s %-15s %9s %7s %7s %7s %7s %7s  %s\n", "sample", "role", "singlets", "viable",
           "early", "late", "necro", "apopt", "qc");
    for (size_t i = 0; i < n; i++) {
        const assay_sample *s = &r->samples[i];
        char flags[160];
        assay_qc_flags_format(s->qc, flags, sizeof flags);
        if (s->qc & ASSAY_QC_FAILED) {
            printf("%-24s %-15s failed: %s\n", in[i].sample, assay_role_name(in[i].role), s->error);
            continue;
        }
        printf("%-24s %-15s %9llu %7.2f %7.2f %7.2f %7.2f %7.2f  %s\n", in[i].sample,
               assay_role_name(in[i].role), (unsigned long long)s->singlets, s->pct[0], s->pct[1],
               s->pct[2], s->pct[3], s->apoptotic_pct, flags);
    }
    if (r->n_comparisons > 0) {
        printf("\n%-12s %8s %-6s %2s %8s %8s %9s %9s %9s %10s %s\n", "treatment", "dose", "unit",
               "n", "apopt%", "stim%", "diff_pp", "red_rel%", "red_norm%", "p", "test");
        for (size_t i = 0; i < r->n_comparisons; i++) {
            const assay_comparison *c = &r->comparisons[i];
            printf("%-12s %8s %-6s %2zu %8.2f %8.2f %9.2f %9.2f %9.2f %10.3g %s\n", c->treatment,
                   c->dose_text, c->dose_unit, c->n, c->mean, c->stim_mean, c->difference_pp,
                   c->reduction_relative_pct, c->reduction_normalized_pct, c->p_value, c->test);
        }
    }
    for (size_t i = 0; i < r->n_fits; i++) {
        const assay_dose_fit *d = &r->fits[i];
        printf("\n4PL %s: EC50 %.4g %s (95%% CI %.4g - %.4g), bottom %.3g, top %.3g, hill %.3g%s%s\n",
               d->treatment, d->ec50, d->dose_unit, d->ec50_ci_lo, d->ec50_ci_hi, d->bottom,
               d->top, d->hill, d->message[0] ? "; " : "", d->message);
    }
    printf("\noutputs in %s/\n", outdir);
}

/* assay_options.parallel: the analysis's per-sample steps on the --jobs pool, with a
 * progress bar per step on a terminal. */
typedef struct run_par {
    unsigned jobs;
    int verbosity;
    const assay_input *in;
} run_par;

typedef struct run_par_call {
    void (*fn)(void *job, size_t i);
    void *job;
    const run_par *rp;
    cli_progress prog;
} run_par_call;

static void run_par_task(void *ctx, size_t i)
{
    run_par_call *c = ctx;
    c->fn(c->job, i);
}

static void run_par_done(void *ctx, size_t i)
{
    run_par_call *c = ctx;
    cli_progress_tick(&c->prog, c->rp->in[i].sample, fcs_dataset_n_events(c->rp->in[i].ds),
                      0.0, false);
}

static void run_parallel(void *pctx, const char *what, size_t n,
                         void (*fn)(void *job, size_t i), void *job)
{
    run_par_call c = {fn, job, pctx, {0}};
    cli_progress_start(&c.prog, what, n, c.rp->verbosity);
    apo_pool_run(n, c.rp->jobs, run_par_task, run_par_done, &c);
    cli_progress_end(&c.prog);
}

/* ---- main ------------------------------------------------------------------------------ */

int cmd_run(int argc, char **argv)
{
    run_options o = {0};
    o.read = (fcs_read_options)FCS_READ_OPTIONS_INIT;
    o.plots = true;
    o.verbosity = CLI_NORMAL; /* H6 */
    assay_options_init(&o.apo);
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},  {"sheet", required_argument, NULL, 's'},
        {"annexin", required_argument, NULL, 'a'}, {"pi", required_argument, NULL, 'p'},
        {"comp", required_argument, NULL, 'c'},    {"thresholds", required_argument, NULL, 't'},
        {"quantile", required_argument, NULL, 'Q'}, {"min-events", required_argument, NULL, 'm'},
        {"gating", required_argument, NULL, 'g'},  {"write-gating", required_argument, NULL, 'w'},
        {"no-plots", no_argument, NULL, 'P'},      {"quiet", no_argument, NULL, 'q'},
        {"jobs", required_argument, NULL, 'j'},    {"verbose", no_argument, NULL, 'v'},
        {"shard", required_argument, NULL, 'S'},   {"timings", no_argument, NULL, 'T'},
        {"controls-only", no_argument, NULL, 'C'}, {"sample-events", required_argument, NULL, 'E'},
        {"offsets", required_argument, NULL, 'O'}, {"text-mode", required_argument, NULL, 1001},
        {"allow-truncated", no_argument, NULL, 'R'},
        {"rename-duplicates", no_argument, NULL, 'D'},
        {"population", required_argument, NULL, 1002},
        {"write-flowjo", required_argument, NULL, 1003},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":o:j:qvh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'o':
            o.outdir = optarg;
            break;
        case 's':
            o.sheet = optarg;
            break;
        case 'a':
            o.apo.annexin_channel = optarg;
            break;
        case 'p':
            o.apo.pi_channel = optarg;
            break;
        case 'c':
            o.comp = optarg;
            break;
        case 't':
            if (!parse_thresholds(optarg, &o.apo.annexin_threshold, &o.apo.pi_threshold)) {
                cli_errorf("--thresholds: expected two numbers A,P, found \"%s\"", optarg);
                return 64;
            }
            o.apo.fixed_thresholds = true;
            break;
        case 'Q':
            if (!apo_parse_double(optarg, strlen(optarg), false, &o.apo.quantile) ||
                !(o.apo.quantile > 0.5 && o.apo.quantile < 1)) {
                cli_errorf("--quantile: expected a number between 0.5 and 1, found \"%s\"", optarg);
                return 64;
            }
            break;
        case 'm': {
            uint64_t v;
            if (!cli_parse_count("--min-events", optarg, 0, &v)) {
                return 64;
            }
            o.apo.min_events = v;
            break;
        }
        case 'O':
        case 'R':
        case 'D':
        case 1001: /* --text-mode ('T' is --timings here) */
            if (!cli_parse_read_option(opt == 1001 ? 'T' : opt, optarg, &o.read)) {
                return 64;
            }
            break;
        case 'E': {
            uint64_t v;
            if (!cli_parse_count("--sample-events", optarg, 0, &v)) {
                return 64;
            }
            o.apo.sample_events = v;
            break;
        }
        case 'g':
            o.gating = optarg;
            break;
        case 'w':
            o.write_gating = optarg;
            break;
        case 1002:
            o.population = optarg;
            break;
        case 1003:
            o.write_flowjo = optarg;
            break;
        case 'P':
            o.plots = false;
            break;
        case 'q':
            o.quiet = true;
            o.verbosity = CLI_QUIET; /* H6 */
            break;
        case 'j': /* H6: batch options */
            if (!cli_parse_jobs(optarg, &o.jobs)) {
                return 64;
            }
            break;
        case 'v':
            o.verbosity = CLI_VERBOSE;
            break;
        case 'S':
            if (!cli_parse_shard(optarg, &o.shard_i, &o.shard_n)) {
                return 64;
            }
            break;
        case 'T':
            o.timings = true;
            break;
        case 'C':
            o.controls_only = true;
            break;
        case 'h':
            print_help(stdout);
            return 0;
        case ':':
            cli_errorf("option %s needs a value (see 'apoflow run --help')", argv[optind - 1]);
            return 64;
        default:
            cli_errorf("unknown option %s (see 'apoflow run --help')", argv[optind - 1]);
            return 64;
        }
    }
    if (o.outdir == NULL) {
        cli_errorf("expected an output folder (-o OUTDIR), found none");
        return 64;
    }
    if (optind >= argc && o.sheet == NULL) {
        cli_errorf("expected FCS files, folders or --sheet, found none (see 'apoflow run --help')");
        return 64;
    }
    int rc = 0;
    apo_error err;
    assay_sheet sheet = {0};
    bool have_sheet = false;
    gate_comp *matrix = NULL;
    gate_strategy *given = NULL;
    file_list files = {0}, failed = {0};
    char **failed_msg = NULL;
    run_file *rf = NULL;
    assay_input *in = NULL;
    assay_result res = {0};
    cli_prefetch pf = {0};          /* H6: files read on --jobs threads */
    double tm[6] = {cli_now(), 0, 0, 0, 0, 0}; /* H6: stage times for --timings */
    bool have_res = false;
    size_t n = 0;
    if (o.comp != NULL) {
        if (strcmp(o.comp, "none") == 0) {
            o.apo.comp = ASSAY_COMPSRC_NONE;
        } else if (strcmp(o.comp, "file") == 0) {
            o.apo.comp = ASSAY_COMPSRC_FILE;
        } else if (strcmp(o.comp, "controls") == 0) {
            o.apo.comp = ASSAY_COMPSRC_CONTROLS;
        } else if (strcmp(o.comp, "auto") == 0) {
            o.apo.comp = ASSAY_COMPSRC_AUTO;
        } else {
            if (gate_comp_read_csv(&matrix, o.comp, &err) != APO_OK) {
                cli_print_error(&err);
                return apo_status_exit_code(err.status) == 65 ? 65 : 66;
            }
            o.apo.comp = ASSAY_COMPSRC_MATRIX;
            o.apo.matrix = matrix;
        }
    }
    bool gating_wsp = o.gating != NULL && flowjo_path_is_workspace(o.gating);
    if (o.population != NULL && !gating_wsp) {
        cli_errorf("--population: expected --gating WORKSPACE.wsp (a FlowJo workspace)");
        rc = 64;
        goto out;
    }
    if (gating_wsp) {
        rc = run_flowjo_gating(o.gating, o.population, o.quiet, &given);
        if (rc != 0) {
            goto out;
        }
        o.apo.gating = given;
    } else if (o.gating != NULL) {
        if (gate_strategy_read_gml(&given, o.gating, &err) != APO_OK) {
            cli_print_error(&err);
            rc = err.status == APO_E_IO ? 66 : 65;
            goto out;
        }
        o.apo.gating = given;
    }
    if (o.sheet != NULL) {
        if (assay_sheet_read(&sheet, o.sheet, &err) != APO_OK) {
            cli_print_error(&err);
            rc = err.status == APO_E_IO ? 66 : 65;
            goto out;
        }
        have_sheet = true;
    }
    /* the inputs */
    for (int i = optind; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            cli_errorf("%s: cannot open: %s", argv[i], strerror(errno));
            rc = cli_worse_exit(rc, 66);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            rc = cli_worse_exit(rc, walk(argv[i], &files, 0));
        } else if (!list_push(&files, argv[i])) {
            rc = 71;
            goto out;
        }
    }
    if (optind >= argc) {
        for (size_t i = 0; i < sheet.n_rows; i++) {
            char path[PATH_MAX];
            const char *f = sheet.rows[i].file;
            if (f[0] == '/') {
                snprintf(path, sizeof path, "%s", f);
            } else {
                snprintf(path, sizeof path, "%s/%s", sheet.dir, f);
            }
            if (!list_push(&files, path)) {
                rc = 71;
                goto out;
            }
        }
    }
    qsort(files.v, files.n, sizeof *files.v, cmp_str);
    if (o.shard_n > 0 || o.controls_only) { /* H6: --shard I/N slice, --controls-only */
        if (o.controls_only && !have_sheet) {
            cli_errorf("--controls-only: expected --sheet too (the roles say which samples "
                       "are controls)");
            rc = 64;
            goto out;
        }
        if (o.shard_n > 0 && o.gating == NULL) {
            cli_errorf("--shard: expected --gating FILE too (thresholds, compensation and "
                       "pre-gates computed once for all shards; see docs/scaling.md)");
            rc = 64;
            goto out;
        }
        bool *keep = calloc(files.n ? files.n : 1, sizeof *keep);
        if (keep == NULL) {
            rc = 71;
            goto out;
        }
        for (size_t k = 0; k < files.n; k++) {
            const assay_sheet_row *row = have_sheet ? assay_sheet_find(&sheet, files.v[k]) : NULL;
            keep[k] = (!have_sheet || row != NULL) &&
                      (!o.controls_only || row->role == ASSAY_ROLE_UNSTAINED ||
                       row->role == ASSAY_ROLE_ANNEXIN_SINGLE || row->role == ASSAY_ROLE_PI_SINGLE);
        }
        files.n = cli_shard_slice(files.v, files.n, keep, o.shard_n ? o.shard_i : 1,
                                  o.shard_n ? o.shard_n : 1);
        free(keep);
    }
    /* refuse to write into an input folder */
    {
        char real_out[PATH_MAX];
        if (!resolve_future(o.outdir, real_out, sizeof real_out)) {
            cli_errorf("%s: cannot resolve the output folder: %s", o.outdir, strerror(errno));
            rc = 73;
            goto out;
        }
        for (int i = optind; i < argc; i++) {
            char real_in[PATH_MAX];
            struct stat st;
            if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) &&
                realpath(argv[i], real_in) != NULL && inside(real_out, real_in)) {
                cli_errorf("%s: expected an output folder outside the input folder %s", o.outdir,
                           argv[i]);
                rc = 64;
                goto out;
            }
        }
        for (size_t i = 0; i < files.n; i++) {
            char real_in[PATH_MAX], d[PATH_MAX];
            snprintf(d, sizeof d, "%s", files.v[i]);
            char *slash = strrchr(d, '/');
            if (slash != NULL) {
                *slash = '\0';
            } else {
                snprintf(d, sizeof d, ".");
            }
            if (realpath(d, real_in) != NULL && strcmp(real_in, real_out) == 0) {
                cli_errorf("%s: expected an output folder that holds no input file, found %s",
                           o.outdir, files.v[i]);
                rc = 64;
                goto out;
            }
        }
    }
    {
        int e = mkdirs(o.outdir);
        if (e != 0) {
            cli_errorf("%s: cannot create the output folder: %s", o.outdir, strerror(e));
            rc = 73;
            goto out;
        }
    }
    rf = calloc(files.n ? files.n : 1, sizeof *rf);
    in = calloc(files.n ? files.n : 1, sizeof *in);
    failed_msg = calloc(files.n ? files.n : 1, sizeof *failed_msg);
    if (rf == NULL || in == NULL || failed_msg == NULL) {
        rc = 71;
        goto out;
    }
    size_t skipped = 0;
    bool *row_used = calloc(sheet.n_rows ? sheet.n_rows : 1, sizeof *row_used);
    if (row_used == NULL) {
        rc = 71;
        goto out;
    }
    { /* H6: open the files (HEADER, TEXT, layout) on --jobs threads, progress on stderr */
        bool *want = calloc(files.n ? files.n : 1, sizeof *want);
        size_t n_want = 0;
        for (size_t i = 0; want != NULL && i < files.n; i++) {
            want[i] = !have_sheet || assay_sheet_find(&sheet, files.v[i]) != NULL;
            n_want += want[i];
        }
        cli_progress prog;
        cli_progress_start(&prog, "files", n_want, o.verbosity);
        bool ok = want != NULL && cli_prefetch_run(&pf, files.v, want, files.n, o.jobs, &o.read,
                                                   &prog);
        cli_progress_end(&prog);
        free(want);
        if (!ok) {
            free(row_used);
            rc = 71;
            goto out;
        }
        tm[1] = cli_now();
    }
    for (size_t i = 0; i < files.n; i++) {
        const assay_sheet_row *row = NULL;
        if (have_sheet) {
            row = assay_sheet_find(&sheet, files.v[i]);
            if (row == NULL) {
                skipped++;
                if (!o.quiet) {
                    fprintf(stderr, "apoflow: note: %s is not in the sample sheet: skipped\n",
                            files.v[i]);
                }
                continue;
            }
            if (row_used[row - sheet.rows]) {
                continue; /* the same file given twice */
            }
            row_used[row - sheet.rows] = true;
        }
        run_file *f = &rf[n];
        f->path = files.v[i];
        f->row = row;
        f->sample = row ? strdup(row->sample) : stem_of(files.v[i]);
        if (f->sample == NULL) {
            rc = 71;
            free(row_used);
            goto out;
        }
        /* unique sample names without a sheet */
        char base[256];
        snprintf(base, sizeof base, "%s", f->sample);
        for (size_t k = 0, dup = 1; k < n; k++) {
            if (strcmp(rf[k].sample, f->sample) == 0) {
                char buf[300];
                snprintf(buf, sizeof buf, "%s-%zu", base, ++dup);
                free(f->sample);
                f->sample = strdup(buf);
                if (f->sample == NULL) {
                    rc = 71;
                    free(row_used);
                    goto out;
                }
                k = (size_t)-1;
            }
        }
        apo_status st = cli_prefetch_take(&pf, i, &f->f, &err); /* H6: opened already */
        if (st == APO_OK && fcs_file_n_datasets(f->f) > 1 && !o.quiet) {
            fprintf(stderr, "apoflow: note: %s has %zu data sets: the first is analysed\n",
                    f->path, fcs_file_n_datasets(f->f));
        }
        if (st != APO_OK) {
            cli_print_error(&err);
            failed_msg[failed.n] = strdup(err.msg);
            if (!list_push(&failed, f->path)) {
                rc = 71;
                free(row_used);
                goto out;
            }
            rc = cli_worse_exit(rc, 65);
            fcs_file_free(f->f);
            f->f = NULL;
            free(f->sample);
            f->sample = NULL;
            continue;
        }
        f->ok = true;
        assay_input *x = &in[n];
        x->sample = f->sample;
        x->file = f->path;
        x->role = row ? row->role : ASSAY_ROLE_UNKNOWN;
        x->treatment = row ? row->treatment : "";
        x->dose_text = row ? row->dose_text : "";
        x->dose = row ? row->dose : NAN;
        x->dose_unit = row ? row->dose_unit : "";
        x->replicate = row ? row->replicate : 0;
        x->ds = fcs_file_dataset(f->f, 0);
        x->ev = NULL; /* decoded block by block by the analysis */
        n++;
    }
    for (size_t k = 0; have_sheet && k < sheet.n_rows; k++) {
        if (!row_used[k] && o.shard_n == 0 && !o.controls_only) { /* H6: not all files */
            bool was_failed = false;
            for (size_t j = 0; j < failed.n; j++) {
                was_failed = was_failed || assay_sheet_find(&sheet, failed.v[j]) == &sheet.rows[k];
            }
            if (!was_failed) {
                cli_errorf("%s (sheet line %zu): expected among the inputs, found no such file",
                           sheet.rows[k].file, sheet.rows[k].line);
                rc = cli_worse_exit(rc, 66);
            }
        }
    }
    free(row_used);
    if (n == 0) {
        cli_errorf("expected at least one readable FCS file%s, found none",
                   have_sheet ? " named in the sheet" : "");
        rc = cli_worse_exit(rc, 66);
        goto out;
    }
    cli_prefetch_free(&pf); /* H6 */
    {
        char msg[96];
        snprintf(msg, sizeof msg, "gating %zu samples ...", n);
        cli_status(o.verbosity, msg);
    }
    run_par par = {o.jobs, o.verbosity == CLI_VERBOSE ? CLI_NORMAL : o.verbosity, in};
    o.apo.parallel = run_parallel;
    o.apo.parallel_ctx = &par;
    apo_status analysed = assay_analyze(in, n, &o.apo, &res, &err);
    cli_status(o.verbosity, NULL);
    if (analysed != APO_OK) {
        cli_print_error(&err);
        /* A channel named with --annexin/--pi that no file has is a usage error (64). */
        rc = cli_worse_exit(rc, err.status == APO_E_NOMEM ? 71
                                : err.status == APO_E_USAGE ? 64
                                                            : 65);
        goto out;
    }
    have_res = true;
    tm[2] = cli_now(); /* H6 */
    for (size_t i = 0; i < n; i++) {
        if (res.samples[i].qc & ASSAY_QC_FAILED) {
            cli_errorf("%s: %s", in[i].file, res.samples[i].error);
            rc = cli_worse_exit(rc, 65);
        }
    }
    for (size_t i = 0; i < res.n_warnings && !o.quiet; i++) {
        cli_warn(res.warnings[i]);
    }
    /* outputs */
    {
        char path[PATH_MAX];
        apo_status st;
        snprintf(path, sizeof path, "%s/samples.csv", o.outdir);
        st = assay_write_samples_csv(&res, in, have_sheet ? &sheet : NULL, path, &err);
        if (st == APO_OK) {
            snprintf(path, sizeof path, "%s/comparisons.csv", o.outdir);
            st = assay_write_comparisons_csv(&res, path, &err);
        }
        if (st == APO_OK) {
            snprintf(path, sizeof path, "%s/stats.csv", o.outdir);
            st = assay_write_stats_csv(&res, in, path, &err);
        }
        if (st == APO_OK) {
            snprintf(path, sizeof path, "%s/gating.xml", o.outdir);
            st = gate_strategy_write_gml(res.strategy, path, &err);
            if (st == APO_E_UNSUPPORTED && gating_wsp) { /* e.g. FlowJo's biex scales */
                char msg[700];
                snprintf(msg, sizeof msg, "gating.xml not written: %s", err.msg);
                cli_warn(msg);
                st = APO_OK;
            }
        }
        if (st == APO_OK && o.write_gating != NULL) {
            st = gate_strategy_write_gml(res.strategy, o.write_gating, &err);
        }
        if (st == APO_OK && o.write_flowjo != NULL) {
            st = run_flowjo_write(o.write_flowjo, &res, in, n, &err);
        }
        if (st == APO_OK) {
            snprintf(path, sizeof path, "%s/results.json", o.outdir);
            st = write_json(path, &res, rf, in, n, &failed, (const char *const *)failed_msg, &o,
                            &err);
        }
        if (st != APO_OK) {
            cli_print_error(&err);
            rc = cli_worse_exit(rc, apo_status_exit_code(err.status));
            goto out;
        }
    }
    tm[3] = cli_now(); /* H6 */
    if (o.plots) {
        /* rf and in are parallel only over the files read: build the matching list */
        rc = cli_worse_exit(rc, write_plots(o.outdir, &res, in, n, &o));
    }
    /* H6: report.html (self-contained; embeds plots/ when written), stage times */
    tm[4] = cli_now();
    cli_status(o.verbosity, "writing report.html ...");
    rc = cli_worse_exit(rc, report_for_run(o.outdir, &res, in, n, have_sheet ? &sheet : NULL,
                                           failed.n, (const char *const *)failed.v,
                                           (const char *const *)failed_msg, argc, argv, o.jobs));
    tm[5] = cli_now();
    cli_status(o.verbosity, NULL);
    if (o.timings || o.verbosity >= CLI_VERBOSE) {
        cli_print_timings(tm, n, o.plots);
    }
    if (!o.quiet) {
        print_summary(&res, in, n, o.outdir);
        if (skipped > 0) {
            printf("%zu file(s) not in the sample sheet were skipped\n", skipped);
        }
        for (size_t i = 0; i < failed.n; i++) { /* H6: failures in the summary too */
            printf("%sfailed: %s (step: read): %s\n", i ? "" : "\n", failed.v[i],
                   failed_msg[i] ? failed_msg[i] : "");
        }
    }
out:
    cli_prefetch_free(&pf); /* H6 */
    if (have_res) {
        assay_result_free(&res);
    }
    for (size_t i = 0; rf != NULL && i < files.n; i++) {
        if (rf[i].f != NULL) {
            fcs_file_free(rf[i].f);
        }
        free(rf[i].sample);
    }
    free(rf);
    free(in);
    for (size_t i = 0; i < files.n; i++) {
        free(files.v[i]);
    }
    free(files.v);
    for (size_t i = 0; i < failed.n; i++) {
        free(failed.v[i]);
        free(failed_msg[i]);
    }
    free(failed.v);
    free(failed_msg);
    if (have_sheet) {
        assay_sheet_free(&sheet);
    }
    gate_comp_free(matrix);
    gate_strategy_free(given);
    return rc;
}
