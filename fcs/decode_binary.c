/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * decode_binary.c: decodes $DATATYPE I/F/D rows into column-major floats or doubles.
 *
 * Events are processed in blocks whose rows fit in the L1/L2 cache; within a block each
 * column is decoded by a small kernel chosen once per column (by type, width and byte
 * order) that reads the column's bytes with memcpy at a fixed row stride and writes the
 * output column sequentially; four adjacent little-endian float32 columns read as doubles are
 * decoded together (f32le_d4; which four is decided with the plan, once per call). Bytes
 * are never reinterpreted through casted pointers.
 * Integer values are assembled, masked and converted through double, so a float result is
 * always the float rounding of the double result.
 */
#include "fcs/decode_internal.h"

#include <stdlib.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) &&                          \
    __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_BIG_ENDIAN 1
#else
#define HOST_BIG_ENDIAN 0
#endif

/* Bytes of rows processed per block (the rows are read once per column). */
#define BLOCK_BYTES 32768u
#define BLOCK_MIN_EVENTS 16u
#define BLOCK_MAX_EVENTS 2048u

/* What a kernel needs to know about its column. */
typedef struct kernel_arg {
    uint64_t mask;
    unsigned n_bytes;
    unsigned shift[8]; /* generic kernels: bit shift of the k-th stored byte */
} kernel_arg;

static inline uint16_t ld16(const uint8_t *p, bool swap)
{
    uint16_t v;
    memcpy(&v, p, sizeof(v));
    return swap ? __builtin_bswap16(v) : v;
}

static inline uint32_t ld32(const uint8_t *p, bool swap)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return swap ? __builtin_bswap32(v) : v;
}

static inline uint64_t ld64(const uint8_t *p, bool swap)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return swap ? __builtin_bswap64(v) : v;
}

static inline float bits_to_f32(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof(f));
    return f;
}

static inline double bits_to_f64(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof(d));
    return d;
}

static inline uint64_t ld_generic(const uint8_t *p, const kernel_arg *a)
{
    uint64_t v = 0;
    for (unsigned k = 0; k < a->n_bytes; k++) {
        v |= (uint64_t)p[k] << a->shift[k];
    }
    return v;
}

/* Swap needed for stored little-endian (LE) or big-endian (BE) values on this host. */
#define SWAP_LE (HOST_BIG_ENDIAN != 0)
#define SWAP_BE (HOST_BIG_ENDIAN == 0)

/*
 * One kernel per (load expression) and output type. EXPR reads the value at s (using the
 * kernel_arg a) and yields a float (F data) or a double (I and D data).
 */
#define KERNEL(name, EXPR)                                                                 \
    static void name##_d(const uint8_t *restrict s, size_t stride, size_t n,               \
                         const kernel_arg *a, double *restrict d)                           \
    {                                                                                       \
        (void)a;                                                                            \
        for (size_t i = 0; i < n; i++, s += stride) {                                       \
            d[i] = (double)(EXPR);                                                          \
        }                                                                                   \
    }                                                                                       \
    static void name##_f(const uint8_t *restrict s, size_t stride, size_t n,               \
                         const kernel_arg *a, float *restrict d)                            \
    {                                                                                       \
        (void)a;                                                                            \
        for (size_t i = 0; i < n; i++, s += stride) {                                       \
            d[i] = (float)(EXPR);                                                           \
        }                                                                                   \
    }

KERNEL(f32le, bits_to_f32(ld32(s, SWAP_LE)))
KERNEL(f32be, bits_to_f32(ld32(s, SWAP_BE)))
KERNEL(f32gen, bits_to_f32((uint32_t)ld_generic(s, a)))
KERNEL(f64le, bits_to_f64(ld64(s, SWAP_LE)))
KERNEL(f64be, bits_to_f64(ld64(s, SWAP_BE)))
KERNEL(f64gen, bits_to_f64(ld_generic(s, a)))
KERNEL(u8, (double)(s[0] & a->mask))
KERNEL(u16le, (double)(ld16(s, SWAP_LE) & a->mask))
KERNEL(u16be, (double)(ld16(s, SWAP_BE) & a->mask))
KERNEL(u32le, (double)(ld32(s, SWAP_LE) & a->mask))
KERNEL(u32be, (double)(ld32(s, SWAP_BE) & a->mask))
KERNEL(u64le, (double)(ld64(s, SWAP_LE) & a->mask))
KERNEL(u64be, (double)(ld64(s, SWAP_BE) & a->mask))
KERNEL(ugen, (double)(ld_generic(s, a) & a->mask))

/*
 * Four adjacent little-endian float32 columns into doubles at once (x86-64, little-endian
 * host: SSE2 is part of the base instruction set). Four rows are loaded as four vectors of the
 * four columns, transposed in registers and widened, so each row's bytes are read once
 * instead of once per column. The conversion is the processor's float-to-double one, as in
 * f32le_d (exact; a signalling NaN is quieted the same way), so the same bits.
 */
#if defined(__SSE2__) && !HOST_BIG_ENDIAN
#include <emmintrin.h>
#define HAVE_F32LE_D4 1

static void f32le_d4(const uint8_t *restrict s, size_t stride, size_t n, double *const d[4])
{
    double *restrict d0 = d[0], *restrict d1 = d[1], *restrict d2 = d[2], *restrict d3 = d[3];
    size_t i = 0;
    for (; i + 4 <= n; i += 4, s += 4 * stride) {
        __m128 r0, r1, r2, r3; /* memcpy: unaligned loads, no casted pointers */
        memcpy(&r0, s, sizeof r0);
        memcpy(&r1, s + stride, sizeof r1);
        memcpy(&r2, s + 2 * stride, sizeof r2);
        memcpy(&r3, s + 3 * stride, sizeof r3);
        _MM_TRANSPOSE4_PS(r0, r1, r2, r3); /* r_k: column k of the four rows */
        _mm_storeu_pd(d0 + i, _mm_cvtps_pd(r0));
        _mm_storeu_pd(d0 + i + 2, _mm_cvtps_pd(_mm_movehl_ps(r0, r0)));
        _mm_storeu_pd(d1 + i, _mm_cvtps_pd(r1));
        _mm_storeu_pd(d1 + i + 2, _mm_cvtps_pd(_mm_movehl_ps(r1, r1)));
        _mm_storeu_pd(d2 + i, _mm_cvtps_pd(r2));
        _mm_storeu_pd(d2 + i + 2, _mm_cvtps_pd(_mm_movehl_ps(r2, r2)));
        _mm_storeu_pd(d3 + i, _mm_cvtps_pd(r3));
        _mm_storeu_pd(d3 + i + 2, _mm_cvtps_pd(_mm_movehl_ps(r3, r3)));
    }
    for (; i < n; i++, s += stride) {
        d0[i] = (double)bits_to_f32(ld32(s, SWAP_LE));
        d1[i] = (double)bits_to_f32(ld32(s + 4, SWAP_LE));
        d2[i] = (double)bits_to_f32(ld32(s + 8, SWAP_LE));
        d3[i] = (double)bits_to_f32(ld32(s + 12, SWAP_LE));
    }
}
#else
#define HAVE_F32LE_D4 0
#endif

typedef void (*kernel_d)(const uint8_t *restrict, size_t, size_t, const kernel_arg *,
                         double *restrict);
typedef void (*kernel_f)(const uint8_t *restrict, size_t, size_t, const kernel_arg *,
                         float *restrict);

typedef struct column_plan {
    kernel_d kd;
    kernel_f kf;
    kernel_arg arg;
    size_t byte_offset;
    bool quad; /* this column and the next three are decoded together (f32le_d4; plan_quads) */
} column_plan;

#define PICK(p, name)                                                                      \
    do {                                                                                    \
        (p)->kd = name##_d;                                                                 \
        (p)->kf = name##_f;                                                                 \
    } while (0)

static void plan_column(const fcs_column *c, fcs_byteorder order, column_plan *p)
{
    memset(p, 0, sizeof(*p));
    p->byte_offset = c->byte_offset;
    p->arg.mask = c->mask;
    p->arg.n_bytes = c->n_bytes;
    for (unsigned k = 0; k < c->n_bytes && k < 8; k++) {
        unsigned sig = k;
        if (order == FCS_BYTEORDER_BIG) {
            sig = c->n_bytes - 1 - k;
        } else if (order == FCS_BYTEORDER_PERMUTED) {
            sig = c->perm[k];
        }
        p->arg.shift[k] = 8u * sig;
    }
    bool generic = order == FCS_BYTEORDER_PERMUTED;
    bool big = order == FCS_BYTEORDER_BIG;
    switch (c->datatype) {
    case FCS_DATATYPE_FLOAT:
        if (generic) {
            PICK(p, f32gen);
        } else if (big) {
            PICK(p, f32be);
        } else {
            PICK(p, f32le);
        }
        return;
    case FCS_DATATYPE_DOUBLE:
        if (generic) {
            PICK(p, f64gen);
        } else if (big) {
            PICK(p, f64be);
        } else {
            PICK(p, f64le);
        }
        return;
    case FCS_DATATYPE_INT:
    case FCS_DATATYPE_ASCII:
    default:
        break;
    }
    if (c->n_bytes == 1) {
        PICK(p, u8);
    } else if (generic || (c->n_bytes != 2 && c->n_bytes != 4 && c->n_bytes != 8)) {
        PICK(p, ugen);
    } else if (c->n_bytes == 2) {
        if (big) {
            PICK(p, u16be);
        } else {
            PICK(p, u16le);
        }
    } else if (c->n_bytes == 4) {
        if (big) {
            PICK(p, u32be);
        } else {
            PICK(p, u32le);
        }
    } else if (big) {
        PICK(p, u64be);
    } else {
        PICK(p, u64le);
    }
}

/* Whether columns p .. p + 3 are all read, untransformed, little-endian float32 and adjacent
 * in the row (for f32le_d4). */
static bool f32le_quad(const fcs_decode_job *job, const column_plan *plans, size_t p)
{
    if (p + 4 > job->ds->layout.n_params) {
        return false;
    }
    for (size_t k = 0; k < 4; k++) {
        if ((job->columns != NULL && !job->columns[p + k]) || plans[p + k].kd != f32le_d ||
            job->transforms[p + k].kind != FCS_TRANSFORM_NONE ||
            plans[p + k].byte_offset != plans[p].byte_offset + 4 * k) {
            return false;
        }
    }
    return true;
}

/* Mark where f32le_d4 takes four columns at once, for the whole job: walking the columns as
 * decode_block does (past a run of four once taken; f32le_quad refuses a column not read), each column
 * that starts a run of four (f32le_quad) into a double target. */
static void plan_quads(const fcs_decode_job *job, column_plan *plans)
{
    if (!HAVE_F32LE_D4 || job->target.f64 == NULL) {
        return;
    }
    const size_t n_params = job->ds->layout.n_params;
    for (size_t p = 0; p < n_params; p++) {
        if (f32le_quad(job, plans, p)) {
            plans[p].quad = true;
            p += 3;
        }
    }
}

size_t fcs_decode_binary_quads(const fcs_decode_job *job)
{
    const size_t n_params = job->ds->layout.n_params;
    column_plan *plans = malloc((n_params ? n_params : 1) * sizeof(*plans));
    if (plans == NULL) {
        return 0;
    }
    for (size_t p = 0; p < n_params; p++) {
        plan_column(&job->ds->layout.columns[p], job->ds->layout.byteorder, &plans[p]);
    }
    plan_quads(job, plans);
    size_t runs = 0;
    for (size_t p = 0; p < n_params; p++) {
        runs += plans[p].quad;
    }
    free(plans);
    return runs;
}

/* Decode one block of n events starting at row pointer rows into output index e0. */
static void decode_block(const fcs_decode_job *job, const column_plan *plans, const uint8_t *rows,
                         size_t row_bytes, size_t n, size_t e0, double *scratch)
{
    const fcs_decode_target *t = &job->target;
    size_t n_params = job->ds->layout.n_params;
    for (size_t p = 0; p < n_params; p++) {
        if (job->columns != NULL && !job->columns[p]) {
            continue; /* a column the caller does not read: left as it was */
        }
        if (plans[p].quad) {
#if HAVE_F32LE_D4
            double *const d[4] = {t->f64 + p * t->ld + e0, t->f64 + (p + 1) * t->ld + e0,
                                  t->f64 + (p + 2) * t->ld + e0, t->f64 + (p + 3) * t->ld + e0};
            f32le_d4(rows + plans[p].byte_offset, row_bytes, n, d);
#endif
            p += 3;
            continue;
        }
        const column_plan *cp = &plans[p];
        const fcs_transform *tr = &job->transforms[p];
        const uint8_t *src = rows + cp->byte_offset;
        if (t->f64 != NULL) {
            double *dst = t->f64 + p * t->ld + e0;
            cp->kd(src, row_bytes, n, &cp->arg, dst);
            if (tr->kind != FCS_TRANSFORM_NONE) {
                for (size_t i = 0; i < n; i++) {
                    dst[i] = fcs_transform_apply(tr, dst[i]);
                }
            }
        } else if (tr->kind == FCS_TRANSFORM_NONE) {
            cp->kf(src, row_bytes, n, &cp->arg, t->f32 + p * t->ld + e0);
        } else {
            /* Transform in double precision, then round once to float. */
            float *dst = t->f32 + p * t->ld + e0;
            cp->kd(src, row_bytes, n, &cp->arg, scratch);
            for (size_t i = 0; i < n; i++) {
                dst[i] = (float)fcs_transform_apply(tr, scratch[i]);
            }
        }
    }
}

apo_status fcs_decode_binary(const fcs_decode_job *job, apo_error *err)
{
    const fcs_layout *lay = &job->ds->layout;
    size_t row_bytes = lay->row_bytes;
    size_t block = row_bytes > 0 ? BLOCK_BYTES / row_bytes : BLOCK_MAX_EVENTS;
    if (block < BLOCK_MIN_EVENTS) {
        block = BLOCK_MIN_EVENTS;
    } else if (block > BLOCK_MAX_EVENTS) {
        block = BLOCK_MAX_EVENTS;
    }
    column_plan *plans = malloc(lay->n_params * sizeof(*plans));
    double *scratch = malloc(BLOCK_MAX_EVENTS * sizeof(*scratch));
    if (plans == NULL || scratch == NULL) {
        free(plans);
        free(scratch);
        return apo_error_set(err, APO_E_NOMEM, job->ds->file->name, APO_NO_OFFSET, NULL,
                             "out of memory");
    }
    for (size_t p = 0; p < lay->n_params; p++) {
        plan_column(&lay->columns[p], lay->byteorder, &plans[p]);
    }
    plan_quads(job, plans);
    /* With a step, rows are fetched from one kept event through the last kept one the
     * staging buffer holds, and the kernels stride over step rows at a time. */
    const uint64_t step = job->step > 1 ? job->step : 1;
    fcs_rows rows;
    apo_status st = fcs_rows_init(&rows, job->ds, err);
    for (uint64_t e = job->lo; st == APO_OK && e < job->hi;) {
        const uint8_t *data = NULL;
        uint64_t got = 0;
        st = fcs_rows_fetch(&rows, e, (job->hi - 1 - e) / step * step + 1, &data, &got, err);
        const uint64_t kept = (got + step - 1) / step;
        for (uint64_t k = 0; st == APO_OK && k < kept; k += block) {
            size_t n = (size_t)((kept - k) < block ? (kept - k) : block);
            decode_block(job, plans, data + (size_t)(k * step) * row_bytes, row_bytes * step, n,
                         (size_t)((e - job->first) / step + k), scratch);
        }
        e += kept * step;
    }
    fcs_rows_free(&rows);
    free(plans);
    free(scratch);
    return st;
}
