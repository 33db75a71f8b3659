/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * xml_out_internal.h (private to gating/): the few libxml2 text-writer calls the Gating-ML and FlowJo
 * workspace writers make, with one sticky failure flag instead of a return value per call,
 * so that a writer reads as the document it writes and checks once at the end.
 */
#ifndef APOFLOW_GATING_XML_OUT_INTERNAL_H
#define APOFLOW_GATING_XML_OUT_INTERNAL_H

#include <libxml/xmlwriter.h>
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

#endif
