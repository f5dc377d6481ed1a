/* OpenSSH's pattern matching (match.c), as both ssh and sshd use it for
 * Host lines and Match criteria. */
#ifndef SSHSYNC_SSHMATCH_H
#define SSHSYNC_SSHMATCH_H

/* match_pattern(): '*' and '?' wildcards, case-sensitive; 1 on a match. */
int ss_match_pattern(const char *s, const char *pattern);
/* match_pattern_list(): a comma list with '!' negation; 1 match, 0 no
 * match, -1 a negated pattern matched. `dolower` lowercases the patterns. */
int ss_match_pattern_list(const char *s, const char *list, int dolower);

#endif
