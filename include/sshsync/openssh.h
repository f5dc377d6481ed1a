/* The OpenSSH client configuration (ssh_config) as `ssh -G` evaluates it
 * (OpenSSH 9.2p1 readconf.c and ssh.c, with Debian 12's patches: the
 * ProtocolKeepAlives and SetupTimeOut aliases of ServerAliveInterval, and
 * ServerAliveInterval 300 by default when BatchMode is on).
 *
 * Loading reads the file and every file it Includes (globs in lexical
 * order, relative paths under ~/.ssh for a user config or /etc/ssh for a
 * system config, depth limit 16, included files must not be group/world
 * writable), checks every line the way ssh does whatever the host (unknown
 * keywords unless IgnoreUnknown names them, bad times, numbers, yes/no,
 * Match criteria, extra arguments) and indexes literal Host patterns so
 * that evaluating many hosts costs about one pass each over the lines that
 * can apply to them.
 *
 * Evaluation is first-value-wins over Host blocks (case-sensitive
 * patterns, `!`, `*`, `?`, commas literal) and Match blocks (all, host
 * after HostName, originalhost, user, localuser, canonical, final, exec),
 * with the second pass that `Match final` or CanonicalizeHostname asks
 * for. What depends on the running system (`Match exec`, DNS
 * canonicalisation) is never run: every outcome of each such condition that
 * is reached is followed (at most 64 combinations); a value all outcomes
 * agree on is known, any other is SS_UNKNOWN with the possible values and
 * the conditions in the reason.
 *
 * Not modelled: values of keywords that do not matter for keepalives are
 * checked only for their form where ssh's check is simple (yes/no, numbers,
 * times, one-word strings); algorithm lists, forwarding specs and the like
 * are accepted as written. Include paths are globbed as written (OpenSSH
 * 9.2 expands no %tokens or ${ENV} there). */
#ifndef SSHSYNC_OPENSSH_H
#define SSHSYNC_OPENSSH_H

#include <stddef.h>

#include "sshsync/buf.h"
#include "sshsync/changeset.h"
#include "sshsync/diag.h"
#include "sshsync/scope.h"
#include "sshsync/session.h"
#include "sshsync/sshmatch.h"

typedef struct ss_openssh_opts {
	/* -1: decide by path (a file named ssh_config, or under /etc/ or
	 * $SSHSYNC_SYSCONFDIR, is the system config), 0 user, 1 system. */
	int system;
	/* Directory for relative Include paths; NULL: ~/.ssh for a user
	 * config, the config's own directory for a file named ssh_config,
	 * else /etc/ssh. */
	const char *include_base;
	/* Replaces ~ in Include paths; NULL: $HOME (as ssh's glob does). */
	const char *home;
	/* The local user name (Match localuser, default for Match user);
	 * NULL: the current user's password entry. */
	const char *local_user;
	/* A missing file is an empty one (ssh reads a missing ~/.ssh/config
	 * so), which apply then creates. */
	int missing_empty;
	/* Index every setting line, not only those a keepalive depends on,
	 * for ss_openssh_settings (migration). */
	int all_settings;
	/* The main file's contents instead of what is on disk (to evaluate a
	 * planned change); NULL: read the file. */
	const char *main_bytes;
	size_t main_len;
	/* Keep no lexed line: enough to evaluate and audit (a fleet's tree is
	 * several times smaller), not to plan or migrate, which edit lines. */
	int lean;
	/* Lean, and the files' line tables go once the tree is built (its
	 * peak is then the text and the tree, not both and the tables); a
	 * line wanted again builds its file's table again. Not for a tree
	 * that plans, which reads lines. */
	int drop_lines;
	/* A lean tree's file of this many bytes or more is lexed ahead by a
	 * second thread while it is walked; 0: 1 MiB (the tests ask for 1). */
	size_t lex_ahead;
} ss_openssh_opts;

#define SS_OPENSSH_OPTS_INIT                                                                       \
	{                                                                                          \
		-1, NULL, NULL, NULL, 0, 0, NULL, 0, 0, 0, 0                                       \
	}

typedef struct ss_openssh ss_openssh; /* a loaded configuration tree */

int ss_openssh_load(ss_openssh **out, const char *path, const ss_openssh_opts *o, ss_diag *d);
/* Several files read one after the other as one configuration, as ssh
 * without -F reads ~/.ssh/config and then /etc/ssh/ssh_config: one
 * first-value-wins pass over both. Each file is a user or a system config
 * by its path (see `system` above); the user's own file must have safe
 * permissions, as ssh checks it then. */
int ss_openssh_load_chain(ss_openssh **out, const char *const *paths, size_t n,
			  const ss_openssh_opts *o, ss_diag *d);
/* 1 for a file named ssh_config or under /etc/ (or $SSHSYNC_SYSCONFDIR). */
int ss_openssh_is_system_path(const char *path);
void ss_openssh_free(ss_openssh *c);

/* The literal host names of the tree's Host lines (no '*', '?' or '!'),
 * each once, in order of first appearance. */
int ss_openssh_host_names(const ss_openssh *c, ss_strlist *out);

typedef struct ss_openssh_result {
	long interval;	    /* seconds, 0 off; SS_UNKNOWN when it depends on runtime */
	long count_max;	    /* SS_UNKNOWN likewise */
	long tcp_keepalive; /* 0 or 1; SS_UNKNOWN likewise */
	/* "file:line" of the line that set it, NULL for the default; owned by
	 * the tree, valid until its next evaluation (it keeps no string for
	 * each line a result named: a fleet's hosts each name their own) */
	const char *interval_at;
	const char *count_max_at;
	const char *tcp_keepalive_at;
	char *unknown_reason; /* why a value is SS_UNKNOWN, else NULL */
} ss_openssh_result;

#define SS_OPENSSH_RESULT_INIT                                                                     \
	{                                                                                          \
		0, 0, 0, NULL, NULL, NULL, NULL                                                    \
	}

/* What `ssh -G -F FILE HOST` prints for the keepalive settings. HOST may
 * be USER@HOST as on ssh's command line. Errors are the ones ssh would
 * stop with for this host (an unknown keyword that an IgnoreUnknown line
 * covers only for some hosts, a bad HostName escape). Not thread-safe: it
 * uses scratch space inside `c`. */
int ss_openssh_eval(ss_openssh *c, const char *host, ss_openssh_result *r, ss_diag *d);
/* The same, and *watched 1 when block `watch` (see ss_openssh_scopes) was
 * active for the host in some outcome of the runtime conditions. */
int ss_openssh_eval_watch(ss_openssh *c, const char *host, long watch, ss_openssh_result *r,
			  int *watched, ss_diag *d);
void ss_openssh_result_free(ss_openssh_result *r);

/* Every setting line that `ssh -G HOST` takes, for migration: per
 * keyword the first line that applies (every line for the keywords that
 * accumulate: IdentityFile, CertificateFile, LocalForward, RemoteForward,
 * DynamicForward, SendEnv), in the order ssh reads them. Needs a tree
 * loaded with `all_settings`. Runtime conditions (Match exec, DNS
 * canonicalisation) are taken as not matching; each one reached is named
 * in `runtime` so that the caller can report it. */
typedef struct ss_openssh_setting {
	const char *keyword; /* lowercase; points into the tree */
	ss_strlist args;     /* the values as ssh splits them */
	char *raw;	     /* the rest of the line as written (ProxyCommand and
				RemoteCommand take it so, comments included) */
	char *where;	     /* "file:line" */
	int literal;	     /* in a block a literal Host line naming the host governs */
} ss_openssh_setting;

typedef struct ss_openssh_settings {
	ss_openssh_setting *v;
	size_t n, cap;
	ss_strlist runtime; /* "Match exec at f:12", each once */
} ss_openssh_settings;

#define SS_OPENSSH_SETTINGS_INIT                                                                   \
	{                                                                                          \
		NULL, 0, 0, SS_STRLIST_INIT                                                        \
	}

int ss_openssh_settings_eval(ss_openssh *c, const char *host, ss_openssh_settings *out, ss_diag *d);
/* The first setting of `keyword` (lowercase), or NULL. */
const ss_openssh_setting *ss_openssh_settings_get(const ss_openssh_settings *s,
						  const char *keyword);
void ss_openssh_settings_free(ss_openssh_settings *s);

/* Migration (client.h sessions_read/sessions_plan): the sessions of an
 * ssh_config, one per literal Host name (or per name asked), each as
 * `ssh -G ALIAS` resolves it, plus one per jump hop (a hop is looked up
 * in the config as ssh does); and the edits that write sessions into one. */
int ss_openssh_sessions_read(const char *path, const ss_strlist *names, ss_sessions *out,
			     ss_diag *d);
int ss_openssh_sessions_plan(const char *path, ss_sessions *in, ss_changeset *cs, ss_diag *d);

/* The scopes beyond the literal names: each Host pattern block and each
 * Match block that can set a keepalive value (by its own lines or through
 * what it Includes), with the witness it is judged on. Names are the
 * block's line ("Host *.corp.example.com", "Match user deploy"), each once. */
typedef struct ss_openssh_scope {
	char *name;
	ss_strlist witnesses; /* HOST or USER@HOST as ssh takes them, to try in
				 order: the first that reaches the block (as
				 ss_openssh_eval_watch says) is the witness */
	char *no_witness;     /* why none can be made, else NULL */
	const char *file;     /* the block's file (points into the tree) */
	long block;	      /* for ss_openssh_eval_watch */
} ss_openssh_scope;

typedef struct ss_openssh_scopes {
	ss_openssh_scope *v;
	size_t n, cap;
} ss_openssh_scopes;

#define SS_OPENSSH_SCOPES_INIT                                                                     \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

int ss_openssh_block_scopes(const ss_openssh *c, ss_openssh_scopes *out, ss_diag *d);
void ss_openssh_scopes_free(ss_openssh_scopes *l);
/* A host name for "any other host": one that no Host line other than
 * `*` (and no Match host criterion) matches, if such a name can be found
 * among a few; newly allocated. */
char *ss_openssh_other_witness(const ss_openssh *c);

/* The edits that make every host get the policy (interval, and count max
 * and TCP keepalive when asked): every existing line in every file of the
 * tree gets the value, and one global line stands before the first
 * Host/Match of the main file. Moves the texts into `cs` (the tree can
 * only be freed afterwards). An included file that must change and cannot
 * be written is an error that names it. */
int ss_openssh_plan(ss_openssh *c, const ss_policy *p, ss_changeset *cs, ss_diag *d);

/* The small pieces, exactly as OpenSSH's: */
/* misc.c convtime(): seconds, or -1 when invalid ("1m30s" is 90). */
long ss_openssh_convtime(const char *s);
/* ssh.c valid_hostname() (Debian 12): 0 when ssh refuses this name on its
 * command line (shell metacharacters, ',', blanks, a leading '-'). */
int ss_openssh_valid_hostname(const char *s);
/* readconf.c parse_token(): 1 when ssh 9.2 (Debian) knows the keyword
 * (lowercase). */
int ss_openssh_keyword_known(const char *kw);

#endif
