"""The large recording clock, coloured by where the answer stands against its time guide."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.ui.widgets.colors import BAND_COLORS, BAND_LABELS, tinted_base
from interview_scripts.time_guide import TimeGuide, clock_band, format_clock


class ClockBand(QWidget):
    """Shows m:ss, the band label ("keep going" → "in the zone" → "wrap up") and a track
    with the guide's window marked, so the candidate sees the clock and nothing else."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._guide: TimeGuide | None = None
        self._elapsed = 0.0
        self._band = "no_guide"
        self._think_left: float | None = None  # seconds of think time left, while thinking
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(140)
        self.setAccessibleName("Answer clock")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(480, 190)

    def set_guide(self, guide: TimeGuide | None) -> None:
        self._guide = guide
        self.set_elapsed(0.0)

    def set_think_time(self, remaining_s: float) -> None:
        """Show the think-time countdown in place of the answer clock."""
        self._think_left = max(0.0, remaining_s)
        self.setAccessibleDescription(f"think time {format_clock(self._think_left)} left")
        self.update()

    def set_elapsed(self, elapsed_s: float, band: str | None = None) -> None:
        """``band`` comes from the practice flow; computed here when not given."""
        self._think_left = None
        self._elapsed = max(0.0, elapsed_s)
        self._band = band if band in BAND_LABELS else clock_band(self._elapsed, self._guide)
        self.setAccessibleDescription(f"{self.clock_text()} {self.band_label()}")
        self.update()

    @property
    def band(self) -> str:
        return self._band

    def band_label(self) -> str:
        if self._think_left is not None:
            return "think time: recording starts at 0:00"
        return BAND_LABELS.get(self._band, "")

    def clock_text(self) -> str:
        return format_clock(self._think_left if self._think_left is not None else self._elapsed)

    def guide_text(self) -> str:
        if self._guide is None:
            return "no time guide for this question"
        return f"guide {self._guide.text} ({format_clock(self._guide.min_s)}–{format_clock(self._guide.max_s)})"

    def paintEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        band = "no_guide" if self._think_left is not None else self._band
        color = BAND_COLORS.get(band, BAND_COLORS["no_guide"])
        rect = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        painter.setPen(QPen(color, 2))
        painter.setBrush(tinted_base(pal, color))
        painter.drawRoundedRect(rect, 12, 12)

        text_color = pal.color(QPalette.ColorRole.Text)
        track_h = max(8.0, rect.height() * 0.08)
        label_h = rect.height() * 0.18
        clock_rect = QRectF(rect.left(), rect.top() + 4, rect.width(),
                            rect.height() - track_h - label_h * 2 - 16)
        font = QFont(self.font())
        font.setPixelSize(max(24, int(clock_rect.height() * 0.8)))
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(text_color)
        painter.drawText(clock_rect, Qt.AlignmentFlag.AlignCenter, self.clock_text())

        small = QFont(self.font())
        small.setPixelSize(max(12, int(label_h * 0.7)))
        painter.setFont(small)
        band_rect = QRectF(rect.left(), clock_rect.bottom(), rect.width(), label_h)
        painter.setPen(color.darker(115) if pal.color(QPalette.ColorRole.Base).lightness() > 128
                       else color.lighter(130))
        painter.drawText(band_rect, Qt.AlignmentFlag.AlignCenter, self.band_label())
        painter.setPen(text_color)
        guide_rect = QRectF(rect.left(), band_rect.bottom(), rect.width(), label_h)
        painter.drawText(guide_rect, Qt.AlignmentFlag.AlignCenter, self.guide_text())
        self._paint_track(painter, QRectF(rect.left() + 16, rect.bottom() - track_h - 8,
                                          rect.width() - 32, track_h))
        painter.end()

    def _paint_track(self, painter: QPainter, track: QRectF) -> None:
        if self._guide is None:
            return
        # The track spans to 1.25× the guide's maximum so "wrap up" has room to show.
        span = max(self._guide.max_s * 1.25, self._elapsed, 1.0)

        def x_at(seconds: float) -> float:
            return track.left() + track.width() * min(seconds, span) / span

        painter.setPen(Qt.PenStyle.NoPen)
        for start, end, band in ((0.0, self._guide.min_s, "keep_going"),
                                 (self._guide.min_s, self._guide.max_s, "in_zone"),
                                 (self._guide.max_s, span, "wrap_up")):
            painter.setBrush(BAND_COLORS[band])
            painter.drawRect(QRectF(x_at(start), track.top(), x_at(end) - x_at(start), track.height()))
        needle = x_at(self._elapsed)
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Text), 3))
        painter.drawLine(int(needle), int(track.top() - 4), int(needle), int(track.bottom() + 4))
