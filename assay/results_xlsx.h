/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * results_xlsx.h: results.xlsx, the result tables of a run or a merge as one spreadsheet
 * workbook (docs/outputs.md, "results.xlsx"): the sheets samples, comparisons and stats hold
 * the rows and columns of samples.csv, comparisons.csv and stats.csv (numbers as numbers,
 * true/false as booleans, the header row bold and frozen), and one sheet per endpoint
 * (prism_viable ... prism_apoptotic) lays the samples out as GraphPad Prism's column and
 * grouped tables take them: one column per group (untreated, stimulus, then the treated
 * groups by treatment and dose, as in comparisons.csv), one row per replicate.
 * Written with libxlsxwriter. Nothing here prints.
 */
#ifndef APOFLOW_ASSAY_RESULTS_XLSX_H
#define APOFLOW_ASSAY_RESULTS_XLSX_H

#include "util/observer.h"
#include "util/util.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The Prism sheets: one per endpoint, named "prism_" + the samples.csv column without
 * "_pct" (prism_viable, prism_early_apoptotic, prism_late_apoptotic, prism_necrotic,
 * prism_apoptotic). */
enum { ASSAY_XLSX_N_ENDPOINTS = 5 };
/* The samples.csv column of endpoint @p k ("viable_pct" ... "apoptotic_pct"; NULL past the
 * last). */
const char *assay_xlsx_endpoint_column(int k);

/*
 * Write @p outdir/results.xlsx from the samples.csv, comparisons.csv and stats.csv in
 * @p outdir (write those first), atomically (apo_atomic_open's temporary name, then rename).
 * The workbook's creation date is fixed, so the same tables give the same bytes. A table
 * longer or wider than a worksheet holds, or a text longer than a cell holds, is cut and
 * said through @p obs (a warning; the CSV keeps everything).
 * @return APO_OK; APO_E_IO when a table cannot be read; APO_E_WRITE; APO_E_NOMEM.
 */
APO_NODISCARD apo_status assay_write_results_xlsx(const char *outdir, const apo_observer *obs,
                                                  apo_error *err);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_ASSAY_RESULTS_XLSX_H */
