/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * xml_out.c: the element and attribute calls shared by gml_write.c and wsp_write.c
 * (xml_out_internal.h), each recording a libxml2 failure in the sticky flag.
 */
#include "gating/xml_out_internal.h"

#include "util/util.h"

void gate_xml_start(gate_xml_out *o, const char *element)
{
    if (xmlTextWriterStartElement(o->w, (const xmlChar *)element) < 0) {
        o->failed = true;
    }
}

void gate_xml_end(gate_xml_out *o)
{
    if (xmlTextWriterEndElement(o->w) < 0) {
        o->failed = true;
    }
}

void gate_xml_attr(gate_xml_out *o, const char *name, const char *value)
{
    if (xmlTextWriterWriteAttribute(o->w, (const xmlChar *)name, (const xmlChar *)value) < 0) {
        o->failed = true;
    }
}

void gate_xml_attr_num(gate_xml_out *o, const char *name, double v)
{
    char buf[64];
    apo_format_double(buf, sizeof(buf), v);
    gate_xml_attr(o, name, buf);
}
