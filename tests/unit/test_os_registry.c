/* os/registry: the live Windows registry. On Windows (and under Wine, where
 * the cross-built unit tests run) a key of its own below HKCU\Software is
 * created, written, listed, read back and deleted; elsewhere every call
 * says that there is no registry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sshsync/os_registry.h"
#include "testutil.h"

static void test_no_registry(void **state)
{
	(void)state;
	if (ss_osreg_available())
		skip();
	ss_osreg_key *k = NULL;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_osreg_open("HKCU\\Software\\SimonTatham\\PuTTY\\Sessions", 0, &k, &d),
			 -1);
	assert_null(k);
	char *msg = ss_diag_format(&d);
	assert_string_equal(msg, "HKCU\\Software\\SimonTatham\\PuTTY\\Sessions: the Windows "
				 "registry is not available on this system");
	free(msg);
	ss_diag_clear(&d);
}

static void test_live_registry(void **state)
{
	(void)state;
	if (!ss_osreg_available())
		skip();
	ss_diag d = SS_DIAG_INIT;
	ss_osreg_key *sw = NULL, *t = NULL, *s1 = NULL, *s2 = NULL;
	assert_int_equal(ss_osreg_open("HKEY_CURRENT_USER\\Software", 1, &sw, &d), 1);
	char name[64];
	snprintf(name, sizeof(name), "sshsync-test-%ld", (long)time(NULL));
	assert_int_equal(ss_osreg_create(sw, name, &t, &d), 0);
	/* Names as Windows holds them: "café" in UTF-16, and PuTTY's %XX. */
	assert_int_equal(ss_osreg_create(t, "web%201", &s1, &d), 0);
	assert_int_equal(ss_osreg_create(t, "caf\xc3\xa9 \xf0\x9f\x8c\x8e", &s2, &d), 0);
	uint32_t one = 1;
	assert_int_equal(ss_osreg_set(s1, "PingInterval", 4, &one, 4, &d), 0);
	static const char sz[] = "h\0o\0s\0t\0\0"; /* "host" in UTF-16LE */
	assert_int_equal(ss_osreg_set(s1, "HostName", 1, sz, sizeof(sz), &d), 0);
	assert_int_equal(ss_osreg_set(s2, "", 4, &one, 4, &d), 0);

	ss_strlist names = SS_STRLIST_INIT;
	assert_int_equal(ss_osreg_subkeys(t, &names, &d), 0);
	assert_int_equal(names.n, 2);
	int seen = 0;
	for (size_t i = 0; i < names.n; i++)
		seen += strcmp(names.v[i], "web%201") == 0 ||
			strcmp(names.v[i], "caf\xc3\xa9 \xf0\x9f\x8c\x8e") == 0;
	assert_int_equal(seen, 2);
	ss_strlist_release(&names);

	ss_osreg_values vals = SS_OSREG_VALUES_INIT;
	assert_int_equal(ss_osreg_values_read(s1, &vals, &d), 0);
	assert_int_equal(vals.n, 2);
	ss_osreg_values_free(&vals);

	uint32_t type = 0;
	ss_buf data = SS_BUF_INIT;
	assert_int_equal(ss_osreg_query(s1, "pinginterval", &type, &data, &d), 1);
	assert_int_equal(type, 4);
	assert_int_equal(data.len, 4);
	assert_memory_equal(data.data, &one, 4);
	assert_int_equal(ss_osreg_query(s1, "HostName", &type, &data, &d), 1);
	assert_int_equal(type, 1);
	assert_memory_equal(data.data, sz, sizeof(sz));
	assert_int_equal(ss_osreg_query(s1, "Missing", &type, &data, &d), 0);
	assert_int_equal(ss_osreg_delete_value(s1, "PingInterval", &d), 0);
	assert_int_equal(ss_osreg_delete_value(s1, "PingInterval", &d), 0);
	assert_int_equal(ss_osreg_query(s1, "PingInterval", &type, &data, &d), 0);
	ss_buf_release(&data);
	ss_osreg_close(s1);
	ss_osreg_close(s2);

	/* The same key by its path (SSHSYNC_REGISTRY_HKCU is tested through the
	 * binary, tests/integration/winreg_live.sh). */
	char *path = ss_asprintf("HKCU\\Software\\%s\\web%%201", name);
	ss_osreg_key *again = NULL;
	assert_int_equal(ss_osreg_open(path, 0, &again, &d), 1);
	assert_non_null(strstr(ss_osreg_path(again), "HKEY_CURRENT_USER\\Software\\sshsync-test-"));
	ss_osreg_close(again);
	free(path);
	assert_int_equal(ss_osreg_delete_key(sw, name, &d), 0);
	assert_int_equal(ss_osreg_open("HKCU\\Software\\sshsync-test-none", 0, &again, &d), 0);
	ss_osreg_close(t);
	ss_osreg_close(sw);
	assert_null(d.message);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_registry),
	    cmocka_unit_test(test_live_registry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
