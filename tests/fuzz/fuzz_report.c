/* The report writers on hostile scopes. The input is a list of fields
 * separated by NUL bytes, taken four at a time as a scope's file, name,
 * set_at (digits only: "FILE:DIGITS" of the scope's own file) and a
 * reason (an empty reason: none); numbers come from each
 * field's hash. Every report must hold every scope, text must carry no
 * control character but its line ends and no line per scope but its own,
 * JSON must parse with jansson and JUnit with libxml2, and a name that is
 * printable UTF-8 must come back as it is. The JSON report, written by
 * hand, must be byte for byte what jansson writes for the same objects
 * (reference_json below, how the report was written before), also when it
 * goes out in pieces through a sink. So must the JUnit report, written by
 * hand too, be what libxml2's xmlTextWriter writes (reference_junit,
 * the writer it had before), but for the timestamps. */
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sshsync/os_sys.h"
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
	/* A set_at of digits only is "FILE:DIGITS" of the scope's own file,
	 * the case the JSON writer shortens (it reuses the file's text). */
	int digits = *f[2] != '\0';
	for (const char *p = f[2]; *p && digits; p++)
		digits = *p >= '0' && *p <= '9';
	char *at = digits ? ss_asprintf("%s:%s", f[0], f[2]) : NULL;
	FUZZ_CHECK(!digits || at, "out of memory");
	FUZZ_CHECK(ss_scope_set_at(sc, at ? at : *f[2] ? f[2] : NULL) == 0, "out of memory");
	free(at);
	/* A witness, a site without keepalives (n/a), an error scope: what
	 * the reports write apart. */
	unsigned extra = (unsigned)(h >> 13) % 8;
	if (extra == 1)
		FUZZ_CHECK(ss_scope_set_witness(sc, f[2]) == 0, "out of memory");
	sc->not_applicable = extra == 2;
	if (extra == 3) {
		sc->error = 1;
		sc->interval = SS_UNKNOWN;
	}
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

/* --- the reference: each scope a jansson object, dumped --- */

static json_t *ref_text(const char *s)
{
	if (ss_utf8_valid(s, strlen(s)))
		return json_string(s);
	ss_buf b = SS_BUF_INIT;
	FUZZ_CHECK(ss_report_add_printable(&b, s) == 0, "out of memory");
	json_t *j = json_string(ss_buf_str(&b));
	ss_buf_release(&b);
	return j;
}

static json_t *ref_int(long v)
{
	return v == SS_UNSET || v == SS_UNKNOWN ? json_null() : json_integer(v);
}

static void ref_dump(ss_buf *out, json_t *j)
{
	FUZZ_CHECK(j, "jansson refused a value");
	char *t = json_dumps(j, JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	FUZZ_CHECK(t && ss_buf_adds(out, t) == 0, "out of memory");
	free(t);
	json_decref(j);
}

static json_t *ref_scope(const ss_scope *sc)
{
	json_t *o = json_object(), *reasons = json_array();
	FUZZ_CHECK(o && reasons, "out of memory");
	int r = json_object_set_new(o, "kind", ref_text(sc->kind));
	r |= json_object_set_new(o, "file", ref_text(sc->file));
	r |= json_object_set_new(o, "scope", ref_text(sc->name));
	r |= json_object_set_new(o, "witness", sc->witness ? ref_text(sc->witness) : json_null());
	r |= json_object_set_new(o, "interval", ref_int(sc->interval));
	r |= json_object_set_new(o, "period", ref_int(ss_scope_period(sc)));
	r |= json_object_set_new(o, "count_max", ref_int(sc->count_max));
	r |= json_object_set_new(o, "tcp_keepalive",
				 sc->tcp_keepalive == SS_UNSET || sc->tcp_keepalive == SS_UNKNOWN
				     ? json_null()
				     : json_boolean(sc->tcp_keepalive));
	r |= json_object_set_new(o, "set_at", sc->set_at ? ref_text(sc->set_at) : json_null());
	r |= json_object_set_new(o, "status", json_string(ss_scope_status(sc)));
	for (size_t i = 0; i < sc->reasons.n; i++)
		r |= json_array_append_new(reasons, ref_text(sc->reasons.v[i]));
	r |= json_object_set_new(o, "reasons", reasons);
	FUZZ_CHECK(r == 0, "jansson refused a scope");
	return o;
}

static void reference_json(const ss_scopes *s, long nat, ss_buf *out)
{
	size_t failed = 0, errors = 0, na = 0;
	FUZZ_CHECK(ss_buf_adds(out, "{\n  \"sshsync\": ") == 0, "out of memory");
	ref_dump(out, json_string(SSHSYNC_VERSION));
	FUZZ_CHECK(ss_buf_addf(out, ",\n  \"nat_timeout\": %ld,\n  \"scopes\": [", nat) == 0,
		   "out of memory");
	for (size_t i = 0; i < s->n; i++) {
		FUZZ_CHECK(ss_buf_adds(out, i ? ",\n    " : "\n    ") == 0, "out of memory");
		ref_dump(out, ref_scope(&s->v[i]));
		failed += ss_scope_failed(&s->v[i]) && !s->v[i].error;
		errors += s->v[i].error != 0;
		na += s->v[i].not_applicable && !s->v[i].error;
	}
	FUZZ_CHECK(ss_buf_addf(out,
			       "%s],\n  \"summary\": {\"scopes\": %zu, \"passed\": %zu, "
			       "\"failed\": %zu, \"errors\": %zu}\n}\n",
			       s->n ? "\n  " : "", s->n, s->n - failed - errors - na, failed,
			       errors) == 0,
		   "out of memory");
}

static void same_bytes(const char *what, const ss_buf *want, const ss_buf *got)
{
	if (want->len == got->len && memcmp(want->data, got->data, want->len) == 0)
		return;
	fuzz_show("the reference", want->data, want->len);
	fuzz_show(what, got->data, got->len);
	fuzz_fail("%s differs from its reference (jansson's, libxml2's, the general table) for the "
		  "same scopes",
		  what);
}

/* A sink that gathers what it is handed, as standard output would. */
static int gather(void *ctx, const char *data, size_t len, ss_diag *d)
{
	(void)d;
	return ss_buf_add(ctx, data, len);
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

/* --- the JUnit reference: libxml2's writer, as the report was written
 * before (each text made printable first) --- */

static char *ref_printable(const char *s)
{
	ss_buf b = SS_BUF_INIT;
	FUZZ_CHECK(ss_report_add_printable(&b, s) == 0, "out of memory");
	return ss_buf_detach(&b, NULL);
}

static void ref_attr(xmlTextWriterPtr w, const char *name, const char *value)
{
	char *v = ref_printable(value);
	FUZZ_CHECK(xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST v) >= 0, "libxml2");
	free(v);
}

static void ref_start(xmlTextWriterPtr w, const char *name)
{
	FUZZ_CHECK(xmlTextWriterStartElement(w, BAD_CAST name) >= 0, "libxml2");
}

static void ref_end(xmlTextWriterPtr w)
{
	FUZZ_CHECK(xmlTextWriterEndElement(w) >= 0, "libxml2");
}

static void ref_count(xmlTextWriterPtr w, const char *name, long v)
{
	FUZZ_CHECK(xmlTextWriterWriteFormatAttribute(w, BAD_CAST name, "%ld", v) >= 0, "libxml2");
}

/* The failure's text, each piece printable on its own. */
static char *ref_body(const ss_scope *sc)
{
	ss_buf b = SS_BUF_INIT;
	int r = 0;
	for (size_t i = 0; i < sc->reasons.n; i++)
		r |= ss_report_add_printable(&b, sc->reasons.v[i]) | ss_buf_addc(&b, '\n');
	if (sc->witness)
		r |= ss_buf_adds(&b, "witness: ") | ss_report_add_printable(&b, sc->witness) |
		     ss_buf_addc(&b, '\n');
	if (!sc->error && sc->interval == SS_UNKNOWN)
		r |= ss_buf_adds(&b, "interval: ? (unknown)\n");
	else if (!sc->error && sc->interval == 0)
		r |= ss_buf_adds(&b, "interval: off\n");
	else if (!sc->error)
		r |= ss_buf_addf(&b, "interval: %llds\n", sc->interval);
	if (sc->interval > 0 && ss_scope_period(sc) != sc->interval)
		r |= ss_buf_addf(&b, "period on the wire: %llds\n", ss_scope_period(sc));
	if (!sc->error)
		r |= ss_buf_adds(&b, "set at: ") |
		     ss_report_add_printable(&b, sc->set_at ? sc->set_at : "default") |
		     ss_buf_addc(&b, '\n');
	FUZZ_CHECK(r == 0, "out of memory");
	return ss_buf_detach(&b, NULL);
}

static void ref_case(xmlTextWriterPtr w, const ss_scope *sc, const char *classname)
{
	ref_start(w, "testcase");
	ref_attr(w, "name", sc->name);
	ref_attr(w, "classname", classname);
	ref_attr(w, "time", "0");
	const char *first = sc->reasons.n ? sc->reasons.v[0] : "";
	if (ss_scope_failed(sc)) {
		ref_start(w, sc->error ? "error" : "failure");
		ref_attr(w, "message", first);
		ref_attr(w, "type", sc->error ? "error" : "keepalive");
		char *body = ref_body(sc);
		FUZZ_CHECK(xmlTextWriterWriteString(w, BAD_CAST body) >= 0, "libxml2");
		free(body);
		ref_end(w);
	} else if (sc->not_applicable) {
		ref_start(w, "skipped");
		ref_attr(w, "message", sc->reasons.n ? first : "not applicable");
		ref_end(w);
	}
	ref_end(w);
}

/* The suite of the scopes [from, to), all of one kind and file. */
static void ref_suite(xmlTextWriterPtr w, const ss_scopes *s, size_t from, size_t to, long id)
{
	const ss_scope *first = &s->v[from];
	long failures = 0, errors = 0, skipped = 0;
	ss_buf out = SS_BUF_INIT;
	for (size_t i = from; i < to; i++) {
		failures += ss_scope_failed(&s->v[i]) && !s->v[i].error;
		errors += s->v[i].error != 0;
		skipped += s->v[i].not_applicable && !s->v[i].error;
		if (s->v[i].witness)
			FUZZ_CHECK((ss_report_add_printable(&out, s->v[i].name) |
				    ss_buf_adds(&out, ": witness ") |
				    ss_report_add_printable(&out, s->v[i].witness) |
				    ss_buf_addc(&out, '\n')) == 0,
				   "out of memory");
	}
	char host[256];
	if (ss_os_hostname(host, sizeof(host)) < 0 || !host[0])
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	char *package = ss_asprintf("sshsync.%s", first->kind);
	char *classname = ss_asprintf("%s:%s", first->kind, first->file);
	FUZZ_CHECK(package && classname, "out of memory");
	ref_start(w, "testsuite");
	ref_attr(w, "name", first->file);
	ref_attr(w, "package", package);
	ref_count(w, "id", id);
	ref_attr(w, "timestamp", "");
	ref_attr(w, "hostname", host);
	ref_count(w, "tests", (long)(to - from));
	ref_count(w, "failures", failures);
	ref_count(w, "errors", errors);
	ref_attr(w, "time", "0");
	if (skipped)
		ref_count(w, "skipped", skipped);
	ref_start(w, "properties");
	ref_end(w);
	for (size_t i = from; i < to; i++)
		ref_case(w, &s->v[i], classname);
	FUZZ_CHECK(xmlTextWriterWriteElement(w, BAD_CAST "system-out", BAD_CAST ss_buf_str(&out)) >=
			   0 &&
		       xmlTextWriterWriteElement(w, BAD_CAST "system-err", BAD_CAST "") >= 0,
		   "libxml2");
	ref_end(w);
	free(package);
	free(classname);
	ss_buf_release(&out);
}

static void reference_junit(const ss_scopes *s, ss_buf *out)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	FUZZ_CHECK(w && xmlTextWriterSetIndent(w, 1) >= 0 &&
		       xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) >= 0,
		   "libxml2");
	ref_start(w, "testsuites");
	long id = 0;
	for (size_t from = 0, to; from < s->n; from = to) {
		for (to = from + 1; to < s->n && strcmp(s->v[to].kind, s->v[from].kind) == 0 &&
				    strcmp(s->v[to].file, s->v[from].file) == 0;
		     to++)
			;
		ref_suite(w, s, from, to, id++);
	}
	FUZZ_CHECK(xmlTextWriterEndDocument(w) >= 0, "libxml2");
	xmlFreeTextWriter(w);
	FUZZ_CHECK(ss_buf_add(out, xmlBufferContent(buf), (size_t)xmlBufferLength(buf)) == 0,
		   "out of memory");
	xmlBufferFree(buf);
}

/* The end of the attribute value that starts at `v` (after its opening
 * quote): a value holds no raw quote, a quote in a name being &quot;. */
static const char *value_end(const char *v)
{
	const char *e = strchr(v, '"');
	FUZZ_CHECK(e, "an attribute value without its end");
	return e;
}

/* The timestamps emptied: the time of the run. The tags are walked
 * attribute by attribute, because a name may hold ` timestamp="` itself (a
 * scope named ` timestamp=` ends its name attribute so). */
static void blank_timestamps(ss_buf *b)
{
	ss_buf t = SS_BUF_INIT;
	static const char attr[] = "timestamp";
	const char *p = ss_buf_str(b), *kept = p;
	while ((p = strchr(p, '<'))) {
		p += strcspn(p, " >");
		while (*p == ' ') {
			const char *name = p + 1, *eq = strchr(name, '=');
			FUZZ_CHECK(eq && eq[1] == '"', "an attribute without its value");
			const char *end = value_end(eq + 2);
			if ((size_t)(eq - name) == sizeof(attr) - 1 &&
			    memcmp(name, attr, sizeof(attr) - 1) == 0) {
				FUZZ_CHECK(ss_buf_add(&t, kept, (size_t)(eq + 2 - kept)) == 0,
					   "out of memory");
				kept = end;
			}
			p = end + 1;
		}
	}
	FUZZ_CHECK(ss_buf_adds(&t, kept) == 0, "out of memory");
	ss_buf_release(b);
	*b = t;
}

typedef int (*report_fn)(const ss_scopes *, const ss_report_opts *, ss_buf *, ss_diag *);

/* The report `out` is `want`, also when it goes out in pieces through a
 * sink; `stamps`: but for the JUnit timestamps. */
static void check_bytes(const char *what, const ss_scopes *s, const ss_report_opts *o,
			const ss_buf *out, ss_buf *want, report_fn report, int stamps)
{
	ss_buf whole = SS_BUF_INIT, got = SS_BUF_INIT, rest = SS_BUF_INIT;
	FUZZ_CHECK(ss_buf_add(&whole, out->data ? out->data : "", out->len) == 0, "out of memory");
	if (stamps)
		blank_timestamps(&whole);
	same_bytes(what, want, &whole);
	ss_report_opts so = *o;
	so.flush = gather;
	so.flush_ctx = &got;
	so.flush_at = 1 + (s->n ? strlen(s->v[0].name) % 300 : 0);
	ss_diag d = SS_DIAG_INIT;
	FUZZ_CHECK(report(s, &so, &rest, &d) == 0, "%s through a sink failed", what);
	FUZZ_CHECK(ss_buf_add(&got, rest.data ? rest.data : "", rest.len) == 0, "out of memory");
	if (stamps)
		blank_timestamps(&got);
	same_bytes("... through a sink", want, &got);
	fuzz_diag_done(&d);
	ss_buf_release(want);
	ss_buf_release(&whole);
	ss_buf_release(&got);
	ss_buf_release(&rest);
}

/* The table with its rows written the quick way where their cells fit is
 * the table with every row wrapped cell by cell, at widths and in colour
 * chosen by the input. */
static void check_quick_rows(const ss_scopes *s, size_t size)
{
	static const size_t widths[] = {0, 40, 80, 120};
	ss_report_opts o = {.format = SS_FORMAT_TEXT, .nat_timeout = 240};
	o.width = widths[size % 4];
	o.color = (int)(size / 4 % 2);
	o.verbose = (int)(size / 8 % 2);
	ss_buf quick = SS_BUF_INIT, general = SS_BUF_INIT;
	ss_diag d = SS_DIAG_INIT;
	FUZZ_CHECK(ss_report_text(s, &o, &quick, &d) == 0, "text report failed");
	o.general_rows = 1;
	FUZZ_CHECK(ss_report_text(s, &o, &general, &d) == 0, "text report failed");
	same_bytes("the table of quick rows", &general, &quick);
	fuzz_diag_done(&d);
	ss_buf_release(&quick);
	ss_buf_release(&general);
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
	check_quick_rows(&s, size);
	ss_buf_reset(&out);
	FUZZ_CHECK(ss_report_json(&s, &o, &out, &d) == 0, "JSON report failed: %s",
		   d.message ? d.message : "");
	check_json(&s, &out);
	ss_buf want = SS_BUF_INIT;
	reference_json(&s, o.nat_timeout, &want);
	check_bytes("the JSON report", &s, &o, &out, &want, ss_report_json, 0);
	ss_buf_reset(&out);
	FUZZ_CHECK(ss_report_junit(&s, &o, &out, &d) == 0, "JUnit report failed: %s",
		   d.message ? d.message : "");
	check_junit(&s, &out);
	reference_junit(&s, &want);
	check_bytes("the JUnit report", &s, &o, &out, &want, ss_report_junit, 1);
	ss_buf_release(&out);
	fuzz_diag_done(&d);
	ss_scopes_free(&s);
	return 0;
}
