#!/bin/sh
# An old kernel is refused at start-up: with tests/hostile/liboldkernel.so
# making one feature look missing, maxrss-sc exits 125 with one line that
# names it, and the command never runs.  TAP; skipped in a sanitizer build
# (ASan's runtime must be the first library loaded, before LD_PRELOAD's).
set -u
: "${MAXRSS_SC:?run through make check}" "${HOSTILE:?run through make check}"
: "${TESTS_SRCDIR:?run through make check}"

. "$TESTS_SRCDIR/sh/tap.sh"
if [ -n "${MAXRSS_SANITIZERS:-}" ]; then
	echo "1..0 # SKIP LD_PRELOAD fault injection needs a build without sanitizers"
	exit 0
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# run FEATURE: maxrss-sc on a command that leaves a mark, on a kernel
# without FEATURE; its status in $status, its stderr in $tmp/err.
run() {
	rm -f "$tmp/ran"
	LD_PRELOAD="$HOSTILE/liboldkernel.so" MAXRSS_OLD_KERNEL=$1 \
		"$MAXRSS_SC" -o "$tmp/report" sh -c ": >'$tmp/ran'" 2>"$tmp/err"
	status=$?
}

# feature (as liboldkernel.so calls it) and what the refusal must name.
set -- \
	seccomp "seccomp filters" \
	subreaper "PR_SET_CHILD_SUBREAPER" \
	process_vm_readv "process_vm_readv" \
	kcmp "kcmp" \
	smaps_rollup "smaps_rollup" \
	seize "PTRACE_SEIZE" \
	syscall_info "PTRACE_GET_SYSCALL_INFO"
echo "1..$(($# / 2 + 1))"

run none
if [ "$status" = 0 ] && [ -e "$tmp/ran" ]; then
	ok "with every feature there, the command runs"
else
	not_ok_file "with every feature there, the command runs (status $status)" "$tmp/err"
fi

while [ $# -ge 2 ]; do
	run "$1"
	what="without $1: status 125, one line naming '$2', the command not run"
	if [ "$status" = 125 ] && [ ! -e "$tmp/ran" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
		grep -q "^maxrss-sc: this kernel lacks .*$2.*(Linux [0-9.]* and later have it)$" \
			"$tmp/err"; then
		ok "$what"
	else
		not_ok "$what" "status $status; ran: $([ -e "$tmp/ran" ] && echo yes || echo no)"
		sed 's/^/# /' "$tmp/err"
	fi
	shift 2
done

tap_passed
