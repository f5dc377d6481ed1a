/* .reg files in both encodings: the regfile parser and its round trip, and
 * the audit-apply cycle of the PuTTY, KiTTY or WinSCP client on them.
 *
 * The input is the file. Unless it is UTF-16 already (FF FE), it is also
 * run as UTF-16LE: its UTF-8 converted (a byte that is not UTF-8 as the
 * code point of the same value), with the byte order mark regedit writes. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_client.h"
#include "sshsync/clients.h"
#include "sshsync/edit.h"
#include "sshsync/putty.h"
#include "sshsync/regfile.h"
#include "sshsync/storage.h"
#include "sshsync/text.h"

static const char *const keepalive_names[] = {
    "PingInterval", "PingIntervalSecs", "PingIntervalSec", "TCPKeepalives", "PingType", NULL};

static int reg_mask(const ss_text *t, unsigned char *mask)
{
	ss_regfile rf;
	ss_diag d = SS_DIAG_INIT;
	if (ss_regfile_parse(&rf, t, &d) < 0) {
		fuzz_diag_done(&d);
		return -1;
	}
	for (size_t b = 0; b < rf.nblocks; b++) {
		size_t cur = 0;
		ss_regvalue v;
		while (ss_regfile_next_value(&rf, b, &cur, &v)) {
			int ka = 0;
			for (size_t k = 0; keepalive_names[k] && !ka; k++)
				ka = ss_regfile_value_name_is(&rf, &v, keepalive_names[k]);
			for (size_t l = v.line; ka && l < v.line + v.nlines && l < t->nlines; l++)
				mask[l] = 1;
		}
	}
	ss_regfile_free(&rf);
	return 0;
}

int fuzz_reg_items(const ss_text *t, ss_strlist *out)
{
	return fuzz_unmasked_lines(t, reg_mask, out);
}

/* Any text (UTF-16 with unpaired surrogates included) renders back byte
 * for byte; a .reg that parses also after the index is built. */
static void roundtrip(const uint8_t *data, size_t size)
{
	ss_text t;
	ss_diag d = SS_DIAG_INIT;
	if (ss_text_from_bytes(&t, "in.reg", data, size, &d) == 0) {
		ss_regfile rf;
		ss_edits e = SS_EDITS_INIT;
		ss_buf out = SS_BUF_INIT;
		FUZZ_CHECK(ss_edits_render_file(&t, &e, &out, &d) == 0, "render failed");
		fuzz_check_roundtrip("text", data, size, out.data, out.len);
		if (ss_regfile_parse(&rf, &t, &d) == 0) {
			ss_buf_reset(&out);
			FUZZ_CHECK(ss_edits_render_file(&t, &e, &out, &d) == 0, "render failed");
			fuzz_check_roundtrip("reg", data, size, out.data, out.len);
			ss_regfile_free(&rf);
		}
		ss_buf_release(&out);
		ss_text_free(&t);
	}
	fuzz_diag_done(&d);
}

static void add_utf16(ss_buf *out, uint32_t cp)
{
	uint16_t u[2];
	size_t n = 1;
	if (cp >= 0x10000) {
		cp -= 0x10000;
		u[0] = (uint16_t)(0xD800 | (cp >> 10));
		u[1] = (uint16_t)(0xDC00 | (cp & 0x3FF));
		n = 2;
	} else {
		u[0] = (uint16_t)cp;
	}
	for (size_t i = 0; i < n; i++) {
		char b[2] = {(char)(u[i] & 0xFF), (char)(u[i] >> 8)};
		FUZZ_CHECK(ss_buf_add(out, b, 2) == 0, "out of memory");
	}
}

/* The input as UTF-16LE with a byte order mark. */
void fuzz_to_utf16(const uint8_t *data, size_t size, ss_buf *out)
{
	FUZZ_CHECK(ss_buf_add(out, "\xFF\xFE", 2) == 0, "out of memory");
	for (size_t i = 0; i < size;) {
		uint32_t cp;
		size_t n = ss_utf8_decode(data + i, size - i, &cp, 1);
		if (n == 0) {
			cp = data[i];
			n = 1;
		}
		add_utf16(out, cp);
		i += n;
	}
}

/* The file read piece by piece (pieces and halves drawn from `pick`) is
 * what it is read whole. */
static void check_pieces(const char *path, uint8_t pick)
{
	static const char *const names[] = {"PingInterval", "PingIntervalSecs", "TCPKeepalives",
					    "HostName"};
	fuzz_check_pieces(path, pick & 0x80 ? &ss_kitty_root : &ss_putty_root, names, 4, pick);
}

static void run(const uint8_t *data, size_t size, const ss_policy *p, uint8_t pick)
{
	static const ss_client *const clients[] = {&ss_client_putty, &ss_client_kitty,
						   &ss_client_winscp};
	roundtrip(data, size);
	fuzz_workdir();
	fuzz_write("sessions.reg", data, size);
	char *path = fuzz_path("sessions.reg");
	check_pieces(path, pick);
	const ss_client *cl = clients[pick % 3];
	fuzz_client_cycle(
	    cl, path, p,
	    fuzz_items_or_winereg(data, size,
				  cl == &ss_client_winscp ? fuzz_winscp_items : fuzz_reg_items),
	    "[");
	free(path);
}

int fuzz_reg(const uint8_t *data, size_t size)
{
	uint64_t h = ss_hash_bytes(data, size);
	ss_policy p;
	fuzz_policy_from((uint8_t)h, &p);
	run(data, size, &p, (uint8_t)(h >> 8));
	if (size >= 2 && data[0] == 0xFF && data[1] == 0xFE)
		return 0;
	ss_buf u = SS_BUF_INIT;
	fuzz_to_utf16(data, size, &u);
	run((const uint8_t *)u.data, u.len, &p, (uint8_t)(h >> 8));
	ss_buf_release(&u);
	return 0;
}
