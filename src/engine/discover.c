/* discover: looking where each client keeps its settings. */
#include "sshsync/discover.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sshsync/buf.h"
#include "sshsync/os_file.h"
#include "sshsync/os_path.h"
#include "sshsync/os_registry.h"
#include "sshsync/os_user.h"
#include "sshsync/putty.h"
#include "sshsync/winscp.h"

void ss_discover_env_init(ss_discover_env *env)
{
	/* $HOME, else what PuTTY (and ssh, always) use when it is not set;
	 * on Windows the profile, where OpenSSH for Windows looks. */
	env->home = ss_os_user_home();
	env->xdg_config_home = getenv("XDG_CONFIG_HOME");
	env->puttydir = getenv("PUTTYDIR");
	env->puttysessions = getenv("PUTTYSESSIONS");
	env->wineprefix = getenv("WINEPREFIX");
	/* For tests and the demo: a stand-in for /etc. */
	env->sysconfdir = getenv("SSHSYNC_SYSCONFDIR");
}

static int is_set(const char *s)
{
	return s && *s;
}

static int exists(const char *path, int want_dir)
{
	ss_stat st;
	if (ss_os_stat(path, &st) < 0)
		return 0;
	return want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
}

/* Adds `path` when it exists and this build has a client for `kind`. */
static int add_if(ss_targets *out, const char *kind, const char *path, int want_dir, int system,
		  ss_diag *d)
{
	const ss_client *c = ss_client_find(kind);
	if (!path)
		return ss_diag_oom(d);
	if (!c || !exists(path, want_dir))
		return 0;
	char *shown = ss_strdup(path); /* C:\Users\x\.ssh\config on Windows */
	if (shown)
		ss_os_native_seps(shown);
	int r = !shown || ss_targets_add(out, c, shown, system) < 0 ? ss_diag_oom(d) : 0;
	free(shown);
	return r;
}

static int add_owned(ss_targets *out, const char *kind, char *path, int want_dir, int system,
		     ss_diag *d)
{
	int r = add_if(out, kind, path, want_dir, system, d);
	free(path);
	return r;
}

static int add_glob(ss_targets *out, const char *kind, char *pattern, int want_dir, ss_diag *d)
{
	if (!pattern)
		return ss_diag_oom(d);
	ss_os_paths g;
	int r = 0;
	int gr = ss_os_glob(pattern, SS_OS_GLOB_LENIENT, &g);
	if (gr == 0) {
		for (size_t i = 0; i < g.n && r == 0; i++)
			r = add_if(out, kind, g.v[i], want_dir, 0, d);
		ss_os_paths_free(&g);
	} else if (gr < 0) {
		r = ss_diag_oom(d);
	}
	free(pattern);
	return r;
}

/* PuTTY's own order (unix/storage.c, make_filename): $PUTTYSESSIONS, then
 * $PUTTYDIR/sessions (both taken when set at all, even empty), then
 * sessions in $XDG_CONFIG_HOME/putty (when that variable is not empty) or
 * ~/.config/putty if that exists as anything, else ~/.putty/sessions. */
static char *putty_sessions_dir(const ss_discover_env *env)
{
	if (env->puttysessions)
		return ss_strdup(env->puttysessions);
	if (env->puttydir)
		return ss_asprintf("%s/sessions", env->puttydir);
	char *xdg = is_set(env->xdg_config_home) ? ss_asprintf("%s/putty", env->xdg_config_home)
						 : ss_asprintf("%s/.config/putty", env->home);
	if (!xdg)
		return NULL;
	ss_stat st;
	if (ss_os_stat(xdg, &st) == 0) {
		char *dir = ss_asprintf("%s/sessions", xdg);
		free(xdg);
		return dir;
	}
	free(xdg);
	return ss_asprintf("%s/.putty/sessions", env->home);
}

static int discover_wine(const ss_discover_env *env, ss_targets *out, ss_diag *d)
{
	char *prefix = is_set(env->wineprefix) ? ss_strdup(env->wineprefix)
					       : ss_asprintf("%s/.wine", env->home);
	if (!prefix)
		return ss_diag_oom(d);
	/* Wine's registry: the sessions of PuTTY, KiTTY and WinSCP run there. */
	int r = add_owned(out, "winereg", ss_asprintf("%s/user.reg", prefix), 0, 0, d);
	r = r ? r
	      : add_glob(out, "kitty",
			 ss_asprintf("%s/drive_c/Program Files*/KiTTY/Sessions", prefix), 1, d);
	r = r ? r
	      : add_glob(out, "winscp",
			 ss_asprintf("%s/drive_c/users/*/AppData/Roaming/"
				     "WinSCP.ini",
				     prefix),
			 0, d);
	r = r ? r
	      : add_glob(out, "winscp",
			 ss_asprintf("%s/drive_c/users/*/Application Data/"
				     "WinSCP.ini",
				     prefix),
			 0, d);
	r = r ? r
	      : add_glob(out, "winscp",
			 ss_asprintf("%s/drive_c/Program Files*/WinSCP/"
				     "WinSCP.ini",
				     prefix),
			 0, d);
	free(prefix);
	return r;
}

/* Whether the key HKCU\`sub` exists (errors count as no: discover only
 * lists). */
static int reg_key_exists(const char *root, const char *sub)
{
	char *path = ss_asprintf("%s\\%s", root, sub);
	ss_osreg_key *k = NULL;
	ss_diag ignored = SS_DIAG_INIT;
	int r = path ? ss_osreg_open(path, 0, &k, &ignored) : -1;
	ss_osreg_close(k);
	ss_diag_clear(&ignored);
	free(path);
	return r == 1;
}

static int add_reg(ss_targets *out, const char *regkey, ss_diag *d)
{
	if (!reg_key_exists("HKCU", regkey))
		return 0;
	char *path = ss_asprintf("HKCU\\%s", regkey);
	int r =
	    !path || ss_targets_add(out, ss_client_find("reg"), path, 0) < 0 ? ss_diag_oom(d) : 0;
	free(path);
	return r;
}

/* Where the WinSCP installer put WinSCP.exe (Inno Setup's uninstall key
 * of AppId winscp3: per user, per machine, or per machine from the 32-bit
 * installer on 64-bit Windows), newly allocated, or NULL. */
static char *winscp_install_dir(void)
{
	static const char *const KEYS[] = {
	    "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\winscp3_is1",
	    "HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\winscp3_is1",
	    ("HKLM\\Software\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\"
	     "winscp3_is1")};
	for (size_t i = 0; i < sizeof(KEYS) / sizeof(KEYS[0]); i++) {
		ss_osreg_key *k = NULL;
		ss_diag ignored = SS_DIAG_INIT;
		ss_buf data = SS_BUF_INIT, dir = SS_BUF_INIT;
		uint32_t type = 0;
		char *found = NULL;
		if (ss_osreg_open(KEYS[i], 0, &k, &ignored) == 1 &&
		    ss_osreg_query(k, "InstallLocation", &type, &data, &ignored) == 1 &&
		    type == 1 && ss_utf16le_to_utf8(data.data, data.len, &dir) == 0) {
			while (dir.len && (dir.data[dir.len - 1] == '\0' ||
					   ss_os_is_sep(dir.data[dir.len - 1])))
				dir.len--;
			found = dir.len ? ss_strndup(dir.data, dir.len) : NULL;
		}
		ss_osreg_close(k);
		ss_diag_clear(&ignored);
		ss_buf_release(&data);
		ss_buf_release(&dir);
		if (found)
			return found;
	}
	return NULL;
}

/* WinSCP keeps its sessions in the first that exists of WinSCP.ini beside
 * WinSCP.exe and %APPDATA%\WinSCP.ini, else in the registry
 * (TConfiguration::GetStorage and GetIniFileStorageName): the store it
 * uses is listed. */
static int discover_winscp(ss_targets *out, ss_diag *d)
{
	char *dir = winscp_install_dir(), *appdata = ss_os_folder_path(SS_OS_APPDATA);
	char *beside = dir ? ss_asprintf("%s/WinSCP.ini", dir) : NULL;
	char *roaming = appdata ? ss_asprintf("%s/WinSCP.ini", appdata) : NULL;
	int r = 0;
	if ((dir && !beside) || (appdata && !roaming))
		r = ss_diag_oom(d);
	else if (beside && exists(beside, 0))
		r = add_if(out, "winscp", beside, 0, 0, d);
	else if (roaming && exists(roaming, 0))
		r = add_if(out, "winscp", roaming, 0, 0, d);
	else
		r = add_reg(out, ss_winscp_root.regkey, d);
	free(dir);
	free(appdata);
	free(beside);
	free(roaming);
	return r;
}

/* Windows: the sessions keys of PuTTY and KiTTY that exist, and WinSCP's
 * store. */
static int discover_registry(ss_targets *out, ss_diag *d)
{
	if (!ss_osreg_available())
		return 0;
	int r = add_reg(out, ss_putty_root.regkey, d);
	r = r ? r : add_reg(out, ss_kitty_root.regkey, d);
	return r ? r : discover_winscp(out, d);
}

int ss_discover(const ss_discover_env *env, ss_targets *out, ss_diag *d)
{
	const char *etc = is_set(env->sysconfdir) ? env->sysconfdir : ss_os_config_root();
	int has_home = is_set(env->home);
	int r = 0;
	if (has_home)
		r = add_owned(out, "ssh", ss_asprintf("%s/.ssh/config", env->home), 0, 0, d);
	r = r ? r : add_owned(out, "ssh", ss_asprintf("%s/ssh/ssh_config", etc), 0, 1, d);
	r = r ? r : add_owned(out, "sshd", ss_asprintf("%s/ssh/sshd_config", etc), 0, 1, d);
	if (has_home || env->puttysessions || env->puttydir)
		r = r ? r : add_owned(out, "putty", putty_sessions_dir(env), 1, 0, d);
	/* Wine prefixes are Linux's: under Wine, sshsync.exe sees $WINEPREFIX
	 * too, but its registry is the live one (user.reg is wineserver's
	 * while it runs, and a Windows program always runs with one). */
	if ((has_home || is_set(env->wineprefix)) && !ss_osreg_available())
		r = r ? r : discover_wine(env, out, d);
	return r ? r : discover_registry(out, d);
}
