/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gml_write.c: writing a gate_strategy as a Gating-ML 2.0 document (spectrum matrices,
 * transformations, then gates in order; quadrants inside their QuadrantGate). Numbers are
 * written in their shortest round-trip form so the document reads back to the same
 * membership. The file is replaced atomically (temporary file + rename).
 */
#include "gating/gate.h"
#include "gating/gates_internal.h"

#include "gating/xml_internal.h"

#include <libxml/xmlwriter.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

typedef gate_xml_out wctx;

static void name_el(wctx *c, const char *el, const char *name)
{
    gate_xml_start(c, el);
    gate_xml_attr(c, "data-type:name", name);
    gate_xml_end(c);
}

static void value_el(wctx *c, const char *el, const char *attr, double v)
{
    gate_xml_start(c, el);
    gate_xml_attr_num(c, attr, v);
    gate_xml_end(c);
}

static void write_spill(wctx *c, const gs_spill *m)
{
    gate_xml_start(c, "transforms:spectrumMatrix");
    gate_xml_attr(c, "transforms:id", m->id);
    if (m->inverted) {
        gate_xml_attr(c, "transforms:matrix-inverted-already", "true");
    }
    gate_xml_start(c, "transforms:fluorochromes");
    for (size_t i = 0; i < m->n; i++) {
        name_el(c, "data-type:fcs-dimension", m->fluoro[i]);
    }
    gate_xml_end(c);
    gate_xml_start(c, "transforms:detectors");
    for (size_t i = 0; i < m->n; i++) {
        name_el(c, "data-type:fcs-dimension", m->detectors[i]);
    }
    gate_xml_end(c);
    for (size_t i = 0; i < m->n; i++) {
        gate_xml_start(c, "transforms:spectrum");
        for (size_t j = 0; j < m->n; j++) {
            value_el(c, "transforms:coefficient", "transforms:value", m->values[i * m->n + j]);
        }
        gate_xml_end(c);
    }
    gate_xml_end(c);
}

static apo_status write_transform(wctx *c, const gs_transform *t, apo_error *err)
{
    const gate_transform *x = &t->t;
    gate_xml_start(c, "transforms:transformation");
    gate_xml_attr(c, "transforms:id", t->id);
    switch (x->kind) {
    case GATE_TRANSFORM_LINEAR: /* identity = flin(T = 1, A = 0) */
        gate_xml_start(c, "transforms:flin");
        gate_xml_attr_num(c, "transforms:T", 1.0);
        gate_xml_attr_num(c, "transforms:A", 0.0);
        break;
    case GATE_TRANSFORM_FLIN:
        gate_xml_start(c, "transforms:flin");
        gate_xml_attr_num(c, "transforms:T", x->T);
        gate_xml_attr_num(c, "transforms:A", x->A);
        break;
    case GATE_TRANSFORM_FLOG:
        gate_xml_start(c, "transforms:flog");
        gate_xml_attr_num(c, "transforms:T", x->T);
        gate_xml_attr_num(c, "transforms:M", x->M);
        break;
    case GATE_TRANSFORM_LOG10: /* log10(x) = flog(T = 10, M = 1) */
        gate_xml_start(c, "transforms:flog");
        gate_xml_attr_num(c, "transforms:T", 10.0);
        gate_xml_attr_num(c, "transforms:M", 1.0);
        break;
    case GATE_TRANSFORM_FASINH:
        gate_xml_start(c, "transforms:fasinh");
        gate_xml_attr_num(c, "transforms:T", x->T);
        gate_xml_attr_num(c, "transforms:M", x->M);
        gate_xml_attr_num(c, "transforms:A", x->A);
        break;
    case GATE_TRANSFORM_LOGICLE:
    case GATE_TRANSFORM_HYPERLOG:
        gate_xml_start(c, x->kind == GATE_TRANSFORM_LOGICLE ? "transforms:logicle" : "transforms:hyperlog");
        gate_xml_attr_num(c, "transforms:T", x->T);
        gate_xml_attr_num(c, "transforms:W", x->W);
        gate_xml_attr_num(c, "transforms:M", x->M);
        gate_xml_attr_num(c, "transforms:A", x->A);
        break;
    default:
        return apo_error_set(err, APO_E_UNSUPPORTED, NULL, APO_NO_OFFSET, t->id,
                             "expected a transform Gating-ML can express, found %s",
                             gate_transform_kind_name(x->kind));
    }
    if (x->bound_min != -INFINITY) {
        gate_xml_attr_num(c, "transforms:boundMin", x->bound_min);
    }
    if (x->bound_max != INFINITY) {
        gate_xml_attr_num(c, "transforms:boundMax", x->bound_max);
    }
    gate_xml_end(c);
    gate_xml_end(c);
    return APO_OK;
}

static void write_ratio(wctx *c, const gs_ratio *r)
{
    gate_xml_start(c, "transforms:transformation");
    gate_xml_attr(c, "transforms:id", r->id);
    gate_xml_start(c, "transforms:fratio");
    gate_xml_attr_num(c, "transforms:A", r->A);
    gate_xml_attr_num(c, "transforms:B", r->B);
    gate_xml_attr_num(c, "transforms:C", r->C);
    name_el(c, "data-type:fcs-dimension", r->x1);
    name_el(c, "data-type:fcs-dimension", r->x2);
    gate_xml_end(c);
    gate_xml_end(c);
}

/* Attributes and target of a dimension/divider element (already started). */
static void dim_body(wctx *c, const gate_dim *d)
{
    gate_xml_attr(c, "gating:compensation-ref", gs_comp_is_none(d->comp_ref) ? GATE_COMP_NONE : d->comp_ref);
    if (d->transform_ref != NULL) {
        gate_xml_attr(c, "gating:transformation-ref", d->transform_ref);
    }
}

static void dim_target(wctx *c, const gate_dim *d)
{
    if (d->ratio_ref != NULL) {
        gate_xml_start(c, "data-type:new-dimension");
        gate_xml_attr(c, "data-type:transformation-ref", d->ratio_ref);
        gate_xml_end(c);
    } else {
        name_el(c, "data-type:fcs-dimension", d->name);
    }
}

static void write_dims(wctx *c, const gs_gate *g, bool bounds)
{
    for (size_t i = 0; i < g->n_dims; i++) {
        gate_xml_start(c, "gating:dimension");
        dim_body(c, &g->dims[i]);
        if (bounds && g->min[i] != -INFINITY) {
            gate_xml_attr_num(c, "gating:min", g->min[i]);
        }
        if (bounds && g->max[i] != INFINITY) {
            gate_xml_attr_num(c, "gating:max", g->max[i]);
        }
        dim_target(c, &g->dims[i]);
        gate_xml_end(c);
    }
}

static void write_gate(wctx *c, const gate_strategy *s, size_t gi)
{
    const gs_gate *g = &s->gates[gi];
    static const char *const el[] = {"gating:RectangleGate", "gating:PolygonGate",
                                     "gating:EllipsoidGate", "gating:QuadrantGate", NULL,
                                     "gating:BooleanGate"};
    gate_xml_start(c, el[g->kind]);
    gate_xml_attr(c, "gating:id", g->id);
    if (g->parent_id != NULL) {
        gate_xml_attr(c, "gating:parent_id", g->parent_id);
    }
    switch (g->kind) {
    case GATE_RECTANGLE:
        write_dims(c, g, true);
        break;
    case GATE_POLYGON:
        write_dims(c, g, false);
        for (size_t v = 0; v < g->n_vertices; v++) {
            gate_xml_start(c, "gating:vertex");
            value_el(c, "gating:coordinate", "data-type:value", g->vertices[2 * v]);
            value_el(c, "gating:coordinate", "data-type:value", g->vertices[2 * v + 1]);
            gate_xml_end(c);
        }
        break;
    case GATE_ELLIPSOID:
        write_dims(c, g, false);
        gate_xml_start(c, "gating:mean");
        for (size_t i = 0; i < g->n_dims; i++) {
            value_el(c, "gating:coordinate", "data-type:value", g->mean[i]);
        }
        gate_xml_end(c);
        gate_xml_start(c, "gating:covarianceMatrix");
        for (size_t i = 0; i < g->n_dims; i++) {
            gate_xml_start(c, "gating:row");
            for (size_t j = 0; j < g->n_dims; j++) {
                value_el(c, "gating:entry", "data-type:value", g->cov[i * g->n_dims + j]);
            }
            gate_xml_end(c);
        }
        gate_xml_end(c);
        value_el(c, "gating:distanceSquare", "data-type:value", g->dist2);
        break;
    case GATE_QUADRANT_GATE:
        for (size_t d = 0; d < g->n_dividers; d++) {
            const gate_divider *dv = &g->dividers[d];
            gate_xml_start(c, "gating:divider");
            gate_xml_attr(c, "gating:id", dv->id);
            dim_body(c, &dv->dim);
            dim_target(c, &dv->dim);
            for (size_t v = 0; v < dv->n_values; v++) {
                char buf[64];
                apo_format_double(buf, sizeof(buf), dv->values[v]);
                if (xmlTextWriterWriteElement(c->w, (const xmlChar *)"gating:value",
                                              (const xmlChar *)buf) < 0) {
                    c->failed = true;
                }
            }
            gate_xml_end(c);
        }
        for (size_t q = gi + 1; q < s->n_gates; q++) {
            const gs_gate *qd = &s->gates[q];
            if (qd->kind != GATE_QUADRANT || qd->quadrant_gate != gi) {
                continue;
            }
            gate_xml_start(c, "gating:Quadrant");
            gate_xml_attr(c, "gating:id", qd->id);
            for (size_t k = 0; k < qd->n_dims; k++) {
                gate_xml_start(c, "gating:position");
                gate_xml_attr(c, "gating:divider_ref", g->dividers[qd->div_index[k]].id);
                gate_xml_attr_num(c, "gating:location", qd->locations[k]);
                gate_xml_end(c);
            }
            gate_xml_end(c);
        }
        break;
    case GATE_BOOLEAN:
        gate_xml_start(c, g->op == GATE_BOOL_AND ? "gating:and" : g->op == GATE_BOOL_OR ? "gating:or"
                                                                               : "gating:not");
        for (size_t k = 0; k < g->n_operands; k++) {
            gate_xml_start(c, "gating:gateReference");
            gate_xml_attr(c, "gating:ref", g->operands[k]);
            if (g->complement[k]) {
                gate_xml_attr(c, "gating:use-as-complement", "true");
            }
            gate_xml_end(c);
        }
        gate_xml_end(c);
        break;
    case GATE_QUADRANT:
        break;
    }
    gate_xml_end(c);
}

static apo_status write_doc(const gate_strategy *s, wctx *c, apo_error *err)
{
    if (xmlTextWriterSetIndent(c->w, 1) < 0 ||
        xmlTextWriterSetIndentString(c->w, (const xmlChar *)"  ") < 0 ||
        xmlTextWriterStartDocument(c->w, "1.0", "UTF-8", NULL) < 0) {
        c->failed = true;
    }
    gate_xml_start(c, "gating:Gating-ML");
    gate_xml_attr(c, "xmlns:gating", "http://www.isac-net.org/std/Gating-ML/v2.0/gating");
    gate_xml_attr(c, "xmlns:transforms", "http://www.isac-net.org/std/Gating-ML/v2.0/transformations");
    gate_xml_attr(c, "xmlns:data-type", "http://www.isac-net.org/std/Gating-ML/v2.0/datatypes");
    for (size_t i = 0; i < s->n_spills; i++) {
        write_spill(c, &s->spills[i]);
    }
    for (size_t i = 0; i < s->n_ratios; i++) {
        write_ratio(c, &s->ratios[i]);
    }
    for (size_t i = 0; i < s->n_transforms; i++) {
        apo_status st = write_transform(c, &s->transforms[i], err);
        if (st != APO_OK) {
            return st;
        }
    }
    for (size_t g = 0; g < s->n_gates; g++) {
        if (s->gates[g].kind != GATE_QUADRANT) {
            write_gate(c, s, g);
        }
    }
    gate_xml_end(c);
    if (xmlTextWriterEndDocument(c->w) < 0) {
        c->failed = true;
    }
    return APO_OK;
}

apo_status gate_strategy_write_gml(const gate_strategy *s, const char *path, apo_error *err)
{
    apo_status st = gate_strategy_validate(s, err);
    if (st != APO_OK) {
        return st;
    }
    xmlBuffer *buf = xmlBufferCreate();
    xmlTextWriter *w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
    if (w == NULL) {
        xmlBufferFree(buf);
        return apo_error_set(err, APO_E_NOMEM, path, APO_NO_OFFSET, NULL,
                             "expected memory for the XML writer, found none");
    }
    wctx c = {.w = w};
    st = write_doc(s, &c, err);
    xmlFreeTextWriter(w); /* flushes into buf */
    if (st == APO_OK && c.failed) {
        st = apo_error_set(err, APO_E_NOMEM, path, APO_NO_OFFSET, NULL,
                           "expected the XML writer to succeed, found a failure");
    }
    if (st == APO_OK) {
        apo_atomic_file af;
        st = apo_atomic_open(&af, path, err);
        if (st == APO_OK) {
            size_t len = (size_t)xmlBufferLength(buf);
            if (fwrite(xmlBufferContent(buf), 1, len, af.fp) != len) {
                apo_atomic_abort(&af);
                st = apo_error_set(err, APO_E_WRITE, path, APO_NO_OFFSET, NULL,
                                   "expected to write %zu bytes, found a write error", len);
            } else {
                st = apo_atomic_commit(&af, err);
            }
        }
    }
    xmlBufferFree(buf);
    return st;
}
