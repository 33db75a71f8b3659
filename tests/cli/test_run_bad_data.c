/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_run_bad_data.c: `apoflow run` decodes events only while it analyses them, so an
 * undecodable DATA segment (a letter among delimited ASCII numbers) is found then: the sample
 * fails with the reader's message (file, byte offset, what was expected), and when no sample is
 * left the run says so with that message and exit 65, not a vaguer later error.
 */
#include "support/need.h"
#include "support/run_cli.h"
#include "support/slurp.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ASCII APOFLOW_CORPUS_DIR "/fcs/facejava/ascii-4_events.fcs"

Test(cli_run_bad_data, undecodable_ascii_data_names_the_byte)
{
    test_need_path(ASCII, "the corpus file");
    size_t n = 0;
    char *buf = test_slurp(ASCII, &n);
    cr_assert_gt(n, 58);
    /* HEADER bytes 26-33: the first DATA byte; damage the first digit after it */
    char off[9];
    memcpy(off, buf + 26, 8);
    off[8] = '\0';
    size_t data = (size_t)strtoul(off, NULL, 10), k = data;
    while (k < n && (buf[k] < '0' || buf[k] > '9')) {
        k++;
    }
    cr_assert_lt(k, n);
    buf[k] = 'x';
    char *dir = test_tmpdir();
    char in[1024], path[1100], out[1024];
    snprintf(in, sizeof in, "%s/in", dir);
    cr_assert_eq(mkdir(in, 0777), 0);
    snprintf(path, sizeof path, "%s/bad.fcs", in);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(buf, 1, n, f), n);
    fclose(f);
    snprintf(out, sizeof out, "%s/out", dir);
    const char *argv[] = {APOFLOW_BINARY, "run", in, "-o", out, "--no-plots",
                          "--annexin", "FSC", "--pi", "SSC", NULL};
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 65, "%s", r.err);
    char want[64];
    /* the offset of the damaged token: the first one, at the start of DATA */
    snprintf(want, sizeof want, "byte %zu: DATA: expected a number", data);
    cr_assert(strstr(r.err, want) != NULL, "expected \"%s\" in: %s", want, r.err);
    cr_assert(strstr(r.err, "bad.fcs") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "density valley") == NULL, "%s", r.err);
    run_result_free(&r);
    free(buf);
    free(dir);
}
