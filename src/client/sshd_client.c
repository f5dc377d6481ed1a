/* The sshd client: audit scopes and the client table. */
#include <stdlib.h>
#include <string.h>

#include "sshsync/clients.h"
#include "sshd_impl.h"
#include "sshsync/os_path.h"

/* serverloop.c (OpenSSH 9.2, wait_until_can_do_something): ppoll() waits
 * ClientAliveInterval seconds, and when it times out sshd probes only if
 * monotime(), in whole seconds, is more than the interval past
 * last_client_time, the second of the client's last packet. The reply to a
 * probe sets last_client_time, so the first timeout after it finds exactly
 * the interval gone and waits once more: on an idle connection a probe
 * every 2 x ClientAliveInterval (measured on the wire: 1 -> 2 s, 2 -> 4 s,
 * 3 -> 6 s, with one or several channels). */
static const ss_period_rule client_alive_rule = {
    .setting = "ClientAliveInterval",
    .factor = 2,
    .why = "sshd probes only after more than the interval, in whole seconds, of silence "
	   "from the client, and each reply restarts that wait",
};

static int fill_scope(ss_scopes *out, const char *file, const char *name, const ss_sshd_values *v,
		      ss_diag *d)
{
	ss_scope *sc = ss_scopes_add(out, "sshd", file, name);
	if (!sc)
		return ss_diag_oom(d);
	sc->interval = v->interval;
	sc->count_max = v->count_max;
	sc->tcp_keepalive = v->tcp_keepalive;
	sc->period_rule = &client_alive_rule;
	if (ss_scope_set_at(sc, v->interval_at) < 0)
		return ss_diag_oom(d);
	/* OpenSSH 8.2 changed the meaning of 0: it no longer drops the client
	 * after the first unanswered probe, it never drops it */
	if (v->count_max == 0 && v->interval > 0 &&
	    ss_scope_reason(sc,
			    "ClientAliveCountMax 0 (%s) disables disconnection since "
			    "OpenSSH 8.2: dead clients are never dropped; use 3",
			    v->count_max_at ? v->count_max_at : "default") < 0)
		return ss_diag_oom(d);
	return 0;
}

static int audit_connection(const ss_sshd_config *c, const char *path, const char *spec,
			    ss_scopes *out, ss_diag *d)
{
	ss_sshd_conn conn = SS_SSHD_CONN_INIT;
	ss_sshd_values v;
	int r = ss_sshd_conn_parse(&conn, spec, d);
	if (r == 0 && (r = ss_sshd_eval(c, &conn, &v, d)) == 0) {
		r = fill_scope(out, path, spec, &v, d);
		ss_sshd_values_free(&v);
	}
	ss_sshd_conn_free(&conn);
	return r;
}

int ss_sshd_audit(const char *path, const ss_query *q, const ss_sshd_opts *o, ss_scopes *out,
		  ss_diag *d)
{
	ss_sshd_config *c;
	if (ss_sshd_load(&c, path, o, d) < 0)
		return -1;
	int r = 0;
	ss_sshd_values v;
	if (q && q->connections && q->connections->n) {
		for (size_t i = 0; i < q->connections->n && r == 0; i++)
			r = audit_connection(c, path, q->connections->v[i], out, d);
	} else {
		if ((r = ss_sshd_eval_global(c, &v, d)) == 0) {
			r = fill_scope(out, path, "global", &v, d);
			ss_sshd_values_free(&v);
		}
		for (size_t i = 0; i < ss_sshd_nblocks(c) && r == 0; i++) {
			if ((r = ss_sshd_eval_block(c, i, &v, d)) < 0)
				break;
			r = fill_scope(out, ss_sshd_block_file(c, i), ss_sshd_block_name(c, i), &v,
				       d);
			ss_sshd_values_free(&v);
		}
	}
	ss_sshd_free(c);
	return r;
}

static int sshd_audit(const char *path, const ss_query *q, ss_scopes *out, ss_diag *d)
{
	return ss_sshd_audit(path, q, NULL, out, d);
}

static int sshd_apply(const char *path, const ss_policy *p, ss_changeset *cs, ss_diag *d)
{
	return ss_sshd_apply(path, p, NULL, cs, d);
}

static int sshd_includes(const char *path, ss_strlist *out, ss_diag *d)
{
	ss_sshd_config *c;
	if (ss_sshd_load(&c, path, NULL, d) < 0)
		return -1;
	int r = 0;
	for (size_t i = 1; i < c->nfiles && r == 0; i++)
		r = ss_strlist_push(out, c->files[i]->path) < 0 ? ss_diag_oom(d) : 0;
	ss_sshd_free(c);
	return r;
}

/* Keywords only sshd_config has (ssh_config rejects them). */
static const char *const server_only[] = {"clientaliveinterval",
					  "clientalivecountmax",
					  "permitrootlogin",
					  "usepam",
					  "subsystem",
					  "authorizedkeysfile",
					  "listenaddress",
					  "hostkey",
					  "allowusers",
					  "denyusers",
					  "allowgroups",
					  "chrootdirectory",
					  "forcecommand",
					  "printmotd",
					  "x11uselocalhost",
					  "acceptenv",
					  "maxstartups",
					  "logingracetime",
					  NULL};

static int sshd_sniff(const char *path, const char *head, size_t len)
{
	const char *base = ss_os_base_name(path);
	if (strstr(base, "sshd_config"))
		return 2;
	const char *d = strstr(path, "sshd_config.d");
	if (d && ss_os_is_sep(d[13]))
		return 2;
	/* a line that starts with a server-only keyword */
	return ss_sshconf_head_has_word(head, len, server_only, 1) ? 2 : 0;
}

const ss_client ss_client_sshd = {
    .kind = "sshd",
    .description = "OpenSSH server: sshd_config, its Include drop-ins and Match blocks",
    .audit = sshd_audit,
    .apply = sshd_apply,
    .export_plan = NULL,
    .sniff = sshd_sniff,
    .period_rule = &client_alive_rule,
    .includes = sshd_includes,
};
