/* The terminal, by isatty and TIOCGWINSZ (POSIX systems). */
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "sshsync/os_term.h"

size_t ss_os_terminal_width(FILE *f)
{
	int fd = fileno(f);
	struct winsize ws;
	if (!isatty(fd) || ioctl(fd, TIOCGWINSZ, &ws) < 0)
		return 0;
	return ws.ws_col;
}

int ss_os_is_terminal(FILE *f)
{
	return isatty(fileno(f));
}

void ss_os_binary_stdio(void)
{
}
