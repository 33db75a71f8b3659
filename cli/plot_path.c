/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * plot_path.c: 'apoflow plot --gating G.xml --population PATH --path': one plot per gate on
 * the population's path, top down, each over its parent's events on the gate's own
 * dimensions, drawn as applied (render_gating_path_build); percentages of parent are exact
 * over every event of the data set (streamed) even when the display reads a subsample.
 */
#include "cli/plot_path.h"

#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const apo_error *err, const char *path)
{
    if (err->file[0] == '\0') {
        cli_errorf("%s: %s", path, err->msg[0] ? err->msg : apo_status_name(err->status));
    } else {
        cli_print_error(err);
    }
    return apo_status_exit_code(err->status);
}

/* The compensation the gates use for comp_ref "FCS": the file's (auto), none, or the CSV. */
static void choose_comp(const plot_path_opts *o, gate_data *d, gate_stream_options *so)
{
    if (strcmp(o->comp, "none") == 0) {
        d->comp = NULL;
        so->override_comp = true;
        so->comp = NULL;
    } else if (o->csv) {
        d->comp = o->csv;
        so->override_comp = true;
        so->comp = o->csv;
    }
}

/* Exact whole-file counts of every gate when the display holds a subsample. */
static int exact_counts(const plot_path_opts *o, const fcs_dataset *ds,
                        const gate_stream_options *so, uint64_t step, uint64_t **out)
{
    *out = NULL;
    if (step <= 1) return 0;
    size_t ng = gate_strategy_n_gates(o->strategy);
    uint64_t *c = calloc(ng ? ng : 1, sizeof *c);
    if (!c) {
        cli_errorf("out of memory");
        return 71;
    }
    apo_error err;
    apo_error_clear(&err);
    if (gate_strategy_apply_stream(o->strategy, ds, so, c, &err) != APO_OK) {
        free(c);
        return fail(&err, o->file);
    }
    *out = c;
    return 0;
}

static int draw(const plot_path_opts *o, const fcs_dataset *ds, const render_gating_path *gp)
{
    char title[400], comment[600];
    char *pop = gate_strategy_path(o->strategy, o->population);
    const char *name = fcs_dataset_keyword(ds, "TUBE NAME");
    if (!name || !name[0]) name = fcs_dataset_keyword(ds, "$FIL");
    if (!name || !name[0]) name = o->file;
    snprintf(title, sizeof title, "%s", o->title ? o->title : name);
    snprintf(comment, sizeof comment, "gating path of population=%s; gating=%s",
             pop ? pop : "?", o->gating);
    free(pop);
    render_text_chunk meta[] = {{"Source", o->file}, {"Comment", comment}};
    render_panel_spec panel = {title, gp->n_plots, gp->plots, gp->n_plots};
    apo_error err;
    apo_error_clear(&err);
    if (render_panel_png(o->out, &panel, o->ro, 2, meta, &err) != APO_OK) {
        return fail(&err, o->out);
    }
    return 0;
}

int plot_path_run(const plot_path_opts *o)
{
    apo_error err;
    apo_error_clear(&err);
    fcs_file *f = NULL;
    fcs_events ev = {0, 0, NULL};
    gate_data d;
    memset(&d, 0, sizeof d);
    uint64_t *counts = NULL, step = 1;
    render_gating_path gp;
    memset(&gp, 0, sizeof gp);
    int rc = 0;
    if (fcs_file_open(&f, o->file, o->read, &err) != APO_OK) {
        rc = fail(&err, o->file);
        goto done;
    }
    if (o->dataset > fcs_file_n_datasets(f)) {
        cli_errorf("%s: expected data set %zu, found %zu in the file", o->file, o->dataset,
                   fcs_file_n_datasets(f));
        rc = 64;
        goto done;
    }
    const fcs_dataset *ds = fcs_file_dataset(f, o->dataset - 1);
    for (size_t i = 0; i < fcs_dataset_n_warnings(ds); i++) {
        cli_warn(fcs_dataset_warning(ds, i)->msg);
    }
    gate_stream_options so = GATE_STREAM_OPTIONS_INIT;
    if (fcs_dataset_read_sampled(ds, &so.decode, o->sample_events, &ev, &step, &err) != APO_OK ||
        gate_data_init(&d, ds, &ev, &err) != APO_OK) {
        rc = fail(&err, o->file);
        goto done;
    }
    choose_comp(o, &d, &so);
    rc = exact_counts(o, ds, &so, step, &counts);
    if (rc != 0) goto done;
    render_path_counts c = {fcs_dataset_n_events(ds), counts};
    if (render_gating_path_build(&gp, o->strategy, &d, o->population, counts ? &c : NULL,
                                 &err) != APO_OK) {
        rc = fail(&err, o->file);
        goto done;
    }
    if (gp.n_plots == 0) {
        cli_errorf("--path: the path to the population has no gate with a shape to draw");
        rc = 64;
        goto done;
    }
    rc = draw(o, ds, &gp);
done:
    render_gating_path_free(&gp);
    free(counts);
    gate_data_free(&d);
    fcs_events_free(&ev);
    fcs_file_free(f);
    return rc;
}
