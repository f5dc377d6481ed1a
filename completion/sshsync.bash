# bash completion for sshsync(1). Installed as
# /usr/share/bash-completion/completions/sshsync. The command and option
# lists follow `sshsync [COMMAND] --help`; tests/integration/completion.sh
# fails when they drift apart.

_sshsync_commands="discover audit apply export migrate undo probe help"
_sshsync_kinds="ssh sshd putty kitty winscp gpp winereg reg"

# The options of a command ("" for the global ones).
_sshsync_options()
{
	case $1 in
	"") echo "--policy --help --version" ;;
	discover) echo "--help" ;;
	audit) echo "--interval --nat-timeout --host --host-file --connection --format -o --output
		--system -v --verbose -q --quiet --failures --help" ;;
	apply) echo "--interval --count-max --tcp-keepalive --winscp-ping --dry-run --check
		--format --diff --no-backup --system --help" ;;
	export) echo "--interval --from --session --format --ansi-codepage -o --output --help" ;;
	migrate) echo "--from --to --session --dry-run --check --diff --strict --format
		--no-backup --keys --passphrase-file --ppk-version --host-keys --known-hosts --help" ;;
	undo) echo "--list --force --help" ;;
	probe) echo "-F -o --max --connections --format --apply --help" ;;
	esac
}

# The values of an option that takes one of a few words.
_sshsync_values()
{
	case $1:$2 in
	audit:--format) echo "text json junit" ;;
	export:--format) echo "reg reg4 gpp" ;;
	apply:--format | migrate:--format) echo "text json" ;;
	migrate:--ppk-version) echo "2 3" ;;
	probe:--format) echo "text json" ;;
	apply:--tcp-keepalive) echo "yes no" ;;
	apply:--winscp-ping) echo "null dummy" ;;
	esac
}

# Completes a TARGET: a KIND: prefix, or a file name (after a prefix too).
_sshsync_target()
{
	local cur=$1 kind="" path=$1 k f
	if [[ $cur == *:* ]]; then
		kind=${cur%%:*}:
		path=${cur#*:}
	else
		for k in $_sshsync_kinds; do
			[[ $k: == "$cur"* ]] && COMPREPLY+=("$k:")
		done
	fi
	local IFS=$'\n'
	for f in $(compgen -f -- "$path"); do
		[[ -d $f ]] && f=$f/
		COMPREPLY+=("$kind$f")
	done
	# A KIND: or a directory is not the end of the word.
	[[ ${COMPREPLY[*]} == *[:/] || ${#COMPREPLY[@]} -gt 1 ]] && compopt -o nospace 2>/dev/null
}

_sshsync()
{
	local cur prev words cword split
	_init_completion -s -n : || return

	# The command: the first word that is neither an option nor the
	# argument of --policy.
	local cmd="" i ncmd=0
	for ((i = 1; i < cword; i++)); do
		if [[ -n $cmd ]]; then
			[[ ${words[i]} != -* && ${words[i - 1]} != -* ]] && ncmd=$((ncmd + 1))
			continue
		fi
		case ${words[i]} in
		--policy) i=$((i + 1)) ;;
		-*) ;;
		*) cmd=${words[i]} ;;
		esac
	done

	case $cmd:$prev in
	probe:-F)
		_filedir
		return
		;;
	probe:-o | *:--max | *:--connections)
		return
		;;
	esac
	case $prev in
	--policy | -o | --output | --host-file | --passphrase-file | --known-hosts)
		_filedir
		return
		;;
	--keys)
		_filedir -d
		return
		;;
	--from | --to)
		_sshsync_target "$cur"
		__ltrim_colon_completions "$cur"
		return
		;;
	--host)
		_known_hosts_real -- "$cur"
		return
		;;
	--interval | --nat-timeout | --count-max | --session | --connection | --ansi-codepage)
		return
		;;
	-*)
		local values
		values=$(_sshsync_values "$cmd" "$prev")
		if [[ -n $values ]]; then
			COMPREPLY=($(compgen -W "$values" -- "$cur"))
			return
		fi
		;;
	esac
	$split && return

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_sshsync_options "$cmd")" -- "$cur"))
		[[ ${COMPREPLY[*]} == *= ]] && compopt -o nospace 2>/dev/null
		return
	fi
	case $cmd in
	"" | help)
		[[ $cmd == help && $ncmd -gt 0 ]] && return
		COMPREPLY=($(compgen -W "$_sshsync_commands" -- "$cur"))
		;;
	discover | undo | migrate) ;;
	probe)
		# one host: the names ssh knows
		[[ $ncmd -eq 0 ]] && _known_hosts_real -- "$cur"
		;;
	export)
		# The first word is the client to export for.
		[[ $ncmd -eq 0 ]] && COMPREPLY=($(compgen -W "putty kitty winscp" -- "$cur"))
		;;
	*)
		_sshsync_target "$cur"
		__ltrim_colon_completions "$cur"
		;;
	esac
} &&
	complete -F _sshsync sshsync
