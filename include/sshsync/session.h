/* The neutral session model for migration (client layer; DESIGN.md
 * "Migration: the session model", ../shared/MIGRATION.md Table 1).
 *
 * One ss_session per source session: an OpenSSH alias (a literal Host
 * name, resolved as `ssh -G ALIAS` resolves it), a PuTTY/KiTTY saved
 * session, a WinSCP site. Every field of Table 1 has its EFFECTIVE value
 * and where that value came from:
 *   SS_ORIGIN_DEFAULT           the source client's compiled-in default
 *                               (where == NULL);
 *   SS_ORIGIN_EXPLICIT          a line/value of the session itself (a Host
 *                               block naming the alias literally, the
 *                               session's own key);
 *   SS_ORIGIN_PATTERN           an OpenSSH line outside such a block (Host
 *                               pattern, Match, global lines);
 *   SS_ORIGIN_DEFAULT_SETTINGS  PuTTY's/WinSCP's "Default Settings" (only
 *                               ever for WinSCP's PuTTY-import path: PuTTY
 *                               sessions never inherit it).
 * Values are neutral: OpenSSH's units and spellings (seconds, algorithm
 * names, ssh_config token language where a field has tokens), so an
 * OpenSSH source is a plain copy and the other clients translate.
 *
 * Readers (client/openssh_migrate.c, client/putty_migrate.c, ...) fill
 * sessions and add the losses only they can see (a Match exec, a second
 * IdentityFile); writers turn sessions into edits of the target through
 * the changeset, and add what the target cannot express. Nothing here
 * reads or writes files. */
#ifndef SSHSYNC_SESSION_H
#define SSHSYNC_SESSION_H

#include <stdarg.h>
#include <stddef.h>

#include "sshsync/buf.h"
#include "sshsync/diag.h"

typedef enum ss_sfield {
	SS_F_HOST,	      /* str: HostName (OpenSSH default: the alias) */
	SS_F_PORT,	      /* num: 1..65535 (22) */
	SS_F_USER,	      /* str: user name; NULL = the local user (OpenSSH
				 without User, PuTTY UserNameFromEnvironment=1);
				 "" = ask (PuTTY's empty UserName) */
	SS_F_IDENTITY,	      /* list: key files in order (OpenSSH: every
				 IdentityFile as written, ~ and %tokens kept) */
	SS_F_CERTIFICATE,     /* list: CertificateFile / DetachedCertificate */
	SS_F_AGENT,	      /* num bool: use the agent (IdentityAgent none = 0) */
	SS_F_AGENT_FWD,	      /* num bool */
	SS_F_X11,	      /* num bool */
	SS_F_COMPRESSION,     /* num bool */
	SS_F_KEEPALIVE,	      /* num: seconds between keepalives, 0 off */
	SS_F_KEEPALIVE_COUNT, /* num: ServerAliveCountMax (3) */
	SS_F_TCP_KEEPALIVE,   /* num bool (OpenSSH yes, PuTTY 0) */
	SS_F_ADDRESS_FAMILY,  /* num: SS_AF_* */
	SS_F_HOST_KEY_ALIAS,  /* str or NULL: HostKeyAlias / LogHost */
	SS_F_REMOTE_COMMAND,  /* str or NULL: the command as the server receives it
				 (OpenSSH %tokens already expanded where known) */
	SS_F_PTY,	      /* num: SS_PTY_* */
	SS_F_NO_SHELL,	      /* num bool: SessionType none / SshNoShell */
	SS_F_ENV,	      /* list: "NAME=VALUE" in order */
	SS_F_FORWARDS,	      /* forwards: L/R/D entries, see ss_forward */
	SS_F_PROXY_COMMAND,   /* str or NULL: ssh_config token language
				 (%h %p %r %n %%) */
	SS_F_JUMP,	      /* hops: ProxyJump chain, see ss_hop */
	SS_F_CIPHERS,	      /* list: algorithm names as ssh -G prints them */
	SS_F_KEX,	      /* list */
	SS_F_HOST_KEY_ALGS,   /* list */
	SS_F_GSSAPI,	      /* num bool: GSSAPIAuthentication / AuthGSSAPI */
	SS_F_GSSAPI_DELEGATE, /* num bool: GSSAPIDelegateCredentials / GssapiFwd */
	SS_F_GSSAPI_KEX,      /* num bool: GSSAPIKeyExchange / AuthGSSAPIKEX */
	SS_F_COUNT
} ss_sfield;

typedef enum ss_sorigin {
	SS_ORIGIN_DEFAULT = 0,
	SS_ORIGIN_EXPLICIT,
	SS_ORIGIN_PATTERN,
	SS_ORIGIN_DEFAULT_SETTINGS
} ss_sorigin;

enum { SS_AF_ANY = 0, SS_AF_INET = 1, SS_AF_INET6 = 2 };		   /* PuTTY's numbers */
enum { SS_PTY_AUTO = 0, SS_PTY_YES = 1, SS_PTY_NO = 2, SS_PTY_FORCE = 3 }; /* RequestTTY */

typedef enum ss_sftype {
	SS_FT_BOOL,
	SS_FT_NUM,
	SS_FT_STR,
	SS_FT_LIST,
	SS_FT_FORWARDS,
	SS_FT_HOPS
} ss_sftype;

/* One forwarding, as ssh -G prints it apart: `localforward
 * [BIND:]PORT HOST:HOSTPORT`. */
typedef struct ss_forward {
	char kind;    /* 'L', 'R' or 'D' */
	int family;   /* SS_AF_*: PuTTY's 4/6 prefix; OpenSSH has none (any) */
	char *bind;   /* bind address or NULL */
	char *listen; /* port (or a Unix socket path: never carried to PuTTY) */
	char *host;   /* destination host, NULL for D */
	char *port;   /* destination port (or socket path), NULL for D */
} ss_forward;

/* One jump hop, first hop first. */
typedef struct ss_hop {
	char *user;	/* NULL: the hop's own (or default) user */
	char *host;	/* as written in ProxyJump: an alias or a host name */
	long long port; /* 0: the hop's own (or default) port */
	char *session;	/* the source session that stands for this hop (an
			   OpenSSH alias with a Host block of its own, a PuTTY
			   session named by ProxyHost), or NULL */
} ss_hop;

/* A field's value. list, fwd and hops share their room: a field has one
 * of those types (27 of these in each of 10,000 sessions); str stays
 * apart, as an algorithm list of a PuTTY source keeps its setting there
 * beside the list. */
typedef struct ss_sval {
	ss_sorigin origin;
	char *where;   /* "file:line" / "file: [key] Value", NULL for a default */
	long long num; /* SS_FT_BOOL / SS_FT_NUM */
	char *str;     /* SS_FT_STR: may be NULL (unset) */
	union {
		ss_strlist list; /* SS_FT_LIST */
		struct {
			ss_forward *fwd; /* SS_FT_FORWARDS */
			size_t nfwd;
		};
		struct {
			ss_hop *hops; /* SS_FT_HOPS */
			size_t nhops;
		};
	};
} ss_sval;

/* What could not be carried, or only approximately. */
typedef struct ss_loss {
	char *field;  /* neutral field name ("keepalive_count") or the source's
			 key ("ControlMaster") */
	char *reason; /* one sentence */
	int approx;   /* 1: carried approximately, 0: not carried */
} ss_loss;

typedef struct ss_session {
	char *name; /* the source's session name (unescaped), alias, or
		       WinSCP "Folder/site" */
	char *file; /* the source file it came from */
	/* SS_F_COUNT values, one allocation apart from the session: NULL once
	 * let go (ss_sessions_planned). */
	ss_sval *f;
	/* Source settings outside the model, each "Keyword value" as the source
	 * writes it (OpenSSH: "ControlMaster auto"; PuTTY: "BugIgnore1=2"): a
	 * target of the same client may copy them, any other reports them.
	 * Packed: `nextra` settings one after another, each ending in its NUL
	 * (a PuTTY session has some 140: one allocation, not 140). */
	ss_buf extra;
	size_t nextra;
	ss_strlist extra_where; /* where each came from: kept for an OpenSSH
				   source only (its losses name the line) */
	ss_loss *loss;
	size_t nloss, losscap;
	int skip;	   /* not an SSH session (telnet, FTP...): the reason is a loss */
	const char *kind;  /* the source's client kind ("ssh", "putty"...), static */
	char *target_name; /* set by the writer: the session's name in the target */
} ss_session;

typedef struct ss_sessions {
	ss_session *v;
	size_t n, cap;
	/* 1: nothing reads a session's fields once a writer has planned it
	 * (set by the engine: no report of the fields, no lookup of another
	 * session), so ss_sessions_planned lets them go. */
	int release;
	/* A reader whose sessions never look up one another hands each on
	 * as soon as it is read (ss_sessions_read_one), so a writer can plan
	 * it at once (client.h sessions_read_plan); NULL: nobody asks. */
	int (*each)(void *ctx, struct ss_sessions *l, size_t i, ss_diag *d);
	void *each_ctx;
} ss_sessions;

#define SS_SESSIONS_INIT                                                                           \
	{                                                                                          \
		NULL, 0, 0, 0, NULL, NULL                                                          \
	}

/* A reader (client.h sessions_read). */
typedef int (*ss_sessions_reader)(const char *path, const ss_strlist *names, ss_sessions *out,
				  ss_diag *d);

/* Field table: the neutral name ("host", "keepalive_count"), the OpenSSH
 * keyword that carries it ("HostName"), the type. */
const char *ss_sfield_name(ss_sfield f);
const char *ss_sfield_openssh(ss_sfield f);
ss_sftype ss_sfield_type(ss_sfield f);
const char *ss_sorigin_name(ss_sorigin o); /* "default", "explicit", ... */

/* A new session at the end of the list with every field at OpenSSH's
 * compiled-in default for `name` (host = name, port 22, user NULL,
 * agent 1, TCP keepalive 1, count 3, ...); NULL when memory runs out. */
ss_session *ss_sessions_add(ss_sessions *l, const char *name, const char *file);
ss_session *ss_sessions_find(const ss_sessions *l, const char *name);
/* Room for `more` sessions, exactly (a session is large: a reader that
 * knows how many come asks once rather than doubling); -1 when memory
 * runs out. */
int ss_sessions_reserve(ss_sessions *l, size_t more);
void ss_sessions_free(ss_sessions *l);
/* A writer has planned session i: its fields, extra settings and file go
 * when l->release says nothing reads them any more (its name, target
 * name, skip and losses stay). */
void ss_sessions_planned(ss_sessions *l, size_t i);
/* A reader has appended its last session: handed on to l->each, if set. */
int ss_sessions_read_one(ss_sessions *l, ss_diag *d);
/* Resets one field to OpenSSH's default for the session. */
int ss_session_default(ss_session *s, ss_sfield f);
/* Field setters: free the old value, copy the new, set origin and where
 * (copied; NULL for a default). */
int ss_session_set_num(ss_session *s, ss_sfield f, long long v, ss_sorigin o, const char *where);
int ss_session_set_str(ss_session *s, ss_sfield f, const char *v, ss_sorigin o, const char *where);
int ss_session_list_add(ss_session *s, ss_sfield f, const char *v); /* appends */
int ss_session_add_forward(ss_session *s, const ss_forward *fw);    /* copies */
int ss_session_add_hop(ss_session *s, const ss_hop *h);		    /* copies */
int ss_session_set_origin(ss_session *s, ss_sfield f, ss_sorigin o, const char *where);
/* Clears a field's value (list, forwards, hops, string) keeping the origin. */
void ss_session_clear(ss_session *s, ss_sfield f);
/* Adds a loss (printf-style reason); a second identical one is dropped. */
int ss_session_loss(ss_session *s, const char *field, int approx, const char *fmt, ...)
    SS_PRINTF(4, 5);
int ss_session_lossv(ss_session *s, const char *field, int approx, const char *fmt, va_list ap)
    SS_PRINTF(4, 0);
/* The same with the reason as it is (copied): no printf over a long one. */
int ss_session_loss_text(ss_session *s, const char *field, int approx, const char *reason);
/* Appends an extra setting (copied) and, unless NULL, where it came from. */
int ss_session_extra_add(ss_session *s, const char *setting, const char *where);
/* The extra settings in order: `prev` NULL gives the first; NULL after
 * the last. */
const char *ss_session_extra_next(const ss_session *s, const char *prev);
/* The losses of the extra settings in a target of another client: one per
 * setting for an OpenSSH source ("ControlMaster auto"), one naming them
 * all for a PuTTY/KiTTY/WinSCP session (which holds every terminal and
 * window setting). `target` names the target client ("PuTTY"). */
int ss_session_extras_lost(ss_session *s, const char *target);
/* A literal text (a PuTTY path or command) in ssh_config's %-token
 * language: every % doubled. Newly allocated; NULL when memory runs out. */
char *ss_session_tokens(const char *literal);
/* 1 when field f holds the same value in a and b (origins ignored). */
int ss_sval_equal(ss_sfield f, const ss_sval *a, const ss_sval *b);
/* The value as one line of text (for reports and tests): "22", "yes",
 * "a,b", "L 127.0.0.1:8080 localhost:80; D 1080", "(local user)". */
int ss_sval_format(ss_sfield f, const ss_sval *v, ss_buf *out);

/* Names. A PuTTY/KiTTY/WinSCP session name as an OpenSSH Host token:
 * every byte that cannot stand in a Host token or on ssh's command line
 * (blanks and control bytes, * ? ! , ' ` " $ \ ; & < > | ( ) { } and
 * @ : [ ] # which ssh or ProxyJump would read as syntax), and a leading
 * '-', becomes %XX (uppercase hex); everything else is kept, so names
 * that are valid tokens stay as they are. The reverse decodes exactly
 * those %XX. Returns 1 when the name was respelled, 0 when not, -1 when
 * memory runs out. A name holding a literal "%XX" of that set would not
 * come back: ss_session_name_reversible says so. */
int ss_session_host_token(const char *name, ss_buf *out);
int ss_session_name_from_token(const char *token, ss_buf *out);
int ss_session_name_reversible(const char *name);

#endif
