/* discover: looking where each client keeps its settings. */
#include "sshsync/discover.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sshsync/buf.h"
#include "sshsync/os_file.h"
#include "sshsync/os_path.h"
#include "sshsync/os_user.h"

void ss_discover_env_init(ss_discover_env *env)
{
	env->home = getenv("HOME");
	if (!env->home) {
		/* What PuTTY (and ssh, always) use when $HOME is not set
		 * (Windows: %USERPROFILE%, where OpenSSH for Windows looks). */
		env->home = ss_os_home_dir();
	}
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
	if (has_home || is_set(env->wineprefix))
		r = r ? r : discover_wine(env, out, d);
	return r;
}
