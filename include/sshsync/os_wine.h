/* Wine prefixes on this system (src/os/): whether a wineserver runs for
 * one. A running wineserver holds the prefix's registry in memory and
 * writes user.reg and system.reg over when it saves (every 30 s after a
 * change, and when it exits), so a change made to the file meanwhile is
 * lost: sshsync refuses to write while one runs. */
#ifndef SSHSYNC_OS_WINE_H
#define SSHSYNC_OS_WINE_H

/* Whether a wineserver runs for the prefix directory `prefix` (the one
 * that holds user.reg): 1 yes, 0 no, -1 cannot tell (errno set). With 1,
 * *evidence (newly allocated, may stay NULL when memory runs out) says
 * what showed it: the server directory whose lock is held.
 *
 * It is found the way wineserver finds another one (server/request.c,
 * acquire_lock): the server directory of a prefix is
 * `server-DEV-INODE` (the prefix directory's device and inode in hex) in
 * /tmp/.wine-UID, or, with Debian's wine, in $TMPDIR (else /tmp) under the
 * name that the prefix's `wineserver` file holds; a server holds a write
 * lock on the first byte of its `lock` file (on a file system without
 * locks, its `socket` stands for it). A server whose $TMPDIR differed is
 * found by its working directory, which is its server directory (Linux
 * /proc). Always 0 on Windows, where no wineserver runs. */
int ss_os_wineserver_running(const char *prefix, char **evidence);

#endif
