#!/usr/bin/env bash
# The Ansible collection (ansible/): ansible-galaxy builds it; the offline
# ansible-test sanity tests pass; the module's documentation blocks are YAML
# whose options match its argument_spec; and a playbook with the role runs the
# module against localhost (connection local) on a private copy of /etc/ssh
# (a private mount namespace bind-mounting it over /etc/ssh, so the machine's
# own files are never touched) and a private home: --check --diff reports
# changed and writes nothing, a real run changes the files (ssh -G and sshd -T
# show the interval), a third run reports changed=0, bad input fails the task
# with sshsync's message, and audit fails the task when a scope fails. Then
# two lab hosts over ssh (sftp through sshd's internal-sftp), each an sshd in
# its own network namespace (loopback only) chrooted in an overlay of the
# machine's root: the role installs the project's .deb (check mode says it
# would), previews and applies with system: true to the files sshsync
# discovers there, and a third run changes nothing.
# Skipped, with the reason, without ansible-core; the playbook part also
# without root or unshare.

# Re-run in a private mount namespace (as root, where unshare works).
if [ -z "${SSHSYNC_ANSIBLE_NS:-}" ]; then
	export SSHSYNC_ANSIBLE_NS=none
	if [ "$(id -u)" -ne 0 ]; then
		SSHSYNC_ANSIBLE_NS_WHY="not root"
	elif ! command -v unshare >/dev/null; then
		SSHSYNC_ANSIBLE_NS_WHY="no unshare (util-linux)"
	elif ! unshare -m --propagation private true 2>/dev/null; then
		SSHSYNC_ANSIBLE_NS_WHY="unshare -m fails here (no CAP_SYS_ADMIN?)"
	else
		SSHSYNC_ANSIBLE_NS=private exec unshare -m --propagation private bash "$0" "$@"
	fi
	export SSHSYNC_ANSIBLE_NS_WHY
fi
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/scratch.bash"
cd "$work" || exit 1
coll=$(cd "$here/../.." && pwd)/ansible
skipped=0
skip() {
	skipped=$((skipped + 1))
	echo "SKIP: $*" >&2
}
for p in ansible-galaxy ansible-playbook ansible-doc; do
	if ! command -v "$p" >/dev/null; then
		echo "SKIP: no $p: install ansible-core (scripts/install-deps does)" >&2
		finish
		exit
	fi
done
export ANSIBLE_LOCAL_TEMP=$work/ansible-tmp ANSIBLE_REMOTE_TEMP=$work/ansible-tmp \
	ANSIBLE_COLLECTIONS_PATH=$work/collections ANSIBLE_NOCOLOR=1 \
	ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_PYTHON_INTERPRETER=$PY \
	ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0

# The collection builds and installs (from the tarball, offline).
ansible-galaxy collection build "$coll" --output-path "$work" >build.log 2>&1 &&
	ok || bad "ansible-galaxy collection build: $(cat build.log)"
tarball=$work/sshsync-keepalive-$(awk '$1 == "version:" {print $2}' "$coll/galaxy.yml").tar.gz
[ -f "$tarball" ] && ok || bad "no $tarball"
ansible-galaxy collection install "$tarball" -p "$work/collections" >install.log 2>&1 &&
	[ -f "$work/collections/ansible_collections/sshsync/keepalive/plugins/modules/sshsync.py" ] &&
	ok || bad "ansible-galaxy collection install: $(cat install.log)"

# ansible-test sanity: the tests that need no network (the others install
# their requirements with pip from the internet).
# Outside any git checkout: inside one (the build tree is in the clone, and
# ignored) ansible-test checks only the files git tracks, that is none.
outside=$(mktemp -d /tmp/sshsync-ansible-XXXXXX) || { echo "cannot make a scratch folder in ${TMPDIR:-/tmp}" >&2; exit 1; }
trap 'rm -rf "$work" "$outside"' EXIT
src=$outside/ansible_collections/sshsync/keepalive
mkdir -p "$src" && cp -a "$coll/." "$src/"
pyver=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
sanity=()
for t in compile empty-init future-import-boilerplate line-endings metaclass-boilerplate \
	no-assert no-basestring no-dict-iteritems no-dict-iterkeys no-dict-itervalues \
	no-get-exception no-illegal-filenames no-main-display no-smart-quotes \
	no-unicode-literals replace-urlopen shebang symlinks use-argspec-type-path \
	use-compat-six ignores; do
	sanity+=(--test "$t")
done
if command -v ansible-test >/dev/null; then
	(cd "$src" && ansible-test sanity --local --python "$pyver" "${sanity[@]}") >sanity.log 2>&1 &&
		ok || bad "ansible-test sanity: $(grep -v locale sanity.log)"
	# The same tests catch a broken module (they are not vacuous).
	printf 'def broken(:\n' >>"$src/plugins/modules/sshsync.py"
	(cd "$src" && ansible-test sanity --local --python "$pyver" --test compile) >sanity-bad.log 2>&1 &&
		bad "ansible-test sanity --test compile passes a syntax error" || ok
else
	skip "no ansible-test: sanity not run"
fi
rm -rf "$outside"

# The documentation blocks: YAML, and the options are the argument_spec
# (names, types, defaults, choices); ansible-doc renders them.
"$PY" - "$coll/plugins/modules/sshsync.py" <<'PY' && ok || bad "documentation blocks"
import importlib.util, sys, yaml
spec = importlib.util.spec_from_file_location("sshsync_module", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
doc = yaml.safe_load(mod.DOCUMENTATION)
yaml.safe_load(mod.RETURN)
examples = yaml.safe_load(mod.EXAMPLES)
assert all("sshsync.keepalive.sshsync" in e for e in examples), examples
seen = {}
class Capture(Exception):
    pass
def fake(**kw):
    seen.update(kw)
    raise Capture()
mod.AnsibleModule = fake
try:
    mod.main()
except Capture:
    pass
argspec = seen["argument_spec"]
opts = doc["options"]
assert sorted(argspec) == sorted(opts), (sorted(argspec), sorted(opts))
for name, a in argspec.items():
    o = opts[name]
    assert a.get("type", "str") == o.get("type", "str"), name
    assert a.get("default") == o.get("default"), name
    assert a.get("choices") == o.get("choices"), name
    assert a.get("elements") == o.get("elements"), name
assert seen["supports_check_mode"] is True
# Every description is a string or a list of strings (a stray ': ' makes a
# mapping, which ansible-doc rejects).
def descriptions(d):
    for v in d.values():
        desc = v["description"]
        assert isinstance(desc, str) or all(isinstance(x, str) for x in desc), desc
descriptions(opts)
descriptions(yaml.safe_load(mod.RETURN))
PY
ansible-doc -t module sshsync.keepalive.sshsync >doc.txt 2>&1 &&
	grep -q 'count_max' doc.txt && ok || bad "ansible-doc: $(cat doc.txt)"

if [ "$SSHSYNC_ANSIBLE_NS" != private ]; then
	skip "playbook runs not checked: $SSHSYNC_ANSIBLE_NS_WHY"
	finish
	exit
fi

# The private /etc/ssh and home.
etc=$work/etc-ssh
cp -a /etc/ssh "$etc"
# The lab hosts' copies, from the machine's files too.
mkdir -p "$work/lab"
for h in h1 h2; do cp -a /etc/ssh "$work/lab/$h-etc"; done
mount --bind "$etc" /etc/ssh || {
	skip "cannot bind-mount over /etc/ssh: playbook runs not checked"
	finish
	exit
}
trap 'umount /etc/ssh 2>/dev/null; rm -rf "$work"' EXIT
printf 'Host a\n    ServerAliveInterval 30\n' >"$HOME/.ssh/config"
chmod 600 "$HOME/.ssh/config"
# sshd checks its privilege separation directory; a private one if missing.
if [ ! -d /run/sshd ]; then
	mount -t tmpfs -o mode=0755 tmpfs /run && mkdir -m 0755 /run/sshd ||
		bad "no /run/sshd, and no private one"
fi

cat >site.yml <<'YML'
- hosts: localhost
  connection: local
  gather_facts: false
  roles:
    - sshsync.keepalive.keepalive
YML
cat >one.yml <<'YML'
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - sshsync.keepalive.sshsync: "{{ args }}"
YML
snapshot() { find "$etc" "$HOME" -type f -print0 | sort -z | xargs -0 sha256sum; }
# play NAME PLAYBOOK ARGS...: ansible-playbook; the recap in NAME.out, the
# last task's result as JSON in tree/NAME/localhost (the tree callback).
play() {
	local name=$1
	shift
	ANSIBLE_CALLBACKS_ENABLED=ansible.builtin.tree ANSIBLE_CALLBACK_TREE_DIR=$work/tree/$name \
		ansible-playbook -i localhost, "$@" >"$name.out" 2>"$name.err"
}
# stat NAME FIELD: the play recap's count for localhost.
# hstat NAME HOST FIELD: the same for HOST.
stat() { hstat "$1" localhost "$2"; }
hstat() {
	local v
	v=$(sed -n "s/^$2 *:.* $3=\([0-9]*\).*/\1/p" "$1.out")
	echo "${v:-(no recap)}"
}
# result NAME EXPR: a Python expression on the last task's result (r).
result() {
	"$PY" - "$work/tree/$1/localhost" "$2" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except (OSError, ValueError) as e:
    sys.exit("%s: no task result (%s)" % (sys.argv[1], e))
try:
    v = eval(sys.argv[2], {"r": r})
except Exception:
    v = False
if not v:
    sys.exit("%s: %s" % (sys.argv[2], json.dumps(r)[:2000]))
PY
}
vars=(-e sshsync_binary="$SSHSYNC" -e sshsync_interval=47 -e sshsync_count_max=4)
sval() { sshd -T 2>&1 | awk '$1 == "clientaliveinterval" {print $2}'; }
cval() { ssh -G -F "$1" "$2" </dev/null 2>/dev/null | awk '$1 == "serveraliveinterval" {print $2}'; }
before=$(snapshot)
sshd_before=$(sval)

# --check --diff: changed, the diff, nothing written.
play check site.yml --check --diff "${vars[@]}"
rc=$?
[ $rc -eq 0 ] && ok || bad "--check --diff: exit $rc $(cat check.err)"
[ "$(stat check changed)" = 1 ] && ok || bad "--check: changed=$(stat check changed)"
# (the diff is printed by the stdout callback; the tree callback drops it)
grep -q '^+++ b/etc/ssh/sshd_config' check.out && grep -q '^+ClientAliveInterval 47' check.out &&
	grep -q '^+    ServerAliveInterval 47' check.out && ok || bad "--check: the diff: $(cat check.out)"
result check 'any(s["scope"] == "a" and s["before"] == 30 and s["after"] == 47 for s in r["scopes"])' &&
	ok || bad "--check: scopes"
[ "$(snapshot)" = "$before" ] && ok || bad "--check wrote something"

# The real run: the files change; ssh -G and sshd -T read 47.
play apply site.yml "${vars[@]}"
rc=$?
[ $rc -eq 0 ] && ok || bad "apply: exit $rc $(cat apply.err) $(tail -c 3000 apply.out)"
[ "$(stat apply changed)" = 1 ] && ok || bad "apply: changed=$(stat apply changed)"
result apply 'r["backups"] and all(__import__("os").path.exists(b) for b in r["backups"])' &&
	ok || bad "apply: backups"
result apply '"/etc/ssh/sshd_config" in [c["file"] for c in r["changed_files"]]' &&
	ok || bad "apply: sshd_config not among the changed files"
[ "$(cval "$HOME/.ssh/config" a)" = 47 ] && ok || bad "ssh -G a: $(cval "$HOME/.ssh/config" a)"
[ "$(cval "$HOME/.ssh/config" zzz)" = 47 ] && ok || bad "ssh -G zzz: $(cval "$HOME/.ssh/config" zzz)"
[ "$(cval /etc/ssh/ssh_config zzz)" = 47 ] && ok || bad "ssh -G -F /etc/ssh/ssh_config: $(cval /etc/ssh/ssh_config zzz)"
[ "$(sval)" = 47 ] && ok || bad "sshd -T: clientaliveinterval $(sval) (before: $sshd_before)"
[ "$(sshd -T 2>/dev/null | awk '$1 == "clientalivecountmax" {print $2}')" = 4 ] && ok || bad "sshd -T: clientalivecountmax"

# A third run: nothing to change.
after=$(snapshot)
play again site.yml "${vars[@]}"
[ "$(stat again changed)" = 0 ] && ok || bad "third run: changed=$(stat again changed) $(cat again.err)"
[ "$(snapshot)" = "$after" ] && ok || bad "third run wrote something"
play again-check site.yml --check --diff "${vars[@]}"
[ "$(stat again-check changed)" = 0 ] && ok || bad "--check after apply: changed=$(stat again-check changed)"

# Bad input fails the task with sshsync's message, writing nothing.
printf 'Host x\n    ServerAliveInterval 5x\n' >"$work/broken"
play broken one.yml -e "{\"args\": {\"binary\": \"$SSHSYNC\", \"interval\": 60, \"targets\": [\"ssh:$work/broken\"]}}"
rc=$?
[ $rc -ne 0 ] && ok || bad "a broken file: exit 0"
result broken 'r["rc"] == 2 and "broken:2:25: " in r["msg"]' && ok || bad "a broken file: message"
play badint one.yml -e "{\"args\": {\"binary\": \"$SSHSYNC\", \"interval\": \"5x\", \"system\": true}}"
result badint 'r["rc"] == 2 and "5x" in r["msg"] and "not a time" in r["msg"]' && ok || bad "a bad interval: message"
[ "$(snapshot)" = "$after" ] && ok || bad "bad input wrote something"

# Audit: passes on 47, fails the task (with the report) on 99.
play audit one.yml -e "{\"args\": {\"binary\": \"$SSHSYNC\", \"state\": \"audit\", \"interval\": 47, \"targets\": [\"ssh:$HOME/.ssh/config\", \"sshd:/etc/ssh/sshd_config\"]}}"
rc=$?
[ $rc -eq 0 ] && ok || bad "audit 47: exit $rc $(tail -c 2000 audit.out)"
result audit 'not r["changed"] and r["report"]["summary"]["failed"] == 0' && ok || bad "audit 47: result"
play audit-fail one.yml -e "{\"args\": {\"binary\": \"$SSHSYNC\", \"state\": \"audit\", \"interval\": 99, \"targets\": [\"ssh:$HOME/.ssh/config\"]}}"
rc=$?
[ $rc -ne 0 ] && ok || bad "audit 99: exit 0"
result audit-fail 'r["rc"] == 1 and len(r["failed_scopes"]) == 2 and "scopes fail" in r["msg"]' && ok || bad "audit 99: result"


# Two hosts: each an sshd in a network namespace of its own (listening on
# its loopback only) and a mount namespace whose root is an overlay of the
# machine's (so /etc/ssh, /root and the dpkg database are the host's own and
# nothing reaches the machine's files). Ansible reaches it over ssh through a
# ProxyCommand that enters the network namespace, and copies files with sftp
# (sshd's internal-sftp). The role installs sshsync from the project's .deb,
# then applies with system: true to the files sshsync discovers there.
lab=$work/lab
lab_pids=()
trap 'for p in "${lab_pids[@]}"; do kill "$p" 2>/dev/null; done; umount /etc/ssh 2>/dev/null; rm -rf "$work"' EXIT
# The .deb: the one integration/packaging left (it runs first), if it is
# newer than the binary under test; otherwise build it here.
lab_deb() {
	deb=$SSHSYNC_BUILD/tests/deb/sshsync.deb
	[ -f "$deb" ] && [ "$deb" -nt "$SSHSYNC" ] && return 0
	command -v dpkg-deb >/dev/null || { why="no dpkg-deb: the role's install is not checked"; return 1; }
	deb=
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$SSHSYNC_SOURCE" package BUILD="$work/pkg" JOBS=2 \
		>"$work/package.log" 2>&1 || { why="make package: $(tail -5 "$work/package.log")"; return 1; }
	deb=$(ls "$work"/pkg/sshsync_*.deb 2>/dev/null | head -1)
	[ -n "$deb" ] || { why="make package made no .deb"; return 1; }
}
# host_root: run inside the host's namespaces; makes the overlay root and
# execs its sshd chrooted there.
host_root='set -e
r=$1 lab=$2
ip link set lo up
mount -t tmpfs -o mode=0755 tmpfs "$r"
mkdir "$r/upper" "$r/work" "$r/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$r/upper,workdir=$r/work" "$r/root"
cd "$r/root"
mount --rbind /dev dev
mount -t proc proc proc
mount -t tmpfs -o mode=0755 tmpfs run
mkdir -m 0755 run/sshd
mount -t tmpfs -o mode=1777 tmpfs tmp
# root'"'"'s home starts empty (the machine'"'"'s dotfiles stay out of the lab).
mount -t tmpfs -o mode=0700 tmpfs root
mkdir -m 0700 root/.ssh
cp "$lab/id.pub" root/.ssh/authorized_keys
# The machine'"'"'s sshd_config, on loopback, root by key, sftp in sshd.
{ printf "ListenAddress 127.0.0.1\nPort 22\nPermitRootLogin prohibit-password\n"
  printf "StrictModes no\nUsePAM no\nSubsystem sftp internal-sftp\n"
  grep -viE "^[[:space:]]*(subsystem|usepam|listenaddress|port|permitrootlogin)[[:space:]]" /etc/ssh/sshd_config || true
} >etc/ssh/sshd_config.new
mv etc/ssh/sshd_config.new etc/ssh/sshd_config
# sshsync is not installed on a new host.
dpkg -s sshsync >/dev/null 2>&1 && dpkg --purge sshsync >/dev/null
exec chroot . /usr/sbin/sshd -D -e'
lab_up() {
	command -v nsenter >/dev/null || { why="no nsenter"; return 1; }
	lab_deb || return 1
	mkdir -p "$lab"
	ssh-keygen -q -t ed25519 -N '' -f "$lab/id" </dev/null || { why="ssh-keygen failed"; return 1; }
	printf 'StrictHostKeyChecking no\nUserKnownHostsFile %s/known_hosts\nIdentityFile %s/id\nIdentitiesOnly yes\nUser root\nBatchMode yes\nConnectTimeout 10\n' \
		"$lab" "$lab" >"$lab/ssh_config"
	printf 'localhost ansible_connection=local ansible_python_interpreter=%s\n[lab]\n' "$PY" >"$lab/inventory"
	local h pid i
	for h in h1 h2; do
		mkdir -p "$lab/$h"
		unshare -m -n --propagation private bash -c "$host_root" lab "$lab/$h" "$lab" \
			>"$lab/$h.log" 2>&1 </dev/null &
		pid=$!
		lab_pids+=("$pid")
		printf 'Host %s\n    ProxyCommand nsenter -t %s -n bash -c %s\n' "$h" "$pid" \
			"'exec 3<>/dev/tcp/127.0.0.1/22 && { cat <&3 & cat >&3; }'" >>"$lab/ssh_config"
		printf '%s ansible_ssh_common_args="-F %s/ssh_config"\n' "$h" "$lab" >>"$lab/inventory"
		for i in $(seq 50); do
			ssh -F "$lab/ssh_config" "$h" true </dev/null 2>/dev/null && break
			sleep 0.2
		done
		ssh -F "$lab/ssh_config" "$h" true </dev/null 2>"$lab/$h.ssh.err" ||
			{ why="sshd on $h: $(cat "$lab/$h.log" "$lab/$h.ssh.err")"; return 1; }
		hostroot[$h]=/proc/$pid/root
	done
}
declare -A hostroot=()
# on HOST COMMAND...: runs it on the lab host (in its namespaces).
on() {
	local h=$1
	shift
	ssh -F "$lab/ssh_config" "$h" "$@" </dev/null 2>/dev/null
}
why=
if lab_up; then
	cat >lab.yml <<'YML'
- hosts: lab
  gather_facts: false
  roles:
    - sshsync.keepalive.keepalive
YML
	labvars=(-i "$lab/inventory" -e sshsync_deb="$deb" -e sshsync_interval=53)
	export ANSIBLE_SSH_ARGS="-o ControlMaster=no" ANSIBLE_HOST_KEY_CHECKING=0 ANSIBLE_PIPELINING=1 \
		ANSIBLE_SSH_TRANSFER_METHOD=sftp
	# What a host holds: its ssh files and root's home, and whether sshsync
	# is installed (read through the sshd's root, from outside).
	lsnap() {
		local h
		for h in h1 h2; do
			(cd "${hostroot[$h]}" && find etc/ssh root usr/bin/sshsync -type f -print0 2>/dev/null |
				sort -z | xargs -0 sha256sum)
		done
	}
	machine_pkg=$(dpkg-query --show sshsync 2>&1)
	lbefore=$(lsnap)
	# A fresh host in check mode: the install would change it; nothing is
	# written, and the role says why the settings are not previewed.
	play lab-fresh lab.yml --check --diff "${labvars[@]}"
	for h in h1 h2; do
		[ "$(hstat lab-fresh $h changed)" -ge 1 ] 2>/dev/null && [ "$(hstat lab-fresh $h failed)" = 0 ] && ok ||
			bad "lab --check on fresh $h: $(tail -c 3000 lab-fresh.out) $(cat lab-fresh.err)"
	done
	grep -q 'would be installed first' lab-fresh.out && ok || bad "lab --check: no word on the install"
	[ "$(lsnap)" = "$lbefore" ] && ok || bad "lab --check on fresh hosts wrote something"
	# Install only (tag sshsync_install), then preview the settings.
	play lab-install lab.yml --tags sshsync_install "${labvars[@]}"
	for h in h1 h2; do
		[ "$(hstat lab-install $h failed)" = 0 ] && ok || bad "lab install on $h: $(tail -c 3000 lab-install.out) $(cat lab-install.err)"
		[ "$(dpkg-query --admindir="${hostroot[$h]}/var/lib/dpkg" --show --showformat='${Version}' sshsync)" = \
			"$(dpkg-deb --field "$deb" Version)" ] &&
			ok || bad "$h: the role did not install the .deb"
		[ -x "${hostroot[$h]}/usr/bin/sshsync" ] && ok || bad "$h: no /usr/bin/sshsync"
	done
	[ "$(dpkg-query --show sshsync 2>&1)" = "$machine_pkg" ] && ok || bad "the lab changed the machine's sshsync package"
	lbefore=$(lsnap)
	play lab-check lab.yml --check --diff "${labvars[@]}"
	for h in h1 h2; do
		[ "$(hstat lab-check $h changed)" = 1 ] && ok ||
			bad "lab --check on $h: changed=$(hstat lab-check $h changed) $(tail -c 2000 lab-check.out) $(cat lab-check.err)"
	done
	grep -q '^+ClientAliveInterval 53' lab-check.out && ok || bad "lab --check: no diff"
	[ "$(lsnap)" = "$lbefore" ] && ok || bad "lab --check wrote something"
	play lab-apply lab.yml "${labvars[@]}"
	for h in h1 h2; do
		[ "$(hstat lab-apply $h changed)" = 1 ] && [ "$(hstat lab-apply $h failed)" = 0 ] && ok ||
			bad "lab apply on $h: $(tail -c 3000 lab-apply.out) $(cat lab-apply.err)"
		v=$(on "$h" sshd -T | awk '$1 == "clientaliveinterval" {print $2}')
		[ "$v" = 53 ] && ok || bad "sshd -T on $h: clientaliveinterval $v"
		v=$(on "$h" ssh -G zzz | awk '$1 == "serveraliveinterval" {print $2}')
		[ "$v" = 53 ] && ok || bad "ssh -G on $h (root's config, then the system's): serveraliveinterval $v"
		grep -q '^ClientAliveInterval 53' "${hostroot[$h]}/etc/ssh/sshd_config" && ok || bad "$h: its own sshd_config not written"
	done
	[ "$(sshd -T | awk '$1 == "clientaliveinterval" {print $2}')" = 47 ] && ok || bad "the lab wrote localhost's files"
	lafter=$(lsnap)
	play lab-again lab.yml "${labvars[@]}"
	for h in h1 h2; do
		[ "$(hstat lab-again $h changed)" = 0 ] && ok || bad "lab third run on $h: changed=$(hstat lab-again $h changed) $(tail -c 2000 lab-again.out)"
	done
	[ "$(lsnap)" = "$lafter" ] && ok || bad "lab third run wrote something"
else
	skip "lab hosts not built: $why"
fi
[ "$skipped" -eq 0 ] || echo "$skipped skipped"
finish
