/* The live registry where there is none (see os_registry.h). */
#include "sshsync/os_registry.h"

#include <stdlib.h>

static const char NONE[] = "the Windows registry is not available on this system";

int ss_osreg_available(void)
{
	return 0;
}

int ss_osreg_open(const char *path, int writable, ss_osreg_key **key, ss_diag *d)
{
	(void)writable;
	*key = NULL;
	return ss_diag_set(d, path, 0, 0, "%s", NONE);
}

int ss_osreg_create(ss_osreg_key *parent, const char *name, ss_osreg_key **key, ss_diag *d)
{
	(void)parent;
	*key = NULL;
	return ss_diag_set(d, name, 0, 0, "%s", NONE);
}

void ss_osreg_close(ss_osreg_key *key)
{
	(void)key;
}

const char *ss_osreg_path(const ss_osreg_key *key)
{
	(void)key;
	return "";
}

int ss_osreg_subkeys(ss_osreg_key *key, ss_strlist *out, ss_diag *d)
{
	(void)key;
	(void)out;
	return ss_diag_set(d, NULL, 0, 0, "%s", NONE);
}

int ss_osreg_values_read(ss_osreg_key *key, ss_osreg_values *out, ss_diag *d)
{
	(void)key;
	(void)out;
	return ss_diag_set(d, NULL, 0, 0, "%s", NONE);
}

void ss_osreg_values_free(ss_osreg_values *v)
{
	free(v->v);
	v->v = NULL;
	v->n = v->cap = 0;
}

int ss_osreg_query(ss_osreg_key *key, const char *name, uint32_t *type, ss_buf *data, ss_diag *d)
{
	(void)key;
	(void)type;
	(void)data;
	return ss_diag_set(d, name, 0, 0, "%s", NONE);
}

int ss_osreg_set(ss_osreg_key *key, const char *name, uint32_t type, const void *data, size_t len,
		 ss_diag *d)
{
	(void)key;
	(void)type;
	(void)data;
	(void)len;
	return ss_diag_set(d, name, 0, 0, "%s", NONE);
}

int ss_osreg_delete_value(ss_osreg_key *key, const char *name, ss_diag *d)
{
	(void)key;
	return ss_diag_set(d, name, 0, 0, "%s", NONE);
}

int ss_osreg_delete_key(ss_osreg_key *key, const char *name, ss_diag *d)
{
	(void)key;
	return ss_diag_set(d, name, 0, 0, "%s", NONE);
}
