"""History and compare over saved attempts: the schema-1 fixture database, migrated."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.store import Store
from app.ui.history_view import HistoryView

FIXTURE_V1 = Path(__file__).parents[1] / "fixtures" / "store-v1.sqlite3"


@pytest.fixture
def saved(tmp_path: Path) -> Store:
    """The two fixture answers to one question, in a copy of the schema-1 database."""
    db = tmp_path / "sessions.sqlite3"
    db.write_bytes(FIXTURE_V1.read_bytes())
    return Store(db, recordings_dir=tmp_path)


def test_history_lists_summaries_and_reads_the_chosen_attempt_when_opened(qtbot, saved: Store) -> None:
    view = HistoryView(store_factory=lambda: saved)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.refresh()
    items = view.attempt_items()
    assert [i.text(2) for i in items] == ["2/5", "3/5"]
    assert all(i.text(1).endswith("within guide") for i in items)
    assert view.current_attempt is None

    with qtbot.waitSignal(view.attemptOpened, timeout=10_000) as opened:
        view.tree.setCurrentItem(items[1])
    attempt = opened.args[0]
    assert attempt.id == 2 and attempt.feedback is not None
    assert view.current_attempt is attempt
    assert "within the guide" in view.feedback_view.verdict_label.text()


def test_history_exports_the_chosen_session_off_the_gui_thread(qtbot, saved: Store,
                                                                tmp_path: Path) -> None:
    view = HistoryView(store_factory=lambda: saved)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.refresh()
    assert not view.export_button.isEnabled()
    view.tree.setCurrentItem(view.tree.topLevelItem(0))
    assert view.export_button.isEnabled() and view.selected_session_id() == 1
    for fmt in ("pdf", "md"):
        target = tmp_path / f"out.{fmt}"
        with qtbot.waitSignal(view.exported, timeout=30_000) as done:
            view.export_session(1, target, fmt)
        assert done.args[0] == target and target.stat().st_size > 1000
    assert "Key points" in (tmp_path / "out.md").read_text(encoding="utf-8")
