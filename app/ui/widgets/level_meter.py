"""A horizontal input level meter with a slowly falling peak mark."""

from __future__ import annotations

import time

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.ui.widgets.colors import BAND_COLORS

PEAK_HOLD_S = 1.0
PEAK_FALL_PER_S = 0.6
LOUD_LEVEL = 0.9


class LevelMeter(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._level = 0.0
        self._peak = 0.0
        self._peak_at = 0.0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(18)
        self.setAccessibleName("Microphone level")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(300, 18)

    @property
    def level(self) -> float:
        return self._level

    def set_level(self, level: float) -> None:
        now = time.monotonic()
        self._level = max(0.0, min(1.0, float(level)))
        if self._level >= self._peak:
            self._peak, self._peak_at = self._level, now
        elif now - self._peak_at > PEAK_HOLD_S:
            fallen = self._peak - PEAK_FALL_PER_S * (now - self._peak_at - PEAK_HOLD_S)
            self._peak = max(self._level, fallen)
        self.update()

    def paintEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        pal = self.palette()
        rect = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        painter.setPen(pal.color(QPalette.ColorRole.Mid))
        painter.setBrush(pal.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(rect, 4, 4)
        painter.setPen(Qt.PenStyle.NoPen)
        fill = BAND_COLORS["wrap_up"] if self._level >= LOUD_LEVEL else pal.color(QPalette.ColorRole.Highlight)
        painter.setBrush(fill)
        inner = rect.adjusted(2, 2, -2, -2)
        painter.drawRect(QRectF(inner.left(), inner.top(), inner.width() * self._level, inner.height()))
        peak_x = inner.left() + inner.width() * self._peak
        painter.setPen(pal.color(QPalette.ColorRole.Text))
        painter.drawLine(int(peak_x), int(inner.top()), int(peak_x), int(inner.bottom()))
        painter.end()
