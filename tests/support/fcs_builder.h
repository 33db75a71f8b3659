/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fcs_builder.h: builds FCS file bytes in memory for tests (good files and damaged ones).
 *
 * A builder describes ONE data set: version, delimiter, parameters, data, extra keywords.
 * fcs_builder_build() lays it out as HEADER (58 bytes + optional extra bytes), TEXT, optional
 * gap, DATA, optional trailer, and fills in the automatic keywords ($BEGINDATA, $ENDDATA,
 * $TOT, $PAR, $PnN/$PnB/$PnR/$PnE, $DATATYPE, $BYTEORD, $MODE, $NEXTDATA, ...). Any automatic
 * keyword is left out when a keyword of the same name (case-insensitive) was added with
 * fcs_builder_keyword() (that one is written instead, at its place), or when it was named in
 * fcs_builder_omit(). Typical use:
 *
 *   fcs_builder *b = fcs_builder_new("FCS3.1");
 *   fcs_builder_param(b, "FSC-A", 32, 262144);   // name, stored bits, $PnR (NaN: omit $PnR)
 *   fcs_builder_param(b, "SSC-A", 32, 262144);
 *   fcs_builder_set_datatype(b, 'F');           // default 'I'
 *   fcs_builder_set_byteord(b, "4,3,2,1");      // default "1,2,3,4"
 *   const double v[] = {1, 2, 3, 4};             // ROW-major: event 0 = {1,2}, event 1 = {3,4}
 *   fcs_builder_set_events(b, 2, v);
 *   fcs_builder_keyword(b, "$CYT", "Test");
 *   size_t len; uint8_t *bytes = fcs_builder_build(b, &len);   // malloc'd; free()
 *   fcs_builder_free(b);
 *
 * Every function aborts the test program (with a message on stderr) on misuse or allocation
 * failure, so tests need no error handling. Nothing here validates: damage is the point.
 */
#ifndef APOFLOW_TESTS_SUPPORT_FCS_BUILDER_H
#define APOFLOW_TESTS_SUPPORT_FCS_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fcs_builder fcs_builder;

/* New data set with version string (6 bytes written as given, e.g. "FCS3.1", "FCS2.0", or
 * damaged ones like "FCS1.0"). Defaults: delimiter '/', $DATATYPE I, $BYTEORD "1,2,3,4",
 * $MODE L, no events, TEXT right after the 58-byte HEADER, no trailer. */
fcs_builder *fcs_builder_new(const char *version);
void fcs_builder_free(fcs_builder *b);

/* ---- TEXT ---- */
void fcs_builder_set_delim(fcs_builder *b, char delim);
/* Add a keyword (in order; duplicates allowed). Delimiters inside name/value are doubled
 * (escaped). An empty value is written as an empty token (two delimiters in a row). */
void fcs_builder_keyword(fcs_builder *b, const char *name, const char *value);
/* Append raw bytes to the TEXT body (after the keywords so far, nothing escaped). Use it for
 * damage: "/$P1S//" style empty values, junk tokens. Length is strlen(bytes). */
void fcs_builder_text_raw(fcs_builder *b, const char *bytes);
/* Do not write the automatic keyword @p name ("$TOT", "$BEGINDATA", "$P2R", ...). */
void fcs_builder_omit(fcs_builder *b, const char *name);
/* Do not write the final delimiter of TEXT (as Cytek instruments do). */
void fcs_builder_no_final_delim(fcs_builder *b);
/* Bytes appended after the final delimiter, still inside the declared TEXT (padding). */
void fcs_builder_text_pad(fcs_builder *b, const char *bytes);
/* Number the automatic parameter keywords from 0 instead of 1 ($P0N ...). */
void fcs_builder_number_from_zero(fcs_builder *b);

/* ---- parameters and data ---- */
/* Add a parameter. @p stored_bits is the width used to encode the data (8..64 for I,
 * 32 F, 64 D, field width in characters for fixed A, 0 for delimited A). $PnB is written as
 * @p stored_bits ("*" for 0) unless fcs_builder_param_bits() overrides the text. @p range:
 * $PnR, written in shortest form; NaN = no $PnR. $PnE is written as "0,0". */
void fcs_builder_param(fcs_builder *b, const char *name, unsigned stored_bits, double range);
/* Override the $PnB text of the last added parameter (e.g. "10" for 10-in-16 storage). */
void fcs_builder_param_bits(fcs_builder *b, const char *pnb_text);
/* 3.2: per-parameter type of the last added parameter ('I', 'F', 'D'); writes $PnDATATYPE
 * and encodes that column accordingly. */
void fcs_builder_param_datatype(fcs_builder *b, char datatype);
void fcs_builder_set_datatype(fcs_builder *b, char datatype); /* 'I', 'F', 'D', 'A' */
/* $BYTEORD as written, also used to encode: "1,2,3,4", "4,3,2,1", "3,4,1,2", "1,2", "2,1".
 * Ascending = little-endian, descending = big-endian for any width; otherwise a permutation
 * (byte k of a value has significance ord[k]) that must have as many entries as bytes. */
void fcs_builder_set_byteord(fcs_builder *b, const char *byteord);
/* Events as ROW-major doubles (n_events * n_params, copied). I values are rounded to
 * uint64 and truncated to the stored width; F stored as float32; A as decimal text. */
void fcs_builder_set_events(fcs_builder *b, size_t n_events, const double *values);
/* Use these exact DATA bytes instead of encoding events (copied). $TOT is still n_events
 * from fcs_builder_set_events if that was called, else computed from the row width. */
void fcs_builder_set_raw_data(fcs_builder *b, const uint8_t *data, size_t len);
/* Separator between values for delimited ASCII (default " "). */
void fcs_builder_set_ascii_sep(fcs_builder *b, const char *sep);

/* ---- layout ---- */
/* Replace HEADER offset field @p field (0 TEXT begin, 1 TEXT end, 2 DATA begin, 3 DATA end,
 * 4 ANALYSIS begin, 5 ANALYSIS end) by exactly the 8 bytes of @p text (shorter text is
 * right-padded with spaces; e.g. "   00074", "        ", "99999999"). */
void fcs_builder_header_field(fcs_builder *b, int field, const char *text);
/* Replace HEADER bytes 6-9 (default 4 spaces) with @p four. */
void fcs_builder_header_gap(fcs_builder *b, const char *four);
/* Extra bytes after byte 58 of the HEADER (OTHER offsets / padding); TEXT starts after them. */
void fcs_builder_header_extra(fcs_builder *b, const char *bytes);
/* Bytes between the end of TEXT and the start of DATA. */
void fcs_builder_data_gap(fcs_builder *b, size_t n_bytes);
/* Add @p delta (may be negative) to the automatic DATA end offset in the HEADER and/or
 * $ENDDATA (e.g. +1 for the off-by-one quirk). Does not change the bytes written. */
void fcs_builder_data_end_delta(fcs_builder *b, int header_delta, int text_delta);
/* Bytes appended after DATA (e.g. "00000000" CRC). */
void fcs_builder_trailer(fcs_builder *b, const char *bytes);
/* Add an ANALYSIS segment after DATA with these keyword/value pairs in TEXT syntax (written
 * raw, e.g. "/A1/x/A2/y/"); sets HEADER ANALYSIS offsets and $BEGIN/$ENDANALYSIS. */
void fcs_builder_analysis(fcs_builder *b, const char *raw_segment);
/* Add a supplemental TEXT segment after DATA (written raw, e.g. "/S1/x/");
 * sets $BEGINSTEXT/$ENDSTEXT. */
void fcs_builder_stext(fcs_builder *b, const char *raw_segment);

/* Build: malloc'd bytes (caller frees), length in *len. The builder stays usable. */
uint8_t *fcs_builder_build(fcs_builder *b, size_t *len);

/* Build several data sets into one file chained by $NEXTDATA (written as a 12-digit
 * zero-padded offset, 0 in the last). The builders must not contain a $NEXTDATA keyword. */
uint8_t *fcs_builder_build_chain(fcs_builder *const *bs, size_t n, size_t *len);

/* ---- damage after building ----
 * Truncation needs no helper: parse the first len - n bytes of the built buffer. */
/* Overwrite bytes at @p offset with @p text (not its NUL); aborts if it does not fit. */
void fcs_bytes_overwrite(uint8_t *buf, size_t len, size_t offset, const char *text);
/* Offset of the first occurrence of @p needle in @p buf, or SIZE_MAX. */
size_t fcs_bytes_find(const uint8_t *buf, size_t len, const char *needle);

/* Read a whole file into a malloc'd buffer (tests only); NULL if it cannot be read. */
uint8_t *fcs_read_file(const char *path, size_t *len);

#endif /* APOFLOW_TESTS_SUPPORT_FCS_BUILDER_H */
