#!/bin/sh
# reproducible.sh: `make check-repro`.  Builds the release tarball twice, in
# two directories of different depths, at two different times, in two time
# zones and with two umasks, with the same SOURCE_DATE_EPOCH, and requires
# byte-identical results: the installed program, the installed man page and
# the tarball that each build's `make dist` makes again.
#
#   reproducible.sh TARBALL WORKDIR
set -eu

tarball=${1:?usage: reproducible.sh TARBALL WORKDIR}
work=${2:?usage: reproducible.sh TARBALL WORKDIR}
case $tarball in /*) ;; *) tarball=$PWD/$tarball ;; esac
: "${SOURCE_DATE_EPOCH:?set SOURCE_DATE_EPOCH}"
export SOURCE_DATE_EPOCH
name=$(basename "$tarball" .tar.gz)

rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)

# build DIR UMASK TZ: configure, make, make install, make dist in DIR.
build() {
	mkdir -p "$1"
	(
		umask "$2"
		export TZ="$3"
		cd "$1"
		tar -xzf "$tarball"
		cd "$name"
		./configure --prefix=/usr >configure.log 2>&1 &&
			make -j2 >make.log 2>&1 &&
			make install DESTDIR="$1/root" >install.log 2>&1 &&
			make dist >dist.log 2>&1
	) || {
		tail -20 "$1/$name"/*.log
		echo "check-repro: the build in $1 failed" >&2
		exit 1
	}
}

build "$work/a" 022 UTC
sleep 2
build "$work/second/build/at/another/depth" 002 Asia/Tokyo

a=$work/a
b=$work/second/build/at/another/depth
status=0
for f in root/usr/bin/maxrss-sc root/usr/share/man/man1/maxrss-sc.1 "$name/$name.tar.gz"; do
	if cmp -s "$a/$f" "$b/$f"; then
		echo "check-repro: identical: ${f##*/} $(sha256sum <"$a/$f" | cut -c1-16)"
	else
		echo "check-repro: DIFFERENT: ${f##*/}" >&2
		cmp "$a/$f" "$b/$f" >&2 || true
		status=1
	fi
done
exit $status
