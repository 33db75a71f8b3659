/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * xml_internal.h (private to gating/): the libxml2 calls shared by the Gating-ML and FlowJo
 * workspace readers (one safe parse of an untrusted document) and writers (element and
 * attribute calls with one sticky failure flag instead of a return value per call, so that a
 * writer reads as the document it writes and checks once at the end).
 */
#ifndef APOFLOW_GATING_XML_INTERNAL_H
#define APOFLOW_GATING_XML_INTERNAL_H

#include "util/util.h"

#include <libxml/parser.h>
#include <libxml/xmlwriter.h>
#include <stddef.h>
#include <stdbool.h>

typedef struct gate_xml_out {
    xmlTextWriter *w;
    bool failed; /* set by the first call libxml2 refused; later calls still run */
} gate_xml_out;

void gate_xml_start(gate_xml_out *o, const char *element);
void gate_xml_end(gate_xml_out *o);
void gate_xml_attr(gate_xml_out *o, const char *name, const char *value);
/* A number attribute in the project's shortest round-trip form (apo_format_double). */
void gate_xml_attr_num(gate_xml_out *o, const char *name, double v);

/*
 * Parse an untrusted XML document held in memory: no network access, no entity substitution,
 * no huge-document mode, libxml2's own messages silenced. @p what names the document kind in
 * the size error ("a Gating-ML document"). On success *doc is the tree (free it with
 * xmlFreeDoc); a document that is not well-formed is APO_E_FORMAT naming the line and
 * libxml2's reason.
 */
apo_status gate_xml_parse(const char *buf, size_t len, const char *name, const char *what,
                          xmlDoc **doc, apo_error *err);

#endif
