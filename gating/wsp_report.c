/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * wsp_report.c: the report of FCS files gated as their samples of a FlowJo workspace
 * (flowjo_report.h): one row per population in FlowJo's order with the columns of the
 * Gating-ML report (gate_file.h) plus FlowJo's own count and the difference, the median
 * columns the union of every file's dimensions (named as FlowJo names them), written as CSV,
 * JSON or an aligned table with the same number forms as the Gating-ML report.
 */
#include "gating/flowjo_report.h"

#include "gating/gate_file.h"
#include "util/csv.h"
#include "util/util.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void flowjo_report_free(flowjo_report *t)
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
static size_t dim_column(flowjo_report *t, const char *name)
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

bool flowjo_report_add_columns(flowjo_report *t, const flowjo_sample *s, const gate_report *rep)
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
bool flowjo_report_add_rows(flowjo_report *t, const char *file, const flowjo_sample *s,
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
            flowjo_report_row *nr = realloc(t->rows, nc * sizeof *nr);
            if (nr == NULL) {
                ok = false;
                break;
            }
            t->rows = nr;
            t->cap_rows = nc;
        }
        flowjo_report_row *r = &t->rows[t->n_rows];
        const flowjo_population *par =
            pop_of_gate(s, gate_strategy_parent(s->strategy, fp->gate));
        *r = (flowjo_report_row){file, s->name, fp->path, par ? par->path : "", gp->count, fp->count,
                       gp->pct_parent, gp->pct_total, NULL};
        /* every file's columns were added before any row (flowjo_report.dims is final) */
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

/* Cell @p c of row @p r (NULL: the header). */
static void cell(const flowjo_report *t, const flowjo_report_row *r, size_t c, bool table, char *buf,
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
        gate_report_number_text(c == 7 ? r->pct_parent : r->pct_total, table, false, buf, cap);
        break;
    default:
        gate_report_number_text(r->med[c - 9], table, true, buf, cap);
        break;
    }
}

void flowjo_report_write_csv(FILE *out, const flowjo_report *t)
{
    char buf[1200];
    size_t ncol = 9 + t->n_dims;
    for (size_t r = 0; r <= t->n_rows; r++) {
        for (size_t c = 0; c < ncol; c++) {
            cell(t, r == 0 ? NULL : &t->rows[r - 1], c, false, buf, sizeof buf);
            if (c > 0) {
                fputc(',', out);
            }
            apo_csv_write_field(out, buf);
        }
        fputc('\n', out);
    }
}

void flowjo_report_write_json(FILE *out, const flowjo_report *t)
{
    fputs("[", out);
    char buf[1200];
    for (size_t r = 0; r < t->n_rows; r++) {
        const flowjo_report_row *w = &t->rows[r];
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

void flowjo_report_write_table(FILE *out, const flowjo_report *t)
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

