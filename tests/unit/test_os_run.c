/* ss_os_run (os_proc.h): the arguments a program receives are exactly
 * the ones given, whatever they hold (on Windows each is quoted into one
 * command line that the child's C runtime splits again), both outputs are
 * kept apart, the exit status comes back, a missing program is ENOENT.
 * The program run is this test itself, in a child mode (argv[1]).
 * (ss_os_read_secret without a terminal: integration/migrate_keys.sh,
 * through setsid; a child of ss_os_run on Windows has a hidden console.) */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/os_proc.h"

static const char *self;

/* Each argument as "[ARG]" on its own line; a word on stderr; exit 7. */
static int echo_args(int argc, char **argv)
{
	for (int i = 2; i < argc; i++)
		printf("[%s]\n", argv[i]);
	fputs("to stderr\n", stderr);
	return 7;
}

static void test_arguments(void **state)
{
	(void)state;
	static const char *const args[] = {
	    "plain",  "two words", "",	      "a \"quoted\" word",   "back\\slash", "trail\\",
	    "\\\\\"", "tab\there", "x\\\\ y", "semi;colon&amp|pipe", "%PATH%",	    "ünï"};
	const char *argv[16];
	size_t n = 0;
	argv[n++] = self;
	argv[n++] = "--echo-args";
	for (size_t i = 0; i < sizeof args / sizeof *args; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	ss_buf want = SS_BUF_INIT;
	for (size_t i = 0; i < sizeof args / sizeof *args; i++)
		assert_int_equal(ss_buf_addf(&want, "[%s]\n", args[i]), 0);
	ss_os_run_result r;
	assert_int_equal(ss_os_run(argv, &r), 0);
	assert_int_equal(r.exit_code, 7);
	/* Windows' C runtime writes \r\n in text mode. */
	ss_buf out = SS_BUF_INIT;
	for (size_t i = 0; i < r.out.len; i++)
		if (r.out.data[i] != '\r')
			assert_int_equal(ss_buf_addc(&out, r.out.data[i]), 0);
	assert_string_equal(ss_buf_str(&out), ss_buf_str(&want));
	assert_non_null(strstr(ss_buf_str(&r.err), "to stderr"));
	assert_null(strstr(ss_buf_str(&r.out), "to stderr"));
	ss_os_run_result_release(&r);
	ss_buf_release(&out);
	ss_buf_release(&want);
}

static void test_missing_program(void **state)
{
	(void)state;
	const char *argv[] = {"sshsync-no-such-program-4711", "x", NULL};
	ss_os_run_result r;
	errno = 0;
	assert_int_equal(ss_os_run(argv, &r), -1);
	assert_int_equal(errno, ENOENT);
	ss_os_run_result_release(&r);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--echo-args") == 0)
		return echo_args(argc, argv);
	self = argv[0];
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_arguments),
	    cmocka_unit_test(test_missing_program),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
