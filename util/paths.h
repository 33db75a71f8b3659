/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * paths.h: paths of output folders: mkdir -p, the real path a folder will have once created
 * (so that nothing is created before the inputs are checked), and the one check that an
 * output folder lies outside the inputs. Nothing here prints.
 */
#ifndef APOFLOW_UTIL_PATHS_H
#define APOFLOW_UTIL_PATHS_H

#include "util/util.h"

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Create @p path and its missing parents; returns 0 or an errno value. */
int apo_mkdirs(const char *path);

/* True when real path @p out equals real path @p in or lies inside it. */
bool apo_path_inside(const char *out, const char *in);

/* The real path @p path will have once created: the realpath of its deepest existing
 * ancestor plus the rest. False when it cannot be resolved (errno set) or is too long. */
bool apo_path_future_real(const char *path, char *out, size_t cap);

/* Check that output folder @p outdir lies outside every folder of @p dirs (those that are
 * folders; others are ignored; @p what names them in the message, e.g. "input folders")
 * and is not the folder of any of @p files.
 * @return APO_OK; APO_E_USAGE naming the input; APO_E_WRITE when @p outdir cannot be
 * resolved. */
APO_NODISCARD apo_status apo_output_outside(const char *outdir, const char *what, size_t n_dirs,
                                            const char *const *dirs, size_t n_files,
                                            const char *const *files, apo_error *err);

/*
 * The file name (without extension) an output derived from @p name gets, e.g. plots/<name>.png:
 * names are untrusted (a sheet, an FCS keyword), so the result never leaves its folder. Letters,
 * digits, blanks and . _ - + # are kept (no leading, doubled or trailing dot); any other byte
 * (separators, control and non-ASCII bytes) becomes '_'; at most 120 bytes. A name that had to
 * change, is empty or is a reserved device name (CON, NUL, COM1 ...) gets "~" and an 8-digit
 * hash of the original appended, so different names never share a file. Tables and the report
 * keep the original name. @p cap >= 16 (else "" is written).
 */
void apo_output_name(const char *name, char *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_UTIL_PATHS_H */
