/* The audit as JUnit XML (Ant/Jenkins shape; GitLab reads it too): a
 * testsuite per target file, a testcase per scope, a failure per failing
 * scope.
 *
 * Written by hand, byte for byte as libxml2's xmlTextWriter wrote it
 * before (indented by one space a level): the writer cost a
 * malloc per string and a copy per escape, 0.9 s of a 100,000-site
 * WinSCP.ini's audit. Every text is first made printable (XML 1.0 cannot
 * carry control characters even escaped: they show as \xNN), then
 * escaped as the writer escaped it; tests/fuzz/fuzz_report.c holds the
 * old writer and compares. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sshsync/report.h"
#include "sshsync/arena.h"
#include "sshsync/os_sys.h"
#include "sshsync/text.h"

/* --- escaping --- */

/* A byte that goes into text and attribute values as it is: printable
 * ASCII but '"', '&', '<' and '>' (the bits of 0x50000044, counted from
 * the space). */
static int plain(unsigned char c)
{
	unsigned d = (unsigned)c - 0x20u;
	return d < 0x5F && !(d < 32 && ((0x50000044u >> d) & 1));
}

/* Sixteen bytes as one vector (GCC's and Clang's vector extension, as in
 * json.c), signed: a byte of 0x80 or above is below 0x20. */
typedef signed char xml_bytes16 __attribute__((vector_size(16)));

/* Whether the 16 bytes at p are all plain. */
static inline int plain16(const unsigned char *p)
{
	xml_bytes16 v;
	memcpy(&v, p, 16);
	xml_bytes16 bad =
	    (v < 0x20) | (v == 0x7F) | (v == '"') | (v == '&') | (v == '<') | (v == '>');
	uint64_t half[2];
	memcpy(half, &bad, 16);
	return !(half[0] | half[1]);
}

/* The length of the plain bytes that p[0..len) starts with: sixteen at
 * a time (a report is mostly names, paths and reasons in ASCII). */
static size_t plain_run(const unsigned char *p, size_t len)
{
	size_t i = 0;
	while (i + 16 <= len && plain16(p + i))
		i += 16;
	while (i < len && plain(p[i]))
		i++;
	return i;
}

static const char *entity(unsigned char c)
{
	switch (c) {
	case '"':
		return "&quot;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '&':
		return "&amp;";
	default:
		return NULL;
	}
}

/* `s` made printable and escaped as the writer escaped attribute values
 * and text alike (a printable text has no line break, tab or CR, the
 * only characters it escaped differently): '"', '&', '<' and '>' as
 * entities, the rest as it is. No UTF-8 sequence holds an ASCII byte,
 * so a run of other bytes between two ASCII ones is made printable as it
 * would be within the whole. */
static int add_xml(ss_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		size_t j = i + plain_run(p + i, len - i);
		if (j > i && ss_buf_add(out, p + i, j - i) < 0)
			return -1;
		const char *e = j < len ? entity(p[j]) : NULL;
		if (e && ss_buf_adds(out, e) < 0)
			return -1;
		i = j + (e != NULL);
		for (j = i; j < len && !plain(p[j]) && !entity(p[j]);)
			j++;
		if (j > i && ss_text_add_printable(out, (const char *)p + i, j - i, 0) < 0)
			return -1;
		i = j;
	}
	return 0;
}

int ss_report_xml_text(ss_buf *out, const char *s)
{
	return add_xml(out, s);
}

/* A literal: its length is known. */
#define add_lit(out, literal) ss_buf_add((out), (literal), sizeof(literal) - 1)

/* --- the document, a suite at a time ---
 *
 * A suite (the scopes of one file in a row) is written once it ends: its
 * element carries its counts. Until then each testcase is a record in
 * one byte string (`cases`), its texts already escaped:
 *   the kind (a byte), the name, NUL;
 *   skipped: the message, kept once, as a pointer;
 *   a failure or error: the message (the first reason, also the body's
 *     first line; NULL for none) and the body's other lines but "set at",
 *     each kept once (most failing scopes say the same), as pointers;
 *   a failure: where its value was set, a byte (SET_*) and the rest, NUL.
 * A reason often names its file and line, so that the messages of a
 * store are mostly unique: they are kept only once. */

enum { SET_DEFAULT = 'D', SET_IN_FILE = 'F', SET_ELSEWHERE = 'E' };

typedef enum case_kind { CASE_PASS, CASE_FAILURE, CASE_ERROR, CASE_SKIPPED } case_kind;

struct ss_junit_report {
	const ss_report_opts *o;
	ss_buf *out;
	char stamp[32], host[256]; /* of the first suite written */
	size_t id;
	int suites; /* written */
	/* the suite being gathered */
	char *file;
	const char *kind;
	ss_buf cases;
	size_t n;
	long failures, errors, skipped;
	ss_buf witnesses;	   /* the suite's standard output, escaped */
	ss_buf scratch, file_text; /* file_text: the file escaped */
	/* The messages and bodies kept, each once, in `texts`. */
	ss_arena texts;
	const char **seen;
	size_t nseen, seencap;
};

static int grow_seen(ss_junit_report *jr)
{
	size_t cap = jr->seencap ? 2 * jr->seencap : 64;
	const char **v = calloc(cap, sizeof(*v));
	if (!v)
		return -1;
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
	return 0;
}

/* The text in `b`, kept once in the suite's arena (NULL when memory runs
 * out). */
static const char *keep_text(ss_junit_report *jr, const ss_buf *b)
{
	if (2 * (jr->nseen + 1) > jr->seencap && grow_seen(jr) < 0)
		return NULL;
	const char *s = ss_buf_str(b);
	size_t k = ss_hash_key(s, b->len) & (jr->seencap - 1);
	for (; jr->seen[k]; k = (k + 1) & (jr->seencap - 1))
		if (strcmp(jr->seen[k], s) == 0)
			return jr->seen[k];
	const char *kept = ss_arena_strndup(&jr->texts, s, b->len);
	if (kept) {
		jr->seen[k] = kept;
		jr->nseen++;
	}
	return kept;
}

/* `s` escaped, kept once (NULL when memory runs out). */
static const char *keep_escaped(ss_junit_report *jr, const char *s)
{
	ss_buf_reset(&jr->scratch);
	return add_xml(&jr->scratch, s) < 0 ? NULL : keep_text(jr, &jr->scratch);
}

static int add_ptr(ss_buf *c, const char *p)
{
	return ss_buf_add(c, &p, sizeof(p));
}

/* The failure's text but its first and last lines, one fact a line
 * (GitLab shows it as it is). Each piece is made printable on its own so
 * that the line breaks stay real and a hostile name cannot add a line. */
static int add_body(ss_buf *b, const ss_scope *sc)
{
	int r = 0;
	for (size_t i = 1; i < sc->reasons.n; i++)
		r |= add_xml(b, sc->reasons.v[i]) | ss_buf_addc(b, '\n');
	if (sc->witness)
		r |= add_lit(b, "witness: ") | add_xml(b, sc->witness) | ss_buf_addc(b, '\n');
	if (!sc->error && sc->interval == SS_UNKNOWN)
		r |= add_lit(b, "interval: ? (unknown)\n");
	else if (!sc->error && sc->interval == 0)
		r |= add_lit(b, "interval: off\n");
	else if (!sc->error)
		r |= ss_buf_addf(b, "interval: %llds\n", sc->interval);
	if (sc->interval > 0 && ss_scope_period(sc) != sc->interval)
		r |= ss_buf_addf(b, "period on the wire: %llds\n", ss_scope_period(sc));
	return r;
}

/* Where the failure's value was set: most often a line of the suite's
 * own file, kept as the line alone (printable per character, so the
 * file's part is the file made printable). */
static int add_set_at(ss_junit_report *jr, const char *at)
{
	ss_buf *c = &jr->cases;
	size_t n = strlen(jr->file);
	if (!at)
		return ss_buf_addc(c, SET_DEFAULT);
	if (strncmp(at, jr->file, n) == 0 && at[n] == ':')
		return ss_buf_addc(c, SET_IN_FILE) | add_xml(c, at + n + 1);
	return ss_buf_addc(c, SET_ELSEWHERE) | add_xml(c, at);
}

/* Room ahead in `cases` in steps of a quarter of it: doubling held up to
 * twice a large suite's records. */
static int cases_room(ss_buf *c)
{
	const size_t step = 64 * 1024;
	if (c->cap - c->len > step)
		return 0;
	return ss_buf_reserve_exact(c, c->len / 4 + 2 * step);
}

/* The testcase's record (see above). */
static int gather_case(ss_junit_report *jr, const ss_scope *sc)
{
	case_kind kind = ss_scope_failed(sc)  ? (sc->error ? CASE_ERROR : CASE_FAILURE)
			 : sc->not_applicable ? CASE_SKIPPED
					      : CASE_PASS;
	const char *first = sc->reasons.n ? sc->reasons.v[0] : NULL;
	ss_buf *c = &jr->cases;
	int r = cases_room(c) | ss_buf_addc(c, (char)kind) | add_xml(c, sc->name) |
		ss_buf_addc(c, '\0');
	const char *kept = NULL;
	if (r == 0 && (kind == CASE_SKIPPED || (kind != CASE_PASS && first))) {
		kept = keep_escaped(jr, kind == CASE_SKIPPED && !first ? "not applicable" : first);
		r = kept ? 0 : -1;
	}
	if (r == 0 && kind != CASE_PASS)
		r = add_ptr(c, kept);
	if (r == 0 && (kind == CASE_FAILURE || kind == CASE_ERROR)) {
		ss_buf_reset(&jr->scratch);
		kept = add_body(&jr->scratch, sc) < 0 ? NULL : keep_text(jr, &jr->scratch);
		r = kept ? add_ptr(c, kept) : -1;
	}
	/* an error scope has no value, so no place one was set */
	if (r == 0 && kind == CASE_FAILURE)
		r = add_set_at(jr, sc->set_at) | ss_buf_addc(c, '\0');
	return r;
}

static const char *take_ptr(const char **p)
{
	const char *v;
	memcpy(&v, *p, sizeof(v));
	*p += sizeof(v);
	return v;
}

/* A testcase goes out as the pieces of text it is made of, added at
 * once (one check for room, then copies). */
typedef struct piece {
	const char *s;
	size_t n;
} piece;

#define LIT(literal) ((piece){(literal), sizeof(literal) - 1})

static piece text_of(const char *s)
{
	return (piece){s, strlen(s)};
}

static piece buf_of(const ss_buf *b)
{
	return (piece){ss_buf_str(b), b->len}; /* an empty one has no data */
}

/* The NUL-terminated text at *p (*p moved past it). */
static piece take_text(const char **p)
{
	piece t = text_of(*p);
	*p += t.n + 1;
	return t;
}

static int add_pieces(ss_buf *out, const piece *v, size_t n)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += v[i].n;
	if (ss_buf_grow(out, total) < 0)
		return -1;
	char *o = out->data + out->len;
	for (size_t i = 0; i < n; i++) {
		memcpy(o, v[i].s, v[i].n);
		o += v[i].n;
	}
	*o = '\0';
	out->len = (size_t)(o - out->data);
	return 0;
}

/* The texts a suite's testcases share, escaped. */
typedef struct suite_texts {
	const ss_buf *classname, *file;
} suite_texts;

/* A failure's or an error's element from the record at *p (moved past
 * it), into v (room for 12 pieces); returns how many. */
static size_t failure_pieces(piece *v, const char **p, case_kind kind, const suite_texts *t)
{
	const char *message = take_ptr(p), *rest = take_ptr(p);
	int error = kind == CASE_ERROR;
	size_t n = 0;
	v[n++] = error ? LIT(">\n   <error message=\"") : LIT(">\n   <failure message=\"");
	v[n++] = text_of(message ? message : "");
	v[n++] = error ? LIT("\" type=\"error\">") : LIT("\" type=\"keepalive\">");
	if (message) {
		v[n++] = text_of(message);
		v[n++] = LIT("\n");
	}
	v[n++] = text_of(rest);
	if (!error) {
		char how = *(*p)++;
		v[n++] = LIT("set at: ");
		if (how == SET_DEFAULT)
			v[n++] = LIT("default");
		else if (how == SET_IN_FILE)
			v[n++] = buf_of(t->file), v[n++] = LIT(":");
		v[n++] = take_text(p);
		v[n++] = LIT("\n");
	}
	v[n++] = error ? LIT("</error>\n  </testcase>\n") : LIT("</failure>\n  </testcase>\n");
	return n;
}

/* One testcase from its record at *p (moved past it). */
static int write_case(ss_buf *out, const char **p, const suite_texts *t)
{
	case_kind kind = (case_kind)(unsigned char)**p;
	(*p)++;
	piece v[5 + 12];
	size_t n = 0;
	v[n++] = LIT("  <testcase name=\"");
	v[n++] = take_text(p);
	v[n++] = LIT("\" classname=\"");
	v[n++] = buf_of(t->classname);
	v[n++] = LIT("\" time=\"0\"");
	if (kind == CASE_PASS) {
		v[n++] = LIT("/>\n");
	} else if (kind == CASE_SKIPPED) {
		v[n++] = LIT(">\n   <skipped message=\"");
		v[n++] = text_of(take_ptr(p));
		v[n++] = LIT("\"/>\n  </testcase>\n");
	} else {
		n += failure_pieces(v + n, p, kind, t);
	}
	return add_pieces(out, v, n);
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

static int add_count(ss_buf *out, const char *name, long long v)
{
	return ss_buf_adds(out, name) | ss_buf_add_lld(out, v) | ss_buf_addc(out, '"');
}

static int write_suite_start(ss_junit_report *jr)
{
	ss_buf *out = jr->out;
	int r = (jr->suites++ ? 0 : add_lit(out, ">\n")) | add_lit(out, " <testsuite name=\"") |
		add_xml(out, jr->file) | add_lit(out, "\" package=\"sshsync.") |
		add_xml(out, jr->kind) | add_count(out, "\" id=\"", (long long)jr->id++) |
		add_lit(out, " timestamp=\"") | add_xml(out, jr->stamp) |
		add_lit(out, "\" hostname=\"") | add_xml(out, jr->host) |
		add_count(out, "\" tests=\"", (long long)jr->n) |
		add_count(out, " failures=\"", jr->failures) |
		add_count(out, " errors=\"", jr->errors) | add_lit(out, " time=\"0\"");
	if (jr->skipped)
		r |= add_count(out, " skipped=\"", jr->skipped);
	return r | add_lit(out, ">\n  <properties/>\n");
}

/* -1 with `d` set when o->flush could not write, -2 when memory ran out. */
static int write_suite(ss_junit_report *jr, ss_diag *d)
{
	ss_buf *out = jr->out;
	if (stamp_once(jr) < 0 || write_suite_start(jr) < 0)
		return -2;
	ss_buf_reset(&jr->scratch);
	if (add_xml(&jr->scratch, jr->kind) | ss_buf_addc(&jr->scratch, ':') |
	    add_xml(&jr->scratch, jr->file))
		return -2;
	ss_buf_reset(&jr->file_text);
	if (add_xml(&jr->file_text, jr->file) < 0)
		return -2;
	suite_texts t = {&jr->scratch, &jr->file_text};
	const char *p = jr->cases.data, *end = p + jr->cases.len;
	while (p < end) {
		if (write_case(out, &p, &t) < 0)
			return -2;
		if (ss_report_flush_if_full(jr->o, out, d) < 0)
			return -1;
	}
	return add_lit(out, "  <system-out>") | ss_buf_adds(out, ss_buf_str(&jr->witnesses)) |
		       ss_buf_adds(out,
				   "</system-out>\n  <system-err></system-err>\n </testsuite>\n")
		   ? -2
		   : 0;
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
	ss_buf_reset(&jr->cases);
	ss_buf_reset(&jr->witnesses);
	return r;
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
	/* The root's start tag is closed by its first child, or by "/>". */
	if (add_lit(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites") < 0) {
		ss_report_junit_free(jr);
		return cannot_write(d);
	}
	*out_jr = jr;
	return 0;
}

static int add_witness(ss_buf *b, const ss_scope *sc)
{
	if (!sc->witness)
		return 0;
	return add_xml(b, sc->name) | add_lit(b, ": witness ") | add_xml(b, sc->witness) |
	       ss_buf_addc(b, '\n');
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
	if (gather_case(jr, sc) < 0 || add_witness(&jr->witnesses, sc) < 0)
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
	if (r == 0 && ss_buf_adds(jr->out, jr->suites ? "</testsuites>\n" : "/>\n") < 0)
		r = -2;
	ss_report_junit_free(jr);
	return r == -2 ? cannot_write(d) : r;
}

void ss_report_junit_free(ss_junit_report *jr)
{
	if (!jr)
		return;
	free(jr->file);
	free(jr->seen);
	ss_arena_release(&jr->texts);
	ss_buf_release(&jr->cases);
	ss_buf_release(&jr->witnesses);
	ss_buf_release(&jr->scratch);
	ss_buf_release(&jr->file_text);
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
