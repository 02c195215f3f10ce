"""History and compare over saved attempts: the schema-1 fixture database, migrated."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.store import Store
from app.ui.history_view import HistoryView
from tests.audio_helpers import marked_recording

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


def test_history_exports_the_chosen_session_off_the_gui_thread(
        qtbot, saved: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from PySide6.QtCore import QThread

    from app import export

    # The one export entry point, noting the thread each export really ran on.
    ran_on: list[tuple[threading.Thread, QThread]] = []
    real_export = export.export_session

    def noting_thread(*args: object, **kwargs: object) -> Path:
        ran_on.append((threading.current_thread(), QThread.currentThread()))
        return real_export(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(export, "export_session", noting_thread)
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
    gui = view.thread()
    assert gui is QThread.currentThread() and threading.current_thread() is threading.main_thread()
    assert len(ran_on) == 2
    for thread, qthread in ran_on:
        assert thread is not threading.main_thread() and qthread is not gui


class RecordingPlayer:
    """Stands in for the speaker: keeps what was played, in order, and plays instantly."""

    played: list[tuple[np.ndarray, int]] = []

    def play_array(self, audio: np.ndarray, rate: int, **_: object) -> None:
        RecordingPlayer.played.append((np.array(audio, copy=True), rate))

    def wait(self, timeout: float | None = None) -> bool:
        return True

    def stop(self) -> None:
        pass


def test_the_key_point_diff_of_two_known_attempts(saved: Store) -> None:
    from app.progress import changes, key_point_diff

    first, second = (b.summary for b in saved.list_briefs(oldest_first=True))
    assert first is not None and second is not None
    diff = key_point_diff(first, second)
    assert diff.newly_covered == ("Quantified the customer impact in minutes of downtime",
                                  "Added an automated canary check to the pipeline")
    assert diff.newly_missed == ("Kept stakeholders updated on the status page",)
    assert diff.still_missed == ("Ran a blameless post-mortem",)
    back = key_point_diff(second, first)
    assert back.newly_covered == ("Kept stakeholders updated on the status page",)
    assert back.newly_missed == ("Added an automated canary check to the pipeline",)
    improved, worse = changes(first, second)
    assert improved == "Improved: 1 more key point(s) covered; 3.0 fewer fillers a minute."
    assert worse == "Got worse: nothing measurable."
    assert changes(second, first) == ("Improved: nothing measurable.",
                                      "Got worse: 1 fewer key point(s) covered; 3.0 more fillers a minute.")


def test_compare_lists_every_attempt_and_compares_two(qtbot, saved: Store, tmp_path: Path) -> None:
    from app.ui.compare_view import CLIP_S, CompareView

    # Give both attempts a recording that says where it is: each its own steady level, and
    # from every key point's evidence on, a level of that point's own for a second.
    levels: dict[tuple[int, str], float] = {}
    bases = {1: 0.1, 2: 0.3}
    conn = __import__("sqlite3").connect(saved.path)
    for brief in saved.list_briefs(oldest_first=True):
        assert brief.summary is not None
        marks = {}
        for point in brief.summary.key_points:
            if point.start_s is not None:
                levels[brief.id, point.text] = marks[point.start_s] = 0.4 + 0.05 * len(levels)
        wav = marked_recording(tmp_path / f"answer-{brief.id}.wav", 40.0, bases[brief.id], marks)
        conn.execute("UPDATE attempts SET audio_path = ? WHERE id = ?", (str(wav), brief.id))
    conn.commit()
    conn.close()

    RecordingPlayer.played = []
    view = CompareView(store_factory=lambda: saved, player_factory=RecordingPlayer)
    qtbot.addWidget(view)
    view.resize(1280, 720)
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.load_question("incident-leadership", "incident")
    table = view.table
    assert table.topLevelItemCount() == 2
    rows = [[table.topLevelItem(r).text(c) for c in range(8)] for r in range(2)]
    assert [r[1].split(" ", 1)[1] for r in rows] == ["within guide", "within guide"]
    assert [r[6] for r in rows] == ["2/5", "3/5"]
    assert [r[3] for r in rows] == ["134", "124"] and [r[4] for r in rows] == ["3.0", "0.0"]
    assert rows[1][7].startswith("Situation 0:00–0:05 · Action 0:06–0:16 · Result 0:17–0:27")

    # The last two are compared at once, oldest first, on one time scale.
    assert [a.id for a in view.chosen()] == [1, 2]
    assert view.first_timeline._duration == view.second_timeline._duration
    text = view.diff_label.text()
    assert "<b>Newly covered:</b> Quantified the customer impact in minutes of downtime; " \
           "Added an automated canary check to the pipeline" in text
    assert "<b>Not heard this time:</b> Kept stakeholders updated on the status page" in text
    assert view.improved_label.text().startswith("Improved: 1 more key point(s) covered")
    assert view.worse_label.text() == "Got worse: nothing measurable."

    view.choose(2, 1)
    assert "<b>Not heard this time:</b> Added an automated canary check to the pipeline" in view.diff_label.text()

    # The same key point from both, back to back: attempt 2's clip, then attempt 1's, each
    # from a moment before the point's evidence (its own level comes in 0.3 s into the clip).
    for point in ("Rolled back the bad deploy",
                  "Quantified the customer impact in minutes of downtime"):
        RecordingPlayer.played = []
        view.point_box.setCurrentIndex(view.point_box.findText(point))
        with qtbot.waitSignal(view.clipsPlayed, timeout=10_000):
            view.play_key_point()
        assert len(RecordingPlayer.played) == 2, point
        for attempt_id, (clip, rate) in zip((2, 1), RecordingPlayer.played, strict=True):
            lead = round(0.3 * rate)
            assert len(clip) == round(CLIP_S * rate)
            assert np.allclose(clip[:lead - 2], bases[attempt_id], atol=1e-3), (point, attempt_id)
            assert np.allclose(clip[lead + 2:lead + rate - 2], levels[attempt_id, point],
                               atol=1e-3), (point, attempt_id)
    view.shutdown()


def _palette(dark: bool):  # -> QPalette
    from PySide6.QtGui import QColor, QPalette

    palette = QPalette()
    if dark:
        for role, colour in ((QPalette.ColorRole.Window, "#202124"), (QPalette.ColorRole.Base, "#17181a"),
                             (QPalette.ColorRole.WindowText, "#e8eaed"), (QPalette.ColorRole.Text, "#e8eaed"),
                             (QPalette.ColorRole.Button, "#303134"), (QPalette.ColorRole.ButtonText, "#e8eaed"),
                             (QPalette.ColorRole.Highlight, "#8ab4f8"),
                             (QPalette.ColorRole.HighlightedText, "#202124")):
            palette.setColor(role, QColor(colour))
    return palette


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_history_feedback_leads_with_three_things_in_full_at_1280x720(qtbot, saved: Store,
                                                                      dark: bool) -> None:
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    before = app.palette()
    app.setPalette(_palette(dark))
    try:
        view = HistoryView(store_factory=lambda: saved)
        qtbot.addWidget(view)
        view.resize(1280, 720)
        view.show()
        with qtbot.waitSignal(view.loaded, timeout=10_000):
            view.refresh()
        # Nothing chosen: an honest prompt, not "working on it" over empty tables.
        assert not view.feedback_view.isVisible()
        assert view.attempt_title.text().startswith("Choose an answer")
        # Each question is shown whole.
        item = view.attempt_items()[0]
        assert view.tree.textElideMode() == Qt.TextElideMode.ElideNone and view.tree.wordWrap()

        with qtbot.waitSignal(view.attemptOpened, timeout=10_000):
            view.tree.setCurrentItem(item)
        fv = view.feedback_view
        assert fv.isVisible()
        assert fv.verdict_label.text() == "Spoke for 0:20: within the guide (guide 20-40 seconds)."
        assert fv.key_points_lead.text() == (
            "You missed 2 of 5 key points: Ran a blameless post-mortem; Added an automated canary "
            "check to the pipeline. Only touched on: Quantified the customer impact in minutes of "
            "downtime.")
        assert fv.note_lead.text() == ("Most useful note: No Result stage was heard: land the "
                                       "outcome with a number, then what you learned.")
        qtbot.wait(50)
        # Every note and evidence quote is shown whole: its row is as tall as its wrapped text.
        for tree, column in ((fv.notes, 1), (fv.key_points, 2)):
            assert tree.textElideMode() == Qt.TextElideMode.ElideNone
            width = tree.columnWidth(column)
            for i in range(tree.topLevelItemCount()):
                row = tree.topLevelItem(i)
                needed = tree.fontMetrics().boundingRect(
                    QRect(0, 0, max(1, width - 8), 10_000), Qt.TextFlag.TextWordWrap,
                    row.text(column)).height()
                assert tree.visualItemRect(row).height() >= needed, row.text(column)
            assert tree.height() >= sum(tree.visualItemRect(tree.topLevelItem(i)).height()
                                        for i in range(tree.topLevelItemCount()))
        notes = [fv.notes.topLevelItem(i) for i in range(fv.notes.topLevelItemCount())]
        assert notes[0].text(0) == "0:15"  # a timed note carries its time
        # The lead reads against the palette: light text on dark, dark text on light.
        image = fv.note_lead.grab().toImage()
        lightness = [image.pixelColor(x, y).lightness() for x in range(0, image.width(), 3)
                     for y in range(image.height())]
        background = fv.note_lead.palette().color(fv.note_lead.backgroundRole()).lightness()
        ink = [v for v in lightness if abs(v - background) > 100]
        assert len(ink) > 50
        assert (background < 100) == dark
    finally:
        app.setPalette(before)


def test_compare_shows_each_answer_with_its_follow_up_as_one_thread(qtbot, tmp_path: Path) -> None:
    from app.ui.compare_view import FOLLOW_UP_COLUMN, CompareView
    from tests.coach_helpers import sample_feedback
    from tests.thread_helpers import CANARY, FOLLOW_UP, answer_with_follow_up

    store = Store(tmp_path / "db.sqlite3", recordings_dir=tmp_path)
    session = store.create_session("ops", "Ops interview")
    plain = store.start_attempt(session, "ops", "incident", "Tell me about an outage you led.", None)
    store.finish_attempt(plain, 26.0, None, sample_feedback("incident"), {})
    answer, reply = answer_with_follow_up(store, session)
    quiet, _ = answer_with_follow_up(store, session, reply_text=None, asked_by="llm")

    view = CompareView(store_factory=lambda: store)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.load_question("ops", "incident")
    # Three answers; the replies are in their answers' rows, never attempts of their own.
    assert [a.id for a in view.attempts] == [plain, answer, quiet]
    assert reply not in [view.first_box.itemData(i) for i in range(view.first_box.count())]
    assert view.table.topLevelItemCount() == 3
    cells = [view.table.topLevelItem(r).text(FOLLOW_UP_COLUMN) for r in range(3)]
    assert cells == ["none asked", f"Asked, answered; +1 key point: “{FOLLOW_UP}”",
                     f"Asked (local LLM), not answered: “{FOLLOW_UP}”"]
    assert [view.table.topLevelItem(r).text(6) for r in range(3)] == [
        "1/5", "2/5 (1 in the follow-up)", "1/5"]
    assert CANARY in view.table.topLevelItem(1).toolTip(FOLLOW_UP_COLUMN)
    assert [view.first_box.itemText(i).endswith(" + follow-up") for i in range(3)] == [False, True, True]

    # The plain answer against the one whose follow-up made the canary check.
    view.choose(plain, answer)
    text = view.diff_label.text()
    assert f"<b>Covered in the follow-up:</b> {CANARY}" in text
    assert "Newly covered" not in text and CANARY not in text.split("Covered in the follow-up")[0]
    assert view.improved_label.text() == "Improved: 1 more key point(s) covered counting the follow-up."
    # And back: the point the follow-up made is not heard in the plain answer.
    view.choose(answer, plain)
    assert f"<b>Not heard this time:</b> {CANARY}" in view.diff_label.text()
    assert "Covered in the follow-up" not in view.diff_label.text()
    view.shutdown()
