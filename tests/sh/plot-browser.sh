#!/bin/sh
# --plot in a real browser: headless Chromium renders the SVG of a traced
# run (a parent and three forked children, sampled every 10 ms) to a PNG,
# and tests/sh/png-pixels.py counts the pixels of each series' colour
# inside the plot area.  TAP; skipped without chromium or python3.
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

echo "1..5"

"$MAXRSS_SC" -i 10 --plot="$tmp/chart.svg" -o "$tmp/report" \
	"$WORKLOADS/wl" forktree 3 16 150 >"$tmp/out" 2>&1
if [ -s "$tmp/chart.svg" ]; then
	ok "maxrss-sc --plot wrote a chart"
else
	not_ok_file "maxrss-sc --plot wrote a chart" "$tmp/out"
fi

# As root Chromium needs --no-sandbox; the other flags keep it off the network.
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--hide-scrollbars --force-device-scale-factor=1 --user-data-dir="$tmp/profile" \
	--screenshot="$tmp/shot.png" --window-size=1000,700 "file://$tmp/chart.svg" \
	>"$tmp/browser.log" 2>&1
if [ -s "$tmp/shot.png" ]; then
	ok "$browser took a screenshot of it"
else
	not_ok_file "$browser took a screenshot of it" "$tmp/browser.log"
fi

python3 "$TESTS_SRCDIR/sh/png-pixels.py" "$tmp/chart.svg" "$tmp/shot.png" >"$tmp/pixels" 2>&1
count() { awk -v id="$1" '$1 == id { print ($NF + 0) }' "$tmp/pixels"; }
# A line across the plot is hundreds of pixels of its own colour; a chart
# that failed to render (an XML error page) has none.
for id in tree-pss tree-rss process-1; do
	c=$(count "$id")
	if [ "${c:-0}" -ge 150 ]; then
		ok "the $id series is drawn ($c pixels of its colour)"
	else
		not_ok_file "the $id series is drawn (${c:-0} pixels of its colour)" "$tmp/pixels"
	fi
done

tap_passed
