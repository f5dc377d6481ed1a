/* Group Policy Preferences Registry.xml from a registry plan, written with
 * libxml2's writer so that escaping is never ours.
 *
 * What the Group Policy Management Console itself writes (checked against
 * [MS-GPPREF] 2.2.1.17 and files saved by GPMC): `name` and `status` of a
 * value item are the value name; `image` picks the console's icon by value
 * type and action (Create, Replace, Update, Delete in that order: strings
 * 5-8, DWORD 10-13); `changed` is "YYYY-MM-DD HH:MM:SS" in UTC; `uid` is a
 * braced upper-case GUID, unique per item. Items may be grouped in
 * <Collection> elements, which the console shows as folders. */
#include "sshsync/gpp.h"
#include "sshsync/text.h"
#include "sshsync/os_sys.h"

#include <errno.h>
#include <libxml/xmlstring.h>
#include <libxml/xmlwriter.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum { IMAGE_SZ_UPDATE = 7, IMAGE_SZ_DELETE = 8, IMAGE_DWORD_UPDATE = 12 };

static const char *const hives[] = {"HKEY_CURRENT_USER", "HKEY_LOCAL_MACHINE",	"HKEY_USERS",
				    "HKEY_CLASSES_ROOT", "HKEY_CURRENT_CONFIG", NULL};

/* Fills `buf` with random bytes from the system. */
static int random_bytes(unsigned char *buf, size_t len, ss_diag *d)
{
	if (ss_os_random(buf, len) < 0)
		return ss_diag_errno(d, NULL, "cannot read random bytes from the system");
	return 0;
}

int ss_gpp_new_uid(char out[39], ss_diag *d)
{
	unsigned char b[16];
	if (random_bytes(b, sizeof(b), d) < 0)
		return -1;
	b[6] = (unsigned char)((b[6] & 0x0F) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3F) | 0x80); /* RFC 4122 variant */
	snprintf(out, 39, "{%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
	return 0;
}

/* 1 when XML 1.0 can carry `s` as it is: valid UTF-8, and no control
 * character but tab, LF and CR (the writer escapes those in attributes). */
static int xml_safe(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);
	for (size_t i = 0, n; i < len; i += n) {
		uint32_t cp;
		if (!(n = ss_utf8_decode(p + i, len - i, &cp, 0)))
			return 0; /* not strict UTF-8: overlong, a surrogate, ... */
		if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xFFFE ||
		    cp == 0xFFFF)
			return 0; /* not an XML 1.0 Char */
	}
	return 1;
}

/* Splits "HIVE\key" into the canonical hive name and the key. */
static int split_path(const char *path, const char **hive, const char **key)
{
	const char *bs = strchr(path, '\\');
	size_t n = bs ? (size_t)(bs - path) : strlen(path);
	for (const char *const *h = hives; *h; h++) {
		if (strlen(*h) == n && strncasecmp(path, *h, n) == 0) {
			*hive = *h;
			*key = bs ? bs + 1 : "";
			return **key ? 0 : -1;
		}
	}
	return -1;
}

static int check_key(const ss_regkey *k, ss_diag *d)
{
	const char *hive = NULL, *key = NULL;
	if (split_path(k->path, &hive, &key) < 0)
		return ss_diag_set(d, NULL, 0, 0,
				   "registry key '%s' does not start with a hive "
				   "name (HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE, ...)",
				   k->path);
	if (!xml_safe(k->path))
		return ss_diag_set(d, NULL, 0, 0,
				   "registry key '%s' holds bytes that a Group "
				   "Policy XML file cannot carry",
				   k->path);
	for (size_t i = 0; i < k->n; i++) {
		const ss_regval *v = &k->v[i];
		if (!xml_safe(v->name) || (v->kind == SS_REGVAL_SZ && !xml_safe(v->sz)))
			return ss_diag_set(d, NULL, 0, 0,
					   "a value of registry key '%s' holds "
					   "bytes that a Group Policy XML file cannot carry",
					   k->path);
	}
	return 0;
}

static int attr(xmlTextWriterPtr w, const char *name, const char *value)
{
	return xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST value) < 0 ? -1 : 0;
}

static int write_properties(xmlTextWriterPtr w, const char *hive, const char *key,
			    const ss_regval *v)
{
	char hex[9];
	const char *type = "REG_SZ", *value = "", *action = "U";
	if (v->kind == SS_REGVAL_DWORD) {
		snprintf(hex, sizeof(hex), "%08" PRIX32, v->dword);
		type = "REG_DWORD";
		value = hex;
	} else if (v->kind == SS_REGVAL_SZ) {
		value = v->sz;
	} else {
		action = "D";
	}
	int r = xmlTextWriterStartElement(w, BAD_CAST "Properties") < 0;
	r = r || attr(w, "action", action) ||
	    attr(w, "displayDecimal", v->kind == SS_REGVAL_DWORD ? "1" : "0") ||
	    attr(w, "default", "0") || attr(w, "hive", hive) || attr(w, "key", key) ||
	    attr(w, "name", v->name) || attr(w, "type", type) || attr(w, "value", value);
	return r || xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

static int image_of(const ss_regval *v)
{
	if (v->kind == SS_REGVAL_DWORD)
		return IMAGE_DWORD_UPDATE;
	return v->kind == SS_REGVAL_SZ ? IMAGE_SZ_UPDATE : IMAGE_SZ_DELETE;
}

static int write_item(xmlTextWriterPtr w, const char *hive, const char *key, const ss_regval *v,
		      const char *changed, ss_diag *d)
{
	char uid[39];
	if (ss_gpp_new_uid(uid, d) < 0)
		return -1;
	int r = xmlTextWriterStartElement(w, BAD_CAST "Registry") < 0;
	r = r || attr(w, "clsid", SS_GPP_CLSID_REGISTRY) || attr(w, "name", v->name) ||
	    attr(w, "status", v->name) ||
	    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "image", "%d", image_of(v)) < 0 ||
	    attr(w, "changed", changed) || attr(w, "uid", uid) ||
	    write_properties(w, hive, key, v) || xmlTextWriterEndElement(w) < 0;
	return r ? ss_diag_set(d, NULL, 0, 0, "cannot write the Group Policy XML") : 0;
}

/* The key's last component, the name the console shows for its folder. */
static const char *leaf(const char *key)
{
	const char *bs = strrchr(key, '\\');
	return bs ? bs + 1 : key;
}

static int write_key(xmlTextWriterPtr w, const ss_regkey *k, const char *changed, ss_diag *d)
{
	const char *hive = NULL, *key = NULL;
	if (k->n == 0)
		return 0;
	split_path(k->path, &hive, &key); /* checked before */
	if (xmlTextWriterStartElement(w, BAD_CAST "Collection") < 0 ||
	    attr(w, "clsid", SS_GPP_CLSID_COLLECTION) || attr(w, "name", leaf(key)))
		return ss_diag_set(d, NULL, 0, 0, "cannot write the Group Policy XML");
	for (size_t i = 0; i < k->n; i++)
		if (write_item(w, hive, key, &k->v[i], changed, d) < 0)
			return -1;
	if (xmlTextWriterEndElement(w) < 0)
		return ss_diag_set(d, NULL, 0, 0, "cannot write the Group Policy XML");
	return 0;
}

static int write_document(xmlTextWriterPtr w, const ss_regplan *plan, ss_diag *d)
{
	char changed[32];
	time_t now = time(NULL);
	struct tm tm;
	if (ss_os_gmtime(now, &tm) < 0 ||
	    !strftime(changed, sizeof(changed), "%Y-%m-%d %H:%M:%S", &tm))
		return ss_diag_set(d, NULL, 0, 0, "cannot tell the time");
	xmlTextWriterSetIndent(w, 1);
	xmlTextWriterSetIndentString(w, BAD_CAST "\t");
	if (xmlTextWriterStartDocument(w, NULL, "utf-8", NULL) < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST "RegistrySettings") < 0 ||
	    attr(w, "clsid", SS_GPP_CLSID_SETTINGS))
		return ss_diag_set(d, NULL, 0, 0, "cannot write the Group Policy XML");
	for (size_t i = 0; i < plan->n; i++)
		if (write_key(w, &plan->v[i], changed, d) < 0)
			return -1;
	if (xmlTextWriterEndDocument(w) < 0)
		return ss_diag_set(d, NULL, 0, 0, "cannot write the Group Policy XML");
	return 0;
}

int ss_gpp_render(const ss_regplan *plan, ss_buf *out, ss_diag *d)
{
	for (size_t i = 0; i < plan->n; i++)
		if (check_key(&plan->v[i], d) < 0)
			return -1;
	xmlBufferPtr xb = xmlBufferCreate();
	xmlTextWriterPtr w = xb ? xmlNewTextWriterMemory(xb, 0) : NULL;
	int r = w ? write_document(w, plan, d) : ss_diag_oom(d);
	if (w)
		xmlFreeTextWriter(w); /* flushes into xb */
	if (r == 0 && ss_buf_add(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb)) < 0)
		r = ss_diag_oom(d);
	if (xb)
		xmlBufferFree(xb);
	return r;
}
