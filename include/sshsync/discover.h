/* discover: the settings files of every client on this machine. */
#ifndef SSHSYNC_DISCOVER_H
#define SSHSYNC_DISCOVER_H

#include "sshsync/diag.h"
#include "sshsync/target.h"

/* Where to look; every field may be NULL (unset). Taken from the
 * environment by ss_discover_env_init, or set by tests. */
typedef struct ss_discover_env {
	const char *home;
	const char *xdg_config_home;
	const char *puttydir;
	const char *puttysessions;
	const char *wineprefix; /* default ~/.wine */
	const char *sysconfdir; /* default /etc; $SSHSYNC_SYSCONFDIR */
} ss_discover_env;

void ss_discover_env_init(ss_discover_env *env);

/* Appends every store found, in a fixed order: OpenSSH user and system
 * client configs, sshd, PuTTY's session directory, KiTTY and WinSCP in the
 * Wine prefix; on Windows the sessions keys of PuTTY and KiTTY that exist
 * and the store WinSCP uses (WinSCP.ini beside WinSCP.exe, where its
 * installer's uninstall key says, else %APPDATA%\WinSCP.ini, else its
 * sessions key). System files are marked `system`. */
int ss_discover(const ss_discover_env *env, ss_targets *out, ss_diag *d);

#endif
