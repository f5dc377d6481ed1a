/* End to end without the command line: every client that can export turns
 * the corpus files into a registry plan, ss_gpp_render writes it as a
 * Registry.xml, and the gpp client reads back what it deploys: every
 * session of the source, each with the exported interval. */
#include <stdlib.h>
#include <string.h>

#include "sshsync/clients.h"
#include "sshsync/gpp.h"
#include "testutil.h"

typedef struct corpus_case {
	const char *kind;
	const char *sub;
	long interval;
} corpus_case;

static const corpus_case cases[] = {
    {"winscp", "winscp", 60},
    {"putty", "putty", 45},
    {"kitty", "putty", 125},
};

static size_t export_one(const ss_client *c, const char *from, long interval, const char *dir)
{
	ss_diag d = SS_DIAG_INIT;
	ss_policy p;
	ss_policy_init(&p);
	p.interval = interval;
	ss_strlist none = SS_STRLIST_INIT;
	ss_regplan plan = SS_REGPLAN_INIT;
	if (c->export_plan(from, &none, &p, &plan, &d) < 0) {
		/* A source this client cannot read (another client's .reg) is
		 * not this test's business. */
		ss_diag_clear(&d);
		return 0;
	}
	ss_buf xml = SS_BUF_INIT;
	assert_int_equal(ss_gpp_render(&plan, &xml, &d), 0);
	char *path = tu_path(dir, "Registry.xml");
	tu_write(path, xml.data, xml.len);

	/* What the source itself has: one scope per session or site. */
	ss_scopes src = SS_SCOPES_INIT, gpp = SS_SCOPES_INIT;
	ss_query q = {&none, &none};
	assert_int_equal(c->audit(from, &q, &src, &d), 0);
	assert_int_equal(ss_client_gpp.audit(path, &q, &gpp, &d), 0);
	/* Every session of the source; Default Settings as well where the
	 * client adds it when the source has none (DESIGN.md asks for it). */
	int has_default = 0, gpp_default = 0;
	for (size_t j = 0; j < src.n; j++)
		has_default |= strcmp(src.v[j].name, "Default Settings") == 0;
	for (size_t j = 0; j < gpp.n; j++)
		gpp_default |= strcmp(strchr(gpp.v[j].name, ':') + 1, "Default Settings") == 0;
	assert_int_equal(gpp.n, src.n + (gpp_default && !has_default));
	ss_policy judge;
	ss_policy_init(&judge);
	judge.interval = interval;
	for (size_t i = 0; i < gpp.n; i++) {
		const ss_scope *g = &gpp.v[i];
		assert_int_equal(g->interval, interval);
		assert_int_equal(ss_scope_judge(&gpp.v[i], &judge), 0);
		if (ss_scope_failed(g))
			fail_msg("%s: %s: %s", from, g->name, g->reasons.v[0]);
		assert_non_null(g->set_at);
		/* "kind:name", and a session of that name in the source. */
		size_t klen = strlen(c->kind);
		assert_memory_equal(g->name, c->kind, klen);
		assert_int_equal(g->name[klen], ':');
		int found = strcmp(g->name + klen + 1, "Default Settings") == 0;
		for (size_t j = 0; j < src.n && !found; j++)
			found = strcmp(src.v[j].name, g->name + klen + 1) == 0 ||
				strchr(src.v[j].name, '%') != NULL;
		if (!found)
			fail_msg("%s: %s is not a session of the source", from, g->name);
	}
	size_t n = gpp.n;
	ss_scopes_free(&src);
	ss_scopes_free(&gpp);
	ss_buf_release(&xml);
	ss_regplan_free(&plan);
	free(path);
	return n;
}

static void test_corpus_exports_read_back(void **state)
{
	(void)state;
	size_t exported = 0, kinds = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const ss_client *c = ss_client_find(cases[i].kind);
		if (!c || !c->export_plan)
			continue; /* not in this build yet */
		kinds++;
		char *sub = tu_corpus_dir(cases[i].sub);
		if (!sub)
			fail_msg("no corpus: ctest sets SSHSYNC_CORPUS");
		ss_strlist files = tu_list_dir(sub);
		for (size_t j = 0; j < files.n; j++) {
			char *from = tu_path(sub, files.v[j]);
			char *dir = tu_tempdir();
			exported += export_one(c, from, cases[i].interval, dir);
			tu_rmtree(dir);
			free(dir);
			free(from);
		}
		ss_strlist_release(&files);
		free(sub);
	}
	print_message("%zu sessions of %zu kinds exported and read back\n", exported, kinds);
	/* At least the WinSCP client is there, and its corpus has sites. */
	assert_true(kinds > 0);
	assert_true(exported > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_corpus_exports_read_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
