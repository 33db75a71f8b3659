/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * run_cli.c: spawn a process with its stdout and stderr redirected to temporary files, wait
 * for it and read both back (files rather than pipes, so large outputs cannot deadlock).
 */
#include "support/run_cli.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *slurp_fd(int fd, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (buf == NULL) {
        *len = 0;
        return NULL;
    }
    lseek(fd, 0, SEEK_SET);
    for (;;) {
        if (n + 1 >= cap) {
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        ssize_t got = read(fd, buf + n, cap - n - 1);
        if (got <= 0) {
            break;
        }
        n += (size_t)got;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int temp_fd(void)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof(path), "%s/apoflow-run-XXXXXX", dir && dir[0] ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd >= 0) {
        unlink(path);
    }
    return fd;
}

/* In the child: apply @p o, or exit 125. */
static void apply_options(const run_cli_options *o)
{
    if (o->cwd != NULL && chdir(o->cwd) != 0) {
        _exit(125);
    }
    if (o->as_limit > 0) {
        struct rlimit rl = {(rlim_t)o->as_limit, (rlim_t)o->as_limit};
        if (setrlimit(RLIMIT_AS, &rl) != 0) {
            _exit(125);
        }
    }
    if (o->as_nobody && geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) {
        _exit(125);
    }
}

/* Wait for @p pid, killing it after @p timeout_s seconds (0 = no limit). */
static int wait_child(pid_t pid, unsigned timeout_s, bool *timed_out)
{
    int status = 0;
    if (timeout_s == 0) {
        while (waitpid(pid, &status, 0) < 0) {
        }
        return status;
    }
    const struct timespec tick = {0, 5 * 1000 * 1000};
    for (long waited_ms = 0;; waited_ms += 5) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            return status;
        }
        if (waited_ms >= (long)timeout_s * 1000L) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            *timed_out = true;
            return status;
        }
        nanosleep(&tick, NULL);
    }
}

int run_cli_with(const char *const *argv, const run_cli_options *opts, run_result *r)
{
    static const run_cli_options none = {0};
    const run_cli_options *o = opts != NULL ? opts : &none;
    memset(r, 0, sizeof(*r));
    r->exit_code = -1;
    int out_fd = temp_fd(), err_fd = temp_fd();
    if (out_fd < 0 || err_fd < 0) {
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) {
            dup2(devnull, 0);
        }
        dup2(out_fd, 1);
        dup2(err_fd, 2);
        apply_options(o);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    if (pid > 0) {
        int status = wait_child(pid, o->timeout_s, &r->timed_out);
        if (WIFEXITED(status)) {
            r->exit_code = WEXITSTATUS(status);
        } else if (WIFSIGNALED(status)) {
            r->exit_code = 128 + WTERMSIG(status);
        }
    }
    r->out = slurp_fd(out_fd, &r->out_len);
    r->err = slurp_fd(err_fd, &r->err_len);
    close(out_fd);
    close(err_fd);
    return r->exit_code;
}

int run_cli(const char *const *argv, run_result *r)
{
    return run_cli_with(argv, NULL, r);
}

int run_cli_max_rss(const char *const *argv, run_result *r, long *max_rss_kb)
{
    int rc = run_cli(argv, r);
    struct rusage ru;
    memset(&ru, 0, sizeof(ru));
    *max_rss_kb = getrusage(RUSAGE_CHILDREN, &ru) == 0 ? ru.ru_maxrss : -1;
    return rc;
}

void run_result_free(run_result *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof(*r));
}

char *test_tmpdir(void)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof(path), "%s/apoflow-test-XXXXXX", dir && dir[0] ? dir : "/tmp");
    if (mkdtemp(path) == NULL) {
        return NULL;
    }
    size_t n = strlen(path) + 1;
    char *out = malloc(n);
    if (out != NULL) {
        memcpy(out, path, n);
    }
    return out;
}
