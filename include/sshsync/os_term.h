/* The platform's terminal (src/os/): how wide it is. */
#ifndef SSHSYNC_OS_TERM_H
#define SSHSYNC_OS_TERM_H

#include <stddef.h>

/* The columns of the terminal open on `fd`; 0 when fd is not a terminal or
 * the width is not known. */
size_t ss_os_terminal_width(int fd);

#endif
