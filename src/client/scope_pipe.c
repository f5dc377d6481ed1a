/* Scopes made on two threads and handed on in order (scope_pipe.h). */
#include "sshsync/scope_pipe.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/os_sys.h"

/* Items made into one slot at a time; slots in flight: enough that the
 * second thread seldom waits for the caller to empty one, and the first
 * slot is ready soon. */
#define CHUNK SS_SCOPES_PIPED_MIN
#define SLOTS 8

typedef enum { SLOT_FREE, SLOT_FILLING, SLOT_FULL } slot_state;

typedef struct slot {
	ss_scopes scopes; /* the chunk's scopes, without a sink */
	void *part;	  /* the sink's part they go to, when it takes parts */
	slot_state state;
	int failed; /* the chunk ends before its failure, which d says */
	ss_diag d;
} slot;

typedef struct scope_pipe {
	const ss_scope_maker *m;
	const ss_scope_sink *sink;
	size_t n, chunks;
	ss_os_monitor *mon;
	slot slot[SLOTS];
	size_t next; /* the next chunk to claim */
	int stop;    /* a sink or a chunk failed: nothing more is claimed */
} scope_pipe;

/* A thread's state for make, zeroed (NULL when make keeps none); *oom
 * when memory ran out: the thread's first chunk then fails. */
static void *state_new(const ss_scope_maker *m, int *oom)
{
	void *s = m->state_size ? calloc(1, m->state_size) : NULL;
	*oom = m->state_size && !s;
	return s;
}

static void state_free(const ss_scope_maker *m, void *s)
{
	if (s && m->state_free)
		m->state_free(m->ctx, s);
	free(s);
}

/* Item i's scopes into `out`; none when it fails. */
static int make_one(const ss_scope_maker *m, void *state, size_t i, ss_scopes *out, ss_diag *d)
{
	size_t before = out->n;
	int r = m->make(m->ctx, state, i, out, d);
	if (r < 0)
		ss_scopes_truncate(out, before);
	return r;
}

/* The sink that settles a slot's scopes into its part. */
typedef struct into_part {
	const ss_scope_sink *sink;
	void *part;
} into_part;

static int take_into(void *ctx, ss_scope *sc, ss_diag *d)
{
	const into_part *to = ctx;
	return to->sink->parts->take_part(to->sink->ctx, to->part, sc, d);
}

/* The slot's scopes taken into its part of the sink, in order, and
 * dropped (ss_scopes_settle). A part that fails takes the place of what
 * failed after it. */
static int take_into_part(const scope_pipe *p, slot *sl, int r)
{
	into_part to = {p->sink, sl->part};
	ss_scope_sink sink = {take_into, &to, NULL};
	ss_diag d = SS_DIAG_INIT;
	sl->scopes.sink = &sink;
	int t = ss_scopes_settle(&sl->scopes, &d);
	sl->scopes.sink = NULL;
	if (t == 0)
		return r;
	ss_diag_clear(&sl->d);
	sl->d = d;
	return -1;
}

/* The item after chunk c's last. */
static size_t chunk_end(const scope_pipe *p, size_t c)
{
	return (c + 1) * CHUNK < p->n ? (c + 1) * CHUNK : p->n;
}

/* Chunk c's items into its slot (claimed). */
static void fill_chunk(scope_pipe *p, size_t c, void *state, int oom)
{
	slot *sl = &p->slot[c % SLOTS];
	size_t end = chunk_end(p, c);
	int r = oom ? ss_diag_oom(&sl->d) : 0;
	for (size_t i = c * CHUNK; i < end && r == 0; i++)
		r = make_one(p->m, state, i, &sl->scopes, &sl->d);
	if (sl->part)
		r = take_into_part(p, sl, r);
	ss_os_monitor_enter(p->mon);
	sl->state = SLOT_FULL;
	sl->failed = r < 0;
	p->stop |= r < 0;
	ss_os_monitor_wake(p->mon);
	ss_os_monitor_leave(p->mon);
}

/* With the lock held: claims the next chunk when its slot is free; SIZE_MAX
 * when there is none to claim now. */
static size_t claim(scope_pipe *p)
{
	if (p->stop || p->next == p->chunks || p->slot[p->next % SLOTS].state != SLOT_FREE)
		return SIZE_MAX;
	p->slot[p->next % SLOTS].state = SLOT_FILLING;
	return p->next++;
}

/* The second thread: claims chunks in order and fills them, until none is
 * left or a failure stops it. */
static void maker_run(void *arg)
{
	scope_pipe *p = arg;
	int oom;
	void *state = state_new(p->m, &oom);
	ss_os_monitor_enter(p->mon);
	while (!p->stop && p->next < p->chunks) {
		size_t c = claim(p);
		if (c == SIZE_MAX) {
			ss_os_monitor_wait(p->mon);
			continue;
		}
		ss_os_monitor_leave(p->mon);
		fill_chunk(p, c, state, oom);
		ss_os_monitor_enter(p->mon);
	}
	ss_os_monitor_leave(p->mon);
	state_free(p->m, state);
}

/* The caller's side: waits until chunk c is filled, filling others
 * meanwhile where make may run on two threads. */
static void await_chunk(scope_pipe *p, size_t c, void *state, int oom)
{
	slot *sl = &p->slot[c % SLOTS];
	ss_os_monitor_enter(p->mon);
	while (sl->state != SLOT_FULL) {
		size_t mine = p->m->shared ? claim(p) : SIZE_MAX;
		if (mine == SIZE_MAX) {
			ss_os_monitor_wait(p->mon);
			continue;
		}
		ss_os_monitor_leave(p->mon);
		fill_chunk(p, mine, state, oom);
		ss_os_monitor_enter(p->mon);
	}
	ss_os_monitor_leave(p->mon);
}

/* Each chunk's scopes to the sink, in order. At a chunk that failed, the
 * scopes before its failure go on as they would have, then its error. */
static int take_chunks(scope_pipe *p, const ss_scope_sink *sink, ss_diag *d)
{
	int oom;
	void *state = state_new(p->m, &oom);
	int r = 0;
	for (size_t c = 0; r == 0 && c < p->chunks; c++) {
		slot *sl = &p->slot[c % SLOTS];
		await_chunk(p, c, state, oom);
		if (sl->part) {
			r = sink->parts->merge(sink->ctx, sl->part, d);
		} else {
			sl->scopes.sink = sink;
			r = ss_scopes_settle(&sl->scopes, d);
		}
		if (r == 0 && sl->failed) {
			*d = sl->d; /* d is clear: the sink succeeded */
			memset(&sl->d, 0, sizeof(sl->d));
			r = -1;
		}
		if (r == 0 && p->m->done)
			p->m->done(p->m->ctx, chunk_end(p, c));
		ss_os_monitor_enter(p->mon);
		sl->state = SLOT_FREE;
		p->stop |= r < 0;
		ss_os_monitor_wake(p->mon);
		ss_os_monitor_leave(p->mon);
	}
	state_free(p->m, state);
	return r;
}

/* Every slot's part of the sink, when it takes parts. */
static int parts_new(scope_pipe *p, ss_diag *d)
{
	const ss_scope_sink_parts *parts = p->sink->parts;
	for (int i = 0; parts && i < SLOTS; i++)
		if (!(p->slot[i].part = parts->part_new(p->sink->ctx)))
			return ss_diag_oom(d);
	return 0;
}

static void slots_free(scope_pipe *p)
{
	for (int i = 0; i < SLOTS; i++) {
		if (p->slot[i].part)
			p->sink->parts->part_free(p->sink->ctx, p->slot[i].part);
		ss_scopes_free(&p->slot[i].scopes);
		ss_diag_clear(&p->slot[i].d);
	}
}

int ss_scopes_piped(const ss_scope_maker *m, size_t n, ss_scopes *out, ss_diag *d)
{
	scope_pipe p;
	memset(&p, 0, sizeof(p));
	p.m = m;
	p.sink = out->sink;
	p.n = n;
	p.chunks = (n + CHUNK - 1) / CHUNK;
	if (parts_new(&p, d) < 0) {
		slots_free(&p);
		return -1;
	}
	ss_os_thread *t;
	if (!(p.mon = ss_os_monitor_new()) || ss_os_thread_start(&t, maker_run, &p) < 0) {
		if (p.mon)
			ss_os_monitor_free(p.mon);
		slots_free(&p);
		return 1;
	}
	int r = take_chunks(&p, out->sink, d);
	ss_os_thread_join(t);
	ss_os_monitor_free(p.mon);
	slots_free(&p);
	return r;
}

/* One item after the other on this thread, each handed on when streaming. */
static int make_serially(const ss_scope_maker *m, size_t n, int stream, ss_scopes *out, ss_diag *d)
{
	if (n == 0)
		return 0;
	int oom;
	void *state = state_new(m, &oom);
	int r = oom ? ss_diag_oom(d) : 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		r = make_one(m, state, i, out, d);
		if (r == 0 && stream)
			r = ss_scopes_settle(out, d);
		if (r == 0 && stream && m->done)
			m->done(m->ctx, i + 1);
	}
	state_free(m, state);
	return r;
}

int ss_scopes_make(const ss_scope_maker *m, size_t n, int stream, ss_scopes *out, ss_diag *d)
{
	stream = stream && out->sink;
	if (stream && n > SS_SCOPES_PIPED_MIN) {
		if (ss_scopes_settle(out, d) < 0)
			return -1;
		int r = ss_scopes_piped(m, n, out, d);
		if (r <= 0)
			return r;
	}
	return make_serially(m, n, stream, out, d);
}
