/* export: the registry plan for a client's sessions, and output files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sshsync/engine.h"
#include "sshsync/regfile.h"
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

/* An export rendered while it is planned (the plan's settled keys). */
typedef struct export_stream {
	ss_regstream rs;
	ss_diag why; /* a rendering error: reported when the plan has none */
	int failed;  /* why is set, or a put failed: keys are dropped */
	int put_errno;
} export_stream;

static int stream_keys(void *ctx, const ss_regplan *p, ss_diag *d)
{
	(void)d;
	export_stream *s = ctx;
	if (s->failed)
		return 0;
	if (ss_regstream_keys(&s->rs, p, &s->why) == 0)
		return 0;
	s->failed = 1;
	if (ss_diag_is_set(&s->why))
		return 0; /* the plan's own errors, if any, come first */
	s->put_errno = errno;
	return -1; /* the output failed: nothing more to do */
}

int ss_engine_export_to(const ss_client *client, const char *from, const ss_strlist *sessions,
			const ss_policy *p, int reg4, const ss_sink *out, ss_diag *d)
{
	export_stream s;
	memset(&s, 0, sizeof(s));
	ss_regplan_sink settle = {stream_keys, &s};
	ss_regplan plan = SS_REGPLAN_INIT;
	plan.settle = &settle;
	int r = ss_regstream_begin(&s.rs, reg4 ? SS_REG_V4 : SS_REG_V5, out, d);
	if (r == 0)
		r = ss_engine_export(client, from, sessions, p, &plan, d);
	if (r == 0)
		r = ss_regplan_settle(&plan, d);
	if (r == 0 && s.failed && ss_diag_is_set(&s.why)) {
		*d = s.why;
		s.why = (ss_diag)SS_DIAG_INIT;
		r = -1;
	}
	if (r == 0)
		r = ss_regstream_end(&s.rs, d);
	ss_regplan_free(&plan);
	ss_regstream_free(&s.rs);
	ss_diag_clear(&s.why);
	if (r < 0 && s.put_errno && !ss_diag_is_set(d))
		errno = s.put_errno;
	return r;
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

static int is_stdout(const char *path)
{
	return !path || (path[0] == '-' && !path[1]);
}

/* The output file as it is now, for the safe write to replace: its
 * identity only (its bytes are never used), or a new empty text. */
static int open_output(const char *path, ss_text *old, ss_diag *d)
{
	ss_stat st;
	if (ss_os_stat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode))
			return ss_diag_set(d, path, 0, 0, "is not a regular file");
		return ss_text_load_identity(old, path, 0, d);
	}
	if (errno != ENOENT && errno != ENOTDIR)
		return ss_diag_errno(d, path, "cannot open");
	if (missing_directory(path, d) < 0)
		return -1;
	return ss_text_new_empty(old, path, SS_ENC_BYTES, SS_EOL_LF, d);
}

int ss_engine_write_output(const char *path, const void *bytes, size_t len, ss_diag *d)
{
	if (is_stdout(path))
		return write_stdout(bytes, len, d);
	ss_text old;
	if (open_output(path, &old, d) < 0)
		return -1;
	ss_write_opts wo = {0, NULL, 0, NULL, NULL, NULL};
	int r = ss_safe_write(&old, bytes, len, &wo, d);
	ss_text_free(&old);
	return r;
}

/* A producer, and whether it has run. */
typedef struct tracked {
	const ss_producer *make;
	int ran;
} tracked;

static int run_tracked(void *ctx, const ss_sink *out, ss_diag *d)
{
	tracked *t = ctx;
	t->ran = 1;
	return t->make->produce(t->make->ctx, out, d);
}

static int put_nowhere(void *ctx, const void *data, size_t len, ss_diag *d)
{
	(void)ctx, (void)data, (void)len, (void)d;
	return 0;
}

/* The output failed before the contents were made. Made first, as they
 * were when they were held whole, their own error (a source that cannot
 * be read...) is the one to report. */
static int contents_error(const ss_producer *make, ss_diag *d)
{
	ss_sink nowhere = {put_nowhere, NULL};
	ss_diag mine = SS_DIAG_INIT;
	if (make->produce(make->ctx, &nowhere, &mine) < 0 && ss_diag_is_set(&mine)) {
		ss_diag_clear(d);
		*d = mine;
	} else {
		ss_diag_clear(&mine);
	}
	return -1;
}

int ss_engine_write_output_from(const char *path, const ss_producer *make, ss_diag *d)
{
	if (is_stdout(path)) {
		/* Held until complete: a failure leaves standard output empty. */
		ss_buf out = SS_BUF_INIT;
		ss_sink sink = {ss_sink_buf_put, &out};
		int r = make->produce(make->ctx, &sink, d);
		if (r == 0)
			r = write_stdout(out.data, out.len, d);
		ss_buf_release(&out);
		return r;
	}
	ss_text old;
	if (open_output(path, &old, d) < 0)
		return contents_error(make, d);
	tracked t = {make, 0};
	ss_producer mine = {run_tracked, &t};
	ss_write_opts wo = {0, NULL, 0, NULL, NULL, NULL};
	ss_write_result res = SS_WRITE_RESULT_INIT;
	int r = ss_safe_replace_produce(&old, &mine, &wo, &res, d);
	ss_write_result_free(&res);
	ss_text_free(&old);
	return r < 0 && !t.ran ? contents_error(make, d) : r;
}
