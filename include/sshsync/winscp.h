/* WinSCP: sites in WinSCP.ini (store/winini) or in a registry export
 * (store/regfile) under HKEY_CURRENT_USER\Software\Martin Prikryl\WinSCP 2.
 *
 * What WinSCP 6 reads (source/core/SessionData.cpp, TSessionData::DoLoad):
 *   secs     = PingIntervalSecs, or when that is absent or negative the
 *              obsolete PingIntervalSec, or else 30 (the factory 30 % 60)
 *   interval = PingInterval * 60 + secs, and 0 becomes 30
 *   PingType 0 off, 1 null SSH packets, 2 dummy commands; any other
 *            number is "not off" and sends null packets
 * A key that is missing, or that WinSCP cannot read as an integer (an INI
 * value that StrToInt rejects, a registry value that is not a REG_DWORD),
 * gets the factory default, never Default Settings' value.
 * What it writes (DoSave): PingInterval = s / 60, PingIntervalSecs = s % 60,
 * PingIntervalSec deleted. */
#ifndef SSHSYNC_WINSCP_H
#define SSHSYNC_WINSCP_H

#include <stddef.h>

#include "sshsync/client.h"
#include "sshsync/storage.h"

#define SS_WINSCP_ROOT "HKEY_CURRENT_USER\\Software\\Martin Prikryl\\WinSCP 2"
#define SS_WINSCP_SESSIONS SS_WINSCP_ROOT "\\Sessions"
#define SS_WINSCP_DEFAULT_SETTINGS "Default Settings"

extern const ss_client ss_client_winscp;
/* Where WinSCP keeps its sites, for the storage layer. */
extern const ss_storage_root ss_winscp_root;

/* A stored site name as WinSCP shows it (UnMungeStr): PuTTY's %XX
 * unescaping, which decodes only uppercase hex correctly, then UTF-8 when
 * the result starts with EF BB BF. Bytes that are not valid UTF-8 (an ANSI
 * name of an unknown code page) and control characters stay as %XX so
 * that the name can always be printed. Newly allocated; NULL when out of
 * memory. */
char *ss_winscp_unmunge(const char *s, size_t len);
/* The stored form of a site name given in UTF-8 (MungeStr): EF BB BF
 * before a name with non-ASCII characters, then PuTTY's escaping. */
char *ss_winscp_munge(const char *name);

/* Migration (client.h sessions_read/sessions_plan), through storage: sites
 * on the factory defaults (Default Settings is never a session), written
 * as WinSCP saves them (only values that differ from the factory
 * defaults); one jump hop in the Tunnel* fields. */
int ss_winscp_sessions_read(const char *path, const ss_strlist *names, ss_sessions *out,
			    ss_diag *d);
int ss_winscp_sessions_plan(const char *path, ss_sessions *in, ss_changeset *cs, ss_diag *d);

#endif
