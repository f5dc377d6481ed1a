/* What the ssh_config and sshd_config harnesses share. */
#ifndef SSHSYNC_FUZZ_SSH_H
#define SSHSYNC_FUZZ_SSH_H

#include <stddef.h>
#include <stdint.h>

#include "sshsync/changeset.h"
#include "sshsync/sshconf.h"

void fuzz_check_others_unchanged(const char *path, const void *old, size_t oldlen, const void *new,
				 size_t newlen, ss_sshconf_mode mode, const char *const *kws);
void fuzz_check_sshconf_roundtrip(const char *what, const uint8_t *data, size_t size,
				  ss_sshconf_mode mode);
int fuzz_includes_confined(const uint8_t *data, size_t size, ss_sshconf_mode mode);
size_t fuzz_write_files(const uint8_t *data, size_t size, const char *main_name,
			ss_sshconf_mode mode);
void fuzz_write_changes(const ss_changeset *cs, ss_sshconf_mode mode, const char *const *kws);

#endif
