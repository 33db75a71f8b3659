/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * xml.c: the libxml2 calls shared by the Gating-ML and workspace readers and writers
 * (xml_internal.h): the guarded parse of an untrusted document, and the element and attribute
 * calls of the writers, each recording a libxml2 failure in the sticky flag.
 */
#include "gating/xml_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

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

static void silent_xml_error(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

/* The error of a document libxml2 could not parse: its line and message. */
static apo_status parse_error(xmlParserCtxt *px, const char *name, apo_error *err)
{
    const xmlError *e = xmlCtxtGetLastError(px);
    char kw[64] = "";
    if (e != NULL && e->line > 0) {
        snprintf(kw, sizeof(kw), "line %d", e->line);
    }
    char msg[300] = "not well-formed";
    if (e != NULL && e->message != NULL) {
        snprintf(msg, sizeof(msg), "%s", e->message);
        size_t n = strlen(msg);
        while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' ')) {
            msg[--n] = '\0';
        }
    }
    return apo_error_set(err, APO_E_FORMAT, name, APO_NO_OFFSET, kw,
                         "expected well-formed XML, found an error: %s", msg);
}

/* No network, no entity substitution (XML_PARSE_NOENT is not set), no huge-document mode. */
static const int PARSE_OPTS = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                              XML_PARSE_NOCDATA;

apo_status gate_xml_parse(const char *buf, size_t len, const char *name, const char *what,
                          xmlDoc **doc, apo_error *err)
{
    *doc = NULL;
    if (len > INT32_MAX) {
        return apo_error_set(err, APO_E_RANGE, name, APO_NO_OFFSET, NULL,
                             "expected %s below 2 GiB, found %zu bytes", what, len);
    }
    xmlParserCtxt *px = xmlNewParserCtxt();
    if (px == NULL) {
        return apo_error_set(err, APO_E_NOMEM, name, APO_NO_OFFSET, NULL,
                             "expected memory for an XML parser, found none");
    }
    /* The handler is per thread in libxml2: saving and restoring it touches no shared state. */
    xmlGenericErrorFunc saved_fn = xmlGenericError;
    void *saved_ctx = xmlGenericErrorContext;
    xmlSetGenericErrorFunc(NULL, silent_xml_error);
    *doc = xmlCtxtReadMemory(px, buf, (int)len, name, NULL, PARSE_OPTS);
    xmlSetGenericErrorFunc(saved_ctx, saved_fn);
    apo_status st = *doc == NULL ? parse_error(px, name, err) : APO_OK;
    xmlFreeParserCtxt(px);
    return st;
}
