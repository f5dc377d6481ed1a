/* Loading a shared library on first use.
 *
 * libxml2 (and with it ICU and libstdc++) is only needed to read or write
 * XML: a Group Policy Registry.xml, a JUnit report. Linked the usual way
 * it is mapped and relocated at every start: ~3 MiB of resident memory and
 * ~2 ms, more than sshsync needs to audit a 1,000-host ssh_config. So the
 * POSIX build does not link it; os_libxml2_posix.c defines the libxml2
 * functions sshsync calls, and each loads the real library on first use.
 * Windows links the static libraries, as before. */
#include "os_int.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

static _Noreturn void give_up(const char *what, const char *soname, const char *which,
			      const char *error)
{
	fprintf(stderr, "sshsync: %s %s%s: %s\n", what, soname, which,
		error ? error : "unknown error");
	exit(2);
}

void *ss_os_dynlib_open(const char *soname, const char *why)
{
	/* RTLD_NODELETE: never unmapped, so what the library keeps for the
	 * process (libxml2's parser globals) stays reachable. */
	void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (!lib)
		give_up("cannot load", soname, why, dlerror());
	return lib;
}

void *ss_os_dynlib_try(const char *soname)
{
	return dlopen(soname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
}

void *ss_os_dynlib_try_symbol(void *lib, const char *name)
{
	return dlsym(lib, name);
}

void *ss_os_dynlib_symbol(void *lib, const char *soname, const char *name)
{
	dlerror();
	void *p = dlsym(lib, name);
	if (!p)
		give_up("cannot use", soname, "", dlerror());
	return p;
}
