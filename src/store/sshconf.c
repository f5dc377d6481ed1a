/* The OpenSSH configuration lexer: lines split as OpenSSH 9.2p1 splits
 * them (misc.c strdelim and argv_split), with every byte located. */
#include "sshsync/sshconf.h"

#include <stdlib.h>
#include <string.h>

/* misc.h WHITESPACE: what strdelim skips. argv_split only knows ' ' and '\t'. */
static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t skip_ws(const char *data, size_t i, size_t end)
{
	while (i < end && is_ws(data[i]))
		i++;
	return i;
}

/* One strdelim() call on data[*s, end). `*s == SS_SSHCONF_NONE` is
 * strdelim's NULL string. Returns 0 and fills the token, or -1 where
 * strdelim returns NULL (NULL input, or an unclosed '"'). */
typedef struct delim_tok {
	size_t start, end; /* raw bytes */
	ss_buf value;
	size_t equals; /* the '=' it skipped, or NONE */
} delim_tok;

static int strdelim_at(const char *data, size_t *s, size_t end, delim_tok *tok, int *oom)
{
	if (*s == SS_SSHCONF_NONE)
		return -1;
	size_t old = *s, q = old;
	tok->equals = SS_SSHCONF_NONE;
	ss_buf_reset(&tok->value);
	while (q < end && !is_ws(data[q]) && data[q] != '"' && data[q] != '=')
		q++;
	tok->start = old;
	if (q == end) {
		*oom |= ss_buf_add(&tok->value, data + old, end - old);
		tok->end = end;
		*s = SS_SSHCONF_NONE;
		return 0;
	}
	if (data[q] == '"') {
		size_t r = q + 1;
		while (r < end && data[r] != '"')
			r++;
		if (r == end)
			return -1; /* no matching quote: ssh ignores the line */
		*oom |= ss_buf_add(&tok->value, data + old, q - old);
		*oom |= ss_buf_add(&tok->value, data + q + 1, r - q - 1);
		tok->end = r + 1;
		*s = skip_ws(data, r + 1, end);
		return 0;
	}
	/* Only one '=' may be skipped: the one that ended the token, or one
	 * after the blanks that ended it. */
	int wspace = data[q] == '=';
	if (wspace)
		tok->equals = q;
	*oom |= ss_buf_add(&tok->value, data + old, q - old);
	tok->end = q;
	size_t n = skip_ws(data, q + 1, end);
	if (n < end && data[n] == '=' && !wspace) {
		tok->equals = n;
		n = skip_ws(data, n + 1, end);
	}
	*s = n;
	return 0;
}

static int push_arg(ss_sshconf_item *it, size_t *cap, size_t start, size_t end, ss_buf *value)
{
	if (it->nargs == *cap) {
		size_t ncap = *cap ? *cap * 2 : 2; /* most lines have one or two */
		ss_sshconf_arg *v = realloc(it->args, ncap * sizeof(*v));
		if (!v)
			return -1;
		it->args = v;
		*cap = ncap;
	}
	/* An exact-size copy: the scratch buffer is reused for every token. */
	size_t len = value->len;
	char *copy = ss_strndup(value->data ? value->data : "", len);
	if (!copy)
		return -1;
	it->args[it->nargs++] = (ss_sshconf_arg){start, end, copy, len};
	return 0;
}

/* argv_split(rest, ..., terminate_on_comment = 1) with spans. */
static int split_args(const ss_text *t, size_t i, size_t end, ss_sshconf_item *it, ss_diag *d)
{
	const char *data = t->data;
	size_t cap = 0;
	ss_buf v = SS_BUF_INIT;
	while (i < end) {
		if (data[i] == ' ' || data[i] == '\t') {
			i++;
			continue;
		}
		if (data[i] == '#') {
			it->comment = i;
			break;
		}
		size_t tokstart = i, quote_at = 0;
		char quote = 0;
		int oom = 0;
		ss_buf_reset(&v);
		for (; i < end; i++) {
			char c = data[i];
			char n = i + 1 < end ? data[i + 1] : '\0';
			if (c == '\\') {
				if (n == '\'' || n == '"' || n == '\\' || (quote == 0 && n == ' '))
					i++;
				oom |= ss_buf_addc(&v, data[i]);
			} else if (quote == 0 && (c == ' ' || c == '\t')) {
				break;
			} else if (quote == 0 && (c == '"' || c == '\'')) {
				quote = c;
				quote_at = i;
			} else if (quote != 0 && c == quote) {
				quote = 0;
			} else {
				oom |= ss_buf_addc(&v, c);
			}
		}
		if (quote) {
			ss_buf_release(&v);
			return ss_text_error(
			    t, d, quote_at,
			    "unclosed quote: expected a closing %c before the end of "
			    "the line (OpenSSH: \"invalid quotes\")",
			    quote);
		}
		if (oom || ss_buf_grow(&v, 0) < 0 || push_arg(it, &cap, tokstart, i, &v) < 0) {
			ss_buf_release(&v);
			return ss_diag_oom(d);
		}
	}
	ss_buf_release(&v);
	return 0;
}

static char *lower_copy(const ss_buf *b)
{
	char *s = ss_strndup(b->data ? b->data : "", b->len);
	if (s)
		for (char *p = s; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	return s;
}

int ss_sshconf_lex_line(const ss_text *t, size_t start, size_t end, ss_sshconf_mode mode,
			ss_sshconf_item *it, ss_diag *d)
{
	(void)mode; /* both modes split alike; see the header */
	const char *data = t->data;
	size_t line = it->line;
	memset(it, 0, sizeof(*it));
	it->line = line;
	it->kind = SS_SSHCONF_BLANK;
	it->equals = it->comment = SS_SSHCONF_NONE;
	it->kw_start = it->kw_end = it->rest = start;
	const char *nul = memchr(data + start, '\0', end - start);
	if (nul)
		return ss_text_error(t, d, (size_t)(nul - data),
				     "NUL byte in the line: expected text (OpenSSH would cut the "
				     "line here; is this a binary file?)");
	/* Trailing blanks and form feeds go, but never the first byte. */
	while (end - start > 1 && (is_ws(data[end - 1]) || data[end - 1] == '\f'))
		end--;
	it->end = end;
	if (end == start)
		return 0;

	delim_tok tok = {0, 0, SS_BUF_INIT, SS_SSHCONF_NONE};
	int oom = 0;
	size_t s = start;
	int r = strdelim_at(data, &s, end, &tok, &oom);
	if (r == 0 && tok.value.len == 0) /* leading blanks or a leading '=' */
		r = strdelim_at(data, &s, end, &tok, &oom);
	if (oom) {
		ss_buf_release(&tok.value);
		return ss_diag_oom(d);
	}
	if (r < 0) {
		it->kind = SS_SSHCONF_IGNORED;
		ss_buf_release(&tok.value);
		return 0;
	}
	if (tok.value.len == 0) {
		ss_buf_release(&tok.value);
		return 0;
	}
	it->kw_start = tok.start;
	it->kw_end = tok.end;
	it->equals = tok.equals;
	it->keyword = lower_copy(&tok.value);
	ss_buf_release(&tok.value);
	if (!it->keyword)
		return ss_diag_oom(d);
	if (it->keyword[0] == '#') {
		it->kind = SS_SSHCONF_COMMENT;
		it->rest = end;
		return 0;
	}
	it->kind = SS_SSHCONF_DIRECTIVE;
	if (s != SS_SSHCONF_NONE)
		s = skip_ws(data, s, end);
	if (s == SS_SSHCONF_NONE || s == end) {
		it->rest = end;
		return ss_text_error(t, d, it->kw_end,
				     "no argument after keyword \"%s\": expected a value",
				     it->keyword);
	}
	it->rest = s;
	return split_args(t, s, end, it, d);
}

int ss_sshconf_strdelim(const char *data, size_t *pos, size_t end, ss_sshconf_token *tok)
{
	delim_tok t = {0, 0, SS_BUF_INIT, SS_SSHCONF_NONE};
	int oom = 0;
	tok->value = NULL;
	int r = strdelim_at(data, pos, end, &t, &oom);
	if (oom || (r == 0 && ss_buf_grow(&t.value, 0) < 0)) {
		ss_buf_release(&t.value);
		return -1;
	}
	if (r < 0) {
		ss_buf_release(&t.value);
		return 0;
	}
	tok->start = t.start;
	tok->end = t.end;
	tok->value = ss_buf_detach(&t.value, NULL);
	return tok->value ? 1 : -1;
}

void ss_sshconf_item_free(ss_sshconf_item *it)
{
	free(it->keyword);
	for (size_t i = 0; i < it->nargs; i++)
		free(it->args[i].value);
	free(it->args);
	it->keyword = NULL;
	it->args = NULL;
	it->nargs = 0;
}

int ss_sshconf_parse(ss_sshconf *c, const ss_text *t, ss_sshconf_mode mode, ss_diag *d)
{
	c->text = t;
	c->mode = mode;
	c->nitems = 0;
	c->items = calloc(t->nlines ? t->nlines : 1, sizeof(*c->items));
	if (!c->items)
		return ss_diag_oom(d);
	for (size_t i = 0; i < t->nlines; i++) {
		const ss_line *l = &t->lines[i];
		c->items[i].line = i;
		c->nitems = i + 1;
		if (ss_sshconf_lex_line(t, l->start, l->start + l->len, mode, &c->items[i], d) <
		    0) {
			ss_sshconf_free(c);
			return -1;
		}
	}
	return 0;
}

void ss_sshconf_free(ss_sshconf *c)
{
	for (size_t i = 0; i < c->nitems; i++)
		ss_sshconf_item_free(&c->items[i]);
	free(c->items);
	c->items = NULL;
	c->nitems = 0;
}

int ss_sshconf_is(const ss_sshconf_item *it, const char *kw)
{
	return it->kind == SS_SSHCONF_DIRECTIVE && strcmp(it->keyword, kw) == 0;
}

int ss_sshconf_quote(const char *value, ss_buf *out)
{
	int bare = value[0] != '\0' && value[0] != '#' && value[0] != '=';
	for (const char *p = value; *p && bare; p++)
		if (strchr(" \t\r\n\f\"'\\", *p))
			bare = 0;
	if (strchr(value, '\n'))
		return -1; /* no token can hold a line ending */
	if (bare)
		return ss_buf_adds(out, value);
	int r = ss_buf_addc(out, '"');
	for (const char *p = value; *p; p++) {
		if (*p == '"' || *p == '\\')
			r |= ss_buf_addc(out, '\\');
		r |= ss_buf_addc(out, *p);
	}
	r |= ss_buf_addc(out, '"');
	return r;
}

const char *ss_sshconf_value_hint(const char *value)
{
	if (value[0] == '=')
		return " (only one '=' may stand between keyword and value)";
	return "";
}
