/* The loss report of migrate, as text and JSON. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/report.h"
#include "sshsync/text.h"

static json_t *jtext(const char *s)
{
	if (!s)
		return json_null();
	if (ss_utf8_valid(s, strlen(s)))
		return json_string(s);
	json_t *j = NULL;
	ss_buf b = SS_BUF_INIT;
	if (ss_report_add_printable(&b, s) == 0)
		j = json_string(ss_buf_str(&b));
	ss_buf_release(&b);
	return j;
}

static json_t *jlist(const ss_strlist *l)
{
	json_t *a = json_array();
	for (size_t i = 0; a && l && i < l->n; i++)
		if (json_array_append_new(a, jtext(l->v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *field_json(ss_sfield f, const ss_sval *v)
{
	json_t *o = json_object();
	ss_buf b = SS_BUF_INIT;
	if (!o || ss_sval_format(f, v, &b) < 0) {
		json_decref(o);
		ss_buf_release(&b);
		return NULL;
	}
	int r = json_object_set_new(o, "value", jtext(ss_buf_str(&b)));
	r |= json_object_set_new(o, "origin", json_string(ss_sorigin_name(v->origin)));
	r |= json_object_set_new(o, "set_at", jtext(v->where));
	ss_buf_release(&b);
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *session_json(const ss_session *s)
{
	json_t *o = json_object(), *fields = json_object(), *losses = json_array();
	int r = !o || !fields || !losses;
	if (!r) {
		r |= json_object_set_new(o, "name", jtext(s->name));
		r |= json_object_set_new(o, "target_name", jtext(s->target_name));
		r |= json_object_set_new(
		    o, "renamed", json_boolean(s->target_name && strcmp(s->target_name, s->name)));
		r |= json_object_set_new(o, "skipped", json_boolean(s->skip));
		for (int f = 0; f < SS_F_COUNT && !s->skip; f++)
			r |= json_object_set_new(fields, ss_sfield_name((ss_sfield)f),
						 field_json((ss_sfield)f, &s->f[f]));
		for (size_t i = 0; i < s->nloss; i++) {
			json_t *l = json_object();
			r |= !l;
			if (l) {
				r |= json_object_set_new(l, "field", jtext(s->loss[i].field));
				r |= json_object_set_new(l, "reason", jtext(s->loss[i].reason));
				r |= json_object_set_new(l, "approximate",
							 json_boolean(s->loss[i].approx));
				r |= json_array_append_new(losses, l);
			}
		}
	}
	if (!r) {
		r |= json_object_set_new(o, "fields", fields);
		fields = NULL;
		r |= json_object_set_new(o, "losses", losses);
		losses = NULL;
	}
	json_decref(fields);
	json_decref(losses);
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static size_t count_losses(const ss_sessions *l)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += l->v[i].nloss;
	return n;
}

/* What became of one key file: "converted", "to convert" (dry run, or not
 * written), or "reused" (the folder holds the same key already). */
static const char *key_state(const ss_migrate_report *r, size_t i)
{
	if (strcmp(r->key_action->v[i], "convert") != 0)
		return r->key_action->v[i];
	return r->written ? "converted" : "to convert";
}

static json_t *keys_json(const ss_migrate_report *r)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < r->key_from->n; i++) {
		json_t *k = json_object();
		if (!k || json_object_set_new(k, "from", jtext(r->key_from->v[i])) < 0 ||
		    json_object_set_new(k, "to", jtext(r->key_to->v[i])) < 0 ||
		    json_object_set_new(k, "action", json_string(key_state(r, i))) < 0 ||
		    json_array_append_new(a, k) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static int flush_if_full(const ss_migrate_report *r, ss_buf *out, ss_diag *d)
{
	return r->stream ? ss_report_flush_if_full(r->stream, out, d) : 0;
}

/* One session as jansson writes it two levels down in the document: its
 * own dump with every line break followed by four more spaces (a break
 * inside a string is escaped, so each one is indentation). */
static int add_session_json(ss_buf *out, const ss_session *s)
{
	json_t *j = session_json(s);
	char *txt = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	int e = !txt || ss_buf_adds(out, "\n    ") < 0;
	for (const char *p = txt, *nl; !e && p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		e = ss_buf_add(out, p, nl ? (size_t)(nl - p) : strlen(p)) < 0 ||
		    (nl && ss_buf_adds(out, "\n    ") < 0);
	}
	free(txt);
	return e ? -1 : 0;
}

/* The document `txt` (dumped with an empty "sessions" array) with the
 * sessions put in one at a time, each handed to the stream when `out` is
 * full: 10,000 sessions' objects are never all in memory. */
static int add_sessions_streamed(const ss_migrate_report *r, const char *txt, ss_buf *out,
				 ss_diag *d)
{
	static const char key[] = "\n  \"sessions\": [";
	const char *at = strstr(txt, key);
	if (!at || at[sizeof key - 1] != ']')
		return ss_diag_set(d, NULL, 0, 0, "internal error: no sessions in the report");
	const char *rest = at + sizeof key - 1;
	if (ss_buf_add(out, txt, (size_t)(rest - txt)) < 0)
		return ss_diag_oom(d);
	for (size_t i = 0; i < r->sessions->n; i++) {
		if ((i && ss_buf_addc(out, ',') < 0) ||
		    add_session_json(out, &r->sessions->v[i]) < 0)
			return ss_diag_oom(d);
		if (flush_if_full(r, out, d) < 0)
			return -1;
	}
	if ((r->sessions->n && ss_buf_adds(out, "\n  ") < 0) || ss_buf_adds(out, rest) < 0)
		return ss_diag_oom(d);
	return 0;
}

int ss_report_migrate_json(const ss_migrate_report *r, ss_buf *out, ss_diag *d)
{
	json_t *o = json_object(), *sess = json_array(), *files = json_array();
	int e = !o || !sess || !files;
	for (size_t i = 0; !e && !r->stream && i < r->sessions->n; i++)
		e = json_array_append_new(sess, session_json(&r->sessions->v[i])) < 0;
	for (size_t i = 0; !e && r->changed && i < r->changed->n; i++) {
		json_t *f = json_object();
		e = !f || json_object_set_new(f, "path", jtext(r->changed->v[i])) < 0 ||
		    json_object_set_new(f, "backup",
					r->backups && i < r->backups->n && *r->backups->v[i]
					    ? jtext(r->backups->v[i])
					    : json_null()) < 0 ||
		    json_array_append_new(files, f) < 0;
	}
	if (!e) {
		e |= json_object_set_new(o, "sshsync", json_string(SSHSYNC_VERSION));
		e |= json_object_set_new(o, "mode", json_string(r->mode));
		e |= json_object_set_new(o, "from", jtext(r->from));
		e |= json_object_set_new(o, "from_kind", jtext(r->from_kind));
		e |= json_object_set_new(o, "to", jtext(r->to));
		e |= json_object_set_new(o, "to_kind", jtext(r->to_kind));
		e |= json_object_set_new(o, "written", json_boolean(r->written));
		e |= json_object_set_new(o, "strict_refused", json_boolean(r->strict));
		e |= json_object_set_new(o, "sessions", sess);
		sess = NULL;
		e |= json_object_set_new(o, "changed", files);
		files = NULL;
		e |= json_object_set_new(o, "warnings", jlist(r->warnings));
		if (r->key_from)
			e |= json_object_set_new(o, "keys", keys_json(r));
		if (r->host_key_notes)
			e |= json_object_set_new(o, "host_key_notes", jlist(r->host_key_notes));
		if (r->diff)
			e |= json_object_set_new(o, "diff", jtext(ss_buf_str(r->diff)));
		json_t *sum = json_object();
		e |= !sum;
		if (sum) {
			e |= json_object_set_new(sum, "sessions",
						 json_integer((json_int_t)r->sessions->n));
			e |= json_object_set_new(
			    sum, "losses", json_integer((json_int_t)count_losses(r->sessions)));
			e |= json_object_set_new(
			    sum, "changed",
			    json_integer(r->changed ? (json_int_t)r->changed->n : 0));
			e |= json_object_set_new(o, "summary", sum);
		}
	}
	json_decref(sess);
	json_decref(files);
	char *txt = e ? NULL : json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!txt)
		return ss_diag_oom(d);
	int rc = r->stream		     ? add_sessions_streamed(r, txt, out, d)
		 : ss_buf_adds(out, txt) < 0 ? ss_diag_oom(d)
					     : 0;
	free(txt);
	if (rc == 0 && ss_buf_addc(out, '\n') < 0)
		rc = ss_diag_oom(d);
	return rc;
}

int ss_report_migrate_text(const ss_migrate_report *r, ss_buf *out, ss_diag *d)
{
	int e = 0;
	for (size_t i = 0; i < r->sessions->n && !e; i++) {
		/* 10,000 sessions' losses are megabytes: they go out as they come. */
		if (flush_if_full(r, out, d) < 0)
			return -1;
		const ss_session *s = &r->sessions->v[i];
		e |= ss_report_add_printable(out, s->name);
		if (s->skip)
			e |= ss_buf_adds(out, ": not migrated");
		else if (s->target_name && strcmp(s->target_name, s->name) != 0) {
			e |= ss_buf_adds(out, " -> ");
			e |= ss_report_add_printable(out, s->target_name);
			e |= ss_buf_adds(out, " (renamed: the name cannot be kept as it is)");
		}
		e |= ss_buf_addc(out, '\n');
		for (size_t k = 0; k < s->nloss && !e; k++) {
			e |= ss_buf_addf(out, "  %s ", s->loss[k].approx ? "approx" : "lost  ");
			e |= ss_report_add_printable(out, s->loss[k].field);
			e |= ss_buf_adds(out, ": ");
			e |= ss_report_add_printable(out, s->loss[k].reason);
			e |= ss_buf_addc(out, '\n');
		}
	}
	for (size_t i = 0; r->key_from && i < r->key_from->n && !e; i++) {
		e |= ss_buf_adds(out, "key: ");
		e |= ss_report_add_printable(out, r->key_from->v[i]);
		e |= ss_buf_adds(out, " -> ");
		e |= ss_report_add_printable(out, r->key_to->v[i]);
		e |= ss_buf_addf(out, " (%s)\n", key_state(r, i));
	}
	for (size_t i = 0; r->host_key_notes && i < r->host_key_notes->n && !e; i++) {
		e |= ss_buf_adds(out, "host keys: ");
		e |= ss_report_add_printable(out, r->host_key_notes->v[i]);
		e |= ss_buf_addc(out, '\n');
	}
	size_t nchanged = r->changed ? r->changed->n : 0;
	const char *verb = r->written			     ? "written"
			   : strcmp(r->mode, "migrate") == 0 ? "not written"
							     : "would change";
	for (size_t i = 0; i < nchanged && !e; i++) {
		e |= ss_buf_addf(out, "%s: ", verb);
		e |= ss_report_add_printable(out, r->changed->v[i]);
		if (r->written && r->backups && i < r->backups->n && *r->backups->v[i]) {
			e |= ss_buf_adds(out, " (backup ");
			e |= ss_report_add_printable(out, r->backups->v[i]);
			e |= ss_buf_addc(out, ')');
		}
		e |= ss_buf_addc(out, '\n');
	}
	for (size_t i = 0; r->warnings && i < r->warnings->n && !e; i++) {
		e |= ss_buf_adds(out, "warning: ");
		e |= ss_report_add_printable(out, r->warnings->v[i]);
		e |= ss_buf_addc(out, '\n');
	}
	e |= ss_buf_addf(out, "%zu session%s, %zu loss%s, %zu file%s %s%s\n", r->sessions->n,
			 r->sessions->n == 1 ? "" : "s", count_losses(r->sessions),
			 count_losses(r->sessions) == 1 ? "" : "es", nchanged,
			 nchanged == 1 ? "" : "s",
			 r->written ? "written"
			 : nchanged ? "to change"
				    : "changed",
			 r->strict ? " (--strict: nothing written because of the losses)" : "");
	return e ? ss_diag_oom(d) : 0;
}
