/* POSIX numeric addresses: getaddrinfo and inet_pton of the C library.
 * See include/sshsync/os_net.h. */
#define _GNU_SOURCE
#include "sshsync/os_net.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

int ss_os_parse_numeric_addr(const char *s, ss_os_addr *x)
{
	struct addrinfo hints, *ai = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo(s, NULL, &hints, &ai) != 0 || !ai)
		return -1;
	int r = -1;
	memset(x, 0, sizeof(*x));
	if (ai->ai_addr && ai->ai_family == AF_INET &&
	    ai->ai_addrlen >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in4 = (const struct sockaddr_in *)(void *)ai->ai_addr;
		x->family = 4;
		memcpy(x->b, &in4->sin_addr, 4);
		r = 0;
	} else if (ai->ai_addr && ai->ai_family == AF_INET6 &&
		   ai->ai_addrlen >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(void *)ai->ai_addr;
		x->family = 6;
		memcpy(x->b, &in6->sin6_addr, 16);
		x->scope = in6->sin6_scope_id;
		r = 0;
	}
	freeaddrinfo(ai);
	return r;
}

int ss_os_is_inet_addr(const char *s)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

int ss_os_service_port(const char *name)
{
	struct servent *se = getservbyname(name, "tcp");
	return se ? (int)ntohs((uint16_t)se->s_port) : -1;
}
