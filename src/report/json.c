/* The audit as JSON, field names fixed by DESIGN.md (through jansson). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/report.h"
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

static json_t *optional_int(long v)
{
	return v == SS_UNSET || v == SS_UNKNOWN ? json_null() : json_integer(v);
}

static json_t *scope_json(const ss_scope *sc)
{
	json_t *o = json_object(), *reasons = json_array();
	if (!o || !reasons) {
		json_decref(o);
		json_decref(reasons);
		return NULL;
	}
	int r = 0;
	r |= json_object_set_new(o, "kind", text(sc->kind));
	r |= json_object_set_new(o, "file", text(sc->file));
	r |= json_object_set_new(o, "scope", text(sc->name));
	r |= json_object_set_new(o, "witness", sc->witness ? text(sc->witness) : json_null());
	r |= json_object_set_new(o, "interval", optional_int(sc->interval));
	r |= json_object_set_new(o, "period", optional_int(ss_scope_period(sc)));
	r |= json_object_set_new(o, "count_max", optional_int(sc->count_max));
	r |= json_object_set_new(o, "tcp_keepalive",
				 sc->tcp_keepalive == SS_UNSET || sc->tcp_keepalive == SS_UNKNOWN
				     ? json_null()
				     : json_boolean(sc->tcp_keepalive));
	r |= json_object_set_new(o, "set_at", sc->set_at ? text(sc->set_at) : json_null());
	r |= json_object_set_new(o, "status", json_string(ss_scope_status(sc)));
	for (size_t i = 0; i < sc->reasons.n; i++)
		r |= json_array_append_new(reasons, text(sc->reasons.v[i]));
	r |= json_object_set_new(o, "reasons", reasons);
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
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

/* The document is written scope by scope, one scope a line: a fleet of
 * 100,000 sites never exists as one jansson tree (about 2 KB a scope). */
int ss_report_json(const ss_scopes *s, const ss_report_opts *o, ss_buf *out, ss_diag *d)
{
	size_t failed = 0, errors = 0;
	int r = ss_buf_adds(out, "{\n  \"sshsync\": ") < 0 ||
		add_json(out, json_string(SSHSYNC_VERSION), 0) < 0 ||
		ss_buf_addf(out, ",\n  \"nat_timeout\": %ld,\n  \"scopes\": [", o->nat_timeout) < 0;
	for (size_t i = 0; i < s->n && !r; i++) {
		r = ss_buf_adds(out, i ? ",\n    " : "\n    ") < 0 ||
		    add_json(out, scope_json(&s->v[i]), 0) < 0;
		failed += ss_scope_failed(&s->v[i]) && !s->v[i].error;
		errors += s->v[i].error != 0;
	}
	if (!r)
		r = ss_buf_addf(out,
				"%s],\n  \"summary\": {\"scopes\": %zu, \"passed\": %zu, "
				"\"failed\": %zu, \"errors\": %zu}\n}\n",
				s->n ? "\n  " : "", s->n, s->n - failed - errors, failed,
				errors) < 0;
	return r ? ss_diag_oom(d) : 0;
}
