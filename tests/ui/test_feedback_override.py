"""The candidate has the last word, in the window: a key point marked "I did cover this" and
a span marked "This was my Result", saved with the attempt, counted by progress, undone."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QTreeWidgetItem

from app.practice import PracticeSettings
from app.progress import attempt_figures, load_progress
from app.store import Store
from app.ui.feedback_marks import MarkSaver
from app.ui.feedback_view import BY_YOU_MARK, KEY_POINT_MARKS, FeedbackView
from app.ui.history_view import HistoryView
from app.ui.practice_screen import PracticeScreen
from app.ui.widgets.answer_timeline import AnswerTimeline
from audio.sources import WavFileSource
from interview_scripts.loader import parse_script
from models.coach.feedback_model import Feedback
from models.coach.overrides import keep_stored_marks, mark_key_point
from tests.audio_helpers import wait_until
from tests.coach_helpers import sample_feedback
from tests.ollama_loopback import OllamaLoopback
from tests.outage_story import OUTAGE_SCRIPT
from tests.scripted_flow import UNHEARD_POINT, ScriptedEar

pytest_plugins = ("tests.ollama_loopback", "tests.scripted_flow")

FIXTURE_V1 = Path(__file__).parent.parent / "fixtures" / "store-v1.sqlite3"


@pytest.fixture
def saved(tmp_path: Path) -> Store:
    """Two answers saved by an older Greenroom (the schema-1 database, migrated on open)."""
    db = tmp_path / "sessions.sqlite3"
    db.write_bytes(FIXTURE_V1.read_bytes())
    return Store(db, recordings_dir=tmp_path)


def open_first_attempt(qtbot, saved: Store) -> HistoryView:
    view = HistoryView(store_factory=lambda: saved)
    qtbot.addWidget(view)
    view.resize(1100, 800)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.refresh()
    with qtbot.waitSignal(view.attemptOpened, timeout=10_000):
        view.tree.setCurrentItem(view.attempt_items()[0])
    return view


def key_point_row(view: FeedbackView, *statuses: str) -> tuple[int, QTreeWidgetItem]:
    feedback = view.feedback
    assert feedback is not None
    index = next(i for i, p in enumerate(feedback.key_points) if p.status in statuses)
    return index, view.key_points.topLevelItem(index)


def covered_figure(store: Store, attempt_id: int) -> int:
    (question,) = load_progress(store)
    return next(attempt_figures(a) for a in question.attempts
                if a.id == attempt_id)["key_points_covered"]


def drag(widget: AnswerTimeline, x1: float, x2: float, y: int = 40) -> None:
    """A left-button drag: press, a move with the button held, release."""
    qtbot_events = [
        (QEvent.Type.MouseButtonPress, x1, Qt.MouseButton.LeftButton),
        (QEvent.Type.MouseMove, (x1 + x2) / 2, Qt.MouseButton.NoButton),
        (QEvent.Type.MouseMove, x2, Qt.MouseButton.NoButton),
        (QEvent.Type.MouseButtonRelease, x2, Qt.MouseButton.LeftButton),
    ]
    for kind, x, button in qtbot_events:
        held = (Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease
                else Qt.MouseButton.LeftButton)
        local = QPointF(x, y)
        event = QMouseEvent(kind, local, widget.mapToGlobal(local), button, held,
                            Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(widget, event)


def test_a_key_point_marked_covered_is_shown_as_yours_saved_and_counted(qtbot, saved: Store) -> None:
    view = open_first_attempt(qtbot, saved)
    fv = view.feedback_view
    attempt_id = view.current_attempt.id
    before = covered_figure(saved, attempt_id)
    row_text = view.attempt_items()[0].text(2)
    assert row_text == f"{before}/5"
    # Rows this old called a point the words did not find "missing".
    index, item = key_point_row(fv, "not_heard", "missing")
    status = fv.feedback.key_points[index].status
    assert item.text(0) == KEY_POINT_MARKS[status]
    assert fv.point_marks.isVisible()

    # From the keyboard: choose the row, then Space on "I did cover this".
    fv.key_points.setFocus()
    fv.key_points.setCurrentItem(item)
    assert fv.mark_point_button.isEnabled() and not fv.unmark_point_button.isEnabled()
    with qtbot.waitSignal(view.mark_saver.saved, timeout=10_000):
        qtbot.keyClick(fv.mark_point_button, Qt.Key.Key_Space)
    row = fv.key_point_rows()[index]
    assert row[0] == BY_YOU_MARK
    assert row[2].startswith("The coach: not heard" if status == "not_heard" else "The coach: missing")
    assert "counted covered on your own word" in fv.key_points_lead.text()
    stored = saved.get_attempt(attempt_id).feedback
    assert stored.key_points[index].candidate_says == "covered"
    assert stored.key_points[index].status == status  # what the coach heard stays
    assert covered_figure(saved, attempt_id) == before + 1
    assert view.attempt_items()[0].text(2) == f"{before + 1}/5"
    assert fv.unmark_point_button.isEnabled() and not fv.mark_point_button.isEnabled()
    # A replay opened now shows the answer as marked, without reading it again.
    assert view.current_attempt.feedback.key_points[index].candidate_says == "covered"

    with qtbot.waitSignal(view.mark_saver.saved, timeout=10_000):
        qtbot.keyClick(fv.unmark_point_button, Qt.Key.Key_Space)
    assert fv.key_point_rows()[index][0] == KEY_POINT_MARKS[status]
    assert saved.get_attempt(attempt_id).feedback.key_points[index].candidate_says is None
    assert covered_figure(saved, attempt_id) == before
    assert view.attempt_items()[0].text(2) == row_text


def test_the_key_point_context_menu_offers_the_mark_and_its_undo(qtbot) -> None:
    fv = FeedbackView()
    qtbot.addWidget(fv)
    fv.show_feedback(sample_feedback())
    covered_index, covered = key_point_row(fv, "covered")
    pos = fv.key_points.visualItemRect(covered).center()
    # Marks are off until an owner saves them: no menu at all.
    fv.key_points.customContextMenuRequested.emit(pos)
    assert fv.key_point_menu is None and not fv.point_marks.isVisible()

    fv.set_marks_enabled(True)
    fv.key_points.customContextMenuRequested.emit(pos)
    assert fv.key_point_menu.actions() == []  # already covered by the coach: nothing to say
    index, item = key_point_row(fv, "not_heard")
    fv.key_points.customContextMenuRequested.emit(fv.key_points.visualItemRect(item).center())
    (action,) = fv.key_point_menu.actions()
    assert action.text() == "I did cover this"
    with qtbot.waitSignal(fv.feedbackEdited) as edited:
        action.trigger()
    assert edited.args[0].key_points[index].effective_status == "covered"
    fv.key_point_menu.close()
    fv.key_points.customContextMenuRequested.emit(
        fv.key_points.visualItemRect(fv.key_points.topLevelItem(index)).center())
    assert [a.text() for a in fv.key_point_menu.actions()] == ["Undo my mark"]
    fv.key_point_menu.close()


def test_a_span_dragged_on_the_timeline_becomes_your_result_and_undo_restores(
        qtbot, saved: Store) -> None:
    view = open_first_attempt(qtbot, saved)
    fv = view.feedback_view
    attempt_id = view.current_attempt.id
    coach = fv.feedback.model_copy(deep=True)
    result = next(s for s in coach.structure.stages if s.name == "Result")
    assert result.confidence != "candidate"
    timeline = fv.timeline
    assert timeline.stage_choices == [s.name for s in coach.structure.stages]
    duration = coach.duration_s
    start, end = duration * 0.55, duration * 0.9
    x1 = timeline._x(start)  # noqa: SLF001 - where those times are drawn
    x2 = timeline._x(end)  # noqa: SLF001
    drag(timeline, x1, x2)
    menu = timeline.stage_menu
    assert menu is not None and menu.isVisible()
    mine = next(a for a in menu.actions() if a.text().startswith("This was my Result"))
    with qtbot.waitSignal(view.mark_saver.saved, timeout=10_000):
        mine.trigger()
    menu.close()
    spans = {s.name: s for s in timeline.stages}
    assert spans["Result"].by_candidate
    assert abs(spans["Result"].start_s - start) < 2.0 and abs(spans["Result"].end_s - end) < 2.0
    assert "Result ✔ yours (the coach:" in fv.structure_label.text()
    stored = next(s for s in saved.get_attempt(attempt_id).feedback.structure.stages
                  if s.name == "Result")
    assert stored.confidence == "candidate" and stored.coach["start_s"] == result.start_s

    # Right-click a moment: the menu offers the undo.
    point = QPoint(round(timeline._x(duration * 0.2)), 40)  # noqa: SLF001
    QApplication.sendEvent(timeline, QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, point, timeline.mapToGlobal(point)))
    assert "(at " in timeline.stage_menu.actions()[0].text()  # a moment, its span chosen later
    undo = next(a for a in timeline.stage_menu.actions() if a.text() == "Undo my Result")
    with qtbot.waitSignal(view.mark_saver.saved, timeout=10_000):
        undo.trigger()
    timeline.stage_menu.close()
    assert not any(s.by_candidate for s in timeline.stages)
    assert saved.get_attempt(attempt_id).feedback.to_dict() == coach.to_dict()


def test_a_stage_marked_from_the_keyboard_takes_its_gap(qtbot) -> None:
    feedback = sample_feedback()
    fv = FeedbackView()
    qtbot.addWidget(fv)
    fv.set_marks_enabled(True)
    fv.show_feedback(feedback)
    assert not fv.unmark_stage_button.isEnabled()
    fv.stage_choice.setFocus()
    fv.stage_choice.setCurrentText("Result")
    assert fv.mark_stage_button.text() == "&This was my Result"
    with qtbot.waitSignal(fv.feedbackEdited) as edited:
        qtbot.keyClick(fv.mark_stage_button, Qt.Key.Key_Space)
    result = edited.args[0].structure.stages[3]
    action_end = feedback.structure.stages[2].end_s
    assert (result.confidence, result.start_s) == ("candidate", action_end)
    assert fv.unmark_stage_button.isEnabled()
    # The timeline's own menu key opens the stage menu too, without a mouse.
    fv.timeline.setFocus()
    qtbot.keyClick(fv.timeline, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    texts = [a.text() for a in fv.timeline.stage_menu.actions() if a.text()]
    assert "This was my Situation" in texts and "Undo my Result" in texts
    fv.timeline.stage_menu.close()
    with qtbot.waitSignal(fv.feedbackEdited) as undone:
        qtbot.keyClick(fv.unmark_stage_button, Qt.Key.Key_Space)
    assert undone.args[0].to_dict() == feedback.to_dict()


def test_marks_made_before_the_answer_is_coached_again_are_kept(qtbot, tmp_path: Path) -> None:
    """The practice room shows feedback at once, then the whole-answer pass and the LLM
    save newer feedback: the marks already stored are kept on it, and a mark made on the
    older feedback shown lands on the newer one stored, without undoing it."""
    store = Store(tmp_path / "db.sqlite3", recordings_dir=tmp_path)
    session = store.create_session("s", "Interview")
    attempt = store.start_attempt(session, "s", "outage", "An outage?", None)
    first = sample_feedback()
    store.finish_attempt(attempt, 26.0, None, first, {})
    fv = FeedbackView()
    qtbot.addWidget(fv)
    saver = MarkSaver(lambda: store)
    saver.attach(fv, lambda: attempt)
    fv.show_feedback(first)
    index, _ = key_point_row(fv, "not_heard")
    with qtbot.waitSignal(saver.saved, timeout=10_000):
        fv.mark_key_point(index)

    # The refined answer saved as PracticeSession saves it, keeping stored marks (the
    # practice-room tests at the end run the flow itself).
    refined = sample_feedback().model_copy(update={"words": first.words + 1})
    saved = store.change_feedback(attempt, lambda stored: keep_stored_marks(stored, refined))
    assert saved is not None and saved.key_points[index].candidate_says == "covered"
    assert saved.words == first.words + 1
    # The screen shows the refined feedback with the mark (it may still be on its way).
    assert saver.carry(attempt, refined).key_points[index].candidate_says == "covered"

    # Newer feedback stored (the LLM's review) while the view still shows the first: a
    # second mark, made on that older view, keeps the newer feedback.
    reviewed = saved.model_copy(update={"words": first.words + 2})
    store.update_feedback(attempt, reviewed)
    # sample_feedback has three points not heard: take another one.
    other = next(i for i, p in enumerate(first.key_points) if p.status == "not_heard" and i != index)
    with qtbot.waitSignal(saver.saved, timeout=10_000):
        fv.mark_key_point(other)
    stored = store.get_attempt(attempt).feedback
    assert stored.words == first.words + 2  # the newer save is not overwritten
    assert stored.key_points[index].candidate_says == "covered"
    assert stored.key_points[other].candidate_says == "covered"
    # Undo on the older view removes that one mark from what is stored, and only it.
    with qtbot.waitSignal(saver.saved, timeout=10_000):
        fv.mark_key_point(other, covered=False)
    stored = store.get_attempt(attempt).feedback
    assert stored.words == first.words + 2
    assert stored.key_points[other].candidate_says is None
    assert stored.key_points[index].candidate_says == "covered"



def test_saves_waiting_for_two_answers_are_each_written(qtbot, tmp_path: Path) -> None:
    """A mark on this answer waits while an earlier answer's save runs: neither is lost."""
    store = Store(tmp_path / "db.sqlite3", recordings_dir=tmp_path)
    session = store.create_session("s", "Interview")
    first = sample_feedback()
    attempts = []
    for question in ("outage", "conflict"):
        attempt = store.start_attempt(session, "s", question, "Q?", None)
        store.finish_attempt(attempt, 26.0, None, first, {})
        attempts.append(attempt)
    index = next(i for i, p in enumerate(first.key_points) if p.status == "not_heard")
    marked = mark_key_point(first, index)
    saver = MarkSaver(lambda: store)
    saver.save(attempts[0], marked)  # runs at once
    saver.save(attempts[1], marked)  # waits
    saver.save(attempts[0], first)   # waits too: the undo of the first answer's mark
    qtbot.waitUntil(lambda: not saver.busy, timeout=10_000)
    assert store.get_attempt(attempts[1]).feedback.key_points[index].candidate_says == "covered"
    assert store.get_attempt(attempts[0]).feedback.key_points[index].candidate_says is None


def test_carry_gives_a_mark_taken_back_as_taken_back(qtbot, tmp_path: Path) -> None:
    """Newer feedback from the flow may still carry a mark the candidate just undid."""
    store = Store(tmp_path / "db.sqlite3", recordings_dir=tmp_path)
    session = store.create_session("s", "Interview")
    attempt = store.start_attempt(session, "s", "outage", "An outage?", None)
    first = sample_feedback()
    store.finish_attempt(attempt, 26.0, None, first, {})
    fv = FeedbackView()
    qtbot.addWidget(fv)
    saver = MarkSaver(lambda: store)
    saver.attach(fv, lambda: attempt)
    fv.show_feedback(first)
    index = next(i for i, p in enumerate(first.key_points) if p.status == "not_heard")
    with qtbot.waitSignal(saver.saved, timeout=10_000):
        fv.mark_key_point(index)
    still_marked = mark_key_point(first, index)  # built by the flow before the undo landed
    with qtbot.waitSignal(saver.saved, timeout=10_000):
        fv.mark_key_point(index, covered=False)
    assert saver.carry(attempt, still_marked).key_points[index].candidate_says is None
    assert saver.carry(attempt + 1, still_marked) is still_marked  # never edited here


def test_marks_made_on_one_answer_in_two_views_are_all_kept(qtbot, tmp_path: Path) -> None:
    """The practice room and History can show the same answer: each saves only the mark it
    changed, so neither wipes out what the other marked."""
    store = Store(tmp_path / "db.sqlite3", recordings_dir=tmp_path)
    session = store.create_session("s", "Interview")
    attempt = store.start_attempt(session, "s", "outage", "An outage?", None)
    first = sample_feedback()
    store.finish_attempt(attempt, 26.0, None, first, {})
    a, b, c = [i for i, p in enumerate(first.key_points) if p.status == "not_heard"][:3]
    views = []
    for _ in range(2):
        view, saver = FeedbackView(), MarkSaver(lambda: store)
        qtbot.addWidget(view)
        saver.attach(view, lambda: attempt)
        view.show_feedback(first)  # both opened before any mark
        views.append((view, saver))
    (room, room_saver), (history, history_saver) = views
    with qtbot.waitSignal(room_saver.saved, timeout=10_000):
        room.mark_key_point(a)
    with qtbot.waitSignal(history_saver.saved, timeout=10_000):
        history.mark_key_point(b)
    with qtbot.waitSignal(room_saver.saved, timeout=10_000):
        room.mark_key_point(c)
    stored = store.get_attempt(attempt).feedback
    assert [stored.key_points[i].candidate_says for i in (a, b, c)] == ["covered"] * 3
    with qtbot.waitSignal(history_saver.saved, timeout=10_000):
        history.mark_key_point(b, covered=False)  # History's undo takes back only its own
    stored = store.get_attempt(attempt).feedback
    assert [stored.key_points[i].candidate_says for i in (a, b, c)] == ["covered", None, "covered"]


# -- the practice room, on the flow's own refined and reviewed feedback ------------------


class PracticeRoom:
    """A practice screen running one answer through the real flow (tests/scripted_flow.py),
    and what it showed each time the refined and the reviewed feedback arrived."""

    def __init__(self, qtbot, store: Store, answer: Path, host: str) -> None:
        self.store = store
        self.screen = PracticeScreen(store_factory=lambda: store)
        qtbot.addWidget(self.screen)
        self.screen.resize(1100, 800)
        self.screen.show()
        # (which, the feedback the flow sent, the key point rows on screen after the screen's
        # own slot ran): connected after the screen's, so they run after it.
        self.arrived: list[tuple[str, Feedback, list[tuple[str, str, str, str]]]] = []
        bridge = self.screen.bridge
        bridge.transcriptRefined.connect(lambda _a, f: self._arrived("refined", f))
        bridge.llmDone.connect(lambda _a, f: self._arrived("reviewed", f))
        script = parse_script(OUTAGE_SCRIPT, "outage.yaml")
        assert self.screen.start(script, script.questions,
                                 PracticeSettings(speak_questions=False, ollama_host=host),
                                 source_factory=lambda _q: WavFileSource(answer, realtime=False))
        qtbot.waitUntil(lambda: self.screen.shown_attempt_id is not None, timeout=30_000)
        self.attempt_id = self.screen.shown_attempt_id
        self.view = self.screen.feedback_view
        self.index = next(i for i, p in enumerate(self.view.feedback.key_points)
                          if p.text == UNHEARD_POINT)

    def _arrived(self, which: str, feedback: Feedback) -> None:
        self.arrived.append((which, feedback, self.view.key_point_rows()))

    def stored(self) -> Feedback:
        feedback = self.store.get_attempt(self.attempt_id).feedback
        assert feedback is not None
        return feedback

    def close(self) -> None:
        session = self.screen.release()
        if session is not None:
            session.close()


@pytest.fixture
def practice_room(qtbot, tmp_path: Path, held_ear: ScriptedEar, tone_answer: Path,
                  ollama_loopback: OllamaLoopback):
    store = Store(tmp_path / "db.sqlite3", recordings_dir=tmp_path)
    room = PracticeRoom(qtbot, store, tone_answer, ollama_loopback.host)
    yield room
    held_ear.go.set()
    room.close()


def test_the_practice_room_keeps_a_mark_on_the_refined_and_reviewed_feedback(
        qtbot, practice_room: PracticeRoom, held_ear: ScriptedEar) -> None:
    """Marked on the instant feedback while the whole answer is still being transcribed:
    the flow saves the refined and reviewed feedback with it, and the room shows it."""
    room, i = practice_room, practice_room.index
    assert room.view.key_point_rows()[i][0] == KEY_POINT_MARKS["not_heard"]
    assert held_ear.waiting.wait(10) and not room.arrived  # coached again only once let go
    with qtbot.waitSignal(room.screen.mark_saver.saved, timeout=10_000):
        room.view.mark_key_point(i)
    held_ear.go.set()
    qtbot.waitUntil(lambda: len(room.arrived) == 2, timeout=30_000)

    assert [which for which, _, _ in room.arrived] == ["refined", "reviewed"]
    for which, feedback, rows in room.arrived:
        assert feedback.key_points[i].candidate_says == "covered", which  # the flow kept it
        assert rows[i][0] == BY_YOU_MARK, which
    refined, reviewed = room.arrived[0][1], room.arrived[1][1]
    assert refined.transcript.text.startswith("Last winter") and reviewed.llm is not None
    assert room.view.key_point_rows()[i][0] == BY_YOU_MARK
    stored = room.stored()
    assert stored.llm is not None and stored.transcript.text == refined.transcript.text
    assert (stored.key_points[i].status, stored.key_points[i].candidate_says) == (
        "not_heard", "covered")


def test_the_practice_room_shows_a_mark_taken_back_while_the_answer_was_coached_again(
        qtbot, practice_room: PracticeRoom, held_ear: ScriptedEar) -> None:
    """The flow saved the refined and reviewed feedback with the mark, and sent them; the
    candidate takes the mark back before the window has drawn either: both are drawn
    without it, and the store has it taken back."""
    room, i = practice_room, practice_room.index
    with qtbot.waitSignal(room.screen.mark_saver.saved, timeout=10_000):
        room.view.mark_key_point(i)
    held_ear.go.set()
    # Waiting without running the window's events: the flow's signals stay queued.
    assert wait_until(lambda: room.stored().llm is not None, timeout=30)
    assert room.arrived == []
    with qtbot.waitSignal(room.screen.mark_saver.saved, timeout=10_000):
        room.view.mark_key_point(i, covered=False)
    qtbot.waitUntil(lambda: len(room.arrived) == 2, timeout=30_000)

    assert [which for which, _, _ in room.arrived] == ["refined", "reviewed"]
    for which, feedback, rows in room.arrived:
        assert feedback.key_points[i].candidate_says == "covered", which  # sent with the mark
        assert rows[i][0] == KEY_POINT_MARKS["not_heard"], which  # drawn without it
    assert room.view.key_point_rows()[i][0] == KEY_POINT_MARKS["not_heard"]
    assert room.stored().key_points[i].candidate_says is None
