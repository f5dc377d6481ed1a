/* winereg: Wine's registry file, a prefix's user.reg (its
 * HKEY_CURRENT_USER), where every Windows client run in that prefix keeps
 * its sessions. PuTTY, KiTTY and WinSCP are each audited and applied over
 * it exactly as over a .reg export, through the storage layer (its
 * winereg backend); their plans share the one text and edit list of the
 * file (see ss_storage_open). A client without sessions in the file adds
 * nothing. */
#include <stddef.h>

#include "sshsync/clients.h"
#include "sshsync/winereg.h"

static const ss_client *const SUBS[] = {&ss_client_putty, &ss_client_kitty, &ss_client_winscp};
#define NSUBS (sizeof(SUBS) / sizeof(SUBS[0]))

static int winereg_audit(const char *path, const ss_query *q, ss_scopes *out, ss_diag *d)
{
	for (size_t i = 0; i < NSUBS; i++)
		if (SUBS[i]->audit(path, q, out, d) < 0)
			return -1;
	return 0;
}

static int winereg_apply(const char *path, const ss_policy *p, ss_changeset *cs, ss_diag *d)
{
	for (size_t i = 0; i < NSUBS; i++)
		if (SUBS[i]->apply(path, p, cs, d) < 0)
			return -1;
	return 0;
}

static int winereg_sniff(const char *path, const char *head, size_t len)
{
	(void)path;
	return head && ss_winereg_sniff(head, len) ? 1 : 0;
}

static const char *winereg_misfit(const char *head, size_t len, int session_file, size_t *offset)
{
	(void)session_file;
	*offset = 0;
	return ss_winereg_sniff(head, len) ? NULL
					   : "not Wine's registry file (its first line is not "
					     "'WINE REGISTRY Version 2')";
}

const ss_client ss_client_winereg = {
    .kind = "winereg",
    .description = "Wine's registry (a prefix's user.reg): the PuTTY, KiTTY and WinSCP "
		   "sessions in it",
    .audit = winereg_audit,
    .apply = winereg_apply,
    .sniff = winereg_sniff,
    .misfit = winereg_misfit,
};
