/* Group Policy Preferences Registry.xml, read safely with libxml2.
 *
 * libxml2 2.9 reads a `file://` entity when asked to substitute entities
 * (XML_PARSE_NOENT), and its defences against entity expansion bombs are
 * heuristics. Neither matters here: a Registry.xml that GPMC writes never
 * has a DTD, so the parser is stopped at the `<!DOCTYPE`, from the SAX
 * callback that announces it, before the first declaration of the internal
 * subset is read. The options add no network (NONET), and never NOENT,
 * DTDLOAD, XINCLUDE or HUGE. */
#include "sshsync/gppxml.h"

#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/buf.h"
#include "sshsync/text.h"

/* Settings files are small; a Registry.xml of 64 MiB is not one. */
enum { GPPXML_LIMIT = 64 * 1024 * 1024 };

typedef struct parse_state {
	int saw_dtd;
	int dtd_line;
	int dtd_col;
	int has_error; /* the first error, which explains the others */
	int err_line;
	int err_col;
	char *err_message;
} parse_state;

static char *clean_message(const char *msg);

/* SAX structured errors: keeps the first one. */
static void keep_first_error(void *ctx, xmlErrorPtr e)
{
	xmlParserCtxtPtr ctxt = ctx;
	parse_state *st = ctxt->_private;
	if (st->has_error || !e || e->level < XML_ERR_ERROR)
		return;
	st->has_error = 1;
	st->err_line = e->line;
	st->err_col = e->int2;
	st->err_message = clean_message(e->message);
}

/* SAX: called at `<!DOCTYPE name ...`, before the internal subset. */
static void refuse_dtd(void *ctx, const xmlChar *name, const xmlChar *external_id,
		       const xmlChar *system_id)
{
	(void)name;
	(void)external_id;
	(void)system_id;
	xmlParserCtxtPtr ctxt = ctx;
	parse_state *st = ctxt->_private;
	if (!st->saw_dtd) {
		st->saw_dtd = 1;
		st->dtd_line = xmlSAX2GetLineNumber(ctx);
		st->dtd_col = xmlSAX2GetColumnNumber(ctx);
	}
	xmlStopParser(ctxt);
}

/* libxml2's message with control characters shown as \xNN: names from a
 * hostile file must not forge a line on the terminal. */
static char *clean_message(const char *msg)
{
	ss_buf b = SS_BUF_INIT;
	int r = 0;
	size_t n = msg ? strlen(msg) : 0;
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	for (size_t i = 0; i < n && !r; i++) {
		unsigned char c = (unsigned char)msg[i];
		r = c < 0x20 || c == 0x7F ? ss_buf_addf(&b, "\\x%02X", c) : ss_buf_addc(&b, (char)c);
	}
	if (r || ss_buf_addc(&b, '\0') < 0) {
		ss_buf_release(&b);
		return NULL;
	}
	return ss_buf_detach(&b, NULL);
}

static int parse_error(const parse_state *st, const char *display, ss_diag *d)
{
	if (!st->has_error)
		return ss_diag_set(d, display, 0, 0, "is not well-formed XML");
	if (!st->err_message)
		return ss_diag_oom(d);
	return ss_diag_set(d, display, st->err_line > 0 ? (size_t)st->err_line : 0,
			   st->err_col > 0 ? (size_t)st->err_col : 0, "not well-formed XML: %s",
			   st->err_message);
}

static int is_element(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST name);
}

/* An attribute's value, newly allocated ("" when absent), or NULL when out
 * of memory. */
static char *get_attr(const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);
	char *copy = ss_strdup(v ? (const char *)v : "");
	xmlFree(v);
	return copy;
}

static int attr_is_one(const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);
	int one = v && xmlStrEqual(v, BAD_CAST "1");
	xmlFree(v);
	return one;
}

static ss_gpp_item *new_item(ss_gppxml *x)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 16;
		ss_gpp_item *v = realloc(x->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		x->v = v;
		x->cap = cap;
	}
	ss_gpp_item *it = &x->v[x->n++];
	memset(it, 0, sizeof(*it));
	return it;
}

static int read_action(const xmlNode *props, char *action)
{
	xmlChar *v = xmlGetNoNsProp(props, BAD_CAST "action");
	int r = 0;
	if (!v || !*v)
		*action = 'U';
	else if (xmlStrlen(v) == 1 && strchr("CRUD", v[0]))
		*action = (char)v[0];
	else
		r = -1;
	xmlFree(v);
	return r;
}

static int read_item(ss_gppxml *x, const xmlNode *reg, int disabled, ss_diag *d)
{
	const xmlNode *props = NULL;
	for (const xmlNode *c = reg->children; c && !props; c = c->next)
		if (is_element(c, "Properties"))
			props = c;
	if (!props)
		return ss_diag_set(d, x->path, (size_t)xmlGetLineNo(reg), 0,
				   "<Registry> item without <Properties>");
	ss_gpp_item *it = new_item(x);
	if (!it)
		return ss_diag_oom(d);
	it->line = (size_t)xmlGetLineNo(props);
	it->disabled = disabled || attr_is_one(reg, "disabled");
	it->is_default = attr_is_one(props, "default");
	if (read_action(props, &it->action) < 0)
		return ss_diag_set(d, x->path, it->line, 0,
				   "action is not C, R, U or D (create, replace, update, delete)");
	it->hive = get_attr(props, "hive");
	it->key = get_attr(props, "key");
	it->name = get_attr(props, "name");
	it->type = get_attr(props, "type");
	it->value = get_attr(props, "value");
	if (!it->hive || !it->key || !it->name || !it->type || !it->value)
		return ss_diag_oom(d);
	return 0;
}

/* Items in document order; Collections nest, and a disabled Collection
 * disables everything in it. Other elements (Filters, ...) are skipped. */
static int read_children(ss_gppxml *x, const xmlNode *parent, int disabled, ss_diag *d)
{
	for (const xmlNode *c = parent->children; c; c = c->next) {
		int r = 0;
		if (is_element(c, "Registry"))
			r = read_item(x, c, disabled, d);
		else if (is_element(c, "Collection"))
			r = read_children(x, c, disabled || attr_is_one(c, "disabled"), d);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int read_document(ss_gppxml *x, xmlDocPtr doc, ss_diag *d)
{
	if (doc->intSubset || doc->extSubset)
		return ss_diag_set(d, x->path, 0, 0, "has a DTD (<!DOCTYPE>); a Group Policy "
				   "Registry.xml has none, and sshsync reads no DTD");
	const xmlNode *root = xmlDocGetRootElement(doc);
	if (!root || !is_element(root, "RegistrySettings"))
		return ss_diag_set(d, x->path, root ? (size_t)xmlGetLineNo(root) : 0, 0,
				   "is not a Group Policy Registry.xml: expected the root element "
				   "<RegistrySettings>");
	return read_children(x, root, attr_is_one(root, "disabled"), d);
}

/* `encoding` overrides the declaration: a UTF-16 file arrives decoded. */
static int parse_with(ss_gppxml *x, const char *display, const void *bytes, size_t len,
		      const char *encoding, ss_diag *d)
{
	memset(x, 0, sizeof(*x));
	if (!(x->path = ss_strdup(display)))
		return ss_diag_oom(d);
	if (len > (size_t)INT32_MAX)
		return ss_diag_set(d, display, 0, 0, "is too large for a Registry.xml");
	xmlInitParser();
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	if (!ctxt || !ctxt->sax) {
		xmlFreeParserCtxt(ctxt);
		return ss_diag_oom(d);
	}
	parse_state st = {0, 0, 0, 0, 0, 0, NULL};
	ctxt->_private = &st;
	ctxt->sax->internalSubset = refuse_dtd;
	ctxt->sax->serror = keep_first_error;
	/* No NOENT, DTDLOAD, DTDATTR, XINCLUDE or HUGE: see the top of the file. */
	int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
		      XML_PARSE_BIG_LINES | XML_PARSE_NOCDATA;
	xmlDocPtr doc = xmlCtxtReadMemory(ctxt, bytes, (int)len, NULL, encoding, options);
	int r;
	if (st.saw_dtd)
		r = ss_diag_set(d, display, (size_t)(st.dtd_line > 0 ? st.dtd_line : 0),
				(size_t)(st.dtd_col > 0 ? st.dtd_col : 0),
				"has a DTD (<!DOCTYPE>); a Group Policy Registry.xml has none, "
				"and sshsync reads no DTD (entities could read files or "
				"expand without end)");
	else if (!doc || !ctxt->wellFormed)
		r = parse_error(&st, display, d);
	else
		r = read_document(x, doc, d);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	free(st.err_message);
	return r;
}

int ss_gppxml_parse(ss_gppxml *x, const char *display, const void *bytes, size_t len,
		    ss_diag *d)
{
	return parse_with(x, display, bytes, len, NULL, d);
}

int ss_gppxml_load(ss_gppxml *x, const char *path, ss_diag *d)
{
	ss_text t;
	memset(x, 0, sizeof(*x));
	if (ss_text_load(&t, path, GPPXML_LIMIT, d) < 0)
		return -1;
	int r = parse_with(x, path, t.data, t.len, t.enc == SS_ENC_UTF16LE ? "UTF-8" : NULL, d);
	ss_text_free(&t);
	return r;
}

void ss_gppxml_free(ss_gppxml *x)
{
	for (size_t i = 0; i < x->n; i++) {
		free(x->v[i].hive);
		free(x->v[i].key);
		free(x->v[i].name);
		free(x->v[i].type);
		free(x->v[i].value);
	}
	free(x->v);
	free(x->path);
	memset(x, 0, sizeof(*x));
}
