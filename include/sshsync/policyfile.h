/* The team policy file (DESIGN.md), read with iniparser:
 *
 *     [keepalive]
 *     interval = 60
 *     count_max = 3
 *     tcp_keepalive = yes
 *     nat_timeout = 240
 *     [winscp]
 *     ping_type = null
 */
#ifndef SSHSYNC_POLICYFILE_H
#define SSHSYNC_POLICYFILE_H

#include "sshsync/diag.h"
#include "sshsync/scope.h"

/* Sets in `p` what the file sets; a bad value or an unknown key names the
 * file and the key. */
int ss_policy_load(const char *path, ss_policy *p, ss_diag *d);

/* Value parsers shared with the command line; -1 on a bad value, -2 (for
 * numbers) when it is larger than the clients can store (INT_MAX). */
int ss_parse_seconds(const char *s, long min, long *out);
/* A time as OpenSSH writes it (misc.c convtime): "90", "90s", "1m30s",
 * "2m", units s, m, h, d, w in either case, no blanks or signs. */
int ss_parse_time(const char *s, long min, long *out);
int ss_parse_yes_no(const char *s, long *out);
int ss_parse_winscp_ping(const char *s, ss_winscp_ping *out);

#endif
