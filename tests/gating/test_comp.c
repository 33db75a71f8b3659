/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_comp.c: compensation against vectors/compensation_vectors.csv (MySpill, the AnnV/PI
 * 2x2, FlowKit's 14x14 CSV matrix, FlowUtils' 13x13 $SPILL matrix), conditioning numbers,
 * singular matrices, channel binding (only named channels change), threads, and the CSV
 * reader/writer (FlowJo CSV, tab, '#', row names, R write.table, errors, atomic write).
 */
#include "gating/gating_internal.h"

#include "support/need.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void setup_gsl(void)
{
    gsl_set_error_handler_off();
}

TestSuite(gating_comp, .init = setup_gsl);

static void need_corpus(const char *path)
{
    test_need_path(path, "the corpus file");
}

static const char *const MYSPILL_DET[] = {"FL1-H", "FL2-H", "FL3-H"};
static const double MYSPILL[] = {1, 0.02, 0.06, 0.11, 1, 0.07, 0.09, 0.01, 1};
static const char *const ANNV_DET[] = {"FITC-A", "PI-A"};
static const double ANNV[] = {1, 0.2986, 0.007, 1};

/* FlowUtils tests/compensation_tests.py fcs_spill (whitews/FlowUtils, BSD-3): the 13x13
 * $SPILL test string behind the spill13_all1000 vector; used here as test input only. */
static const char *const SPILL13_DET[] = {"B515-A", "R780-A", "R710-A", "R660-A", "V800-A",
                                          "V655-A", "V585-A", "V450-A", "G780-A", "G710-A",
                                          "G660-A", "G610-A", "G560-A"};
static const double SPILL13[169] = {
    1, 0, 0, 0.00008841570561316703, 0.0002494559842740046, 0.0006451591561972469,
    0.007198401782797728, 0, 0, 0.00013132619816952714, 0.0000665251222573374,
    0.0005815839652764308, 0.0025201730479353047, 0, 1, 0.07118758880093266,
    0.14844804153215532, 0.3389031912802132, 0.00971660311243448, 0, 0, 0.3013801753249257,
    0.007477611134717788, 0.0123543122066652, 0, 0, 0, 0.33140488468849205, 1,
    0.0619647566095391, 0.12097867005182314, 0.004052554840959644, 0, 0, 0.1091165124197372,
    0.10031383324016652, 0.005831773047424356, 0, 0, 0, 0.08862108746390694,
    0.38942413967608824, 1, 0.029758767352535288, 0.06555281586224636, 0, 0,
    0.03129393154653089, 0.039305936245674286, 0.09137451237674046, 0.00039591122341817164,
    0.000056659766405160846, 0, 0.13661791418865094, 0.010757316236957385, 0, 1,
    0.00015647113960278087, 0, 0, 0.48323487842103036, 0.01485813345103798, 0, 0, 0, 0,
    0.00012365104122837034, 0.019462610460087203, 0.2182062762553545, 0.004953221988365214, 1,
    0.003582785726251024, 0, 0.0013106968243292993, 0.029645575685206288, 0.4089015923558522,
    0.006505826616588717, 0.00011917703878954761, 0, 0, 0, 0, 0.001055595075733903,
    0.002287122431059274, 1, 0, 0.0003885172922042414, 0.0001942589956485108, 0,
    0.06255131165904257, 0.13248446095817049, 0, 0, 0, 0, 0, 0.008117870042687002,
    0.17006643956891296, 1, 0, 0, 0, 0, 0, 0.003122390646560834, 0.008525685683831916,
    0.001024237027323255, 0.0011626412849951272, 0.12540105131097395, 0.018142202256893485,
    0.19364562239714117, 0, 1, 0.06689784643460173, 0.16145640353506588, 0.2868231743828476,
    1.2380368696528024, 0.002015498041918758, 0.06964529385206036, 0.19471548842271394,
    0.0010077719457714136, 0.15161117217667686, 0.0012703511702660231, 0.007133491446011225, 0,
    1.1500323358669722, 1, 0.016076827046672983, 0.014674146885307975, 0.055351746085494,
    0.001685226072130514, 0.05433993817875603, 0.27785224557295884, 0.34300826602551504,
    0.06175281041168121, 0.07752283973796613, 0.0042628794531131406, 0, 0.49748791920091034,
    0.7439226300384197, 1, 0.010329232815907474, 0.03763461149817695, 0, 0.008713148000954844,
    0.04821275078920058, 0.07319044343609345, 0.1505631929508567, 0.3862934410767249,
    0.10189631814602482, 0, 0.3702770755789083, 0.6134900271606913, 1.2180240147472128, 1,
    0.06521131251063482, 0.0016842378874079343, 0, 0, 0.00009533732312150527,
    0.0034630076700367675, 0.01571183587491517, 0.17412189188164517, 0, 0.023802192010810994,
    0.049474451704249904, 0.13251071256825273, 0.23921555785727822, 1};

/* Split a CSV line with "quoted" fields into at most max fields (quotes removed, in place). */
static size_t split_quoted(char *line, char **f, size_t max)
{
    size_t n = 0;
    char *w = line;
    char *r = line;
    line[strcspn(line, "\r\n")] = '\0';
    f[n++] = w;
    bool q = false;
    for (; *r; r++) {
        if (*r == '"') {
            q = !q;
        } else if (*r == ',' && !q) {
            *w++ = '\0';
            if (n == max) {
                return n;
            }
            f[n++] = w;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return n;
}

static size_t parse_list(const char *s, double *out, size_t max)
{
    size_t n = 0;
    while (*s && n < max) {
        const char *e = strchr(s, ';');
        const size_t len = e ? (size_t)(e - s) : strlen(s);
        cr_assert(apo_parse_double(s, len, false, &out[n]), "bad number in '%s'", s);
        n++;
        s += len + (e != NULL);
    }
    return n;
}

static gate_comp *load_comp14(void)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/compensation/comp_complete_example.csv", APOFLOW_CORPUS_DIR);
    need_corpus(path);
    gate_comp *c = NULL;
    apo_error err;
    cr_assert_eq(gate_comp_read_csv(&c, path, &err), APO_OK, "%s", err.msg);
    return c;
}

/* Apply through both entry points (vector and column-major events) and compare. */
static void check_case(const gate_comp *c0, const double *raw, const double *want, double tol,
                       const char *name)
{
    const size_t n = c0->n;
    double out[32];
    gate_comp_apply_vector(c0, raw, out);
    for (size_t j = 0; j < n; j++) {
        cr_assert_float_eq(out[j], want[j], tol, "%s detector %zu: %.9f vs %.9f", name, j,
                           out[j], want[j]);
    }
    /* events: one extra leading column ("FSC-A") and 3 identical events */
    gate_comp *c = NULL;
    cr_assert_eq(gate_comp_new(&c, n, (const char *const *)c0->detectors, NULL, c0->spill, NULL),
                 APO_OK);
    const char *names[33];
    names[0] = "FSC-A";
    for (size_t j = 0; j < n; j++) {
        names[j + 1] = c0->detectors[n - 1 - j]; /* reversed column order in the file */
    }
    cr_assert_eq(gate_comp_bind_names(c, n + 1, names, NULL), APO_OK);
    fcs_events ev = {3, n + 1, calloc(3 * (n + 1), sizeof(double))};
    for (size_t e = 0; e < 3; e++) {
        ev.values[e] = 123.0 + (double)e;
        for (size_t j = 0; j < n; j++) {
            ev.values[(n - j) * 3 + e] = raw[j];
        }
    }
    cr_assert_eq(gate_comp_apply(c, &ev, 1, NULL), APO_OK);
    for (size_t e = 0; e < 3; e++) {
        cr_assert_eq(ev.values[e], 123.0 + (double)e);
        for (size_t j = 0; j < n; j++) {
            cr_assert_float_eq(ev.values[(n - j) * 3 + e], want[j], tol, "%s events", name);
        }
    }
    free(ev.values);
    gate_comp_free(c);
}

Test(gating_comp, vectors)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/vectors/compensation_vectors.csv", APOFLOW_CORPUS_DIR);
    need_corpus(path);
    gate_comp *myspill = NULL;
    gate_comp *annv = NULL;
    gate_comp *spill13 = NULL;
    cr_assert_eq(gate_comp_new(&myspill, 3, MYSPILL_DET, NULL, MYSPILL, NULL), APO_OK);
    cr_assert_eq(gate_comp_new(&annv, 2, ANNV_DET, NULL, ANNV, NULL), APO_OK);
    cr_assert_eq(gate_comp_new(&spill13, 13, SPILL13_DET, NULL, SPILL13, NULL), APO_OK);
    gate_comp *comp14 = load_comp14();
    FILE *fp = fopen(path, "r");
    cr_assert_not_null(fp);
    char line[2048];
    char *f[8];
    size_t cases = 0;
    cr_assert_not_null(fgets(line, sizeof(line), fp));
    while (fgets(line, sizeof(line), fp) != NULL) {
        cr_assert_eq(split_quoted(line, f, 8), 5, "fields in %s", line);
        double raw[32];
        double want[32];
        const size_t nw = parse_list(f[3], want, 32);
        const gate_comp *c = NULL;
        double tol = 1e-6;
        if (strncmp(f[0], "gml_myspill", 11) == 0) {
            c = myspill;
        } else if (strncmp(f[0], "annv_pi_2x2", 11) == 0) {
            c = annv;
        } else if (strcmp(f[0], "comp14_pure_ax488") == 0) {
            c = comp14;
        } else if (strcmp(f[0], "spill13_all1000") == 0) {
            c = spill13;
            tol = 1e-4;
        }
        cr_assert_not_null(c, "unknown case %s", f[0]);
        cr_assert_eq(nw, c->n, "%s", f[0]);
        if (strcmp(f[0], "comp14_pure_ax488") == 0) {
            for (size_t j = 0; j < 14; j++) {
                raw[j] = 10000.0 * c->spill[j];
            }
        } else if (strcmp(f[0], "spill13_all1000") == 0) {
            for (size_t j = 0; j < 13; j++) {
                raw[j] = 1000.0;
            }
        } else {
            cr_assert_eq(parse_list(f[2], raw, 32), c->n);
        }
        check_case(c, raw, want, tol, f[0]);
        cases++;
    }
    fclose(fp);
    cr_assert_eq(cases, 8);
    /* conditioning (from the vector notes) */
    cr_assert_float_eq(myspill->cond2, 1.221652, 1e-6);
    cr_assert_float_eq(myspill->rcond, 0.693495, 1e-6);
    cr_assert_float_eq(annv->cond2, 1.356271, 1e-6);
    cr_assert_float_eq(comp14->cond2, 1.383673, 1e-6);
    cr_assert_float_eq(spill13->cond2, 8.3327, 1e-4);
    cr_assert_float_eq(spill13->rcond, 0.0448, 1e-4);
    cr_assert_float_eq(spill13->max_offdiag, 1.238037, 1e-6);
    cr_assert(!myspill->ill_conditioned);
    cr_assert(spill13->ill_conditioned); /* an off-diagonal > 1 */
    /* S^-1 of MySpill (corpus/vectors) */
    static const double inv[9] = {1.0074685550,  -0.0195585810, -0.0590790126,
                                  -0.1045476725, 1.0027301359,  -0.0639182492,
                                  -0.0896266932, -0.0082670291, 1.0059562936};
    for (size_t k = 0; k < 9; k++) {
        cr_assert_float_eq(myspill->inverse[k], inv[k], 1e-10);
    }
    gate_comp_free(myspill);
    gate_comp_free(annv);
    gate_comp_free(spill13);
    gate_comp_free(comp14);
}

Test(gating_comp, singular_and_bad_input)
{
    gate_comp *c = NULL;
    apo_error err;
    static const double sing[4] = {1, 1, 1, 1};
    cr_assert_eq(gate_comp_new(&c, 2, ANNV_DET, NULL, sing, &err), APO_E_NUMERIC);
    cr_assert_null(c);
    cr_assert(strstr(err.msg, "singular") != NULL, "%s", err.msg);
    static const double near[4] = {1, 1, 1, 1 + 1e-15};
    cr_assert_eq(gate_comp_new(&c, 2, ANNV_DET, NULL, near, &err), APO_E_NUMERIC);
    cr_assert(strstr(err.msg, "singular") != NULL, "%s", err.msg);
    static const double bad[4] = {1, NAN, 0, 1};
    cr_assert_eq(gate_comp_new(&c, 2, ANNV_DET, NULL, bad, &err), APO_E_FORMAT);
    const char *dup[2] = {"A", "A"};
    cr_assert_eq(gate_comp_new(&c, 2, dup, NULL, ANNV, &err), APO_E_USAGE);
    cr_assert_eq(gate_comp_new(&c, 0, dup, NULL, ANNV, &err), APO_E_USAGE);
    /* strongly ill-conditioned but invertible: accepted with the warning flag */
    static const double ill[4] = {1, 0.99, 0.99, 1};
    cr_assert_eq(gate_comp_new(&c, 2, ANNV_DET, NULL, ill, &err), APO_OK);
    cr_assert(c->ill_conditioned);
    cr_assert_gt(c->cond2, 100.0);
    gate_comp_free(c);
    gate_comp_free(NULL);
}

Test(gating_comp, bind_names)
{
    gate_comp *c = NULL;
    apo_error err;
    cr_assert_eq(gate_comp_new(&c, 3, MYSPILL_DET, NULL, MYSPILL, NULL), APO_OK);
    const char *names[5] = {"FSC-H", "Comp-FL3-H", "fl1-h", "FL2-H", "Time"};
    cr_assert_eq(gate_comp_bind_names(c, 5, names, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(c->param_index[0], 2);
    cr_assert_eq(c->param_index[1], 3);
    cr_assert_eq(c->param_index[2], 1);
    const char *missing[3] = {"FSC-H", "FL1-H", "FL3-H"};
    cr_assert_eq(gate_comp_bind_names(c, 3, missing, &err), APO_E_USAGE);
    cr_assert(strstr(err.msg, "FL2-H") != NULL, "%s", err.msg);
    cr_assert_str_eq(err.keyword, "FL2-H");
    /* unbound apply is refused */
    gate_comp *u = NULL;
    cr_assert_eq(gate_comp_new(&u, 3, MYSPILL_DET, NULL, MYSPILL, NULL), APO_OK);
    double v[3] = {1, 2, 3};
    fcs_events ev = {1, 3, v};
    cr_assert_eq(gate_comp_apply(u, &ev, 0, &err), APO_E_USAGE);
    gate_comp_free(u);
    gate_comp_free(c);
}

Test(gating_comp, threads_and_blocks)
{
    gate_comp *c = NULL;
    cr_assert_eq(gate_comp_new(&c, 3, MYSPILL_DET, NULL, MYSPILL, NULL), APO_OK);
    const char *names[5] = {"FSC-H", "FL1-H", "FL2-H", "FL3-H", "Time"};
    cr_assert_eq(gate_comp_bind_names(c, 5, names, NULL), APO_OK);
    const uint64_t n = 300007; /* not a multiple of the block size */
    fcs_events a = {n, 5, malloc(5 * n * sizeof(double))};
    fcs_events b = {n, 5, malloc(5 * n * sizeof(double))};
    cr_assert(a.values != NULL && b.values != NULL);
    for (uint64_t i = 0; i < 5 * n; i++) {
        a.values[i] = (double)((i * 2654435761u) % 100003) - 5000.0;
    }
    memcpy(b.values, a.values, 5 * n * sizeof(double));
    cr_assert_eq(gate_comp_apply(c, &a, 1, NULL), APO_OK);
    cr_assert_eq(gate_comp_apply(c, &b, 0, NULL), APO_OK);
    cr_assert_eq(memcmp(a.values, b.values, 5 * n * sizeof(double)), 0);
    /* spot check an event against the vector path, and untouched FSC/Time */
    for (uint64_t e = 0; e < n; e += 49999) {
        double raw[3];
        double want[3];
        for (size_t j = 0; j < 3; j++) {
            raw[j] = (double)((((j + 1) * n + e) * 2654435761u) % 100003) - 5000.0;
        }
        gate_comp_apply_vector(c, raw, want);
        for (size_t j = 0; j < 3; j++) {
            cr_assert_float_eq(b.values[(j + 1) * n + e], want[j], 1e-9 * fmax(1, fabs(want[j])));
        }
        cr_assert_eq(b.values[e], (double)((e * 2654435761u) % 100003) - 5000.0);
        cr_assert_eq(b.values[4 * n + e], (double)(((4 * n + e) * 2654435761u) % 100003) - 5000.0);
    }
    free(a.values);
    free(b.values);
    gate_comp_free(c);
}

static gate_comp *parse(const char *text, apo_status want)
{
    gate_comp *c = NULL;
    apo_error err;
    const apo_status st = gate_comp_parse_csv(&c, text, strlen(text), "mem.csv", &err);
    cr_assert_eq(st, want, "%s -> %d: %s", text, (int)st, err.msg);
    if (st != APO_OK) {
        cr_assert(strstr(err.msg, "expected") != NULL, "%s", err.msg);
    }
    return c;
}

Test(gating_comp, csv_variants)
{
    gate_comp *c = parse("# FITC-A\tPI-A\r\n1\t0.2986\r\n0.007\t1\r\n\r\n", APO_OK);
    cr_assert_eq(c->n, 2);
    cr_assert_str_eq(c->detectors[1], "PI-A");
    cr_assert_float_eq(c->spill[1], 0.2986, 1e-15);
    gate_comp_free(c);
    /* row names, rows in another order: reordered to the header */
    c = parse(",FITC-A,PI-A\nPI-A,0.007,1\nFITC-A,1,0.2986\n", APO_OK);
    cr_assert_float_eq(c->spill[1], 0.2986, 1e-15);
    cr_assert_float_eq(c->spill[2], 0.007, 1e-15);
    gate_comp_free(c);
    /* row names that are fluorochromes: kept as such, order unchanged */
    c = parse("FITC-A,PI-A\nAnnV,1,0.2986\nPI,0.007,1\n", APO_OK);
    cr_assert_str_eq(c->fluorochromes[0], "AnnV");
    cr_assert_str_eq(c->detectors[0], "FITC-A");
    gate_comp_free(c);
    /* names with spaces, quoted */
    c = parse("\"Alexa Fluor 488-A\",\"PE-A\"\n1,0.188\n0.006,1\n", APO_OK);
    cr_assert_str_eq(c->detectors[0], "Alexa Fluor 488-A");
    gate_comp_free(c);
    parse("A,B\n1,0.1\n", APO_E_FORMAT);           /* missing row */
    parse("A,B\n1,0.1\n0,1\n0,1\n", APO_E_FORMAT);  /* extra row */
    parse("A,B\n1,0.1,3,4\n0,1\n", APO_E_FORMAT);   /* wrong width */
    parse("A,B\n1,x\n0,1\n", APO_E_FORMAT);         /* not a number */
    parse("", APO_E_FORMAT);                        /* empty */
    parse("A,B\n1,1\n1,1\n", APO_E_NUMERIC);        /* singular */
}

Test(gating_comp, csv_r_write_table)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/fcs/flowcore/compdata/compref1", APOFLOW_CORPUS_DIR);
    need_corpus(path);
    gate_comp *c = NULL;
    apo_error err;
    cr_assert_eq(gate_comp_read_csv(&c, path, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(c->n, 4);
    cr_assert_str_eq(c->detectors[3], "FL4-H");
    cr_assert_float_eq(c->spill[1], 0.242022277630705, 1e-15);
    cr_assert_float_eq(c->spill[2 * 4 + 3], 0.229593859843027, 1e-15);
    gate_comp_free(c);
    cr_assert_eq(gate_comp_read_csv(&c, "/nonexistent/x.csv", &err), APO_E_IO);
}

Test(gating_comp, csv_flowjo_legacy_cr)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/fcs/flowcore/compdata/compmatrix", APOFLOW_CORPUS_DIR);
    need_corpus(path);
    gate_comp *c = NULL;
    apo_error err;
    cr_assert_eq(gate_comp_read_csv(&c, path, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(c->n, 4);
    cr_assert_str_eq(c->detectors[0], "FL1-H");
    cr_assert_str_eq(c->detectors[3], "FL4-H");
    cr_assert_float_eq(c->spill[1], 0.24, 1e-15);
    cr_assert_float_eq(c->spill[3], 1.13e-3, 1e-18);
    cr_assert_float_eq(c->spill[12], 7.95e-4, 1e-18);
    cr_assert_float_eq(c->spill[15], 1.0, 1e-15);
    gate_comp_free(c);
    /* CR-only and mixed line ends in plain CSV too */
    c = parse("A,B\r1,0.5\r\n0.25,1\n", APO_OK);
    cr_assert_float_eq(c->spill[2], 0.25, 1e-15);
    gate_comp_free(c);
}

Test(gating_comp, csv_write_round_trip)
{
    char dir[] = "/tmp/apoflow-comp-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof(path), "%s/m.csv", dir);
    gate_comp *c = NULL;
    const char *det[3] = {"FL1-H", "FL2,odd", "FL3-H"};
    cr_assert_eq(gate_comp_new(&c, 3, det, NULL, MYSPILL, NULL), APO_OK);
    c->spill[1] = 0.1 + 0.2; /* needs 17 digits */
    cr_assert_eq(gate_comp_write_csv(c, path, NULL), APO_OK);
    gate_comp *d = NULL;
    apo_error err;
    cr_assert_eq(gate_comp_read_csv(&d, path, &err), APO_OK, "%s", err.msg);
    cr_assert_eq(d->n, 3);
    cr_assert_str_eq(d->detectors[1], "FL2,odd");
    cr_assert_eq(memcmp(d->spill, c->spill, 9 * sizeof(double)), 0);
    /* only the final file remains (no temporary) */
    DIR *dh = opendir(dir);
    size_t files = 0;
    for (struct dirent *de = readdir(dh); de != NULL; de = readdir(dh)) {
        files += de->d_name[0] != '.';
        cr_assert(strstr(de->d_name, "tmp") == NULL, "%s", de->d_name);
    }
    closedir(dh);
    cr_assert_eq(files, 1);
    remove(path);
    rmdir(dir);
    /* an unwritable target fails cleanly */
    cr_assert_neq(gate_comp_write_csv(c, "/nonexistent-dir/m.csv", &err), APO_OK);
    gate_comp_free(c);
    gate_comp_free(d);
}
