/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * run_cli.h: run a command (normally the built apoflow binary) for end-to-end tests,
 * capturing its exit code, stdout and stderr.
 *
 *   run_result r;
 *   const char *argv[] = {APOFLOW_BINARY, "info", "--json", path, NULL};
 *   run_cli(argv, &r);            // r.exit_code, r.out, r.err (NUL-terminated)
 *   run_result_free(&r);
 *
 * This is the one way tests launch the binary; run_cli_with adds a working directory, a memory
 * limit, a timeout or dropped privileges.
 */
#ifndef APOFLOW_TESTS_SUPPORT_RUN_CLI_H
#define APOFLOW_TESTS_SUPPORT_RUN_CLI_H

#include <stdbool.h>
#include <stddef.h>

typedef struct run_result {
    int exit_code; /* exit status, or 128 + signal number if killed by a signal, -1 on spawn failure */
    bool timed_out; /* killed after run_cli_options.timeout_s */
    char *out;     /* captured stdout (NUL-terminated, never NULL after run_cli) */
    size_t out_len;
    char *err; /* captured stderr */
    size_t err_len;
} run_result;

/* Run argv[0] with arguments argv (NULL-terminated); returns r->exit_code. */
int run_cli(const char *const *argv, run_result *r);

/* How run_cli_with runs the command; {0} is run_cli's way. */
typedef struct run_cli_options {
    const char *cwd;         /* working directory of the command (NULL = the caller's) */
    unsigned long as_limit;  /* RLIMIT_AS of the command in bytes (0 = none) */
    unsigned timeout_s;      /* SIGKILL after this many seconds, r->timed_out (0 = wait) */
    bool as_nobody;          /* when root, run as user and group 65534 (nobody) */
} run_cli_options;

/* As run_cli, with @p opts (NULL = none). A child that cannot apply an option exits 125. */
int run_cli_with(const char *const *argv, const run_cli_options *opts, run_result *r);
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
