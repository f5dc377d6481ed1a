/* sshsync export */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "sshsync/engine.h"
#include "sshsync/report.h"
#include "sshsync/text.h"
#include "sshsync/os_term.h"

typedef struct export_args {
	const ss_client *client;
	ss_policy policy;
	const char *from;
	ss_strlist sessions;
	ss_export_format format;
	const char *output;
	const char *codepage;
} export_args;

enum { OPT_INTERVAL = 256, OPT_FROM, OPT_SESSION, OPT_FORMAT, OPT_POLICY, OPT_CODEPAGE };

/* One option; -1 (after saying why) when it is bad. */
static int parse_option(int c, export_args *a, cli_globals *g, long *interval)
{
	switch (c) {
	case OPT_INTERVAL:
		return cli_option_time("export", "--interval", optarg, interval);
	case OPT_FROM:
		a->from = optarg;
		return 0;
	case OPT_SESSION:
		return ss_strlist_push(&a->sessions, optarg);
	case OPT_FORMAT:
		if (ss_export_format_parse(optarg, &a->format) == 0)
			return 0;
		cli_usage_error("export", "--format: '%s' is not reg, reg4 or gpp", optarg);
		return -1;
	case 'o':
		a->output = optarg;
		return 0;
	case OPT_POLICY:
		g->policy_file = optarg;
		return 0;
	case OPT_CODEPAGE:
		if (ss_ansi_known(optarg)) {
			a->codepage = optarg;
			return 0;
		}
		cli_usage_error("export",
				"--ansi-codepage: '%s' is not a code page this system can convert "
				"(e.g. 1252, 1251, 932)",
				optarg);
		return -1;
	}
	return -1;
}

/* --from may name its kind; it must then be the exported one. */
static const char *from_path(const export_args *a)
{
	const char *kind = a->client->kind;
	size_t n = strlen(kind);
	if (a->from && strncmp(a->from, kind, n) == 0 && a->from[n] == ':')
		return a->from + n + 1;
	return a->from;
}

static int parse_args(int argc, char **argv, export_args *a, cli_globals *g)
{
	static const struct option options[] = {
	    {"interval", required_argument, NULL, OPT_INTERVAL},
	    {"from", required_argument, NULL, OPT_FROM},
	    {"session", required_argument, NULL, OPT_SESSION},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"output", required_argument, NULL, 'o'},
	    {"policy", required_argument, NULL, OPT_POLICY},
	    {"ansi-codepage", required_argument, NULL, OPT_CODEPAGE},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	long interval = SS_UNSET;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "ho:", options, NULL)) != -1) {
		if (c == 'h') {
			cli_print_help("export");
			return 1;
		}
		if (c == '?' || c == ':') {
			cli_usage_error("export", "unknown option or missing value '%s'",
					argv[optind - 1]);
			return -1;
		}
		if (parse_option(c, a, g, &interval) < 0)
			return -1;
	}
	if (optind + 1 != argc) {
		cli_usage_error("export", "name one kind to export: putty, kitty or winscp");
		return -1;
	}
	a->client = ss_client_find(argv[optind]);
	if (!a->client || !a->client->export_plan) {
		cli_usage_error("export", "cannot export '%s'; kinds: putty, kitty, winscp",
				argv[optind]);
		return -1;
	}
	ss_diag d = SS_DIAG_INIT;
	if (cli_load_policy(g, &a->policy, &d) < 0) {
		cli_fail(&d);
		ss_diag_clear(&d);
		return -1;
	}
	if (interval != SS_UNSET)
		a->policy.interval = interval;
	a->policy.ansi_codepage = a->codepage;
	if (a->policy.interval == SS_UNSET) {
		cli_usage_error("export", "--interval N is required");
		return -1;
	}
	if (!a->from && a->sessions.n == 0) {
		cli_usage_error("export", "name the sessions: --from TARGET or --session NAME");
		return -1;
	}
	return 0;
}

/* A .reg export made while it is written (ss_producer). */
static int produce_reg(void *ctx, const ss_sink *out, ss_diag *d)
{
	const export_args *a = ctx;
	return ss_engine_export_to(a->client, from_path(a), &a->sessions, &a->policy,
				   a->format == SS_EXPORT_REG4, out, d);
}

/* Whether the export goes out as it is planned: a .reg (Registry.xml is
 * made whole by libxml2) that is not refused for a terminal. */
static int streamed(const export_args *a)
{
	return a->format != SS_EXPORT_GPP && (a->output || !ss_os_is_terminal(stdout));
}

static int run(const export_args *a, ss_diag *d)
{
	ss_regplan plan = SS_REGPLAN_INIT;
	ss_buf out = SS_BUF_INIT;
	/* The source must be of the exported kind, as a KIND: target. */
	ss_target src = {a->client, (char *)from_path(a), 0, NULL};
	int r = src.path ? ss_target_check_kind(&src, d) : 0;
	if (r == 0 && streamed(a)) {
		ss_producer make = {produce_reg, (void *)a};
		return ss_engine_write_output_from(a->output, &make, d);
	}
	if (r == 0)
		r = ss_engine_export(a->client, src.path, &a->sessions, &a->policy, &plan, d);
	if (r == 0 && a->format != SS_EXPORT_GPP && !a->output && ss_os_is_terminal(stdout))
		r = ss_diag_set(d, NULL, 0, 0,
				"a .reg file is binary (UTF-16): write it with "
				"-o FILE, or pipe it");
	if (r == 0)
		r = ss_report_export(&plan, a->format, &out, d);
	if (r == 0)
		r = ss_engine_write_output(a->output, out.data, out.len, d);
	ss_buf_release(&out);
	ss_regplan_free(&plan);
	return r;
}

int cmd_export(int argc, char **argv, const cli_globals *g)
{
	export_args a;
	memset(&a, 0, sizeof(a));
	cli_globals mine = *g;
	int p = parse_args(argc, argv, &a, &mine);
	int status = p > 0 ? EXIT_OK : EXIT_TROUBLE;
	if (p == 0) {
		ss_diag d = SS_DIAG_INIT;
		status = run(&a, &d) < 0 ? cli_fail(&d) : EXIT_OK;
		ss_diag_clear(&d);
	}
	ss_strlist_release(&a.sessions);
	return status;
}
