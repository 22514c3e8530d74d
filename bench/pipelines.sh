#!/bin/sh
# pipelines.sh [N]: N rounds (default 30) of a shell pipeline of external
# commands found through PATH, about 4 processes a round: the shape of a
# build or test script.  Each external command is a fork, a PATH search
# (failed execve calls until the right directory) and an exec.
n=${1:-30}
i=0
while [ "$i" -lt "$n" ]; do
	printf '%s\n' "$i" c b a | sort | uniq | wc -l >/dev/null
	i=$((i + 1))
done
