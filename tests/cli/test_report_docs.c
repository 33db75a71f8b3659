/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_report_docs.c: the manual page docs/apoflow.1 has a section for every command that
 * `apoflow --help` lists, and documents every option that `apoflow run --help` and
 * `apoflow merge --help` print; docs/scaling.md shows the sharded workflow.
 */
#include "support/run_cli.h"
#include "support/slurp.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Test(cli_docs, man_page_has_every_command)
{
    char *man = test_slurp(APOFLOW_SOURCE_DIR "/docs/apoflow.1", NULL);
    const char *argv[] = {APOFLOW_BINARY, "--help", NULL};
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 0);
    const char *p = strstr(r.out, "commands:\n");
    cr_assert_not_null(p);
    size_t n = 0;
    for (p = strchr(p, '\n') + 1; strncmp(p, "  ", 2) == 0; p = strchr(p, '\n') + 1) {
        char name[32], want[64];
        size_t k = 0;
        for (const char *q = p + 2; *q > ' ' && k + 1 < sizeof name; q++) {
            name[k++] = *q;
        }
        name[k] = '\0';
        cr_assert_gt(k, 0);
        snprintf(want, sizeof want, "\n.SS %s ", name);
        cr_assert_not_null(strstr(man, want), "docs/apoflow.1 has no section for '%s'", name);
        n++;
    }
    cr_assert_geq(n, 8);
    run_result_free(&r);
    free(man);
}

static void options_documented(const char *cmd, const char *man)
{
    const char *argv[] = {APOFLOW_BINARY, cmd, "--help", NULL};
    run_result r;
    cr_assert_eq(run_cli(argv, &r), 0);
    size_t n = 0;
    for (const char *p = strstr(r.out, "\n  -"); p != NULL; p = strstr(p + 1, "--")) {
        if (p[0] != '-' || p[1] != '-' || p[2] < 'a' || p[2] > 'z') {
            continue;
        }
        char opt[64] = "\\-\\-";
        size_t k = strlen(opt);
        for (const char *q = p + 2; ((*q >= 'a' && *q <= 'z') || *q == '-') && k + 3 < sizeof opt;
             q++) {
            if (*q == '-') {
                opt[k++] = '\\';
            }
            opt[k++] = *q;
        }
        opt[k] = '\0';
        cr_assert_not_null(strstr(man, opt), "docs/apoflow.1 lacks %s of 'apoflow %s'", opt, cmd);
        n++;
    }
    cr_assert_geq(n, 5, "%s", r.out);
    run_result_free(&r);
}

Test(cli_docs, man_page_has_every_run_and_merge_option)
{
    char *man = test_slurp(APOFLOW_SOURCE_DIR "/docs/apoflow.1", NULL);
    options_documented("run", man);
    options_documented("merge", man);
    free(man);
}

Test(cli_docs, scaling_guide_shows_the_sharded_workflow)
{
    char *doc = test_slurp(APOFLOW_SOURCE_DIR "/docs/scaling.md", NULL);
    const char *must[] = {"--controls-only", "--shard", "apoflow merge", "rule shard",
                          "process SHARD", "SLURM_ARRAY_TASK_ID", "--jobs"};
    for (size_t i = 0; i < sizeof must / sizeof *must; i++) {
        cr_assert_not_null(strstr(doc, must[i]), "docs/scaling.md lacks %s", must[i]);
    }
    free(doc);
}
