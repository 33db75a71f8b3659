/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * atomic.c: atomic output files (temporary file in the same folder, fsync, rename), so that
 * an interrupted run never leaves a half-written table, image or FCS file behind.
 */
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
    af->fp = fp;
    af->tmp_path = tmp;
    af->final_path = final_path;
    return APO_OK;
}

static void release(apo_atomic_file *af)
{
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

apo_status apo_atomic_commit(apo_atomic_file *af, apo_error *err)
{
    const char *what = NULL;
    int e = 0;
    if (fflush(af->fp) != 0 || ferror(af->fp)) {
        what = "cannot write";
    } else if (fsync(fileno(af->fp)) != 0 && errno != EINVAL) {
        what = "cannot sync";
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
    release(af);
    return APO_OK;
}
