#define _GNU_SOURCE
/* Registry.xml: the hardened libxml2 reader, in UTF-8 and (converted) in
 * UTF-16LE with a byte order mark, and the gpp client's audit, whose
 * scopes then go through the JSON and JUnit reports. The input is the
 * file. */
#include <jansson.h>
#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sshsync/clients.h"
#include "sshsync/gppxml.h"
#include "sshsync/report.h"

static void check_items(const ss_gppxml *x)
{
	for (size_t i = 0; i < x->n; i++) {
		const ss_gpp_item *it = &x->v[i];
		FUZZ_CHECK(it->hive && it->key && it->name && it->type && it->value,
			   "item %zu has a NULL field", i);
		FUZZ_CHECK(strchr("CRUD", it->action) && it->action, "item %zu: action '%c'", i,
			   it->action);
		FUZZ_CHECK(it->line >= 1, "item %zu: line %zu", i, it->line);
	}
}

static size_t parse(const uint8_t *data, size_t size)
{
	ss_gppxml x = SS_GPPXML_INIT;
	ss_diag d = SS_DIAG_INIT;
	size_t n = (size_t)-1;
	if (ss_gppxml_parse(&x, "Registry.xml", data, size, &d) == 0) {
		check_items(&x);
		n = x.n;
	} else {
		FUZZ_CHECK(d.message, "Registry.xml refused without saying why");
	}
	ss_gppxml_free(&x);
	fuzz_diag_done(&d);
	return n;
}

static void reports(const ss_scopes *s)
{
	ss_report_opts o = {.format = SS_FORMAT_JSON, .nat_timeout = 240};
	ss_buf out = SS_BUF_INIT;
	ss_diag d = SS_DIAG_INIT;
	FUZZ_CHECK(ss_report_json(s, &o, &out, &d) == 0, "JSON report failed");
	json_error_t err;
	json_t *j = json_loadb(out.data, out.len, 0, &err);
	FUZZ_CHECK(j, "JSON report of a Registry.xml does not parse: %s", err.text);
	json_decref(j);
	ss_buf_reset(&out);
	FUZZ_CHECK(ss_report_junit(s, &o, &out, &d) == 0, "JUnit report failed");
	xmlDoc *doc = xmlReadMemory(out.data, (int)out.len, "junit.xml", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	FUZZ_CHECK(doc, "JUnit report of a Registry.xml is not well-formed");
	xmlFreeDoc(doc);
	ss_buf_release(&out);
	fuzz_diag_done(&d);
}

int fuzz_gppxml(const uint8_t *data, size_t size)
{
	size_t n = parse(data, size);
	if (!(size >= 2 && data[0] == 0xFF && data[1] == 0xFE)) {
		ss_buf u = SS_BUF_INIT;
		fuzz_to_utf16(data, size, &u);
		size_t n16 = parse((const uint8_t *)u.data, u.len);
		/* The same document in UTF-16 has the same items (when the
		 * UTF-8 one declares no other encoding). */
		if (n != (size_t)-1 && !memmem(data, size, "encoding", 8))
			FUZZ_CHECK(n16 == n, "%zu items in UTF-8, %zu in UTF-16", n, n16);
		ss_buf_release(&u);
	}
	fuzz_workdir();
	fuzz_write("Registry.xml", data, size);
	char *path = fuzz_path("Registry.xml");
	ss_scopes s = SS_SCOPES_INIT;
	ss_diag d = SS_DIAG_INIT;
	if (ss_client_gpp.audit(path, NULL, &s, &d) == 0)
		reports(&s);
	fuzz_diag_done(&d);
	ss_scopes_free(&s);
	free(path);
	return 0;
}
