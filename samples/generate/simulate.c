// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * simulate.c: apoflow_simulate, the generator of the example experiments in samples/ and of
 * the accuracy scenarios (scenarios.c, bench/accuracy.sh).
 *   apoflow_simulate [--preset shsy5y|calibur|muse] [--seed N] [--events N] [--no-event-truth] OUTDIR
 *   apoflow_simulate --scenario NAME [--seed N] [--events N] [--no-event-truth] OUTDIR
 *   apoflow_simulate --list
 * (--out OUTDIR is the same as the OUTDIR argument)
 * writes one FCS 3.1 file per sample, sheet.csv (the sample sheet), truth.csv (the true
 * percentages of each class among single cells) and truth/<stem>.csv (the true class of every
 * event: 0 viable, 1 early apoptotic, 2 late apoptotic, 3 necrotic, 4 debris, 5 doublet).
 * The Guava Muse-like family stores the experiment as its instrument does: one file (muse.fcs)
 * with one data set per sample (each with its own SAMPLE ID keyword), a sheet with a
 * "dataset" column, and truth/<sample>.csv. The same seed always gives the same files.
 */
#include "fcs/fcs.h"
#include "sim_internal.h"

#include <errno.h>
#include <math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_SAMPLES 32

typedef struct preset {
    const char *name;
    sim_instrument ins;
    const char *source;     /* $SRC */
    const char *experiment; /* EXPERIMENT NAME */
    const char *spillover;  /* $SPILLOVER text */
    double debris, doublets;
    sim_biology bio;
    size_t n_samples;
    sim_sample samples[MAX_SAMPLES];
    const char *one_file;   /* non-NULL: every sample a data set of this one file */
    uint64_t events;        /* events per sample unless --events (0: the default 10,000) */
} preset;

/* The Guava Muse-like family keeps one sample per data set of one file, as the instrument
 * does (Annexin V-PE / 7-AAD). */
static bool is_muse(const sim_instrument *ins)
{
    return ins->family != NULL && strcmp(ins->family->name, "muse") == 0;
}

/* The true fractions of a design: apoptotic and necrotic % of untreated and stimulus-only
 * cells; the treatment's apoptotic % is bottom + span / (1 + (dose/90)^1.5) (a decreasing
 * 4PL curve); where the single-stain controls' cells come from. */
typedef struct design {
    double untreated_apo, untreated_nec;
    double stim_apo, stim_nec;
    double trt_bottom, trt_span, trt_nec;
    sim_controls controls;
    const double *trt_apo; /* non-NULL: the treatment's apoptotic % per dose (instead of the
                              curve), and each group's replicate jitter centred, so that the
                              groups' true means are exactly these */
} design;

/* H2O2 (40 % apoptotic) and Astragaloside IV, as in samples/. */
static const design design_standard = {6.0, 2.5, 40.0, 4.5, 10.0, 30.0, 4.5, SIM_CTRL_MIXED,
                                       NULL};
/* The stimulus leaves 20 % viable cells. */
static const design design_low_viability = {6.0, 2.5, 62.0, 18.0, 25.0, 37.0, 18.0,
                                            SIM_CTRL_MIXED, NULL};

/* The published study samples/ mirrors (SH-SY5Y cells, H2O2, Astragaloside IV at 50, 100 and
 * 200 mg/L): reductions in apoptosis of 13.0, 31.9 and 55.4 % relative to H2O2 alone, i.e.
 * 40 % apoptotic x (1 - reduction). */
static const double study_trt_apo[3] = {40.0 * (1 - 0.130), 40.0 * (1 - 0.319),
                                        40.0 * (1 - 0.554)};
static const design design_study = {6.0, 2.5, 40.0, 4.5, 10.0, 30.0, 4.5, SIM_CTRL_MIXED,
                                    study_trt_apo};

static double treated_apoptotic(const design *d, double dose, int g)
{
    if (d->trt_apo != NULL) {
        return d->trt_apo[g];
    }
    return d->trt_bottom + d->trt_span / (1.0 + pow(dose / 90.0, 1.5));
}

static void set_frac(sim_sample *s, double apoptotic, double necrotic)
{
    double a = apoptotic / 100.0, n = necrotic / 100.0;
    s->frac[0] = 1.0 - a - n;
    s->frac[1] = 0.54 * a;
    s->frac[2] = 0.46 * a;
    s->frac[3] = n;
}

/* True fractions of single-stain control @p c (1 Annexin V only, 2 dead dye only). */
static void control_frac(sim_sample *s, int c, const design *d)
{
    if (d->controls == SIM_CTRL_UNTREATED) {
        set_frac(s, d->untreated_apo, d->untreated_nec);
    } else if (d->controls == SIM_CTRL_TREATED) {
        set_frac(s, d->stim_apo, d->stim_nec);
    } else if (c == 1) {
        set_frac(s, 40.0, 4.5); /* H2O2-treated cells, so that AnnV+ cells exist */
    } else {
        s->frac[0] = 0.45; /* heat-killed half: PI+ */
        s->frac[1] = 0.02;
        s->frac[2] = 0.08;
        s->frac[3] = 0.45;
    }
}

/* Adds the samples of a standard design: 3 controls, untreated, stimulus, doses. */
static void add_design(preset *p, const design *d, const double *doses, size_t n_doses, int reps,
                       gsl_rng *rng, const char *ext)
{
    static const char *const rows = "ABCDEFGH";
    size_t k = 0;
    sim_sample *s;
    const char *ctl_file[3] = {"ctrl_unstained", "ctrl_annexin_only", "ctrl_pi_only"};
    const char *ctl_role[3] = {"unstained", "annexin_single", "pi_single"};
    const char *ctl_tube[3] = {"Unstained", "Annexin V FITC only", "PI only"};
    if (is_muse(&p->ins)) { /* the Muse kit's dyes: Annexin V-PE and 7-AAD */
        ctl_file[2] = "ctrl_7aad_only";
        ctl_tube[1] = "Annexin V-PE only";
        ctl_tube[2] = "7-AAD only";
    }
    for (int c = 0; c < 3; c++) {
        s = &p->samples[k];
        memset(s, 0, sizeof *s);
        char name[64], f[96];
        snprintf(name, sizeof name, "%s", ctl_file[c]);
        snprintf(f, sizeof f, "%s.%s", name, ext);
        s->file = strdup(f);
        s->sample = strdup(name);
        s->role = ctl_role[c];
        s->treatment = "";
        s->dose = "";
        s->dose_unit = "";
        s->replicate = 1;
        s->tube = ctl_tube[c];
        if (c == 0) {
            set_frac(s, d->untreated_apo, d->untreated_nec);
        } else {
            control_frac(s, c, d);
            s->annexin = c == 1;
            s->pi = c == 2;
        }
        k++;
    }
    for (int g = -2; g < (int)n_doses; g++) {
        double jit[8] = {0}, mean = 0;
        for (int r = 0; r < reps && r < 8; r++) { /* the same draws, in the same order */
            jit[r] = reps > 1 ? gsl_ran_gaussian(rng, 1.2) : 0.0;
            mean += jit[r] / reps;
        }
        for (int r = 1; r <= reps; r++) {
            s = &p->samples[k];
            memset(s, 0, sizeof *s);
            s->annexin = s->pi = true;
            s->replicate = r;
            char f[96], name[64], dose[32];
            double jitter = jit[(r - 1) % 8] - (d->trt_apo != NULL ? mean : 0.0);
            if (g == -2) {
                snprintf(name, sizeof name, "untreated_r%d", r);
                s->role = "untreated";
                s->treatment = "";
                s->dose = "";
                s->dose_unit = "";
                s->tube = "Untreated";
                set_frac(s, d->untreated_apo + 0.4 * jitter, d->untreated_nec);
            } else if (g == -1) {
                snprintf(name, sizeof name, "h2o2_r%d", r);
                s->role = "stimulus";
                s->treatment = "H2O2";
                s->dose = "";
                s->dose_unit = "";
                s->tube = "H2O2";
                set_frac(s, d->stim_apo + jitter, d->stim_nec);
            } else {
                snprintf(dose, sizeof dose, "%g", doses[g]);
                snprintf(name, sizeof name, "h2o2_asiv%s_r%d", dose, r);
                s->role = "treated";
                s->treatment = "AS-IV";
                s->dose = strdup(dose);
                s->dose_unit = "mg/L";
                /* tubes are labelled as labs label them: what, how much, in which unit */
                char tube[64];
                snprintf(tube, sizeof tube, "H2O2 + AS-IV %s mg/L", dose);
                s->tube = strdup(tube);
                set_frac(s, treated_apoptotic(d, doses[g], g) + jitter, d->trt_nec);
            }
            snprintf(f, sizeof f, "%s.%s", name, ext);
            s->file = strdup(f);
            s->sample = strdup(name);
            k++;
        }
    }
    for (size_t i = 0; i < k; i++) {
        char w[8];
        snprintf(w, sizeof w, "%c%02zu", rows[i / 12], i % 12 + 1);
        p->samples[i].well = strdup(w);
    }
    p->n_samples = k;
}

static void free_preset(preset *p)
{
    for (size_t i = 0; i < p->n_samples; i++) {
        free((char *)p->samples[i].file);
        free((char *)p->samples[i].sample);
        free((char *)p->samples[i].well);
        if (p->samples[i].dose[0] != '\0') {
            free((char *)p->samples[i].dose);
            free((char *)p->samples[i].tube); /* the treated samples' own label */
        }
    }
}

static bool make_scenario(preset *p, const sim_scenario *sc, gsl_rng *rng)
{
    memset(p, 0, sizeof *p);
    if (!sim_instrument_of(sc->family, &p->ins, &p->spillover, &p->doublets)) {
        return false;
    }
    p->name = sc->name;
    p->source = "SH-SY5Y";
    p->experiment = sc->varies;
    sim_scenario_biology(sc, &p->bio, &p->debris);
    design d = sc->low_viability ? design_low_viability : design_standard;
    d.controls = sc->controls;
    static const double doses[] = {50, 100, 200};
    add_design(p, &d, doses, 3, 3, rng, "fcs");
    p->one_file = is_muse(&p->ins) ? "muse.fcs" : NULL;
    return true;
}

static bool make_preset(preset *p, const char *name, gsl_rng *rng)
{
    memset(p, 0, sizeof *p);
    if (strcmp(name, "shsy5y") == 0) {
        p->name = "shsy5y";
        p->ins = (sim_instrument){"FACSCanto II (simulated)", false, 262144.0, 0.22, 0.012, 0, 0,
                                  35.0, 1.5, 1200.0, 0.01, NULL, false};
        p->source = "SH-SY5Y";
        p->experiment = "SH-SY5Y H2O2 + Astragaloside IV, Annexin V-FITC/PI";
        p->spillover = "2,FITC-A,PE-A,1,0.22,0.012,1";
        p->debris = 0.08;
        p->doublets = 0.05;
        sim_biology_default(&p->bio);
        static const double doses[] = {50, 100, 200};
        add_design(p, &design_study, doses, 3, 3, rng, "fcs");
        for (size_t i = 0; i < p->n_samples; i++) {
            if (strcmp(p->samples[i].sample, "h2o2_asiv100_r2") == 0) {
                p->samples[i].clog = true;
            }
        }
        return true;
    }
    if (strcmp(name, "calibur") == 0) {
        p->name = "calibur";
        p->ins = (sim_instrument){"FACSCalibur (simulated)", true, 1024.0, 0.03, 0.002, 0.25,
                                  0.45, 2.0, 0.0, 600.0, 0.1, NULL, false};
        p->source = "SH-SY5Y";
        p->experiment = "AS-IV dose series (FACSCalibur)";
        p->spillover = "3,FL1-H,FL2-H,FL3-H,1,0.25,0.03,0,1,0,0.002,0.45,1";
        p->debris = 0.06;
        p->doublets = 0.004;
        sim_biology_default(&p->bio);
        static const double doses[] = {12.5, 25, 50, 100, 200};
        add_design(p, &design_standard, doses, 5, 1, rng, "fcs");
        return true;
    }
    if (strcmp(name, "muse") == 0) { /* experiment 1's design on a Guava Muse, one file */
        if (!sim_instrument_of("muse", &p->ins, &p->spillover, &p->doublets)) {
            return false;
        }
        p->name = "muse";
        p->source = "SH-SY5Y";
        p->experiment = "SH-SY5Y H2O2 + Astragaloside IV, Annexin V-PE/7-AAD (Muse)";
        p->debris = 0.08;
        sim_biology_default(&p->bio);
        static const double doses[] = {50, 100, 200};
        add_design(p, &design_study, doses, 3, 3, rng, "fcs");
        p->one_file = "muse.fcs";
        p->events = 2500; /* a Muse acquisition is a few thousand events; keeps the file < 1 MB */
        return true;
    }
    return false;
}

/*
 * Writes a height-only (FACSCalibur-like) sample as the instrument stores it: 16-bit
 * big-endian channel numbers, scatter on 1024 linear channels, fluorescence as the channel of
 * the 4-decade log amplifier ($PnE 4,1: value = 10^(4 c / 1024)), Time in ticks (32 bits only
 * when a run outlasts 16 bits). @p params get $PnR 1024 for the log channels.
 */
static apo_status write_integer(const char *path, const fcs_write_spec *spec,
                                fcs_write_param *params, size_t time, apo_error *err)
{
    size_t n = (size_t)spec->n_events, np = spec->n_params;
    double *ch = malloc(np * (n ? n : 1) * sizeof *ch);
    if (ch == NULL) {
        return apo_error_set(err, APO_E_NOMEM, path, APO_NO_OFFSET, NULL, "out of memory");
    }
    unsigned bits[SIM_MAX_CHANNELS];
    double decades[SIM_MAX_CHANNELS], offsets[SIM_MAX_CHANNELS];
    for (size_t q = 0; q < np; q++) {
        bool fl = q >= 2 && q != time; /* FL1-H FL2-H FL3-H: log amplifier */
        bits[q] = 16;
        decades[q] = fl ? 4.0 : 0.0;
        offsets[q] = fl ? 1.0 : 0.0;
        const double *v = spec->values + q * n;
        for (size_t e = 0; e < n; e++) {
            double c = fl ? (v[e] > 1.0 ? round(256.0 * log10(v[e])) : 0.0) : v[e];
            ch[q * n + e] = c;
            bits[q] = c > 65535.0 ? 32 : bits[q];
        }
        if (fl) {
            params[q].range = 1024.0;
        }
    }
    fcs_write_spec si = *spec;
    si.values = ch;
    fcs_write_format fmt = {'I', true, bits, decades, offsets};
    apo_status st = fcs_write_file_format(path, &si, &fmt, err);
    free(ch);
    return st;
}

/* The FCS parameters and keywords of one sample (pointing into itself and the preset). */
typedef struct sample_spec {
    const char *names[SIM_MAX_CHANNELS], *labels[SIM_MAX_CHANNELS];
    fcs_write_param params[SIM_MAX_CHANNELS];
    char timestep[32], com[160], etim[16];
    fcs_write_keyword kw[16];
    fcs_write_spec spec;
    size_t time;
} sample_spec;

static void build_spec(sample_spec *o, const preset *p, const sim_sample *s, const sim_result *r,
                       unsigned long seed, bool scenario)
{
    size_t np = sim_channels(&p->ins, o->names, o->labels);
    size_t time = sim_time_channel(&p->ins);
    for (size_t i = 0; i < np; i++) {
        o->params[i].name = o->names[i];
        o->params[i].label = o->labels[i][0] ? o->labels[i] : NULL;
        o->params[i].range = p->ins.range;
        if (p->ins.height_only && i >= 2 && i + 1 < np) {
            o->params[i].range = 10000.0; /* 4-decade log amplifier: scale values 1 .. 10^4 */
        }
    }
    o->params[time].range = NAN; /* Time: from the data */
    snprintf(o->timestep, sizeof o->timestep, "%g", p->ins.timestep);
    snprintf(o->com, sizeof o->com, "simulated by apoflow_simulate --%s %s --seed %lu",
             scenario ? "scenario" : "preset", p->name, seed);
    double secs = r->values[time * r->n_events + r->n_events - 1] * p->ins.timestep;
    int end = 10 * 3600 + (int)secs;
    snprintf(o->etim, sizeof o->etim, "%02d:%02d:%02d", end / 3600, end / 60 % 60, end % 60);
    const fcs_write_keyword kw[] = {
        {"$CYT", p->ins.cytometer}, {"$FIL", p->one_file ? p->one_file : s->file},
        {"$SRC", p->source},        {"$DATE", "12-MAR-2025"},
        {"$BTIM", "10:00:00"},      {"$ETIM", o->etim},
        {"$LAST_MODIFIED", "12-MAR-2025 10:30:00"}, /* fixed: reproducible files */
        {"$TIMESTEP", o->timestep}, {"$SPILLOVER", p->spillover}, {"$COM", o->com},
        {"TUBE NAME", s->tube},     {"EXPERIMENT NAME", p->experiment}, {"WELL ID", s->well},
        {"SAMPLE ID", s->sample}, /* one file, many samples: each data set's own name */
    };
    size_t n_kw = sizeof kw / sizeof kw[0] - (p->one_file ? 0 : 1);
    memcpy(o->kw, kw, n_kw * sizeof kw[0]);
    o->spec = (fcs_write_spec){np, o->params, r->n_events, r->values, n_kw, o->kw};
    o->time = time;
}

static int write_sample(const preset *p, const sim_sample *s, const sim_result *r,
                        const char *outdir, unsigned long seed, bool scenario)
{
    sample_spec o;
    build_spec(&o, p, s, r, seed, scenario);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", outdir, s->file);
    apo_error err;
    apo_status st = p->ins.integer ? write_integer(path, &o.spec, o.params, o.time, &err)
                                   : fcs_write_file(path, &o.spec, &err);
    if (st != APO_OK) {
        fprintf(stderr, "apoflow_simulate: %s\n", err.msg);
        return 1;
    }
    return 0;
}

/* Every sample as one data set of p->one_file (float32, as the Muse family writes). */
static int write_one_file(const preset *p, const sim_result *r, const char *outdir,
                          unsigned long seed, bool scenario)
{
    sample_spec *o = calloc(p->n_samples, sizeof *o);
    fcs_write_spec *specs = calloc(p->n_samples, sizeof *specs);
    int rc = o != NULL && specs != NULL ? 0 : 71;
    for (size_t i = 0; rc == 0 && i < p->n_samples; i++) {
        build_spec(&o[i], p, &p->samples[i], &r[i], seed, scenario);
        specs[i] = o[i].spec;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", outdir, p->one_file);
    apo_error err;
    if (rc == 0 && fcs_write_datasets(path, specs, p->n_samples, &err) != APO_OK) {
        fprintf(stderr, "apoflow_simulate: %s\n", err.msg);
        rc = 1;
    }
    free(specs);
    free(o);
    return rc;
}

/* truth/<stem>.csv: the stem of the sample's file, or its name when samples share a file. */
static int write_truth_events(const preset *p, const sim_sample *s, const sim_result *r,
                              const char *outdir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/truth", outdir);
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "apoflow_simulate: cannot create %s: %s\n", path, strerror(errno));
        return 1;
    }
    char stem[256];
    snprintf(stem, sizeof stem, "%s", p->one_file ? s->sample : s->file);
    char *dot = p->one_file ? NULL : strrchr(stem, '.');
    if (dot != NULL) {
        *dot = '\0';
    }
    snprintf(path, sizeof path, "%s/truth/%s.csv", outdir, stem);
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "apoflow_simulate: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    fputs("class\n", f);
    for (size_t e = 0; e < r->n_events; e++) {
        fprintf(f, "%u\n", r->truth[e]);
    }
    return fclose(f) == 0 ? 0 : 1;
}

static void usage(FILE *to)
{
    fputs("usage: apoflow_simulate [--preset shsy5y|calibur|muse | --scenario NAME] [--seed N]\n"
          "                        [--events N] [--no-event-truth] OUTDIR|--out OUTDIR\n"
          "       apoflow_simulate --list     (the scenarios: name, family, events, beyond, "
          "what it varies)\n",
          to);
}

static void list_scenarios(void)
{
    for (size_t i = 0; i < sim_scenario_count(); i++) {
        const sim_scenario *sc = sim_scenario_at(i);
        printf("%s\t%s\t%llu\t%s\t%s\n", sc->name, sc->family, (unsigned long long)sc->events,
               sc->beyond ? "beyond" : "-", sc->varies);
    }
}

/* Command-line options. */
typedef struct options {
    const char *preset;
    const char *scenario; /* NULL: a preset */
    const char *outdir;
    unsigned long seed;
    uint64_t n_events;
    bool events_given;
    bool event_truth;
    bool list;
} options;

/* 0 to go on, else the exit status (-1: --help printed, exit 0). */
static int parse_args(int argc, char **argv, options *o)
{
    *o = (options){"shsy5y", NULL, NULL, 20250312, 10000, false, true, false};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--preset") == 0 && i + 1 < argc) {
            o->preset = argv[++i];
        } else if (strcmp(argv[i], "--scenario") == 0 && i + 1 < argc) {
            o->scenario = argv[++i];
        } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc && o->outdir == NULL) {
            o->outdir = argv[++i];
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            uint64_t v;
            if (!apo_parse_u64(argv[i + 1], strlen(argv[i + 1]), &v)) {
                return 64;
            }
            o->seed = (unsigned long)v;
            i++;
        } else if (strcmp(argv[i], "--events") == 0 && i + 1 < argc) {
            if (!apo_parse_u64(argv[i + 1], strlen(argv[i + 1]), &o->n_events) ||
                o->n_events < 100 || o->n_events > 10000000) {
                return 64;
            }
            o->events_given = true;
            i++;
        } else if (strcmp(argv[i], "--no-event-truth") == 0) {
            o->event_truth = false;
        } else if (strcmp(argv[i], "--list") == 0) {
            o->list = true;
        } else if (strcmp(argv[i], "--help") == 0) {
            return -1;
        } else if (argv[i][0] != '-' && o->outdir == NULL) {
            o->outdir = argv[i];
        } else {
            return 64;
        }
    }
    return o->outdir == NULL && !o->list ? 64 : 0;
}

/* Draws and writes every sample of @p p with its sheet.csv and truth.csv rows (the samples
 * of a one-file preset are kept and written together at the end). */
static int write_experiment(const preset *p, const options *o, gsl_rng *rng, FILE *sheet,
                            FILE *truth)
{
    int rc = 0;
    sim_result *kept = p->one_file ? calloc(p->n_samples, sizeof *kept) : NULL;
    if (p->one_file && kept == NULL) {
        return 71;
    }
    for (size_t i = 0; rc == 0 && i < p->n_samples; i++) {
        const sim_sample *s = &p->samples[i];
        sim_result r = {0};
        if (!sim_events(&p->ins, &p->bio, s, (size_t)o->n_events, p->debris, p->doublets, rng,
                        &r)) {
            rc = 71;
            break;
        }
        if (p->one_file == NULL) {
            rc = write_sample(p, s, &r, o->outdir, o->seed, o->scenario != NULL);
        }
        if (rc == 0 && o->event_truth) {
            rc = write_truth_events(p, s, &r, o->outdir);
        }
        size_t count[SIM_N_CLASSES] = {0};
        for (size_t e = 0; e < r.n_events; e++) {
            count[r.truth[e]]++;
        }
        size_t cells = count[0] + count[1] + count[2] + count[3];
        const char *stim = strcmp(s->role, "stimulus") == 0 || strcmp(s->role, "treated") == 0 ||
                                   strcmp(s->role, "annexin_single") == 0
                               ? "H2O2 200 uM"
                               : "";
        const char *file = p->one_file ? p->one_file : s->file;
        fprintf(sheet, "%s,%s,%s,%s,%s,%s,%d,%s,%s", file, s->sample, s->role, s->treatment,
                s->dose, s->dose_unit, s->replicate, stim, s->well);
        if (p->one_file) {
            fprintf(sheet, ",%zu", i + 1);
        }
        fputc('\n', sheet);
        fprintf(truth, "%s,%s,%zu,%zu,%zu,%zu,%.4f,%.4f,%.4f,%.4f,%.4f\n", s->sample, file,
                r.n_events, count[SIM_DEBRIS], count[SIM_DOUBLET], cells,
                100.0 * (double)count[0] / (double)cells, 100.0 * (double)count[1] / (double)cells,
                100.0 * (double)count[2] / (double)cells, 100.0 * (double)count[3] / (double)cells,
                100.0 * (double)(count[1] + count[2]) / (double)cells);
        if (kept != NULL) {
            kept[i] = r;
        } else {
            sim_result_free(&r);
        }
    }
    if (rc == 0 && kept != NULL) {
        rc = write_one_file(p, kept, o->outdir, o->seed, o->scenario != NULL);
    }
    for (size_t i = 0; kept != NULL && i < p->n_samples; i++) {
        sim_result_free(&kept[i]);
    }
    free(kept);
    return rc;
}

int main(int argc, char **argv)
{
    options o;
    int rc = parse_args(argc, argv, &o);
    if (rc != 0) {
        usage(rc < 0 ? stdout : stderr);
        return rc < 0 ? 0 : rc;
    }
    if (o.list) {
        list_scenarios();
        return 0;
    }
    const sim_scenario *sc = NULL;
    if (o.scenario != NULL) {
        sc = sim_scenario_find(o.scenario);
        if (sc == NULL) {
            fprintf(stderr, "apoflow_simulate: unknown scenario '%s' (see --list)\n", o.scenario);
            return 64;
        }
        if (!o.events_given) {
            o.n_events = sc->events;
        }
    }
    if (mkdir(o.outdir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "apoflow_simulate: cannot create %s: %s\n", o.outdir, strerror(errno));
        return 73;
    }
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (rng == NULL) {
        return 71;
    }
    gsl_rng_set(rng, o.seed);
    preset p;
    if (sc != NULL ? !make_scenario(&p, sc, rng) : !make_preset(&p, o.preset, rng)) {
        fprintf(stderr, "apoflow_simulate: unknown preset '%s'\n", sc ? sc->family : o.preset);
        gsl_rng_free(rng);
        return 64;
    }
    if (p.events > 0 && !o.events_given) {
        o.n_events = p.events;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/sheet.csv", o.outdir);
    FILE *sheet = fopen(path, "w");
    snprintf(path, sizeof path, "%s/truth.csv", o.outdir);
    FILE *truth = fopen(path, "w");
    if (sheet == NULL || truth == NULL) {
        fprintf(stderr, "apoflow_simulate: cannot write in %s\n", o.outdir);
        rc = 73;
    } else {
        fputs(p.one_file ? "file,sample,role,treatment,dose,dose_unit,replicate,stimulus,well,"
                           "dataset\n"
                         : "file,sample,role,treatment,dose,dose_unit,replicate,stimulus,well\n",
              sheet);
        fputs("sample,file,events,debris,doublets,cells,viable_pct,early_apoptotic_pct,"
              "late_apoptotic_pct,necrotic_pct,apoptotic_pct\n",
              truth);
        rc = write_experiment(&p, &o, rng, sheet, truth);
    }
    if (sheet != NULL && fclose(sheet) != 0) {
        rc = 74;
    }
    if (truth != NULL && fclose(truth) != 0) {
        rc = 74;
    }
    free_preset(&p);
    gsl_rng_free(rng);
    return rc;
}
