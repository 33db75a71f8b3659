/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * outdir.c: an output folder that a run owns. The run lists every file it writes in a
 * manifest (manifest.json), written last, so a folder with a manifest holds one complete run
 * and nothing else of ours. The next run into the same folder reads the old manifest and,
 * once its own files are in place, removes the old run's files it did not write again (a
 * plot of a sample no longer in the sheet), and removes the hidden temporary files of an
 * interrupted write (".<name>.tmp-XXXXXX", see apo_atomic_open) left by a killed run.
 * While a run writes, the earlier manifest is set aside under a hidden name
 * (".manifest.previous.json"), so that a run killed half-way leaves no manifest claiming a
 * complete run beside its own files; the next run reads the set-aside one instead. A run that
 * ends having written nothing puts it back.
 *
 * The manifest is also the run's commit record on disk: the files are renamed into place
 * without waiting for the disk (atomic.c), and before the manifest is written the folder's
 * file system is synced once; the manifest itself is synced after its rename. After a power
 * cut, a folder whose manifest names a file holds that file complete.
 *
 * A manifest is read as untrusted input: only plain relative names (letters, digits, '.',
 * '_', '-', '+', '#' and at most one '/' for a subfolder; no "..", no hidden names) are ever
 * removed, and only when they are regular files (never a folder, never through a link).
 */
#define _DEFAULT_SOURCE 1 /* st_mtim */

#include "util/observer.h"
#include "util/util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MANIFEST_NAME "manifest.json"
#define PREVIOUS_NAME ".manifest.previous.json" /* the earlier run's, while a run writes */
#define MANIFEST_MAX_BYTES ((size_t)64 << 20)

void apo_manifest_init(apo_manifest *m)
{
    memset(m, 0, sizeof *m);
}

void apo_manifest_free(apo_manifest *m)
{
    if (m == NULL) {
        return;
    }
    for (size_t i = 0; i < m->n; i++) {
        free(m->files[i]);
    }
    free(m->files);
    memset(m, 0, sizeof *m);
}

/* A name we may list and later remove: see the file comment. */
bool apo_manifest_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 255 || name[0] == '.' || name[0] == '/') {
        return false;
    }
    int slashes = 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '.' || c == '_' || c == '-' || c == '+' || c == '#';
        if (c == '/') {
            if (++slashes > 1 || i + 1 == n || name[i + 1] == '.') {
                return false;
            }
        } else if (!plain) {
            return false;
        }
    }
    return strstr(name, "..") == NULL;
}

apo_status apo_manifest_add(apo_manifest *m, const char *name, apo_error *err)
{
    if (!apo_manifest_name_ok(name)) {
        return apo_error_set(err, APO_E_USAGE, NULL, APO_NO_OFFSET, NULL,
                             "expected a plain relative output name, found \"%s\"", name);
    }
    for (size_t i = 0; i < m->n; i++) {
        if (strcmp(m->files[i], name) == 0) {
            return APO_OK;
        }
    }
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 32;
        char **v = realloc(m->files, cap * sizeof *v);
        if (v == NULL) {
            return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
        }
        m->files = v;
        m->cap = cap;
    }
    if ((m->files[m->n] = strdup(name)) == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    m->n++;
    return APO_OK;
}

static bool manifest_has(const apo_manifest *m, const char *name)
{
    for (size_t i = 0; m != NULL && i < m->n; i++) {
        if (strcmp(m->files[i], name) == 0) {
            return true;
        }
    }
    return false;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p != NULL) {
        snprintf(p, n, "%s/%s", dir, name);
    }
    return p;
}

apo_status apo_manifest_write(const apo_manifest *m, const char *dir, const char *tool,
                              apo_error *err)
{
    apo_status st = apo_sync_folder(dir, err); /* the files it names, on disk first */
    if (st != APO_OK) {
        return st;
    }
    char *path = join(dir, MANIFEST_NAME);
    if (path == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    apo_atomic_file af;
    st = apo_atomic_open(&af, path, err);
    free(path);
    if (st != APO_OK) {
        return st;
    }
    bool first = true;
    fputc('{', af.fp);
    apo_json_kv_str(af.fp, "tool", tool, &first);
    apo_json_kv_str(af.fp, "complete", "yes", &first);
    apo_json_key(af.fp, "files", &first);
    fputc('[', af.fp);
    for (size_t i = 0; i < m->n; i++) {
        fputs(i ? "," : "", af.fp);
        apo_json_string(af.fp, m->files[i]);
    }
    fputs("]}\n", af.fp);
    if (ferror(af.fp)) {
        apo_atomic_abort(&af);
        return apo_error_set(err, APO_E_WRITE, dir, APO_NO_OFFSET, MANIFEST_NAME,
                             "cannot write");
    }
    return apo_atomic_commit_sync(&af, err);
}

/* Read the manifest @p file of @p dir (see apo_manifest_read). */
static apo_status manifest_read_named(apo_manifest *m, const char *dir, const char *file,
                                      bool *found, apo_error *err)
{
    apo_manifest_init(m);
    *found = false;
    char *path = join(dir, file);
    if (path == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    struct stat sb;
    if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        free(path);
        return APO_OK; /* no manifest: nothing of an earlier run is known */
    }
    char *text = NULL;
    size_t len = 0;
    apo_status st = apo_read_small_file(path, MANIFEST_MAX_BYTES, "manifest", &text, &len, err);
    free(path);
    if (st != APO_OK) {
        return st;
    }
    apo_jspan files = apo_jscan_get(apo_jscan_doc(text, len), "files");
    size_t n = apo_jscan_count(files);
    for (size_t i = 0; i < n && st == APO_OK; i++) {
        char name[512];
        apo_jscan_string(apo_jscan_index(files, i), name, sizeof name);
        if (apo_manifest_name_ok(name)) { /* anything else is never ours to remove */
            st = apo_manifest_add(m, name, err);
        }
    }
    free(text);
    if (st != APO_OK) {
        apo_manifest_free(m);
        return st;
    }
    *found = true;
    return APO_OK;
}

apo_status apo_manifest_read(apo_manifest *m, const char *dir, bool *found, apo_error *err)
{
    return manifest_read_named(m, dir, MANIFEST_NAME, found, err);
}

/* Remove @p name under @p dir when it is a regular file (not a folder, not a link). */
static apo_status remove_file(const char *dir, const char *name, size_t *removed,
                              apo_error *err)
{
    char *path = join(dir, name);
    if (path == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    struct stat sb;
    apo_status st = APO_OK;
    if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
        if (unlink(path) == 0) {
            (*removed)++;
        } else if (errno != ENOENT) {
            st = apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL,
                               "cannot remove a stale output: %s", strerror(errno));
        }
    }
    free(path);
    return st;
}

apo_status apo_outdir_remove_stale(const char *dir, const apo_manifest *prev,
                                   const apo_manifest *cur, size_t *removed, apo_error *err)
{
    *removed = 0;
    for (size_t i = 0; prev != NULL && i < prev->n; i++) {
        if (!manifest_has(cur, prev->files[i]) && strcmp(prev->files[i], MANIFEST_NAME) != 0) {
            apo_status st = remove_file(dir, prev->files[i], removed, err);
            if (st != APO_OK) {
                return st;
            }
        }
    }
    return APO_OK;
}

/* ".<name>.tmp-" followed by exactly six lower-case hex digits (apo_atomic_open's names). */
static bool is_atomic_temp(const char *name)
{
    size_t n = strlen(name);
    if (n < 13 || name[0] != '.' || strncmp(name + n - 11, ".tmp-", 5) != 0) {
        return false;
    }
    for (size_t i = n - 6; i < n; i++) {
        char c = name[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

static apo_status remove_temps_in(const char *dir, size_t *removed, apo_error *err,
                                  int depth)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return APO_OK; /* a folder not made yet holds nothing stale */
    }
    apo_status st = APO_OK;
    struct dirent *e;
    while (st == APO_OK && (e = readdir(d)) != NULL) {
        if (is_atomic_temp(e->d_name)) {
            st = remove_file(dir, e->d_name, removed, err);
        } else if (depth == 0 && e->d_name[0] != '.') {
            char *sub = join(dir, e->d_name);
            struct stat sb;
            if (sub != NULL && lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode)) {
                st = remove_temps_in(sub, removed, err, 1);
            }
            free(sub);
        }
    }
    closedir(d);
    return st;
}

apo_status apo_outdir_remove_temps(const char *dir, size_t *removed, apo_error *err)
{
    *removed = 0;
    return remove_temps_in(dir, removed, err, 0);
}

/* A file's modification time in seconds. */
static double mtime_of(const struct stat *sb)
{
    return (double)sb->st_mtim.tv_sec + 1e-9 * (double)sb->st_mtim.tv_nsec;
}

/* Add the regular files of @p dir (prefix @p rel, "" or "plots/") changed since @p since. */
static apo_status scan_into(apo_manifest *m, const char *dir, const char *rel, double since,
                            int depth, apo_error *err)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return APO_OK;
    }
    apo_status st = APO_OK;
    struct dirent *e;
    while (st == APO_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, MANIFEST_NAME) == 0) {
            continue;
        }
        char *path = join(dir, e->d_name);
        struct stat sb;
        if (path == NULL) {
            st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
        } else if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode) && depth == 0) {
            char sub[300];
            snprintf(sub, sizeof sub, "%s/", e->d_name);
            st = scan_into(m, path, sub, since, 1, err);
        } else if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
                   mtime_of(&sb) >= since) {
            char name[600];
            snprintf(name, sizeof name, "%s%s", rel, e->d_name);
            if (apo_manifest_name_ok(name)) {
                st = apo_manifest_add(m, name, err);
            }
        }
        free(path);
    }
    closedir(d);
    return st;
}

apo_status apo_manifest_scan(apo_manifest *m, const char *dir, double since, apo_error *err)
{
    apo_status st = scan_into(m, dir, "", since, 0, err);
    if (st == APO_OK && m->n > 1) {
        qsort(m->files, m->n, sizeof *m->files, cmp_name);
    }
    return st;
}

/* Rename @p dir/@p from to @p dir/@p to (replacing it). */
static apo_status set_aside(const char *dir, const char *from, const char *to, apo_error *err)
{
    char *a = join(dir, from), *b = join(dir, to);
    apo_status st = APO_OK;
    if (a == NULL || b == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    } else if (rename(a, b) != 0) {
        st = apo_error_set(err, APO_E_WRITE, a, APO_NO_OFFSET, NULL,
                           "cannot set the earlier run's manifest aside as %s: %s", to,
                           strerror(errno));
    }
    free(a);
    free(b);
    return st;
}

/* The time the folder's file system gives a file written now, read off a hidden temporary
 * file made and removed at once: @p *now. Files are stamped by the file system's clock, not by
 * the process's (Linux takes a clock that lags the wall clock by up to a scheduler tick; a
 * network file system takes the server's), so only a stamp of the same file system orders
 * this run's files after the start. APO_E_WRITE when the folder cannot take a file. */
static apo_status folder_clock(const char *dir, double *now, apo_error *err)
{
    char *path = join(dir, "run-start");
    if (path == NULL) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    apo_atomic_file af;
    apo_status st = apo_atomic_open(&af, path, err);
    const int e = errno;
    free(path);
    if (st == APO_E_WRITE) { /* name the folder, not the file made to read its clock */
        return apo_error_set(err, st, dir, APO_NO_OFFSET, NULL,
                             "cannot create a file in the output folder: %s", strerror(e));
    }
    if (st != APO_OK) {
        return st;
    }
    struct stat sb;
    if (fstat(fileno(af.fp), &sb) != 0) {
        st = apo_error_set(err, APO_E_WRITE, af.tmp_path, APO_NO_OFFSET, NULL,
                           "cannot read the time of a file just made: %s", strerror(errno));
    } else {
        *now = mtime_of(&sb);
    }
    apo_atomic_abort(&af);
    return st;
}

/* The start of a run into @p dir: the folder's clock (folder_clock), moved past the earlier
 * run's last file. The earlier run's manifest (@p previous_path, written last by it) may carry
 * the same stamp when the clock is coarse (one scheduler tick; a second on some file
 * systems): the start then waits for the clock to move on (sleeps of 1, 2, 4 ... ms, at most
 * START_WAIT_MAX seconds in all), so that no file of the earlier run counts as this run's. A
 * manifest dated further ahead (copied from a machine whose clock is ahead) is not waited for:
 * the earlier run's files dated as late then count as this run's, which keeps them (never
 * removes one that is this run's). */
#define START_WAIT_MAX 3.0

static apo_status run_start(const char *dir, const char *previous_path, double *start,
                            apo_error *err)
{
    struct stat sb;
    bool have_previous = lstat(previous_path, &sb) == 0 && S_ISREG(sb.st_mode);
    double previous = have_previous ? mtime_of(&sb) : 0;
    apo_status st = folder_clock(dir, start, err);
    if (st != APO_OK || !have_previous || *start > previous ||
        previous - *start > START_WAIT_MAX) {
        return st;
    }
    const double until = apo_now() + START_WAIT_MAX;
    long wait_ns = 1000000;
    while (st == APO_OK && *start <= previous && apo_now() < until) {
        struct timespec pause = {0, wait_ns};
        nanosleep(&pause, NULL);
        wait_ns = wait_ns < 64000000 ? 2 * wait_ns : wait_ns;
        st = folder_clock(dir, start, err);
    }
    return st;
}

apo_status apo_outdir_begin(apo_outdir_run *r, const char *dir, size_t *removed_temps,
                            apo_error *err)
{
    apo_manifest_init(&r->previous);
    r->started = 0;
    *removed_temps = 0;
    apo_status st = apo_outdir_remove_temps(dir, removed_temps, err);
    bool found = false;
    if (st == APO_OK) {
        st = apo_manifest_read(&r->previous, dir, &found, err);
    }
    char *prev = join(dir, PREVIOUS_NAME);
    if (st == APO_OK && prev == NULL) {
        st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
    }
    if (st == APO_OK && !found) { /* an earlier run that was killed set it aside */
        st = manifest_read_named(&r->previous, dir, PREVIOUS_NAME, &found, err);
    } else if (st == APO_OK) {
        /* on disk before this run's outputs replace the files it names (their data is not
         * synced before the manifest, atomic.c): a power cut never leaves it naming them */
        st = set_aside(dir, MANIFEST_NAME, PREVIOUS_NAME, err);
        if (st == APO_OK) {
            st = apo_sync_file(prev, err);
        }
    }
    if (st == APO_OK) {
        st = run_start(dir, prev, &r->started, err);
    }
    free(prev);
    return st;
}

apo_status apo_outdir_seal(apo_outdir_run *r, const char *dir, const char *tool,
                           size_t *removed_stale, apo_error *err)
{
    apo_manifest now;
    apo_manifest_init(&now);
    *removed_stale = 0;
    apo_status st = apo_manifest_scan(&now, dir, r->started, err);
    if (st == APO_OK) {
        st = apo_manifest_write(&now, dir, tool, err);
    }
    if (st == APO_OK) {
        st = apo_outdir_remove_stale(dir, &r->previous, &now, removed_stale, err);
    }
    if (st == APO_OK) { /* the earlier run's set-aside manifest is done with */
        char *prev = join(dir, PREVIOUS_NAME);
        if (prev == NULL) {
            st = apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL, "out of memory");
        } else if (unlink(prev) != 0 && errno != ENOENT) {
            st = apo_error_set(err, APO_E_WRITE, prev, APO_NO_OFFSET, NULL,
                               "cannot remove the earlier run's manifest: %s", strerror(errno));
        }
        free(prev);
    }
    apo_manifest_free(&now);
    return st;
}

void apo_outdir_abandon(apo_outdir_run *r, const char *dir)
{
    apo_manifest now;
    apo_manifest_init(&now);
    apo_error err;
    char *cur = join(dir, MANIFEST_NAME);
    struct stat sb;
    /* nothing written since the start and no manifest of this run: the earlier one stands */
    if (cur != NULL && lstat(cur, &sb) != 0 &&
        apo_manifest_scan(&now, dir, r->started, &err) == APO_OK && now.n == 0) {
        char *prev = join(dir, PREVIOUS_NAME);
        if (prev != NULL && lstat(prev, &sb) == 0 && S_ISREG(sb.st_mode)) {
            (void)rename(prev, cur); /* best effort: failing leaves it set aside, read next time */
        }
        free(prev);
    }
    free(cur);
    apo_manifest_free(&now);
}

void apo_outdir_run_free(apo_outdir_run *r)
{
    apo_manifest_free(&r->previous);
}
