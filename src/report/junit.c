/* The audit as JUnit XML (Ant/Jenkins shape; GitLab reads it too): a
 * testsuite per target file, a testcase per scope, a failure per failing
 * scope. Written with libxml2's writer so that escaping is never ours. */
#include <libxml/xmlwriter.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sshsync/report.h"
#include "sshsync/os_sys.h"

/* XML 1.0 cannot carry control characters even escaped: show them as \xNN. */
static char *xml_text(const char *s)
{
	ss_buf b = SS_BUF_INIT;
	if (ss_report_add_printable(&b, s) < 0) {
		ss_buf_release(&b);
		return NULL;
	}
	return ss_buf_detach(&b, NULL);
}

static int attr(xmlTextWriterPtr w, const char *name, const char *value)
{
	char *v = xml_text(value);
	if (!v)
		return -1;
	int r = xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST v);
	free(v);
	return r < 0 ? -1 : 0;
}

static int attrf_long(xmlTextWriterPtr w, const char *name, long value)
{
	return xmlTextWriterWriteFormatAttribute(w, BAD_CAST name, "%ld", value) < 0 ? -1 : 0;
}

/* The failure's text, one fact a line (GitLab shows it as it is). Each
 * piece is made printable on its own so that the line breaks stay real
 * and a hostile name cannot add a line. */
static char *failure_text(const ss_scope *sc)
{
	ss_buf b = SS_BUF_INIT;
	int r = 0;
	for (size_t i = 0; i < sc->reasons.n; i++) {
		r |= ss_report_add_printable(&b, sc->reasons.v[i]);
		r |= ss_buf_addc(&b, '\n');
	}
	if (sc->witness) {
		r |= ss_buf_adds(&b, "witness: ");
		r |= ss_report_add_printable(&b, sc->witness);
		r |= ss_buf_addc(&b, '\n');
	}
	if (!sc->error && sc->interval == SS_UNKNOWN)
		r |= ss_buf_adds(&b, "interval: ? (unknown)\n");
	else if (!sc->error && sc->interval == 0)
		r |= ss_buf_adds(&b, "interval: off\n");
	else if (!sc->error)
		r |= ss_buf_addf(&b, "interval: %llds\n", sc->interval);
	if (sc->interval > 0 && ss_scope_period(sc) != sc->interval)
		r |= ss_buf_addf(&b, "period on the wire: %llds\n", ss_scope_period(sc));
	/* an error scope has no value, so no place one was set */
	if (!sc->error) {
		r |= ss_buf_adds(&b, "set at: ");
		r |= ss_report_add_printable(&b, sc->set_at ? sc->set_at : "default");
		r |= ss_buf_addc(&b, '\n');
	}
	if (r) {
		ss_buf_release(&b);
		return NULL;
	}
	return ss_buf_detach(&b, NULL);
}

static int write_case(xmlTextWriterPtr w, const ss_scope *sc)
{
	char *classname = ss_asprintf("%s:%s", sc->kind, sc->file);
	int r = !classname || xmlTextWriterStartElement(w, BAD_CAST "testcase") < 0;
	r = r || attr(w, "name", sc->name) || attr(w, "classname", classname) ||
	    attr(w, "time", "0");
	free(classname);
	if (!r && ss_scope_failed(sc)) {
		char *body = failure_text(sc);
		r = !body ||
		    xmlTextWriterStartElement(w, BAD_CAST(sc->error ? "error" : "failure")) < 0 ||
		    attr(w, "message", sc->reasons.v[0]) ||
		    attr(w, "type", sc->error ? "error" : "keepalive") ||
		    xmlTextWriterWriteString(w, BAD_CAST body) < 0 ||
		    xmlTextWriterEndElement(w) < 0;
		free(body);
	} else if (!r && sc->not_applicable) {
		r = xmlTextWriterStartElement(w, BAD_CAST "skipped") < 0 ||
		    attr(w, "message", sc->reasons.n ? sc->reasons.v[0] : "not applicable") ||
		    xmlTextWriterEndElement(w) < 0;
	}
	return r || xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

/* The suite's standard output: the host each scope with a witness is
 * judged on ("Host *.corp: witness sshsync-any.corp"), one a line, so that
 * passing scopes show theirs too (testcase names stay the scope names). */
static char *witnesses_text(const ss_scopes *s, size_t first, size_t end)
{
	ss_buf b = SS_BUF_INIT;
	int r = ss_buf_grow(&b, 0);
	for (size_t i = first; i < end && !r; i++) {
		if (!s->v[i].witness)
			continue;
		r |= ss_report_add_printable(&b, s->v[i].name);
		r |= ss_buf_adds(&b, ": witness ");
		r |= ss_report_add_printable(&b, s->v[i].witness);
		r |= ss_buf_addc(&b, '\n');
	}
	if (r) {
		ss_buf_release(&b);
		return NULL;
	}
	return ss_buf_detach(&b, NULL);
}

static int write_suite(xmlTextWriterPtr w, const ss_scopes *s, size_t first, size_t end, size_t id,
		       const char *stamp, const char *host)
{
	const ss_scope *sc = &s->v[first];
	long failures = 0, errors = 0, skipped = 0;
	for (size_t i = first; i < end; i++) {
		failures += ss_scope_failed(&s->v[i]) && !s->v[i].error;
		errors += s->v[i].error != 0;
		skipped += s->v[i].not_applicable && !s->v[i].error;
	}
	char *package = ss_asprintf("sshsync.%s", sc->kind);
	int r = !package || xmlTextWriterStartElement(w, BAD_CAST "testsuite") < 0;
	r = r || attr(w, "name", sc->file) || attr(w, "package", package) ||
	    attrf_long(w, "id", (long)id) || attr(w, "timestamp", stamp) ||
	    attr(w, "hostname", host) || attrf_long(w, "tests", (long)(end - first)) ||
	    attrf_long(w, "failures", failures) || attrf_long(w, "errors", errors) ||
	    attr(w, "time", "0") || (skipped && attrf_long(w, "skipped", skipped));
	free(package);
	r = r || xmlTextWriterStartElement(w, BAD_CAST "properties") < 0 ||
	    xmlTextWriterEndElement(w) < 0;
	for (size_t i = first; i < end && !r; i++)
		r = write_case(w, &s->v[i]);
	char *out = witnesses_text(s, first, end);
	r = r || !out || xmlTextWriterWriteElement(w, BAD_CAST "system-out", BAD_CAST out) < 0 ||
	    xmlTextWriterWriteElement(w, BAD_CAST "system-err", BAD_CAST "") < 0 ||
	    xmlTextWriterEndElement(w) < 0;
	free(out);
	return r ? -1 : 0;
}

static int same_suite(const ss_scope *a, const ss_scope *b)
{
	return strcmp(a->kind, b->kind) == 0 && strcmp(a->file, b->file) == 0;
}

static int write_document(xmlTextWriterPtr w, const ss_scopes *s)
{
	char stamp[32], host[256];
	time_t now = time(NULL);
	struct tm tm;
	if (ss_os_gmtime(now, &tm) < 0 || !strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm))
		return -1;
	if (ss_os_hostname(host, sizeof(host)) < 0 || !host[0])
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	xmlTextWriterSetIndent(w, 1);
	int r = xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0 ||
		xmlTextWriterStartElement(w, BAD_CAST "testsuites") < 0;
	size_t id = 0;
	for (size_t i = 0; i < s->n && !r;) {
		size_t j = i + 1;
		while (j < s->n && same_suite(&s->v[i], &s->v[j]))
			j++;
		r = write_suite(w, s, i, j, id++, stamp, host);
		i = j;
	}
	return r || xmlTextWriterEndDocument(w) < 0 ? -1 : 0;
}

int ss_report_junit(const ss_scopes *s, const ss_report_opts *o, ss_buf *out, ss_diag *d)
{
	(void)o;
	xmlBufferPtr xb = xmlBufferCreate();
	xmlTextWriterPtr w = xb ? xmlNewTextWriterMemory(xb, 0) : NULL;
	int r = !w || write_document(w, s) < 0;
	if (w)
		xmlFreeTextWriter(w); /* flushes into xb */
	if (!r)
		r = ss_buf_add(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb)) < 0;
	if (xb)
		xmlBufferFree(xb);
	return r ? ss_diag_set(d, NULL, 0, 0, "cannot write the JUnit report") : 0;
}
