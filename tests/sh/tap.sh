# tap.sh: the TAP helpers of the shell tests.  Source it with
#   . "$TESTS_SRCDIR/sh/tap.sh"
# then print the plan ("1..N") and call, once per test:
#   ok DESCRIPTION
#   not_ok DESCRIPTION [LINE]...	each LINE as a "# " comment after it
#   not_ok_file DESCRIPTION FILE	the file's lines as "# " comments
# and end with tap_passed, whose status is 0 when nothing failed.
#
# A test that traces calls skip_unless_tracing before its plan: where this
# process may not trace its children (ptrace or seccomp refused, see
# tests/lib/tracing.h) it prints "1..0 # SKIP reason" and exits.

n=0
fails=0

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n - $1"
	shift
	for line in "$@"; do
		printf '# %s\n' "$line"
	done
}

not_ok_file() {
	not_ok "$1"
	[ -f "$2" ] && sed 's/^/# /' "$2"
	return 0
}

skip_unless_tracing() {
	if ! why=$("${HOSTILE:?run through make check}/cantrace"); then
		echo "1..0 # SKIP tracing is refused here: $why"
		exit 0
	fi
}

tap_passed() {
	[ "$fails" -eq 0 ]
}
