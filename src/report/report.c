/* Choosing a report format. */
#include <stdint.h>
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
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	int r = 0;
	while (*p && !r) {
		if (*p >= 0x20 && *p < 0x7F) {
			r = ss_buf_addc(out, (char)*p++);
			continue;
		}
		/* Strict UTF-8: no surrogate, overlong form or code point
		 * above U+10FFFF passes (jansson and libxml2 refuse them). */
		uint32_t cp;
		size_t n = *p >= 0x80 ? ss_utf8_decode(p, (size_t)(end - p), &cp, 0) : 0;
		if (n) {
			r = ss_buf_add(out, p, n);
			p += n;
		} else {
			r = ss_buf_addf(out, "\\x%02X", *p++);
		}
	}
	return r;
}
