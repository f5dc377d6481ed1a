/* export: the registry plan for a client's sessions, and output files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sshsync/engine.h"
#include "sshsync/safewrite.h"
#include "sshsync/text.h"
#include "sshsync/os_file.h"
#include "sshsync/os_path.h"

int ss_engine_export(const ss_client *client, const char *from, const ss_strlist *sessions,
		     const ss_policy *p, ss_regplan *out, ss_diag *d)
{
	if (!client->export_plan)
		return ss_diag_set(d, NULL, 0, 0,
				   "cannot export %s settings (kinds: putty, "
				   "kitty, winscp)",
				   client->kind);
	if (!from && sessions->n == 0)
		return ss_diag_set(d, NULL, 0, 0, "export needs --from TARGET or --session NAME");
	for (size_t i = 0; i < sessions->n; i++)
		if (!sessions->v[i][0])
			return ss_diag_set(d, NULL, 0, 0,
					   "--session: a session name cannot be empty (the "
					   "defaults are --session 'Default Settings')");
	if (p->ansi_codepage && !ss_ansi_known(p->ansi_codepage))
		return ss_diag_set(d, NULL, 0, 0,
				   "--ansi-codepage: '%s' is not a code page this system can "
				   "convert (e.g. 1252, 1251, 932)",
				   p->ansi_codepage);
	out->codepage = p->ansi_codepage;
	return client->export_plan(from, sessions, p, out, d);
}

static int write_stdout(const void *bytes, size_t len, ss_diag *d)
{
	if (len && fwrite(bytes, 1, len, stdout) != len)
		return ss_diag_errno(d, "standard output", "cannot write");
	if (fflush(stdout) != 0)
		return ss_diag_errno(d, "standard output", "cannot write");
	return 0;
}

/* A new output file's directory must exist: say so, not what realpath says. */
static int missing_directory(const char *path, ss_diag *d)
{
	size_t dlen = ss_os_dir_len(path);
	if (!dlen || dlen == (size_t)(ss_os_base_name(path) - path))
		return 0; /* no directory, or a root */
	char *dir = ss_strndup(path, dlen);
	if (!dir)
		return ss_diag_oom(d);
	ss_stat st;
	int r = 0;
	if (ss_os_stat(dir, &st) < 0)
		r = ss_diag_errno(d, path, "cannot write it: the directory %s", dir);
	else if (!S_ISDIR(st.st_mode))
		r = ss_diag_set(d, path, 0, 0, "cannot write it: %s is not a directory", dir);
	free(dir);
	return r;
}

int ss_engine_write_output(const char *path, const void *bytes, size_t len, ss_diag *d)
{
	if (!path || (path[0] == '-' && !path[1]))
		return write_stdout(bytes, len, d);
	ss_text old;
	ss_stat st;
	int r;
	if (ss_os_stat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode))
			return ss_diag_set(d, path, 0, 0, "is not a regular file");
		r = ss_text_load(&old, path, 0, d);
	} else if (errno == ENOENT || errno == ENOTDIR) {
		if (missing_directory(path, d) < 0)
			return -1;
		r = ss_text_new_empty(&old, path, SS_ENC_BYTES, SS_EOL_LF, d);
	} else {
		return ss_diag_errno(d, path, "cannot open");
	}
	if (r < 0)
		return -1;
	ss_write_opts wo = {0, NULL, 0};
	r = ss_safe_write(&old, bytes, len, &wo, d);
	ss_text_free(&old);
	return r;
}
