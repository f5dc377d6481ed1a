/* probe: the recommended interval, the failure names and the JSON and text
 * reports (the measurement itself: tests/integration/probe_fake.sh and
 * tests/net/probe.sh). */
#include <stdlib.h>
#include <string.h>

#include "sshsync/probe.h"
#include "sshsync/report.h"
#include "testutil.h"

static void test_recommend_halves_and_rounds_down(void **state)
{
	(void)state;
	static const struct {
		int64_t survived, failed, want;
	} cases[] = {
	    {0, 1, 1},		{0, 2, 1},	 {2, 3, 1},	     {4, 5, 2},
	    {10, 13, 5},	{15, 18, 5},	 {20, 25, 10},	     {40, 50, 20},
	    {60, 90, 30},	{119, 130, 45},	 {240, 300, 120},    {300, 330, 120},
	    {479, 480, 180},	{600, 700, 300}, {3840, 7440, 1800}, {7440, -1, 3600},
	    {100000, -1, 3600}, {0, 400, 90},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t got = ss_probe_recommend(cases[i].survived, cases[i].failed);
		if (got != cases[i].want)
			fail_msg("survived %lld, failed %lld: %lld, want %lld",
				 (long long)cases[i].survived, (long long)cases[i].failed,
				 (long long)got, (long long)cases[i].want);
	}
}

/* Generated: always at least 1, never more than half of what survived (when
 * something did), and the largest round number that is. */
static void test_recommend_generated(void **state)
{
	(void)state;
	static const int64_t round[] = {1,   2,	  3,   5,   10,	 15,  20,   30,	  45,	60,  90,
					120, 180, 240, 300, 600, 900, 1200, 1800, 2700, 3600};
	for (int64_t s = 2; s <= 10000; s += 7) {
		int64_t r = ss_probe_recommend(s, s + 1);
		assert_true(r >= 1 && r <= s / 2);
		for (size_t i = 0; i < sizeof(round) / sizeof(round[0]); i++)
			assert_false(round[i] > r && round[i] <= s / 2);
	}
}

static void test_failure_names(void **state)
{
	(void)state;
	assert_string_equal(ss_probe_failure_name(SS_PROBE_DROP), "drop");
	assert_string_equal(ss_probe_failure_name(SS_PROBE_RESET), "reset");
	assert_string_equal(ss_probe_failure_name(SS_PROBE_LATE), "late");
	assert_string_equal(ss_probe_failure_name(SS_PROBE_NONE), "none");
}

static void test_json_fields(void **state)
{
	(void)state;
	ss_probe_result r = SS_PROBE_RESULT_INIT;
	r.survived_s = 240;
	r.failed_s = 300;
	r.estimate_s = 270;
	r.failure = SS_PROBE_RESET;
	r.recommended = 120;
	r.elapsed_ms = 1499;
	ss_buf out = SS_BUF_INIT;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_report_probe_json(&r, "me@db\x01", &out, &d), 0);
	assert_string_equal(ss_buf_str(&out), "{\n"
					      "  \"host\": \"me@db\\u0001\",\n"
					      "  \"survived_s\": 240,\n"
					      "  \"failed_s\": 300,\n"
					      "  \"estimate_s\": 270,\n"
					      "  \"failure\": \"reset\",\n"
					      "  \"server_keepalive_s\": null,\n"
					      "  \"recommended_interval\": 120,\n"
					      "  \"elapsed_s\": 1\n"
					      "}\n");
	ss_buf_release(&out);
	ss_probe_result_free(&r);
}

static void test_text_no_drop(void **state)
{
	(void)state;
	ss_probe_result r = SS_PROBE_RESULT_INIT;
	r.survived_s = 7440;
	r.server_keepalive_s = 30;
	r.recommended = 3600;
	r.jump = strdup("ProxyJump bastion");
	assert_non_null(r.jump);
	ss_buf out = SS_BUF_INIT;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_report_probe_text(&r, "db", 7440, &out, &d), 0);
	const char *s = ss_buf_str(&out);
	assert_non_null(strstr(s, "no drop up to 7440 s"));
	assert_non_null(strstr(s, "through ProxyJump bastion"));
	assert_non_null(strstr(s, "every 30 s (a lower bound)"));
	assert_non_null(strstr(s, "sshsync apply --interval 3600"));
	ss_buf_release(&out);
	ss_probe_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_recommend_halves_and_rounds_down),
	    cmocka_unit_test(test_recommend_generated),
	    cmocka_unit_test(test_failure_names),
	    cmocka_unit_test(test_json_fields),
	    cmocka_unit_test(test_text_no_drop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
