/* Windows helpers of src/os: UTF-16, errors, paths of handles. */
#include <errno.h>
#include <io.h>
#include <stdlib.h>
#include <string.h>

#include "win32.h"

wchar_t *ss_w32_wide(const char *s)
{
	int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
	if (n <= 0) {
		errno = EINVAL;
		return NULL;
	}
	wchar_t *w = malloc((size_t)n * sizeof(*w));
	if (!w) {
		errno = ENOMEM;
		return NULL;
	}
	MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n);
	return w;
}

char *ss_w32_utf8(const wchar_t *w)
{
	int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
	if (n <= 0) {
		errno = EINVAL;
		return NULL;
	}
	char *s = malloc((size_t)n);
	if (!s) {
		errno = ENOMEM;
		return NULL;
	}
	WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
	return s;
}

int ss_w32_errno(void)
{
	DWORD e = GetLastError();
	int r;
	switch (e) {
	case ERROR_FILE_NOT_FOUND:
	case ERROR_PATH_NOT_FOUND:
	case ERROR_INVALID_DRIVE:
	case ERROR_BAD_NETPATH:
	case ERROR_BAD_NET_NAME:
		r = ENOENT;
		break;
	case ERROR_ACCESS_DENIED:
	case ERROR_SHARING_VIOLATION:
	case ERROR_LOCK_VIOLATION:
	case ERROR_PRIVILEGE_NOT_HELD:
		r = EACCES;
		break;
	case ERROR_FILE_EXISTS:
	case ERROR_ALREADY_EXISTS:
		r = EEXIST;
		break;
	case ERROR_NOT_ENOUGH_MEMORY:
	case ERROR_OUTOFMEMORY:
		r = ENOMEM;
		break;
	case ERROR_DIRECTORY:
		r = ENOTDIR;
		break;
	case ERROR_DIR_NOT_EMPTY:
		r = ENOTEMPTY;
		break;
	case ERROR_NOT_SAME_DEVICE:
		r = EXDEV;
		break;
	case ERROR_DISK_FULL:
	case ERROR_HANDLE_DISK_FULL:
		r = ENOSPC;
		break;
	case ERROR_WRITE_PROTECT:
		r = EROFS;
		break;
	case ERROR_CANT_RESOLVE_FILENAME:
		r = ELOOP;
		break;
	case ERROR_INVALID_NAME:
	case ERROR_INVALID_PARAMETER:
		r = EINVAL;
		break;
	case ERROR_NOT_SUPPORTED:
	case ERROR_INVALID_FUNCTION:
	case ERROR_CALL_NOT_IMPLEMENTED:
		r = EPERM;
		break;
	case ERROR_FILENAME_EXCED_RANGE:
		r = ENAMETOOLONG;
		break;
	default:
		r = EIO;
	}
	errno = r;
	return r;
}

int ss_w32_fail(void)
{
	ss_w32_errno();
	return -1;
}

HANDLE ss_w32_handle(int fd)
{
	return (HANDLE)_get_osfhandle(fd);
}

wchar_t *ss_w32_handle_path(HANDLE h)
{
	DWORD n = GetFinalPathNameByHandleW(h, NULL, 0, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
	if (!n) {
		ss_w32_errno();
		return NULL;
	}
	wchar_t *w = malloc(((size_t)n + 1) * sizeof(*w));
	if (!w) {
		errno = ENOMEM;
		return NULL;
	}
	DWORD got = GetFinalPathNameByHandleW(h, w, n + 1, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
	if (!got || got > n) {
		free(w);
		ss_w32_errno();
		return NULL;
	}
	/* \\?\C:\x is C:\x; \\?\UNC\server\share is \\server\share. */
	if (wcsncmp(w, L"\\\\?\\UNC\\", 8) == 0) {
		memmove(w + 2, w + 8, (wcslen(w + 8) + 1) * sizeof(*w));
	} else if (wcsncmp(w, L"\\\\?\\", 4) == 0) {
		memmove(w, w + 4, (wcslen(w + 4) + 1) * sizeof(*w));
	}
	return w;
}

wchar_t *ss_w32_join_at(int dir, const char *name)
{
	HANDLE h = ss_w32_handle(dir);
	if (h == INVALID_HANDLE_VALUE) {
		errno = EBADF;
		return NULL;
	}
	wchar_t *base = ss_w32_handle_path(h);
	wchar_t *wname = base ? ss_w32_wide(name) : NULL;
	if (!wname) {
		free(base);
		return NULL;
	}
	size_t bl = wcslen(base), nl = wcslen(wname);
	int sep = bl && base[bl - 1] != L'\\';
	wchar_t *w = malloc((bl + sep + nl + 1) * sizeof(*w));
	if (w) {
		memcpy(w, base, bl * sizeof(*w));
		if (sep)
			w[bl] = L'\\';
		memcpy(w + bl + sep, wname, (nl + 1) * sizeof(*w));
	} else {
		errno = ENOMEM;
	}
	free(base);
	free(wname);
	return w;
}
