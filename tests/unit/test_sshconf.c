/* The OpenSSH lexer: tokens, spans and errors as OpenSSH 9.2p1 splits lines
 * (every expectation here was checked against `ssh -G -F`). */
#include <stdlib.h>
#include <string.h>

#include "sshsync/edit.h"
#include "sshsync/sshconf.h"
#include "testutil.h"

typedef struct lexed {
	ss_text t;
	ss_sshconf c;
	ss_diag d;
	int rc;
} lexed;

static lexed *lex_mode(const char *s, size_t len, ss_sshconf_mode mode)
{
	lexed *l = calloc(1, sizeof(*l));
	assert_non_null(l);
	assert_int_equal(ss_text_from_bytes(&l->t, "cfg", s, len, &l->d), 0);
	l->rc = ss_sshconf_parse(&l->c, &l->t, mode, &l->d);
	return l;
}

static lexed *lex(const char *s)
{
	return lex_mode(s, strlen(s), SS_SSHCONF_CLIENT);
}

static void done(lexed *l)
{
	ss_sshconf_free(&l->c);
	ss_text_free(&l->t);
	ss_diag_clear(&l->d);
	free(l);
}

static char *raw(const lexed *l, size_t start, size_t end)
{
	char *s = ss_strndup(l->t.data + start, end - start);
	assert_non_null(s);
	return s;
}

static void assert_raw(const lexed *l, size_t start, size_t end, const char *want)
{
	char *s = raw(l, start, end);
	assert_string_equal(s, want);
	free(s);
}

/* Lexes one line and checks keyword and argument values. */
static void assert_line(const char *line, const char *kw, size_t nargs, ...)
{
	lexed *l = lex(line);
	assert_int_equal(l->rc, 0);
	assert_true(l->c.nitems >= 1);
	const ss_sshconf_item *it = &l->c.items[0];
	assert_int_equal(it->kind, SS_SSHCONF_DIRECTIVE);
	assert_string_equal(it->keyword, kw);
	assert_int_equal(it->nargs, nargs);
	va_list ap;
	va_start(ap, nargs);
	for (size_t i = 0; i < nargs; i++)
		assert_string_equal(it->args[i].value, va_arg(ap, const char *));
	va_end(ap);
	done(l);
}

static void assert_error_n(const char *s, size_t len, size_t line, size_t col, const char *part)
{
	lexed *l = lex_mode(s, len, SS_SSHCONF_CLIENT);
	assert_int_equal(l->rc, -1);
	assert_non_null(l->d.message);
	if (!strstr(l->d.message, part))
		fail_msg("message \"%s\" lacks \"%s\"", l->d.message, part);
	assert_string_equal(l->d.file, "cfg");
	assert_int_equal(l->d.line, line);
	assert_int_equal(l->d.col, col);
	assert_null(l->c.items);
	done(l);
}

/* For literals: the length includes embedded NULs. */
#define assert_error(lit, line, col, part) assert_error_n(lit, sizeof(lit) - 1, line, col, part)

static void test_spans(void **state)
{
	(void)state;
	lexed *l = lex("Host a\n  ServerAliveInterval   60 # one minute\n");
	assert_int_equal(l->rc, 0);
	assert_int_equal(l->c.nitems, 2);
	const ss_sshconf_item *it = &l->c.items[1];
	assert_int_equal(it->line, 1);
	assert_string_equal(it->keyword, "serveraliveinterval");
	assert_raw(l, it->kw_start, it->kw_end, "ServerAliveInterval");
	assert_int_equal(it->nargs, 1);
	assert_raw(l, it->args[0].start, it->args[0].end, "60");
	assert_string_equal(it->args[0].value, "60");
	assert_int_equal(it->args[0].value_len, 2);
	assert_int_not_equal(it->comment, SS_SSHCONF_NONE);
	assert_raw(l, it->comment, it->end, "# one minute");
	assert_int_equal(it->equals, SS_SSHCONF_NONE);
	assert_true(ss_sshconf_is(it, "serveraliveinterval"));
	assert_false(ss_sshconf_is(it, "host"));
	done(l);
}

static void test_equals_forms(void **state)
{
	(void)state;
	assert_line("Port=22", "port", 1, "22");
	assert_line("Port = 22", "port", 1, "22");
	assert_line("Port =22", "port", 1, "22");
	assert_line("Port= 22", "port", 1, "22");
	assert_line("\t Port\t22 \t", "port", 1, "22");
	/* OpenSSH skips only one '=': the second is part of the value, which
	 * a number or time keyword then rejects. */
	assert_line("Port==22", "port", 1, "=22");
	assert_line("Port = = 22", "port", 2, "=", "22");
	/* A leading '=' is skipped like a blank. */
	assert_line("=Port 23", "port", 1, "23");
	assert_line("SERVERaliveINTERVAL 5", "serveraliveinterval", 1, "5");

	lexed *l = lex("User = bob");
	const ss_sshconf_item *it = &l->c.items[0];
	assert_raw(l, it->equals, it->equals + 1, "=");
	assert_raw(l, it->rest, it->end, "bob");
	done(l);
}

static void test_quotes_and_escapes(void **state)
{
	(void)state;
	assert_line("IdentityFile \"a b\"", "identityfile", 1, "a b");
	assert_line("IdentityFile a\"b c\"d e", "identityfile", 2, "ab cd", "e");
	assert_line("X 'x\\'y' \"q\\\"\" \\\\", "x", 3, "x'y", "q\"", "\\");
	assert_line("X a\\ b", "x", 1, "a b");
	assert_line("X \"a\\ b\"", "x", 1, "a\\ b");
	assert_line("X \\q\\", "x", 1, "\\q\\");
	assert_line("X '' \"\"", "x", 2, "", "");
	/* A quoted keyword: the quotes go, the token ends at the quote. */
	assert_line("\"Po\"rt 22", "po", 2, "rt", "22");

	lexed *l = lex("IdentityFile \"~/my key\"  # k");
	const ss_sshconf_item *it = &l->c.items[0];
	assert_raw(l, it->args[0].start, it->args[0].end, "\"~/my key\"");
	assert_raw(l, it->comment, it->end, "# k");
	done(l);
}

static void test_comments(void **state)
{
	(void)state;
	/* '#' starts a comment only at the start of a token. */
	assert_line("Port 22#x", "port", 1, "22#x");
	assert_line("Host a #b c", "host", 1, "a");
	assert_line("Host a \"#b\"", "host", 2, "a", "#b");
	lexed *l = lex("#Port 22\n   # indented\n\n \t \nHost x\n");
	assert_int_equal(l->rc, 0);
	assert_int_equal(l->c.nitems, 5);
	assert_int_equal(l->c.items[0].kind, SS_SSHCONF_COMMENT);
	assert_int_equal(l->c.items[1].kind, SS_SSHCONF_COMMENT);
	assert_raw(l, l->c.items[1].kw_start, l->c.items[1].kw_end, "#");
	assert_int_equal(l->c.items[2].kind, SS_SSHCONF_BLANK);
	assert_int_equal(l->c.items[3].kind, SS_SSHCONF_BLANK);
	assert_int_equal(l->c.items[4].kind, SS_SSHCONF_DIRECTIVE);
	done(l);
	/* A keyword whose quote never closes: ssh skips the line silently. */
	l = lex("\"Port 22\n");
	assert_int_equal(l->rc, 0);
	assert_int_equal(l->c.items[0].kind, SS_SSHCONF_IGNORED);
	assert_null(l->c.items[0].keyword);
	done(l);
	/* "Keyword #x": an argument list that is only a comment is empty. */
	l = lex("Host #x");
	assert_int_equal(l->rc, 0);
	assert_int_equal(l->c.items[0].nargs, 0);
	done(l);
}

static void test_line_endings(void **state)
{
	(void)state;
	lexed *l = lex("Host a\r\n\tServerAliveInterval 30\r\nPort 1\f\r\nX y\rz\r\n");
	assert_int_equal(l->rc, 0);
	assert_int_equal(l->c.nitems, 4);
	assert_string_equal(l->c.items[1].args[0].value, "30");
	assert_raw(l, l->c.items[1].args[0].start, l->c.items[1].args[0].end, "30");
	/* A trailing form feed is stripped. */
	assert_string_equal(l->c.items[2].args[0].value, "1");
	/* A CR inside a line is part of the token for argv_split. */
	assert_int_equal(l->c.items[3].nargs, 1);
	assert_string_equal(l->c.items[3].args[0].value, "y\rz");
	done(l);
	/* No final newline. */
	l = lex("Host a\nPort 2");
	assert_int_equal(l->rc, 0);
	assert_string_equal(l->c.items[1].args[0].value, "2");
	done(l);
}

static void test_errors(void **state)
{
	(void)state;
	assert_error("Host a\nPort \"22\n", 2, 6, "unclosed quote");
	assert_error("Host 'a b\n", 1, 6, "expected a closing '");
	assert_error("Host a\n  Port\n", 2, 7, "no argument after keyword \"port\"");
	assert_error("Port =\n", 1, 5, "no argument");
	assert_error("Port   \t\r\n", 1, 5, "no argument");
	/* A lone form feed is not stripped (OpenSSH never strips the first
	 * byte): it is a keyword without argument. */
	assert_error("\f\n", 1, 2, "no argument after keyword \"\f\"");
	assert_error("Host a\nPort 2\0002\n", 2, 7, "NUL byte");
	/* The server lexer splits the same way. */
	lexed *l = lex_mode("ClientAliveInterval \"60", 23, SS_SSHCONF_SERVER);
	assert_int_equal(l->rc, -1);
	assert_int_equal(l->d.col, 21);
	done(l);
}

static void test_long_line(void **state)
{
	(void)state;
	size_t n = 10 * 1024 * 1024;
	char *s = malloc(n + 32);
	assert_non_null(s);
	memcpy(s, "Host ", 5);
	memset(s + 5, 'a', n);
	memcpy(s + 5 + n, "\nPort 3\n", 8);
	lexed *l = lex_mode(s, n + 13, SS_SSHCONF_CLIENT);
	assert_int_equal(l->rc, 0);
	assert_int_equal(l->c.items[0].args[0].value_len, n);
	assert_string_equal(l->c.items[1].args[0].value, "3");
	done(l);
	free(s);
}

static void test_quote_roundtrip(void **state)
{
	(void)state;
	const char *values[] = {"60",	"a b",	"#x",	"=y",	"",
				"q\"t", "b\\s", "it's", "x\ty", "~/.ssh/id ed25519"};
	for (size_t i = 0; i < sizeof(values) / sizeof(*values); i++) {
		ss_buf line = SS_BUF_INIT;
		assert_int_equal(ss_buf_adds(&line, "Keyword "), 0);
		assert_int_equal(ss_sshconf_quote(values[i], &line), 0);
		lexed *l = lex(ss_buf_str(&line));
		assert_int_equal(l->rc, 0);
		assert_int_equal(l->c.items[0].nargs, 1);
		assert_string_equal(l->c.items[0].args[0].value, values[i]);
		done(l);
		ss_buf_release(&line);
	}
	ss_buf b = SS_BUF_INIT;
	assert_int_equal(ss_sshconf_quote("plain", &b), 0);
	assert_string_equal(ss_buf_str(&b), "plain");
	assert_int_equal(ss_sshconf_quote("a\nb", &b), -1);
	ss_buf_release(&b);
	assert_string_equal(ss_sshconf_value_hint("60"), "");
	assert_non_null(strstr(ss_sshconf_value_hint("=60"), "one '='"));
}

static void test_corpus_lexes(void **state)
{
	(void)state;
	char *dir = tu_corpus_dir("ssh");
	if (!dir)
		skip();
	ss_strlist names = tu_list_dir(dir);
	assert_true(names.n >= 4); /* fixtures/corpus/ssh has 4, the shared one 23 */
	for (size_t i = 0; i < names.n; i++) {
		if (strcmp(names.v[i], "SOURCES.tsv") == 0)
			continue;
		char *p = tu_path(dir, names.v[i]);
		ss_text t;
		ss_diag d = SS_DIAG_INIT;
		assert_int_equal(ss_text_load(&t, p, 0, &d), 0);
		ss_sshconf c = SS_SSHCONF_INIT;
		if (ss_sshconf_parse(&c, &t, SS_SSHCONF_CLIENT, &d) < 0)
			fail_msg("%s: %s", p, d.message);
		assert_int_equal(c.nitems, t.nlines);
		/* Parse then render with no edits: the same bytes, as found and
		 * with CRLF endings. */
		ss_edits none = SS_EDITS_INIT;
		ss_buf out = SS_BUF_INIT;
		assert_int_equal(ss_edits_render_file(&t, &none, &out, &d), 0);
		ss_buf raw_bytes = tu_read(p);
		assert_int_equal(out.len, raw_bytes.len);
		assert_memory_equal(out.data, raw_bytes.data, out.len);
		ss_buf_release(&out);
		ss_buf_release(&raw_bytes);
		/* Spans lie inside their own line and in order. */
		for (size_t k = 0; k < c.nitems; k++) {
			const ss_sshconf_item *it = &c.items[k];
			const ss_line ln = ss_text_line(&t, k);
			size_t prev = it->kw_end;
			for (size_t a = 0; a < it->nargs; a++) {
				assert_true(it->args[a].start >= prev);
				assert_true(it->args[a].end <= ln.start + ln.len);
				prev = it->args[a].end;
			}
		}
		ss_sshconf_free(&c);
		ss_text_free(&t);
		free(p);
	}
	ss_strlist_release(&names);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spans),
	    cmocka_unit_test(test_equals_forms),
	    cmocka_unit_test(test_quotes_and_escapes),
	    cmocka_unit_test(test_comments),
	    cmocka_unit_test(test_line_endings),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_long_line),
	    cmocka_unit_test(test_quote_roundtrip),
	    cmocka_unit_test(test_corpus_lexes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
