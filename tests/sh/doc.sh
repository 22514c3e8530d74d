#!/bin/sh
# The manual page and the version: every option of --help is described in
# doc/maxrss-sc.1 (its OPTIONS tags) and every option described there is in
# --help; the page renders without a groff warning; --version is GNU style
# with configure.ac's version, NEWS's latest entry names it, and no other
# file repeats it; README's example of a JSON report has the keys of a
# real one.  TAP.
set -u
: "${MAXRSS_SC:?run through make check}" "${MAN_PAGE:?run through make check}"
: "${PACKAGE_VERSION:?run through make check}" "${TESTS_SRCDIR:?run through make check}"
: "${COMPLETION:?run through make check}"

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

. "$TESTS_SRCDIR/sh/tap.sh"
skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

echo "1..8"

# Options of --help: the lines that start with an option ("  -o, --output=FILE ...").
"$MAXRSS_SC" --help >"$tmp/help" || echo "--help failed" >>"$tmp/help"
sed -n 's/^ \{1,\}\(-[a-zA-Z], \)\{0,1\}\(--[a-z-]*\).*/\1\2/p' "$tmp/help" |
	tr ',' '\n' | tr -d ' ' | grep . | sort -u >"$tmp/help-opts"

# Options of the man page: the tag line after each .TP of the OPTIONS section,
# with roff's \- turned back into -, and only its option names kept.
awk '/^\.SH /{ in_opts = ($2 == "OPTIONS") } in_opts && tag { print; tag = 0 }
	in_opts && /^\.TP/ { tag = 1 }' "$MAN_PAGE" |
	sed 's/\\-/-/g; s/\\f[BIRP]//g; s/"//g' | tr ' ,' '\n\n' |
	sed -n 's/^\(--\{0,1\}[a-zA-Z][a-z-]*\)=\{0,1\}$/\1/p' | sort -u >"$tmp/man-opts"

if [ "$(wc -l <"$tmp/help-opts")" -ge 10 ]; then
	ok "--help lists $(wc -l <"$tmp/help-opts" | tr -d ' ') option names"
else
	not_ok_file "--help lists the options" "$tmp/help"
fi
comm -23 "$tmp/help-opts" "$tmp/man-opts" >"$tmp/missing"
if [ -s "$tmp/missing" ]; then
	not_ok_file "every option of --help is described in the man page" "$tmp/missing"
else
	ok "every option of --help is described in the man page"
fi
comm -13 "$tmp/help-opts" "$tmp/man-opts" >"$tmp/extra"
if [ -s "$tmp/extra" ]; then
	not_ok_file "every option of the man page is in --help" "$tmp/extra"
else
	ok "every option of the man page is in --help"
fi

# Rendering: groff's -ww turns on every warning; a clean page prints none.
if command -v groff >/dev/null 2>&1; then
	# Not -z: some warnings (an unknown special character) come only with output.
	LC_ALL=C.UTF-8 groff -man -Tutf8 -ww "$MAN_PAGE" 2>"$tmp/groff" >/dev/null
	if [ -s "$tmp/groff" ]; then
		not_ok_file "groff -man -Tutf8 -ww renders the page without a warning" "$tmp/groff"
	else
		ok "groff -man -Tutf8 -ww renders the page without a warning"
	fi
else
	skip "groff -man -Tutf8 -ww renders the page without a warning" "groff is not installed"
fi

# GNU --version: "maxrss-sc VERSION", copyright, licence; the version from configure.ac.
"$MAXRSS_SC" --version >"$tmp/version" 2>&1
if [ "$(sed -n 1p "$tmp/version")" = "maxrss-sc $PACKAGE_VERSION" ] &&
	grep -q '^Copyright (C) ' "$tmp/version" && grep -q '^License GPLv3+' "$tmp/version"; then
	ok "--version is GNU style with version $PACKAGE_VERSION"
else
	not_ok_file "--version is GNU style with version $PACKAGE_VERSION" "$tmp/version"
fi

# NEWS tells what the release brings: its latest entry is this version.
grep -m1 '^\* Noteworthy changes in release' "$TESTS_SRCDIR/../NEWS" >"$tmp/news" 2>&1
if grep -q "release $PACKAGE_VERSION " "$tmp/news"; then
	ok "NEWS's latest entry is release $PACKAGE_VERSION"
else
	not_ok_file "NEWS's latest entry is release $PACKAGE_VERSION" "$tmp/news"
fi

# The version lives in configure.ac alone: the man page, README and the
# completion must not repeat it (they would go stale at the next release).
grep -n -F "$PACKAGE_VERSION" "$MAN_PAGE" "$TESTS_SRCDIR/../README.md" "$COMPLETION" \
	>"$tmp/stale" 2>/dev/null
if [ -s "$tmp/stale" ]; then
	not_ok_file "no copy of version $PACKAGE_VERSION outside configure.ac and NEWS" "$tmp/stale"
else
	ok "no copy of version $PACKAGE_VERSION outside configure.ac and NEWS"
fi

# README shows "real output" of maxrss-sc --json true: its keys, at every
# depth (a list's objects merged), must be those of a report made now, or
# the example has gone stale.
if ! command -v python3 >/dev/null 2>&1; then
	skip "README's JSON example has the keys of a real report" "python3 is not installed"
elif ! "$MAXRSS_SC" --json -o "$tmp/true.json" true 2>"$tmp/true.err"; then
	skip "README's JSON example has the keys of a real report" \
		"maxrss-sc cannot trace here: $(head -n 1 "$tmp/true.err")"
else
	awk '/^For `maxrss-sc --json true`/ { at = 1 } at == 1 && /^```json$/ { at = 2; next }
		at == 2 && /^```$/ { exit } at == 2' "$TESTS_SRCDIR/../README.md" >"$tmp/readme.json"
	python3 - "$tmp/readme.json" "$tmp/true.json" >"$tmp/keys" 2>&1 <<'PY'
import json, sys

def paths(o, at, out):
    if isinstance(o, dict):
        for k, v in o.items():
            out.add(at + k)
            paths(v, at + k + ".", out)
    elif isinstance(o, list):
        for v in o:
            paths(v, at + "[].", out)
    return out

readme, real = (paths(json.load(open(f)), "", set()) for f in sys.argv[1:3])
for k in sorted(real - readme):
    print("README lacks " + k)
for k in sorted(readme - real):
    print("README has " + k + ", which a report no longer has")
PY
	[ -s "$tmp/readme.json" ] || echo "README has no such example" >>"$tmp/keys"
	if [ -s "$tmp/keys" ]; then
		not_ok_file "README's JSON example has the keys of a real report" "$tmp/keys"
	else
		ok "README's JSON example has the keys of a real report"
	fi
fi

tap_passed
