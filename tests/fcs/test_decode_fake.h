/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_decode_fake.h: a hand-built fcs_file/fcs_dataset around a byte buffer, so the decoder
 * tests can describe a DATA layout directly (without the parser). Header-only, test use.
 */
#ifndef APOFLOW_TESTS_FCS_TEST_DECODE_FAKE_H
#define APOFLOW_TESTS_FCS_TEST_DECODE_FAKE_H

#include "fcs/fcs_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FAKE_MAX_PARAMS 16
#define FAKE_DATA_BEGIN 7 /* DATA does not start at 0, to catch offset mix-ups */

typedef struct fake_ds {
    struct fcs_file file;
    fcs_dataset ds;
    fcs_column cols[FAKE_MAX_PARAMS];
    fcs_param params[FAKE_MAX_PARAMS];
    uint8_t *buf;
} fake_ds;

/* A binary (or fixed-ASCII) layout: columns are added with fake_column. @p data is copied
 * to FAKE_DATA_BEGIN of a new buffer with a few junk bytes on both sides. */
static inline void fake_init(fake_ds *f, const void *data, size_t len, fcs_byteorder order)
{
    memset(f, 0, sizeof(*f));
    f->buf = malloc(len + FAKE_DATA_BEGIN + 5);
    memset(f->buf, 0xA5, len + FAKE_DATA_BEGIN + 5);
    if (len > 0) {
        memcpy(f->buf + FAKE_DATA_BEGIN, data, len);
    }
    f->file.name = (char *)"fake.fcs";
    f->file.buf = f->buf;
    f->file.len = len + FAKE_DATA_BEGIN + 5;
    f->ds.file = &f->file;
    f->ds.has_data = true;
    f->ds.params = f->params;
    f->ds.layout.data_begin = FAKE_DATA_BEGIN;
    f->ds.layout.data_len = len;
    f->ds.layout.byteorder = order;
    f->ds.layout.columns = f->cols;
}

/* Append a column of @p n_bytes of type @p type at the end of the row. */
static inline void fake_column(fake_ds *f, fcs_datatype type, unsigned n_bytes, uint64_t mask)
{
    size_t p = f->ds.layout.n_params++;
    f->ds.n_params = f->ds.layout.n_params;
    fcs_column *c = &f->cols[p];
    c->datatype = type;
    c->n_bytes = n_bytes;
    c->byte_offset = f->ds.layout.row_bytes;
    c->mask = mask;
    f->ds.layout.row_bytes += n_bytes;
    fcs_param *par = &f->params[p];
    par->name = "P";
    par->label = "";
    par->bits = n_bytes * 8;
    par->stored_bits = n_bytes * 8;
    par->datatype = type;
    par->range = NAN;
    par->mask = mask;
    par->log_decades = 0;
    par->log_offset = 0;
    par->gain = 1;
    par->is_time = false;
}

/* Set the event count from the data length and row width. */
static inline void fake_finish(fake_ds *f)
{
    if (f->ds.layout.row_bytes > 0) {
        f->ds.layout.n_events = f->ds.layout.data_len / f->ds.layout.row_bytes;
    }
}

static inline void fake_free(fake_ds *f)
{
    free(f->buf);
    f->buf = NULL;
}

#endif /* APOFLOW_TESTS_FCS_TEST_DECODE_FAKE_H */
