/* PuTTY and KiTTY session files: the reader in both formats, its round
 * trip and lookups, and the audit-apply cycle of the client on a session
 * folder holding the input as one session (and, by the input's hash, a
 * Default Settings file or not). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_client.h"
#include "sshsync/clients.h"
#include "sshsync/edit.h"
#include "sshsync/sessdir.h"

static const char *const keepalive_keys[] = {"PingInterval", "PingIntervalSecs", "TCPKeepalives",
					     NULL};

static int is_keepalive(const ss_sessfile *sf, const ss_sessentry *e)
{
	for (size_t k = 0; keepalive_keys[k]; k++)
		if (e->key_end - e->key_start == strlen(keepalive_keys[k]) &&
		    memcmp(sf->data + e->key_start, keepalive_keys[k], e->key_end - e->key_start) ==
			0)
			return 1;
	return 0;
}

/* Every entry but the keepalive ones, as "key=value" as the client reads
 * them (a KiTTY record that gets its closing '\\' is still the same). */
static int items_fmt(const ss_text *t, ss_strlist *out, ss_sessfmt fmt)
{
	ss_sessfile sf;
	ss_diag d = SS_DIAG_INIT;
	if (ss_sessfile_parse(&sf, t, fmt, &d) < 0) {
		fuzz_diag_done(&d);
		return -1;
	}
	for (size_t i = 0; i < sf.n; i++) {
		const ss_sessentry *e = &sf.v[i];
		if (is_keepalive(&sf, e))
			continue;
		ss_buf b = SS_BUF_INIT;
		FUZZ_CHECK(ss_buf_add(&b, sf.data + e->key_start, e->key_end - e->key_start) == 0 &&
			       ss_buf_addc(&b, '=') == 0 && ss_sessfile_value(&sf, e, &b) == 0 &&
			       ss_strlist_push_owned(out, ss_buf_detach(&b, NULL)) == 0,
			   "out of memory");
	}
	ss_sessfile_free(&sf);
	return 0;
}

static int items_putty(const ss_text *t, ss_strlist *out)
{
	return items_fmt(t, out, SS_SESS_PUTTY);
}

static int items_kitty(const ss_text *t, ss_strlist *out)
{
	return items_fmt(t, out, SS_SESS_KITTY);
}

/* The values of every entry, in order. */
static void values(const ss_sessfile *sf, ss_strlist *out)
{
	for (size_t i = 0; i < sf->n; i++) {
		ss_buf v = SS_BUF_INIT;
		FUZZ_CHECK(ss_sessfile_value(sf, &sf->v[i], &v) == 0 &&
			       ss_strlist_push_owned(out, ss_buf_detach(&v, NULL)) == 0,
			   "out of memory");
	}
}

/* Entries set one at a time: the first few only, as each costs a render
 * and a parse of the whole file (for all of them, a 10 KB input of short
 * lines took longer than the fuzzers' timeout). */
enum { SET_ALONE_MAX = 16 };

/* The values read back from the file that edits `e` make of sf's text. */
static void values_after(const ss_sessfile *sf, const ss_edits *e, ss_strlist *out)
{
	ss_buf b = SS_BUF_INIT;
	ss_diag d = SS_DIAG_INIT;
	FUZZ_CHECK(ss_edits_render(sf->text, e, &b, &d) == 0, "render failed");
	ss_text t;
	FUZZ_CHECK(ss_text_from_bytes(&t, "session", b.data, b.len, &d) == 0, "cannot read back");
	ss_sessfile sf2;
	FUZZ_CHECK(ss_sessfile_parse(&sf2, &t, sf->fmt, &d) == 0, "cannot parse back");
	values(&sf2, out);
	ss_sessfile_free(&sf2);
	ss_text_free(&t);
	ss_buf_release(&b);
	fuzz_diag_done(&d);
}

/* Entry i set to its own value in `e`: 0, or -1 when it cannot be (a
 * value holding NUL is no C string; a KiTTY record split over lines or
 * by a NUL is refused). */
static int set_own_value(const ss_sessfile *sf, size_t i, const char *own, size_t len, ss_edits *e)
{
	ss_diag d = SS_DIAG_INIT;
	int r = memchr(own, '\0', len) ? -1 : ss_sessfile_set(sf, e, &sf->v[i], own, &d);
	fuzz_diag_done(&d);
	return r < 0 ? -1 : 0;
}

static void check_same(const ss_strlist *before, const ss_strlist *after, const char *what)
{
	FUZZ_CHECK(after->n == before->n, "setting %s to its own value makes %zu entries of %zu",
		   what, after->n, before->n);
	for (size_t k = 0; k < after->n; k++)
		FUZZ_CHECK(strcmp(before->v[k], after->v[k]) == 0,
			   "setting %s to its own value changes entry %zu: '%s' became '%s'", what,
			   k, before->v[k], after->v[k]);
}

/* Setting entries to their own values reads back the same values: each
 * of the first SET_ALONE_MAX alone, and every one at once. */
static void check_set_own_values(const ss_sessfile *sf)
{
	ss_strlist before = SS_STRLIST_INIT;
	values(sf, &before);
	ss_edits all = SS_EDITS_INIT;
	size_t nall = 0;
	for (size_t i = 0; i < sf->n; i++) {
		ss_buf value = SS_BUF_INIT;
		FUZZ_CHECK(ss_sessfile_value(sf, &sf->v[i], &value) == 0, "out of memory");
		const char *own = ss_buf_str(&value);
		size_t len = value.len;
		if (i < SET_ALONE_MAX) {
			ss_edits one = SS_EDITS_INIT;
			if (set_own_value(sf, i, own, len, &one) == 0) {
				ss_strlist after = SS_STRLIST_INIT;
				values_after(sf, &one, &after);
				char what[32];
				snprintf(what, sizeof(what), "entry %zu", i);
				check_same(&before, &after, what);
				ss_strlist_release(&after);
			}
			ss_edits_free(&one);
		}
		nall += set_own_value(sf, i, own, len, &all) == 0;
		ss_buf_release(&value);
	}
	if (nall) {
		ss_strlist after = SS_STRLIST_INIT;
		values_after(sf, &all, &after);
		check_same(&before, &after, "every entry");
		ss_strlist_release(&after);
	}
	ss_edits_free(&all);
	ss_strlist_release(&before);
}

static void store(const uint8_t *data, size_t size, ss_sessfmt fmt)
{
	ss_text t;
	ss_diag d = SS_DIAG_INIT;
	if (ss_text_from_bytes(&t, "session", data, size, &d) < 0) {
		fuzz_diag_done(&d);
		return;
	}
	ss_sessfile sf;
	FUZZ_CHECK(ss_sessfile_parse(&sf, &t, fmt, &d) == 0, "session files read anything");
	ss_edits e = SS_EDITS_INIT;
	ss_buf out = SS_BUF_INIT;
	FUZZ_CHECK(ss_edits_render_file(&t, &e, &out, &d) == 0, "render failed");
	fuzz_check_roundtrip("session file", data, size, out.data, out.len);
	check_set_own_values(&sf);
	ss_buf_release(&out);
	ss_sessfile_free(&sf);
	ss_text_free(&t);
	fuzz_diag_done(&d);
}

int fuzz_sessfile(const uint8_t *data, size_t size)
{
	store(data, size, SS_SESS_PUTTY);
	store(data, size, SS_SESS_KITTY);
	uint64_t h = ss_hash_bytes(data, size);
	ss_policy p;
	fuzz_policy_from((uint8_t)h, &p);
	int kitty = (h >> 8) & 1;
	fuzz_workdir();
	fuzz_write("sessions/web%201", data, size);
	if ((h >> 9) & 1)
		fuzz_write("sessions/Default%20Settings",
			   kitty ? "HostName\\d\\\n" : "HostName=d\n", 11);
	char *dir = fuzz_path("sessions");
	fuzz_client_cycle(kitty ? &ss_client_kitty : &ss_client_putty, dir, &p,
			  kitty ? items_kitty : items_putty, NULL);
	free(dir);
	return 0;
}
