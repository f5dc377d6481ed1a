/* The audit as JSON, field names fixed by DESIGN.md (written by hand, as
 * jansson would write it), and the result of apply (through jansson). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/report.h"
#include "sshsync/edit.h"
#include "sshsync/text.h"

/* JSON is UTF-8: a name that is not strict UTF-8 is shown as \xNN. */
static json_t *text(const char *s)
{
	if (ss_utf8_valid(s, strlen(s)))
		return json_string(s);
	json_t *j = NULL;
	ss_buf b = SS_BUF_INIT;
	if (ss_report_add_printable(&b, s) == 0)
		j = json_string(ss_buf_str(&b));
	ss_buf_release(&b);
	return j;
}

/* Appends one value as JSON text (jansson escapes it). */
static int add_json(ss_buf *out, json_t *j, size_t flags)
{
	char *text = j ? json_dumps(j, flags | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
	json_decref(j);
	int r = !text || ss_buf_adds(out, text) < 0;
	free(text);
	return r ? -1 : 0;
}

/* --- the audit, written as a stream --- */

/* Sixteen bytes as one vector of unsigned bytes (GCC's and Clang's
 * vector extension: SSE2 or NEON code where there is one). */
typedef unsigned char ubytes16 __attribute__((vector_size(16)));

/* The index of the first byte from s[i] that a JSON string escapes (a
 * control, '"' or '\\'), or len: sixteen bytes at a time, as the diff
 * of a big file (tens of MB in one string) is nearly all plain. */
static size_t next_to_escape(const char *s, size_t i, size_t len)
{
	for (; i + 16 <= len; i += 16) {
		ubytes16 v;
		memcpy(&v, s + i, 16);
		ubytes16 hit = (ubytes16)((v < 0x20) | (v == '"') | (v == '\\'));
		uint64_t half[2];
		memcpy(half, &hit, 16);
		if (half[0] | half[1])
			break;
	}
	for (; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == '"' || ch == '\\')
			return i;
	}
	return len;
}

/* The inside of a JSON string exactly as jansson's json_dumps(json_string(s),
 * 0) writes it: '"' and '\\' escaped, \b \f \n \r \t by name, the other controls
 * below 0x20 as \u00XX, everything else (strict UTF-8) as it is. */
static int add_escaped_body(ss_buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF", controls[] = "\b\f\n\r\t", names[] = "bfnrt";
	int r = 0;
	size_t run = 0;
	for (size_t i = 0; (i = next_to_escape(s, i, len)) < len && !r; i++) {
		unsigned char ch = (unsigned char)s[i];
		r = ss_buf_add(out, s + run, i - run);
		run = i + 1;
		/* \b \f \n \r \t by name, '"' and '\\' as themselves, \u00XX else */
		const char *named = memchr(controls, ch, 5);
		char seq[6] = {'\\', (char)ch, '0', '0', 0, 0};
		size_t n = 2;
		if (named) {
			seq[1] = names[named - controls];
		} else if (ch < 0x20) {
			seq[1] = 'u';
			seq[4] = hex[ch >> 4];
			seq[5] = hex[ch & 15];
			n = 6;
		}
		if (!r)
			r = ss_buf_add(out, seq, n);
	}
	if (!r)
		r = ss_buf_add(out, s + run, len - run);
	return r ? -1 : 0;
}

/* The same in quotes. */
static int add_escaped(ss_buf *out, const char *s, size_t len)
{
	return ss_buf_addc(out, '"') < 0 || add_escaped_body(out, s, len) < 0 ||
		       ss_buf_addc(out, '"') < 0
		   ? -1
		   : 0;
}

/* A literal (a key with its separators): its length is known, and
 * ss_buf_add (inline) copies it without a call. */
#define add_key(out, literal) ss_buf_add((out), (literal), sizeof(literal) - 1)

/* Sixteen bytes as one vector (GCC's and Clang's vector extension, which
 * every target compiler of sshsync has; SSE2 or NEON code, portable C
 * otherwise), signed: a byte of 0x80 or above is below 0x20. */
typedef signed char bytes16 __attribute__((vector_size(16)));

/* Whether the 16 bytes at s are all plain (see plain_prefix). */
static inline int plain16(const char *s)
{
	bytes16 v;
	memcpy(&v, s, 16);
	bytes16 bad = (v < 0x20) | (v == '"') | (v == '\\');
	uint64_t half[2];
	memcpy(half, &bad, 16);
	return !(half[0] | half[1]);
}

/* The length of s's leading run of bytes that JSON takes as they are and
 * that need no UTF-8 check: printable ASCII but '"' and '\\'. Sixteen
 * bytes at a time (a report is mostly such runs: names, paths,
 * "file:line", reasons). */
static size_t plain_prefix(const char *s, size_t len)
{
	size_t i = 0;
	if (len < 16) { /* a kind, a status: as a block padded with plain bytes */
		char block[16];
		memset(block, 'a', sizeof(block));
		memcpy(block, s, len);
		if (plain16(block))
			return len;
	}
	while (i + 16 <= len && plain16(s + i))
		i += 16;
	/* The last bytes as the block that ends with them (it overlaps the
	 * one before): no byte loop for most strings. */
	if (len >= 16 && len - i < 16 && plain16(s + len - 16))
		return len;
	while (i < len) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch >= 0x80 || ch == '"' || ch == '\\')
			break;
		i++;
	}
	return i;
}

int ss_report_json_string(ss_buf *out, const char *s)
{
	size_t len = strlen(s);
	if (plain_prefix(s, len) == len) { /* the common case: quoted as it is */
		if (len > SIZE_MAX - 2 || ss_buf_grow(out, len + 2) < 0)
			return -1;
		char *p = out->data + out->len;
		p[0] = '"';
		memcpy(p + 1, s, len);
		p[len + 1] = '"';
		p[len + 2] = '\0';
		out->len += len + 2;
		return 0;
	}
	if (ss_utf8_valid(s, len))
		return add_escaped(out, s, len);
	ss_buf b = SS_BUF_INIT;
	int r = ss_report_add_printable(&b, s);
	if (r == 0)
		r = add_escaped(out, b.data ? b.data : "", b.len);
	ss_buf_release(&b);
	return r;
}

static int add_opt_string(ss_buf *out, const char *s)
{
	return s ? ss_report_json_string(out, s) : add_key(out, "null");
}

static int add_opt_int(ss_buf *out, long long v)
{
	if (v == SS_UNSET || v == SS_UNKNOWN)
		return add_key(out, "null");
	return ss_buf_add_lld(out, v);
}

/* The file of the scope before and its JSON text: the scopes of one file
 * follow each other, its name is escaped once. */
typedef struct file_memo {
	ss_buf name, json;
} file_memo;

/* Makes the memo the JSON text of `file`. */
static int memo_file(const char *file, file_memo *m)
{
	if (m->name.data && strcmp(m->name.data, file) == 0)
		return 0;
	ss_buf_reset(&m->name);
	ss_buf_reset(&m->json);
	if (ss_buf_adds(&m->name, file) < 0 || ss_report_json_string(&m->json, file) < 0) {
		ss_buf_release(&m->name); /* no half memo */
		return -1;
	}
	return 0;
}

/* set_at is mostly "FILE:LINE" of the scope's own file: when that file's
 * JSON text is the name in quotes (nothing escaped), set_at is that text
 * with ":LINE" before the closing quote, and nothing is scanned twice. */
static int add_set_at(ss_buf *out, const char *set_at, const file_memo *m)
{
	size_t n = m->name.len;
	if (!set_at || m->json.len != n + 2 || strncmp(set_at, m->name.data, n) != 0 ||
	    set_at[n] != ':' || !set_at[n + 1])
		return add_opt_string(out, set_at);
	const char *line = set_at + n + 1;
	for (const char *p = line; *p; p++)
		if (*p < '0' || *p > '9')
			return add_opt_string(out, set_at);
	return ss_buf_add(out, m->json.data, n + 1) || ss_buf_addc(out, ':') ||
		       ss_buf_adds(out, line) || ss_buf_addc(out, '"')
		   ? -1
		   : 0;
}

/* One scope as one line, as jansson's dump of the object (flags 0, keys in
 * order) writes it: ", " between members, ": " after keys; m holds the
 * JSON text of its file. */
static int slow_line(ss_buf *out, const ss_scope *sc, const file_memo *m)
{
	int r = add_key(out, "{\"kind\": ") || ss_report_json_string(out, sc->kind) ||
		add_key(out, ", \"file\": ") || ss_buf_add(out, m->json.data, m->json.len) ||
		add_key(out, ", \"scope\": ") || ss_report_json_string(out, sc->name) ||
		add_key(out, ", \"witness\": ") || add_opt_string(out, sc->witness) ||
		add_key(out, ", \"interval\": ") || add_opt_int(out, sc->interval) ||
		add_key(out, ", \"period\": ") || add_opt_int(out, ss_scope_period(sc)) ||
		add_key(out, ", \"count_max\": ") || add_opt_int(out, sc->count_max) ||
		add_key(out, ", \"tcp_keepalive\": ");
	if (!r)
		r = ss_buf_adds(
		    out, sc->tcp_keepalive == SS_UNSET || sc->tcp_keepalive == SS_UNKNOWN ? "null"
			 : sc->tcp_keepalive						  ? "true"
					     : "false");
	r = r || add_key(out, ", \"set_at\": ") || add_set_at(out, sc->set_at, m) ||
	    add_key(out, ", \"status\": ") || ss_report_json_string(out, ss_scope_status(sc)) ||
	    add_key(out, ", \"reasons\": [");
	for (size_t i = 0; i < sc->reasons.n && !r; i++)
		r = (i && add_key(out, ", ")) || ss_report_json_string(out, sc->reasons.v[i]);
	return r || add_key(out, "]}") ? -1 : 0;
}

/* --- a scope whose strings are all plain (nearly every one): its line's
 * length is known before it is written, so the room is made once and the
 * pieces are copied without a check each (slow_line checks and calls per
 * piece: most of what a 100,000-site report cost) --- */

/* A scope's strings, with their lengths, for the fast writer. */
#define FAST_REASONS 4
typedef struct plain_strs {
	size_t kind, name, witness, set_at, status, reason[FAST_REASONS];
	const char *status_text;
} plain_strs;

/* The length of s when it is plain (SIZE_MAX when it is not, or NULL). */
static size_t plain_len(const char *s)
{
	if (!s)
		return SIZE_MAX;
	size_t len = strlen(s);
	return plain_prefix(s, len) == len ? len : SIZE_MAX;
}

/* The bytes the fast line takes, or 0 when a string of the scope is not
 * plain or it has more than FAST_REASONS reasons. */
static size_t fast_size(const ss_scope *sc, const file_memo *m, plain_strs *l)
{
	size_t nr = sc->reasons.n;
	if (nr > FAST_REASONS)
		return 0;
	l->status_text = ss_scope_status(sc);
	l->kind = plain_len(sc->kind);
	l->name = plain_len(sc->name);
	l->witness = sc->witness ? plain_len(sc->witness) : 4;
	l->set_at = sc->set_at ? plain_len(sc->set_at) : 4;
	l->status = plain_len(l->status_text);
	/* What is not a string: the keys and separators (183 bytes), three
	 * numbers of at most 20 digits and a sign, "false", the brackets. */
	size_t n = 256 + m->json.len, worst = SS_TEXT_MAX;
	const size_t each[] = {l->kind, l->name, l->witness, l->set_at, l->status};
	for (size_t i = 0; i < sizeof(each) / sizeof(each[0]); i++) {
		if (each[i] > worst)
			return 0;
		n += each[i] + 2;
	}
	for (size_t i = 0; i < nr; i++) {
		l->reason[i] = plain_len(sc->reasons.v[i]);
		if (l->reason[i] > worst)
			return 0;
		n += l->reason[i] + 4;
	}
	return n;
}

static inline char *copy(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* A literal: its length is known. */
#define LIT(p, literal) copy((p), (literal), sizeof(literal) - 1)

static inline char *quoted(char *p, const char *s, size_t n)
{
	*p++ = '"';
	p = copy(p, s, n);
	*p++ = '"';
	return p;
}

static char *opt_int(char *p, long long v)
{
	if (v == SS_UNSET || v == SS_UNKNOWN)
		return LIT(p, "null");
	char digits[24];
	size_t n = ss_format_lld(digits, v);
	return copy(p, digits + n, sizeof(digits) - n);
}

static char *opt_quoted(char *p, const char *s, size_t n)
{
	return s ? quoted(p, s, n) : LIT(p, "null");
}

/* The line of a scope fast_size measured (`size` bytes at most). */
static int fast_line(ss_buf *out, const ss_scope *sc, const file_memo *m, const plain_strs *l,
		     size_t size)
{
	if (ss_buf_grow(out, size) < 0)
		return -1;
	char *p = out->data + out->len;
	p = LIT(p, "{\"kind\": ");
	p = quoted(p, sc->kind, l->kind);
	p = LIT(p, ", \"file\": ");
	p = copy(p, m->json.data, m->json.len);
	p = LIT(p, ", \"scope\": ");
	p = quoted(p, sc->name, l->name);
	p = LIT(p, ", \"witness\": ");
	p = opt_quoted(p, sc->witness, l->witness);
	p = LIT(p, ", \"interval\": ");
	p = opt_int(p, sc->interval);
	p = LIT(p, ", \"period\": ");
	p = opt_int(p, ss_scope_period(sc));
	p = LIT(p, ", \"count_max\": ");
	p = opt_int(p, sc->count_max);
	p = LIT(p, ", \"tcp_keepalive\": ");
	if (sc->tcp_keepalive == SS_UNSET || sc->tcp_keepalive == SS_UNKNOWN)
		p = LIT(p, "null");
	else if (sc->tcp_keepalive)
		p = LIT(p, "true");
	else
		p = LIT(p, "false");
	p = LIT(p, ", \"set_at\": ");
	/* A plain set_at is written as it is: what add_set_at makes of
	 * "FILE:LINE" with a plain FILE is the same text. */
	p = opt_quoted(p, sc->set_at, l->set_at);
	p = LIT(p, ", \"status\": ");
	p = quoted(p, l->status_text, l->status);
	p = LIT(p, ", \"reasons\": [");
	for (size_t i = 0; i < sc->reasons.n; i++) {
		if (i)
			p = LIT(p, ", ");
		p = quoted(p, sc->reasons.v[i], l->reason[i]);
	}
	p = LIT(p, "]}");
	*p = '\0';
	out->len = (size_t)(p - out->data);
	return 0;
}

static int scope_line(ss_buf *out, const ss_scope *sc, file_memo *m)
{
	plain_strs l;
	size_t size;
	if (memo_file(sc->file, m) < 0)
		return -1;
	if ((size = fast_size(sc, m, &l)) != 0)
		return fast_line(out, sc, m, &l, size);
	return slow_line(out, sc, m);
}

/* The document is written scope by scope, one scope a line, by hand (no
 * jansson tree: tests/fuzz/fuzz_report.c checks every line against
 * jansson's dump of the same object); with a sink (o->flush) it goes out
 * in pieces of about SS_REPORT_FLUSH_BYTES. */
int ss_report_json_begin(ss_json_stream *js, const ss_report_opts *o, ss_buf *out, ss_diag *d)
{
	memset(js, 0, sizeof(*js));
	js->o = o;
	js->out = out;
	int r = ss_buf_adds(out, "{\n  \"sshsync\": ") < 0 ||
		ss_report_json_string(out, SSHSYNC_VERSION) < 0 ||
		ss_buf_addf(out, ",\n  \"nat_timeout\": %ld,\n  \"scopes\": [", o->nat_timeout) < 0;
	return r ? ss_diag_oom(d) : 0;
}

int ss_report_json_scope(ss_json_stream *js, const ss_scope *sc, ss_diag *d)
{
	file_memo m = {js->memo_name, js->memo_json};
	ss_buf *out = js->out;
	int r = (js->n ? add_key(out, ",\n    ") : add_key(out, "\n    ")) < 0 ||
		scope_line(out, sc, &m) < 0;
	js->memo_name = m.name;
	js->memo_json = m.json;
	if (r)
		return ss_diag_oom(d);
	js->n++;
	js->failed += ss_scope_failed(sc) && !sc->error;
	js->errors += sc->error != 0;
	js->na += sc->not_applicable && !sc->error;
	return ss_report_flush_if_full(js->o, out, d);
}

int ss_report_json_end(ss_json_stream *js, ss_diag *d)
{
	int r = ss_buf_addf(js->out,
			    "%s],\n  \"summary\": {\"scopes\": %zu, \"passed\": %zu, "
			    "\"failed\": %zu, \"errors\": %zu}\n}\n",
			    js->n ? "\n  " : "", js->n, js->n - js->failed - js->errors - js->na,
			    js->failed, js->errors) < 0;
	ss_report_json_stream_free(js);
	return r ? ss_diag_oom(d) : 0;
}

void ss_report_json_stream_free(ss_json_stream *js)
{
	ss_buf_release(&js->memo_name);
	ss_buf_release(&js->memo_json);
}

int ss_report_json(const ss_scopes *s, const ss_report_opts *o, ss_buf *out, ss_diag *d)
{
	ss_json_stream js;
	int r = ss_report_json_begin(&js, o, out, d);
	for (size_t i = 0; i < s->n && r == 0; i++)
		r = ss_report_json_scope(&js, &s->v[i], d);
	if (r == 0)
		return ss_report_json_end(&js, d);
	ss_report_json_stream_free(&js);
	return -1;
}

/* --- the result of apply --- */

static json_t *string_array(const ss_strlist *l)
{
	json_t *a = json_array();
	for (size_t i = 0; a && l && i < l->n; i++)
		if (json_array_append_new(a, text(l->v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *changed_files(const ss_apply_report *r)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < r->changed->n; i++) {
		json_t *o = json_object();
		const char *bak = r->backups->v[i];
		int bad = !o || json_object_set_new(o, "file", text(r->changed->v[i])) < 0 ||
			  json_object_set_new(o, "kind", text(r->kinds->v[i])) < 0 ||
			  json_object_set_new(o, "backup", bak[0] ? text(bak) : json_null()) < 0;
		if (bad || json_array_append_new(a, o) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* An interval in apply's JSON: null (an error, unset or unknown) or a
 * number. */
typedef struct json_interval {
	int null;
	long long v;
} json_interval;

static json_interval interval_of(long long interval, int error)
{
	json_interval j = {error || interval == SS_UNSET || interval == SS_UNKNOWN, interval};
	return j;
}

/* The interval after apply of before's i: read back, or as planned. */
static json_interval after_of(const ss_apply_report *r, size_t i)
{
	const ss_brief *b = &r->before->v[i];
	json_interval none = {1, 0};
	if (!r->after) { /* planned: every scope gets the interval */
		json_interval planned = {0, r->interval};
		return b->error || b->interval == SS_UNKNOWN ? none : planned;
	}
	long long interval;
	int error;
	if (!ss_pairing_after(r->after, i, &interval, &error))
		return none;
	return interval_of(interval, error);
}

static int add_interval(ss_buf *out, json_interval j)
{
	return j.null ? add_key(out, "null") : ss_buf_add_lld(out, j.v);
}

/* One scope of apply, as jansson's dump of the object {kind, file, scope,
 * before, after, changed} (flags 0, keys in order) writes it: by hand, a
 * 100,000-site report made 100,000 objects and dumps (a fifth of it). */
static int apply_scope_line(ss_buf *out, const ss_apply_report *r, size_t i, int *changed)
{
	const ss_briefs *bs = r->before;
	const ss_brief *b = &bs->v[i];
	json_interval before = interval_of(b->interval, b->error), after = after_of(r, i);
	*changed = before.null != after.null || (!before.null && before.v != after.v);
	return add_key(out, "{\"kind\": ") || ss_report_json_string(out, b->kind) ||
		       add_key(out, ", \"file\": ") ||
		       ss_report_json_string(out, ss_brief_file(bs, b)) ||
		       add_key(out, ", \"scope\": ") ||
		       ss_report_json_string(out, ss_brief_name(bs, b)) ||
		       add_key(out, ", \"before\": ") || add_interval(out, before) ||
		       add_key(out, ", \"after\": ") || add_interval(out, after) ||
		       (*changed ? add_key(out, ", \"changed\": true}")
				 : add_key(out, ", \"changed\": false}"))
		   ? -1
		   : 0;
}

/* The scopes one a line (a site list can be long), handed on as `out`
 * fills, then the rest. -1 with `d` set. */
static int apply_scopes(const ss_apply_report *r, ss_buf *out, size_t *changed, ss_diag *d)
{
	int rc = ss_buf_adds(out, ",\n  \"scopes\": [") < 0 ? ss_diag_oom(d) : 0;
	for (size_t i = 0; i < r->before->n && rc == 0; i++) {
		int c = 0;
		if (ss_buf_adds(out, i ? ",\n    " : "\n    ") < 0 ||
		    apply_scope_line(out, r, i, &c) < 0)
			rc = ss_diag_oom(d);
		else
			rc = ss_sink_put_if_full(out, r->flush, d);
		*changed += (size_t)c;
	}
	if (rc == 0 && ss_buf_adds(out, r->before->n ? "\n  ]" : "]") < 0)
		rc = ss_diag_oom(d);
	return rc;
}

/* --- the diff as one JSON string, written as it is made ---
 *
 * As ss_report_json_string writes a whole string: up to its first NUL,
 * escaped when it is strict UTF-8, else made printable (\xNN) first. The
 * diff comes in whole lines, so that no UTF-8 sequence is cut: it is made
 * once to tell which, then again to be written. */
typedef struct diff_json {
	ss_buf *out;
	const ss_sink *flush;
	int valid, cut; /* strict UTF-8 so far; a NUL was met (the rest is dropped) */
} diff_json;

/* The piece up to a NUL (after which nothing counts). */
static size_t until_nul(diff_json *j, const void *data, size_t len)
{
	const char *nul = j->cut ? data : memchr(data, '\0', len);
	if (nul) {
		j->cut = 1;
		return (size_t)(nul - (const char *)data);
	}
	return len;
}

static int check_piece(void *ctx, const void *data, size_t len, ss_diag *d)
{
	(void)d;
	diff_json *j = ctx;
	len = until_nul(j, data, len);
	j->valid = j->valid && ss_utf8_valid(data, len);
	return 0;
}

static int write_piece(void *ctx, const void *data, size_t len, ss_diag *d)
{
	diff_json *j = ctx;
	len = until_nul(j, data, len);
	int r;
	if (j->valid) {
		r = add_escaped_body(j->out, data, len);
	} else {
		ss_buf b = SS_BUF_INIT;
		r = ss_text_add_printable(&b, data, len, 0);
		if (r == 0)
			r = add_escaped_body(j->out, b.data ? b.data : "", b.len);
		ss_buf_release(&b);
	}
	return r < 0 ? ss_diag_oom(d) : ss_sink_put_if_full(j->out, j->flush, d);
}

static int add_diff(const ss_apply_report *r, ss_buf *out, ss_diag *d)
{
	diff_json j = {out, r->flush, 1, 0};
	ss_sink check = {check_piece, &j}, write = {write_piece, &j};
	int plain = r->diff_plain && r->diff_plain(r->diff_ctx);
	if (!plain && r->diff(r->diff_ctx, &check, d) < 0)
		return -1;
	j.cut = 0;
	if (ss_buf_adds(out, ",\n  \"diff\": \"") < 0)
		return ss_diag_oom(d);
	if (r->diff(r->diff_ctx, &write, d) < 0)
		return -1;
	return ss_buf_addc(out, '"') < 0 ? ss_diag_oom(d) : 0;
}

static int field(ss_buf *out, const char *name, json_t *value)
{
	return ss_buf_addf(out, ",\n  \"%s\": ", name) < 0 || add_json(out, value, 0) < 0 ? -1 : 0;
}

int ss_report_apply_json(const ss_apply_report *r, ss_buf *out, ss_diag *d)
{
	size_t scopes_changed = 0;
	int bad = ss_buf_adds(out, "{\n  \"sshsync\": ") < 0 ||
		  add_json(out, json_string(SSHSYNC_VERSION), 0) < 0 ||
		  field(out, "mode", json_string(r->mode)) < 0 ||
		  field(out, "written", json_boolean(r->written)) < 0 ||
		  field(out, "interval", json_integer(r->interval)) < 0 ||
		  field(out, "after_from", json_string(r->after ? "files" : "plan")) < 0 ||
		  field(out, "changed", changed_files(r)) < 0 ||
		  field(out, "unchanged", string_array(r->unchanged)) < 0;
	if (bad)
		return ss_diag_oom(d);
	if (apply_scopes(r, out, &scopes_changed, d) < 0)
		return -1;
	bad = field(out, "notes", string_array(r->notes)) < 0 ||
	      field(out, "warnings", string_array(r->warnings)) < 0 ||
	      field(out, "take_effect", string_array(r->take_effect)) < 0;
	if (bad)
		return ss_diag_oom(d);
	/* The diff of a big file is as big: escaped straight into `out` as it
	 * is made, never held whole. */
	if (r->diff && add_diff(r, out, d) < 0)
		return -1;
	if (ss_buf_addf(out,
			",\n  \"summary\": {\"changed\": %zu, \"unchanged\": %zu, "
			"\"scopes\": %zu, \"scopes_changed\": %zu}\n}\n",
			r->changed->n, r->unchanged->n, r->before->n, scopes_changed) < 0)
		return ss_diag_oom(d);
	return 0;
}

int ss_report_apply_json_error(const char *mode, const char *message, ss_buf *out, ss_diag *d)
{
	int bad = ss_buf_adds(out, "{\n  \"sshsync\": ") < 0 ||
		  add_json(out, json_string(SSHSYNC_VERSION), 0) < 0 ||
		  field(out, "mode", json_string(mode)) < 0 ||
		  field(out, "written", json_false()) < 0 ||
		  field(out, "error", text(message)) < 0 || ss_buf_adds(out, "\n}\n") < 0;
	return bad ? ss_diag_oom(d) : 0;
}
