/* sshsync discover */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "sshsync/discover.h"
#include "sshsync/report.h"

int cmd_discover(int argc, char **argv, const cli_globals *g)
{
	(void)g;
	static const struct option options[] = {
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (c == 'h') {
			cli_print_help("discover");
			return EXIT_OK;
		}
		return cli_usage_error("discover", "unknown option '%s'", argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error("discover", "takes no arguments");
	ss_discover_env env;
	ss_discover_env_init(&env);
	ss_targets found = SS_TARGETS_INIT;
	ss_diag d = SS_DIAG_INIT;
	int r = ss_discover(&env, &found, &d);
	/* One line per store: a path with a control byte in it (a Wine user
	 * named with a newline) is shown as \xNN, never as a second line. */
	ss_buf line = SS_BUF_INIT;
	for (size_t i = 0; i < found.n && r == 0; i++) {
		ss_buf_reset(&line);
		if (ss_buf_addf(&line, "%s ", found.v[i].client->kind) < 0 ||
		    ss_report_add_printable(&line, found.v[i].path) < 0 ||
		    ss_buf_addc(&line, '\n') < 0)
			r = ss_diag_oom(&d);
		else
			fputs(ss_buf_str(&line), stdout);
	}
	ss_buf_release(&line);
	ss_targets_free(&found);
	if (r < 0) {
		r = cli_fail(&d);
		ss_diag_clear(&d);
		return r;
	}
	return EXIT_OK;
}
