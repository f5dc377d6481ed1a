#!/usr/bin/env bash
# The bash completion (completion/sshsync.bash) run as bash runs it, through
# bash-completion's own library: commands, each command's options, KIND:
# prefixes and file names after them, option values. It must follow the
# tool: every command of `sshsync --help`, every option of `sshsync CMD
# --help` and every --format value it lists is offered, and nothing that
# the help does not list.
. "$SSHSYNC_TESTS/integration/lib/reports.bash"
lib=/usr/share/bash-completion/bash_completion
[ -r "$lib" ] || { echo "skipped: bash-completion is not installed"; exit 77; }
# bash_completion reads an unset variable or two and returns non-zero here
# and there: load it without nounset.
set +u
. "$lib"
. "$SSHSYNC_TESTS/../completion/sshsync.bash"
cd "$scratch"

# complete LINE: what Tab offers at the end of LINE, one a line. The words
# are split as readline splits them (':' and '=' are words of their own).
complete() {
	local line=$1 w
	COMP_WORDS=()
	for w in $line; do
		w=${w//:/ : }
		w=${w//=/ = }
		# shellcheck disable=SC2206
		COMP_WORDS+=($w)
	done
	[[ $line == *' ' || $line == *: || $line == *= ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMPREPLY=()
	_sshsync sshsync "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort -u | sed '/^$/d'
}
# offers "LINE" WORD...: completing LINE offers every WORD.
offers() {
	local line=$1 got w
	shift
	got=$(complete "$line")
	for w in "$@"; do
		grep -qxF -- "$w" <<<"$got" && pass || fail "'$line<Tab>' does not offer '$w' (offers: $(echo $got))"
	done
}
# exactly "LINE" WORD...: completing LINE offers these words and no other.
exactly() {
	local line=$1 got want
	shift
	got=$(complete "$line")
	want=$(printf '%s\n' "$@" | sort -u | sed '/^$/d')
	[ "$got" = "$want" ] && pass || fail "'$line<Tab>' offers '$(echo $got)', want '$(echo $want)'"
}
# The options a help text lists (as the man page test reads them).
help_options() {
	local h
	h=$(cat)
	{
		grep -oE '(^|[ ,[])--?[a-z][a-z-]*' <<<"$h" | grep -oE -- '--?[a-z-]+'
		# an upper-case option where the list starts (probe's -F)
		grep -oE '^  -[A-Z] ' <<<"$h" | tr -d ' '
	} | sort -u
}

# Commands: those of `sshsync --help`, plus help.
commands=$("$SSHSYNC" --help | sed -n '/^commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p')
check "sshsync --help lists commands" test -n "$commands"
exactly "sshsync " $commands help
exactly "sshsync --policy p.ini " $commands help
exactly "sshsync help " $commands help

# Options: exactly those of each command's --help, and --help.
for cmd in "" $commands; do
	check "'sshsync $cmd --help' works" "$SSHSYNC" $cmd --help >/dev/null
	want=$("$SSHSYNC" $cmd --help | help_options)
	exactly "sshsync $cmd${cmd:+ }-" $want --help
done

# Option values: an option whose placeholder lists them (--tcp-keepalive
# yes|no) completes exactly those.
for cmd in $commands; do
	while read -r opt values; do
		exactly "sshsync $cmd $opt " ${values//|/ }
	done < <("$SSHSYNC" $cmd --help | sed -nE 's/^  (--[a-z-]+) ([a-z0-9]+(\|[a-z0-9]+)+) .*/\1 \2/p')
done
# --format FORMAT: the values the help lists for the command (the words of
# the --format line and its continuation, without what is in parentheses).
for cmd in $commands; do
	h=$("$SSHSYNC" $cmd --help)
	grep -q -- '--format FORMAT' <<<"$h" || continue
	want=$("$PY" -c '
import re, sys
h = sys.stdin.read()
m = re.search(r"--format FORMAT +(.*?)\n(?=  -|\Z)", h, re.S)
text = re.sub(r"\([^)]*\)", "", m.group(1)) if m else ""
print("\n".join(w for w in re.findall(r"[a-z][a-z0-9]*", text) if w != "or"))' <<<"$h")
	check "'sshsync $cmd --help' lists --format values" test -n "$want"
	exactly "sshsync $cmd --format " $want
	exactly "sshsync $cmd --format=" $want
done
check "apply --help lists the values of --tcp-keepalive" grep -q -- "--tcp-keepalive yes|no" \
	<("$SSHSYNC" apply --help)

# KIND: prefixes: the kinds of `sshsync --help`.
kinds=$("$SSHSYNC" --help | sed -n 's/.*KIND one of \(.*\)\./\1/p' | tr -d ',')
check "sshsync --help lists the kinds" test -n "$kinds"
offers "sshsync audit " $(printf '%s:\n' $kinds)
exactly "sshsync audit ss" ssh: sshd:
exactly "sshsync audit re" reg:
exactly "sshsync apply --interval 60 win" winereg: winscp:
exactly "sshsync apply --interval 60 winer" winereg:

# File names, bare and after a KIND: prefix (what is offered is the part
# after the colon, as readline replaces only that).
mkdir -p "home/.ssh" "PuTTY sessions"
: >home/.ssh/config
: >"home/.ssh/config.d"
exactly "sshsync audit ssh:home/.ssh/con" home/.ssh/config home/.ssh/config.d
exactly "sshsync audit ssh:home/.s" home/.ssh/
exactly "sshsync apply --interval 60 putty:PuT" "PuTTY sessions/"
offers "sshsync audit hom" home/
exactly "sshsync export putty --from kitty:PuT" "PuTTY sessions/"
exactly "sshsync export " putty kitty winscp
offers "sshsync audit -o " home
exactly "sshsync audit --interval " ""
finish
