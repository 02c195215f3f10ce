"""Rows that grow to their wrapped text.

QTreeView measures a row from its items' size hints, and the standard delegate's hint
does not know the column's width, so wrapped text keeps one line's height and is cut.
This delegate measures each cell at its column's current width; the view lays its rows
out again whenever a column is resized.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, QTimer
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QTreeView

PADDING_PX = 8


class WrapDelegate(QStyledItemDelegate):
    def __init__(self, view: QTreeView) -> None:
        super().__init__(view)
        self._view = view
        view.setWordWrap(True)
        view.setTextElideMode(Qt.TextElideMode.ElideNone)
        view.setUniformRowHeights(False)
        view.header().sectionResized.connect(self._relayout)

    def sizeHint(self, option: QStyleOptionViewItem,  # noqa: N802 - Qt override
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        base = super().sizeHint(option, index)
        text = index.data(Qt.ItemDataRole.DisplayRole)
        width = self._view.columnWidth(index.column())
        if not text or width <= PADDING_PX:
            return base
        bounds = option.fontMetrics.boundingRect(QRect(0, 0, width - PADDING_PX, 100_000),
                                                 int(Qt.TextFlag.TextWordWrap), str(text))
        return QSize(base.width(), max(base.height(), bounds.height() + 6))

    def _relayout(self, *_: object) -> None:
        QTimer.singleShot(0, self._view, self._view.doItemsLayout)
