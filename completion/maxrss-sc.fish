# fish completion for maxrss-sc.
#
# Options and their values (file names for --output, --timeline and --plot,
# nothing for numbers and sizes) until COMMAND, then COMMAND and its
# arguments as fish completes that command on its own.  Keep the options in
# step with --help: tests/sh/completion-shells.sh checks them.
#
# Installed in fish's vendor_completions.d (make install:
# $(datadir)/fish/vendor_completions.d), loaded when maxrss-sc is typed.

# True once COMMAND has started: options after it are the command's own.
function __maxrss_sc_has_command
    set -l with_value -o -i -r --output --interval --runs --warmup --timeline --plot --fail-above
    set -l words (commandline -opc)
    set -e words[1]
    set -l skip 0
    for w in $words
        if test $skip -eq 1
            set skip 0
        else if contains -- $w $with_value
            set skip 1
        else if not string match -q -- '-*' $w
            return 0
        end
    end
    return 1
end

set -l opts -c maxrss-sc -n 'not __maxrss_sc_has_command'
complete $opts -s o -l output -r -F -d 'Write the report to FILE instead of standard error'
complete $opts -s j -l json -d 'Write the report as JSON'
complete $opts -s v -l verbose -d 'Add the process tree to the text report'
complete $opts -s i -l interval -x -d 'Also sample every live process every MS milliseconds'
complete $opts -l exact -d 'Also stop before every syscall that can lower RSS'
complete $opts -s r -l runs -x -d 'Run COMMAND N times and report statistics'
complete $opts -l warmup -x -d 'Run COMMAND N times first, left out of the report'
complete $opts -l timeline -r -F -d 'Write every sample to FILE as CSV'
complete $opts -l plot -r -F -d 'Write an SVG chart of memory over time to FILE'
complete $opts -l fail-above -x -d 'Exit with status 122 when the peak RSS exceeds SIZE'
complete $opts -s h -l help -d 'Show the help and exit'
complete $opts -s V -l version -d 'Show the version and exit'

# COMMAND, then its own completion; the options that take a value in the next word.
complete -c maxrss-sc -x -a '(__fish_complete_subcommand -- -o -i -r --output --interval --runs --warmup --timeline --plot --fail-above)'
