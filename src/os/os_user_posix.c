/* POSIX users, groups and folders: the password and group databases.
 * See include/sshsync/os_user.h. */
#define _GNU_SOURCE
#include "sshsync/os_user.h"

#include "os_int.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *ss_os_home_dir(void)
{
	struct passwd *pw = getpwuid(getuid());
	return pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : NULL;
}

const char *ss_os_user_home(void)
{
	const char *h = getenv("HOME");
	return h ? h : ss_os_home_dir();
}

const char *ss_os_user_name(void)
{
	struct passwd *pw = getpwuid(getuid());
	return pw && pw->pw_name ? pw->pw_name : NULL;
}

const char *ss_os_config_root(void)
{
	return "/etc";
}

ss_os_id ss_os_uid(void)
{
	return (ss_os_id)getuid();
}

int ss_os_is_admin(void)
{
	return geteuid() == 0;
}

int ss_os_user_exists(const char *name)
{
	return getpwnam(name) != NULL;
}

int ss_os_user_ids(const char *name, ss_os_id *uid, ss_os_id *gid)
{
	struct passwd *pw = getpwnam(name);
	if (!pw)
		return -1;
	*uid = (ss_os_id)pw->pw_uid;
	*gid = (ss_os_id)pw->pw_gid;
	return 0;
}

int ss_os_user_groups(const char *user, ss_os_paths *out)
{
	out->v = NULL;
	out->n = 0;
	long pwmax = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t pwlen = pwmax > 0 ? (size_t)pwmax : 16384;
	char *pwbuf = malloc(pwlen);
	if (!pwbuf)
		return -1;
	struct passwd pw, *pwp = NULL;
	int r = 0;
	if (getpwnam_r(user, &pw, pwbuf, pwlen, &pwp) != 0 || !pwp)
		goto out; /* no such user: no groups */
	int ngroups = 64;
	gid_t *gids = NULL;
	for (int tries = 0; tries < 8; tries++) {
		gid_t *g = realloc(gids, (size_t)ngroups * sizeof(*g));
		if (!g) {
			r = -1;
			break;
		}
		gids = g;
		int n = ngroups;
		if (getgrouplist(pw.pw_name, pw.pw_gid, gids, &n) != -1) {
			ngroups = n;
			break;
		}
		ngroups = n > ngroups ? n : ngroups * 2;
		if (tries == 7)
			ngroups = 0;
	}
	size_t cap = 0;
	for (int i = 0; r == 0 && gids && i < ngroups; i++) {
		struct group *gr = getgrgid(gids[i]);
		if (gr && ss_os_paths_push(out, &cap, gr->gr_name) < 0)
			r = -1;
	}
	free(gids);
out:
	free(pwbuf);
	if (r < 0)
		ss_os_paths_free(out);
	return r;
}

int ss_os_secure_permissions(const ss_stat *st, ss_os_id uid)
{
	if (st->st_uid != 0 && st->st_uid != uid)
		return 0;
	if (st->st_mode & 002)
		return 0;
	if (!(st->st_mode & 020))
		return 1;
	struct group *gr = getgrgid((gid_t)st->st_gid);
	if (!gr)
		return 0;
	int members = 0, ok = 1;
	struct passwd *pw;
	setpwent();
	while ((pw = getpwent()) != NULL) {
		if (pw->pw_gid == gr->gr_gid) {
			members++;
			if (pw->pw_uid != uid)
				ok = 0;
		}
	}
	endpwent();
	if (!ok)
		return 0;
	pw = getpwuid((uid_t)st->st_uid);
	if (!pw)
		return 0;
	if (gr->gr_mem[0]) {
		members++;
		if (strcmp(pw->pw_name, gr->gr_mem[0]) != 0 || gr->gr_mem[1])
			return 0;
	}
	return members > 0;
}

char *ss_os_folder_path(ss_os_folder which)
{
	if (which == SS_OS_STATE) {
		const char *home = getenv("HOME");
		if (!home || !*home)
			return NULL;
		size_t n = strlen(home) + sizeof("/.local/state");
		char *s = malloc(n);
		if (s)
			snprintf(s, n, "%s/.local/state", home);
		return s;
	}
	return NULL;
}
