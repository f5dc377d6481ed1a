/* WinSCP.ini: the TMemIniFile reader, its round trip, and the WinSCP
 * client's audit-apply cycle. The input is the file. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_client.h"
#include "sshsync/edit.h"
#include "sshsync/winini.h"
#include "sshsync/winscp.h"

/* The SSH keepalive and, for FTP sites, WinSCP's FTP keepalive. */
static const char *const keepalive_keys[] = {"PingInterval",
					     "PingIntervalSecs",
					     "PingIntervalSec",
					     "PingType",
					     "FtpPingType",
					     "FtpPingInterval",
					     NULL};

/* The lines of a WinSCP.ini as TStringList splits them (at a CR alone
 * too), trimmed as TMemIniFile trims them, but for keepalive keys. */
static int ini_items(const ss_text *t, ss_strlist *out)
{
	ss_winini ini;
	ss_diag d = SS_DIAG_INIT;
	if (ss_winini_parse(&ini, t, &d) < 0) {
		fuzz_diag_done(&d);
		return -1;
	}
	size_t n = ini.lines ? ini.nlines : t->nlines;
	unsigned char *m = calloc(n + 1, 1);
	FUZZ_CHECK(m, "out of memory");
	for (size_t s = 0; s < ini.nsections; s++) {
		size_t cur = 0;
		ss_winini_key k;
		while (ss_winini_next_key(&ini, s, &cur, &k))
			for (size_t i = 0; keepalive_keys[i]; i++)
				if (ss_winini_key_is(&ini, &k, keepalive_keys[i]) && k.line < n)
					m[k.line] = 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (m[i])
			continue;
		size_t start = ini.lines ? ini.lines[i].start : t->lines[i];
		size_t len = ini.lines ? ini.lines[i].len : ss_text_line(t, i).len;
		while (len && (unsigned char)t->data[start] <= ' ')
			start++, len--;
		while (len && (unsigned char)t->data[start + len - 1] <= ' ')
			len--;
		if (len) /* an empty line is nothing to TMemIniFile */
			FUZZ_CHECK(ss_strlist_push_owned(out, ss_strndup(t->data + start, len)) ==
				       0,
				   "out of memory");
	}
	free(m);
	ss_winini_free(&ini);
	return 0;
}

/* What the WinSCP client reads: a .reg when the text is one, else INI. */
int fuzz_winscp_items(const ss_text *t, ss_strlist *out)
{
	if (fuzz_reg_items(t, out) == 0)
		return 0;
	ss_strlist_release(out);
	return ini_items(t, out);
}

/* ss_winini_next_key_of gives the keys of ss_winini_next_key whose name
 * starts with a byte of its set, in the same order; the set is drawn from
 * the input's first byte. */
static void check_keys_of(const ss_winini *ini, unsigned char seed)
{
	uint64_t first[4] = {0};
	for (unsigned c = seed; c < 256; c += 7u + seed % 5u)
		first[c / 64] |= (uint64_t)1 << (c % 64);
	for (size_t s = 0; s < ini->nsections; s++) {
		size_t all = 0, some = 0;
		ss_winini_key k, m;
		while (ss_winini_next_key(ini, s, &all, &k)) {
			const char *name = ss_winini_key_name(ini, &k);
			unsigned char c = (unsigned char)(k.name_len ? name[0] : '=');
			if (!(first[c / 64] >> (c % 64) & 1))
				continue;
			FUZZ_CHECK(ss_winini_next_key_of(ini, s, &some, first, &m) &&
				       m.line == k.line && m.name_start == k.name_start,
				   "next_key_of missed a key of its first bytes");
		}
		FUZZ_CHECK(!ss_winini_next_key_of(ini, s, &some, first, &m),
			   "next_key_of gave a key of another first byte");
	}
}

/* The keys found in one pass (ss_winini_find_keys) are those the index
 * gives, for a set of first bytes drawn from the input's first byte and
 * for every key. */
static void check_found(const ss_text *t, const ss_winini *ini, unsigned char seed)
{
	uint64_t first[4] = {0};
	for (unsigned c = seed; c < 256; c += 5u + seed % 7u)
		first[c / 64] |= (uint64_t)1 << (c % 64);
	for (int all = 0; all < 2; all++) {
		ss_winini_found x = SS_WININI_FOUND_INIT, y = SS_WININI_FOUND_INIT;
		const uint64_t *set = all ? NULL : first;
		FUZZ_CHECK(ss_winini_find_keys(&x, t->data, t->len, set) == 0 &&
			       ss_winini_found_of(&y, ini, set) == 0,
			   "out of memory");
		FUZZ_CHECK(x.nsections == y.nsections && x.nkeys == y.nkeys &&
			       x.lf_lines == y.lf_lines && x.lines == y.lines &&
			       (!x.nsections || memcmp(x.sections, y.sections,
						       x.nsections * sizeof(*x.sections)) == 0) &&
			       (!x.nkeys || memcmp(x.keys, y.keys, x.nkeys * sizeof(*x.keys)) == 0),
			   "the keys found in one pass differ from the index's");
		ss_winini_found_free(&x);
		ss_winini_found_free(&y);
	}
}

/* The text parsed in two halves, cut at a line drawn from the input's
 * last byte, has the index of one thread (ss_winini_parse_at). */
static void check_halves(const ss_text *t, const ss_winini *ini, unsigned char seed)
{
	ss_winini cut;
	ss_diag d = SS_DIAG_INIT;
	size_t at = t->nlines ? 1 + seed % t->nlines : 0;
	FUZZ_CHECK(ss_winini_parse_at(&cut, t, at, &d) == 0, "TMemIniFile reads anything");
	FUZZ_CHECK(cut.nsections == ini->nsections && cut.nlines == ini->nlines &&
		       (!ini->nsections || memcmp(cut.sections, ini->sections,
						  ini->nsections * sizeof(*ini->sections)) == 0),
		   "the halves' index differs from one thread's");
	ss_winini_free(&cut);
}

int fuzz_winini(const uint8_t *data, size_t size)
{
	ss_text t;
	ss_diag d = SS_DIAG_INIT;
	if (ss_text_from_bytes(&t, "WinSCP.ini", data, size, &d) == 0) {
		ss_winini ini;
		FUZZ_CHECK(ss_winini_parse(&ini, &t, &d) == 0, "TMemIniFile reads anything");
		check_keys_of(&ini, size ? data[0] : 0);
		check_found(&t, &ini, size ? data[0] : 0);
		check_halves(&t, &ini, size ? data[size - 1] : 0);
		ss_edits e = SS_EDITS_INIT;
		ss_buf out = SS_BUF_INIT;
		FUZZ_CHECK(ss_edits_render_file(&t, &e, &out, &d) == 0, "render failed");
		fuzz_check_roundtrip("WinSCP.ini", data, size, out.data, out.len);
		ss_buf_release(&out);
		ss_winini_free(&ini);
		ss_text_free(&t);
	}
	fuzz_diag_done(&d);
	ss_policy p;
	fuzz_policy_from((uint8_t)ss_hash_bytes(data, size), &p);
	fuzz_workdir();
	fuzz_write("WinSCP.ini", data, size);
	char *path = fuzz_path("WinSCP.ini");
	static const char *const asked[] = {"PingType", "PingIntervalSecs", "FSProtocol",
					    "HostName"};
	fuzz_check_pieces(path, &ss_winscp_root, asked, 4, (uint8_t)(size ? data[size / 2] : 0));
	fuzz_client_cycle(&ss_client_winscp, path, &p,
			  fuzz_items_or_winereg(data, size, fuzz_winscp_items), "[");
	free(path);
	return 0;
}
