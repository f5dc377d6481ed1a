/* The OpenSSH configuration lexer: lines split as OpenSSH 9.2p1 splits
 * them (misc.c strdelim and argv_split), with every byte located. */
#include "sshsync/sshconf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What each byte is to the two splitters, looked up once per byte (the
 * lexer reads every byte of a 10,000-host config; comparing each byte with
 * six characters cost a fifth of an audit). */
enum {
	BYTE_WS = 1,	    /* misc.h WHITESPACE: what strdelim skips */
	BYTE_DELIM_END = 2, /* ends a strdelim token: whitespace, '"', '=' */
	BYTE_ARG_END = 4,   /* ends a plain argv_split token: ' ', '\t', quotes, '\\' */
};

static const unsigned char byte_class[256] = {
    [' '] = BYTE_WS | BYTE_DELIM_END | BYTE_ARG_END,
    ['\t'] = BYTE_WS | BYTE_DELIM_END | BYTE_ARG_END,
    ['\r'] = BYTE_WS | BYTE_DELIM_END,
    ['\n'] = BYTE_WS | BYTE_DELIM_END,
    ['"'] = BYTE_DELIM_END | BYTE_ARG_END,
    ['='] = BYTE_DELIM_END,
    ['\''] = BYTE_ARG_END,
    ['\\'] = BYTE_ARG_END,
};

static int byte_is(char c, unsigned what)
{
	return (byte_class[(unsigned char)c] & what) != 0;
}

/* misc.h WHITESPACE. argv_split only knows ' ' and '\t'. */
static int is_ws(char c)
{
	return byte_is(c, BYTE_WS);
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
	while (q < end && !byte_is(data[q], BYTE_DELIM_END))
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

/* Where a line's pieces go: the file's arena (ss_sshconf_parse), or their
 * own allocations (NULL: ss_sshconf_lex_line, freed by ss_sshconf_item_free).
 * The scratch space is reused from line to line. */
typedef struct lexer {
	ss_arena *arena;
	ss_sshconf_arg *args; /* the line's arguments so far */
	size_t cap;
	ss_buf value; /* the token being unquoted */
	ss_buf kw;    /* the keyword being unquoted */
} lexer;

static char *keep(lexer *L, const char *s, size_t n)
{
	return L->arena ? ss_arena_strndup(L->arena, s, n) : ss_strndup(s, n);
}

static int push_arg(lexer *L, size_t *nargs, size_t start, size_t end, const char *value,
		    size_t len)
{
	if (*nargs == L->cap) {
		size_t ncap = L->cap ? L->cap * 2 : 8;
		ss_sshconf_arg *v = realloc(L->args, ncap * sizeof(*v));
		if (!v)
			return -1;
		L->args = v;
		L->cap = ncap;
	}
	char *copy = keep(L, value, len);
	if (!copy)
		return -1;
	L->args[(*nargs)++] = (ss_sshconf_arg){copy, (uint32_t)start, (uint32_t)end, (uint32_t)len};
	return 0;
}

/* The line's arguments into an exact-size array of the item. */
static int settle_args(lexer *L, ss_sshconf_item *it, size_t nargs)
{
	if (!nargs)
		return 0;
	size_t size = nargs * sizeof(*it->args);
	it->args = L->arena ? ss_arena_alloc(L->arena, size) : malloc(size);
	if (!it->args) {
		if (!L->arena)
			for (size_t i = 0; i < nargs; i++)
				free(L->args[i].value);
		return -1;
	}
	memcpy(it->args, L->args, size);
	it->nargs = nargs;
	return 0;
}

/* argv_split(rest, ..., terminate_on_comment = 1) with spans. */
static int split_args(lexer *L, const ss_text *t, size_t i, size_t end, ss_sshconf_item *it,
		      ss_diag *d)
{
	const char *data = t->data;
	size_t nargs = 0;
	ss_buf *v = &L->value;
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
		ss_buf_reset(v);
		/* Most tokens hold no quote and no backslash: their value is
		 * their bytes, taken at once. */
		size_t plain = i;
		while (plain < end && !byte_is(data[plain], BYTE_ARG_END))
			plain++;
		if (plain == end || data[plain] == ' ' || data[plain] == '\t') {
			/* The whole token: kept straight from the text. */
			if (push_arg(L, &nargs, tokstart, plain, data + i, plain - i) < 0) {
				if (!L->arena)
					for (size_t k = 0; k < nargs; k++)
						free(L->args[k].value);
				return ss_diag_oom(d);
			}
			i = plain;
			continue;
		}
		oom |= ss_buf_add(v, data + i, plain - i);
		i = plain;
		for (; i < end; i++) {
			char c = data[i];
			char n = i + 1 < end ? data[i + 1] : '\0';
			if (c == '\\') {
				if (n == '\'' || n == '"' || n == '\\' || (quote == 0 && n == ' '))
					i++;
				oom |= ss_buf_addc(v, data[i]);
			} else if (quote == 0 && (c == ' ' || c == '\t')) {
				break;
			} else if (quote == 0 && (c == '"' || c == '\'')) {
				quote = c;
				quote_at = i;
			} else if (quote != 0 && c == quote) {
				quote = 0;
			} else {
				oom |= ss_buf_addc(v, c);
			}
		}
		if (quote) {
			if (!L->arena)
				for (size_t k = 0; k < nargs; k++)
					free(L->args[k].value);
			return ss_text_error(
			    t, d, quote_at,
			    "unclosed quote: expected a closing %c before the end of "
			    "the line (OpenSSH: \"invalid quotes\")",
			    quote);
		}
		if (oom || push_arg(L, &nargs, tokstart, i, v->data ? v->data : "", v->len) < 0) {
			if (!L->arena)
				for (size_t k = 0; k < nargs; k++)
					free(L->args[k].value);
			return ss_diag_oom(d);
		}
	}
	return settle_args(L, it, nargs) < 0 ? ss_diag_oom(d) : 0;
}

static char *lower_copy(lexer *L, const ss_buf *b)
{
	char *s = keep(L, b->data ? b->data : "", b->len);
	if (s)
		for (char *p = s; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	return s;
}

static int lex(lexer *L, const ss_text *t, size_t start, size_t end, ss_sshconf_item *it,
	       ss_diag *d)
{
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

	/* The keyword's buffer is the lexer's, reused from line to line. */
	delim_tok tok = {0, 0, L->kw, SS_SSHCONF_NONE};
	int oom = 0;
	size_t s = start;
	int r = strdelim_at(data, &s, end, &tok, &oom);
	if (r == 0 && tok.value.len == 0) /* leading blanks or a leading '=' */
		r = strdelim_at(data, &s, end, &tok, &oom);
	L->kw = tok.value;
	if (oom)
		return ss_diag_oom(d);
	if (r < 0) {
		it->kind = SS_SSHCONF_IGNORED;
		return 0;
	}
	if (tok.value.len == 0)
		return 0;
	it->kw_start = tok.start;
	it->kw_end = tok.end;
	it->equals = tok.equals;
	it->keyword = lower_copy(L, &tok.value);
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
	if (split_args(L, t, s, end, it, d) == 0)
		return 0;
	if (!L->arena) {
		free(it->keyword);
		it->keyword = NULL;
	}
	return -1;
}

int ss_sshconf_lex_line(const ss_text *t, size_t start, size_t end, ss_sshconf_mode mode,
			ss_sshconf_item *it, ss_diag *d)
{
	(void)mode; /* both modes split alike; see the header */
	lexer L = {NULL, NULL, 0, SS_BUF_INIT, SS_BUF_INIT};
	int r = lex(&L, t, start, end, it, d);
	free(L.args);
	ss_buf_release(&L.value);
	ss_buf_release(&L.kw);
	return r;
}

int ss_sshconf_lexer_span(ss_sshconf_lexer *lx, const ss_text *t, size_t line, size_t start,
			  size_t end, ss_sshconf_item *it, ss_diag *d)
{
	ss_arena_reset(&lx->arena);
	return ss_sshconf_lexer_span_more(lx, t, line, start, end, it, d);
}

int ss_sshconf_lexer_span_more(ss_sshconf_lexer *lx, const ss_text *t, size_t line, size_t start,
			       size_t end, ss_sshconf_item *it, ss_diag *d)
{
	lexer L = {&lx->arena, lx->args, lx->cap, lx->value, lx->kw};
	it->line = (uint32_t)line;
	int r = lex(&L, t, start, end, it, d);
	lx->args = L.args;
	lx->cap = L.cap;
	lx->value = L.value;
	lx->kw = L.kw;
	return r;
}

int ss_sshconf_next_line(const ss_text *t, size_t *pos, size_t *start, size_t *end)
{
	if (*pos >= t->len)
		return 0;
	const char *lf = memchr(t->data + *pos, '\n', t->len - *pos);
	size_t e = lf ? (size_t)(lf - t->data) : t->len;
	*start = *pos;
	*pos = lf ? e + 1 : t->len;
	*end = lf && e > *start && t->data[e - 1] == '\r' ? e - 1 : e;
	return 1;
}

int ss_sshconf_lexer_line(ss_sshconf_lexer *lx, const ss_text *t, size_t line, ss_sshconf_item *it,
			  ss_diag *d)
{
	const ss_line l = ss_text_line(t, line);
	return ss_sshconf_lexer_span(lx, t, line, l.start, l.start + l.len, it, d);
}

void ss_sshconf_lexer_free(ss_sshconf_lexer *lx)
{
	ss_arena_release(&lx->arena);
	free(lx->args);
	ss_buf_release(&lx->value);
	ss_buf_release(&lx->kw);
	lx->args = NULL;
	lx->cap = 0;
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

/* Every token of the file goes into one arena: no allocation per token. */
int ss_sshconf_parse(ss_sshconf *c, const ss_text *t, ss_sshconf_mode mode, ss_diag *d)
{
	c->text = t;
	c->mode = mode;
	c->nitems = 0;
	memset(&c->arena, 0, sizeof(c->arena));
	c->items = malloc((t->nlines ? t->nlines : 1) * sizeof(*c->items));
	if (!c->items)
		return ss_diag_oom(d);
	lexer L = {&c->arena, NULL, 0, SS_BUF_INIT, SS_BUF_INIT};
	int r = 0;
	for (size_t i = 0; i < t->nlines && r == 0; i++) {
		const ss_line l = ss_text_line(t, i);
		c->items[i].line = i;
		c->nitems = i + 1;
		r = lex(&L, t, l.start, l.start + l.len, &c->items[i], d);
	}
	free(L.args);
	ss_buf_release(&L.value);
	ss_buf_release(&L.kw);
	if (r < 0)
		ss_sshconf_free(c);
	return r;
}

void ss_sshconf_free(ss_sshconf *c)
{
	ss_arena_release(&c->arena);
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

int ss_sshconf_head_has_word(const char *head, size_t len, const char *const *words, int separated)
{
	for (size_t i = 0; head && i < len;) {
		while (i < len && (head[i] == ' ' || head[i] == '\t'))
			i++;
		char first = i < len ? (char)(head[i] | 0x20) : '\0';
		for (const char *const *w = words; *w; w++) {
			if ((*w)[0] != first)
				continue;
			size_t n = strlen(*w), need = separated ? n + 1 : n;
			if (len - i >= need && strncasecmp(head + i, *w, n) == 0 &&
			    (!separated || head[i + n] == ' ' || head[i + n] == '\t' ||
			     head[i + n] == '='))
				return 1;
		}
		const char *nl = memchr(head + i, '\n', len - i);
		if (!nl)
			break;
		i = (size_t)(nl - head) + 1;
	}
	return 0;
}
