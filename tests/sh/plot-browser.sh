#!/bin/sh
# --plot in a real browser: headless Chromium renders to a PNG the SVG of a
# traced run (a parent and three forked children, sampled every 10 ms), of
# a comparison of three commands (bars) and of a parameter scan of two
# (log-log points and fitted curves, then bars), and tests/sh/png-pixels.py
# counts the pixels of each element's colour where the SVG draws it.  TAP;
# skipped without chromium or python3.
set -u
: "${MAXRSS_SC:?run through make check}" "${WORKLOADS:?run through make check}"
: "${TESTS_SRCDIR:?run through make check}"

browser=
for b in chromium chromium-browser google-chrome; do
	if command -v "$b" >/dev/null 2>&1; then
		browser=$b
		break
	fi
done
if [ -z "$browser" ]; then
	echo "1..0 # SKIP chromium is not installed (Debian: apt-get install chromium)"
	exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 is not installed"
	exit 0
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$TESTS_SRCDIR/sh/tap.sh"
skip_unless_tracing

echo "1..15"

# A screenshot of a whole chart: the window is as large as the SVG says.
shoot() {
	w=$(sed -n 's/^<svg [^>]* width="\([0-9]*\)".*/\1/p' "$1")
	h=$(sed -n 's/^<svg [^>]* height="\([0-9]*\)".*/\1/p' "$1")
	rm -f "$2"
	# As root Chromium needs --no-sandbox; the other flags keep it off the network.
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--hide-scrollbars --force-device-scale-factor=1 --user-data-dir="$tmp/profile" \
		--screenshot="$2" --window-size="${w:-1000},${h:-700}" "file://$1" \
		>"$tmp/browser.log" 2>&1
	if [ -s "$2" ]; then
		ok "$browser took a screenshot of $(basename "$1")"
	else
		not_ok_file "$browser took a screenshot of $(basename "$1")" "$tmp/browser.log"
	fi
}

# What png-pixels.py counted for an element: the last field of its line.
count() { awk -v id="$1" '$1 == id { print ($NF + 0) }' "$2"; }

"$MAXRSS_SC" -i 10 --plot="$tmp/chart.svg" -o "$tmp/report" \
	"$WORKLOADS/wl" forktree 3 16 150 >"$tmp/out" 2>&1
if [ -s "$tmp/chart.svg" ]; then
	ok "maxrss-sc --plot wrote a chart"
else
	not_ok_file "maxrss-sc --plot wrote a chart" "$tmp/out"
fi

shoot "$tmp/chart.svg" "$tmp/shot.png"

python3 "$TESTS_SRCDIR/sh/png-pixels.py" "$tmp/chart.svg" "$tmp/shot.png" >"$tmp/pixels" 2>&1
# A line across the plot is hundreds of pixels of its own colour; a chart
# that failed to render (an XML error page) has none.
for id in tree-pss tree-rss process-1; do
	c=$(count "$id" "$tmp/pixels")
	if [ "${c:-0}" -ge 150 ]; then
		ok "the $id series is drawn ($c pixels of its colour)"
	else
		not_ok_file "the $id series is drawn (${c:-0} pixels of its colour)" "$tmp/pixels"
	fi
done

# --plot when comparing.  Each of the n commands has two bars (peak-K,
# pss-K), filled with their colour where the SVG puts them: at least half
# of each rect (the whisker and its caps cross it), and not a rect of
# nothing.
bars_drawn() {
	bad=
	k=0
	while [ "$k" -lt "$2" ]; do
		k=$((k + 1))
		for fig in peak pss; do
			line=$(awk -v id="$fig-$k" '$1 == id' "$1")
			set -- "$1" "$2" $line
			if [ -z "$line" ] || [ "$5" -lt 100 ] || [ $(($6 * 2)) -lt "$5" ]; then
				bad="$bad $fig-$k(${line:-missing})"
			fi
		done
	done
	if [ -z "$bad" ]; then
		ok "the $(($2 * 2)) bars of $2 commands are drawn where the SVG puts them"
	else
		not_ok "the $(($2 * 2)) bars of $2 commands are drawn where the SVG puts them" \
			"wrong:$bad" "$(cat "$1")"
	fi
}

"$MAXRSS_SC" -C -r 2 --plot="$tmp/bars.svg" -o "$tmp/bars.out" \
	"$WORKLOADS/wl hold-exit 8" "$WORKLOADS/wl hold-exit 16" "$WORKLOADS/wl threads 2 16" \
	>/dev/null 2>&1
if [ -s "$tmp/bars.svg" ] && grep -q 'id="peak-3"' "$tmp/bars.svg"; then
	ok "maxrss-sc -C --plot wrote the bars of three commands"
else
	not_ok_file "maxrss-sc -C --plot wrote the bars of three commands" "$tmp/bars.out"
fi
shoot "$tmp/bars.svg" "$tmp/bars.png"
python3 "$TESTS_SRCDIR/sh/png-pixels.py" "$tmp/bars.svg" "$tmp/bars.png" >"$tmp/bars.pixels" 2>&1
bars_drawn "$tmp/bars.pixels" 3

# A scan whose two groups are apart (n MiB, and two threads of n MiB each).
"$MAXRSS_SC" -C -r 2 -P n=8:32:8 --plot="$tmp/scan.svg" -o "$tmp/scan.out" \
	"$WORKLOADS/wl hold-exit {n}" "$WORKLOADS/wl threads 2 {n}" >/dev/null 2>&1
if [ -s "$tmp/scan.svg" ] && grep -q 'id="fit-2"' "$tmp/scan.svg"; then
	ok "maxrss-sc -C -P --plot wrote the growth of two groups"
else
	not_ok_file "maxrss-sc -C -P --plot wrote the growth of two groups" "$tmp/scan.out"
fi
shoot "$tmp/scan.svg" "$tmp/scan.png"
python3 "$TESTS_SRCDIR/sh/png-pixels.py" "$tmp/scan.svg" "$tmp/scan.png" >"$tmp/scan.pixels" 2>&1
# A curve across the panel is hundreds of pixels of its colour, not
# counting those under the points.
for id in fit-1 fit-2; do
	c=$(count "$id" "$tmp/scan.pixels")
	if [ "${c:-0}" -ge 200 ]; then
		ok "the fitted curve $id is drawn ($c pixels of its colour)"
	else
		not_ok_file "the fitted curve $id is drawn (${c:-0} pixels of its colour)" \
			"$tmp/scan.pixels"
	fi
done
# Each of the 4 points of a group is a disc of its colour in its box: a
# fifth of the boxes at least, and some 20 pixels each (not a dot).
for id in fit-1-points fit-2-points; do
	line=$(awk -v id="$id" '$1 == id' "$tmp/scan.pixels")
	set -- $line
	if [ -n "$line" ] && [ "$4" -ge 80 ] && [ $(($4 * 5)) -ge "$3" ]; then
		ok "the points of $id are drawn where the SVG puts them ($4 of $3 pixels)"
	else
		not_ok_file "the points of $id are drawn where the SVG puts them" "$tmp/scan.pixels"
	fi
done
bars_drawn "$tmp/scan.pixels" 8

tap_passed
