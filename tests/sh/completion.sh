#!/bin/sh
# The bash completion (completion/maxrss-sc): it offers exactly the options
# of --help, file names for the options that take a file, nothing for
# numbers, and hands COMMAND and its arguments to bash-completion at the
# right word.  TAP; skipped without bash.
set -u
: "${TESTS_SRCDIR:?run through make check}"

if ! command -v bash >/dev/null 2>&1; then
	echo "1..0 # SKIP bash is not installed"
	exit 0
fi
: "${COMPLETION:?run through make check}" "${MAXRSS_SC:?run through make check}"

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/report.json"
: >"$tmp/rest.txt"

# complete WORD... : run the completion with the cursor at the end of the last
# word (an empty last word: after a space) and print COMPREPLY, one a line.
cat >"$tmp/run.bash" <<'BASH'
set -u
source "$COMPLETION" || exit 99
declare -F _command_offset >/dev/null && unset -f _command_offset
if [[ ${OFFSET_STUB:-} ]]; then
	_command_offset() { echo "command at word $1"; }
fi
COMP_WORDS=(maxrss-sc "$@")
COMP_CWORD=$#
COMP_LINE="${COMP_WORDS[*]}"
COMP_POINT=${#COMP_LINE}
_maxrss_sc maxrss-sc "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
((${#COMPREPLY[@]})) && printf '%s\n' "${COMPREPLY[@]}"
exit 0
BASH
complete() {
	bash "$tmp/run.bash" "$@" | sort
}

. "$TESTS_SRCDIR/sh/tap.sh"
# expect DESCRIPTION WANT GOT
expect() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "want:" "$2" "got:" "$3"
	fi
}

echo "1..15"

# Every option --help lists, long and short, and nothing else.
want=$("$MAXRSS_SC" --help | sed -n 's/^ \{1,\}\(-[a-zA-Z], \)\{0,1\}\(--[a-z-]*\).*/\1\2/p' |
	tr ',' '\n' | tr -d ' ' | grep . | sort)
got=$(complete -)
expect "'-' offers the options of --help" "$want" "$got"
expect "'--' offers the long options of --help" "$(echo "$want" | grep -- '^--')" "$(complete --)"
expect "'--ti' completes --timeline" "--timeline" "$(complete --ti)"

expect "--output takes a file" "$tmp/report.json" "$(complete --output "$tmp/rep")"
expect "--plot=FILE (split at '=') takes a file" "$tmp/report.json" \
	"$(complete --plot = "$tmp/rep")"
expect "-jo FILE takes a file" "$tmp/report.json" "$(complete -jo "$tmp/rep")"
expect "--runs takes a number: nothing offered" "" "$(complete --runs "")"

# The command is a command name; without bash-completion, its arguments are files.
case $(complete -r 3 --json tru) in
*true*) ok "the command word offers command names" ;;
*) not_ok "the command word offers command names" "$(complete -r 3 tru)" ;;
esac
expect "after the command, file names (not options)" "$tmp/rest.txt" \
	"$(complete -v true "$tmp/res")"

# With bash-completion, the command's own completion takes over at its word.
expect "_command_offset gets COMMAND's word (-r 3 --json sh -c)" "command at word 4" \
	"$(OFFSET_STUB=1 complete -r 3 --json sh -c)"
expect "... also after -- and an --option=VALUE" "command at word 7" \
	"$(OFFSET_STUB=1 complete -i 10 --plot = x.svg -- sh -)"

# --fail-above=[FIGURE:]SIZE: the figures, nothing for a size, and ':' breaking words.
expect "--fail-above= offers the figures" "$(printf 'peak-rss:\ntree-pss:\ntree-rss:')" \
	"$(complete --fail-above = "")"
expect "--fail-above tree offers the tree figures" "$(printf 'tree-pss:\ntree-rss:')" \
	"$(complete --fail-above tree)"
expect "--fail-above=tree-pss:SIZE: nothing offered" "" \
	"$(complete --fail-above = tree-pss : "")"
expect "_command_offset after --fail-above=tree-pss:2G" "command at word 6" \
	"$(OFFSET_STUB=1 complete --fail-above = tree-pss : 2G sh -)"

tap_passed
