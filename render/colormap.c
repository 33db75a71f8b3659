/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * colormap.c: the density palettes (docs/plots.md, "Palettes") as 256-entry lookup tables built by
 * linear RGB interpolation between control points: a FlowJo-like jet (blue 0, cyan 0.35,
 * green 0.55, yellow 0.78, red 1), viridis (its 9 evenly spaced published values) and grey.
 */
#include "render/render_internal.h"

typedef struct stop {
    double t;
    uint32_t rgb;
} stop;

static const stop jet[] = {
    {0.00, 0x0000ff}, {0.35, 0x00ffff}, {0.55, 0x00ff00}, {0.78, 0xffff00}, {1.00, 0xff0000},
};
static const stop viridis[] = {
    {0.000, 0x440154}, {0.125, 0x472d7b}, {0.250, 0x3b528b}, {0.375, 0x2c728e}, {0.500, 0x21908c},
    {0.625, 0x27ad81}, {0.750, 0x5dc863}, {0.875, 0xaadc32}, {1.000, 0xfde725},
};
static const stop grey[] = {{0.0, 0xc0c0c0}, {1.0, 0x000000}};

static unsigned chan(uint32_t c, int shift)
{
    return (c >> shift) & 0xffu;
}

static void build(const stop *s, size_t n, uint32_t lut[256])
{
    for (unsigned i = 0; i < 256; i++) {
        double t = i / 255.0;
        size_t k = 0;
        while (k + 2 < n && t > s[k + 1].t) {
            k++;
        }
        double f = (t - s[k].t) / (s[k + 1].t - s[k].t);
        if (f < 0) f = 0;
        if (f > 1) f = 1;
        uint32_t out = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            double v = chan(s[k].rgb, shift) + f * ((double)chan(s[k + 1].rgb, shift) -
                                                    chan(s[k].rgb, shift));
            out |= (uint32_t)(v + 0.5) << shift;
        }
        lut[i] = out;
    }
}

void rcmap_build(render_colormap map, uint32_t lut[256])
{
    switch (map) {
    case RENDER_CMAP_VIRIDIS:
        build(viridis, sizeof viridis / sizeof viridis[0], lut);
        break;
    case RENDER_CMAP_GREY:
        build(grey, sizeof grey / sizeof grey[0], lut);
        break;
    case RENDER_CMAP_JET:
    default:
        build(jet, sizeof jet / sizeof jet[0], lut);
        break;
    }
}
