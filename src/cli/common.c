/* What the commands share: errors, policy, targets. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "sshsync/discover.h"
#include "sshsync/policyfile.h"
#include "sshsync/text.h"
#include "sshsync/report.h"
#include "sshsync/os_file.h"
#include "sshsync/os_term.h"

int cli_fail(const ss_diag *d)
{
	char *msg = ss_diag_format(d);
	fprintf(stderr, "sshsync: %s\n", msg ? msg : "out of memory");
	free(msg);
	return EXIT_TROUBLE;
}

void cli_put(FILE *f, const char *s, size_t len, int flags, int always)
{
	if (!always && !ss_os_is_terminal(f)) {
		fwrite(s, 1, len, f);
		return;
	}
	ss_buf b = SS_BUF_INIT;
	if (ss_text_add_printable(&b, s, len, flags) == 0)
		fwrite(b.data, 1, b.len, f);
	else
		fputs("(out of memory)", f);
	ss_buf_release(&b);
}

void cli_note_error(const char *message)
{
	ss_buf b = SS_BUF_INIT;
	if (ss_report_add_printable(&b, message) == 0)
		fprintf(stderr, "sshsync: %s\n", ss_buf_str(&b));
	ss_buf_release(&b);
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;
	fputs("sshsync: ", stderr);
	if (command)
		fprintf(stderr, "%s: ", command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'sshsync %s%s--help'.\n", command ? command : "",
		command ? " " : "");
	return EXIT_TROUBLE;
}

int cli_load_policy(const cli_globals *g, ss_policy *p, ss_diag *d)
{
	ss_policy_init(p);
	if (g->policy_file)
		return ss_policy_load(g->policy_file, p, d);
	return 0;
}

int cli_option_seconds(const char *command, const char *option, const char *value, long min,
		       long *out)
{
	int r = ss_parse_seconds(value, min, out);
	if (r == -2)
		cli_usage_error(command, "%s: '%s' is too large (at most %d)", option, value,
				INT_MAX);
	else if (r < 0)
		cli_usage_error(command, "%s: '%s' is not a whole number%s", option, value,
				min > 0 ? " of 1 or more" : " of 0 or more");
	return r < 0 ? -1 : 0;
}

int cli_option_time(const char *command, const char *option, const char *value, long *out)
{
	int r = ss_parse_time(value, 1, out);
	if (r == -2)
		cli_usage_error(command,
				"%s: '%s' is too large (at most %d seconds, about 68 years)",
				option, value, INT_MAX);
	else if (r < 0)
		cli_usage_error(command,
				"%s: '%s' is not a time of 1 second or more (seconds, or "
				"as OpenSSH writes times: 90s, 1m30s, 2m, 1h)",
				option, value);
	return r < 0 ? -1 : 0;
}

/* A target that cannot be read, kept with its message (audit reports it). */
static int keep_error(const char *arg, const ss_target *t, ss_targets *out, ss_diag *d)
{
	const char *path = arg;
	size_t n = t->client ? strlen(t->client->kind) : 0;
	if (n && strncmp(arg, t->client->kind, n) == 0 && arg[n] == ':')
		path = arg + n + 1;
	char *msg = ss_diag_format(d);
	int r = msg ? ss_targets_add_error(out, t->client, path, msg) : -1;
	free(msg);
	if (r < 0)
		return ss_diag_oom(d);
	ss_diag_clear(d);
	return 0;
}

static int targets_from_args(char **args, int nargs, int keep_errors, ss_targets *out, ss_diag *d)
{
	for (int i = 0; i < nargs; i++) {
		ss_target t;
		int p = ss_target_parse(args[i], &t, d);
		if (p == -1 && keep_errors && !ss_diag_is_oom(d)) {
			if (keep_error(args[i], &t, out, d) < 0)
				return -1;
			continue;
		}
		if (p < 0)
			return -1;
		int r = ss_targets_add(out, t.client, t.path, 0);
		ss_target_free(&t);
		if (r < 0)
			return ss_diag_oom(d);
	}
	return 0;
}

/* ssh reads ~/.ssh/config before the system file; when only the system
 * file exists, apply without --system gives the user's defaults a new
 * ~/.ssh/config (when ~/.ssh exists), so that every host gets them. */
static int add_user_ssh_config(const ss_discover_env *env, const ss_targets *found, ss_targets *out,
			       ss_diag *d)
{
	const ss_client *ssh = ss_client_find("ssh");
	int system = 0;
	for (size_t i = 0; i < found->n; i++) {
		if (found->v[i].client != ssh)
			continue;
		if (!found->v[i].system)
			return 0; /* the user's file exists */
		system = 1;
	}
	if (!ssh || !system || !env->home || !*env->home)
		return 0;
	char *dir = ss_asprintf("%s/.ssh", env->home);
	char *path = ss_asprintf("%s/.ssh/config", env->home);
	ss_stat st;
	int r = dir && path ? 0 : ss_diag_oom(d);
	if (r == 0 && ss_os_stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		r = ss_targets_add(out, ssh, path, 0) < 0 ? ss_diag_oom(d) : 0;
	free(dir);
	free(path);
	return r;
}

static int collect_targets(char **args, int nargs, int with_system, int for_apply, ss_targets *out,
			   ss_diag *d)
{
	if (nargs > 0)
		return targets_from_args(args, nargs, !for_apply, out, d);
	ss_discover_env env;
	ss_discover_env_init(&env);
	ss_targets found = SS_TARGETS_INIT;
	int r = ss_discover(&env, &found, d);
	for (size_t i = 0; i < found.n && r == 0; i++) {
		const ss_target *t = &found.v[i];
		if (t->system && !with_system) {
			if (for_apply) {
				fputs("sshsync: skipping system file ", stderr);
				cli_put(stderr, t->path, strlen(t->path), 0, 1);
				fputs(" (use --system)\n", stderr);
			}
			continue;
		}
		if (ss_targets_add(out, t->client, t->path, t->system) < 0)
			r = ss_diag_oom(d);
	}
	if (r == 0 && for_apply && !with_system)
		r = add_user_ssh_config(&env, &found, out, d);
	ss_targets_free(&found);
	if (r == 0 && out->n == 0)
		r = ss_diag_set(d, NULL, 0, 0,
				"no settings files found on this machine; name one "
				"as KIND:PATH (see 'sshsync discover')");
	return r;
}

int cli_targets(char **args, int nargs, int with_system, int for_apply, ss_targets *out, ss_diag *d)
{
	if (collect_targets(args, nargs, with_system, for_apply, out, d) < 0)
		return -1;
	ss_strlist notes = SS_STRLIST_INIT;
	int r = ss_targets_dedupe(out, &notes) < 0 ? ss_diag_oom(d) : 0;
	/* apply plans an included target with its includer itself. */
	if (r == 0 && !for_apply)
		r = ss_targets_drop_included(out, &notes, d);
	for (size_t i = 0; i < notes.n; i++)
		cli_note_error(notes.v[i]);
	ss_strlist_release(&notes);
	return r;
}

int cli_read_names(const char *path, ss_buf *out, ss_diag *d)
{
	int is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	if (!f)
		return ss_diag_errno(d, path, "cannot open the host file");
	int r = 0, c = 0;
	while (r == 0 && c != EOF) {
		size_t at = out->len;
		while ((c = getc(f)) != EOF && c != '\n')
			if (ss_buf_addc(out, (char)c) < 0) {
				r = ss_diag_oom(d);
				break;
			}
		size_t len = out->len - at;
		if (r == 0 && len && out->data[out->len - 1] == '\r')
			len--;
		/* A name ends at a NUL byte, as a C string; an empty line is none. */
		const char *nul = len ? memchr(out->data + at, '\0', len) : NULL;
		out->len = at + (nul ? (size_t)(nul - (out->data + at)) : len);
		if (out->data)
			out->data[out->len] = '\0';
		if (r == 0 && len && ss_buf_addc(out, '\0') < 0)
			r = ss_diag_oom(d);
	}
	if (r == 0 && ferror(f))
		r = ss_diag_errno(d, is_stdin ? "standard input" : path,
				  "cannot read the host file");
	if (!is_stdin)
		fclose(f);
	return r;
}
