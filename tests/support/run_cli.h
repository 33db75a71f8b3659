/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * run_cli.h: run a command (normally the built apoflow binary) for end-to-end tests,
 * capturing its exit code, stdout and stderr.
 *
 *   run_result r;
 *   const char *argv[] = {APOFLOW_BINARY, "info", "--json", path, NULL};
 *   run_cli(argv, &r);            // r.exit_code, r.out, r.err (NUL-terminated)
 *   run_result_free(&r);
 */
#ifndef APOFLOW_TESTS_SUPPORT_RUN_CLI_H
#define APOFLOW_TESTS_SUPPORT_RUN_CLI_H

#include <stddef.h>

typedef struct run_result {
    int exit_code; /* exit status, or 128 + signal number if killed by a signal, -1 on spawn failure */
    char *out;     /* captured stdout (NUL-terminated, never NULL after run_cli) */
    size_t out_len;
    char *err; /* captured stderr */
    size_t err_len;
} run_result;

/* Run argv[0] with arguments argv (NULL-terminated); returns r->exit_code. */
int run_cli(const char *const *argv, run_result *r);
void run_result_free(run_result *r);
/*
 * As run_cli, and *max_rss_kb = getrusage(RUSAGE_CHILDREN).ru_maxrss afterwards (KiB on
 * Linux; -1 on failure): the peak resident size of the LARGEST child this process has waited
 * for so far, so it measures one command only in a test that has run nothing before it.
 * The child starts as a copy of the caller (fork), so keep the caller small.
 */
int run_cli_max_rss(const char *const *argv, run_result *r, long *max_rss_kb);

/* Create a fresh temporary directory (mkdtemp under $TMPDIR or /tmp); returns a malloc'd path. */
char *test_tmpdir(void);

#endif /* APOFLOW_TESTS_SUPPORT_RUN_CLI_H */
