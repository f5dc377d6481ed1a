/* The platform's users, groups and well-known folders (src/os/): who runs
 * sshsync, where its configurations live, and what Match User/Group and
 * ~USER mean. */
#ifndef SSHSYNC_OS_USER_H
#define SSHSYNC_OS_USER_H

#include "sshsync/os_file.h"

/* The current user's home folder (NULL when unknown), valid until the
 * next call into the system's user database: on POSIX the password
 * database's (callers that honour $HOME read it first); on Windows
 * %USERPROFILE%. */
const char *ss_os_home_dir(void);
/* The home folder the SSH clients of this system expand ~ to: on POSIX
 * $HOME when set (an empty one too: callers decide what it means), else
 * ss_os_home_dir; on Windows the
 * profile, whatever %HOME% says: Win32-OpenSSH takes pw_dir from the
 * profile list (ProfileImagePath), never from HOME (which Git for Windows
 * and MSYS set, and which Wine passes to no Windows program). */
const char *ss_os_user_home(void);
/* The current user's login name (NULL when unknown), valid as above. */
const char *ss_os_user_name(void);
/* Where the system's configurations live: /etc; Windows: %PROGRAMDATA%
 * (OpenSSH for Windows reads %PROGRAMDATA%\ssh\ssh_config). */
const char *ss_os_config_root(void);
/* The current (effective) user id; 0 on Windows. */
ss_os_id ss_os_uid(void);
/* Whether sshsync runs as root (POSIX) or elevated (Windows). */
int ss_os_is_admin(void);
/* Whether a user of that name exists (1) or not (0). */
int ss_os_user_exists(const char *name);
/* The ids of a user: 0, or -1 when there is no such user (or the system
 * has no ids, Windows). */
int ss_os_user_ids(const char *name, ss_os_id *uid, ss_os_id *gid);
/* The names of the groups of a user, primary and supplementary (as sshd's
 * ga_init() collects them; Windows: the local groups). None for an
 * unknown user. 0, or -1 (no memory). */
int ss_os_user_groups(const char *user, ss_os_paths *out);
/* Debian's ssh secure_permissions() for a configuration file: owned by
 * `uid` or root, not world-writable, group-writable only when the group's
 * one member is the owner. Windows: always 1 (Win32-OpenSSH checks ACLs,
 * which sshsync does not model). */
int ss_os_secure_permissions(const ss_stat *st, ss_os_id uid);

/* Where each system keeps things (newly allocated, NULL when unknown). */
typedef enum ss_os_folder {
	SS_OS_APPDATA, /* Windows: %APPDATA%; POSIX: NULL */
	SS_OS_STATE    /* $HOME/.local/state; Windows: %LOCALAPPDATA% */
} ss_os_folder;
char *ss_os_folder_path(ss_os_folder which);

#endif
