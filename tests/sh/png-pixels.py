#!/usr/bin/env python3
"""Count, in a PNG screenshot of an SVG chart of maxrss-sc, the pixels of the
colour of each element the SVG names, where the SVG draws it.

usage: png-pixels.py CHART.svg SCREENSHOT.png

Prints one line per element, "ID COLOUR BOX COUNT": BOX is how many pixels
the region looked at has, COUNT how many of them are of the element's
colour.  The elements and their regions:
  polyline[id] (a series, a curve): its stroke colour, inside rect#plot-area
    when the chart has one (the timeline plot), else inside the bounding box
    of its points; pixels under a point of a scan (a circle) are left out,
    so that a curve is counted apart from the points drawn on it;
  rect[id] with a fill (a bar): its fill colour, inside the rect;
  g[id] with a fill and circles (the points of a scan): its fill colour,
    inside the circles' bounding boxes (BOX is their sum).
Then, with rect#plot-area, "white COUNT" and "area COUNT" (pixels of the
plot area).  Only the standard library: PNG is decoded with zlib (8-bit RGB
or RGBA, not interlaced, which is what Chromium writes).
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


def colour_of(text):
    return tuple(int(text[i : i + 2], 16) for i in (1, 3, 5))


def near(pixel, colour):
    return all(abs(p - c) <= TOLERANCE for p, c in zip(pixel, colour))


def box_of(x0, y0, x1, y1, width, height):
    """Whole pixels of a box, clipped to the image."""
    return (max(0, int(x0)), max(0, int(y0)), min(width, int(x1) + 1), min(height, int(y1) + 1))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    svg = ET.parse(sys.argv[1]).getroot()
    area, series, bars, groups, circles = None, [], [], [], []
    for el in svg.iter():
        tag, eid = el.tag.replace(SVG_NS, ""), el.get("id")
        if eid == "plot-area":
            x, y = float(el.get("x")), float(el.get("y"))
            area = (int(x), int(y), int(x + float(el.get("width"))), int(y + float(el.get("height"))))
        elif tag == "polyline" and eid:
            pts = [tuple(map(float, p.split(","))) for p in el.get("points").split()]
            series.append((eid, el.get("stroke"), pts))
        elif tag == "rect" and eid and (el.get("fill") or "").startswith("#") and el.get("fill").lower() != "#ffffff":
            x, y = float(el.get("x")), float(el.get("y"))
            bars.append((eid, el.get("fill"), (x, y, x + float(el.get("width")), y + float(el.get("height")))))
        elif tag == "g" and eid and (el.get("fill") or "").startswith("#"):
            boxes = []
            for c in el.iter(SVG_NS + "circle"):
                cx, cy, r = float(c.get("cx")), float(c.get("cy")), float(c.get("r"))
                boxes.append((cx - r, cy - r, cx + r, cy + r))
            if boxes:
                groups.append((eid, el.get("fill"), boxes))
                circles.extend(boxes)
    width, height, bpp, rows = read_png(sys.argv[2])

    def pixel(x, y):
        row = rows[y]
        return row[x * bpp], row[x * bpp + 1], row[x * bpp + 2]

    def count(box, colour, skip=()):
        x0, y0, x1, y1 = box
        n = 0
        for y in range(y0, y1):
            for x in range(x0, x1):
                if any(s[0] <= x < s[2] and s[1] <= y < s[3] for s in skip):
                    continue
                if near(pixel(x, y), colour):
                    n += 1
        return n, max(0, x1 - x0) * max(0, y1 - y0)

    under_points = [box_of(b[0] - 1, b[1] - 1, b[2] + 1, b[3] + 1, width, height) for b in circles]
    for sid, stroke, pts in series:
        if area:
            box = (area[0], area[1], min(area[2], width), min(area[3], height))
        else:
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            box = box_of(min(xs) - 3, min(ys) - 3, max(xs) + 3, max(ys) + 3, width, height)
        n, size = count(box, colour_of(stroke), under_points)
        print(sid, stroke, size, n)
    for bid, fill, b in bars:
        n, size = count(box_of(b[0], b[1], b[2] - 0.5, b[3] - 0.5, width, height), colour_of(fill))
        print(bid, fill, size, n)
    for gid, fill, boxes in groups:
        total, size = 0, 0
        for b in boxes:
            n, s = count(box_of(*b, width, height), colour_of(fill))
            total, size = total + n, size + s
        print(gid, fill, size, total)
    if area:
        x0, y0, x1, y1 = area[0], area[1], min(area[2], width), min(area[3], height)
        white = sum(1 for y in range(y0, y1) for x in range(x0, x1) if all(c > 250 for c in pixel(x, y)))
        print("white", white)
        print("area", (x1 - x0) * (y1 - y0))


main()
