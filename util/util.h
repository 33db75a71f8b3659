/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * util.h: the public interface of apoflow's base layer, shared by every other module:
 *   - the project-wide error type (apo_status, apo_error) and checked arithmetic;
 *   - locale-independent number parsing and shortest round-trip formatting;
 *   - whole-file reading, atomic output files and large aligned allocations;
 *   - a small thread pool that callers hand to the libraries (no library starts threads);
 *   - SHA-256, and a small JSON writer and reader.
 * Prefix apo_ (for "apoflow"). Nothing here prints.
 */
#ifndef APOFLOW_UTIL_UTIL_H
#define APOFLOW_UTIL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define APO_NODISCARD      __attribute__((warn_unused_result))
#define APO_PRINTF(fi, ai) __attribute__((format(printf, fi, ai)))
#else
#define APO_NODISCARD
#define APO_PRINTF(fi, ai)
#endif

/* ------------------------------------------------------------------------------------------ */
/* Errors                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/*
 * Status codes. A value never changes meaning once published; add new ones last.
 * cli/ maps them to sysexits.h exit codes (see apo_status_exit_code).
 */
typedef enum apo_status {
    APO_OK = 0,
    APO_E_IO,          /* cannot open or read an input (errno saved) */
    APO_E_NOMEM,       /* allocation failed */
    APO_E_FORMAT,      /* input is malformed: bad FCS, XML, CSV ... */
    APO_E_UNSUPPORTED, /* well-formed but not supported (e.g. $MODE C) */
    APO_E_RANGE,       /* a size or count is out of range (overflow, too large) */
    APO_E_NUMERIC,     /* numerical failure: singular matrix, fit did not converge */
    APO_E_USAGE,       /* the caller asked for something invalid (unknown channel ...) */
    APO_E_WRITE        /* cannot write an output (errno saved) */
} apo_status;

#define APO_NO_OFFSET UINT64_MAX
#define APO_ERROR_MSG_SIZE 512

/*
 * A caller-owned error. Filled by the function that failed; never allocates.
 * msg holds the whole human-readable message in the project's shape:
 *   "<file>: byte <offset>: <keyword>: expected <...>, found <...>"
 * (the file, offset and keyword parts are omitted when not known).
 */
typedef struct apo_error {
    apo_status status;
    int sys_errno;       /* errno at the time of the failure, or 0 */
    uint64_t offset;     /* byte offset in the file, or APO_NO_OFFSET */
    char keyword[64];    /* the FCS keyword / XML element / CSV column involved, or "" */
    char file[256];      /* the input's name as given, possibly truncated, or "" */
    char msg[APO_ERROR_MSG_SIZE];
    const char *src_file; /* where in our code the error was set (debugging aid) */
    int src_line;
} apo_error;

/** Reset @p err to "no error". NULL is allowed. */
void apo_error_clear(apo_error *err);

/*
 * Set @p err (may be NULL) and return @p status, so that callers can write
 *   return apo_error_set(err, APO_E_FORMAT, name, off, "$PAR", "expected ..., found \"%s\"", v);
 * @p file, @p keyword may be NULL; @p offset may be APO_NO_OFFSET.
 */
#define apo_error_set(err, status, file, offset, keyword, ...)                                  \
    apo_error_set_at((err), (status), (file), (offset), (keyword), __FILE__, __LINE__,          \
                     __VA_ARGS__)
apo_status apo_error_set_at(apo_error *err, apo_status status, const char *file, uint64_t offset,
                            const char *keyword, const char *src_file, int src_line,
                            const char *fmt, ...) APO_PRINTF(8, 9);

/** A short stable name for a status ("format", "io", ...). */
const char *apo_status_name(apo_status status);

/** The sysexits.h exit code for a status: 0, 64 usage, 65 data, 66 no input, 73/74 output. */
int apo_status_exit_code(apo_status status);

/* Checked arithmetic: return false (and leave *out unspecified) on overflow. */
static inline bool apo_add_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    return !__builtin_add_overflow(a, b, out);
}
static inline bool apo_mul_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}
static inline bool apo_mul_size(size_t a, size_t b, size_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}

/*
 * Locale-independent, length-bounded number parsers for untrusted text. Surrounding
 * spaces are trimmed; empty input, trailing junk and overflow are rejected (return false).
 * apo_parse_double accepts a '.' decimal point only, exponents, "inf"/"nan" are rejected
 * unless allow_nonfinite.
 */
bool apo_parse_u64(const char *s, size_t len, uint64_t *out);
bool apo_parse_i64(const char *s, size_t len, int64_t *out);
bool apo_parse_double(const char *s, size_t len, bool allow_nonfinite, double *out);

/*
 * Format @p v in the shortest form that reads back to exactly the same double
 * (C locale). Writes at most @p cap bytes including the NUL; returns the length.
 */
size_t apo_format_double(char *buf, size_t cap, double v);

/**
 * Read the whole file @p path (at most @p max_bytes) into a new NUL-terminated buffer (*out,
 * caller frees; *out_len bytes). @p what names the input in messages ("matrix file").
 * @return APO_OK; APO_E_IO (cannot open or read); APO_E_RANGE (larger than @p max_bytes).
 */
APO_NODISCARD apo_status apo_read_small_file(const char *path, size_t max_bytes, const char *what,
                                             char **out, size_t *out_len, apo_error *err);


/* ------------------------------------------------------------------------------------------ */
/* Atomic output files: every output of apoflow (tables, images, XML, FCS) goes through this  */
/* ------------------------------------------------------------------------------------------ */

/*
 * An output file written atomically: data goes to a temporary file in the target's folder
 * (".<name>.tmp-XXXXXX"), and apo_atomic_commit flushes and renames it over @p path. An
 * interrupted or aborted write leaves no partial file at @p path. The commit does not wait for
 * the disk: whoever decides a set of outputs is complete calls apo_sync_file for one file or
 * apo_sync_folder for many (atomic.c says why).
 */
typedef struct apo_atomic_file {
    FILE *fp;          /* write through this */
    char *tmp_path;    /* owned */
    char *final_path;  /* owned */
    char *buf;         /* owned: fp's 64 KiB buffer (NULL: stdio's own) */
} apo_atomic_file;

/** Create the temporary file for @p path. On failure *af is zeroed. @return APO_OK or APO_E_WRITE. */
APO_NODISCARD apo_status apo_atomic_open(apo_atomic_file *af, const char *path, apo_error *err);
/** Flush, close and rename into place; frees @p af. On failure the temp file is removed. */
APO_NODISCARD apo_status apo_atomic_commit(apo_atomic_file *af, apo_error *err);
/** Close and remove the temporary file; frees @p af. Safe on a zeroed struct. */
void apo_atomic_abort(apo_atomic_file *af);
/** apo_atomic_commit, then apo_sync_file on the file: for a command's one output. */
APO_NODISCARD apo_status apo_atomic_commit_sync(apo_atomic_file *af, apo_error *err);
/** Put the file @p path and its entry in its folder on disk (fsync both). @return APO_OK or
 *  APO_E_WRITE (naming the file or folder). */
APO_NODISCARD apo_status apo_sync_file(const char *path, apo_error *err);
/** Put every file written on the file system of folder @p dir on disk, and the folder's
 *  entries (one file-system sync, then fsync of the folder). @return APO_OK or APO_E_WRITE. */
APO_NODISCARD apo_status apo_sync_folder(const char *dir, apo_error *err);


/* ------------------------------------------------------------------------------------------ */
/* Large allocations                                                                           */
/* ------------------------------------------------------------------------------------------ */

/* Allocate @p n_bytes for an event matrix (2 MiB aligned and huge-page advised when large;
 * release with free()). NULL when out of memory. */
void *apo_big_alloc(size_t n_bytes);

/* ------------------------------------------------------------------------------------------ */
/* Thread pool                                                                                */
/* ------------------------------------------------------------------------------------------ */

/*
 * pool.h: a small thread pool for batch work: run task(ctx, i) for i in [0, n) on up to
 * @p jobs POSIX threads. Tasks write only their own result slot, so the outcome does not
 * depend on the number of threads; an optional callback reports each finished task (called
 * under the pool's lock, one at a time, for progress output).
 */
typedef void (*apo_pool_task)(void *ctx, size_t i);
typedef void (*apo_pool_done)(void *ctx, size_t i);

/* Number of CPUs this process may use (at least 1): its CPU affinity set (taskset, cpusets),
 * capped by a cgroup v2 CPU quota; what `-j 0` means. */
unsigned apo_pool_cores(void);

/* Run the tasks; @p jobs 0 = apo_pool_cores(). Falls back to the calling thread alone when
 * threads cannot be created. @p done may be NULL. */
void apo_pool_run(size_t n, unsigned jobs, apo_pool_task task, apo_pool_done done, void *ctx);

/* ------------------------------------------------------------------------------------------ */
/* SHA-256                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/*
 * sha256.h: SHA-256 (FIPS 180-4) for the checksums of input files in report.html and
 * results.json ("how to reproduce"). Streaming interface plus a whole-file helper.
 */
typedef struct apo_sha256 {
    uint32_t h[8];
    uint64_t bytes;     /* message length so far */
    uint8_t block[64];  /* pending input */
    size_t used;        /* bytes in block */
    bool shani;         /* the processor's SHA extensions are used (asked once, at init:
                           CPUID is slow, a VM exit under virtualisation) */
} apo_sha256;

void apo_sha256_init(apo_sha256 *c);
void apo_sha256_update(apo_sha256 *c, const void *data, size_t len);
/* Finish and write the 32-byte digest; @p c must be re-initialised before reuse. */
void apo_sha256_final(apo_sha256 *c, uint8_t digest[32]);
/* Lower-case hex digest of @p len bytes into @p hex (65 bytes with the NUL). */
void apo_sha256_hex(const void *data, size_t len, char hex[65]);
/* Hex digest of a whole file; returns 0 or an errno value. */
int apo_sha256_file(const char *path, char hex[65]);

/* ------------------------------------------------------------------------------------------ */
/* JSON writer                                                                                */
/* ------------------------------------------------------------------------------------------ */

/*
 * json_out.h: small helpers for writing JSON to a FILE: strings (with bytes that are not
 * valid UTF-8 transcoded from Latin-1, so keywords are never lost), and numbers in their
 * shortest round-trip form (NaN and infinities as null).
 */
void apo_json_string(FILE *out, const char *s);
void apo_json_string_n(FILE *out, const char *s, size_t len);
void apo_json_number(FILE *out, double v);

/* Object members: a comma unless *first (which is then cleared), the key, then the value. */
void apo_json_key(FILE *out, const char *key, bool *first);
void apo_json_kv_str(FILE *out, const char *key, const char *value, bool *first); /* NULL -> "" */
void apo_json_kv_num(FILE *out, const char *key, double value, bool *first);
void apo_json_kv_uint(FILE *out, const char *key, uint64_t value, bool *first);

/* ------------------------------------------------------------------------------------------ */
/* JSON reader                                                                                */
/* ------------------------------------------------------------------------------------------ */

/*
 * report_jscan.h: a minimal reader of apoflow's own results.json for `apoflow merge` and its
 * report: find the raw text of a key's value, walk array elements, decode strings and
 * numbers (null = NaN). Spans point into the caller's buffer; nothing is allocated.
 */
typedef struct apo_jspan {
    const char *p, *e; /* [p, e): one JSON value; p == NULL when absent */
} apo_jspan;

/* The whole document (leading/trailing space trimmed); p NULL if it is not one value. */
apo_jspan apo_jscan_doc(const char *text, size_t len);
/* The value of @p key in object @p obj (first match); p NULL when absent or not an object. */
apo_jspan apo_jscan_get(apo_jspan obj, const char *key);
/* Path of keys ("thresholds", "annexin", "value", NULL-terminated). */
apo_jspan apo_jscan_path(apo_jspan obj, const char *const *keys);
/* Element @p i of array @p arr (p NULL past the end). */
apo_jspan apo_jscan_index(apo_jspan arr, size_t i);
/* Number of elements of an array (0 if not an array). */
size_t apo_jscan_count(apo_jspan arr);
/* A number (NaN for null, absent or not a number). */
double apo_jscan_number(apo_jspan v);
/* Decode a string into @p out (truncated to cap - 1 bytes); "" when not a string. */
void apo_jscan_string(apo_jspan v, char *out, size_t cap);

/* ------------------------------------------------------------------------------------------ */
/* Output folders a run owns (outdir.c)                                                       */
/* ------------------------------------------------------------------------------------------ */

/* The files one run wrote into its output folder, as relative names ("samples.csv",
 * "plots/h2o2_r1.png"). Written last as manifest.json: a folder with a manifest holds one
 * complete run. */
typedef struct apo_manifest {
    char **files; /* owned */
    size_t n, cap;
} apo_manifest;

void apo_manifest_init(apo_manifest *m);
void apo_manifest_free(apo_manifest *m);
/* A plain relative name (letters, digits, . _ - + #, at most one '/', no "..", not hidden). */
bool apo_manifest_name_ok(const char *name);
/* Add @p name (once). APO_E_USAGE for a name apo_manifest_name_ok refuses. */
APO_NODISCARD apo_status apo_manifest_add(apo_manifest *m, const char *name, apo_error *err);
/* Write @p dir/manifest.json atomically; call it after every other output is in place. It
 * syncs the folder's file system first and the manifest after (the run's commit record). */
APO_NODISCARD apo_status apo_manifest_write(const apo_manifest *m, const char *dir,
                                            const char *tool, apo_error *err);
/* Read @p dir/manifest.json of an earlier run (*found false when there is none). Names the
 * manifest lists that apo_manifest_name_ok refuses are dropped. */
APO_NODISCARD apo_status apo_manifest_read(apo_manifest *m, const char *dir, bool *found,
                                           apo_error *err);
/* Remove the regular files of @p prev that @p cur does not list (the earlier run's stale
 * outputs); *removed counts them. */
APO_NODISCARD apo_status apo_outdir_remove_stale(const char *dir, const apo_manifest *prev,
                                                 const apo_manifest *cur, size_t *removed,
                                                 apo_error *err);
/* Add to @p m the regular files of @p dir and its immediate subfolders written at or after
 * @p since (seconds since the epoch, on the folder's file-system clock, as
 * apo_outdir_run.started): the outputs of the run that began then. Sorted by name. */
APO_NODISCARD apo_status apo_manifest_scan(apo_manifest *m, const char *dir, double since,
                                           apo_error *err);
/* Remove the temporary files of interrupted atomic writes (".<name>.tmp-XXXXXX") in @p dir
 * and its immediate subfolders; *removed counts them. */
APO_NODISCARD apo_status apo_outdir_remove_temps(const char *dir, size_t *removed,
                                                 apo_error *err);

/* A run owning its output folder: apo_outdir_begin removes the temporary files of a killed
 * run (*removed_temps counts them), reads the earlier run's manifest and sets it aside under
 * a hidden name (so a run killed half-way leaves no manifest claiming a complete run; the next
 * run reads the set-aside one) and notes the time; the files written from then on are this
 * run's. apo_outdir_seal, after every output, writes the manifest of this run's files, then
 * removes the earlier run's outputs this run did not write again (*removed_stale counts them)
 * and its set-aside manifest. apo_outdir_abandon, for a run that ends without sealing, puts
 * the earlier manifest back when the run wrote nothing. */
typedef struct apo_outdir_run {
    apo_manifest previous; /* the earlier run's files (empty when none) */
    double started;        /* the folder's file-system clock at apo_outdir_begin */
} apo_outdir_run;

APO_NODISCARD apo_status apo_outdir_begin(apo_outdir_run *r, const char *dir,
                                          size_t *removed_temps, apo_error *err);
APO_NODISCARD apo_status apo_outdir_seal(apo_outdir_run *r, const char *dir, const char *tool,
                                         size_t *removed_stale, apo_error *err);
void apo_outdir_abandon(apo_outdir_run *r, const char *dir);
void apo_outdir_run_free(apo_outdir_run *r);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_UTIL_UTIL_H */
