/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * render.h: the public interface of the render module: a raster canvas with anti-aliased
 * lines and text, axes (linear, log, logicle, asinh), dot/pseudocolor/contour/histogram plots,
 * quadrant and gate overlays, panels, and deterministic PNG output. Depends on gating/ for
 * scale transforms; never parses FCS. Nothing here prints.
 */
#ifndef APOFLOW_RENDER_RENDER_H
#define APOFLOW_RENDER_RENDER_H

#include "gating/gate.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* APOFLOW_RENDER_RENDER_H */
