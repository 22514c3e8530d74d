#!/bin/sh
# Job control in a real terminal (tmux): Ctrl-Z then fg on "maxrss-sc make"
# in an interactive bash stops the whole job (it makes no progress) and
# resumes it, and the run ends with make's status and a report; Ctrl-C
# reaches the command and maxrss-sc still reports, with status 130.
# TAP output; skipped without tmux, bash or make.
set -u
: "${TESTS_SRCDIR:?run through make check}"

for p in tmux bash make; do
	if ! command -v "$p" >/dev/null 2>&1; then
		echo "1..0 # SKIP $p is not installed"
		exit 0
	fi
done
: "${MAXRSS_SC:?run through make check}"

dir=$(mktemp -d "${TMPDIR:-/tmp}/maxrss-sc-jobs-XXXXXX") || exit 1
sock=$dir/tmux.sock
cleanup() {
	tmux -S "$sock" kill-server >/dev/null 2>&1
	rm -rf "$dir"
}
trap cleanup EXIT

. "$TESTS_SRCDIR/sh/tap.sh"
skip_unless_tracing

# Poll (every 0.1 s, at most $1 tenths) until the shell test $2 holds.
wait_for() {
	i=0
	while [ "$i" -lt "$1" ]; do
		if eval "$2"; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

ticks() {
	if [ -f "$dir/ticks" ]; then
		wc -l <"$dir/ticks"
	else
		echo 0
	fi
}

# 30 ticks, one every 0.1 s, each written by a forked sh and an exec'd sleep:
# a tree that is busy forking and execing when the terminal stops it.
printf 'all:\n\t@i=0; while [ $$i -lt 30 ]; do i=$$((i + 1)); echo $$i >>ticks; sleep 0.1; done\n' \
	>"$dir/Makefile"

echo "1..6"

tmux -S "$sock" -f /dev/null new-session -d -s jobs -x 160 -y 40 \
	"env PS1='$ ' HISTFILE=/dev/null bash --norc --noprofile -i" || {
	echo "Bail out! cannot start tmux"
	exit 1
}
send() {
	tmux -S "$sock" send-keys -t jobs "$@"
}

# Every process of the job (the process group of maxrss-sc, which bash made
# the job's leader) in a stop: T, or t for a tracee held at its stop.  A
# zombie (Z) counts too: a sleep that ended as the stop came stays one until
# its parent, stopped, runs again to reap it.  So does a D whose stopped
# child still runs its program (the same args): sh starts a command by
# vfork, and the parent waits in D, deaf to the stop, until its child execs
# or exits; a stop that catches the child in between leaves the parent in D
# until fg.  Without maxrss-sc too; under the sanitizers the tool serves the
# child's stops before its exec more slowly, and CI caught that window.
job_stopped() {
	pg=$(pgrep -f -- '-o report make -s' | head -n 1)
	[ -n "$pg" ] || return 1
	ps -eo pgid=,pid=,ppid=,stat=,args= | awk -v g="$pg" '
		$1 != g { next }
		{
			args = $0
			sub(/^ *[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +/, "", args)
			n++
			pid[n] = $2
			ppid[n] = $3
			stat[n] = $4
			cmd[$2] = args
		}
		END {
			for (i = 1; i <= n; i++)
				if (stat[i] ~ /^[Tt]/ && cmd[ppid[i]] == cmd[pid[i]])
					vforked[ppid[i]] = 1
			for (i = 1; i <= n; i++)
				if (stat[i] !~ /^[TtZ]/ && !(stat[i] ~ /^D/ && (pid[i] in vforked)))
					exit 1
			exit (n == 0)
		}'
}

# Not "cmd; echo \$?": at Ctrl-Z bash would go on with the list at once.
send "cd '$dir' && '$MAXRSS_SC' -o report make -s" Enter
wait_for 100 '[ "$(ticks)" -ge 5 ]' || not_ok "the job did not start" "ticks: $(ticks)"

# Ctrl-Z: the terminal sends SIGTSTP to the whole foreground job.
send C-z
if wait_for 50 'tmux -S "$sock" capture-pane -p -t jobs | grep -q "Stopped"'; then
	ok "Ctrl-Z: bash reports the job stopped"
else
	not_ok "Ctrl-Z: bash does not report the job stopped"
fi
# Not a time: under load the stops reach the job's processes late.
if ! wait_for 100 job_stopped; then
	not_ok "Ctrl-Z: the job's processes did not all stop" \
		"$(ps -eo pgid=,pid=,ppid=,stat=,wchan:16=,args= | grep -e 'make -s' -e 'sleep 0')"
	after=$(ticks)
else
	before=$(ticks)
	sleep 1
	after=$(ticks)
	if [ "$before" = "$after" ] && [ "$after" -lt 30 ]; then
		ok "Ctrl-Z: the job makes no progress while stopped ($after ticks)"
	else
		not_ok "Ctrl-Z: the job went on while stopped" "ticks $before, then $after 1 s later"
	fi
fi

send "fg" Enter
if wait_for 50 '[ "$(ticks)" -gt "$after" ]'; then
	ok "fg: the job resumes"
else
	not_ok "fg: the job did not resume" "ticks: $(ticks)"
fi
wait_for 200 '[ -s "$dir/report" ]' && sleep 0.2
send "echo rc=\$? >rc" Enter
if wait_for 50 '[ -s "$dir/rc" ]' && [ "$(cat "$dir/rc")" = rc=0 ] && [ "$(ticks)" -eq 30 ] &&
	grep -q "exited 0" "$dir/report"; then
	ok "fg: the job ends with make's status 0 and a report"
else
	not_ok "fg: the job did not end well" "rc: $(cat "$dir/rc" 2>/dev/null)" \
		"ticks: $(ticks)" "report: $(head -1 "$dir/report" 2>/dev/null)"
fi

# Ctrl-C: SIGINT to the whole job; the command dies of it, maxrss-sc reports.
send "'$MAXRSS_SC' -o report2 sleep 37.25; echo rc=\$? >rc2" Enter
# Until the command runs traced (a TracerPid), so that SIGINT finds it.
traced_sleep() {
	for p in $(pgrep -f '^sleep 37[.]25$'); do
		grep -q '^TracerPid:[[:space:]]*[1-9]' "/proc/$p/status" 2>/dev/null && return 0
	done
	return 1
}
wait_for 100 traced_sleep || sleep 1
send C-c
if wait_for 100 '[ -s "$dir/rc2" ]' && [ "$(cat "$dir/rc2")" = rc=130 ]; then
	ok "Ctrl-C: status 130"
else
	not_ok "Ctrl-C: status is not 130" "rc2: $(cat "$dir/rc2" 2>/dev/null)"
fi
if grep -q "killed by signal 2" "$dir/report2" 2>/dev/null; then
	ok "Ctrl-C: maxrss-sc reports the command killed by signal 2"
else
	not_ok "Ctrl-C: no report of signal 2" "report2: $(head -1 "$dir/report2" 2>/dev/null)"
fi

tap_passed
