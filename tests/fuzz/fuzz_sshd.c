/* sshd_config: the lexer, Include (confined to the work folder), sshd's
 * first pass, the global values and every Match block, apply and a second
 * apply. Files are split as for fuzz_ssh ("#@@" lines). sshd -t is not run
 * (its path does not exist). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_ssh.h"
#include "sshsync/sshd.h"

static const char *const sshd_keepalive_kws[] = {"clientaliveinterval", "clientalivecountmax",
						 "tcpkeepalive", "keepalive", NULL};

static ss_sshd_opts opts(void)
{
	ss_sshd_opts o = {fuzz_workdir_name(), "/nonexistent/sshd"};
	return o;
}

static int load(ss_sshd_config **c, const char *path)
{
	ss_diag d = SS_DIAG_INIT;
	ss_sshd_opts o = opts();
	int r = ss_sshd_load(c, path, &o, &d);
	fuzz_diag_done(&d);
	return r;
}

static void check_values(const char *what, const ss_sshd_values *v, const ss_policy *p)
{
	FUZZ_CHECK(v->interval == p->interval, "%s: ClientAliveInterval %ld after apply, asked %ld",
		   what, v->interval, p->interval);
	FUZZ_CHECK(p->count_max == SS_UNSET || v->count_max == p->count_max,
		   "%s: ClientAliveCountMax %ld after apply, asked %ld", what, v->count_max,
		   p->count_max);
}

/* Which scopes evaluate (-1 global): 1 when they do. */
static int eval_scope(const ss_sshd_config *c, long i, ss_sshd_values *v)
{
	ss_diag d = SS_DIAG_INIT;
	memset(v, 0, sizeof(*v));
	int r = i < 0 ? ss_sshd_eval_global(c, v, &d) : ss_sshd_eval_block(c, (size_t)i, v, &d);
	fuzz_diag_done(&d);
	return r == 0;
}

static size_t plan(const char *path, const ss_policy *p, ss_changeset *cs)
{
	ss_diag d = SS_DIAG_INIT;
	ss_sshd_opts o = opts();
	int r = ss_sshd_apply(path, p, &o, cs, &d);
	if (r == 0)
		FUZZ_CHECK(ss_changeset_render(cs, &d) == 0, "render failed: %s",
			   d.message ? d.message : "");
	fuzz_diag_done(&d);
	return r < 0 ? (size_t)-1 : ss_changeset_count_changed(cs);
}

int fuzz_sshd(const uint8_t *data, size_t size)
{
	fuzz_workdir();
	if (fuzz_write_files(data, size, "sshd_config", SS_SSHCONF_SERVER) == 0)
		return 0;
	char *path = fuzz_path("sshd_config");
	ss_sshd_config *c;
	if (load(&c, path) < 0) {
		free(path);
		return 0;
	}
	ss_policy p;
	fuzz_policy_from((uint8_t)ss_hash_bytes(data, size), &p);
	size_t nblocks = ss_sshd_nblocks(c);
	int *ok = calloc(nblocks + 1, sizeof(*ok));
	FUZZ_CHECK(ok, "out of memory");
	for (size_t i = 0; i <= nblocks; i++) {
		ss_sshd_values v;
		ok[i] = eval_scope(c, (long)i - 1, &v);
		ss_sshd_values_free(&v);
	}
	ss_sshd_free(c);
	ss_changeset cs = SS_CHANGESET_INIT;
	if (plan(path, &p, &cs) != (size_t)-1) {
		fuzz_write_changes(&cs, SS_SSHCONF_SERVER, sshd_keepalive_kws);
		FUZZ_CHECK(load(&c, path) == 0, "the applied config does not load");
		FUZZ_CHECK(ss_sshd_nblocks(c) == nblocks,
			   "apply changed the number of Match blocks");
		for (size_t i = 0; i <= nblocks; i++) {
			ss_sshd_values v;
			int now = eval_scope(c, (long)i - 1, &v);
			if (ok[i]) {
				FUZZ_CHECK(now, "scope %zu evaluated before apply, not after", i);
				check_values(i ? ss_sshd_block_name(c, i - 1) : "global", &v, &p);
			}
			ss_sshd_values_free(&v);
		}
		ss_sshd_free(c);
		ss_changeset cs2 = SS_CHANGESET_INIT;
		size_t again = plan(path, &p, &cs2);
		FUZZ_CHECK(again == 0, "a second apply changes %zu more files", again);
		ss_changeset_free(&cs2);
	}
	ss_changeset_free(&cs);
	free(ok);
	free(path);
	return 0;
}
