/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_transform_array.c: the array form of the logicle transform gives the one-value
 * transform's values, bit for bit, over the whole data range: negatives, zero, the linear
 * region, decades, beyond the top; and the inverse takes them back.
 */
#include "gating/gate.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

static void check_against_scalar(double T, double W, double M, double A)
{
    gate_transform t;
    cr_assert_eq(gate_transform_init_logicle(&t, T, W, M, A, NULL), APO_OK);
    const size_t n = 200000;
    double *in = malloc(n * sizeof *in);
    double *out = malloc(n * sizeof *out);
    uint64_t s = 12345;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005u + 1442695040888963407u;
        double u = (double)(s >> 11) * 0x1.0p-53;
        /* log-uniform magnitudes from 1e-3 to 10 T, both signs, and some exact specials */
        double mag = pow(10.0, -3.0 + u * (log10(T) + 4.0));
        in[i] = (i % 7 == 0) ? -mag : mag;
    }
    in[0] = 0.0;
    in[1] = T;
    in[2] = -T;
    in[3] = NAN;
    in[4] = INFINITY;
    in[5] = 1e-300;
    gate_transform_apply_array(&t, in, out, n);
    for (size_t i = 0; i < n; i++) {
        double ref = gate_transform_apply(&t, in[i]);
        if (isnan(ref)) {
            cr_assert(isnan(out[i]), "value %zu (%g)", i, in[i]);
            continue;
        }
        if (isinf(ref)) {
            cr_assert_eq(out[i], ref, "value %zu (%g)", i, in[i]);
            continue;
        }
        cr_assert(out[i] == ref, "logicle(%g) array %.17g scalar %.17g", in[i], out[i], ref);
        /* and the inverse takes it back */
        if (in[i] == 0.0) {
            continue;
        }
        double back = gate_transform_inverse(&t, out[i]);
        cr_assert(fabs(back - in[i]) <= 1e-9 * fmax(1.0, fabs(in[i])), "round trip of %g: %g",
                  in[i], back);
    }
    free(in);
    free(out);
}

Test(gating_transform_array, logicle_array_equals_scalar_default_parameters)
{
    check_against_scalar(262144.0, 0.5, 4.5, 0.0);
}

Test(gating_transform_array, logicle_array_equals_scalar_wide_linear_region)
{
    check_against_scalar(262144.0, 1.5, 4.5, 0.5);
}

Test(gating_transform_array, logicle_array_equals_scalar_small_top)
{
    check_against_scalar(1024.0, 0.0, 3.0, 0.0);
}
