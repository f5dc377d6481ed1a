/* Windows users, groups and folders: the profile, the token, the local
 * accounts database (LookupAccountName, NetUserGetLocalGroups). See
 * include/sshsync/os_user.h. */
#include "sshsync/os_user.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "win32.h"

/* after windows.h */
#include <lm.h>

static const char *env_or_null(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

const char *ss_os_home_dir(void)
{
	return env_or_null("USERPROFILE");
}

const char *ss_os_user_home(void)
{
	return ss_os_home_dir();
}

const char *ss_os_user_name(void)
{
	return env_or_null("USERNAME");
}

const char *ss_os_config_root(void)
{
	const char *p = env_or_null("PROGRAMDATA");
	return p ? p : "C:\\ProgramData";
}

ss_os_id ss_os_uid(void)
{
	return 0;
}

int ss_os_is_admin(void)
{
	HANDLE tok;
	if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
		return 0;
	TOKEN_ELEVATION el;
	DWORD n = 0;
	int admin =
	    GetTokenInformation(tok, TokenElevation, &el, sizeof(el), &n) && el.TokenIsElevated;
	CloseHandle(tok);
	return admin;
}

int ss_os_user_exists(const char *name)
{
	wchar_t *w = ss_w32_wide(name);
	if (!w)
		return 0;
	BYTE sid[SECURITY_MAX_SID_SIZE];
	DWORD sidlen = sizeof(sid);
	wchar_t domain[256];
	DWORD domlen = sizeof(domain) / sizeof(*domain);
	SID_NAME_USE use;
	int ok =
	    LookupAccountNameW(NULL, w, sid, &sidlen, domain, &domlen, &use) && use == SidTypeUser;
	free(w);
	return ok;
}

int ss_os_user_ids(const char *name, ss_os_id *uid, ss_os_id *gid)
{
	(void)name;
	*uid = 0;
	*gid = 0;
	errno = ENOSYS; /* Windows names users by SID, not by number */
	return -1;
}

int ss_os_user_groups(const char *user, ss_os_paths *out)
{
	out->v = NULL;
	out->n = 0;
	wchar_t *w = ss_w32_wide(user);
	if (!w)
		return errno == ENOMEM ? -1 : 0;
	LOCALGROUP_USERS_INFO_0 *groups = NULL;
	DWORD read = 0, total = 0;
	NET_API_STATUS st =
	    NetUserGetLocalGroups(NULL, w, 0, LG_INCLUDE_INDIRECT, (LPBYTE *)&groups,
				  MAX_PREFERRED_LENGTH, &read, &total);
	free(w);
	if (st != NERR_Success) {
		if (groups)
			NetApiBufferFree(groups);
		return 0; /* no such user (or no account database): no groups */
	}
	int r = 0;
	if (read) {
		out->v = calloc(read, sizeof(*out->v));
		r = out->v ? 0 : -1;
	}
	for (DWORD i = 0; r == 0 && i < read; i++) {
		char *g = ss_w32_utf8(groups[i].lgrui0_name);
		if (!g)
			r = -1;
		else
			out->v[out->n++] = g;
	}
	NetApiBufferFree(groups);
	if (r < 0) {
		ss_os_paths_free(out);
		errno = ENOMEM;
	}
	return r;
}

int ss_os_secure_permissions(const ss_stat *st, ss_os_id uid)
{
	(void)st;
	(void)uid;
	return 1;
}

char *ss_os_folder_path(ss_os_folder which)
{
	const char *v = env_or_null(which == SS_OS_APPDATA ? "APPDATA" : "LOCALAPPDATA");
	if (!v)
		return NULL;
	char *s = strdup(v);
	if (!s)
		errno = ENOMEM;
	return s;
}
