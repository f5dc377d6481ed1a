/* The export writers: a registry plan as .reg (v5, REGEDIT4) and as a
 * Group Policy Registry.xml. The input is a list of fields separated by
 * NUL bytes, three to a value: key (below PuTTY's Sessions key, or a whole
 * path when its hash says so), value name, and string; the kind of value
 * (DWORD, string, deletion) and the number come from the hash. A writer
 * may refuse a plan; what it writes must read back, through sshsync's own
 * readers, as exactly the plan. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "sshsync/gppxml.h"
#include "sshsync/putty.h"
#include "sshsync/regfile.h"
#include "sshsync/report.h"

#define MAX_VALUES 48
#define SESSIONS "HKEY_CURRENT_USER\\" SS_PUTTY_SESSIONS_KEY "\\"

static void add_value(ss_regplan *p, char *const f[3])
{
	uint64_t h = ss_hash_bytes(f[0], strlen(f[0])) ^ ss_hash_bytes(f[1], strlen(f[1]));
	char *path = (h & 7) == 0 ? ss_strdup(f[0]) : ss_asprintf(SESSIONS "%s", f[0]);
	FUZZ_CHECK(path, "out of memory");
	ss_regkey *k = ss_regplan_key(p, path);
	FUZZ_CHECK(k, "out of memory");
	int r;
	switch ((h >> 3) % 3) {
	case 0:
		r = ss_regkey_set_dword(k, f[1], (uint32_t)(h >> 8));
		break;
	case 1:
		r = ss_regkey_set_sz(k, f[1], f[2]);
		break;
	default:
		r = ss_regkey_delete_value(k, f[1]);
	}
	FUZZ_CHECK(r == 0, "out of memory");
	free(path);
}

static void build(const uint8_t *data, size_t size, ss_regplan *p)
{
	ss_strlist f = SS_STRLIST_INIT;
	for (size_t i = 0; i < size && f.n < 3 * MAX_VALUES;) {
		const uint8_t *z = memchr(data + i, '\0', size - i);
		size_t len = z ? (size_t)(z - (data + i)) : size - i;
		FUZZ_CHECK(ss_strlist_push_owned(&f, fuzz_cstr(data + i, len)) == 0, "oom");
		i += len + 1;
	}
	while (f.n % 3)
		FUZZ_CHECK(ss_strlist_push(&f, "") == 0, "out of memory");
	for (size_t i = 0; i < f.n; i += 3)
		add_value(p, f.v + i);
	ss_strlist_release(&f);
}

/* 1 when the plan has another key of the same path (any case) or a later
 * value of the same name (any case) in this key: then what the reader
 * finds depends on import order, which the check leaves alone. */
static int ambiguous(const ss_regplan *p, size_t k, size_t v)
{
	for (size_t i = 0; i < p->n; i++)
		if (i != k && strcasecmp(p->v[i].path, p->v[k].path) == 0)
			return 1;
	for (size_t j = v + 1; j < p->v[k].n; j++)
		if (strcasecmp(p->v[k].v[j].name, p->v[k].v[v].name) == 0)
			return 1;
	return 0;
}

static void check_reg(const ss_regplan *p, const ss_buf *out, const char *what)
{
	ss_text t;
	ss_diag d = SS_DIAG_INIT;
	/* REGEDIT4 is ANSI (Windows-1252): read back as such, it is UTF-8 again. */
	ss_buf utf8 = SS_BUF_INIT;
	int ansi = strcmp(what, "reg4") == 0;
	FUZZ_CHECK(!ansi || ss_cp1252_to_utf8(out->data, out->len, &utf8) == 0, "out of memory");
	const ss_buf *in = ansi ? &utf8 : out;
	FUZZ_CHECK(ss_text_from_bytes(&t, what, in->data, in->len, &d) == 0, "%s unreadable", what);
	ss_buf_release(&utf8);
	ss_regfile rf;
	if (ss_regfile_parse(&rf, &t, &d) < 0) {
		fuzz_show(what, t.data, t.len);
		fuzz_fail("%s export does not parse: %s:%zu:%zu: %s", what, what, d.line, d.col,
			  d.message);
	}
	for (size_t k = 0; k < p->n; k++) {
		const ss_regkey *key = &p->v[k];
		FUZZ_CHECK(ss_regfile_find_key(&rf, key->path, strlen(key->path)) !=
			       SS_REGFILE_NONE,
			   "%s export lacks key '%s'", what, key->path);
		for (size_t i = 0; i < key->n; i++) {
			const ss_regval *v = &key->v[i];
			if (ambiguous(p, k, i))
				continue;
			ss_regvalue rv;
			int found = ss_regfile_lookup(&rf, key->path, v->name, &rv);
			if (v->kind == SS_REGVAL_DELETE) {
				FUZZ_CHECK(!found, "%s export sets '%s' '%s', which it deletes",
					   what, key->path, v->name);
				continue;
			}
			FUZZ_CHECK(found, "%s export lacks '%s' '%s'", what, key->path, v->name);
			if (v->kind == SS_REGVAL_DWORD) {
				FUZZ_CHECK(rv.type == SS_REG_DWORD && rv.dword == v->dword,
					   "%s export: '%s' is not dword %" PRIu32, what, v->name,
					   v->dword);
			} else {
				ss_buf s = SS_BUF_INIT;
				FUZZ_CHECK(rv.type == SS_REG_SZ &&
					       ss_regfile_value_string(&rf, &rv, &s) == 0,
					   "%s export: '%s' is no string", what, v->name);
				FUZZ_CHECK(strcmp(ss_buf_str(&s), v->sz) == 0,
					   "%s export: '%s' is '%s', not '%s'", what, v->name,
					   ss_buf_str(&s), v->sz);
				ss_buf_release(&s);
			}
		}
	}
	ss_regfile_free(&rf);
	ss_text_free(&t);
	fuzz_diag_done(&d);
}

static const ss_gpp_item *find_item(const ss_gppxml *x, const char *path, const char *name,
				    size_t *count)
{
	const ss_gpp_item *found = NULL;
	*count = 0;
	for (size_t i = 0; i < x->n; i++) {
		const ss_gpp_item *it = &x->v[i];
		size_t hl = strlen(it->hive);
		if (strncasecmp(path, it->hive, hl) == 0 && path[hl] == '\\' &&
		    strcmp(path + hl + 1, it->key) == 0 && strcmp(it->name, name) == 0) {
			found = it;
			(*count)++;
		}
	}
	return found;
}

static void check_gpp(const ss_regplan *p, const ss_buf *out)
{
	ss_gppxml x = SS_GPPXML_INIT;
	ss_diag d = SS_DIAG_INIT;
	if (ss_gppxml_parse(&x, "Registry.xml", out->data, out->len, &d) < 0) {
		fuzz_show("Registry.xml", out->data, out->len);
		fuzz_fail("Registry.xml export does not parse: %zu:%zu: %s", d.line, d.col,
			  d.message);
	}
	size_t values = 0;
	for (size_t k = 0; k < p->n; k++) {
		const ss_regkey *key = &p->v[k];
		values += key->n;
		for (size_t i = 0; i < key->n; i++) {
			const ss_regval *v = &key->v[i];
			size_t count;
			const ss_gpp_item *it = find_item(&x, key->path, v->name, &count);
			FUZZ_CHECK(it && count == 1, "Registry.xml has %zu items for '%s' '%s'",
				   count, key->path, v->name);
			if (v->kind == SS_REGVAL_DELETE) {
				FUZZ_CHECK(it->action == 'D', "'%s' is not deleted", v->name);
			} else if (v->kind == SS_REGVAL_DWORD) {
				FUZZ_CHECK(strcmp(it->type, "REG_DWORD") == 0 &&
					       strtoul(it->value, NULL, 16) == v->dword,
					   "'%s' is not dword %" PRIu32, v->name, v->dword);
			} else {
				FUZZ_CHECK(strcmp(it->type, "REG_SZ") == 0 &&
					       strcmp(it->value, v->sz) == 0,
					   "'%s' is '%s', not '%s'", v->name, it->value, v->sz);
			}
		}
	}
	FUZZ_CHECK(x.n == values, "Registry.xml has %zu items for %zu values", x.n, values);
	ss_gppxml_free(&x);
	fuzz_diag_done(&d);
}

int fuzz_export(const uint8_t *data, size_t size)
{
	ss_regplan p = SS_REGPLAN_INIT;
	build(data, size, &p);
	static const ss_export_format formats[] = {SS_EXPORT_REG, SS_EXPORT_REG4, SS_EXPORT_GPP};
	for (size_t f = 0; f < 3; f++) {
		ss_buf out = SS_BUF_INIT;
		ss_diag d = SS_DIAG_INIT;
		if (ss_report_export(&p, formats[f], &out, &d) == 0) {
			if (formats[f] == SS_EXPORT_GPP)
				check_gpp(&p, &out);
			else
				check_reg(&p, &out, formats[f] == SS_EXPORT_REG ? "reg" : "reg4");
		} else {
			FUZZ_CHECK(d.message, "an export failed without saying why");
		}
		fuzz_diag_done(&d);
		ss_buf_release(&out);
	}
	ss_regplan_free(&p);
	return 0;
}
