"""Render the hicolor PNG icons from the hand-drawn SVG: ``make icons``.

The PNGs are committed so that packagers and desktops without an SVG renderer get crisp
icons at every size; re-run this after editing the SVG. Qt renders them, because PySide6
is already a dependency and its SVG renderer handles the few shapes the mark uses.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_ID = "io.greenroom.Greenroom"
SIZES = (16, 32, 48, 64, 128, 256)
HICOLOR = Path(__file__).resolve().parent / "icons" / "hicolor"
SVG = HICOLOR / "scalable" / "apps" / f"{APP_ID}.svg"


def png_path(size: int) -> Path:
    return HICOLOR / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def render() -> list[Path]:
    # No window is opened; offscreen works with no display.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"render_icons: {SVG} is not a valid SVG")
    written = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        target = png_path(size)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target), "PNG"):
            raise SystemExit(f"render_icons: could not write {target}")
        written.append(target)
    del app
    return written


if __name__ == "__main__":
    for path in render():
        print(path.relative_to(HICOLOR.parent.parent.parent))
