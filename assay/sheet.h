/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sheet.h: the sample sheet of the assay module (included by assay/assay.h): sample roles,
 * reading and parsing a sheet (sheet.c; separators and decimal commas in
 * docs/sample-sheet.md), the design guessed from the files' keywords without one
 * (sheet_guess.c, sheet_draft.c), and the single-stain controls a sheet names for
 * compensation (comp_controls.c). Nothing here prints.
 */
#ifndef APOFLOW_ASSAY_SHEET_H
#define APOFLOW_ASSAY_SHEET_H

#include "fcs/fcs.h"
#include "gating/comp.h"
#include "util/util.h"

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The role of a sample in the experiment (sample sheet column "role"). */
typedef enum assay_role {
    ASSAY_ROLE_UNKNOWN = 0,
    ASSAY_ROLE_UNSTAINED,      /* "unstained" */
    ASSAY_ROLE_ANNEXIN_SINGLE, /* "annexin_single": Annexin V-FITC only */
    ASSAY_ROLE_PI_SINGLE,      /* "pi_single": PI only */
    ASSAY_ROLE_UNTREATED,      /* "untreated": no stimulus */
    ASSAY_ROLE_STIMULUS,       /* "stimulus": stimulus only (e.g. H2O2) */
    ASSAY_ROLE_TREATED         /* "treated": stimulus + compound at a dose */
} assay_role;

/** The sheet name of @p r ("unstained", ...; "" for UNKNOWN). */
const char *assay_role_name(assay_role r);
/** Parse a role name (ASCII case-insensitive; '-' and ' ' count as '_'). */
bool assay_role_parse(const char *s, assay_role *out);

/* One row of a sample sheet. Strings are never NULL. */
typedef struct assay_sheet_row {
    char *file;       /* as written (relative paths are relative to the sheet's folder) */
    char *sample;
    assay_role role;
    char *treatment;
    char *dose_text;  /* "" when none */
    double dose;      /* NaN when none */
    char *dose_unit;
    unsigned replicate; /* 0 when empty */
    size_t dataset;   /* data set of the file (1-based; column "dataset" or "FILE#N"), 0 when
                         not given */
    char **extra;     /* values of the extra columns (assay_sheet.extra_names) */
    size_t line;      /* 1-based line in the CSV */
} assay_sheet_row;

typedef struct assay_sheet {
    size_t n_rows;
    assay_sheet_row *rows;
    size_t n_extra;
    char **extra_names;
    char *dir;        /* folder of the sheet file ("." when none) */
    char sep;         /* the field separator found: ',', ';' or '\t' */
} assay_sheet;

/** Read a sample sheet CSV (RFC 4180 quoting; header row with at least "file"). */
APO_NODISCARD apo_status assay_sheet_read(assay_sheet *out, const char *path, apo_error *err);
/** Parse a sample sheet held in memory; @p name is used in messages. */
APO_NODISCARD apo_status assay_sheet_parse(assay_sheet *out, const char *text, size_t len,
                                          const char *name, apo_error *err);
void assay_sheet_free(assay_sheet *s);
/** The row whose file matches @p path (the same path after resolving the row's file against
 *  the sheet's folder, "./" and "//" ignored), or NULL. */
const assay_sheet_row *assay_sheet_find(const assay_sheet *s, const char *path);
/** Of the rows of @p path's file (matched as assay_sheet_find does), keep only those whose
 *  data set (1 for a row naming none) is one of the @p n_keep in @p keep; rows of other files
 *  stay. Returns the number of rows removed (and freed). */
size_t assay_sheet_keep_datasets(assay_sheet *s, const char *path, const size_t *keep,
                                 size_t n_keep);

/* A guessed sheet row for one file, from its keywords (apoflow sheet). */
typedef struct assay_sheet_guess {
    char sample[128];
    assay_role role;
    char treatment[64];
    char dose[32];
    char dose_unit[16];
    unsigned replicate;
    char evidence[160]; /* which keyword/word the role guess came from */
    size_t copy_of;     /* a data set holding the same events as data set copy_of (1-based)
                           of its file, the newest copy, which is analysed instead
                           (fcs_file_one_acquisition); 0 for any other row */
} assay_sheet_guess;

/** Guess the sample name (the file stem), role, treatment, dose and replicate of @p ds from
 *  TUBE NAME, SAMPLE ID, $FIL and @p file. */
void assay_sheet_guess_row(const fcs_dataset *ds, const char *file, assay_sheet_guess *out);
/** Write a draft sheet CSV (the standard columns + guess_evidence) atomically. */
APO_NODISCARD apo_status assay_sheet_write_draft(const char *path, size_t n,
                                                const char *const *files,
                                                const assay_sheet_guess *guesses,
                                                apo_error *err);

/**
 * The controls of a run's sample sheet @p s as a controls sheet for gate_comp_compute_files:
 * the unstained row, and each annexin_single / pi_single row with its dye's detector as the
 * run finds it on that control file (comp_controls.c).
 */
APO_NODISCARD apo_status assay_comp_controls(const assay_sheet *s, const fcs_read_options *read,
                                             gate_comp_sheet *out, apo_error *err);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_ASSAY_SHEET_H */
