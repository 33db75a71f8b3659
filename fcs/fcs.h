/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fcs.h: the public interface of the FCS module (depends on util/ only):
 *   1. the reader: an fcs_file holds every data set of one FCS 2.0/3.0/3.1/3.2 file,
 *      its keywords, parameters, spillover matrix and warnings, and decodes events
 *      on demand into caller-owned column-major arrays;
 *   2. the writer: FCS 3.1 with float32 data.
 *
 * An FCS file is untrusted input: every offset, length and count is checked before use.
 * Nothing here prints; warnings are collected on the data set for cli/ to show.
 */
#ifndef APOFLOW_FCS_FCS_H
#define APOFLOW_FCS_FCS_H

#include "util/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/* Reader                                                                                     */
/* ------------------------------------------------------------------------------------------ */

typedef struct fcs_file fcs_file;       /* opaque: one file, all its data sets */
typedef struct fcs_dataset fcs_dataset; /* opaque: one data set, borrowed from its fcs_file */

/* How to choose DATA offsets when HEADER and TEXT disagree (docs/fcs-reader.md). */
typedef enum fcs_offsets_policy {
    FCS_OFFSETS_AUTO = 0, /* the pair that matches $TOT x row size and fits the file */
    FCS_OFFSETS_HEADER,
    FCS_OFFSETS_TEXT
} fcs_offsets_policy;

/* How to read a doubled delimiter in TEXT (docs/fcs-quirks.md, "Doubled delimiters"). */
typedef enum fcs_text_mode {
    FCS_TEXT_AUTO = 0, /* escapes, split keywords holding the delimiter, retry as empty values */
    FCS_TEXT_ESCAPE,   /* "//" is always an escaped delimiter */
    FCS_TEXT_EMPTY     /* "//" is always an empty value */
} fcs_text_mode;

typedef struct fcs_read_options {
    fcs_offsets_policy offsets;
    fcs_text_mode text_mode;
    bool allow_truncated; /* read the complete rows of a DATA segment shorter than $TOT */
    bool text_only;       /* parse HEADER and TEXT only; DATA may be absent or past EOF */
    /* Duplicate $PnN values make a file invalid (names identify channels; FCS 3.1 requires
     * them unique), so they are rejected unless this is set: then later duplicates get
     * "-1", "-2" suffixes with a warning (as cytolib does). */
    bool rename_duplicates;
} fcs_read_options;

#define FCS_READ_OPTIONS_INIT {FCS_OFFSETS_AUTO, FCS_TEXT_AUTO, false, false, false}

/* A warning about a vendor quirk the reader repaired or a value it ignored. */
typedef struct fcs_warning {
    uint64_t offset;  /* byte offset in the file, or APO_NO_OFFSET */
    char keyword[64]; /* keyword involved, or "" */
    char msg[256];    /* full message, same shape as apo_error.msg (with the file name) */
} fcs_warning;

/* One TEXT keyword as stored (escapes resolved). Strings are NUL-terminated. */
typedef struct fcs_keyword {
    const char *name;  /* as written (original case, trimmed) */
    const char *value; /* raw bytes as written (may be non-UTF-8); see fcs_keyword_value_utf8 */
    size_t value_len;  /* bytes in value (values may not contain NUL, but be explicit) */
    uint64_t offset;   /* file offset of the keyword's first byte */
    int segment;       /* 0 primary TEXT, 1 supplemental TEXT, 2 ANALYSIS */
} fcs_keyword;

typedef enum fcs_datatype {
    FCS_DATATYPE_INT = 'I',
    FCS_DATATYPE_FLOAT = 'F',
    FCS_DATATYPE_DOUBLE = 'D',
    FCS_DATATYPE_ASCII = 'A'
} fcs_datatype;

/* One parameter (channel) of a data set. Strings are never NULL ("" when absent). */
typedef struct fcs_param {
    const char *name;      /* $PnN (made unique with -1, -2 suffixes if duplicated, warned) */
    const char *label;     /* $PnS or "" */
    unsigned bits;         /* $PnB as declared (0 for delimited ASCII "*") */
    unsigned stored_bits;  /* bits actually occupied per value in DATA (e.g. 16 for $PnB 10) */
    fcs_datatype datatype; /* $DATATYPE, or the 3.2 $PnDATATYPE override */
    double range;          /* $PnR as a number (NaN when missing or unparseable) */
    uint64_t mask;         /* integer bit mask applied to raw values (all ones when none) */
    double log_decades;    /* $PnE f1 (0 = linear) */
    double log_offset;     /* $PnE f2 after the f2=0 -> 1 repair */
    double gain;           /* $PnG (1 when missing, 0 or invalid) */
    bool is_time;          /* $PnN is Time/TIME/HDR-T... or $PnTYPE is Time */
} fcs_param;

/*
 * How scaled values are made from a column's stored numbers (docs/fcs-reader.md), one rule for
 * every command: an integer column with $PnE f1 > 0 is log-decoded (and never divided by its
 * gain); with apply_gain any other column but Time is divided by a valid $PnG other than 1.
 */
static inline bool fcs_param_log_decoded(const fcs_param *p)
{
    return p->datatype == FCS_DATATYPE_INT && p->log_decades > 0;
}
static inline bool fcs_param_gain_divides(const fcs_param *p)
{
    return !p->is_time && !fcs_param_log_decoded(p) && p->gain > 0 && p->gain < 1e300 &&
           p->gain != 1.0;
}

/* A spillover matrix as the file states it: row-major n x n, names matched to parameters. */
typedef struct fcs_spillover {
    size_t n;
    char **names;        /* n detector names as matched ($PnN of the parameter) */
    size_t *param_index; /* n 0-based parameter indices */
    double *values;      /* n*n row-major: values[i*n+j] = spill of dye i into detector j */
    const char *keyword; /* the keyword it came from: "$SPILLOVER", "SPILL", ... */
} fcs_spillover;

/**
 * Open and parse @p path: every data set's HEADER and TEXT, its layout and spillover.
 * Events are not decoded here (see fcs_dataset_decode_*). The file is mapped read-only.
 * @param[out] out  the new file, owned by the caller (fcs_file_free); NULL on failure.
 * @return APO_OK; APO_E_IO if it cannot be opened; APO_E_FORMAT/UNSUPPORTED/RANGE for bad data.
 */
APO_NODISCARD apo_status fcs_file_open(fcs_file **out, const char *path,
                                       const fcs_read_options *opts, apo_error *err);

/**
 * As fcs_file_open, parsing @p len bytes at @p buf. @p buf is borrowed and must outlive
 * the fcs_file. @p name is used in messages.
 */
APO_NODISCARD apo_status fcs_file_open_buffer(fcs_file **out, const uint8_t *buf, size_t len,
                                              const char *name, const fcs_read_options *opts,
                                              apo_error *err);

/** Free @p f and everything borrowed from it. NULL is a no-op. */
void fcs_file_free(fcs_file *f);

const char *fcs_file_name(const fcs_file *f);
uint64_t fcs_file_size(const fcs_file *f);
size_t fcs_file_n_datasets(const fcs_file *f);
/** The @p index-th (0-based) data set, or NULL if out of range. Borrowed. */
const fcs_dataset *fcs_file_dataset(const fcs_file *f, size_t index);
/**
 * Whether the data sets of @p f are one acquisition stored in several FCS versions, as
 * Beckman Coulter's .LMD files store the same events twice: an FCS 2.0 data set (10-bit,
 * often log-amplified channels) and, after it in the $NEXTDATA chain, an FCS 3.0 data set at
 * full resolution. Told by the layout alone: at least two data sets, every one with the same
 * event count (above 0), exactly one in the newest FCS version of the file and every other
 * in an older one (data sets of one version, as Guava Muse and easyCyte files hold one
 * sample each, are never taken for copies). When true, *@p newest is that data set
 * (0-based), the one to analyse by default (docs/fcs-reader.md, "Data sets").
 */
bool fcs_file_one_acquisition(const fcs_file *f, size_t *newest);
/** The data set (0-based) a command reads from @p f when none is named: the newest copy of a
 *  file holding one acquisition in several FCS versions (fcs_file_one_acquisition), else
 *  the first. */
size_t fcs_file_default_dataset(const fcs_file *f);
/** Warnings about the file as a whole (e.g. $NEXTDATA chain problems). */
size_t fcs_file_n_warnings(const fcs_file *f);
const fcs_warning *fcs_file_warning(const fcs_file *f, size_t i);

/* Data set accessors. Everything returned is borrowed from the fcs_file. */
const char *fcs_dataset_version(const fcs_dataset *ds); /* "FCS3.1" */
uint64_t fcs_dataset_offset(const fcs_dataset *ds);     /* file offset of its HEADER */
uint64_t fcs_dataset_n_events(const fcs_dataset *ds);
size_t fcs_dataset_n_params(const fcs_dataset *ds);
const fcs_param *fcs_dataset_param(const fcs_dataset *ds, size_t i);
/** Index of the parameter whose $PnN or $PnS equals @p name (ASCII case-insensitive;
 *  $PnN is tried first), or SIZE_MAX. */
size_t fcs_dataset_find_param(const fcs_dataset *ds, const char *name);
fcs_datatype fcs_dataset_datatype(const fcs_dataset *ds);
const char *fcs_dataset_byteord(const fcs_dataset *ds); /* $BYTEORD as written, trimmed */
bool fcs_dataset_has_data(const fcs_dataset *ds);        /* false in text-only reads */
/** Data segment as used: first byte and length, absolute file offsets. */
uint64_t fcs_dataset_data_begin(const fcs_dataset *ds);
uint64_t fcs_dataset_data_len(const fcs_dataset *ds);
/** Seconds per Time tick ($TIMESTEP), or NaN when absent/invalid. */
double fcs_dataset_timestep(const fcs_dataset *ds);
/** The index of the first parameter that records time (fcs_param.is_time), or SIZE_MAX. */
size_t fcs_dataset_time_param(const fcs_dataset *ds);

size_t fcs_dataset_n_keywords(const fcs_dataset *ds);
const fcs_keyword *fcs_dataset_keyword_at(const fcs_dataset *ds, size_t i);
/** Value of keyword @p name (ASCII case-insensitive, primary TEXT wins), or NULL. */
const char *fcs_dataset_keyword(const fcs_dataset *ds, const char *name);

/** The file's spillover matrix ($SPILLOVER, SPILL, $SPILL, spillover), or NULL if none or
 *  unusable (a warning then says why). */
const fcs_spillover *fcs_dataset_spillover(const fcs_dataset *ds);

size_t fcs_dataset_n_warnings(const fcs_dataset *ds);
const fcs_warning *fcs_dataset_warning(const fcs_dataset *ds, size_t i);

/* Which values to decode. */
typedef enum fcs_values {
    FCS_VALUES_RAW = 0, /* stored values; integers masked by $PnR */
    FCS_VALUES_SCALED   /* $PnE log decoding for integer columns; Time x $TIMESTEP (seconds);
                           $PnG when apply_gain */
} fcs_values;

typedef struct fcs_decode_options {
    fcs_values values;
    bool apply_gain;  /* divide by $PnG (never the time channel); only with FCS_VALUES_SCALED */
    unsigned threads; /* the caller's thread budget: 0 and 1 = the calling thread only; N >= 2
                         splits large requests over up to N threads */
} fcs_decode_options;

#define FCS_DECODE_OPTIONS_INIT {FCS_VALUES_RAW, false, 0}

/**
 * Decode events [@p first, @p first + @p count) of every parameter into @p out, column-major:
 * value of event e, parameter p at out[p * ld + (e - first)], with ld >= count.
 * @return APO_OK; APO_E_USAGE if the range is outside the data set; APO_E_FORMAT for
 *         undecodable data (e.g. bad ASCII number), with the byte offset.
 */
APO_NODISCARD apo_status fcs_dataset_decode_f64(const fcs_dataset *ds, uint64_t first,
                                                uint64_t count, const fcs_decode_options *opts,
                                                double *out, size_t ld, apo_error *err);
/**
 * As fcs_dataset_decode_f64, for the columns p with @p columns[p] set only (n_params entries;
 * NULL = every column): each of them gets exactly the values fcs_dataset_decode_f64 gives it;
 * the others may be left unwritten (binary DATA skips them; ASCII DATA, which must be scanned
 * anyway, may write them). For callers that read a few of many channels.
 */
APO_NODISCARD apo_status fcs_dataset_decode_columns_f64(const fcs_dataset *ds, uint64_t first,
                                                        uint64_t count,
                                                        const fcs_decode_options *opts,
                                                        const bool *columns, double *out,
                                                        size_t ld, apo_error *err);
APO_NODISCARD apo_status fcs_dataset_decode_f32(const fcs_dataset *ds, uint64_t first,
                                                uint64_t count, const fcs_decode_options *opts,
                                                float *out, size_t ld, apo_error *err);

/**
 * The DATA bytes of events [@p first, @p first + @p count) are no longer needed: the whole
 * pages inside that byte range of the file mapping are given back (madvise MADV_DONTNEED;
 * they are re-read from the page cache if decoded again), so a block-wise pass over a large
 * file keeps only about one block resident. Partial pages at the ends are kept. A no-op for
 * data sets read from a buffer, delimited ASCII data, empty ranges, ranges outside the data
 * set (a range running past the end is cut at it), and where madvise is unavailable. Safe to
 * call from several threads on disjoint ranges.
 */
void fcs_dataset_drop_pages(const fcs_dataset *ds, uint64_t first, uint64_t count);

/* A whole data set decoded: column-major doubles, owned by the caller. */
typedef struct fcs_events {
    uint64_t n_events;
    size_t n_params;
    double *values; /* values[p * n_events + e] */
} fcs_events;

/** Decode every event of @p ds into @p out (which the caller frees with fcs_events_free). */
APO_NODISCARD apo_status fcs_dataset_read_events(const fcs_dataset *ds,
                                                 const fcs_decode_options *opts, fcs_events *out,
                                                 apo_error *err);
/** The subsample step for @p n_events events and at most @p max_events kept:
 *  max(1, ceil(n_events / max_events)); 1 when max_events is 0 (no limit). */
uint64_t fcs_sample_step(uint64_t n_events, uint64_t max_events);
/**
 * Decode a deterministic uniform subsample of @p ds: events 0, step, 2 step, ... with
 * step = fcs_sample_step(n_events, max_events), so at most @p max_events events (every event,
 * exactly as fcs_dataset_read_events, when n_events <= max_events or max_events is 0). Decoded
 * block by block: memory is the result plus one block. *step_out (may be NULL) gets the step.
 */
APO_NODISCARD apo_status fcs_dataset_read_sampled(const fcs_dataset *ds,
                                                  const fcs_decode_options *opts,
                                                  uint64_t max_events, fcs_events *out,
                                                  uint64_t *step_out, apo_error *err);
/** Free the values of @p ev and zero it. NULL is a no-op. */
void fcs_events_free(fcs_events *ev);
/** Column @p p of @p ev (n_events values). */
static inline const double *fcs_events_column(const fcs_events *ev, size_t p)
{
    return ev->values + p * ev->n_events;
}

/* ------------------------------------------------------------------------------------------ */
/* Writer: FCS 3.1, $DATATYPE F little-endian (or, with a format, I / big-endian), atomic    */
/* ------------------------------------------------------------------------------------------ */

typedef struct fcs_write_param {
    const char *name;  /* $PnN: required, unique, no commas */
    const char *label; /* $PnS or NULL */
    double range;      /* $PnR; NaN or <= 0 means ceil(max)+1 of the data */
} fcs_write_param;

typedef struct fcs_write_keyword {
    const char *name; /* written as given; names starting with '$' must be standard keywords */
    const char *value;
} fcs_write_keyword;

typedef struct fcs_write_spec {
    size_t n_params;
    const fcs_write_param *params;
    uint64_t n_events;
    const double *values;        /* column-major: values[p * n_events + e]; stored as float32 */
    size_t n_keywords;           /* extra keywords ($CYT, $FIL, $SPILLOVER, vendor ones ...) */
    const fcs_write_keyword *keywords;
} fcs_write_spec;

/**
 * Write @p spec as an FCS 3.1 file at @p path, atomically (temporary file in the same
 * folder, then rename). An existing file at @p path is replaced only on success.
 * @return APO_OK; APO_E_USAGE for names/values that cannot be encoded; APO_E_WRITE on I/O.
 */
APO_NODISCARD apo_status fcs_write_file(const char *path, const fcs_write_spec *spec,
                                        apo_error *err);

/*
 * How DATA is stored, for fcs_write_file_format and fcs_writer_open_format (the functions
 * without a format write float32 little-endian). With datatype 'I' the values given are the
 * stored channel numbers: each must be an integer in 0 .. 2^bits - 1 (no rounding, no
 * clipping: anything else is APO_E_USAGE naming the parameter and the event), and
 * $PnE f1,f2 tells readers how a channel number maps to a scale value (FCS 3.1 section 3.2.20:
 * f2 * 10^(f1 * c / $PnR) when f1 > 0).
 */
typedef struct fcs_write_format {
    char datatype;             /* 'F' float32, 'D' float64, or 'I' unsigned integers */
    bool big_endian;           /* $BYTEORD 4,3,2,1 instead of 1,2,3,4 */
    const unsigned *bits;      /* 'I': $PnB of each parameter: 8, 16 or 32 */
    const double *log_decades; /* 'I', or NULL for every parameter linear: $PnE f1 (0 linear) */
    const double *log_offset;  /* $PnE f2 of each parameter; > 0 where f1 > 0; NULL: 1 */
} fcs_write_format;

/** As fcs_write_file, DATA stored as @p format says (NULL: float32 little-endian). */
APO_NODISCARD apo_status fcs_write_file_format(const char *path, const fcs_write_spec *spec,
                                               const fcs_write_format *format, apo_error *err);

/**
 * As fcs_write_file, into a new malloc'd buffer (*out, *out_len; caller frees).
 */
APO_NODISCARD apo_status fcs_write_buffer(uint8_t **out, size_t *out_len,
                                          const fcs_write_spec *spec, apo_error *err);

/**
 * Write @p n data sets into one file at @p path, atomically: each as fcs_write_buffer lays it
 * out, $NEXTDATA of each but the last pointing at the next (20 digits, zero-padded), as
 * instruments that store one sample per data set (Guava Muse, easyCyte) write them.
 */
APO_NODISCARD apo_status fcs_write_datasets(const char *path, const fcs_write_spec *specs,
                                            size_t n, apo_error *err);

/*
 * Block-wise writer: the same bytes as fcs_write_file without holding every event in memory.
 * fcs_writer_open writes HEADER and TEXT (spec->n_events events announced; spec->values is
 * not used and may be NULL), fcs_writer_append adds events in order, fcs_writer_commit checks
 * that exactly n_events were appended and renames the file into place. On any error call
 * fcs_writer_abort (commit frees the writer itself, also when it fails).
 */
typedef struct fcs_writer fcs_writer;

/**
 * Start writing @p spec to @p path (a temporary file until commit). A parameter whose range is
 * NaN or <= 0 gets ceil(max)+1 as in fcs_write_file: @p data_max[p] must then be the largest
 * finite value of its column (NaN if it has none), known before the data are written;
 * @p data_max may be NULL when every range is given.
 * @return APO_OK; APO_E_USAGE for an invalid spec or a missing data_max; APO_E_WRITE.
 */
APO_NODISCARD apo_status fcs_writer_open(fcs_writer **out, const char *path,
                                         const fcs_write_spec *spec, const double *data_max,
                                         apo_error *err);
/** As fcs_writer_open, storing the values as @p datatype: FCS_DATATYPE_FLOAT (float32, as
 *  fcs_writer_open) or FCS_DATATYPE_DOUBLE (float64, $PnB 64, for values float32 would round). */
APO_NODISCARD apo_status fcs_writer_open_as(fcs_writer **out, const char *path,
                                            const fcs_write_spec *spec, const double *data_max,
                                            fcs_datatype datatype, apo_error *err);
/** As fcs_writer_open, DATA stored as @p format says (NULL: float32 little-endian); the
 *  format's arrays are copied. */
APO_NODISCARD apo_status fcs_writer_open_format(fcs_writer **out, const char *path,
                                                const fcs_write_spec *spec,
                                                const double *data_max,
                                                const fcs_write_format *format, apo_error *err);
/** Append @p count events, column-major: event i of parameter p at block[p * ld + i]
 *  (stored as float32, or as the format says). @return APO_OK; APO_E_USAGE past n_events or
 *  for an integer value that is not a channel number (nothing of the block is written then);
 *  APO_E_WRITE. */
APO_NODISCARD apo_status fcs_writer_append(fcs_writer *w, const double *block, size_t count,
                                           size_t ld, apo_error *err);
/** Finish and rename into place; frees @p w. @return APO_OK; APO_E_USAGE if fewer events
 *  than announced were appended (nothing is left at the path); APO_E_WRITE. */
APO_NODISCARD apo_status fcs_writer_commit(fcs_writer *w, apo_error *err);
/** Remove the temporary file and free @p w. NULL is a no-op. */
void fcs_writer_abort(fcs_writer *w);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_FCS_FCS_H */
