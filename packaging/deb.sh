#!/bin/sh
# deb.sh: `make deb`.  Builds the Debian package from the release tarball as
# a packager does, then checks it.
#
#   deb.sh TARBALL VERSION WORKDIR
#
# The tarball becomes the .orig.tar.gz, its packaging/debian/ the debian/
# folder, and debian/changelog is written for VERSION (the version lives in
# configure.ac alone) dated SOURCE_DATE_EPOCH (default: now), which dpkg
# then uses for every timestamp.  dpkg-buildpackage builds with
# dpkg-buildflags and runs the test suite; then lintian must find no error
# and no warning, hardening-check must pass on the binary, and the package
# must hold the program, its man page and its completions, and nothing else
# but the copyright and changelog every package has.
set -eu

tarball=${1:?usage: deb.sh TARBALL VERSION WORKDIR}
version=${2:?usage: deb.sh TARBALL VERSION WORKDIR}
work=${3:?usage: deb.sh TARBALL VERSION WORKDIR}
case $tarball in /*) ;; *) tarball=$PWD/$tarball ;; esac
: "${SOURCE_DATE_EPOCH:=$(date +%s)}"
export SOURCE_DATE_EPOCH

die() {
	echo "make deb: $*" >&2
	exit 1
}
for tool in dpkg-buildpackage dh lintian hardening-check; do
	command -v $tool >/dev/null 2>&1 ||
		die "needs $tool (Debian: apt-get install dpkg-dev debhelper lintian devscripts)"
done

rm -rf "$work"
mkdir -p "$work"
cd "$work"
cp "$tarball" "maxrss-sc_$version.orig.tar.gz"
tar -xzf "maxrss-sc_$version.orig.tar.gz"
src=maxrss-sc-$version
cp -R "$src/packaging/debian" "$src/debian"
cat >"$src/debian/changelog" <<EOF
maxrss-sc ($version-1) unstable; urgency=medium

  * Upstream release $version, built from its release tarball.

 -- the maxrss-sc authors <maxrss-sc@users.noreply.example.org>  $(LC_ALL=C date -u -R -d "@$SOURCE_DATE_EPOCH")
EOF

echo "make deb: dpkg-buildpackage (build.log)"
(cd "$src" && dpkg-buildpackage -us -uc) >build.log 2>&1 || {
	tail -40 build.log
	die "dpkg-buildpackage failed"
}
# The tests ran during the build: automake's summary of make check.
grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR):' build.log | sed 's/^/make deb: make check /'
grep -q '^# PASS: *[1-9]' build.log || die "the build ran no test"

arch=$(dpkg-architecture -qDEB_HOST_ARCH)
deb=maxrss-sc_${version}-1_$arch.deb
# One tag is left out, and only that one: initial-upload-closes-no-bugs.
# This package tests packageability and is never uploaded, so there is no
# ITP bug for its changelog to close; a distribution's maintainer files one.
echo "make deb: lintian"
lintian --fail-on error,warning --display-level '>=warning' \
	--suppress-tags initial-upload-closes-no-bugs "maxrss-sc_${version}-1_$arch.changes" ||
	die "lintian found errors or warnings"

dpkg-deb -x "$deb" root
# Every check but control-flow integrity: that one wants a CET property,
# which the linker sets only when every object has it, and Debian 12's own C
# start files (crt1.o, crti.o) have none, so no program of Debian 12 passes
# it (/usr/bin/ls neither).  The code itself is built with -fcf-protection.
echo "make deb: hardening-check"
hardening-check --nocfprotection root/usr/bin/maxrss-sc || die "hardening-check failed"

# The package's files: the program, its man page, the completions.
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' | sort >files
cat >want <<'EOF'
/usr/bin/maxrss-sc
/usr/share/bash-completion/completions/maxrss-sc
/usr/share/doc/maxrss-sc/changelog.Debian.gz
/usr/share/doc/maxrss-sc/copyright
/usr/share/fish/vendor_completions.d/maxrss-sc.fish
/usr/share/man/man1/maxrss-sc.1.gz
/usr/share/zsh/vendor-completions/_maxrss-sc
EOF
if ! cmp -s want files; then
	diff want files || true
	die "the package does not hold exactly the files it should"
fi
echo "make deb: $work/$deb holds:"
sed 's/^/  /' files
