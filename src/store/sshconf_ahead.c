/* An OpenSSH configuration lexed ahead by a second thread, in batches of
 * lines that the caller takes in order. */
#include "sshsync/sshconf_ahead.h"

#include <stdlib.h>

#include "sshsync/os_sys.h"

/* Lines a batch, and batches lexed ahead at most: about a megabyte,
 * whatever the file's size. The first batches are small, so that the
 * walk starts soon; the later ones larger, so that the threads seldom
 * wait for each other (a wait and its wake cost tens of microseconds).
 * Larger batches than these were slower here: they leave the cache. */
enum { FIRST_LINES = 128, AHEAD_LINES = 1024, AHEAD_BATCHES = 8 };

typedef struct ahead_batch {
	ss_sshconf_lexer lx;   /* its items' strings, kept from line to line */
	ss_sshconf_item *item; /* AHEAD_LINES, in `items` */
	size_t n;
	int end;    /* the text ends after these items */
	int failed; /* the line after them does not lex: `why` */
	ss_diag why;
} ahead_batch;

struct ss_sshconf_ahead {
	/* The caller's text, copied: its bytes stay, but the caller's copy may
	 * move meanwhile (an Include read while the walk goes on adds a file
	 * to an array that grows). */
	ss_text t;
	ss_os_monitor *m;
	ss_os_thread *thread;
	ahead_batch b[AHEAD_BATCHES]; /* batch k is b[k % AHEAD_BATCHES] */
	/* Every batch's items in one allocation: large enough that glibc
	 * maps it apart and gives it back when it is freed, where freed
	 * pieces of this thread's heap would stay in the process's memory
	 * (the strings are the other thread's: its heap shrinks when they are
	 * freed). */
	ss_sshconf_item *items;
	/* Under m: the batches lexed, those the caller is done with, whether
	 * it wants no more, and which thread waits for the other. */
	size_t filled, done;
	int stop, lexer_waits, caller_waits;
	/* The caller's alone: the batches it knows are lexed (it takes the
	 * lock only for another batch, not for every line), and the next item
	 * of batch `done`. */
	size_t ready, at;
};

/* The thread's: the next `lines` lines from *pos (line *line on) into b. */
static void fill_batch(const ss_text *t, ahead_batch *b, size_t lines, size_t *pos, size_t *line)
{
	ss_arena_reset(&b->lx.arena);
	b->n = 0;
	while (b->n < lines) {
		size_t start, end;
		if (!ss_sshconf_next_line(t, pos, &start, &end)) {
			b->end = 1;
			return;
		}
		if (ss_sshconf_lexer_span_more(&b->lx, t, *line, start, end, &b->item[b->n],
					       &b->why) < 0) {
			b->failed = 1;
			return;
		}
		(*line)++;
		b->n++;
	}
}

static void ahead_run(void *arg)
{
	ss_sshconf_ahead *a = arg;
	size_t pos = 0, line = 0, lines = FIRST_LINES;
	ss_os_monitor_enter(a->m);
	for (;;) {
		/* When all are full, on again once half are read: not woken
		 * for every batch. */
		while (a->filled - a->done == AHEAD_BATCHES && !a->stop) {
			a->lexer_waits = 1;
			ss_os_monitor_wait(a->m);
		}
		a->lexer_waits = 0;
		if (a->stop)
			break;
		/* A batch the caller is done with: this thread's alone. */
		ahead_batch *b = &a->b[a->filled % AHEAD_BATCHES];
		ss_os_monitor_leave(a->m);
		fill_batch(&a->t, b, lines, &pos, &line);
		lines = lines < AHEAD_LINES / 2 ? 2 * lines : AHEAD_LINES;
		int last = b->end || b->failed;
		ss_os_monitor_enter(a->m);
		a->filled++;
		if (a->caller_waits)
			ss_os_monitor_wake(a->m);
		if (last)
			break;
	}
	ss_os_monitor_leave(a->m);
}

static void ahead_free(ss_sshconf_ahead *a)
{
	for (size_t k = 0; k < AHEAD_BATCHES; k++) {
		ss_sshconf_lexer_free(&a->b[k].lx);
		ss_diag_clear(&a->b[k].why);
	}
	ss_os_monitor_free(a->m);
	free(a->items);
	free(a);
}

ss_sshconf_ahead *ss_sshconf_ahead_begin(const ss_text *t)
{
	ss_sshconf_ahead *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->t = *t; /* shallow: the same bytes */
	a->items = malloc(AHEAD_BATCHES * AHEAD_LINES * sizeof(*a->items));
	int ok = a->items && (a->m = ss_os_monitor_new()) != NULL;
	for (size_t k = 0; k < AHEAD_BATCHES; k++) {
		ahead_batch *b = &a->b[k];
		b->lx = (ss_sshconf_lexer)SS_SSHCONF_LEXER_INIT;
		b->why = (ss_diag)SS_DIAG_INIT;
		b->item = a->items ? a->items + k * AHEAD_LINES : NULL;
	}
	if (!ok || ss_os_thread_start(&a->thread, ahead_run, a) < 0) {
		ahead_free(a);
		return NULL;
	}
	return a;
}

int ss_sshconf_ahead_next(ss_sshconf_ahead *a, const ss_sshconf_item **it, ss_diag *d)
{
	for (;;) {
		if (a->ready == a->done) {
			ss_os_monitor_enter(a->m);
			while (a->filled == a->done) {
				a->caller_waits = 1;
				ss_os_monitor_wait(a->m);
			}
			a->caller_waits = 0;
			a->ready = a->filled;
			ss_os_monitor_leave(a->m);
		}
		/* Lexed before `filled` grew: no longer the thread's. */
		ahead_batch *b = &a->b[a->done % AHEAD_BATCHES];
		if (a->at < b->n) {
			*it = &b->item[a->at++];
			return 1;
		}
		if (b->end)
			return 0;
		if (b->failed) {
			ss_diag_clear(d);
			*d = b->why;
			b->why = (ss_diag)SS_DIAG_INIT;
			return -1;
		}
		ss_os_monitor_enter(a->m);
		a->done++;
		a->at = 0;
		if (a->lexer_waits && a->filled - a->done <= AHEAD_BATCHES / 2)
			ss_os_monitor_wake(a->m);
		ss_os_monitor_leave(a->m);
	}
}

void ss_sshconf_ahead_end(ss_sshconf_ahead *a)
{
	if (!a)
		return;
	ss_os_monitor_enter(a->m);
	a->stop = 1;
	ss_os_monitor_wake(a->m);
	ss_os_monitor_leave(a->m);
	ss_os_thread_join(a->thread);
	ahead_free(a);
}
