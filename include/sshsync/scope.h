/* The unified keepalive model: what one scope (a host, a Match block, a
 * session, a site) really gets, and the policy it is judged against. */
#ifndef SSHSYNC_SCOPE_H
#define SSHSYNC_SCOPE_H

#include <stddef.h>
#include <stdint.h>

#include "sshsync/arena.h"
#include "sshsync/buf.h"
#include "sshsync/diag.h"

#define SS_UNSET (-1L)	 /* no such setting / not given */
#define SS_UNKNOWN (-2L) /* depends on runtime (Match exec): cannot be computed */

typedef enum ss_winscp_ping {
	SS_PING_KEEP = 0, /* 1, unless a site already uses 2 */
	SS_PING_NULL = 1, /* null SSH packets */
	SS_PING_DUMMY = 2 /* dummy protocol commands */
} ss_winscp_ping;

typedef struct ss_policy {
	long interval;	    /* seconds, SS_UNSET when not asked */
	long count_max;	    /* SS_UNSET when not asked */
	long tcp_keepalive; /* 0, 1 or SS_UNSET */
	long nat_timeout;   /* seconds, default 240 */
	ss_winscp_ping winscp_ping;
	const char *ansi_codepage; /* of .reg files without a UTF-16 BOM; NULL: Windows-1252 */
} ss_policy;

#define SS_DEFAULT_NAT_TIMEOUT 240L

/* The name of the scope that stands for a whole file that cannot be read. */
#define SS_ERROR_SCOPE "(file)"

void ss_policy_init(ss_policy *p);

/* How a client's setting turns into keepalives on the wire, where the two
 * differ: on an idle connection the client sends one every `factor` times
 * the setting. */
typedef struct ss_period_rule {
	const char *setting; /* the keyword, "ClientAliveInterval" */
	long factor;
	const char *why; /* the client's reason, one clause */
} ss_period_rule;

/* Why a scope fails (or its error), each reason a string in the scope's
 * list's arena, or a static one: a 100,000-site audit makes tens of
 * thousands of them, which one allocation each made a tenth of its time. */
typedef struct ss_reasons {
	const char **v; /* in the arena too */
	size_t n, cap;
} ss_reasons;

typedef struct ss_scope {
	const char *kind; /* static string: "ssh", "sshd", "putty", ... */
	/* file, name, set_at, witness and the reasons live in `arena`, the
	 * list's: they go with the scope (ss_scopes_truncate, settle, free) */
	const char *file;
	const char *name;
	/* effective seconds; 0 off; SS_UNKNOWN. 64 bits everywhere: PuTTY's
	 * and WinSCP's minutes*60 pass 2^31 (long has 32 bits on Windows). */
	long long interval;
	long count_max;	    /* SS_UNSET where the client has none */
	long tcp_keepalive; /* 0, 1, SS_UNSET where the client has none */
	const char *set_at; /* "file:line" of the interval, NULL for the default */
	/* NULL: a keepalive every `interval` seconds (static, owned by the client) */
	const ss_period_rule *period_rule;
	const char *witness; /* the host a pattern or Match scope is judged on, as
				`ssh -G WITNESS` takes it; NULL where there is none */
	int error;	     /* could not be evaluated: the reasons say why */
	/* the client has no keepalive for it (WinSCP WebDAV and S3 sites): never
	 * judged, never written; the reasons say why (status "n/a") */
	int not_applicable;
	ss_reasons reasons; /* why it fails (or the error); empty when it passes */
	ss_arena *arena;    /* its list's */
} ss_scope;

/* Where finished scopes go while an audit runs, when the report is
 * written as they come (JSON): each is handed over once and then dropped,
 * so that a fleet's scopes are never all held. `take` may change the scope
 * (the engine judges it there) and returns -1 with `d` set to stop. */
typedef struct ss_scope_sink_parts ss_scope_sink_parts;
typedef struct ss_scope_sink {
	int (*take)(void *ctx, ss_scope *sc, ss_diag *d);
	void *ctx;
	const ss_scope_sink_parts *parts; /* NULL: take only */
} ss_scope_sink;

/* A sink that can take scopes on several threads: each thread takes a run
 * of scopes into a part of its own (take_part: what take would do, kept
 * apart), and the caller's thread merges the parts in the scopes' order
 * (merge, which empties the part for the next run). Merged in order, the
 * parts leave the sink exactly as take on each scope would have. take_part
 * runs at once with take_part on other parts and with merge of other
 * parts; a part is used by one thread at a time. A 100,000-site audit's
 * table was kept on one thread, waiting on the scopes another had made. */
struct ss_scope_sink_parts {
	void *(*part_new)(void *ctx); /* NULL when memory runs out */
	int (*take_part)(void *ctx, void *part, ss_scope *sc, ss_diag *d);
	int (*merge)(void *ctx, void *part, ss_diag *d);
	void (*part_free)(void *ctx, void *part); /* NULL part: nothing */
};

typedef struct ss_scopes {
	ss_scope *v;
	size_t n;
	size_t cap;
	/* The scopes' strings (made with the first scope; a pointer, so that
	 * the list may move): a fleet has tens of thousands of scopes, and the
	 * scopes of one file share its name. */
	ss_arena *arena;
	/* NULL: every scope stays in the list. Else ss_scopes_settle hands the
	 * scopes to it and drops them. */
	const ss_scope_sink *sink;
} ss_scopes;

#define SS_SCOPES_INIT                                                                             \
	{                                                                                          \
		NULL, 0, 0, NULL, NULL                                                             \
	}

/* When there is a sink: hands every scope of the list to it, in order, and
 * drops them. A client calls it between scopes once nothing it added can
 * be taken back (its files are read: what fails later is memory, which
 * ends the whole audit); the engine after each target. -1 with `d` set
 * when the sink stops. */
int ss_scopes_settle(ss_scopes *s, ss_diag *d);

/* Appends a scope with interval 0, count_max and tcp_keepalive SS_UNSET,
 * set_at NULL. Returns NULL when memory runs out. */
ss_scope *ss_scopes_add(ss_scopes *s, const char *kind, const char *file, const char *name);
/* Room for `more` scopes beyond those there, so that adding them moves
 * nothing (a fleet's scopes grown by doubling held one and a half copies
 * at once). -1 when memory runs out. */
int ss_scopes_reserve(ss_scopes *s, size_t more);
int ss_scope_set_at(ss_scope *sc, const char *where); /* copies; NULL clears */
int ss_scope_reason(ss_scope *sc, const char *fmt, ...) SS_PRINTF(2, 3);
/* A reason of `len` bytes for the caller to write, its NUL written; NULL
 * when memory runs out. */
char *ss_scope_reason_room(ss_scope *sc, size_t len);
/* A reason that outlives the list (a string constant), not copied. */
int ss_scope_reason_static(ss_scope *sc, const char *reason);
/* Adds the reasons a policy finds (off, not shorter than the NAT timeout,
 * differs from the asked interval). */
int ss_scope_judge(ss_scope *sc, const ss_policy *p);
/* Seconds between keepalives on an idle connection, as the client really
 * sends them: the interval through the scope's period rule (0 off,
 * SS_UNKNOWN unknown). The NAT judgement uses it; --interval compares the
 * setting. */
long long ss_scope_period(const ss_scope *sc);
/* The largest setting whose period is shorter than `nat_timeout` (0: none). */
long ss_scope_largest_passing(const ss_scope *sc, long nat_timeout);
int ss_scope_failed(const ss_scope *sc);
/* "pass", "fail", "error" or "n/a". */
const char *ss_scope_status(const ss_scope *sc);
int ss_scope_set_witness(ss_scope *sc, const char *witness); /* copies; NULL clears */
/* Drops the scopes from index n on (those a failed target had added). */
void ss_scopes_truncate(ss_scopes *s, size_t n);
/* Appends the error scope of a file that cannot be read or parsed: the
 * scope "(file)" with status error and the message as its reason. */
ss_scope *ss_scopes_add_error(ss_scopes *s, const char *kind, const char *file,
			      const char *message);
void ss_scopes_free(ss_scopes *s);

/* Scopes kept small: where each is and its interval, nothing else (apply's
 * JSON report holds every scope before and after: 100,000 sites). */
typedef struct ss_brief {
	const char *kind; /* static, as the scope's */
	uint32_t file;	  /* offsets into the list's names */
	uint32_t name;
	long long interval; /* as the scope's */
	int error;
} ss_brief;

typedef struct ss_briefs {
	ss_brief *v;
	size_t n, cap;
	ss_buf names;	    /* one after another, each ending in NUL */
	uint32_t last_file; /* the file of the scope before, once for a run of them */
} ss_briefs;

#define SS_BRIEFS_INIT                                                                             \
	{                                                                                          \
		NULL, 0, 0, SS_BUF_INIT, 0                                                         \
	}

/* Appends the brief of `sc`; -1 when memory runs out (or the names pass
 * 4 GiB). */
int ss_briefs_add(ss_briefs *b, const ss_scope *sc);
/* Gives back the room the list kept for more (once every scope is in). */
void ss_briefs_fit(ss_briefs *b);
const char *ss_brief_file(const ss_briefs *b, const ss_brief *x);
const char *ss_brief_name(const ss_briefs *b, const ss_brief *x);
void ss_briefs_free(ss_briefs *b);

/* The scopes after apply, read back, paired with the scopes before: the
 * pair of before's i is the scope after at index i when that one is at
 * the same place (kind, file, name), else the first scope after at that
 * place, else none. The scopes after are not kept, only each pair's
 * interval (apply's JSON of 100,000 sites held 6.3 MB of them). */
typedef struct ss_after {
	long long direct, first; /* intervals: the scope at index i; the first at the place */
	unsigned char has_direct, direct_error, has_first, first_error;
} ss_after;

typedef struct ss_pairing {
	const ss_briefs *before;
	ss_after *v;	/* one per scope before */
	size_t seen;	/* scopes after so far */
	uint32_t *slot; /* by place, the first scope before there + 1; made when
			   a scope after is out of place (or at the end) */
	size_t mask;
} ss_pairing;

#define SS_PAIRING_INIT                                                                            \
	{                                                                                          \
		NULL, NULL, 0, NULL, 0                                                             \
	}

/* -1 when memory runs out (nothing held then). `before` must outlive p. */
int ss_pairing_start(ss_pairing *p, const ss_briefs *before);
/* The next scope after, in the audit's order; -1 when memory runs out. */
int ss_pairing_add(ss_pairing *p, const ss_scope *sc);
/* Once every scope after is in; -1 when memory runs out. */
int ss_pairing_end(ss_pairing *p);
/* 1 and the interval and error of the pair of before's i; 0: none. */
int ss_pairing_after(const ss_pairing *p, size_t i, long long *interval, int *error);
void ss_pairing_free(ss_pairing *p);

#endif
