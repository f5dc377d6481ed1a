/* What a process wrote and how it ended, the same on every platform (the
 * platform's struct ss_os_proc begins with an ss_os_proc_seen). See
 * include/sshsync/os_spawn.h. */
#include "os_spawn_int.h"

static const ss_os_proc_seen *seen(const ss_os_proc *p)
{
	return (const ss_os_proc_seen *)(const void *)p;
}

const char *ss_os_proc_stdout(const ss_os_proc *p, size_t *len)
{
	if (len)
		*len = seen(p)->out.len;
	return ss_buf_str(&seen(p)->out);
}

const char *ss_os_proc_stderr(const ss_os_proc *p, size_t *len)
{
	if (len)
		*len = seen(p)->err.len;
	return ss_buf_str(&seen(p)->err);
}

int ss_os_proc_ended(const ss_os_proc *p, int *status)
{
	if (seen(p)->ended && status)
		*status = seen(p)->status;
	return seen(p)->ended;
}
