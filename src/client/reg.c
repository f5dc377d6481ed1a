/* reg: the live Windows registry, a client's sessions key named as
 * reg:HKCU\Software\SimonTatham\PuTTY\Sessions (KiTTY's
 * Software\9bis.com\KiTTY\Sessions, WinSCP's Software\Martin Prikryl\WinSCP
 * 2\Sessions; HKEY_CURRENT_USER in full also). The key says whose sessions
 * they are; that client audits them through the storage layer (its winreg
 * backend), exactly as it audits a .reg export. */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "sshsync/clients.h"
#include "sshsync/putty.h"
#include "sshsync/winscp.h"

/* The client whose sessions key `path` is, or NULL. */
static const ss_client *owner(const char *path)
{
	static const struct {
		const ss_storage_root *root;
		const ss_client *client;
	} KEYS[] = {{&ss_putty_root, &ss_client_putty},
		    {&ss_kitty_root, &ss_client_kitty},
		    {&ss_winscp_root, &ss_client_winscp}};
	const char *bs = strchr(path, '\\');
	if (!bs)
		return NULL;
	for (size_t i = 0; i < sizeof(KEYS) / sizeof(KEYS[0]); i++) {
		const char *k = KEYS[i].root->regkey;
		size_t n = strlen(bs + 1);
		while (n && bs[n] == '\\') /* trailing backslashes */
			n--;
		if (n == strlen(k) && strncasecmp(bs + 1, k, n) == 0)
			return KEYS[i].client;
	}
	return NULL;
}

static int no_owner(const char *path, ss_diag *d)
{
	return ss_diag_set(d, path, 0, 0,
			   "expected the sessions key of PuTTY (HKCU\\%s), KiTTY (HKCU\\%s) "
			   "or WinSCP (HKCU\\%s)",
			   ss_putty_root.regkey, ss_kitty_root.regkey, ss_winscp_root.regkey);
}

static int reg_audit(const char *path, const ss_query *q, ss_scopes *out, ss_diag *d)
{
	const ss_client *c = owner(path);
	return c ? c->audit(path, q, out, d) : no_owner(path, d);
}

static int reg_apply(const char *path, const ss_policy *p, ss_changeset *cs, ss_diag *d)
{
	const ss_client *c = owner(path);
	return c ? c->apply(path, p, cs, d) : no_owner(path, d);
}

/* Migration from and into the live registry: the owner's, over the same
 * storage (its winreg backend plans the values; the engine writes them as
 * for apply). */
static int reg_sessions_read(const char *path, const ss_strlist *names, ss_sessions *out,
			     ss_diag *d)
{
	const ss_client *c = owner(path);
	return c ? c->sessions_read(path, names, out, d) : no_owner(path, d);
}

static int reg_sessions_plan(const char *path, ss_sessions *in, ss_changeset *cs, ss_diag *d)
{
	const ss_client *c = owner(path);
	return c ? c->sessions_plan(path, in, cs, d) : no_owner(path, d);
}

const ss_client ss_client_reg = {
    .kind = "reg",
    .description = "the live Windows registry: the sessions key of PuTTY, KiTTY or WinSCP",
    .audit = reg_audit,
    .apply = reg_apply,
    .sessions_read = reg_sessions_read,
    .sessions_plan = reg_sessions_plan,
};
