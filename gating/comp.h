/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * comp.h: spillover compensation: matrices from keywords, CSV files or single-stain
 * controls, binding to a file's channels, and applying them to events. Part of gating/gate.h.
 */
#ifndef APOFLOW_GATING_COMP_H
#define APOFLOW_GATING_COMP_H

#include "fcs/fcs.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/* Compensation (compensate.c, spill_csv.c, comp_compute.c)                                   */
/* ------------------------------------------------------------------------------------------ */

/*
 * A spillover matrix S (n x n, row i = fluorochrome/control i, column j = detector j,
 * S[i][i] = 1) with its detector names, its inverse and its conditioning.
 * Compensated t = o S^-1 for the row vector o of raw detector values (docs/algorithms.md 2.1);
 * only the named channels change, scatter/time and unlisted channels stay untouched.
 * After gate_comp_bind*, param_index maps detector j to a column of the events.
 * All fields are read-only for callers; create with a gate_comp_* constructor,
 * release with gate_comp_free.
 */
typedef struct gate_comp {
    size_t n;
    char **detectors;     /* n detector names (column order; $PnN) */
    char **fluorochromes; /* n row names (as given, or copies of the detector names) */
    double *spill;        /* n*n row-major S */
    double *inverse;      /* n*n row-major S^-1 (GSL LU inverse) */
    size_t *param_index;  /* n event columns, valid after a bind (SIZE_MAX = unbound) */
    double rcond;         /* 1 / (||S||_1 ||S^-1||_1), the 1-norm reciprocal condition number */
    double cond2;         /* s_max / s_min from the SVD */
    double max_offdiag;   /* largest |S[i][j]|, i != j */
    bool ill_conditioned; /* cond2 > GATE_COMP_COND_WARN or max_offdiag > 1: warn the user */
    char source[64];      /* "$SPILLOVER", "csv", "controls", ... */
} gate_comp;

#define GATE_COMP_COND_WARN 100.0    /* cond2 above this: ill_conditioned */
#define GATE_COMP_RCOND_SINGULAR 1e-12 /* rcond below this: refused as singular */

/**
 * Make a gate_comp from an n x n row-major spillover matrix and n detector names
 * (@p fluorochromes may be NULL). Refuses non-finite values and singular matrices
 * (APO_E_NUMERIC "matrix is singular", also when rcond < GATE_COMP_RCOND_SINGULAR);
 * APO_E_USAGE for n == 0, duplicate or empty names.
 */
APO_NODISCARD apo_status gate_comp_new(gate_comp **out, size_t n, const char *const *detectors,
                                       const char *const *fluorochromes, const double *spill,
                                       apo_error *err);
/** From the file's keyword (fcs_dataset_spillover); bound to the file's channels already. */
APO_NODISCARD apo_status gate_comp_from_fcs(gate_comp **out, const fcs_spillover *sp,
                                            apo_error *err);
/**
 * Read a CSV/TSV matrix as FlowJo/FlowKit export it: a header of detector names (optionally
 * starting with '#'; tab or comma separated; R write.table style space-separated "quoted"
 * tokens also accepted), then n rows of n numbers, each optionally preceded by a row name
 * (rows are then reordered to the header's order when the row names match the header).
 */
APO_NODISCARD apo_status gate_comp_read_csv(gate_comp **out, const char *path, apo_error *err);
/** As gate_comp_read_csv from a buffer; @p name is used in messages. */
APO_NODISCARD apo_status gate_comp_parse_csv(gate_comp **out, const char *buf, size_t len,
                                             const char *name, apo_error *err);
/** Write the matrix as CSV (header row of detector names, n rows, round-trip precision),
 *  atomically (temporary file in the same folder, then rename). */
APO_NODISCARD apo_status gate_comp_write_csv(const gate_comp *c, const char *path,
                                             apo_error *err);
/** As gate_comp_write_csv to an open stream (not atomic; for standard output). */
APO_NODISCARD apo_status gate_comp_write_csv_stream(const gate_comp *c, FILE *fp,
                                                    apo_error *err);
/** Release @p c. NULL is a no-op. */
void gate_comp_free(gate_comp *c);

/**
 * Map every detector to a channel among @p n_names names (exact match first, then ASCII
 * case-insensitive, then without a FlowJo "Comp-" prefix on either side).
 * APO_E_USAGE naming the detector when one is missing or two detectors share a channel.
 */
APO_NODISCARD apo_status gate_comp_bind_names(gate_comp *c, size_t n_names,
                                              const char *const *names, apo_error *err);
/** gate_comp_bind_names with the data set's $PnN names (then $PnS as a fallback). */
APO_NODISCARD apo_status gate_comp_bind(gate_comp *c, const fcs_dataset *ds, apo_error *err);

/**
 * Compensate @p ev in place: for every event, the bound columns o become o S^-1 (other
 * columns untouched). Block-wise, on the calling thread unless @p threads >= 2 (the caller's
 * thread budget: 0 and 1 mean the calling thread only, 2 or more split the events over two
 * threads for large data; a library starts no threads the caller did not ask for). APO_E_USAGE if @p c is not bound or an index is out of range.
 */
APO_NODISCARD apo_status gate_comp_apply(const gate_comp *c, fcs_events *ev, unsigned threads,
                                         apo_error *err);
/** One event: @p out (n values, detector order) = @p raw S^-1. May alias. */
void gate_comp_apply_vector(const gate_comp *c, const double *raw, double *out);

/*
 * Computing S from single-stain controls (flowStats spillover(), median method; docs/algorithms.md
 * 2.4): S[i][j] = max(stat(P_i, j) - stat(U, j), 0) / max(stat(P_i, i) - stat(U, i), 0),
 * where U is the universal unstained negative and P_i the positive population of control i.
 */
typedef enum gate_comp_population {
    /* Every event of the control (flowStats spillover(useNormFilt = FALSE)): reproduces
     * flowCore's compref1 exactly. Right for beads/controls that are (almost) all positive. */
    GATE_COMP_POP_ALL = 0,
    /* Events whose primary-detector value is above the unstained control's
     * positive_quantile quantile in that detector (default 0.995): the positive population
     * of a cell control that also holds unstained cells (e.g. AnnV-only). */
    GATE_COMP_POP_POSITIVE
} gate_comp_population;

typedef struct gate_comp_compute_options {
    gate_comp_population population;
    double positive_quantile; /* GATE_COMP_POP_POSITIVE threshold quantile of the unstained */
    size_t min_events;        /* fewer positive events than this: error (default 20) */
    uint64_t sample_events;   /* gate_comp_compute_files: at most this many events per control
                                 file (every step-th event above it; 0 = every event) */
} gate_comp_compute_options;

#define GATE_COMP_COMPUTE_OPTIONS_INIT                                                         \
    {GATE_COMP_POP_POSITIVE, 0.995, 20, GATE_SAMPLE_EVENTS_DEFAULT}

/* One control sample: its events and, per detector, the column holding it. */
typedef struct gate_comp_sample {
    const fcs_events *events;
    const size_t *columns; /* n_detectors column indices into events */
    const char *name;      /* used in messages (file name) */
} gate_comp_sample;

/**
 * Compute S from @p controls[i] (the single-stain control whose dye's primary detector is
 * detector i) and the unstained control. Per-detector medians over the chosen population.
 * Rows with a primary signal not above the unstained (diagonal <= 0) are an APO_E_NUMERIC
 * error naming the control. Matrix entries that would be negative are clipped to 0
 * (flowStats). @p used_events (may be NULL) receives the n population sizes.
 */
APO_NODISCARD apo_status gate_comp_compute(gate_comp **out, size_t n,
                                           const char *const *detectors,
                                           const gate_comp_sample *unstained,
                                           const gate_comp_sample *controls,
                                           const gate_comp_compute_options *opts,
                                           size_t *used_events, apo_error *err);

/*
 * A controls sheet: CSV mapping each control file to the channel (detector) its dye is
 * primarily seen in, one row "unstained" (any case) for the unstained control. Accepted
 * layouts: flowStats' comp_match ("filename,channel") and CytoExploreR's
 * Compensation-Channels.csv ("name","channel"); quotes optional, comma or tab separated.
 */
typedef struct gate_comp_sheet_entry {
    char *file;    /* as written in the sheet (a file name, matched on its base name) */
    char *channel; /* detector name; NULL for the unstained control */
    size_t dataset; /* the data set of the file (1-based; 0 = the first) */
} gate_comp_sheet_entry;

typedef struct gate_comp_sheet {
    size_t n;
    gate_comp_sheet_entry *entries;
} gate_comp_sheet;

/** Parse a controls sheet (APO_E_FORMAT with the line for bad rows, APO_E_IO). */
APO_NODISCARD apo_status gate_comp_sheet_read(gate_comp_sheet *out, const char *path,
                                              apo_error *err);
APO_NODISCARD apo_status gate_comp_sheet_parse(gate_comp_sheet *out, const char *buf,
                                               size_t len, const char *name, apo_error *err);
/** Free the entries of @p s and zero it. NULL is a no-op. */
void gate_comp_sheet_free(gate_comp_sheet *s);

/* What gate_comp_compute_files used (all owned; free with gate_comp_report_free). */
typedef struct gate_comp_report {
    size_t n;              /* detectors in the matrix (= rows of the result) */
    char **control_file;   /* per detector: the control file used */
    size_t *used_events;   /* per detector: events in the control's population */
    size_t unstained_events;
    size_t n_skipped;      /* sheet rows whose file was not among the given files */
    char **skipped;        /* their file names */
} gate_comp_report;

void gate_comp_report_free(gate_comp_report *r);

/**
 * Read the control files @p paths (first data set of each, or the newest copy of a file
 * holding one acquisition in several FCS versions; scale values with $PnG applied,
 * as gates see them; per file at most opts->sample_events events, the subsample of
 * fcs_dataset_read_sampled, so every event of a file within that limit; only the detector
 * columns are kept), match each to the sheet by base name, and compute S with
 * gate_comp_compute. Detectors are ordered as the unstained file's channels. Sheet rows whose
 * file is not in @p paths are skipped (listed in @p report); a path not in the sheet, a
 * missing unstained row, a channel missing from a file, or two controls for one channel are
 * APO_E_USAGE errors naming the file/channel. @p report may be NULL.
 */
APO_NODISCARD apo_status gate_comp_compute_files(gate_comp **out, size_t n_paths,
                                                 const char *const *paths,
                                                 const gate_comp_sheet *sheet,
                                                 const gate_comp_compute_options *opts,
                                                 const fcs_read_options *read_opts,
                                                 gate_comp_report *report, apo_error *err);
/** As gate_comp_compute_files, reading data set @p datasets[k] (1-based; 0 = the first, or
 *  the newest copy of a file holding one acquisition in several FCS versions, named
 *  "path#N" then: fcs_file_one_acquisition) of
 *  @p paths[k] and pairing it with the sheet entry of that file and data set (@p datasets
 *  NULL: the first of each); a data set named is written "path#N" in messages and the
 *  report. */
APO_NODISCARD apo_status gate_comp_compute_datasets(gate_comp **out, size_t n_paths,
                                                    const char *const *paths,
                                                    const size_t *datasets,
                                                    const gate_comp_sheet *sheet,
                                                    const gate_comp_compute_options *opts,
                                                    const fcs_read_options *read_opts,
                                                    gate_comp_report *report, apo_error *err);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_GATING_COMP_H */
