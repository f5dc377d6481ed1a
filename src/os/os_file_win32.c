/* Windows file operations: directory handles as C descriptors, byte-range
 * locks, attributes and ACLs, atomic replacement (MoveFileExW/ReplaceFileW
 * and FlushFileBuffers). See include/sshsync/os_file.h.
 *
 * A "directory descriptor" is a C descriptor over a directory handle
 * (FILE_FLAG_BACKUP_SEMANTICS); names are resolved against the path the
 * system gives for that handle. Every file is opened in binary mode. */
#include "sshsync/os_file.h"

#include <aclapi.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/os_sys.h"
#include "win32.h"
#include "os_int.h"

/* Every sshsync locks this byte, far past any content: the lock excludes
 * other sshsync runs without stopping anyone from reading the file
 * (Windows locks are mandatory for the bytes they cover). */
#define LOCK_OFFSET_HIGH 0x40000000u

static const DWORD SHARE_ALL = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

/* --- status --- */

static int64_t filetime_ns(FILETIME ft)
{
	int64_t t = ((int64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
	return (t - 116444736000000000LL) * 100; /* 1601 to 1970, 100 ns units */
}

static void fill_stat(const BY_HANDLE_FILE_INFORMATION *fi, DWORD type, ss_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = fi->dwVolumeSerialNumber;
	st->st_ino = ((uint64_t)fi->nFileIndexHigh << 32) | fi->nFileIndexLow;
	st->st_nlink = fi->nNumberOfLinks;
	st->st_size = ((int64_t)fi->nFileSizeHigh << 32) | fi->nFileSizeLow;
	st->mtime_ns = filetime_ns(fi->ftLastWriteTime);
	st->ctime_ns = st->mtime_ns; /* ChangeTime below, where it can be read */
	DWORD a = fi->dwFileAttributes;
	uint32_t perm = a & FILE_ATTRIBUTE_READONLY ? 0444 : 0666;
	if (a & FILE_ATTRIBUTE_REPARSE_POINT)
		st->st_mode = 0120000 | 0777;
	else if (a & FILE_ATTRIBUTE_DIRECTORY)
		st->st_mode = S_IFDIR | perm | 0111;
	else if (type == FILE_TYPE_PIPE)
		st->st_mode = S_IFIFO | 0666;
	else if (type == FILE_TYPE_CHAR)
		st->st_mode = S_IFCHR | 0666;
	else
		st->st_mode = S_IFREG | perm;
}

static int stat_handle(HANDLE h, ss_stat *st)
{
	DWORD type = GetFileType(h);
	if (type == FILE_TYPE_PIPE || type == FILE_TYPE_CHAR) {
		memset(st, 0, sizeof(*st));
		st->st_mode = (type == FILE_TYPE_PIPE ? S_IFIFO : S_IFCHR) | 0666;
		st->st_nlink = 1;
		return 0;
	}
	BY_HANDLE_FILE_INFORMATION fi;
	if (!GetFileInformationByHandle(h, &fi))
		return ss_w32_fail();
	fill_stat(&fi, type, st);
	FILE_BASIC_INFO basic;
	if (GetFileInformationByHandleEx(h, FileBasicInfo, &basic, sizeof(basic))) {
		FILETIME ft = {basic.ChangeTime.LowPart, (DWORD)basic.ChangeTime.HighPart};
		st->ctime_ns = filetime_ns(ft);
	}
	return 0;
}

void ss_os_stat_times(const ss_stat *st, int64_t *mtime_ns, int64_t *ctime_ns)
{
	*mtime_ns = st->mtime_ns;
	*ctime_ns = st->ctime_ns;
}

int64_t ss_os_now_ns(void)
{
	FILETIME ft;
	GetSystemTimePreciseAsFileTime(&ft);
	return filetime_ns(ft);
}

static HANDLE open_w(const wchar_t *path, DWORD access, DWORD disposition, DWORD flags)
{
	return CreateFileW(path, access, SHARE_ALL, NULL, disposition,
			   flags | FILE_FLAG_BACKUP_SEMANTICS, NULL);
}

static int stat_w(const wchar_t *path, int follow, ss_stat *st)
{
	HANDLE h = open_w(path, FILE_READ_ATTRIBUTES, OPEN_EXISTING,
			  follow ? 0 : FILE_FLAG_OPEN_REPARSE_POINT);
	if (h == INVALID_HANDLE_VALUE)
		return ss_w32_fail();
	int r = stat_handle(h, st);
	CloseHandle(h);
	return r;
}

static int stat_path(const char *path, int follow, ss_stat *st)
{
	wchar_t *w = ss_w32_wide(path);
	if (!w)
		return -1;
	int r = stat_w(w, follow, st);
	free(w);
	return r;
}

int ss_os_stat(const char *path, ss_stat *st)
{
	return stat_path(path, 1, st);
}

int ss_os_lstat(const char *path, ss_stat *st)
{
	return stat_path(path, 0, st);
}

int ss_os_fstat(int fd, ss_stat *st)
{
	HANDLE h = ss_w32_handle(fd);
	if (h == INVALID_HANDLE_VALUE) {
		errno = EBADF;
		return -1;
	}
	return stat_handle(h, st);
}

int ss_os_path_exists(const char *path)
{
	ss_stat st;
	return ss_os_stat(path, &st) == 0;
}

int ss_os_is_dir(const char *path)
{
	ss_stat st;
	return ss_os_stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int ss_os_stat_at(int dir, const char *name, ss_stat *st)
{
	wchar_t *w = ss_w32_join_at(dir, name);
	if (!w)
		return -1;
	int r = stat_w(w, 0, st);
	free(w);
	return r;
}

/* --- descriptors --- */

/* A C descriptor for a handle (closed on failure). */
static int to_fd(HANDLE h, int flags, int *fd)
{
	*fd = _open_osfhandle((intptr_t)h, flags | _O_BINARY);
	if (*fd < 0) {
		CloseHandle(h);
		errno = EMFILE;
		return -1;
	}
	return 0;
}

static int open_fd_w(const wchar_t *path, DWORD access, DWORD disposition, DWORD flags, int fdflags,
		     int *fd)
{
	*fd = -1;
	HANDLE h = open_w(path, access, disposition, flags);
	if (h == INVALID_HANDLE_VALUE)
		return ss_w32_fail();
	return to_fd(h, fdflags, fd);
}

int ss_os_open_dir(const char *path, int *fd)
{
	*fd = -1;
	wchar_t *w = ss_w32_wide(path);
	if (!w)
		return -1;
	int r = open_fd_w(w, FILE_READ_ATTRIBUTES | SYNCHRONIZE, OPEN_EXISTING, 0, _O_RDONLY, fd);
	free(w);
	if (r == 0) {
		ss_stat st;
		if (ss_os_fstat(*fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
			_close(*fd);
			*fd = -1;
			errno = ENOTDIR;
			return -1;
		}
	}
	return r;
}

int ss_os_close(int fd)
{
	return fd < 0 ? 0 : _close(fd);
}

/* Opens `name` in `dir` without following a link at its end: a link is
 * refused with ELOOP. */
static int open_at_nofollow(int dir, const char *name, DWORD access, DWORD disposition, int fdflags,
			    int *fd, ss_stat *st)
{
	*fd = -1;
	wchar_t *w = ss_w32_join_at(dir, name);
	if (!w)
		return -1;
	int r = open_fd_w(w, access, disposition, FILE_FLAG_OPEN_REPARSE_POINT, fdflags, fd);
	free(w);
	ss_stat tmp;
	if (!st)
		st = &tmp;
	if (r == 0 && ss_os_fstat(*fd, st) < 0)
		r = -1;
	if (r == 0 && SS_S_ISLNK(st->st_mode)) {
		errno = ELOOP;
		r = -1;
	}
	if (r < 0 && *fd >= 0) {
		int e = errno;
		_close(*fd);
		*fd = -1;
		errno = e;
	}
	return r;
}

int ss_os_open_side_dir(int parent, const char *name, ss_os_id uid, ss_os_id gid, int create,
			int *fd, int *created)
{
	(void)uid;
	(void)gid;
	*fd = -1;
	*created = 0;
	if (create) {
		wchar_t *w = ss_w32_join_at(parent, name);
		if (!w)
			return -1;
		if (CreateDirectoryW(w, NULL))
			*created = 1;
		else if (GetLastError() != ERROR_ALREADY_EXISTS) {
			free(w);
			return ss_w32_fail();
		}
		free(w);
	}
	ss_stat st = {0};
	if (open_at_nofollow(parent, name, FILE_READ_ATTRIBUTES | SYNCHRONIZE, OPEN_EXISTING,
			     _O_RDONLY, fd, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		_close(*fd);
		*fd = -1;
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/* --- locks --- */

static int lock_handle(HANDLE h, int wait)
{
	OVERLAPPED ov;
	memset(&ov, 0, sizeof(ov));
	ov.OffsetHigh = LOCK_OFFSET_HIGH;
	DWORD flags = LOCKFILE_EXCLUSIVE_LOCK | (wait ? 0 : LOCKFILE_FAIL_IMMEDIATELY);
	if (!LockFileEx(h, flags, 0, 1, 0, &ov))
		return ss_w32_fail();
	return 0;
}

/* The lock of a file or a directory: a named mutex for its identity,
 * held until sshsync exits (the system releases it then, as it would an
 * abandoned one). Not a lock on the open file: Windows could then not
 * replace it (ss_os_release_for_replace), nor lock a directory at all. */
static int lock_identity(const char *what, const ss_stat *st)
{
	char name[96];
	snprintf(name, sizeof(name), "Local\\sshsync-%s-%llx-%llx", what,
		 (unsigned long long)st->st_dev, (unsigned long long)st->st_ino);
	HANDLE m = CreateMutexA(NULL, FALSE, name);
	if (!m)
		return ss_w32_fail();
	DWORD w = WaitForSingleObject(m, INFINITE);
	if (w != WAIT_OBJECT_0 && w != WAIT_ABANDONED) {
		CloseHandle(m);
		errno = EIO;
		return -1;
	}
	return 0; /* the handle stays open: the lock lasts */
}

int ss_os_lock_once(int dir, const char *name, int *fd, ss_stat *st)
{
	int f;
	if (open_at_nofollow(dir, name, GENERIC_READ | READ_CONTROL, OPEN_EXISTING, _O_RDONLY, &f,
			     st) < 0)
		return errno == ENOENT ? 1 : -1;
	int r = 0;
	if (!S_ISREG(st->st_mode)) {
		errno = EINVAL;
		r = -1;
	}
	if (r == 0)
		r = lock_identity("file", st);
	ss_stat now;
	if (r == 0 && ss_os_stat_at(dir, name, &now) < 0)
		r = errno == ENOENT ? 0 : -1;
	else if (r == 0)
		r = now.st_dev == st->st_dev && now.st_ino == st->st_ino ? 1 : 0;
	if (r == 1) {
		*fd = f;
		return 1;
	}
	int e = errno;
	_close(f);
	errno = e;
	return r;
}

int ss_os_release_for_replace(int *fd)
{
	int r = ss_os_close(*fd);
	*fd = -1;
	return r;
}

int ss_os_lock_dir(int dir)
{
	ss_stat st;
	if (ss_os_fstat(dir, &st) < 0)
		return -1;
	return lock_identity("dir", &st);
}

int ss_os_locks_are_per_thread(void)
{
	return 1;
}

/* --- reading and writing --- */

ssize_t ss_os_read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		size_t chunk = len - got > (1u << 30) ? (1u << 30) : len - got;
		int n = _read(fd, (char *)buf + got, (unsigned)chunk);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

ssize_t ss_os_pread_full(int fd, void *buf, size_t len, uint64_t offset)
{
	HANDLE h = ss_w32_handle(fd);
	if (h == INVALID_HANDLE_VALUE) {
		errno = EBADF;
		return -1;
	}
	size_t got = 0;
	while (got < len) {
		DWORD chunk = len - got > (1u << 30) ? (1u << 30) : (DWORD)(len - got), n = 0;
		uint64_t at = offset + got;
		OVERLAPPED ov;
		memset(&ov, 0, sizeof(ov));
		ov.Offset = (DWORD)(at & 0xFFFFFFFFu);
		ov.OffsetHigh = (DWORD)(at >> 32);
		if (!ReadFile(h, (char *)buf + got, chunk, &n, &ov)) {
			if (GetLastError() == ERROR_HANDLE_EOF)
				break;
			return ss_w32_fail();
		}
		if (n == 0)
			break;
		got += n;
	}
	return (ssize_t)got;
}

int ss_os_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		size_t chunk = len > (1u << 20) ? (1u << 20) : len;
		int n = _write(fd, p, (unsigned)chunk);
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = ENOSPC;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int ss_os_fsync(int fd)
{
	HANDLE h = ss_w32_handle(fd);
	if (h == INVALID_HANDLE_VALUE) {
		errno = EBADF;
		return -1;
	}
	BY_HANDLE_FILE_INFORMATION fi;
	if (GetFileInformationByHandle(h, &fi) && (fi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY))
		return 0; /* a directory cannot be flushed: NTFS logs its entries */
	if (!FlushFileBuffers(h))
		return ss_w32_fail();
	return 0;
}

void ss_os_start_writeback(int fd)
{
	/* Windows has no call that starts writing a file back without waiting
	 * for it: FlushFileBuffers (ss_os_fsync) does it all. */
	(void)fd;
}

void ss_os_start_writeback_range(int fd, int64_t off, int64_t len)
{
	/* As ss_os_start_writeback. */
	(void)fd;
	(void)off;
	(void)len;
}

int ss_os_ends_in_newline(int fd)
{
	ss_stat st = {0};
	char c;
	if (ss_os_fstat(fd, &st) < 0)
		return -1;
	if (st.st_size == 0)
		return 1;
	long long at = _telli64(fd);
	if (at < 0 || _lseeki64(fd, st.st_size - 1, SEEK_SET) < 0)
		return -1;
	int n = _read(fd, &c, 1);
	if (_lseeki64(fd, at, SEEK_SET) < 0 || n != 1)
		return -1;
	return c == '\n';
}

/* --- temporary files --- */

void ss_os_random_suffix(char *out)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char raw[SS_OS_TEMP_RANDOM];
	if (ss_os_random(raw, sizeof(raw)) < 0) {
		/* The clock and the process are unique enough; CREATE_NEW
		 * catches the rest. */
		unsigned long long v =
		    GetTickCount64() ^ ((unsigned long long)GetCurrentProcessId() << 16);
		for (size_t i = 0; i < sizeof(raw); i++, v >>= 5)
			raw[i] = (unsigned char)(v + i * 7);
	}
	for (size_t i = 0; i < SS_OS_TEMP_RANDOM; i++)
		out[i] = alphabet[raw[i] % (sizeof(alphabet) - 1)];
	out[SS_OS_TEMP_RANDOM] = '\0';
}

int ss_os_create_temp(int dir, const char *name, int *fd, char **tmpname)
{
	*fd = -1;
	*tmpname = NULL;
	char *prefix = ss_os_temp_prefix(name);
	if (!prefix) {
		errno = ENOMEM;
		return -1;
	}
	for (int tries = 0; tries < 100; tries++) {
		char suffix[SS_OS_TEMP_RANDOM + 1];
		ss_os_random_suffix(suffix);
		size_t size = strlen(prefix) + sizeof(suffix);
		char *tmp = malloc(size);
		wchar_t *w =
		    tmp ? (snprintf(tmp, size, "%s%s", prefix, suffix), ss_w32_join_at(dir, tmp))
			: NULL;
		if (!w) {
			free(tmp);
			free(prefix);
			if (!errno)
				errno = ENOMEM;
			return -1;
		}
		HANDLE h = CreateFileW(w, GENERIC_READ | GENERIC_WRITE | DELETE | WRITE_DAC,
				       SHARE_ALL, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
		int e = h == INVALID_HANDLE_VALUE ? ss_w32_errno() : 0;
		if (h != INVALID_HANDLE_VALUE && lock_handle(h, 0) == 0) {
			free(w);
			free(prefix);
			if (to_fd(h, _O_RDWR, fd) < 0) {
				free(tmp);
				return -1;
			}
			*tmpname = tmp;
			return 0;
		}
		if (h != INVALID_HANDLE_VALUE) {
			e = errno;
			CloseHandle(h);
			DeleteFileW(w);
		}
		free(w);
		free(tmp);
		if (e != EEXIST) {
			free(prefix);
			errno = e;
			return -1;
		}
	}
	free(prefix);
	errno = EEXIST;
	return -1;
}

int ss_os_remove_unheld_temp(int dir, const char *entry)
{
	wchar_t *w = ss_w32_join_at(dir, entry);
	if (!w)
		return 0;
	HANDLE h = CreateFileW(w, GENERIC_READ | DELETE, SHARE_ALL, NULL, OPEN_EXISTING,
			       FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	int removed = 0;
	if (h != INVALID_HANDLE_VALUE) {
		if (lock_handle(h, 0) == 0) {
			CloseHandle(h);
			removed = DeleteFileW(w) != 0;
		} else {
			CloseHandle(h);
		}
	}
	free(w);
	return removed;
}

int ss_os_list_temps(int dir, ss_os_paths *out)
{
	*out = (ss_os_paths){NULL, 0};
	wchar_t *w = ss_w32_join_at(dir, ".");
	char *path = w ? ss_w32_utf8(w) : NULL;
	free(w);
	ss_os_paths names;
	if (!path || ss_os_list_dir(path, &names, NULL) < 0) {
		if (!path)
			errno = ENOMEM;
		free(path);
		return -1;
	}
	free(path);
	size_t cap = 0;
	int r = 0;
	for (size_t i = 0; r == 0 && i < names.n; i++)
		if (ss_os_is_temp(names.v[i]))
			r = ss_os_paths_push(out, &cap, names.v[i]);
	ss_os_paths_free(&names);
	if (r < 0)
		ss_os_paths_free(out);
	return r;
}

/* --- metadata --- */

/* The access rules (DACL) of one file onto another, and its hidden and
 * system attributes; a file system without ACLs (FAT) has none to copy. */
int ss_os_copy_metadata(int from, const ss_stat *st, int to, const char **what)
{
	(void)st;
	HANDLE hf = ss_w32_handle(from), ht = ss_w32_handle(to);
	*what = "cannot read the metadata of";
	PACL dacl = NULL;
	PSECURITY_DESCRIPTOR sd = NULL;
	DWORD e = GetSecurityInfo(hf, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL, &dacl,
				  NULL, &sd);
	if (e == ERROR_SUCCESS) {
		*what = "cannot keep the access rules (ACL) of";
		SECURITY_DESCRIPTOR_CONTROL ctl = 0;
		DWORD rev = 0;
		GetSecurityDescriptorControl(sd, &ctl, &rev);
		SECURITY_INFORMATION si =
		    DACL_SECURITY_INFORMATION |
		    (ctl & SE_DACL_PROTECTED ? PROTECTED_DACL_SECURITY_INFORMATION
					     : UNPROTECTED_DACL_SECURITY_INFORMATION);
		e = SetSecurityInfo(ht, SE_FILE_OBJECT, si, NULL, NULL, dacl, NULL);
		LocalFree(sd);
		if (e != ERROR_SUCCESS && e != ERROR_NOT_SUPPORTED && e != ERROR_INVALID_FUNCTION &&
		    e != ERROR_CALL_NOT_IMPLEMENTED) {
			SetLastError(e);
			return ss_w32_fail();
		}
	} else if (e != ERROR_NOT_SUPPORTED && e != ERROR_INVALID_FUNCTION &&
		   e != ERROR_CALL_NOT_IMPLEMENTED) {
		SetLastError(e);
		return ss_w32_fail();
	}
	*what = "cannot keep the attributes of";
	FILE_BASIC_INFO fb, tb;
	if (!GetFileInformationByHandleEx(hf, FileBasicInfo, &fb, sizeof(fb)) ||
	    !GetFileInformationByHandleEx(ht, FileBasicInfo, &tb, sizeof(tb)))
		return ss_w32_fail();
	DWORD keep = FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM | FILE_ATTRIBUTE_ARCHIVE;
	DWORD attrs = (tb.FileAttributes & ~keep) | (fb.FileAttributes & keep);
	if (attrs != tb.FileAttributes) {
		memset(&tb, 0, sizeof(tb));
		tb.FileAttributes = attrs ? attrs : FILE_ATTRIBUTE_NORMAL;
		if (!SetFileInformationByHandle(ht, FileBasicInfo, &tb, sizeof(tb)))
			return ss_w32_fail();
	}
	return 0;
}

int ss_os_set_new_file_mode(int fd)
{
	(void)fd; /* a new file takes its folder's inherited ACL */
	return 0;
}

int ss_os_set_private_file_mode(int fd)
{
	(void)fd; /* likewise: a user's profile folder is private already */
	return 0;
}

/* --- names --- */

int ss_os_link_if_absent(int from_dir, const char *from, int to_dir, const char *to, int *existed)
{
	*existed = 0;
	wchar_t *wf = ss_w32_join_at(from_dir, from);
	wchar_t *wt = wf ? ss_w32_join_at(to_dir, to) : NULL;
	int r = 0;
	if (!wt)
		r = -1;
	else if (!CreateHardLinkW(wt, wf, NULL)) {
		DWORD e = GetLastError();
		if (e == ERROR_ALREADY_EXISTS || e == ERROR_FILE_EXISTS)
			*existed = 1;
		else
			r = ss_w32_fail();
	}
	free(wf);
	free(wt);
	return r;
}

/* Windows 10 1709 and later replace a file that another program holds
 * open (with FILE_SHARE_DELETE) when asked for POSIX semantics; older
 * systems and Wine refuse (MoveFileExW's error is then the one told). */
static int rename_posix(const wchar_t *from, const wchar_t *to)
{
	HANDLE h = CreateFileW(from, DELETE | SYNCHRONIZE, SHARE_ALL, NULL, OPEN_EXISTING,
			       FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	if (h == INVALID_HANDLE_VALUE)
		return -1;
	size_t n = wcslen(to);
	size_t size = sizeof(FILE_RENAME_INFO) + n * sizeof(wchar_t);
	FILE_RENAME_INFO *ri = calloc(1, size);
	int r = -1;
	if (ri) {
		ri->Flags = FILE_RENAME_FLAG_REPLACE_IF_EXISTS | FILE_RENAME_FLAG_POSIX_SEMANTICS;
		ri->FileNameLength = (DWORD)(n * sizeof(wchar_t));
		memcpy(ri->FileName, to, n * sizeof(wchar_t));
		/* FileRenameInfoEx (22): not in every MinGW header. */
		if (SetFileInformationByHandle(h, (FILE_INFO_BY_HANDLE_CLASS)22, ri, (DWORD)size))
			r = 0;
		free(ri);
	}
	CloseHandle(h);
	return r;
}

int ss_os_rename(int from_dir, const char *from, int to_dir, const char *to, int noreplace)
{
	wchar_t *wf = ss_w32_join_at(from_dir, from);
	wchar_t *wt = wf ? ss_w32_join_at(to_dir, to) : NULL;
	int r = 0;
	if (!wt) {
		r = -1;
	} else {
		/* Replacing is atomic (one MoveFileEx, written through); without
		 * MOVEFILE_REPLACE_EXISTING it fails when `to` exists. */
		DWORD flags = MOVEFILE_WRITE_THROUGH | (noreplace ? 0 : MOVEFILE_REPLACE_EXISTING);
		if (!MoveFileExW(wf, wt, flags)) {
			DWORD e = GetLastError();
			if (noreplace || e != ERROR_ACCESS_DENIED || rename_posix(wf, wt) < 0) {
				SetLastError(e);
				r = ss_w32_fail();
			}
		}
	}
	free(wf);
	free(wt);
	return r;
}

static int by_name_at(int dir, const char *name, int rmdir)
{
	wchar_t *w = ss_w32_join_at(dir, name);
	if (!w)
		return -1;
	int ok = rmdir ? RemoveDirectoryW(w) : DeleteFileW(w);
	int r = ok ? 0 : ss_w32_fail();
	free(w);
	return r;
}

int ss_os_unlink(int dir, const char *name)
{
	return by_name_at(dir, name, 0);
}

int ss_os_rmdir(int dir, const char *name)
{
	return by_name_at(dir, name, 1);
}

int ss_os_exists(int dir, const char *name)
{
	wchar_t *w = ss_w32_join_at(dir, name);
	if (!w)
		return -1;
	DWORD a = GetFileAttributesW(w);
	int r = 1;
	if (a == INVALID_FILE_ATTRIBUTES) {
		DWORD e = GetLastError();
		r = e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND ? 0 : ss_w32_fail();
	}
	free(w);
	return r;
}

/* A read-only file, or a folder that refuses new files, is not writable. */
int ss_os_can_write(int dir, const char *name)
{
	int is_dir = strcmp(name, ".") == 0;
	wchar_t *w = is_dir ? NULL : ss_w32_join_at(dir, name);
	if (!is_dir && !w)
		return -1;
	HANDLE h;
	if (is_dir) {
		h = ReOpenFile(ss_w32_handle(dir), FILE_ADD_FILE | FILE_DELETE_CHILD, SHARE_ALL,
			       FILE_FLAG_BACKUP_SEMANTICS);
	} else {
		DWORD a = GetFileAttributesW(w);
		if (a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_READONLY)) {
			free(w);
			errno = EACCES;
			return -1;
		}
		h = open_w(w, GENERIC_WRITE, OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT);
	}
	free(w);
	if (h == INVALID_HANDLE_VALUE)
		return ss_w32_fail();
	CloseHandle(h);
	return 0;
}

int ss_os_open_append_locked(const char *path, int *fd)
{
	*fd = -1;
	wchar_t *w = ss_w32_wide(path);
	if (!w)
		return -1;
	HANDLE h = CreateFileW(w, GENERIC_READ | FILE_APPEND_DATA, SHARE_ALL, NULL, OPEN_ALWAYS,
			       FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	free(w);
	if (h == INVALID_HANDLE_VALUE)
		return ss_w32_fail();
	if (lock_handle(h, 1) < 0) {
		int e = errno;
		CloseHandle(h);
		errno = e;
		return -1;
	}
	return to_fd(h, _O_RDWR | _O_APPEND, fd);
}

int ss_os_open_read(int dir, const char *name, int *fd)
{
	return open_at_nofollow(dir, name, GENERIC_READ, OPEN_EXISTING, _O_RDONLY, fd, NULL);
}

int ss_os_open_path_read(const char *path, int *fd)
{
	*fd = -1;
	wchar_t *w = ss_w32_wide(path);
	if (!w)
		return -1;
	int r = open_fd_w(w, GENERIC_READ, OPEN_EXISTING, 0, _O_RDONLY, fd);
	free(w);
	return r;
}

/* --- paths --- */

char *ss_os_realpath(const char *path)
{
	wchar_t *w = ss_w32_wide(path);
	if (!w)
		return NULL;
	HANDLE h = open_w(w, FILE_READ_ATTRIBUTES, OPEN_EXISTING, 0);
	free(w);
	if (h == INVALID_HANDLE_VALUE) {
		ss_w32_errno();
		return NULL;
	}
	wchar_t *full = ss_w32_handle_path(h);
	CloseHandle(h);
	char *s = full ? ss_w32_utf8(full) : NULL;
	free(full);
	return s;
}

static int access_w(const char *path, DWORD access)
{
	wchar_t *w = ss_w32_wide(path);
	if (!w)
		return -1;
	HANDLE h = open_w(w, access, OPEN_EXISTING, 0);
	free(w);
	if (h == INVALID_HANDLE_VALUE)
		return ss_w32_fail();
	CloseHandle(h);
	return 0;
}

int ss_os_can_read(const char *path)
{
	return access_w(path, GENERIC_READ);
}

int ss_os_can_exec(const char *path)
{
	ss_stat st;
	if (ss_os_stat(path, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EACCES;
		return -1;
	}
	return access_w(path, GENERIC_EXECUTE);
}

char *ss_os_make_temp_dir(const char *prefix)
{
	wchar_t tmp[MAX_PATH + 1];
	DWORD n = GetTempPathW(MAX_PATH + 1, tmp);
	if (!n || n > MAX_PATH) {
		ss_w32_errno();
		return NULL;
	}
	char *base = ss_w32_utf8(tmp);
	if (!base)
		return NULL;
	for (int tries = 0; tries < 100; tries++) {
		char suffix[SS_OS_TEMP_RANDOM + 1];
		ss_os_random_suffix(suffix);
		size_t size = strlen(base) + strlen(prefix) + sizeof(suffix) + 2;
		char *dir = malloc(size);
		if (!dir) {
			free(base);
			errno = ENOMEM;
			return NULL;
		}
		snprintf(dir, size, "%s%s-%s", base, prefix, suffix);
		wchar_t *w = ss_w32_wide(dir);
		int ok = w && CreateDirectoryW(w, NULL);
		int e = ok ? 0 : w ? ss_w32_errno() : errno;
		free(w);
		if (ok) {
			free(base);
			return dir;
		}
		free(dir);
		if (e != EEXIST) {
			free(base);
			errno = e;
			return NULL;
		}
	}
	free(base);
	errno = EEXIST;
	return NULL;
}

int ss_os_write_new_file(const char *path, const void *data, size_t len, unsigned mode,
			 int chown_it, ss_os_id uid, ss_os_id gid)
{
	(void)chown_it;
	(void)uid;
	(void)gid;
	wchar_t *w = ss_w32_wide(path);
	if (!w)
		return -1;
	int fd;
	int r =
	    open_fd_w(w, GENERIC_WRITE, CREATE_NEW, FILE_FLAG_OPEN_REPARSE_POINT, _O_WRONLY, &fd);
	if (r == 0) {
		r = ss_os_write_all(fd, data, len);
		int e = errno;
		if (_close(fd) < 0 && r == 0)
			r = -1;
		else
			errno = e;
	}
	/* The one mode bit Windows has: read-only. */
	if (r == 0 && !(mode & 0200) && !SetFileAttributesW(w, FILE_ATTRIBUTE_READONLY))
		r = ss_w32_fail();
	free(w);
	return r;
}

int ss_os_chown(const char *path, ss_os_id uid, ss_os_id gid)
{
	(void)path;
	(void)uid;
	(void)gid;
	return 0; /* no numeric owners on Windows */
}

static int by_path(const char *path, int rmdir)
{
	wchar_t *w = ss_w32_wide(path);
	if (!w)
		return -1;
	int ok = rmdir ? RemoveDirectoryW(w) : DeleteFileW(w);
	if (!ok && !rmdir && GetLastError() == ERROR_ACCESS_DENIED) {
		/* A read-only file (write_new_file's): clear the attribute. */
		SetFileAttributesW(w, FILE_ATTRIBUTE_NORMAL);
		ok = DeleteFileW(w);
	}
	int r = ok ? 0 : ss_w32_fail();
	free(w);
	return r;
}

int ss_os_remove_file(const char *path)
{
	return by_path(path, 0);
}

int ss_os_remove_dir(const char *path)
{
	return by_path(path, 1);
}

/* The length of the root of a path that mkdir_p must not create. */
static size_t root_length(const char *p)
{
	if ((p[0] == '\\' || p[0] == '/') && (p[1] == '\\' || p[1] == '/')) {
		size_t i = 2;
		for (int parts = 0; p[i] && parts < 2; parts++) {
			while (p[i] && p[i] != '\\' && p[i] != '/')
				i++;
			if (p[i])
				i++;
		}
		return i;
	}
	if (isalpha((unsigned char)p[0]) && p[1] == ':')
		return p[2] == '\\' || p[2] == '/' ? 3 : 2;
	return p[0] == '\\' || p[0] == '/' ? 1 : 0;
}

int ss_os_mkdir_p(const char *path)
{
	if (!*path) {
		errno = ENOENT;
		return -1;
	}
	char *p = strdup(path);
	if (!p) {
		errno = ENOMEM;
		return -1;
	}
	int r = 0;
	size_t root = root_length(p);
	for (char *s = p + (root ? root : 1); r == 0; s++) {
		if (*s != '/' && *s != '\\' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		wchar_t *w = ss_w32_wide(p);
		if (!w)
			r = -1;
		else if (!CreateDirectoryW(w, NULL) && GetLastError() != ERROR_ALREADY_EXISTS)
			r = ss_w32_fail();
		free(w);
		*s = c;
		if (!c)
			break;
	}
	if (r == 0) {
		ss_stat st;
		if (ss_os_stat(path, &st) < 0)
			r = -1;
		else if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			r = -1;
		}
	}
	int e = errno;
	free(p);
	errno = e;
	return r;
}
