#!/usr/bin/env bash
# Files on overlayfs, as in a container or a live system: apply writes them,
# keeps the original as its backup, and undo restores it, both when the
# upper layer is on the lower layer's file system and when it is a tmpfs
# (then linking a lower file copies it up and the new link shows another
# device and inode than the name). Needs root and a private mount namespace;
# skipped, with the reason, elsewhere.
if [ -z "${SSHSYNC_OVERLAY_NS:-}" ]; then
	why=
	if [ "$(id -u)" -ne 0 ]; then
		why="not root"
	elif ! command -v unshare >/dev/null; then
		why="no unshare (util-linux)"
	elif ! unshare -m --propagation private true 2>/dev/null; then
		why="unshare -m fails here"
	fi
	if [ -n "$why" ]; then
		echo "skipped: $why: overlayfs is not checked"
		exit 77
	fi
	SSHSYNC_OVERLAY_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/scratch.bash"

original='# kept as it is
Host *
    ServerAliveInterval 30
'
# layout NAME SEPARATE: an overlay in $work/NAME; SEPARATE=1 puts the upper
# layer on a tmpfs of its own.
layout() {
	local d=$work/$1
	mkdir -p "$d/lower" "$d/up" "$d/merged"
	printf '%s' "$original" >"$d/lower/config"
	[ "$2" = 1 ] && { mount -t tmpfs tmpfs "$d/up" || return 1; }
	mkdir "$d/up/upper" "$d/up/work"
	mount -t overlay overlay -o "lowerdir=$d/lower,upperdir=$d/up/upper,workdir=$d/up/work" "$d/merged"
}
for variant in samefs:0 tmpfs-upper:1; do
	name=${variant%:*}
	if ! layout "$name" "${variant#*:}" 2>"$work/$name.err"; then
		echo "SKIP: cannot mount an overlay ($name): $(cat "$work/$name.err")" >&2
		continue
	fi
	cfg=$work/$name/merged/config
	export XDG_STATE_HOME=$work/$name/state
	"$SSHSYNC" apply --interval 53 "ssh:$cfg" >"$work/$name.out" 2>&1 &&
		ok || bad "$name: apply: $(cat "$work/$name.out")"
	[ "$(sed -n 3p "$cfg")" = "    ServerAliveInterval 53" ] && ok || bad "$name: not written: $(cat "$cfg")"
	[ "$(cat "$cfg.sshsync-bak")" = "$(printf '%s' "$original")" ] && ok ||
		bad "$name: the backup is not the original: $(cat "$cfg.sshsync-bak" 2>&1)"
	[ "$(cat "$work/$name/lower/config")" = "$(printf '%s' "$original")" ] && ok || bad "$name: the lower layer changed"
	"$SSHSYNC" apply --check --interval 53 "ssh:$cfg" >/dev/null 2>&1 && ok || bad "$name: a second apply would change it"
	"$SSHSYNC" undo >"$work/$name.undo" 2>&1 && ok || bad "$name: undo: $(cat "$work/$name.undo")"
	[ "$(cat "$cfg")" = "$(printf '%s' "$original")" ] && ok || bad "$name: undo did not restore: $(cat "$cfg")"
	umount "$work/$name/merged"
	[ "${variant#*:}" = 1 ] && umount "$work/$name/up"
done
finish
