/* The terminal's width, by TIOCGWINSZ (POSIX systems). */
#include <sys/ioctl.h>
#include <unistd.h>

#include "sshsync/os_term.h"

size_t ss_os_terminal_width(int fd)
{
	struct winsize ws;
	if (!isatty(fd) || ioctl(fd, TIOCGWINSZ, &ws) < 0)
		return 0;
	return ws.ws_col;
}
