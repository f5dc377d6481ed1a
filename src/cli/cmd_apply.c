/* sshsync apply */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "sshsync/engine.h"
#include "sshsync/policyfile.h"
#include "sshsync/report.h"
#include "sshsync/safewrite.h"
#include "sshsync/text.h"

typedef struct apply_args {
	ss_policy policy;
	ss_apply_opts opts;
	int system;
	int check; /* --check: a dry run whose exit status says whether anything would change */
	int json;  /* --format json */
} apply_args;

enum {
	OPT_INTERVAL = 256,
	OPT_COUNT_MAX,
	OPT_TCP,
	OPT_PING,
	OPT_DRY_RUN,
	OPT_DIFF,
	OPT_NO_BACKUP,
	OPT_SYSTEM,
	OPT_POLICY,
	OPT_CHECK,
	OPT_FORMAT
};

typedef struct overrides {
	long interval, count_max, tcp;
	int ping_set;
	ss_winscp_ping ping;
} overrides;

static int parse_option(int c, overrides *o, apply_args *a, cli_globals *g)
{
	switch (c) {
	case OPT_INTERVAL:
		return cli_option_time("apply", "--interval", optarg, &o->interval);
	case OPT_COUNT_MAX:
		return cli_option_seconds("apply", "--count-max", optarg, 0, &o->count_max);
	case OPT_TCP:
		if (ss_parse_yes_no(optarg, &o->tcp) == 0)
			return 0;
		cli_usage_error("apply", "--tcp-keepalive: '%s' is not yes or no", optarg);
		return -1;
	case OPT_PING:
		if (ss_parse_winscp_ping(optarg, &o->ping) == 0) {
			o->ping_set = 1;
			return 0;
		}
		cli_usage_error("apply", "--winscp-ping: '%s' is not null or dummy", optarg);
		return -1;
	case OPT_DRY_RUN:
		a->opts.dry_run = 1;
		return 0;
	case OPT_DIFF:
		a->opts.want_diff = 1;
		return 0;
	case OPT_CHECK:
		a->check = 1;
		a->opts.dry_run = 1;
		return 0;
	case OPT_FORMAT:
		if (strcmp(optarg, "json") == 0 || strcmp(optarg, "text") == 0) {
			a->json = strcmp(optarg, "json") == 0;
			a->opts.want_scopes = a->json;
			return 0;
		}
		cli_usage_error("apply", "--format: '%s' is not text or json", optarg);
		return -1;
	case OPT_NO_BACKUP:
		a->opts.backup = 0;
		return 0;
	case OPT_SYSTEM:
		a->system = 1;
		return 0;
	case OPT_POLICY:
		g->policy_file = optarg;
		return 0;
	}
	return -1;
}

static int parse_args(int argc, char **argv, apply_args *a, cli_globals *g)
{
	static const struct option options[] = {
	    {"interval", required_argument, NULL, OPT_INTERVAL},
	    {"count-max", required_argument, NULL, OPT_COUNT_MAX},
	    {"tcp-keepalive", required_argument, NULL, OPT_TCP},
	    {"winscp-ping", required_argument, NULL, OPT_PING},
	    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
	    {"diff", no_argument, NULL, OPT_DIFF},
	    {"check", no_argument, NULL, OPT_CHECK},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"no-backup", no_argument, NULL, OPT_NO_BACKUP},
	    {"system", no_argument, NULL, OPT_SYSTEM},
	    {"policy", required_argument, NULL, OPT_POLICY},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	overrides o = {SS_UNSET, SS_UNSET, SS_UNSET, 0, SS_PING_KEEP};
	a->opts.backup = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (c == 'h') {
			cli_print_help("apply");
			return 1;
		}
		if (c == '?' || c == ':') {
			cli_usage_error("apply", "unknown option or missing value '%s'",
					argv[optind - 1]);
			return -1;
		}
		if (parse_option(c, &o, a, g) < 0)
			return -1;
	}
	ss_diag d = SS_DIAG_INIT;
	if (cli_load_policy(g, &a->policy, &d) < 0) {
		cli_fail(&d);
		ss_diag_clear(&d);
		return -1;
	}
	if (o.interval != SS_UNSET)
		a->policy.interval = o.interval;
	if (o.count_max != SS_UNSET)
		a->policy.count_max = o.count_max;
	if (o.tcp != SS_UNSET)
		a->policy.tcp_keepalive = o.tcp;
	if (o.ping_set)
		a->policy.winscp_ping = o.ping;
	if (a->policy.interval == SS_UNSET) {
		cli_usage_error("apply", "--interval N is required (or a policy file that sets "
					 "[keepalive] interval)");
		return -1;
	}
	if (a->opts.dry_run)
		a->opts.want_diff = 1;
	return 0;
}

/* 1 for a .reg file, 2 for Wine's user.reg (which Wine loads itself). */
static int ends_with_reg(const char *path)
{
	size_t n = strlen(path);
	if (n >= 8 && strcmp(path + n - 8, "user.reg") == 0 &&
	    (n == 8 || path[n - 9] == '/' || path[n - 9] == '\\'))
		return 2;
	return n > 4 && strcasecmp(path + n - 4, ".reg") == 0;
}

/* What makes a written change take effect, for the files of one kind. */
static const char *takes_effect(const char *kind, int reg)
{
	if (strcmp(kind, "ssh") == 0)
		return "ssh reads its configuration when it connects: new connections use it, "
		       "reconnect the open ones";
	if (strcmp(kind, "sshd") == 0)
		return "sshd uses it after systemctl reload ssh (or kill -HUP); open "
		       "connections keep the old value";
	if (reg == 2 || strcmp(kind, "winereg") == 0)
		return "Wine loads user.reg when its wineserver starts: the programs started "
		       "next in that prefix read the new values";
	if (reg)
		return "import the .reg file (regedit FILE or reg import FILE); sessions read it "
		       "when they start";
	if (strcmp(kind, "winscp") == 0)
		return "WinSCP reads the settings when a session starts (close it first: it "
		       "rewrites WinSCP.ini)";
	return "the settings are read when a session starts: open sessions keep the old value";
}

/* One line per kind (and per .reg or not) among the changed files. */
static int takes_effect_lines(const ss_apply_result *res, ss_strlist *out)
{
	for (size_t i = 0; i < res->changed.n; i++) {
		int reg = ends_with_reg(res->changed.v[i]), seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(res->kinds.v[j], res->kinds.v[i]) == 0 &&
			       ends_with_reg(res->changed.v[j]) == reg;
		if (!seen &&
		    ss_strlist_push_owned(out, ss_asprintf("%s: %s", res->kinds.v[i],
							   takes_effect(res->kinds.v[i], reg))) < 0)
			return -1;
	}
	return 0;
}

static void print_takes_effect(const ss_apply_result *res, FILE *f)
{
	ss_strlist lines = SS_STRLIST_INIT;
	if (takes_effect_lines(res, &lines) < 0)
		fputs("sshsync: out of memory\n", stderr);
	for (size_t i = 0; i < lines.n; i++)
		fprintf(f, "%s\n", lines.v[i]);
	ss_strlist_release(&lines);
}

static const char *mode_name(const apply_args *a)
{
	return a->check ? "check" : a->opts.dry_run ? "dry-run" : "apply";
}

/* With --format json, a failure is an object too: {"error": MESSAGE}. */
static void report_json_error(const apply_args *a, const ss_diag *error)
{
	char *msg = ss_diag_format(error);
	ss_buf out = SS_BUF_INIT;
	ss_diag d = SS_DIAG_INIT;
	if (msg && ss_report_apply_json_error(mode_name(a), msg, &out, &d) == 0)
		ss_engine_write_output(NULL, out.data, out.len, &d);
	ss_diag_clear(&d);
	ss_buf_release(&out);
	free(msg);
}

/* The diff, made into `to` a few whole lines at a time (ctx: the result). */
static int make_diff(void *ctx, const ss_sink *to, ss_diag *d)
{
	const ss_apply_result *res = ctx;
	ss_buf out = SS_BUF_INIT;
	int r = ss_apply_result_diff(res, &out, to, d);
	if (r == 0 && out.len)
		r = to->put(to->ctx, out.data, out.len, d);
	ss_buf_release(&out);
	return r;
}

/* Whether that diff is known to be strict UTF-8 without a NUL (ctx: the
 * result): then the JSON report makes it once, not twice. */
static int diff_plain(void *ctx)
{
	return ss_apply_result_diff_plain(ctx);
}

static int put_stdout(void *ctx, const void *data, size_t len, ss_diag *d)
{
	(void)ctx;
	return ss_engine_write_output(NULL, data, len, d);
}

/* The JSON report, written as it is made (a 100,000-site apply's is never
 * held whole). */
static int report_json(const apply_args *a, const ss_apply_result *res, ss_diag *d)
{
	ss_strlist effect = SS_STRLIST_INIT;
	ss_buf out = SS_BUF_INIT;
	ss_sink to_stdout = {put_stdout, NULL};
	ss_apply_report r = {a->check	       ? "check"
			     : a->opts.dry_run ? "dry-run"
					       : "apply",
			     !a->opts.dry_run,
			     a->policy.interval,
			     &res->changed,
			     &res->backups,
			     &res->kinds,
			     &res->unchanged,
			     &res->notes,
			     &res->warnings,
			     &effect,
			     &res->before,
			     a->opts.dry_run ? NULL : &res->after,
			     a->opts.want_diff ? make_diff : NULL,
			     a->opts.want_diff ? diff_plain : NULL,
			     (void *)res,
			     &to_stdout};
	int rc = !a->opts.dry_run && takes_effect_lines(res, &effect) < 0 ? ss_diag_oom(d) : 0;
	if (rc == 0)
		rc = ss_report_apply_json(&r, &out, d);
	if (rc == 0)
		rc = ss_engine_write_output(NULL, out.data, out.len, d);
	ss_buf_release(&out);
	ss_strlist_release(&effect);
	return rc;
}

/* "before NAME after\n" with the file name made printable. */
static void say(FILE *f, const char *before, const char *name, const char *after)
{
	fputs(before, f);
	cli_put(f, name, strlen(name), 0, 1);
	fputs(after, f);
}

/* The length of the directory (with its '/') that both paths are in. */
static size_t shared_dir(const char *a, const char *b)
{
	size_t dir = 0;
	for (size_t i = 0; a[i] && a[i] == b[i]; i++)
		if (a[i] == '/')
			dir = i + 1;
	return dir;
}

/* say() for a file: its path as the audit table shows it (~/ for the home
 * directory, relative to the current directory where that is shorter). */
static void say_file(FILE *f, const char *before, const char *path, const char *after)
{
	ss_report_opts ro = {.format = SS_FORMAT_TEXT};
	char *cwd = cli_text_layout(&ro, NULL);
	char *shown = ss_report_short_path(path, ro.home, ro.cwd);
	say(f, before, shown ? shown : path, after);
	free(shown);
	free(cwd);
}

/* The diff quotes the files: escaped on a terminal, exact in a pipe. */
static int put_diff(void *ctx, const void *data, size_t len, ss_diag *d)
{
	(void)ctx;
	(void)d;
	cli_put(stdout, data, len, SS_PRINT_KEEP_LF | SS_PRINT_KEEP_TAB, 0);
	return 0;
}

/* The diff, made as it is printed (whole lines at a time). */
static int print_diff(const ss_apply_result *res, ss_diag *d)
{
	ss_sink to = {put_diff, NULL};
	return make_diff((void *)res, &to, d);
}

static int report(const apply_args *a, const ss_apply_result *res, ss_diag *d)
{
	for (size_t i = 0; i < res->notes.n; i++)
		cli_note_error(res->notes.v[i]);
	if (print_diff(res, d) < 0)
		return -1;
	FILE *f = a->opts.dry_run ? stderr : stdout;
	for (size_t i = 0; i < res->changed.n; i++) {
		if (a->opts.dry_run) {
			say_file(f, "would update ", res->changed.v[i], "\n");
		} else if (res->backups.v[i][0]) {
			/* The backup near the file: from the directory they share. */
			size_t dir = shared_dir(res->changed.v[i], res->backups.v[i]);
			say_file(f, "updated ", res->changed.v[i], " (backup: ");
			if (dir > 1)
				say(f, "", res->backups.v[i] + dir, ")\n");
			else
				say_file(f, "", res->backups.v[i], ")\n");
		} else {
			say_file(f, "updated ", res->changed.v[i], "\n");
		}
	}
	for (size_t i = 0; i < res->unchanged.n; i++)
		say_file(f, "unchanged ", res->unchanged.v[i], " (already as asked)\n");
	for (size_t i = 0; i < res->warnings.n; i++)
		say(stderr, "sshsync: warning: ", res->warnings.v[i], "\n");
	if (!a->opts.dry_run)
		print_takes_effect(res, f);
	return 0;
}

int cmd_apply(int argc, char **argv, const cli_globals *g)
{
	apply_args a;
	memset(&a, 0, sizeof(a));
	cli_globals mine = *g;
	int p = parse_args(argc, argv, &a, &mine);
	if (p != 0)
		return p > 0 ? EXIT_OK : EXIT_TROUBLE;
	ss_diag d = SS_DIAG_INIT;
	ss_targets targets = SS_TARGETS_INIT;
	ss_apply_result res = SS_APPLY_RESULT_INIT;
	int status = EXIT_OK;
	if (cli_targets(argv + optind, argc - optind, a.system, 1, &targets, &d) < 0 ||
	    ss_engine_apply(&targets, &a.policy, &a.opts, &res, &d) < 0 ||
	    (a.json && report_json(&a, &res, &d) < 0)) {
		if (a.json)
			report_json_error(&a, &d);
		status = cli_fail(&d);
	} else if (!a.json && report(&a, &res, &d) < 0) {
		status = cli_fail(&d);
	}
	/* --check: like 'git diff --exit-code', 1 when something would change. */
	if (status == EXIT_OK && a.check && res.changed.n)
		status = EXIT_CHECK_CHANGES;
	ss_apply_result_free(&res);
	ss_targets_free(&targets);
	ss_diag_clear(&d);
	return status;
}
