/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_channels_kits.c: the Annexin V and dead-cell dye channels of the kits labs use, found
 * from $PnS labels (or detector names alone), and the dyes named for the outputs.
 */
#include "assay/assay.h"
#include "support/fcs_builder.h"
#include "support/need.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

typedef struct kit_case {
    const char *names[5];
    const char *labels[5];
    const char *annexin, *dead, *dye, *fluor;
} kit_case;

/* A one-event file of @p n channels @p names with $PnS @p labels (NULL, or NULL for none),
 * opened from memory; *bytes is its buffer (free it after the file). */
static fcs_file *built(const char *version, const char *const *names,
                       const char *const *labels, size_t n, double range, uint8_t **bytes)
{
    fcs_builder *b = fcs_builder_new(version);
    fcs_builder_set_datatype(b, 'F');
    for (size_t i = 0; i < n; i++) {
        fcs_builder_param(b, names[i], 32, range);
        if (labels != NULL && labels[i] != NULL) {
            char key[16];
            snprintf(key, sizeof key, "$P%zuS", i + 1);
            fcs_builder_keyword(b, key, labels[i]);
        }
    }
    double v[16] = {1, 2, 3, 4, 5};
    fcs_builder_set_events(b, 1, v);
    size_t len;
    *bytes = fcs_builder_build(b, &len);
    fcs_builder_free(b);
    fcs_file *f = NULL;
    apo_error err;
    cr_assert_eq(fcs_file_open_buffer(&f, *bytes, len, "built.fcs", NULL, &err), APO_OK, "%s",
                 err.msg);
    return f;
}

static void check(const kit_case *k)
{
    size_t n = 0;
    while (n < 5 && k->names[n] != NULL) {
        n++;
    }
    uint8_t *bytes;
    fcs_file *f = built("FCS3.1", k->names, k->labels, n, 262144, &bytes);
    apo_error err;
    assay_channels ch;
    cr_assert_eq(assay_find_channels(fcs_file_dataset(f, 0), NULL, NULL, &ch, &err), APO_OK,
                 "%s: %s", k->annexin, err.msg);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    cr_assert_str_eq(fcs_dataset_param(ds, ch.annexin)->name, k->annexin, "%s", ch.annexin_why);
    cr_assert_str_eq(fcs_dataset_param(ds, ch.pi)->name, k->dead, "%s", ch.pi_why);
    cr_assert_str_eq(ch.dead_dye, k->dye);
    cr_assert_str_eq(ch.annexin_fluor, k->fluor);
    fcs_file_free(f);
    free(bytes);
}

Test(assay_channels_kits, labelled_kits)
{
    static const kit_case cases[] = {
        /* Muse Annexin V & Dead Cell kit: Annexin V-PE on YEL, 7-AAD on RED */
        {{"FSC-HLin", "FSC-W", "YEL-HLin", "RED-HLin", NULL},
         {NULL, NULL, "Annexin V-PE", "7-AAD", NULL}, "YEL-HLin", "RED-HLin", "7-AAD", "PE"},
        /* Annexin V-APC / PI on a BD instrument */
        {{"FSC-A", "SSC-A", "PE-A", "APC-A", NULL},
         {NULL, NULL, "PI", "Annexin V APC", NULL}, "APC-A", "PE-A", "PI", "APC"},
        /* Annexin V-FITC / DAPI */
        {{"FSC-A", "SSC-A", "FITC-A", "V450-A", NULL},
         {NULL, NULL, "AnnV FITC", "DAPI", NULL}, "FITC-A", "V450-A", "DAPI", "FITC"},
        /* Annexin V-Pacific Blue / SYTOX AADvanced */
        {{"FSC-A", "SSC-A", "Pacific Blue-A", "PerCP-Cy5-5-A", NULL},
         {NULL, NULL, "Annexin V Pacific Blue", "SYTOX AADvanced", NULL}, "Pacific Blue-A",
         "PerCP-Cy5-5-A", "SYTOX", "Pacific Blue"},
        /* Attune: Annexin V-FITC on BL1, PI on BL3, labelled with the stains */
        {{"FSC-A", "SSC-A", "BL1-A", "BL3-A", NULL},
         {NULL, NULL, "Annexin V-FITC", "Propidium iodide", NULL}, "BL1-A", "BL3-A", "PI",
         "FITC"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        check(&cases[i]);
    }
}

Test(assay_channels_kits, detector_names_alone)
{
    static const kit_case cases[] = {
        /* Guava without labels: YEL (Annexin V-PE) before GRN, RED for 7-AAD */
        {{"FSC-HLin", "SSC-HLin", "GRN-HLin", "YEL-HLin", "RED-HLin"},
         {NULL, NULL, NULL, NULL, NULL}, "YEL-HLin", "RED-HLin", "", ""},
        /* FACSCalibur: FL1 Annexin V-FITC, FL3 PI */
        {{"FSC-H", "SSC-H", "FL1-H", "FL2-H", "FL3-H"}, {NULL, NULL, NULL, NULL, NULL},
         "FL1-H", "FL3-H", "", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        check(&cases[i]);
    }
}

/* The scatter channels of one data set with channels @p names (NULL-terminated) and labels
 * @p labels (NULL, or one per name, NULL for none). */
static assay_channels scatter_labelled(const char *const *names, const char *const *labels)
{
    size_t n = 0;
    while (names[n] != NULL) {
        n++;
    }
    uint8_t *bytes;
    fcs_file *f = built("FCS3.0", names, labels, n, 1048576, &bytes);
    apo_error err;
    assay_channels ch;
    cr_assert_eq(assay_find_channels(fcs_file_dataset(f, 0), NULL, NULL, &ch, &err), APO_OK,
                 "%s", err.msg);
    fcs_file_free(f);
    free(bytes);
    return ch;
}

static assay_channels scatter_of(const char *const *names)
{
    return scatter_labelled(names, NULL);
}

/* Beckman Coulter's scatter names (Gallios, Navios, FC 500, Kaluza): FS-A/-H/-W and SS-A/-H
 * in the FCS 3 data sets, FS INT (area), FS PEAK (height), FS TOF (width) with LIN or LOG in
 * the FCS 2 ones, plain FS / SS as one signal; FSC-/SSC- names win where both are present;
 * names that only start like them are not scatter. */
Test(assay_channels_kits, beckman_scatter_names)
{
    const size_t no = SIZE_MAX;
    static const char *const kaluza[] = {"FS-H", "FS-A", "FS-W", "SS-H", "SS-A", "SS-W",
                                         "FL1-A", "FL2-A", "TIME", NULL};
    assay_channels c = scatter_of(kaluza);
    cr_assert(c.fsc_h == 0 && c.fsc_a == 1 && c.fsc_w == 2 && c.ssc_h == 3 && c.ssc_a == 4);
    cr_assert(c.annexin == 6 && c.pi == 7, "%zu %zu", c.annexin, c.pi);
    static const char *const fcs2[] = {"FS INT LIN", "SS INT LIN", "TIME", "FL1 INT LOG",
                                       "FL2 INT LOG", "FS PEAK LIN", "SS PEAK LIN",
                                       "FS TOF LIN", NULL};
    c = scatter_of(fcs2);
    cr_assert(c.fsc_a == 0 && c.ssc_a == 1 && c.fsc_h == 5 && c.ssc_h == 6 && c.fsc_w == 7);
    cr_assert(c.annexin == 3 && c.pi == 4, "%zu %zu", c.annexin, c.pi);
    static const char *const plain[] = {"FS", "SS", "FL1", "FL2", "FL3", "TIME", NULL};
    c = scatter_of(plain);
    cr_assert(c.fsc_h == 0 && c.ssc_h == 1 && c.fsc_a == no && c.ssc_a == no && c.fsc_w == no);
    static const char *const lin[] = {"FS Lin", "SS Lin", "FL1 Log", "FL2 Log", NULL};
    c = scatter_of(lin);
    cr_assert(c.fsc_h == 0 && c.ssc_h == 1 && c.fsc_a == no);
    /* BD names win; Beckman ones are not mixed in */
    static const char *const both[] = {"FS-A", "FSC-H", "SS-A", "SSC-A", "FITC-A", "PE-A", NULL};
    c = scatter_of(both);
    cr_assert(c.fsc_h == 1 && c.fsc_a == no && c.ssc_a == 3, "%zu %zu %zu", c.fsc_h, c.fsc_a,
              c.ssc_a);
    /* not scatter: a longer word after FS, a suffix that is not A/H/W */
    static const char *const other[] = {"FSX-A", "FS-Q", "FS INTEGRAL", "SSP PEAK", "FITC-A",
                                        "PE-A", NULL};
    c = scatter_of(other);
    cr_assert(c.fsc_a == no && c.fsc_h == no && c.fsc_w == no && c.ssc_a == no && c.ssc_h == no);
    /* a marker named like a short scatter word is not scatter */
    static const char *const marker[] = {"FSH", "SS1A", "FITC-A", "PE-A", NULL};
    c = scatter_of(marker);
    cr_assert(c.fsc_a == no && c.fsc_h == no && c.ssc_a == no && c.ssc_h == no);
}

/* Other instruments' spellings: the MoFlo Astrios (FSC-Area, FSC-Height and one indexed side
 * scatter per laser, the 488 nm one preferred by its label), Stratedigm (FSC LinH and FSC LogH:
 * the linear one preferred wherever it is), FSCA / FSCW without a separator, Guava's FSC-HLin. */
Test(assay_channels_kits, other_scatter_spellings)
{
    const size_t no = SIZE_MAX;
    static const char *const astrios[] = {"TIME", "SSC1-Height", "SSC1-Area", "FSC-Height",
                                          "FSC-Area", "SSC2-Height", "SSC2-Area", "FL1-Area",
                                          "FL2-Area", NULL};
    static const char *const astrios_labels[] = {NULL, "405-SSC", "405-SSC", "488-FSC",
                                                 "488-FSC", "488-SSC", "488-SSC", NULL, NULL};
    assay_channels c = scatter_labelled(astrios, astrios_labels);
    cr_assert(c.fsc_h == 3 && c.fsc_a == 4 && c.ssc_h == 5 && c.ssc_a == 6, "%zu %zu %zu %zu",
              c.fsc_h, c.fsc_a, c.ssc_h, c.ssc_a);
    c = scatter_of(astrios); /* unlabelled: the first side scatter */
    cr_assert(c.ssc_h == 1 && c.ssc_a == 2);
    static const char *const strat[] = {"FSC LogH", "FSC LogA", "FSC LinH", "FSC LinA",
                                        "SSC LogH", "SSC LinH", "FL1 LogH", "FL3 LogH", NULL};
    c = scatter_of(strat);
    cr_assert(c.fsc_h == 2 && c.fsc_a == 3 && c.ssc_h == 5 && c.ssc_a == no, "%zu %zu %zu",
              c.fsc_h, c.fsc_a, c.ssc_h);
    static const char *const logs[] = {"FSC LogH", "SSC LogH", "FL1", "FL2", NULL};
    c = scatter_of(logs); /* only log copies: taken */
    cr_assert(c.fsc_h == 0 && c.ssc_h == 1);
    static const char *const bare[] = {"TIME", "FSC", "SSC", "FL1", "FL2", "FSCW", "FSCA", NULL};
    c = scatter_of(bare);
    cr_assert(c.fsc_a == 6 && c.fsc_w == 5 && c.fsc_h == no && c.ssc_h == 2, "%zu %zu %zu %zu",
              c.fsc_a, c.fsc_w, c.fsc_h, c.ssc_h);
    static const char *const guava[] = {"FSC-HLin", "SSC-HLin", "GRN-HLin", "RED-HLin", NULL};
    c = scatter_of(guava);
    cr_assert(c.fsc_h == 0 && c.ssc_h == 1 && c.fsc_a == no);
    /* Sony: back scatter for side scatter */
    static const char *const sony[] = {"FSC-A", "FSC-H", "BSC-A", "BSC-H", "FL1-A", "FL3-A",
                                       NULL};
    c = scatter_of(sony);
    cr_assert(c.fsc_a == 0 && c.fsc_h == 1 && c.ssc_a == 2 && c.ssc_h == 3);
    cr_assert(c.annexin == 4 && c.pi == 5, "%zu %zu", c.annexin, c.pi);
}

/* Real files of several instruments (the shared corpus): the scatter channels found, by name. */
Test(assay_channels_kits, scatter_of_real_instruments)
{
    static const struct {
        const char *file, *annexin, *pi; /* forced: these files hold no Annexin V assay */
        const char *fsc_a, *fsc_h, *ssc_a, *ssc_h;
        size_t dataset;
    } cases[] = {
        {"cytoflow/Beckman Coulter - Gallios.LMD", "FL1-A", "FL2-A", "FS-A", "", "SS-A", "", 1},
        {"cytoflow/Beckman Coulter - Gallios.LMD", "FL1 INT LOG", "FL2 INT LOG", "FS INT LIN", "",
         "SS INT LIN", "", 0},
        {"flowploidydata/222.LMD", "FL3-H", "FL3-A", "FS-A", "FS-H", "SS-A", "SS-H", 1},
        {"flowploidydata/222.LMD", "FL3 INT LIN", "FL3 PEAK LIN", "FS INT LIN", "FS PEAK LIN",
         "SS INT LIN", "SS PEAK LIN", 0},
        {"cytoflow/Beckman Coulter - MoFlo Astrios - linear settings.fcs", "FL1-Area",
         "FL2-Area", "FSC-Area", "FSC-Height", "SSC2-Area", "SSC2-Height", 0},
        {"cytoflow/Stratedigm - S1400.fcs", "FL1 LinA", "FL2 LinA", "", "FSC LinH", "",
         "SSC LinH", 0},
        {"cytoflow/Beckman Coulter - Cyan.fcs", NULL, NULL, "", "FS Lin", "", "SS Lin", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *path = cases[i].file;
        fcs_file *f = test_open_corpus_text(path);
        apo_error err;
        const fcs_dataset *ds = fcs_file_dataset(f, cases[i].dataset);
        const char *ann = cases[i].annexin, *pi = cases[i].pi;
        if (ann == NULL) { /* the Cyan's fluorescence channels are named FL1 Log ... */
            ann = fcs_dataset_param(ds, 7)->name;
            pi = fcs_dataset_param(ds, 8)->name;
        }
        assay_channels c;
        cr_assert_eq(assay_find_channels(ds, ann, pi, &c, &err), APO_OK, "%s: %s", path,
                     err.msg);
        const size_t got[4] = {c.fsc_a, c.fsc_h, c.ssc_a, c.ssc_h};
        const char *want[4] = {cases[i].fsc_a, cases[i].fsc_h, cases[i].ssc_a, cases[i].ssc_h};
        for (int k = 0; k < 4; k++) {
            const char *name = got[k] == SIZE_MAX ? "" : fcs_dataset_param(ds, got[k])->name;
            cr_assert_str_eq(name, want[k], "%s data set %zu, scatter %d", cases[i].file,
                             cases[i].dataset + 1, k);
        }
        fcs_file_free(f);
    }
}
