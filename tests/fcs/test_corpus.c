/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_corpus.c: every file of the real-world corpus (corpus/fcs/MANIFEST.tsv) is read, or
 * cleanly rejected when the manifest marks it NEGATIVE, and agrees with its .expected.json:
 * data sets, version, event and parameter counts, $DATATYPE, $BYTEORD, $PnN/$PnS/$PnB, the
 * first and last 5 raw events (exact) and per-channel min/max/mean (mean to 1e-9 relative).
 * Also gating-ml/data1.fcs against vectors/data1_first_events.csv (raw and scaled values).
 *
 * Where the manifest says REFERENCE CORRECTED the .expected.json already holds the corrected
 * values (checked by hand, byte by byte), and our reading must equal them:
 *  - cytoflow/Beckman Coulter - Cytomics FC500.LMD data set 0: $PnB is 10 but DATA holds
 *    16-bit little-endian words (216577 bytes = 27072 x 4 x 2 + 1; packed 10-bit would be
 *    135360); values are those words masked to 10 bits ($PnR 1024). fcsparser's reading (one
 *    byte per value, kept as events_rejected, suspect) is wrong.
 *  - cytoflow/Accuri - C6.fcs, cytoflow/Beckman Coulter - Cyan.fcs, facejava/double-5_events,
 *    facejava/int-10_events_8_parameters: the HEADER DATA offsets are right (TEXT $BEGINDATA
 *    points into the TEXT, or 46 bytes past the first DATA byte, or gives a length that does
 *    not fit $TOT); see offset_verdicts_and_repairs.
 *  - flowcore/0877408774.B08: empty $PnS values, not escapes; see cellquest_empty_values.
 * No data set of the corpus is left with suspect=true events.
 */
#include "fcs/fcs.h"
#include "support/need.h"
#include "support/json_mini.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FCS_CORPUS APOFLOW_CORPUS_DIR "/fcs"

static void need_corpus(void)
{
    test_need_path(FCS_CORPUS "/MANIFEST.tsv", "the FCS corpus");
}

typedef struct manifest_row {
    char file[512];
    char notes[2048];
} manifest_row;

/* Read one TSV field starting at *p (handles "..." quoting with "" escapes). */
static void tsv_field(const char **p, char *out, size_t cap)
{
    const char *s = *p;
    size_t o = 0;
    if (*s == '"') {
        s++;
        while (*s) {
            if (*s == '"' && s[1] == '"') {
                if (o + 1 < cap) {
                    out[o++] = '"';
                }
                s += 2;
            } else if (*s == '"') {
                s++;
                break;
            } else {
                if (o + 1 < cap) {
                    out[o++] = *s;
                }
                s++;
            }
        }
    }
    while (*s && *s != '\t' && *s != '\n' && *s != '\r') {
        if (o + 1 < cap) {
            out[o++] = *s;
        }
        s++;
    }
    out[o] = '\0';
    if (*s == '\t') {
        s++;
    }
    *p = s;
}

static manifest_row *read_manifest(size_t *n_out)
{
    FILE *fp = fopen(FCS_CORPUS "/MANIFEST.tsv", "r");
    cr_assert_not_null(fp, "cannot open MANIFEST.tsv");
    static char line[16384];
    manifest_row *rows = NULL;
    size_t n = 0;
    bool header = true;
    while (fgets(line, sizeof line, fp)) {
        if (header) {
            header = false;
            continue;
        }
        if (line[0] == '\n' || line[0] == '\0') {
            continue;
        }
        rows = realloc(rows, (n + 1) * sizeof *rows);
        cr_assert_not_null(rows);
        const char *p = line;
        char tmp[4096];
        tsv_field(&p, rows[n].file, sizeof rows[n].file);
        for (int col = 1; col < 11; col++) {
            tsv_field(&p, tmp, sizeof tmp);
        }
        tsv_field(&p, rows[n].notes, sizeof rows[n].notes);
        n++;
    }
    fclose(fp);
    *n_out = n;
    return rows;
}

/* Trimmed equality of a keyword value with a reference string. */
static bool trimmed_eq(const char *a, const char *b)
{
    while (*a == ' ') {
        a++;
    }
    while (*b == ' ') {
        b++;
    }
    size_t la = strlen(a), lb = strlen(b);
    while (la > 0 && a[la - 1] == ' ') {
        la--;
    }
    while (lb > 0 && b[lb - 1] == ' ') {
        lb--;
    }
    return la == lb && memcmp(a, b, la) == 0;
}

static void check_keyword_list(const fcs_dataset *ds, const json_value *list, const char *suffix,
                               const char *file, size_t dsi)
{
    for (size_t i = 0; i < json_size(list); i++) {
        char k[48];
        snprintf(k, sizeof k, "$P%zu%s", i + 1, suffix);
        const char *got = fcs_dataset_keyword(ds, k);
        const json_value *want = json_index(list, i);
        if (json_is_null(want)) {
            cr_expect_null(got, "%s ds%zu %s: expected absent, found \"%s\"", file, dsi, k,
                           got ? got : "");
        } else {
            cr_expect(got != NULL && trimmed_eq(got, json_string(want)),
                      "%s ds%zu %s: expected \"%s\", found \"%s\"", file, dsi, k,
                      json_string(want), got ? got : "(absent)");
        }
    }
}

/* Compare 5 rows of reference events with decoded values. */
static void check_rows(const fcs_dataset *ds, const json_value *rows, uint64_t first,
                       const char *file, size_t dsi, const char *which)
{
    size_t np = fcs_dataset_n_params(ds);
    size_t nr = json_size(rows);
    if (nr == 0) {
        return;
    }
    double *out = malloc(np * nr * sizeof *out);
    cr_assert_not_null(out);
    fcs_decode_options o = FCS_DECODE_OPTIONS_INIT;
    apo_error err;
    apo_error_clear(&err);
    apo_status st = fcs_dataset_decode_f64(ds, first, nr, &o, out, nr, &err);
    cr_expect_eq(st, APO_OK, "%s ds%zu decode %s: %s", file, dsi, which, err.msg);
    if (st == APO_OK) {
        for (size_t r = 0; r < nr; r++) {
            const json_value *row = json_index(rows, r);
            cr_expect_eq(json_size(row), np, "%s ds%zu: row width", file, dsi);
            for (size_t p = 0; p < np && p < json_size(row); p++) {
                double want = json_number(json_index(row, p), NAN);
                double got = out[p * nr + r];
                cr_expect(got == want || (isnan(got) && isnan(want)),
                          "%s ds%zu %s event %llu param %zu: expected %.17g, found %.17g", file,
                          dsi, which, (unsigned long long)(first + r), p + 1, want, got);
            }
        }
    }
    free(out);
}

static void check_stats(const fcs_dataset *ds, const json_value *stats, const char *file,
                        size_t dsi)
{
    if (json_size(stats) == 0) {
        return;
    }
    fcs_decode_options o = FCS_DECODE_OPTIONS_INIT;
    fcs_events ev = {0};
    apo_error err;
    apo_error_clear(&err);
    apo_status st = fcs_dataset_read_events(ds, &o, &ev, &err);
    cr_expect_eq(st, APO_OK, "%s ds%zu read_events: %s", file, dsi, err.msg);
    if (st != APO_OK) {
        return;
    }
    for (size_t s = 0; s < json_size(stats); s++) {
        const json_value *cs = json_index(stats, s);
        size_t ch = (size_t)json_number(json_get(cs, "channel"), 0);
        cr_expect(ch >= 1 && ch <= ev.n_params, "%s: channel %zu", file, ch);
        if (ch < 1 || ch > ev.n_params || ev.n_events == 0) {
            continue;
        }
        const double *col = fcs_events_column(&ev, ch - 1);
        double sum = 0, mn = INFINITY, mx = -INFINITY;
        for (uint64_t e = 0; e < ev.n_events; e++) {
            sum += col[e];
            mn = col[e] < mn ? col[e] : mn;
            mx = col[e] > mx ? col[e] : mx;
        }
        double mean = sum / (double)ev.n_events;
        double want = json_number(json_get(cs, "mean"), NAN);
        double tol = 1e-9 * fmax(1.0, fabs(want));
        cr_expect(fabs(mean - want) <= tol, "%s ds%zu channel %zu mean: expected %.17g, found %.17g",
                  file, dsi, ch, want, mean);
        cr_expect_eq(mn, json_number(json_get(cs, "min"), NAN), "%s ds%zu channel %zu min", file,
                     dsi, ch);
        cr_expect_eq(mx, json_number(json_get(cs, "max"), NAN), "%s ds%zu channel %zu max", file,
                     dsi, ch);
    }
    fcs_events_free(&ev);
}

static void check_dataset(const fcs_dataset *ds, const json_value *x, const char *file,
                          size_t dsi, size_t *n_value_checked)
{
    cr_expect_str_eq(fcs_dataset_version(ds), json_string(json_get(x, "fcs_version")),
                     "%s ds%zu version", file, dsi);
    cr_expect_eq(fcs_dataset_n_events(ds), (uint64_t)json_number(json_get(x, "n_events"), -1),
                 "%s ds%zu: expected %.0f events, found %llu", file, dsi,
                 json_number(json_get(x, "n_events"), -1),
                 (unsigned long long)fcs_dataset_n_events(ds));
    cr_expect_eq(fcs_dataset_n_params(ds), (size_t)json_number(json_get(x, "n_params"), -1),
                 "%s ds%zu params", file, dsi);
    const char *dt = json_string(json_get(x, "datatype"));
    cr_expect(dt != NULL && (char)fcs_dataset_datatype(ds) == dt[0], "%s ds%zu datatype", file,
              dsi);
    cr_expect_str_eq(fcs_dataset_byteord(ds), json_string(json_get(x, "byteord")),
                     "%s ds%zu byteord", file, dsi);
    check_keyword_list(ds, json_get(x, "pnn"), "N", file, dsi);
    check_keyword_list(ds, json_get(x, "pns"), "S", file, dsi);
    check_keyword_list(ds, json_get(x, "pnb"), "B", file, dsi);
    /* parameter names: the $PnN values (unique in every positive file except the one below) */
    const json_value *pnn = json_get(x, "pnn");
    for (size_t i = 0; i < json_size(pnn) && i < fcs_dataset_n_params(ds); i++) {
        const char *want = json_string(json_index(pnn, i));
        if (want != NULL && strstr(file, "invalid-duplicate_parameter_name") == NULL) {
            cr_expect_str_eq(fcs_dataset_param(ds, i)->name, want, "%s ds%zu param %zu name",
                             file, dsi, i + 1);
        }
    }
    const json_value *events = json_get(x, "events");
    if (events != NULL && !json_bool(json_get(events, "suspect"), false)) {
        check_rows(ds, json_get(events, "first5"), 0, file, dsi, "first5");
        size_t nl = json_size(json_get(events, "last5"));
        uint64_t n = fcs_dataset_n_events(ds);
        if (n >= nl) {
            check_rows(ds, json_get(events, "last5"), n - nl, file, dsi, "last5");
        }
        check_stats(ds, json_get(x, "channel_stats"), file, dsi);
        (*n_value_checked)++;
    }
}

static bool has_warning_with(const fcs_dataset *ds, const char *fragment)
{
    for (size_t i = 0; i < fcs_dataset_n_warnings(ds); i++) {
        if (strstr(fcs_dataset_warning(ds, i)->msg, fragment) != NULL) {
            return true;
        }
    }
    return false;
}

Test(fcs_corpus, every_manifest_file_reads_or_is_rejected, .timeout = 600)
{
    need_corpus();
    size_t n_rows = 0;
    manifest_row *rows = read_manifest(&n_rows);
    size_t n_ok_files = 0, n_ok_datasets = 0, n_rejected = 0, n_value_checked = 0;
    for (size_t r = 0; r < n_rows; r++) {
        const char *file = rows[r].file;
        char path[1024], jpath[1100];
        snprintf(path, sizeof path, "%s/%s", FCS_CORPUS, file);
        snprintf(jpath, sizeof jpath, "%s.expected.json", path);
        bool negative = strstr(rows[r].notes, "NEGATIVE") != NULL;
        /*
         * facejava/invalid-duplicate_parameter_name.fcs is marked NEGATIVE: both parameters
         * are named "FCS". Names identify channels (gates, compensation, plots), so the reader
         * rejects duplicates by default; with rename_duplicates it reads them as cytolib does
         * (duplicate parameter names): the second becomes "FCS-1", with a warning.
         */
        bool dup_names = strstr(file, "invalid-duplicate_parameter_name") != NULL;
        fcs_file *f = NULL;
        apo_error err;
        apo_error_clear(&err);
        apo_status st = fcs_file_open(&f, path, NULL, &err);
        if (negative) {
            cr_expect_neq(st, APO_OK, "%s: NEGATIVE file was accepted", file);
            cr_expect_null(f);
            cr_expect(strstr(err.msg, file) != NULL, "%s: message does not name the file: %s",
                      file, err.msg);
            cr_expect(strstr(err.msg, "expected") != NULL, "%s: message shape: %s", file,
                      err.msg);
            n_rejected += st != APO_OK;
            fcs_file_free(f);
            if (!dup_names) {
                continue;
            }
            fcs_read_options rename = FCS_READ_OPTIONS_INIT;
            rename.rename_duplicates = true;
            f = NULL;
            st = fcs_file_open(&f, path, &rename, &err);
        }
        cr_expect_eq(st, APO_OK, "%s: %s", file, err.msg);
        if (st != APO_OK) {
            continue;
        }
        json_value *ref = json_parse_file(jpath);
        cr_expect_not_null(ref, "%s: cannot parse reference", jpath);
        const json_value *dsl = json_get(ref, "datasets");
        cr_expect_eq(fcs_file_n_datasets(f), (size_t)json_number(json_get(ref, "n_datasets"), 0),
                     "%s: data sets", file);
        bool all_ok = true;
        for (size_t d = 0; d < fcs_file_n_datasets(f) && d < json_size(dsl); d++) {
            const fcs_dataset *ds = fcs_file_dataset(f, d);
            cr_expect(fcs_dataset_has_data(ds), "%s ds%zu: no data", file, d);
            check_dataset(ds, json_index(dsl, d), file, d, &n_value_checked);
            n_ok_datasets++;
        }
        if (dup_names) {
            const fcs_dataset *ds = fcs_file_dataset(f, 0);
            cr_expect_str_eq(fcs_dataset_param(ds, 0)->name, "FCS");
            cr_expect_str_eq(fcs_dataset_param(ds, 1)->name, "FCS-1");
            cr_expect(has_warning_with(ds, "renamed to \"FCS-1\""), "%s: no rename warning",
                      file);
        }
        n_ok_files += all_ok;
        json_free(ref);
        fcs_file_free(f);
    }
    free(rows);
    /* 65 files: 5 rejected (corrupted, sample_header, AriaFile1, bad $MODE, duplicate $PnN),
     * 61 read with 66 data sets (5 files hold 2; the duplicate-name file with renaming). */
    cr_expect_eq(n_rows, 65, "manifest rows");
    cr_expect_eq(n_rejected, 5, "rejected files");
    cr_expect_eq(n_ok_files, 61, "files read");
    cr_expect_eq(n_ok_datasets, 66, "data sets read");
    cr_expect_eq(n_value_checked, 66, "data sets with value checks");
}

/* The truncated Aurora file holds HEADER and TEXT only: text_only must read it. */
Test(fcs_corpus, sample_header_reads_text_only)
{
    need_corpus();
    fcs_read_options o = FCS_READ_OPTIONS_INIT;
    o.text_only = true;
    fcs_file *f = NULL;
    apo_error err;
    apo_error_clear(&err);
    cr_assert_eq(fcs_file_open(&f, FCS_CORPUS "/fcsparser/sample_header.fcs", &o, &err), APO_OK,
                 "%s", err.msg);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    cr_expect_eq(fcs_dataset_has_data(ds), false);
    cr_expect_eq(fcs_dataset_n_events(ds), 20000);
    cr_expect_eq(fcs_dataset_n_params(ds), 27);
    cr_expect_str_eq(fcs_dataset_param(ds, 0)->name, "Time");
    cr_expect(fcs_dataset_param(ds, 0)->is_time);
    fcs_file_free(f);
}

/* The negative files fail for the documented reason, with the offending keyword/offset. */
Test(fcs_corpus, negative_files_give_specific_errors)
{
    need_corpus();
    struct {
        const char *file;
        apo_status status;
        const char *fragment;
    } cases[] = {
        {"fcsparser/corrupted.fcs", APO_E_FORMAT, "found only 10 bytes"},
        {"fcsparser/sample_header.fcs", APO_E_FORMAT, "file of 3931 bytes"},
        {"morganconrad_fcs/AriaFile1.fcs", APO_E_FORMAT, "truncated"},
        {"facejava/invalid-bad_data_set_type.fcs", APO_E_UNSUPPORTED, "$MODE"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", FCS_CORPUS, cases[i].file);
        fcs_file *f = NULL;
        apo_error err;
        apo_error_clear(&err);
        cr_expect_eq(fcs_file_open(&f, path, NULL, &err), cases[i].status, "%s: %s",
                     cases[i].file, err.msg);
        cr_expect(strstr(err.msg, cases[i].fragment) != NULL, "%s: %s", cases[i].file, err.msg);
        fcs_file_free(f);
    }
}

/* Quirk files: the repair the parser chose, checked against the manifest verdicts. */
Test(fcs_corpus, offset_verdicts_and_repairs)
{
    need_corpus();
    struct {
        const char *file;
        uint64_t data_begin; /* absolute, data set 0 */
        const char *warning;
    } cases[] = {
        /* VERDICT: HEADER right; TEXT $BEGINDATA 2526 points into the TEXT (58..2959) */
        {"cytoflow/Accuri - C6.fcs", 2960, "other one inside HEADER/TEXT"},
        /* VERDICT: HEADER right; TEXT is 46 bytes late; HEADER DATA follows TEXT directly */
        {"cytoflow/Beckman Coulter - Cyan.fcs", 2284, "(DATA follows TEXT)"},
        /* VERDICT: TEXT right; HEADER 512 points into TEXT */
        {"facejava/int-10000_events_random.fcs", 672, "other one inside HEADER/TEXT"},
        /* VERDICT: HEADER right (only it matches $TOT x row size; TEXT begins inside TEXT) */
        {"facejava/double-5_events.fcs", 576, "other one inside HEADER/TEXT"},
        {"facejava/int-10_events_8_parameters.fcs", 736, "other one inside HEADER/TEXT"},
        /* VERDICT: TEXT right (HEADER 5555 lies inside the TEXT) */
        {"flowio/data_start_offset_discrepancy_example.fcs", 6081, "other one inside HEADER/TEXT"},
        /* $ENDDATA one byte too far */
        {"cytoflow/stabilize.fcs", 0, "one byte too far"},
        /* FC500 $PnB 10 in 16-bit words */
        {"cytoflow/Beckman Coulter - Cytomics FC500.LMD", 0, "from 16-bit words"},
        /* CellQuest empty values "\\" (doubled delimiters) */
        {"flowcore/0877408774.B08", 0, "empty values"},
        /* Cytek: TEXT without final delimiter */
        {"cytoflow/Cytek NL-2000.fcs", 0, "expected it to end with the delimiter"},
        /* MACSQuant $SPILLOVER with names only */
        {"fcsparser/EY_2013-07-19_PBS_FCS_3.1_Well_A1.001.fcs", 0, "found names only"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", FCS_CORPUS, cases[i].file);
        fcs_file *f = NULL;
        apo_error err;
        apo_error_clear(&err);
        cr_assert_eq(fcs_file_open(&f, path, NULL, &err), APO_OK, "%s", err.msg);
        const fcs_dataset *ds = fcs_file_dataset(f, 0);
        if (cases[i].data_begin != 0) {
            cr_expect_eq(fcs_dataset_data_begin(ds), cases[i].data_begin, "%s", cases[i].file);
        }
        cr_expect(has_warning_with(ds, cases[i].warning), "%s: no warning \"%s\"",
                  cases[i].file, cases[i].warning);
        fcs_file_free(f);
    }
}

/* REFERENCE CORRECTED: CellQuest wrote empty $P3S/$P4S/$P5S/$P7S as "\\" followed by the next
 * keyword; read as escapes, $P5S would swallow "$P6N" and $P6N would be lost. The right reading
 * is $P6N = FL1-A and those $PnS empty. */
Test(fcs_corpus, cellquest_empty_values)
{
    need_corpus();
    fcs_file *f = NULL;
    apo_error err;
    apo_error_clear(&err);
    cr_assert_eq(fcs_file_open(&f, FCS_CORPUS "/flowcore/0877408774.B08", NULL, &err), APO_OK,
                 "%s", err.msg);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    cr_expect_str_eq(fcs_dataset_param(ds, 5)->name, "FL1-A");
    cr_expect_str_eq(fcs_dataset_keyword(ds, "$P3S"), "");
    cr_expect_str_eq(fcs_dataset_keyword(ds, "$P7S"), "");
    cr_expect_str_eq(fcs_dataset_keyword(ds, "$p8s"), "Time (51.20 sec.)");
    fcs_file_free(f);
}

/* Spillover matrices of DiVa files parse with names matched to $PnN. */
Test(fcs_corpus, diva_spillover)
{
    need_corpus();
    fcs_file *f = NULL;
    apo_error err;
    apo_error_clear(&err);
    cr_assert_eq(fcs_file_open(&f, FCS_CORPUS "/flowkit/test_comp_example.fcs", NULL, &err),
                 APO_OK, "%s", err.msg);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    const fcs_spillover *s = fcs_dataset_spillover(ds);
    cr_assert_not_null(s);
    cr_expect_gt(s->n, 1);
    for (size_t i = 0; i < s->n; i++) {
        cr_expect_str_eq(s->names[i], fcs_dataset_param(ds, s->param_index[i])->name);
        cr_expect_float_eq(s->values[i * s->n + i], 1.0, 1e-12, "diagonal %zu", i);
    }
    fcs_file_free(f);
}

/* Gating-ML data1.fcs: raw uint16 and scaled ($PnE log, $PnG gain) values of the first 5
 * events against vectors/data1_first_events.csv. */
Test(fcs_corpus, gatingml_data1_first_events)
{
    need_corpus();
    FILE *fp = fopen(APOFLOW_CORPUS_DIR "/vectors/data1_first_events.csv", "r");
    cr_assert_not_null(fp);
    fcs_file *f = NULL;
    apo_error err;
    apo_error_clear(&err);
    cr_assert_eq(fcs_file_open(&f, APOFLOW_CORPUS_DIR "/gating-ml/data1.fcs", NULL, &err), APO_OK,
                 "%s", err.msg);
    const fcs_dataset *ds = fcs_file_dataset(f, 0);
    size_t np = fcs_dataset_n_params(ds);
    double raw[8 * 5], scaled[8 * 5];
    cr_assert_eq(np, 8);
    fcs_decode_options o = FCS_DECODE_OPTIONS_INIT;
    cr_assert_eq(fcs_dataset_decode_f64(ds, 0, 5, &o, raw, 5, &err), APO_OK, "%s", err.msg);
    o.values = FCS_VALUES_SCALED;
    o.apply_gain = true;
    cr_assert_eq(fcs_dataset_decode_f64(ds, 0, 5, &o, scaled, 5, &err), APO_OK, "%s", err.msg);
    char line[256];
    size_t n = 0;
    cr_assert_not_null(fgets(line, sizeof line, fp)); /* header */
    while (fgets(line, sizeof line, fp)) {
        char *fields[4] = {NULL, NULL, NULL, NULL};
        char *p = line;
        int n_fields = 0;
        while (p != NULL && n_fields < 4) {
            fields[n_fields++] = p;
            p = strchr(p, ',');
            if (p) {
                *p++ = '\0';
            }
        }
        cr_assert_eq(n_fields, 4, "line %zu of data1_first_events.csv: expected 4 fields, found %d",
                     n + 2, n_fields);
        size_t e = (size_t)strtoul(fields[0], NULL, 10);
        cr_assert_lt(e, 5, "line %zu: expected an event index below 5, found %zu", n + 2, e);
        size_t ch = fcs_dataset_find_param(ds, fields[1]);
        cr_assert_neq(ch, SIZE_MAX, "channel %s", fields[1]);
        double want_raw = strtod(fields[2], NULL);
        double want_scaled = strtod(fields[3], NULL);
        cr_expect_eq(raw[ch * 5 + e], want_raw, "event %zu %s raw", e, fields[1]);
        cr_expect(fabs(scaled[ch * 5 + e] - want_scaled) <= 1e-6 * fmax(1, fabs(want_scaled)),
                  "event %zu %s scaled: expected %.9g, found %.9g", e, fields[1], want_scaled,
                  scaled[ch * 5 + e]);
        n++;
    }
    fclose(fp);
    cr_expect_eq(n, 40);
    fcs_file_free(f);
}
