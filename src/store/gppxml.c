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

struct reader;

typedef struct parse_state {
	struct reader *rd;
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
		r = c < 0x20 || c == 0x7F ? ss_buf_addf(&b, "\\x%02X", c)
					  : ss_buf_addc(&b, (char)c);
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

/* The reader is streaming (SAX): a Registry.xml of 10,000 sessions is read
 * without building its tree. One frame per open element. */
typedef enum frame_kind { F_ROOT, F_COLLECTION, F_REGISTRY, F_OTHER } frame_kind;

typedef struct frame {
	frame_kind kind;
	int disabled;  /* this element or one around it has disabled="1" */
	int has_props; /* F_REGISTRY: its <Properties> was seen */
	size_t line;
} frame;

typedef struct reader {
	xmlParserCtxtPtr ctxt;
	ss_gppxml *x;
	ss_diag *d;
	int failed;
	frame *stack;
	size_t depth;
	size_t cap;
} reader;

/* Stops the parser with an error already in the diagnostic. */
static void stop(reader *rd)
{
	rd->failed = 1;
	xmlStopParser(rd->ctxt);
}

/* An attribute (no namespace) as a new C string; "" when absent; NULL when
 * out of memory. libxml2 hands a SAX reader an '&' in an attribute as the
 * reference "&#38;" when entities are not substituted: decode it, the one
 * reference that can remain in a document without a DTD. */
static char *attr_value(const xmlChar **attrs, int nattrs, const char *name)
{
	for (int i = 0; i < nattrs; i++) {
		const xmlChar *const *a = attrs + 5 * i;
		if (a[2] || !xmlStrEqual(a[0], BAD_CAST name))
			continue;
		const char *v = (const char *)a[3], *end = (const char *)a[4];
		ss_buf b = SS_BUF_INIT;
		int r = 0;
		while (v < end && !r) {
			if (end - v >= 5 && memcmp(v, "&#38;", 5) == 0) {
				r = ss_buf_addc(&b, '&');
				v += 5;
			} else {
				r = ss_buf_addc(&b, *v++);
			}
		}
		if (r || ss_buf_addc(&b, '\0') < 0) {
			ss_buf_release(&b);
			return NULL;
		}
		return ss_buf_detach(&b, NULL);
	}
	return ss_strdup("");
}

static int attr_is_one(const xmlChar **attrs, int nattrs, const char *name)
{
	char *v = attr_value(attrs, nattrs, name);
	int one = v && strcmp(v, "1") == 0;
	free(v);
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

static int read_action(const char *v, char *action)
{
	if (!*v)
		*action = 'U';
	else if (strlen(v) == 1 && strchr("CRUD", v[0]))
		*action = v[0];
	else
		return -1;
	return 0;
}

/* A <Properties> of a <Registry> item: the item itself. */
static int read_item(reader *rd, const frame *reg, const xmlChar **attrs, int nattrs, size_t line)
{
	ss_gpp_item *it = new_item(rd->x);
	if (!it)
		return ss_diag_oom(rd->d);
	it->line = line;
	it->disabled = reg->disabled;
	it->is_default = attr_is_one(attrs, nattrs, "default");
	char *action = attr_value(attrs, nattrs, "action");
	if (!action)
		return ss_diag_oom(rd->d);
	int bad = read_action(action, &it->action) < 0;
	free(action);
	if (bad)
		return ss_diag_set(rd->d, rd->x->path, line, 0,
				   "action is not C, R, U or D (create, replace, update, delete)");
	it->hive = attr_value(attrs, nattrs, "hive");
	it->key = attr_value(attrs, nattrs, "key");
	it->name = attr_value(attrs, nattrs, "name");
	it->type = attr_value(attrs, nattrs, "type");
	it->value = attr_value(attrs, nattrs, "value");
	if (!it->hive || !it->key || !it->name || !it->type || !it->value)
		return ss_diag_oom(rd->d);
	return 0;
}

static frame *push(reader *rd, frame_kind kind, int disabled, size_t line)
{
	if (rd->depth == rd->cap) {
		size_t cap = rd->cap ? rd->cap * 2 : 16;
		frame *v = realloc(rd->stack, cap * sizeof(*v));
		if (!v)
			return NULL;
		rd->stack = v;
		rd->cap = cap;
	}
	frame *f = &rd->stack[rd->depth++];
	*f = (frame){kind, disabled, 0, line};
	return f;
}

/* What an element is, from where it stands: the root must be
 * <RegistrySettings>; items are <Registry> elements directly in it or in
 * (nested) <Collection>s; an item's first <Properties> child is read.
 * Anything else (Filters, ...) is skipped with all it holds. */
static int start_element(reader *rd, const char *name, const xmlChar **attrs, int nattrs,
			 size_t line)
{
	if (rd->depth == 0) {
		if (strcmp(name, "RegistrySettings") != 0)
			return ss_diag_set(rd->d, rd->x->path, line, 0,
					   "is not a Group Policy Registry.xml: expected the "
					   "root element <RegistrySettings>");
		return push(rd, F_ROOT, attr_is_one(attrs, nattrs, "disabled"), line)
			   ? 0
			   : ss_diag_oom(rd->d);
	}
	frame *parent = &rd->stack[rd->depth - 1];
	frame_kind kind = F_OTHER;
	int disabled = parent->disabled;
	if (parent->kind == F_ROOT || parent->kind == F_COLLECTION) {
		if (strcmp(name, "Collection") == 0)
			kind = F_COLLECTION;
		else if (strcmp(name, "Registry") == 0)
			kind = F_REGISTRY;
		if (kind != F_OTHER)
			disabled = disabled || attr_is_one(attrs, nattrs, "disabled");
	} else if (parent->kind == F_REGISTRY && !parent->has_props &&
		   strcmp(name, "Properties") == 0) {
		parent->has_props = 1;
		if (read_item(rd, parent, attrs, nattrs, line) < 0)
			return -1;
	}
	return push(rd, kind, disabled, line) ? 0 : ss_diag_oom(rd->d);
}

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
		     int nns, const xmlChar **ns, int nattrs, int ndefaulted, const xmlChar **attrs)
{
	(void)prefix;
	(void)uri;
	(void)nns;
	(void)ns;
	(void)ndefaulted;
	xmlParserCtxtPtr ctxt = ctx;
	parse_state *st = ctxt->_private;
	reader *rd = st->rd;
	int line = xmlSAX2GetLineNumber(ctx);
	if (!rd->failed && start_element(rd, (const char *)localname, attrs, nattrs,
					 line > 0 ? (size_t)line : 0) < 0)
		stop(rd);
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	(void)localname;
	(void)prefix;
	(void)uri;
	xmlParserCtxtPtr ctxt = ctx;
	parse_state *st = ctxt->_private;
	reader *rd = st->rd;
	if (rd->failed || rd->depth == 0)
		return;
	const frame *f = &rd->stack[--rd->depth];
	if (f->kind == F_REGISTRY && !f->has_props) {
		ss_diag_set(rd->d, rd->x->path, f->line, 0, "<Registry> item without <Properties>");
		stop(rd);
	}
}

/* The text handed to libxml2 a piece at a time: given the whole buffer,
 * libxml2 2.9 first copies it (a Registry.xml of 10,000 sessions twice in
 * memory); read through a callback it keeps only what it has not parsed. */
typedef struct feed {
	const char *at;
	size_t left;
} feed;

static int feed_read(void *ctx, char *buf, int len)
{
	feed *f = ctx;
	size_t n = len > 0 && (size_t)len < f->left ? (size_t)len : f->left;
	memcpy(buf, f->at, n);
	f->at += n;
	f->left -= n;
	return (int)n;
}

static int feed_close(void *ctx)
{
	(void)ctx;
	return 0;
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
	reader rd = {ctxt, x, d, 0, NULL, 0, 0};
	parse_state st = {&rd, 0, 0, 0, 0, 0, 0, NULL};
	ctxt->_private = &st;
	ctxt->sax->internalSubset = refuse_dtd;
	ctxt->sax->serror = keep_first_error;
	/* Streaming: no tree, no text kept; elements go to the reader. */
	ctxt->sax->startElementNs = on_start;
	ctxt->sax->endElementNs = on_end;
	ctxt->sax->characters = NULL;
	ctxt->sax->ignorableWhitespace = NULL;
	ctxt->sax->cdataBlock = NULL;
	ctxt->sax->comment = NULL;
	ctxt->sax->processingInstruction = NULL;
	ctxt->sax->reference = NULL;
	/* No NOENT, DTDLOAD, DTDATTR, XINCLUDE or HUGE: see the top of the file. */
	int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
		      XML_PARSE_BIG_LINES | XML_PARSE_NOCDATA;
	feed f = {bytes, len};
	xmlDocPtr doc = xmlCtxtReadIO(ctxt, feed_read, feed_close, &f, NULL, encoding, options);
	int r;
	if (st.saw_dtd)
		r = ss_diag_set(d, display, (size_t)(st.dtd_line > 0 ? st.dtd_line : 0),
				(size_t)(st.dtd_col > 0 ? st.dtd_col : 0),
				"has a DTD (<!DOCTYPE>); a Group Policy Registry.xml has none, "
				"and sshsync reads no DTD (entities could read files or "
				"expand without end)");
	else if (rd.failed)
		r = -1; /* the reader has said why */
	else if (!ctxt->wellFormed)
		r = parse_error(&st, display, d);
	else
		r = 0;
	xmlFreeDoc(doc); /* the document node only: no tree was built */
	xmlFreeParserCtxt(ctxt);
	free(rd.stack);
	free(st.err_message);
	return r;
}

int ss_gppxml_parse(ss_gppxml *x, const char *display, const void *bytes, size_t len, ss_diag *d)
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
