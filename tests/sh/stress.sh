#!/bin/sh
# stress: run the racy lifecycle programs (issue 10) many times under the
# tool, each run with its own seed (so its own random delay) and under a
# time limit, and count the runs that hung (the limit fired) and those that
# ended with another status than 0.
#
#	exit-churn    exit(0) while two threads create and join threads
#	sibling-kill  SIGKILL of a process that forks in a loop, by its sibling
#	exec-churn    exec from a thread while two others create threads
#
# Run by `make stress` (not part of make check), which sets:
#	MAXRSS_SC       the tool to run (make stress MAXRSS_SC=... for another)
#	WORKLOADS       the directory of the built lifecycle and tiny
#	STRESS_RUNS     runs per program (default 500)
#	STRESS_TIMEOUT  seconds before a run counts as a hang (default 30)
#	STRESS_SEED     the first seed (default: from the clock); run i of
#	                every program uses STRESS_SEED + i, so a failing run is
#	                repeated with `lifecycle PROG SEED`
# Exit status: 1 if any run hung or ended with a wrong status, else 0.
set -u
: "${MAXRSS_SC:?set MAXRSS_SC to the tool (make stress does)}"
: "${WORKLOADS:?set WORKLOADS to the built workloads (make stress does)}"
runs=${STRESS_RUNS:-500}
limit=${STRESS_TIMEOUT:-30}
seed0=${STRESS_SEED:-$(date +%s)}
lifecycle=$WORKLOADS/lifecycle
tiny=$WORKLOADS/tiny

for f in "$MAXRSS_SC" "$lifecycle" "$tiny"; do
	if ! test -x "$f"; then
		echo "stress: $f is not an executable (build it first)" >&2
		exit 2
	fi
done
if ! command -v timeout >/dev/null 2>&1; then
	echo "stress: needs timeout(1) (GNU coreutils)" >&2
	exit 2
fi
case $runs in
'' | *[!0-9]*)
	echo "stress: STRESS_RUNS must be a number, not '$runs'" >&2
	exit 2
	;;
esac

err=$(mktemp "${TMPDIR:-/tmp}/maxrss-sc-stress-XXXXXX") || exit 2
trap 'rm -f "$err"' EXIT

echo "stress: $MAXRSS_SC, $runs runs per program, limit $limit s, seeds from $seed0"
total=0
total_hangs=0
total_wrong=0
for prog in exit-churn sibling-kill exec-churn; do
	hangs=0
	wrong=0
	i=0
	while [ "$i" -lt "$runs" ]; do
		seed=$((seed0 + i))
		if [ "$prog" = exec-churn ]; then
			set -- "$lifecycle" "$prog" "$seed" "$tiny"
		else
			set -- "$lifecycle" "$prog" "$seed"
		fi
		# --verbose: timeout says when it sent its signal, which tells
		# a hang from a tool that reports 124 or 137 of its own.
		# --foreground: the KILL goes to the tool alone (its tracees die
		# with it, PTRACE_O_EXITKILL), not to timeout's process group
		# with timeout in it, which the shell would report as "Killed".
		timeout --foreground --verbose -k 5 "$limit" "$MAXRSS_SC" -o /dev/null "$@" \
			>/dev/null 2>"$err"
		st=$?
		if grep -q '^timeout: sending signal' "$err"; then
			hangs=$((hangs + 1))
			echo "  $prog seed $seed: hung (killed after $limit s)"
		elif [ "$st" -ne 0 ]; then
			wrong=$((wrong + 1))
			echo "  $prog seed $seed: status $st"
			sed -n '1,5s/^/    /p' "$err"
		fi
		i=$((i + 1))
	done
	printf '%-13s runs %d  hangs %d  wrong status %d\n' "$prog" "$runs" "$hangs" "$wrong"
	total=$((total + runs))
	total_hangs=$((total_hangs + hangs))
	total_wrong=$((total_wrong + wrong))
done
echo "stress: $total runs, $total_hangs hangs, $total_wrong wrong status"
if [ "$total_hangs" -ne 0 ] || [ "$total_wrong" -ne 0 ]; then
	exit 1
fi
exit 0
