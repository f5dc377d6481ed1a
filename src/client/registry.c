/* The table of clients: the one place that knows every kind. */
#include <stddef.h>
#include <string.h>

#include "sshsync/client.h"
#include "sshsync/clients.h"

static const ss_client *const all_clients[] = {
    &ss_client_ssh,	&ss_client_winscp, &ss_client_gpp,
    &ss_client_putty,	&ss_client_kitty,  &ss_client_sshd,
    &ss_client_winereg, &ss_client_reg,	   NULL};

const ss_client *const *ss_clients(void)
{
	return all_clients;
}

const ss_client *ss_client_find(const char *kind)
{
	for (const ss_client *const *c = all_clients; *c; c++)
		if (strcmp((*c)->kind, kind) == 0)
			return *c;
	return NULL;
}
