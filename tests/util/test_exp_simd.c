// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * test_exp_simd.c: the vector exp of util/exp_simd.c against the C library's exp, bit for
 * bit: 10^7 pseudo-random arguments in (-40, 0] (the debris model's E-step's range), every
 * table boundary's neighbourhood down to -40, tiny and edge values, a wider range, arrays of
 * every length and in place. On a processor or C library where the vector path is not taken
 * the library path is checked the same way and the test says that it skipped the vector part.
 */
#include "util/exp_simd.h"

#include <criterion/criterion.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

TestSuite(apo_exp_simd);

/* Index of the first y[i] whose bits differ from exp(x[i]), or n. */
static size_t first_diff(const double *x, const double *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const double want = exp(x[i]);
        if (memcmp(&want, &y[i], sizeof want) != 0) {
            return i;
        }
    }
    return n;
}

static void assert_same(apo_exp_path path, const double *x, size_t n, const char *what)
{
    double *y = malloc(n * sizeof *y);
    cr_assert_not_null(y);
    apo_exp_array(path, x, y, n);
    const size_t d = first_diff(x, y, n);
    cr_assert_eq(d, n, "%s: exp(%a) = %a, the library gives %a", what, d < n ? x[d] : 0.0,
                 d < n ? y[d] : 0.0, d < n ? exp(x[d]) : 0.0);
    free(y);
}

/* The path chosen, saying so when it is the library's. */
static apo_exp_path chosen(void)
{
    const apo_exp_path p = apo_exp_choose();
    if (p == APO_EXP_LIBM) {
        cr_log_info("vector exp not taken here (processor without AVX2+FMA, or the self-check "
                    "found another exp): only the library path is checked");
    }
    return p;
}

/* The vector path is taken where the processor has AVX2 and FMA. With APOFLOW_EXP_EXPECT_LIBM
 * set (ctest runs this test once more with GLIBC_TUNABLES hiding AVX2 and FMA from glibc, so
 * libm takes its build without fused multiply-adds while the processor still has them) the
 * self-check must see the difference and choose the library. */
Test(apo_exp_simd, chosen_where_the_processor_and_library_allow)
{
    const apo_exp_path cpu = apo_exp_cpu_path();
    const bool expect_libm = getenv("APOFLOW_EXP_EXPECT_LIBM") != NULL;
    cr_assert(apo_exp_selfcheck(APO_EXP_LIBM));
    if (cpu == APO_EXP_LIBM) {
        cr_log_info("processor without AVX2+FMA: vector path not checked");
        cr_assert_eq(apo_exp_choose(), APO_EXP_LIBM);
        return;
    }
    if (expect_libm) {
        /* glibc 2.36's FMA build gives ...47d here, its build without FMA ...47c; an older
         * glibc spells the tunable differently and keeps its FMA build: nothing to test */
        volatile double probe = -0x1.01e88537636edp+4; /* not folded by the compiler */
        if (exp(probe) == 0x1.acfe5f977d47dp-24) {
            cr_skip_test("libm kept its FMA build (the tunable had no effect here)");
        }
        cr_assert(!apo_exp_selfcheck(cpu), "libm's build without FMA not told apart");
        cr_assert_eq(apo_exp_choose(), APO_EXP_LIBM);
        return;
    }
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 28))
    /* glibc 2.28 and later compute exp as the vector path does: it must be taken */
    cr_assert(apo_exp_selfcheck(cpu), "self-check failed: this glibc's exp differs");
    cr_assert_eq(apo_exp_choose(), cpu);
#else
    /* another C library: the vector path only where its self-check passes */
    const bool same = apo_exp_selfcheck(cpu);
    cr_log_info("this C library's exp %s glibc's", same ? "gives the bits of" : "is not");
    cr_assert_eq(apo_exp_choose(), same ? cpu : APO_EXP_LIBM);
#endif
}

Test(apo_exp_simd, ten_million_random_in_the_estep_range, .timeout = 120)
{
    const apo_exp_path p = chosen();
    const size_t n = 1u << 20;
    double *x = malloc(n * sizeof *x);
    cr_assert_not_null(x);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 17);
    for (int round = 0; round < 10; round++) { /* 10 x 2^20 > 10^7 */
        for (size_t i = 0; i < n; i++) {
            /* uniform in (-40, 0], every fourth one log-uniform in magnitude (small ones) */
            x[i] = i % 4 ? -40.0 * gsl_rng_uniform(rng) : -exp2(-60.0 * gsl_rng_uniform(rng));
        }
        assert_same(p, x, n, "random");
    }
    gsl_rng_free(rng);
    free(x);
}

Test(apo_exp_simd, every_table_boundary_down_to_minus_40)
{
    /* k changes where x N / ln 2 is a half-integer: each such x (as computed) and its 8
     * neighbours on either side, and the table's entries themselves (x = -k ln2 / N) */
    const apo_exp_path p = chosen();
    const size_t nk = 7400, per = 34;
    double *x = malloc(nk * per * sizeof *x);
    cr_assert_not_null(x);
    size_t m = 0;
    for (size_t k = 0; k < nk; k++) {
        const double b[2] = {-((double)k + 0.5) * 0x1.62e42fefa39efp-8,
                             -(double)k * 0x1.62e42fefa39efp-8};
        for (int w = 0; w < 2; w++) {
            double lo = b[w], hi = b[w];
            x[m++] = b[w];
            for (int s = 0; s < 8; s++) {
                lo = nextafter(lo, -INFINITY);
                hi = nextafter(hi, INFINITY);
                x[m++] = lo;
                x[m++] = hi;
            }
        }
    }
    cr_assert_eq(m, nk * per);
    assert_same(p, x, m, "boundary");
    free(x);
}

Test(apo_exp_simd, edge_values_and_a_wider_range)
{
    const apo_exp_path p = chosen();
    double x[4096];
    size_t m = 0;
    const double edge[] = {0.0,       -0.0,       -40.0,    nextafter(-40.0, 0.0),
                           0x1p-54,   -0x1p-54,   nextafter(-0x1p-54, 0.0),
                           nextafter(-0x1p-54, -1.0), -0x1p-1074, -0x1p-1022, -1e-300,
                           -511.9999, -512.0,     511.9999, 512.0,   -708.4,  -745.1,
                           -746.0,    709.78,     710.0,    INFINITY, -INFINITY, NAN};
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        x[m++] = edge[i];
    }
    for (int e = -1074; e <= 9; e++) { /* every power of two, both signs */
        x[m++] = ldexp(1.0, e);
        x[m++] = -ldexp(1.0, e);
    }
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 5);
    while (m < sizeof x / sizeof x[0]) {
        x[m++] = -800.0 + 1600.0 * gsl_rng_uniform(rng);
    }
    gsl_rng_free(rng);
    assert_same(p, x, m, "edge/wide");
}

Test(apo_exp_simd, every_length_and_in_place)
{
    const apo_exp_path p = chosen();
    double x[37], y[37], z[37];
    for (size_t n = 0; n <= 37; n++) {
        for (size_t i = 0; i < n; i++) { /* a tiny one among them: a lane the library takes */
            x[i] = i == n / 2 ? -0x1p-60 : -0.37 * (double)(i + 1);
            z[i] = x[i];
        }
        apo_exp_array(p, x, y, n);
        cr_assert_eq(first_diff(x, y, n), n, "length %zu", n);
        apo_exp_array(p, z, z, n);
        cr_assert_eq(memcmp(y, z, n * sizeof *y), 0, "in place, length %zu", n);
    }
}
