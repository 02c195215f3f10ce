"""Shared set-up for headings and the plain table views, so every screen looks alike."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QLabel, QTreeWidget


def enlarge(label: QLabel, scale: float, bold: bool = False) -> QLabel:
    """Scale the label's font from the system size, so it follows the user's settings."""
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    if bold:
        font.setBold(True)
    label.setFont(font)
    return label


def heading(text: str) -> QLabel:
    """A screen's title."""
    return enlarge(QLabel(text), 1.6, bold=True)


def table_tree(object_name: str, headers: list[str], stretch: set[int]) -> QTreeWidget:
    """A flat, word-wrapping list with columns: ``stretch`` share the spare width, the
    others fit their contents."""
    tree = QTreeWidget()
    tree.setObjectName(object_name)
    tree.setHeaderLabels(headers)
    tree.setRootIsDecorated(False)
    tree.setWordWrap(True)
    header = tree.header()
    for column in range(len(headers)):
        mode = (QHeaderView.ResizeMode.Stretch if column in stretch
                else QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(column, mode)
    return tree
