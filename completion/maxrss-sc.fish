# fish completion for maxrss-sc.
#
# Options and their values (file names for --output, --timeline, --plot,
# --export-markdown, --export-csv and --baseline, the keys of --sort, the
# figures of --fail-above, nothing for numbers and sizes) until COMMAND,
# then COMMAND and its arguments as fish completes that command on its own.
# With -C (--compare) every operand is a whole command line, completed as
# fish completes that line, and options may follow them.  Keep the options
# in step with --help: tests/sh/completion-shells.sh checks them.
#
# Installed in fish's vendor_completions.d (make install:
# $(datadir)/fish/vendor_completions.d), loaded when maxrss-sc is typed.

# The words before the cursor up to COMMAND, and how they end: "command"
# once COMMAND has started (the words after it are the command's own),
# "compare" when -C was given (every operand a command line), else
# "options".  An option's value is skipped as getopt skips it.
function __maxrss_sc_state
    # Options that take a value in the next word, and short clusters ending in one (-jo FILE).
    set -l with_value -o -i -r -L -P --output --interval --runs --warmup --timeline --plot \
        --fail-above --top --parameter-list --parameter-scan --sort --export-markdown \
        --export-csv --baseline --max-increase --export-json --wait-orphans --prepare --conclude
    set -l words (commandline -opc)
    set -e words[1]
    set -l skip 0
    for w in $words
        if test $skip -eq 1
            set skip 0
        else if string match -qr -- '^(-[jvbNhV]*C[jvbCNhV]*|--co(m(p(a(re?)?)?)?)?)$' $w
            echo compare
            return
        else if contains -- $w $with_value; or string match -qr -- '^-[jvbCNhV]*[oirLP]$' $w
            set skip 1
        else if test "$w" = --; or not string match -q -- '-*' $w
            echo command
            return
        end
    end
    echo options
end

# True once COMMAND has started: options after it are the command's own.
function __maxrss_sc_has_command
    test (__maxrss_sc_state) = command
end

# True when the operands are whole command lines (-C).
function __maxrss_sc_compare
    test (__maxrss_sc_state) = compare
end

# With -C: the operand being typed (its quotes undone) is a command line;
# complete its last word as fish completes that line, the words before it
# kept.  A word that begins with '-' is one of maxrss-sc's options.
function __maxrss_sc_complete_line
    set -l line (string unescape -- (commandline -ct))
    string match -q -- '-*' "$line"; and return
    set -l head (string replace -r -- '[^ ]*$' '' "$line")
    complete --do-complete="$line" | string replace -r -- '^' "$head"
end

# --fail-above=[FIGURE:]SIZE: the figures, unless a figure or a size has begun.
function __maxrss_sc_figures
    set -l value (string replace -r -- '^--fail-above=' '' (commandline -ct))
    string match -qr -- '^[0-9]|:' $value; and return
    printf '%s\t%s\n' peak-rss: 'The largest process (the default)' \
        tree-rss: 'The whole tree at its peak, RSS' tree-pss: 'The whole tree at its peak, PSS'
end

set -l opts -c maxrss-sc -n 'not __maxrss_sc_has_command'
complete $opts -s o -l output -r -F -d 'Write the report to FILE instead of standard error'
complete $opts -s j -l json -d 'Write the report as JSON'
complete $opts -s v -l verbose -d 'Add the process tree to the text report'
complete $opts -s i -l interval -x -d 'Also sample every live process every MS milliseconds'
complete $opts -l exact -d 'Also stop before every syscall that can lower RSS'
complete $opts -s b -l breakdown -d "Keep what each image's peak was made of"
complete $opts -s r -l runs -x -d 'Run COMMAND N times and report statistics'
complete $opts -l warmup -x -d 'Run COMMAND N times first, left out of the report'
complete $opts -l timeline -r -F -d 'Write every sample to FILE as CSV'
complete $opts -l plot -r -F -d 'Write an SVG chart of memory over time to FILE'
complete $opts -l fail-above -x -a '(__maxrss_sc_figures)' -d 'Exit with status 122 when FIGURE exceeds [FIGURE:]SIZE'
complete $opts -l top -x -d 'Show the N largest processes in the -v table'
complete $opts -s C -l compare -d 'Every operand is a whole command line'
complete $opts -s N -l no-shell -d 'Split the command lines into words instead of sh -c'
complete $opts -s L -l parameter-list -x -d 'Run once for each value of NAME=V1,V2,...'
complete $opts -s P -l parameter-scan -x -d 'Run for each value of NAME=LOW:HIGH[:STEP]'
complete $opts -l sort -x -a 'peak\t"The peak RSS (default of a comparison)"
    pss\t"The peak PSS" time\t"The wall time" command\t"The command lines as given"
    start\t"The order they started (default of the -v table)"' -d 'Order of the comparison or the -v table'
complete $opts -l export-markdown -r -F -d 'Write the summary table as Markdown to FILE'
complete $opts -l export-csv -r -F -d 'Write the summary figures as CSV to FILE'
complete $opts -l baseline -r -F -d 'Compare with the JSON report of an earlier run'
complete $opts -l max-increase -x -d 'Exit with status 122 when a peak grew by more than PERCENT'
complete $opts -l export-json -r -F -d 'Also write the report as JSON to FILE'
complete $opts -l wait-orphans -x -d 'Wait at most SECONDS for processes left running'
complete $opts -l ignore-failure -d 'Go on after a run that failed (=CODES: only those exit codes)'
complete $opts -l prepare -x -d 'Run CMD (by /bin/sh -c, untraced) before each run'
complete $opts -l conclude -x -d 'Run CMD (by /bin/sh -c, untraced) after each run'
complete $opts -l show-output -d "Show COMMAND's output during --runs and comparisons"
complete $opts -s h -l help -d 'Show the help and exit'
complete $opts -s V -l version -d 'Show the version and exit'

# COMMAND, then its own completion; the options that take a value in the next word.
complete -c maxrss-sc -n 'not __maxrss_sc_compare' -x -a '(__fish_complete_subcommand -- -o -i -r -L -P --output --interval --runs --warmup --timeline --plot --fail-above --top --parameter-list --parameter-scan --sort --export-markdown --export-csv --baseline --max-increase --export-json --wait-orphans --prepare --conclude)'
# With -C, each operand a whole command line.
complete -c maxrss-sc -n __maxrss_sc_compare -x -a '(__maxrss_sc_complete_line)'
