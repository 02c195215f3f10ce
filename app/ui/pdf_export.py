"""A saved session as PDF through Qt's own printing: the export's HTML laid out by
QTextDocument and written by QPdfWriter, the timelines rendered from their SVG. No browser.

QPainter on a QPdfWriter or QImage and QTextDocument's layout may run off the GUI thread,
so the window writes PDFs on a worker. The command line imports this module only when a
PDF is asked for, and runs Qt headless (offscreen) when there is no display.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QByteArray, QMarginsF, QSizeF, QUrl
from PySide6.QtGui import (
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from app.errors import StoreError
from app.export import TIMELINE_HEIGHT, TIMELINE_WIDTH, session_html
from app.store import AttemptRow, SessionRow

# Timelines are drawn at twice their layout size so they stay sharp in print.
IMAGE_SCALE = 2
RESOLUTION_DPI = 150


def ensure_gui_application() -> None:
    """Qt fonts and images need an application object; the CLI has none, and may have no
    display. A full QApplication, so that widgets can still be made in the same process."""
    if QGuiApplication.instance() is not None:
        return
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY") \
            and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # Kept on the module so it lives as long as the process.
    global _app
    _app = QApplication(sys.argv[:1])


_app: QApplication | None = None


def svg_image(svg: str, scale: int = IMAGE_SCALE) -> QImage:
    image = QImage(TIMELINE_WIDTH * scale, TIMELINE_HEIGHT * scale, QImage.Format.Format_ARGB32)
    image.fill(0xFFFFFFFF)
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return image


def session_document(session: SessionRow, attempts: list[AttemptRow],
                     transcript: bool = True) -> QTextDocument:
    document = QTextDocument()
    images: dict[str, QImage] = {}

    def image_source(number: int, svg: str) -> str:
        name = f"timeline-{number}.png"
        images[name] = svg_image(svg)
        return name

    html = session_html(session, attempts, transcript=transcript, image_source=image_source)
    for name, image in images.items():
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    document.setHtml(html)
    return document


def _page_writer(path: Path) -> QPdfWriter:
    writer = QPdfWriter(str(path))
    writer.setResolution(RESOLUTION_DPI)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait, QMarginsF(15, 15, 15, 15),
                                     QPageLayout.Unit.Millimeter))
    return writer


def write_pdf(session: SessionRow, attempts: list[AttemptRow], path: Path,
              transcript: bool = True) -> Path:
    ensure_gui_application()
    document = session_document(session, attempts, transcript)
    writer = _page_writer(path)
    writer.setTitle(session.title)
    writer.setCreator("Greenroom")
    # Lay the text out on the page's printable width, in the writer's device pixels.
    rect = writer.pageLayout().paintRectPixels(writer.resolution())
    document.setPageSize(QSizeF(rect.width(), rect.height()))
    document.print_(writer)
    del writer  # the file is finished when the writer goes
    if not path.is_file() or path.stat().st_size == 0:
        raise StoreError(f"{path}: the PDF could not be written; check the folder is writable "
                         "and choose another file")
    return path
