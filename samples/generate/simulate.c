// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * simulate.c: apoflow_simulate, the generator of the example experiments in samples/.
 *   apoflow_simulate [--preset shsy5y|calibur] [--seed N] [--events N] [--no-event-truth] OUTDIR
 * writes one FCS 3.1 file per sample, sheet.csv (the sample sheet), truth.csv (the true
 * percentages of each class among single cells) and truth/<stem>.csv (the true class of every
 * event: 0 viable, 1 early apoptotic, 2 late apoptotic, 3 necrotic, 4 debris, 5 doublet).
 * The same seed always gives the same files.
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
    size_t n_samples;
    sim_sample samples[MAX_SAMPLES];
} preset;

/* Apoptotic % of H2O2 + Astragaloside IV at dose d (mg/L): a decreasing 4PL curve. */
static double asiv_apoptotic(double d)
{
    return 10.0 + 30.0 / (1.0 + pow(d / 90.0, 1.5));
}

static void set_frac(sim_sample *s, double apoptotic, double necrotic)
{
    double a = apoptotic / 100.0, n = necrotic / 100.0;
    s->frac[0] = 1.0 - a - n;
    s->frac[1] = 0.54 * a;
    s->frac[2] = 0.46 * a;
    s->frac[3] = n;
}

/* Adds the samples of a standard design: 3 controls, untreated, stimulus, doses. */
static void add_design(preset *p, const double *doses, size_t n_doses, int reps, gsl_rng *rng,
                       const char *ext)
{
    static const char *const rows = "ABCDEFGH";
    size_t k = 0;
    sim_sample *s;
    const char *ctl_file[3] = {"ctrl_unstained", "ctrl_annexin_only", "ctrl_pi_only"};
    const char *ctl_role[3] = {"unstained", "annexin_single", "pi_single"};
    const char *ctl_tube[3] = {"Unstained", "Annexin V FITC only", "PI only"};
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
            set_frac(s, 6.0, 2.5);
        } else if (c == 1) {
            set_frac(s, 40.0, 4.5); /* H2O2-treated cells, so that AnnV+ cells exist */
            s->annexin = true;
        } else {
            s->frac[0] = 0.45; /* heat-killed half: PI+ */
            s->frac[1] = 0.02;
            s->frac[2] = 0.08;
            s->frac[3] = 0.45;
            s->pi = true;
        }
        k++;
    }
    for (int g = -2; g < (int)n_doses; g++) {
        for (int r = 1; r <= reps; r++) {
            s = &p->samples[k];
            memset(s, 0, sizeof *s);
            s->annexin = s->pi = true;
            s->replicate = r;
            char f[96], name[64], dose[32];
            double jitter = reps > 1 ? gsl_ran_gaussian(rng, 1.2) : 0.0;
            if (g == -2) {
                snprintf(name, sizeof name, "untreated_r%d", r);
                s->role = "untreated";
                s->treatment = "";
                s->dose = "";
                s->dose_unit = "";
                s->tube = "Untreated";
                set_frac(s, 6.0 + 0.4 * jitter, 2.5);
            } else if (g == -1) {
                snprintf(name, sizeof name, "h2o2_r%d", r);
                s->role = "stimulus";
                s->treatment = "H2O2";
                s->dose = "";
                s->dose_unit = "";
                s->tube = "H2O2";
                set_frac(s, 40.0 + jitter, 4.5);
            } else {
                snprintf(dose, sizeof dose, "%g", doses[g]);
                snprintf(name, sizeof name, "h2o2_asiv%s_r%d", dose, r);
                s->role = "treated";
                s->treatment = "AS-IV";
                s->dose = strdup(dose);
                s->dose_unit = "mg/L";
                s->tube = "H2O2 + AS-IV";
                set_frac(s, asiv_apoptotic(doses[g]) + jitter, 4.5);
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
        }
    }
}

static bool make_preset(preset *p, const char *name, gsl_rng *rng)
{
    memset(p, 0, sizeof *p);
    if (strcmp(name, "shsy5y") == 0) {
        p->name = "shsy5y";
        p->ins = (sim_instrument){"FACSCanto II (simulated)", false, 262144.0, 0.22, 0.012, 0, 0,
                                  35.0, 1.5, 1200.0, 0.01};
        p->source = "SH-SY5Y";
        p->experiment = "SH-SY5Y H2O2 + Astragaloside IV, Annexin V-FITC/PI";
        p->spillover = "2,FITC-A,PE-A,1,0.22,0.012,1";
        p->debris = 0.08;
        p->doublets = 0.05;
        static const double doses[] = {50, 100, 200};
        add_design(p, doses, 3, 3, rng, "fcs");
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
                                  0.45, 2.0, 0.0, 600.0, 0.1};
        p->source = "SH-SY5Y";
        p->experiment = "AS-IV dose series (FACSCalibur)";
        p->spillover = "3,FL1-H,FL2-H,FL3-H,1,0.25,0.03,0,1,0,0.002,0.45,1";
        p->debris = 0.06;
        p->doublets = 0.004;
        static const double doses[] = {12.5, 25, 50, 100, 200};
        add_design(p, doses, 5, 1, rng, "fcs");
        return true;
    }
    return false;
}

static int write_sample(const preset *p, const sim_sample *s, const sim_result *r,
                        const char *outdir, unsigned long seed)
{
    const char *const *names;
    const char *const *labels;
    size_t np = sim_channels(&p->ins, &names, &labels);
    fcs_write_param params[8];
    for (size_t i = 0; i < np; i++) {
        params[i].name = names[i];
        params[i].label = labels[i][0] ? labels[i] : NULL;
        params[i].range = p->ins.range;
        if (p->ins.height_only && i >= 2 && i + 1 < np) {
            params[i].range = 10000.0; /* 4-decade log amplifier: scale values 1 .. 10^4 */
        }
    }
    params[np - 1].range = NAN; /* Time: from the data */
    char timestep[32], com[160], etim[16];
    snprintf(timestep, sizeof timestep, "%g", p->ins.timestep);
    snprintf(com, sizeof com, "simulated by apoflow_simulate --preset %s --seed %lu", p->name,
             seed);
    double secs = r->values[(np - 1) * r->n_events + r->n_events - 1] * p->ins.timestep;
    int end = 10 * 3600 + (int)secs;
    snprintf(etim, sizeof etim, "%02d:%02d:%02d", end / 3600, end / 60 % 60, end % 60);
    fcs_write_keyword kw[] = {
        {"$CYT", p->ins.cytometer}, {"$FIL", s->file},          {"$SRC", p->source},
        {"$DATE", "12-MAR-2025"},   {"$BTIM", "10:00:00"},      {"$ETIM", etim},
        {"$LAST_MODIFIED", "12-MAR-2025 10:30:00"}, /* fixed: reproducible files */
        {"$TIMESTEP", timestep},    {"$SPILLOVER", p->spillover}, {"$COM", com},
        {"TUBE NAME", s->tube},     {"EXPERIMENT NAME", p->experiment}, {"WELL ID", s->well},
    };
    fcs_write_spec spec = {np, params, r->n_events, r->values, sizeof kw / sizeof kw[0], kw};
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", outdir, s->file);
    apo_error err;
    if (fcs_write_file(path, &spec, &err) != APO_OK) {
        fprintf(stderr, "apoflow_simulate: %s\n", err.msg);
        return 1;
    }
    return 0;
}

static int write_truth_events(const sim_sample *s, const sim_result *r, const char *outdir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/truth", outdir);
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "apoflow_simulate: cannot create %s: %s\n", path, strerror(errno));
        return 1;
    }
    char stem[256];
    snprintf(stem, sizeof stem, "%s", s->file);
    char *dot = strrchr(stem, '.');
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
    fputs("usage: apoflow_simulate [--preset shsy5y|calibur] [--seed N] [--events N]\n"
          "                        [--no-event-truth] OUTDIR\n",
          to);
}

int main(int argc, char **argv)
{
    const char *preset_name = "shsy5y";
    const char *outdir = NULL;
    unsigned long seed = 20250312;
    uint64_t n_events = 10000;
    bool event_truth = true;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--preset") == 0 && i + 1 < argc) {
            preset_name = argv[++i];
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            uint64_t v;
            if (!apo_parse_u64(argv[i + 1], strlen(argv[i + 1]), &v)) {
                usage(stderr);
                return 64;
            }
            seed = (unsigned long)v;
            i++;
        } else if (strcmp(argv[i], "--events") == 0 && i + 1 < argc) {
            if (!apo_parse_u64(argv[i + 1], strlen(argv[i + 1]), &n_events) || n_events < 100 ||
                n_events > 10000000) {
                usage(stderr);
                return 64;
            }
            i++;
        } else if (strcmp(argv[i], "--no-event-truth") == 0) {
            event_truth = false;
        } else if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] != '-' && outdir == NULL) {
            outdir = argv[i];
        } else {
            usage(stderr);
            return 64;
        }
    }
    if (outdir == NULL) {
        usage(stderr);
        return 64;
    }
    if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "apoflow_simulate: cannot create %s: %s\n", outdir, strerror(errno));
        return 73;
    }
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (rng == NULL) {
        return 71;
    }
    gsl_rng_set(rng, seed);
    preset p;
    if (!make_preset(&p, preset_name, rng)) {
        fprintf(stderr, "apoflow_simulate: unknown preset '%s'\n", preset_name);
        gsl_rng_free(rng);
        return 64;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/sheet.csv", outdir);
    FILE *sheet = fopen(path, "w");
    snprintf(path, sizeof path, "%s/truth.csv", outdir);
    FILE *truth = fopen(path, "w");
    int rc = 0;
    if (sheet == NULL || truth == NULL) {
        fprintf(stderr, "apoflow_simulate: cannot write in %s\n", outdir);
        rc = 73;
    } else {
        fputs("file,sample,role,treatment,dose,dose_unit,replicate,stimulus,well\n", sheet);
        fputs("sample,file,events,debris,doublets,cells,viable_pct,early_apoptotic_pct,"
              "late_apoptotic_pct,necrotic_pct,apoptotic_pct\n",
              truth);
    }
    for (size_t i = 0; rc == 0 && i < p.n_samples; i++) {
        const sim_sample *s = &p.samples[i];
        sim_result r = {0};
        if (!sim_events(&p.ins, s, (size_t)n_events, p.debris, p.doublets, rng, &r)) {
            rc = 71;
            break;
        }
        rc = write_sample(&p, s, &r, outdir, seed);
        if (rc == 0 && event_truth) {
            rc = write_truth_events(s, &r, outdir);
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
        fprintf(sheet, "%s,%s,%s,%s,%s,%s,%d,%s,%s\n", s->file, s->sample, s->role, s->treatment,
                s->dose, s->dose_unit, s->replicate, stim, s->well);
        fprintf(truth, "%s,%s,%zu,%zu,%zu,%zu,%.4f,%.4f,%.4f,%.4f,%.4f\n", s->sample, s->file,
                r.n_events, count[SIM_DEBRIS], count[SIM_DOUBLET], cells,
                100.0 * (double)count[0] / (double)cells, 100.0 * (double)count[1] / (double)cells,
                100.0 * (double)count[2] / (double)cells, 100.0 * (double)count[3] / (double)cells,
                100.0 * (double)(count[1] + count[2]) / (double)cells);
        sim_result_free(&r);
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
