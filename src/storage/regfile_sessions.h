/* Which keys of a .reg file are sessions, and their names: shared by the
 * backend that reads the file whole (be_regfile.c) and the one that reads
 * it piece by piece (be_regfile_pieces.c). */
#ifndef SSHSYNC_REGFILE_SESSIONS_H
#define SSHSYNC_REGFILE_SESSIONS_H

#include <string.h>
#include <strings.h>

#include "sshsync/buf.h"
#include "sshsync/regfile.h"
#include "sshsync/storage.h"
#include "sshsync/text.h"

/* Skips the hive of a key path: *p after "HKEY_CURRENT_USER\" (or
 * "HKEY_USERS\SID\" when allowed); 0 when it is neither. */
static inline int regfile_skip_hive(const ss_storage_root *root, const char **p, const char *end)
{
	static const char hkcu[] = "HKEY_CURRENT_USER\\", hku[] = "HKEY_USERS\\";
	size_t len = (size_t)(end - *p);
	if (len > sizeof(hkcu) - 1 && strncasecmp(*p, hkcu, sizeof(hkcu) - 1) == 0) {
		*p += sizeof(hkcu) - 1;
		return 1;
	}
	if (!root->any_user || len <= sizeof(hku) - 1 || strncasecmp(*p, hku, sizeof(hku) - 1))
		return 0;
	const char *bs = memchr(*p + sizeof(hku) - 1, '\\', len - (sizeof(hku) - 1));
	if (!bs)
		return 0;
	*p = bs + 1;
	return 1;
}

/* When block b's key is a session of the root, its name part. */
static inline int regfile_session_part(const ss_storage_root *root, const ss_regblock *b,
				       const char **name, size_t *len)
{
	const char *p = b->path, *end = b->path + b->path_len;
	if (!regfile_skip_hive(root, &p, end))
		return 0;
	size_t klen = strlen(root->regkey);
	if ((size_t)(end - p) <= klen + 1 || strncasecmp(p, root->regkey, klen) != 0 ||
	    p[klen] != '\\')
		return 0;
	p += klen + 1;
	if (memchr(p, '\\', (size_t)(end - p)))
		return 0; /* a key below a session is no session */
	*name = p;
	*len = (size_t)(end - p);
	return 1;
}

/* A key name as UTF-8: a file without the UTF-16 byte order mark (enc
 * SS_ENC_BYTES) is read in the ANSI code page; bytes that are nothing
 * there stay as they are. */
static inline int regfile_key_utf8(ss_encoding enc, const char *codepage, const char *raw,
				   size_t len, ss_buf *out)
{
	if (enc != SS_ENC_BYTES)
		return ss_buf_add(out, raw, len);
	ss_buf u = SS_BUF_INIT;
	int r = ss_ansi_to_utf8(codepage, raw, len, &u);
	r = r == -2 ? ss_buf_add(out, raw, len) : r == 0 ? ss_buf_add(out, u.data, u.len) : r;
	ss_buf_release(&u);
	return r;
}

/* The type of a value read from a .reg as the storage reports it, and
 * for a DWORD its number (what PuTTY's read_setting_i takes). A string's
 * text is the caller's to fill. */
static inline void regfile_value_type(ss_svalue *out, ss_regtype type, uint32_t dword)
{
	out->type = type == SS_REG_DWORD ? SS_STYPE_DWORD
		    : type == SS_REG_SZ	 ? SS_STYPE_STRING
					 : SS_STYPE_OTHER;
	if (type != SS_REG_DWORD)
		return;
	out->dword = dword;
	out->is_int = out->plain = 1;
	out->ival = (int32_t)dword;
}

#endif
