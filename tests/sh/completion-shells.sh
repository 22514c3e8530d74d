#!/bin/sh
# The zsh and fish completions (completion/_maxrss-sc, completion/maxrss-sc.fish),
# tied to --help as the bash one is (completion.sh): each offers exactly the
# options of --help, file names for the options that take a file, nothing
# for numbers, and hands COMMAND and its arguments to the shell's own
# completion.  zsh: the specs its _arguments receives, brace expansion done
# by zsh itself; fish: its own `complete -C`.  TAP; each shell's tests are
# skipped without that shell.
set -u
: "${TESTS_SRCDIR:?run through make check}" "${MAXRSS_SC:?run through make check}"
ZSH_COMPLETION=$TESTS_SRCDIR/../completion/_maxrss-sc
FISH_COMPLETION=$TESTS_SRCDIR/../completion/maxrss-sc.fish

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/report.json"

. "$TESTS_SRCDIR/sh/tap.sh"
skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}
# expect DESCRIPTION WANT GOT
expect() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "want:" "$2" "got:" "$3"
	fi
}

echo "1..9"

# Every option --help lists, long and short, one a line, sorted.
help=$("$MAXRSS_SC" --help | sed -n 's/^ \{1,\}\(-[a-zA-Z], \)\{0,1\}\(--[a-z-]*\).*/\1\2/p' |
	tr ',' '\n' | tr -d ' ' | grep . | LC_ALL=C sort)

# ------------------------------------------------------------ zsh
if command -v zsh >/dev/null 2>&1; then
	# The file is the body of the completion function: run it with an
	# _arguments that prints each spec it is given.
	zsh -f -c '_arguments() { printf "%s\n" "$@"; }; source "$1"' zsh "$ZSH_COMPLETION" \
		>"$tmp/specs" 2>&1
	# "(-o --output)--output=[...]:...": the option's name, after the exclusions.
	got=$(sed -n 's/^\(([^)]*)\)\{0,1\}\(--\{0,1\}[a-zA-Z][a-z-]*\).*\[.*/\2/p' "$tmp/specs" |
		LC_ALL=C sort)
	expect "zsh: the specs name the options of --help" "$help" "$got"
	files=$(grep -c '^([^)]*)-o+\[.*:_files$\|^([^)]*)--output=\[.*:_files$\|^--timeline=\[.*:_files$\|^--plot=\[.*:_files$' "$tmp/specs")
	numbers=$(grep -c '^\(([^)]*)\)\{0,1\}\(-[ir]+\|--interval=\|--runs=\|--warmup=\|--fail-above=\)\[[^]]*\]:[^:]*$' "$tmp/specs")
	if [ "$files" = 4 ] && [ "$numbers" = 6 ]; then
		ok "zsh: file names for -o, --output, --timeline, --plot; nothing for numbers"
	else
		not_ok_file "zsh: file names for -o, --output, --timeline, --plot; nothing for numbers ($files, $numbers)" "$tmp/specs"
	fi
	if grep -q '^(-):command:_command_names' "$tmp/specs" && grep -q '^\*::[^:]*:_normal$' "$tmp/specs"; then
		ok "zsh: COMMAND is a command name, its arguments are its own completion's"
	else
		not_ok_file "zsh: COMMAND is a command name, its arguments are its own completion's" "$tmp/specs"
	fi
else
	for t in "the specs name the options of --help" "file names and numbers" "COMMAND and its arguments"; do
		skip "zsh: $t" "zsh is not installed"
	done
fi

# ------------------------------------------------------------ fish
if command -v fish >/dev/null 2>&1; then
	# complete LINE: what fish offers at the end of LINE, one a line, no descriptions.
	complete_fish() {
		XDG_CONFIG_HOME=$tmp XDG_DATA_HOME=$tmp fish -c 'source $argv[1]; complete -C $argv[2]' \
			"$FISH_COMPLETION" "$1" |
			cut -f 1 | LC_ALL=C sort
	}
	expect "fish: '-' offers the options of --help" "$help" "$(complete_fish "maxrss-sc -")"
	expect "fish: '--ti' completes --timeline" "--timeline" "$(complete_fish "maxrss-sc --ti")"
	expect "fish: --output takes a file" "$tmp/report.json" \
		"$(complete_fish "maxrss-sc --output $tmp/rep")"
	expect "fish: --runs takes a number: nothing offered" "" "$(complete_fish "maxrss-sc --runs ")"
	case $(complete_fish "maxrss-sc -r 3 --json tru") in
	*true*) ok "fish: the command word offers command names" ;;
	*) not_ok "fish: the command word offers command names" ;;
	esac
	case $(complete_fish "maxrss-sc -o $tmp/x ls --colo") in
	*--color*) ok "fish: after COMMAND, its own completion (ls --colo)" ;;
	*) not_ok "fish: after COMMAND, its own completion (ls --colo)" ;;
	esac
else
	for t in "options" "--ti" "--output" "--runs" "command word" "after COMMAND"; do
		skip "fish: $t" "fish is not installed"
	done
fi

tap_passed
