/* Drives hostkeys.h for tests/integration/hostkeys.sh, which checks the
 * conversions with the real programs (plink, ssh, ssh-keygen):
 *   hostkeys_tool to-putty KNOWN_HOSTS HOST:PORT:SESSION...
 *       PuTTY's sshhostkeys lines on stdout; then, per session with
 *       manual keys, "manual SESSION VALUE", per host CA "ca NAME" and its
 *       file's lines; notes on stderr as "note WHERE: MESSAGE".
 *   hostkeys_tool to-known-hosts SSHHOSTKEYS
 *       known_hosts lines on stdout, notes on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/hostkeys.h"

static int slurp(const char *path, ss_buf *b)
{
	FILE *f = fopen(path, "rb");
	char chunk[4096];
	size_t n;
	if (!f)
		return -1;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (ss_buf_add(b, chunk, n)) {
			fclose(f);
			return -1;
		}
	fclose(f);
	return ss_buf_add(b, "", 0);
}

static void print_notes(const ss_hk_putty *p)
{
	for (size_t i = 0; i < p->n_notes; i++)
		fprintf(stderr, "note %s: %s\n", p->notes[i].where, p->notes[i].message);
}

static int to_putty(int argc, char **argv)
{
	ss_buf text = SS_BUF_INIT, out = SS_BUF_INIT;
	ss_hk_host *hosts = calloc((size_t)argc, sizeof *hosts);
	ss_hk_putty p = SS_HK_PUTTY_INIT;
	ss_diag d = SS_DIAG_INIT;
	int rc = 2;
	if (!hosts || slurp(argv[0], &text))
		goto out;
	for (int i = 1; i < argc; i++) {
		char *c1 = strchr(argv[i], ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			goto out;
		*c1 = *c2 = '\0';
		hosts[i - 1] = (ss_hk_host){argv[i], atoi(c1 + 1), c2 + 1};
	}
	if (ss_hk_from_known_hosts(text.data, text.len, argv[0], hosts, (size_t)argc - 1, &p, &d) ||
	    ss_hk_render_putty_file(&p, &out))
		goto out;
	fputs(out.data, stdout);
	for (size_t i = 0; i < p.n_manual; i++) {
		ss_buf_reset(&out);
		if (ss_hk_render_manual(&p.manual[i], &out))
			goto out;
		printf("manual %s %s\n", p.manual[i].session, out.data);
	}
	for (size_t i = 0; i < p.n_cas; i++) {
		ss_buf_reset(&out);
		if (ss_hk_render_putty_ca(&p.cas[i], &out))
			goto out;
		printf("ca %s\n%s", p.cas[i].name, out.data);
	}
	print_notes(&p);
	rc = 0;
out:
	ss_buf_release(&text);
	ss_buf_release(&out);
	ss_hk_putty_release(&p);
	ss_diag_clear(&d);
	free(hosts);
	return rc;
}

static int to_known_hosts(const char *path)
{
	ss_buf text = SS_BUF_INIT, out = SS_BUF_INIT;
	ss_hk_pair *e = NULL;
	size_t n = 0;
	ss_hk_putty notes = SS_HK_PUTTY_INIT;
	ss_diag d = SS_DIAG_INIT;
	int rc = 2;
	if (slurp(path, &text))
		goto out;
	e = calloc(text.len + 1, sizeof *e);
	if (!e)
		goto out;
	for (char *line = text.data, *nl; line && *line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		char *sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		e[n++] = (ss_hk_pair){line, sp + 1};
	}
	if (ss_hk_to_known_hosts(e, n, &out, &notes, &d))
		goto out;
	fputs(ss_buf_str(&out), stdout);
	print_notes(&notes);
	rc = 0;
out:
	ss_buf_release(&text);
	ss_buf_release(&out);
	ss_hk_putty_release(&notes);
	ss_diag_clear(&d);
	free(e);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "to-putty") == 0)
		return to_putty(argc - 2, argv + 2);
	if (argc == 3 && strcmp(argv[1], "to-known-hosts") == 0)
		return to_known_hosts(argv[2]);
	fprintf(stderr, "usage: hostkeys_tool to-putty KNOWN_HOSTS HOST:PORT:SESSION...\n"
			"       hostkeys_tool to-known-hosts SSHHOSTKEYS\n");
	return 2;
}
