/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * util.c: small public helpers of the render module: struct initialisers, the deterministic
 * display subsample (selection sampling, Knuth's Algorithm S, driven by splitmix64 so the
 * same seed gives the same events on every platform), count formatting and axis titles.
 */
#include "render/render_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void render_axis_init(render_axis *axis, const gate_transform *t, const char *title)
{
    memset(axis, 0, sizeof *axis);
    if (t) {
        axis->transform = *t;
    } else {
        gate_transform_init_linear(&axis->transform);
    }
    axis->min = NAN;
    axis->max = NAN;
    axis->title = title;
}

void render_plot_init(render_plot *p)
{
    memset(p, 0, sizeof *p);
    p->kind = RENDER_PSEUDOCOLOR;
    render_axis_init(&p->xaxis, NULL, NULL);
    render_axis_init(&p->yaxis, NULL, NULL);
}

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

size_t render_subsample(size_t n, size_t max, uint64_t seed, size_t *idx)
{
    if (max == 0 || max >= n) {
        for (size_t i = 0; i < n; i++) idx[i] = i;
        return n;
    }
    /* choose event i with probability (still needed) / (still left): the test
     * r (n - i) < rem, rem = max - chosen an integer, is floor(r (n - i)) < rem (the same
     * choices), made on integers so the only chain from one event to the next is the
     * integer rem (a compare and a subtract; the double conversion and compare of rem were
     * most of the time). Without a branch (a coin flip the processor cannot predict):
     * idx[max - rem] is overwritten until an event is chosen, and there is room for it while
     * rem > 0. r (n - i) < n < 2^63 (an index array of n entries exists) fits an int64. */
    uint64_t s = seed;
    size_t rem = max;
    for (size_t i = 0; i < n && rem > 0; i++) {
        const double r = (double)(splitmix64(&s) >> 11) * 0x1.0p-53;
        const size_t fl = (size_t)(int64_t)(r * (double)(n - i));
        idx[max - rem] = i;
        rem -= fl < rem;
    }
    return max - rem;
}

size_t render_format_count(char *buf, size_t cap, uint64_t n)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%llu", (unsigned long long)n);
    size_t out = 0;
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0) {
            if (out + 1 < cap) buf[out] = ',';
            out++;
        }
        if (out + 1 < cap) buf[out] = digits[i];
        out++;
    }
    if (cap > 0) buf[out < cap ? out : cap - 1] = '\0';
    return out;
}

size_t render_axis_title(char *buf, size_t cap, const char *pnn, const char *pns)
{
    int n;
    /* a $PnS that only repeats the channel name (also under a "Comp-" prefix) adds nothing */
    const char *bare = pnn && strncasecmp(pnn, "Comp-", 5) == 0 ? pnn + 5 : pnn;
    if (pns && pns[0] && (!pnn || (strcasecmp(pns, pnn) != 0 && strcasecmp(pns, bare) != 0))) {
        n = snprintf(buf, cap, "%s (%s)", pns, pnn ? pnn : "");
    } else {
        n = snprintf(buf, cap, "%s", pnn ? pnn : "");
    }
    return n < 0 ? 0 : (size_t)n;
}
