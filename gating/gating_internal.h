/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gating_internal.h: private declarations shared inside gating/ (and tests/gating/):
 * the logicle/hyperlog kernels behind gate_transform, the layout of gate_transform.coef,
 * and small numeric helpers (type-7 quantiles) used by statistics and compensation.
 * Other helpers of gating/ may add sections here; keep additions self-contained.
 */
#ifndef APOFLOW_GATING_GATING_INTERNAL_H
#define APOFLOW_GATING_GATING_INTERNAL_H

#include "gating/gate.h"

#include <stdbool.h>
#include <stddef.h>

/* ---- transforms (transform.c, logicle.c, hyperlog.c) ------------------------------------ */

/* ln(10) (M_LN10 is not in strict C17). */
#define GATE_LN10 2.302585092994045684017991454684364208

/*
 * Layout of gate_transform.coef for LOGICLE and HYPERLOG (both written as
 * B(y) = a e^{by} - c e^{-dy} + fcode, hyperlog: a e^{by} + c y + fcode):
 */
enum {
    GATE_BX_A = 0,    /* a */
    GATE_BX_B,        /* b = (M + A) ln 10 */
    GATE_BX_C,        /* c */
    GATE_BX_D,        /* d (logicle only) */
    GATE_BX_F,        /* fcode = -f of the Gating-ML spec sign convention */
    GATE_BX_W,        /* w = W / (M + A) */
    GATE_BX_X1,       /* x1 = (W + A) / (M + A): the scale value of data value 0 */
    GATE_BX_XTAYLOR,  /* below this scale value the Taylor series is used */
    GATE_BX_X0INV,    /* hyperlog: EH(x0), the end of the quasi-linear region */
    GATE_BX_TAYLOR,   /* 16 Taylor coefficients around x1 start here */
    GATE_BX_N_TAYLOR = 16
};
/* Logicle only, after the Taylor coefficients: the forward kernel's constants (logicle.c). */
enum {
    GATE_BX_SEED_P = GATE_BX_TAYLOR + GATE_BX_N_TAYLOR, /* b / B'(x1) */
    GATE_BX_SEED_Q,                                     /* (b / B'(x1)) (b / d) */
    GATE_BX_INV_B,                                      /* 1 / b */
    GATE_BX_VMAX /* the kernel serves 0 < |value| < VMAX; 0 when it cannot be used */
};

/* Root d in (0, b] of 2 (ln d - ln b) + w (b + d) = 0 (logicle.c; also FlowJo biex). */
double gate_logicle_solve_d(double b, double w);

/* Fill t->coef for a validated logicle parameter set. APO_E_NUMERIC if d cannot be solved. */
apo_status gate_logicle_setup(gate_transform *t, apo_error *err);
/* Data value -> logicle scale; NaN for NaN input or if the Halley iteration fails. */
double gate_logicle_scale(const gate_transform *t, double x);
/* gate_logicle_scale of @p n values, bit for bit (the same kernel, several values at once). */
void gate_logicle_scale_array(const gate_transform *t, const double *in, double *out, size_t n);
/* As gate_logicle_scale_array, on the widest path up to @p widest (0 the portable C loop,
 * 1 AVX2, 2 AVX-512) that the processor has: the tests compare them bit for bit. */
void gate_logicle_scale_array_path(const gate_transform *t, const double *in, double *out,
                                   size_t n, int widest);
/* Logicle scale -> data value. */
double gate_logicle_inverse(const gate_transform *t, double y);

/* Layout of gate_transform.coef for BIEX (transform_biex.c): the table's constants. */
enum {
    GATE_BIEX_MIN = 0,   /* top / e^pos_range */
    GATE_BIEX_POS,       /* positive range (decades ln 10) */
    GATE_BIEX_NEG,       /* negative range (the logicle constant d) */
    GATE_BIEX_SCALE_NEG, /* scale of the negative exponential */
    GATE_BIEX_OFFSET,    /* both exponentials at the zero channel */
    GATE_BIEX_ZERO,      /* zero channel (whole number) */
    GATE_BIEX_CHANNELS,  /* channels (table points - 1) */
    GATE_BIEX_N
};
/* Data value -> biex scale 0..1 / back, as gate_biex_lut_apply / _inverse. */
double gate_biex_scale(const gate_transform *t, double x);
double gate_biex_inverse(const gate_transform *t, double y);

/* The biexponential inverses are odd about x1: a scale value y below x1 is mirrored to
 * 2 x1 - y, whose data value is negated. Mirrors *y in place; true when it did. */
static inline bool gate_bx_mirror(const double *k, double *y)
{
    const bool below = *y < k[GATE_BX_X1];
    if (below) {
        *y = 2.0 * k[GATE_BX_X1] - *y;
    }
    return below;
}

/* Root of the monotone B(y) = value for y >= x1 by bisection, B given by @p inverse
 * (gate_logicle_inverse or gate_hyperlog_inverse): the kernels' fallback (transform.c). */
double gate_bx_bisect(const gate_transform *t, double value,
                      double (*inverse)(const gate_transform *t, double y));

apo_status gate_hyperlog_setup(gate_transform *t, apo_error *err);
double gate_hyperlog_scale(const gate_transform *t, double x);
double gate_hyperlog_inverse(const gate_transform *t, double y);

/* ---- small text tables (spill_csv.c) ------------------------------------------------------ */

typedef struct gate_text_token {
    const char *p; /* points into the line; blanks and one pair of "quotes" removed */
    size_t len;
} gate_text_token;

typedef struct gate_text_tokens {
    gate_text_token *v; /* owned: free(v) when done */
    size_t n;
    size_t cap;
} gate_text_tokens;

/* Next line of buf[0..len) from *pos (ends: \n, \r\n or a lone \r, as old Mac FlowJo files
 * use). false at the end. *pos advances past the line end. */
bool gate_text_next_line(const char *buf, size_t len, size_t *pos, const char **line,
                         size_t *line_len);

/* Split one line (no end of line) at @p sep (',' or '\t'; quotes protect separators), or at
 * runs of blanks when @p sep is ' ' ("quoted" tokens may hold blanks). false on ENOMEM. */
bool gate_text_split_line(const char *p, size_t len, char sep, gate_text_tokens *out);

/* ---- numeric helpers (stats_quantile.c) -------------------------------------------------- */

/* R type-7 quantile (h = (n-1)p, linear interpolation) of @p n ascending values; NaN if n == 0. */
double gate_quantile_sorted(const double *sorted, size_t n, double p);


#endif /* APOFLOW_GATING_GATING_INTERNAL_H */
