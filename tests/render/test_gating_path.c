/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_gating_path.c: render_gating_path_build makes one plot per applied gate, top down:
 * the automatic pre-gates of a height instrument (debris range on FSC-A over SSC-A, the
 * singlet wedge on FSC-A x FSC-H) and of a width instrument (the FSC-W singlet range drawn
 * as a band on y against FSC-A), each over its parent's events, with percentages from the
 * given whole-file counts, from the displayed events when they are the whole file, and none
 * otherwise; a boolean gate on the path gets no plot; a gate on logicle-transformed
 * dimensions gets logicle axes. The panels render.
 */
#include "render/render.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NE 3000
#define NP 4

static const char *const names[NP] = {"FSC-A", "FSC-H", "FSC-W", "SSC-A"};

/* Events: debris (FSC-A < 15000), singlets (H = 0.8 A, W ~ 80000), doublets (H = 0.45 A,
 * W ~ 150000); column-major. */
static double *make_events(void)
{
    double *v = malloc(NP * NE * sizeof *v);
    cr_assert(v);
    for (size_t e = 0; e < NE; e++) {
        double a, h, w;
        if (e % 10 == 0) { /* debris */
            a = 2000 + (double)(e % 97) * 100;
            h = 0.8 * a;
            w = 30000;
        } else if (e % 10 == 1) { /* doublets */
            a = 120000 + (double)(e % 53) * 500;
            h = 0.45 * a;
            w = 150000;
        } else {
            a = 50000 + (double)(e % 89) * 400;
            h = 0.8 * a;
            w = 80000 + (double)(e % 7) * 1000;
        }
        v[0 * NE + e] = a;
        v[1 * NE + e] = h;
        v[2 * NE + e] = w;
        v[3 * NE + e] = 20000 + (double)(e % 31) * 300;
    }
    return v;
}

static gate_strategy *pregates(bool width)
{
    gate_strategy *s = NULL;
    apo_error err;
    cr_assert_eq(gate_strategy_new(&s, &err), APO_OK);
    gate_dim fa = {"FSC-A", NULL, NULL, NULL};
    double mn = 15000, mx = INFINITY;
    cr_assert_eq(gate_strategy_add_rectangle(s, "Cells", NULL, 1, &fa, &mn, &mx, &err), APO_OK);
    if (width) {
        gate_dim fw = {"FSC-W", NULL, NULL, NULL};
        double lo = 70000, hi = 95000;
        cr_assert_eq(gate_strategy_add_rectangle(s, "Singlets", "Cells", 1, &fw, &lo, &hi, &err),
                     APO_OK);
    } else {
        gate_dim ah[2] = {{"FSC-A", NULL, NULL, NULL}, {"FSC-H", NULL, NULL, NULL}};
        const double X = 1e9;
        double xy[6] = {0, 0, X, 0.7 * X, X, 0.9 * X};
        cr_assert_eq(gate_strategy_add_polygon(s, "Singlets", "Cells", ah, 3, xy, &err), APO_OK);
    }
    return s;
}

static void render_ok(const render_gating_path *p)
{
    render_panel_spec panel = {"path", p->n_plots, p->plots, p->n_plots};
    render_options o = RENDER_OPTIONS_INIT;
    o.size = 300;
    render_image *img = NULL;
    apo_error err;
    apo_error_clear(&err);
    cr_assert_eq(render_panel(&img, &panel, &o, &err), APO_OK, "%s", err.msg);
    render_image_free(img);
}

Test(gating_path, height_instrument_debris_then_singlet_wedge)
{
    double *v = make_events();
    gate_data d = {.n_events = NE, .n_params = NP, .names = names, .values = v};
    gate_strategy *s = pregates(false);
    render_gating_path p;
    apo_error err;
    size_t sing = gate_strategy_find(s, "Singlets");
    cr_assert_eq(render_gating_path_build(&p, s, &d, sing, NULL, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(p.n_plots, 2);
    /* debris: all events on FSC-A x SSC-A, the range drawn as an open-ended band on x */
    cr_assert_str_eq(p.plots[0].xaxis.title, "FSC-A");
    cr_assert_str_eq(p.plots[0].yaxis.title, "SSC-A");
    cr_assert_eq(p.plots[0].n, NE);
    cr_assert_str_eq(p.plots[0].title, "Cells");
    cr_assert_eq(p.plots[0].n_gates, 1);
    const render_gate *g0 = &p.plots[0].gates[0];
    cr_assert_eq(g0->shape, RENDER_SHAPE_RECTANGLE);
    cr_assert(g0->xy[0] == 15000 && g0->xy[1] == -INFINITY && g0->xy[2] == INFINITY &&
              g0->xy[3] == INFINITY);
    cr_assert_float_eq(g0->pct, 90.0, 1e-9); /* every 10th event is debris */
    /* singlets: the Cells events on FSC-A x FSC-H with the wedge */
    cr_assert_str_eq(p.plots[1].xaxis.title, "FSC-A");
    cr_assert_str_eq(p.plots[1].yaxis.title, "FSC-H");
    cr_assert_eq(p.plots[1].n, NE - NE / 10);
    const render_gate *g1 = &p.plots[1].gates[0];
    cr_assert_eq(g1->shape, RENDER_SHAPE_POLYGON);
    cr_assert_eq(g1->n_vertices, 3);
    cr_assert_float_eq(g1->pct, 100.0 * (NE * 8 / 10) / (NE * 9 / 10), 1e-9);
    cr_assert(strstr(p.plots[1].subtitle, "Cells, n = 2,700") != NULL, "%s", p.plots[1].subtitle);
    render_ok(&p);
    render_gating_path_free(&p);
    gate_strategy_free(s);
    free(v);
}

Test(gating_path, width_instrument_shows_the_fsc_w_range)
{
    double *v = make_events();
    gate_data d = {.n_events = NE, .n_params = NP, .names = names, .values = v};
    gate_strategy *s = pregates(true);
    render_gating_path p;
    apo_error err;
    size_t sing = gate_strategy_find(s, "Singlets");
    cr_assert_eq(render_gating_path_build(&p, s, &d, sing, NULL, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(p.n_plots, 2);
    cr_assert_str_eq(p.plots[1].title, "Singlets");
    cr_assert_str_eq(p.plots[1].xaxis.title, "FSC-A");
    cr_assert_str_eq(p.plots[1].yaxis.title, "FSC-W");
    const render_gate *g = &p.plots[1].gates[0];
    cr_assert_eq(g->shape, RENDER_SHAPE_RECTANGLE);
    cr_assert(g->xy[0] == -INFINITY && g->xy[1] == 70000 && g->xy[2] == INFINITY &&
              g->xy[3] == 95000);
    render_ok(&p);
    render_gating_path_free(&p);
    gate_strategy_free(s);
    free(v);
}

/* Whole-file counts where known; a subsample's own counts are not shown as the file's. */
Test(gating_path, percentages_from_known_counts_only)
{
    double *v = make_events();
    gate_data d = {.n_events = NE, .n_params = NP, .names = names, .values = v};
    gate_strategy *s = pregates(false);
    size_t cells = gate_strategy_find(s, "Cells"), sing = gate_strategy_find(s, "Singlets");
    uint64_t count[2];
    count[cells] = 900000;
    count[sing] = UINT64_MAX;
    render_path_counts c = {1000000, count};
    render_gating_path p;
    apo_error err;
    cr_assert_eq(render_gating_path_build(&p, s, &d, sing, &c, &err), APO_OK);
    cr_assert_float_eq(p.plots[0].gates[0].pct, 90.0, 1e-9);
    cr_assert(isnan(p.plots[1].gates[0].pct), "singlets %% from a subsample");
    cr_assert(strstr(p.plots[1].subtitle, "Cells, n = 900,000 (display 2,700)") != NULL, "%s",
              p.plots[1].subtitle);
    render_gating_path_free(&p);
    gate_strategy_free(s);
    free(v);
}

/* A boolean gate on the path has no plot; logicle dimensions get logicle axes. */
Test(gating_path, boolean_skipped_and_transformed_axes)
{
    double *v = make_events();
    gate_data d = {.n_events = NE, .n_params = NP, .names = names, .values = v};
    gate_strategy *s = pregates(false);
    apo_error err;
    gate_transform lg;
    cr_assert_eq(gate_transform_init_logicle(&lg, 262144, 0.5, 4.5, 0, &err), APO_OK);
    cr_assert_eq(gate_strategy_add_transform(s, "lgc", &lg, &err), APO_OK);
    const char *ops[2] = {"Cells", "Singlets"};
    cr_assert_eq(gate_strategy_add_boolean(s, "Both", "Singlets", GATE_BOOL_AND, 2, ops, NULL,
                                           &err),
                 APO_OK, "%s", err.msg);
    gate_dim lsd[2] = {{"FSC-A", NULL, "lgc", NULL}, {"SSC-A", NULL, "lgc", NULL}};
    double xy[8] = {0.5, 0.5, 0.99, 0.5, 0.99, 0.99, 0.5, 0.99};
    cr_assert_eq(gate_strategy_add_polygon(s, "Big", "Both", lsd, 4, xy, &err), APO_OK, "%s",
                 err.msg);
    render_gating_path p;
    size_t big = gate_strategy_find(s, "Big");
    cr_assert_eq(render_gating_path_build(&p, s, &d, big, NULL, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(p.n_plots, 3, "Cells, Singlets, Big (no plot for a boolean gate)");
    cr_assert_str_eq(p.plots[2].title, "Big");
    cr_assert_eq(p.plots[2].xaxis.transform.kind, lg.kind);
    cr_assert_eq(p.plots[2].gates[0].x_space, gate_strategy_transform(s, "lgc"));
    render_ok(&p);
    render_gating_path_free(&p);
    gate_strategy_free(s);
    free(v);
}

/* Memberships kept from an earlier application give the same plots as applying the strategy
 * here; a result of another size is not used. */
Test(gating_path, memberships_handed_over_equal_applying)
{
    double *v = make_events();
    gate_data d = {.n_events = NE, .n_params = NP, .names = names, .values = v};
    gate_strategy *s = pregates(false);
    size_t sing = gate_strategy_find(s, "Singlets");
    apo_error err;
    gate_result res = {0};
    cr_assert_eq(gate_strategy_apply(s, &d, &res, &err), APO_OK, "%s", err.msg);
    render_gating_path a, b, c;
    cr_assert_eq(render_gating_path_build(&a, s, &d, sing, NULL, &err), APO_OK);
    cr_assert_eq(render_gating_path_build_from(&b, s, &d, sing, NULL, &res, &err), APO_OK);
    gate_result wrong = res;
    wrong.n_events = NE - 1; /* not these events' */
    cr_assert_eq(render_gating_path_build_from(&c, s, &d, sing, NULL, &wrong, &err), APO_OK);
    cr_assert_eq(a.n_plots, 2);
    const render_gating_path *other[2] = {&b, &c};
    for (int k = 0; k < 2; k++) {
        cr_assert_eq(other[k]->n_plots, a.n_plots);
        for (size_t i = 0; i < a.n_plots; i++) {
            const render_plot *x = &a.plots[i], *y = &other[k]->plots[i];
            cr_assert_eq(x->n, y->n, "plot %zu", i);
            cr_assert(memcmp(x->x, y->x, x->n * sizeof(double)) == 0, "plot %zu x", i);
            cr_assert(memcmp(x->y, y->y, x->n * sizeof(double)) == 0, "plot %zu y", i);
            cr_assert_str_eq(x->subtitle, y->subtitle);
            cr_assert(x->gates[0].pct == y->gates[0].pct);
        }
    }
    /* the handed-over memberships are used: a result saying no event is a Cell leaves the
     * Singlets plot without events */
    size_t cells = gate_strategy_find(s, "Cells");
    memset(res.member + cells * res.n_events, 0, res.n_events);
    res.count[cells] = 0;
    render_gating_path e;
    cr_assert_eq(render_gating_path_build_from(&e, s, &d, sing, NULL, &res, &err), APO_OK);
    cr_assert_eq(e.plots[1].n, 0);
    render_gating_path_free(&e);
    render_gating_path_free(&a);
    render_gating_path_free(&b);
    render_gating_path_free(&c);
    gate_result_free(&res);
    gate_strategy_free(s);
    free(v);
}
