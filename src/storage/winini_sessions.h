/* Which sections of a WinSCP.ini are sessions, and how key names compare:
 * shared by the backend that reads the file whole (be_winini.c) and the
 * one that reads it piece by piece (be_winini_pieces.c). */
#ifndef SSHSYNC_WININI_SESSIONS_H
#define SSHSYNC_WININI_SESSIONS_H

#include <string.h>

#include "sshsync/keyindex.h"
#include "sshsync/winini.h"

/* Whether a section of this name is a session of the root (`prefix`,
 * plen bytes), when it is the first of its name: right below the prefix
 * (deeper sections are subkeys of a session). The prefix mostly comes in
 * the case asked for (memcmp). */
static inline int winini_session_name(const char *name, size_t len, const char *prefix, size_t plen)
{
	return len > plen &&
	       (memcmp(name, prefix, plen) == 0 || ss_key_eq(name, plen, prefix, plen)) &&
	       !memchr(name + plen, '\\', len - plen);
}

/* Whether section i of an index is a session of the root. */
static inline int winini_is_session(const ss_winini *ini, size_t i, const char *prefix, size_t plen)
{
	const ss_winini_section *s = &ini->sections[i];
	return s->first_of == i &&
	       winini_session_name(ss_winini_section_name(ini, i), s->name_len, prefix, plen);
}

/* Whether two names of len bytes are one for TMemIniFile (ASCII case
 * folded). Most names that differ do so in their first byte, or in their
 * length, which the caller tells apart; and names mostly come in the case
 * asked for, which memcmp tells at once. */
static inline int winini_same_name(const char *a, const char *b, size_t len)
{
	if (len == 0)
		return 1;
	if ((a[0] | 0x20) != (b[0] | 0x20))
		return 0;
	return memcmp(a, b, len) == 0 || ss_key_eq(a, len, b, len);
}

#endif
