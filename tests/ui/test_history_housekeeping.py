"""History housekeeping: delete with a confirmation and Undo, purge at quit (and after a
crash), rename a session, and the disk the recordings use — on a real store and real files."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox, QTreeWidgetItem

from app.errors import StoreError
from app.store import Store, utc_now
from app.ui.history_view import HistoryView
from tests.coach_helpers import sample_feedback

Yes = QMessageBox.StandardButton.Yes
Cancel = QMessageBox.StandardButton.Cancel


class Saved:
    """Two sessions in a real store: Ops with two answers (1000 and 3000 bytes of
    recording), Product with one (500 bytes)."""

    def __init__(self, folder: Path) -> None:
        recordings = folder / "recordings"
        recordings.mkdir()
        self.store = Store(folder / "sessions.sqlite3", recordings_dir=recordings)
        self.ops = self.store.create_session("ops", "Ops interview")
        self.product = self.store.create_session("pm", "Product interview")
        self.files: list[Path] = []
        self.attempts: list[int] = []
        for session_id, question, size in ((self.ops, "Tell me about an outage.", 1000),
                                           (self.ops, "Tell me about a conflict.", 3000),
                                           (self.product, "Which feature would you cut?", 500)):
            audio = recordings / f"answer-{len(self.files)}.wav"
            audio.write_bytes(b"\x01" * size)
            attempt = self.store.start_attempt(session_id, "ops", f"q{len(self.files)}", question,
                                               audio)
            self.store.finish_attempt(attempt, 30.0, {"text": "x", "words": []},
                                      sample_feedback(), {})
            self.files.append(audio)
            self.attempts.append(attempt)


@pytest.fixture
def saved(tmp_path: Path) -> Saved:
    return Saved(tmp_path)


class Asked:
    """Stands in for QMessageBox.question: notes the question and answers as told."""

    def __init__(self, answer: QMessageBox.StandardButton) -> None:
        self.answer = answer
        self.texts: list[str] = []

    def __call__(self, parent: Any, title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        self.texts.append(text)
        return self.answer


def open_view(qtbot: Any, saved: Saved, **kwargs: Any) -> HistoryView:
    view = HistoryView(store_factory=lambda: saved.store, **kwargs)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    qtbot.waitExposed(view)
    with qtbot.waitSignal(view.usageShown, timeout=10_000), \
            qtbot.waitSignal(view.loaded, timeout=10_000):
        view.refresh()
    return view


def item_for(view: HistoryView, question: str) -> QTreeWidgetItem:
    (item,) = [i for i in view.attempt_items() if i.text(0) == question]
    return item


def questions(view: HistoryView) -> list[str]:
    return [i.text(0) for i in view.attempt_items()]


def settled(qtbot: Any, view: HistoryView, usage_text: str) -> None:
    """Wait for the reload and the usage read that follow a change."""
    qtbot.waitUntil(lambda: view.usage_label.text() == usage_text and not view._loading,
                    timeout=10_000)


def test_a_confirmed_delete_hides_the_answer_undo_brings_it_back_and_quit_purges_it(
        qtbot: Any, saved: Saved, monkeypatch: pytest.MonkeyPatch) -> None:
    asked = Asked(Yes)
    monkeypatch.setattr(QMessageBox, "question", asked)
    view = open_view(qtbot, saved)
    assert view.usage_label.text() == "Recordings use 4.5 kB (3 files)."

    outage = item_for(view, "Tell me about an outage.")
    with qtbot.waitSignal(view.attemptOpened, timeout=10_000):
        view.tree.setCurrentItem(outage)
    assert view.feedback_view.isVisible()
    view.activateWindow()
    view.tree.setFocus()
    with qtbot.waitSignal(view.undoChanged, timeout=10_000):
        qtbot.keyClick(view.tree, Qt.Key.Key_Delete)
    assert len(asked.texts) == 1 and "“Tell me about an outage.”" in asked.texts[0]
    assert "Tell me about an outage." not in questions(view)
    assert view.current_attempt is None and not view.feedback_view.isVisible()
    assert view.undo_bar.isVisible()
    assert view.undo_label.text().startswith("Deleted the answer to “Tell me about an outage.”")
    settled(qtbot, view, "Recordings use 3.5 kB (2 files).")
    assert questions(view) == ["Which feature would you cut?", "Tell me about a conflict."]
    assert view.tree.topLevelItem(1).text(2) == "1 answer"
    assert saved.files[0].exists()  # only hidden: Undo can still bring it back
    assert [b.id for b in saved.store.list_briefs(session_id=saved.ops)] == [saved.attempts[1]]

    with qtbot.waitSignal(view.undoChanged, timeout=10_000):
        qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settled(qtbot, view, "Recordings use 4.5 kB (3 files).")
    assert "Tell me about an outage." in questions(view)
    assert not view.undo_bar.isVisible()

    view.tree.setCurrentItem(item_for(view, "Tell me about a conflict."))
    with qtbot.waitSignal(view.undoChanged, timeout=10_000):
        view.delete_button.click()
    settled(qtbot, view, "Recordings use 1.5 kB (2 files).")
    assert saved.files[1].exists()

    QCoreApplication.instance().aboutToQuit.emit()
    assert not saved.files[1].exists()
    assert saved.files[0].exists() and saved.files[2].exists()
    conn = sqlite3.connect(saved.store.path)
    try:
        assert conn.execute("SELECT id FROM attempts ORDER BY id").fetchall() == [
            (saved.attempts[0],), (saved.attempts[2],)]
    finally:
        conn.close()


def test_cancelling_the_confirmation_changes_nothing(
        qtbot: Any, saved: Saved, monkeypatch: pytest.MonkeyPatch) -> None:
    asked = Asked(Cancel)
    monkeypatch.setattr(QMessageBox, "question", asked)
    view = open_view(qtbot, saved)
    top = view.tree.topLevelItem(0)
    view.tree.setCurrentItem(top)

    view.tree.setCurrentItem(view.attempt_items()[0])
    menu = view.context_menu_for(top)  # what a right click on the session offers
    assert menu is not None and view.tree.currentItem() is top
    assert [a.text() for a in menu.actions()] == ["&Delete session…", "Rena&me session…"]
    menu.actions()[0].trigger()
    menu.close()
    assert asked.texts == ["Delete the session “Product interview” "
                           f"({top.text(0).split(' · ')[0]}) with its 1 answer and their "
                           "recordings?\n\nYou can undo this until Greenroom closes."]
    qtbot.wait(50)  # a hide started by mistake would have reported by now
    assert not view.undo_bar.isVisible()
    assert view.tree.topLevelItemCount() == 2 and len(view.attempt_items()) == 3
    assert [s.id for s in saved.store.list_sessions()] == [saved.product, saved.ops]
    assert all(f.exists() for f in saved.files)


def test_a_deleted_session_goes_with_its_answers_and_undo_restores_it(
        qtbot: Any, saved: Saved, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", Asked(Yes))
    view = open_view(qtbot, saved)
    ops = view.tree.topLevelItem(1)
    assert ops.text(0).endswith("· Ops interview")
    view.tree.setCurrentItem(ops)
    with qtbot.waitSignal(view.undoChanged, timeout=10_000):
        view.delete_selected()
    settled(qtbot, view, "Recordings use 500 B (1 file).")
    assert view.tree.topLevelItemCount() == 1
    assert questions(view) == ["Which feature would you cut?"]
    assert view.undo_label.text().startswith("Deleted the session “Ops interview”")

    with qtbot.waitSignal(view.undoChanged, timeout=10_000):
        view.undo_button.click()
    settled(qtbot, view, "Recordings use 4.5 kB (3 files).")
    assert view.tree.topLevelItemCount() == 2 and len(view.attempt_items()) == 3


def test_the_window_purges_at_its_start_what_an_earlier_run_left_hidden(
        qtbot: Any, saved: Saved, tmp_path: Path) -> None:
    from PySide6.QtCore import QSettings

    from app.ui.main_window import MainWindow
    from app.ui.settings_store import SettingsStore

    # Hidden by a run that crashed before it could quit (long after this module was
    # imported: the moment that counts is the window's start, not an import).
    saved.store.hide_attempt(saved.attempts[2])
    before = utc_now()
    window = MainWindow(SettingsStore(QSettings(str(tmp_path / "g.ini"), QSettings.Format.IniFormat)),
                        store_factory=lambda: saved.store)
    qtbot.addWidget(window)
    assert window.run_started >= before
    qtbot.waitUntil(lambda: not saved.files[2].exists(), timeout=10_000)
    with pytest.raises(StoreError, match="no attempt"):
        saved.store.restore_attempt(saved.attempts[2])

    # A delete in this run is this run's undo: the start's purge policy keeps it.
    saved.store.hide_attempt(saved.attempts[0])
    assert saved.store.purge_left_by_earlier_runs(window.run_started) == []
    assert saved.files[0].exists()
    saved.store.restore_attempt(saved.attempts[0])
    history = window.history_view
    with qtbot.waitSignal(history.loaded, timeout=10_000):
        history.refresh()
    assert sorted(questions(history)) == ["Tell me about a conflict.", "Tell me about an outage."]


def test_renaming_a_session_shows_the_new_name(
        qtbot: Any, saved: Saved, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([("Mock with Sam", True), ("", True)])
    asked: list[str] = []

    def get_text(parent: Any, title: str, label: str, *args: Any, text: str = "",
                 **kwargs: Any) -> tuple[str, bool]:
        asked.append(text)
        return next(answers)

    monkeypatch.setattr(QInputDialog, "getText", get_text)
    view = open_view(qtbot, saved)
    view.tree.setCurrentItem(view.tree.topLevelItem(1))
    view.activateWindow()
    view.tree.setFocus()
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        qtbot.keyClick(view.tree, Qt.Key.Key_F2)
    assert view.tree.topLevelItem(1).text(0).endswith("· Mock with Sam")
    assert saved.store.get_session(saved.ops).name == "Mock with Sam"
    assert view.selected_session_id() == saved.ops  # still chosen after the reload

    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.rename_button.click()
    assert asked == ["", "Mock with Sam"]
    assert view.tree.topLevelItem(1).text(0).endswith("· Ops interview")
    assert saved.store.get_session(saved.ops).name is None


def test_the_session_of_the_interview_under_way_is_not_deleted(
        qtbot: Any, saved: Saved, monkeypatch: pytest.MonkeyPatch) -> None:
    asked = Asked(Yes)
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", asked)
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a: told.append(text))
    view = open_view(qtbot, saved)
    view.running_session = lambda: saved.ops  # the practice room is recording into Ops
    ops = view.tree.topLevelItem(1)
    view.tree.setCurrentItem(ops)
    view.delete_selected()
    assert told and "still under way" in told[0] and asked.texts == []
    qtbot.wait(50)
    assert [s.id for s in saved.store.list_sessions()] == [saved.product, saved.ops]
    # Its answers may go one by one; and the other session as a whole.
    view.tree.setCurrentItem(view.tree.topLevelItem(0))
    with qtbot.waitSignal(view.undoChanged, timeout=10_000):
        view.delete_selected()
    assert [s.id for s in saved.store.list_sessions()] == [saved.ops]
