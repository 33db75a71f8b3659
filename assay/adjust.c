/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * adjust.c: the change record that report.html writes into an exported gating file
 * (which quadrant lines and pre-gate coordinates were moved, from what to what), read back when a run takes that file
 * with --gating, and written into results.json (the report's methods text: report/review.c). The record is a
 * Gating-ML 2.0 data-type:custom_info element (the standard's place for vendor data, which
 * gating readers ignore):
 *
 *   <data-type:custom_info>
 *     <apoflow:adjustments xmlns:apoflow="urn:apoflow:gate-review:1" source="..." when="...">
 *       <apoflow:adjustment marker="annexin" divider="AnnV_PI_x" from="812.4" to="1500"
 *                           from_scaled="0.3424" to_scaled="0.3890"/>
 *       <apoflow:adjustment marker="pregate" gate="Cells" what="FSC-A min" from="20533.8"
 *                           to="25000"/>
 *     </apoflow:adjustments>
 *   </data-type:custom_info>
 */
#include "assay/adjust.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define REVIEW_NS "urn:apoflow:gate-review:1"

static const char *const marker_names[ASSAY_MARKER_COUNT] = {"annexin", "dead", "pregate"};

const char *assay_adjustment_marker_name(assay_adjustment_marker m)
{
    return (int)m >= 0 && (int)m < ASSAY_MARKER_COUNT ? marker_names[m] : "";
}

bool assay_adjustment_marker_parse(const char *s, assay_adjustment_marker *out)
{
    for (int i = 0; s != NULL && i < ASSAY_MARKER_COUNT; i++) {
        if (strcmp(s, marker_names[i]) == 0) {
            *out = (assay_adjustment_marker)i;
            return true;
        }
    }
    return false;
}

static bool is_review_el(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->ns != NULL && n->ns->href != NULL &&
           strcmp((const char *)n->ns->href, REVIEW_NS) == 0 &&
           strcmp((const char *)n->name, name) == 0;
}

/* Attribute @p name of @p n copied into @p out (printable ASCII/UTF-8, no control bytes);
 * false when missing, too long or with control characters. */
static bool attr_text(const xmlNode *n, const char *name, char *out, size_t cap)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    if (v == NULL) {
        return false;
    }
    size_t len = strlen((const char *)v);
    bool ok = len < cap;
    for (size_t i = 0; ok && i < len; i++) {
        ok = v[i] >= 0x20 && v[i] != 0x7f;
    }
    if (ok) {
        memcpy(out, v, len + 1);
    }
    xmlFree(v);
    return ok;
}

static bool attr_number(const xmlNode *n, const char *name, double *out)
{
    char text[64];
    if (!attr_text(n, name, text, sizeof text)) {
        return false;
    }
    char *end = NULL;
    *out = strtod(text, &end);
    return end != text && *end == '\0' && isfinite(*out);
}

static apo_status read_one(const char *path, const xmlNode *a, assay_adjustment *out,
                           apo_error *err)
{
    memset(out, 0, sizeof *out);
    char where[48];
    snprintf(where, sizeof where, "apoflow:adjustment (line %ld)", (long)xmlGetLineNo(a));
    char marker[16];
    if (!attr_text(a, "marker", marker, sizeof marker) ||
        !assay_adjustment_marker_parse(marker, &out->marker)) {
        return apo_error_set(err, APO_E_FORMAT, path, APO_NO_OFFSET, where,
                             "expected marker=\"annexin\", \"dead\" or \"pregate\", found "
                             "another value or none");
    }
    const bool pregate = out->marker == ASSAY_MARKER_PREGATE;
    if (!attr_text(a, pregate ? "gate" : "divider", out->divider, sizeof out->divider)) {
        return apo_error_set(err, APO_E_FORMAT, path, APO_NO_OFFSET, where,
                             "expected a %s id (under 64 characters), found none",
                             pregate ? "gate" : "divider");
    }
    if (pregate && !attr_text(a, "what", out->what, sizeof out->what)) {
        return apo_error_set(err, APO_E_FORMAT, path, APO_NO_OFFSET, where,
                             "expected what=\"...\" (under 64 characters), found none");
    }
    static const char *const names[4] = {"from", "to", "from_scaled", "to_scaled"};
    double *v[4] = {&out->from, &out->to, &out->from_scaled, &out->to_scaled};
    out->from_scaled = out->to_scaled = NAN;
    for (int k = 0; k < (pregate ? 2 : 4); k++) {
        if (!attr_number(a, names[k], v[k])) {
            return apo_error_set(err, APO_E_FORMAT, path, APO_NO_OFFSET, where,
                                 "expected a finite number in %s, found another value or none",
                                 names[k]);
        }
    }
    return APO_OK;
}

static apo_status read_record(const char *path, const xmlNode *rec, assay_adjustments *out,
                              apo_error *err)
{
    if (!attr_text(rec, "source", out->source, sizeof out->source)) {
        out->source[0] = '\0';
    }
    if (!attr_text(rec, "when", out->when, sizeof out->when)) {
        out->when[0] = '\0';
    }
    for (const xmlNode *a = rec->children; a != NULL; a = a->next) {
        if (!is_review_el(a, "adjustment")) {
            continue;
        }
        if (out->n == ASSAY_MAX_ADJUSTMENTS) {
            return apo_error_set(err, APO_E_FORMAT, path, APO_NO_OFFSET, "apoflow:adjustments",
                                 "expected at most %d adjustments, found more",
                                 ASSAY_MAX_ADJUSTMENTS);
        }
        apo_status st = read_one(path, a, &out->v[out->n], err);
        if (st != APO_OK) {
            return st;
        }
        out->n++;
    }
    return APO_OK;
}

apo_status assay_adjustments_read(const char *path, assay_adjustments *out, apo_error *err)
{
    memset(out, 0, sizeof *out);
    /* no network, no entity substitution, no DTD loading */
    xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOWARNING |
                                              XML_PARSE_NOERROR);
    if (doc == NULL) {
        return apo_error_set(err, APO_E_FORMAT, path, APO_NO_OFFSET, NULL,
                             "expected a well-formed XML document, found one that is not");
    }
    apo_status st = APO_OK;
    const xmlNode *root = xmlDocGetRootElement(doc);
    for (const xmlNode *c = root ? root->children : NULL; c != NULL && st == APO_OK;
         c = c->next) {
        if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "custom_info") != 0) {
            continue;
        }
        for (const xmlNode *rec = c->children; rec != NULL && st == APO_OK; rec = rec->next) {
            if (is_review_el(rec, "adjustments")) {
                st = read_record(path, rec, out, err);
            }
        }
    }
    xmlFreeDoc(doc);
    return st;
}

void assay_adjustments_json(FILE *f, const assay_adjustments *adj, bool *first)
{
    apo_json_key(f, "gating_adjustments", first);
    fputc('[', f);
    for (size_t i = 0; adj != NULL && i < adj->n; i++) {
        const assay_adjustment *a = &adj->v[i];
        bool b = true;
        fputs(i ? ",{" : "{", f);
        apo_json_kv_str(f, "marker", assay_adjustment_marker_name(a->marker), &b);
        if (a->marker == ASSAY_MARKER_PREGATE) {
            apo_json_kv_str(f, "gate", a->divider, &b);
            apo_json_kv_str(f, "what", a->what, &b);
        } else {
            apo_json_kv_str(f, "divider", a->divider, &b);
        }
        apo_json_kv_num(f, "from", a->from, &b);
        apo_json_kv_num(f, "to", a->to, &b);
        apo_json_kv_num(f, "from_scaled", a->from_scaled, &b);
        apo_json_kv_num(f, "to_scaled", a->to_scaled, &b);
        apo_json_kv_str(f, "source", adj->source, &b);
        apo_json_kv_str(f, "when", adj->when, &b);
        fputc('}', f);
    }
    fputc(']', f);
}
