/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cache.c: tables shared by the plots of a run (render_cache, render.h): the axis knots of
 * scatter.c (the inverse transform at 8,193 evenly spaced display values), which depend on
 * the axis alone, so plots on the same scale (every sample's quadrant plot, every cell of
 * the overview) use one table instead of each computing its own. A table is found by the
 * exact bits of the axis (transform and range), so it is the one the plot would compute.
 * Tables are added under a mutex and kept until the cache is freed; at most RCACHE_TABLES.
 * Also the fonts of finished figures (at most RCACHE_FONTS), each handed to one figure at a
 * time, so that a run opens DejaVu Sans and renders each glyph a few times instead of once
 * per figure (a font draws the same pixels whatever it drew before: font.c).
 */
#include "render/render_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct rcache_entry {
    raxis axis;     /* its transform and range (the key) */
    double *knots;  /* what the builder made (scatter.c: TABLE_STEPS + 1 values) */
} rcache_entry;

#define RCACHE_FONTS 8

struct render_cache {
    pthread_mutex_t lock;
    size_t n;
    rcache_entry e[RCACHE_TABLES];
    size_t n_fonts;
    rfont *fonts[RCACHE_FONTS]; /* fonts not in use, with the glyphs they cached */
};

render_cache *render_cache_new(void)
{
    render_cache *c = calloc(1, sizeof *c);
    if (c != NULL && pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        c = NULL;
    }
    return c;
}

void render_cache_free(render_cache *c)
{
    if (c == NULL) {
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        free(c->e[i].knots);
    }
    for (size_t i = 0; i < c->n_fonts; i++) {
        rfont_free(c->fonts[i]);
    }
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* The same transform (gate_transform_same) and range, bit for bit (padding is not
 * compared). */
static bool same_axis(const raxis *a, const raxis *b)
{
    return gate_transform_same(&a->t, &b->t) && memcmp(&a->lo, &b->lo, sizeof a->lo) == 0 &&
           memcmp(&a->hi, &b->hi, sizeof a->hi) == 0;
}

static const double *find(const render_cache *c, const raxis *a)
{
    for (size_t i = 0; i < c->n; i++) {
        if (same_axis(&c->e[i].axis, a)) {
            return c->e[i].knots;
        }
    }
    return NULL;
}

const double *rcache_knots(render_cache *c, const raxis *a, double *(*build)(const raxis *a),
                           double **own)
{
    *own = NULL;
    bool full = true;
    if (c != NULL) {
        pthread_mutex_lock(&c->lock);
        const double *k = find(c, a);
        full = c->n == RCACHE_TABLES;
        pthread_mutex_unlock(&c->lock);
        if (k != NULL) {
            return k;
        }
    }
    double *made = build(a); /* outside the lock: other axes' plots go on */
    if (made == NULL || full) {
        *own = made; /* no cache, or a full one: the caller's own table (or none) */
        return made;
    }
    pthread_mutex_lock(&c->lock);
    const double *k = find(c, a); /* another thread may have added it meanwhile: the same values */
    if (k == NULL && c->n < RCACHE_TABLES) {
        c->e[c->n] = (rcache_entry){*a, made};
        c->n++;
        k = made;
        made = NULL;
    } else if (k == NULL) {
        k = made; /* filled meanwhile: the caller's own */
        *own = made;
        made = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    free(made);
    return k;
}

apo_status rcache_font_take(render_cache *c, rfont **out, apo_error *err)
{
    *out = NULL;
    if (c != NULL) {
        pthread_mutex_lock(&c->lock);
        if (c->n_fonts > 0) {
            *out = c->fonts[--c->n_fonts];
        }
        pthread_mutex_unlock(&c->lock);
        if (*out != NULL) {
            return APO_OK;
        }
    }
    return rfont_open(out, err);
}

void rcache_font_give(render_cache *c, rfont *f)
{
    if (f == NULL) {
        return;
    }
    if (c != NULL) {
        pthread_mutex_lock(&c->lock);
        const bool kept = c->n_fonts < RCACHE_FONTS;
        if (kept) {
            c->fonts[c->n_fonts++] = f;
        }
        pthread_mutex_unlock(&c->lock);
        if (kept) {
            return;
        }
    }
    rfont_free(f);
}
