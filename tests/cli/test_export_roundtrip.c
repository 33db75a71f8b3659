/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_export_roundtrip.c: `apoflow export --format fcs` writes a file that analyses exactly
 * like its source: the gain ($PnG) is kept, log-amplified integer columns are linearized with a
 * warning, and the example experiment run from exported copies gives the same tables as the
 * originals.
 */
#include "support/fcs_builder.h"
#include "support/run_cli.h"
#include "support/slurp.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void write_bytes(const char *path, const uint8_t *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(bytes, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

static run_result apoflow(const char *const *args)
{
    const char *argv[24] = {APOFLOW_BINARY};
    size_t n = 1;
    for (; args[n - 1] != NULL && n < 23; n++) {
        argv[n] = args[n - 1];
    }
    argv[n] = NULL;
    run_result r;
    run_cli(argv, &r);
    return r;
}

/* Every scaled value (with and without the gain) of @p a equals that of @p b. */
static void assert_same_values(const char *a, const char *b)
{
    const char *flags[][3] = {{"--values", "scaled", NULL}, {"--apply-gain", NULL, NULL}};
    for (int with_gain = 0; with_gain < 2; with_gain++) {
        char *text[2];
        const char *paths[2] = {a, b};
        for (int k = 0; k < 2; k++) {
            const char *args[] = {"export", paths[k], "-o", "-", flags[0][0], flags[0][1],
                                  with_gain ? flags[1][0] : NULL, NULL};
            run_result r = apoflow(args);
            cr_assert_eq(r.exit_code, 0, "export %s: %s", paths[k], r.err);
            text[k] = strdup(r.out);
            run_result_free(&r);
        }
        cr_assert_str_eq(text[0], text[1], "scaled values%s differ:\n%s\n---\n%s",
                         with_gain ? " with gain" : "", text[0], text[1]);
        free(text[0]);
        free(text[1]);
    }
}

Test(cli_export_roundtrip, gain_and_log_columns_survive)
{
    char *dir = test_tmpdir();
    fcs_builder *b = fcs_builder_new("FCS3.0");
    fcs_builder_param(b, "FSC-H", 16, 1024);
    fcs_builder_param(b, "FL1-H", 16, 1024);
    fcs_builder_param(b, "RED-HLin", 16, 1024);
    fcs_builder_keyword(b, "$P1G", "2.5");
    fcs_builder_keyword(b, "$P2E", "4,1");
    fcs_builder_keyword(b, "$P2G", "8");
    fcs_builder_keyword(b, "$P3G", "47");
    const double v[] = {100, 0, 940, 512, 256, 3, 1023, 1023, 500, 7, 700, 12};
    fcs_builder_set_events(b, 4, v);
    size_t len;
    uint8_t *bytes = fcs_builder_build(b, &len);
    fcs_builder_free(b);
    char src[4096], copy[4096];
    snprintf(src, sizeof src, "%s/src.fcs", dir);
    snprintf(copy, sizeof copy, "%s/copy.fcs", dir);
    write_bytes(src, bytes, len);
    free(bytes);

    const char *args[] = {"export", src, "-o", copy, "--format", "fcs", NULL};
    run_result r = apoflow(args);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    cr_assert(strstr(r.err, "log-amplified integer columns ($PnE) are written linearized") !=
                  NULL,
              "expected the linearization to be said, found: %s", r.err);
    run_result_free(&r);
    assert_same_values(src, copy);

    /* The copy's own keywords: gains kept where the values were not divided; none on the
     * linearized log column (the reader never divides a log-decoded column). */
    const char *info[] = {"info", "--json", copy, NULL};
    r = apoflow(info);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    cr_assert(strstr(r.out, "\"$P1G\":\"2.5\"") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "\"$P3G\":\"47\"") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "\"$P2G\"") == NULL, "%s", r.out);
    cr_assert(strstr(r.out, "\"datatype\":\"D\"") != NULL, "%s", r.out);
    run_result_free(&r);

    /* --apply-gain: values divided, so the copy carries no gain. */
    const char *gargs[] = {"export", src,       "-o",           copy,
                           "--format", "fcs", "--values", "scaled", "--apply-gain", NULL};
    r = apoflow(gargs);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    r = apoflow(info);
    cr_assert(strstr(r.out, "\"$P1G\"") == NULL && strstr(r.out, "\"$P3G\"") == NULL, "%s",
              r.out);
    run_result_free(&r);
    free(dir);
}

/* Drop the second CSV field (the file path) of every line. */
static void drop_file_column(char *text)
{
    char *w = text;
    for (const char *p = text; *p != '\0';) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) + 1 : strlen(p);
        const char *c1 = memchr(p, ',', n);
        const char *c2 = c1 ? memchr(c1 + 1, ',', n - (size_t)(c1 + 1 - p)) : NULL;
        if (c1 != NULL && c2 != NULL) {
            size_t head = (size_t)(c1 - p);
            memmove(w, p, head);
            w += head;
            size_t tail = n - (size_t)(c2 - p);
            memmove(w, c2, tail);
            w += tail;
        } else {
            memmove(w, p, n);
            w += n;
        }
        p += n;
    }
    *w = '\0';
}

Test(cli_export_roundtrip, experiment_from_copies_gives_identical_tables, .timeout = 600)
{
    char *dir = test_tmpdir();
    char copies[4096], out_a[4096], out_b[4096], sheet[4096];
    snprintf(copies, sizeof copies, "%s/copies", dir);
    snprintf(out_a, sizeof out_a, "%s/a", dir);
    snprintf(out_b, sizeof out_b, "%s/b", dir);
    cr_assert_eq(mkdir(copies, 0755), 0);
    char *sheet_text = test_slurp(APOFLOW_SOURCE_DIR "/samples/sheet.csv", NULL);
    snprintf(sheet, sizeof sheet, "%s/sheet.csv", copies);
    write_bytes(sheet, (const uint8_t *)sheet_text, strlen(sheet_text));
    /* Every file the sheet names, exported as FCS under the same name. */
    for (char *line = strchr(sheet_text, '\n'); line != NULL && line[1] != '\0';
         line = strchr(line + 1, '\n')) {
        char name[256];
        const char *comma = strchr(line + 1, ',');
        cr_assert_not_null(comma);
        snprintf(name, sizeof name, "%.*s", (int)(comma - line - 1), line + 1);
        char src[4096], dst[4096];
        snprintf(src, sizeof src, "%s/samples/%s", APOFLOW_SOURCE_DIR, name);
        snprintf(dst, sizeof dst, "%s/%s", copies, name);
        const char *args[] = {"export", src, "-o", dst, "--format", "fcs", NULL};
        run_result r = apoflow(args);
        cr_assert_eq(r.exit_code, 0, "%s: %s", name, r.err);
        run_result_free(&r);
    }
    free(sheet_text);

    const char *run_a[] = {"run",   APOFLOW_SOURCE_DIR "/samples/", "--sheet",
                           APOFLOW_SOURCE_DIR "/samples/sheet.csv", "-o", out_a, "--no-plots",
                           "-q",    NULL};
    const char *run_b[] = {"run", copies, "--sheet", sheet, "-o", out_b, "--no-plots", "-q",
                           NULL};
    run_result r = apoflow(run_a);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    r = apoflow(run_b);
    cr_assert_eq(r.exit_code, 0, "%s", r.err);
    run_result_free(&r);
    const char *tables[] = {"samples.csv", "comparisons.csv", "stats.csv"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char pa[4200], pb[4200];
        snprintf(pa, sizeof pa, "%s/%s", out_a, tables[i]);
        snprintf(pb, sizeof pb, "%s/%s", out_b, tables[i]);
        char *ta = test_slurp(pa, NULL), *tb = test_slurp(pb, NULL);
        if (i == 0) {
            drop_file_column(ta);
            drop_file_column(tb);
        }
        cr_assert_str_eq(ta, tb, "%s differs between originals and FCS exports", tables[i]);
        free(ta);
        free(tb);
    }
    free(dir);
}
