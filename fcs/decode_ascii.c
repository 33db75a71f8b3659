/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * decode_ascii.c: decodes $DATATYPE A data (deprecated in FCS 3.2, still found in old files).
 * Fixed-width fields are read row by row at the layout's column offsets; delimited data
 * ($PnB "*") is one sequential scan over values separated by runs of space, tab, comma,
 * CR or LF. Numbers go through apo_parse_double; a bad one is an APO_E_FORMAT error that
 * names its byte offset.
 */
#include "fcs/decode_internal.h"

#include <stdio.h>

static void store(const fcs_decode_job *job, size_t p, uint64_t e, double v)
{
    const fcs_decode_target *t = &job->target;
    size_t i = p * t->ld + (size_t)(e - job->first);
    double x = fcs_transform_apply(&job->transforms[p], v);
    if (t->f64 != NULL) {
        t->f64[i] = x;
    } else {
        t->f32[i] = (float)x;
    }
}

/* A printable excerpt of untrusted bytes for an error message. */
static void excerpt(char *dst, size_t cap, const uint8_t *s, size_t len)
{
    size_t n = len < cap - 1 ? len : cap - 1;
    for (size_t i = 0; i < n; i++) {
        dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '?';
    }
    dst[n] = '\0';
}

static apo_status bad_number(const fcs_decode_job *job, uint64_t offset, size_t p, uint64_t e,
                             const uint8_t *s, size_t len, apo_error *err)
{
    char found[41];
    excerpt(found, sizeof(found), s, len);
    return apo_error_set(err, APO_E_FORMAT, job->ds->file->name, offset, NULL,
                         "DATA: expected a number for parameter %zu of event %llu, found \"%s\"",
                         p + 1, (unsigned long long)e + 1, found);
}

apo_status fcs_decode_ascii_fixed(const fcs_decode_job *job, apo_error *err)
{
    const fcs_layout *lay = &job->ds->layout;
    const uint8_t *data = job->ds->file->buf + (size_t)lay->data_begin;
    for (uint64_t e = job->lo; e < job->hi; e++) {
        const uint8_t *row = data + (size_t)e * lay->row_bytes;
        for (size_t p = 0; p < lay->n_params; p++) {
            const fcs_column *c = &lay->columns[p];
            const uint8_t *field = row + c->byte_offset;
            double v = 0;
            if (!apo_parse_double((const char *)field, c->n_bytes, false, &v)) {
                uint64_t off = lay->data_begin + (uint64_t)(field - data);
                return bad_number(job, off, p, e, field, c->n_bytes, err);
            }
            store(job, p, e, v);
        }
    }
    return APO_OK;
}

static bool is_sep(uint8_t c)
{
    return c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\n';
}

apo_status fcs_decode_ascii_delimited(const fcs_decode_job *job, apo_error *err)
{
    const fcs_layout *lay = &job->ds->layout;
    const uint8_t *data = job->ds->file->buf + (size_t)lay->data_begin;
    size_t len = (size_t)lay->data_len;
    uint64_t n_params = lay->n_params;
    uint64_t want_from = job->lo * n_params; /* value index of the first value we store */
    uint64_t want_to = job->hi * n_params;
    uint64_t k = 0;
    size_t i = 0;
    while (k < want_to) {
        while (i < len && is_sep(data[i])) {
            i++;
        }
        if (i >= len) {
            return apo_error_set(err, APO_E_FORMAT, job->ds->file->name,
                                 lay->data_begin + len, NULL,
                                 "DATA: expected %llu ASCII values, found %llu",
                                 (unsigned long long)want_to, (unsigned long long)k);
        }
        size_t start = i;
        while (i < len && !is_sep(data[i])) {
            i++;
        }
        if (k >= want_from) {
            uint64_t e = k / n_params;
            size_t p = (size_t)(k % n_params);
            double v = 0;
            if (!apo_parse_double((const char *)data + start, i - start, false, &v)) {
                return bad_number(job, lay->data_begin + start, p, e, data + start, i - start,
                                  err);
            }
            store(job, p, e, v);
        }
        k++;
    }
    return APO_OK;
}
