/* The first error of an operation, with its place. */
#include "sshsync/diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/buf.h"
#include "sshsync/text.h"

static const char oom_message[] = "out of memory";

static int set_message(ss_diag *d, const char *file, size_t line, size_t col, char *msg)
{
	if (!msg)
		return ss_diag_oom(d);
	d->file = file ? ss_strdup(file) : NULL;
	d->line = line;
	d->col = col;
	d->message = msg;
	return -1;
}

int ss_diag_set(ss_diag *d, const char *file, size_t line, size_t col, const char *fmt, ...)
{
	if (!d || d->message)
		return -1;
	ss_buf b = SS_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	int r = ss_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (r < 0) {
		ss_buf_release(&b);
		return ss_diag_oom(d);
	}
	return set_message(d, file, line, col, ss_buf_detach(&b, NULL));
}

int ss_diag_errno(ss_diag *d, const char *file, const char *fmt, ...)
{
	int err = errno;
	if (!d || d->message)
		return -1;
	ss_buf b = SS_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	int r = ss_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (r < 0 || ss_buf_addf(&b, ": %s", strerror(err)) < 0) {
		ss_buf_release(&b);
		return ss_diag_oom(d);
	}
	return set_message(d, file, 0, 0, ss_buf_detach(&b, NULL));
}

int ss_diag_oom(ss_diag *d)
{
	if (!d || d->message)
		return -1;
	/* A static message cannot fail; the pointer is recognised on clear. */
	d->message = (char *)oom_message;
	return -1;
}

int ss_diag_is_oom(const ss_diag *d)
{
	return d && d->message == oom_message;
}

int ss_diag_is_set(const ss_diag *d)
{
	return d && d->message != NULL;
}

void ss_diag_clear(ss_diag *d)
{
	if (d->message != oom_message)
		free(d->message);
	free(d->file);
	d->file = NULL;
	d->message = NULL;
	d->line = d->col = 0;
}

/* File names and messages quote file content: nothing in them may act on
 * a terminal (an escape sequence in a bad keyword) or forge a line. */
static int add_safe(ss_buf *b, const char *s)
{
	return ss_text_add_printable(b, s, strlen(s), 0);
}

char *ss_diag_format(const ss_diag *d)
{
	ss_buf b = SS_BUF_INIT;
	int r = 0;
	if (d->file) {
		r |= add_safe(&b, d->file);
		if (d->line) {
			r |= ss_buf_addf(&b, ":%zu", d->line);
			if (d->col)
				r |= ss_buf_addf(&b, ":%zu", d->col);
		}
		r |= ss_buf_adds(&b, ": ");
	}
	r |= add_safe(&b, d->message ? d->message : "unknown error");
	if (r) {
		ss_buf_release(&b);
		return NULL;
	}
	return ss_buf_detach(&b, NULL);
}
