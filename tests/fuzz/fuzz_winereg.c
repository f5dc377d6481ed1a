/* Wine's registry files (a prefix's user.reg): the parser and its round
 * trip, and the audit-apply cycle of the clients that keep sessions in it
 * (PuTTY, KiTTY and WinSCP, each alone and together as `winereg:`). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_client.h"
#include "sshsync/clients.h"
#include "sshsync/edit.h"
#include "sshsync/winereg.h"

static const char *const keepalive_names[] = {
    "PingInterval", "PingIntervalSecs", "PingIntervalSec", "TCPKeepalives",
    "PingType",	    "FtpPingType",	"FtpPingInterval", NULL};

static int is_keepalive(const ss_winereg *wr, const ss_wregvalue *v)
{
	for (size_t k = 0; keepalive_names[k]; k++)
		if (ss_winereg_value_name_is(wr, v, keepalive_names[k]))
			return 1;
	return 0;
}

static int winereg_mask(const ss_text *t, unsigned char *mask)
{
	ss_winereg wr;
	ss_diag d = SS_DIAG_INIT;
	if (ss_winereg_parse(&wr, t, &d) < 0) {
		fuzz_diag_done(&d);
		return -1;
	}
	for (size_t b = 0; b < wr.nkeys; b++) {
		/* apply may change a key's last write time (its #time= line and
		 * the seconds after `]`, cut in fuzz_winereg_items), as Wine does. */
		if (wr.keys[b].time_line != SS_WINEREG_NONE)
			mask[wr.keys[b].time_line] = 1;
		size_t cur = 0;
		ss_wregvalue v;
		while (ss_winereg_next_value(&wr, b, &cur, &v))
			for (size_t l = v.line; is_keepalive(&wr, &v) && l < v.line + v.nlines; l++)
				mask[l] = 1;
	}
	ss_winereg_free(&wr);
	return 0;
}

/* The items apply must keep: every line that is no keepalive value and no
 * time, a key line without its seconds. */
int fuzz_winereg_items(const ss_text *t, ss_strlist *out)
{
	if (fuzz_unmasked_lines(t, winereg_mask, out) < 0)
		return -1;
	for (size_t i = 0; i < out->n; i++) {
		char *line = out->v[i];
		size_t len = strlen(line);
		/* Wine skips the blanks (C isspace) before a key's '['. */
		size_t open = strspn(line, " \t\v\f\r");
		if (line[open] != '[')
			continue;
		/* "[NAME] SECONDS": the name runs to the first unescaped ']'. */
		for (size_t j = open + 1; j < len; j++) {
			if (line[j] == '\\' && j + 1 < len) {
				j++;
			} else if (line[j] == ']') {
				line[j + 1] = '\0';
				break;
			}
		}
	}
	return 0;
}

fuzz_items_fn fuzz_items_or_winereg(const void *data, size_t size, fuzz_items_fn fallback)
{
	return ss_winereg_sniff(data, size) ? fuzz_winereg_items : fallback;
}

/* Any text renders back byte for byte; a user.reg that parses also after
 * its index is built. */
static void roundtrip(const uint8_t *data, size_t size)
{
	ss_text t;
	ss_diag d = SS_DIAG_INIT;
	if (ss_text_from_bytes(&t, "user.reg", data, size, &d) == 0) {
		ss_winereg wr;
		int parsed = ss_winereg_parse(&wr, &t, &d) == 0;
		FUZZ_CHECK(!parsed || ss_winereg_sniff(t.data, t.len),
			   "the parser takes a file that the sniffer refuses");
		if (parsed) {
			ss_edits e = SS_EDITS_INIT;
			ss_buf out = SS_BUF_INIT;
			FUZZ_CHECK(ss_edits_render_file(&t, &e, &out, &d) == 0, "render failed");
			fuzz_check_roundtrip("user.reg", data, size, out.data, out.len);
			ss_buf_release(&out);
			ss_winereg_free(&wr);
		}
		ss_text_free(&t);
	}
	fuzz_diag_done(&d);
}

int fuzz_winereg(const uint8_t *data, size_t size)
{
	static const ss_client *const clients[] = {&ss_client_putty, &ss_client_kitty,
						   &ss_client_winscp, &ss_client_winereg};
	roundtrip(data, size);
	uint64_t h = ss_hash_bytes(data, size);
	ss_policy p;
	fuzz_policy_from((uint8_t)h, &p);
	fuzz_workdir();
	/* The cycle on Wine's files only (other texts are the .reg and INI
	 * harnesses' work): the header is put before an input without it. */
	ss_buf file = SS_BUF_INIT;
	if (!ss_winereg_sniff((const char *)data, size))
		FUZZ_CHECK(ss_buf_adds(&file, "WINE REGISTRY Version 2\n") == 0, "out of memory");
	FUZZ_CHECK(ss_buf_add(&file, data, size) == 0, "out of memory");
	fuzz_write("user.reg", file.data, file.len);
	ss_buf_release(&file);
	char *path = fuzz_path("user.reg");
	fuzz_client_cycle(clients[(h >> 8) % 4], path, &p, fuzz_winereg_items, "[");
	free(path);
	return 0;
}
