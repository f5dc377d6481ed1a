/* The Windows console: whether a stream is one, its width, binary mode
 * for the standard streams. See include/sshsync/os_term.h. */
#include <fcntl.h>
#include <io.h>
#include <stdio.h>

#include "sshsync/os_term.h"
#include "win32.h"

static HANDLE console_of(FILE *f)
{
	HANDLE h = (HANDLE)_get_osfhandle(_fileno(f));
	DWORD mode;
	return h != INVALID_HANDLE_VALUE && GetConsoleMode(h, &mode) ? h : NULL;
}

size_t ss_os_terminal_width(FILE *f)
{
	HANDLE h = console_of(f);
	CONSOLE_SCREEN_BUFFER_INFO info;
	if (!h || !GetConsoleScreenBufferInfo(h, &info))
		return 0;
	int w = info.srWindow.Right - info.srWindow.Left + 1;
	return w > 0 ? (size_t)w : 0;
}

int ss_os_is_terminal(FILE *f)
{
	/* _isatty() is also true for NUL: ask for a console instead. */
	return console_of(f) != NULL;
}

void ss_os_binary_stdio(void)
{
	_setmode(_fileno(stdin), _O_BINARY);
	_setmode(_fileno(stdout), _O_BINARY);
	_setmode(_fileno(stderr), _O_BINARY);
}
