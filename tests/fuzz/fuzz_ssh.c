#define _GNU_SOURCE
/* ssh_config: the lexer, Include (confined to the work folder), evaluation
 * of every host, apply and a second apply.
 *
 * The input is one or more files: the main config, then, after each line
 * "#@@", the next of inc1, inc2, ... (which the config may Include). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "fuzz_ssh.h"
#include "sshsync/clients.h"
#include "sshsync/changeset.h"
#include "sshsync/edit.h"
#include "sshsync/openssh.h"
#include "sshsync/sshconf.h"
#include "sshsync/text.h"

#define MAX_FILES 4

static const char *const ssh_keepalive_kws[] = {"serveraliveinterval",
						"serveralivecountmax",
						"tcpkeepalive",
						"keepalive",
						"protocolkeepalives",
						"setuptimeout",
						NULL};

static int is_kw(const char *kw, const char *const *kws)
{
	for (size_t i = 0; kw && kws[i]; i++)
		if (strcmp(kw, kws[i]) == 0)
			return 1;
	return 0;
}

/* The lines of a file that are not keepalive directives, content only. */
static void other_lines(const char *path, const void *bytes, size_t len, ss_sshconf_mode mode,
			const char *const *kws, ss_strlist *out)
{
	ss_text t;
	ss_diag d = SS_DIAG_INIT;
	FUZZ_CHECK(ss_text_from_bytes(&t, path, bytes, len, &d) == 0, "cannot read back %s", path);
	for (size_t i = 0; i < t.nlines; i++) {
		const ss_line l = ss_text_line(&t, i);
		ss_sshconf_item it;
		memset(&it, 0, sizeof(it));
		int keep = 1;
		if (ss_sshconf_lex_line(&t, l.start, l.start + l.len, mode, &it, &d) == 0)
			keep = !(it.kind == SS_SSHCONF_DIRECTIVE && is_kw(it.keyword, kws));
		ss_sshconf_item_free(&it);
		fuzz_diag_done(&d);
		/* OpenSSH strips trailing " \t\r\n\f": a CR that becomes part of
		 * a CRLF ending when a line is appended is no change. */
		size_t n = l.len;
		while (n && strchr(" \t\r\f", t.data[l.start + n - 1]))
			n--;
		if (keep)
			FUZZ_CHECK(ss_strlist_push_owned(out, ss_strndup(t.data + l.start, n)) == 0,
				   "out of memory");
	}
	ss_text_free(&t);
}

/* A line apply may add besides keepalive lines: a blank line, or the
 * header of a block for every host ("Host *", "Match all"). */
static int is_extra(const char *line)
{
	char word[8], rest[8], more[2];
	int n = sscanf(line, " %7s %7s %1s", word, rest, more);
	if (n <= 0)
		return 1;
	return n == 2 && ((strcasecmp(word, "host") == 0 && strcmp(rest, "*") == 0) ||
			  (strcasecmp(word, "match") == 0 && strcasecmp(rest, "all") == 0));
}

void fuzz_check_others_unchanged(const char *path, const void *old, size_t oldlen, const void *new,
				 size_t newlen, ss_sshconf_mode mode, const char *const *kws)
{
	ss_strlist a = SS_STRLIST_INIT, b = SS_STRLIST_INIT;
	other_lines(path, old, oldlen, mode, kws, &a);
	other_lines(path, new, newlen, mode, kws, &b);
	size_t i = 0;
	for (size_t j = 0; j < b.n; j++) {
		if (i < a.n && strcmp(a.v[i], b.v[j]) == 0) {
			i++;
		} else if (!is_extra(b.v[j])) {
			fuzz_show("before", old, oldlen);
			fuzz_show("after", new, newlen);
			fuzz_fail("%s: apply added or changed line '%s', which is no keepalive",
				  path, b.v[j]);
		}
	}
	if (i != a.n) {
		fuzz_show("before", old, oldlen);
		fuzz_show("after", new, newlen);
		fuzz_fail("%s: apply lost line '%s', which is no keepalive", path, a.v[i]);
	}
	ss_strlist_release(&a);
	ss_strlist_release(&b);
}

void fuzz_check_sshconf_roundtrip(const char *what, const uint8_t *data, size_t size,
				  ss_sshconf_mode mode)
{
	ss_text t;
	ss_diag d = SS_DIAG_INIT;
	if (ss_text_from_bytes(&t, what, data, size, &d) < 0) {
		fuzz_diag_done(&d);
		return;
	}
	ss_sshconf c = SS_SSHCONF_INIT;
	if (ss_sshconf_parse(&c, &t, mode, &d) == 0) {
		FUZZ_CHECK(c.nitems == t.nlines, "%s: %zu items for %zu lines", what, c.nitems,
			   t.nlines);
		ss_edits e = SS_EDITS_INIT;
		ss_buf out = SS_BUF_INIT;
		FUZZ_CHECK(ss_edits_render_file(&t, &e, &out, &d) == 0, "render failed");
		fuzz_check_roundtrip(what, data, size, out.data, out.len);
		ss_buf_release(&out);
		ss_sshconf_free(&c);
	}
	fuzz_diag_done(&d);
	ss_text_free(&t);
}

/* Include stays in the work folder: relative paths (include_base), "~/"
 * (home); an absolute path, "~user" or ".." makes the input uninteresting. */
int fuzz_includes_confined(const uint8_t *data, size_t size, ss_sshconf_mode mode)
{
	ss_text t;
	ss_diag d = SS_DIAG_INIT;
	if (ss_text_from_bytes(&t, "in", data, size, &d) < 0) {
		fuzz_diag_done(&d);
		return 0;
	}
	int ok = 1;
	for (size_t i = 0; i < t.nlines && ok; i++) {
		ss_sshconf_item it;
		memset(&it, 0, sizeof(it));
		if (ss_sshconf_lex_line(&t, t.lines[i], ss_text_line_end(&t, i), mode, &it, &d) <
		    0) {
			ss_sshconf_item_free(&it);
			fuzz_diag_done(&d);
			continue;
		}
		if (it.kind == SS_SSHCONF_DIRECTIVE && ss_sshconf_is(&it, "include"))
			for (size_t k = 0; k < it.nargs; k++) {
				const char *v = it.args[k].value;
				if (v[0] == '/' || (v[0] == '~' && v[1] != '/') || strstr(v, ".."))
					ok = 0;
			}
		ss_sshconf_item_free(&it);
	}
	ss_text_free(&t);
	return ok;
}

/* Writes the files of the input; returns how many. */
size_t fuzz_write_files(const uint8_t *data, size_t size, const char *main_name,
			ss_sshconf_mode mode)
{
	static const char sep[] = "\n#@@\n";
	const uint8_t *p = data, *end = data + size;
	size_t n = 0;
	while (n < MAX_FILES) {
		const uint8_t *cut = memmem(p, (size_t)(end - p), sep, sizeof(sep) - 1);
		const uint8_t *stop = cut ? cut + 1 : end;
		char name[16];
		if (n == 0)
			snprintf(name, sizeof(name), "%s", main_name);
		else
			snprintf(name, sizeof(name), "inc%zu", n);
		if (!fuzz_includes_confined(p, (size_t)(stop - p), mode))
			return 0;
		fuzz_write(name, p, (size_t)(stop - p));
		fuzz_check_sshconf_roundtrip(name, p, (size_t)(stop - p), mode);
		n++;
		if (!cut)
			break;
		p = cut + sizeof(sep) - 1;
	}
	return n;
}

/* Writes every changed file (all under the work folder) and checks that
 * only keepalive lines changed. */
void fuzz_write_changes(const ss_changeset *cs, ss_sshconf_mode mode, const char *const *kws)
{
	const char *dir = fuzz_workdir_name();
	for (size_t i = 0; i < cs->n; i++) {
		const ss_change *c = &cs->v[i];
		if (!c->changed)
			continue;
		FUZZ_CHECK(strncmp(c->text->path, dir, strlen(dir)) == 0,
			   "apply changes %s, outside the work folder", c->text->path);
		ss_buf old = fuzz_read(c->text->path);
		fuzz_check_others_unchanged(c->text->path, old.data, old.len, c->rendered.data,
					    c->rendered.len, mode, kws);
		ss_buf_release(&old);
		FILE *f = fopen(c->text->path, "wb");
		FUZZ_CHECK(f &&
			       fwrite(c->rendered.data, 1, c->rendered.len, f) == c->rendered.len &&
			       fclose(f) == 0,
			   "cannot write %s", c->text->path);
	}
}

typedef struct ssh_state {
	ss_strlist names;
	long *ok; /* 1 when the host evaluated without error */
} ssh_state;

/* `ahead`: a lean tree's files of this many bytes or more are lexed
 * ahead by a second thread (0: sshsync's default). */
static int load_as(ss_openssh **c, const char *path, int lean, size_t ahead, ss_diag *d)
{
	ss_openssh_opts o = SS_OPENSSH_OPTS_INIT;
	o.system = 0;
	o.include_base = fuzz_workdir_name();
	o.home = fuzz_workdir_name();
	o.local_user = "fuzz";
	o.lean = lean;
	o.drop_lines = lean; /* as audit loads it */
	o.lex_ahead = ahead;
	return ss_openssh_load(c, path, &o, d);
}

static int load(ss_openssh **c, const char *path)
{
	ss_diag d = SS_DIAG_INIT;
	int r = load_as(c, path, 0, 0, &d);
	fuzz_diag_done(&d);
	return r;
}

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* What evaluating one host gives, as text: value, where, why, or the error. */
static char *eval_text(ss_openssh *c, const char *host)
{
	ss_openssh_result r = SS_OPENSSH_RESULT_INIT;
	ss_diag d = SS_DIAG_INIT;
	char *s;
	if (ss_openssh_eval(c, host, &r, &d) < 0) {
		char *m = ss_diag_format(&d);
		s = ss_asprintf("error %s", m ? m : "");
		free(m);
	} else {
		s = ss_asprintf("%ld %ld %ld %s %s %s %s", r.interval, r.count_max, r.tcp_keepalive,
				r.interval_at ? r.interval_at : "-",
				r.count_max_at ? r.count_max_at : "-",
				r.tcp_keepalive_at ? r.tcp_keepalive_at : "-",
				r.unknown_reason ? r.unknown_reason : "-");
	}
	ss_openssh_result_free(&r);
	fuzz_diag_done(&d);
	FUZZ_CHECK(s, "out of memory");
	return s;
}

/* The lean tree the audit loads keeps no line, nor line table, nor copy of
 * a name: it must refuse what the full tree refuses, with the same message,
 * list the same names and evaluate every host alike. Its files are lexed
 * ahead by a second thread here (a large file's are), or (the audit
 * cycle's) as they are walked. */
static void check_lean(const char *path, const ss_strlist *names)
{
	ss_openssh *full = NULL, *lean = NULL;
	ss_diag df = SS_DIAG_INIT, dl = SS_DIAG_INIT;
	int rf = load_as(&full, path, 0, 0, &df);
	int rl = load_as(&lean, path, 1, 1, &dl);
	FUZZ_CHECK(rf == rl && same_str(df.message, dl.message) && df.line == dl.line &&
		       df.col == dl.col,
		   "lean load differs: %d '%s' vs %d '%s'", rf, df.message ? df.message : "", rl,
		   dl.message ? dl.message : "");
	ss_strlist nf = SS_STRLIST_INIT, nl = SS_STRLIST_INIT;
	if (rf == 0) {
		FUZZ_CHECK(ss_openssh_host_names(full, &nf) == 0 &&
			       ss_openssh_host_names(lean, &nl) == 0,
			   "out of memory");
		FUZZ_CHECK(nf.n == nl.n, "lean tree lists %zu names, full tree %zu", nl.n, nf.n);
		for (size_t i = 0; i < nf.n; i++)
			FUZZ_CHECK(strcmp(nf.v[i], nl.v[i]) == 0, "name %zu: '%s' vs '%s'", i,
				   nf.v[i], nl.v[i]);
	}
	ss_strlist_release(&nf);
	ss_strlist_release(&nl);
	for (size_t i = 0; rf == 0 && names && i < names->n; i++) {
		char *a = eval_text(full, names->v[i]), *b = eval_text(lean, names->v[i]);
		FUZZ_CHECK(strcmp(a, b) == 0, "host '%s': full tree '%s', lean tree '%s'",
			   names->v[i], a, b);
		free(a);
		free(b);
	}
	ss_openssh_free(full);
	ss_openssh_free(lean);
	fuzz_diag_done(&df);
	fuzz_diag_done(&dl);
}

static void check_hosts(ss_openssh *c, const ss_policy *p, const ssh_state *st)
{
	for (size_t i = 0; i < st->names.n; i++) {
		if (!st->ok[i])
			continue;
		ss_openssh_result r = SS_OPENSSH_RESULT_INIT;
		ss_diag d = SS_DIAG_INIT;
		int rc = ss_openssh_eval(c, st->names.v[i], &r, &d);
		FUZZ_CHECK(rc == 0, "host '%s' evaluated before apply, not after: %s",
			   st->names.v[i], d.message ? d.message : "");
		FUZZ_CHECK(r.interval == p->interval || r.interval == SS_UNKNOWN,
			   "host '%s': interval %ld after apply, asked %ld", st->names.v[i],
			   r.interval, p->interval);
		FUZZ_CHECK(p->count_max == SS_UNSET || r.count_max == p->count_max ||
			       r.count_max == SS_UNKNOWN,
			   "host '%s': count max %ld after apply, asked %ld", st->names.v[i],
			   r.count_max, p->count_max);
		FUZZ_CHECK(p->tcp_keepalive == SS_UNSET || r.tcp_keepalive == p->tcp_keepalive ||
			       r.tcp_keepalive == SS_UNKNOWN,
			   "host '%s': TCPKeepAlive %ld after apply, asked %ld", st->names.v[i],
			   r.tcp_keepalive, p->tcp_keepalive);
		ss_openssh_result_free(&r);
	}
}

static size_t plan(ss_openssh *c, const ss_policy *p, ss_changeset *cs)
{
	ss_diag d = SS_DIAG_INIT;
	int r = ss_openssh_plan(c, p, cs, &d);
	if (r == 0)
		FUZZ_CHECK(ss_changeset_render(cs, &d) == 0, "render failed: %s",
			   d.message ? d.message : "");
	fuzz_diag_done(&d);
	return r < 0 ? (size_t)-1 : ss_changeset_count_changed(cs);
}

int fuzz_ssh(const uint8_t *data, size_t size)
{
	/* The sniffers read the first bytes of a file named by KIND:, cut
	 * anywhere: here the raw input, with nothing after its last byte. */
	int ssh = ss_client_ssh.sniff("fuzz.ini", (const char *)data, size);
	int sshd = ss_client_sshd.sniff("fuzz.ini", (const char *)data, size);
	FUZZ_CHECK((ssh == 0 || ssh == 1) && (sshd == 0 || sshd == 2),
		   "a sniffer says %d (ssh) or %d (sshd)", ssh, sshd);
	fuzz_workdir();
	if (fuzz_write_files(data, size, "config", SS_SSHCONF_CLIENT) == 0)
		return 0;
	char *path = fuzz_path("config");
	ss_openssh *c;
	if (load(&c, path) < 0) {
		check_lean(path, NULL);
		free(path);
		return 0;
	}
	ss_policy p;
	fuzz_policy_from((uint8_t)ss_hash_bytes(data, size), &p);
	ssh_state st = {SS_STRLIST_INIT, NULL};
	FUZZ_CHECK(ss_openssh_host_names(c, &st.names) == 0 &&
		       ss_strlist_push(&st.names, "*") == 0 &&
		       ss_strlist_push(&st.names, "fuzz-other-host") == 0,
		   "out of memory");
	check_lean(path, &st.names);
	st.ok = calloc(st.names.n, sizeof(*st.ok));
	FUZZ_CHECK(st.ok, "out of memory");
	for (size_t i = 0; i < st.names.n; i++) {
		ss_openssh_result r = SS_OPENSSH_RESULT_INIT;
		ss_diag d = SS_DIAG_INIT;
		st.ok[i] = ss_openssh_eval(c, st.names.v[i], &r, &d) == 0;
		ss_openssh_result_free(&r);
		fuzz_diag_done(&d);
	}
	ss_changeset cs = SS_CHANGESET_INIT;
	size_t changed = plan(c, &p, &cs);
	ss_openssh_free(c);
	if (changed != (size_t)-1) {
		fuzz_write_changes(&cs, SS_SSHCONF_CLIENT, ssh_keepalive_kws);
		FUZZ_CHECK(load(&c, path) == 0, "the applied config does not load");
		check_hosts(c, &p, &st);
		ss_changeset cs2 = SS_CHANGESET_INIT;
		size_t again = plan(c, &p, &cs2);
		ss_openssh_free(c);
		FUZZ_CHECK(again == 0, "a second apply changes %zu more files", again);
		ss_changeset_free(&cs2);
	}
	ss_changeset_free(&cs);
	ss_strlist_release(&st.names);
	free(st.ok);
	free(path);
	return 0;
}
