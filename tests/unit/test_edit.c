/* The edit list: rendering, line helpers and unified diffs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/changeset.h"
#include "sshsync/edit.h"
#include "testutil.h"

typedef struct fixture {
	ss_text t;
	ss_edits e;
	ss_buf out;
	ss_diag d;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	*state = f;
	return f ? 0 : -1;
}

static int teardown(void **state)
{
	fixture *f = *state;
	ss_text_free(&f->t);
	ss_edits_free(&f->e);
	ss_buf_release(&f->out);
	ss_diag_clear(&f->d);
	free(f);
	return 0;
}

static void load(fixture *f, const char *s)
{
	assert_int_equal(ss_text_from_bytes(&f->t, "cfg", s, strlen(s), &f->d), 0);
}

static void load_bytes(fixture *f, const char *s, size_t len)
{
	assert_int_equal(ss_text_from_bytes(&f->t, "cfg", s ? s : "", len, &f->d), 0);
}

static const char *render(fixture *f)
{
	ss_buf_reset(&f->out);
	assert_int_equal(ss_edits_render(&f->t, &f->e, &f->out, &f->d), 0);
	return ss_buf_str(&f->out);
}

static const char *diff(fixture *f)
{
	ss_buf_reset(&f->out);
	assert_int_equal(ss_edits_diff(&f->t, &f->e, "cfg", &f->out, &f->d), 0);
	return ss_buf_str(&f->out);
}

static void test_replace_keeps_everything_else(void **state)
{
	fixture *f = *state;
	load(f, "# c\nServerAliveInterval 30 # why\nHost x\n");
	assert_int_equal(ss_edits_replace(&f->e, 24, 26, "60", 2), 0);
	assert_string_equal(render(f), "# c\nServerAliveInterval 60 # why\nHost x\n");
	assert_true(ss_edits_change_anything(&f->t, &f->e));
}

static void test_noop_edit_changes_nothing(void **state)
{
	fixture *f = *state;
	load(f, "a 60\n");
	assert_int_equal(ss_edits_replace(&f->e, 2, 4, "60", 2), 0);
	assert_false(ss_edits_change_anything(&f->t, &f->e));
}

static void test_insert_line_uses_file_style(void **state)
{
	fixture *f = *state;
	load(f, "a\r\nb\r\n");
	assert_int_equal(ss_edits_insert_line(&f->e, &f->t, 1, "new"), 0);
	assert_int_equal(ss_edits_insert_line(&f->e, &f->t, 2, "end"), 0);
	assert_string_equal(render(f), "a\r\nnew\r\nb\r\nend\r\n");
}

static void test_append_ends_unterminated_last_line(void **state)
{
	fixture *f = *state;
	load(f, "a\nb");
	assert_int_equal(ss_edits_insert_line(&f->e, &f->t, 2, "c"), 0);
	assert_int_equal(ss_edits_insert_line(&f->e, &f->t, 2, "d"), 0);
	/* The file still ends without a newline, and no blank line comes between. */
	assert_string_equal(render(f), "a\nb\nc\nd");
	assert_string_equal(diff(f), "--- a/cfg\n+++ b/cfg\n@@ -1,2 +1,4 @@\n a\n-b\n"
				     "\\ No newline at end of file\n+b\n+c\n+d\n"
				     "\\ No newline at end of file\n");
}

/* A value that ends the file changes before lines appended there, whatever
 * the order of the edits (PuTTY's "TCPKeepalives=" as the last line). */
static void test_append_comes_after_a_change_at_the_end(void **state)
{
	fixture *f = *state;
	load(f, "a\nk=");
	assert_int_equal(ss_edits_insert_line(&f->e, &f->t, 2, "x=1"), 0);
	assert_int_equal(ss_edits_append(&f->e, &f->t, "y=2\n", 4), 0);
	assert_int_equal(ss_edits_insert(&f->e, 4, "1", 1), 0);
	assert_string_equal(render(f), "a\nk=1\nx=1\ny=2");
	ss_edits_free(&f->e);
	ss_text_free(&f->t);
	load(f, "a\r\nk=\r\n");
	assert_int_equal(ss_edits_append(&f->e, &f->t, "y=2\r\n", 5), 0);
	assert_int_equal(ss_edits_insert(&f->e, 5, "1", 1), 0);
	assert_string_equal(render(f), "a\r\nk=1\r\ny=2\r\n");
}

static void test_inserts_at_one_place_keep_order(void **state)
{
	fixture *f = *state;
	load(f, "x\n");
	assert_int_equal(ss_edits_insert(&f->e, 0, "1\n", 2), 0);
	assert_int_equal(ss_edits_insert(&f->e, 0, "2\n", 2), 0);
	assert_int_equal(ss_edits_replace(&f->e, 0, 1, "y", 1), 0);
	assert_string_equal(render(f), "1\n2\ny\n");
}

/* Edits render in order of position whatever the order they were planned
 * in: nearly in order (pairs swapped), backwards (past the insertion
 * sort's budget), and with inserts at the place a replacement starts. */
static void test_edits_in_any_order(void **state)
{
	fixture *f = *state;
	enum { N = 400 };
	ss_buf text = SS_BUF_INIT, want = SS_BUF_INIT;
	for (size_t i = 0; i < N; i++) {
		assert_int_equal(ss_buf_adds(&text, "a\n"), 0);
		assert_int_equal(ss_buf_addf(&want, "<%zu>%c\n", i, (char)('A' + i % 26)), 0);
	}
	load(f, ss_buf_str(&text));
	for (int backwards = 0; backwards < 2; backwards++) {
		ss_edits_free(&f->e);
		for (size_t k = 0; k < N; k++) {
			/* Nearly in order: 1, 0, 3, 2, ...; or N-1 down to 0. */
			size_t i = backwards ? N - 1 - k : k ^ 1;
			char rep = (char)('A' + i % 26), mark[16];
			assert_int_equal(ss_edits_replace(&f->e, 2 * i, 2 * i + 1, &rep, 1), 0);
			int n = snprintf(mark, sizeof(mark), "<%zu>", i);
			assert_int_equal(ss_edits_insert(&f->e, 2 * i, mark, (size_t)n), 0);
		}
		assert_string_equal(render(f), ss_buf_str(&want));
	}
	ss_buf_release(&text);
	ss_buf_release(&want);
}

/* Edits planned apart and taken into the list render as if added to it
 * in that order: inserts at one place stay after the list's own (a text
 * longer than a block of texts too), the texts of both stay valid while
 * the list takes more edits, and the emptied list can be taken again. */
static void test_take_edits_planned_apart(void **state)
{
	fixture *f = *state;
	load(f, "a\nb\n");
	ss_edits apart = SS_EDITS_INIT, none = SS_EDITS_INIT;
	ss_buf big = SS_BUF_INIT;
	for (int i = 0; i < 5000; i++)
		assert_int_equal(ss_buf_adds(&big, "0123456789"), 0);
	assert_int_equal(ss_edits_insert(&f->e, 2, "1\n", 2), 0);
	assert_int_equal(ss_edits_insert(&apart, 2, "2\n", 2), 0);
	assert_int_equal(ss_edits_replace(&apart, 0, 1, big.data, big.len), 0);
	assert_int_equal(ss_edits_replace(&apart, 2, 3, "B", 1), 0);
	assert_int_equal(ss_edits_take(&f->e, &apart), 0);
	assert_int_equal(apart.n, 0);
	assert_null(apart.blocks);
	assert_int_equal(ss_edits_take(&f->e, &apart), 0);
	assert_int_equal(ss_edits_take(&none, &f->e), 0);
	assert_int_equal(ss_edits_take(&f->e, &none), 0);
	assert_int_equal(f->e.n, 4);
	assert_int_equal(ss_edits_insert(&f->e, 2, "3\n", 2), 0);
	assert_int_equal(ss_buf_adds(&big, "\n1\n2\n3\nB\n"), 0);
	assert_string_equal(render(f), ss_buf_str(&big));
	ss_edits_free(&apart);
	ss_edits_free(&none);
	ss_buf_release(&big);
}

/* `own` edits of the list and `apart` taken from another, then `more`
 * added: every edit renders in its place, and an insert of each list at
 * the start keeps the order of addition (own, apart, more). */
static void take_sizes(fixture *f, size_t own, size_t apart_n, size_t more)
{
	size_t len = 2 * (own + apart_n + more) + 1;
	char *text = malloc(len + 1), *want = malloc(len + 4);
	assert_non_null(text);
	assert_non_null(want);
	memset(text, 'a', len);
	text[len] = '\0';
	memcpy(want, "123", 3);
	memcpy(want + 3, text, len + 1);
	ss_edits_free(&f->e);
	ss_text_free(&f->t);
	load(f, text);
	ss_edits apart = SS_EDITS_INIT;
	assert_int_equal(ss_edits_insert(&f->e, 0, "1", 1), 0);
	assert_int_equal(ss_edits_insert(&apart, 0, "2", 1), 0);
	for (size_t i = 0; i < own + apart_n + more; i++) {
		char c = (char)('b' + i % 20);
		ss_edits *e = i >= own && i < own + apart_n ? &apart : &f->e;
		if (i == own + apart_n) {
			assert_int_equal(ss_edits_take(&f->e, &apart), 0);
			assert_int_equal(f->e.n, own + apart_n + 2);
			assert_int_equal(apart.n, 0);
			assert_int_equal(ss_edits_insert(&f->e, 0, "3", 1), 0);
		}
		assert_int_equal(ss_edits_replace(e, 2 * i + 1, 2 * i + 2, &c, 1), 0);
		want[3 + 2 * i + 1] = c;
	}
	if (more == 0) {
		assert_int_equal(ss_edits_take(&f->e, &apart), 0);
		assert_int_equal(ss_edits_insert(&f->e, 0, "3", 1), 0);
	}
	assert_int_equal(f->e.n, own + apart_n + more + 3);
	assert_string_equal(render(f), want);
	ss_edits_free(&apart);
	free(text);
	free(want);
}

/* Lists that fill several segments of edits (and lists in one small
 * segment), taken at every kind of boundary: the list's last segment
 * full, part full or small, the taken one full or not. */
static void test_take_long_lists(void **state)
{
	fixture *f = *state;
	const size_t seg = SS_EDITS_SEG;
	const size_t sizes[][3] = {
	    {5000, 40000, 0},	       {0, 3 * seg, 10},    {seg - 1, 2 * seg, 5},
	    {2 * seg - 1, seg - 1, 0}, {3, 5, 3 * seg},	    {seg - 2, 7, seg},
	    {7, seg - 1, 1},	       {4 * seg - 1, 1, 0}, {0, 0, 3}};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		take_sizes(f, sizes[i][0], sizes[i][1], sizes[i][2]);
}

static void test_overlap_is_an_error(void **state)
{
	fixture *f = *state;
	load(f, "abcdef\n");
	assert_int_equal(ss_edits_replace(&f->e, 1, 4, "x", 1), 0);
	assert_int_equal(ss_edits_replace(&f->e, 3, 5, "y", 1), 0);
	assert_int_equal(ss_edits_render(&f->t, &f->e, &f->out, &f->d), -1);
	assert_non_null(strstr(f->d.message, "overlapping"));
}

static void test_delete_line(void **state)
{
	fixture *f = *state;
	load(f, "a\nb\r\nc");
	assert_int_equal(ss_edits_delete_line(&f->e, &f->t, 1), 0);
	assert_int_equal(ss_edits_delete_line(&f->e, &f->t, 2), 0);
	assert_string_equal(render(f), "a\n");
	assert_int_equal(ss_edits_delete_line(&f->e, &f->t, 3), -1);
}

static void test_diff_hunks_and_context(void **state)
{
	fixture *f = *state;
	load(f, "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n");
	/* line 2 changed, a line inserted before 15: two hunks, far apart */
	assert_int_equal(ss_edits_replace(&f->e, 2, 3, "two", 3), 0);
	assert_int_equal(ss_edits_insert_line(&f->e, &f->t, 14, "new"), 0);
	assert_string_equal(diff(f), "--- a/cfg\n+++ b/cfg\n"
				     "@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n"
				     "@@ -12,5 +12,6 @@\n 12\n 13\n 14\n+new\n 15\n 16\n");
}

static void test_diff_merges_near_changes(void **state)
{
	fixture *f = *state;
	load(f, "a\nb\nc\nd\ne\n");
	assert_int_equal(ss_edits_delete_line(&f->e, &f->t, 0), 0);
	assert_int_equal(ss_edits_replace(&f->e, 8, 9, "E", 1), 0);
	assert_string_equal(diff(f), "--- a/cfg\n+++ b/cfg\n"
				     "@@ -1,5 +1,4 @@\n-a\n b\n c\n d\n-e\n+E\n");
}

static void test_diff_groups_adjacent_lines(void **state)
{
	fixture *f = *state;
	load(f, "a\nb\nc\n");
	assert_int_equal(ss_edits_replace(&f->e, 0, 1, "A", 1), 0);
	assert_int_equal(ss_edits_replace(&f->e, 2, 3, "B", 1), 0);
	assert_int_equal(ss_edits_insert_line(&f->e, &f->t, 2, "new"), 0);
	assert_string_equal(diff(f), "--- a/cfg\n+++ b/cfg\n"
				     "@@ -1,3 +1,4 @@\n-a\n-b\n+A\n+B\n+new\n c\n");
}

static void test_diff_empty_without_edits(void **state)
{
	fixture *f = *state;
	load(f, "a\n");
	assert_string_equal(diff(f), "");
}

static void test_diff_into_empty_file(void **state)
{
	fixture *f = *state;
	load(f, "");
	assert_int_equal(ss_edits_insert_line(&f->e, &f->t, 0, "x"), 0);
	assert_string_equal(diff(f), "--- a/cfg\n+++ b/cfg\n@@ -0,0 +1,1 @@\n+x\n");
}

/* A sink that keeps what it gets; with `fail_at` > 0, its put number
 * fail_at fails. */
typedef struct keeper {
	ss_buf got;
	int puts, fail_at;
} keeper;

static int keep(void *ctx, const void *data, size_t len, ss_diag *d)
{
	keeper *k = ctx;
	if (++k->puts == k->fail_at)
		return ss_diag_set(d, "x", 3, 0, "put %d failed", k->puts);
	return ss_buf_add(&k->got, data, len) < 0 ? ss_diag_oom(d) : 0;
}

/* A diff handed out as it grows: in more than one piece, each of whole
 * lines, together (with what is left) the same bytes as the whole diff;
 * a failed put stops it. */
static void test_diff_flushed_in_whole_lines(void **state)
{
	fixture *f = *state;
	ss_buf text = SS_BUF_INIT;
	for (int i = 0; i < 40000; i++)
		assert_int_equal(ss_buf_addf(&text, "Line%05d=%d\n", i, i), 0);
	assert_int_equal(ss_text_from_bytes(&f->t, "cfg", text.data, text.len, &f->d), 0);
	/* A change every 10 lines: a hunk each, far more than a chunk. */
	for (size_t i = 0; i < 40000; i += 10)
		assert_int_equal(ss_edits_insert_line(&f->e, &f->t, i, "Added=1"), 0);
	const char *whole = diff(f);
	size_t whole_len = f->out.len;
	assert_true(whole_len > 4 * SS_CHUNK_SIZE);
	keeper k = {SS_BUF_INIT, 0, 0};
	ss_sink to = {keep, &k};
	ss_buf rest = SS_BUF_INIT;
	assert_int_equal(ss_edits_diff_to(&f->t, &f->e, "cfg", &rest, &to, &f->d), 0);
	assert_true(k.puts >= 4);
	assert_true(rest.len < SS_CHUNK_SIZE);
	assert_true(k.got.len && k.got.data[k.got.len - 1] == '\n');
	assert_int_equal(ss_buf_add(&k.got, rest.data ? rest.data : "", rest.len), 0);
	assert_int_equal(k.got.len, whole_len);
	assert_memory_equal(k.got.data, whole, whole_len);
	ss_buf_release(&k.got);
	ss_buf_release(&rest);
	keeper bad = {SS_BUF_INIT, 0, 2};
	ss_sink failing = {keep, &bad};
	assert_int_equal(ss_edits_diff_to(&f->t, &f->e, "cfg", &rest, &failing, &f->d), -1);
	assert_string_equal(f->d.message, "put 2 failed");
	assert_int_equal(bad.puts, 2);
	ss_buf_release(&bad.got);
	ss_buf_release(&rest);
	ss_buf_release(&text);
}

/* ss_edits_diff_plain says "strict UTF-8 without a NUL" only of diffs
 * that are: texts and replacements of ASCII, two- and three-byte
 * characters, a byte that is no UTF-8 and NULs, edits starting and ending
 * anywhere (inside a character too), 400 generated cases; and it says it
 * of most of those whose pieces are all plain. */
static void test_diff_plain_only_when_it_is(void **state)
{
	fixture *f = *state;
	static const char *const pieces[] = {"a",  "Key=1\n", "caf\xC3\xA9", "\xE6\x97\xA5",
					     "\n", "\xFF",    "x\0y"};
	static const size_t piece_len[] = {1, 6, 5, 3, 1, 1, 3};
	unsigned seed = 400;
	size_t said = 0, clean = 0;
	for (int round = 0; round < 400; round++) {
		ss_buf text = SS_BUF_INIT;
		/* Mostly plain pieces, so that plain cases are many. */
		unsigned bad = tu_pick(&seed, 4) == 0;
		for (unsigned k = 0, n = 1 + tu_pick(&seed, 12); k < n; k++) {
			unsigned i = tu_pick(&seed, bad ? 7 : 5);
			assert_int_equal(ss_buf_add(&text, pieces[i], piece_len[i]), 0);
		}
		ss_text_free(&f->t);
		ss_edits_free(&f->e);
		f->e = (ss_edits)SS_EDITS_INIT;
		load_bytes(f, text.data, text.len);
		/* Edits at increasing offsets, some inside a character. */
		size_t at = 0;
		while (at <= text.len && tu_pick(&seed, 4)) {
			size_t start = at + tu_pick(&seed, 4), end = start + tu_pick(&seed, 3);
			if (end > text.len)
				break;
			unsigned i = tu_pick(&seed, tu_pick(&seed, 5) ? 5 : 7);
			assert_int_equal(
			    ss_edits_replace(&f->e, start, end, pieces[i], piece_len[i]), 0);
			at = end + 1;
		}
		const char *label = tu_pick(&seed, 9) ? "cfg" : "c\xFFg";
		int plain = ss_edits_diff_plain(&f->t, &f->e, label);
		ss_buf_reset(&f->out);
		assert_int_equal(ss_edits_diff(&f->t, &f->e, label, &f->out, &f->d), 0);
		int is = !memchr(ss_buf_str(&f->out), '\0', f->out.len) &&
			 ss_utf8_valid(ss_buf_str(&f->out), f->out.len);
		if (plain && !is)
			fail_msg("round %d: said plain, but the diff is not", round);
		said += (size_t)plain;
		clean += (size_t)is;
		ss_buf_release(&text);
	}
	/* Not a check that cannot fail: most clean diffs are told so. */
	assert_true(said * 4 >= clean * 3);
	assert_true(said > 100);
}

/* What a changeset's on_read hook was told, in order. */
typedef struct told {
	const ss_text *text[4];
	size_t n;
} told;

static void tell(void *ctx, const ss_text *t)
{
	told *w = ctx;
	assert_true(w->n < 4);
	w->text[w->n++] = t;
}

/* Each text added is told once, as it is added (the text the change
 * holds, already read); a changeset without a hook adds as before. */
static void test_changeset_tells_each_text_read(void **state)
{
	(void)state;
	ss_diag d = SS_DIAG_INIT;
	told w = {{NULL}, 0};
	ss_changeset cs = SS_CHANGESET_INIT, plain = SS_CHANGESET_INIT;
	cs.on_read = tell;
	cs.on_read_ctx = &w;
	for (int i = 0; i < 3; i++) {
		ss_text *t = calloc(1, sizeof(*t));
		assert_non_null(t);
		assert_int_equal(ss_text_from_bytes(t, i ? "b" : "a", "x=1\n", 4, &d), 0);
		ss_change *c = ss_changeset_add(i < 2 ? &cs : &plain, t);
		assert_non_null(c);
		assert_ptr_equal(c->text, t);
		assert_int_equal(w.n, i < 2 ? (size_t)i + 1 : 2);
	}
	assert_ptr_equal(w.text[0], cs.v[0].text);
	assert_ptr_equal(w.text[1], cs.v[1].text);
	assert_string_equal(w.text[0]->data, "x=1\n");
	ss_changeset_free(&cs);
	ss_changeset_free(&plain);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_replace_keeps_everything_else),
	    T(test_noop_edit_changes_nothing),
	    T(test_insert_line_uses_file_style),
	    T(test_append_ends_unterminated_last_line),
	    T(test_append_comes_after_a_change_at_the_end),
	    T(test_inserts_at_one_place_keep_order),
	    T(test_edits_in_any_order),
	    T(test_take_edits_planned_apart),
	    T(test_take_long_lists),
	    T(test_overlap_is_an_error),
	    T(test_delete_line),
	    T(test_diff_hunks_and_context),
	    T(test_diff_merges_near_changes),
	    T(test_diff_groups_adjacent_lines),
	    T(test_diff_empty_without_edits),
	    T(test_diff_into_empty_file),
	    T(test_diff_flushed_in_whole_lines),
	    T(test_diff_plain_only_when_it_is),
	    T(test_changeset_tells_each_text_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
