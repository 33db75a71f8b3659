/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_gate_wsp.c: `apoflow gate FILE... --gating WORKSPACE.wsp [--group NAME]`: every FCS file
 * is matched to its sample of a FlowJo workspace ($FIL, else the file name), gated with that
 * sample's own matrix, transforms and gates, and reported one row per population in FlowJo's
 * order with the columns of the Gating-ML report plus FlowJo's own count from the workspace
 * and the difference (apoflow - FlowJo). Samples whose FCS file is not among the inputs, and
 * whatever the workspace holds that apoflow does not apply, are warned about on stderr.
 */
#include "cli/cli.h"
#include "cli/gate_wsp.h"
#include "gating/flowjo.h"
#include "gating/gate.h"
#include "util/util.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One output row. */
typedef struct wsp_row {
    const char *file;
    const char *sample;
    const char *population;
    const char *parent;
    uint64_t count;
    int64_t flowjo; /* -1: FlowJo stored no count */
    double pct_parent, pct_total;
    double *med; /* one per column of the report's dimension list */
} wsp_row;

typedef struct wsp_table {
    size_t n_dims;
    char **dims; /* column names (Comp-<detector> for the sample's matrix) */
    size_t n_rows, cap_rows;
    wsp_row *rows;
    size_t n_compared, n_equal;
    int64_t worst; /* largest |difference| */
} wsp_table;

static void table_free(wsp_table *t)
{
    for (size_t i = 0; i < t->n_dims; i++) {
        free(t->dims[i]);
    }
    free(t->dims);
    for (size_t i = 0; i < t->n_rows; i++) {
        free(t->rows[i].med);
    }
    free(t->rows);
}

/* Column of dimension @p name, added when new; SIZE_MAX when out of memory. */
static size_t dim_column(wsp_table *t, const char *name)
{
    for (size_t i = 0; i < t->n_dims; i++) {
        if (strcmp(t->dims[i], name) == 0) {
            return i;
        }
    }
    char **nd = realloc(t->dims, (t->n_dims + 1) * sizeof(char *));
    if (nd == NULL) {
        return SIZE_MAX;
    }
    t->dims = nd;
    size_t n = strlen(name) + 1;
    t->dims[t->n_dims] = malloc(n);
    if (t->dims[t->n_dims] == NULL) {
        return SIZE_MAX;
    }
    memcpy(t->dims[t->n_dims], name, n);
    return t->n_dims++;
}

/* The report's dimension name as FlowJo names it: "<matrix>:<det>" -> "Comp-<det>". */
static void flowjo_dim_name(const char *rep_name, const char *matrix, char *buf, size_t cap)
{
    size_t lm = matrix ? strlen(matrix) : 0;
    if (lm > 0 && strncmp(rep_name, matrix, lm) == 0 && rep_name[lm] == ':') {
        snprintf(buf, cap, "Comp-%s", rep_name + lm + 1);
    } else {
        snprintf(buf, cap, "%s", rep_name);
    }
}

static const flowjo_population *pop_of_gate(const flowjo_sample *s, size_t gate)
{
    for (size_t i = 0; i < s->n_populations; i++) {
        if (s->populations[i].gate == gate) {
            return &s->populations[i];
        }
    }
    return NULL;
}

static bool add_columns(wsp_table *t, const flowjo_sample *s, const gate_report *rep)
{
    for (size_t d = 0; d < rep->n_dims; d++) {
        char name[512];
        flowjo_dim_name(rep->dim_names[d], s->matrix, name, sizeof name);
        if (dim_column(t, name) == SIZE_MAX) {
            return false;
        }
    }
    return true;
}

/* Rows of one gated file (FlowJo's population order). */
static bool add_rows(wsp_table *t, const char *file, const flowjo_sample *s,
                     const gate_report *rep)
{
    size_t *col = calloc(rep->n_dims + 1, sizeof(size_t));
    if (col == NULL) {
        return false;
    }
    for (size_t d = 0; d < rep->n_dims; d++) {
        char name[512];
        flowjo_dim_name(rep->dim_names[d], s->matrix, name, sizeof name);
        col[d] = dim_column(t, name);
        if (col[d] == SIZE_MAX) {
            free(col);
            return false;
        }
    }
    bool ok = true;
    for (size_t p = 0; p < s->n_populations && ok; p++) {
        const flowjo_population *fp = &s->populations[p];
        const gate_population *gp = NULL;
        for (size_t k = 0; k < rep->n_populations; k++) {
            if (rep->populations[k].gate == fp->gate) {
                gp = &rep->populations[k];
            }
        }
        if (gp == NULL) {
            continue;
        }
        if (t->n_rows == t->cap_rows) {
            size_t nc = t->cap_rows ? 2 * t->cap_rows : 64;
            wsp_row *nr = realloc(t->rows, nc * sizeof *nr);
            if (nr == NULL) {
                ok = false;
                break;
            }
            t->rows = nr;
            t->cap_rows = nc;
        }
        wsp_row *r = &t->rows[t->n_rows];
        const flowjo_population *par =
            pop_of_gate(s, gate_strategy_parent(s->strategy, fp->gate));
        *r = (wsp_row){file, s->name, fp->path, par ? par->path : "", gp->count, fp->count,
                       gp->pct_parent, gp->pct_total, NULL};
        /* every file's columns were added before any row (wsp_table.dims is final) */
        r->med = malloc((t->n_dims + 1) * sizeof(double));
        if (r->med == NULL) {
            ok = false;
            break;
        }
        for (size_t d = 0; d < t->n_dims; d++) {
            r->med[d] = NAN;
        }
        for (size_t d = 0; d < rep->n_dims; d++) {
            r->med[col[d]] = gp->medians[d];
        }
        t->n_rows++;
        if (fp->count >= 0) {
            int64_t diff = (int64_t)gp->count - fp->count;
            t->n_compared++;
            t->n_equal += diff == 0;
            int64_t a = diff < 0 ? -diff : diff;
            t->worst = a > t->worst ? a : t->worst;
        }
    }
    free(col);
    return ok;
}

/* ---- output ------------------------------------------------------------------------------- */

static void csv_field(FILE *out, const char *s)
{
    if (strpbrk(s, ",\"\n\r") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"') {
            fputc('"', out);
        }
        fputc(*s, out);
    }
    fputc('"', out);
}

static void number_text(double v, bool table, char *buf, size_t cap)
{
    if (isnan(v)) {
        snprintf(buf, cap, table ? "-" : "NaN");
    } else if (table) {
        snprintf(buf, cap, "%.2f", v);
    } else {
        apo_format_double(buf, cap, v);
    }
}

/* Cell @p c of row @p r (NULL: the header). */
static void cell(const wsp_table *t, const wsp_row *r, size_t c, bool table, char *buf,
                 size_t cap)
{
    static const char *const head[9] = {"file",          "sample",     "population",
                                        "parent",        "count",      "flowjo_count",
                                        "difference",    "pct_parent", "pct_total"};
    if (r == NULL) {
        if (c < 9) {
            snprintf(buf, cap, "%s", head[c]);
        } else {
            snprintf(buf, cap, "median_%s", t->dims[c - 9]);
        }
        return;
    }
    switch (c) {
    case 0:
        snprintf(buf, cap, "%s", r->file);
        break;
    case 1:
        snprintf(buf, cap, "%s", r->sample);
        break;
    case 2:
        snprintf(buf, cap, "%s", r->population);
        break;
    case 3:
        snprintf(buf, cap, "%s", (table && r->parent[0] == '\0') ? "-" : r->parent);
        break;
    case 4:
        snprintf(buf, cap, "%" PRIu64, r->count);
        break;
    case 5:
    case 6:
        if (r->flowjo < 0) {
            snprintf(buf, cap, table ? "-" : "");
        } else if (c == 5) {
            snprintf(buf, cap, "%" PRId64, r->flowjo);
        } else {
            snprintf(buf, cap, "%" PRId64, (int64_t)r->count - r->flowjo);
        }
        break;
    case 7:
    case 8:
        number_text(c == 7 ? r->pct_parent : r->pct_total, table, buf, cap);
        break;
    default:
        if (table && !isnan(r->med[c - 9])) {
            snprintf(buf, cap, "%.6g", r->med[c - 9]);
        } else {
            number_text(r->med[c - 9], table, buf, cap);
        }
        break;
    }
}

static void write_csv(FILE *out, const wsp_table *t)
{
    char buf[1200];
    size_t ncol = 9 + t->n_dims;
    for (size_t r = 0; r <= t->n_rows; r++) {
        for (size_t c = 0; c < ncol; c++) {
            cell(t, r == 0 ? NULL : &t->rows[r - 1], c, false, buf, sizeof buf);
            if (c > 0) {
                fputc(',', out);
            }
            csv_field(out, buf);
        }
        fputc('\n', out);
    }
}

static void write_json(FILE *out, const wsp_table *t)
{
    fputs("[", out);
    char buf[1200];
    for (size_t r = 0; r < t->n_rows; r++) {
        const wsp_row *w = &t->rows[r];
        fputs(r == 0 ? "\n  {" : ",\n  {", out);
        for (size_t c = 0; c < 9 + t->n_dims; c++) {
            cell(t, NULL, c, false, buf, sizeof buf);
            if (c > 0) {
                fputs(", ", out);
            }
            apo_json_string(out, buf);
            fputs(": ", out);
            if (c < 4) {
                cell(t, w, c, false, buf, sizeof buf);
                apo_json_string(out, buf);
            } else if (c == 4) {
                fprintf(out, "%" PRIu64, w->count);
            } else if (c == 5 || c == 6) {
                if (w->flowjo < 0) {
                    fputs("null", out);
                } else {
                    fprintf(out, "%" PRId64, c == 5 ? w->flowjo : (int64_t)w->count - w->flowjo);
                }
            } else {
                apo_json_number(out, c == 7 ? w->pct_parent
                                              : c == 8 ? w->pct_total : w->med[c - 9]);
            }
        }
        fputs("}", out);
    }
    fputs(t->n_rows ? "\n]\n" : "]\n", out);
}

static void write_table(FILE *out, const wsp_table *t)
{
    size_t ncol = 9 + t->n_dims;
    size_t *w = calloc(ncol, sizeof(size_t));
    if (w == NULL) {
        return;
    }
    char buf[1200];
    for (size_t r = 0; r <= t->n_rows; r++) {
        for (size_t c = 0; c < ncol; c++) {
            cell(t, r == 0 ? NULL : &t->rows[r - 1], c, true, buf, sizeof buf);
            size_t l = strlen(buf);
            w[c] = l > w[c] ? l : w[c];
        }
    }
    for (size_t r = 0; r <= t->n_rows; r++) {
        for (size_t c = 0; c < ncol; c++) {
            cell(t, r == 0 ? NULL : &t->rows[r - 1], c, true, buf, sizeof buf);
            fprintf(out, c >= 4 ? "%*s" : "%-*s", (int)w[c], buf);
            fputs(c + 1 < ncol ? "  " : "\n", out);
        }
    }
    free(w);
}

/* ---- processing --------------------------------------------------------------------------- */

static void print_error(const char *path, const apo_error *err)
{
    if (err->file[0] == '\0') {
        cli_errorf("%s: %s", path, err->msg[0] ? err->msg : apo_status_name(err->status));
    } else {
        cli_print_error(err);
    }
}

/* Gate one file with its sample; *matched receives the sample index. */
static apo_status gate_file(const char *path, size_t dataset, const flowjo_workspace *w,
                            const bool *allowed, const gate_wsp_options *o, size_t *matched,
                            gate_report *rep, apo_error *err)
{
    fcs_file *f = NULL;
    apo_status st = fcs_file_open(&f, path, &o->read, err);
    if (st != APO_OK) {
        return st;
    }
    if (dataset < 1 || dataset > fcs_file_n_datasets(f)) {
        st = apo_error_set(err, APO_E_FORMAT, path, APO_NO_OFFSET, NULL,
                           "data set %zu requested, the file has %zu", dataset,
                           fcs_file_n_datasets(f));
        fcs_file_free(f);
        return st;
    }
    const fcs_dataset *ds = fcs_file_dataset(f, dataset - 1);
    for (size_t i = 0; i < fcs_dataset_n_warnings(ds); i++) {
        cli_warn(fcs_dataset_warning(ds, i)->msg);
    }
    *matched = flowjo_workspace_match(w, path, fcs_dataset_keyword(ds, "$FIL"), allowed);
    if (*matched == SIZE_MAX) {
        st = apo_error_set(err, APO_E_FORMAT, path, APO_NO_OFFSET, NULL,
                           "expected a sample of %s%s%s with this $FIL or file name, found none",
                           o->workspace, o->group ? " in group " : "", o->group ? o->group : "");
    } else {
        const flowjo_sample *s = &w->samples[*matched];
        if (s->count >= 0 && (uint64_t)s->count != fcs_dataset_n_events(ds)) {
            char msg[600];
            snprintf(msg, sizeof msg,
                     "%s: %" PRIu64 " events, but FlowJo's sample %s counted %" PRId64, path,
                     fcs_dataset_n_events(ds), s->name, s->count);
            cli_warn(msg);
        }
        gate_stream_options so = GATE_STREAM_OPTIONS_INIT;
        so.sample_events = o->sample_events;
        st = gate_report_stream(s->strategy, ds, &so, rep, NULL, err);
    }
    fcs_file_free(f);
    return st;
}

/* Samples to consider (the group's, or all) as flags; NULL on a usage error (printed). */
static bool *allowed_samples(const flowjo_workspace *w, const gate_wsp_options *o)
{
    bool *allowed = calloc(w->n_samples + 1, sizeof(bool));
    if (allowed == NULL) {
        cli_errorf("out of memory");
        return NULL;
    }
    if (o->group == NULL) {
        for (size_t i = 0; i < w->n_samples; i++) {
            allowed[i] = true;
        }
        return allowed;
    }
    size_t g = flowjo_workspace_find_group(w, o->group);
    if (g == SIZE_MAX) {
        cli_errorf("--group: expected a group of %s, found no group \"%s\"", o->workspace,
                   o->group);
        free(allowed);
        return NULL;
    }
    for (size_t i = 0; i < w->groups[g].n_samples; i++) {
        allowed[w->groups[g].samples[i]] = true;
    }
    return allowed;
}

static void warn_unmatched(const flowjo_workspace *w, const bool *allowed, const bool *used,
                           const char *workspace)
{
    for (size_t i = 0; i < w->n_samples; i++) {
        if (!allowed[i] || used[i]) {
            continue;
        }
        const flowjo_sample *s = &w->samples[i];
        char msg[900];
        snprintf(msg, sizeof msg,
                 "%s: sample %s (%s) is not gated: its FCS file is not among the inputs "
                 "(matched by $FIL %s or file name)",
                 workspace, s->name, s->uri[0] ? s->uri : "no uri", s->file ? s->file : "-");
        cli_warn(msg);
    }
}

static int write_output(const wsp_table *t, const gate_wsp_options *o)
{
    apo_error err;
    apo_error_clear(&err);
    apo_atomic_file af;
    memset(&af, 0, sizeof af);
    FILE *fp = stdout;
    if (strcmp(o->out, "-") != 0) {
        if (apo_atomic_open(&af, o->out, &err) != APO_OK) {
            cli_print_error(&err);
            return apo_status_exit_code(err.status);
        }
        fp = af.fp;
    }
    if (o->format == 1) {
        write_csv(fp, t);
    } else if (o->format == 2) {
        write_json(fp, t);
    } else {
        write_table(fp, t);
    }
    if (fp == stdout) {
        return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_IOERR;
    }
    if (apo_atomic_commit(&af, &err) != APO_OK) {
        cli_print_error(&err);
        return apo_status_exit_code(err.status);
    }
    return 0;
}

static void print_summary(const wsp_table *t)
{
    if (t->n_compared == 0) {
        fprintf(stderr, "apoflow: FlowJo stored no counts to compare with\n");
    } else {
        fprintf(stderr,
                "apoflow: %zu of %zu populations have FlowJo's count exactly (largest "
                "difference %" PRId64 " events)\n",
                t->n_equal, t->n_compared, t->worst);
    }
}

int gate_wsp_run(int n_files, char **files, char **paths, const size_t *datasets,
                 const gate_wsp_options *o)
{
    apo_error err;
    apo_error_clear(&err);
    flowjo_workspace w;
    if (flowjo_workspace_read(&w, o->workspace, &err) != APO_OK) {
        print_error(o->workspace, &err);
        return apo_status_exit_code(err.status);
    }
    for (size_t i = 0; i < w.n_warnings; i++) {
        cli_warn(w.warnings[i]);
    }
    bool *allowed = allowed_samples(&w, o);
    bool *used = calloc(w.n_samples + 1, sizeof(bool));
    gate_report *reps = calloc((size_t)n_files + 1, sizeof(gate_report));
    size_t *match = malloc(((size_t)n_files + 1) * sizeof(size_t));
    for (int i = 0; match != NULL && i < n_files; i++) {
        match[i] = SIZE_MAX;
    }
    wsp_table t;
    memset(&t, 0, sizeof t);
    int rc = (allowed == NULL) ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    if (rc == 0 && (used == NULL || reps == NULL || match == NULL)) {
        cli_errorf("out of memory");
        rc = CLI_EXIT_OSERR;
    }
    for (int i = 0; rc != CLI_EXIT_USAGE && rc != CLI_EXIT_OSERR && i < n_files; i++) {
        size_t m = SIZE_MAX;
        apo_error_clear(&err);
        if (gate_file(paths[i], datasets[i], &w, allowed, o, &m, &reps[i], &err) != APO_OK) {
            print_error(files[i], &err);
            rc = cli_worse_exit(rc, apo_status_exit_code(err.status));
            continue;
        }
        used[m] = true;
        match[i] = m;
    }
    /* columns first (union of every file's dimensions), then the rows */
    for (int pass = 0; pass < 2 && rc != CLI_EXIT_USAGE && rc != CLI_EXIT_OSERR; pass++) {
        for (int i = 0; i < n_files; i++) {
            if (match[i] == SIZE_MAX) {
                continue;
            }
            bool ok = pass == 0 ? add_columns(&t, &w.samples[match[i]], &reps[i])
                                : add_rows(&t, files[i], &w.samples[match[i]], &reps[i]);
            if (!ok) {
                cli_errorf("out of memory");
                rc = CLI_EXIT_OSERR;
                break;
            }
        }
    }
    if (allowed != NULL && used != NULL) {
        warn_unmatched(&w, allowed, used, o->workspace);
    }
    if (rc != CLI_EXIT_USAGE && rc != CLI_EXIT_OSERR) {
        rc = cli_worse_exit(rc, write_output(&t, o));
        print_summary(&t);
    }
    for (int i = 0; reps != NULL && i < n_files; i++) {
        gate_report_free(&reps[i]);
    }
    free(reps);
    free(match);
    table_free(&t);
    free(used);
    free(allowed);
    flowjo_workspace_free(&w);
    return rc;
}
