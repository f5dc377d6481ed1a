/* The audit as JUnit XML (Ant/Jenkins shape; GitLab reads it too): a
 * testsuite per target file, a testcase per scope, a failure per failing
 * scope. Written with libxml2's writer so that escaping is never ours. */
#include <libxml/xmlwriter.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sshsync/report.h"
#include "sshsync/arena.h"
#include "sshsync/os_sys.h"
#include "sshsync/text.h"

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

/* --- the document, a suite at a time ---
 *
 * A suite (the scopes of one file in a row) is gathered as small records
 * of what its testcases say, not as the scopes, and written once it ends:
 * its element carries its counts. The document goes out through
 * libxml2's writer into `out`, and from there to o->flush when set. */

typedef enum case_kind { CASE_PASS, CASE_FAILURE, CASE_ERROR, CASE_SKIPPED } case_kind;

typedef struct junit_case {
	const char *name;
	const char *message; /* failure, error or skipped */
	const char *body;    /* failure or error: one fact a line */
	case_kind kind;
} junit_case;

struct ss_junit_report {
	const ss_report_opts *o;
	ss_buf *out;
	xmlTextWriterPtr w;
	char stamp[32], host[256]; /* of the first suite written */
	size_t id;
	/* the suite being gathered */
	char *file;
	const char *kind;
	ss_arena texts;
	junit_case *cases;
	size_t n, cap;
	long failures, errors, skipped;
	ss_buf witnesses; /* the suite's standard output */
	/* The messages and failure texts kept, each once: most failing
	 * scopes of a store say the same. */
	const char **seen;
	size_t nseen, seencap;
};

/* `s` kept once in the suite's arena (NULL when memory runs out). */
static const char *keep_text(ss_junit_report *jr, const char *s)
{
	if (2 * (jr->nseen + 1) > jr->seencap) {
		size_t cap = jr->seencap ? 2 * jr->seencap : 64;
		const char **v = calloc(cap, sizeof(*v));
		if (!v)
			return NULL;
		for (size_t i = 0; i < jr->seencap; i++) {
			if (!jr->seen[i])
				continue;
			size_t k = ss_hash_key(jr->seen[i], strlen(jr->seen[i])) & (cap - 1);
			while (v[k])
				k = (k + 1) & (cap - 1);
			v[k] = jr->seen[i];
		}
		free(jr->seen);
		jr->seen = v;
		jr->seencap = cap;
	}
	size_t len = strlen(s), k = ss_hash_key(s, len) & (jr->seencap - 1);
	for (; jr->seen[k]; k = (k + 1) & (jr->seencap - 1))
		if (strcmp(jr->seen[k], s) == 0)
			return jr->seen[k];
	const char *kept = ss_arena_strndup(&jr->texts, s, len);
	if (kept) {
		jr->seen[k] = kept;
		jr->nseen++;
	}
	return kept;
}

static int write_case(xmlTextWriterPtr w, const junit_case *c, const char *classname)
{
	int r = xmlTextWriterStartElement(w, BAD_CAST "testcase") < 0;
	r = r || attr(w, "name", c->name) || attr(w, "classname", classname) ||
	    attr(w, "time", "0");
	if (!r && (c->kind == CASE_FAILURE || c->kind == CASE_ERROR)) {
		int error = c->kind == CASE_ERROR;
		r = xmlTextWriterStartElement(w, BAD_CAST(error ? "error" : "failure")) < 0 ||
		    attr(w, "message", c->message) ||
		    attr(w, "type", error ? "error" : "keepalive") ||
		    xmlTextWriterWriteString(w, BAD_CAST c->body) < 0 ||
		    xmlTextWriterEndElement(w) < 0;
	} else if (!r && c->kind == CASE_SKIPPED) {
		r = xmlTextWriterStartElement(w, BAD_CAST "skipped") < 0 ||
		    attr(w, "message", c->message) || xmlTextWriterEndElement(w) < 0;
	}
	return r || xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

/* When the first suite is written: the report's time and machine. */
static int stamp_once(ss_junit_report *jr)
{
	if (jr->stamp[0])
		return 0;
	time_t now = time(NULL);
	struct tm tm;
	if (ss_os_gmtime(now, &tm) < 0 ||
	    !strftime(jr->stamp, sizeof(jr->stamp), "%Y-%m-%dT%H:%M:%S", &tm))
		return -1;
	if (ss_os_hostname(jr->host, sizeof(jr->host)) < 0 || !jr->host[0])
		strcpy(jr->host, "localhost");
	jr->host[sizeof(jr->host) - 1] = '\0';
	return 0;
}

/* -1 with `d` set when o->flush could not write, -2 for libxml2. */
static int write_suite(ss_junit_report *jr, ss_diag *d)
{
	xmlTextWriterPtr w = jr->w;
	char *package = ss_asprintf("sshsync.%s", jr->kind);
	char *classname = ss_asprintf("%s:%s", jr->kind, jr->file);
	int r = !package || !classname || stamp_once(jr) < 0 ||
		xmlTextWriterStartElement(w, BAD_CAST "testsuite") < 0;
	r = r || attr(w, "name", jr->file) || attr(w, "package", package) ||
	    attrf_long(w, "id", (long)jr->id++) || attr(w, "timestamp", jr->stamp) ||
	    attr(w, "hostname", jr->host) || attrf_long(w, "tests", (long)jr->n) ||
	    attrf_long(w, "failures", jr->failures) || attrf_long(w, "errors", jr->errors) ||
	    attr(w, "time", "0") || (jr->skipped && attrf_long(w, "skipped", jr->skipped));
	free(package);
	r = r || xmlTextWriterStartElement(w, BAD_CAST "properties") < 0 ||
	    xmlTextWriterEndElement(w) < 0;
	for (size_t i = 0; i < jr->n && !r; i++) {
		r = write_case(w, &jr->cases[i], classname);
		if (!r && ss_report_flush_if_full(jr->o, jr->out, d) < 0) {
			free(classname);
			return -1;
		}
	}
	free(classname);
	r = r ||
	    xmlTextWriterWriteElement(w, BAD_CAST "system-out",
				      BAD_CAST ss_buf_str(&jr->witnesses)) < 0 ||
	    xmlTextWriterWriteElement(w, BAD_CAST "system-err", BAD_CAST "") < 0 ||
	    xmlTextWriterEndElement(w) < 0;
	return r ? -2 : 0;
}

/* The suite gathered so far is written, and the next one starts empty
 * (-1 with `d` set, or -2: see write_suite). */
static int end_suite(ss_junit_report *jr, ss_diag *d)
{
	int r = jr->file ? write_suite(jr, d) : 0;
	free(jr->file);
	jr->file = NULL;
	ss_arena_reset(&jr->texts);
	if (jr->seen)
		memset(jr->seen, 0, jr->seencap * sizeof(*jr->seen));
	jr->nseen = 0;
	jr->n = 0;
	jr->failures = jr->errors = jr->skipped = 0;
	ss_buf_reset(&jr->witnesses);
	return r;
}

/* What libxml2's writer produces goes into `out`. */
static int to_out(void *ctx, const char *data, int len)
{
	ss_junit_report *jr = ctx;
	return len < 0 || ss_buf_add(jr->out, data, (size_t)len) < 0 ? -1 : len;
}

static int cannot_write(ss_diag *d)
{
	return ss_diag_set(d, NULL, 0, 0, "cannot write the JUnit report");
}

int ss_report_junit_begin(ss_junit_report **out_jr, const ss_report_opts *o, ss_buf *out,
			  ss_diag *d)
{
	ss_junit_report *jr = calloc(1, sizeof(*jr));
	if (!jr)
		return ss_diag_oom(d);
	jr->o = o;
	jr->out = out;
	xmlOutputBufferPtr ob = xmlOutputBufferCreateIO(to_out, NULL, jr, NULL);
	jr->w = ob ? xmlNewTextWriter(ob) : NULL;
	if (!jr->w && ob)
		xmlOutputBufferClose(ob);
	if (!jr->w || xmlTextWriterSetIndent(jr->w, 1) < 0 ||
	    xmlTextWriterStartDocument(jr->w, NULL, "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElement(jr->w, BAD_CAST "testsuites") < 0) {
		ss_report_junit_free(jr);
		return cannot_write(d);
	}
	*out_jr = jr;
	return 0;
}

/* The testcase's record: its texts in the suite's arena. */
static int gather_case(ss_junit_report *jr, const ss_scope *sc, junit_case *c)
{
	c->kind = ss_scope_failed(sc)  ? (sc->error ? CASE_ERROR : CASE_FAILURE)
		  : sc->not_applicable ? CASE_SKIPPED
				       : CASE_PASS;
	const char *message = c->kind == CASE_SKIPPED && !sc->reasons.n ? "not applicable"
			      : c->kind != CASE_PASS			? sc->reasons.v[0]
									: NULL;
	char *body = c->kind == CASE_FAILURE || c->kind == CASE_ERROR ? failure_text(sc) : NULL;
	int r = (c->kind == CASE_FAILURE || c->kind == CASE_ERROR) && !body;
	c->name = r ? NULL : ss_arena_strndup(&jr->texts, sc->name, strlen(sc->name));
	c->message = message && c->name ? keep_text(jr, message) : NULL;
	c->body = body && c->name ? keep_text(jr, body) : NULL;
	free(body);
	return r || !c->name || (message && !c->message) || (body && !c->body) ? -1 : 0;
}

static int add_witness(ss_buf *b, const ss_scope *sc)
{
	if (!sc->witness)
		return 0;
	return ss_report_add_printable(b, sc->name) | ss_buf_adds(b, ": witness ") |
	       ss_report_add_printable(b, sc->witness) | ss_buf_addc(b, '\n');
}

int ss_report_junit_scope(ss_junit_report *jr, const ss_scope *sc, ss_diag *d)
{
	if (jr->file && !(strcmp(jr->kind, sc->kind) == 0 && strcmp(jr->file, sc->file) == 0)) {
		int r = end_suite(jr, d);
		if (r < 0)
			return r == -1 ? -1 : cannot_write(d);
		if (ss_report_flush_if_full(jr->o, jr->out, d) < 0)
			return -1;
	}
	if (!jr->file) {
		if (!(jr->file = ss_strdup(sc->file)))
			return ss_diag_oom(d);
		jr->kind = sc->kind;
	}
	if (ss_array_room(&jr->cases, &jr->cap, jr->n, sizeof(*jr->cases)) < 0)
		return ss_diag_oom(d);
	if (gather_case(jr, sc, &jr->cases[jr->n]) < 0 || add_witness(&jr->witnesses, sc) < 0)
		return ss_diag_oom(d);
	jr->n++;
	jr->failures += ss_scope_failed(sc) && !sc->error;
	jr->errors += sc->error != 0;
	jr->skipped += sc->not_applicable && !sc->error;
	return 0;
}

int ss_report_junit_end(ss_junit_report *jr, ss_diag *d)
{
	int r = end_suite(jr, d);
	if (r == 0 && xmlTextWriterEndDocument(jr->w) < 0)
		r = -2;
	xmlFreeTextWriter(jr->w); /* flushes into out */
	jr->w = NULL;
	ss_report_junit_free(jr);
	return r == -2 ? cannot_write(d) : r;
}

void ss_report_junit_free(ss_junit_report *jr)
{
	if (!jr)
		return;
	if (jr->w)
		xmlFreeTextWriter(jr->w);
	free(jr->file);
	free(jr->cases);
	free(jr->seen);
	ss_arena_release(&jr->texts);
	ss_buf_release(&jr->witnesses);
	free(jr);
}

int ss_report_junit(const ss_scopes *s, const ss_report_opts *o, ss_buf *out, ss_diag *d)
{
	ss_junit_report *jr = NULL;
	int r = ss_report_junit_begin(&jr, o, out, d);
	for (size_t i = 0; i < s->n && r == 0; i++)
		r = ss_report_junit_scope(jr, &s->v[i], d);
	if (r < 0) {
		ss_report_junit_free(jr);
		return -1;
	}
	return ss_report_junit_end(jr, d);
}
