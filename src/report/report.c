/* Choosing a report format. */
#include <string.h>

#include "sshsync/report.h"

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

/* Length of the valid UTF-8 sequence at p (printable beyond ASCII), or 0. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n = p[0] >= 0xF0 && p[0] <= 0xF4 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 ? 2 : 0;
	if (p[0] >= 0xF5)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

int ss_report_add_printable(ss_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int r = 0;
	while (*p && !r) {
		if (*p >= 0x20 && *p < 0x7F) {
			r = ss_buf_addc(out, (char)*p++);
			continue;
		}
		size_t n = *p >= 0x80 ? utf8_len(p) : 0;
		if (n) {
			r = ss_buf_add(out, p, n);
			p += n;
		} else {
			r = ss_buf_addf(out, "\\x%02X", *p++);
		}
	}
	return r;
}
