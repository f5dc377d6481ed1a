/* ss_os_thread_start on Linux: a new thread starts on another processor
 * than its creator's, then runs where its creator may (os_sys_posix.c). */
#define _GNU_SOURCE
#include <sched.h>
#include <string.h>

#include "sshsync/os_sys.h"
#include "testutil.h"

/* What a thread saw as it began: its processor and where it may run. */
typedef struct seen {
	int cpu;
	cpu_set_t cpus;
	int got;
} seen;

static void look(void *arg)
{
	seen *s = arg;
	s->cpu = sched_getcpu();
	s->got = sched_getaffinity(0, sizeof(s->cpus), &s->cpus) == 0;
}

static seen run_one(void)
{
	seen s;
	memset(&s, 0, sizeof(s));
	ss_os_thread *t = NULL;
	assert_int_equal(ss_os_thread_start(&t, look, &s), 0);
	ss_os_thread_join(t);
	assert_true(s.got);
	return s;
}

static cpu_set_t mine(void)
{
	cpu_set_t cpus;
	assert_int_equal(sched_getaffinity(0, sizeof(cpus), &cpus), 0);
	return cpus;
}

/* The thread may run wherever its creator may, however it was started. */
static void test_thread_keeps_the_callers_processors(void **state)
{
	(void)state;
	cpu_set_t cpus = mine();
	for (int i = 0; i < 10; i++) {
		seen s = run_one();
		assert_true(CPU_EQUAL(&s.cpus, &cpus));
		assert_true(CPU_ISSET(s.cpu, &cpus));
	}
}

/* A creator bound to one processor: the thread runs there too. */
static void test_thread_of_a_bound_caller(void **state)
{
	(void)state;
	cpu_set_t cpus = mine(), one;
	int here = sched_getcpu();
	assert_true(here >= 0);
	CPU_ZERO(&one);
	CPU_SET(here, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	seen s = run_one();
	assert_int_equal(sched_setaffinity(0, sizeof(cpus), &cpus), 0);
	assert_true(CPU_EQUAL(&s.cpus, &one));
	assert_int_equal(s.cpu, here);
}

/* With two processors or more, a thread begins on another one than the
 * creator's (Linux alone would put it on the creator's, and move it at a
 * later tick). The creator may move meanwhile, so most, not all. */
static void test_thread_starts_elsewhere(void **state)
{
	(void)state;
	cpu_set_t cpus = mine();
	if (CPU_COUNT(&cpus) < 2)
		skip();
	int elsewhere = 0;
	enum { RUNS = 20 };
	for (int i = 0; i < RUNS; i++) {
		int here = sched_getcpu();
		seen s = run_one();
		elsewhere += s.cpu != here;
	}
	assert_true(elsewhere >= RUNS * 3 / 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_thread_keeps_the_callers_processors),
	    cmocka_unit_test(test_thread_of_a_bound_caller),
	    cmocka_unit_test(test_thread_starts_elsewhere),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
