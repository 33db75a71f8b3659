/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gate.h: the public interface of the gating module, the generic engine: scale transforms
 * (transform.h), spillover compensation (comp.h), population statistics (stats.h), gates and
 * Gating-ML 2.0 strategies (strategy.h) and applying them to events (apply.h). Depends on
 * fcs/ and util/ only. Nothing here prints. Include this umbrella header; the topic headers
 * are split for reading.
 */
#ifndef APOFLOW_GATING_GATE_H
#define APOFLOW_GATING_GATE_H

#include "gating/transform.h"
#include "gating/comp.h"
#include "gating/stats.h"
#include "gating/strategy.h"
#include "gating/apply.h"

#endif /* APOFLOW_GATING_GATE_H */
