/* What the POSIX and the Windows files of src/os share (private to
 * src/os; src/os/os_common.c builds on both). */
#ifndef SSHSYNC_OS_INT_H
#define SSHSYNC_OS_INT_H

#include <stddef.h>

#include "sshsync/os_file.h"

#define SS_OS_TEMP_TAG ".sshsync-"
#define SS_OS_TEMP_RANDOM 6

/* ".NAME.sshsync-" (NAME cut to 200 bytes): what a temporary file of NAME
 * starts with, before SS_OS_TEMP_RANDOM letters or digits. NULL: memory. */
char *ss_os_temp_prefix(const char *name);
/* SS_OS_TEMP_RANDOM letters or digits, random, and a NUL (each system's
 * source of randomness, else its clock and process). */
void ss_os_random_suffix(char *out);
/* Whether a directory entry is a temporary file of that prefix. */
int ss_os_is_temp_of(const char *entry, const char *prefix, size_t plen);
/* Whether it is a temporary file of any name. */
int ss_os_is_temp(const char *entry);
/* The entries of `dir` that are temporary files (each system's listing):
 * 0, or -1 with errno set and `out` empty. */
int ss_os_list_temps(int dir, ss_os_paths *out);
/* Removes the temporary file `entry` of `dir` unless a live sshsync still
 * holds its lock: 1 removed, else 0. */
int ss_os_remove_unheld_temp(int dir, const char *entry);
/* Appends a copy of `s` (*cap: the room in p->v): 0, or -1 (ENOMEM). */
int ss_os_paths_push(ss_os_paths *p, size_t *cap, const char *s);
/* Appends a chunk of a child's output to *out (NUL-terminated), keeping
 * at most `limit` bytes: 0, or -1 (no memory). */
int ss_os_keep_output(char **out, size_t *len, size_t *cap, const char *chunk, size_t n,
		      size_t limit);
/* One attempt of ss_os_lock_file, each system's own: 1 locked the file the
 * name refers to (or there is none: *fd -1), 0 try again, -1 error. */
int ss_os_lock_once(int dir, const char *name, int *fd, ss_stat *st);

/* Libraries loaded on first use (POSIX; see os_dynlib_posix.c). The
 * library `soname`, with its dependencies; `why` says in a message what
 * it is needed for. Either returns or, when the library cannot be
 * loaded, says so on stderr and exits with 2, before anything is
 * written: today the dynamic loader would not have started sshsync. */
void *ss_os_dynlib_open(const char *soname, const char *why);
/* The address of `name` in that library, or the same exit. */
void *ss_os_dynlib_symbol(void *lib, const char *soname, const char *name);
/* The same, for work that can do without the library: NULL instead of
 * the exit (the library stays loaded when it could be). */
void *ss_os_dynlib_try(const char *soname);
void *ss_os_dynlib_try_symbol(void *lib, const char *name);
/* Whether libcrypto and every function sshsync calls in it load
 * (os_libcrypto_posix.c), without the exit. */
int ss_os_libcrypto_loadable(void);
/* A library loaded on first use, in a file of its own: its functions as
 * one list FUNCTIONS(F, V), F(return type, name, (parameters),
 * (arguments)) and V(name, (parameters), (arguments)) for a void one; then
 * SS_DYNLIB(FUNCTIONS, SONAME, WHY) defines each function as a call
 * through a pointer that the first call of any fills. The pointers are
 * process-wide, as the dynamic loader's own state would be. */
#define SS_DYNLIB_FIELD(ret, name, params, args) ret(*name) params;
#define SS_DYNLIB_VOID_FIELD(name, params, args) void(*name) params;
#define SS_DYNLIB_RESOLVE(ret, name, params, args)                                                 \
	{                                                                                          \
		void *p = ss_os_dynlib_symbol(lib, soname, #name);                                 \
		memcpy(&loaded.name, &p, sizeof p);                                                \
	}
#define SS_DYNLIB_VOID_RESOLVE(name, params, args) SS_DYNLIB_RESOLVE(void, name, params, args)
#define SS_DYNLIB_CALL(ret, name, params, args)                                                    \
	ret name params                                                                            \
	{                                                                                          \
		return table_loaded()->name args;                                                  \
	}
#define SS_DYNLIB_VOID_CALL(name, params, args)                                                    \
	void name params                                                                           \
	{                                                                                          \
		table_loaded()->name args;                                                         \
	}
#define SS_DYNLIB(FUNCTIONS, SONAME, WHY)                                                          \
	typedef struct table {                                                                     \
		FUNCTIONS(SS_DYNLIB_FIELD, SS_DYNLIB_VOID_FIELD)                                   \
	} table;                                                                                   \
	static table loaded;                                                                       \
	static pthread_once_t load_once = PTHREAD_ONCE_INIT;                                       \
	static void load(void)                                                                     \
	{                                                                                          \
		const char *soname = SONAME;                                                       \
		void *lib = ss_os_dynlib_open(soname, WHY);                                        \
		FUNCTIONS(SS_DYNLIB_RESOLVE, SS_DYNLIB_VOID_RESOLVE)                               \
	}                                                                                          \
	static const table *table_loaded(void)                                                     \
	{                                                                                          \
		pthread_once(&load_once, load);                                                    \
		return &loaded;                                                                    \
	}                                                                                          \
	FUNCTIONS(SS_DYNLIB_CALL, SS_DYNLIB_VOID_CALL)

#endif
