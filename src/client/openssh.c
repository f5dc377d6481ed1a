/* The OpenSSH client (kind "ssh"): ssh_config audited and applied as
 * `ssh -G` sees it. The semantics live in openssh_load.c (files, Include,
 * checks, index), openssh_eval.c (one host) and openssh_plan.c (apply). */
#include <stdlib.h>
#include <string.h>

#include "openssh_int.h"
#include "sshsync/clients.h"
#include "sshsync/os_path.h"
#include "sshsync/os_user.h"
#include "sshsync/scope_pipe.h"

/* clientloop.c counts a check before sending its probe and quits when the
 * count exceeds ServerAliveCountMax: with 0 the first check quits. Measured
 * (tests/integration/wire.sh): no keepalive is ever sent, and ssh hangs up
 * on a live server that has been silent for ServerAliveInterval seconds. */
static int count_max_zero(ss_scope *sc, const char *at)
{
	return ss_scope_reason(sc,
			       "ServerAliveCountMax 0 (%s): ssh sends no keepalive and hangs up "
			       "once the server has been silent for the interval; use 3",
			       at ? at : "default");
}

/* One scope: `host` evaluated as `ssh -G host` takes it. What ssh would
 * stop with for that host is this scope's error, not the end of the
 * report. */
typedef struct scope_req {
	const char *file;
	const char *name;
	const char *host;	/* what is evaluated */
	const char *witness;	/* shown, NULL for a scope named by its host */
	const char *no_witness; /* why none could be made */
	long watch;		/* the block the witness must reach, or -1 */
} scope_req;

static void set_unknown(ss_scope *sc)
{
	sc->interval = SS_UNKNOWN;
	sc->count_max = SS_UNKNOWN;
	sc->tcp_keepalive = SS_UNKNOWN;
}

static int scope_error(ss_scope *sc, const ss_diag *e)
{
	char *m = ss_diag_format(e);
	sc->error = 1;
	set_unknown(sc);
	int rc = m ? ss_scope_reason(sc, "%s", m) : -1;
	free(m);
	return rc;
}

static int fill_scope(ss_scope *sc, const ss_openssh_result *r, const scope_req *q, int watched)
{
	if (q->watch >= 0 && !watched) {
		set_unknown(sc);
		return ss_scope_reason(sc,
				       "no witness: ssh -G %s does not reach this block (what "
				       "comes before it, a HostName, User or the block of its "
				       "Include, decides otherwise)",
				       q->host);
	}
	sc->interval = r->interval;
	sc->count_max = r->count_max;
	sc->tcp_keepalive = r->tcp_keepalive;
	int rc = ss_scope_set_at(sc, r->interval_at);
	if (rc == 0 && r->unknown_reason)
		rc = ss_scope_reason(sc, "not known before ssh runs: %s", r->unknown_reason);
	if (rc == 0 && r->count_max == 0 && r->interval > 0)
		rc = count_max_zero(sc, r->count_max_at);
	return rc;
}

static int audit_one(ss_openssh *c, const scope_req *q, ss_scopes *out, ss_diag *d)
{
	ss_scope *sc = ss_scopes_add(out, "ssh", q->file, q->name);
	if (!sc || ss_scope_set_witness(sc, q->witness) < 0)
		return ss_diag_oom(d);
	if (q->no_witness) {
		set_unknown(sc);
		return ss_scope_reason(sc, "%s", q->no_witness) < 0 ? ss_diag_oom(d) : 0;
	}
	ss_openssh_result r;
	ss_diag e = SS_DIAG_INIT;
	int watched = 0, rc;
	if (ss_openssh_eval_watch(c, q->host, q->watch, &r, &watched, &e) < 0) {
		if (e.message && strcmp(e.message, "out of memory") == 0)
			rc = -1;
		else
			rc = scope_error(sc, &e);
		ss_diag_clear(&e);
		return rc < 0 ? ss_diag_oom(d) : 0;
	}
	rc = fill_scope(sc, &r, q, watched);
	ss_openssh_result_free(&r);
	return rc < 0 ? ss_diag_oom(d) : 0;
}

/* A block scope: the first of its witnesses that reaches it. */
static int audit_block(ss_openssh *c, const ss_openssh_scope *b, ss_scopes *out, ss_diag *d)
{
	for (size_t i = 0; i < b->witnesses.n && !b->no_witness; i++) {
		const char *w = b->witnesses.v[i];
		ss_diag e = SS_DIAG_INIT;
		ss_openssh_result r;
		int watched = 0;
		int rc = ss_openssh_eval_watch(c, w, b->block, &r, &watched, &e);
		if (rc == 0)
			ss_openssh_result_free(&r);
		ss_diag_clear(&e);
		if (rc == 0 && !watched)
			continue;
		scope_req q = {b->file, b->name, w, w, NULL, b->block};
		return audit_one(c, &q, out, d);
	}
	char *why = NULL;
	if (!b->no_witness && !b->witnesses.n)
		why = ss_strdup("no witness: sshsync could make no name that this block's "
				"patterns and those of the blocks its Include lines hang on all "
				"match");
	else if (!b->no_witness)
		why = ss_asprintf("no witness: none of the names sshsync tried (%s%s) reaches "
				  "this block (what comes before it, a HostName, User or the block "
				  "of its Include, decides otherwise)",
				  b->witnesses.v[0], b->witnesses.n > 1 ? ", ..." : "");
	if (!b->no_witness && !why)
		return ss_diag_oom(d);
	scope_req q = {b->file, b->name, NULL, NULL, b->no_witness ? b->no_witness : why, -1};
	int rc = audit_one(c, &q, out, d);
	free(why);
	return rc;
}

/* The scopes of an audit without --host, made by ss_scopes_make in this
 * order: each literal Host name (the first `nnames` items, as `names`
 * gives them), each pattern and Match block that can set a keepalive
 * (judged on its witness), and `*` for any other host (judged on
 * `other`, a name no other pattern matches). Evaluating a host writes the
 * tree's scratch, so one thread at a time makes them (not `shared`), in
 * item order: the names are taken from the iterator as they come, never
 * listed (100,000 hosts' names would take megabytes). */
typedef struct all_maker {
	ss_openssh *c;
	const char *path;
	oss_names names;
	size_t nnames, next; /* the name item the iterator gives next */
	const ss_openssh_scopes *blocks;
	const char *other;
} all_maker;

/* Host name item i's scope. A name ssh refuses on its command line is no
 * scope: nobody can connect to it by that name. */
static int make_name(all_maker *m, size_t i, ss_scopes *out, ss_diag *d)
{
	const char *host = i == m->next++ ? oss_names_next(m->c, &m->names) : NULL;
	if (!host) /* ss_scopes_make gives items in order to a maker not shared */
		return ss_diag_set(d, m->path, 0, 0, "Host name %zu asked out of order", i);
	if (!ss_openssh_valid_hostname(host))
		return 0;
	scope_req q = {m->path, host, host, NULL, NULL, -1};
	m->c->hint_name = host; /* its entry is known: no probe of the index */
	m->c->hint_entry = m->names.entry;
	int r = audit_one(m->c, &q, out, d);
	m->c->hint_name = NULL;
	return r;
}

static int make_all(void *ctx, void *state, size_t i, ss_scopes *out, ss_diag *d)
{
	all_maker *m = ctx;
	(void)state;
	if (i < m->nnames)
		return make_name(m, i, out, d);
	if ((i -= m->nnames) < m->blocks->n)
		return audit_block(m->c, &m->blocks->v[i], out, d);
	scope_req q = {m->path, "*", m->other, m->other, NULL, -1};
	return audit_one(m->c, &q, out, d);
}

/* How many names oss_names_next gives. */
static int count_names(const ss_openssh *c, size_t *n)
{
	oss_names it;
	*n = 0;
	if (oss_names_begin(c, &it) < 0)
		return -1;
	while (oss_names_next(c, &it))
		(*n)++;
	oss_names_end(&it);
	return 0;
}

/* Without --host: the scopes of all_maker. A report that streams takes
 * them as they are made, a fleet's evaluation and its report then on two
 * threads (the files are read: what fails from here on is memory). */
static int audit_all(ss_openssh *c, const char *path, ss_scopes *out, ss_diag *d)
{
	all_maker m;
	memset(&m, 0, sizeof(m));
	m.c = c;
	m.path = path;
	ss_openssh_scopes blocks = SS_OPENSSH_SCOPES_INIT;
	char *other = NULL;
	int r =
	    count_names(c, &m.nnames) < 0 || oss_names_begin(c, &m.names) < 0 ? ss_diag_oom(d) : 0;
	if (r == 0)
		r = ss_openssh_block_scopes(c, &blocks, d);
	if (r == 0 && !(other = ss_openssh_other_witness(c)))
		r = ss_diag_oom(d);
	m.blocks = &blocks;
	m.other = other;
	size_t n = m.nnames + blocks.n + 1;
	/* Every scope kept: room for them first, so the list never grows by
	 * copying. */
	if (r == 0 && !out->sink && ss_scopes_reserve(out, n) < 0)
		r = ss_diag_oom(d);
	ss_scope_maker maker = {&m, 0, make_all, NULL, 0, NULL};
	if (r == 0)
		r = ss_scopes_make(&maker, n, 1, out, d);
	free(other);
	ss_openssh_scopes_free(&blocks);
	oss_names_end(&m.names);
	return r;
}

/* The scopes of --host and --host-file: each name as given, made by
 * ss_scopes_make one thread at a time (as all_maker). */
typedef struct asked_maker {
	ss_openssh *c;
	const char *path;
	const ss_strlist *hosts;
} asked_maker;

static int make_asked(void *ctx, void *state, size_t i, ss_scopes *out, ss_diag *d)
{
	const asked_maker *m = ctx;
	(void)state;
	scope_req one = {m->path, m->hosts->v[i], m->hosts->v[i], NULL, NULL, -1};
	return audit_one(m->c, &one, out, d);
}

/* `system`: the system-wide file ssh reads after `path` without -F, or
 * NULL for `path` alone (ssh -F). */
static int ssh_audit_chain(const char *path, const char *system, const ss_query *q, ss_scopes *out,
			   ss_diag *d)
{
	ss_openssh_opts o = SS_OPENSSH_OPTS_INIT;
	o.lean = 1; /* audit edits no line */
	o.drop_lines = 1;
	ss_openssh *c;
	const char *chain[2] = {path, system};
	if (ss_openssh_load_chain(&c, chain, system ? 2 : 1, &o, d) < 0)
		return -1;
	int r;
	if (q && q->hosts && q->hosts->n) {
		asked_maker m = {c, path, q->hosts};
		ss_scope_maker maker = {&m, 0, make_asked, NULL, 0, NULL};
		r = !out->sink && ss_scopes_reserve(out, q->hosts->n) < 0
			? ss_diag_oom(d)
			: ss_scopes_make(&maker, q->hosts->n, 1, out, d);
	} else {
		r = audit_all(c, path, out, d);
	}
	ss_openssh_free(c);
	return r;
}

static int ssh_audit(const char *path, const ss_query *q, ss_scopes *out, ss_diag *d)
{
	return ssh_audit_chain(path, NULL, q, out, d);
}

/* The user's own ~/.ssh/config: ssh reads it when it exists, and reads
 * nothing (no error) when it does not. */
static int is_user_config(const char *path)
{
	const char *home = ss_os_user_home();
	char *mine = home && *home ? ss_asprintf("%s/.ssh/config", home) : NULL;
	int r = mine && strcmp(mine, path) == 0;
	free(mine);
	return r;
}

static int ssh_apply(const char *path, const ss_policy *p, ss_changeset *cs, ss_diag *d)
{
	ss_openssh_opts o = SS_OPENSSH_OPTS_INIT;
	/* A missing ~/.ssh/config is created: the place for the user's
	 * defaults, read before the system file. */
	o.missing_empty = is_user_config(path);
	o.lean = 1; /* the plan lexes again the few lines it edits */
	ss_openssh *c;
	if (ss_openssh_load(&c, path, &o, d) < 0)
		return -1;
	int r = ss_openssh_plan(c, p, cs, d);
	ss_openssh_free(c);
	return r;
}

static int ssh_includes(const char *path, ss_strlist *out, ss_diag *d)
{
	ss_openssh_opts o = SS_OPENSSH_OPTS_INIT;
	o.lean = 1;
	ss_openssh *c;
	if (ss_openssh_load(&c, path, &o, d) < 0)
		return -1;
	int r = 0;
	for (size_t i = 1; i < c->nfiles && r == 0; i++)
		r = ss_strlist_push(out, c->files[i].path) < 0 ? ss_diag_oom(d) : 0;
	ss_openssh_free(c);
	return r;
}

/* Keywords only ssh_config has (sshd_config would reject them). */
static const char *const client_only[] = {"host ",	  "serveraliveinterval",   "proxyjump",
					  "proxycommand", "identityfile",	   "hostname ",
					  "forwardagent", "stricthostkeychecking", NULL};

/* Whether a path is ".ssh/config" or ends with it (any separator). */
static int in_dot_ssh(const char *path, const char *base)
{
	size_t dlen = ss_os_dir_len(path);
	if (strcmp(base, "config") != 0 || dlen < 4 || strncmp(path + dlen - 4, ".ssh", 4) != 0)
		return 0;
	return dlen == 4 || ss_os_is_sep(path[dlen - 5]);
}

static int ssh_sniff(const char *path, const char *head, size_t len)
{
	const char *base = ss_os_base_name(path);
	if (strcmp(base, "ssh_config") == 0 || in_dot_ssh(path, base))
		return 2;
	if (strcmp(base, "sshd_config") == 0)
		return 0;
	/* A line that starts with a client-only keyword (some end in a
	 * blank: "host " is not "hostkey"). */
	return ss_sshconf_head_has_word(head, len, client_only, 0);
}

const ss_client ss_client_ssh = {
    .kind = "ssh",
    .description = "OpenSSH client configuration (ssh_config, ~/.ssh/config)",
    .audit = ssh_audit,
    .apply = ssh_apply,
    .export_plan = NULL,
    .sniff = ssh_sniff,
    .is_system = ss_openssh_is_system_path,
    .audit_chain = ssh_audit_chain,
    .includes = ssh_includes,
    .sessions_read = ss_openssh_sessions_read,
    .sessions_plan = ss_openssh_sessions_plan,
};
