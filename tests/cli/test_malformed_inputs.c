/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_malformed_inputs.c: the other untrusted inputs through the CLI: damaged Gating-ML
 * (`apoflow gate --gating`), spillover matrix CSVs (`apoflow gate --comp`) and sample sheets
 * (`apoflow run --sheet`). Each must exit 65 with one "apoflow: error:" line naming the file
 * and the line/column or element, and never crash. docs/hardening.md lists the messages.
 */
#include "support/run_cli.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FCS_SEED APOFLOW_SOURCE_DIR "/tests/fuzz/corpus/fcs_parse/float_le.fcs"
#define GML_SEED APOFLOW_SOURCE_DIR "/tests/fuzz/corpus/gml_read/rect.xml"

static char *write_text(const char *dir, const char *name, const char *text)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    snprintf(path, n, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp);
    cr_assert_eq(fwrite(text, 1, strlen(text), fp), strlen(text));
    cr_assert_eq(fclose(fp), 0);
    return path;
}

/* Run argv; expect exit 65 and stderr containing "apoflow: error: <path>: " and @p fragment. */
static void expect_65(const char *const *argv, const char *path, const char *fragment)
{
    run_result r;
    run_cli(argv, &r);
    cr_assert(r.exit_code >= 0 && r.exit_code < 128, "%s: died with %d", path, r.exit_code);
    cr_assert_eq(r.exit_code, 65, "%s: exit %d; stderr: %s", path, r.exit_code, r.err);
    char want[4200];
    snprintf(want, sizeof want, "apoflow: error: %s: ", path);
    cr_assert(strstr(r.err, want) != NULL, "expected \"%s\" in: %s", want, r.err);
    cr_assert(strstr(r.err, fragment) != NULL, "expected \"%s\" in: %s", fragment, r.err);
    run_result_free(&r);
}

Test(cli_malformed_inputs, gating_ml)
{
    static const struct {
        const char *name, *text, *fragment;
    } cases[] = {
        {"truncated.xml",
         "<gating:Gating-ML xmlns:gating=\"http://www.isac-net.org/std/Gating-ML/v2.0/gating\">"
         "<gating:RectangleGate gating:id=\"R\">",
         "line 1: expected well-formed XML"},
        {"not_xml.xml", "FCS3.1    58", "expected well-formed XML"},
        {"wrong_root.xml", "<html/>", "expected root element gating:Gating-ML"},
        {"empty.xml",
         "<gating:Gating-ML "
         "xmlns:gating=\"http://www.isac-net.org/std/Gating-ML/v2.0/gating\"/>",
         "expected at least one gate"},
    };
    char *dir = test_tmpdir();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *path = write_text(dir, cases[i].name, cases[i].text);
        const char *argv[] = {APOFLOW_BINARY, "gate", "--gating", path, FCS_SEED, NULL};
        expect_65(argv, path, cases[i].fragment);
        unlink(path);
        free(path);
    }
    /* Bug B1 of docs/hardening.md (fixed): a bad declared encoding made libxml2 print its own
     * lines on stderr. */
    const char *enc =
        APOFLOW_SOURCE_DIR "/tests/fuzz/corpus/gml_read/encoding_iso2022_bad_bytes.xml";
    const char *argv_enc[] = {APOFLOW_BINARY, "gate", "--gating", enc, FCS_SEED, NULL};
    run_result r;
    run_cli(argv_enc, &r);
    cr_assert_eq(r.exit_code, 65, "exit %d: %s", r.exit_code, r.err);
    char want[4200];
    snprintf(want, sizeof want, "apoflow: error: %s: line 2: expected well-formed XML", enc);
    cr_assert(strncmp(r.err, want, strlen(want)) == 0, "stderr does not start with \"%s\": %s",
              want, r.err);
    cr_assert(strstr(r.err, "encoding error") == NULL, "libxml2 printed: %s", r.err);
    cr_assert(strchr(r.err, '\n') == r.err + r.err_len - 1, "more than one line: %s", r.err);
    run_result_free(&r);

    /* Nested entities (a billion laughs) are refused, not expanded. */
    const char *lol = APOFLOW_SOURCE_DIR "/tests/fuzz/corpus/gml_read/billion_laughs.xml";
    const char *argv[] = {APOFLOW_BINARY, "gate", "--gating", lol, FCS_SEED, NULL};
    expect_65(argv, lol, "line 16: expected well-formed XML, found an error: Detected an "
                         "entity reference loop");
    rmdir(dir);
    free(dir);
}

Test(cli_malformed_inputs, matrix_csv)
{
    static const struct {
        const char *name, *text, *fragment;
    } cases[] = {
        {"short.csv", "FL1-A,FL2-A\n1,0.1\n", "expected 2 matrix rows"},
        {"text.csv", "FL1-A,FL2-A\n1,abc\n0.1,1\n", "line 2, column 2: expected a number"},
        {"ragged.csv", "FL1-A,FL2-A\n1,0.1,7\n0.1,1\n", "row name on every row or on none"},
        {"empty.csv", "", "header: expected a header of detector names, found an empty file"},
        /* Bug B2 of docs/hardening.md (fixed): the message named "spillover", not the file. */
        {"singular.csv", "FL1-A,FL2-A\n1,1\n1,1\n",
         "expected an invertible spillover matrix, found that the matrix is singular"},
    };
    char *dir = test_tmpdir();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *path = write_text(dir, cases[i].name, cases[i].text);
        const char *argv[] = {APOFLOW_BINARY, "gate", "--gating", GML_SEED, "--comp", path,
                              FCS_SEED,       NULL};
        expect_65(argv, path, cases[i].fragment);
        unlink(path);
        free(path);
    }
    rmdir(dir);
    free(dir);
}

Test(cli_malformed_inputs, sample_sheet)
{
    static const struct {
        const char *name, *text, *fragment;
    } cases[] = {
        {"quote.csv", "file,role\n\"unterminated.fcs,treated\n",
         "line 2: expected a closing quote"},
        {"nofile.csv", "sample,role\nx,treated\n", "expected a column named \"file\""},
        {"dose.csv", "file,role,dose\nx.fcs,treated,abc\n", "line 2: expected a number"},
    };
    char *dir = test_tmpdir();
    char out[4200];
    snprintf(out, sizeof out, "%s/out", dir);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *path = write_text(dir, cases[i].name, cases[i].text);
        const char *argv[] = {APOFLOW_BINARY, "run", "--sheet", path, "-o", out, NULL};
        expect_65(argv, path, cases[i].fragment);
        cr_assert_neq(access(out, F_OK), 0, "%s: an output folder was created", path);
        unlink(path);
        free(path);
    }
    rmdir(dir);
    free(dir);
}
