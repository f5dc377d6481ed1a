/* The judgement of a scope by its period on the wire: sshd probes an idle
 * connection every 2 x ClientAliveInterval (tests/integration/wire.sh
 * measures it), the other clients every interval. The NAT timeout judges
 * the period, --interval the setting. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/clients.h"
#include "sshsync/engine.h"
#include "sshsync/sshd.h"
#include "testutil.h"

static const ss_period_rule twice = {"ClientAliveInterval", 2, "why"};

static ss_scope *scope(ss_scopes *s, const ss_period_rule *rule, long long interval)
{
	ss_scope *sc = ss_scopes_add(s, rule ? "sshd" : "ssh", "f", "global");
	assert_non_null(sc);
	sc->interval = interval;
	sc->period_rule = rule;
	return sc;
}

static int has_reason(const ss_scope *sc, const char *part)
{
	for (size_t i = 0; i < sc->reasons.n; i++)
		if (strstr(sc->reasons.v[i], part))
			return 1;
	return 0;
}

/* Every interval and NAT timeout up to 300 s: a scope fails the NAT
 * judgement exactly when its period is not shorter than the timeout, and
 * the largest setting named in the reason is the largest that passes. */
static void test_generated_grid(void **state)
{
	(void)state;
	size_t cases = 0, agree = 0;
	for (long nat = 1; nat <= 300; nat++) {
		for (long iv = 1; iv <= 300; iv++) {
			for (int r = 0; r < 2; r++) {
				ss_scopes s = SS_SCOPES_INIT;
				ss_policy p;
				ss_policy_init(&p);
				p.nat_timeout = nat;
				ss_scope *sc = scope(&s, r ? &twice : NULL, iv);
				assert_int_equal(ss_scope_judge(sc, &p), 0);
				long period = r ? 2 * iv : iv;
				long best = ss_scope_largest_passing(sc, nat);
				int ok = ss_scope_period(sc) == period &&
					 ss_scope_failed(sc) == (period >= nat) &&
					 (best == 0 || (r ? 2 : 1) * best < nat) &&
					 (r ? 2 : 1) * (best + 1) >= nat;
				if (ok && r && period >= nat) {
					char *want =
					    best ? ss_asprintf("set %ld or less for a %lds NAT",
							       best, nat)
						 : ss_asprintf("no setting is short enough");
					ok = has_reason(sc, want) &&
					     has_reason(sc, "ClientAliveInterval") &&
					     has_reason(sc, "probes every");
					free(want);
				}
				cases++;
				agree += ok;
				if (!ok)
					print_error("nat %ld interval %ld rule %d\n", nat, iv, r);
				ss_scopes_free(&s);
			}
		}
	}
	print_message("period judgement: %zu/%zu generated cases agree\n", agree, cases);
	assert_int_equal(agree, cases);
}

/* The example of the issue: ClientAliveInterval 60 behind a NAT that
 * drops after 100 s fails, and --interval 60 still means the setting. */
static void test_sshd_60_behind_100(void **state)
{
	(void)state;
	ss_scopes s = SS_SCOPES_INIT;
	ss_policy p;
	ss_policy_init(&p);
	p.nat_timeout = 100;
	p.interval = 60;
	ss_scope *sc = scope(&s, &twice, 60);
	assert_int_equal(ss_scope_judge(sc, &p), 0);
	assert_int_equal(sc->reasons.n, 1);
	assert_string_equal(
	    sc->reasons.v[0],
	    "ClientAliveInterval 60 -> probes every 120s on an idle connection (why): "
	    "not shorter than the NAT timeout 100s; set 49 or less for a 100s NAT");
	ss_scopes_free(&s);
	/* 49 passes, and --interval 60 then says it differs from the setting */
	sc = scope(&s, &twice, 49);
	assert_int_equal(ss_scope_judge(sc, &p), 0);
	assert_int_equal(sc->reasons.n, 1);
	assert_string_equal(sc->reasons.v[0], "interval 49s differs from the required 60s");
	ss_scopes_free(&s);
	/* off and unknown have no period */
	assert_int_equal(ss_scope_period(scope(&s, &twice, 0)), 0);
	assert_int_equal(ss_scope_period(scope(&s, &twice, SS_UNKNOWN)), SS_UNKNOWN);
	/* a period too long for a long long saturates */
	assert_int_equal(ss_scope_period(scope(&s, &twice, LLONG_MAX / 2 + 1)), LLONG_MAX);
	ss_scopes_free(&s);
}

/* The sshd client gives every scope, global and Match, the rule; the ssh
 * client gives none. */
static void test_clients_give_the_rule(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *sshd = tu_path(dir, "sshd_config"), *ssh = tu_path(dir, "config");
	tu_write_str(sshd, "ClientAliveInterval 30\nMatch User bob\n  ClientAliveInterval 70\n");
	tu_write_str(ssh, "Host *\n  ServerAliveInterval 30\n");
	ss_scopes s = SS_SCOPES_INIT;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_client_sshd.audit(sshd, NULL, &s, &d), 0);
	assert_int_equal(ss_client_ssh.audit(ssh, NULL, &s, &d), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(ss_scope_period(&s.v[0]), 60);
	assert_int_equal(ss_scope_period(&s.v[1]), 140);
	assert_string_equal(s.v[1].name, "User bob");
	assert_int_equal(ss_scope_period(&s.v[2]), 30);
	assert_null(s.v[2].period_rule);
	ss_scopes_free(&s);
	ss_diag_clear(&d);
	tu_rmtree(dir);
	free(sshd);
	free(ssh);
	free(dir);
}

/* Reserving room moves nothing afterwards: the scopes added stay where
 * they were put, and a scope list keeps growing past what was reserved. */
static void test_reserve_keeps_scopes_in_place(void **state)
{
	(void)state;
	ss_scopes s = SS_SCOPES_INIT;
	assert_int_equal(ss_scopes_reserve(&s, 100), 0);
	ss_scope *first = ss_scopes_add(&s, "ssh", "f", "a");
	assert_non_null(first);
	for (int i = 1; i < 100; i++)
		assert_non_null(ss_scopes_add(&s, "ssh", "f", "b"));
	assert_ptr_equal(first, &s.v[0]);
	assert_int_equal(ss_scopes_reserve(&s, 0), 0);
	assert_non_null(ss_scopes_add(&s, "ssh", "f", "c"));
	assert_int_equal(s.n, 101);
	assert_string_equal(s.v[0].name, "a");
	assert_string_equal(s.v[100].name, "c");
	assert_int_equal(ss_scopes_reserve(&s, SIZE_MAX), -1);
	ss_scopes_free(&s);
}

/* A sink takes every scope once, in order, and the list is emptied; the
 * strings of the scopes dropped are reused (the arena is reset), those of
 * the scopes taken stay intact until the sink returns. */
typedef struct taken {
	ss_strlist names;
	int stop_at; /* -1: never */
} taken;

static int take(void *ctx, ss_scope *sc, ss_diag *d)
{
	taken *t = ctx;
	if ((int)t->names.n == t->stop_at)
		return ss_diag_set(d, NULL, 0, 0, "stopped");
	assert_string_equal(sc->file, "f");
	return ss_strlist_push(&t->names, sc->name);
}

static void test_settle_hands_on_in_order(void **state)
{
	(void)state;
	taken t = {SS_STRLIST_INIT, -1};
	ss_scope_sink sink = {take, &t, NULL};
	ss_scopes s = SS_SCOPES_INIT;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_scopes_settle(&s, &d), 0); /* no sink: nothing */
	assert_non_null(ss_scopes_add(&s, "ssh", "f", "kept"));
	assert_int_equal(ss_scopes_settle(&s, &d), 0);
	assert_int_equal(s.n, 1);
	s.sink = &sink;
	char name[32];
	for (int round = 0; round < 300; round++) {
		/* names longer than the arena's chunk now and then */
		for (int i = 0; i < 3; i++) {
			snprintf(name, sizeof(name), "n%d", round * 3 + i);
			assert_non_null(ss_scopes_add(&s, "ssh", "f", name));
		}
		if (round % 100 == 7) {
			char *big = calloc(70000, 1);
			assert_non_null(big);
			memset(big, 'x', 69999);
			assert_non_null(ss_scopes_add(&s, "ssh", "f", big));
			free(big);
		}
		assert_int_equal(ss_scopes_settle(&s, &d), 0);
		assert_int_equal(s.n, 0);
	}
	assert_int_equal(t.names.n, 1 + 900 + 3);
	assert_string_equal(t.names.v[0], "kept");
	assert_string_equal(t.names.v[1], "n0");
	assert_string_equal(t.names.v[t.names.n - 1], "n899");
	t.stop_at = (int)t.names.n + 1;
	assert_non_null(ss_scopes_add(&s, "ssh", "f", "a"));
	assert_non_null(ss_scopes_add(&s, "ssh", "f", "b"));
	assert_int_equal(ss_scopes_settle(&s, &d), -1);
	assert_string_equal(d.message, "stopped");
	assert_int_equal(s.n, 0);
	ss_diag_clear(&d);
	ss_scopes_free(&s);
	ss_strlist_release(&t.names);
}

/* A scope's strings live in its list's arena: set_at, the witness and
 * its reasons (formatted, written in place, a constant kept as it is, the
 * judge's) stay intact while the list grows and after it moves to another
 * variable, and scopes added to the moved list get them as well. */
static void add_described(ss_scopes *s, int i)
{
	char name[32], at[32];
	snprintf(name, sizeof(name), "s%d", i);
	snprintf(at, sizeof(at), "f:%d", i);
	ss_scope *sc = ss_scopes_add(s, "ssh", "f", name);
	assert_non_null(sc);
	assert_int_equal(ss_scope_set_at(sc, at), 0);
	assert_int_equal(ss_scope_set_witness(sc, i % 2 ? name : NULL), 0);
	for (int k = 0; k < i % 6; k++) {
		if (k % 3 == 0) {
			assert_int_equal(ss_scope_reason(sc, "reason %d of %s", k, name), 0);
		} else if (k % 3 == 1) {
			char *room = ss_scope_reason_room(sc, 4);
			assert_non_null(room);
			memcpy(room, "room", 4);
		} else {
			assert_int_equal(ss_scope_reason_static(sc, "static"), 0);
		}
	}
	ss_policy p;
	ss_policy_init(&p);
	p.interval = 60;
	sc->interval = i % 3 ? 30 : 0; /* judged: the interval differs, or is off */
	assert_int_equal(ss_scope_judge(sc, &p), 0);
}

static void assert_described(const ss_scope *sc, int i)
{
	char name[32], at[32], why[48];
	snprintf(name, sizeof(name), "s%d", i);
	snprintf(at, sizeof(at), "f:%d", i);
	assert_string_equal(sc->name, name);
	assert_string_equal(sc->set_at, at);
	if (i % 2)
		assert_string_equal(sc->witness, name);
	else
		assert_null(sc->witness);
	assert_int_equal(sc->reasons.n, (size_t)(i % 6) + 1);
	for (int k = 0; k < i % 6; k++) {
		snprintf(why, sizeof(why), "reason %d of %s", k, name);
		assert_string_equal(sc->reasons.v[k], k % 3 == 0   ? why
						      : k % 3 == 1 ? "room"
								   : "static");
	}
	const char *judged = sc->reasons.v[i % 6];
	if (i % 3)
		assert_string_equal(judged, "interval 30s differs from the required 60s");
	else
		assert_non_null(strstr(judged, "keepalives are off"));
}

static void test_strings_live_in_the_list(void **state)
{
	(void)state;
	ss_scopes s = SS_SCOPES_INIT;
	for (int i = 0; i < 3000; i++)
		add_described(&s, i);
	ss_scopes moved = s;
	memset(&s, 0, sizeof(s));
	for (int i = 3000; i < 3100; i++)
		add_described(&moved, i);
	assert_int_equal(moved.n, 3100);
	for (int i = 0; i < 3100; i++)
		assert_described(&moved.v[i], i);
	/* Dropped scopes give their place to new ones. */
	ss_scopes_truncate(&moved, 10);
	add_described(&moved, 10);
	assert_described(&moved.v[10], 10);
	assert_described(&moved.v[9], 9);
	ss_scopes_free(&moved);
	assert_null(moved.arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_generated_grid),
	    cmocka_unit_test(test_sshd_60_behind_100),
	    cmocka_unit_test(test_clients_give_the_rule),
	    cmocka_unit_test(test_reserve_keeps_scopes_in_place),
	    cmocka_unit_test(test_settle_hands_on_in_order),
	    cmocka_unit_test(test_strings_live_in_the_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
