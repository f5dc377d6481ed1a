/* store/winreg and the winreg storage backend: the live registry as .reg
 * texts, planned through the storage interface and written through the
 * registry API. The .reg rendering and parsing run everywhere; the rest
 * runs on Windows (and under Wine, where the cross-built unit tests run)
 * in a registry of its own: HKEY_CURRENT_USER is redirected for this
 * process to a fresh key with RegOverridePredefKey, so that nothing of the
 * real user's registry is read or written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sshsync/os_registry.h"
#include "sshsync/putty.h"
#include "sshsync/storage.h"
#include "sshsync/winreg.h"
#include "testutil.h"

#ifdef _WIN32
#include <windows.h>
#endif

#define SESSIONS "HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions"

static void add_dword(ss_winreg_key *k, const char *name, uint32_t v)
{
	unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 24)};
	assert_int_equal(ss_winreg_add_value(k, name, 1, SS_WINREG_DWORD, b, 4), 0);
}

static void add_sz(ss_winreg_key *k, const char *name, const char *s)
{
	ss_buf b = SS_BUF_INIT;
	assert_int_equal(ss_winreg_sz_data(s, &b), 0);
	assert_int_equal(ss_winreg_add_value(k, name, 1, SS_WINREG_SZ, b.data, b.len), 0);
	ss_buf_release(&b);
}

static char *render(const ss_winreg_state *s)
{
	ss_buf b = SS_BUF_INIT;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_winreg_render(s, &b, NULL, &d), 0);
	return ss_buf_detach(&b, NULL);
}

/* Every kind of value renders as regedit writes it and parses back to the
 * same bytes: what undo reads from the journal is what apply kept. */
static void test_render_parse(void **state)
{
	(void)state;
	ss_winreg_state s = SS_WINREG_STATE_INIT;
	ss_winreg_key *k = ss_winreg_add_key(&s, SESSIONS "\\caf%C3%A9", 1);
	assert_non_null(k);
	add_dword(k, "PingInterval", 0x3c);
	add_sz(k, "HostName", "h\"o\\st caf\xc3\xa9 \xf0\x9f\x8c\x8e");
	add_sz(k, "Two lines", "a\r\nb"); /* no "string" can carry it */
	static const unsigned char nonul[] = {'a', 0, 'b', 0};
	assert_int_equal(ss_winreg_add_value(k, "NoNul", 1, SS_WINREG_SZ, nonul, 4), 0);
	static const unsigned char bin[] = {0, 1, 0xfe};
	assert_int_equal(ss_winreg_add_value(k, "Bin", 1, SS_WINREG_BINARY, bin, 3), 0);
	assert_int_equal(ss_winreg_add_value(k, "Q", 1, 0xb, bin, 3), 0);
	assert_int_equal(ss_winreg_add_value(k, "", 1, SS_WINREG_DWORD, "\1\0\0\0", 4), 0);
	assert_int_equal(ss_winreg_add_value(k, "Gone", 0, 0, NULL, 0), 0);
	assert_non_null(ss_winreg_add_key(&s, SESSIONS "\\\xe4\xb8\xad", 0));

	char *text = render(&s);
	assert_string_equal(text, "Windows Registry Editor Version 5.00\r\n"
				  "\r\n[" SESSIONS "\\caf%C3%A9]\r\n"
				  "\"PingInterval\"=dword:0000003c\r\n"
				  "\"HostName\"=\"h\\\"o\\\\st caf\xc3\xa9 \xf0\x9f\x8c\x8e\"\r\n"
				  "\"Two lines\"=hex(1):61,00,0d,00,0a,00,62,00,00,00\r\n"
				  "\"NoNul\"=hex(1):61,00,62,00\r\n"
				  "\"Bin\"=hex:00,01,fe\r\n"
				  "\"Q\"=hex(b):00,01,fe\r\n"
				  "@=dword:00000001\r\n"
				  "\"Gone\"=-\r\n"
				  "\r\n[-" SESSIONS "\\\xe4\xb8\xad]\r\n");

	ss_buf file = SS_BUF_INIT;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_winreg_render_file(&s, &file, &d), 0);
	assert_memory_equal(file.data, "\xff\xfeW\0i\0", 6);
	ss_text t;
	assert_int_equal(ss_text_from_bytes(&t, "backup.reg", file.data, file.len, &d), 0);
	ss_winreg_state back = SS_WINREG_STATE_INIT;
	assert_int_equal(ss_winreg_parse(&t, &back, &d), 0);
	assert_int_equal(ss_winreg_same(&s, &back, &d), 1);
	char *again = render(&back);
	assert_string_equal(again, text);

	/* A value that differs is told apart. */
	add_dword(&back.v[0], "Extra", 1);
	assert_int_equal(ss_winreg_same(&s, &back, &d), 0);

	/* A name no .reg line can carry is refused. */
	ss_winreg_state bad = SS_WINREG_STATE_INIT;
	add_dword(ss_winreg_add_key(&bad, SESSIONS "\\x", 1), "a\nb", 1);
	ss_buf out = SS_BUF_INIT;
	assert_int_equal(ss_winreg_render(&bad, &out, NULL, &d), -1);
	assert_non_null(strstr(d.message, "line break"));
	ss_diag_clear(&d);
	ss_buf_release(&out);
	ss_winreg_state_free(&bad);

	free(text);
	free(again);
	ss_text_free(&t);
	ss_buf_release(&file);
	ss_winreg_state_free(&back);
	ss_winreg_state_free(&s);
	assert_null(d.message);
}

#ifdef _WIN32
/* HKEY_CURRENT_USER of this process becomes a fresh key of its own. */
static HKEY own_hkcu;
static char own_name[64];

static int own_registry(void **state)
{
	(void)state;
	snprintf(own_name, sizeof(own_name), "Software\\sshsync-unit-%lu-%ld",
		 (unsigned long)GetCurrentProcessId(), (long)time(NULL));
	if (RegCreateKeyExA(HKEY_CURRENT_USER, own_name, 0, NULL, 0, KEY_ALL_ACCESS, NULL,
			    &own_hkcu, NULL) != ERROR_SUCCESS)
		return -1;
	return RegOverridePredefKey(HKEY_CURRENT_USER, own_hkcu) == ERROR_SUCCESS ? 0 : -1;
}

static int real_registry(void **state)
{
	(void)state;
	RegOverridePredefKey(HKEY_CURRENT_USER, NULL);
	RegCloseKey(own_hkcu);
	RegDeleteTreeA(HKEY_CURRENT_USER, own_name);
	return 0;
}

static ss_osreg_key *make_key(const char *path)
{
	ss_osreg_key *root = NULL, *k = NULL;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_osreg_open("HKCU", 1, &root, &d), 1);
	assert_int_equal(ss_osreg_create(root, path, &k, &d), 0);
	ss_osreg_close(root);
	return k;
}

static void set_dword(ss_osreg_key *k, const char *name, uint32_t v)
{
	ss_diag d = SS_DIAG_INIT;
	unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 24)};
	assert_int_equal(ss_osreg_set(k, name, SS_WINREG_DWORD, b, 4, &d), 0);
}

/* The value as a number, or -1 when absent (or no DWORD). */
static long long get_dword(const char *path, const char *name)
{
	ss_osreg_key *k = NULL;
	ss_diag d = SS_DIAG_INIT;
	if (ss_osreg_open(path, 0, &k, &d) != 1)
		return -2;
	uint32_t type = 0;
	ss_buf b = SS_BUF_INIT;
	long long r = -1;
	if (ss_osreg_query(k, name, &type, &b, &d) == 1 && type == SS_WINREG_DWORD && b.len == 4)
		r = (unsigned char)b.data[0] | (unsigned char)b.data[1] << 8 |
		    (unsigned char)b.data[2] << 16 | (long long)(unsigned char)b.data[3] << 24;
	ss_buf_release(&b);
	ss_osreg_close(k);
	return r;
}

/* Three sessions: web%201 (30 s), caf%C3%A9 (escaped UTF-8: PuTTY lists it
 * as cafÃ©) and café itself (a key only an import makes). */
static void make_sessions(void)
{
	ss_osreg_key *a = make_key("Software\\SimonTatham\\PuTTY\\Sessions\\web%201");
	set_dword(a, "PingInterval", 0);
	set_dword(a, "PingIntervalSecs", 30);
	ss_osreg_key *b = make_key("Software\\SimonTatham\\PuTTY\\Sessions\\caf%C3%A9");
	set_dword(b, "PingInterval", 2);
	ss_osreg_key *c = make_key("Software\\SimonTatham\\PuTTY\\Sessions\\caf\xc3\xa9");
	set_dword(c, "Other", 7);
	ss_osreg_close(a);
	ss_osreg_close(b);
	ss_osreg_close(c);
}

static void drop_sessions(void)
{
	ss_osreg_key *sw = NULL;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_osreg_open("HKCU\\Software", 1, &sw, &d), 1);
	assert_int_equal(ss_osreg_delete_key(sw, "SimonTatham", &d), 0);
	ss_osreg_close(sw);
}

/* Plans 60 s on every session and a new one through the storage interface,
 * as the PuTTY client does; returns the storage's change. */
static ss_change *plan(ss_changeset *cs)
{
	ss_storage *st = NULL;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_storage_open(&st, "HKCU\\Software\\SimonTatham\\PuTTY\\Sessions",
					 &ss_putty_root, NULL, cs, &d),
			 0);
	assert_string_equal(ss_storage_backend_name(st), "winreg");
	assert_int_equal(ss_storage_count(st), 3);
	for (size_t s = 0; s < ss_storage_count(st); s++) {
		assert_int_equal(ss_storage_set_dword(st, s, "PingInterval", 1, &d), 0);
		assert_int_equal(ss_storage_set_dword(st, s, "PingIntervalSecs", 0, &d), 0);
	}
	size_t s;
	assert_int_equal(ss_storage_create(st, "Default%20Settings", &s, &d), 0);
	assert_int_equal(ss_storage_set_dword(st, s, "PingInterval", 1, &d), 0);
	assert_int_equal(ss_storage_commit(st, &d), 0);
	ss_storage_close(st);
	assert_null(d.message);
	assert_int_equal(cs->n, 1);
	assert_int_equal(ss_changeset_render(cs, &d), 0);
	assert_int_equal(cs->v[0].changed, 1);
	assert_non_null(cs->v[0].sink);
	return &cs->v[0];
}

static void test_plan_write_restore(void **state)
{
	(void)state;
	make_sessions();
	ss_changeset cs = SS_CHANGESET_INIT;
	ss_change *c = plan(&cs);
	ss_diag d = SS_DIAG_INIT;

	/* The text is the backup: exactly the values that change, as they were;
	 * the key names as Windows holds them. */
	assert_string_equal(c->text->path, "reg:" SESSIONS);
	assert_non_null(strstr(c->text->data, "[" SESSIONS "\\web%201]\r\n"
					      "\"PingInterval\"=dword:00000000\r\n"
					      "\"PingIntervalSecs\"=dword:0000001e\r\n"));
	assert_non_null(strstr(c->text->data, "[" SESSIONS "\\caf%C3%A9]\r\n"
					      "\"PingInterval\"=dword:00000002\r\n"
					      "\"PingIntervalSecs\"=-\r\n"));
	assert_non_null(strstr(c->text->data, "[" SESSIONS "\\caf\xc3\xa9]\r\n"
					      "\"PingInterval\"=-\r\n"));
	assert_non_null(strstr(c->text->data, "[-" SESSIONS "\\Default%20Settings]\r\n"));
	assert_null(strstr(c->text->data, "Other"));
	ss_buf diff = SS_BUF_INIT;
	assert_int_equal(ss_edits_diff(c->text, &c->edits, "reg", &diff, &d), 0);
	assert_non_null(strstr(diff.data, "+\"PingIntervalSecs\"=dword:00000000"));
	assert_non_null(strstr(diff.data, "-[-" SESSIONS "\\Default%20Settings]"));
	ss_buf_release(&diff);

	assert_int_equal(c->sink->check(c->sink_ctx, &d), 0);
	assert_int_equal(c->sink->write(c->sink_ctx, &d), 0);
	assert_int_equal(get_dword(SESSIONS "\\web%201", "PingInterval"), 1);
	assert_int_equal(get_dword(SESSIONS "\\web%201", "PingIntervalSecs"), 0);
	assert_int_equal(get_dword(SESSIONS "\\caf%C3%A9", "PingIntervalSecs"), 0);
	assert_int_equal(get_dword(SESSIONS "\\caf\xc3\xa9", "PingInterval"), 1);
	assert_int_equal(get_dword(SESSIONS "\\caf\xc3\xa9", "Other"), 7);
	assert_int_equal(get_dword(SESSIONS "\\Default%20Settings", "PingInterval"), 1);

	/* A later change failed: everything is put back as it was read. */
	assert_int_equal(c->sink->restore(c->sink_ctx, &d), 0);
	assert_int_equal(get_dword(SESSIONS "\\web%201", "PingInterval"), 0);
	assert_int_equal(get_dword(SESSIONS "\\web%201", "PingIntervalSecs"), 30);
	assert_int_equal(get_dword(SESSIONS "\\caf%C3%A9", "PingInterval"), 2);
	assert_int_equal(get_dword(SESSIONS "\\caf%C3%A9", "PingIntervalSecs"), -1);
	assert_int_equal(get_dword(SESSIONS "\\caf\xc3\xa9", "PingInterval"), -1);
	assert_int_equal(get_dword(SESSIONS "\\Default%20Settings", "PingInterval"), -2);
	assert_null(d.message);
	ss_changeset_free(&cs);
	drop_sessions();
}

/* Somebody changes a value between the plan and the write: nothing is
 * written, and the message says why. Also a value the plan read but does
 * not change (Other). */
static void test_changed_since_read(void **state)
{
	(void)state;
	static const char *const which[] = {"PingIntervalSecs", "Other"};
	for (size_t w = 0; w < 2; w++) {
		make_sessions();
		ss_changeset cs = SS_CHANGESET_INIT;
		ss_change *c = plan(&cs);
		ss_diag d = SS_DIAG_INIT;
		ss_osreg_key *k = NULL;
		assert_int_equal(
		    ss_osreg_open(w ? SESSIONS "\\caf\xc3\xa9" : SESSIONS "\\web%201", 1, &k, &d),
		    1);
		set_dword(k, which[w], 99);
		ss_osreg_close(k);
		assert_int_equal(c->sink->check(c->sink_ctx, &d), -1);
		assert_non_null(strstr(d.message, "changed since it was read"));
		ss_diag_clear(&d);
		assert_int_equal(c->sink->write(c->sink_ctx, &d), -1);
		assert_non_null(strstr(d.message, "nothing written"));
		ss_diag_clear(&d);
		assert_int_equal(get_dword(SESSIONS "\\web%201", "PingInterval"), 0);
		assert_int_equal(get_dword(SESSIONS "\\caf%C3%A9", "PingInterval"), 2);
		assert_int_equal(get_dword(SESSIONS "\\Default%20Settings", "PingInterval"), -2);
		ss_changeset_free(&cs);
		drop_sessions();
	}
}

/* A write that fails half way puts back the keys already written. The
 * failure: a key that cannot be made, below a volatile key (whose subkeys
 * must be volatile too: ERROR_CHILD_MUST_BE_VOLATILE). */
static void test_rollback_half_way(void **state)
{
	(void)state;
	make_sessions();
	HKEY vol;
	assert_int_equal(RegCreateKeyExA(HKEY_CURRENT_USER,
					 "Software\\SimonTatham\\PuTTY\\Sessions\\vol", 0, NULL,
					 REG_OPTION_VOLATILE, KEY_ALL_ACCESS, NULL, &vol, NULL),
			 ERROR_SUCCESS);
	RegCloseKey(vol);
	ss_winreg_state target = SS_WINREG_STATE_INIT, old = SS_WINREG_STATE_INIT;
	add_dword(ss_winreg_add_key(&target, SESSIONS "\\web%201", 1), "PingInterval", 5);
	add_dword(ss_winreg_add_key(&target, SESSIONS "\\vol\\sub", 1), "PingInterval", 5);
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_winreg_write(&target, NULL, &old, &d), -1);
	assert_non_null(strstr(d.message, "cannot create the key"));
	assert_non_null(strstr(d.message, "were put back as they were"));
	ss_diag_clear(&d);
	assert_int_equal(get_dword(SESSIONS "\\web%201", "PingInterval"), 0);
	assert_int_equal(get_dword(SESSIONS "\\vol\\sub", "PingInterval"), -2);
	ss_winreg_state_free(&target);
	ss_winreg_state_free(&old);
	drop_sessions();
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_render_parse),
#ifdef _WIN32
	    cmocka_unit_test(test_plan_write_restore),
	    cmocka_unit_test(test_changed_since_read),
	    cmocka_unit_test(test_rollback_half_way),
#endif
	};
#ifdef _WIN32
	return cmocka_run_group_tests(tests, own_registry, real_registry);
#else
	return cmocka_run_group_tests(tests, NULL, NULL);
#endif
}
