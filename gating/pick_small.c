/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pick_small.c: which populations get their medians over every one of their events when a
 * large file's medians otherwise come from the estimation subsample (gate.h memory policy):
 * the non-empty ones, smallest first, while their events fit a budget. Shared by the
 * population report (strategy_stream.c) and the apoptosis quadrants (apoptosis.c).
 */
#include "gating/gating_internal.h"

size_t gate_pick_small(const uint64_t *count, size_t n, uint64_t budget, size_t *chosen)
{
    /* indices by increasing count; ties keep their order (insertion sort: n is small) */
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        chosen[j] = i;
        while (j > 0 && count[chosen[j - 1]] > count[chosen[j]]) {
            size_t t = chosen[j - 1];
            chosen[j - 1] = chosen[j];
            chosen[j] = t;
            j--;
        }
    }
    size_t m = 0;
    uint64_t used = 0;
    for (size_t k = 0; k < n; k++) {
        const uint64_t c = count[chosen[k]];
        if (c == 0) {
            continue;
        }
        if (c > budget - used) {
            break;
        }
        used += c;
        chosen[m++] = chosen[k];
    }
    return m;
}
