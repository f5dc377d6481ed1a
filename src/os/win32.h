/* What the Windows files of src/os share (private to src/os). */
#ifndef SSHSYNC_OS_WIN32_H
#define SSHSYNC_OS_WIN32_H

#include <stddef.h>
#include <wchar.h>
#include <windows.h>

/* UTF-8 (sshsync's strings: the manifest makes the ANSI code page UTF-8)
 * to UTF-16 and back, newly allocated; NULL with errno set. */
wchar_t *ss_w32_wide(const char *s);
char *ss_w32_utf8(const wchar_t *w);
/* errno for GetLastError(), set and returned. */
int ss_w32_errno(void);
/* Sets errno from GetLastError(); returns -1. */
int ss_w32_fail(void);
/* The path of an open file or directory ("C:\dir" or "\\server\share\dir",
 * without "\\?\"), newly allocated UTF-16. */
wchar_t *ss_w32_handle_path(HANDLE h);
/* dir (an open directory descriptor) joined with name, UTF-16. */
wchar_t *ss_w32_join_at(int dir, const char *name);
/* The system handle of a C descriptor. */
HANDLE ss_w32_handle(int fd);

#endif
