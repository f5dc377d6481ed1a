/* probe: measures the idle timeout of the network path to a host (the NAT
 * or stateful firewall that forgets an idle connection) with the user's own
 * ssh, and recommends a keepalive interval.
 *
 * Several ssh connections are opened at once, each running
 * `echo R; sleep T; echo A` on the server with no keepalive of the client's
 * own (ServerAliveInterval 0, TCPKeepAlive no), so that the server speaks
 * first after T idle seconds. A connection whose A arrives in time survived
 * T; one whose A never arrives failed. It then writes a byte: if ssh then
 * ends, the path answered with a reset; if the A arrives after all, the
 * path re-created its mapping late (Linux's loose conntrack); if nothing
 * comes, it dropped the connection silently. Stage 1 doubles T up to the
 * maximum; stage 2 splits the first failing bracket in four. */
#ifndef SSHSYNC_PROBE_H
#define SSHSYNC_PROBE_H

#include <stdint.h>

#include "sshsync/buf.h"
#include "sshsync/diag.h"

typedef enum ss_probe_failure {
	SS_PROBE_NONE,	/* nothing failed up to the maximum */
	SS_PROBE_DROP,	/* silently: nothing arrives, even after the client writes */
	SS_PROBE_RESET, /* the path answered with a reset */
	SS_PROBE_LATE	/* the server's words arrived only after the client wrote */
} ss_probe_failure;

/* Called about once a second while waiting: what for, and the seconds
 * left at most. */
typedef void (*ss_probe_progress_fn)(void *ctx, const char *what, int64_t left_s);

typedef struct ss_probe_opts {
	const char *ssh;	       /* the program (NULL: "ssh", from PATH) */
	const char *host;	       /* [USER@]HOST */
	const char *ssh_config;	       /* ssh -F, or NULL */
	const ss_strlist *ssh_options; /* ssh -o, each; may be NULL */
	int64_t max_s;		       /* the longest idle time tried */
	int connections;	       /* at most this many at once */
	ss_probe_progress_fn progress; /* may be NULL */
	void *progress_ctx;
} ss_probe_opts;

typedef struct ss_probe_result {
	int64_t survived_s;	    /* the longest idle time that survived (0: none) */
	int64_t failed_s;	    /* the shortest that failed; -1 when none did */
	int64_t estimate_s;	    /* the timeout; -1 when none was found */
	ss_probe_failure failure;   /* how the shortest failing connection failed */
	int64_t server_keepalive_s; /* the server's keepalive gap seen; -1 none */
	int64_t recommended;	    /* the keepalive interval to use */
	int64_t elapsed_ms;
	int client_first;    /* the server runs no command: the client spoke first */
	char *jump;	     /* ProxyJump (or "ProxyCommand ..."), or NULL */
	ss_strlist warnings; /* things the user must know about the result */
} ss_probe_result;

#define SS_PROBE_RESULT_INIT                                                                       \
	{                                                                                          \
		0, -1, -1, SS_PROBE_NONE, -1, 0, 0, 0, NULL, SS_STRLIST_INIT                       \
	}

/* Runs the probe. Returns 0, or -1 with d set when ssh cannot be run or
 * the host cannot be reached, authenticated to or answered (within
 * seconds, before any idle wait). */
int ss_probe_run(const ss_probe_opts *o, ss_probe_result *r, ss_diag *d);
void ss_probe_result_free(ss_probe_result *r);

/* "drop", "reset", "late" or "none". */
const char *ss_probe_failure_name(ss_probe_failure f);
/* Half of `survived` rounded down to a round number of seconds (1, 2, 3,
 * 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 600, ...); at least 1. */
int64_t ss_probe_recommend(int64_t survived_s, int64_t failed_s);

#endif
