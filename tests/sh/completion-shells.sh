#!/bin/sh
# The zsh and fish completions (completion/_maxrss-sc, completion/maxrss-sc.fish),
# tied to --help as the bash one is (completion.sh): each offers exactly the
# options of --help, file names for the options that take a file, the keys
# of --sort and the figures of --fail-above, nothing for numbers, and hands
# COMMAND and its arguments to the shell's own completion; with -C each
# operand is a whole command line.  zsh: the specs its _arguments receives, brace expansion done
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

echo "1..19"

# Every option --help lists, long and short, one a line, sorted.
help=$("$MAXRSS_SC" --help | sed -n 's/^ \{1,\}\(-[a-zA-Z], \)\{0,1\}\(--[a-z-]*\).*/\1\2/p' |
	tr ',' '\n' | tr -d ' ' | grep . | LC_ALL=C sort)

# ------------------------------------------------------------ zsh
# zsh_specs [WORD...]: the specs the completion gives _arguments with the
# cursor after WORDs (zsh's $words and $CURRENT).
zsh_specs() {
	zsh -f -c '_arguments() { printf "%s\n" "$@"; }; words=(maxrss-sc "${@:2}" ""); CURRENT=$#words
		source "$1"' zsh "$ZSH_COMPLETION" "$@"
}
if command -v zsh >/dev/null 2>&1; then
	# The file is the body of the completion function: run it with an
	# _arguments that prints each spec it is given.
	zsh_specs >"$tmp/specs" 2>&1
	# "(-o --output)--output=[...]:...", "*--fail-above=[...]...": the
	# option's name, after the exclusions and the mark of a repeatable one.
	got=$(sed -n 's/^\(([^)]*)\)\{0,1\}\*\{0,1\}\(--\{0,1\}[a-zA-Z][a-z-]*\).*\[.*/\2/p' "$tmp/specs" |
		LC_ALL=C sort)
	expect "zsh: the specs name the options of --help" "$help" "$got"
	files=$(grep -c '^\(([^)]*)\)\{0,1\}\(-o+\|--output=\|--timeline=\|--plot=\|--export-markdown=\|--export-csv=\|--baseline=\)\[.*:_files$' "$tmp/specs")
	# A message and no action ("\:" is a colon of the message).
	numbers=$(grep -c '^\(([^)]*)\)\{0,1\}\*\{0,1\}\(-[irLP]+\|--interval=\|--runs=\|--warmup=\|--top=\|--parameter-list=\|--parameter-scan=\|--max-increase=\)\[[^]]*\]:\([^:]\|\\:\)*$' "$tmp/specs")
	if [ "$files" = 7 ] && [ "$numbers" = 11 ]; then
		ok "zsh: file names for -o, --output, --timeline, --plot, --export-*, --baseline; nothing for numbers"
	else
		not_ok_file "zsh: file names for -o, --output, --timeline, --plot, --export-*, --baseline; nothing for numbers ($files, $numbers)" "$tmp/specs"
	fi
	if grep -q '^(-):command:_command_names' "$tmp/specs" && grep -q '^\*::[^:]*:_normal$' "$tmp/specs"; then
		ok "zsh: COMMAND is a command name, its arguments are its own completion's"
	else
		not_ok_file "zsh: COMMAND is a command name, its arguments are its own completion's" "$tmp/specs"
	fi
	# The keys of --sort, as the help lists them.
	keys=$(sed -n 's/^--sort=\[.*\]:[^:]*:((\(.*\)))$/\1/p' "$tmp/specs" |
		grep -o '[a-z]*\\:' | tr -d '\\:' | LC_ALL=C sort | tr '\n' ' ')
	expect "zsh: --sort offers its keys" "command peak pss start time " "$keys"
	# --fail-above's figures: its value's function, with compadd and
	# _alternative printing what they are given.
	figures=$(zsh -f -c '_arguments() { :; }; source "$1"
		compset() { return 1; }; _message() { :; }
		_alternative() { printf "%s\n" "$@"; }; PREFIX=; _maxrss_sc_limit' zsh "$ZSH_COMPLETION" |
		sed -n 's/^figures:[^:]*:compadd -S "" - //p')
	expect "zsh: --fail-above offers its figures" "peak-rss: tree-rss: tree-pss:" "$figures"
	# With -C (alone, in a cluster, even after options' values), every
	# operand is a command line; not after COMMAND, whose option -C may be.
	c1=$(zsh_specs -r 3 -jC "ls -l" 2>&1 | tail -n 1)
	c2=$(zsh_specs -o -C ls -C 2>&1 | tail -n 1)
	if [ "$c1" = "*:command line:_cmdstring" ] && [ "$c2" = "*::arguments of the command:_normal" ]; then
		ok "zsh: with -C every operand is a whole command line (_cmdstring)"
	else
		not_ok "zsh: with -C every operand is a whole command line (_cmdstring)" "$c1" "$c2"
	fi
else
	for t in "the specs name the options of --help" "file names and numbers" "COMMAND and its arguments" \
		"--sort" "--fail-above" "-C"; do
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
	expect "fish: --sort offers its keys" "$(printf 'command\npeak\npss\nstart\ntime')" \
		"$(complete_fish "maxrss-sc --sort ")"
	expect "fish: --fail-above= offers the figures" \
		"$(printf -- '--fail-above=peak-rss:\n--fail-above=tree-pss:\n--fail-above=tree-rss:')" \
		"$(complete_fish "maxrss-sc --fail-above=")"
	expect "fish: --fail-above=tree-pss:SIZE: nothing offered" "" \
		"$(complete_fish "maxrss-sc --fail-above=tree-pss:")"
	expect "fish: --baseline takes a file" "$tmp/report.json" \
		"$(complete_fish "maxrss-sc -C true --baseline $tmp/rep")"
	# The new options that take a value are skipped before COMMAND.
	case $(complete_fish "maxrss-sc --top 3 -L n=1,2 -P m=1:2 --sort peak --max-increase 5 tru") in
	*true*) ok "fish: the command word after the options that take a value" ;;
	*) not_ok "fish: the command word after the options that take a value" ;;
	esac
	# With -C, each operand is a whole command line, and options may follow.
	expect "fish: with -C, a command line is completed as one ('ls --colo)" \
		"$(printf 'ls --color\nls --color=')" "$(complete_fish "maxrss-sc -C 'true' 'ls --colo")"
	expect "fish: with -C, options after the command lines" "--sort" \
		"$(complete_fish "maxrss-sc -C 'true' --so")"
else
	for t in "options" "--ti" "--output" "--runs" "command word" "after COMMAND" "--sort" \
		"--fail-above=" "--fail-above=tree-pss:" "--baseline" "value options" "-C line" \
		"-C options"; do
		skip "fish: $t" "fish is not installed"
	done
fi

tap_passed
