/* The live Windows registry (src/os/): open a key under HKEY_CURRENT_USER
 * or HKEY_LOCAL_MACHINE, list its subkeys and values in the order the
 * system gives them, read a typed value, set one, delete one. Everything
 * else (what a value means, when to write) is the callers'.
 *
 * Names cross this interface as UTF-8 (WTF-8 for a name holding a lone
 * surrogate), converted from and to the UTF-16 names of the W functions
 * without loss: a key or value name read here and given back names the
 * same key or value, byte for byte. String data is returned as stored
 * (UTF-16LE bytes with their NULs); the caller decodes it.
 *
 * On a system without a registry (POSIX) every call fails with "the
 * Windows registry is not available on this system".
 *
 * For tests: when the environment variable SSHSYNC_REGISTRY_HKCU names a
 * key below the real HKEY_CURRENT_USER, "HKCU" means that key instead, so
 * that a test works in a registry of its own. */
#ifndef SSHSYNC_OS_REGISTRY_H
#define SSHSYNC_OS_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "sshsync/buf.h"
#include "sshsync/diag.h"

typedef struct ss_osreg_key ss_osreg_key;

/* 1 on Windows, 0 where there is no registry. */
int ss_osreg_available(void);

/* Opens `path`: HKCU\... or HKEY_CURRENT_USER\..., HKLM\... or
 * HKEY_LOCAL_MACHINE\... (root names case-insensitive). `writable` asks
 * for KEY_SET_VALUE too. Returns 1 with *key, 0 when the key does not
 * exist, -1 on an error (d set). */
int ss_osreg_open(const char *path, int writable, ss_osreg_key **key, ss_diag *d);
/* Opens or creates the subkey `name` of `parent` (writable). */
int ss_osreg_create(ss_osreg_key *parent, const char *name, ss_osreg_key **key, ss_diag *d);
void ss_osreg_close(ss_osreg_key *key);
/* The key's path as opened ("HKEY_CURRENT_USER\..."), for messages. */
const char *ss_osreg_path(const ss_osreg_key *key);

/* Appends the names of the direct subkeys, in enumeration order. */
int ss_osreg_subkeys(ss_osreg_key *key, ss_strlist *out, ss_diag *d);

/* One value: its name, type (REG_SZ 1, REG_DWORD 4, ...) and bytes. */
typedef struct ss_osreg_value {
	char *name;
	uint32_t type;
	ss_buf data;
} ss_osreg_value;

typedef struct ss_osreg_values {
	ss_osreg_value *v;
	size_t n;
	size_t cap;
} ss_osreg_values;

#define SS_OSREG_VALUES_INIT                                                                       \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/* Every value of the key, in enumeration order. */
int ss_osreg_values_read(ss_osreg_key *key, ss_osreg_values *out, ss_diag *d);
void ss_osreg_values_free(ss_osreg_values *v);

/* One value by name ("" for the default value): 1 found (type and data
 * filled; data is reset first), 0 absent, -1 error. */
int ss_osreg_query(ss_osreg_key *key, const char *name, uint32_t *type, ss_buf *data, ss_diag *d);
/* Sets a value (RegSetValueExW). */
int ss_osreg_set(ss_osreg_key *key, const char *name, uint32_t type, const void *data, size_t len,
		 ss_diag *d);
/* Deletes a value; an absent one is no error. */
int ss_osreg_delete_value(ss_osreg_key *key, const char *name, ss_diag *d);
/* Deletes the subkey `name` of `key` with everything below it; an absent
 * one is no error. */
int ss_osreg_delete_key(ss_osreg_key *key, const char *name, ss_diag *d);

#endif
