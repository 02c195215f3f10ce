"""Words per minute for each minute of the answer, as a small bar chart."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QFont, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.ui.widgets.colors import BAND_COLORS


def comfort_wpm() -> tuple[float, float]:
    """The band the coach judges pace against, drawn behind the bars: one source, so the
    chart can never shade a pace as comfortable that the notes call fast. Read when bars
    are drawn (the coach is loaded by then), so the window imports no coach to paint."""
    from models.coach.pace import PACE_BAND

    return float(PACE_BAND[0]), float(PACE_BAND[1])


@dataclass(frozen=True)
class PaceBar:
    minute: int  # 1-based, as shown
    wpm: float
    flag: str  # "" | "fast" | "slow" (whatever the coach names it)


class PaceChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bars: list[PaceBar] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(120)
        self.setAccessibleName("Pace per minute")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(320, 120)

    @property
    def bars(self) -> list[PaceBar]:
        return list(self._bars)

    def set_bars(self, bars: list[PaceBar]) -> None:
        self._bars = bars
        self.setAccessibleDescription(
            ", ".join(f"minute {b.minute}: {b.wpm:.0f} words per minute" for b in bars))
        self.update()

    def paintEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.Text)
        area = QRectF(self.rect()).adjusted(34, 8, -8, -22)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.85))
        painter.setFont(small)
        if not self._bars:
            painter.setPen(text)
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, "no pace data")
            painter.end()
            return
        top = max(200.0, max(b.wpm for b in self._bars) * 1.1)

        def y_at(wpm: float) -> float:
            return area.bottom() - area.height() * min(wpm, top) / top

        low, high = comfort_wpm()
        comfort = QRectF(area.left(), y_at(high), area.width(), y_at(low) - y_at(high))
        painter.fillRect(comfort, pal.color(QPalette.ColorRole.AlternateBase))
        painter.setPen(text)
        for wpm in (0, 100, 200):
            if wpm <= top:
                painter.drawText(QRectF(0, y_at(wpm) - 8, 30, 16),
                                 Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(wpm))
        slot = area.width() / len(self._bars)
        for i, bar in enumerate(self._bars):
            color = BAND_COLORS["wrap_up"] if bar.flag else pal.color(QPalette.ColorRole.Highlight)
            rect = QRectF(area.left() + i * slot + slot * 0.15, y_at(bar.wpm), slot * 0.7,
                          area.bottom() - y_at(bar.wpm))
            painter.fillRect(rect, color)
            painter.setPen(text)
            label = f"min {bar.minute}" + (f" ({bar.flag})" if bar.flag else "")
            painter.drawText(QRectF(area.left() + i * slot, area.bottom() + 2, slot, 18),
                             Qt.AlignmentFlag.AlignHCenter, label)
        painter.end()
