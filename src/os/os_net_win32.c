/* Windows numeric addresses: Winsock's getaddrinfo, inet_pton and
 * getservbyname (the resolver Win32-OpenSSH's sshd uses). See
 * include/sshsync/os_net.h. */
#include "sshsync/os_net.h"

#include <string.h>
#include <winsock2.h>
#include <ws2tcpip.h>

/* Winsock counts its users: each call starts and ends its own. */
static int wsa_start(void)
{
	WSADATA data;
	return WSAStartup(MAKEWORD(2, 2), &data) == 0 ? 0 : -1;
}

int ss_os_parse_numeric_addr(const char *s, ss_os_addr *x)
{
	if (wsa_start() < 0)
		return -1;
	struct addrinfo hints, *ai = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST;
	int r = -1;
	if (getaddrinfo(s, NULL, &hints, &ai) == 0 && ai) {
		memset(x, 0, sizeof(*x));
		if (ai->ai_addr && ai->ai_family == AF_INET &&
		    ai->ai_addrlen >= sizeof(struct sockaddr_in)) {
			const struct sockaddr_in *in4 =
			    (const struct sockaddr_in *)(void *)ai->ai_addr;
			x->family = 4;
			memcpy(x->b, &in4->sin_addr, 4);
			r = 0;
		} else if (ai->ai_addr && ai->ai_family == AF_INET6 &&
			   ai->ai_addrlen >= sizeof(struct sockaddr_in6)) {
			const struct sockaddr_in6 *in6 =
			    (const struct sockaddr_in6 *)(void *)ai->ai_addr;
			x->family = 6;
			memcpy(x->b, &in6->sin6_addr, 16);
			x->scope = in6->sin6_scope_id;
			r = 0;
		}
		freeaddrinfo(ai);
	}
	WSACleanup();
	return r;
}

int ss_os_is_inet_addr(const char *s)
{
	if (wsa_start() < 0)
		return 0;
	unsigned char buf[16];
	int r = inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
	WSACleanup();
	return r;
}

int ss_os_service_port(const char *name)
{
	if (wsa_start() < 0)
		return -1;
	struct servent *se = getservbyname(name, "tcp");
	int port = se ? (int)ntohs((u_short)se->s_port) : -1;
	WSACleanup();
	return port;
}
