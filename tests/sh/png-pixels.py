#!/usr/bin/env python3
"""Count, in a PNG screenshot of an SVG chart of maxrss-sc, the pixels of each
series' colour inside the chart's plot area.

usage: png-pixels.py CHART.svg SCREENSHOT.png

Prints one line per series, "ID COLOUR COUNT", then "white COUNT" and
"area COUNT" (pixels of the plot area).  The plot area and the colours are
read from the SVG (rect#plot-area, polyline[id] stroke).  Only the standard
library: PNG is decoded with zlib (8-bit RGB or RGBA, not interlaced, which
is what Chromium writes).
"""
import struct
import sys
import xml.etree.ElementTree as ET
import zlib

SVG_NS = "{http://www.w3.org/2000/svg}"
TOLERANCE = 12  # per channel: the inside of a line is drawn in its own colour


def read_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"{path}: not a PNG file")
    pos, idat, width = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace:
                sys.exit(f"{path}: unsupported PNG (depth {depth}, colour type {colour})")
            bpp = 4 if colour == 6 else 3
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if width is None:
        sys.exit(f"{path}: no IHDR")
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        if ftype == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif ftype == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 0xFF
        elif ftype == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif ftype == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        elif ftype != 0:
            sys.exit(f"{path}: bad filter type {ftype}")
        rows.append(line)
        prev = line
    return width, height, bpp, rows


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    svg = ET.parse(sys.argv[1]).getroot()
    area, series = None, []
    for el in svg.iter():
        if el.get("id") == "plot-area":
            x, y = float(el.get("x")), float(el.get("y"))
            area = (int(x), int(y), int(x + float(el.get("width"))), int(y + float(el.get("height"))))
        elif el.tag == SVG_NS + "polyline" and el.get("id"):
            series.append((el.get("id"), el.get("stroke")))
    if area is None:
        sys.exit("no plot-area in the SVG")
    width, height, bpp, rows = read_png(sys.argv[2])
    x0, y0, x1, y1 = area[0], area[1], min(area[2], width), min(area[3], height)
    want = [(sid, tuple(int(c[i : i + 2], 16) for i in (1, 3, 5))) for sid, c in series]
    counts = {sid: 0 for sid, _ in want}
    white = 0
    for y in range(y0, y1):
        row = rows[y]
        for x in range(x0, x1):
            r, g, b = row[x * bpp], row[x * bpp + 1], row[x * bpp + 2]
            if r > 250 and g > 250 and b > 250:
                white += 1
                continue
            for sid, (wr, wg, wb) in want:
                if abs(r - wr) <= TOLERANCE and abs(g - wg) <= TOLERANCE and abs(b - wb) <= TOLERANCE:
                    counts[sid] += 1
                    break
    for sid, colour in series:
        print(sid, colour, counts[sid])
    print("white", white)
    print("area", (x1 - x0) * (y1 - y0))


main()
