/* sshsync undo */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "sshsync/undo.h"

enum { OPT_LIST = 256, OPT_FORCE };

static int parse_args(int argc, char **argv, int *list, ss_undo_opts *o)
{
	static const struct option options[] = {
	    {"list", no_argument, NULL, OPT_LIST},
	    {"force", no_argument, NULL, OPT_FORCE},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (c == 'h') {
			cli_print_help("undo");
			return 1;
		}
		if (c == OPT_LIST)
			*list = 1;
		else if (c == OPT_FORCE)
			o->force = 1;
		else {
			cli_usage_error("undo", "unknown option '%s'", argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		cli_usage_error("undo",
				"undo takes no TARGET: it reverts the latest apply "
				"('%s')",
				argv[optind]);
		return -1;
	}
	return 0;
}

static void print_entry(const ss_journal_entry *e)
{
	printf("%ld  %s  %s", e->id, e->time, e->op);
	if (e->of)
		printf(" of %ld", e->of);
	printf("  %s", ss_journal_state_name(e->state));
	if (e->undone_by)
		printf(", undone by %ld", e->undone_by);
	putchar('\n');
	for (size_t i = 0; i < e->nfiles; i++) {
		const ss_journal_file *f = &e->files[i];
		printf("    %s", f->path);
		if (!*f->before)
			printf("  (created)");
		else if (!ss_journal_file_has_after(f))
			printf("  (removed)");
		if (f->backup)
			printf("  (backup: %s)", f->backup);
		putchar('\n');
	}
}

static int list_journal(const ss_undo_opts *o)
{
	ss_journal j = SS_JOURNAL_INIT;
	ss_diag d = SS_DIAG_INIT;
	if (ss_engine_journal(o->journal_dir, &j, &d) < 0) {
		int st = cli_fail(&d);
		ss_diag_clear(&d);
		return st;
	}
	if (j.n == 0)
		printf("the journal in %s is empty: nothing applied yet\n", j.dir);
	for (size_t i = 0; i < j.n; i++)
		print_entry(&j.v[i]);
	ss_journal_close(&j);
	return EXIT_OK;
}

static void report(const ss_undo_result *res)
{
	printf("undid apply %ld of %s\n", res->id, res->time);
	for (size_t i = 0; i < res->restored.n; i++)
		printf("restored %s\n", res->restored.v[i]);
	for (size_t i = 0; i < res->removed.n; i++)
		printf("removed %s (apply had created it)\n", res->removed.v[i]);
	for (size_t i = 0; i < res->unchanged.n; i++)
		printf("unchanged %s (already as before)\n", res->unchanged.v[i]);
	for (size_t i = 0; i < res->warnings.n; i++)
		fprintf(stderr, "sshsync: warning: %s\n", res->warnings.v[i]);
}

int cmd_undo(int argc, char **argv, const cli_globals *g)
{
	(void)g;
	int list = 0;
	ss_undo_opts o;
	memset(&o, 0, sizeof(o));
	int p = parse_args(argc, argv, &list, &o);
	if (p != 0)
		return p > 0 ? EXIT_OK : EXIT_TROUBLE;
	if (list)
		return list_journal(&o);
	ss_diag d = SS_DIAG_INIT;
	ss_undo_result res = SS_UNDO_RESULT_INIT;
	int status = EXIT_OK;
	if (ss_engine_undo(&o, &res, &d) < 0)
		status = cli_fail(&d);
	else
		report(&res);
	ss_undo_result_free(&res);
	ss_diag_clear(&d);
	return status;
}
