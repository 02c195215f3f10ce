"""Render every app icon from the hand-drawn SVG: ``make icons``.

- the hicolor PNGs (16 to 256 px) for Linux desktops;
- ``icons/io.greenroom.Greenroom.icns`` for the macOS ``.app``;
- ``icons/io.greenroom.Greenroom.ico`` for the Windows executable.

All are committed so that packagers and builds need no SVG renderer; re-run this after
editing the SVG. Qt renders them, because PySide6 is already a dependency and its SVG
renderer handles the few shapes the mark uses. Both containers hold PNG images, which
macOS (10.7 on) and Windows (Vista on) read at every size, so they are written here byte
by byte rather than through an imaging library the project would otherwise not need.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

APP_ID = "io.greenroom.Greenroom"
SIZES = (16, 32, 48, 64, 128, 256)
ICONS = Path(__file__).resolve().parent / "icons"
HICOLOR = ICONS / "hicolor"
SVG = HICOLOR / "scalable" / "apps" / f"{APP_ID}.svg"
ICNS = ICONS / f"{APP_ID}.icns"
ICO = ICONS / f"{APP_ID}.ico"

# Apple's PNG-bearing icon types, by pixel size. ic11 to ic14 are the @2x ("Retina")
# variants of 16, 32, 128 and 256 pt and hold the same pixels as the plain type of that
# size; Finder and the Dock ask for both kinds.
ICNS_TYPES = (
    (b"icp4", 16), (b"ic11", 32), (b"icp5", 32), (b"ic12", 64), (b"icp6", 64),
    (b"ic07", 128), (b"ic13", 256), (b"ic08", 256), (b"ic14", 512), (b"ic09", 512),
    (b"ic10", 1024),
)
# Windows picks among these for the taskbar, Explorer's views and the title bar.
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)


def png_path(size: int) -> Path:
    return HICOLOR / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """An .icns file: 'icns' and the total length, then one (type, length, PNG) per entry;
    every length is big-endian and counts its own 8-byte header."""
    body = b"".join(kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
                    for kind, size in ICNS_TYPES)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An .ico file: a 6-byte header, a 16-byte directory entry per image (width and height
    0 mean 256), then the PNGs; little-endian throughout."""
    header = struct.pack("<HHH", 0, 1, len(ICO_SIZES))
    offset = len(header) + 16 * len(ICO_SIZES)
    entries, images = [], []
    for size in ICO_SIZES:
        data = pngs[size]
        side = 0 if size >= 256 else size
        entries.append(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset))
        images.append(data)
        offset += len(data)
    return header + b"".join(entries) + b"".join(images)


def _render_pngs(sizes: set[int]) -> dict[int, bytes]:
    # No window is opened; offscreen works with no display.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"render_icons: {SVG} is not a valid SVG")
    pngs: dict[int, bytes] = {}
    for size in sorted(sizes):
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not image.save(buffer, "PNG"):
            raise SystemExit(f"render_icons: could not encode the {size} px icon")
        buffer.close()
        pngs[size] = bytes(data.data())
    del app
    return pngs


def render() -> list[Path]:
    pngs = _render_pngs(set(SIZES) | set(ICO_SIZES) | {size for _, size in ICNS_TYPES})
    written = []
    for size in SIZES:
        target = png_path(size)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pngs[size])
        written.append(target)
    ICNS.write_bytes(icns_bytes(pngs))
    ICO.write_bytes(ico_bytes(pngs))
    return [*written, ICNS, ICO]


if __name__ == "__main__":
    for path in render():
        print(path.relative_to(ICONS.parent.parent))
