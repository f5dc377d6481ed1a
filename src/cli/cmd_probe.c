/* sshsync probe */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sshsync/os_term.h"
#include "sshsync/probe.h"
#include "sshsync/report.h"

#define DEFAULT_MAX 7440 /* 2 h 4 min: what RFC 5382 asks a NAT to keep at least */
#define DEFAULT_CONNECTIONS 10

enum { OPT_MAX = 256, OPT_CONNECTIONS, OPT_FORMAT, OPT_APPLY };

typedef struct probe_args {
	ss_probe_opts opts;
	ss_strlist ssh_options;
	int json, apply;
} probe_args;

/* Progress on a terminal: one line, rewritten in place. */
static void show_progress(void *ctx, const char *what, int64_t left_s)
{
	(void)ctx;
	if (!*what)
		fputs("\r\033[K", stderr);
	else if (left_s <= 0)
		fprintf(stderr, "\r\033[K%s", what);
	else
		fprintf(stderr, "\r\033[K%s; at most %lld s left", what, (long long)left_s);
	fflush(stderr);
}

static int parse_option(int c, probe_args *a)
{
	long v;
	switch (c) {
	case 'F':
		a->opts.ssh_config = optarg;
		return 0;
	case 'o':
		if (ss_strlist_push(&a->ssh_options, optarg) < 0) {
			cli_note_error("out of memory");
			return -1;
		}
		return 0;
	case OPT_MAX:
		if (cli_option_time("probe", "--max", optarg, &v) < 0)
			return -1;
		a->opts.max_s = v;
		return 0;
	case OPT_CONNECTIONS:
		if (cli_option_seconds("probe", "--connections", optarg, 1, &v) < 0)
			return -1;
		if (v > 64) {
			cli_usage_error("probe", "--connections: '%s' is more than 64", optarg);
			return -1;
		}
		a->opts.connections = (int)v;
		return 0;
	case OPT_FORMAT:
		if (strcmp(optarg, "json") == 0 || strcmp(optarg, "text") == 0) {
			a->json = strcmp(optarg, "json") == 0;
			return 0;
		}
		cli_usage_error("probe", "--format: '%s' is not text or json", optarg);
		return -1;
	case OPT_APPLY:
		a->apply = 1;
		return 0;
	}
	cli_usage_error("probe", "unknown option or missing value '%s'", optarg ? optarg : "");
	return -1;
}

/* Returns 0 to go on, 1 after --help, -1 on a usage error. */
static int parse_args(int argc, char **argv, probe_args *a)
{
	static const struct option options[] = {
	    {"max", required_argument, NULL, OPT_MAX},
	    {"connections", required_argument, NULL, OPT_CONNECTIONS},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"apply", no_argument, NULL, OPT_APPLY},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "hF:o:", options, NULL)) != -1) {
		if (c == 'h') {
			cli_print_help("probe");
			return 1;
		}
		if (c == '?' || c == ':') {
			cli_usage_error("probe", "unknown option or missing value '%s'",
					argv[optind - 1]);
			return -1;
		}
		if (parse_option(c, a) < 0)
			return -1;
	}
	if (optind + 1 != argc) {
		cli_usage_error("probe", optind >= argc ? "no host given" : "one host only");
		return -1;
	}
	a->opts.host = argv[optind];
	if (!*a->opts.host || a->opts.host[0] == '-') {
		cli_usage_error("probe", "'%s' is not a host", a->opts.host);
		return -1;
	}
	return 0;
}

/* --apply: `sshsync apply --interval N` over the default targets (its
 * report in JSON too when the probe's is). */
static int run_apply(int64_t interval, int json, const cli_globals *g)
{
	char value[32];
	snprintf(value, sizeof(value), "%lld", (long long)interval);
	char *argv[] = {"apply", "--interval", value, "--format", "json", NULL};
	optind = 0;
	return cmd_apply(json ? 5 : 3, argv, g);
}

int cmd_probe(int argc, char **argv, const cli_globals *g)
{
	probe_args a;
	memset(&a, 0, sizeof(a));
	a.opts.max_s = DEFAULT_MAX;
	a.opts.connections = DEFAULT_CONNECTIONS;
	int r = parse_args(argc, argv, &a);
	if (r != 0) {
		ss_strlist_release(&a.ssh_options);
		return r > 0 ? EXIT_OK : EXIT_TROUBLE;
	}
	a.opts.ssh_options = &a.ssh_options;
	if (ss_os_terminal_width(stderr) > 0)
		a.opts.progress = show_progress;
	ss_probe_result res = SS_PROBE_RESULT_INIT;
	ss_diag d = SS_DIAG_INIT;
	ss_buf out = SS_BUF_INIT;
	int status = EXIT_OK;
	if (ss_probe_run(&a.opts, &res, &d) < 0 ||
	    (a.json ? ss_report_probe_json(&res, a.opts.host, &out, &d)
		    : ss_report_probe_text(&res, a.opts.host, a.opts.max_s, &out, &d)) < 0) {
		if (a.opts.progress)
			show_progress(NULL, "", 0);
		status = cli_fail(&d);
	} else {
		if (a.opts.progress)
			show_progress(NULL, "", 0);
		for (size_t i = 0; i < res.warnings.n; i++) {
			ss_buf w = SS_BUF_INIT;
			if (ss_buf_adds(&w, "warning: ") == 0 &&
			    ss_buf_adds(&w, res.warnings.v[i]) == 0)
				cli_note_error(ss_buf_str(&w));
			ss_buf_release(&w);
		}
		fputs(ss_buf_str(&out), stdout);
		if (a.apply) {
			fflush(stdout);
			status = run_apply(res.recommended, a.json, g);
		}
	}
	ss_diag_clear(&d);
	ss_buf_release(&out);
	ss_probe_result_free(&res);
	ss_strlist_release(&a.ssh_options);
	return status;
}
