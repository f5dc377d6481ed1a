/* OpenSSH's match.c, shared by the ssh and sshd clients. */
#include "sshsync/sshmatch.h"

#include <string.h>

int ss_match_pattern(const char *s, const char *pattern)
{
	for (;;) {
		if (!*pattern)
			return !*s;
		if (*pattern == '*') {
			while (*pattern == '*')
				pattern++;
			if (!*pattern)
				return 1;
			if (*pattern != '?') {
				/* The next pattern character is known: try only
				 * where the string has it. */
				for (; *s; s++)
					if (*s == *pattern && ss_match_pattern(s + 1, pattern + 1))
						return 1;
				return 0;
			}
			for (; *s; s++)
				if (ss_match_pattern(s, pattern))
					return 1;
			return 0;
		}
		if (!*s)
			return 0;
		if (*pattern != '?' && *pattern != *s)
			return 0;
		s++;
		pattern++;
	}
}

int ss_match_pattern_list(const char *s, const char *list, int dolower)
{
	/* OpenSSH copies each sub-pattern into a 1024-byte buffer and
	 * answers "no match" for the whole list when one is longer. */
	enum { SUB = 1024 };
	char sub[SUB];
	size_t len = strlen(list), i = 0;
	int got_positive = 0;
	while (i < len) {
		int negated = list[i] == '!';
		if (negated)
			i++;
		size_t n = 0;
		for (; i < len && n < SUB - 1 && list[i] != ','; n++, i++) {
			char c = list[i];
			sub[n] = dolower && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
		}
		if (n >= SUB - 1)
			return 0;
		if (i < len && list[i] == ',')
			i++;
		sub[n] = '\0';
		if (ss_match_pattern(s, sub)) {
			if (negated)
				return -1;
			got_positive = 1;
		}
	}
	return got_positive;
}
