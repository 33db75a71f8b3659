/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * run_hash.h: the SHA-256 of a run's input files (the report's provenance) computed on one
 * thread of the command's own while the analysis runs, so that hashing a large file does not
 * add its own pass at the end (run_hash.c).
 */
#ifndef APOFLOW_CLI_RUN_HASH_H
#define APOFLOW_CLI_RUN_HASH_H

#include "assay/assay.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct run_hash {
    char **files;          /* owned copies of the samples' files, hashed in order */
    size_t n;
    char (*hex)[65];       /* per sample: its file's checksum, "" when not (yet) computed */
    atomic_bool stop;      /* set by run_hash_finish: no file started after it */
    pthread_t tid;
    bool started;
} run_hash;

/* Start hashing the files of @p in (n samples) on a thread of its own when the run may use
 * @p jobs >= 2 threads (0 = every core); with one thread nothing starts and the report
 * hashes the files itself. */
void run_hash_start(run_hash *h, const assay_input *in, size_t n, unsigned jobs);

/* Stop after the file being hashed and join: the checksums computed so far (n entries, ""
 * for the files not reached; the report hashes those), or NULL when none started. Valid
 * until run_hash_free. */
const char (*run_hash_finish(run_hash *h))[65];

void run_hash_free(run_hash *h);

#endif /* APOFLOW_CLI_RUN_HASH_H */
