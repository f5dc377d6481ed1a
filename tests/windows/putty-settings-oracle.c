/* putty-settings-oracle: what PuTTY's own settings code reads for each
 * session, as the oracle of tests/windows/putty_oracle.py.
 *
 * Linked with PuTTY's `settings` and `utils` libraries, built from the
 * Debian source package by scripts/build-putty-oracle (never kept in this
 * repository). Nothing here is platform-specific: PuTTY's storage back end
 * does the reading, windows/storage.c (the registry) in the Windows build,
 * unix/storage.c (files under $PUTTYDIR/sessions) in the native one, which
 * also links putty-settings-oracle-unix.c (tests/integration/
 * putty_oracle_unix.py).
 *
 *   putty-settings-oracle [SESSION...]
 *
 * Without arguments, every session PuTTY lists (enum_settings_*, which
 * unescapes the key or file names), in its order, then "Default Settings"
 * if it was not listed. One line per session, tab-separated:
 *
 *   NAME-HEX  EXISTS  PING-INTERVAL  TCP-KEEPALIVES
 *
 * NAME-HEX is the name's bytes as PuTTY has them (hex, so that any byte
 * survives); EXISTS is 1 when load_settings() found the session; the
 * other two are CONF_ping_interval (seconds, an int) and
 * CONF_tcp_keepalives (0 or 1) after load_settings(). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "putty.h"
#include "storage.h"

/* Each PuTTY program says how it reports errors; this one on stderr. */
static void report(const char *what, const char *fmt, va_list ap)
{
	fprintf(stderr, "putty-settings-oracle: %s: ", what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void nonfatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report("error", fmt, ap);
	va_end(ap);
}

void modalfatalbox(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report("fatal", fmt, ap);
	va_end(ap);
	exit(1);
}

static int print_session(const char *name)
{
	Conf *conf = conf_new();
	bool exists = load_settings(name, conf);
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		printf("%02x", *c);
	if (!*name)
		printf("-");
	printf("\t%d\t%d\t%d\n", exists ? 1 : 0, conf_get_int(conf, CONF_ping_interval),
	       conf_get_bool(conf, CONF_tcp_keepalives) ? 1 : 0);
	conf_free(conf);
	return ferror(stdout) ? -1 : 0;
}

/* Every session in PuTTY's own order, then Default Settings when it was
 * not among them (PuTTY loads it whether or not it is stored: missing,
 * it is all defaults). */
static int print_all(void)
{
	int r = 0, had_default = 0;
	settings_e *e = enum_settings_start();
	if (e) {
		strbuf *sb = strbuf_new();
		while (r == 0 && enum_settings_next(e, sb)) {
			had_default |= strcmp(sb->s, "Default Settings") == 0;
			r = print_session(sb->s);
			strbuf_clear(sb);
		}
		strbuf_free(sb);
		enum_settings_finish(e);
	}
	return r == 0 && !had_default ? print_session("Default Settings") : r;
}

int main(int argc, char **argv)
{
	int r = 0;
	if (argc < 2)
		r = print_all();
	for (int i = 1; i < argc && r == 0; i++)
		r = print_session(argv[i]);
	if (fflush(stdout) != 0 || r != 0) {
		fprintf(stderr, "putty-settings-oracle: cannot write the output\n");
		return 1;
	}
	return 0;
}
