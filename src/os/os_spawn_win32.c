/* Windows processes for probe: CreateProcessW with three anonymous pipes;
 * pipes cannot be waited on with the process, so ss_os_proc_poll looks at
 * them (PeekNamedPipe) every few milliseconds. See
 * include/sshsync/os_spawn.h. Checked under Wine (a cmd.exe child: its
 * output, exit status, a missing program, ending a running one).
 * Compiled only for Windows (until the build picks NAME_win32.c itself). */
#ifdef _WIN32
#include "os_spawn_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "sshsync/buf.h"

struct ss_os_proc {
	ss_os_proc_seen seen; /* first: os_spawn.c reads it */
	HANDLE process;
	HANDLE in, out, err; /* our ends; NULL once closed */
};

int64_t ss_os_now_ms(void)
{
	return (int64_t)GetTickCount64();
}

static void close_handle(HANDLE *h)
{
	if (*h)
		CloseHandle(*h);
	*h = NULL;
}

/* Appends one argument as the C runtime splits a command line: quoted
 * when it has a blank or a quote (or is empty), a quote escaped with a
 * backslash, backslashes before a quote (or the closing one) doubled. */
static int quote_arg(ss_buf *b, const char *a)
{
	if (*a && !strpbrk(a, " \t\n\v\""))
		return ss_buf_adds(b, a);
	if (ss_buf_addc(b, '"') < 0)
		return -1;
	for (const char *p = a;; p++) {
		size_t slashes = 0;
		while (*p == '\\') {
			slashes++;
			p++;
		}
		size_t times = (*p == '"' || *p == '\0') ? 2 * slashes : slashes;
		for (size_t i = 0; i < times; i++)
			if (ss_buf_addc(b, '\\') < 0)
				return -1;
		if (*p == '\0')
			break;
		if ((*p == '"' && ss_buf_addc(b, '\\') < 0) || ss_buf_addc(b, *p) < 0)
			return -1;
	}
	return ss_buf_addc(b, '"');
}

static wchar_t *widen(const char *s)
{
	int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
	wchar_t *w = n > 0 ? calloc((size_t)n, sizeof(*w)) : NULL;
	if (w && MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n) != n) {
		free(w);
		w = NULL;
	}
	return w;
}

static wchar_t *command_line(const char *const *argv)
{
	ss_buf b = SS_BUF_INIT;
	for (size_t i = 0; argv[i]; i++)
		if ((i > 0 && ss_buf_addc(&b, ' ') < 0) || quote_arg(&b, argv[i]) < 0) {
			ss_buf_release(&b);
			return NULL;
		}
	wchar_t *w = widen(ss_buf_str(&b));
	ss_buf_release(&b);
	return w;
}

/* A pipe whose end `ours` (0: read, 1: write) stays in this process. */
static int make_pipe(HANDLE *read_end, HANDLE *write_end, int ours)
{
	SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};
	if (!CreatePipe(read_end, write_end, &sa, 0))
		return -1;
	if (!SetHandleInformation(ours ? *write_end : *read_end, HANDLE_FLAG_INHERIT, 0)) {
		close_handle(read_end);
		close_handle(write_end);
		return -1;
	}
	return 0;
}

int ss_os_proc_start(const char *const *argv, ss_os_proc **out)
{
	*out = NULL;
	ss_os_proc *p = calloc(1, sizeof(*p));
	wchar_t *cmd = command_line(argv);
	HANDLE in_r = NULL, in_w = NULL, out_r = NULL, out_w = NULL, err_r = NULL, err_w = NULL;
	int ok = p && cmd && make_pipe(&in_r, &in_w, 1) == 0 && make_pipe(&out_r, &out_w, 0) == 0 &&
		 make_pipe(&err_r, &err_w, 0) == 0;
	PROCESS_INFORMATION pi;
	if (ok) {
		STARTUPINFOW si;
		memset(&si, 0, sizeof(si));
		si.cb = sizeof(si);
		si.dwFlags = STARTF_USESTDHANDLES;
		si.hStdInput = in_r;
		si.hStdOutput = out_w;
		si.hStdError = err_w;
		ok = CreateProcessW(NULL, cmd, NULL, NULL, TRUE, CREATE_NO_WINDOW, NULL, NULL, &si,
				    &pi) != 0;
		if (!ok)
			errno = GetLastError() == ERROR_FILE_NOT_FOUND ? ENOENT : EACCES;
	} else {
		errno = ENOMEM;
	}
	free(cmd);
	close_handle(&in_r);
	close_handle(&out_w);
	close_handle(&err_w);
	if (!ok) {
		close_handle(&in_w);
		close_handle(&out_r);
		close_handle(&err_r);
		free(p);
		return -1;
	}
	CloseHandle(pi.hThread);
	p->process = pi.hProcess;
	p->in = in_w;
	p->out = out_r;
	p->err = err_r;
	*out = p;
	return 0;
}

/* Reads what the pipe holds without blocking; 1 when something came. */
static int drain(HANDLE *h, ss_buf *b, int *got)
{
	char chunk[4096];
	while (*h) {
		DWORD avail = 0, n = 0;
		if (!PeekNamedPipe(*h, NULL, 0, NULL, &avail, NULL)) {
			close_handle(h); /* the other end is closed */
			*got = 1;
			break;
		}
		if (avail == 0)
			break;
		if (!ReadFile(*h, chunk, avail < sizeof(chunk) ? avail : sizeof(chunk), &n, NULL) ||
		    n == 0) {
			close_handle(h);
			*got = 1;
			break;
		}
		if (ss_buf_add(b, chunk, n) < 0)
			return -1;
		*got = 1;
	}
	return 0;
}

static int collect(ss_os_proc *p, int *got)
{
	if (drain(&p->out, &p->seen.out, got) < 0 || drain(&p->err, &p->seen.err, got) < 0)
		return -1;
	if (!p->seen.ended && WaitForSingleObject(p->process, 0) == WAIT_OBJECT_0) {
		DWORD code = 0;
		GetExitCodeProcess(p->process, &code);
		p->seen.status = (int)code;
		if (drain(&p->out, &p->seen.out, got) < 0 || drain(&p->err, &p->seen.err, got) < 0)
			return -1;
		p->seen.ended = 1;
		*got = 1;
		close_handle(&p->out);
		close_handle(&p->err);
		close_handle(&p->in);
	}
	return 0;
}

int ss_os_proc_poll(ss_os_proc *const *procs, size_t n, int64_t timeout_ms)
{
	int64_t until = ss_os_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	for (;;) {
		int got = 0;
		for (size_t i = 0; i < n; i++)
			if (procs[i] && collect(procs[i], &got) < 0) {
				errno = ENOMEM;
				return -1;
			}
		if (got || ss_os_now_ms() >= until)
			return 0;
		Sleep(20);
	}
}

int ss_os_proc_send(ss_os_proc *p, const void *data, size_t len)
{
	const char *s = data;
	while (len > 0) {
		DWORD n = 0;
		if (!p->in || !WriteFile(p->in, s, (DWORD)(len > 65536 ? 65536 : len), &n, NULL) ||
		    n == 0)
			return -1;
		s += n;
		len -= n;
	}
	return 0;
}

void ss_os_proc_close_input(ss_os_proc *p)
{
	close_handle(&p->in);
}

void ss_os_proc_free(ss_os_proc *p)
{
	if (!p)
		return;
	close_handle(&p->in);
	close_handle(&p->out);
	close_handle(&p->err);
	if (!p->seen.ended && WaitForSingleObject(p->process, 0) != WAIT_OBJECT_0) {
		TerminateProcess(p->process, 1);
		WaitForSingleObject(p->process, 2000);
	}
	CloseHandle(p->process);
	ss_buf_release(&p->seen.out);
	ss_buf_release(&p->seen.err);
	free(p);
}
#endif /* _WIN32 */
