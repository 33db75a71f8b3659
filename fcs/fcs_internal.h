/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fcs_internal.h: the private structures of the FCS module, shared between the parser
 * (header.c, text.c, dataset.c, ...) and the decoder (decode.c). Include only from fcs/ and
 * tests/fcs/.
 *
 * The parser's job ends with a fully checked fcs_layout per data set: every span lies inside
 * the buffer, every per-column width is one the decoder handles, and n_events * row_bytes
 * fits the DATA span. The decoder trusts the layout and never re-reads keywords.
 */
#ifndef APOFLOW_FCS_FCS_INTERNAL_H
#define APOFLOW_FCS_FCS_INTERNAL_H

#include "fcs/fcs.h"

#include <stddef.h>
#include <stdint.h>

/* Byte order of stored values. */
typedef enum fcs_byteorder {
    FCS_BYTEORDER_LITTLE = 0, /* "1,2,3,4", "1,2", "1" ... */
    FCS_BYTEORDER_BIG,        /* "4,3,2,1", "2,1" */
    FCS_BYTEORDER_PERMUTED    /* e.g. "3,4,1,2": see fcs_column.perm */
} fcs_byteorder;

/* How one column is stored in a DATA row (binary data types). */
typedef struct fcs_column {
    fcs_datatype datatype; /* INT, FLOAT or DOUBLE (ASCII is handled row-wise, see fcs_layout) */
    unsigned n_bytes;      /* bytes per stored value: 1..8 for INT, 4 FLOAT, 8 DOUBLE */
    size_t byte_offset;    /* offset of this column's value inside a row */
    uint64_t mask;         /* INT: applied after assembly; all ones for none */
    /* PERMUTED only: perm[k] = significance (0 = least significant byte) of the k-th
     * stored byte; valid for k < n_bytes. */
    uint8_t perm[8];
} fcs_column;

/* The checked DATA layout of one data set. */
typedef struct fcs_layout {
    uint64_t data_begin; /* absolute offset in the buffer of the first DATA byte */
    uint64_t data_len;   /* bytes of DATA in use (n_events * row_bytes for binary) */
    uint64_t n_events;
    size_t n_params;
    fcs_byteorder byteorder;
    bool ascii;           /* $DATATYPE A */
    bool ascii_delimited; /* $DATATYPE A with $PnB "*": values separated by space/tab/comma/CR/LF */
    size_t row_bytes;     /* bytes per event (binary, or fixed-width ASCII) */
    fcs_column *columns;  /* n_params entries (for fixed ASCII: n_bytes = field width) */
} fcs_layout;

/* A growable list of warnings (owned by a data set or the file). */
typedef struct fcs_warning_list {
    fcs_warning *items;
    size_t n;
    size_t cap;
} fcs_warning_list;

/* Append a warning "name: byte off: keyword: msg". Allocation failure drops the warning
 * silently (a warning must never turn success into failure). */
void fcs_warn(fcs_warning_list *list, const char *file_name, uint64_t offset,
              const char *keyword, const char *fmt, ...) APO_PRINTF(5, 6);
void fcs_warning_list_free(fcs_warning_list *list);

struct fcs_dataset {
    const struct fcs_file *file; /* parent: buffer and name */
    uint64_t offset;             /* absolute offset of this data set's HEADER */
    char version[8];             /* "FCS3.1" */

    /* Keywords in file order (primary TEXT first, then STEXT, then ANALYSIS); each name and
     * value is a NUL-terminated string in storage owned by the data set. */
    fcs_keyword *keywords;
    size_t n_keywords;
    char *keyword_storage; /* backing bytes of keyword names and values */

    fcs_param *params;
    size_t n_params;
    char *param_storage; /* backing bytes for de-duplicated parameter names, if needed */

    fcs_datatype datatype;
    char byteord[32];
    double timestep;

    bool has_data;
    fcs_layout layout;

    fcs_spillover *spillover; /* NULL when none or unusable */

    fcs_warning_list warnings;

    /* Parser bookkeeping: sorted keyword index for case-insensitive lookup, storage of
     * the STEXT and ANALYSIS keywords, and the TEXT mode that produced the keywords. */
    size_t *kw_sorted;
    char *seg_storage[2];
    fcs_text_mode text_mode_used;
};

struct fcs_file {
    char *name;          /* as given to open */
    const uint8_t *buf;  /* the whole file (mapped or borrowed) */
    uint64_t len;        /* bytes in buf */
    void *map;           /* non-NULL if we mmap'd buf (munmap on free) */
    size_t map_len;
    bool from_path;      /* opened from the path f->name: DATA is read with pread (rows.c) */
    uint64_t dev, ino;   /* that file's identity at open, checked before each read */
    fcs_dataset *datasets;
    size_t n_datasets;
    fcs_warning_list warnings;
};

/* Decoding (decode.c): the layout is trusted. */
apo_status fcs_layout_decode_f64(const fcs_dataset *ds, uint64_t first, uint64_t count,
                                 const fcs_decode_options *opts, double *out, size_t ld,
                                 apo_error *err);

/* Free everything a data set owns (not the struct itself). */
void fcs_dataset_clear(fcs_dataset *ds);

/* ---- Parser internals (header.c, text.c, keywords.c, dataset.c, spillover.c) ---- */

/* The HEADER of one data set; offsets relative to the data set's first byte. A field that
 * was blank, 0, negative or the 99999999 placeholder is 0 (and its *_valid flag false). */
typedef struct fcs_header {
    char version[8];
    uint64_t text_begin, text_end;
    uint64_t data_begin, data_end;
    uint64_t analysis_begin, analysis_end;
    bool data_valid;     /* both DATA fields usable */
    bool analysis_valid; /* both ANALYSIS fields usable and non-zero */
} fcs_header;

/* Parse the HEADER at absolute offset @p base of @p buf (@p len bytes). */
apo_status fcs_header_parse(const uint8_t *buf, uint64_t len, uint64_t base, const char *name,
                            fcs_header *h, fcs_warning_list *warnings, apo_error *err);

/* A tokenized TEXT-syntax segment: keywords whose strings live in @c storage. */
typedef struct fcs_text_segment {
    fcs_keyword *kw;
    size_t n;
    char *storage;
    size_t n_empty_split; /* keywords given empty values by splitting */
} fcs_text_segment;

/* Tokenize @p len bytes of TEXT syntax at @p text (absolute file offset @p abs_offset) whose
 * first byte must be the delimiter @p delim. @p mode is FCS_TEXT_ESCAPE (escape, then split
 * keywords holding the delimiter) or FCS_TEXT_EMPTY ("//" is an empty value); see
 * docs/fcs-quirks.md, "Doubled delimiters". Trailing padding is stripped first. */
apo_status fcs_text_tokenize(const uint8_t *text, size_t len, uint64_t abs_offset, uint8_t delim,
                             fcs_text_mode mode, int segment, const char *name,
                             fcs_text_segment *out, fcs_warning_list *warnings, apo_error *err);
void fcs_text_segment_free(fcs_text_segment *seg);

/* ASCII case-insensitive comparison of NUL-terminated strings (like strcmp). */
int fcs_ascii_icmp(const char *a, const char *b);
/* Indices 0..n-1 sorted by case-folded name, ties by index (so the first wins); malloc'd. */
size_t *fcs_keywords_sort(const fcs_keyword *kw, size_t n);
/* First keyword named @p name (case-insensitive), or NULL. @p sorted from fcs_keywords_sort. */
const fcs_keyword *fcs_keywords_lookup(const fcs_keyword *kw, const size_t *sorted, size_t n,
                                       const char *name);
/* Lookup in a parsed data set. */
const fcs_keyword *fcs_dataset_find_keyword(const fcs_dataset *ds, const char *name);

/* Parse the data set whose HEADER is at absolute offset @p base into @p ds (zeroed by the
 * caller, ds->file set). *next_out receives the absolute offset of the next HEADER or 0. */
apo_status fcs_dataset_parse(fcs_dataset *ds, uint64_t base, const fcs_read_options *opts,
                             uint64_t *next_out, apo_error *err);

/* Find and parse the spillover matrix of @p ds (sets ds->spillover or warns). */
void fcs_spillover_parse(fcs_dataset *ds);
void fcs_spillover_free(fcs_spillover *s);

#endif /* APOFLOW_FCS_FCS_INTERNAL_H */
