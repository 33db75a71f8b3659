// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * apoptosis.c: assay_analyze, the Annexin V / PI analysis of one experiment. It builds
 * one gate_strategy for all samples (debris and singlet pre-gates, the 2 x 2 compensation,
 * logicle scales, the AnnV x PI quadrant gate with thresholds from the controls), or takes a
 * given one, applies it to every sample and collects the quadrant statistics and QC flags
 * (the scales and lines are apoptosis_scales.c, the statistics step apoptosis_stats.c).
 */
#include "density.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const quad_ids[ASSAY_Q_COUNT] = {"viable", "early_apoptotic",
                                                   "late_apoptotic", "necrotic"};

const char *assay_quadrant_name(int q)
{
    return q >= 0 && q < ASSAY_Q_COUNT ? quad_ids[q] : "";
}

void assay_options_init(assay_options *o)
{
    memset(o, 0, sizeof *o);
    o->comp = ASSAY_COMPSRC_AUTO;
    o->quantile = 0.995;
    o->min_events = 500;
    o->sample_events = GATE_SAMPLE_EVENTS_DEFAULT;
}

void assay_qc_flags_format(unsigned flags, char *buf, size_t cap)
{
    static const char *const names[] = {"low_events",      "control_implausible",
                                        "threshold_outlier", "flow_instability",
                                        "no_singlet_gate", "no_time_channel", "failed",
                                        "threshold_in_population", "no_separation",
                                        "singlet_gate_removed_many", "debris_gate_outlier",
                                        "debris_in_cells"};
    size_t len = 0;
    if (cap == 0) {
        return;
    }
    buf[0] = '\0';
    for (unsigned b = 0; b < sizeof names / sizeof names[0]; b++) {
        if (flags & (1u << b)) {
            int w = snprintf(buf + len, cap - len, "%s%s", len ? ";" : "", names[b]);
            if (w < 0 || (size_t)w >= cap - len) {
                return;
            }
            len += (size_t)w;
        }
    }
}

void apo_result_warn(assay_result *r, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char **w = realloc(r->warnings, (r->n_warnings + 1) * sizeof *w);
    if (w == NULL) {
        return;
    }
    r->warnings = w;
    size_t n = strlen(buf) + 1;
    char *c = malloc(n);
    if (c == NULL) {
        return;
    }
    memcpy(c, buf, n);
    w[r->n_warnings++] = c;
}

const char *assay_dead_dye_label(const assay_result *r)
{
    return r->dead_dye[0] != '\0' ? r->dead_dye : "PI";
}

void assay_result_free(assay_result *r)
{
    if (r == NULL) {
        return;
    }
    free(r->samples);
    if (r->owns_strategy) {
        gate_strategy_free(r->strategy);
    }
    free(r->comparisons);
    free(r->fits);
    for (size_t i = 0; i < r->n_warnings; i++) {
        free(r->warnings[i]);
    }
    free(r->warnings);
    memset(r, 0, sizeof *r);
}

/*
 * Memory: a sample is never held whole. Each step below loads the sample's estimation
 * subsample (every step-th event, at most options.sample_events; every event for files within
 * that size), reduces it to a few numbers and frees it before the next sample; exact counts
 * stream every event through the final gating one block at a time (gate.h, GATE_BLOCK_EVENTS).
 * The subsamples of the first files larger than their subsample, up to APO_HELD_BYTES in
 * all, are kept from the pre-gate step (the first to load them) to the statistics step instead
 * of being decoded again by each step: the same values, read once.
 */
#define APO_HELD_BYTES ((size_t)192 << 20)

void assay_loaded_free(assay_loaded *l)
{
    if (l->data_ok) {
        gate_data_free(&l->data);
    }
    if (!l->borrowed) {
        fcs_events_free(&l->ev);
    }
    free(l->parent);
    memset(l, 0, sizeof *l);
}

/* The estimation subsample of @p in: the one @p ci holds (ci may be NULL), else decoded. */
apo_status assay_load(const assay_input *in, const assay_sample_state *ci, uint64_t max_events,
                      assay_loaded *l, apo_error *err)
{
    memset(l, 0, sizeof *l);
    apo_status st = APO_OK;
    if (ci != NULL && ci->held.values != NULL && ci->held_max == max_events) {
        l->ev = ci->held;
        l->step = ci->held_step;
        l->borrowed = true;
    } else {
        st = apo_input_sampled(in, max_events, &l->ev, &l->step, err);
    }
    if (st == APO_OK) {
        st = gate_data_init(&l->data, in->ds, &l->ev, err);
        l->data_ok = st == APO_OK;
    }
    if (st != APO_OK) {
        assay_loaded_free(l);
    }
    return st;
}

void assay_fail_sample(assay_sample *s, const char *msg)
{
    s->qc |= ASSAY_QC_FAILED;
    snprintf(s->error, sizeof s->error, "%s", msg);
}

/* Every @p step-th value of @p x (n of them) where @p mask (may be NULL) is set, into @p out;
 * returns how many. */
size_t assay_masked_step(const double *x, const uint8_t *mask, size_t n, size_t step,
                         double *out)
{
    size_t m = 0;
    for (size_t e = 0; e < n; e += step) {
        if (mask == NULL || mask[e]) {
            out[m++] = x[e];
        }
    }
    return m;
}

/* Every value of @p x where @p mask (may be NULL) is set (assay_masked_step, step 1). */
size_t assay_masked(const double *x, const uint8_t *mask, size_t n, double *out)
{
    return assay_masked_step(x, mask, n, 1, out);
}

double assay_median_of(double *v, size_t m)
{
    if (m == 0) {
        return NAN;
    }
    return gate_median(v, m); /* = gsl_stats_median (select.c); may reorder v */
}

int assay_first_ok(const assay_input *in, const assay_sample_state *c, size_t n, assay_role role)
{
    for (size_t i = 0; i < n; i++) {
        if (c[i].ok && in[i].role == role) {
            return (int)i;
        }
    }
    return -1;
}

/* Size of sample i's estimation subsample. */
size_t assay_sampled_size(const assay_input *in, uint64_t max_events)
{
    const uint64_t n = apo_input_n_events(in), step = fcs_sample_step(n, max_events);
    return (size_t)((n + step - 1) / step);
}

/* Run fn(ctx, i) for i in [0, n), on the caller's threads when it gave some: the samples, or
 * (when not @p samples) n other independent items. */
void assay_for_each_item(const assay_options *opt, const char *what, size_t n, bool samples,
                         void (*fn)(void *, size_t), void *job)
{
    if (opt->parallel != NULL) {
        opt->parallel(opt->parallel_ctx, what, n, samples, fn, job);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        fn(job, i);
    }
}

/* l->parent = the membership of @p parent_idx in @p res (every event when SIZE_MAX). */
apo_status assay_loaded_parent(assay_loaded *l, const gate_result *res, size_t parent_idx,
                               apo_error *err)
{
    size_t ne = l->data.n_events;
    free(l->parent);
    l->parent = malloc(ne ? ne : 1);
    if (l->parent == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    if (parent_idx == SIZE_MAX) {
        memset(l->parent, 1, ne);
    } else {
        memcpy(l->parent, gate_result_membership(res, parent_idx), ne);
    }
    return APO_OK;
}

/* Apply @p s to the loaded sample and fill l->parent with the membership of @p parent_idx;
 * with @p parent_only, only the parent and what it depends on are evaluated. */
static apo_status parent_mask_of(const gate_strategy *s, assay_loaded *l, size_t parent_idx,
                                 bool parent_only, gate_result *res, apo_error *err)
{
    apo_status st = parent_only && parent_idx != SIZE_MAX
                        ? gate_strategy_apply_to(s, &l->data, parent_idx, res, err)
                        : gate_strategy_apply(s, &l->data, res, err);
    if (st != APO_OK) {
        return st;
    }
    return assay_loaded_parent(l, res, parent_idx, err);
}

apo_status assay_parent_mask(const gate_strategy *s, assay_loaded *l, size_t parent_idx,
                             gate_result *res, apo_error *err)
{
    return parent_mask_of(s, l, parent_idx, false, res, err);
}

/* The singlet events of columns ca, cp of a loaded sample as a 2-column fcs_events. */
static apo_status singlet_pair(const assay_loaded *l, size_t ca, size_t cp, fcs_events *out,
                               apo_error *err)
{
    size_t n = (size_t)l->ev.n_events, m = 0;
    for (size_t e = 0; e < n; e++) {
        m += l->parent[e];
    }
    out->n_events = m;
    out->n_params = 2;
    out->values = malloc((m ? m : 1) * 2 * sizeof(double));
    if (out->values == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    const double *A = fcs_events_column(&l->ev, ca), *P = fcs_events_column(&l->ev, cp);
    size_t k = 0;
    for (size_t e = 0; e < n; e++) {
        if (l->parent[e]) {
            out->values[k] = A[e];
            out->values[m + k] = P[e];
            k++;
        }
    }
    return APO_OK;
}

/* The spillover from the unstained and single-stain controls u, a, p (pre-gated singlets). */
static apo_status comp_from_controls(const assay_input *in, const assay_sample_state *c, size_t ref,
                                     const int idx[3], const gate_strategy *s, size_t parent_idx,
                                     uint64_t max_events, const char *an, const char *pn,
                                     double S[4], char *detail, size_t cap, apo_error *err)
{
    fcs_events pair[3] = {{0}};
    apo_status st = APO_OK;
    for (int k = 0; k < 3 && st == APO_OK; k++) {
        assay_loaded l;
        st = assay_load(&in[idx[k]], &c[idx[k]], max_events, &l, err);
        if (st != APO_OK) {
            break;
        }
        gate_result res = {0};
        st = assay_parent_mask(s, &l, parent_idx, &res, err);
        gate_result_free(&res);
        if (st == APO_OK) {
            st = singlet_pair(&l, c[ref].ch.annexin, c[ref].ch.pi, &pair[k], err);
        }
        assay_loaded_free(&l);
    }
    if (st == APO_OK) {
        st = apo_comp_from_controls(&in[idx[0]], &pair[0], &in[idx[1]], &pair[1], &in[idx[2]],
                                    &pair[2], an, pn, S, detail, cap, err);
    }
    for (int k = 0; k < 3; k++) {
        fcs_events_free(&pair[k]);
    }
    return st;
}

void assay_set_threshold(assay_threshold *t, double v, assay_threshold_method method,
                         double percentile, const char *src)
{
    t->value = v;
    t->method = method;
    t->percentile = percentile;
    snprintf(t->source, sizeof t->source, "%s", src);
}

/* A pre-gate of the given gating: a population @p name ("Cells", "Singlets"), or one whose
 * last path component is @p name in any case (a gating read from a FlowJo workspace, whose
 * ids are FlowJo paths). */
static bool has_gate_named(const gate_strategy *s, const char *name)
{
    if (gate_strategy_find(s, name) != SIZE_MAX) {
        return true;
    }
    for (size_t g = 0; g < gate_strategy_n_gates(s); g++) {
        gate_info gi;
        gate_strategy_gate(s, g, &gi);
        const char *slash = strrchr(gi.id, '/');
        if (slash != NULL && strcasecmp(slash + 1, name) == 0) {
            return true;
        }
    }
    return false;
}


/* Find the quadrant populations of a strategy; SIZE_MAX entries when missing. */
static apo_status find_quadrants(const gate_strategy *s, size_t q_idx[ASSAY_Q_COUNT],
                                 size_t *parent_idx, gate_dim dims[2], apo_error *err)
{
    for (int q = 0; q < ASSAY_Q_COUNT; q++) {
        q_idx[q] = gate_strategy_find(s, quad_ids[q]);
        if (q_idx[q] == SIZE_MAX) {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, quad_ids[q],
                                 "expected a quadrant with id \"%s\" in the gating (viable, "
                                 "early_apoptotic, late_apoptotic, necrotic), found none",
                                 quad_ids[q]);
        }
    }
    gate_info info;
    gate_strategy_gate(s, q_idx[ASSAY_Q_EARLY], &info);
    if (info.kind != GATE_QUADRANT || info.n_dims != 2) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, quad_ids[1],
                             "expected \"early_apoptotic\" to be a quadrant on 2 dimensions");
    }
    dims[0] = info.dims[0];
    dims[1] = info.dims[1];
    *parent_idx = gate_strategy_parent(s, q_idx[ASSAY_Q_VIABLE]);
    return APO_OK;
}

/* Read a threshold back from a quadrant's bounds (dimension k, "+" side minimum). */
static void threshold_from_strategy(const gate_strategy *s, size_t early, size_t late, int k,
                                    assay_threshold *t)
{
    gate_info info;
    gate_strategy_gate(s, k == 0 ? early : late, &info);
    double y = info.min[k];
    t->scaled = y;
    const gate_transform *tf =
        info.dims[k].transform_ref ? gate_strategy_transform(s, info.dims[k].transform_ref) : NULL;
    t->value = tf ? gate_transform_inverse(tf, y) : y;
}

/* APO_OK while some sample can still be analysed; else the first failed sample's reason (its
 * data could not be read or gated), so that it is not hidden behind a later, vaguer error. */
apo_status assay_some_sample_left(const assay_input *in, const assay_sample_state *c, size_t n,
                                  const assay_result *out, apo_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (c[i].ok) {
            return APO_OK;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (out->samples[i].qc & ASSAY_QC_FAILED) {
            return apo_error_set(err, APO_E_FORMAT, NULL, APO_NO_OFFSET, NULL,
                                 "expected at least one sample that can be analysed, found "
                                 "none: %s: %s",
                                 in[i].sample, out->samples[i].error);
        }
    }
    return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                         "expected at least one sample, found none");
}

/* The state of one analysis, shared by its steps. */
typedef struct analysis {
    const assay_input *in;
    size_t n;
    const assay_options *opt;
    assay_result *out;
    assay_sample_state *c;
    size_t ref;                    /* the first sample with both channels */
    gate_strategy *s;              /* the strategy being built (owned by out) */
    const char *parent_id;         /* the quadrants' parent gate */
    size_t q_idx[ASSAY_Q_COUNT], parent_idx;
    gate_dim dims[2];
} analysis;

/* 1. channels: each sample's, checked against the first usable one. */
static bool sample_channels(analysis *a, size_t i, int ref)
{
    const assay_input *in = a->in;
    assay_sample *s = &a->out->samples[i];
    assay_sample_state *c = a->c;
    apo_error e2;
    if (in[i].ds == NULL) {
        assay_fail_sample(s, "no events");
        return false;
    }
    if (assay_find_channels(in[i].ds, a->opt->annexin_channel, a->opt->pi_channel, &c[i].ch,
                            &e2) != APO_OK) {
        assay_fail_sample(s, e2.msg);
        return false;
    }
    snprintf(s->annexin_name, sizeof s->annexin_name, "%s",
             fcs_dataset_param(in[i].ds, c[i].ch.annexin)->name);
    snprintf(s->pi_name, sizeof s->pi_name, "%s", fcs_dataset_param(in[i].ds, c[i].ch.pi)->name);
    const assay_sample *r = ref >= 0 ? &a->out->samples[ref] : NULL;
    if (r != NULL &&
        (strcmp(s->annexin_name, r->annexin_name) != 0 || strcmp(s->pi_name, r->pi_name) != 0)) {
        char msg[400];
        snprintf(msg, sizeof msg,
                 "expected the channels of the first sample (%.40s, %.40s), found %.40s, %.40s: "
                 "analyse different instruments separately",
                 r->annexin_name, r->pi_name, s->annexin_name, s->pi_name);
        assay_fail_sample(s, msg);
        return false;
    }
    /* the names and the file's matrix, checked before any event is read */
    double none = 0;
    fcs_events empty = {0, fcs_dataset_n_params(in[i].ds), &none};
    gate_data d;
    if (gate_data_init(&d, in[i].ds, &empty, &e2) != APO_OK) {
        assay_fail_sample(s, e2.msg);
        return false;
    }
    gate_data_free(&d);
    return true;
}

static apo_status find_all_channels(analysis *a, apo_error *err)
{
    assay_result *out = a->out;
    int ref = -1;
    for (size_t i = 0; i < a->n; i++) {
        a->c[i].ok = sample_channels(a, i, ref);
        if (a->c[i].ok && ref < 0) {
            ref = (int)i;
        }
    }
    if (ref < 0) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected at least one sample with Annexin V and PI channels, found "
                             "none%s%s",
                             a->n ? ": " : "", a->n ? out->samples[0].error : "");
    }
    a->ref = (size_t)ref;
    snprintf(out->annexin_channel, sizeof out->annexin_channel, "%s",
             out->samples[ref].annexin_name);
    snprintf(out->pi_channel, sizeof out->pi_channel, "%s", out->samples[ref].pi_name);
    snprintf(out->annexin_why, sizeof out->annexin_why, "%s", a->c[ref].ch.annexin_why);
    snprintf(out->pi_why, sizeof out->pi_why, "%s", a->c[ref].ch.pi_why);
    snprintf(out->dead_dye, sizeof out->dead_dye, "%s", a->c[ref].ch.dead_dye);
    snprintf(out->annexin_fluor, sizeof out->annexin_fluor, "%s", a->c[ref].ch.annexin_fluor);
    return APO_OK;
}

/* 2'. a given gating: used as it is; its thresholds and scales reported. */
static apo_status use_given_gating(analysis *a, apo_error *err)
{
    const gate_strategy *g = a->opt->gating;
    assay_result *out = a->out;
    out->strategy = (gate_strategy *)g;
    out->owns_strategy = false;
    apo_status st = find_quadrants(g, a->q_idx, &a->parent_idx, a->dims, err);
    if (st != APO_OK) {
        return st;
    }
    out->comp_source = ASSAY_COMPSRC_GATING_FILE;
    snprintf(out->comp_detail, sizeof out->comp_detail, "as in the Gating-ML file (%s)",
             a->dims[0].comp_ref ? a->dims[0].comp_ref : "uncompensated");
    snprintf(out->pregate_detail, sizeof out->pregate_detail, "from the Gating-ML file");
    /* the spillover the file applies (NaN when it holds none for these two channels) */
    const char *ref = a->dims[0].comp_ref;
    const char *an = out->annexin_channel, *pn = out->pi_channel;
    out->spill[0] = out->spill[3] = 1;
    out->spill[1] = gate_strategy_spill_value(g, ref, an, pn);
    out->spill[2] = gate_strategy_spill_value(g, ref, pn, an);
    threshold_from_strategy(g, a->q_idx[ASSAY_Q_EARLY], a->q_idx[ASSAY_Q_NECROTIC], 0,
                            &out->annexin);
    threshold_from_strategy(g, a->q_idx[ASSAY_Q_EARLY], a->q_idx[ASSAY_Q_NECROTIC], 1, &out->pi);
    assay_set_threshold(&out->annexin, out->annexin.value, ASSAY_THRESHOLD_GATING_FILE, NAN,
                        "--gating");
    assay_set_threshold(&out->pi, out->pi.value, ASSAY_THRESHOLD_GATING_FILE, NAN, "--gating");
    out->annexin.valley_depth = out->pi.valley_depth = NAN;
    out->annexin.half_depth[0] = out->annexin.half_depth[1] = NAN;
    out->pi.half_depth[0] = out->pi.half_depth[1] = NAN;
    out->annexin.control_scaled = out->pi.control_scaled = NAN;
    snprintf(out->annexin.reason, sizeof out->annexin.reason, "read from --gating");
    snprintf(out->pi.reason, sizeof out->pi.reason, "read from --gating");
    out->debris_choice = ASSAY_PREGATE_CHOICE_FROM_GATING;
    out->singlet_choice = ASSAY_PREGATE_CHOICE_FROM_GATING;
    out->debris_gate = has_gate_named(g, "Cells");
    out->singlet_gate = has_gate_named(g, "Singlets");
    out->annexin.realized_pct = out->pi.realized_pct = NAN;
    gate_transform *scales[2] = {&out->annexin_scale, &out->pi_scale};
    for (int k = 0; k < 2; k++) {
        const gate_transform *t =
            a->dims[k].transform_ref ? gate_strategy_transform(g, a->dims[k].transform_ref) : NULL;
        if (t) {
            *scales[k] = *t;
        } else {
            gate_transform_init_linear(scales[k]);
        }
    }
    return APO_OK;
}

/* 2. pre-gates: debris and doublet gates from the estimates of every sample. */
static apo_status add_pregates(analysis *a, apo_error *err)
{
    apo_status st = assay_pregates(a->in, a->c, a->n, a->ref, a->opt, a->s, a->out,
                                   &a->parent_id, err);
    a->parent_idx = a->parent_id ? gate_strategy_find(a->s, a->parent_id) : SIZE_MAX;
    return st;
}

/* 3. which spillover: a given matrix, none, the single-stain controls, the file's keyword,
 * else none (warned). Fills S and out->comp_source/detail. */
static apo_status choose_spillover(analysis *a, double S[4], apo_error *err)
{
    assay_result *out = a->out;
    const char *an = out->annexin_channel, *pn = out->pi_channel;
    const assay_comp_source src = a->opt->comp;
    if (src == ASSAY_COMPSRC_MATRIX) {
        if (!apo_comp_from_matrix(a->opt->matrix, an, pn, S, out->comp_detail,
                                  sizeof out->comp_detail)) {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "--comp",
                                 "expected the matrix to name the detectors %s and %s, found "
                                 "other names",
                                 an, pn);
        }
        out->comp_source = ASSAY_COMPSRC_MATRIX;
        return APO_OK;
    }
    if (src == ASSAY_COMPSRC_NONE) {
        out->comp_source = ASSAY_COMPSRC_NONE;
        snprintf(out->comp_detail, sizeof out->comp_detail, "--comp none");
        return APO_OK;
    }
    if (src == ASSAY_COMPSRC_AUTO || src == ASSAY_COMPSRC_CONTROLS) {
        int u = assay_first_ok(a->in, a->c, a->n, ASSAY_ROLE_UNSTAINED);
        int an_i = assay_first_ok(a->in, a->c, a->n, ASSAY_ROLE_ANNEXIN_SINGLE);
        int p = assay_first_ok(a->in, a->c, a->n, ASSAY_ROLE_PI_SINGLE);
        if (u >= 0 && an_i >= 0 && p >= 0) {
            apo_error e2;
            const int idx[3] = {u, an_i, p};
            if (comp_from_controls(a->in, a->c, a->ref, idx, a->s, a->parent_idx,
                                   a->opt->sample_events, an, pn, S, out->comp_detail,
                                   sizeof out->comp_detail, &e2) == APO_OK) {
                out->comp_source = ASSAY_COMPSRC_CONTROLS;
                return APO_OK;
            }
            apo_result_warn(out, "spillover from the controls failed: %s", e2.msg);
        } else if (src == ASSAY_COMPSRC_CONTROLS) {
            apo_result_warn(out, "the sheet lacks an unstained, annexin_single or pi_single "
                                 "control: cannot compute the spillover from controls");
        }
    }
    if (apo_comp_from_file(a->in[a->ref].ds, an, pn, S, out->comp_detail,
                           sizeof out->comp_detail)) {
        out->comp_source = ASSAY_COMPSRC_FILE;
        return APO_OK;
    }
    out->comp_source = ASSAY_COMPSRC_NONE;
    snprintf(out->comp_detail, sizeof out->comp_detail,
             "no controls and no spillover keyword for %.40s/%.40s", an, pn);
    apo_result_warn(out, "data are not compensated: %s", out->comp_detail);
    return APO_OK;
}

/* 3. the spillover into the strategy: a file's or given matrix whole (other dyes may spill
 * into the PI detector in multicolour panels), a matrix from the controls as the 2 x 2; an
 * ill-conditioned one is warned about (compensated values would be fragile). */
static apo_status add_spillover(analysis *a, const double S[4], apo_error *err)
{
    assay_result *out = a->out;
    const char *names[2] = {out->annexin_channel, out->pi_channel};
    size_t full_n = 0;
    char *const *full_names = NULL;
    const double *full_values = NULL;
    if (out->comp_source == ASSAY_COMPSRC_FILE) {
        const fcs_spillover *sp = fcs_dataset_spillover(a->in[a->ref].ds);
        full_n = sp->n;
        full_names = sp->names;
        full_values = sp->values;
    } else if (out->comp_source == ASSAY_COMPSRC_MATRIX) {
        full_n = a->opt->matrix->n;
        full_names = a->opt->matrix->detectors;
        full_values = a->opt->matrix->spill;
    }
    const bool whole = full_n > 2;
    const size_t m = whole ? full_n : 2;
    const char *const *mn = whole ? (const char *const *)full_names : names;
    const double *mv = whole ? full_values : S;
    if (out->comp_source != ASSAY_COMPSRC_NONE) {
        gate_comp *chk = NULL;
        apo_error e3;
        if (gate_comp_new(&chk, m, mn, NULL, mv, &e3) == APO_OK && chk->ill_conditioned) {
            apo_result_warn(out,
                            "the spillover matrix (%s) is ill-conditioned: condition number "
                            "%.3g, largest off-diagonal %.3g; compensated values are "
                            "sensitive to small errors in it",
                            assay_comp_source_name(out->comp_source), chk->cond2,
                            chk->max_offdiag);
        }
        gate_comp_free(chk);
    }
    return gate_strategy_add_spillover(a->s, "comp", m, mn, m, mn, mv, false, err);
}


/* 4. the quadrant gates on the logicle scales, at the thresholds as a re-read gating.xml
 * gives them. */
static apo_status add_quadrants(analysis *a, apo_error *err)
{
    assay_result *out = a->out;
    out->annexin.scaled = gate_transform_apply(&out->annexin_scale, out->annexin.value);
    out->pi.scaled = gate_transform_apply(&out->pi_scale, out->pi.value);
    out->annexin.value = gate_transform_inverse(&out->annexin_scale, out->annexin.scaled);
    out->pi.value = gate_transform_inverse(&out->pi_scale, out->pi.scaled);
    apo_status st = gate_strategy_add_transform(a->s, "annexin_logicle", &out->annexin_scale, err);
    if (st == APO_OK) {
        st = gate_strategy_add_transform(a->s, "pi_logicle", &out->pi_scale, err);
    }
    gate_dim qd[2] = {{out->annexin_channel, "comp", "annexin_logicle", NULL},
                      {out->pi_channel, "comp", "pi_logicle", NULL}};
    if (st == APO_OK) {
        st = gate_strategy_add_quadrants_2d(a->s, "AnnV_PI", a->parent_id, qd,
                                            out->annexin.scaled, out->pi.scaled, quad_ids, err);
    }
    if (st == APO_OK) {
        st = find_quadrants(a->s, a->q_idx, &a->parent_idx, a->dims, err);
    }
    return st;
}

/* 2-4: the automatic gating: pre-gates, compensation, scales, thresholds, quadrants. */
static apo_status build_gating(analysis *a, apo_error *err)
{
    apo_status st = gate_strategy_new(&a->s, err);
    if (st != APO_OK) {
        return st;
    }
    a->out->strategy = a->s;
    a->out->owns_strategy = true;
    double S[4] = {1, 0, 0, 1};
    st = add_pregates(a, err);
    if (st == APO_OK) {
        assay_check_stain_channels(a->in, a->c, a->n, a->ref, a->s, a->parent_idx,
                                   a->opt->sample_events, a->out);
        st = choose_spillover(a, S, err);
    }
    if (st == APO_OK) {
        memcpy(a->out->spill, S, sizeof S);
        st = add_spillover(a, S, err);
    }
    if (st == APO_OK) {
        st = assay_scales_and_thresholds(a->in, a->c, a->n, a->s, a->parent_idx, a->opt,
                                         a->out, err);
    }
    return st == APO_OK ? add_quadrants(a, err) : st;
}

/* 5. statistics and QC per sample (on the caller's threads, one sample each). */
static apo_status sample_statistics(analysis *a, apo_error *err)
{
    assay_stats_job sj = {a->in, a->c, a->opt, a->out, a->q_idx, a->parent_idx, a->dims,
                    has_gate_named(a->out->strategy, "Singlets")};
    assay_for_each_item(a->opt, "statistics", a->n, true, assay_stats_task, &sj);
    size_t n_ok = 0;
    for (size_t i = 0; i < a->n; i++) {
        n_ok += a->c[i].ok;
    }
    if (n_ok == 0) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected at least one sample the gating applies to, found none: %s",
                             a->out->samples[a->ref].error);
    }
    return APO_OK;
}

/* Which samples keep their subsample across the steps: those larger than their subsample
 * (whose read costs a pass over a large file; a file within the limit is read whole and
 * quickly, and a plate of them keeps its memory), the first ones in sample order whose
 * subsamples fit in APO_HELD_BYTES together (the same choice for any number of threads). */
static void plan_held(analysis *a)
{
    size_t left = APO_HELD_BYTES;
    for (size_t i = 0; i < a->n; i++) {
        const size_t np = a->in[i].ds != NULL ? fcs_dataset_n_params(a->in[i].ds) : 0;
        const size_t ne = a->c[i].ok ? assay_sampled_size(&a->in[i], a->opt->sample_events) : 0;
        const bool large = a->c[i].ok && ne < apo_input_n_events(&a->in[i]);
        size_t bytes = 0;
        a->c[i].hold = large && apo_mul_size(ne, np * sizeof(double), &bytes) && bytes <= left;
        if (a->c[i].hold) {
            left -= bytes;
        }
    }
}

/* QC: a sample's own AnnV valley far from the others' (logicle scale) is a threshold
 * outlier; the valleys are then reported in data units. */
static void flag_threshold_outliers(const assay_sample_state *c, size_t n, assay_result *out)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    size_t m = 0;
    for (size_t i = 0; v != NULL && i < n; i++) {
        if (c[i].ok && isfinite(out->samples[i].annexin_valley)) {
            v[m++] = out->samples[i].annexin_valley;
        }
    }
    double med = v != NULL && m >= 3 ? assay_median_of(v, m) : NAN;
    for (size_t i = 0; isfinite(med) && i < n; i++) {
        assay_sample *s = &out->samples[i];
        double y = s->annexin_valley;
        if (c[i].ok && isfinite(y) && fabs(y - med) > 0.1) {
            s->qc |= ASSAY_QC_THRESHOLD_OUTLIER;
            size_t len = strlen(s->qc_detail);
            snprintf(s->qc_detail + len, sizeof s->qc_detail - len,
                     "%sown AnnV valley %.3f vs median %.3f (logicle scale)", len ? "; " : "", y,
                     med);
        }
    }
    free(v);
    for (size_t i = 0; i < n; i++) {
        double y = out->samples[i].annexin_valley;
        out->samples[i].annexin_valley =
            isfinite(y) ? gate_transform_inverse(&out->annexin_scale, y) : NAN;
    }
}

apo_status assay_analyze(const assay_input *in, size_t n, const assay_options *opt,
                         assay_result *out, apo_error *err)
{
    memset(out, 0, sizeof *out);
    const size_t m = n ? n : 1;
    analysis a = {.in = in, .n = n, .opt = opt, .out = out, .parent_idx = SIZE_MAX};
    out->samples = calloc(m, sizeof *out->samples);
    a.c = calloc(m, sizeof *a.c);
    apo_status st = APO_OK;
    if (out->samples == NULL || a.c == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    out->n_samples = n;
    for (size_t i = 0; st == APO_OK && i < n; i++) {
        out->samples[i].annexin_depth = out->samples[i].pi_depth = NAN;
        out->samples[i].debris_threshold = out->samples[i].debris_leak = NAN;
    }
    if (st == APO_OK) {
        st = find_all_channels(&a, err);
    }
    if (st == APO_OK) {
        plan_held(&a);
        st = opt->gating != NULL ? use_given_gating(&a, err) : build_gating(&a, err);
    }
    if (st == APO_OK) {
        st = sample_statistics(&a, err);
    }
    if (st == APO_OK) {
        assay_flag_lines(in, a.c, n, out);
        flag_threshold_outliers(a.c, n, out);
        st = assay_compare(in, n, out, err);
    }
    for (size_t i = 0; a.c != NULL && i < n; i++) {
        fcs_events_free(&a.c[i].held);
    }
    free(a.c);
    if (st != APO_OK) {
        assay_result_free(out);
    }
    return st;
}

apo_status assay_sample_events(const assay_result *r, const assay_input *in,
                                  uint64_t max_events, fcs_events *ev, uint8_t **singlet,
                                  uint8_t **quadrant, double **annexin, double **pi,
                                  apo_error *err)
{
    *singlet = NULL;
    if (quadrant != NULL) {
        *quadrant = NULL;
    }
    *annexin = *pi = NULL;
    memset(ev, 0, sizeof *ev);
    size_t q_idx[ASSAY_Q_COUNT], parent_idx;
    gate_dim dims[2];
    apo_status st = find_quadrants(r->strategy, q_idx, &parent_idx, dims, err);
    if (st != APO_OK) {
        return st;
    }
    assay_loaded l;
    st = assay_load(in, NULL, max_events, &l, err);
    if (st != APO_OK) {
        return st;
    }
    gate_result res = {0};
    st = parent_mask_of(r->strategy, &l, parent_idx, quadrant == NULL, &res, err);
    size_t ne = l.data.n_events;
    uint8_t *quad = NULL;
    if (st == APO_OK) {
        quad = quadrant != NULL ? malloc(ne ? ne : 1) : NULL;
        *annexin = malloc((ne ? ne : 1) * sizeof(double));
        *pi = malloc((ne ? ne : 1) * sizeof(double));
        if ((quadrant != NULL && quad == NULL) || *annexin == NULL || *pi == NULL) {
            st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
        }
    }
    if (st == APO_OK) {
        st = gate_dim_values(r->strategy, &l.data, &dims[0], false, *annexin, err);
    }
    if (st == APO_OK) {
        st = gate_dim_values(r->strategy, &l.data, &dims[1], false, *pi, err);
    }
    if (st == APO_OK) {
        for (int q = 0; quad != NULL && q < ASSAY_Q_COUNT; q++) {
            const uint8_t *m = gate_result_membership(&res, q_idx[q]);
            if (q == 0) {
                memset(quad, 255, ne);
            }
            for (size_t e = 0; e < ne; e++) {
                if (m[e]) {
                    quad[e] = (uint8_t)q;
                }
            }
        }
        if (quadrant != NULL) {
            *quadrant = quad;
        }
        *singlet = l.parent;
        l.parent = NULL;
        *ev = l.ev;
        l.ev = (fcs_events){0, 0, NULL};
    } else {
        free(quad);
        free(*annexin);
        free(*pi);
        *annexin = *pi = NULL;
    }
    gate_result_free(&res);
    assay_loaded_free(&l);
    return st;
}
