/* Names: session and site names through every escaping sshsync has, and
 * back. The input (up to a NUL byte) is a name as a user would give it,
 * and also a stored name as a file or a registry key would hold it. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sshsync/putty.h"
#include "sshsync/report.h"
#include "sshsync/sessdir.h"
#include "sshsync/text.h"
#include "sshsync/winscp.h"

/* 1 when every byte is one of `allowed` or an alphanumeric, and '%' is
 * always followed by two uppercase hex digits. */
static int only(const char *s, size_t len, const char *allowed)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= len || !s[i + 1] || !s[i + 2] ||
			    !strchr("0123456789ABCDEF", s[i + 1]) ||
			    !strchr("0123456789ABCDEF", s[i + 2]))
				return 0;
			i += 2;
			continue;
		}
		int alnum =
		    (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
		if (!alnum && !strchr(allowed, c))
			return 0;
	}
	return 1;
}

/* Valid UTF-8 (no surrogates, no overlong forms) without C0 controls or
 * DEL: what may be printed or put into a report. */
static int printable_utf8(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		const unsigned char *p = (const unsigned char *)s + i;
		uint32_t cp;
		size_t n = ss_utf8_decode(p, len - i, &cp, 0);
		if (n == 0 || cp < 0x20 || cp == 0x7F)
			return 0;
		i += n;
	}
	return 1;
}

static void putty_registry(const char *name)
{
	ss_buf esc = SS_BUF_INIT, back = SS_BUF_INIT;
	FUZZ_CHECK(ss_putty_escape_name(name, &esc) == 0, "out of memory");
	FUZZ_CHECK(only(esc.data ? esc.data : "", esc.len, "!\"#$&'()+,-./:;<=>@[]^_`{|}~"),
		   "PuTTY registry name '%s' escapes to '%s', which holds a byte it must not", name,
		   ss_buf_str(&esc));
	FUZZ_CHECK(esc.len == 0 || esc.data[0] != '.', "escaped name starts with '.'");
	FUZZ_CHECK(ss_putty_unescape_name(ss_buf_str(&esc), esc.len, &back) == 0, "out of memory");
	FUZZ_CHECK(strcmp(ss_buf_str(&back), name) == 0,
		   "PuTTY registry name '%s' does not come back from '%s' (got '%s')", name,
		   ss_buf_str(&esc), ss_buf_str(&back));
	ss_buf_release(&esc);
	ss_buf_release(&back);
}

static void session_file(const char *name, ss_sessfmt fmt)
{
	ss_buf file = SS_BUF_INIT, back = SS_BUF_INIT;
	FUZZ_CHECK(ss_sessname_to_file(name, fmt, &file) == 0, "out of memory");
	const char *allowed = fmt == SS_SESS_PUTTY ? "+-.@_" : "!#$&'()+,-.;=@[]^_`{}~";
	FUZZ_CHECK(only(ss_buf_str(&file), file.len, allowed),
		   "session name '%s' gives the file name '%s', which holds a byte it must not",
		   name, ss_buf_str(&file));
	/* PuTTY itself keeps "." and ".." (uxstore.c mungestr); KiTTY does not. */
	FUZZ_CHECK(fmt == SS_SESS_PUTTY ||
		       (strcmp(ss_buf_str(&file), ".") && strcmp(ss_buf_str(&file), "..")),
		   "session name '%s' gives the file name '%s'", name, ss_buf_str(&file));
	FUZZ_CHECK(ss_sessname_from_file(ss_buf_str(&file), file.len, &back) == 0, "out of memory");
	const char *want = *name ? name : "Default Settings";
	FUZZ_CHECK(strcmp(ss_buf_str(&back), want) == 0,
		   "session name '%s' does not come back from the file name '%s' (got '%s')", name,
		   ss_buf_str(&file), ss_buf_str(&back));
	ss_buf_release(&file);
	ss_buf_release(&back);
}

static void winscp_site(const char *name, size_t len)
{
	char *munged = ss_winscp_munge(name);
	FUZZ_CHECK(munged, "out of memory");
	FUZZ_CHECK(only(munged, strlen(munged), "!\"#$&'()+,-./:;<=>@[]^_`{|}~"),
		   "WinSCP site '%s' munges to '%s', which holds a byte it must not", name, munged);
	char *back = ss_winscp_unmunge(munged, strlen(munged));
	FUZZ_CHECK(back, "out of memory");
	/* Names shown escaped (controls, bytes that are not UTF-8) do not
	 * come back; every other name does. */
	if (printable_utf8(name, len) && strncmp(name, "\xEF\xBB\xBF", 3) != 0)
		FUZZ_CHECK(strcmp(back, name) == 0,
			   "WinSCP site '%s' does not come back from '%s' (got '%s')", name, munged,
			   back);
	free(munged);
	free(back);
}

/* Whatever a file holds, a name read from it can be printed. */
static void stored(const uint8_t *data, size_t size)
{
	char *shown = ss_winscp_unmunge((const char *)data, size);
	FUZZ_CHECK(shown, "out of memory");
	FUZZ_CHECK(printable_utf8(shown, strlen(shown)),
		   "a stored WinSCP name is shown with a control or invalid UTF-8");
	free(shown);
	ss_buf b = SS_BUF_INIT;
	FUZZ_CHECK(ss_sessname_from_file((const char *)data, size, &b) == 0, "out of memory");
	ss_buf_release(&b);
	char *s = fuzz_cstr(data, size);
	ss_buf out = SS_BUF_INIT;
	FUZZ_CHECK(ss_report_add_printable(&out, s) == 0, "out of memory");
	FUZZ_CHECK(fuzz_terminal_safe(ss_buf_str(&out), out.len),
		   "ss_report_add_printable lets a control, a bidirectional control or invalid "
		   "UTF-8 through");
	ss_buf_release(&out);
	free(s);
}

int fuzz_names(const uint8_t *data, size_t size)
{
	stored(data, size);
	char *name = fuzz_cstr(data, size);
	size_t len = strlen(name);
	putty_registry(name);
	session_file(name, SS_SESS_PUTTY);
	session_file(name, SS_SESS_KITTY);
	winscp_site(name, len);
	free(name);
	return 0;
}
