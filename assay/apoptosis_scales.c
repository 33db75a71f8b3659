// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * apoptosis_scales.c: step 4 of the apoptosis analysis (apoptosis.c): the logicle scales and
 * the two quadrant lines from the compensated singlet values of every sample. One pass over
 * the samples pools what the estimates need (the values for each scale's W, the stained
 * samples' values for the density valley, the controls' values for the quantile lines); the
 * scales come from the pooled values (docs/algorithms.md, section 3), each line from the
 * controls or the valley, checked against the other line's final place (docs/algorithms.md,
 * section 6). Also the QC flags those lines give the stained samples.
 */
#include "density.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Pooled estimates (density valley, logicle W) use at most this many events. */
#define APO_POOL_MAX 400000

/* What the scale and threshold estimates need, gathered in one pass over the samples. */
typedef struct marker_pool {
    double T;            /* largest $PnR or compensated value */
    double *w;           /* pooled singlet values for the logicle W (every step-th) */
    size_t nw, step_w;
    double *valley;      /* pooled singlet values of the stained samples (density valley) */
    double *valley_other; /* the same events' values of the other marker */
    size_t nv, step_v;
    double *ctl[2];      /* singlet values of the quantile controls: [0] the other marker's
                            single stain, [1] the unstained control (the one used is put on
                            the display scale by place_thresholds) */
    size_t nctl[2];
    int src[2];          /* their samples, -1 when none */
} marker_pool;

static void marker_pool_free(marker_pool *p)
{
    free(p->w);
    free(p->valley);
    free(p->valley_other);
    free(p->ctl[0]);
    free(p->ctl[1]);
    memset(p, 0, sizeof *p);
}

static size_t pool_step(size_t total)
{
    return total > APO_POOL_MAX ? (total + APO_POOL_MAX - 1) / APO_POOL_MAX : 1;
}

/* Does sample @p role contribute to the density valley of the marker (not the unstained
 * control, not the other marker's single stain)? */
static bool valley_role(assay_role role, bool annexin)
{
    assay_role fmo = annexin ? ASSAY_ROLE_PI_SINGLE : ASSAY_ROLE_ANNEXIN_SINGLE;
    return role != ASSAY_ROLE_UNSTAINED && role != fmo;
}

static apo_status marker_pool_init(marker_pool *p, const assay_input *in,
                                   const assay_sample_state *c, size_t n, bool annexin,
                                   uint64_t max_events, apo_error *err)
{
    memset(p, 0, sizeof *p);
    p->src[0] = p->src[1] = -1;
    size_t total_w = 0, total_v = 0;
    for (size_t i = 0; i < n; i++) {
        if (c[i].ok) {
            size_t m = assay_sampled_size(&in[i], max_events);
            total_w += m;
            total_v += valley_role(in[i].role, annexin) ? m : 0;
        }
    }
    p->step_w = pool_step(total_w);
    p->step_v = pool_step(total_v);
    p->w = malloc((total_w / p->step_w + n + 1) * sizeof(double));
    p->valley = malloc((total_v / p->step_v + n + 1) * sizeof(double));
    p->valley_other = malloc((total_v / p->step_v + n + 1) * sizeof(double));
    if (p->w == NULL || p->valley == NULL || p->valley_other == NULL) {
        marker_pool_free(p);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    return APO_OK;
}

/* One sample's contribution to a marker's pool: computed on the caller's threads, merged in
 * sample order, so the pooled values are the same for any number of threads. */
typedef struct pool_part {
    double T;
    double *w, *valley, *valley_other, *ctl;
    size_t nw, nv, nctl;
} pool_part;

static void pool_part_free(pool_part *pp)
{
    free(pp->w);
    free(pp->valley);
    free(pp->valley_other);
    free(pp->ctl);
    memset(pp, 0, sizeof *pp);
}

/* Fill @p pp from one loaded sample's compensated values @p x of the marker and @p other of
 * the other marker (its parent mask in l). */
static apo_status pool_part_fill(pool_part *pp, const marker_pool *p, const assay_input *in,
                                 const assay_sample_state *ci, bool annexin, const assay_loaded *l,
                                 const double *x, const double *other, bool keep_ctl,
                                 apo_error *err)
{
    const size_t ne = (size_t)l->ev.n_events;
    const fcs_param *par = fcs_dataset_param(in->ds, annexin ? ci->ch.annexin : ci->ch.pi);
    pp->T = isfinite(par->range) ? par->range : 0;
    for (size_t e = 0; e < ne; e++) {
        if (isfinite(x[e]) && x[e] > pp->T) {
            pp->T = x[e];
        }
    }
    pp->w = malloc((ne / p->step_w + 1) * sizeof(double));
    bool nomem = pp->w == NULL;
    if (!nomem) {
        pp->nw = assay_masked_step(x, l->parent, ne, p->step_w, pp->w);
    }
    if (!nomem && valley_role(in->role, annexin)) {
        pp->valley = malloc((ne / p->step_v + 1) * sizeof(double));
        pp->valley_other = malloc((ne / p->step_v + 1) * sizeof(double));
        nomem = pp->valley == NULL || pp->valley_other == NULL;
        if (!nomem) {
            pp->nv = assay_masked_step(x, l->parent, ne, p->step_v, pp->valley);
            assay_masked_step(other, l->parent, ne, p->step_v, pp->valley_other);
        }
    }
    if (!nomem && keep_ctl) {
        pp->ctl = malloc((ne ? ne : 1) * sizeof(double));
        nomem = pp->ctl == NULL;
        if (!nomem) {
            pp->nctl = assay_masked(x, l->parent, ne, pp->ctl);
        }
    }
    if (nomem) {
        pool_part_free(pp);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    return APO_OK;
}

/* The quantile controls of a marker: [0] its FMO-like single stain (the other marker's),
 * [1] the unstained control. */
static assay_role ctl_role(bool annexin, int slot)
{
    return slot == 1 ? ASSAY_ROLE_UNSTAINED
                     : annexin ? ASSAY_ROLE_PI_SINGLE : ASSAY_ROLE_ANNEXIN_SINGLE;
}

typedef struct pool_job {
    const assay_input *in;
    assay_sample_state *c;
    const gate_strategy *s;
    size_t parent_idx;
    const gate_dim *raw; /* the compensated AnnV and PI dimensions */
    uint64_t max_events;
    assay_result *out;
    const marker_pool *pool; /* [2]: the steps */
    pool_part *parts;        /* [2 n] */
    const int *cand;         /* [4]: the control candidates, cand[2 k + slot] */
    apo_status *fatal;       /* [n]: out of memory */
} pool_job;

/* Sample i's parts for both markers; keeps control values when it is a candidate. */
static void pool_task(void *arg, size_t i)
{
    const pool_job *j = arg;
    const assay_input *in = &j->in[i];
    assay_sample_state *ci = &j->c[i];
    if (!ci->ok) {
        return;
    }
    assay_loaded l;
    gate_result res = {0};
    apo_error e2;
    double *x[2] = {NULL, NULL};
    if (assay_load(in, ci, j->max_events, &l, &e2) != APO_OK) {
        assay_fail_sample(&j->out->samples[i], e2.msg);
        ci->ok = false;
        return;
    }
    bool ok = assay_parent_mask(j->s, &l, j->parent_idx, &res, &e2) == APO_OK;
    const size_t ne = l.data.n_events;
    if (ok) {
        x[0] = malloc((ne ? ne : 1) * sizeof(double));
        x[1] = malloc((ne ? ne : 1) * sizeof(double));
        if (x[0] == NULL || x[1] == NULL) {
            j->fatal[i] = APO_E_NOMEM;
            ok = false;
        }
    }
    ok = ok && gate_dim_values(j->s, &l.data, &j->raw[0], false, x[0], &e2) == APO_OK &&
         gate_dim_values(j->s, &l.data, &j->raw[1], false, x[1], &e2) == APO_OK;
    for (int k = 0; ok && k < 2; k++) {
        const bool keep = j->cand[2 * k] == (int)i || j->cand[2 * k + 1] == (int)i;
        if (pool_part_fill(&j->parts[2 * i + (size_t)k], &j->pool[k], in, ci, k == 0, &l, x[k],
                           x[1 - k], keep, &e2) != APO_OK) {
            j->fatal[i] = APO_E_NOMEM;
            ok = false;
        }
    }
    if (!ok) {
        pool_part_free(&j->parts[2 * i]);
        pool_part_free(&j->parts[2 * i + 1]);
        if (j->fatal[i] == APO_OK) {
            assay_fail_sample(&j->out->samples[i], e2.msg);
            ci->ok = false;
        }
    }
    free(x[0]);
    free(x[1]);
    gate_result_free(&res);
    assay_loaded_free(&l);
}

/* The singlet values of dimension @p dim of one control into pp->ctl (a sample that was not
 * a candidate when the pools were gathered). */
static apo_status control_values(const assay_input *in, const assay_sample_state *ci,
                                 const gate_strategy *s, size_t parent_idx, const gate_dim *dim,
                                 uint64_t max_events, pool_part *pp, apo_error *err)
{
    assay_loaded l;
    apo_status st = assay_load(in, ci, max_events, &l, err);
    if (st != APO_OK) {
        return st;
    }
    gate_result res = {0};
    st = assay_parent_mask(s, &l, parent_idx, &res, err);
    const size_t ne = l.data.n_events;
    double *x = NULL;
    if (st == APO_OK) {
        x = malloc((ne ? ne : 1) * sizeof(double));
        pp->ctl = malloc((ne ? ne : 1) * sizeof(double));
        if (x == NULL || pp->ctl == NULL) {
            st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
        }
    }
    if (st == APO_OK) {
        st = gate_dim_values(s, &l.data, dim, false, x, err);
    }
    if (st == APO_OK) {
        pp->nctl = assay_masked(x, l.parent, ne, pp->ctl);
    } else {
        free(pp->ctl);
        pp->ctl = NULL;
    }
    free(x);
    gate_result_free(&res);
    assay_loaded_free(&l);
    return st;
}

/* Pool the compensated singlet values of every sample for both markers (pool[0] AnnV,
 * pool[1] PI; initialised by marker_pool_init): the largest value, the pooled values for W
 * and the valley, and the quantile controls' values. */
static apo_status gather_pools(const assay_input *in, assay_sample_state *c, size_t n,
                               const gate_strategy *s, size_t parent_idx, const gate_dim raw[2],
                               const assay_options *opt, assay_result *out,
                               marker_pool pool[2], apo_error *err)
{
    pool_part *parts = calloc(2 * (n ? n : 1), sizeof *parts);
    apo_status *fatal = calloc(n ? n : 1, sizeof *fatal);
    if (parts == NULL || fatal == NULL) {
        free(parts);
        free(fatal);
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    int cand[4];
    for (int k = 0; k < 2; k++) {
        for (int slot = 0; slot < 2; slot++) {
            cand[2 * k + slot] = assay_first_ok(in, c, n, ctl_role(k == 0, slot));
        }
    }
    pool_job job = {in, c, s, parent_idx, raw, opt->sample_events, out, pool, parts, cand, fatal};
    assay_for_each_item(opt, "scale estimates", n, true, pool_task, &job);
    apo_status st = APO_OK;
    for (size_t i = 0; i < n && st == APO_OK; i++) {
        if (fatal[i] != APO_OK) {
            st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
        }
    }
    /* merge in sample order */
    for (int k = 0; k < 2 && st == APO_OK; k++) {
        marker_pool *p = &pool[k];
        for (size_t i = 0; i < n; i++) {
            const pool_part *pp = &parts[2 * i + (size_t)k];
            if (!c[i].ok) {
                continue;
            }
            if (pp->T > p->T) {
                p->T = pp->T;
            }
            if (pp->nw > 0) {
                memcpy(p->w + p->nw, pp->w, pp->nw * sizeof(double));
                p->nw += pp->nw;
            }
            if (pp->nv > 0) {
                memcpy(p->valley + p->nv, pp->valley, pp->nv * sizeof(double));
                memcpy(p->valley_other + p->nv, pp->valley_other, pp->nv * sizeof(double));
                p->nv += pp->nv;
            }
        }
        for (int slot = 0; slot < 2 && st == APO_OK; slot++) {
            int src = assay_first_ok(in, c, n, ctl_role(k == 0, slot));
            if (src < 0) {
                continue;
            }
            pool_part *pp = &parts[2 * (size_t)src + (size_t)k];
            if (pp->ctl == NULL) { /* the candidate failed: this later control (rare) */
                st = control_values(&in[src], &c[src], s, parent_idx, &raw[k],
                                    opt->sample_events, pp, err);
                if (st != APO_OK) {
                    break;
                }
            }
            p->ctl[slot] = pp->ctl;
            p->nctl[slot] = pp->nctl;
            p->src[slot] = src;
            pp->ctl = NULL;
        }
    }
    for (size_t i = 0; i < 2 * n; i++) {
        pool_part_free(&parts[i]);
    }
    free(parts);
    free(fatal);
    return st;
}

/* Logicle scale for one marker: T from $PnR / data, W by estimateLogicle, M 4.5. */
static apo_status make_scale(const marker_pool *p, gate_transform *tf, assay_result *out,
                             apo_error *err)
{
    double T = p->T;
    if (!(T > 1)) {
        T = 262144;
    }
    const double M = 4.5;
    double w = 0;
    apo_error e2;
    if (gate_logicle_estimate_w(p->w, p->nw, T, M, &w, &e2) != APO_OK || !isfinite(w) || w < 0) {
        w = 0;
    }
    if (w > 2.0) {
        w = 2.0;
    }
    apo_status st = gate_transform_init_logicle(tf, T, w, M, 0, err);
    if (st != APO_OK) {
        apo_result_warn(out, "logicle(T=%g, W=%g) refused; using W=0.5", T, w);
        st = gate_transform_init_logicle(tf, T, 0.5, M, 0, err);
    }
    return st;
}

/* The quantile control of a marker's line: 0 its FMO-like single stain, 1 the unstained
 * control, -1 none with enough singlets. */
static int ctl_slot(const marker_pool *p)
{
    return p->src[0] >= 0 && p->nctl[0] >= 50 ? 0 : p->src[1] >= 0 && p->nctl[1] >= 50 ? 1 : -1;
}

/* A marker's values of @p v put on the display scale, in place (as an array: every value
 * gets the bits gate_transform_apply gives it, docs/algorithms.md "Logicle"). */
static void to_display(const gate_transform *tf, double *v, size_t n)
{
    gate_transform_apply_array(tf, v, v, n);
}

/* Fixed thresholds (--thresholds): still measured against the stained samples. */
static void fixed_threshold(marker_pool *p, bool annexin, const assay_options *opt,
                            const gate_transform *tf, assay_threshold *t)
{
    assay_set_threshold(t, annexin ? opt->annexin_threshold : opt->pi_threshold,
                        ASSAY_THRESHOLD_FIXED, NAN, "--thresholds");
    t->valley_depth = assay_line_depth(p->valley, p->nv, gate_transform_apply(tf, t->value));
    t->in_population = t->valley_depth > 0.5;
    snprintf(t->reason, sizeof t->reason, "given with --thresholds");
}

/* One marker's line from its control, checked against the stained samples
 * (threshold_check.c); p->valley and the control's values are on the display scale. @p kde
 * gets p->valley's density (for refine_line; the caller frees it). */
static apo_status place_line(const assay_input *in, const marker_pool *p, bool annexin,
                             const assay_options *opt, assay_line *L, assay_kde *kde,
                             apo_error *err)
{
    const int slot = ctl_slot(p);
    assay_line_place(slot >= 0 ? p->ctl[slot] : NULL, slot >= 0 ? p->nctl[slot] : 0, p->valley,
                     p->nv, opt->quantile, slot >= 0 ? in[p->src[slot]].sample : "", L, kde);
    if (!isfinite(L->y)) {
        return apo_error_set(err, APO_E_NUMERIC, NULL, APO_NO_OFFSET,
                             annexin ? "Annexin V" : "PI",
                             "expected a control or a density valley to place the %s threshold, "
                             "found neither: give --thresholds A,P",
                             annexin ? "Annexin V" : "PI");
    }
    return APO_OK;
}

/* Check a marker's line within the halves the other marker's line makes (pool p, its
 * density @p kde from place_line, the other marker's values of the same events on its scale
 * @p other, and its line @p split on it); @p dye names the dead-cell dye. */
static apo_status refine_line(marker_pool *p, bool annexin, const char *dye,
                              const double *other, double split, const assay_kde *kde,
                              assay_line *L, apo_error *err)
{
    const bool ok = assay_line_refine(L, p->valley, other, p->nv, split,
                                      annexin ? "Annexin V" : dye, annexin ? dye : "Annexin V",
                                      kde);
    return ok ? APO_OK
              : apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
}

/* The threshold of a placed line: its value, source and what the control says of it. */
static void threshold_from_line(const assay_input *in, const marker_pool *p,
                                const gate_transform *tf, const assay_line *L,
                                assay_threshold *t)
{
    const int slot = ctl_slot(p);
    const bool from_ctl = slot >= 0 && L->method == ASSAY_THRESHOLD_CONTROL_QUANTILE;
    assay_set_threshold(t, gate_transform_inverse(tf, L->y), L->method, L->percentile,
                        from_ctl ? in[p->src[slot]].sample : "all stained samples");
    if (slot >= 0) {
        size_t above = 0;
        for (size_t k = 0; k < p->nctl[slot]; k++) {
            above += p->ctl[slot][k] >= L->y; /* on the display scale (place_thresholds) */
        }
        t->realized_pct = 100.0 * (double)above / (double)p->nctl[slot];
    }
    t->valley_depth = L->depth;
    t->control_scaled = L->control_y;
    t->in_population = L->in_population;
    t->no_separation = L->no_separation;
    t->half_depth[0] = L->half_depth[0];
    t->half_depth[1] = L->half_depth[1];
    snprintf(t->reason, sizeof t->reason, "%s", L->reason);
}

static void threshold_reset(assay_threshold *t)
{
    t->realized_pct = t->valley_depth = t->control_scaled = NAN;
    t->half_depth[0] = t->half_depth[1] = NAN;
    t->in_population = t->no_separation = false;
    t->reason[0] = '\0';
}

/* Both thresholds: fixed, or each control's line checked against the stained samples, then
 * each within the halves of the other marker (Annexin V first, in the halves of the PI line;
 * then PI in the halves of the final Annexin V line), all on the display scales. */
/* What each marker's line needs that does not depend on the other marker's line, one task
 * per marker on the caller's threads: its pooled values (and its control's) put on the display
 * scale, the other marker's values of the same events on that marker's scale (to split the
 * events into halves in refine_line), and the line placed on the pooled density. */
typedef struct line_job {
    const assay_input *in;
    marker_pool *pool; /* [2] */
    const gate_transform *tf[2];
    const assay_options *opt;
    assay_line L[2];
    assay_kde kde[2]; /* each pool's density, fitted once for both steps */
    double *other[2];
    apo_status st[2];
    apo_error err[2];
} line_job;

static void line_task(void *arg, size_t k)
{
    line_job *j = arg;
    marker_pool *p = &j->pool[k];
    to_display(j->tf[k], p->valley, p->nv);
    const int slot = ctl_slot(p);
    if (slot >= 0) { /* once, for the line and its realized % */
        to_display(j->tf[k], p->ctl[slot], p->nctl[slot]);
    }
    if (j->opt->fixed_thresholds) {
        return;
    }
    j->other[k] = malloc((p->nv ? p->nv : 1) * sizeof(double));
    if (j->other[k] == NULL) {
        j->st[k] = apo_error_set(&j->err[k], APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                                 "out of memory");
        return;
    }
    /* only to split the events into halves: the array path (it may differ from the
     * one-value path in the last bit) is as good and several times faster */
    gate_transform_apply_array(j->tf[1 - k], p->valley_other, j->other[k], p->nv);
    j->st[k] = place_line(j->in, p, k == 0, j->opt, &j->L[k], &j->kde[k], &j->err[k]);
}

static apo_status place_thresholds(const assay_input *in, marker_pool pool[2],
                                   const assay_options *opt, assay_result *out, apo_error *err)
{
    line_job j = {.in = in, .pool = pool, .tf = {&out->annexin_scale, &out->pi_scale}, .opt = opt};
    assay_threshold *t[2] = {&out->annexin, &out->pi};
    threshold_reset(t[0]);
    threshold_reset(t[1]);
    assay_for_each_item(opt, "thresholds", 2, false, line_task, &j);
    apo_status st = APO_OK;
    for (int k = 0; k < 2 && st == APO_OK; k++) {
        if (j.st[k] != APO_OK) {
            if (err != NULL) { /* the caller may not want the message */
                *err = j.err[k];
            }
            st = j.st[k];
        }
    }
    if (st == APO_OK && opt->fixed_thresholds) {
        fixed_threshold(&pool[0], true, opt, j.tf[0], t[0]);
        fixed_threshold(&pool[1], false, opt, j.tf[1], t[1]);
    } else if (st == APO_OK) { /* the second line is checked against the first's final place */
        st = refine_line(&pool[0], true, assay_dead_dye_label(out), j.other[0], j.L[1].y,
                         &j.kde[0], &j.L[0], err);
        if (st == APO_OK) {
            st = refine_line(&pool[1], false, assay_dead_dye_label(out), j.other[1], j.L[0].y,
                             &j.kde[1], &j.L[1], err);
        }
        for (int k = 0; st == APO_OK && k < 2; k++) {
            threshold_from_line(in, &pool[k], j.tf[k], &j.L[k], t[k]);
        }
    }
    for (int k = 0; k < 2; k++) {
        assay_kde_free(&j.kde[k]);
        free(j.other[k]);
    }
    return st;
}



/* Flag the stained samples of a marker whose line lies in a population of the pooled stained
 * samples, or that show no separation at all. (A sample's own depth is reported, not
 * flagged: with a small positive population it is too noisy to judge by.) */
void assay_flag_lines(const assay_input *in, const assay_sample_state *c, size_t n,
                      assay_result *out)
{
    for (size_t i = 0; i < n; i++) {
        assay_sample *s = &out->samples[i];
        for (int k = 0; c[i].ok && k < 2; k++) {
            const assay_threshold *t = k == 0 ? &out->annexin : &out->pi;
            const char *mk = k == 0 ? "Annexin V" : "PI";
            if (!valley_role(in[i].role, k == 0)) {
                continue;
            }
            size_t len = strlen(s->qc_detail);
            if (t->no_separation) {
                s->qc |= ASSAY_QC_NO_SEPARATION;
                snprintf(s->qc_detail + len, sizeof s->qc_detail - len,
                         "%sno valley between the %s-negative and -positive populations",
                         len ? "; " : "", mk);
            } else if (t->in_population) {
                s->qc |= ASSAY_QC_THRESHOLD_IN_POPULATION;
                snprintf(s->qc_detail + len, sizeof s->qc_detail - len,
                         "%sthe %s line lies in a population of the stained samples (valley "
                         "depth %.2f)",
                         len ? "; " : "", mk, t->valley_depth);
            }
        }
    }
}

apo_status assay_scales_and_thresholds(const assay_input *in, assay_sample_state *c, size_t n,
                                       const gate_strategy *s, size_t parent_idx,
                                       const assay_options *opt, assay_result *out,
                                       apo_error *err)
{
    gate_dim raw[2] = {{out->annexin_channel, "comp", NULL, NULL},
                       {out->pi_channel, "comp", NULL, NULL}};
    marker_pool pool[2];
    apo_status st = marker_pool_init(&pool[0], in, c, n, true, opt->sample_events, err);
    if (st != APO_OK) {
        return st;
    }
    st = marker_pool_init(&pool[1], in, c, n, false, opt->sample_events, err);
    if (st != APO_OK) {
        marker_pool_free(&pool[0]);
        return st;
    }
    st = gather_pools(in, c, n, s, parent_idx, raw, opt, out, pool, err);
    if (st == APO_OK) {
        st = assay_some_sample_left(in, c, n, out, err);
    }
    if (st == APO_OK) {
        st = make_scale(&pool[0], &out->annexin_scale, out, err);
    }
    if (st == APO_OK) {
        st = make_scale(&pool[1], &out->pi_scale, out, err);
    }
    if (st == APO_OK) {
        st = place_thresholds(in, pool, opt, out, err);
    }
    marker_pool_free(&pool[0]);
    marker_pool_free(&pool[1]);
    return st;
}
