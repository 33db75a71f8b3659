/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gate_file.c: a Gating-ML strategy applied to FCS files (gate_file.h): each file streamed
 * through the strategy with the compensation its options choose (per-event membership rows
 * written as they come), and the reports of many files as CSV, JSON or an aligned table.
 */
#include "gating/gate_file.h"

#include "util/csv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void gate_report_number_text(double v, bool table, bool median, char *buf, size_t cap)
{
    if (isnan(v)) {
        snprintf(buf, cap, table ? "-" : "NaN"); /* empty population / empty parent */
    } else if (table) {
        snprintf(buf, cap, median ? "%.6g" : "%.2f", v);
    } else {
        apo_format_double(buf, cap, v);
    }
}

static void csv_number(FILE *out, double v)
{
    char buf[40];
    gate_report_number_text(v, false, false, buf, sizeof buf);
    fputs(buf, out);
}

void gate_reports_write_csv(FILE *out, const gate_file_report *fr, size_t n, const gate_report *shape)
{
    fputs("file,population,parent,count,pct_parent,pct_total", out);
    for (size_t i = 0; i < shape->n_dims; i++) {
        fputc(',', out);
        char col[300];
        snprintf(col, sizeof(col), "median_%s", shape->dim_names[i]);
        apo_csv_write_field(out, col);
    }
    fputc('\n', out);
    for (size_t f = 0; f < n; f++) {
        for (size_t p = 0; p < fr[f].rep.n_populations; p++) {
            const gate_population *pp = &fr[f].rep.populations[p];
            apo_csv_write_field(out, fr[f].file);
            fputc(',', out);
            apo_csv_write_field(out, pp->path);
            fputc(',', out);
            apo_csv_write_field(out, pp->parent_path);
            fprintf(out, ",%llu,", (unsigned long long)pp->count);
            csv_number(out, pp->pct_parent);
            fputc(',', out);
            csv_number(out, pp->pct_total);
            for (size_t i = 0; i < fr[f].rep.n_dims; i++) {
                fputc(',', out);
                csv_number(out, pp->medians[i]);
            }
            fputc('\n', out);
        }
    }
}

void gate_reports_write_json(FILE *out, const gate_file_report *fr, size_t n)
{
    fputs("[", out);
    bool first = true;
    for (size_t f = 0; f < n; f++) {
        for (size_t p = 0; p < fr[f].rep.n_populations; p++) {
            const gate_population *pp = &fr[f].rep.populations[p];
            fputs(first ? "\n  {" : ",\n  {", out);
            first = false;
            fputs("\"file\": ", out);
            apo_json_string(out, fr[f].file);
            fputs(", \"population\": ", out);
            apo_json_string(out, pp->path);
            fputs(", \"parent\": ", out);
            apo_json_string(out, pp->parent_path);
            fprintf(out, ", \"count\": %llu, \"pct_parent\": ", (unsigned long long)pp->count);
            apo_json_number(out, pp->pct_parent);
            fputs(", \"pct_total\": ", out);
            apo_json_number(out, pp->pct_total);
            for (size_t i = 0; i < fr[f].rep.n_dims; i++) {
                char col[300];
                snprintf(col, sizeof(col), "median_%s", fr[f].rep.dim_names[i]);
                fputs(", ", out);
                apo_json_string(out, col);
                fputs(": ", out);
                apo_json_number(out, pp->medians[i]);
            }
            fputs("}", out);
        }
    }
    fputs(first ? "]\n" : "\n]\n", out);
}

/* Text of one table cell (row r of the body; r == SIZE_MAX for the header). */
static void table_cell(const gate_file_report *fr, const gate_population *pp, size_t col,
                       const gate_report *shape, char *buf, size_t cap)
{
    static const char *const head[6] = {"file", "population", "parent", "count", "%parent",
                                        "%total"};
    if (pp == NULL) {
        if (col < 6) {
            snprintf(buf, cap, "%s", head[col]);
        } else {
            snprintf(buf, cap, "median %s", shape->dim_names[col - 6]);
        }
        return;
    }
    switch (col) {
    case 0:
        snprintf(buf, cap, "%s", fr->file);
        break;
    case 1:
        snprintf(buf, cap, "%s", pp->path);
        break;
    case 2:
        snprintf(buf, cap, "%s", pp->parent_path[0] ? pp->parent_path : "-");
        break;
    case 3:
        snprintf(buf, cap, "%llu", (unsigned long long)pp->count);
        break;
    case 4:
    case 5:
    default: {
        double v = col == 4 ? pp->pct_parent : col == 5 ? pp->pct_total : pp->medians[col - 6];
        gate_report_number_text(v, true, col > 5, buf, cap);
        break;
    }
    }
}

void gate_reports_write_table(FILE *out, const gate_file_report *fr, size_t n, const gate_report *shape)
{
    size_t ncol = 6 + shape->n_dims;
    size_t *w = calloc(ncol, sizeof(size_t));
    if (w == NULL) {
        return;
    }
    char cell[512];
    for (size_t c = 0; c < ncol; c++) {
        table_cell(NULL, NULL, c, shape, cell, sizeof(cell));
        w[c] = strlen(cell);
        for (size_t f = 0; f < n; f++) {
            for (size_t p = 0; p < fr[f].rep.n_populations; p++) {
                table_cell(&fr[f], &fr[f].rep.populations[p], c, shape, cell, sizeof(cell));
                size_t l = strlen(cell);
                w[c] = l > w[c] ? l : w[c];
            }
        }
    }
    for (size_t f = 0; f <= n; f++) {
        size_t rows = f == 0 ? 1 : fr[f - 1].rep.n_populations;
        for (size_t p = 0; p < rows; p++) {
            for (size_t c = 0; c < ncol; c++) {
                const gate_population *pp = f == 0 ? NULL : &fr[f - 1].rep.populations[p];
                table_cell(f == 0 ? NULL : &fr[f - 1], pp, c, shape, cell, sizeof(cell));
                bool right = c >= 3;
                fprintf(out, right ? "%*s" : "%-*s", (int)w[c], cell);
                fputs(c + 1 < ncol ? "  " : "\n", out);
            }
        }
    }
    free(w);
}

/* Where the membership rows of one file go (gate_stream_options.on_block context). */
typedef struct membership_sink {
    FILE *fp;
    const char *file;
    bool with_file;
    const gate_strategy *s;
} membership_sink;

/* Membership rows of one block of events into the sink's stream. */
static apo_status write_membership(void *ctx, const gate_data *block, const gate_result *r,
                                   uint64_t first_event, apo_error *err)
{
    (void)block;
    (void)first_event;
    (void)err;
    const membership_sink *sk = ctx;
    FILE *mfp = sk->fp;
    const char *file = sk->file;
    bool with_file = sk->with_file;
    const gate_strategy *s = sk->s;
    size_t ng = gate_strategy_n_gates(s);
    for (size_t e = 0; e < r->n_events; e++) {
        bool first = true;
        if (with_file) {
            apo_csv_write_field(mfp, file);
            first = false;
        }
        for (size_t g = 0; g < ng; g++) {
            if (!gate_strategy_is_population(s, g)) {
                continue;
            }
            if (!first) {
                fputc(',', mfp);
            }
            first = false;
            fputc(r->member[g * r->n_events + e] ? '1' : '0', mfp);
        }
        fputc('\n', mfp);
    }
    return APO_OK;
}

/* The matrix comp_ref "FCS" uses for @p ds under --comp (*owned: made from the file). */
static apo_status choose_comp(const char *path, const fcs_dataset *ds,
                              const gate_file_options *o, gate_comp **owned,
                              const gate_comp **out, const apo_observer *obs, apo_error *err)
{
    *out = NULL;
    if (o->no_comp) {
        return APO_OK;
    }
    if (o->matrix != NULL) {
        *out = o->matrix;
    } else if (fcs_dataset_spillover(ds) != NULL) {
        apo_status st = gate_comp_from_fcs(owned, fcs_dataset_spillover(ds), err);
        if (st != APO_OK) {
            return st;
        }
        *out = *owned;
    }
    if (*out != NULL && (*out)->ill_conditioned) {
        apo_observe_note(obs, APO_NOTE_WARNING,
                         "%s: the compensation matrix is ill-conditioned (cond2 %.3g, largest "
                         "off-diagonal %.3g): compensated values may be noisy",
                         path, (*out)->cond2, (*out)->max_offdiag);
    }
    return APO_OK;
}

apo_status gate_file_apply(const char *path, const gate_strategy *s,
                           const gate_file_options *o, gate_report *rep,
                           const apo_observer *obs, apo_error *err)
{
    fcs_file *f = NULL;
    gate_comp *owned = NULL;
    apo_status st = fcs_file_open(&f, path, &o->read, err);
    if (st != APO_OK) {
        return st;
    }
    if (o->dataset > fcs_file_n_datasets(f)) {
        st = apo_error_set(err, APO_E_USAGE, path, APO_NO_OFFSET, NULL,
                           "expected data set %zu, found %zu in the file", o->dataset,
                           fcs_file_n_datasets(f));
        goto done;
    }
    const fcs_dataset *ds = fcs_file_dataset(f, o->dataset - 1);
    for (size_t i = 0; i < fcs_file_n_warnings(f); i++) {
        apo_observe_note(obs, APO_NOTE_WARNING, "%s", fcs_file_warning(f, i)->msg);
    }
    for (size_t i = 0; i < fcs_dataset_n_warnings(ds); i++) {
        apo_observe_note(obs, APO_NOTE_WARNING, "%s", fcs_dataset_warning(ds, i)->msg);
    }
    gate_stream_options so = GATE_STREAM_OPTIONS_INIT;
    so.sample_events = o->sample_events;
    so.override_comp = true;
    st = choose_comp(path, ds, o, &owned, &so.comp, obs, err);
    membership_sink sink = {o->membership, path, o->with_file, s};
    if (o->membership != NULL) {
        so.on_block = write_membership;
        so.ctx = &sink;
    }
    if (st == APO_OK) {
        st = gate_report_stream(s, ds, &so, rep, NULL, err);
    }
done:
    gate_comp_free(owned);
    fcs_file_free(f);
    return st;
}

/* The header of the membership CSV: "file" (several files), then every population path. */
void gate_membership_header(FILE *mfp, const gate_strategy *s, bool with_file)
{
    bool first = true;
    if (with_file) {
        fputs("file", mfp);
        first = false;
    }
    for (size_t g = 0; g < gate_strategy_n_gates(s); g++) {
        if (!gate_strategy_is_population(s, g)) {
            continue;
        }
        char *p = gate_strategy_path(s, g);
        if (!first) {
            fputc(',', mfp);
        }
        first = false;
        apo_csv_write_field(mfp, p ? p : "?");
        free(p);
    }
    fputc('\n', mfp);
}

