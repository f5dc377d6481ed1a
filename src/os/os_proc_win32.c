/* Windows processes: CreateProcessW with a pipe for what the child says.
 * See include/sshsync/os_proc.h. */
#include "sshsync/os_proc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win32.h"
#include "os_int.h"

/* One argument quoted as the C runtime's parser reads it back. */
static int add_arg(wchar_t **cmd, size_t *len, size_t *cap, const wchar_t *a)
{
	size_t need = *len + 2 * wcslen(a) + 4;
	if (need > *cap) {
		size_t ncap = need * 2;
		wchar_t *n = realloc(*cmd, ncap * sizeof(*n));
		if (!n)
			return -1;
		*cmd = n;
		*cap = ncap;
	}
	wchar_t *c = *cmd;
	if (*len)
		c[(*len)++] = L' ';
	int quote = !*a || wcspbrk(a, L" \t\n\v\"") != NULL;
	if (quote)
		c[(*len)++] = L'"';
	size_t slashes = 0;
	for (const wchar_t *p = a; *p; p++) {
		if (*p == L'\\') {
			slashes++;
		} else if (*p == L'"') {
			for (size_t k = 0; k < slashes + 1; k++)
				c[(*len)++] = L'\\';
			slashes = 0;
		} else {
			slashes = 0;
		}
		c[(*len)++] = *p;
	}
	if (quote) {
		for (size_t k = 0; k < slashes; k++)
			c[(*len)++] = L'\\';
		c[(*len)++] = L'"';
	}
	c[*len] = L'\0';
	return 0;
}

static wchar_t *command_line(char *const argv[])
{
	wchar_t *cmd = NULL;
	size_t len = 0, cap = 0;
	for (size_t i = 0; argv[i]; i++) {
		wchar_t *w = ss_w32_wide(argv[i]);
		if (!w || add_arg(&cmd, &len, &cap, w) < 0) {
			free(w);
			free(cmd);
			errno = ENOMEM;
			return NULL;
		}
		free(w);
	}
	return cmd;
}

int ss_os_run_capture(char *const argv[], int as_user, ss_os_id uid, ss_os_id gid, size_t limit,
		      char **out, size_t *outlen)
{
	(void)as_user;
	(void)uid;
	(void)gid;
	*outlen = 0;
	*out = calloc(1, 1);
	if (!*out)
		return -1;
	size_t cap = 1;
	wchar_t *app = ss_w32_wide(argv[0]);
	wchar_t *cmd = app ? command_line(argv) : NULL;
	if (cmd)
		errno = 0; /* from here on, failures are the system's */
	SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};
	HANDLE rd = NULL, wr = NULL, nul = INVALID_HANDLE_VALUE;
	int r = cmd && CreatePipe(&rd, &wr, &sa, 0) ? 0 : -1;
	if (r == 0 && !SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0))
		r = -1;
	if (r == 0) {
		nul = CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa,
				  OPEN_EXISTING, 0, NULL);
		r = nul == INVALID_HANDLE_VALUE ? -1 : 0;
	}
	PROCESS_INFORMATION pi;
	memset(&pi, 0, sizeof(pi));
	if (r == 0) {
		STARTUPINFOW si;
		memset(&si, 0, sizeof(si));
		si.cb = sizeof(si);
		si.dwFlags = STARTF_USESTDHANDLES;
		si.hStdInput = nul;
		si.hStdOutput = wr;
		si.hStdError = wr;
		if (!CreateProcessW(app, cmd, NULL, NULL, TRUE, CREATE_NO_WINDOW, NULL, NULL, &si,
				    &pi))
			r = -1;
	}
	if (r < 0 && !errno)
		ss_w32_errno();
	int e = errno;
	if (wr)
		CloseHandle(wr);
	if (nul != INVALID_HANDLE_VALUE)
		CloseHandle(nul);
	free(app);
	free(cmd);
	if (r < 0) {
		if (rd)
			CloseHandle(rd);
		errno = e;
		return -1;
	}
	char chunk[4096];
	DWORD n;
	while (ReadFile(rd, chunk, sizeof(chunk), &n, NULL) && n)
		if (ss_os_keep_output(out, outlen, &cap, chunk, n, limit) < 0)
			break;
	CloseHandle(rd);
	DWORD code = 0;
	int status = -1;
	if (WaitForSingleObject(pi.hProcess, INFINITE) == WAIT_OBJECT_0 &&
	    GetExitCodeProcess(pi.hProcess, &code))
		status = (int)code;
	CloseHandle(pi.hProcess);
	CloseHandle(pi.hThread);
	return status;
}

int ss_os_checker_user(ss_os_id *uid, ss_os_id *gid)
{
	*uid = 0;
	*gid = 0;
	return 0; /* sshd -t runs as the caller */
}

char *ss_os_openssh_program(const char *name)
{
	wchar_t sys[MAX_PATH + 1];
	UINT n = GetSystemDirectoryW(sys, MAX_PATH + 1);
	char *dir = n && n <= MAX_PATH ? ss_w32_utf8(sys) : NULL;
	if (!dir)
		return NULL;
	size_t size = strlen(dir) + strlen(name) + sizeof("\\OpenSSH\\.exe");
	char *path = malloc(size);
	if (path)
		snprintf(path, size, "%s\\OpenSSH\\%s.exe", dir, name);
	else
		errno = ENOMEM;
	free(dir);
	return path;
}
