#!/usr/bin/env bash
# The Debian package and the installation: `make package` builds a Release
# sshsync_VERSION_ARCH.deb holding /usr/bin/sshsync (stripped), the man page
# (gzip -9n), bash completion, the copyright file and a changelog, with
# Depends from dpkg-shlibdeps; `dpkg -x` into a temporary root gives a
# binary that runs; lintian reports no error. `make install` installs (into
# a DESTDIR here), stripped, and installs no packages.
. "$SSHSYNC_TESTS/integration/lib/reports.bash"
src=$SSHSYNC_SOURCE
w=$scratch
for tool in dpkg-deb dpkg-shlibdeps lintian readelf; do
	command -v "$tool" >/dev/null || {
		echo "skipped: $tool is not installed (scripts/install-deps installs it)"
		exit 77
	}
done

# make package, in a build folder of its own.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$src" package BUILD="$w/build" JOBS=2 \
	>"$w/package.log" 2>&1
check "make package" test $? -eq 0 || tail -30 "$w/package.log"
grep -q "CMAKE_BUILD_TYPE:STRING=Release" "$w/build/CMakeCache.txt"
check "the package is a Release build" test $? -eq 0
arch=$(dpkg --print-architecture)
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$w/build/CMakeCache.txt")
deb="$w/build/sshsync_${version}_$arch.deb"
check "the package is named sshsync_${version}_$arch.deb" test -f "$deb"
[ -f "$deb" ] || { finish; exit 1; }
# Left for integration/ansible (its role installs it on the lab hosts).
mkdir -p "$SSHSYNC_BUILD/tests/deb" && cp "$deb" "$SSHSYNC_BUILD/tests/deb/.sshsync.deb.new" &&
	mv "$SSHSYNC_BUILD/tests/deb/.sshsync.deb.new" "$SSHSYNC_BUILD/tests/deb/sshsync.deb"

# What it holds.
dpkg-deb -c "$deb" >"$w/list"
echo "--- dpkg-deb -c"
awk '{print $1, $6}' "$w/list"
for f in usr/bin/sshsync usr/share/man/man1/sshsync.1.gz \
	usr/share/bash-completion/completions/sshsync usr/share/doc/sshsync/copyright \
	usr/share/doc/sshsync/changelog.gz; do
	check "the package holds /$f" grep -qE " \./$f\$" "$w/list"
done
check "everything is under /usr" bash -c '! awk "{print \$6}" "$1" | grep -vE "^\./(usr/.*)?$"' _ "$w/list"
check "everything belongs to root" bash -c '! awk "{print \$2}" "$1" | grep -v "^root/root$"' _ "$w/list"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libc6 libxml2 libssl3 libjansson4 libiniparser1; do
	check "Depends names $lib" grep -qE "(^|, )$lib( |,|$)" <<<"$depends"
done
for pkg in $(sed 's/([^)]*)//g; s/[,|]/ /g' <<<"$depends"); do
	check "$pkg is a Debian package" apt-cache show "$pkg" >/dev/null 2>&1
done

# Unpacked into a temporary root, it runs.
dpkg -x "$deb" "$w/root"
bin="$w/root/usr/bin/sshsync"
check "the binary runs: $("$bin" --version 2>&1)" test "$("$bin" --version)" = "sshsync $version"
"$bin" audit --interval 60 "ssh:$SSHSYNC_FIXTURES/corpus/ssh/laptop_config" >/dev/null
check "the binary audits a file (exit 1: it fails the interval)" test $? -eq 1
check "the binary is stripped" bash -c '! readelf -S "$1" | grep -qE "\.(symtab|debug_info)"' _ "$bin"
check "no library is missing" bash -c '! ldd "$1" | grep -q "not found"' _ "$bin"
man="$w/root/usr/share/man/man1/sshsync.1.gz"
check "the man page is gzip without name or time stamp" \
	test "$(od -An -tx1 -j3 -N5 "$man" | tr -d ' ')" = "0000000000"
check "the man page reads" bash -c 'zcat "$1" | groff -man -ww -z' _ "$man"
check "the man page names the licence" bash -c 'zcat "$1" | grep -q "MIT"' _ "$man"
check "the copyright file has the licence" grep -q "Permission is hereby granted" \
	"$w/root/usr/share/doc/sshsync/copyright"
check "the completion loads" bash -c '. /usr/share/bash-completion/bash_completion 2>/dev/null;
	. "$1" && complete -p sshsync' _ "$w/root/usr/share/bash-completion/completions/sshsync"

# lintian: no error (warnings and notes are printed).
lintian --allow-root --tag-display-limit 0 "$deb" >"$w/lintian" 2>&1
echo "--- lintian: $(grep -c '^[EWIP]:' "$w/lintian") tags"
cat "$w/lintian"
check "lintian reports no error" bash -c '! grep -q "^E:" "$1"' _ "$w/lintian"

# make install: into a DESTDIR, stripped, and no package manager involved.
check "make install runs no apt-get and no install-deps" \
	bash -c '! make -n -C "$1" install BUILD="$2" | grep -qE "apt-get|install-deps"' _ "$src" "$w/build"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL DESTDIR="$w/dest" make -C "$src" install \
	BUILD="$w/build" >"$w/install.log" 2>&1
check "make install" test $? -eq 0
inst=$(find "$w/dest" -path '*/bin/sshsync' -type f)
check "make install installs a stripped binary" \
	bash -c '[ -n "$1" ] && ! readelf -S "$1" | grep -qE "\.(symtab|debug_info)"' _ "$inst"
check "make install installs the completion" \
	test -n "$(find "$w/dest" -path '*/bash-completion/completions/sshsync')"
finish
