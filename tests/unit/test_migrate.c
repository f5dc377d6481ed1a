/* Field encodings of migration, through the PuTTY and WinSCP clients over
 * real files: PortForwardings and Environment escapes and family prefixes
 * (PuTTY settings.c gppmap/wmap), proxy command tokens and backslashes,
 * keepalive minutes and seconds, the user from the environment, KiTTY's
 * klink jump, WinSCP's factory defaults. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/changeset.h"
#include "sshsync/engine.h"
#include "sshsync/putty.h"
#include "sshsync/report.h"
#include "sshsync/session.h"
#include "sshsync/storage.h"
#include "sshsync/target.h"
#include "sshsync/winscp.h"
#include "testutil.h"

static ss_session *read_one(const char *dir, int kitty, ss_sessions *l)
{
	ss_diag d = SS_DIAG_INIT;
	int r = kitty ? ss_kitty_sessions_read(dir, NULL, l, &d)
		      : ss_putty_sessions_read(dir, NULL, l, &d);
	if (r < 0)
		fail_msg("%s", d.message);
	assert_true(l->n >= 1);
	return &l->v[0];
}

static void test_putty_read(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *f = tu_path(dir, "s");
	tu_write_str(f, "Protocol=ssh\n"
			"HostName=[::1]\n"
			"PortNumber=2022\n"
			"UserNameFromEnvironment=1\n"
			"PingInterval=1\n"
			"PingIntervalSecs=30\n"
			"PortForwardings=4L127.0.0.1:8080=[::1]:90,6D1080=,R[::1]:2222=h:22,"
			"Lx=y\n"
			"Environment=A=1,B=x\\=y\\,z\\\\\n"
			"ProxyMethod=5\n"
			"ProxyTelnetCommand=nc -x p\\\\q %host %port 100%%\n"
			"ProxyLocalhost=1\n"
			"RemoteCommand=echo 50%\n"
			"NoPTY=1\n");
	ss_sessions l = SS_SESSIONS_INIT;
	ss_session *s = read_one(dir, 0, &l);
	assert_string_equal(s->f[SS_F_HOST].str, "::1");
	assert_int_equal(s->f[SS_F_PORT].num, 2022);
	assert_null(s->f[SS_F_USER].str);
	assert_int_equal(s->f[SS_F_KEEPALIVE].num, 90);
	assert_int_equal(s->f[SS_F_TCP_KEEPALIVE].num, 0);
	assert_int_equal(s->f[SS_F_GSSAPI].num, 1); /* PuTTY's default */
	ss_buf b = SS_BUF_INIT;
	assert_int_equal(ss_sval_format(SS_F_FORWARDS, &s->f[SS_F_FORWARDS], &b), 0);
	assert_string_equal(ss_buf_str(&b), "L4 127.0.0.1:8080 ::1:90; D6 1080; R ::1:2222 h:22");
	ss_buf_reset(&b);
	assert_int_equal(ss_sval_format(SS_F_ENV, &s->f[SS_F_ENV], &b), 0);
	assert_string_equal(ss_buf_str(&b), "A=1,B=x=y,z\\");
	assert_string_equal(s->f[SS_F_PROXY_COMMAND].str, "nc -x p\\q %h %p 100%%");
	assert_string_equal(s->f[SS_F_REMOTE_COMMAND].str, "echo 50%");
	assert_int_equal(s->f[SS_F_PTY].num, SS_PTY_AUTO); /* NoPTY with a command */
	int lx = 0;
	for (size_t i = 0; i < s->nloss; i++)
		lx |= strstr(s->loss[i].reason, "\"Lx=y\"") != NULL;
	assert_true(lx); /* a forward without host:port is reported */
	ss_buf_release(&b);
	ss_sessions_free(&l);
	tu_rmtree(dir);
	free(f);
	free(dir);
}

/* Plans the sessions into a fresh folder and returns the one file. */
static ss_buf plan_one(ss_sessions *l, int kitty)
{
	char *dir = tu_tempdir();
	ss_changeset cs = SS_CHANGESET_INIT;
	ss_diag d = SS_DIAG_INIT;
	int r = kitty ? ss_kitty_sessions_plan(dir, l, &cs, &d)
		      : ss_putty_sessions_plan(dir, l, &cs, &d);
	if (r < 0)
		fail_msg("%s", d.message);
	assert_int_equal(ss_changeset_render(&cs, &d), 0);
	assert_true(cs.n >= 1);
	ss_buf out = SS_BUF_INIT;
	assert_int_equal(ss_buf_add(&out, cs.v[0].rendered.data, cs.v[0].rendered.len), 0);
	ss_changeset_free(&cs);
	tu_rmtree(dir);
	free(dir);
	return out;
}

static void test_putty_write(void **state)
{
	(void)state;
	ss_sessions l = SS_SESSIONS_INIT;
	ss_session *s = ss_sessions_add(&l, "web", "cfg");
	assert_non_null(s);
	s->kind = "ssh";
	ss_session_set_num(s, SS_F_KEEPALIVE, 150, SS_ORIGIN_EXPLICIT, "cfg:2");
	ss_session_list_add(s, SS_F_ENV, "B=x=y,z");
	ss_forward fw = {'L', SS_AF_ANY, "::1", "8080", "db", "5432"};
	ss_session_add_forward(s, &fw);
	ss_forward dyn = {'D', SS_AF_ANY, NULL, "1080", NULL, NULL};
	ss_session_add_forward(s, &dyn);
	ss_session_set_str(s, SS_F_PROXY_COMMAND, "nc %h %p \\x", SS_ORIGIN_EXPLICIT, "cfg:3");
	ss_session_set_str(s, SS_F_REMOTE_COMMAND, "echo 100%", SS_ORIGIN_EXPLICIT, "cfg:4");
	ss_buf out = plan_one(&l, 0);
	const char *t = ss_buf_str(&out);
	assert_non_null(strstr(t, "Protocol=ssh\n"));
	assert_non_null(strstr(t, "PortNumber=22\n"));
	assert_non_null(strstr(t, "UserNameFromEnvironment=1\n"));
	assert_non_null(strstr(t, "PingInterval=2\nPingIntervalSecs=30\n"));
	assert_non_null(strstr(t, "TCPKeepalives=1\n"));
	assert_non_null(strstr(t, "AuthGSSAPI=0\n"));
	assert_non_null(strstr(t, "Environment=B=x\\=y\\,z\n"));
	assert_non_null(strstr(t, "PortForwardings=L[::1]:8080=db:5432,D1080=\n"));
	assert_non_null(strstr(t, "ProxyMethod=5\n"));
	assert_non_null(strstr(t, "ProxyTelnetCommand=nc %host %port \\\\x\n"));
	assert_non_null(strstr(t, "RemoteCommand=echo 100%\n"));
	assert_non_null(strstr(t, "NoPTY=1\n")); /* auto with a command: no pty */
	int count = 0;
	for (size_t i = 0; i < l.v[0].nloss; i++)
		count |= strcmp(l.v[0].loss[i].field, "keepalive_count") == 0;
	assert_true(count);
	ss_buf_release(&out);
	ss_sessions_free(&l);
}

static void test_kitty_jump(void **state)
{
	(void)state;
	ss_sessions l = SS_SESSIONS_INIT;
	ss_session *s = ss_sessions_add(&l, "inner", NULL);
	ss_hop h = {"u", "jump host", 0, "jump host"};
	ss_session_add_hop(s, &h);
	assert_non_null(ss_sessions_add(&l, "jump host", NULL));
	ss_buf out = plan_one(&l, 1);
	assert_non_null(strstr(ss_buf_str(&out), "ProxyMethod\\5\\"));
	assert_non_null(strstr(
	    ss_buf_str(&out),
	    "klink%20-batch%20-load%20%22jump%20host%22%20-l%20u%20-nc%20%25host%3A%25port"));
	ss_buf_release(&out);
	ss_sessions_free(&l);
}

/* The settings outside the model are kept packed, without where they
 * came from (never read for a PuTTY source), and come back in order: to a
 * PuTTY target as they were, to another client as one loss naming them. */
static void test_putty_extras(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *f = tu_path(dir, "s");
	tu_write_str(f, "HostName=h\nTermWidth=80\nFontName=Mono\nBellOverload=1\n");
	ss_sessions l = SS_SESSIONS_INIT;
	ss_session *s = read_one(dir, 0, &l);
	assert_int_equal(s->nextra, 3);
	assert_int_equal(s->extra_where.n, 0);
	const char *x = ss_session_extra_next(s, NULL);
	assert_string_equal(x, "TermWidth=dword:80");
	x = ss_session_extra_next(s, x);
	assert_string_equal(x, "FontName=Mono");
	x = ss_session_extra_next(s, x);
	assert_string_equal(x, "BellOverload=dword:1");
	assert_null(ss_session_extra_next(s, x));
	assert_int_equal(s->extra.len, s->extra.cap - 1); /* exactly their room */
	ss_buf out = plan_one(&l, 0);
	assert_non_null(strstr(ss_buf_str(&out), "TermWidth=80\n"));
	assert_non_null(strstr(ss_buf_str(&out), "FontName=Mono\n"));
	ss_buf_release(&out);
	assert_int_equal(ss_session_extras_lost(s, "WinSCP"), 0);
	assert_int_equal(s->nloss, 1);
	assert_non_null(strstr(s->loss[0].reason, "3 putty settings outside"));
	assert_non_null(strstr(s->loss[0].reason, ": TermWidth, FontName, BellOverload"));
	ss_sessions_free(&l);
	tu_rmtree(dir);
	free(f);
	free(dir);
}

/* ss_changeset_mark_changed says what changes without rendering it. */
static void test_mark_changed(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	ss_sessions l = SS_SESSIONS_INIT;
	assert_non_null(ss_sessions_add(&l, "web", NULL));
	ss_changeset cs = SS_CHANGESET_INIT;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_putty_sessions_plan(dir, &l, &cs, &d), 0);
	assert_true(cs.n >= 1);
	ss_changeset_mark_changed(&cs);
	assert_true(cs.v[0].changed);
	assert_int_equal(cs.v[0].rendered.len, 0);
	ss_changeset_free(&cs);
	ss_sessions_free(&l);
	tu_rmtree(dir);
	free(dir);
}

/* A dry run of `src` (KIND:FILE, the file's text `text`) into `to`
 * (KIND:FILE): the text report, the diff (NULL: none asked), and how many
 * sessions still hold their fields afterwards. */
static size_t migrate_kept(const char *dir, const char *src, const char *text, const char *to,
			   int fields_unread, ss_buf *report, ss_buf *diff)
{
	char *from = tu_path(dir, strchr(src, ':') + 1), *into = tu_path(dir, strchr(to, ':') + 1);
	tu_write_str(from, text);
	char *from_arg = ss_asprintf("%.*s:%s", (int)(strchr(src, ':') - src), src, from);
	char *to_arg = ss_asprintf("%.*s:%s", (int)(strchr(to, ':') - to), to, into);
	ss_target f, t;
	memset(&f, 0, sizeof(f));
	memset(&t, 0, sizeof(t));
	ss_diag d = SS_DIAG_INIT;
	ss_migrate_opts o;
	memset(&o, 0, sizeof(o));
	o.dry_run = 1;
	o.fields_unread = fields_unread;
	o.want_diff = diff != NULL;
	ss_migrate_result res = SS_MIGRATE_RESULT_INIT;
	if (ss_target_parse(from_arg, &f, &d) < 0 || ss_target_parse(to_arg, &t, &d) < 0 ||
	    ss_engine_migrate(&f, &t, &o, &res, &d) < 0)
		fail_msg("%s", d.message);
	ss_strlist none = SS_STRLIST_INIT;
	ss_migrate_report r = {"dry-run",    "src", from,  "to", into, &res.sessions,
			       &res.changed, &none, &none, NULL, 0,    0,
			       NULL,	     &none, &none, NULL, NULL};
	assert_int_equal(ss_report_migrate_text(&r, report, &d), 0);
	if (diff)
		assert_int_equal(ss_buf_add(diff, res.diff.data, res.diff.len), 0);
	size_t kept = 0;
	for (size_t i = 0; i < res.sessions.n; i++)
		kept += res.sessions.v[i].f != NULL;
	ss_migrate_result_free(&res);
	ss_target_free(&f);
	ss_target_free(&t);
	free(from_arg);
	free(to_arg);
	free(from);
	free(into);
	return kept;
}

/* The report and diff when the caller reads the fields and when it does
 * not (then they go as each session is planned, read whole or planned
 * as it is read): the same; `kept`: every session still holds its fields
 * in the second, else none. */
static void same_either_way(const char *dir, const char *src, const char *text, const char *to,
			    int kept)
{
	ss_buf whole = SS_BUF_INIT, released = SS_BUF_INIT;
	ss_buf whole_diff = SS_BUF_INIT, released_diff = SS_BUF_INIT;
	size_t n = migrate_kept(dir, src, text, to, 0, &whole, &whole_diff);
	assert_true(n > 0);
	assert_int_equal(migrate_kept(dir, src, text, to, 1, &released, &released_diff),
			 kept ? n : 0);
	assert_string_equal(ss_buf_str(&released), ss_buf_str(&whole));
	assert_string_equal(ss_buf_str(&released_diff), ss_buf_str(&whole_diff));
	assert_non_null(strstr(ss_buf_str(&whole_diff), "HostName"));
	/* Without a diff, the new keys' text is never made: the same report. */
	ss_buf_reset(&released);
	migrate_kept(dir, src, text, to, 1, &released, NULL);
	assert_string_equal(ss_buf_str(&released), ss_buf_str(&whole));
	assert_non_null(strstr(ss_buf_str(&whole), "would change: "));
	ss_buf_release(&whole);
	ss_buf_release(&released);
	ss_buf_release(&whole_diff);
	ss_buf_release(&released_diff);
}

/* When the caller reads no fields, each session's go as it is planned:
 * WinSCP sites each as it is read (sites that are not SSH, a tunnel; two
 * sites that go into one PuTTY session are planned all at once), PuTTY
 * sessions once all are read, but not when a jump goes through another
 * session (the hop looks it up). The report and the plan stay the same. */
static void test_fields_released(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	same_either_way(dir, "winscp:W.ini",
			"[Sessions\\a]\r\nHostName=a.example\r\nPingType=2\r\n"
			"[Sessions\\ftp]\r\nHostName=f.example\r\nFSProtocol=5\r\n"
			"[Sessions\\b]\r\nHostName=b.example\r\nUserName=u\r\n",
			"putty:new.reg", 0);
	same_either_way(dir, "winscp:W.ini",
			"[Sessions\\a]\r\nHostName=a.example\r\n"
			"[Sessions\\b]\r\nHostName=b.example\r\nTunnel=1\r\n"
			"TunnelHostName=a\r\n",
			"putty:new.reg", 0);
	/* Into a .reg that exists but has no session yet. */
	char *reg4 = tu_path(dir, "old.reg");
	tu_write_str(reg4, "REGEDIT4\r\n\r\n");
	same_either_way(dir, "winscp:W.ini", "[Sessions\\a]\r\nHostName=a.example\r\n",
			"putty:old.reg", 0);
	free(reg4);
	same_either_way(dir, "winscp:W.ini",
			"[Sessions\\a%20b]\r\nHostName=one\r\n"
			"[Sessions\\a b]\r\nHostName=two\r\nPortNumber=2222\r\n",
			"putty:new.reg", 0);
	static const char reg[] =
	    "REGEDIT4\r\n\r\n"
	    "[HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions\\a]\r\n"
	    "\"HostName\"=\"a.example\"\r\n\r\n"
	    "[HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions\\b]\r\n"
	    "\"HostName\"=\"b.example\"\r\n";
	same_either_way(dir, "putty:P.reg", reg, "winscp:new.ini", 0);
	char *jump =
	    ss_asprintf("%s\"ProxyMethod\"=dword:00000006\r\n\"ProxyHost\"=\"a\"\r\n", reg);
	assert_non_null(jump);
	same_either_way(dir, "putty:P.reg", jump, "winscp:new.ini", 1);
	free(jump);
	tu_rmtree(dir);
	free(dir);
}

/* A reader that hands each session on: the one before is planned (its
 * target name set, its fields gone) when the next is read. */
static int read_three(const char *path, const ss_strlist *names, ss_sessions *out, ss_diag *d)
{
	(void)path;
	(void)names;
	static const char *const n[] = {"one", "two", "three"};
	for (size_t i = 0; i < 3; i++) {
		if (i) {
			assert_non_null(out->v[i - 1].target_name);
			assert_null(out->v[i - 1].f);
		}
		ss_session *s = ss_sessions_add(out, n[i], NULL);
		assert_non_null(s);
		if (ss_sessions_read_one(out, d) < 0)
			return -1;
	}
	return 0;
}

/* Each session planned as it is read, into a .reg, in order. */
static void test_read_plan(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *reg = tu_path(dir, "new.reg");
	tu_write_str(reg, "REGEDIT4\r\n\r\n"); /* no session of its own */
	ss_sessions l = SS_SESSIONS_INIT;
	l.release = 1;
	ss_changeset cs = SS_CHANGESET_INIT;
	ss_diag d = SS_DIAG_INIT;
	if (ss_putty_sessions_read_plan(reg, read_three, "-", &l, &cs, &d) != 0)
		fail_msg("%s", d.message);
	assert_int_equal(l.n, 3);
	assert_null(l.each);
	assert_int_equal(ss_changeset_render(&cs, &d), 0);
	const char *out = ss_buf_str(&cs.v[0].rendered);
	const char *one = strstr(out, "Sessions\\one]"), *two = strstr(out, "Sessions\\two]"),
		   *three = strstr(out, "Sessions\\three]");
	assert_true(one && two && three && one < two && two < three);
	ss_changeset_free(&cs);
	ss_sessions_free(&l);
	tu_rmtree(dir);
	free(reg);
	free(dir);
}

/* ss_storage_seal: a new .reg's created keys become their text at once,
 * the same text as at commit (or a stand-in, when the changeset says
 * nobody reads it); planning more of a sealed key is refused. A file with
 * sessions of its own keeps its keys to commit. */
static char *sealed_plan(const char *reg, int seal, int text_unread)
{
	ss_changeset cs = SS_CHANGESET_INIT;
	cs.text_unread = text_unread;
	ss_diag d = SS_DIAG_INIT;
	ss_storage *st;
	assert_int_equal(ss_storage_open_or_create(&st, reg, &ss_putty_root, &cs, &d), 0);
	size_t a, b;
	assert_int_equal(ss_storage_create(st, "a", &a, &d), 0);
	assert_int_equal(ss_storage_set_string(st, a, "HostName", "x", &d), 0);
	assert_int_equal(ss_storage_create(st, "b", &b, &d), 0);
	assert_int_equal(ss_storage_set_dword(st, b, "PortNumber", 22, &d), 0);
	int refused = 0;
	if (seal) {
		assert_int_equal(ss_storage_seal(st, a, &d), 0);
		assert_int_equal(ss_storage_seal(st, b, &d), 0);
		refused = ss_storage_set_dword(st, a, "PortNumber", 2, &d) < 0;
		ss_diag_clear(&d);
	}
	assert_int_equal(ss_storage_commit(st, &d), 0);
	ss_storage_close(st);
	assert_int_equal(ss_changeset_render(&cs, &d), 0);
	assert_true(cs.v[0].changed);
	char *out = ss_asprintf("%d %s", refused, ss_buf_str(&cs.v[0].rendered));
	assert_non_null(out);
	ss_changeset_free(&cs);
	return out;
}

static void test_seal(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *reg = tu_path(dir, "s.reg");
	tu_write_str(reg, "REGEDIT4\r\n\r\n");
	char *kept = sealed_plan(reg, 0, 0), *sealed = sealed_plan(reg, 1, 0);
	/* The same text; a port set after the seal is refused. */
	assert_string_equal(kept + 2, sealed + 2);
	assert_true(kept[0] == '0' && sealed[0] == '1');
	assert_null(strstr(sealed, "00000002"));
	free(kept);
	free(sealed);
	/* Text nobody reads: one line stands for the new keys, a change. */
	sealed = sealed_plan(reg, 1, 1);
	assert_null(strstr(sealed, "HostName"));
	free(sealed);
	tu_write_str(reg, "REGEDIT4\r\n\r\n"
			  "[HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions\\old]\r\n"
			  "\"HostName\"=\"o\"\r\n");
	sealed = sealed_plan(reg, 1, 0);
	assert_true(sealed[0] == '0');
	assert_non_null(strstr(sealed, "00000002"));
	free(sealed);
	tu_rmtree(dir);
	free(reg);
	free(dir);
}

static int collect(void *ctx, const char *data, size_t len, ss_diag *d)
{
	(void)d;
	ss_buf *b = ctx;
	assert_int_equal(ss_buf_add(b, data, len), 0);
	return 0;
}

/* Sessions created in a .reg go beside the file's first own session, its
 * parent key as the file spells it, for every one of them (the scan for
 * that session goes on from where the last creation left it). */
static void test_reg_created_beside(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *reg = tu_path(dir, "s.reg");
	tu_write_str(reg, "REGEDIT4\r\n\r\n"
			  "[HKEY_CURRENT_USER\\SOFTWARE\\SimonTatham\\PuTTY\\Sessions\\old]\r\n"
			  "\"HostName\"=\"o\"\r\n");
	ss_sessions l = SS_SESSIONS_INIT;
	assert_non_null(ss_sessions_add(&l, "a", NULL));
	assert_non_null(ss_sessions_add(&l, "b", NULL));
	assert_non_null(ss_sessions_add(&l, "c", NULL));
	ss_changeset cs = SS_CHANGESET_INIT;
	ss_diag d = SS_DIAG_INIT;
	if (ss_putty_sessions_plan(reg, &l, &cs, &d) < 0)
		fail_msg("%s", d.message);
	assert_int_equal(ss_changeset_render(&cs, &d), 0);
	const char *out = ss_buf_str(&cs.v[0].rendered);
	for (const char *n = "abc"; *n; n++) {
		char key[64];
		snprintf(key, sizeof key,
			 "[HKEY_CURRENT_USER\\SOFTWARE\\SimonTatham\\PuTTY\\Sessions\\%c]", *n);
		assert_non_null(strstr(out, key));
	}
	ss_changeset_free(&cs);
	ss_sessions_free(&l);
	tu_rmtree(dir);
	free(reg);
	free(dir);
}

typedef int (*report_fn)(const ss_migrate_report *r, ss_buf *out, ss_diag *d);

/* The report handed over while it is written (flushed after every session)
 * says the same bytes as the one kept whole, in more than one piece. */
static void streamed_equals_whole(ss_migrate_report *r, report_fn fn)
{
	ss_buf whole = SS_BUF_INIT, streamed = SS_BUF_INIT, rest = SS_BUF_INIT;
	ss_diag d = SS_DIAG_INIT;
	r->stream = NULL;
	assert_int_equal(fn(r, &whole, &d), 0);
	ss_report_opts o;
	memset(&o, 0, sizeof(o));
	o.flush = collect;
	o.flush_ctx = &streamed;
	o.flush_at = 1;
	r->stream = &o;
	assert_int_equal(fn(r, &rest, &d), 0);
	if (r->sessions->n)
		assert_true(streamed.len > 0 && streamed.len < whole.len);
	assert_int_equal(ss_buf_add(&streamed, rest.data, rest.len), 0);
	assert_string_equal(ss_buf_str(&streamed), ss_buf_str(&whole));
	ss_buf_release(&whole);
	ss_buf_release(&streamed);
	ss_buf_release(&rest);
}

static void test_report_streamed(void **state)
{
	(void)state;
	ss_sessions l = SS_SESSIONS_INIT;
	ss_strlist changed = SS_STRLIST_INIT, none = SS_STRLIST_INIT;
	assert_int_equal(ss_strlist_push(&changed, "new.ini"), 0);
	ss_migrate_report r = {"dry-run", "putty", "p",	  "winscp", "new.ini", &l,
			       &changed,  &none,   &none, NULL,	    0,	       0,
			       NULL,	  &none,   &none, NULL,	    NULL};
	/* No session: the JSON keeps its empty array. */
	streamed_equals_whole(&r, ss_report_migrate_json);
	for (int i = 0; i < 5; i++) {
		char name[16];
		snprintf(name, sizeof name, i == 3 ? "s\"%d\n" : "s%d", i);
		ss_session *s = ss_sessions_add(&l, name, NULL);
		assert_non_null(s);
		assert_int_equal(ss_session_loss(s, "keepalive_count", i % 2, "why\n%d", i), 0);
		assert_int_equal(ss_session_list_add(s, SS_F_ENV, "A=1"), 0);
	}
	l.v[4].skip = 1;
	streamed_equals_whole(&r, ss_report_migrate_text);
	streamed_equals_whole(&r, ss_report_migrate_json);
	ss_strlist_release(&changed);
	ss_sessions_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_putty_read),	       cmocka_unit_test(test_putty_write),
	    cmocka_unit_test(test_kitty_jump),	       cmocka_unit_test(test_putty_extras),
	    cmocka_unit_test(test_mark_changed),       cmocka_unit_test(test_report_streamed),
	    cmocka_unit_test(test_reg_created_beside), cmocka_unit_test(test_fields_released),
	    cmocka_unit_test(test_read_plan),	       cmocka_unit_test(test_seal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
