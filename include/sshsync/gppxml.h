/* Reading a Group Policy Preferences Registry.xml ([MS-GPPREF] 2.2.1.17)
 * as the list of registry items it deploys, in document order.
 *
 * The file is untrusted: it is parsed with network access, DTD loading,
 * entity substitution and XInclude off, and a document with a DTD (internal
 * or external subset) is refused before any of its declarations is read, so
 * that neither an external entity (XXE) nor an entity expansion bomb can
 * ever be processed. */
#ifndef SSHSYNC_GPPXML_H
#define SSHSYNC_GPPXML_H

#include <stddef.h>

#include "sshsync/diag.h"

typedef struct ss_gpp_item {
	char action;	/* 'C', 'R', 'U' or 'D'; 'U' when the attribute is absent */
	int disabled;	/* disabled="1" on the item or on a Collection around it */
	int is_default; /* default="1": the key's unnamed default value */
	char *hive;	/* as written, e.g. "HKEY_CURRENT_USER" */
	char *key;	/* without the hive, e.g. "Software\SimonTatham\PuTTY\Sessions\web%201" */
	char *name;	/* value name; "" for a key-only item */
	char *type;	/* "REG_DWORD", "REG_SZ", ...; "" when absent */
	char *value;	/* as written ("00000001" for a DWORD) */
	size_t line;	/* 1-based line of the <Properties> element */
} ss_gpp_item;

typedef struct ss_gppxml {
	char *path; /* as given, for messages and set_at */
	ss_gpp_item *v;
	size_t n;
	size_t cap;
} ss_gppxml;

#define SS_GPPXML_INIT                                                                             \
	{                                                                                          \
		NULL, NULL, 0, 0                                                                   \
	}

/* Reads the file at `path` (UTF-8, or UTF-16LE with a BOM). Errors name
 * path:line:col: not well-formed, has a DTD, the root is not
 * <RegistrySettings>, a <Registry> item without <Properties>. */
int ss_gppxml_load(ss_gppxml *x, const char *path, ss_diag *d);
/* The same from bytes in memory; `display` names them in messages. */
int ss_gppxml_parse(ss_gppxml *x, const char *display, const void *bytes, size_t len, ss_diag *d);
void ss_gppxml_free(ss_gppxml *x);

#endif
