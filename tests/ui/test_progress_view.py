"""The Progress tab: charts over real saved attempts, the practise-next list, and starting
an interview of the chosen questions from it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QImage, QPalette

from app import paths
from app.store import Store
from app.ui.progress_view import (
    ALL_QUESTIONS,
    EMPTY_TEXT,
    ProgressView,
    load_progress_data,
    reason_sentence,
)
from app.ui.settings_store import SettingsStore
from app.ui.widgets.colors import BAND_COLORS, tinted_base
from app.ui.widgets.progress_chart import ChartPoint, ProgressChart
from interview_scripts.loader import load_script
from interview_scripts.script import InterviewScript
from models.coach import coach_answer
from models.coach.pace import PACE_BAND
from tests.coach_helpers import transcript_of

PLATFORM_YAML = """\
title: Platform screen
role: Platform engineer
questions:
  - id: outage
    text: Tell me about an outage you led.
    time_guide: 20-40 seconds
    framework: STAR
    key_points:
      - text: Rolled back the bad deploy
        cues: [rolled back, roll back]
      - text: Kept customers updated on the status page
        cues: [status page]
      - text: Ran a blameless post-mortem
        cues: [post-mortem, postmortem]
  - id: conflict
    text: Describe a disagreement with a product manager.
    time_guide: 30-60 seconds
    key_points:
      - text: Found a compromise both sides could accept
        cues: [compromise]
  - id: scaling
    text: How would you scale a queue consumer?
"""
PEOPLE_YAML = """\
title: People lead
role: Engineering manager
questions:
  - id: feedback
    text: Tell me about hard feedback you gave.
    time_guide: 3-30 seconds
    key_points:
      - text: Gave the feedback in private
        cues: [in private, privately]
      - text: Agreed a plan to follow up
        cues: [follow up, followed up]
"""
NOW = datetime.now(UTC)
DAY = timedelta(days=1)
EARLY = NOW - 10 * DAY - timedelta(hours=1)
MIDDLE = NOW - 3 * DAY - timedelta(hours=1)
LATE = NOW - 1 * DAY - timedelta(hours=1)
# Each answer: (when, script, question, sentences said one after another at 140 wpm).
ANSWERS: list[tuple[datetime, str, str, tuple[str, ...]]] = [
    (EARLY, "platform", "outage", ("Our checkout went down on a Friday evening.",
                                    "I rolled back the release straight away.")),
    (EARLY, "platform", "scaling", ("I would add consumers behind the queue and watch the lag, "
                                     "um, then batch the writes so the database keeps up.",)),
    (MIDDLE, "platform", "outage", (
        "Last spring our checkout service went down on a Friday evening during the sale.",
        "I was the incident lead and my job was to restore payments quickly.",
        "I rolled back the release and posted on the status page every fifteen minutes.",
        "Afterwards I ran a blameless post-mortem with both teams and we added a canary.",
        "We were back within forty minutes and lost no orders at all.")),
    (MIDDLE, "platform", "conflict", ("The product manager wanted the launch early.",
                                       "We argued about it.")),
    (LATE, "people", "feedback", ("I gave the feedback in private and was direct about it.",)),
]


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path: Path, qapp: object) -> None:
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))


@pytest.fixture
def scripts(greenroom_home: Path) -> dict[str, InterviewScript]:
    folder = paths.user_scripts_dir()
    (folder / "platform.yaml").write_text(PLATFORM_YAML, encoding="utf-8")
    (folder / "people.yaml").write_text(PEOPLE_YAML, encoding="utf-8")
    return {name: load_script(folder / f"{name}.yaml") for name in ("platform", "people")}


def save_answers(store: Store, scripts: dict[str, InterviewScript],
                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Coach each answer for real and save it through the store, at its own time; answers
    given at the same time form one practice session."""
    import app.store as store_module

    sessions: dict[tuple[datetime, str], int] = {}
    # A context of its own: undoing the fixture's monkeypatch would also undo the data folder.
    with monkeypatch.context() as patch:
        for when, script_id, question_id, sentences in ANSWERS:
            patch.setattr(store_module, "utc_now", lambda when=when: when.isoformat())
            script = scripts[script_id]
            question = script.question(question_id)
            key = (when, script_id)
            if key not in sessions:
                sessions[key] = store.create_session(script_id, script.title)
            at, parts = 0.5, []
            for sentence in sentences:
                parts.append((sentence, at))
                at += len(sentence.split()) * 60 / 140 + 0.8
            transcript = transcript_of(*parts)
            feedback = coach_answer(question, transcript, None)
            attempt = store.start_attempt(sessions[key], script_id, question_id, question.text, None)
            store.finish_attempt(attempt, transcript.duration_s, transcript, feedback, {})


@pytest.fixture
def saved(tmp_path: Path, scripts: dict[str, InterviewScript],
          monkeypatch: pytest.MonkeyPatch) -> Store:
    store = Store(tmp_path / "sessions.sqlite3", recordings_dir=tmp_path)
    save_answers(store, scripts, monkeypatch)
    return store


def populated_view(qtbot: Any, store: Store) -> ProgressView:
    """A Progress view over ``store``, loaded (also what a screenshot of the tab needs)."""
    view = ProgressView(store_factory=lambda: store)
    qtbot.addWidget(view)
    view.resize(1200, 760)
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.refresh()
    return view


def test_one_question_charts_every_attempt_against_its_guide_and_the_pace_band(
        qtbot: Any, saved: Store) -> None:
    view = populated_view(qtbot, saved)
    assert view.stack.currentWidget() is view.content
    view.select("platform", "outage")
    briefs = saved.list_briefs(script_id="platform", question_id="outage", oldest_first=True)
    summaries = [b.summary for b in briefs]
    assert len(summaries) == 2 and all(s is not None for s in summaries)
    assert view.time_chart.values == pytest.approx([s.speaking_s for s in summaries])
    first, second = view.time_chart.values
    assert first is not None and second is not None and first < 20 <= second <= 40
    # The band is the question's guide (20-40 seconds in the script), on every attempt.
    assert view.time_chart.bands == [(20.0, 40.0), (20.0, 40.0)]
    assert [p.inside for p in view.time_chart.points] == [False, True]
    assert view.pace_chart.values == pytest.approx([s.wpm for s in summaries])
    assert view.pace_chart.bands == [tuple(map(float, PACE_BAND))] * 2
    assert view.fillers_chart.values == pytest.approx([s.fillers_per_min for s in summaries])
    # Rollback only, then all three key points; the scale tops out at the three listed.
    assert view.points_chart.values == [1.0, 3.0]
    assert view.points_chart._ceiling == 3.0
    text = view.points_chart.accessibleDescription()
    assert text.startswith("Key points covered over 2 attempts, oldest first:")
    assert "1 of 3 key points covered" in text and "3 of 3 key points covered" in text
    assert "short of the guide 0:20–0:40" in view.time_chart.accessibleDescription()
    # Hovering over the newest point names it.
    where = view.time_chart.point_position(1)
    assert view.time_chart.point_at(where.x()) == 1
    assert view.time_chart.points[1].detail.endswith("within the guide 0:20–0:40")


def test_the_whole_interview_is_one_point_per_practice_session(qtbot: Any, saved: Store) -> None:
    view = populated_view(qtbot, saved)
    view.select("platform")
    assert view.question_combo.currentText() == ALL_QUESTIONS
    # Early session: the short outage answer (judged) and scaling (no guide): 0 of 1 within.
    # Middle session: outage within, conflict short: 1 of 2.
    assert view.time_chart.values == [0.0, 50.0]
    # Key points: 1 of 3 early; 3 of 3 plus 0 of 1 in the middle.
    assert view.points_chart.values == pytest.approx([100 / 3, 75.0])
    briefs = saved.list_briefs(script_id="platform", oldest_first=True)
    early = [b.summary for b in briefs if b.session_id == briefs[0].session_id]
    words = sum(s.words for s in early)
    minutes = sum(s.speaking_s for s in early) / 60
    assert view.pace_chart.values[0] == pytest.approx(words / minutes)
    assert view.fillers_chart.values[0] == pytest.approx(sum(s.fillers for s in early) / minutes)
    assert "2 answers" in view.points_chart.accessibleDescription()
    # The other interview lists only its own question.
    view.select("people")
    assert [view.question_combo.itemData(i) for i in range(view.question_combo.count())] == [
        None, "feedback"]


def test_practise_next_puts_the_weakest_first_with_its_reason(qtbot: Any, saved: Store) -> None:
    view = populated_view(qtbot, saved)
    rows = view.next_rows()
    # conflict: its one key point missed and too short, 3 days; feedback: half its points
    # missed, a day; scaling: nothing to miss but 10 days; outage: all covered, 3 days.
    assert [r.text(0) for r in rows] == [
        "Describe a disagreement with a product manager.", "Tell me about hard feedback you gave.",
        "How would you scale a queue consumer?", "Tell me about an outage you led."]
    assert [r.text(1) for r in rows] == ["Platform screen", "People lead", "Platform screen",
                                         "Platform screen"]
    conflict = saved.list_briefs(question_id="conflict")[0].summary
    assert conflict is not None
    from interview_scripts.time_guide import format_clock

    assert rows[0].text(2) == ("1 key point not heard last time; too short last time "
                               f"({format_clock(conflict.speaking_s)} against 0:30–1:00); "
                               "last practised 3 days ago.")
    assert rows[1].text(2) == "1 key point not heard last time; last practised yesterday."
    assert rows[2].text(2) == "Nothing missed last time; last practised 10 days ago."
    # The sentence follows from practise_next's own ranking, at a chosen moment too.
    data = load_progress_data(saved, NOW + 30 * DAY)
    assert reason_sentence(data.ranked[-1], data.now).endswith("last practised 33 days ago.")


def test_practise_these_starts_an_interview_of_exactly_the_chosen_questions(
        qtbot: Any, saved: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.ui.main_window import MainWindow

    window = MainWindow(SettingsStore(QSettings(str(tmp_path / "g.ini"), QSettings.Format.IniFormat)),
                        store_factory=lambda: saved)
    qtbot.addWidget(window)
    window.show()
    started: list[tuple[str, list[str]]] = []

    def start(script: InterviewScript, questions: list, *_: Any, **__: Any) -> bool:
        started.append((script.id, [q.id for q in questions]))
        return True

    # The practice room itself is tested elsewhere; here, what it is handed.
    monkeypatch.setattr(window.practice_screen, "start", start)
    view = window.progress_view
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        window.tabs.setCurrentWidget(view)  # showing the tab reads the store
    rows = view.next_rows()
    assert not view.practise_button.isEnabled()
    for row in (rows[0], rows[1], rows[3]):  # conflict, feedback (People lead), outage
        row.setSelected(True)
    assert view.practise_button.isEnabled()
    note = view.selection_note.text()
    assert note.startswith("Starts 2 questions of Platform screen.")
    assert "1 question of People lead stays on the list" in note
    view.next_tree.setFocus()
    qtbot.keyClick(view.next_tree, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(started), timeout=10_000)
    assert started == [("platform", ["conflict", "outage"])]
    assert window.tabs.currentWidget() is window.practice_stack
    assert window.practice_stack.currentWidget() is window.practice_screen
    # Once an interview is saved the tab reads the store again, for the new answers.
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        window._after_close_saved()


def test_no_attempts_says_so_plainly(qtbot: Any, tmp_path: Path) -> None:
    view = populated_view(qtbot, Store(tmp_path / "empty.sqlite3"))
    assert view.stack.currentWidget() is view.empty_label
    assert view.empty_label.text() == EMPTY_TEXT
    assert view.next_rows() == [] and not view.practise_button.isEnabled()
    view.practise_selected()  # nothing chosen: nothing happens


@pytest.fixture
def dark_palette() -> Iterator[QPalette]:
    palette = QPalette()
    for role, color in ((QPalette.ColorRole.Window, "#202124"), (QPalette.ColorRole.Base, "#17181a"),
                        (QPalette.ColorRole.AlternateBase, "#26272a"),
                        (QPalette.ColorRole.Text, "#e8eaed"), (QPalette.ColorRole.WindowText, "#e8eaed"),
                        (QPalette.ColorRole.Mid, "#5f6368"), (QPalette.ColorRole.Highlight, "#8ab4f8")):
        palette.setColor(role, QColor(color))
    yield palette


def test_the_chart_paints_its_band_line_and_points_on_a_dark_palette(
        qtbot: Any, dark_palette: QPalette) -> None:
    chart = ProgressChart("Speaking time", band_name="time guide")
    qtbot.addWidget(chart)
    chart.setPalette(dark_palette)
    chart.resize(420, 170)
    chart.set_points([ChartPoint("1 Mar", 15.0, (20.0, 40.0), "short"),
                      ChartPoint("2 Mar", None, (20.0, 40.0)),
                      ChartPoint("3 Mar", 31.0, (20.0, 40.0), "within")])
    image = QImage(chart.size(), QImage.Format.Format_ARGB32)
    image.fill(dark_palette.color(QPalette.ColorRole.Window))
    chart.render(image)
    colours = {image.pixel(x, y) for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)}
    assert len(colours) > 20, "the chart painted next to nothing"

    def seen_near(color: QColor) -> bool:
        return any(abs(QColor(p).red() - color.red()) + abs(QColor(p).green() - color.green())
                   + abs(QColor(p).blue() - color.blue()) < 30 for p in colours)

    # Green for the point inside its band, red-orange for the one outside.
    assert seen_near(BAND_COLORS["in_zone"]) and seen_near(BAND_COLORS["wrap_up"])
    # The guide band is shaded as a tint over the dark base, not the light one.
    assert seen_near(tinted_base(dark_palette, BAND_COLORS["in_zone"], 0.28))
    assert not seen_near(tinted_base(QPalette(QColor("#ffffff")), BAND_COLORS["in_zone"], 0.28))
    assert chart.summary() == "Speaking time over 3 attempts, oldest first: short; within."
    # The arrow keys walk the known points only, skipping the gap.
    chart.setFocus()
    qtbot.keyClick(chart, Qt.Key.Key_Right)
    qtbot.keyClick(chart, Qt.Key.Key_Right)
    assert chart.current == 2


def test_a_follow_up_is_charted_in_its_answers_thread(qtbot: Any, tmp_path: Path,
                                                      dark_palette: QPalette) -> None:
    from tests.coach_helpers import sample_feedback
    from tests.thread_helpers import answer_with_follow_up

    store = Store(tmp_path / "threads.sqlite3", recordings_dir=tmp_path)
    session = store.create_session("ops", "Ops interview")
    plain = store.start_attempt(session, "ops", "incident", "Tell me about an outage you led.", None)
    store.finish_attempt(plain, 26.0, None, sample_feedback("incident"), {})
    answer_with_follow_up(store, session)
    view = populated_view(qtbot, store)
    view.select("ops", "incident")
    chart = view.points_chart
    # Two answers, not three: the reply is in its answer's point, counted apart.
    assert chart.values == [1.0, 2.0]
    assert [p.follow_up for p in chart.points] == [0.0, 1.0]
    assert chart.has_follow_ups
    text = chart.accessibleDescription()
    assert "counting what a follow-up's reply added" in text
    assert "2 of 5 key points covered (1 in the answer, 1 only in the follow-up, 1 partly)" in text
    assert "a ring marks what the answer covered by itself" in view.caption.text()
    assert len(view.time_chart.points) == 2

    # The ring is painted at the answer's own level; without the follow-up, nothing is there.
    def rendered(points: list[ChartPoint]) -> tuple[QImage, ProgressChart]:
        alone = ProgressChart("Key points covered")
        qtbot.addWidget(alone)
        alone.setPalette(dark_palette)
        alone.resize(420, 170)
        alone.set_points(points, ceiling=5.0)
        image = QImage(alone.size(), QImage.Format.Format_ARGB32)
        image.fill(dark_palette.color(QPalette.ColorRole.Window))
        alone.render(image)
        return image, alone

    highlight = dark_palette.color(QPalette.ColorRole.Highlight)

    def ring_seen(image: QImage, chart: ProgressChart) -> bool:
        centre = chart.point_position(1)
        own_y = centre.y() + (chart._y(1.0, chart._area()) - chart._y(2.0, chart._area()))
        near = (QColor(image.pixel(int(centre.x()) + dx, int(own_y) + dy))
                for dx in range(-5, 6) for dy in range(-5, 6))
        return any(abs(c.red() - highlight.red()) + abs(c.green() - highlight.green())
                   + abs(c.blue() - highlight.blue()) < 40 for c in near)

    with_ring = rendered(chart.points)
    without = rendered([ChartPoint(p.label, p.value, p.band, p.detail) for p in chart.points])
    assert ring_seen(*with_ring)
    assert not ring_seen(*without)
