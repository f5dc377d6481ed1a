/* The OpenSSH client (kind "ssh"): ssh_config audited and applied as
 * `ssh -G` sees it. The semantics live in openssh_load.c (files, Include,
 * checks, index), openssh_eval.c (one host) and openssh_plan.c (apply). */
#include <string.h>
#include <strings.h>

#include "openssh_int.h"
#include "sshsync/clients.h"

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

/* The scopes: each --host name, else each literal Host name and "*",
 * which stands for any other host (`ssh -G '*'` gives the same). */
static int audit_host(ss_openssh *c, const char *path, const char *name, ss_scopes *out, ss_diag *d)
{
	ss_openssh_result r;
	if (ss_openssh_eval(c, name, &r, d) < 0)
		return -1;
	ss_scope *sc = ss_scopes_add(out, "ssh", path, name);
	int rc = sc ? 0 : -1;
	if (sc) {
		sc->interval = r.interval;
		sc->count_max = r.count_max;
		sc->tcp_keepalive = r.tcp_keepalive;
		rc = ss_scope_set_at(sc, r.interval_at);
		if (rc == 0 && r.unknown_reason)
			rc = ss_scope_reason(sc, "not known before ssh runs: %s", r.unknown_reason);
		if (rc == 0 && r.count_max == 0 && r.interval > 0)
			rc = count_max_zero(sc, r.count_max_at);
	}
	ss_openssh_result_free(&r);
	return rc < 0 ? ss_diag_oom(d) : 0;
}

static int ssh_audit(const char *path, const ss_query *q, ss_scopes *out, ss_diag *d)
{
	ss_openssh_opts o = SS_OPENSSH_OPTS_INIT;
	ss_openssh *c;
	if (ss_openssh_load(&c, path, &o, d) < 0)
		return -1;
	int r = 0;
	if (q && q->hosts && q->hosts->n) {
		for (size_t i = 0; i < q->hosts->n && r == 0; i++)
			r = audit_host(c, path, q->hosts->v[i], out, d);
	} else {
		ss_strlist names = SS_STRLIST_INIT;
		r = ss_openssh_host_names(c, &names) < 0 || ss_strlist_push(&names, "*") < 0
			? ss_diag_oom(d)
			: 0;
		/* A Host name ssh refuses on its command line is no scope:
		 * nobody can connect to it by that name. */
		for (size_t i = 0; i < names.n && r == 0; i++)
			if (ss_openssh_valid_hostname(names.v[i]))
				r = audit_host(c, path, names.v[i], out, d);
		ss_strlist_release(&names);
	}
	ss_openssh_free(c);
	return r;
}

static int ssh_apply(const char *path, const ss_policy *p, ss_changeset *cs, ss_diag *d)
{
	ss_openssh_opts o = SS_OPENSSH_OPTS_INIT;
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

static int ssh_sniff(const char *path, const char *head, size_t len)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (strcmp(base, "ssh_config") == 0 || strstr(path, "/.ssh/config") ||
	    strcmp(path, ".ssh/config") == 0)
		return 2;
	if (strcmp(base, "sshd_config") == 0)
		return 0;
	/* A line that starts with a client-only keyword. */
	for (size_t i = 0; i < len; i++) {
		if (i && head[i - 1] != '\n')
			continue;
		size_t j = i;
		while (j < len && (head[j] == ' ' || head[j] == '\t'))
			j++;
		for (size_t k = 0; client_only[k]; k++) {
			size_t n = strlen(client_only[k]);
			if (j + n <= len && strncasecmp(head + j, client_only[k], n) == 0)
				return 1;
		}
	}
	return 0;
}

const ss_client ss_client_ssh = {
    .kind = "ssh",
    .description = "OpenSSH client configuration (ssh_config, ~/.ssh/config)",
    .audit = ssh_audit,
    .apply = ssh_apply,
    .export_plan = NULL,
    .sniff = ssh_sniff,
    .includes = ssh_includes,
};
