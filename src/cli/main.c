/* sshsync: the command line. Thin: options in, engine called, exit code out. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "sshsync/os_term.h"

static const struct {
	const char *name;
	cli_command_fn fn;
} commands[] = {
    {"discover", cmd_discover}, {"audit", cmd_audit}, {"apply", cmd_apply},
    {"export", cmd_export},	{"undo", cmd_undo},   {"migrate", cmd_migrate},
    {"probe", cmd_probe},
};

static cli_command_fn find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return commands[i].fn;
	return NULL;
}

/* Everything sshsync prints goes through stdout's buffer: a full disk or a
 * closed descriptor shows only when it is flushed. */
static int finish(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("sshsync: cannot write to standard output");
		return EXIT_TROUBLE;
	}
	return status;
}

static int run(int argc, char **argv)
{
	static const struct option options[] = {
	    {"policy", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	cli_globals g = {NULL};
	opterr = 0;
	int c;
	/* "+": stop at the command; its own options come after it. */
	while ((c = getopt_long(argc, argv, "+hV", options, NULL)) != -1) {
		switch (c) {
		case 'p':
			g.policy_file = optarg;
			break;
		case 'h':
			cli_print_help(NULL);
			return EXIT_OK;
		case 'V':
			printf("sshsync %s\n", SSHSYNC_VERSION);
			return EXIT_OK;
		default:
			return cli_usage_error(NULL, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error(NULL, "no command given");
	const char *name = argv[optind];
	if (strcmp(name, "help") == 0) {
		cli_print_help(optind + 1 < argc ? argv[optind + 1] : NULL);
		return EXIT_OK;
	}
	cli_command_fn fn = find_command(name);
	if (!fn)
		return cli_usage_error(NULL, "unknown command '%s'", name);
	/* The command sees argv from its own name on, as getopt expects;
	 * optind 0 makes glibc's getopt start afresh. */
	int first = optind;
	optind = 0;
	return fn(argc - first, argv + first, &g);
}

int main(int argc, char **argv)
{
	ss_os_binary_stdio();
	return finish(run(argc, argv));
}
