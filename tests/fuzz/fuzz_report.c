/* The report writers on hostile scopes. The input is a list of fields
 * separated by NUL bytes, taken four at a time as a scope's file, name,
 * set_at and a reason (an empty reason: none); numbers come from each
 * field's hash. Every report must hold every scope, text must carry no
 * control character but its line ends and no line per scope but its own,
 * JSON must parse with jansson and JUnit with libxml2, and a name that is
 * printable UTF-8 must come back as it is. */
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sshsync/report.h"
#include "sshsync/text.h"

#define MAX_SCOPES 64

static const char *const kinds[] = {"ssh", "sshd", "putty", "kitty", "winscp", "gpp"};

static long number(uint64_t h)
{
	static const long v[] = {0, 60, 240, 1, 30, 300, SS_UNSET, SS_UNKNOWN};
	return v[h % 8];
}

static void add_scope(ss_scopes *s, char *const f[4])
{
	uint64_t h = ss_hash_bytes(f[1], strlen(f[1]));
	ss_scope *sc = ss_scopes_add(s, kinds[h % 6], f[0], f[1]);
	FUZZ_CHECK(sc, "out of memory");
	sc->interval = number(h >> 3);
	sc->count_max = number(h >> 6);
	sc->tcp_keepalive = (h >> 9) % 3 == 2 ? SS_UNSET : (long)((h >> 9) % 3);
	FUZZ_CHECK(ss_scope_set_at(sc, *f[2] ? f[2] : NULL) == 0, "out of memory");
	if (*f[3])
		FUZZ_CHECK(ss_scope_reason(sc, "%s", f[3]) == 0, "out of memory");
	ss_policy pol;
	ss_policy_init(&pol);
	pol.interval = (h >> 12) & 1 ? 60 : SS_UNSET;
	FUZZ_CHECK(ss_scope_judge(sc, &pol) == 0, "out of memory");
}

/* Splits the input at NUL bytes into fields, four to a scope. */
static void build(const uint8_t *data, size_t size, ss_scopes *s)
{
	ss_strlist f = SS_STRLIST_INIT;
	for (size_t i = 0; i < size && f.n < 4 * MAX_SCOPES;) {
		const uint8_t *z = memchr(data + i, '\0', size - i);
		size_t len = z ? (size_t)(z - (data + i)) : size - i;
		FUZZ_CHECK(ss_strlist_push_owned(&f, fuzz_cstr(data + i, len)) == 0, "oom");
		i += len + 1;
	}
	while (f.n % 4)
		FUZZ_CHECK(ss_strlist_push(&f, "") == 0, "out of memory");
	for (size_t i = 0; i < f.n; i += 4)
		add_scope(s, f.v + i);
	ss_strlist_release(&f);
}

/* Printable UTF-8 (no C0 control, no DEL), which then comes back as is. */
static int printable(const char *s)
{
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = ss_utf8_decode((const unsigned char *)s + i, len - i, &cp, 0);
		if (!n || cp < 0x20 || cp == 0x7F)
			return 0;
		i += n;
	}
	return 1;
}

static void check_text(const ss_scopes *s, const ss_buf *out)
{
	size_t lines = 0, start = 0;
	for (size_t i = 0; i <= out->len; i++) {
		if (i < out->len && out->data[i] != '\n')
			continue;
		if (!fuzz_terminal_safe(out->data + start, i - start)) {
			fuzz_show("text", out->data, out->len);
			fuzz_fail("text report line %zu holds a control or is no UTF-8", lines + 1);
		}
		lines += i < out->len;
		start = i + 1;
	}
	/* With no width to fit: the column headings, per scope at most its
	 * file's heading, its row and its diagnostic's line, the summary: never
	 * more lines than that (a name cannot add a line). */
	FUZZ_CHECK(lines <= 3 * s->n + 2, "text report has %zu lines for %zu scopes", lines, s->n);
}

static void check_json(const ss_scopes *s, const ss_buf *out)
{
	json_error_t err;
	json_t *j = json_loadb(out->data, out->len, 0, &err);
	if (!j) {
		fuzz_show("json", out->data, out->len);
		fuzz_fail("JSON report does not parse: %s (line %d)", err.text, err.line);
	}
	json_t *scopes = json_object_get(j, "scopes");
	FUZZ_CHECK(json_is_array(scopes) && json_array_size(scopes) == s->n,
		   "JSON report has not %zu scopes", s->n);
	for (size_t i = 0; i < s->n; i++) {
		const char *name =
		    json_string_value(json_object_get(json_array_get(scopes, i), "scope"));
		FUZZ_CHECK(name, "JSON scope %zu has no name", i);
		if (printable(s->v[i].name))
			FUZZ_CHECK(strcmp(name, s->v[i].name) == 0, "JSON scope '%s' shown as '%s'",
				   s->v[i].name, name);
	}
	json_decref(j);
}

static size_t count_elements(xmlNode *n, const char *name)
{
	size_t c = 0;
	for (; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			c += (strcmp((const char *)n->name, name) == 0) +
			     count_elements(n->children, name);
	return c;
}

static void check_junit(const ss_scopes *s, const ss_buf *out)
{
	xmlDoc *doc = xmlReadMemory(out->data, (int)out->len, "junit.xml", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		fuzz_show("junit", out->data, out->len);
		fuzz_fail("JUnit report is not well-formed XML");
	}
	size_t n = count_elements(xmlDocGetRootElement(doc), "testcase");
	FUZZ_CHECK(n == s->n, "JUnit report has %zu testcases for %zu scopes", n, s->n);
	xmlFreeDoc(doc);
}

int fuzz_report(const uint8_t *data, size_t size)
{
	ss_scopes s = SS_SCOPES_INIT;
	build(data, size, &s);
	ss_report_opts o = {.format = SS_FORMAT_TEXT, .nat_timeout = 240};
	ss_buf out = SS_BUF_INIT;
	ss_diag d = SS_DIAG_INIT;
	FUZZ_CHECK(ss_report_text(&s, &o, &out, &d) == 0, "text report failed");
	check_text(&s, &out);
	ss_buf_reset(&out);
	FUZZ_CHECK(ss_report_json(&s, &o, &out, &d) == 0, "JSON report failed: %s",
		   d.message ? d.message : "");
	check_json(&s, &out);
	ss_buf_reset(&out);
	FUZZ_CHECK(ss_report_junit(&s, &o, &out, &d) == 0, "JUnit report failed: %s",
		   d.message ? d.message : "");
	check_junit(&s, &out);
	ss_buf_release(&out);
	fuzz_diag_done(&d);
	ss_scopes_free(&s);
	return 0;
}
