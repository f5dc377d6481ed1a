/* The platform's terminal (src/os/): whether output goes to one, and how
 * wide it is. */
#ifndef SSHSYNC_OS_TERM_H
#define SSHSYNC_OS_TERM_H

#include <stddef.h>
#include <stdio.h>

/* The columns of the terminal a stream writes to; 0 when it is not a
 * terminal or the width is not known. */
size_t ss_os_terminal_width(FILE *f);
/* Puts the standard streams in binary mode (Windows; nothing elsewhere):
 * sshsync writes the bytes it means, CRLF only where a file has it. */
void ss_os_binary_stdio(void);
/* Whether a stream goes to (or comes from) a terminal (a console). */
int ss_os_is_terminal(FILE *f);

#endif
