/* The neutral session model: defaults, setters, equality, formatting,
 * losses. */
#include <stdlib.h>
#include <string.h>

#include "sshsync/session.h"
#include "testutil.h"

static void test_defaults(void **state)
{
	(void)state;
	ss_sessions l = SS_SESSIONS_INIT;
	ss_session *s = ss_sessions_add(&l, "web", "cfg");
	assert_non_null(s);
	assert_string_equal(s->f[SS_F_HOST].str, "web");
	assert_int_equal(s->f[SS_F_PORT].num, 22);
	assert_null(s->f[SS_F_USER].str);
	assert_int_equal(s->f[SS_F_TCP_KEEPALIVE].num, 1);
	assert_int_equal(s->f[SS_F_KEEPALIVE_COUNT].num, 3);
	assert_int_equal(s->f[SS_F_AGENT].num, 1);
	assert_int_equal(s->f[SS_F_PORT].origin, SS_ORIGIN_DEFAULT);
	ss_sessions_free(&l);
}

static void test_values(void **state)
{
	(void)state;
	ss_sessions l = SS_SESSIONS_INIT;
	ss_session *a = ss_sessions_add(&l, "a b", NULL);
	ss_session *b = ss_sessions_add(&l, "c", NULL);
	assert_non_null(a);
	assert_non_null(b);
	a = &l.v[0]; /* the second add may move the first */
	assert_int_equal(ss_session_set_num(a, SS_F_PORT, 2222, SS_ORIGIN_EXPLICIT, "cfg:3"), 0);
	assert_int_equal(a->f[SS_F_PORT].origin, SS_ORIGIN_EXPLICIT);
	assert_string_equal(a->f[SS_F_PORT].where, "cfg:3");
	assert_false(ss_sval_equal(SS_F_PORT, &a->f[SS_F_PORT], &b->f[SS_F_PORT]));
	ss_forward fw = {'L', SS_AF_INET, "127.0.0.1", "8080", "::1", "80"};
	assert_int_equal(ss_session_add_forward(a, &fw), 0);
	ss_forward d = {'D', SS_AF_ANY, NULL, "1080", NULL, NULL};
	assert_int_equal(ss_session_add_forward(a, &d), 0);
	ss_buf out = SS_BUF_INIT;
	assert_int_equal(ss_sval_format(SS_F_FORWARDS, &a->f[SS_F_FORWARDS], &out), 0);
	assert_string_equal(ss_buf_str(&out), "L4 127.0.0.1:8080 ::1:80; D 1080");
	ss_buf_reset(&out);
	ss_hop h1 = {"u", "jump", 2200, NULL}, h2 = {NULL, "j2", 0, "j2"};
	assert_int_equal(ss_session_add_hop(a, &h1), 0);
	assert_int_equal(ss_session_add_hop(a, &h2), 0);
	assert_int_equal(ss_sval_format(SS_F_JUMP, &a->f[SS_F_JUMP], &out), 0);
	assert_string_equal(ss_buf_str(&out), "u@jump:2200,j2");
	ss_buf_reset(&out);
	assert_int_equal(ss_sval_format(SS_F_USER, &a->f[SS_F_USER], &out), 0);
	assert_string_equal(ss_buf_str(&out), "(local user)");
	assert_int_equal(ss_session_list_add(a, SS_F_ENV, "A=1"), 0);
	assert_int_equal(ss_session_list_add(b, SS_F_ENV, "A=1"), 0);
	assert_true(ss_sval_equal(SS_F_ENV, &a->f[SS_F_ENV], &b->f[SS_F_ENV]));
	assert_int_equal(ss_session_list_add(b, SS_F_ENV, "B=2"), 0);
	assert_false(ss_sval_equal(SS_F_ENV, &a->f[SS_F_ENV], &b->f[SS_F_ENV]));
	assert_int_equal(ss_session_loss(a, "keepalive_count", 0, "no form in %s", "PuTTY"), 0);
	assert_int_equal(ss_session_loss(a, "keepalive_count", 0, "no form in %s", "PuTTY"), 0);
	assert_int_equal(a->nloss, 1);
	assert_string_equal(a->loss[0].reason, "no form in PuTTY");
	assert_ptr_equal(ss_sessions_find(&l, "c"), b);
	assert_null(ss_sessions_find(&l, "x"));
	for (int f = 0; f < SS_F_COUNT; f++) {
		assert_non_null(ss_sfield_name((ss_sfield)f));
		assert_non_null(ss_sfield_openssh((ss_sfield)f));
	}
	ss_buf_release(&out);
	ss_sessions_free(&l);
}

static void round_trip(const char *name, const char *token)
{
	ss_buf t = SS_BUF_INIT, back = SS_BUF_INIT;
	assert_true(ss_session_host_token(name, &t) >= 0);
	assert_string_equal(ss_buf_str(&t), token);
	assert_true(ss_session_name_from_token(ss_buf_str(&t), &back) >= 0);
	assert_string_equal(ss_buf_str(&back), name);
	ss_buf_release(&t);
	ss_buf_release(&back);
}

static void test_names(void **state)
{
	(void)state;
	round_trip("web", "web");
	round_trip("web 1", "web%201");
	round_trip("root@db:22", "root%40db%3A22");
	round_trip("a*b?c!d,e", "a%2Ab%3Fc%21d%2Ce");
	round_trip("-x", "%2Dx");
	round_trip("x-y", "x-y");
	round_trip("50%off", "50%off");
	round_trip("folder/site", "folder/site");
	round_trip("caf\xc3\xa9", "caf\xc3\xa9");
	/* A name holding a literal %XX of the set cannot come back. */
	assert_false(ss_session_name_reversible("a%20b"));
	assert_true(ss_session_name_reversible("a%41b"));
	assert_true(ss_session_name_reversible("web 1"));
	/* An OpenSSH alias that is a valid token stays itself. */
	ss_buf b = SS_BUF_INIT;
	assert_int_equal(ss_session_name_from_token("web%41", &b), 0);
	assert_string_equal(ss_buf_str(&b), "web%41");
	ss_buf_release(&b);
}

/* Extra settings packed in one buffer; where they came from only when given. */
static void test_extras(void **state)
{
	(void)state;
	ss_sessions l = SS_SESSIONS_INIT;
	assert_int_equal(ss_sessions_reserve(&l, 3), 0);
	assert_int_equal(l.cap, 3); /* exactly, not doubled */
	ss_session *first = ss_sessions_add(&l, "a", NULL);
	assert_non_null(ss_sessions_add(&l, "b", NULL));
	assert_ptr_equal(&l.v[0], first); /* the room was there: nothing moved */
	ss_session *s = &l.v[1];
	s->kind = "ssh";
	assert_null(ss_session_extra_next(s, NULL));
	assert_int_equal(ss_session_extra_add(s, "ControlMaster auto", "cfg:2"), 0);
	assert_int_equal(ss_session_extra_add(s, "ControlPath none", "cfg:3"), 0);
	assert_int_equal(s->nextra, 2);
	assert_string_equal(ss_session_extra_next(s, ss_session_extra_next(s, NULL)),
			    "ControlPath none");
	assert_int_equal(ss_session_extras_lost(s, "PuTTY"), 0);
	assert_int_equal(s->nloss, 2);
	assert_string_equal(s->loss[1].reason,
			    "cfg:3: ControlPath none has no PuTTY form; not carried");
	s = &l.v[0];
	s->kind = "putty";
	assert_int_equal(ss_session_extra_add(s, "=x", NULL), 0);
	assert_int_equal(ss_session_extra_add(s, "Bell=dword:1", NULL), 0);
	assert_int_equal(s->extra_where.n, 0);
	assert_int_equal(ss_session_extras_lost(s, "WinSCP"), 0);
	assert_non_null(strstr(s->loss[0].reason, "(terminal, window, logging...): , Bell"));
	ss_sessions_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_extras),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
