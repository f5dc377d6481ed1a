/* ss_scopes_piped and ss_scopes_make: scopes made on two threads reach the sink in item
 * order, each once; an item that fails ends them after the scopes before
 * it, with its error; a sink that fails stops the making; each thread
 * makes its chunks in order, and its state is freed. A sink that takes
 * parts gets the same, each part used by one thread at a time and merged
 * in order, every part freed. The maker is told, in order, which items
 * are done: never before the sink has their scopes, and no item is made
 * after it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/buf.h"
#include "sshsync/scope_pipe.h"
#include "testutil.h"

typedef struct sink {
	size_t n;	/* scopes taken */
	size_t fail_at; /* SIZE_MAX: never fails */
	int out_of_order;
} sink;

typedef struct maker {
	size_t fail_at;	 /* SIZE_MAX: none fails */
	int state_freed; /* how many states were freed (both threads') */
	int backwards;	 /* a thread made an item before one it made already */
	const sink *k;	 /* done never runs ahead of what it took */
	size_t done;	 /* the end the last call of done gave (0: none) */
	/* done went back, ran ahead of the sink, or an item was made after
	 * its done */
	int done_wrong;
} maker;

/* A thread's state: the last item it made, + 1 (it comes zeroed). */
typedef struct thread_state {
	size_t last;
} thread_state;

static int make(void *ctx, void *state, size_t i, ss_scopes *out, ss_diag *d)
{
	maker *m = ctx;
	thread_state *t = state;
	if (i + 1 <= t->last) /* both threads may write it */
		__atomic_store_n(&m->backwards, 1, __ATOMIC_RELAXED);
	if (i < __atomic_load_n(&m->done, __ATOMIC_ACQUIRE))
		__atomic_store_n(&m->done_wrong, 1, __ATOMIC_RELAXED);
	t->last = i + 1;
	if (i == m->fail_at)
		return ss_diag_set(d, "items", 0, 0, "item %zu failed", i);
	char name[32];
	snprintf(name, sizeof(name), "%zu", i);
	ss_scope *sc = ss_scopes_add(out, "ssh", "items", name);
	if (!sc)
		return ss_diag_oom(d);
	sc->interval = (long long)i;
	return 0;
}

static void state_free(void *ctx, void *state)
{
	(void)state;
	__atomic_fetch_add(&((maker *)ctx)->state_freed, 1, __ATOMIC_RELAXED);
}

/* On the caller's thread, as the sink is. */
static void done(void *ctx, size_t end)
{
	maker *m = ctx;
	if (end <= m->done || end > m->k->n)
		m->done_wrong = 1;
	__atomic_store_n(&m->done, end, __ATOMIC_RELEASE);
}

static int take(void *ctx, ss_scope *sc, ss_diag *d)
{
	sink *k = ctx;
	char want[32];
	snprintf(want, sizeof(want), "%zu", k->n);
	if (strcmp(sc->name, want) != 0 || sc->interval != (long long)k->n)
		k->out_of_order = 1;
	if (k->n == k->fail_at)
		return ss_diag_set(d, "report", 0, 0, "the sink stops at %zu", k->n);
	k->n++;
	return 0;
}

/* A part of the sink: the intervals of the scopes it took, in turn. */
typedef struct part {
	long long *v;
	size_t n, cap;
	int busy; /* a thread is in take_part or merge */
	int overlapped;
} part;

/* Parts made and freed, of every run (the threads' writes counted
 * atomically). */
static int parts_made, parts_freed;

static void *part_new(void *ctx)
{
	(void)ctx;
	__atomic_fetch_add(&parts_made, 1, __ATOMIC_RELAXED);
	return calloc(1, sizeof(part));
}

static void part_free(void *ctx, void *p)
{
	(void)ctx;
	__atomic_fetch_add(&parts_freed, 1, __ATOMIC_RELAXED);
	if (p)
		free(((part *)p)->v);
	free(p);
}

/* Marks the part in use; notes when another thread has it too. */
static void enter(part *p)
{
	if (__atomic_exchange_n(&p->busy, 1, __ATOMIC_ACQ_REL))
		__atomic_store_n(&p->overlapped, 1, __ATOMIC_RELAXED);
}

static void leave(part *p)
{
	__atomic_store_n(&p->busy, 0, __ATOMIC_RELEASE);
}

/* Fails where take would (the sink's fail_at is read only). */
static int take_part(void *ctx, void *pp, ss_scope *sc, ss_diag *d)
{
	const sink *k = ctx;
	part *p = pp;
	enter(p);
	int r = 0;
	if ((size_t)sc->interval == k->fail_at)
		r = ss_diag_set(d, "report", 0, 0, "the sink stops at %zu", k->fail_at);
	else if (ss_array_room(&p->v, &p->cap, p->n, sizeof(*p->v)) < 0)
		r = ss_diag_oom(d);
	else
		p->v[p->n++] = sc->interval;
	leave(p);
	return r;
}

static int merge(void *ctx, void *pp, ss_diag *d)
{
	(void)d;
	sink *k = ctx;
	part *p = pp;
	enter(p);
	for (size_t i = 0; i < p->n; i++, k->n++)
		if (p->v[i] != (long long)k->n)
			k->out_of_order = 1;
	p->n = 0;
	k->out_of_order |= p->overlapped;
	leave(p);
	return 0;
}

static const ss_scope_sink_parts sink_parts = {part_new, take_part, merge, part_free};

/* Runs n items, into a sink that takes parts or not; returns the result,
 * with what the sink saw. */
static int run_into(size_t n, int shared, int parts, size_t item_fails, size_t sink_fails, sink *k,
		    maker *m, ss_diag *d)
{
	*k = (sink){0, sink_fails, 0};
	*m = (maker){item_fails, 0, 0, k, 0, 0};
	parts_made = parts_freed = 0;
	ss_scope_sink to = {take, k, parts ? &sink_parts : NULL};
	ss_scopes out = SS_SCOPES_INIT;
	out.sink = &to;
	ss_scope_maker mk = {m, sizeof(thread_state), make, state_free, shared, done};
	int r = ss_scopes_piped(&mk, n, &out, d);
	assert_int_equal(out.n, 0);
	ss_scopes_free(&out);
	assert_true(parts ? parts_made > 0 : parts_made == 0);
	assert_int_equal(parts_freed, parts_made);
	return r;
}

static void test_in_order(void **state)
{
	(void)state;
	static const size_t sizes[] = {0, 1, 255, 256, 257, 5000};
	for (int mode = 0; mode < 4; mode++)
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			int shared = mode & 1, parts = mode >> 1;
			sink k;
			maker m;
			ss_diag d = SS_DIAG_INIT;
			assert_int_equal(
			    run_into(sizes[i], shared, parts, SIZE_MAX, SIZE_MAX, &k, &m, &d), 0);
			assert_int_equal(k.n, sizes[i]);
			assert_false(k.out_of_order);
			assert_false(m.backwards);
			assert_int_equal(m.state_freed, 2); /* the caller's and the thread's */
			assert_int_equal(m.done, sizes[i]);
			assert_false(m.done_wrong);
		}
}

/* The scopes before the failing item reach the sink, then its error. */
static void test_item_fails(void **state)
{
	(void)state;
	static const size_t at[] = {0, 255, 256, 700, 4999};
	for (int mode = 0; mode < 4; mode++)
		for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
			int shared = mode & 1, parts = mode >> 1;
			sink k;
			maker m;
			ss_diag d = SS_DIAG_INIT;
			assert_int_equal(run_into(5000, shared, parts, at[i], SIZE_MAX, &k, &m, &d),
					 -1);
			assert_int_equal(k.n, at[i]);
			assert_false(k.out_of_order);
			/* The chunks before the failing item's are done. */
			assert_int_equal(m.done, at[i] / SS_SCOPES_PIPED_MIN * SS_SCOPES_PIPED_MIN);
			assert_false(m.done_wrong);
			char want[64];
			snprintf(want, sizeof(want), "item %zu failed", at[i]);
			assert_string_equal(d.message, want);
			ss_diag_clear(&d);
		}
}

/* The sink's error ends it; no scope after it is taken. */
static void test_sink_fails(void **state)
{
	(void)state;
	for (int mode = 0; mode < 4; mode++) {
		int shared = mode & 1, parts = mode >> 1;
		sink k;
		maker m;
		ss_diag d = SS_DIAG_INIT;
		assert_int_equal(run_into(5000, shared, parts, SIZE_MAX, 1234, &k, &m, &d), -1);
		assert_int_equal(k.n, 1234);
		assert_string_equal(d.message, "the sink stops at 1234");
		ss_diag_clear(&d);
		/* Both fail: the sink's error comes first when it is earlier,
		 * also within one chunk (a part fails before its item). */
		assert_int_equal(run_into(5000, shared, parts, 3000, 1234, &k, &m, &d), -1);
		assert_string_equal(d.message, "the sink stops at 1234");
		ss_diag_clear(&d);
		assert_int_equal(run_into(5000, shared, parts, 1240, 1234, &k, &m, &d), -1);
		assert_int_equal(k.n, 1234);
		assert_string_equal(d.message, "the sink stops at 1234");
		ss_diag_clear(&d);
		/* The item's error first when it is earlier in its chunk. */
		assert_int_equal(run_into(5000, shared, parts, 1230, 1234, &k, &m, &d), -1);
		assert_int_equal(k.n, 1230);
		assert_string_equal(d.message, "item 1230 failed");
		ss_diag_clear(&d);
	}
}

/* ss_scopes_make: below SS_SCOPES_PIPED_MIN items, or without streaming,
 * on this thread alone;
 * without streaming every scope stays in the list; an item that fails
 * leaves nothing of its own. */
static void test_make(void **state)
{
	(void)state;
	static const size_t sizes[] = {0, 1, SS_SCOPES_PIPED_MIN, SS_SCOPES_PIPED_MIN + 1, 3000};
	for (int stream = 0; stream < 2; stream++)
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			size_t n = sizes[i], fail = n > 1 ? n / 2 : SIZE_MAX;
			for (int fails = 0; fails < 2; fails++) {
				sink k = {0, SIZE_MAX, 0};
				maker m = {fails ? fail : SIZE_MAX, 0, 0, &k, 0, 0};
				ss_scope_sink to = {take, &k, NULL};
				ss_scopes out = SS_SCOPES_INIT;
				out.sink = &to;
				ss_diag d = SS_DIAG_INIT;
				ss_scope_maker mk = {&m,  sizeof(thread_state), make, state_free, 1,
						     done};
				int r = ss_scopes_make(&mk, n, stream, &out, &d);
				size_t made = fails && fail != SIZE_MAX ? fail : n;
				assert_int_equal(r, made < n ? -1 : 0);
				assert_int_equal(stream ? k.n : out.n, made);
				assert_int_equal(stream ? out.n : k.n, 0);
				assert_false(k.out_of_order);
				assert_false(m.backwards);
				/* Done as they reach the sink (piped: the chunks
				 * before the failing item's); not without one. */
				size_t piped = stream && n > SS_SCOPES_PIPED_MIN;
				size_t chunks = made / SS_SCOPES_PIPED_MIN * SS_SCOPES_PIPED_MIN;
				assert_int_equal(m.done, !stream	     ? 0
							 : piped && made < n ? chunks
									     : made);
				assert_false(m.done_wrong);
				/* Two threads' states when piped, one else, none
				 * without items. */
				assert_int_equal(m.state_freed, !n ? 0
								: stream && n > SS_SCOPES_PIPED_MIN
								    ? 2
								    : 1);
				for (size_t j = 0; j < out.n; j++)
					assert_int_equal(out.v[j].interval, (long long)j);
				ss_scopes_free(&out);
				ss_diag_clear(&d);
			}
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_in_order),
	    cmocka_unit_test(test_item_fails),
	    cmocka_unit_test(test_sink_fails),
	    cmocka_unit_test(test_make),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
