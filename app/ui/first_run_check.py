"""The first-run check: what `greenroom doctor` finds, with how to fix each problem."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.widgets.colors import BAND_COLORS
from app.ui.widgets.text import table_tree

STATUS_MARKS = {"ok": "✔ OK", "warning": "▲ Warning", "problem": "✘ Problem"}
STATUS_COLORS = {"ok": BAND_COLORS["in_zone"], "warning": BAND_COLORS["keep_going"],
                 "problem": BAND_COLORS["wrap_up"]}


def check_status(check: Any) -> str:
    """'ok' | 'warning' | 'problem' from a Check (or anything with ``ok``)."""
    status = getattr(check, "status", None)
    if status in STATUS_MARKS:
        return str(status)
    return "ok" if getattr(check, "ok", False) else "problem"


def run_checks() -> list[Any]:
    """The doctor's checks (slow: call from a worker)."""
    from app.doctor import run_checks as doctor_checks

    return doctor_checks()


class FirstRunDialog(QDialog):
    """Shows a list of checks (name, status, detail, fix); takes the list, so it can be
    filled from a worker and tested without probing the machine."""

    def __init__(self, checks: Sequence[Any] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Greenroom — checking your setup")
        self.resize(760, 420)
        layout = QVBoxLayout(self)
        self.summary = QLabel("Checking your microphone, speech, models and the local LLM…")
        self.summary.setObjectName("checkSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.tree = table_tree("checkTree", ["Check", "Status", "What was found", "How to fix"],
                               stretch={2, 3})
        layout.addWidget(self.tree, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        if checks is not None:
            self.set_checks(checks)

    def set_checks(self, checks: Sequence[Any]) -> None:
        self.tree.clear()
        counts = {"ok": 0, "warning": 0, "problem": 0}
        for check in checks:
            status = check_status(check)
            counts[status] += 1
            item = QTreeWidgetItem([str(getattr(check, "name", "")), STATUS_MARKS[status],
                                    str(getattr(check, "detail", "")),
                                    str(getattr(check, "fix", "") or ("—" if status == "ok" else ""))])
            item.setForeground(1, STATUS_COLORS[status])
            for column in (2, 3):
                item.setToolTip(column, item.text(column))
            self.tree.addTopLevelItem(item)
        if counts["problem"]:
            text = (f"{counts['problem']} problem(s) need fixing before practice works fully; "
                    "each row says how.")
        elif counts["warning"]:
            text = f"Ready to practise. {counts['warning']} warning(s): Greenroom works without these."
        else:
            text = "Everything is ready. Good luck!"
        self.summary.setText(text)

    def show_failure(self, message: str) -> None:
        self.summary.setText(f"The checks could not run: {message}")
