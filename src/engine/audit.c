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

/* `then`: the system file read after the target as one chain, or NULL. */
static int audit_target(const ss_target *t, const char *then, const ss_query *q, const ss_policy *p,
			ss_scopes *out, ss_diag *d)
{
	size_t first = out->n;
	if (t->error)
		return error_scope(t, t->error, out, first, d);
	if ((then ? t->client->audit_chain(t->path, then, q, out, d)
		  : t->client->audit(t->path, q, out, d)) < 0) {
		if (ss_diag_is_oom(d))
			return -1;
		char *msg = ss_diag_format(d);
		ss_diag_clear(d);
		int r = msg ? error_scope(t, msg, out, first, d) : ss_diag_oom(d);
		free(msg);
		return r;
	}
	if (out->sink)
		return 0; /* judged on the way to the sink (judge_then_pass) */
	for (size_t j = first; j < out->n; j++)
		if (ss_scope_judge(&out->v[j], p) < 0)
			return ss_diag_oom(d);
	return 0;
}

/* The sink the engine puts before the caller's: every scope is judged
 * before it goes on. */
typedef struct judging {
	const ss_policy *p;
	const ss_scope_sink *next;
	ss_scope_sink_parts parts; /* the next's, each scope judged first */
} judging;

static int judge_then_pass(void *ctx, ss_scope *sc, ss_diag *d)
{
	const judging *j = ctx;
	if (ss_scope_judge(sc, j->p) < 0)
		return ss_diag_oom(d);
	return j->next->take(j->next->ctx, sc, d);
}

/* Judged where the part is taken, on whichever thread: judging reads only
 * the scope and the policy. */
static void *judging_part_new(void *ctx)
{
	const judging *j = ctx;
	return j->next->parts->part_new(j->next->ctx);
}

static int judge_then_take_part(void *ctx, void *part, ss_scope *sc, ss_diag *d)
{
	const judging *j = ctx;
	if (ss_scope_judge(sc, j->p) < 0)
		return ss_diag_oom(d);
	return j->next->parts->take_part(j->next->ctx, part, sc, d);
}

static int judging_merge(void *ctx, void *part, ss_diag *d)
{
	const judging *j = ctx;
	return j->next->parts->merge(j->next->ctx, part, d);
}

static void judging_part_free(void *ctx, void *part)
{
	const judging *j = ctx;
	j->next->parts->part_free(j->next->ctx, part);
}

static int is_system(const ss_target *t)
{
	return t->client && t->client->is_system && !t->error &&
	       (t->system || t->client->is_system(t->path));
}

/* A client that reads a user's file and then a system-wide one (ssh
 * without -F) is audited the way it reads them: each user file of that
 * client among the targets is chained with the first system file of that
 * client, which is then not audited on its own. */
static const char *chained_system(const ss_targets *targets, size_t i, unsigned char *skip)
{
	const ss_target *t = &targets->v[i];
	if (!t->client || !t->client->audit_chain || t->error || is_system(t))
		return NULL;
	for (size_t j = 0; j < targets->n; j++) {
		if (targets->v[j].client == t->client && is_system(&targets->v[j])) {
			skip[j] = 1;
			return targets->v[j].path;
		}
	}
	return NULL;
}

int ss_engine_audit(const ss_targets *targets, const ss_query *q, const ss_policy *p,
		    ss_scopes *out, ss_diag *d)
{
	unsigned char *skip = calloc(targets->n ? targets->n : 1, 1);
	const char **then = calloc(targets->n ? targets->n : 1, sizeof(*then));
	int r = skip && then ? 0 : ss_diag_oom(d);
	const ss_scope_sink *caller = out->sink;
	judging j = {
	    p, caller, {judging_part_new, judge_then_take_part, judging_merge, judging_part_free}};
	ss_scope_sink mine = {judge_then_pass, &j, caller && caller->parts ? &j.parts : NULL};
	if (caller)
		out->sink = &mine;
	for (size_t i = 0; i < targets->n && r == 0; i++)
		then[i] = chained_system(targets, i, skip);
	for (size_t i = 0; i < targets->n && r == 0; i++) {
		if (skip[i] && !then[i])
			continue;
		r = audit_target(&targets->v[i], then[i], q, p, out, d);
		if (r == 0)
			r = ss_scopes_settle(out, d); /* what the client did not hand on */
	}
	out->sink = caller;
	free(skip);
	free(then);
	return r;
}
