// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * apoptosis_channels.c: finds the channels an Annexin V / PI analysis needs in one data set:
 * FSC-A/-H/-W, SSC-A/-H (or other instruments' spellings of them), Time, and the Annexin V
 * and PI detectors from $PnS/$PnN (a label naming the stain wins over a detector name;
 * --annexin/--pi force a channel).
 */
#include "assay/apoptosis_internal.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Case-insensitive substring search. */
static bool has(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] &&
               tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i])) {
            i++;
        }
        if (i == n) {
            return true;
        }
    }
    return false;
}

static bool eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) {
            return false;
        }
    }
    return *a == *b;
}

/*
 * A scatter channel's name as instruments spell it when it is not FSC-A, FSC-H, FSC-W, SSC-A
 * or SSC-H: "FSC" or "SSC" (an index may follow: the Astrios's SSC1..SSC5, one per laser;
 * "BSC", back scatter, as Sony's instruments measure it, stands for side scatter),
 * or Beckman Coulter's "FS" / "SS", then a separator ('-', ' ', '_'; none after FSC/SSC),
 * then what the signal is:
 *   A, Area, INT (Beckman's integral), LinA, ALin              the area
 *   H, Height, PEAK, LinH, HLin (Guava)                         the height
 *   W, Width, TOF (Beckman's time of flight), LinW              the width
 *   LogA, LogH, ALog, HLog: the same from a log amplifier (taken only without a linear one);
 * and, in Beckman's FCS 2 data sets, " LIN" or " LOG" after it ("FS INT LIN", "SS PEAK LOG").
 * Examples: FS-A (Kaluza, .LMD FCS 3 copies), FS INT LIN (.LMD FCS 2 copies), FSC-Area and
 * SSC2-Height (MoFlo Astrios), FSC LinH and FSC LogA (Stratedigm), FSCA and FSCW. Returns 'A',
 * 'H' or 'W' (*side: side scatter, *rank: 0 best; a log amplifier's copy +2, an indexed side
 * scatter not labelled 488 nm +1), 0 for any other name (plain "FS", "FSC", "FS Lin": one
 * signal, found by the fallback list).
 */
static char scatter_name(const fcs_param *p, bool *side, int *rank)
{
    const char *n = p->name;
    size_t k = 0;
    bool three = false;
    if (strncasecmp(n, "FSC", 3) == 0 || strncasecmp(n, "SSC", 3) == 0 ||
        strncasecmp(n, "BSC", 3) == 0) {
        k = 3, three = true;
    } else if (strncasecmp(n, "FS", 2) == 0 || strncasecmp(n, "SS", 2) == 0) {
        k = 2;
    } else {
        return 0;
    }
    *side = toupper((unsigned char)n[0]) != 'F';
    bool indexed = false;
    while (three && isdigit((unsigned char)n[k])) {
        k++, indexed = true;
    }
    const bool sep = n[k] == '-' || n[k] == ' ' || n[k] == '_';
    if (!sep && (!three || indexed)) {
        return 0; /* "FSH", "SS1A": another word */
    }
    const char *t = n + k + sep;
    static const struct {
        const char *word;
        char kind;
        int log;
    } words[] = {{"A", 'A', 0},      {"Area", 'A', 0},  {"INT", 'A', 0},    {"LinA", 'A', 0},
                 {"ALin", 'A', 0},   {"LogA", 'A', 1},  {"ALog", 'A', 1},   {"H", 'H', 0},
                 {"Height", 'H', 0}, {"PEAK", 'H', 0},  {"LinH", 'H', 0},   {"HLin", 'H', 0},
                 {"LogH", 'H', 1},   {"HLog", 'H', 1},  {"W", 'W', 0},      {"Width", 'W', 0},
                 {"TOF", 'W', 0},    {"LinW", 'W', 0}};
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
        const size_t m = strlen(words[w].word);
        if (strncasecmp(t, words[w].word, m) != 0) {
            continue;
        }
        const char *rest = t + m;
        const bool lin = eq(rest, " LIN"), log = eq(rest, " LOG");
        if (*rest != '\0' && !lin && !log) {
            continue;
        }
        *rank = 2 * (words[w].log || log) + (*side && indexed && !has(p->label, "488"));
        return words[w].kind;
    }
    return 0;
}

/* "PI" as a word of s: not inside another word (e.g. not in "Pacific"). */
static bool has_word_pi(const char *s)
{
    for (size_t i = 0; s[i]; i++) {
        if (tolower((unsigned char)s[i]) == 'p' && tolower((unsigned char)s[i + 1]) == 'i') {
            bool left = i == 0 || !isalnum((unsigned char)s[i - 1]);
            bool right = !isalpha((unsigned char)s[i + 2]);
            if (left && right) {
                return true;
            }
        }
    }
    return false;
}

/* One scatter signal under a name that says neither area nor height (FSC, FS, FS Lin,
 * Guava's FSC-HLin ...; Sony's BSC is side scatter): taken as the height when a side has
 * nothing better. *side: side scatter. */
static bool one_signal(const char *name, bool *side)
{
    static const char *const names[2][6] = {{"FSC", "FS", "FS Lin", "FS Log", "FSC-HLin", ""},
                                            {"SSC", "SS", "SS Lin", "SS Log", "SSC-HLin", "BSC"}};
    for (int sd = 0; sd < 2; sd++) {
        for (int k = 0; k < 6; k++) {
            if (names[sd][k][0] != '\0' && eq(name, names[sd][k])) {
                *side = sd == 1;
                return true;
            }
        }
    }
    return false;
}

static bool is_scatter_or_time(const fcs_param *p)
{
    bool side;
    int rank;
    return p->is_time || has(p->name, "FSC") || has(p->name, "SSC") || eq(p->name, "Time") ||
           one_signal(p->name, &side) || scatter_name(p, &side, &rank) != 0;
}

bool assay_channel_is_scatter_or_time(const fcs_param *p)
{
    return is_scatter_or_time(p);
}

/* Height/area/width preference: names ending in -A are preferred unless only -H exist. */
static int area_rank(const char *name)
{
    size_t n = strlen(name);
    if (n >= 2 && name[n - 2] == '-') {
        char c = (char)toupper((unsigned char)name[n - 1]);
        return c == 'A' ? 0 : c == 'H' ? 1 : 2;
    }
    return 1;
}

static size_t pick(const fcs_dataset *ds, size_t skip, const char *const *pats, size_t n_pats,
                   bool label, char *why, size_t cap, const char *what)
{
    size_t np = fcs_dataset_n_params(ds);
    for (size_t k = 0; k < n_pats; k++) {
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < np; i++) {
            const fcs_param *p = fcs_dataset_param(ds, i);
            if (i == skip || is_scatter_or_time(p)) {
                continue;
            }
            const char *text = label ? p->label : p->name;
            bool hit = strcmp(pats[k], "PI") == 0 ? has_word_pi(text) : has(text, pats[k]);
            if (hit && (best == SIZE_MAX ||
                        area_rank(p->name) < area_rank(fcs_dataset_param(ds, best)->name))) {
                best = i;
            }
        }
        if (best != SIZE_MAX) {
            snprintf(why, cap, "%s %s \"%s\" matches \"%s\"", what, label ? "$PnS" : "$PnN",
                     label ? fcs_dataset_param(ds, best)->label : fcs_dataset_param(ds, best)->name,
                     pats[k]);
            return best;
        }
    }
    return SIZE_MAX;
}

static size_t find_exact(const fcs_dataset *ds, const char *name)
{
    size_t np = fcs_dataset_n_params(ds);
    for (size_t i = 0; i < np; i++) {
        if (eq(fcs_dataset_param(ds, i)->name, name)) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* The scatter channels of one side (forward, or side with @p want_side) under the names
 * scatter_name reads, for a side none of whose FSC-/SSC- channels was found: per kind the
 * best ranked, the first of equals. */
static void find_scatter_names(const fcs_dataset *ds, bool want_side, size_t *a, size_t *h,
                               size_t *w)
{
    int best[3] = {INT_MAX, INT_MAX, INT_MAX};
    size_t *slots[3] = {a, h, w};
    for (size_t i = 0; i < fcs_dataset_n_params(ds); i++) {
        bool side = false;
        int rank = 0;
        const char kind = scatter_name(fcs_dataset_param(ds, i), &side, &rank);
        const int s = kind == 'A' ? 0 : kind == 'H' ? 1 : kind == 'W' ? 2 : -1;
        if (s >= 0 && side == want_side && rank < best[s]) {
            best[s] = rank;
            *slots[s] = i;
        }
    }
}

/* The first of @p names found in @p text (label or detector name), or "". */
static const char *first_named(const char *text, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bool hit = strcmp(names[i], "PI") == 0 ? has_word_pi(text) : has(text, names[i]);
        if (hit) {
            return names[i];
        }
    }
    return "";
}

/* What the outputs call the two stains: the dead-cell dye from its label (or detector), and
 * the Annexin V conjugate's fluorochrome. Empty when nothing names them. */
static void name_dyes(const fcs_dataset *ds, assay_channels *out)
{
    static const char *const dyes[] = {"propidium", "PI",     "7-AAD", "7AAD",  "DAPI",
                                       "SYTOX",     "TO-PRO", "DRAQ7", "Zombie"};
    static const char *const fluors[] = {"FITC", "Alexa Fluor 488", "AF488", "PE-Cy7", "PE",
                                         "APC",  "Pacific Blue",    "BV421", "V450",  "CF594"};
    const fcs_param *d = fcs_dataset_param(ds, out->pi);
    const fcs_param *a = fcs_dataset_param(ds, out->annexin);
    const char *dye = first_named(d->label, dyes, sizeof dyes / sizeof dyes[0]);
    if (dye[0] == '\0') {
        dye = first_named(d->name, dyes, sizeof dyes / sizeof dyes[0]);
    }
    snprintf(out->dead_dye, sizeof out->dead_dye, "%s",
             strcmp(dye, "propidium") == 0 ? "PI" : strcmp(dye, "7AAD") == 0 ? "7-AAD" : dye);
    const char *fl = first_named(a->label, fluors, sizeof fluors / sizeof fluors[0]);
    if (fl[0] == '\0') {
        fl = first_named(a->name, fluors, sizeof fluors / sizeof fluors[0]);
    }
    snprintf(out->annexin_fluor, sizeof out->annexin_fluor, "%s", fl);
}

apo_status assay_find_channels(const fcs_dataset *ds, const char *annexin, const char *pi,
                                  assay_channels *out, apo_error *err)
{
    memset(out, 0, sizeof *out);
    out->fsc_a = find_exact(ds, "FSC-A");
    out->fsc_h = find_exact(ds, "FSC-H");
    out->fsc_w = find_exact(ds, "FSC-W");
    out->ssc_a = find_exact(ds, "SSC-A");
    out->ssc_h = find_exact(ds, "SSC-H");
    size_t ssc_w = SIZE_MAX;
    if (out->fsc_a == SIZE_MAX && out->fsc_h == SIZE_MAX && out->fsc_w == SIZE_MAX) {
        find_scatter_names(ds, false, &out->fsc_a, &out->fsc_h, &out->fsc_w);
    }
    if (out->ssc_a == SIZE_MAX && out->ssc_h == SIZE_MAX) {
        find_scatter_names(ds, true, &out->ssc_a, &out->ssc_h, &ssc_w);
    }
    out->time = SIZE_MAX;
    size_t np = fcs_dataset_n_params(ds);
    for (size_t i = 0; i < np; i++) {
        const fcs_param *p = fcs_dataset_param(ds, i);
        if (p->is_time && out->time == SIZE_MAX) {
            out->time = i;
        }
        bool side = false;
        if (one_signal(p->name, &side)) { /* the first, where a side has no area or height */
            size_t *a = side ? &out->ssc_a : &out->fsc_a, *h = side ? &out->ssc_h : &out->fsc_h;
            *h = *a == SIZE_MAX && *h == SIZE_MAX ? i : *h;
        }
    }
    out->annexin = out->pi = SIZE_MAX;
    if (annexin != NULL) {
        out->annexin = fcs_dataset_find_param(ds, annexin);
        if (out->annexin == SIZE_MAX) {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "--annexin",
                                 "expected a channel named \"%s\" ($PnN or $PnS), found none",
                                 annexin);
        }
        snprintf(out->annexin_why, sizeof out->annexin_why, "given (--annexin %s)", annexin);
    }
    if (pi != NULL) {
        out->pi = fcs_dataset_find_param(ds, pi);
        if (out->pi == SIZE_MAX) {
            return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "--pi",
                                 "expected a channel named \"%s\" ($PnN or $PnS), found none",
                                 pi);
        }
        snprintf(out->pi_why, sizeof out->pi_why, "given (--pi %s)", pi);
    }
    /* A label ($PnS) naming the stain wins over detector names; the dead-cell dyes of the
     * common kits: PI, 7-AAD (Muse / Guava Nexin, BD Pharmingen), DAPI, SYTOX, TO-PRO-3,
     * DRAQ7, and fixable viability dyes. */
    static const char *const ann_label[] = {"annexin", "annv", "anxa5", "AxV", "ANX"};
    static const char *const ann_name[] = {"annexin", "FITC",  "FL1", "BL1", "B530",
                                           "Alexa Fluor 488", "AF488", "GFP", "YEL", "GRN"};
    static const char *const pi_label[] = {"propidium", "PI",      "7-AAD",  "7AAD",
                                           "DAPI",      "SYTOX",   "TO-PRO", "TOPRO",
                                           "DRAQ7",     "viability", "live/dead", "dead"};
    static const char *const pi_name[] = {"PI",   "PE-Texas Red", "ECD",   "PE-Cy5", "PerCP",
                                          "PC5.5", "FL3",         "PE",    "FL2",   "BL3",
                                          "BL2",  "YL1",          "7-AAD", "7AAD",  "RED"};
    const size_t nal = sizeof ann_label / sizeof ann_label[0];
    const size_t nan_ = sizeof ann_name / sizeof ann_name[0];
    if (out->annexin == SIZE_MAX) {
        out->annexin = pick(ds, out->pi, ann_label, nal, true, out->annexin_why,
                            sizeof out->annexin_why, "Annexin V:");
    }
    if (out->pi == SIZE_MAX) {
        out->pi = pick(ds, out->annexin, pi_label, sizeof pi_label / sizeof pi_label[0], true,
                       out->pi_why, sizeof out->pi_why, "dead-cell dye:");
    }
    if (out->annexin == SIZE_MAX) {
        out->annexin = pick(ds, out->pi, ann_name, nan_, false, out->annexin_why,
                            sizeof out->annexin_why, "Annexin V:");
        out->annexin_by_detector = out->annexin != SIZE_MAX;
    }
    if (out->pi == SIZE_MAX) {
        out->pi = pick(ds, out->annexin, pi_name, sizeof pi_name / sizeof pi_name[0], false,
                       out->pi_why, sizeof out->pi_why, "dead-cell dye:");
        out->pi_by_detector = out->pi != SIZE_MAX;
    }
    if (out->annexin == SIZE_MAX || out->pi == SIZE_MAX) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET,
                             out->annexin == SIZE_MAX ? "--annexin" : "--pi",
                             "expected %s channel (a $PnS/$PnN naming %s), found none: "
                             "name it with %s",
                             out->annexin == SIZE_MAX ? "an Annexin V" : "a dead-cell dye",
                             out->annexin == SIZE_MAX
                                 ? "Annexin, FITC, FL1 ..."
                                 : "PI, 7-AAD, DAPI, SYTOX, PE, PE-Texas Red, PerCP, FL3 ...",
                             out->annexin == SIZE_MAX ? "--annexin CH" : "--pi CH (or --dead CH)");
    }
    name_dyes(ds, out);
    if (out->annexin == out->pi) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, "--pi",
                             "expected different Annexin V and PI channels, found \"%s\" for both",
                             fcs_dataset_param(ds, out->annexin)->name);
    }
    return APO_OK;
}
