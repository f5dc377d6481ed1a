/* Windows: running another program with both outputs kept, and secret
 * files (os_proc.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os_spawn_int.h"
#include "sshsync/os_proc.h"
#include "sshsync/os_spawn.h"
#include "win32.h"

void ss_os_run_result_release(ss_os_run_result *r)
{
	ss_buf_release(&r->out);
	ss_buf_release(&r->err);
}

/* Through the probe's processes (os_spawn_win32.c): CreateProcessW finds
 * argv[0] as a command line's first word is found (the program's folder,
 * the system folders, PATH; ".exe" added), with the arguments quoted as
 * the C runtime splits them back; both outputs are pipes, read as they
 * come so that neither fills. */
int ss_os_run(const char *const *argv, ss_os_run_result *r)
{
	memset(r, 0, sizeof(*r));
	r->exit_code = -1;
	ss_os_proc *p;
	if (ss_os_proc_start(argv, &p) < 0)
		return -1;
	ss_os_proc_close_input(p);
	int status = 0;
	while (!ss_os_proc_ended(p, &status))
		if (ss_os_proc_poll(&p, 1, 1000) < 0) {
			int e = errno;
			ss_os_proc_free(p);
			errno = e;
			return -1;
		}
	size_t no, ne;
	const char *o = ss_os_proc_stdout(p, &no), *e = ss_os_proc_stderr(p, &ne);
	int rc = ss_buf_add(&r->out, o, no) < 0 || ss_buf_add(&r->err, e, ne) < 0 ? -1 : 0;
	ss_os_proc_free(p);
	if (rc < 0) {
		errno = ENOMEM;
		return -1;
	}
	r->exit_code = status;
	return 0;
}

int ss_os_secret_file(const void *data, size_t len, char **path)
{
	*path = ss_os_make_temp_dir("sshsync-secret");
	if (!*path)
		return -1;
	char *dir = *path;
	size_t n = strlen(dir) + sizeof("\\secret");
	*path = malloc(n);
	if (!*path) {
		ss_os_remove_dir(dir);
		free(dir);
		errno = ENOMEM;
		return -1;
	}
	snprintf(*path, n, "%s\\secret", dir);
	free(dir);
	/* In the user's own temporary folder, whose ACL admits only the user. */
	if (ss_os_write_new_file(*path, data, len, 0600, 0, 0, 0) < 0) {
		int e = errno;
		free(*path);
		*path = NULL;
		errno = e;
		return -1;
	}
	return 0;
}

int ss_os_remove_path(const char *path)
{
	if (ss_os_remove_file(path) < 0)
		return -1;
	/* The secret file's own folder goes with it (ignored for any other). */
	size_t n = strlen(path);
	if (n > 7 && strcmp(path + n - 7, "\\secret") == 0) {
		char *dir = malloc(n - 6);
		if (dir) {
			memcpy(dir, path, n - 7);
			dir[n - 7] = '\0';
			ss_os_remove_dir(dir);
			free(dir);
		}
	}
	return 0;
}

int ss_os_path_present(const char *path)
{
	ss_stat st;
	if (ss_os_lstat(path, &st) == 0)
		return 1;
	return errno == ENOENT ? 0 : -1;
}

int ss_os_absolute_path(const char *path, char **out)
{
	*out = ss_os_realpath(path);
	return *out ? 0 : -1;
}

/* The console itself (CONIN$/CONOUT$, as /dev/tty on POSIX: not standard
 * input, which may be a file), its line read without echo. */
static int console_line(HANDLE in, HANDLE out, const char *prompt, ss_buf *line)
{
	wchar_t *wp = ss_w32_wide(prompt);
	DWORD n;
	int rc = wp && WriteConsoleW(out, wp, (DWORD)wcslen(wp), &n, NULL) ? 0 : -1;
	free(wp);
	wchar_t buf[256];
	ss_buf w = SS_BUF_INIT; /* the wide characters read, as bytes */
	int done = 0;
	while (rc == 0 && !done) {
		if (!ReadConsoleW(in, buf, (DWORD)(sizeof buf / sizeof *buf), &n, NULL)) {
			rc = ss_w32_fail();
			break;
		}
		if (n == 0)
			break; /* end of input */
		for (DWORD i = 0; i < n && !done; i++) {
			if (buf[i] == L'\r' || buf[i] == L'\n')
				done = 1;
			else if (ss_buf_add(&w, &buf[i], sizeof buf[i]) < 0)
				rc = -1;
		}
	}
	if (rc == 0) {
		wchar_t zero = 0;
		rc = ss_buf_add(&w, &zero, sizeof zero);
	}
	char *utf8 = rc == 0 ? ss_w32_utf8((const wchar_t *)(void *)w.data) : NULL;
	if (rc == 0 && (!utf8 || ss_buf_adds(line, utf8) < 0))
		rc = -1;
	if (utf8) {
		memset(utf8, 0, strlen(utf8));
		free(utf8);
	}
	if (w.data)
		SecureZeroMemory(w.data, w.len);
	SecureZeroMemory(buf, sizeof buf);
	ss_buf_release(&w);
	WriteConsoleW(out, L"\r\n", 2, &n, NULL); /* the Enter that was not echoed */
	return rc;
}

int ss_os_read_secret(const char *prompt, ss_buf *out)
{
	HANDLE in = CreateFileW(L"CONIN$", GENERIC_READ | GENERIC_WRITE,
				FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
	HANDLE con = CreateFileW(L"CONOUT$", GENERIC_READ | GENERIC_WRITE,
				 FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
	DWORD mode = 0;
	if (in == INVALID_HANDLE_VALUE || con == INVALID_HANDLE_VALUE ||
	    !GetConsoleMode(in, &mode)) {
		if (in != INVALID_HANDLE_VALUE)
			CloseHandle(in);
		if (con != INVALID_HANDLE_VALUE)
			CloseHandle(con);
		errno = ENXIO; /* no console to ask on */
		return -1;
	}
	/* Whole lines, Ctrl+C still works, nothing shown. */
	DWORD quiet =
	    (mode | ENABLE_LINE_INPUT | ENABLE_PROCESSED_INPUT) & ~(DWORD)ENABLE_ECHO_INPUT;
	int rc = SetConsoleMode(in, quiet) ? console_line(in, con, prompt, out) : ss_w32_fail();
	int e = errno;
	SetConsoleMode(in, mode);
	CloseHandle(in);
	CloseHandle(con);
	errno = e;
	return rc;
}
