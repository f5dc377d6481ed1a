/* client/winscp over WinSCP.ini: what WinSCP reads, and what apply writes. */
#include <stdlib.h>
#include <string.h>

#include "sshsync/changeset.h"
#include "sshsync/winscp.h"
#include "testutil.h"

typedef struct fixture {
	char *dir;
	char *path;
	ss_scopes scopes;
	ss_changeset cs;
	ss_regplan plan;
	ss_policy p;
	ss_diag d;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->dir = tu_tempdir();
	f->path = tu_path(f->dir, "WinSCP.ini");
	ss_policy_init(&f->p);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	ss_scopes_free(&f->scopes);
	ss_changeset_free(&f->cs);
	ss_regplan_free(&f->plan);
	ss_diag_clear(&f->d);
	tu_rmtree(f->dir);
	free(f->dir);
	free(f->path);
	free(f);
	return 0;
}

static const ss_query no_query = {NULL, NULL};

static void audit(fixture *f, const char *content)
{
	tu_write_str(f->path, content);
	ss_scopes_free(&f->scopes);
	assert_int_equal(ss_client_winscp.audit(f->path, &no_query, &f->scopes, &f->d), 0);
	for (size_t i = 0; i < f->scopes.n; i++)
		assert_int_equal(ss_scope_judge(&f->scopes.v[i], &f->p), 0);
}

static const ss_scope *scope(fixture *f, const char *name)
{
	for (size_t i = 0; i < f->scopes.n; i++)
		if (strcmp(f->scopes.v[i].name, name) == 0)
			return &f->scopes.v[i];
	fail_msg("no scope '%s'", name);
	return NULL;
}

/* "WinSCP.ini:LINE" as the client writes set_at (the path is the temp one). */
static void assert_set_at(fixture *f, const ss_scope *sc, int line)
{
	if (line == 0) {
		assert_null(sc->set_at);
		return;
	}
	char *want = ss_asprintf("%s:%d", f->path, line);
	assert_non_null(sc->set_at);
	assert_string_equal(sc->set_at, want);
	free(want);
}

/* Whether some reason of the scope contains every one of the strings. */
static int has_reason(const ss_scope *sc, const char *a, const char *b)
{
	for (size_t i = 0; i < sc->reasons.n; i++)
		if (strstr(sc->reasons.v[i], a) && (!b || strstr(sc->reasons.v[i], b)))
			return 1;
	return 0;
}

#define DS "[Sessions\\Default%20Settings]\n"

static void test_interval_arithmetic(void **state)
{
	fixture *f = *state;
	audit(f,
	      DS "PingType=1\nPingInterval=1\nPingIntervalSecs=0\n"
		 "[Sessions\\only-type]\nPingType=1\n"
		 "[Sessions\\minutes-only]\nPingType=1\nPingInterval=2\n"
		 "[Sessions\\obsolete]\nPingType=1\nPingIntervalSec=45\n"
		 "[Sessions\\both]\nPingType=1\nPingIntervalSecs=20\nPingIntervalSec=45\n"
		 "[Sessions\\negative-secs]\nPingType=1\nPingIntervalSecs=-1\nPingIntervalSec=50\n"
		 "[Sessions\\zero]\nPingType=2\nPingInterval=0\nPingIntervalSecs=0\n"
		 "[Sessions\\hex]\nPingType=1\nPingIntervalSecs=$2D\n");
	assert_int_equal(f->scopes.n, 8);
	assert_int_equal(scope(f, "Default Settings")->interval, 60);
	assert_set_at(f, scope(f, "Default Settings"), 3);
	/* PingType alone: the factory 30 s. */
	assert_int_equal(scope(f, "only-type")->interval, 30);
	assert_set_at(f, scope(f, "only-type"), 6);
	/* Minutes without seconds: the seconds default to 30 % 60 = 30. */
	assert_int_equal(scope(f, "minutes-only")->interval, 150);
	assert_int_equal(scope(f, "obsolete")->interval, 45);
	assert_set_at(f, scope(f, "obsolete"), 12);
	assert_int_equal(scope(f, "both")->interval, 20);
	assert_int_equal(scope(f, "negative-secs")->interval, 50);
	/* An interval of 0 becomes 30. */
	assert_int_equal(scope(f, "zero")->interval, 30);
	assert_int_equal(scope(f, "hex")->interval, 45);
	for (size_t i = 0; i < f->scopes.n; i++) {
		assert_int_equal(f->scopes.v[i].count_max, SS_UNSET);
		assert_int_equal(f->scopes.v[i].tcp_keepalive, SS_UNSET);
		assert_string_equal(f->scopes.v[i].kind, "winscp");
	}
	assert_false(ss_scope_failed(scope(f, "Default Settings")));
	assert_false(ss_scope_failed(scope(f, "minutes-only")));
}

static void test_ping_type(void **state)
{
	fixture *f = *state;
	audit(f,
	      DS "PingInterval=1\n"
		 "[Sessions\\off-with-interval]\nPingType=0\nPingInterval=1\nPingIntervalSecs=0\n"
		 "[Sessions\\dummy]\nPingType=2\nPingInterval=1\n"
		 "[Sessions\\fast]\nPingType=fast\nPingInterval=1\n"
		 "[Sessions\\three]\nPingType=3\nPingIntervalSecs=40\n"
		 "[Sessions\\bad-secs]\nPingType=1\nPingIntervalSecs=sixty\n"
		 "[Sessions\\empty]\nPingType=\n");
	/* Off is PingType 0, the default: an interval alone does nothing. */
	const ss_scope *ds = scope(f, "Default Settings");
	assert_int_equal(ds->interval, 0);
	assert_true(has_reason(ds, "PingInterval=1 at", "PingType is 0 (the default)"));
	assert_set_at(f, ds, 0);
	const ss_scope *off = scope(f, "off-with-interval");
	assert_int_equal(off->interval, 0);
	char *where = ss_asprintf("%s:5", f->path);
	assert_true(has_reason(off, "sets an interval, but PingType is 0 at", where));
	free(where);
	assert_true(has_reason(off, "keepalives are off", NULL));
	assert_set_at(f, off, 4);
	assert_int_equal(scope(f, "dummy")->interval, 90);
	assert_false(ss_scope_failed(scope(f, "dummy")));
	/* A value WinSCP cannot read: named with its place, and the default used. */
	const ss_scope *fast = scope(f, "fast");
	assert_int_equal(fast->interval, 0);
	where = ss_asprintf("PingType=fast at %s:11 is not an integer", f->path);
	assert_true(has_reason(fast, where, "default 0"));
	free(where);
	const ss_scope *three = scope(f, "three");
	assert_int_equal(three->interval, 40);
	assert_true(has_reason(three, "PingType=3", "not 0, 1 or 2"));
	const ss_scope *bad = scope(f, "bad-secs");
	assert_int_equal(bad->interval, 30);
	assert_true(has_reason(bad, "PingIntervalSecs=sixty", "not an integer"));
	assert_true(has_reason(scope(f, "empty"), "PingType= at", "is empty"));
}

/* Places and shown values in reasons: lines as the text counts them (a
 * lone CR, which splits keys for WinSCP, is no line break of the file),
 * values cut after 40 bytes, and each site's own, although one site is
 * read after the other into the same buffers. */
static void test_places_in_reasons(void **state)
{
	fixture *f = *state;
	audit(f, DS "PingType=1\r\n"
		    "[Sessions\\a]\r\nPingType=1\rPingInterval=fast\rPingIntervalSecs=20\r\n"
		    "[Sessions\\b]\r\n\r\nPingType=0\r\n"
		    "PingInterval=0123456789012345678901234567890123456789xyz\r\n"
		    "PingIntervalSecs=10\r\n"
		    "[Sessions\\c]\r\nFSProtocol=6\r\n");
	const ss_scope *a = scope(f, "a");
	assert_set_at(f, a, 4);
	char *want = ss_asprintf("PingInterval=fast at %s:4 is not an integer", f->path);
	assert_true(has_reason(a, want, NULL));
	free(want);
	const ss_scope *b = scope(f, "b");
	assert_set_at(f, b, 7);
	want = ss_asprintf("PingInterval=0123456789012345678901234567890123456789... at %s:8 is "
			   "not an integer",
			   f->path);
	assert_true(has_reason(b, want, NULL));
	free(want);
	want = ss_asprintf("PingIntervalSecs=10 at %s:9 sets an interval, but PingType is 0 at "
			   "%s:7",
			   f->path, f->path);
	assert_true(has_reason(b, want, NULL));
	free(want);
	assert_int_equal(b->reasons.n, 3); /* and keepalives are off */
	want =
	    ss_asprintf("FSProtocol=6 at %s:11: WinSCP has no keepalive for WebDAV sites", f->path);
	assert_true(has_reason(scope(f, "c"), want, NULL));
	free(want);
}

static void test_names_case_and_duplicates(void **state)
{
	fixture *f = *state;
	audit(f, "[Sessions\\Work/db%20one]\npingtype=1\nPINGINTERVAL=2\nPingInterval=5\n"
		 "PingIntervalSecs=0\n"
		 "[sessions\\work/DB%20ONE]\nPingType=0\n"
		 "[Sessions\\%EF%BB%BFcaf%C3%A9]\nPingType=1\n"
		 "[Sessions\\ansi%E9]\nPingType=1\n"
		 "[Sessions\\lower%2a]\nPingType=1\n"
		 "[Sessions\\Work/db%20one\\Sub]\nPingType=1\n"
		 "[Sessions]\nPingType=1\n"
		 "[Configuration\\Interface]\nPingType=1\n");
	/* Default Settings (factory) + 4 sites; the duplicate section and the
	 * deeper or shallower sections are not sites. */
	assert_int_equal(f->scopes.n, 5);
	assert_string_equal(f->scopes.v[0].name, "Default Settings");
	assert_int_equal(f->scopes.v[0].interval, 0);
	assert_set_at(f, &f->scopes.v[0], 0);
	assert_int_equal(scope(f, "Work/db one")->interval, 120);
	scope(f, "caf\xc3\xa9");
	scope(f, "ansi%E9");
	/* PuTTY's unescape decodes only uppercase hex: "%2a" is
	 * (2 << 4) + ('a' - '0' - 7) = 74, 'J', and WinSCP shows it so. */
	scope(f, "lowerJ");
}

static void test_no_sites(void **state)
{
	fixture *f = *state;
	audit(f, "");
	assert_int_equal(f->scopes.n, 1);
	assert_string_equal(f->scopes.v[0].name, "Default Settings");
	assert_true(ss_scope_failed(&f->scopes.v[0]));
}

static void test_munge(void **state)
{
	(void)state;
	static const struct {
		const char *name, *munged;
	} cases[] = {
	    {"Default Settings", "Default%20Settings"},
	    {"Work/db one", "Work/db%20one"},
	    {".hidden.x", "%2Ehidden.x"},
	    {"a\\b*c?d%e", "a%5Cb%2Ac%3Fd%25e"},
	    {"caf\xc3\xa9", "%EF%BB%BFcaf%C3%A9"},
	    {"tab\there~", "tab%09here~"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *m = ss_winscp_munge(cases[i].name);
		assert_string_equal(m, cases[i].munged);
		char *u = ss_winscp_unmunge(m, strlen(m));
		/* Control characters stay escaped for display. */
		assert_string_equal(u, i == 5 ? "tab%09here~" : cases[i].name);
		free(m);
		free(u);
	}
	/* A '%' before a character below '0' gives a negative digit, which
	 * WinSCP's arithmetic shifts anyway: defined here (UBSan watches). */
	char *odd = ss_winscp_unmunge("odd%%2x", 7);
	assert_string_equal(odd, "oddRx");
	free(odd);
}

/* The names listed for sites (the root's unescape, which decodes most
 * names in one pass) against ss_winscp_unmunge, the whole rule: fixed
 * cases at each edge of the one-pass decoding, then generated names over
 * an alphabet of escapes, hex digits of both cases, controls, DEL and
 * UTF-8 bytes. */
static void test_unescape_is_unmunge(void **state)
{
	(void)state;
	static const char *const fixed[] = {"",
					    "plain",
					    "Team%2000/host%20000001",
					    "%",
					    "a%",
					    "a%2",
					    "%41%42",
					    "%7e%7E",
					    "%7F",
					    "%1F",
					    "%zz",
					    "%%",
					    "%EF%BB%BFcaf%C3%A9",
					    "\xc3\xa9",
					    "x%0Ay"};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		ss_buf b = SS_BUF_INIT;
		assert_int_equal(ss_winscp_root.unescape(fixed[i], strlen(fixed[i]), &b), 0);
		char *want = ss_winscp_unmunge(fixed[i], strlen(fixed[i]));
		assert_string_equal(ss_buf_str(&b), want);
		free(want);
		ss_buf_release(&b);
	}
	static const char alphabet[] = "%%%%aAfF09zZ ~/.\x01\x1f\x7f\x80\xbb\xbf\xc3\xa9\xef";
	/* Mostly printable, for names of up to 31 bytes: escapes at every
	 * place of the eight-byte words that the decoding takes at once. */
	static const char printable[] = "%aaaaaaaaaaaAbcfF0123456789 ~/.%7e%20%\x01\x7f";
	unsigned seed = 16;
	size_t cases = 40000, agree = 0;
	for (size_t c = 0; c < cases; c++) {
		char raw[40];
		const char *from = c % 2 ? printable : alphabet;
		size_t n = c % 2 ? sizeof(printable) - 1 : sizeof(alphabet) - 1;
		size_t len = tu_lcg(&seed) >> 16 & (c % 2 ? 31 : 15);
		for (size_t i = 0; i < len; i++)
			raw[i] = from[(tu_lcg(&seed) >> 16) % n];
		ss_buf b = SS_BUF_INIT;
		/* Some names are appended after others, as the storage does. */
		if (c % 3 == 0)
			assert_int_equal(ss_buf_adds(&b, "before"), 0);
		size_t base = b.len;
		assert_int_equal(ss_winscp_root.unescape(raw, len, &b), 0);
		char *want = ss_winscp_unmunge(raw, len);
		assert_non_null(want);
		agree +=
		    b.len - base == strlen(want) && memcmp(b.data + base, want, b.len - base) == 0;
		free(want);
		ss_buf_release(&b);
	}
	print_message("WinSCP names: %zu/%zu generated names unescape as ss_winscp_unmunge does\n",
		      agree, cases);
	assert_int_equal(agree, cases);
}

static const char *apply(fixture *f, const char *content)
{
	if (content)
		tu_write_str(f->path, content);
	ss_changeset_free(&f->cs);
	memset(&f->cs, 0, sizeof(f->cs));
	assert_int_equal(ss_client_winscp.apply(f->path, &f->p, &f->cs, &f->d), 0);
	assert_int_equal(f->cs.n, 1);
	assert_int_equal(ss_changeset_render(&f->cs, &f->d), 0);
	return ss_buf_str(&f->cs.v[0].rendered);
}

/* Applies, writes the result, applies again: nothing may change. */
static void assert_idempotent(fixture *f, const char *once)
{
	tu_write_str(f->path, once);
	apply(f, NULL);
	assert_false(f->cs.v[0].changed);
}

static void test_apply_sites_and_defaults(void **state)
{
	fixture *f = *state;
	f->p.interval = 90;
	const char *in = "[Configuration\\Interface]\r\n"
			 "PingType=0\r\n"
			 "\r\n"
			 "[Sessions\\Default%20Settings]\r\n"
			 "HostName=x\r\n"
			 "PingIntervalSec=10\r\n"
			 "\r\n"
			 "[Sessions\\Work/dummy]\r\n"
			 "PingType=2\r\n"
			 "PingInterval = 01 \r\n"
			 "; keep me\r\n"
			 "\r\n"
			 "\r\n"
			 "[Sessions\\off]\r\n"
			 "PingType=0\r\n"
			 "PingIntervalSecs=fast\r\n"
			 "Other=a;b=c\r\n"
			 "[Sessions\\OFF]\r\n"
			 "PingType=0\r\n";
	const char *want = "[Configuration\\Interface]\r\n"
			   "PingType=0\r\n"
			   "\r\n"
			   "[Sessions\\Default%20Settings]\r\n"
			   "HostName=x\r\n"
			   "PingType=1\r\n"
			   "PingInterval=1\r\n"
			   "PingIntervalSecs=30\r\n"
			   "\r\n"
			   "[Sessions\\Work/dummy]\r\n"
			   "PingType=2\r\n"
			   "PingInterval = 01 \r\n"
			   "; keep me\r\n"
			   "PingIntervalSecs=30\r\n"
			   "\r\n"
			   "\r\n"
			   "[Sessions\\off]\r\n"
			   "PingType=1\r\n"
			   "PingIntervalSecs=30\r\n"
			   "Other=a;b=c\r\n"
			   "PingInterval=1\r\n"
			   "[Sessions\\OFF]\r\n"
			   "PingType=1\r\n";
	assert_string_equal(apply(f, in), want);
	assert_true(f->cs.v[0].changed);
	assert_idempotent(f, want);
	/* The result reads back as asked. */
	f->p.interval = 90;
	audit(f, want);
	assert_int_equal(f->scopes.n, 3);
	for (size_t i = 0; i < f->scopes.n; i++) {
		assert_int_equal(f->scopes.v[i].interval, 90);
		assert_false(ss_scope_failed(&f->scopes.v[i]));
	}
}

static void test_apply_ping_policy(void **state)
{
	fixture *f = *state;
	const char *in = DS "PingType=2\n[Sessions\\a]\nPingType=1\n";
	f->p.interval = 60;
	f->p.winscp_ping = SS_PING_NULL;
	assert_string_equal(apply(f, in), DS "PingType=1\nPingInterval=1\nPingIntervalSecs=0\n"
					     "[Sessions\\a]\nPingType=1\nPingInterval=1\n"
					     "PingIntervalSecs=0\n");
	f->p.winscp_ping = SS_PING_DUMMY;
	f->p.interval = 59;
	assert_string_equal(apply(f, in), DS "PingType=2\nPingInterval=0\nPingIntervalSecs=59\n"
					     "[Sessions\\a]\nPingType=2\nPingInterval=0\n"
					     "PingIntervalSecs=59\n");
}

static void test_apply_adds_default_settings(void **state)
{
	fixture *f = *state;
	f->p.interval = 60;
	assert_string_equal(apply(f, "[Configuration]\r\nx=1"),
			    "[Configuration]\r\nx=1\r\n\r\n[Sessions\\Default%20Settings]\r\n"
			    "PingType=1\r\nPingInterval=1\r\nPingIntervalSecs=0");
	assert_string_equal(apply(f, ""), "[Sessions\\Default%20Settings]\nPingType=1\n"
					  "PingInterval=1\nPingIntervalSecs=0\n");
}

static void test_apply_keeps_raw_bytes(void **state)
{
	fixture *f = *state;
	f->p.interval = 60;
	const char *in = DS "PingType=1\nPingInterval=1\nPingIntervalSecs=0\n"
			    "[Sessions\\h%E9te]\nHostName=h\xe9t\xff\nPingType=1\n";
	const char *out = apply(f, in);
	assert_string_equal(out, DS "PingType=1\nPingInterval=1\nPingIntervalSecs=0\n"
				    "[Sessions\\h%E9te]\nHostName=h\xe9t\xff\nPingType=1\n"
				    "PingInterval=1\nPingIntervalSecs=0\n");
}

static void test_apply_utf16(void **state)
{
	fixture *f = *state;
	f->p.interval = 60;
	/* Delphi's TMemIniFile reads UTF-16 files with a byte order mark;
	 * the result stays UTF-16. */
	static const char in[] = "\xff\xfe[\0S\0e\0s\0s\0i\0o\0n\0s\0\\\0a\0]\0\r\0\n\0";
	tu_write(f->path, in, sizeof(in) - 1);
	assert_int_equal(ss_client_winscp.apply(f->path, &f->p, &f->cs, &f->d), 0);
	ss_buf out = SS_BUF_INIT;
	assert_int_equal(ss_edits_render_file(f->cs.v[0].text, &f->cs.v[0].edits, &out, &f->d), 0);
	assert_true(out.len > sizeof(in));
	assert_memory_equal(out.data, in, sizeof(in) - 1);
	assert_memory_equal(out.data + sizeof(in) - 1, "P\0i\0n\0g\0T\0y\0p\0e\0=\0001\0\r\0\n\0",
			    24);
	ss_buf_release(&out);
}

static void test_garbage_is_no_site(void **state)
{
	fixture *f = *state;
	static const char junk[] = "\x7f"
				   "ELF\x02\x01\x01\0\0\0[\x80\xff]\n\0\0=\xfe\n";
	tu_write(f->path, junk, sizeof(junk) - 1);
	assert_int_equal(ss_client_winscp.audit(f->path, &no_query, &f->scopes, &f->d), 0);
	assert_int_equal(f->scopes.n, 1);
	assert_string_equal(f->scopes.v[0].name, "Default Settings");
}

static void test_apply_needs_interval(void **state)
{
	fixture *f = *state;
	tu_write_str(f->path, DS);
	assert_int_equal(ss_client_winscp.apply(f->path, &f->p, &f->cs, &f->d), -1);
	assert_non_null(strstr(f->d.message, "interval"));
}

static void test_missing_file(void **state)
{
	fixture *f = *state;
	char *p = tu_path(f->dir, "nope.ini");
	assert_int_equal(ss_client_winscp.audit(p, &no_query, &f->scopes, &f->d), -1);
	assert_string_equal(f->d.file, p);
	free(p);
}

static const ss_regval *plan_value(fixture *f, const char *key, const char *name)
{
	for (size_t i = 0; i < f->plan.n; i++) {
		if (strcmp(f->plan.v[i].path, key) != 0)
			continue;
		for (size_t j = 0; j < f->plan.v[i].n; j++)
			if (strcmp(f->plan.v[i].v[j].name, name) == 0)
				return &f->plan.v[i].v[j];
	}
	fail_msg("no %s in %s", name, key);
	return NULL;
}

static void assert_plan_site(fixture *f, const char *munged, uint32_t type, uint32_t min,
			     uint32_t secs)
{
	char *key = ss_asprintf("%s\\%s", SS_WINSCP_SESSIONS, munged);
	const ss_regval *v = plan_value(f, key, "PingType");
	assert_int_equal(v->kind, SS_REGVAL_DWORD);
	assert_int_equal(v->dword, type);
	v = plan_value(f, key, "PingInterval");
	assert_int_equal(v->kind, SS_REGVAL_DWORD);
	assert_int_equal(v->dword, min);
	v = plan_value(f, key, "PingIntervalSecs");
	assert_int_equal(v->kind, SS_REGVAL_DWORD);
	assert_int_equal(v->dword, secs);
	assert_int_equal(plan_value(f, key, "PingIntervalSec")->kind, SS_REGVAL_DELETE);
	free(key);
}

static void test_export_plan(void **state)
{
	fixture *f = *state;
	f->p.interval = 75;
	tu_write_str(f->path, "[Sessions\\Work/a%20b]\nPingType=2\n[Sessions\\c]\nPingType=0\n");
	assert_int_equal(ss_client_winscp.export_plan(f->path, NULL, &f->p, &f->plan, &f->d), 0);
	assert_int_equal(f->plan.n, 3);
	assert_string_equal(f->plan.v[0].path, SS_WINSCP_SESSIONS "\\Default%20Settings");
	assert_plan_site(f, "Default%20Settings", 1, 1, 15);
	assert_plan_site(f, "Work/a%20b", 2, 1, 15);
	assert_plan_site(f, "c", 1, 1, 15);
	ss_regplan_free(&f->plan);
	ss_strlist only = SS_STRLIST_INIT;
	assert_int_equal(ss_strlist_push(&only, "Work/a b"), 0);
	assert_int_equal(ss_strlist_push(&only, "caf\xc3\xa9"), 0);
	assert_int_equal(ss_client_winscp.export_plan(f->path, &only, &f->p, &f->plan, &f->d), 0);
	assert_int_equal(f->plan.n, 2);
	assert_plan_site(f, "Work/a%20b", 2, 1, 15);
	assert_plan_site(f, "%EF%BB%BFcaf%C3%A9", 1, 1, 15);
	ss_strlist_release(&only);
}

static void test_sniff(void **state)
{
	(void)state;
	const char *ini = "[Configuration\\Interface]\r\n";
	const char *reg =
	    "\xef\xbb\xbfWindows Registry Editor Version 5.00\r\n\r\n"
	    "[HKEY_CURRENT_USER\\Software\\Martin Prikryl\\WinSCP 2\\Sessions\\a]\r\n";
	const char *putty = "Windows Registry Editor Version 5.00\r\n\r\n"
			    "[HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions\\a]\r\n";
	assert_int_equal(ss_client_winscp.sniff("x/WinSCP.ini", "", 0), 2);
	assert_int_equal(ss_client_winscp.sniff("x/y.ini", ini, strlen(ini)), 2);
	assert_int_equal(ss_client_winscp.sniff("x/y.reg", reg + 3, strlen(reg + 3)), 2);
	assert_int_equal(ss_client_winscp.sniff("x/y.reg", putty, strlen(putty)), 0);
	assert_int_equal(ss_client_winscp.sniff("x/config", "Host x\n", 7), 0);
	assert_int_equal(ss_client_winscp.sniff("x/dir", NULL, 0), 0);
}

#define REG_HEAD "Windows Registry Editor Version 5.00\n\n"
#define RS "[HKEY_CURRENT_USER\\Software\\Martin Prikryl\\WinSCP 2\\Sessions\\"

static void test_reg_audit(void **state)
{
	fixture *f = *state;
	free(f->path);
	f->path = tu_path(f->dir, "winscp.reg");
	audit(f, REG_HEAD RS
	      "Default%20Settings]\n\"PingType\"=dword:00000001\n\n" RS
	      "str]\n\"PingType\"=\"1\"\n\"PingInterval\"=dword:00000001\n\n" RS
	      "bin]\n\"PingType\"=dword:00000001\n\"PingIntervalSecs\"=hex:3c,00,00,00\n\n" RS
	      "twice]\n\"PingType\"=dword:00000001\n\n" RS "gone]\n\"PingType\"=dword:00000001\n\n"
	      "[-HKEY_CURRENT_USER\\Software\\Martin Prikryl\\WinSCP 2\\Sessions\\gone]\n\n"
	      "[HKEY_CURRENT_USER\\SOFTWARE\\MARTIN PRIKRYL\\WINSCP 2\\SESSIONS\\TWICE]\n"
	      "\"pinginterval\"=dword:00000002\n\n"
	      "[HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions\\putty]\n"
	      "\"PingType\"=dword:00000001\n");
	assert_int_equal(f->scopes.n, 4);
	assert_int_equal(scope(f, "Default Settings")->interval, 30);
	assert_set_at(f, scope(f, "Default Settings"), 4);
	/* A string where a DWORD belongs is the default for WinSCP. */
	const ss_scope *str = scope(f, "str");
	assert_int_equal(str->interval, 0);
	char *want = ss_asprintf("\"PingType\"=\"1\" at %s:7 is a string, not a dword", f->path);
	assert_true(has_reason(str, want, "default 0"));
	free(want);
	const ss_scope *bin = scope(f, "bin");
	assert_int_equal(bin->interval, 30);
	assert_true(has_reason(bin, "\"PingIntervalSecs\"=hex:3c,00,00,00 at", "is not a dword"));
	/* Blocks of one key add up, in any case, as an import does. */
	assert_int_equal(scope(f, "twice")->interval, 150);
}

static void test_reg_apply(void **state)
{
	fixture *f = *state;
	free(f->path);
	f->path = tu_path(f->dir, "winscp.reg");
	f->p.interval = 60;
	const char *in = REG_HEAD RS
	    "a]\n\"HostName\"=\"x\"\n\"PingType\"=\"fast\"\n\"PingIntervalSec\"=dword:"
	    "0000000a\n\n" RS
	    "b]\n\"PingType\"=dword:00000002\n\"PingInterval\"=dword:00000001 ; comment\n"
	    "\"PingIntervalSecs\"=dword:00000000\n";
	const char *want = REG_HEAD RS
	    "a]\n\"HostName\"=\"x\"\n\"PingType\"=dword:00000001\n"
	    "\"PingInterval\"=dword:00000001\n\"PingIntervalSecs\"=dword:00000000\n\n" RS
	    "b]\n\"PingType\"=dword:00000002\n\"PingInterval\"=dword:00000001 ; comment\n"
	    "\"PingIntervalSecs\"=dword:00000000\n\n" RS
	    "Default%20Settings]\n\"PingType\"=dword:00000001\n"
	    "\"PingInterval\"=dword:00000001\n\"PingIntervalSecs\"=dword:00000000\n";
	assert_string_equal(apply(f, in), want);
	assert_idempotent(f, want);
}

static void test_reg_malformed(void **state)
{
	fixture *f = *state;
	free(f->path);
	f->path = tu_path(f->dir, "winscp.reg");
	tu_write_str(f->path, REG_HEAD RS "a]\nPingType=1\n");
	assert_int_equal(ss_client_winscp.audit(f->path, &no_query, &f->scopes, &f->d), -1);
	assert_string_equal(f->d.file, f->path);
	assert_int_equal(f->d.line, 4);
	ss_diag_clear(&f->d);
	/* A UTF-8 byte order mark: Windows refuses the file, and so does sshsync. */
	tu_write_str(f->path, "\xef\xbb\xbf" REG_HEAD RS "a]\n");
	assert_int_equal(ss_client_winscp.apply(f->path, &f->p, &f->cs, &f->d), -1);
}

static void test_reg_export(void **state)
{
	fixture *f = *state;
	free(f->path);
	f->path = tu_path(f->dir, "winscp.reg");
	f->p.interval = 61;
	tu_write_str(f->path,
		     REG_HEAD RS "Default%20Settings]\n\"PingType\"=dword:00000002\n\n" RS "x]\n");
	assert_int_equal(ss_client_winscp.export_plan(f->path, NULL, &f->p, &f->plan, &f->d), 0);
	assert_int_equal(f->plan.n, 2);
	assert_plan_site(f, "Default%20Settings", 2, 1, 1);
	assert_plan_site(f, "x", 1, 1, 1);
}

/* --- by protocol: FTP by FtpPingType/FtpPingInterval, WebDAV and S3 n/a --- */

static void test_ftp_rules(void **state)
{
	fixture *f = *state;
	audit(f, DS "PingType=1\n"
		    "[Sessions\\ftp-factory]\nFSProtocol=5\n"
		    "[Sessions\\ftp-off]\nFSProtocol=5\nFtpPingType=0\nFtpPingInterval=45\n"
		    "[Sessions\\ftp-list]\nFSProtocol=5\nFtpPingType=3\nFtpPingInterval=300\n"
		    "[Sessions\\ftp-zero]\nFSProtocol=5\nFtpPingType=1\nFtpPingInterval=0\n"
		    "[Sessions\\ftp-odd]\nFSProtocol=5\nFtpPingType=9\n"
		    "[Sessions\\ftp-bad]\nFSProtocol=5\nFtpPingType=x\nPingType=0\n"
		    "[Sessions\\dav]\nFSProtocol=6\nPingType=0\n"
		    "[Sessions\\s3]\nFSProtocol=7\n"
		    "[Sessions\\proto-4]\nFSProtocol=4\nPingType=1\nFtpPingType=0\n"
		    "[Sessions\\proto-bad]\nFSProtocol=ftp\nPingType=1\n");
	assert_int_equal(f->scopes.n, 11);
	/* factory: a dummy command every 30 s, whatever PingType says */
	assert_int_equal(scope(f, "ftp-factory")->interval, 30);
	assert_false(ss_scope_failed(scope(f, "ftp-factory")));
	assert_set_at(f, scope(f, "ftp-factory"), 0);
	assert_int_equal(scope(f, "ftp-off")->interval, 0);
	assert_true(has_reason(scope(f, "ftp-off"), "FtpPingInterval=45", "FtpPingType is 0"));
	assert_set_at(f, scope(f, "ftp-off"), 7);
	assert_int_equal(scope(f, "ftp-list")->interval, 300);
	assert_true(has_reason(scope(f, "ftp-list"), "not shorter than the NAT timeout", NULL));
	assert_set_at(f, scope(f, "ftp-list"), 12);
	/* the engine's timer checks every second: 0 means every second */
	assert_int_equal(scope(f, "ftp-zero")->interval, 1);
	assert_int_equal(scope(f, "ftp-odd")->interval, 30);
	assert_true(has_reason(scope(f, "ftp-odd"), "FtpPingType=9", "not 0, 1, 2 or 3"));
	/* unreadable: WinSCP keeps the factory 2; PingType does not matter */
	assert_int_equal(scope(f, "ftp-bad")->interval, 30);
	assert_true(has_reason(scope(f, "ftp-bad"), "FtpPingType=x", "uses the default 2"));
	for (int i = 0; i < 2; i++) {
		const ss_scope *sc = scope(f, i ? "s3" : "dav");
		assert_true(sc->not_applicable);
		assert_false(ss_scope_failed(sc));
		assert_string_equal(ss_scope_status(sc), "n/a");
		assert_true(has_reason(sc, "no keepalive for", i ? "S3" : "WebDAV"));
	}
	/* any other FSProtocol opens SCP/SFTP */
	assert_int_equal(scope(f, "proto-4")->interval, 30);
	assert_false(ss_scope_failed(scope(f, "proto-4")));
	assert_int_equal(scope(f, "proto-bad")->interval, 30);
	assert_true(has_reason(scope(f, "proto-bad"), "FSProtocol=ftp", "uses the default 1"));
}

static void test_apply_by_protocol(void **state)
{
	fixture *f = *state;
	f->p.interval = 60;
	const char *in =
	    DS "PingType=1\nPingInterval=1\nPingIntervalSecs=0\n"
	       "[Sessions\\ftp]\r\nFSProtocol=5\r\nPingType=0\r\n"
	       "[Sessions\\ftp-off]\r\nFSProtocol=5\r\nFtpPingType=0\r\nFtpPingInterval=5\r\n"
	       "[Sessions\\ftp-list]\r\nFSProtocol=5\r\nFtpPingType=3\r\nFtpPingInterval=x\r\n"
	       "[Sessions\\ftps]\r\nFSProtocol=5\r\nFtps=3\r\nFtpPingType=1\r\n"
	       "FtpPingInterval=60\r\n"
	       "[Sessions\\dav]\r\nFSProtocol=6\r\nPingType=0\r\n"
	       "[Sessions\\s3]\r\nFSProtocol=7\r\n";
	const char *want =
	    DS "PingType=1\nPingInterval=1\nPingIntervalSecs=0\n"
	       "[Sessions\\ftp]\r\nFSProtocol=5\r\nPingType=0\r\nFtpPingInterval=60\r\n"
	       "[Sessions\\ftp-off]\r\nFSProtocol=5\r\nFtpPingType=2\r\n"
	       "FtpPingInterval=60\r\n"
	       "[Sessions\\ftp-list]\r\nFSProtocol=5\r\nFtpPingType=3\r\n"
	       "FtpPingInterval=60\r\n"
	       "[Sessions\\ftps]\r\nFSProtocol=5\r\nFtps=3\r\nFtpPingType=1\r\n"
	       "FtpPingInterval=60\r\n"
	       "[Sessions\\dav]\r\nFSProtocol=6\r\nPingType=0\r\n"
	       "[Sessions\\s3]\r\nFSProtocol=7\r\n";
	assert_string_equal(apply(f, in), want);
	assert_idempotent(f, want);
	audit(f, want);
	for (size_t i = 0; i < f->scopes.n; i++)
		assert_false(ss_scope_failed(&f->scopes.v[i]));
	/* the registry the same way */
	free(f->path);
	f->path = tu_path(f->dir, "winscp.reg");
	const char *reg = REG_HEAD RS
	    "f]\n\"FSProtocol\"=dword:00000005\n"
	    "\"FtpPingType\"=dword:00000000\n\n" RS "w]\n\"FSProtocol\"=dword:00000006\n\n" RS
	    "Default%20Settings]\n\"PingType\"=dword:00000001\n"
	    "\"PingInterval\"=dword:00000001\n\"PingIntervalSecs\"=dword:00000000\n";
	const char *reg_want = REG_HEAD RS "f]\n\"FSProtocol\"=dword:00000005\n"
					   "\"FtpPingType\"=dword:00000002\n"
					   "\"FtpPingInterval\"=dword:0000003c\n\n" RS
					   "w]\n\"FSProtocol\"=dword:00000006\n\n" RS
					   "Default%20Settings]\n\"PingType\"=dword:00000001\n"
					   "\"PingInterval\"=dword:00000001\n"
					   "\"PingIntervalSecs\"=dword:00000000\n";
	assert_string_equal(apply(f, reg), reg_want);
	assert_idempotent(f, reg_want);
	/* export: FTP keys for the FTP site, nothing for WebDAV */
	assert_int_equal(ss_client_winscp.export_plan(f->path, NULL, &f->p, &f->plan, &f->d), 0);
	assert_int_equal(f->plan.n, 2);
	const ss_regval *v = plan_value(f, SS_WINSCP_SESSIONS "\\f", "FtpPingInterval");
	assert_int_equal(v->dword, 60);
	assert_plan_site(f, "Default%20Settings", 1, 1, 0);
}

/* Default Settings is found by its name, whatever its escapes: stored as
 * "%44efault%20Settings" it is Default Settings (no factory scope beside
 * it); a site "default%20settings" (lowercase first byte) stands where it
 * would be. The audit tells both on their first byte first. */
static void test_default_settings_by_name(void **state)
{
	fixture *f = *state;
	audit(f, "[Sessions\\%44efault%20Settings]\r\nPingType=1\r\nPingInterval=1\r\n"
		 "PingIntervalSecs=0\r\n");
	assert_int_equal(f->scopes.n, 1);
	assert_int_equal(scope(f, "Default Settings")->interval, 60);
	audit(f, "[Sessions\\default%20settings]\r\nHostName=x\r\n");
	assert_int_equal(f->scopes.n, 2);
	assert_true(has_reason(scope(f, "Default Settings"), "\"default settings\"", "rename"));
}

/* d20: [Sessions\Default%20settings] is a site for WinSCP, and the section
 * where Default Settings would go: apply must not append another. */
static void test_default_settings_other_case(void **state)
{
	fixture *f = *state;
	f->p.interval = 60;
	const char *in = "[Sessions\\Default%20settings]\r\nHostName=x\r\n";
	const char *want = "[Sessions\\Default%20settings]\r\nHostName=x\r\nPingType=1\r\n"
			   "PingInterval=1\r\nPingIntervalSecs=0\r\n";
	assert_string_equal(apply(f, in), want);
	assert_idempotent(f, want);
	audit(f, want);
	assert_int_equal(f->scopes.n, 2);
	assert_int_equal(scope(f, "Default settings")->interval, 60);
	assert_true(has_reason(scope(f, "Default Settings"), "\"Default settings\"", "rename"));
	/* the registry: key names ignore case as well */
	free(f->path);
	f->path = tu_path(f->dir, "winscp.reg");
	const char *reg = REG_HEAD RS "DEFAULT%20SETTINGS]\n\"HostName\"=\"x\"\n";
	const char *reg_want =
	    REG_HEAD RS "DEFAULT%20SETTINGS]\n\"HostName\"=\"x\"\n"
			"\"PingType\"=dword:00000001\n\"PingInterval\"=dword:00000001\n"
			"\"PingIntervalSecs\"=dword:00000000\n";
	assert_string_equal(apply(f, reg), reg_want);
	assert_idempotent(f, reg_want);
	assert_int_equal(ss_client_winscp.export_plan(f->path, NULL, &f->p, &f->plan, &f->d), 0);
	assert_int_equal(f->plan.n, 1);
}

/* A tiny deterministic generator (no libc rand: the same cases everywhere). */
static unsigned next_rand(unsigned *seed)
{
	return (tu_lcg(seed) >> 16) & 0x7fff;
}

static const char *pick(unsigned *seed, const char *const *v, size_t n)
{
	return v[next_rand(seed) % n];
}

/* What WinSCP reads for a value (NULL absent, text not a number: the default). */
static long model_read(const char *v, long dflt)
{
	char *end;
	if (!v || !*v)
		return dflt;
	long n = strtol(v, &end, 10);
	return *end ? dflt : n;
}

/* The expected interval of one generated site, from the rules read in
 * WinSCP's source (SessionData.cpp, Terminal.cpp, FtpFileSystem.cpp,
 * FileZilla's FtpControlSocket.cpp); -1 for "not applicable". */
static long model_interval(const char *proto, const char *ftype, const char *fint, const char *type,
			   const char *secs)
{
	long pr = model_read(proto, 1);
	if (pr == 6 || pr == 7)
		return -1;
	if (pr == 5) {
		long t = model_read(ftype, 2), i = model_read(fint, 30);
		return t == 0 ? 0 : i > 0 ? i : 1;
	}
	long t = model_read(type, 0), s = model_read(secs, 30);
	if (s < 0)
		s = 30;
	return t == 0 ? 0 : s == 0 ? 30 : s;
}

static void test_generated_protocols(void **state)
{
	fixture *f = *state;
	static const char *const protos[] = {NULL, "0", "1", "2", "3", "5", "5", "6", "7", "ftp"};
	static const char *const ftypes[] = {NULL, "0", "1", "2", "3", "4", "-1", "x"};
	static const char *const fints[] = {NULL, "0", "-5", "1", "45", "300", "y", ""};
	static const char *const types[] = {NULL, "0", "1", "2"};
	static const char *const secs[] = {NULL, "20", "0"};
	unsigned seed = 20261202;
	size_t cases = 0, agree = 0;
	for (int n = 0; n < 400; n++) {
		const char *v[5] = {pick(&seed, protos, 10), pick(&seed, ftypes, 8),
				    pick(&seed, fints, 8), pick(&seed, types, 4),
				    pick(&seed, secs, 3)};
		static const char *const keys[] = {"FSProtocol", "FtpPingType", "FtpPingInterval",
						   "PingType", "PingIntervalSecs"};
		ss_buf b = SS_BUF_INIT;
		assert_int_equal(ss_buf_adds(&b,
					     DS "PingType=1\nPingInterval=1\nPingIntervalSecs=0\n"
						"[Sessions\\s]\n"),
				 0);
		for (int k = 0; k < 5; k++)
			if (v[k])
				assert_int_equal(ss_buf_addf(&b, "%s=%s\n", keys[k], v[k]), 0);
		long want = model_interval(v[0], v[1], v[2], v[3], v[4]);
		f->p.interval = SS_UNSET;
		audit(f, ss_buf_str(&b));
		const ss_scope *sc = scope(f, "s");
		int ok =
		    want < 0 ? sc->not_applicable : !sc->not_applicable && sc->interval == want;
		/* after apply: every site with a keepalive has the interval and
		 * passes; a second apply changes nothing; n/a stays untouched */
		f->p.interval = 60;
		const char *rendered = apply(f, ss_buf_str(&b));
		char *once = ss_strdup(f->cs.v[0].changed ? rendered : ss_buf_str(&b));
		audit(f, once);
		sc = scope(f, "s");
		/* an FSProtocol WinSCP cannot read stays, and so does its reason */
		int bad_proto = v[0] && model_read(v[0], -100) == -100;
		ok = ok && (want < 0 ? strcmp(once, ss_buf_str(&b)) == 0
				     : sc->interval == 60 && (bad_proto || !ss_scope_failed(sc)));
		tu_write_str(f->path, once);
		apply(f, NULL);
		ok = ok && !f->cs.v[0].changed;
		if (!ok)
			print_error("disagree: %s", ss_buf_str(&b));
		cases++;
		agree += ok;
		free(once);
		ss_buf_release(&b);
	}
	print_message("WinSCP protocols: %zu/%zu generated sites agree with the model\n", agree,
		      cases);
	assert_int_equal(agree, cases);
}

/* Many sites of every kind: the protocol, the type and the interval vary,
 * some values WinSCP cannot read. */
static char *many_sites(size_t n)
{
	ss_buf b = SS_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(ss_buf_addf(&b,
					     "[Sessions\\Team%%20%zu/host%%20%zu]\r\n"
					     "HostName=h%zu\r\nPingType=%zu\r\n",
					     i / 100, i, i, i % 3),
				 0);
		if (i % 4)
			assert_int_equal(ss_buf_addf(&b, "PingInterval=%zu\r\n", i % 5), 0);
		if (i % 7 == 0)
			assert_int_equal(ss_buf_adds(&b, "PingIntervalSecs=soon\r\n"), 0);
		if (i % 11 == 0)
			assert_int_equal(ss_buf_adds(&b, "FSProtocol=5\r\nFtpPingType=0\r\n"), 0);
	}
	return ss_buf_detach(&b, NULL);
}

/* A store of many sites whose report streams is read by a second thread,
 * a chunk of sites at a time: the scopes reach the sink in store order,
 * as they are when every scope is kept, and a sink that fails stops it. */
static void test_streamed_sites_in_order(void **state)
{
	fixture *f = *state;
	size_t sites = 5 * 256 + 17; /* more chunks than the threads have slots */
	char *content = many_sites(sites);
	audit(f, content);
	ss_buf want = SS_BUF_INIT;
	for (size_t i = 0; i < f->scopes.n; i++)
		tu_scope_line(&f->scopes.v[i], &want);
	assert_int_equal(f->scopes.n, sites + 1); /* and Default Settings */
	ss_scopes_free(&f->scopes);

	tu_collected c = {&f->p, SS_BUF_INIT, 0, 0};
	ss_scope_sink sink = {tu_collect, &c, NULL};
	ss_scopes streamed = SS_SCOPES_INIT;
	streamed.sink = &sink;
	assert_int_equal(ss_client_winscp.audit(f->path, &no_query, &streamed, &f->d), 0);
	assert_int_equal(ss_scopes_settle(&streamed, &f->d), 0);
	assert_int_equal(c.n, sites + 1);
	assert_string_equal(ss_buf_str(&c.lines), ss_buf_str(&want));

	/* the sink stops in the third chunk: so does the audit, with its error */
	ss_buf_reset(&c.lines);
	c.n = 0;
	c.fail_at = 700;
	assert_int_equal(ss_client_winscp.audit(f->path, &no_query, &streamed, &f->d), -1);
	assert_int_equal(c.n, 700);
	assert_non_null(strstr(f->d.message, "the sink stops"));
	ss_diag_clear(&f->d);
	ss_scopes_free(&streamed);
	ss_buf_release(&c.lines);
	ss_buf_release(&want);
	free(content);
}

/* One generated site: a section of values picked as test_generated_protocols
 * picks them, some with the obsolete PingIntervalSec or a blank line. */
static void generated_site(unsigned *seed, size_t i, ss_buf *out)
{
	static const char *const protos[] = {NULL, "0", "2", "5", "6", "x"};
	static const char *const types[] = {NULL, "0", "1", "2"};
	static const char *const others[] = {NULL, "PingIntervalSec=5", "FtpPingType=0", ""};
	const char *proto = pick(seed, protos, 6), *type = pick(seed, types, 4),
		   *other = pick(seed, others, 4);
	assert_int_equal(ss_buf_addf(out, "[Sessions\\site%zu]\nHostName=h%zu\n", i, i), 0);
	if (type)
		assert_int_equal(ss_buf_addf(out, "PingType=%s\n", type), 0);
	if (other)
		assert_int_equal(ss_buf_addf(out, "%s\n", other), 0);
	if (proto)
		assert_int_equal(ss_buf_addf(out, "FSProtocol=%s\n", proto), 0);
}

/* An apply of many sites (planned in two halves at once from 1,024 on)
 * gives every site what an apply of that site alone gives it: at the
 * threshold's edges and well past it. */
static void test_apply_many_sites(void **state)
{
	fixture *f = *state;
	f->p.interval = 60;
	enum { MOST = 1500 };
	static const size_t sizes[] = {1023, 1024, MOST};
	const char *ds = DS "PingType=1\nPingInterval=1\nPingIntervalSecs=0\n";
	unsigned seed = 20261203;
	ss_buf in = SS_BUF_INIT, want = SS_BUF_INIT, one = SS_BUF_INIT;
	size_t in_at[MOST + 1], want_at[MOST + 1];
	assert_int_equal(ss_buf_adds(&in, ds), 0);
	assert_int_equal(ss_buf_adds(&want, ds), 0);
	for (size_t i = 0; i < MOST; i++) {
		in_at[i] = in.len;
		want_at[i] = want.len;
		ss_buf_reset(&one);
		assert_int_equal(ss_buf_adds(&one, ds), 0);
		generated_site(&seed, i, &one);
		assert_int_equal(ss_buf_adds(&in, ss_buf_str(&one) + strlen(ds)), 0);
		const char *alone = apply(f, ss_buf_str(&one));
		if (!f->cs.v[0].changed)
			alone = ss_buf_str(&one);
		assert_int_equal(strncmp(alone, ds, strlen(ds)), 0);
		assert_int_equal(ss_buf_adds(&want, alone + strlen(ds)), 0);
	}
	in_at[MOST] = in.len;
	want_at[MOST] = want.len;
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k];
		char *content = ss_strndup(in.data, in_at[n]);
		char *expect = ss_strndup(want.data, want_at[n]);
		assert_non_null(content);
		assert_non_null(expect);
		assert_string_equal(apply(f, content), expect);
		free(content);
		free(expect);
	}
	ss_buf_release(&in);
	ss_buf_release(&want);
	ss_buf_release(&one);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_interval_arithmetic),
	    T(test_apply_many_sites),
	    T(test_ping_type),
	    T(test_places_in_reasons),
	    T(test_names_case_and_duplicates),
	    T(test_no_sites),
	    T(test_munge),
	    T(test_unescape_is_unmunge),
	    T(test_apply_sites_and_defaults),
	    T(test_apply_ping_policy),
	    T(test_apply_adds_default_settings),
	    T(test_apply_keeps_raw_bytes),
	    T(test_apply_utf16),
	    T(test_garbage_is_no_site),
	    T(test_apply_needs_interval),
	    T(test_missing_file),
	    T(test_export_plan),
	    T(test_sniff),
	    T(test_reg_audit),
	    T(test_reg_apply),
	    T(test_reg_malformed),
	    T(test_reg_export),
	    T(test_ftp_rules),
	    T(test_apply_by_protocol),
	    T(test_default_settings_other_case),
	    T(test_default_settings_by_name),
	    T(test_generated_protocols),
	    T(test_streamed_sites_in_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
