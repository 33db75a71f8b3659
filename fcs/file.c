/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * file.c: opening an FCS file (mapped read-only, never copied) or a caller's buffer, walking the
 * $NEXTDATA chain of data sets (docs/fcs-quirks.md), and the read-only accessors of fcs_file and
 * fcs_dataset. A broken chain after the first data set only warns: the data sets read so far stay
 * usable.
 */
#include "fcs/fcs_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dup_name(const char *s)
{
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n + 1);
    }
    return d;
}

static apo_status parse_all(fcs_file *f, const fcs_read_options *opts, apo_error *err)
{
    fcs_read_options defaults = FCS_READ_OPTIONS_INIT;
    if (opts == NULL) {
        opts = &defaults;
    }
    uint64_t base = 0;
    size_t cap = 0;
    for (;;) {
        if (f->n_datasets == cap) {
            size_t nc = cap ? cap * 2 : 2;
            fcs_dataset *d = realloc(f->datasets, nc * sizeof *d);
            if (d == NULL) {
                return apo_error_set(err, APO_E_NOMEM, f->name, base, NULL,
                                     "out of memory for data set %zu", f->n_datasets + 1);
            }
            f->datasets = d;
            cap = nc;
        }
        fcs_dataset *ds = &f->datasets[f->n_datasets];
        memset(ds, 0, sizeof *ds);
        ds->file = f;
        uint64_t next = 0;
        apo_error e2;
        apo_error_clear(&e2);
        apo_status st = fcs_dataset_parse(ds, base, opts, &next, f->n_datasets == 0 ? err : &e2);
        if (st != APO_OK) {
            fcs_dataset_clear(ds);
            if (f->n_datasets == 0) {
                return st;
            }
            fcs_warn(&f->warnings, NULL, base, NULL,
                     "data set %zu (at byte %llu, from $NEXTDATA) could not be read and is "
                     "skipped: %s",
                     f->n_datasets + 1, (unsigned long long)base, e2.msg);
            return APO_OK;
        }
        f->n_datasets++;
        if (next == 0) {
            return APO_OK;
        }
        if (next <= base) { /* cannot happen with unsigned offsets, kept as a guard */
            fcs_warn(&f->warnings, f->name, base, "$NEXTDATA",
                     "expected the next data set after byte %llu, found %llu; chain stopped",
                     (unsigned long long)base, (unsigned long long)next);
            return APO_OK;
        }
        base = next;
    }
}

static apo_status finish_open(fcs_file *f, fcs_file **out, const fcs_read_options *opts,
                              apo_error *err)
{
    apo_status st = parse_all(f, opts, err);
    if (st != APO_OK) {
        fcs_file_free(f);
        return st;
    }
    *out = f;
    return APO_OK;
}

apo_status fcs_file_open_buffer(fcs_file **out, const uint8_t *buf, size_t len,
                                const char *name, const fcs_read_options *opts, apo_error *err)
{
    if (out == NULL) {
        return apo_error_set(err, APO_E_USAGE, name, APO_NO_OFFSET, NULL,
                             "expected an output pointer, found NULL");
    }
    *out = NULL;
    if (buf == NULL && len > 0) {
        return apo_error_set(err, APO_E_USAGE, name, APO_NO_OFFSET, NULL,
                             "expected a buffer, found NULL");
    }
    fcs_file *f = calloc(1, sizeof *f);
    if (f == NULL || (f->name = dup_name(name ? name : "")) == NULL) {
        free(f);
        return apo_error_set(err, APO_E_NOMEM, name, APO_NO_OFFSET, NULL, "out of memory");
    }
    static const uint8_t empty[1] = {0};
    f->buf = buf ? buf : empty;
    f->len = len;
    return finish_open(f, out, opts, err);
}

apo_status fcs_file_open(fcs_file **out, const char *path, const fcs_read_options *opts,
                         apo_error *err)
{
    if (out == NULL || path == NULL) {
        return apo_error_set(err, APO_E_USAGE, path, APO_NO_OFFSET, NULL,
                             "expected a path and an output pointer, found NULL");
    }
    *out = NULL;
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        return apo_error_set(err, APO_E_IO, path, APO_NO_OFFSET, NULL,
                             "cannot open: %s", strerror(errno));
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        apo_status st = apo_error_set(err, APO_E_IO, path, APO_NO_OFFSET, NULL,
                                      "cannot stat: %s", strerror(errno));
        close(fd);
        return st;
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return apo_error_set(err, APO_E_IO, path, APO_NO_OFFSET, NULL,
                             "expected a regular file, found another kind of file");
    }
    uint64_t size = (uint64_t)sb.st_size;
    fcs_file *f = calloc(1, sizeof *f);
    if (f == NULL || (f->name = dup_name(path)) == NULL) {
        free(f);
        close(fd);
        return apo_error_set(err, APO_E_NOMEM, path, APO_NO_OFFSET, NULL, "out of memory");
    }
    static const uint8_t empty[1] = {0};
    f->buf = empty;
    f->len = 0;
    if (size > 0) {
        if (size > (uint64_t)SIZE_MAX) {
            close(fd);
            fcs_file_free(f);
            return apo_error_set(err, APO_E_RANGE, path, APO_NO_OFFSET, NULL,
                                 "file of %llu bytes is too large to map",
                                 (unsigned long long)size);
        }
        void *map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            apo_status st = apo_error_set(err, APO_E_IO, path, APO_NO_OFFSET, NULL,
                                          "cannot map %llu bytes: %s",
                                          (unsigned long long)size, strerror(errno));
            close(fd);
            fcs_file_free(f);
            return st;
        }
        f->map = map;
        f->map_len = (size_t)size;
        f->buf = map;
        f->len = size;
        f->from_path = true; /* DATA is read again with pread (rows.c) */
        f->dev = (uint64_t)sb.st_dev;
        f->ino = (uint64_t)sb.st_ino;
    }
    close(fd);
    return finish_open(f, out, opts, err);
}

void fcs_file_free(fcs_file *f)
{
    if (f == NULL) {
        return;
    }
    for (size_t i = 0; i < f->n_datasets; i++) {
        fcs_dataset_clear(&f->datasets[i]);
    }
    free(f->datasets);
    fcs_warning_list_free(&f->warnings);
    if (f->map != NULL) {
        munmap(f->map, f->map_len);
    }
    free(f->name);
    free(f);
}

const char *fcs_file_name(const fcs_file *f)
{
    return f ? f->name : "";
}

uint64_t fcs_file_size(const fcs_file *f)
{
    return f ? f->len : 0;
}

size_t fcs_file_n_datasets(const fcs_file *f)
{
    return f ? f->n_datasets : 0;
}

const fcs_dataset *fcs_file_dataset(const fcs_file *f, size_t index)
{
    return (f && index < f->n_datasets) ? &f->datasets[index] : NULL;
}

bool fcs_file_one_acquisition(const fcs_file *f, size_t *newest)
{
    if (f == NULL || f->n_datasets < 2 || f->datasets[0].layout.n_events == 0) {
        return false;
    }
    size_t best = 0, n_best = 1;
    for (size_t k = 1; k < f->n_datasets; k++) {
        const fcs_dataset *d = &f->datasets[k];
        if (d->layout.n_events != f->datasets[0].layout.n_events) {
            return false;
        }
        /* "FCSx.y": the same length, so their order is that of the versions */
        const int c = strcmp(d->version, f->datasets[best].version);
        best = c > 0 ? k : best;
        n_best = c > 0 ? 1 : n_best + (c == 0);
    }
    if (n_best != 1) {
        return false;
    }
    *newest = best;
    return true;
}

size_t fcs_file_default_dataset(const fcs_file *f)
{
    size_t newest = 0;
    return fcs_file_one_acquisition(f, &newest) ? newest : 0;
}

size_t fcs_file_n_warnings(const fcs_file *f)
{
    return f ? f->warnings.n : 0;
}

const fcs_warning *fcs_file_warning(const fcs_file *f, size_t i)
{
    return (f && i < f->warnings.n) ? &f->warnings.items[i] : NULL;
}

const char *fcs_dataset_version(const fcs_dataset *ds)
{
    return ds->version;
}

uint64_t fcs_dataset_offset(const fcs_dataset *ds)
{
    return ds->offset;
}

uint64_t fcs_dataset_n_events(const fcs_dataset *ds)
{
    return ds->layout.n_events;
}

size_t fcs_dataset_n_params(const fcs_dataset *ds)
{
    return ds->n_params;
}

const fcs_param *fcs_dataset_param(const fcs_dataset *ds, size_t i)
{
    return i < ds->n_params ? &ds->params[i] : NULL;
}

size_t fcs_dataset_find_param(const fcs_dataset *ds, const char *name)
{
    if (ds == NULL || name == NULL) {
        return SIZE_MAX;
    }
    for (size_t i = 0; i < ds->n_params; i++) {
        if (fcs_ascii_icmp(ds->params[i].name, name) == 0) {
            return i;
        }
    }
    for (size_t i = 0; i < ds->n_params; i++) {
        if (ds->params[i].label[0] != '\0' && fcs_ascii_icmp(ds->params[i].label, name) == 0) {
            return i;
        }
    }
    return SIZE_MAX;
}

fcs_datatype fcs_dataset_datatype(const fcs_dataset *ds)
{
    return ds->datatype;
}

const char *fcs_dataset_byteord(const fcs_dataset *ds)
{
    return ds->byteord;
}

bool fcs_dataset_has_data(const fcs_dataset *ds)
{
    return ds->has_data;
}

uint64_t fcs_dataset_data_begin(const fcs_dataset *ds)
{
    return ds->layout.data_begin;
}

uint64_t fcs_dataset_data_len(const fcs_dataset *ds)
{
    return ds->layout.data_len;
}

double fcs_dataset_timestep(const fcs_dataset *ds)
{
    return ds->timestep;
}

size_t fcs_dataset_time_param(const fcs_dataset *ds)
{
    for (size_t p = 0; p < ds->n_params; p++) {
        if (ds->params[p].is_time) {
            return p;
        }
    }
    return SIZE_MAX;
}

size_t fcs_dataset_n_keywords(const fcs_dataset *ds)
{
    return ds->n_keywords;
}

const fcs_keyword *fcs_dataset_keyword_at(const fcs_dataset *ds, size_t i)
{
    return i < ds->n_keywords ? &ds->keywords[i] : NULL;
}

const char *fcs_dataset_keyword(const fcs_dataset *ds, const char *name)
{
    const fcs_keyword *k = fcs_dataset_find_keyword(ds, name);
    return k ? k->value : NULL;
}

const fcs_spillover *fcs_dataset_spillover(const fcs_dataset *ds)
{
    return ds->spillover;
}

size_t fcs_dataset_n_warnings(const fcs_dataset *ds)
{
    return ds->warnings.n;
}

const fcs_warning *fcs_dataset_warning(const fcs_dataset *ds, size_t i)
{
    return i < ds->warnings.n ? &ds->warnings.items[i] : NULL;
}
