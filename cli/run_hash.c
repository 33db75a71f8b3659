/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * run_hash.c: input checksums beside the analysis (run_hash.h). The libraries start no
 * threads of their own, so the command starts this one: it hashes the samples' files one
 * after another (a file shared by consecutive samples once) while the analysis decodes them;
 * the report then hashes only the files the thread had not reached when it was stopped,
 * on the run's threads as before. The checksums are the same either way: the file's bytes
 * at the time they are read.
 */
#include "cli/run_hash.h"

#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static void *hash_main(void *arg)
{
    run_hash *h = arg;
    for (size_t i = 0; i < h->n && !atomic_load(&h->stop); i++) {
        if (i > 0 && strcmp(h->files[i], h->files[i - 1]) == 0) {
            memcpy(h->hex[i], h->hex[i - 1], sizeof h->hex[i]);
        } else if (apo_sha256_file(h->files[i], h->hex[i]) != 0) {
            h->hex[i][0] = '\0'; /* unreadable now: the report tries again */
        }
    }
    return NULL;
}

void run_hash_start(run_hash *h, const assay_input *in, size_t n, unsigned jobs)
{
    memset(h, 0, sizeof *h);
    atomic_init(&h->stop, false);
    if ((jobs ? jobs : apo_pool_cores()) < 2 || n == 0) {
        return; /* one thread: the report hashes, as before */
    }
    h->hex = calloc(n, sizeof *h->hex);
    h->files = calloc(n, sizeof *h->files);
    bool ok = h->hex != NULL && h->files != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        ok = (h->files[i] = strdup(in[i].file)) != NULL;
        h->n = i + 1;
    }
    h->started = ok && pthread_create(&h->tid, NULL, hash_main, h) == 0;
    if (!h->started) { /* the report hashes every file */
        run_hash_free(h);
    }
}

const char (*run_hash_finish(run_hash *h))[65]
{
    if (!h->started) {
        return NULL;
    }
    atomic_store(&h->stop, true);
    pthread_join(h->tid, NULL);
    h->started = false;
    return (const char(*)[65])h->hex;
}

void run_hash_free(run_hash *h)
{
    if (h->started) {
        atomic_store(&h->stop, true);
        pthread_join(h->tid, NULL);
    }
    for (size_t i = 0; h->files != NULL && i < h->n; i++) {
        free(h->files[i]);
    }
    free(h->files);
    free(h->hex);
    memset(h, 0, sizeof *h);
}
