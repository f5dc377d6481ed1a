/* Inside src/os: what every platform's ss_os_proc begins with, so that
 * os_spawn.c answers what a process wrote and how it ended once for all. */
#ifndef SSHSYNC_OS_SPAWN_INT_H
#define SSHSYNC_OS_SPAWN_INT_H

#include "sshsync/buf.h"
#include "sshsync/os_spawn.h"

typedef struct ss_os_proc_seen {
	ss_buf out, err; /* what it wrote so far */
	int ended;	 /* it has ended and its outputs are read */
	int status;	 /* then: its exit status (128 + signal on POSIX) */
} ss_os_proc_seen;

/* Closes this process's end of the child's standard input: the child reads
 * end of file (ss_os_run: "standard input empty"). */
void ss_os_proc_close_input(ss_os_proc *p);

#endif
