/* The sshsync tool's commands (internal to src/cli). */
#ifndef SSHSYNC_CLI_H
#define SSHSYNC_CLI_H

#include <stdio.h>
#include "sshsync/buf.h"
#include "sshsync/diag.h"
#include "sshsync/report.h"
#include "sshsync/scope.h"
#include "sshsync/target.h"

enum { EXIT_OK = 0, EXIT_AUDIT_FAILED = 1, EXIT_CHECK_CHANGES = 1, EXIT_TROUBLE = 2 };

/* What every command shares: options before the command. */
typedef struct cli_globals {
	const char *policy_file;
} cli_globals;

typedef int (*cli_command_fn)(int argc, char **argv, const cli_globals *g);

int cmd_discover(int argc, char **argv, const cli_globals *g);
int cmd_audit(int argc, char **argv, const cli_globals *g);
int cmd_apply(int argc, char **argv, const cli_globals *g);
int cmd_export(int argc, char **argv, const cli_globals *g);
int cmd_undo(int argc, char **argv, const cli_globals *g);
int cmd_migrate(int argc, char **argv, const cli_globals *g);
int cmd_probe(int argc, char **argv, const cli_globals *g);

/* Prints "sshsync: FILE:LINE:COL: message" and returns EXIT_TROUBLE. */
int cli_fail(const ss_diag *d);
/* Writes s[0..len) to f. File content and file names never act on a
 * terminal: every byte that could is shown as \xNN (ss_text_add_printable
 * with `flags`), always when `always`, else when f is a terminal (a diff
 * to a pipe stays byte for byte). */
void cli_put(FILE *f, const char *s, size_t len, int flags, int always);
/* Prints "sshsync: message" (control characters shown as \xNN). */
void cli_note_error(const char *message);
/* Prints "sshsync: message" plus a hint to --help; returns EXIT_TROUBLE. */
int cli_usage_error(const char *command, const char *fmt, ...) SS_PRINTF(2, 3);
void cli_print_help(const char *command);

/* The policy: defaults, then the policy file, then the command line. */
int cli_load_policy(const cli_globals *g, ss_policy *p, ss_diag *d);
int cli_option_seconds(const char *command, const char *option, const char *value, long min,
		       long *out);
/* A time option (--interval, --nat-timeout): OpenSSH's syntax, 1 s or more. */
int cli_option_time(const char *command, const char *option, const char *value, long *out);

/* Appends the names of a file, one a line ("-" is standard input): line
 * ends (LF or CRLF) removed, empty lines skipped. */
int cli_read_names(const char *path, ss_buf *out, ss_diag *d);

/* Fills the text table's layout: the width ($COLUMNS, else the terminal's
 * when writing to one, else 80), $HOME and the current directory. Returns
 * the current directory for the caller to free (ro->cwd points to it). */
char *cli_text_layout(ss_report_opts *ro, const char *output);

/* The targets named on the command line, or else those discover finds
 * (system files only when `with_system`). For apply, a skipped system file
 * is noted on stderr and a target that cannot be used is an error; for
 * audit, it is kept with its message (an error scope of the report). */
int cli_targets(char **args, int nargs, int with_system, int for_apply, ss_targets *out,
		ss_diag *d);

#endif
