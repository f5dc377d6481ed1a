/* The audit as JSON, field names fixed by DESIGN.md (through jansson). */
#include <jansson.h>
#include <stdlib.h>

#include "sshsync/report.h"

/* jansson takes only UTF-8: anything else is shown as \xNN. */
static json_t *text(const char *s)
{
	json_t *j = json_string(s);
	if (j)
		return j;
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
	r |= json_object_set_new(o, "interval", optional_int(sc->interval));
	r |= json_object_set_new(o, "count_max", optional_int(sc->count_max));
	r |= json_object_set_new(o, "tcp_keepalive",
				 sc->tcp_keepalive == SS_UNSET ? json_null()
							       : json_boolean(sc->tcp_keepalive));
	r |= json_object_set_new(o, "set_at", sc->set_at ? text(sc->set_at) : json_null());
	r |= json_object_set_new(o, "status", json_string(ss_scope_failed(sc) ? "fail" : "pass"));
	for (size_t i = 0; i < sc->reasons.n; i++)
		r |= json_array_append_new(reasons, text(sc->reasons.v[i]));
	r |= json_object_set_new(o, "reasons", reasons);
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *audit_json(const ss_scopes *s, const ss_report_opts *o)
{
	json_t *root = json_object(), *scopes = json_array(), *summary = json_object();
	int r = !root || !scopes || !summary;
	size_t failed = 0;
	for (size_t i = 0; i < s->n && !r; i++) {
		json_t *j = scope_json(&s->v[i]);
		r |= !j || json_array_append_new(scopes, j);
		failed += ss_scope_failed(&s->v[i]);
	}
	if (!r) {
		r |= json_object_set_new(root, "sshsync", json_string(SSHSYNC_VERSION));
		r |= json_object_set_new(root, "nat_timeout", json_integer(o->nat_timeout));
		r |= json_object_set(root, "scopes", scopes);
		r |= json_object_set_new(summary, "scopes", json_integer((json_int_t)s->n));
		r |= json_object_set_new(summary, "failed", json_integer((json_int_t)failed));
		r |= json_object_set(root, "summary", summary);
	}
	json_decref(scopes);
	json_decref(summary);
	if (r) {
		json_decref(root);
		return NULL;
	}
	return root;
}

int ss_report_json(const ss_scopes *s, const ss_report_opts *o, ss_buf *out, ss_diag *d)
{
	json_t *root = audit_json(s, o);
	char *dump = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(root);
	int r = !dump || ss_buf_adds(out, dump) < 0 || ss_buf_addc(out, '\n') < 0;
	free(dump);
	return r ? ss_diag_oom(d) : 0;
}
