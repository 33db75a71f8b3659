// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * cells.c: draws the events of one simulated sample: cells of four classes (viable, early
 * apoptotic, late apoptotic, necrotic) with class-specific scatter and log-normal stain
 * intensities, debris near the scatter origin, doublets (FSC-A about twice that of a single
 * cell at the same FSC-H), autofluorescence, spillover between the FITC and PI detectors,
 * detector noise (which makes negative values) and a Time channel with an optional clog.
 */
#include "sim_internal.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

static const char *const linear_names[] = {"FSC-A", "FSC-H", "SSC-A", "FITC-A", "PE-A", "Time"};
static const char *const linear_labels[] = {"", "", "", "Annexin V FITC", "PI", ""};
static const char *const height_names[] = {"FSC-H", "SSC-H", "FL1-H", "FL2-H", "FL3-H", "Time"};
static const char *const height_labels[] = {"", "", "Annexin V-FITC", "", "PI", ""};

size_t sim_channels(const sim_instrument *ins, const char **names, const char **labels)
{
    if (ins->family != NULL) {
        for (size_t i = 0; i < ins->family->n_channels; i++) {
            names[i] = ins->family->channels[i].name;
            labels[i] = ins->family->channels[i].label;
        }
        return ins->family->n_channels;
    }
    for (size_t i = 0; i < 6; i++) {
        names[i] = ins->height_only ? height_names[i] : linear_names[i];
        labels[i] = ins->height_only ? height_labels[i] : linear_labels[i];
    }
    return 6;
}

size_t sim_time_channel(const sim_instrument *ins)
{
    if (ins->family != NULL) {
        for (size_t i = 0; i < ins->family->n_channels; i++) {
            if (ins->family->channels[i].kind == SIM_CH_TIME) {
                return i;
            }
        }
    }
    return 5;
}

void sim_biology_default(sim_biology *b)
{
    *b = (sim_biology){.debris_fsc = 5500.0,
                       .debris_fsc_sd = 0.5,
                       .debris_ssc = 4500.0,
                       .debris_ssc_sd = 0.6,
                       .debris_ann = 300.0,
                       .debris_ann_sd = 1.3,
                       .debris_pi = 500.0,
                       .debris_pi_sd = 1.6,
                       .debris_af_fitc = 40.0,
                       .debris_af_pi = 30.0,
                       .debris_af_sd = 0.5,
                       .ann_early = 5500.0,
                       .ann_late = 11000.0,
                       .smear_lo = 0.0};
}

typedef sim_cell cell;

/* Per class: FSC-A mean factor, SSC-A median factor, AnnV median (early and late from the
 * biology), PI median. */
static const double class_fsc[4] = {1.0, 0.88, 0.72, 0.62};
static const double class_ssc[4] = {1.0, 1.08, 1.22, 0.92};
static const double class_pi[4] = {3.0, 5.0, 8500.0, 14000.0};

static double class_ann(const sim_biology *bio, int cls)
{
    return cls == 0 ? 10.0 : cls == 1 ? bio->ann_early : cls == 2 ? bio->ann_late : 60.0;
}

static double draw_annexin(const sim_biology *bio, int cls, gsl_rng *rng)
{
    if (cls == 1 && bio->smear_lo > 0) {
        double lo = log(bio->smear_lo), hi = log(bio->ann_early);
        return exp(lo + (hi - lo) * gsl_rng_uniform(rng));
    }
    return gsl_ran_lognormal(rng, log(class_ann(bio, cls)), cls == 1 || cls == 2 ? 0.5 : 0.6);
}

static int draw_class(const double frac[4], gsl_rng *rng)
{
    double u = gsl_rng_uniform(rng) * (frac[0] + frac[1] + frac[2] + frac[3]);
    for (int c = 0; c < 3; c++) {
        if (u < frac[c]) {
            return c;
        }
        u -= frac[c];
    }
    return 3;
}

static void draw_cell(cell *c, int cls, const sim_biology *bio, const sim_sample *s,
                      gsl_rng *rng)
{
    c->fsc_a = class_fsc[cls] * (62000.0 + gsl_ran_gaussian(rng, 8000.0));
    if (c->fsc_a < 5000.0) {
        c->fsc_a = 5000.0;
    }
    c->fsc_h = c->fsc_a * 0.80 * (1.0 + gsl_ran_gaussian(rng, 0.025));
    c->ssc_a = gsl_ran_lognormal(rng, log(28000.0 * class_ssc[cls]), 0.25);
    c->ssc_h = c->ssc_a * 0.85 * (1.0 + gsl_ran_gaussian(rng, 0.03));
    c->ann = s->annexin ? draw_annexin(bio, cls, rng) : 0.0;
    c->pi = s->pi ? gsl_ran_lognormal(rng, log(class_pi[cls]), cls >= 2 ? 0.45 : 0.6) : 0.0;
    double af = cls == 3 ? 1.3 : 1.0; /* dead cells are a little brighter */
    c->af_fitc = gsl_ran_lognormal(rng, log(110.0 * af), 0.35);
    c->af_pi = gsl_ran_lognormal(rng, log(80.0 * af), 0.35);
}

static void draw_debris(cell *c, const sim_biology *bio, const sim_sample *s, gsl_rng *rng)
{
    c->fsc_a = gsl_ran_lognormal(rng, log(bio->debris_fsc), bio->debris_fsc_sd);
    c->fsc_h = c->fsc_a * 0.80 * (1.0 + gsl_ran_gaussian(rng, 0.06));
    c->ssc_a = gsl_ran_lognormal(rng, log(bio->debris_ssc), bio->debris_ssc_sd);
    c->ssc_h = c->ssc_a * 0.85 * (1.0 + gsl_ran_gaussian(rng, 0.06));
    c->ann = s->annexin ? gsl_ran_lognormal(rng, log(bio->debris_ann), bio->debris_ann_sd) : 0.0;
    c->pi = s->pi ? gsl_ran_lognormal(rng, log(bio->debris_pi), bio->debris_pi_sd) : 0.0;
    c->af_fitc = gsl_ran_lognormal(rng, log(bio->debris_af_fitc), bio->debris_af_sd);
    c->af_pi = gsl_ran_lognormal(rng, log(bio->debris_af_pi), bio->debris_af_sd);
}

double sim_noisy(const sim_instrument *ins, double signal, gsl_rng *rng)
{
    double var = ins->noise_sd * ins->noise_sd + ins->photon_k * (signal > 0 ? signal : 0);
    return signal + gsl_ran_gaussian(rng, sqrt(var));
}

/* FACSCalibur-like 4-decade log amplifier with 1024 channels: value in 1 .. 10^4. */
static double log_amp(double v)
{
    double ch = v > 1.0 ? floor(256.0 * log10(v)) : 0.0;
    if (ch > 1023.0) {
        ch = 1023.0;
    }
    return pow(10.0, ch / 256.0);
}

static double lin_adc(double v, double range)
{
    double ch = floor(v);
    if (ch < 0) {
        ch = 0;
    }
    if (ch > range - 1) {
        ch = range - 1;
    }
    return ch;
}

static void detect(const sim_instrument *ins, const cell *c, double *row, gsl_rng *rng)
{
    if (ins->family != NULL) {
        sim_family_detect(ins, c, row, rng);
        return;
    }
    double fitc = c->af_fitc + c->ann + ins->spill_pi_fitc * c->pi;
    double pi = c->af_pi + c->pi + ins->spill_fitc_pi * c->ann;
    if (!ins->height_only) {
        row[0] = sim_noisy(ins, c->fsc_a, rng);
        row[1] = sim_noisy(ins, c->fsc_h, rng);
        row[2] = sim_noisy(ins, c->ssc_a, rng);
        row[3] = sim_noisy(ins, fitc, rng);
        row[4] = sim_noisy(ins, pi, rng);
        for (int i = 0; i < 5; i++) {
            if (row[i] > ins->range - 1) {
                row[i] = ins->range - 1;
            }
        }
        return;
    }
    /* Calibur units: scatter on a 1024-channel linear scale, fluorescence / 25 on a log amp. */
    double fl2 = c->af_pi + ins->spill_fitc_fl2 * c->ann + ins->spill_pi_fl2 * c->pi;
    row[0] = lin_adc(sim_noisy(ins, c->fsc_h / 120.0, rng), ins->range);
    row[1] = lin_adc(sim_noisy(ins, c->ssc_h / 60.0, rng), ins->range);
    double f[3] = {fitc / 25.0, fl2 / 25.0, pi / 25.0};
    for (int i = 0; i < 3; i++) {
        double v = f[i] * (1.0 + gsl_ran_gaussian(rng, 0.04)) + gsl_ran_gaussian(rng, 0.6);
        row[2 + i] = log_amp(v);
    }
}

void sim_result_free(sim_result *r)
{
    if (r == NULL) {
        return;
    }
    free(r->values);
    free(r->truth);
    r->values = NULL;
    r->truth = NULL;
}

bool sim_events(const sim_instrument *ins, const sim_biology *bio, const sim_sample *s,
                size_t n_events, double debris, double doublets, gsl_rng *rng, sim_result *out)
{
    const char *names[SIM_MAX_CHANNELS], *labels[SIM_MAX_CHANNELS];
    const size_t np = sim_channels(ins, names, labels);
    const size_t time = sim_time_channel(ins);
    out->n_events = n_events;
    out->n_params = np;
    out->values = calloc(np * n_events, sizeof *out->values);
    out->truth = calloc(n_events, 1);
    if (out->values == NULL || out->truth == NULL) {
        sim_result_free(out);
        return false;
    }
    double t = 0.0;
    for (size_t e = 0; e < n_events; e++) {
        cell c;
        double u = gsl_rng_uniform(rng);
        unsigned char cls;
        if (u < debris) {
            draw_debris(&c, bio, s, rng);
            cls = SIM_DEBRIS;
        } else if (u < debris + doublets) {
            cell c2;
            draw_cell(&c, draw_class(s->frac, rng), bio, s, rng);
            draw_cell(&c2, draw_class(s->frac, rng), bio, s, rng);
            double h = fmax(c.fsc_h, c2.fsc_h) * (1.05 + gsl_ran_gaussian(rng, 0.03));
            c.fsc_a += c2.fsc_a;
            c.fsc_h = h;
            c.ssc_a += c2.ssc_a;
            c.ssc_h = fmax(c.ssc_h, c2.ssc_h) * 1.05;
            c.ann += c2.ann;
            c.pi += c2.pi;
            c.af_fitc += c2.af_fitc;
            c.af_pi += c2.af_pi;
            cls = SIM_DOUBLET;
        } else {
            int k = draw_class(s->frac, rng);
            draw_cell(&c, k, bio, s, rng);
            cls = (unsigned char)k;
        }
        double row[SIM_MAX_CHANNELS] = {0};
        detect(ins, &c, row, rng);
        t += gsl_ran_exponential(rng, 1.0 / ins->events_per_s);
        if (s->clog && e == n_events / 2) {
            t += 3.0; /* the flow stops for 3 s, then resumes */
        }
        row[time] = floor(t / ins->timestep);
        for (size_t p = 0; p < np; p++) {
            out->values[p * n_events + e] = row[p];
        }
        out->truth[e] = cls;
    }
    return true;
}
