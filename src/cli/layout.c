/* How the text table is laid out: the width to fit, and the directories
 * that shorten paths. */
#include <stdlib.h>

#include "cli.h"
#include "sshsync/os_file.h"
#include "sshsync/os_path.h"
#include "sshsync/os_term.h"

enum { DEFAULT_WIDTH = 80, MAX_WIDTH = 10000 };

/* $COLUMNS when it is a sensible number, else 0. */
static size_t columns_env(void)
{
	const char *v = getenv("COLUMNS");
	if (!v || !*v)
		return 0;
	char *end;
	long n = strtol(v, &end, 10);
	return *end || n <= 0 || n > MAX_WIDTH ? 0 : (size_t)n;
}

char *cli_text_layout(ss_report_opts *ro, const char *output)
{
	ro->width = columns_env();
	if (!ro->width && !output)
		ro->width = ss_os_terminal_width(stdout);
	if (!ro->width)
		ro->width = DEFAULT_WIDTH; /* pipes and -o FILE: the same layout */
	const char *home = getenv("HOME");
	ro->home = home && ss_os_is_absolute(home) ? home : NULL;
	char *cwd = ss_os_realpath(".");
	ro->cwd = cwd;
	return cwd;
}
