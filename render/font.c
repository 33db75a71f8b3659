/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * font.c: text with FreeType and DejaVu Sans (regular and bold, found at run time, see
 * font_dir_find):
 * UTF-8 decoding, measuring, anti-aliased glyph blending, text rotated by 90 degrees for y-axis
 * titles (rendered into a coverage mask, then blitted transposed) and decade labels drawn as
 * a base plus a smaller raised exponent; glyph outlines as paths for vector output (PDF
 * charts, chart_pdf.c). Fractional sizes go through FT_Set_Char_Size at 72 dpi
 * so that 1 pt = 1 px. Each font keeps the advances and bitmaps FreeType gave it, so a
 * figure loads and renders each glyph it uses once.
 */
#include "render/render_internal.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The folder the build found DejaVu Sans in ("" when it found none); searched before the
 * usual places. */
#ifndef APOFLOW_FONT_DIR
#define APOFLOW_FONT_DIR ""
#endif

static const char *const font_names[2] = {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf"};

/* Where distributions put DejaVu Sans: Debian/Ubuntu, Fedora, Arch, then local installs. */
static const char *const font_dirs[] = {
    "/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu-sans-fonts",
    "/usr/share/fonts/dejavu",          "/usr/share/fonts/TTF",
    "/usr/local/share/fonts/dejavu",    "/usr/local/share/fonts/truetype/dejavu",
    "/usr/local/share/fonts",
};

/* Whether @p dir holds both font files; their paths go to paths[0..1]. */
static bool font_dir_has(const char *dir, char paths[2][1024])
{
    for (int i = 0; i < 2; i++) {
        int n = snprintf(paths[i], sizeof paths[i], "%s/%s", dir, font_names[i]);
        if (n < 0 || (size_t)n >= sizeof paths[i] || access(paths[i], R_OK) != 0) {
            return false;
        }
    }
    return true;
}

/*
 * The font files. $APOFLOW_FONT_DIR, when set, must hold both (a wrong setting is an error, not
 * silently passed over); otherwise the first folder that holds both: the one the build found,
 * then font_dirs. When none does, the error lists every folder tried.
 */
static apo_status font_dir_find(char paths[2][1024], apo_error *err)
{
    const char *env = getenv("APOFLOW_FONT_DIR");
    if (env != NULL && env[0] != '\0') {
        if (font_dir_has(env, paths)) {
            return APO_OK;
        }
        return apo_error_set(err, APO_E_IO, NULL, APO_NO_OFFSET, NULL,
                             "expected the fonts %s and %s in $APOFLOW_FONT_DIR (%s), found "
                             "them missing or unreadable",
                             font_names[0], font_names[1], env);
    }
    char tried[768] = "";
    size_t used = 0;
    size_t n_dirs = sizeof font_dirs / sizeof font_dirs[0];
    for (size_t k = 0; k <= n_dirs; k++) {
        const char *dir = k == 0 ? APOFLOW_FONT_DIR : font_dirs[k - 1];
        if (dir[0] == '\0' || (k > 0 && strcmp(dir, APOFLOW_FONT_DIR) == 0)) {
            continue; /* no folder from the build, or the build's folder again */
        }
        if (font_dir_has(dir, paths)) {
            return APO_OK;
        }
        int n = snprintf(tried + used, sizeof tried - used, "%s%s", used ? ", " : "", dir);
        if (n > 0) {
            used = (size_t)n < sizeof tried - used ? used + (size_t)n : sizeof tried - 1;
        }
    }
    return apo_error_set(err, APO_E_IO, NULL, APO_NO_OFFSET, NULL,
                         "expected the fonts %s and %s in one of %s, found them in none (install "
                         "fonts-dejavu-core, or set APOFLOW_FONT_DIR to the folder holding them)",
                         font_names[0], font_names[1], tried);
}

/* Two caches of what FreeType gave a font, each an open-addressing table of a fixed number of
 * slots (a power of two) with its keys in an array of their own: a key is looked for in the
 * KEY_PROBES slots from its hash on (wrapping round), and an entry goes into the first empty
 * one of them, or is dropped when there is none (then it is made again next time). Nothing
 * is removed until the font is freed. */
#define KEY_PROBES 8

/* What a cached entry is of: a glyph at a size in a face. */
typedef struct glyph_key {
    double px;  /* the size, px; 0 = an empty slot */
    FT_UInt gi; /* glyph index */
    int bold;   /* face */
} glyph_key;

/* Advances of glyphs measured (loaded without rendering), so that a figure measuring the same
 * glyphs again (tick labels, titles laid out twice) loads each once: FreeType gives the same
 * advance for the same face, size, glyph and load flags every time. */
#define ADV_SLOTS 1024 /* a power of two */

/* Glyphs rendered (their coverage bitmaps, copied row by row), so that a figure drawing the
 * same glyphs again (digits of tick labels) renders each once: FreeType renders the same
 * bitmap for the same face, size, glyph and load flags every time. */
#define GLYPH_SLOTS 512 /* a power of two */

typedef struct glyph_bits {
    int left, top;        /* bitmap_left, bitmap_top */
    unsigned rows, width; /* the bitmap, width bytes per row in buf */
    FT_Pos adv;           /* advance.x, 26.6 */
    unsigned char *buf;   /* malloc'd (NULL when rows * width is 0) */
} glyph_bits;

struct rfont {
    FT_Library lib;
    FT_Face face[2]; /* regular, bold */
    double size[2];  /* size currently set on each face, px */
    glyph_key adv_keys[ADV_SLOTS];
    FT_Pos adv[ADV_SLOTS]; /* advance.x, 26.6 */
    glyph_key glyph_keys[GLYPH_SLOTS];
    glyph_bits glyph[GLYPH_SLOTS];
};

static size_t key_hash(glyph_key key)
{
    uint64_t bits;
    memcpy(&bits, &key.px, sizeof bits);
    uint64_t h = (bits ^ (bits >> 29) ^ ((uint64_t)key.gi << 1) ^ (uint64_t)key.bold) *
                 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 40);
}

/* The slot of @p keys (@p slots of them) that holds @p key, else the first empty slot of its
 * probe sequence, else SIZE_MAX (every slot of the sequence holds another key). */
static size_t key_find(const glyph_key *keys, size_t slots, glyph_key key)
{
    const size_t at = key_hash(key);
    for (size_t k = 0; k < KEY_PROBES; k++) {
        const size_t i = (at + k) & (slots - 1);
        const glyph_key *e = &keys[i];
        if (e->px == 0 || (e->px == key.px && e->gi == key.gi && e->bold == key.bold)) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* The slot holding @p key, or SIZE_MAX when it is not cached. */
static size_t key_get(const glyph_key *keys, size_t slots, glyph_key key)
{
    const size_t i = key_find(keys, slots, key);
    return i != SIZE_MAX && keys[i].px != 0 ? i : SIZE_MAX;
}

/* An empty slot for @p key, or SIZE_MAX when its probe sequence is full (or it is cached). */
static size_t key_free_slot(const glyph_key *keys, size_t slots, glyph_key key)
{
    const size_t i = key_find(keys, slots, key);
    return i != SIZE_MAX && keys[i].px == 0 ? i : SIZE_MAX;
}

/* The cached advance of glyph @p key; false when not cached. */
static bool adv_get(const rfont *f, glyph_key key, FT_Pos *adv)
{
    const size_t i = key_get(f->adv_keys, ADV_SLOTS, key);
    if (i == SIZE_MAX) return false;
    *adv = f->adv[i];
    return true;
}

/* Remember an advance (dropped when its probe sequence is full). */
static void adv_put(rfont *f, glyph_key key, FT_Pos adv)
{
    const size_t i = key_free_slot(f->adv_keys, ADV_SLOTS, key);
    if (i == SIZE_MAX) return;
    f->adv_keys[i] = key;
    f->adv[i] = adv;
}

/* The cached rendering of glyph @p key, or NULL. */
static const glyph_bits *glyph_get(const rfont *f, glyph_key key)
{
    const size_t i = key_get(f->glyph_keys, GLYPH_SLOTS, key);
    return i == SIZE_MAX ? NULL : &f->glyph[i];
}

/* Remember the glyph just rendered into @p g (not when its probe sequence is full or memory
 * is short: it is then rendered again next time). */
static void glyph_put(rfont *f, glyph_key key, const FT_GlyphSlotRec *g)
{
    const size_t i = key_free_slot(f->glyph_keys, GLYPH_SLOTS, key);
    if (i == SIZE_MAX) return;
    const FT_Bitmap *bm = &g->bitmap;
    unsigned char *buf = NULL;
    if (bm->rows > 0 && bm->width > 0) {
        if (bm->width > 4096 || bm->rows > 4096) return; /* not a label's glyph */
        buf = malloc((size_t)bm->rows * bm->width);
        if (!buf) return;
        for (unsigned r = 0; r < bm->rows; r++) {
            memcpy(buf + (size_t)r * bm->width, bm->buffer + (ptrdiff_t)r * bm->pitch,
                   bm->width);
        }
    }
    f->glyph_keys[i] = key;
    f->glyph[i] = (glyph_bits){.left = g->bitmap_left, .top = g->bitmap_top,
                               .rows = bm->rows, .width = bm->width,
                               .adv = g->advance.x, .buf = buf};
}

apo_status rfont_open(rfont **out, apo_error *err)
{
    char files[2][1024];
    *out = NULL;
    apo_status st = font_dir_find(files, err);
    if (st != APO_OK) {
        return st;
    }
    rfont *f = calloc(1, sizeof *f);
    if (!f) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for the font, found none");
    }
    if (FT_Init_FreeType(&f->lib) != 0) {
        free(f);
        return apo_error_set(err, APO_E_IO, NULL, APO_NO_OFFSET, NULL,
                             "expected FreeType to start, found an error");
    }
    for (int i = 0; i < 2; i++) {
        if (FT_New_Face(f->lib, files[i], 0, &f->face[i]) != 0) {
            rfont_free(f);
            return apo_error_set(err, APO_E_IO, files[i], APO_NO_OFFSET, NULL,
                                 "expected a readable TrueType font, found none");
        }
    }
    *out = f;
    return APO_OK;
}

void rfont_free(rfont *f)
{
    if (!f) {
        return;
    }
    for (int i = 0; i < 2; i++) {
        if (f->face[i]) {
            FT_Done_Face(f->face[i]);
        }
    }
    FT_Done_FreeType(f->lib);
    for (size_t k = 0; k < GLYPH_SLOTS; k++) {
        free(f->glyph[k].buf);
    }
    free(f);
}

static FT_Face face_at(rfont *f, double px, bool bold)
{
    int i = bold ? 1 : 0;
    if (f->size[i] != px) {
        if (FT_Set_Char_Size(f->face[i], 0, (FT_F26Dot6)lround(px * 64), 72, 72) != 0) {
            return NULL;
        }
        f->size[i] = px;
    }
    return f->face[i];
}

/* Next code point of a UTF-8 string (invalid bytes become '?'); advances *s. */
static uint32_t utf8_next(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    uint32_t cp;
    int extra;
    if (p[0] < 0x80) {
        *s += 1;
        return p[0];
    } else if ((p[0] & 0xe0) == 0xc0) {
        cp = p[0] & 0x1fu;
        extra = 1;
    } else if ((p[0] & 0xf0) == 0xe0) {
        cp = p[0] & 0x0fu;
        extra = 2;
    } else if ((p[0] & 0xf8) == 0xf0) {
        cp = p[0] & 0x07u;
        extra = 3;
    } else {
        *s += 1;
        return '?';
    }
    for (int i = 1; i <= extra; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            *s += i;
            return '?';
        }
        cp = (cp << 6) | (p[i] & 0x3fu);
    }
    *s += extra + 1;
    return cp;
}

/* Where glyph coverage goes: a canvas or a mask. */
typedef struct glyph_sink {
    const rc_canvas *canvas;
    uint32_t color;
    uint8_t *mask; /* when non-NULL: coverage mask of mask_w x mask_h */
    int mask_w, mask_h;
} glyph_sink;

static void sink_put(const glyph_sink *s, int x, int y, unsigned cov)
{
    if (s->mask) {
        if (x >= 0 && y >= 0 && x < s->mask_w && y < s->mask_h) {
            unsigned v = s->mask[(size_t)y * (size_t)s->mask_w + (size_t)x] + cov;
            s->mask[(size_t)y * (size_t)s->mask_w + (size_t)x] = (uint8_t)(v > 255 ? 255 : v);
        }
    } else { /* cov > 0: draw_bitmap skips empty pixels */
        rc_blend(s->canvas, x, y, s->color, cov / 255.0);
    }
}

/* Lay out (and, when sink != NULL, draw) @p utf8; returns the advance width. */
/* The kerning between glyphs @p prev and @p gi in pixels (0 without kerning data). */
static double kerning(FT_Face face, FT_UInt prev, FT_UInt gi)
{
    FT_Vector k;
    if (prev && gi && FT_HAS_KERNING(face) &&
        FT_Get_Kerning(face, prev, gi, FT_KERNING_DEFAULT, &k) == 0) {
        return k.x / 64.0;
    }
    return 0.0;
}

/* A glyph's coverage bitmap (row r at buf + r * pitch) at pen position (x, y). */
static void draw_bitmap(const glyph_sink *sink, double x, double y, int left, int top,
                        unsigned rows, unsigned width, ptrdiff_t pitch, const unsigned char *buf)
{
    int ox = (int)lround(x) + left;
    int oy = (int)lround(y) - top;
    for (unsigned r = 0; r < rows; r++) {
        const unsigned char *row = buf + (ptrdiff_t)r * pitch;
        for (unsigned cidx = 0; cidx < width; cidx++) {
            if (row[cidx]) {
                sink_put(sink, ox + (int)cidx, oy + (int)r, row[cidx]);
            }
        }
    }
}

static double layout(rfont *f, const char *utf8, double x, double y, double px, bool bold,
                     const glyph_sink *sink)
{
    FT_Face face = face_at(f, px, bold);
    if (!face || !utf8) {
        return 0;
    }
    double pen = 0;
    FT_UInt prev = 0;
    const char *s = utf8;
    while (*s) {
        uint32_t cp = utf8_next(&s);
        FT_UInt gi = FT_Get_Char_Index(face, cp);
        pen += kerning(face, prev, gi);
        const glyph_key key = {px, gi, (int)bold};
        FT_Pos known = 0;
        if (!sink && px > 0 && adv_get(f, key, &known)) {
            pen += known / 64.0; /* measured before: the same advance */
            prev = gi;
            continue;
        }
        const glyph_bits *have = sink && px > 0 ? glyph_get(f, key) : NULL;
        if (have) { /* rendered before: the same bitmap and advance */
            draw_bitmap(sink, x + pen, y, have->left, have->top, have->rows, have->width,
                        (ptrdiff_t)have->width, have->buf);
            pen += have->adv / 64.0;
            prev = gi;
            continue;
        }
        int flags = FT_LOAD_TARGET_LIGHT | (sink ? FT_LOAD_RENDER : FT_LOAD_DEFAULT);
        if (FT_Load_Glyph(face, gi, flags) != 0) {
            prev = 0;
            continue;
        }
        FT_GlyphSlot g = face->glyph;
        if (!sink && px > 0) {
            adv_put(f, key, g->advance.x);
        }
        if (sink) {
            draw_bitmap(sink, x + pen, y, g->bitmap_left, g->bitmap_top, g->bitmap.rows,
                        g->bitmap.width, g->bitmap.pitch, g->bitmap.buffer);
            if (px > 0) glyph_put(f, key, g);
        }
        pen += g->advance.x / 64.0;
        prev = gi;
    }
    return pen;
}

/* FT_Outline_Decompose callbacks: points in 26.6 relative to the glyph origin, y up; sent on
 * as figure units (y down) with cubic curves only. */
typedef struct outline_ctx {
    rtext_path_fn fn;
    void *ctx;
    double ox, oy;  /* the glyph origin */
    double cx, cy;  /* the current point */
    bool open;
} outline_ctx;

static void outline_pt(const outline_ctx *o, const FT_Vector *v, double *x, double *y)
{
    *x = o->ox + v->x / 64.0;
    *y = o->oy - v->y / 64.0;
}

static int outline_move(const FT_Vector *to, void *user)
{
    outline_ctx *o = user;
    double p[2];
    if (o->open) {
        o->fn(o->ctx, 'Z', NULL);
    }
    outline_pt(o, to, &p[0], &p[1]);
    o->fn(o->ctx, 'M', p);
    o->cx = p[0];
    o->cy = p[1];
    o->open = true;
    return 0;
}

static int outline_line(const FT_Vector *to, void *user)
{
    outline_ctx *o = user;
    double p[2];
    outline_pt(o, to, &p[0], &p[1]);
    o->fn(o->ctx, 'L', p);
    o->cx = p[0];
    o->cy = p[1];
    return 0;
}

static int outline_conic(const FT_Vector *ctrl, const FT_Vector *to, void *user)
{
    outline_ctx *o = user;
    double qx, qy, ex, ey;
    outline_pt(o, ctrl, &qx, &qy);
    outline_pt(o, to, &ex, &ey);
    /* the quadratic as a cubic: controls 2/3 of the way to the quadratic's control */
    double p[6] = {o->cx + 2.0 / 3.0 * (qx - o->cx), o->cy + 2.0 / 3.0 * (qy - o->cy),
                   ex + 2.0 / 3.0 * (qx - ex),       ey + 2.0 / 3.0 * (qy - ey),
                   ex,                               ey};
    o->fn(o->ctx, 'C', p);
    o->cx = ex;
    o->cy = ey;
    return 0;
}

static int outline_cubic(const FT_Vector *c1, const FT_Vector *c2, const FT_Vector *to,
                         void *user)
{
    outline_ctx *o = user;
    double p[6];
    outline_pt(o, c1, &p[0], &p[1]);
    outline_pt(o, c2, &p[2], &p[3]);
    outline_pt(o, to, &p[4], &p[5]);
    o->fn(o->ctx, 'C', p);
    o->cx = p[4];
    o->cy = p[5];
    return 0;
}

void rtext_outline(rfont *f, const char *utf8, double x, double y, double px, bool bold,
                   rtext_path_fn fn, void *ctx)
{
    FT_Face face = face_at(f, px, bold);
    if (!face || !utf8) {
        return;
    }
    static const FT_Outline_Funcs funcs = {outline_move, outline_line, outline_conic,
                                           outline_cubic, 0, 0};
    double pen = 0;
    FT_UInt prev = 0;
    const char *s = utf8;
    while (*s) {
        uint32_t cp = utf8_next(&s);
        FT_UInt gi = FT_Get_Char_Index(face, cp);
        pen += kerning(face, prev, gi);
        /* the advance as measured (light hinting); the shape unhinted */
        if (FT_Load_Glyph(face, gi, FT_LOAD_TARGET_LIGHT) != 0) {
            prev = 0;
            continue;
        }
        double adv = face->glyph->advance.x / 64.0;
        if (FT_Load_Glyph(face, gi, FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP) == 0 &&
            face->glyph->format == FT_GLYPH_FORMAT_OUTLINE) {
            outline_ctx o = {fn, ctx, x + pen, y, 0, 0, false};
            FT_Outline_Decompose(&face->glyph->outline, &funcs, &o);
            if (o.open) {
                fn(ctx, 'Z', NULL);
            }
        }
        pen += adv;
        prev = gi;
    }
}

rtext_metrics rtext_measure(rfont *f, const char *utf8, double px, bool bold)
{
    rtext_metrics m = {0, 0, 0};
    FT_Face face = face_at(f, px, bold);
    if (!face) {
        return m;
    }
    m.width = layout(f, utf8, 0, 0, px, bold, NULL);
    m.ascent = face->size->metrics.ascender / 64.0;
    m.descent = -face->size->metrics.descender / 64.0;
    return m;
}

double rtext_draw(const rc_canvas *c, rfont *f, const char *utf8, double x, double y,
                  double px, bool bold, uint32_t color)
{
    glyph_sink s = {c, color, NULL, 0, 0};
    return layout(f, utf8, x, y, px, bold, &s);
}

apo_status rtext_draw_up(const rc_canvas *c, rfont *f, const char *utf8, double x, double y,
                         double px, bool bold, uint32_t color, apo_error *err)
{
    rtext_metrics m = rtext_measure(f, utf8, px, bold);
    int pad = 2;
    int base = (int)ceil(m.ascent) + pad;
    int w = (int)ceil(m.width) + 2 * pad, h = base + (int)ceil(m.descent) + pad;
    uint8_t *mask = calloc((size_t)w * (size_t)h, 1);
    if (!mask) {
        return apo_error_set(err, APO_E_NOMEM, NULL, APO_NO_OFFSET, NULL,
                             "expected memory for rotated text, found none");
    }
    glyph_sink s = {c, color, mask, w, h};
    layout(f, utf8, pad, base, px, bold, &s);
    /* mask (mx, my) relative to the baseline origin (pad, base) -> canvas
     * (x + (my - base), y - (mx - pad)): text reads upwards, glyph tops face left. */
    int ix = (int)lround(x), iy = (int)lround(y);
    for (int my = 0; my < h; my++) {
        for (int mx = 0; mx < w; mx++) {
            uint8_t v = mask[(size_t)my * (size_t)w + (size_t)mx];
            if (v) {
                rc_blend(c, ix + (my - base), iy - (mx - pad), color, v / 255.0);
            }
        }
    }
    free(mask);
    return APO_OK;
}

#define EXP_SCALE 0.72
#define EXP_RAISE 0.42

double rlabel_width(rfont *f, const rlabel *l, double px)
{
    double w = rtext_measure(f, l->base, px, false).width;
    if (l->exp[0]) {
        w += 0.5 + rtext_measure(f, l->exp, px * EXP_SCALE, false).width;
    }
    return w;
}

void rlabel_draw(const rc_canvas *c, rfont *f, const rlabel *l, double x, double y, double px,
                 uint32_t color)
{
    double w = rtext_draw(c, f, l->base, x, y, px, false, color);
    if (l->exp[0]) {
        rtext_draw(c, f, l->exp, x + w + 0.5, y - px * EXP_RAISE, px * EXP_SCALE, false, color);
    }
}
