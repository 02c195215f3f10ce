"""The answer on one line: structure stages as coloured spans, pauses as gaps, and
clickable markers for fillers, notes and the local LLM's improvements."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QMouseEvent, QPainter, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.ui.widgets.colors import MARKER_COLORS, stage_color, tinted_base
from interview_scripts.time_guide import format_clock

HIT_RADIUS_PX = 7


@dataclass(frozen=True)
class StageSpan:
    name: str
    start_s: float
    end_s: float
    index: int  # position in the framework: keeps a stage's colour stable


@dataclass(frozen=True)
class Marker:
    at_s: float
    kind: str  # filler | note | improvement
    label: str


class AnswerTimeline(QWidget):
    """Click a marker (or select it with ←/→ and press Enter) to hear that moment."""

    momentRequested = Signal(float)  # noqa: N815 - Qt signal naming

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._duration = 0.0
        self._stages: list[StageSpan] = []
        self._pauses: list[tuple[float, float]] = []
        self._markers: list[Marker] = []
        self._selected = -1
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(96)
        self.setAccessibleName("Answer timeline")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(600, 96)

    def set_data(self, duration_s: float, stages: list[StageSpan], pauses: list[tuple[float, float]],
                 markers: list[Marker]) -> None:
        self._duration = max(0.0, duration_s)
        self._stages = stages
        self._pauses = pauses
        self._markers = sorted(markers, key=lambda m: m.at_s)
        self._selected = -1
        self.setToolTip("" if self._markers else "No markers in this answer")
        self.update()

    @property
    def markers(self) -> list[Marker]:
        return list(self._markers)

    @property
    def stages(self) -> list[StageSpan]:
        return list(self._stages)

    # geometry -----------------------------------------------------------------------
    def _track(self) -> QRectF:
        return QRectF(8, 30, max(1.0, self.width() - 16), 26)

    def _x(self, seconds: float) -> float:
        track = self._track()
        if self._duration <= 0:
            return track.left()
        return track.left() + track.width() * max(0.0, min(seconds, self._duration)) / self._duration

    def marker_x(self, index: int) -> float:
        return self._x(self._markers[index].at_s)

    def _marker_at(self, x: float) -> int:
        best, best_dist = -1, HIT_RADIUS_PX + 0.5
        for i in range(len(self._markers)):
            dist = abs(self.marker_x(i) - x)
            if dist < best_dist:
                best, best_dist = i, dist
        return best

    # input --------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        index = self._marker_at(event.position().x())
        if index >= 0:
            self._selected = index
            self.update()
            self.momentRequested.emit(self._markers[index].at_s)
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        index = self._marker_at(event.position().x())
        if index >= 0:
            m = self._markers[index]
            QToolTip.showText(event.globalPosition().toPoint(),
                              f"{format_clock(m.at_s)} {m.kind}: {m.label} (click to hear)", self)
        else:
            QToolTip.hideText()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if self._markers and event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = -1 if event.key() == Qt.Key.Key_Left else 1
            self._selected = max(0, min(len(self._markers) - 1, self._selected + step))
            m = self._markers[self._selected]
            self.setAccessibleDescription(f"{format_clock(m.at_s)} {m.kind}: {m.label}")
            self.update()
            return
        if self._selected >= 0 and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.momentRequested.emit(self._markers[self._selected].at_s)
            return
        super().keyPressEvent(event)

    # painting -----------------------------------------------------------------------
    def paintEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.Text)
        track = self._track()
        painter.setPen(pal.color(QPalette.ColorRole.Mid))
        painter.setBrush(pal.color(QPalette.ColorRole.Base))
        painter.drawRect(track)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.85))
        painter.setFont(small)
        for stage in self._stages:
            color = stage_color(stage.index)
            span = QRectF(self._x(stage.start_s), track.top(),
                          max(2.0, self._x(stage.end_s) - self._x(stage.start_s)), track.height())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(tinted_base(pal, color, 0.6))
            painter.drawRect(span)
            painter.setPen(text)
            painter.drawText(span.adjusted(3, 0, -2, 0),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, stage.name)
        # Pauses: hatched gaps over the track, so silence reads as "nothing said here".
        painter.setPen(Qt.PenStyle.NoPen)
        for start, end in self._pauses:
            painter.setBrush(MARKER_COLORS["pause"])
            painter.setOpacity(0.45)
            painter.drawRect(QRectF(self._x(start), track.top() + track.height() * 0.7,
                                    max(2.0, self._x(end) - self._x(start)), track.height() * 0.3))
        painter.setOpacity(1.0)
        for i, m in enumerate(self._markers):
            x = self.marker_x(i)
            color = MARKER_COLORS.get(m.kind, MARKER_COLORS["note"])
            painter.setPen(QPen(color, 2))
            painter.drawLine(QPointF(x, track.top() - 2), QPointF(x, track.bottom()))
            painter.setBrush(color)
            size = 7 if i == self._selected else 5
            painter.drawPolygon(QPolygonF([QPointF(x - size, track.top() - 12),
                                           QPointF(x + size, track.top() - 12),
                                           QPointF(x, track.top() - 2)]))
        painter.setPen(text)
        axis_y = track.bottom() + 4
        for label_s in self._axis_ticks():
            x = self._x(label_s)
            painter.drawLine(QPointF(x, track.bottom()), QPointF(x, track.bottom() + 3))
            # Keep the first and last labels inside the widget instead of cut in half.
            left = max(0.0, min(x - 30, self.width() - 60.0))
            painter.drawText(QRectF(left, axis_y, 60, 16), Qt.AlignmentFlag.AlignHCenter,
                             format_clock(label_s))
        if self.hasFocus():
            painter.setPen(QPen(pal.color(QPalette.ColorRole.Highlight), 1, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        painter.end()

    def _axis_ticks(self) -> list[float]:
        if self._duration <= 0:
            return [0.0]
        step = next((s for s in (5, 10, 15, 30, 60, 120, 300) if self._duration / s <= 8), 600)
        ticks, t = [], 0.0
        while t <= self._duration + 0.01:
            ticks.append(t)
            t += step
        return ticks
