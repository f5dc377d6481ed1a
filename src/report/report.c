/* Choosing a report format. */
#include <string.h>

#include "sshsync/report.h"
#include "sshsync/text.h"

int ss_format_parse(const char *name, ss_format *out)
{
	static const struct {
		const char *name;
		ss_format format;
	} formats[] = {
	    {"text", SS_FORMAT_TEXT}, {"json", SS_FORMAT_JSON}, {"junit", SS_FORMAT_JUNIT}};
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strcmp(name, formats[i].name) == 0) {
			*out = formats[i].format;
			return 0;
		}
	}
	return -1;
}

int ss_report_audit(const ss_scopes *s, const ss_report_opts *o, ss_buf *out, ss_diag *d)
{
	switch (o->format) {
	case SS_FORMAT_JSON:
		return ss_report_json(s, o, out, d);
	case SS_FORMAT_JUNIT:
		return ss_report_junit(s, o, out, d);
	case SS_FORMAT_TEXT:
		break;
	}
	return ss_report_text(s, o, out, d);
}

int ss_report_add_printable(ss_buf *out, const char *s)
{
	return ss_text_add_printable(out, s, strlen(s), 0);
}

/* The size of what goes to o->flush at once. */
static size_t flush_piece(const ss_report_opts *o)
{
	return o->flush_at ? o->flush_at : SS_REPORT_FLUSH_BYTES;
}

int ss_report_flush_if_full(const ss_report_opts *o, ss_buf *out, ss_diag *d)
{
	if (!o->flush || out->len < flush_piece(o))
		return 0;
	if (o->flush(o->flush_ctx, out->data, out->len, d) < 0)
		return -1;
	ss_buf_reset(out);
	return 0;
}

int ss_report_add_flushed(const ss_report_opts *o, ss_buf *out, const char *data, size_t len,
			  ss_diag *d)
{
	size_t piece = flush_piece(o);
	if (o->flush && len >= piece) {
		if (out->len && o->flush(o->flush_ctx, out->data, out->len, d) < 0)
			return -1;
		ss_buf_reset(out);
		for (; len >= piece; data += piece, len -= piece)
			if (o->flush(o->flush_ctx, data, piece, d) < 0)
				return -1;
	}
	return ss_buf_add(out, data, len) < 0 ? ss_diag_oom(d) : ss_report_flush_if_full(o, out, d);
}
