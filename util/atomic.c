/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * atomic.c: atomic output files (temporary file in the same folder, renamed into place when
 * complete), so that an interrupted run never leaves a half-written table, image or FCS file
 * behind; and the calls that put written files on disk (apo_sync_file, apo_sync_folder).
 *
 * A rename is atomic for every other process the moment it happens: a run killed at any point
 * leaves each output either complete or absent. Surviving a power cut as well needs the data
 * on disk before anything claims it complete. Per file (fsync before each rename) that costs
 * one journal commit per file, a tenth of the wall time of a plate run with its 400 outputs;
 * so a commit only renames, and whoever decides that a set of outputs is complete syncs them
 * once: `apoflow run` syncs the output folder's file system before it writes manifest.json
 * (util/outdir.c, docs/outputs.md), a command writing one file syncs that file.
 */
#define _GNU_SOURCE 1 /* syncfs */
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ATOMIC_BUF ((size_t)1 << 16) /* bytes of an output's stdio buffer */

static char *dup_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL) {
        memcpy(d, s, n);
    }
    return d;
}

apo_status apo_atomic_open(apo_atomic_file *af, const char *path, apo_error *err)
{
    memset(af, 0, sizeof(*af));
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = path + dir_len;
    if (base[0] == '\0') {
        return apo_error_set(err, APO_E_USAGE, path, APO_NO_OFFSET, NULL,
                             "expected an output file name, found a folder");
    }
    size_t tmp_len = dir_len + 1 + strlen(base) + sizeof(".tmp-XXXXXX");
    char *tmp = malloc(tmp_len);
    char *final_path = dup_string(path);
    if (tmp == NULL || final_path == NULL) {
        free(tmp);
        free(final_path);
        return apo_error_set(err, APO_E_NOMEM, path, APO_NO_OFFSET, NULL, "out of memory");
    }
    /* Not mkstemp: it creates mode 0600 files, and outputs should get the user's umask
     * like any other file they create. O_EXCL with a fresh name per attempt is as safe. */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t seed = ((uint64_t)now.tv_nsec << 20) ^ (uint64_t)now.tv_sec ^
                    ((uint64_t)getpid() << 40) ^ (uint64_t)(uintptr_t)af;
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        memcpy(tmp, path, dir_len);
        snprintf(tmp + dir_len, tmp_len - dir_len, ".%s.tmp-%06llx", base,
                 (unsigned long long)((seed >> 40) & 0xFFFFFFu));
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST) {
            break;
        }
    }
    if (fd < 0) {
        int e = errno;
        free(tmp);
        free(final_path);
        errno = e;
        return apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL,
                             "cannot create a temporary file in the output folder: %s",
                             strerror(e));
    }
    FILE *fp = fdopen(fd, "wb");
    if (fp == NULL) {
        int e = errno;
        close(fd);
        unlink(tmp);
        free(tmp);
        free(final_path);
        errno = e;
        return apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL, "cannot open: %s",
                             strerror(e));
    }
    /* 64 KiB writes instead of stdio's page-sized ones (a plot's SVG, a preview's JSON or
     * report.html in few system calls); the buffer must be ours: glibc ignores the size when
     * setvbuf is given none. Without memory for it, stdio's own. */
    af->buf = malloc(ATOMIC_BUF);
    if (af->buf != NULL && setvbuf(fp, af->buf, _IOFBF, ATOMIC_BUF) != 0) {
        free(af->buf);
        af->buf = NULL;
    }
    af->fp = fp;
    af->tmp_path = tmp;
    af->final_path = final_path;
    return APO_OK;
}

static void release(apo_atomic_file *af)
{
    free(af->buf); /* fp is closed by now */
    free(af->tmp_path);
    free(af->final_path);
    memset(af, 0, sizeof(*af));
}

void apo_atomic_abort(apo_atomic_file *af)
{
    if (af == NULL) {
        return;
    }
    if (af->fp != NULL) {
        fclose(af->fp);
    }
    if (af->tmp_path != NULL) {
        unlink(af->tmp_path);
    }
    release(af);
}

/* The commit, and with @p sync the file's fsync after its rename, before af (and the path it
 * holds) is freed. */
static apo_status commit(apo_atomic_file *af, bool sync, apo_error *err)
{
    const char *what = NULL;
    int e = 0;
    if (fflush(af->fp) != 0 || ferror(af->fp)) {
        what = "cannot write";
    }
    e = errno;
    int close_rc = fclose(af->fp);
    af->fp = NULL;
    if (what == NULL && close_rc != 0) {
        what = "cannot close";
        e = errno;
    }
    if (what == NULL && rename(af->tmp_path, af->final_path) != 0) {
        what = "cannot rename the temporary file into place";
        e = errno;
    }
    if (what != NULL) {
        char path[256];
        snprintf(path, sizeof(path), "%s", af->final_path);
        unlink(af->tmp_path);
        release(af);
        errno = e;
        return apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL, "%s: %s", what,
                             strerror(e));
    }
    const apo_status st = sync ? apo_sync_file(af->final_path, err) : APO_OK;
    release(af);
    return st;
}

apo_status apo_atomic_commit(apo_atomic_file *af, apo_error *err)
{
    return commit(af, false, err);
}

/* Open @p path read-only (a folder when @p folder) for syncing. */
static int open_for_sync(const char *path, bool folder)
{
    return open(path, O_RDONLY | O_CLOEXEC | (folder ? O_DIRECTORY : 0));
}

/* The error for @p path (@p what: "the file", ...) and errno @p e. */
static apo_status sync_error(const char *path, const char *what, int e, apo_error *err)
{
    return apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL, "cannot sync %s: %s", what,
                         strerror(e));
}

/* fsync the file or folder @p path; EINVAL (a file system or special file that cannot sync)
 * is not an error. */
static apo_status sync_path(const char *path, bool folder, apo_error *err)
{
    const char *what = folder ? "the folder" : "the file";
    int fd = open_for_sync(path, folder);
    if (fd < 0) {
        return sync_error(path, what, errno, err);
    }
    int e = fsync(fd) == 0 ? 0 : errno;
    close(fd);
    return e == 0 || e == EINVAL ? APO_OK : sync_error(path, what, e, err);
}

/* The folder of @p path ("." when it has none) into @p dir; false when it does not fit. */
static bool folder_of(const char *path, char *dir, size_t cap)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash == NULL ? 0 : slash == path ? 1 : (size_t)(slash - path);
    if (n + 2 > cap) {
        return false;
    }
    if (n == 0) {
        memcpy(dir, ".", 2);
    } else {
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    return true;
}

apo_status apo_sync_file(const char *path, apo_error *err)
{
    apo_status st = sync_path(path, false, err);
    char dir[PATH_MAX];
    if (st == APO_OK && !folder_of(path, dir, sizeof dir)) {
        st = sync_error(path, "the folder of the file", ENAMETOOLONG, err);
    }
    return st == APO_OK ? sync_path(dir, true, err) : st; /* the rename that put it there */
}

apo_status apo_atomic_commit_sync(apo_atomic_file *af, apo_error *err)
{
    return commit(af, true, err);
}

apo_status apo_sync_folder(const char *dir, apo_error *err)
{
    int fd = open_for_sync(dir, true);
    if (fd < 0) {
        return sync_error(dir, "the folder", errno, err);
    }
#ifdef __linux__
    /* every file written and renamed on the folder's file system, one journal commit; a
     * kernel or file system without it (ENOSYS, EINVAL) gets the whole-system sync */
    int e = syncfs(fd) == 0 ? 0 : errno;
    if (e == ENOSYS || e == EINVAL) {
        sync();
        e = 0;
    }
#else
    sync(); /* POSIX: schedules the writes; most systems also wait for them */
    int e = 0;
#endif
    if (e != 0) {
        close(fd);
        return sync_error(dir, "the file system of the folder", e, err);
    }
    e = fsync(fd) == 0 ? 0 : errno; /* the folder's own entries, where syncfs left them */
    close(fd);
    return e == 0 || e == EINVAL ? APO_OK : sync_error(dir, "the folder", e, err);
}
