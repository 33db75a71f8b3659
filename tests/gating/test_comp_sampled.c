/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_comp_sampled.c: gate_comp_compute_files within the memory policy: with a sample limit
 * below the controls' size the matrix is exactly gate_comp_compute's on the deterministic
 * subsample of every control (fcs_dataset_read_sampled); files within the limit are used
 * whole (limit 0 and the default give the same matrix). flowCore's 060909 control set.
 */
#include "gating/gate.h"

#include "support/need.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void setup_gsl(void)
{
    gsl_set_error_handler_off();
}

TestSuite(gating_comp_sampled, .init = setup_gsl);

#define N_FILES 5

typedef struct controls {
    char path[N_FILES][1024];
    const char *v[N_FILES];
    char sheet[1024];
} controls;

static void need(const char *path)
{
    test_need_path(path, "the corpus file");
}

static void controls_init(controls *c)
{
    for (int i = 0; i < N_FILES; i++) {
        snprintf(c->path[i], sizeof(c->path[i]), "%s/fcs/flowcore/060909.00%d",
                 APOFLOW_CORPUS_DIR, i + 1);
        need(c->path[i]);
        c->v[i] = c->path[i];
    }
    snprintf(c->sheet, sizeof(c->sheet), "%s/fcs/flowcore/compdata/comp_match",
             APOFLOW_CORPUS_DIR);
    need(c->sheet);
}

static gate_comp *compute(const controls *c, uint64_t limit, gate_comp_population pop,
                          gate_comp_report *rep)
{
    gate_comp_sheet sheet;
    apo_error err;
    cr_assert_eq(gate_comp_sheet_read(&sheet, c->sheet, &err), APO_OK, "%s", err.msg);
    gate_comp_compute_options o = GATE_COMP_COMPUTE_OPTIONS_INIT;
    o.population = pop;
    o.sample_events = limit;
    gate_comp *m = NULL;
    cr_assert_eq(gate_comp_compute_files(&m, N_FILES, c->v, &sheet, &o, NULL, rep, &err),
                 APO_OK, "%s", err.msg);
    gate_comp_sheet_free(&sheet);
    return m;
}

static void assert_same(const gate_comp *a, const gate_comp *b)
{
    cr_assert_eq(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        cr_assert_str_eq(a->detectors[i], b->detectors[i]);
        for (size_t j = 0; j < a->n; j++) {
            cr_assert_eq(a->spill[i * a->n + j], b->spill[i * a->n + j], "S[%zu][%zu]: %.17g vs %.17g",
                         i, j, a->spill[i * a->n + j], b->spill[i * a->n + j]);
        }
    }
}

/* One control read as the policy says, by hand: the subsample and its detector columns. */
typedef struct sampled {
    fcs_file *f;
    fcs_events ev;
    size_t cols[8];
} sampled;

static void read_control(sampled *s, const char *path, const gate_comp *m, uint64_t limit)
{
    apo_error err;
    const fcs_read_options ro = FCS_READ_OPTIONS_INIT;
    cr_assert_eq(fcs_file_open(&s->f, path, &ro, &err), APO_OK, "%s", err.msg);
    const fcs_dataset *ds = fcs_file_dataset(s->f, 0);
    const fcs_decode_options dec = {FCS_VALUES_SCALED, true, 0};
    uint64_t step = 0;
    cr_assert_eq(fcs_dataset_read_sampled(ds, &dec, limit, &s->ev, &step, &err), APO_OK);
    /* 7485 to 10000 events, at most 1000: steps 8 to 10 */
    cr_assert_eq(step, (fcs_dataset_n_events(ds) + limit - 1) / limit);
    cr_assert_gt(step, 7);
    cr_assert_leq(s->ev.n_events, limit);
    cr_assert_leq(m->n, 8);
    for (size_t d = 0; d < m->n; d++) {
        s->cols[d] = fcs_dataset_find_param(ds, m->detectors[d]);
        cr_assert_neq(s->cols[d], SIZE_MAX);
    }
}

Test(gating_comp_sampled, limit_below_the_controls_is_their_subsample)
{
    controls c;
    controls_init(&c);
    for (int all = 0; all < 2; all++) {
        const gate_comp_population pop = all ? GATE_COMP_POP_ALL : GATE_COMP_POP_POSITIVE;
        gate_comp_report rep;
        gate_comp *m = compute(&c, 1000, pop, &rep);
        cr_assert_eq(rep.unstained_events, 1000);
        /* the same by hand: the unstained control is 060909.001 in comp_match */
        sampled un;
        memset(&un, 0, sizeof(un));
        read_control(&un, c.path[0], m, 1000);
        sampled *ctl = calloc(m->n, sizeof(*ctl));
        gate_comp_sample *samples = calloc(m->n, sizeof(*samples));
        cr_assert(ctl != NULL && samples != NULL);
        for (size_t d = 0; d < m->n; d++) {
            read_control(&ctl[d], rep.control_file[d], m, 1000);
            samples[d] = (gate_comp_sample){&ctl[d].ev, ctl[d].cols, rep.control_file[d]};
            if (all) {
                cr_assert_eq(rep.used_events[d], ctl[d].ev.n_events);
            }
        }
        const gate_comp_sample us = {&un.ev, un.cols, c.path[0]};
        gate_comp_compute_options o = GATE_COMP_COMPUTE_OPTIONS_INIT;
        o.population = pop;
        gate_comp *ref = NULL;
        apo_error err;
        cr_assert_eq(gate_comp_compute(&ref, m->n, (const char *const *)m->detectors, &us,
                                       samples, &o, NULL, &err),
                     APO_OK, "%s", err.msg);
        assert_same(m, ref);
        /* and it is not the whole-file matrix (the limit did something) */
        gate_comp *whole = compute(&c, 0, pop, NULL);
        bool differs = false;
        for (size_t k = 0; k < m->n * m->n; k++) {
            differs = differs || m->spill[k] != whole->spill[k];
        }
        cr_assert(differs);
        gate_comp_free(whole);
        gate_comp_free(ref);
        for (size_t d = 0; d < m->n; d++) {
            fcs_events_free(&ctl[d].ev);
            fcs_file_free(ctl[d].f);
        }
        fcs_events_free(&un.ev);
        fcs_file_free(un.f);
        free(ctl);
        free(samples);
        gate_comp_report_free(&rep);
        gate_comp_free(m);
    }
}

Test(gating_comp_sampled, files_within_the_limit_are_used_whole)
{
    controls c;
    controls_init(&c);
    gate_comp_report r0, rd;
    gate_comp *m0 = compute(&c, 0, GATE_COMP_POP_POSITIVE, &r0);
    gate_comp *md = compute(&c, GATE_SAMPLE_EVENTS_DEFAULT, GATE_COMP_POP_POSITIVE, &rd);
    gate_comp *m10k = compute(&c, 10000, GATE_COMP_POP_POSITIVE, NULL);
    assert_same(m0, md);
    assert_same(m0, m10k);
    cr_assert_eq(r0.unstained_events, 10000);
    cr_assert_eq(rd.unstained_events, 10000);
    for (size_t d = 0; d < r0.n; d++) {
        cr_assert_eq(r0.used_events[d], rd.used_events[d]);
    }
    gate_comp_report_free(&r0);
    gate_comp_report_free(&rd);
    gate_comp_free(m0);
    gate_comp_free(md);
    gate_comp_free(m10k);
}
