"""The answer timeline with a playhead: click a marker, a structure span or anywhere on
the track to jump there while replaying."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QMouseEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import QWidget

from app.ui.widgets.answer_timeline import AnswerTimeline


class ReplayTimeline(AnswerTimeline):
    """``momentRequested(at_s)``: a marker's time, a span's start, or the time under the click."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._playhead: float | None = None
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_playhead(self, seconds: float | None) -> None:
        if seconds != self._playhead:
            self._playhead = seconds
            self.update()

    @property
    def playhead(self) -> float | None:
        return self._playhead

    def time_at(self, x: float) -> float:
        track = self._track()
        if self._duration <= 0 or track.width() <= 0:
            return 0.0
        share = (x - track.left()) / track.width()
        return max(0.0, min(1.0, share)) * self._duration

    def span_x(self, index: int) -> float:
        """The middle of a stage span, where a click lands on it."""
        span = self._stages[index]
        return (self._x(span.start_s) + self._x(span.end_s)) / 2

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        x = event.position().x()
        if self._marker_at(x) >= 0:
            super().mousePressEvent(event)
            return
        at = self.time_at(x)
        for span in self._stages:
            if span.start_s <= at <= span.end_s:
                self.momentRequested.emit(span.start_s)  # a span plays from its start
                return
        self.momentRequested.emit(at)

    def paintEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if self._playhead is None or self._duration <= 0:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        x = self._x(self._playhead)
        track = self._track()
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Text), 2))
        painter.drawLine(QPointF(x, track.top() - 10), QPointF(x, track.bottom() + 4))
        painter.end()
