/* Scopes and the policy they are judged against. */
#include "sshsync/scope.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/text.h"

void ss_policy_init(ss_policy *p)
{
	p->interval = SS_UNSET;
	p->count_max = SS_UNSET;
	p->tcp_keepalive = SS_UNSET;
	p->nat_timeout = SS_DEFAULT_NAT_TIMEOUT;
	p->winscp_ping = SS_PING_KEEP;
	p->ansi_codepage = NULL;
}

int ss_scopes_reserve(ss_scopes *s, size_t more)
{
	if (more <= s->cap - s->n)
		return 0;
	if (more > SIZE_MAX / sizeof(ss_scope) - s->n)
		return -1;
	ss_scope *v = realloc(s->v, (s->n + more) * sizeof(*v));
	if (!v)
		return -1;
	s->v = v;
	s->cap = s->n + more;
	return 0;
}

ss_scope *ss_scopes_add(ss_scopes *s, const char *kind, const char *file, const char *name)
{
	if (!s->arena && !(s->arena = calloc(1, sizeof(*s->arena))))
		return NULL;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		ss_scope *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	ss_scope *sc = &s->v[s->n];
	memset(sc, 0, sizeof(*sc));
	sc->kind = kind;
	sc->period_rule = NULL;
	sc->count_max = SS_UNSET;
	sc->tcp_keepalive = SS_UNSET;
	sc->arena = s->arena;
	/* The scopes of one file follow each other: they share its name. */
	const ss_scope *prev = s->n ? &s->v[s->n - 1] : NULL;
	sc->file = prev && strcmp(prev->file, file) == 0
		       ? prev->file
		       : ss_arena_strndup(s->arena, file, strlen(file));
	sc->name = ss_arena_strndup(s->arena, name, strlen(name));
	if (!sc->file || !sc->name)
		return NULL;
	s->n++;
	return sc;
}

/* A copy of s in the scope's arena (NULL for NULL); -1 when memory runs out. */
static int copy_string(ss_scope *sc, const char *s, const char **to)
{
	const char *copy = s ? ss_arena_strndup(sc->arena, s, strlen(s)) : NULL;
	if (s && !copy)
		return -1;
	*to = copy;
	return 0;
}

int ss_scope_set_at(ss_scope *sc, const char *where)
{
	return copy_string(sc, where, &sc->set_at);
}

int ss_scope_set_witness(ss_scope *sc, const char *witness)
{
	return copy_string(sc, witness, &sc->witness);
}

int ss_scope_reason_static(ss_scope *sc, const char *reason)
{
	ss_reasons *r = &sc->reasons;
	if (r->n == r->cap) {
		/* Grown in the arena: the old array stays there, unused (most
		 * scopes have one reason or two). */
		size_t cap = r->cap ? 2 * r->cap : 2;
		const char **v = cap <= SIZE_MAX / sizeof(*v)
				     ? ss_arena_alloc(sc->arena, cap * sizeof(*v))
				     : NULL;
		if (!v)
			return -1;
		if (r->n)
			memcpy(v, r->v, r->n * sizeof(*v));
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = reason;
	return 0;
}

char *ss_scope_reason_room(ss_scope *sc, size_t len)
{
	char *room = len < SIZE_MAX ? ss_arena_alloc(sc->arena, len + 1) : NULL;
	if (!room || ss_scope_reason_static(sc, room) < 0)
		return NULL;
	room[len] = '\0';
	return room;
}

int ss_scope_reason(ss_scope *sc, const char *fmt, ...)
{
	ss_buf b = SS_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	int r = ss_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	char *room = r == 0 ? ss_scope_reason_room(sc, b.len) : NULL;
	if (room && b.len)
		memcpy(room, b.data, b.len);
	ss_buf_release(&b);
	return room ? 0 : -1;
}

/* The reason "<a><x><b><y>s" (the two reasons judging gives most), made
 * without printf: the same text as ss_scope_reason's. */
static int reason_two(ss_scope *sc, const char *a, long long x, const char *b, long long y)
{
	char dx[24], dy[24];
	size_t ix = ss_format_lld(dx, x), iy = ss_format_lld(dy, y);
	size_t la = strlen(a), lb = strlen(b), nx = 24 - ix, ny = 24 - iy;
	char *r = ss_scope_reason_room(sc, la + nx + lb + ny + 1), *p = r;
	if (!r)
		return -1;
	memcpy(p, a, la);
	memcpy(p += la, dx + ix, nx);
	memcpy(p += nx, b, lb);
	memcpy(p += lb, dy + iy, ny);
	p[ny] = 's';
	return 0;
}

long long ss_scope_period(const ss_scope *sc)
{
	long long f = sc->period_rule ? sc->period_rule->factor : 1;
	if (sc->interval <= 0 || f <= 1)
		return sc->interval;
	return sc->interval > LLONG_MAX / f ? LLONG_MAX : sc->interval * f;
}

long ss_scope_largest_passing(const ss_scope *sc, long nat_timeout)
{
	long f = sc->period_rule && sc->period_rule->factor > 1 ? sc->period_rule->factor : 1;
	return nat_timeout > 0 ? (nat_timeout - 1) / f : 0;
}

/* The NAT judgement on the period; the reason shows the setting, the
 * period and the largest setting that passes where the two differ. */
static int judge_period(ss_scope *sc, const ss_policy *p)
{
	long long period = ss_scope_period(sc);
	if (period < p->nat_timeout)
		return 0;
	const ss_period_rule *rule = sc->period_rule;
	if (!rule || period == sc->interval)
		return reason_two(sc, "interval ", sc->interval,
				  "s is not shorter than the NAT timeout ", p->nat_timeout);
	long best = ss_scope_largest_passing(sc, p->nat_timeout);
	char *fix = best > 0
			? ss_asprintf("set %ld or less for a %lds NAT", best, p->nat_timeout)
			: ss_asprintf("no setting is short enough for a %lds NAT", p->nat_timeout);
	if (!fix)
		return -1;
	int r =
	    ss_scope_reason(sc,
			    "%s %lld -> probes every %llds on an idle connection (%s): not "
			    "shorter than the NAT timeout %lds; %s",
			    rule->setting, sc->interval, period, rule->why, p->nat_timeout, fix);
	free(fix);
	return r;
}

int ss_scope_judge(ss_scope *sc, const ss_policy *p)
{
	if (sc->error || sc->not_applicable || sc->interval == SS_UNKNOWN)
		return 0;      /* the client has said why it cannot be computed */
	if (sc->interval == 0) /* not even a copy: one in three of 100,000 sites */
		return ss_scope_reason_static(sc, "keepalives are off: an idle connection is "
						  "dropped by the first NAT or firewall that "
						  "times it out");
	int r = judge_period(sc, p);
	if (p->interval != SS_UNSET && sc->interval != p->interval)
		r |= reason_two(sc, "interval ", sc->interval, "s differs from the required ",
				p->interval);
	return r;
}

int ss_scope_failed(const ss_scope *sc)
{
	return !sc->not_applicable && sc->reasons.n > 0;
}

const char *ss_scope_status(const ss_scope *sc)
{
	if (sc->error)
		return "error";
	if (sc->not_applicable)
		return "n/a";
	return ss_scope_failed(sc) ? "fail" : "pass";
}

ss_scope *ss_scopes_add_error(ss_scopes *s, const char *kind, const char *file, const char *message)
{
	ss_scope *sc = ss_scopes_add(s, kind, file, SS_ERROR_SCOPE);
	if (!sc)
		return NULL;
	sc->error = 1;
	sc->interval = SS_UNKNOWN;
	const char *copy = ss_arena_strndup(sc->arena, message, strlen(message));
	if (!copy || ss_scope_reason_static(sc, copy) < 0) {
		ss_scopes_truncate(s, s->n - 1);
		return NULL;
	}
	return sc;
}

void ss_scopes_truncate(ss_scopes *s, size_t n)
{
	/* Their strings stay in the arena until it is reset or freed. */
	if (n < s->n)
		s->n = n;
}

int ss_scopes_settle(ss_scopes *s, ss_diag *d)
{
	if (!s->sink)
		return 0;
	int r = 0;
	for (size_t i = 0; i < s->n && r == 0; i++)
		r = s->sink->take(s->sink->ctx, &s->v[i], d);
	ss_scopes_truncate(s, 0);
	if (s->arena)
		ss_arena_reset(s->arena);
	return r;
}

void ss_scopes_free(ss_scopes *s)
{
	ss_scopes_truncate(s, 0);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
	if (s->arena)
		ss_arena_release(s->arena);
	free(s->arena);
	s->arena = NULL;
}

/* --- briefs --- */

/* `s` and its NUL at the end of the names; its offset in *at. */
static int add_name(ss_briefs *b, const char *s, uint32_t *at)
{
	size_t len = strlen(s) + 1;
	if (b->names.len > UINT32_MAX - len || ss_buf_add(&b->names, s, len) < 0)
		return -1;
	*at = (uint32_t)(b->names.len - len);
	return 0;
}

int ss_briefs_add(ss_briefs *b, const ss_scope *sc)
{
	if (ss_array_room(&b->v, &b->cap, b->n, sizeof(*b->v)) < 0)
		return -1;
	ss_brief *x = &b->v[b->n];
	x->kind = sc->kind;
	x->interval = sc->interval;
	x->error = sc->error;
	/* The scopes of a file follow each other: its name is kept once. */
	if (b->n && strcmp(b->names.data + b->last_file, sc->file) == 0)
		x->file = b->last_file;
	else if (add_name(b, sc->file, &x->file) < 0)
		return -1;
	if (add_name(b, sc->name, &x->name) < 0)
		return -1;
	b->last_file = x->file;
	b->n++;
	return 0;
}

void ss_briefs_fit(ss_briefs *b)
{
	ss_brief *v = b->n ? realloc(b->v, b->n * sizeof(*v)) : NULL;
	if (v) {
		b->v = v;
		b->cap = b->n;
	}
	ss_buf_fit(&b->names);
}

const char *ss_brief_file(const ss_briefs *b, const ss_brief *x)
{
	return b->names.data + x->file;
}

const char *ss_brief_name(const ss_briefs *b, const ss_brief *x)
{
	return b->names.data + x->name;
}

void ss_briefs_free(ss_briefs *b)
{
	free(b->v);
	ss_buf_release(&b->names);
	memset(b, 0, sizeof(*b));
}

/* --- scopes before and after, paired --- */

static size_t place_hash(const char *kind, const char *file, const char *name)
{
	uint64_t h = ss_hash_key(name, strlen(name));
	h ^= ss_hash_mix(ss_hash_key(file, strlen(file)) + h);
	return (size_t)ss_hash_mix(ss_hash_key(kind, strlen(kind)) ^ h);
}

static int at_place(const ss_briefs *b, size_t i, const char *kind, const char *file,
		    const char *name)
{
	const ss_brief *x = &b->v[i];
	return strcmp(x->kind, kind) == 0 && strcmp(ss_brief_file(b, x), file) == 0 &&
	       strcmp(ss_brief_name(b, x), name) == 0;
}

/* The slot of a place: the first scope before there, or the empty slot. */
static size_t place_slot(const ss_pairing *p, const char *kind, const char *file, const char *name)
{
	size_t i = place_hash(kind, file, name) & p->mask;
	while (p->slot[i] && !at_place(p->before, p->slot[i] - 1, kind, file, name))
		i = (i + 1) & p->mask;
	return i;
}

static size_t before_slot(const ss_pairing *p, size_t i)
{
	const ss_briefs *b = p->before;
	const ss_brief *x = &b->v[i];
	return place_slot(p, x->kind, ss_brief_file(b, x), ss_brief_name(b, x));
}

static void take_first(ss_after *a, long long interval, int error)
{
	if (a->has_first)
		return;
	a->has_first = 1;
	a->first = interval;
	a->first_error = error != 0;
}

/* The places before, indexed when first needed. Every scope after so far
 * was at its place: each is the first there unless an earlier one was. */
static int index_places(ss_pairing *p)
{
	size_t n = p->before->n, cap = 16;
	while (cap < 2 * n)
		cap *= 2;
	if (!(p->slot = calloc(cap, sizeof(*p->slot))))
		return -1;
	p->mask = cap - 1;
	for (size_t i = 0; i < n; i++) {
		size_t s = before_slot(p, i);
		if (!p->slot[s])
			p->slot[s] = (uint32_t)(i + 1);
	}
	for (size_t j = 0; j < p->seen; j++)
		take_first(&p->v[p->slot[before_slot(p, j)] - 1], p->v[j].direct,
			   p->v[j].direct_error);
	return 0;
}

int ss_pairing_start(ss_pairing *p, const ss_briefs *before)
{
	*p = (ss_pairing)SS_PAIRING_INIT;
	if (before->n >= UINT32_MAX / 2)
		return -1;
	if (!(p->v = calloc(before->n ? before->n : 1, sizeof(*p->v))))
		return -1;
	p->before = before;
	return 0;
}

int ss_pairing_add(ss_pairing *p, const ss_scope *sc)
{
	size_t j = p->seen;
	if (j < p->before->n && at_place(p->before, j, sc->kind, sc->file, sc->name)) {
		ss_after *a = &p->v[j];
		a->has_direct = 1;
		a->direct = sc->interval;
		a->direct_error = sc->error != 0;
	} else if (!p->slot && index_places(p) < 0) {
		return -1;
	}
	p->seen++;
	if (p->slot) {
		size_t s = place_slot(p, sc->kind, sc->file, sc->name);
		if (p->slot[s])
			take_first(&p->v[p->slot[s] - 1], sc->interval, sc->error);
	}
	return 0;
}

int ss_pairing_end(ss_pairing *p)
{
	for (size_t i = 0; !p->slot && i < p->before->n; i++)
		if (!p->v[i].has_direct)
			return index_places(p);
	return 0;
}

int ss_pairing_after(const ss_pairing *p, size_t i, long long *interval, int *error)
{
	const ss_after *a = &p->v[i];
	if (a->has_direct) {
		*interval = a->direct;
		*error = a->direct_error;
		return 1;
	}
	if (!p->slot)
		return 0;
	a = &p->v[p->slot[before_slot(p, i)] - 1];
	*interval = a->first;
	*error = a->first_error;
	return a->has_first;
}

void ss_pairing_free(ss_pairing *p)
{
	free(p->v);
	free(p->slot);
	*p = (ss_pairing)SS_PAIRING_INIT;
}
