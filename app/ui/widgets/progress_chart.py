"""One figure over attempts, oldest to newest, as a painted line with a shaded band.

Each point may carry its own band (the guide that attempt was judged against, or the
comfortable pace band), so a guide changed half-way shows where it changed instead of
judging old answers by the new one. Points inside their band are drawn green, outside
red-orange; points without a band in the highlight colour. A point whose value is unknown
(no speech, nothing listed) leaves a gap, so every chart keeps the same slots in the same
order and the charts of one question line up under each other.

A point part of whose value only a follow-up's reply made (key points the answer missed
and the reply covered) shows that part apart: a ring at what the answer made by itself,
joined to the point by a dashed stem, so the thread counts whole without passing the
follow-up's points off as the answer's.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QKeyEvent, QMouseEvent, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.progress import ChartPoint  # the points are worked out without Qt
from app.ui.widgets.colors import BAND_COLORS, tinted_base

# At most this many dates under the axis; more would overlap, so they are thinned evenly.
MAX_X_LABELS = 8
# The accessible summary names this many latest points; a screen reader reads it whole.
SPOKEN_POINTS = 12
FOLLOW_UP_KEY = "ring: the answer without its follow-up"


def nice_ceiling(value: float, floor: float = 0.0) -> float:
    """The next round number at or above ``value`` (1, 2, 2.5 or 5 times a power of ten),
    so the marks on the scale read as plain numbers; at least one above ``floor``."""
    span = value - floor
    if span <= 0:
        return floor + 1.0
    power = 10.0 ** math.floor(math.log10(span))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if span <= step * power + 1e-9:
            return floor + step * power
    return floor + 10.0 * power


class ProgressChart(QWidget):
    def __init__(self, title: str, value_text: Callable[[float], str] = lambda v: f"{v:.0f}",
                 band_name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.value_text = value_text
        self.band_name = band_name
        self._points: list[ChartPoint] = []
        self._floor = 0.0
        self._ceiling: float | None = None
        self.current: int | None = None  # the point picked with the arrow keys
        self.empty_text = "No attempts to chart yet"
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(170)
        self.setAccessibleName(title)
        self.setAccessibleDescription(self.empty_text)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(360, 170)

    # ------------------------------------------------------------------ data
    @property
    def points(self) -> list[ChartPoint]:
        return list(self._points)

    @property
    def values(self) -> list[float | None]:
        return [p.value for p in self._points]

    @property
    def bands(self) -> list[tuple[float, float] | None]:
        return [p.band for p in self._points]

    @property
    def has_follow_ups(self) -> bool:
        """Whether some point's value was partly made in a follow-up (drawn apart)."""
        return any(p.value is not None and p.follow_up > 0 for p in self._points)

    def set_points(self, points: list[ChartPoint], floor: float = 0.0,
                   ceiling: float | None = None) -> None:
        """``ceiling`` fixes the top of the scale (a share's 100 %); otherwise it fits."""
        self._points = list(points)
        self._floor, self._ceiling = floor, ceiling
        self.current = None
        self.setAccessibleDescription(self.summary())
        self.update()

    def summary(self) -> str:
        """The chart in words: what it shows, then each point's value, oldest first."""
        shown = [p for p in self._points if p.value is not None]
        if not shown:
            return f"{self.title}: {self.empty_text.lower()}."
        count = len(self._points)
        head = f"{self.title} over {count} attempt{'s' if count != 1 else ''}, oldest first"
        if self.has_follow_ups:
            head += (", counting what a follow-up's reply added, which each point names apart "
                     "from what the answer made by itself")
        if len(shown) > SPOKEN_POINTS:
            head += f" (the latest {SPOKEN_POINTS})"
            shown = shown[-SPOKEN_POINTS:]
        return head + ": " + "; ".join(p.detail or f"{p.label}: {self.value_text(p.value or 0)}"
                                       for p in shown) + "."

    # ------------------------------------------------------------------ geometry
    def _area(self) -> QRectF:
        return QRectF(self.rect()).adjusted(46, 26, -12, -24)

    def _scale(self) -> tuple[float, float]:
        known = [p.value for p in self._points if p.value is not None]
        known += [edge for p in self._points if p.band for edge in p.band]
        if self._ceiling is not None:
            return self._floor, max(self._ceiling, self._floor + 1e-6)
        return self._floor, nice_ceiling(max(known, default=0.0) * 1.1, self._floor)

    def _y(self, value: float, area: QRectF) -> float:
        low, high = self._scale()
        share = (min(max(value, low), high) - low) / (high - low)
        return area.bottom() - area.height() * share

    def _slot(self, area: QRectF) -> float:
        return area.width() / max(1, len(self._points))

    def _x(self, index: int, area: QRectF) -> float:
        return area.left() + self._slot(area) * (index + 0.5)

    def point_at(self, x: float) -> int | None:
        """The point whose slot holds ``x`` (widget coordinates), if it has a value."""
        if not self._points:
            return None
        area = self._area()
        index = int((x - area.left()) // self._slot(area))
        if 0 <= index < len(self._points) and self._points[index].value is not None:
            return index
        return None

    def point_position(self, index: int) -> QPointF:
        area = self._area()
        return QPointF(self._x(index, area), self._y(self._points[index].value or 0.0, area))

    # ------------------------------------------------------------------ interaction
    def _show_tip(self, index: int | None) -> None:
        if index is None:
            QToolTip.hideText()
            return
        point = self._points[index]
        text = point.detail or f"{point.label}: {self.value_text(point.value or 0.0)}"
        QToolTip.showText(self.mapToGlobal(self.point_position(index).toPoint()), text, self)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._show_tip(self.point_at(event.position().x()))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        known = [i for i, p in enumerate(self._points) if p.value is not None]
        step = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1}.get(Qt.Key(event.key()))
        if not known or step is None:
            super().keyPressEvent(event)
            return
        if self.current is None:
            self.current = known[-1] if step < 0 else known[0]
        else:
            later = [i for i in known if (i - self.current) * step > 0]
            if later:
                self.current = later[0] if step > 0 else later[-1]
        self._show_tip(self.current)
        self.update()

    # ------------------------------------------------------------------ painting
    def paintEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.Text)
        faint = pal.color(QPalette.ColorRole.Mid)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.85))
        title_font = QFont(self.font())
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.setPen(text)
        title = self.title + (f" · shaded: {self.band_name}" if self.band_name else "")
        if self.has_follow_ups:
            title += f" · {FOLLOW_UP_KEY}"
        # A narrow window cuts the title with an ellipsis; the accessible name keeps it whole.
        title = painter.fontMetrics().elidedText(title, Qt.TextElideMode.ElideRight, self.width() - 16)
        painter.drawText(QRectF(8, 2, self.width() - 16, 20),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
        painter.setFont(small)
        area = self._area()
        if not any(p.value is not None for p in self._points):
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, self.empty_text)
            painter.end()
            return
        slot = self._slot(area)
        # Each attempt's band across its own slot: a changed guide shows as a step.
        band_fill = tinted_base(pal, BAND_COLORS["in_zone"], 0.28)
        for i, point in enumerate(self._points):
            if point.band is not None:
                top, bottom = self._y(point.band[1], area), self._y(point.band[0], area)
                painter.fillRect(QRectF(area.left() + i * slot, top, slot, max(1.0, bottom - top)),
                                 band_fill)
        # Axis and three value marks.
        painter.setPen(QPen(faint, 1))
        painter.drawLine(area.bottomLeft(), area.bottomRight())
        low, high = self._scale()
        painter.setPen(text)
        for value in (low, (low + high) / 2, high):
            painter.drawText(QRectF(0, self._y(value, area) - 8, area.left() - 6, 16),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             self.value_text(value))
        step = max(1, -(-len(self._points) // MAX_X_LABELS))
        for i, point in enumerate(self._points):
            if i % step == 0 or i == len(self._points) - 1:
                painter.drawText(QRectF(area.left() + i * slot - slot, area.bottom() + 3, slot * 3, 18),
                                 Qt.AlignmentFlag.AlignHCenter, point.label)
        # The line, broken where a value is unknown.
        line = QPainterPath()
        drawing = False
        for i, point in enumerate(self._points):
            if point.value is None:
                drawing = False
                continue
            where = QPointF(self._x(i, area), self._y(point.value, area))
            if drawing:
                line.lineTo(where)
            else:
                line.moveTo(where)
                drawing = True
        highlight = pal.color(QPalette.ColorRole.Highlight)
        painter.setPen(QPen(highlight, 2))
        painter.drawPath(line)
        # What a follow-up added: a dashed stem down to a ring at the answer's own level.
        for i, point in enumerate(self._points):
            own = point.answer_value
            if point.value is None or own is None or point.follow_up <= 0:
                continue
            x, top, bottom = self._x(i, area), self._y(point.value, area), self._y(own, area)
            painter.setPen(QPen(highlight, 1.5, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(x, top), QPointF(x, bottom))
            painter.setPen(QPen(highlight, 1.5))
            painter.setBrush(pal.color(QPalette.ColorRole.Base))
            painter.drawEllipse(QPointF(x, bottom), 3.5, 3.5)
        for i, point in enumerate(self._points):
            if point.value is None:
                continue
            inside = point.inside
            color = (highlight if inside is None
                     else BAND_COLORS["in_zone"] if inside else BAND_COLORS["wrap_up"])
            radius = 6.0 if i == self.current else 4.0
            painter.setPen(QPen(pal.color(QPalette.ColorRole.Base), 1.5))
            painter.setBrush(color)
            painter.drawEllipse(QPointF(self._x(i, area), self._y(point.value, area)), radius, radius)
        painter.end()


__all__ = ["ChartPoint", "ProgressChart"]
