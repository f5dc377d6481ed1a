/* The libxml2 functions sshsync calls, loading libxml2 on first use (why:
 * os_dynlib_posix.c). Each has libxml2's own prototype (its headers are
 * included, so the compiler checks them) and calls the library's. A new
 * call to libxml2 elsewhere fails to link until it is listed here. */
#include "os_int.h"

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlstring.h>
#include <libxml/xmlwriter.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>

/* F(return type, name, parameters, arguments); V for a void function. */
#define LIBXML2_FUNCTIONS(F, V)                                                                    \
	F(const xmlChar *, xmlBufferContent, (const xmlBuffer *buf), (buf))                        \
	F(xmlBufferPtr, xmlBufferCreate, (void), ())                                               \
	V(xmlBufferFree, (xmlBufferPtr buf), (buf))                                                \
	F(int, xmlBufferLength, (const xmlBuffer *buf), (buf))                                     \
	F(xmlDocPtr, xmlCtxtReadIO,                                                                \
	  (xmlParserCtxtPtr ctxt, xmlInputReadCallback ioread, xmlInputCloseCallback ioclose,      \
	   void *ioctx, const char *url, const char *encoding, int options),                       \
	  (ctxt, ioread, ioclose, ioctx, url, encoding, options))                                  \
	V(xmlFreeDoc, (xmlDocPtr doc), (doc))                                                      \
	V(xmlFreeParserCtxt, (xmlParserCtxtPtr ctxt), (ctxt))                                      \
	V(xmlFreeTextWriter, (xmlTextWriterPtr w), (w))                                            \
	V(xmlInitParser, (void), ())                                                               \
	F(xmlParserCtxtPtr, xmlNewParserCtxt, (void), ())                                          \
	F(xmlTextWriterPtr, xmlNewTextWriter, (xmlOutputBufferPtr out), (out))                     \
	F(xmlTextWriterPtr, xmlNewTextWriterMemory, (xmlBufferPtr buf, int compression),           \
	  (buf, compression))                                                                      \
	F(int, xmlOutputBufferClose, (xmlOutputBufferPtr out), (out))                              \
	F(xmlOutputBufferPtr, xmlOutputBufferCreateIO,                                             \
	  (xmlOutputWriteCallback iowrite, xmlOutputCloseCallback ioclose, void *ioctx,            \
	   xmlCharEncodingHandlerPtr encoder),                                                     \
	  (iowrite, ioclose, ioctx, encoder))                                                      \
	F(int, xmlSAX2GetColumnNumber, (void *ctx), (ctx))                                         \
	F(int, xmlSAX2GetLineNumber, (void *ctx), (ctx))                                           \
	V(xmlStopParser, (xmlParserCtxtPtr ctxt), (ctxt))                                          \
	F(int, xmlStrEqual, (const xmlChar *a, const xmlChar *b), (a, b))                          \
	F(int, xmlTextWriterEndDocument, (xmlTextWriterPtr w), (w))                                \
	F(int, xmlTextWriterEndElement, (xmlTextWriterPtr w), (w))                                 \
	F(int, xmlTextWriterSetIndent, (xmlTextWriterPtr w, int indent), (w, indent))              \
	F(int, xmlTextWriterSetIndentString, (xmlTextWriterPtr w, const xmlChar *str), (w, str))   \
	F(int, xmlTextWriterStartDocument,                                                         \
	  (xmlTextWriterPtr w, const char *version, const char *encoding, const char *standalone), \
	  (w, version, encoding, standalone))                                                      \
	F(int, xmlTextWriterStartElement, (xmlTextWriterPtr w, const xmlChar *name), (w, name))    \
	F(int, xmlTextWriterWriteAttribute,                                                        \
	  (xmlTextWriterPtr w, const xmlChar *name, const xmlChar *content), (w, name, content))   \
	F(int, xmlTextWriterWriteElement,                                                          \
	  (xmlTextWriterPtr w, const xmlChar *name, const xmlChar *content), (w, name, content))   \
	F(int, xmlTextWriterWriteString, (xmlTextWriterPtr w, const xmlChar *content),             \
	  (w, content))                                                                            \
	F(int, xmlTextWriterWriteVFormatAttribute,                                                 \
	  (xmlTextWriterPtr w, const xmlChar *name, const char *format, va_list args),             \
	  (w, name, format, args))

SS_DYNLIB(LIBXML2_FUNCTIONS, SSHSYNC_LIBXML2_SONAME,
	  ", needed to read and write XML (Group Policy, JUnit)")

int xmlTextWriterWriteFormatAttribute(xmlTextWriterPtr w, const xmlChar *name, const char *format,
				      ...)
{
	va_list args;
	va_start(args, format);
	int r = xmlTextWriterWriteVFormatAttribute(w, name, format, args);
	va_end(args);
	return r;
}
