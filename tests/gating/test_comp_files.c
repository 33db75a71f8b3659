/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_comp_files.c: spillover matrices computed from real single-stain control files:
 * flowCore's FACSCalibur set 060909.00[1-5] against flowStats' reference compdata/compref1
 * (all events: exact; positive population: close), and the CytoExploreR LSRII set with
 * Compensation-Channels.csv against the acquisition $SPILL matrix stored in its files.
 */
#include "gating/gating_internal.h"

#include "support/fcs_builder.h"
#include "support/need.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void setup_gsl(void)
{
    gsl_set_error_handler_off();
}

TestSuite(gating_comp_files, .init = setup_gsl);

static void corpus_path(char *out, size_t cap, const char *rel)
{
    snprintf(out, cap, "%s/%s", APOFLOW_CORPUS_DIR, rel);
    test_need_path(out, "the corpus file");
}

typedef struct files {
    char p[8][1024];
    const char *v[8];
    size_t n;
} files;

static void add(files *f, const char *rel)
{
    corpus_path(f->p[f->n], sizeof(f->p[0]), rel);
    f->v[f->n] = f->p[f->n];
    f->n++;
}

/* point v[] at this copy's own strings (after a struct copy) */
static void fix(files *f)
{
    for (size_t i = 0; i < f->n; i++) {
        f->v[i] = f->p[i];
    }
}

static gate_comp *compute(const files *f, const char *sheet_rel, gate_comp_population pop,
                          gate_comp_report *rep)
{
    char sp[1024];
    corpus_path(sp, sizeof(sp), sheet_rel);
    gate_comp_sheet sheet;
    apo_error err;
    cr_assert_eq(gate_comp_sheet_read(&sheet, sp, &err), APO_OK, "%s", err.msg);
    gate_comp_compute_options o = GATE_COMP_COMPUTE_OPTIONS_INIT;
    o.population = pop;
    gate_comp *c = NULL;
    cr_assert_eq(gate_comp_compute_files(&c, f->n, f->v, &sheet, &o, NULL, rep, &err), APO_OK,
                 "%s", err.msg);
    gate_comp_sheet_free(&sheet);
    return c;
}

static double max_diff(const gate_comp *a, const gate_comp *b)
{
    cr_assert_eq(a->n, b->n);
    double d = 0.0;
    for (size_t i = 0; i < a->n; i++) {
        cr_assert_str_eq(a->detectors[i], b->detectors[i]);
        for (size_t j = 0; j < a->n; j++) {
            d = fmax(d, fabs(a->spill[i * a->n + j] - b->spill[i * a->n + j]));
        }
    }
    return d;
}

static files flowcore_files(void)
{
    files f = {0};
    add(&f, "fcs/flowcore/060909.001");
    add(&f, "fcs/flowcore/060909.002");
    add(&f, "fcs/flowcore/060909.003");
    add(&f, "fcs/flowcore/060909.004");
    add(&f, "fcs/flowcore/060909.005");
    return f;
}

Test(gating_comp_files, flowcore_compref1)
{
    files f = flowcore_files();
    fix(&f);
    char rp[1024];
    corpus_path(rp, sizeof(rp), "fcs/flowcore/compdata/compref1");
    gate_comp *ref = NULL;
    apo_error err;
    cr_assert_eq(gate_comp_read_csv(&ref, rp, &err), APO_OK, "%s", err.msg);
    gate_comp_report rep;
    gate_comp *all = compute(&f, "fcs/flowcore/compdata/comp_match", GATE_COMP_POP_ALL, &rep);
    /* flowStats spillover(useNormFilt = FALSE), method median: reproduced exactly */
    const double d_all = max_diff(all, ref);
    cr_log_info("060909 all events vs compref1: max |diff| = %g", d_all);
    cr_assert_lt(d_all, 1e-14);
    cr_assert_eq(rep.n, 4);
    cr_assert(strstr(rep.control_file[3], "060909.004") != NULL);
    cr_assert_eq(rep.used_events[3], 10000);
    cr_assert_eq(rep.n_skipped, 0);
    gate_comp_report_free(&rep);
    /* positive population (default): close to the reference, differs in the FL3 row */
    gate_comp *pos = compute(&f, "fcs/flowcore/compdata/comp_match", GATE_COMP_POP_POSITIVE,
                             NULL);
    const double d_pos = max_diff(pos, ref);
    cr_log_info("060909 positive population vs compref1: max |diff| = %g", d_pos);
    cr_assert_lt(d_pos, 0.02);
    cr_assert_float_eq(pos->spill[1], 0.242022277630705, 1e-6); /* FL1 -> FL2 */
    gate_comp_free(ref);
    gate_comp_free(all);
    gate_comp_free(pos);
}

Test(gating_comp_files, cytoexplorer_vs_acquisition_spill)
{
    files f = {0};
    add(&f, "fcs/cytoexplorerdata/Compensation-7AAD.fcs");
    add(&f, "fcs/cytoexplorerdata/Compensation-AF700.fcs");
    add(&f, "fcs/cytoexplorerdata/Compensation-APC.fcs");
    add(&f, "fcs/cytoexplorerdata/Compensation-FITC.fcs");
    add(&f, "fcs/cytoexplorerdata/Compensation-PE.fcs");
    add(&f, "fcs/cytoexplorerdata/Compensation-Unstained.fcs");
    gate_comp_report rep;
    gate_comp *c = compute(&f, "fcs/cytoexplorerdata/Compensation-Channels.csv",
                           GATE_COMP_POP_POSITIVE, &rep);
    cr_assert_eq(c->n, 5);
    cr_assert_str_eq(c->detectors[0], "Alexa Fluor 488-A");
    cr_assert_str_eq(c->detectors[4], "Alexa Fluor 700-A");
    cr_assert_eq(rep.n_skipped, 1); /* Compensation-APC-Cy7.fcs is not in the corpus */
    cr_assert_str_eq(rep.skipped[0], "Compensation-APC-Cy7.fcs");
    gate_comp_report_free(&rep);
    /* reference: the DIVA $SPILL keyword of the same files */
    fcs_file *ff = NULL;
    apo_error err;
    cr_assert_eq(fcs_file_open(&ff, f.v[3], NULL, &err), APO_OK, "%s", err.msg);
    const fcs_spillover *sp = fcs_dataset_spillover(fcs_file_dataset(ff, 0));
    cr_assert_not_null(sp);
    gate_comp *ref = NULL;
    cr_assert_eq(gate_comp_from_fcs(&ref, sp, &err), APO_OK, "%s", err.msg);
    size_t map[5];
    cr_assert_eq(gate_comp_bind_names(ref, 0, NULL, NULL), APO_E_USAGE);
    for (size_t i = 0; i < 5; i++) {
        map[i] = SIZE_MAX;
        for (size_t k = 0; k < ref->n; k++) {
            if (strcmp(ref->detectors[k], c->detectors[i]) == 0) {
                map[i] = k;
            }
        }
        cr_assert_neq(map[i], SIZE_MAX, "%s", c->detectors[i]);
    }
    double worst = 0.0;
    for (size_t i = 0; i < 5; i++) {
        for (size_t j = 0; j < 5; j++) {
            const double d = fabs(c->spill[i * 5 + j] - ref->spill[map[i] * ref->n + map[j]]);
            if (d > worst) {
                cr_log_info("  %s -> %s: %.5f vs $SPILL %.5f", c->detectors[i], c->detectors[j],
                            c->spill[i * 5 + j], ref->spill[map[i] * ref->n + map[j]]);
            }
            worst = fmax(worst, d);
        }
    }
    cr_log_info("LSRII controls vs $SPILL: max |diff| = %g", worst);
    cr_assert_lt(worst, 0.05);
    /* the large terms */
    cr_assert_float_eq(c->spill[0 * 5 + 1], 0.188, 0.02);  /* AF488 -> PE */
    cr_assert_float_eq(c->spill[1 * 5 + 2], 0.168, 0.02);  /* PE -> 7-AAD */
    cr_assert_float_eq(c->spill[3 * 5 + 4], 0.359, 0.02);  /* AF647 -> AF700 */
    gate_comp_free(ref);
    gate_comp_free(c);
    fcs_file_free(ff);
}

Test(gating_comp_files, pairing_errors)
{
    files f = flowcore_files();
    fix(&f);
    char sp[1024];
    corpus_path(sp, sizeof(sp), "fcs/flowcore/compdata/comp_match");
    gate_comp_sheet sheet;
    apo_error err;
    cr_assert_eq(gate_comp_sheet_read(&sheet, sp, &err), APO_OK);
    gate_comp *c = NULL;
    /* a file the sheet does not list */
    files g = f;
    fix(&g);
    add(&g, "fcs/flowcore/0877408774.B08");
    cr_assert_eq(gate_comp_compute_files(&c, g.n, g.v, &sheet, NULL, NULL, NULL, &err),
                 APO_E_USAGE);
    cr_assert(strstr(err.msg, "0877408774.B08") != NULL, "%s", err.msg);
    /* no unstained among the files */
    for (size_t i = 0; i < 4; i++) {
        f.v[i] = f.p[i + 1];
    }
    cr_assert_eq(gate_comp_compute_files(&c, 4, f.v, &sheet, NULL, NULL, NULL, &err),
                 APO_E_USAGE);
    cr_assert(strstr(err.msg, "unstained") != NULL, "%s", err.msg);
    cr_assert_null(c);
    gate_comp_sheet_free(&sheet);
}

/* The flowCore controls rewritten into @p dir under their own names as float32 FCS 3.0 data
 * sets of their decoded values, after (with @p lmd) an FCS 2.0 data set of other channel
 * names and zeroed values, as Beckman .LMD files store two copies; @p out gets the paths. */
static void rewrite_controls(const files *f, const char *dir, bool lmd, files *out)
{
    *out = (files){0};
    for (size_t i = 0; i < f->n; i++) {
        fcs_file *src = NULL;
        apo_error err;
        cr_assert_eq(fcs_file_open(&src, f->v[i], NULL, &err), APO_OK, "%s", err.msg);
        const fcs_dataset *ds = fcs_file_dataset(src, 0);
        fcs_events ev;
        fcs_decode_options d = FCS_DECODE_OPTIONS_INIT;
        cr_assert_eq(fcs_dataset_read_events(ds, &d, &ev, &err), APO_OK, "%s", err.msg);
        const size_t np = ev.n_params, ne = (size_t)ev.n_events;
        double *row_major = malloc(np * ne * sizeof *row_major), *zeros = calloc(np * ne, 8);
        cr_assert(row_major && zeros);
        for (size_t e = 0; e < ne; e++) {
            for (size_t p = 0; p < np; p++) {
                row_major[e * np + p] = (float)fcs_events_column(&ev, p)[e];
            }
        }
        fcs_builder *bs[2] = {fcs_builder_new("FCS2.0"), fcs_builder_new("FCS3.0")};
        for (size_t p = 0; p < np; p++) {
            char old[96];
            snprintf(old, sizeof old, "%s INT LIN", fcs_dataset_param(ds, p)->name);
            fcs_builder_param(bs[0], old, 16, 1024);
            fcs_builder_param(bs[1], fcs_dataset_param(ds, p)->name, 32, 262144);
        }
        fcs_builder_set_datatype(bs[1], 'F');
        fcs_builder_set_events(bs[0], ne, zeros);
        fcs_builder_set_events(bs[1], ne, row_major);
        size_t len;
        uint8_t *bytes = lmd ? fcs_builder_build_chain(bs, 2, &len)
                             : fcs_builder_build_chain(bs + 1, 1, &len);
        const char *base = strrchr(f->v[i], '/');
        snprintf(out->p[i], sizeof out->p[i], "%s/%s", dir, base + 1);
        out->v[i] = out->p[i];
        FILE *fp = fopen(out->p[i], "wb");
        cr_assert(fp && fwrite(bytes, 1, len, fp) == len);
        fclose(fp);
        free(bytes);
        fcs_builder_free(bs[0]);
        fcs_builder_free(bs[1]);
        free(row_major);
        free(zeros);
        fcs_events_free(&ev);
        fcs_file_free(src);
    }
    out->n = f->n;
}

/* Controls stored as Beckman .LMD files store them (an FCS 2.0 and an FCS 3.0 copy of the
 * same events) are read from their FCS 3.0 copy, as `run` reads samples, and named "path#2":
 * the same matrix as from the single-data-set files (float32 values), the detectors by their
 * FCS 3.0 names. A data set named explicitly still wins. */
Test(gating_comp_files, two_copy_controls_read_their_newest_copy)
{
    files f = flowcore_files();
    fix(&f);
    char dir[] = "/tmp/apoflow-comp-lmd-XXXXXX", one[] = "/tmp/apoflow-comp-one-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    cr_assert_not_null(mkdtemp(one));
    files g, h;
    rewrite_controls(&f, dir, true, &g);
    rewrite_controls(&f, one, false, &h);
    gate_comp_report rep;
    gate_comp *ref = compute(&h, "fcs/flowcore/compdata/comp_match", GATE_COMP_POP_ALL, NULL);
    gate_comp *lmd = compute(&g, "fcs/flowcore/compdata/comp_match", GATE_COMP_POP_ALL, &rep);
    const double d = max_diff(lmd, ref); /* the detectors' names are compared too */
    cr_assert_eq(d, 0.0, "%g", d);
    for (size_t i = 0; i < rep.n; i++) {
        const size_t len = strlen(rep.control_file[i]);
        cr_assert(len > 2 && strcmp(rep.control_file[i] + len - 2, "#2") == 0, "%s",
                  rep.control_file[i]);
    }
    gate_comp_report_free(&rep);
    /* data set 1 named: the FCS 2.0 copy, whose channels the sheet does not name */
    char sp[1024];
    corpus_path(sp, sizeof(sp), "fcs/flowcore/compdata/comp_match");
    gate_comp_sheet sheet;
    apo_error err;
    cr_assert_eq(gate_comp_sheet_read(&sheet, sp, &err), APO_OK);
    const size_t ones[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    gate_comp *c = NULL;
    cr_assert_neq(gate_comp_compute_datasets(&c, g.n, g.v, ones, &sheet, NULL, NULL, NULL, &err),
                  APO_OK);
    cr_assert_null(c);
    gate_comp_sheet_free(&sheet);
    gate_comp_free(ref);
    gate_comp_free(lmd);
    for (size_t i = 0; i < g.n; i++) {
        unlink(g.p[i]);
        unlink(h.p[i]);
    }
    rmdir(dir);
    rmdir(one);
}
