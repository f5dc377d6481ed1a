/* audit: every scope of every target, judged. A file that cannot be read
 * or parsed is an error scope; the other files are audited as usual. */
#include <stdlib.h>

#include "sshsync/engine.h"

/* Replaces what a failed target added by one error scope with the message. */
static int error_scope(const ss_target *t, const char *message, ss_scopes *out, size_t first,
		       ss_diag *d)
{
	ss_scopes_truncate(out, first);
	const char *kind = t->client ? t->client->kind : "?";
	return ss_scopes_add_error(out, kind, t->path, message) ? 0 : ss_diag_oom(d);
}

static int audit_target(const ss_target *t, const ss_query *q, const ss_policy *p, ss_scopes *out,
			ss_diag *d)
{
	size_t first = out->n;
	if (t->error)
		return error_scope(t, t->error, out, first, d);
	if (t->client->audit(t->path, q, out, d) < 0) {
		if (ss_diag_is_oom(d))
			return -1;
		char *msg = ss_diag_format(d);
		ss_diag_clear(d);
		int r = msg ? error_scope(t, msg, out, first, d) : ss_diag_oom(d);
		free(msg);
		return r;
	}
	for (size_t j = first; j < out->n; j++)
		if (ss_scope_judge(&out->v[j], p) < 0)
			return ss_diag_oom(d);
	return 0;
}

int ss_engine_audit(const ss_targets *targets, const ss_query *q, const ss_policy *p,
		    ss_scopes *out, ss_diag *d)
{
	for (size_t i = 0; i < targets->n; i++)
		if (audit_target(&targets->v[i], q, p, out, d) < 0)
			return -1;
	return 0;
}
