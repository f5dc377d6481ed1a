/* The client tables, one per kind (each defined in src/client/KIND.c). */
#ifndef SSHSYNC_CLIENTS_H
#define SSHSYNC_CLIENTS_H

#include "sshsync/client.h"

extern const ss_client ss_client_winscp;
extern const ss_client ss_client_gpp;
extern const ss_client ss_client_putty;
extern const ss_client ss_client_kitty;
extern const ss_client ss_client_ssh;
extern const ss_client ss_client_sshd;
extern const ss_client ss_client_winereg;
extern const ss_client ss_client_reg;

#endif
