#!/usr/bin/env python3
"""Draws the default Apple Wallet pass icons (a stamp: a filled disc with a ring) into
Sources/ApplePasses/Resources. Run once after changing the drawing; the PNGs are committed.
Standard library only: zlib and struct."""
import math, os, struct, zlib

OUT = os.path.join(os.path.dirname(__file__), "..", "Sources", "ApplePasses", "Resources")
INK = (60, 65, 76)


def png(width, height, pixel):
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def stamp(size):
    centre, radius = (size - 1) / 2, size / 2 - 0.5
    def pixel(x, y):
        d = math.hypot(x - centre, y - centre) / radius
        if d > 1.0:
            return (0, 0, 0, 0)
        if 0.62 < d < 0.74:
            return (255, 255, 255, 255)
        return INK + (255,)
    return png(size, size, pixel)


for name, points in [("icon", 29)]:
    for scale, suffix in [(1, ""), (2, "@2x"), (3, "@3x")]:
        with open(os.path.join(OUT, f"{name}{suffix}.png"), "wb") as f:
            f.write(stamp(points * scale))
