// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * sheet_guess.c: drafts sample sheet rows from FCS keywords for `apoflow sheet`: the sample
 * name (TUBE NAME, else $FIL, else the file name), the role from words in TUBE NAME /
 * SAMPLE ID (Guava instruments: GTI$SAMPLEID) / $FIL /
 * the file name (unstained, Annexin/FITC only, PI only, untreated/control, stimulus, a dose),
 * the dose and unit, and the replicate ("r2", "rep2"). Heuristic by design: the user checks
 * the draft.
 */
#include "assay/assay.h"
#include "util/csv.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static void lower_copy(char *dst, size_t cap, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++) {
        dst[i] = (char)tolower((unsigned char)src[i]);
    }
    dst[i] = '\0';
}

/* Whole-word (alphanumeric boundaries) search in lower-case text. */
static bool word(const char *text, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = strstr(text, w); p != NULL; p = strstr(p + 1, w)) {
        bool left = p == text || !isalnum((unsigned char)p[-1]);
        bool right = !isalpha((unsigned char)p[n]);
        if (left && right) {
            return true;
        }
    }
    return false;
}

static bool any(const char *text, const char *const *ws, size_t n, const char **hit)
{
    for (size_t i = 0; i < n; i++) {
        if (strstr(text, ws[i]) != NULL) {
            *hit = ws[i];
            return true;
        }
    }
    return false;
}

static const char *base_of(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static void stem(char *dst, size_t cap, const char *p)
{
    snprintf(dst, cap, "%s", base_of(p));
    size_t n = strlen(dst);
    if (n > 4 && (strcasecmp(dst + n - 4, ".fcs") == 0 || strcasecmp(dst + n - 4, ".lmd") == 0)) {
        dst[n - 4] = '\0';
    }
}

/* Letter prefixes of markers, stains, dyes and detectors ("CD69", "Ki67", "p53", "Bcl2",
 * "AF700", "FL1", "H2O2", "SYTOX 7") and of plate/run words: a number after one of these is
 * part of a name, not a dose. */
static bool marker_like(const char *l, size_t n)
{
    static const char *const pre[] = {
        "cd",    "af",    "bv",    "pe",     "apc",   "fl",     "hla",     "il",      "bl",
        "yl",    "rl",    "vl",    "h",      "ho",    "dapi",   "percp",   "cy",      "aad",
        "alexa", "fluor", "v",     "b",      "r",     "g",      "well",    "tube",    "specimen",
        "sample", "plate", "exp",  "day",    "ki",    "p",      "bcl",     "casp",    "caspase",
        "parp",  "bax",   "bak",   "mcl",    "ccr",   "cxcr",   "tlr",     "ifn",     "mhc",
        "sytox", "hoechst", "draq", "topro", "yopro", "tmre",   "jc",      "edu",     "brdu",
        "gfp",   "yfp",   "cfp",   "rfp",    "bfp",   "mcherry", "dsred",   "tdtomato", "zombie",
        "efluor", "fvs",  "ly",    "cy5",    "pb",    "pacblue", "bb",      "ax",      "hax",
        "vio",   "pecy",  "ecd",   "fitc",   "pi",    "annexin", "annv",    "axv",     "red",
        "yel",   "grn",   "blu",   "nir",    "uv",    "fsc",    "ssc",     "ch",      "channel",
        "tube",  "lot",   "run",   "batch",  "donor", "patient", "mouse",  "clone",   "line",
        "passage", "sh",  "sy",    "hek",    "hela",  "jurkat", "thp",     "u",       "mcf",
        "a",     "k",     "pc",    "hep",    "sk",    "n",      "nk"};
    for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++) {
        if (strlen(pre[i]) == n && strncmp(l, pre[i], n) == 0) {
            return true;
        }
    }
    return false;
}

/* The word before position @p at of @p raw (same offsets as the lower-case text), skipping
 * blanks, '+' and '_' ("H2O2 + AS-IV 100 mg/L" -> "AS-IV"), within the same '|' segment. */
static void word_before(const char *raw, size_t at, char *out, size_t cap)
{
    size_t e = at;
    while (e > 0 && (raw[e - 1] == ' ' || raw[e - 1] == '+' || raw[e - 1] == '_')) {
        e--;
    }
    size_t b = e;
    while (b > 0 && (isalnum((unsigned char)raw[b - 1]) || raw[b - 1] == '-')) {
        b--;
    }
    if (e > b && isalpha((unsigned char)raw[b])) {
        snprintf(out, cap, "%.*s", (int)(e - b), raw + b);
    }
}

/* Find "<number><unit>" or "<letters><number>" (treatment + dose) in lower-case text @p t;
 * @p raw is the same text in its original case, for the names and units written out. */
static void find_dose(const char *t, const char *raw, assay_sheet_guess *out)
{
    static const char *const units[] = {"mg/l", "ug/ml", "µg/ml", "mg/ml", "ng/ml", "um",
                                        "µm",   "nm",    "mm",    "uM",    "mg"};
    for (const char *p = t; *p; p++) {
        if (!isdigit((unsigned char)*p) || (p > t && (isdigit((unsigned char)p[-1]) || p[-1] == '.'))) {
            continue;
        }
        const char *q = p;
        while (isdigit((unsigned char)*q) || *q == '.') {
            q++;
        }
        const char *u = q;
        while (*u == ' ' || *u == '_') {
            u++;
        }
        bool unit = false;
        for (size_t k = 0; k < sizeof units / sizeof units[0] && !unit; k++) {
            size_t ul = strlen(units[k]);
            if (strncmp(u, units[k], ul) == 0 && !isalpha((unsigned char)u[ul])) {
                if (out->dose_unit[0] == '\0') { /* the first dose with a unit wins */
                    snprintf(out->dose, sizeof out->dose, "%.*s", (int)(q - p), p);
                    snprintf(out->dose_unit, sizeof out->dose_unit, "%.*s", (int)ul,
                             raw + (u - t));
                    char w[64] = "";
                    word_before(raw, (size_t)(p - t), w, sizeof w);
                    if (w[0] != '\0') {
                        snprintf(out->treatment, sizeof out->treatment, "%s", w);
                    }
                }
                unit = true;
                q = u + ul;
            }
        }
        if (unit) {
            p = q - 1; /* go on: a replicate ("r2") may follow */
            continue;
        }
        /* letters immediately before the number: a compound code like "asiv50" */
        const char *l = p;
        while (l > t && isalpha((unsigned char)l[-1])) {
            l--;
        }
        size_t letters = (size_t)(p - l);
        bool rep = (letters == 1 && l[0] == 'r') || (letters == 3 && strncmp(l, "rep", 3) == 0);
        bool well = letters == 1 && l[0] >= 'a' && l[0] <= 'h';
        if (rep) {
            unsigned v = 0;
            for (const char *d = p; d < q && isdigit((unsigned char)*d) && v < 100000; d++) {
                v = v * 10 + (unsigned)(*d - '0');
            }
            out->replicate = v;
        } else if (letters >= 2 && !well && out->dose_unit[0] == '\0' &&
                   out->dose[0] == '\0' && !marker_like(l, letters)) {
            snprintf(out->treatment, sizeof out->treatment, "%.*s", (int)letters, l);
            snprintf(out->dose, sizeof out->dose, "%.*s", (int)(q - p), p);
        }
        p = q - 1;
    }
}

void assay_sheet_guess_row(const fcs_dataset *ds, const char *file, assay_sheet_guess *out)
{
    memset(out, 0, sizeof *out);
    const char *tube = ds ? fcs_dataset_keyword(ds, "TUBE NAME") : NULL;
    const char *fil = ds ? fcs_dataset_keyword(ds, "$FIL") : NULL;
    const char *smp = ds ? fcs_dataset_keyword(ds, "SAMPLE ID") : NULL;
    if (ds != NULL && (smp == NULL || smp[0] == '\0')) {
        smp = fcs_dataset_keyword(ds, "GTI$SAMPLEID"); /* Guava: the sample name typed */
    }
    char fstem[128], filstem[128] = "";
    stem(fstem, sizeof fstem, file);
    if (fil != NULL && fil[0]) {
        stem(filstem, sizeof filstem, fil);
    }
    /* the sample name: the file stem (unique on disk), unless TUBE NAME is distinctive */
    snprintf(out->sample, sizeof out->sample, "%s", fstem);
    char text[512], raw[512];
    snprintf(raw, sizeof raw, "%s | %s | %s | %s", tube ? tube : "", smp ? smp : "", filstem,
             fstem);
    lower_copy(text, sizeof text, raw);
    const char *hit = NULL;
    static const char *const unst[] = {"unstained", "unstain", "no stain", "blank", "autofl"};
    static const char *const ann[] = {"annexin", "annv", "anxa5", "fitc", "axv"};
    static const char *const single[] = {"only", "single", "comp", "ctrl", "control", "fmo"};
    static const char *const untr[] = {"untreated", "untr", "control", "ctrl", "vehicle", "mock",
                                       "dmso", "medium"};
    static const char *const stim[] = {"h2o2", "stimul", "stim", "staurosporine", "camptothecin",
                                       "etoposide", "tnf", "anisomycin"};
    const char *h2 = NULL;
    bool has_ann = any(text, ann, sizeof ann / sizeof ann[0], &hit);
    const char *ann_hit = hit;
    /* the dead-cell dye: PI, or the others kits pair with Annexin V (7-AAD, DAPI, SYTOX) */
    static const char *const dead[] = {"7-aad", "7aad", "dapi", "sytox", "propidium"};
    const char *dead_hit = "PI";
    bool has_pi = word(text, "pi") || any(text, dead, sizeof dead / sizeof dead[0], &dead_hit);
    bool is_single = any(text, single, sizeof single / sizeof single[0], &h2);
    find_dose(text, raw, out);
    if (any(text, unst, sizeof unst / sizeof unst[0], &hit)) {
        out->role = ASSAY_ROLE_UNSTAINED;
        snprintf(out->evidence, sizeof out->evidence, "\"%s\" in the names", hit);
    } else if (has_ann && !has_pi && is_single) {
        out->role = ASSAY_ROLE_ANNEXIN_SINGLE;
        snprintf(out->evidence, sizeof out->evidence, "\"%s\" and \"%s\" without PI", ann_hit, h2);
    } else if (has_pi && !has_ann && is_single) {
        out->role = ASSAY_ROLE_PI_SINGLE;
        snprintf(out->evidence, sizeof out->evidence, "%s and \"%s\" without Annexin/FITC",
                 dead_hit, h2);
    } else if (strstr(text, "comp") != NULL && !has_ann && !has_pi) {
        out->dose[0] = out->treatment[0] = '\0';
        snprintf(out->evidence, sizeof out->evidence,
                 "a compensation control for another dye: not an AnnV/PI sample");
    } else if (out->dose[0] != '\0') {
        out->role = ASSAY_ROLE_TREATED;
        snprintf(out->evidence, sizeof out->evidence, "a dose \"%s%s\" in the names", out->dose,
                 out->dose_unit);
    } else if (any(text, stim, sizeof stim / sizeof stim[0], &hit)) {
        out->role = ASSAY_ROLE_STIMULUS;
        snprintf(out->treatment, sizeof out->treatment, "%.*s", (int)strlen(hit),
                 raw + (strstr(text, hit) - text));
        snprintf(out->evidence, sizeof out->evidence, "\"%s\" without a dose", hit);
    } else if (any(text, untr, sizeof untr / sizeof untr[0], &hit)) {
        out->role = ASSAY_ROLE_UNTREATED;
        snprintf(out->evidence, sizeof out->evidence, "\"%s\" in the names", hit);
    } else {
        snprintf(out->evidence, sizeof out->evidence, "no role word found: fill in");
    }
    if (out->replicate == 0) {
        out->replicate = 1;
    }
}

static void put(FILE *f, const char *s)
{
    apo_csv_write_field(f, s);
}

apo_status assay_sheet_write_draft(const char *path, size_t n, const char *const *files,
                                  const assay_sheet_guess *g, apo_error *err)
{
    apo_atomic_file af;
    apo_status st = apo_atomic_open(&af, path, err);
    if (st != APO_OK) {
        return st;
    }
    FILE *f = af.fp;
    fputs("file,sample,role,treatment,dose,dose_unit,replicate,guess_evidence\n", f);
    for (size_t i = 0; i < n; i++) {
        put(f, files[i]);
        fputc(',', f);
        put(f, g[i].sample);
        fputc(',', f);
        put(f, assay_role_name(g[i].role));
        fputc(',', f);
        put(f, g[i].treatment);
        fputc(',', f);
        put(f, g[i].dose);
        fputc(',', f);
        put(f, g[i].dose_unit);
        fprintf(f, ",%u,", g[i].replicate);
        put(f, g[i].evidence);
        fputc('\n', f);
    }
    if (ferror(f)) {
        apo_atomic_abort(&af);
        return apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL, "write error");
    }
    return apo_atomic_commit(&af, err);
}
