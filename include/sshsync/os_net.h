/* The platform's numeric network addresses (src/os/), read as the system's
 * own resolver reads them (sshd and ssh use it). */
#ifndef SSHSYNC_OS_NET_H
#define SSHSYNC_OS_NET_H

#include <stdint.h>

typedef struct ss_os_addr {
	int family; /* 4 or 6 */
	unsigned char b[16];
	uint32_t scope;
} ss_os_addr;

/* A numeric address as getaddrinfo(AI_NUMERICHOST) reads it (the forms
 * sshd accepts: "10.1" is 10.0.0.1 on glibc): 0, or -1 when it is not one. */
int ss_os_parse_numeric_addr(const char *s, ss_os_addr *a);
/* The TCP port of a service name (getservbyname: "ssh" is 22), or -1. */
int ss_os_service_port(const char *name);
/* Whether inet_pton reads `s` as an IPv4 or an IPv6 address. */
int ss_os_is_inet_addr(const char *s);

#endif
