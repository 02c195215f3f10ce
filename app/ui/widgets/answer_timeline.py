"""The answer on one line: structure stages as coloured spans, pauses as gaps, and
clickable markers for fillers, notes and the local LLM's improvements.

Where the owner offers stage choices (``set_stage_choices``), the candidate can say where
a stage was themselves: drag across the track, or right-click a moment (the menu key or
Shift+F10 from the keyboard, at the selected marker), and pick "This was my <Stage>".
A span the candidate marked is drawn with a dashed outline and "(yours)".
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QMenu, QSizePolicy, QToolTip, QWidget

from app.ui.widgets.colors import MARKER_COLORS, stage_color, tinted_base
from interview_scripts.time_guide import format_clock

HIT_RADIUS_PX = 7
# A press that moves less than this is a click, not a drag across the track.
DRAG_MIN_PX = 6


@dataclass(frozen=True)
class StageSpan:
    name: str
    start_s: float
    end_s: float
    index: int  # position in the framework: keeps a stage's colour stable
    by_candidate: bool = False  # the candidate marked this span themselves


@dataclass(frozen=True)
class Marker:
    at_s: float
    kind: str  # filler | note | improvement
    label: str


class AnswerTimeline(QWidget):
    """Click a marker (or select it with ←/→ and press Enter) to hear that moment."""

    momentRequested = Signal(float)  # noqa: N815 - Qt signal naming
    # (stage name, start, end): a dragged span; end None: a moment, the owner picks the
    # span around it; both None: no place given, the owner uses the stage's own gap.
    stageMarkRequested = Signal(str, object, object)  # noqa: N815
    stageUnmarkRequested = Signal(str)  # noqa: N815

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._choices: list[str] = []
        self._drag: tuple[float, float] | None = None  # pixels: where a drag began, where it is
        self.stage_menu: QMenu | None = None  # the last stage menu opened (tests read it)
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

    def set_stage_choices(self, names: list[str]) -> None:
        """The framework's stages the candidate may mark; [] turns marking off."""
        self._choices = list(names)
        self._drag = None
        self.update()

    @property
    def stage_choices(self) -> list[str]:
        return list(self._choices)

    def time_at(self, x: float) -> float:
        track = self._track()
        if self._duration <= 0 or track.width() <= 0:
            return 0.0
        share = (x - track.left()) / track.width()
        return max(0.0, min(1.0, share)) * self._duration

    def stage_menu_for(self, start_s: float | None, end_s: float | None = None) -> QMenu:
        """The menu "This was my <Stage>" for a span, a moment (``end_s`` None) or no place
        at all; "Undo my <Stage>" for every span the candidate marked."""
        menu = QMenu(self)
        where = ("" if start_s is None else f" ({format_clock(start_s)}–{format_clock(end_s)})"
                 if end_s is not None else f" (at {format_clock(start_s)})")
        for name in self._choices:
            action = menu.addAction(f"This was my {name}{where}")
            action.triggered.connect(
                lambda _=False, n=name: self.stageMarkRequested.emit(n, start_s, end_s))
        marked = [s.name for s in self._stages if s.by_candidate]
        if marked:
            menu.addSeparator()
            for name in marked:
                action = menu.addAction(f"Undo my {name}")
                action.triggered.connect(lambda _=False, n=name: self.stageUnmarkRequested.emit(n))
        menu.aboutToHide.connect(self._menu_closed)
        self.stage_menu = menu
        return menu

    def _menu_closed(self) -> None:
        self._drag = None
        self.update()

    def _open_stage_menu(self, at: QPoint, start_s: float | None, end_s: float | None) -> None:
        # popup, not exec: the event loop keeps running while the menu is open.
        self.stage_menu_for(start_s, end_s).popup(self.mapToGlobal(at))

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
        elif (self._choices and self._duration > 0
              and event.button() == Qt.MouseButton.LeftButton):
            x = event.position().x()
            self._drag = (x, x)
        else:
            super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        drag, self._drag = self._drag, None
        if drag is not None and abs(drag[1] - drag[0]) >= DRAG_MIN_PX:
            self._drag = drag  # kept on screen while the menu asks which stage it was
            start, end = sorted((self.time_at(drag[0]), self.time_at(drag[1])))
            self._open_stage_menu(event.position().toPoint(), round(start, 2), round(end, 2))
        self.update()
        super().mouseReleaseEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 - Qt override
        if not self._choices or self._duration <= 0:
            super().contextMenuEvent(event)
            return
        if event.reason() == QContextMenuEvent.Reason.Mouse:
            at: float | None = round(self.time_at(event.pos().x()), 2)
            pos = event.pos()
        else:  # from the keyboard: at the selected marker, or no place given
            at = self._markers[self._selected].at_s if self._selected >= 0 else None
            pos = QPoint(round(self._x(at)) if at is not None else self.width() // 2,
                         round(self._track().bottom()))
        self._open_stage_menu(pos, at, None)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._drag is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self._drag = (self._drag[0], event.position().x())
            start, end = sorted((self.time_at(self._drag[0]), self.time_at(self._drag[1])))
            QToolTip.showText(event.globalPosition().toPoint(),
                              f"{format_clock(start)}–{format_clock(end)}: release to say "
                              "which stage this was", self)
            self.update()
            return
        index = self._marker_at(event.position().x())
        if index >= 0:
            m = self._markers[index]
            QToolTip.showText(event.globalPosition().toPoint(),
                              f"{format_clock(m.at_s)} {m.kind}: {m.label} (click to hear)", self)
        else:
            QToolTip.hideText()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        menu_key = event.key() == Qt.Key.Key_Menu or (
            event.key() == Qt.Key.Key_F10
            and event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if menu_key and self._choices:
            origin = QPoint(0, 0)
            self.contextMenuEvent(QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, origin,
                                                    self.mapToGlobal(origin)))
            return
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
        # The candidate's spans are drawn last, over any coach span they overlap.
        for stage in sorted(self._stages, key=lambda s: s.by_candidate):
            color = stage_color(stage.index)
            span = QRectF(self._x(stage.start_s), track.top(),
                          max(2.0, self._x(stage.end_s) - self._x(stage.start_s)), track.height())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(tinted_base(pal, color, 0.6))
            painter.drawRect(span)
            label = stage.name
            if stage.by_candidate:
                painter.setPen(QPen(text, 1.5, Qt.PenStyle.DashLine))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(span.adjusted(0.75, 0.75, -0.75, -0.75))
                label = f"{stage.name} (yours)"
            painter.setPen(text)
            painter.drawText(span.adjusted(3, 0, -2, 0),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label)
        if self._drag is not None and abs(self._drag[1] - self._drag[0]) >= DRAG_MIN_PX:
            left, right = sorted(self._drag)
            chosen = pal.color(QPalette.ColorRole.Highlight)
            painter.setPen(QPen(chosen, 1))
            chosen.setAlpha(70)
            painter.setBrush(chosen)
            painter.drawRect(QRectF(left, track.top() - 4, right - left, track.height() + 8))
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
