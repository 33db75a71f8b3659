/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_apoptosis_analyze.c: assay_analyze on small experiments simulated in the test:
 * an instrument with FSC-A and FSC-W (no FSC-H) gets a width singlet gate that removes the
 * doublets; quadrant percentages match the simulated classes; a tiny sample is flagged
 * low_events; a sample without the stain channels fails alone; fixed thresholds are used as
 * given; comparisons and their tests follow the replicate counts.
 */
#include "assay/assay.h"
#include "support/fcs_builder.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void setup(void)
{
    gsl_set_error_handler_off();
}

TestSuite(assay_apoptosis_analyze, .init = setup);

enum { NP = 6 };
static const char *const names[NP] = {"FSC-A", "FSC-W", "SSC-A", "FITC-A", "PI-A", "Time"};

typedef struct sim {
    uint8_t *bytes;
    fcs_file *f;
    fcs_events ev;
    size_t true_count[5]; /* viable, early, late, necrotic, doublet */
} sim;

/* n events: apoptotic fraction a (half early, half late), 4 % necrotic, 5 % doublets. */
static void simulate(sim *s, gsl_rng *r, size_t n, double a, bool ann, bool pi,
                     const char *const *pnames)
{
    memset(s, 0, sizeof *s);
    double *rows = malloc(n * NP * sizeof *rows);
    for (size_t e = 0; e < n; e++) {
        double u = gsl_rng_uniform(r);
        int cls = u < 0.05 ? 4 : u < 0.05 + a / 2 ? 1 : u < 0.05 + a ? 2 : u < 0.09 + a ? 3 : 0;
        s->true_count[cls]++;
        double fsc = 60000 + gsl_ran_gaussian(r, 6000), w = 70 + gsl_ran_gaussian(r, 2.5);
        if (cls == 4) {
            fsc *= 2;
            w *= 1.8;
        }
        double annv = 100 + gsl_ran_gaussian(r, 30), piv = 80 + gsl_ran_gaussian(r, 30);
        if (ann && (cls == 1 || cls == 2)) {
            annv += gsl_ran_lognormal(r, log(6000), 0.4);
        }
        if (pi && (cls == 2 || cls == 3)) {
            piv += gsl_ran_lognormal(r, log(9000), 0.4);
        }
        double *row = rows + e * NP;
        row[0] = fsc;
        row[1] = w;
        row[2] = gsl_ran_lognormal(r, log(30000), 0.2);
        row[3] = annv;
        row[4] = piv;
        row[5] = (double)e;
    }
    fcs_builder *b = fcs_builder_new("FCS3.1");
    for (int p = 0; p < NP; p++) {
        fcs_builder_param(b, pnames[p], 32, 262144);
    }
    fcs_builder_set_datatype(b, 'F');
    fcs_builder_set_events(b, n, rows);
    size_t len;
    s->bytes = fcs_builder_build(b, &len);
    fcs_builder_free(b);
    free(rows);
    fcs_read_options ro = FCS_READ_OPTIONS_INIT;
    apo_error err;
    cr_assert_eq(fcs_file_open_buffer(&s->f, s->bytes, len, "sim", &ro, &err), APO_OK, "%s",
                 err.msg);
    fcs_decode_options dec = FCS_DECODE_OPTIONS_INIT;
    dec.values = FCS_VALUES_SCALED;
    cr_assert_eq(fcs_dataset_read_events(fcs_file_dataset(s->f, 0), &dec, &s->ev, &err), APO_OK);
}

static void sim_free(sim *s)
{
    fcs_events_free(&s->ev);
    fcs_file_free(s->f);
    free(s->bytes);
}

static assay_input input(const sim *s, const char *name, assay_role role, const char *dose)
{
    assay_input in = {0};
    in.sample = name;
    in.file = name;
    in.role = role;
    in.treatment = role == ASSAY_ROLE_TREATED ? "X" : "";
    in.dose_text = dose;
    in.dose = NAN;
    if (dose[0]) {
        cr_assert(apo_parse_double(dose, strlen(dose), false, &in.dose));
    }
    in.dose_unit = dose[0] ? "uM" : "";
    in.ds = fcs_file_dataset(s->f, 0);
    in.ev = &s->ev;
    return in;
}

Test(assay_apoptosis_analyze, width_singlets_controls_and_comparisons)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11);
    enum { NS = 9 };
    sim s[NS];
    simulate(&s[0], r, 6000, 0.0, false, false, names);  /* unstained */
    simulate(&s[1], r, 6000, 0.4, true, false, names);   /* AnnV only */
    simulate(&s[2], r, 6000, 0.4, false, true, names);   /* PI only */
    simulate(&s[3], r, 6000, 0.40, true, true, names);   /* stimulus x2 */
    simulate(&s[4], r, 6000, 0.40, true, true, names);
    simulate(&s[5], r, 6000, 0.20, true, true, names);   /* treated x2 */
    simulate(&s[6], r, 6000, 0.20, true, true, names);
    simulate(&s[7], r, 120, 0.20, true, true, names);    /* tiny: low_events */
    static const char *const other[NP] = {"FSC-A", "FSC-W", "SSC-A", "APC-A", "BV421-A", "Time"};
    simulate(&s[8], r, 2000, 0.2, true, true, other);    /* no stain channels */
    assay_input in[NS] = {
        input(&s[0], "unst", ASSAY_ROLE_UNSTAINED, ""),
        input(&s[1], "ann", ASSAY_ROLE_ANNEXIN_SINGLE, ""),
        input(&s[2], "pi", ASSAY_ROLE_PI_SINGLE, ""),
        input(&s[3], "stim1", ASSAY_ROLE_STIMULUS, ""),
        input(&s[4], "stim2", ASSAY_ROLE_STIMULUS, ""),
        input(&s[5], "trt1", ASSAY_ROLE_TREATED, "10"),
        input(&s[6], "trt2", ASSAY_ROLE_TREATED, "10"),
        input(&s[7], "tiny", ASSAY_ROLE_TREATED, "20"),
        input(&s[8], "other", ASSAY_ROLE_TREATED, "10"),
    };
    assay_options o;
    assay_options_init(&o);
    assay_result res;
    apo_error err;
    cr_assert_eq(assay_analyze(in, NS, &o, &res, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(res.comp_source, ASSAY_COMPSRC_CONTROLS);
    cr_assert_str_eq(res.annexin_channel, "FITC-A");
    cr_assert_str_eq(res.pi_channel, "PI-A");
    cr_assert(strstr(res.pregate_detail, "FSC-W") != NULL, "%s", res.pregate_detail);
    /* each line starts from the other single stain (the stained samples' clear gap may then
     * win, the reason says so) */
    cr_assert(strstr(res.annexin.reason, "percentile of pi") != NULL, "%s", res.annexin.reason);
    cr_assert(strstr(res.pi.reason, "percentile of ann") != NULL, "%s", res.pi.reason);
    cr_assert(isfinite(res.annexin.control_scaled) && isfinite(res.pi.control_scaled));
    for (int i = 3; i <= 6; i++) {
        const assay_sample *x = &res.samples[i];
        double cells = (double)(s[i].true_count[0] + s[i].true_count[1] + s[i].true_count[2] +
                                s[i].true_count[3]);
        /* the doublets (5 %) are gone, nearly nothing else */
        cr_assert(fabs((double)x->singlets - cells) < 0.01 * cells, "%s: %llu singlets vs %g",
                  in[i].sample, (unsigned long long)x->singlets, cells);
        for (int q = 0; q < 4; q++) {
            double want = 100.0 * (double)s[i].true_count[q] / cells;
            cr_assert(fabs(x->pct[q] - want) < 1.0, "%s q%d: %.2f vs %.2f", in[i].sample, q,
                      x->pct[q], want);
        }
        cr_assert_eq(x->qc & (ASSAY_QC_NO_SINGLET_GATE | ASSAY_QC_FAILED | ASSAY_QC_LOW_EVENTS), 0);
        cr_assert_float_eq(x->pct[0] + x->pct[1] + x->pct[2] + x->pct[3], 100.0, 1e-9);
    }
    cr_assert(res.samples[7].qc & ASSAY_QC_LOW_EVENTS);
    cr_assert(res.samples[8].qc & ASSAY_QC_FAILED);
    cr_assert(strstr(res.samples[8].error, "Annexin") != NULL || strstr(res.samples[8].error, "FITC"),
              "%s", res.samples[8].error);
    /* comparisons: dose 10 has 2 replicates (Welch, Dunnett), dose 20 one sample (intervals) */
    cr_assert_eq(res.n_comparisons, 2);
    cr_assert_str_eq(res.comparisons[0].dose_text, "10");
    cr_assert_eq(res.comparisons[0].test, ASSAY_TEST_WELCH_T);
    cr_assert_eq(res.comparisons[0].n, 2);
    cr_assert(res.comparisons[0].reduction_relative_pct > 35 &&
              res.comparisons[0].reduction_relative_pct < 65,
              "%g", res.comparisons[0].reduction_relative_pct);
    cr_assert(isnan(res.comparisons[0].reduction_normalized_pct)); /* no untreated group */
    const assay_comparison *c0 = &res.comparisons[0], *c1 = &res.comparisons[1];
    cr_assert(c0->replicates);
    cr_assert_eq(c0->comparison, ASSAY_COMPARISON_TREATED_VS_STIMULUS);
    cr_assert_eq(c0->adjust_method, ASSAY_ADJUST_DUNNETT_SINGLE_STEP);
    cr_assert_eq(c0->df_adjusted, 2.0); /* 5 samples in 3 groups */
    cr_assert(c0->p_adjusted > 0 && c0->p_adjusted <= 1);
    cr_assert(isfinite(c0->anova_f) && c0->anova_df1 == 2.0 && c0->anova_df2 == 2.0);
    cr_assert(c0->difference_ci_low < c0->difference_pp && c0->difference_pp < c0->difference_ci_high);
    /* one sample: no p-value at all, the event intervals and the pseudo-replication note */
    cr_assert_eq(c1->test, ASSAY_TEST_NONE_NO_REPLICATES);
    cr_assert_not(c1->replicates);
    cr_assert(isnan(c1->p_value) && isnan(c1->p_adjusted) && isnan(c1->t));
    cr_assert_eq(c1->ci_method, ASSAY_CI_EVENTS_WILSON_WALD_LOG);
    cr_assert(c1->ci_low < c1->mean && c1->mean < c1->ci_high, "%g %g %g", c1->ci_low, c1->mean,
              c1->ci_high);
    cr_assert(c1->reduction_relative_ci_low < c1->reduction_relative_ci_high);
    cr_assert_not_null(strstr(c1->note, "pseudo-replicates"));
    cr_assert_eq(c1->events_apoptotic, res.samples[7].count[ASSAY_Q_EARLY] + res.samples[7].count[ASSAY_Q_LATE]);
    bool warned = false;
    for (size_t i = 0; i < res.n_warnings; i++) {
        warned = warned || (strstr(res.warnings[i], "1 comparison(s) without replicates") != NULL &&
                            assay_is_comparison_warning(res.warnings[i]));
    }
    cr_assert(warned, "no pseudo-replication warning");
    cr_assert_eq(res.n_fits, 0);
    double t_ann = res.annexin.value, t_pi = res.pi.value;
    assay_result_free(&res);

    /* the same with fixed thresholds: used as given */
    o.fixed_thresholds = true;
    o.annexin_threshold = 1000;
    o.pi_threshold = 2000;
    cr_assert_eq(assay_analyze(in, NS, &o, &res, &err), APO_OK, "%s", err.msg);
    cr_assert_float_eq(res.annexin.value, 1000, 1e-6);
    cr_assert_float_eq(res.pi.value, 2000, 1e-6);
    cr_assert_eq(res.annexin.method, ASSAY_THRESHOLD_FIXED);
    cr_assert(fabs(t_ann - 1000) > 1 && fabs(t_pi - 2000) > 1);
    assay_result_free(&res);
    assay_result_free(NULL);
    for (int i = 0; i < NS; i++) {
        sim_free(&s[i]);
    }
    gsl_rng_free(r);
}

/* Memory policy: inputs decoded block by block from their data sets (ev NULL) give exactly
 * the in-memory results; with a small estimation sample, counts still cover every event. */
Test(assay_apoptosis_analyze, streamed_inputs_and_bounded_estimation_sample)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 23);
    enum { NS = 7 };
    sim s[NS];
    simulate(&s[0], r, 6000, 0.0, false, false, names);
    simulate(&s[1], r, 6000, 0.4, true, false, names);
    simulate(&s[2], r, 6000, 0.4, false, true, names);
    simulate(&s[3], r, 70000, 0.40, true, true, names); /* more than one 64K block */
    simulate(&s[4], r, 6000, 0.40, true, true, names);
    simulate(&s[5], r, 6000, 0.20, true, true, names);
    simulate(&s[6], r, 6000, 0.20, true, true, names);
    assay_input in[NS] = {
        input(&s[0], "unst", ASSAY_ROLE_UNSTAINED, ""),
        input(&s[1], "ann", ASSAY_ROLE_ANNEXIN_SINGLE, ""),
        input(&s[2], "pi", ASSAY_ROLE_PI_SINGLE, ""),
        input(&s[3], "stim1", ASSAY_ROLE_STIMULUS, ""),
        input(&s[4], "stim2", ASSAY_ROLE_STIMULUS, ""),
        input(&s[5], "trt1", ASSAY_ROLE_TREATED, "10"),
        input(&s[6], "trt2", ASSAY_ROLE_TREATED, "10"),
    };
    assay_options o;
    assay_options_init(&o);
    cr_assert_eq(o.sample_events, GATE_SAMPLE_EVENTS_DEFAULT);
    apo_error err;
    assay_result mem, str, small;
    cr_assert_eq(assay_analyze(in, NS, &o, &mem, &err), APO_OK, "%s", err.msg);
    assay_input streamed[NS];
    for (int i = 0; i < NS; i++) {
        streamed[i] = in[i];
        streamed[i].ev = NULL;
    }
    cr_assert_eq(assay_analyze(streamed, NS, &o, &str, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(str.annexin.value, mem.annexin.value);
    cr_assert_eq(str.pi.value, mem.pi.value);
    for (int k = 0; k < 4; k++) {
        cr_assert_eq(str.spill[k], mem.spill[k]);
    }
    for (int i = 0; i < NS; i++) {
        const assay_sample *a = &mem.samples[i], *b = &str.samples[i];
        cr_assert_eq(a->events, b->events);
        cr_assert_eq(a->singlets, b->singlets);
        for (int q = 0; q < 4; q++) {
            cr_assert_eq(a->count[q], b->count[q], "%s q%d", in[i].sample, q);
            cr_assert(a->median_annexin[q] == b->median_annexin[q] ||
                      (isnan(a->median_annexin[q]) && isnan(b->median_annexin[q])));
        }
        cr_assert_eq(a->qc, b->qc);
    }

    /* estimates from every 7th event at most (1000 of 6000, 10000 of 70000) */
    o.sample_events = 1000;
    cr_assert_eq(assay_analyze(streamed, NS, &o, &small, &err), APO_OK, "%s", err.msg);
    for (int i = 0; i < NS; i++) {
        const assay_sample *x = &small.samples[i];
        cr_assert_eq(x->events, s[i].ev.n_events, "%s", in[i].sample);
        /* the counts are those of the final gating applied to every event */
        gate_data d;
        gate_result gr = {0};
        cr_assert_eq(gate_data_init(&d, in[i].ds, &s[i].ev, &err), APO_OK, "%s", err.msg);
        cr_assert_eq(gate_strategy_apply(small.strategy, &d, &gr, &err), APO_OK, "%s", err.msg);
        uint64_t sum = 0;
        for (int q = 0; q < 4; q++) {
            size_t g = gate_strategy_find(small.strategy, assay_quadrant_name(q));
            cr_assert_neq(g, SIZE_MAX);
            cr_assert_eq(x->count[q], gr.count[g], "%s q%d", in[i].sample, q);
            sum += x->count[q];
        }
        cr_assert_eq(x->singlets, gr.count[gate_strategy_find(small.strategy, "Singlets")]);
        cr_assert_eq(sum, x->singlets);
        gate_result_free(&gr);
        gate_data_free(&d);
        /* quadrants of at most 1000 events (smallest first, 1000 in all) have their medians
         * over every event: those of the analysis without a limit, same gating or not */
        size_t exact_q = 0;
        for (int q = 0; q < 4; q++) {
            uint64_t before = 0;
            for (int r2 = 0; r2 < 4; r2++) {
                if (x->count[r2] > 0 && (x->count[r2] < x->count[q] ||
                                          (x->count[r2] == x->count[q] && r2 < q))) {
                    before += x->count[r2];
                }
            }
            if (x->count[q] == 0 || before + x->count[q] > 1000 || s[i].ev.n_events <= 1000) {
                continue;
            }
            exact_q++;
            /* every event of the quadrant as gated by this run's gating, median computed
             * here independently */
            double *va = malloc(x->count[q] * sizeof *va);
            size_t m = 0;
            gate_data d2;
            gate_result g2 = {0};
            cr_assert_eq(gate_data_init(&d2, in[i].ds, &s[i].ev, &err), APO_OK);
            cr_assert_eq(gate_strategy_apply(small.strategy, &d2, &g2, &err), APO_OK);
            const uint8_t *mq = gate_result_membership(
                &g2, gate_strategy_find(small.strategy, assay_quadrant_name(q)));
            gate_dim dim = {small.annexin_channel, "comp", NULL, NULL};
            double *all_a = malloc(s[i].ev.n_events * sizeof *all_a);
            cr_assert_eq(gate_dim_values(small.strategy, &d2, &dim, false, all_a, &err), APO_OK,
                         "%s", err.msg);
            for (size_t e = 0; e < s[i].ev.n_events; e++) {
                if (mq[e]) {
                    va[m++] = all_a[e];
                }
            }
            cr_assert_eq(m, x->count[q]);
            double want = assay_quantile(va, m, 0.5);
            cr_assert_float_eq(x->median_annexin[q], want, 1e-9 * fabs(want) + 1e-12,
                               "%s q%d: %g vs %g", in[i].sample, q, x->median_annexin[q], want);
            free(all_a);
            free(va);
            gate_result_free(&g2);
            gate_data_free(&d2);
        }
        if (i >= 4) { /* the 6000-event stained samples: necrotic (~4 %) is small */
            cr_assert_gt(exact_q, 0, "%s: no small quadrant", in[i].sample);
        }
        /* and the estimates stay close to those from every event */
        for (int q = 0; q < 4; q++) {
            cr_assert(fabs(x->pct[q] - mem.samples[i].pct[q]) < 2.0, "%s q%d: %.2f vs %.2f",
                      in[i].sample, q, x->pct[q], mem.samples[i].pct[q]);
        }
    }
    /* the display events of a sample are its estimation sample */
    fcs_events ev;
    uint8_t *singlet = NULL, *quadrant = NULL;
    double *ann = NULL, *piv = NULL;
    cr_assert_eq(assay_sample_events(&small, &streamed[3], 5000, &ev, &singlet, &quadrant,
                                        &ann, &piv, &err),
                 APO_OK, "%s", err.msg);
    cr_assert_eq(ev.n_events, 5000); /* every 14th of 70000 */
    cr_assert_eq(fcs_events_column(&ev, 5)[1], 14.0); /* Time = event index */
    size_t nq = 0;
    for (size_t e = 0; e < ev.n_events; e++) {
        nq += quadrant[e] != 255;
        cr_assert(quadrant[e] == 255 || singlet[e]);
    }
    cr_assert_gt(nq, 4000);
    fcs_events_free(&ev);
    free(singlet);
    free(quadrant);
    free(ann);
    free(piv);
    assay_result_free(&mem);
    assay_result_free(&str);
    assay_result_free(&small);
    for (int i = 0; i < NS; i++) {
        sim_free(&s[i]);
    }
    gsl_rng_free(r);
}

/* The quantile control is the first usable one: when the first unstained control fails once
 * the gating is applied (its FSC is named "FS INT", the gating's pre-gate says FSC-A), the
 * next unstained control places the thresholds, as if the failed one were absent. */
Test(assay_apoptosis_analyze, failed_first_control_gives_way_to_the_next)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 5);
    static const char *const fs_int[NP] = {"FS INT", "FSC-W", "SSC-A", "FITC-A", "PI-A", "Time"};
    enum { NS = 4 };
    sim s[NS];
    /* the first sample sets the channel names of the gating */
    simulate(&s[0], r, 4000, 0.4, true, true, names);
    simulate(&s[1], r, 4000, 0.0, false, false, fs_int); /* unstained, fails in the gating */
    simulate(&s[2], r, 4000, 0.0, false, false, names);  /* unstained */
    simulate(&s[3], r, 4000, 0.2, true, true, names);
    assay_input in[NS] = {
        input(&s[0], "stim", ASSAY_ROLE_STIMULUS, ""),
        input(&s[1], "unst_bad", ASSAY_ROLE_UNSTAINED, ""),
        input(&s[2], "unst_good", ASSAY_ROLE_UNSTAINED, ""),
        input(&s[3], "trt", ASSAY_ROLE_TREATED, "10"),
    };
    assay_options o;
    assay_options_init(&o);
    assay_result res;
    apo_error err;
    cr_assert_eq(assay_analyze(in, NS, &o, &res, &err), APO_OK, "%s", err.msg);
    cr_assert(res.samples[1].qc & ASSAY_QC_FAILED);
    cr_assert(strstr(res.samples[1].error, "FSC-A") != NULL, "%s", res.samples[1].error);
    cr_assert_eq(res.samples[2].qc & ASSAY_QC_FAILED, 0);
    /* the control's line is unst_good's (the stained samples' clear gap may then win) */
    cr_assert(strstr(res.annexin.reason, "unst_good") != NULL, "%s", res.annexin.reason);
    cr_assert(strstr(res.pi.reason, "unst_good") != NULL, "%s", res.pi.reason);
    cr_assert(isfinite(res.annexin.control_scaled));
    /* the same thresholds as without the failed control */
    assay_result ref;
    assay_input without[NS - 1] = {in[0], in[2], in[3]};
    cr_assert_eq(assay_analyze(without, NS - 1, &o, &ref, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(res.annexin.value, ref.annexin.value);
    cr_assert_eq(res.pi.value, ref.pi.value);
    cr_assert_eq(res.annexin.control_scaled, ref.annexin.control_scaled);
    assay_result_free(&ref);
    assay_result_free(&res);
    for (int i = 0; i < NS; i++) {
        sim_free(&s[i]);
    }
    gsl_rng_free(r);
}

/* What assay_options.display was handed, per sample (copies). */
typedef struct handed {
    size_t calls;
    fcs_events ev[4];
    uint8_t *singlet[4];
    double *ann[4], *pi[4];
    gate_result gates[4]; /* every gate's membership, as handed over */
} handed;

static void record_display(void *ctx, const assay_result *r, size_t i, const assay_display *d)
{
    handed *h = ctx;
    cr_assert_lt(i, 4);
    cr_assert_eq(r->samples[i].qc & ASSAY_QC_FAILED, 0);
    cr_assert_gt(r->samples[i].singlets, 0); /* sample i is complete when handed over */
    const size_t n = (size_t)d->ev->n_events, np = d->ev->n_params;
    h->calls++;
    h->ev[i] = (fcs_events){n, np, malloc((n * np + 1) * sizeof(double))};
    memcpy(h->ev[i].values, d->ev->values, n * np * sizeof(double));
    h->singlet[i] = malloc(n + 1);
    memcpy(h->singlet[i], d->singlet, n);
    h->ann[i] = malloc((n + 1) * sizeof(double));
    memcpy(h->ann[i], d->annexin, n * sizeof(double));
    h->pi[i] = malloc((n + 1) * sizeof(double));
    memcpy(h->pi[i], d->pi, n * sizeof(double));
    cr_assert_not_null(d->gates, "the gate memberships are handed over with the events");
    cr_assert_eq(d->gates->n_events, n);
    const size_t ng = d->gates->n_gates;
    h->gates[i] = (gate_result){ng, n, malloc(ng * n + 1), malloc((ng + 1) * sizeof(uint64_t))};
    memcpy(h->gates[i].member, d->gates->member, ng * n);
    memcpy(h->gates[i].count, d->gates->count, ng * sizeof(uint64_t));
}

static void handed_free(handed *h)
{
    for (int i = 0; i < 4; i++) {
        fcs_events_free(&h->ev[i]);
        free(h->singlet[i]);
        free(h->ann[i]);
        free(h->pi[i]);
        gate_result_free(&h->gates[i]);
    }
    memset(h, 0, sizeof *h);
}

/* Run the analysis with the display hook: @p display_events, @p sample_events; each handed
 * over set must be exactly what assay_sample_events reads for the plots. */
static size_t analyse_with_display(const assay_input *in, uint64_t display_events,
                                   uint64_t sample_events, uint64_t want_events)
{
    assay_options opt;
    assay_options_init(&opt);
    opt.sample_events = sample_events;
    handed h;
    memset(&h, 0, sizeof h);
    opt.display = record_display;
    opt.display_ctx = &h;
    opt.display_events = display_events;
    assay_result res;
    apo_error err;
    cr_assert_eq(assay_analyze(in, 4, &opt, &res, &err), APO_OK, "%s", err.msg);
    const size_t calls = h.calls;
    for (size_t i = 0; i < 4 && calls > 0; i++) {
        fcs_events ev;
        uint8_t *singlet = NULL;
        double *ann = NULL, *piv = NULL;
        cr_assert_eq(assay_sample_events(&res, &in[i], display_events, &ev, &singlet, NULL, &ann,
                                         &piv, &err),
                     APO_OK, "%s", err.msg);
        const size_t n = (size_t)ev.n_events;
        cr_assert_eq(h.ev[i].n_events, n, "%s: %zu events handed over, %zu read",
                     in[i].sample, (size_t)h.ev[i].n_events, n);
        cr_assert_eq(n, want_events);
        cr_assert_eq(h.ev[i].n_params, ev.n_params);
        cr_assert_eq(memcmp(h.ev[i].values, ev.values, n * ev.n_params * sizeof(double)), 0);
        cr_assert_eq(memcmp(h.singlet[i], singlet, n), 0);
        cr_assert_eq(memcmp(h.ann[i], ann, n * sizeof(double)), 0);
        cr_assert_eq(memcmp(h.pi[i], piv, n * sizeof(double)), 0);
        /* the memberships handed over are those of applying the strategy to these events */
        gate_data gd;
        gate_result want = {0};
        cr_assert_eq(gate_data_init(&gd, in[i].ds, &ev, &err), APO_OK, "%s", err.msg);
        cr_assert_eq(gate_strategy_apply(res.strategy, &gd, &want, &err), APO_OK, "%s", err.msg);
        cr_assert_eq(h.gates[i].n_gates, want.n_gates);
        cr_assert_eq(memcmp(h.gates[i].member, want.member, want.n_gates * n), 0, "%s",
                     in[i].sample);
        cr_assert_eq(memcmp(h.gates[i].count, want.count, want.n_gates * sizeof(uint64_t)), 0);
        gate_result_free(&want);
        gate_data_free(&gd);
        size_t ns = 0;
        for (size_t e = 0; e < n; e++) {
            ns += singlet[e] != 0;
        }
        cr_assert(ns > n / 2 && ns < n, "%s: %zu singlets of %zu", in[i].sample, ns, n);
        fcs_events_free(&ev);
        free(singlet);
        free(ann);
        free(piv);
    }
    handed_free(&h);
    assay_result_free(&res);
    return calls;
}

/* The statistics pass hands each sample's plot events over when they are a subset of its
 * own (every event; every k-th of them), exactly those assay_sample_events reads; when they
 * are not (the pass holds every 2nd event, the plots want every 3rd or every one), nothing. */
Test(assay_apoptosis_analyze, display_events_handed_over_are_those_plots_read)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 23);
    sim s[4];
    simulate(&s[0], r, 6000, 0.0, false, false, names);
    simulate(&s[1], r, 6000, 0.4, true, false, names);
    simulate(&s[2], r, 6000, 0.4, false, true, names);
    simulate(&s[3], r, 6000, 0.3, true, true, names);
    assay_input in[4] = {
        input(&s[0], "unst", ASSAY_ROLE_UNSTAINED, ""),
        input(&s[1], "ann", ASSAY_ROLE_ANNEXIN_SINGLE, ""),
        input(&s[2], "pi", ASSAY_ROLE_PI_SINGLE, ""),
        input(&s[3], "stim", ASSAY_ROLE_STIMULUS, ""),
    };
    for (int i = 0; i < 4; i++) {
        in[i].ev = NULL; /* decoded from the file, as run does */
    }
    cr_assert_eq(analyse_with_display(in, 0, 0, 6000), 4);       /* every event, as held */
    cr_assert_eq(analyse_with_display(in, 1000, 0, 1000), 4);    /* every 6th of those held */
    cr_assert_eq(analyse_with_display(in, 1500, 3000, 1500), 4); /* every 2nd of every 2nd */
    cr_assert_eq(analyse_with_display(in, 2000, 3000, 0), 0); /* every 3rd of every 2nd: none */
    cr_assert_eq(analyse_with_display(in, 0, 3000, 0), 0);    /* every event: none */
    for (int i = 0; i < 4; i++) {
        sim_free(&s[i]);
    }
    gsl_rng_free(r);
}

static bool same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* A large file (its subsample 150,000 events: gated in runs, its singlets put on the display
 * scale in chunks, its counts streamed beside the subsample's statistics) gives the same
 * results, bit for bit, on 1, 2 and 3 block threads, from its data set or decoded events. */
Test(assay_apoptosis_analyze, large_file_statistics_do_not_depend_on_block_threads)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 31);
    enum { NS = 5 };
    sim s[NS];
    simulate(&s[0], r, 6000, 0.0, false, false, names);
    simulate(&s[1], r, 6000, 0.4, true, false, names);
    simulate(&s[2], r, 6000, 0.4, false, true, names);
    simulate(&s[3], r, 300001, 0.30, true, true, names);
    simulate(&s[4], r, 6000, 0.20, true, true, names);
    const assay_input in[NS] = {
        input(&s[0], "unst", ASSAY_ROLE_UNSTAINED, ""),
        input(&s[1], "ann", ASSAY_ROLE_ANNEXIN_SINGLE, ""),
        input(&s[2], "pi", ASSAY_ROLE_PI_SINGLE, ""),
        input(&s[3], "stim", ASSAY_ROLE_STIMULUS, ""),
        input(&s[4], "trt", ASSAY_ROLE_TREATED, "10"),
    };
    assay_input streamed[NS];
    for (int i = 0; i < NS; i++) {
        streamed[i] = in[i];
        streamed[i].ev = NULL;
    }
    assay_options o;
    assay_options_init(&o);
    o.sample_events = 150001; /* the large file: every 2nd event */
    apo_error err;
    assay_result want;
    o.block_threads = 1;
    cr_assert_eq(assay_analyze(streamed, NS, &o, &want, &err), APO_OK, "%s", err.msg);
    const assay_sample *a = &want.samples[3];
    cr_assert_eq(a->events, 300001);
    cr_assert_gt(a->singlets, 2 * 65536); /* long columns: chunks and runs */
    const unsigned threads[] = {2, 3, 2};
    for (size_t t = 0; t < 3; t++) {
        o.block_threads = threads[t];
        assay_result got;
        cr_assert_eq(assay_analyze(t == 2 ? in : streamed, NS, &o, &got, &err), APO_OK, "%s",
                     err.msg);
        for (int i = 0; i < NS; i++) {
            const assay_sample *x = &want.samples[i], *y = &got.samples[i];
            cr_assert_eq(x->events, y->events);
            cr_assert_eq(x->cells, y->cells);
            cr_assert_eq(x->singlets, y->singlets);
            for (int q = 0; q < ASSAY_Q_COUNT; q++) {
                cr_assert_eq(x->count[q], y->count[q], "%s q%d", in[i].sample, q);
                cr_assert(same_bits(x->pct[q], y->pct[q]));
                cr_assert(same_bits(x->median_annexin[q], y->median_annexin[q]),
                          "threads %u %s q%d", threads[t], in[i].sample, q);
                cr_assert(same_bits(x->median_pi[q], y->median_pi[q]));
            }
            cr_assert(same_bits(x->annexin_valley, y->annexin_valley), "%s", in[i].sample);
            cr_assert(same_bits(x->annexin_depth, y->annexin_depth), "%s", in[i].sample);
            cr_assert(same_bits(x->pi_depth, y->pi_depth), "%s", in[i].sample);
            cr_assert(same_bits(x->flow_max_dev, y->flow_max_dev));
            cr_assert_eq(x->qc, y->qc);
        }
        assay_result_free(&got);
    }
    cr_assert(isfinite(a->annexin_valley) || isnan(a->annexin_valley));
    cr_assert(isfinite(a->annexin_depth));
    assay_result_free(&want);
    for (int i = 0; i < NS; i++) {
        sim_free(&s[i]);
    }
    gsl_rng_free(r);
}
