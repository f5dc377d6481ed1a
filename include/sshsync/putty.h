/* PuTTY and KiTTY: saved sessions in a .reg export or a session directory.
 *
 * The clients ss_client_putty and ss_client_kitty (clients.h) read
 *  - a .reg file: the keys one level below
 *    HKEY_CURRENT_USER\Software\SimonTatham\PuTTY\Sessions (KiTTY:
 *    ...\Software\9bis.com\KiTTY\Sessions), also under HKEY_USERS\<SID>;
 *    nothing else in the file is ever touched (SshHostKeys, Jumplist, ...);
 *  - a directory: PuTTY's Unix session files, or KiTTY's portable
 *    Sessions folder (see sessdir.h).
 * A session's interval is PingInterval*60 + PingIntervalSecs; a value that
 * is missing, or not a REG_DWORD, is PuTTY's compiled-in default (0, so
 * off; TCPKeepalives 0), never Default Settings. Values of the wrong type
 * or form are reported as a failing reason. */
#ifndef SSHSYNC_PUTTY_H
#define SSHSYNC_PUTTY_H

#include <stddef.h>

#include "sshsync/buf.h"
#include "sshsync/changeset.h"
#include "sshsync/diag.h"
#include "sshsync/session.h"
#include "sshsync/storage.h"

/* The registry paths below HKEY_CURRENT_USER. */
#define SS_PUTTY_SESSIONS_KEY "Software\\SimonTatham\\PuTTY\\Sessions"
#define SS_KITTY_SESSIONS_KEY "Software\\9bis.com\\KiTTY\\Sessions"

/* Where PuTTY and KiTTY keep their sessions, for the storage layer. */
extern const ss_storage_root ss_putty_root;
extern const ss_storage_root ss_kitty_root;

/* A session name as Windows PuTTY names its registry key
 * (escape_registry_key): space, '\', '*', '?', '%', bytes below 0x20 or
 * above 0x7E, and '.' in first position become %XX with uppercase hex.
 * Nothing that could end a .reg line or a key name survives unescaped. */
int ss_putty_escape_name(const char *name, ss_buf *out);
/* The reverse, computed exactly as PuTTY does (%XY with uppercase hex
 * digits; lowercase ones give PuTTY's odd byte, which is what it shows). */
int ss_putty_unescape_name(const char *s, size_t len, ss_buf *out);

/* Migration (client.h sessions_read/sessions_plan), through storage:
 * PuTTY 0.78's keys and encodings (MIGRATION.md Tables 1 and 2); KiTTY 0.76
 * differs in the jump host (ProxyMethod=5 with klink) and has no detached
 * certificate. Default Settings is never a session and never inherited. */
int ss_putty_sessions_read(const char *path, const ss_strlist *names, ss_sessions *out, ss_diag *d);
int ss_kitty_sessions_read(const char *path, const ss_strlist *names, ss_sessions *out, ss_diag *d);
int ss_putty_sessions_plan(const char *path, ss_sessions *in, ss_changeset *cs, ss_diag *d);
int ss_kitty_sessions_plan(const char *path, ss_sessions *in, ss_changeset *cs, ss_diag *d);
int ss_putty_sessions_read_plan(const char *path, ss_sessions_reader read, const char *from,
				ss_sessions *in, ss_changeset *cs, ss_diag *d);
int ss_kitty_sessions_read_plan(const char *path, ss_sessions_reader read, const char *from,
				ss_sessions *in, ss_changeset *cs, ss_diag *d);

#endif
