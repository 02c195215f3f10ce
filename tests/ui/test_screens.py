"""Pick screen, settings persistence, first-run check and the painted widgets, offscreen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt

from app.doctor import Check
from app.practice import PracticeSettings
from app.ui.feedback_view import KEY_POINT_MARKS, FeedbackView
from app.ui.first_run_check import FirstRunDialog
from app.ui.pick_screen import PickScreen
from app.ui.settings_dialog import SettingsDialog
from app.ui.settings_store import SettingsStore, UiPreferences
from app.ui.widgets.answer_timeline import AnswerTimeline, Marker, StageSpan
from app.ui.widgets.clock_band import ClockBand
from interview_scripts.loader import load_script
from interview_scripts.time_guide import format_clock, parse_time_guide
from models.coach.feedback_model import Feedback
from tests.coach_helpers import sample_feedback

SCRIPT_YAML = """\
title: Platform team screen
role: Platform engineer
questions:
  - id: outage
    text: Tell me about an outage you handled.
    time_guide: 2-3 min
    framework: STAR
    key_points: [Say how you found the cause]
  - id: conflict
    text: Describe a disagreement with a product manager.
    time_guide: 90s
  - id: scaling
    text: How would you scale a queue consumer?
    guidance: Talk about backpressure and idempotency.
"""


def settings_store(tmp_path: Path) -> SettingsStore:
    return SettingsStore(QSettings(str(tmp_path / "greenroom.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def user_script(greenroom_home: Path) -> Path:
    from app import paths

    path = paths.user_scripts_dir() / "platform.yaml"
    path.write_text(SCRIPT_YAML, encoding="utf-8")
    return path


def select_script(screen: PickScreen, title: str) -> None:
    for row in range(screen.script_list.count()):
        if screen.script_list.item(row).text().startswith(title):
            screen.script_list.setCurrentRow(row)
            return
    raise AssertionError(f"{title} not listed")


def test_pick_screen_lists_bundled_and_user_scripts_and_filters(qtbot, user_script: Path) -> None:
    screen = PickScreen()
    qtbot.addWidget(screen)
    qtbot.waitUntil(lambda: not screen.loading)  # the scripts are read on a worker
    titles = [screen.script_list.item(i).text() for i in range(screen.script_list.count())]
    assert any(t.startswith("Platform team screen") and "3 questions" in t and "yours" in t for t in titles)
    assert any("bundled" in t for t in titles)
    assert str(user_script.parent) in screen.user_folder_label.text()

    select_script(screen, "Platform team screen")
    assert screen.question_list.count() == 3
    assert "3 questions" in screen.start_button.text()
    # The search also looks at guidance, not only the question text.
    qtbot.keyClicks(screen.search, "backpressure")
    assert [q.id for q in screen.visible_questions()] == ["scaling"]
    assert [q.id for q in screen.chosen_questions()] == ["scaling"]
    screen.search.clear()
    qtbot.mouseClick(screen.none_button, Qt.MouseButton.LeftButton)
    assert not screen.start_button.isEnabled()
    screen.set_question_checked("conflict", True)
    screen.set_question_checked("outage", True)
    with qtbot.waitSignal(screen.startRequested) as started:
        qtbot.mouseClick(screen.start_button, Qt.MouseButton.LeftButton)
    script, questions = started.args
    assert script.title == "Platform team screen"
    assert [q.id for q in questions] == ["outage", "conflict"]  # script order, not click order

    qtbot.mouseClick(screen.all_button, Qt.MouseButton.LeftButton)
    in_order = [q.id for q in screen.chosen_questions()]
    assert sorted(in_order) == ["conflict", "outage", "scaling"]
    # Without shuffling the order is always the script's; with it, three questions come
    # in the script's order one time in six, so 40 draws all in order would mean no shuffle.
    assert all([q.id for q in screen.chosen_questions()] == in_order for _ in range(40))
    screen.shuffle_box.setChecked(True)
    draws = [[q.id for q in screen.chosen_questions()] for _ in range(40)]
    assert all(sorted(d) == sorted(in_order) for d in draws)
    assert any(d != in_order for d in draws), "shuffle on, yet every draw came in script order"


def test_opening_a_malformed_script_shows_the_loaders_message(qtbot, tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text(SCRIPT_YAML.replace("time_guide: 2-3 min", "time_guide: 7-5 min"), encoding="utf-8")
    with pytest.raises(Exception) as caught:
        load_script(bad)
    expected = str(caught.value)
    assert "questions[0].time_guide" in expected

    screen = PickScreen()
    qtbot.addWidget(screen)
    with qtbot.waitSignal(screen.problem) as problem:
        assert screen.open_script_file(bad) is False
    assert problem.args == [expected]
    assert screen.problems_label.text() == expected

    good = tmp_path / "good.yaml"
    good.write_text(SCRIPT_YAML, encoding="utf-8")
    assert screen.open_script_file(good)
    assert screen.current_script().path == good
    assert screen.problems_label.text() == ""


def test_settings_dialog_saves_and_a_new_store_reads_them_back(qtbot, tmp_path: Path) -> None:
    store = settings_store(tmp_path)
    assert store.practice_settings() == PracticeSettings()
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    dialog.think_spin.setValue(15)
    dialog.silence_spin.setValue(4)
    dialog.rate_spin.setValue(190)
    dialog.speak_box.setChecked(False)
    dialog.llm_box.setChecked(False)
    dialog.host_edit.setText("http://127.0.0.1:9")
    dialog.llm_model_combo.setCurrentText("qwen2.5:3b")
    dialog.hints_box.setChecked(True)
    dialog.data_edit.setText(str(tmp_path / "elsewhere"))
    dialog.accept()

    again = settings_store(tmp_path)
    settings = again.practice_settings()
    assert settings.think_time_s == 15
    assert settings.silence_stop_s == 4
    assert settings.rate_wpm == 190
    assert settings.speak_questions is False
    assert settings.llm_enabled is False
    assert settings.ollama_host == "http://127.0.0.1:9"
    assert settings.llm_model == "qwen2.5:3b"
    assert settings.input_device is None and settings.voice is None
    assert again.ui_preferences().show_stage_hints is True
    assert again.data_dir_for_next_start() == str(tmp_path / "elsewhere")


def test_data_folder_applies_only_when_the_environment_names_none(tmp_path: Path, monkeypatch) -> None:
    store = settings_store(tmp_path)
    store.set_data_dir_for_next_start(str(tmp_path / "chosen"))
    monkeypatch.setenv("GREENROOM_HOME", str(tmp_path / "from-env"))
    store.apply_data_dir()
    assert str(tmp_path / "from-env") == __import__("os").environ["GREENROOM_HOME"]
    monkeypatch.delenv("GREENROOM_HOME")
    store.apply_data_dir()
    assert __import__("os").environ["GREENROOM_HOME"] == str(tmp_path / "chosen")


def test_ui_preferences_round_trip(tmp_path: Path) -> None:
    store = settings_store(tmp_path)
    store.save_ui_preferences(UiPreferences(show_stage_hints=True, shuffle_questions=True, first_run_done=True))
    assert settings_store(tmp_path).ui_preferences() == UiPreferences(True, True, True)


def test_ollama_status_check_reports_an_unreachable_server(qtbot, tmp_path: Path) -> None:
    dialog = SettingsDialog(settings_store(tmp_path))
    qtbot.addWidget(dialog)
    dialog.host_edit.setText("http://127.0.0.1:9")  # nothing listens on the discard port
    dialog.check_ollama()
    qtbot.waitUntil(lambda: dialog.check_button.isEnabled(), timeout=15_000)
    assert dialog.ollama_status.text().startswith("Not reachable")
    assert "127.0.0.1:9" in dialog.ollama_status.text()


def test_first_run_dialog_lists_checks_with_fixes(qtbot) -> None:
    dialog = FirstRunDialog([
        Check("Microphone", "problem", "no input device found", "plug in a microphone"),
        Check("Ollama (optional)", "warning", "not reachable", "start Ollama"),
        Check("Python", "ok", "3.11.7"),
    ])
    qtbot.addWidget(dialog)
    rows = [[dialog.tree.topLevelItem(i).text(c) for c in range(4)]
            for i in range(dialog.tree.topLevelItemCount())]
    assert rows[0] == ["Microphone", "✘ Problem", "no input device found", "plug in a microphone"]
    assert rows[1][1] == "▲ Warning" and rows[1][3] == "start Ollama"
    assert rows[2][1] == "✔ OK"
    assert dialog.summary.text().startswith("1 problem(s)")


def test_clock_band_labels_follow_the_guide(qtbot) -> None:
    clock = ClockBand()
    qtbot.addWidget(clock)
    clock.set_guide(parse_time_guide("2-3 min"))
    seen = []
    for elapsed in (10, 119, 120, 180, 181):
        clock.set_elapsed(elapsed)
        seen.append((clock.clock_text(), clock.band_label()))
    assert seen == [("0:10", "keep going"), ("1:59", "keep going"), ("2:00", "in the zone"),
                    ("3:00", "in the zone"), ("3:01", "wrap up")]
    clock.set_elapsed(5, "wrap_up")  # the flow's band wins over local arithmetic
    assert clock.band_label() == "wrap up"
    clock.set_think_time(12.4)
    assert (clock.clock_text(), clock.band_label()) == ("0:12", "think time: recording starts at 0:00")
    clock.set_elapsed(0.0)
    assert clock.band_label() == "keep going"
    clock.set_guide(None)
    assert clock.band_label() == "no time guide"
    clock.resize(500, 200)
    assert not clock.grab().isNull()


def test_timeline_click_and_keyboard_request_the_marker_moment(qtbot) -> None:
    timeline = AnswerTimeline()
    qtbot.addWidget(timeline)
    timeline.resize(600, 96)
    timeline.show()
    timeline.set_data(60.0, [StageSpan("Situation", 0, 20, 0)], [(30.0, 34.0)],
                      [Marker(12.0, "filler", "um"), Marker(45.0, "note", "say the number")])
    x = round(timeline.marker_x(1))
    with qtbot.waitSignal(timeline.momentRequested) as clicked:
        qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=QPoint(x, 40))
    assert clicked.args == [45.0]
    # Away from every marker nothing is requested.
    with qtbot.assertNotEmitted(timeline.momentRequested):
        qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=QPoint(round(timeline.marker_x(0)) + 60, 40))
    timeline.setFocus()
    qtbot.keyClick(timeline, Qt.Key.Key_Left)
    with qtbot.waitSignal(timeline.momentRequested) as pressed:
        qtbot.keyClick(timeline, Qt.Key.Key_Return)
    assert pressed.args == [12.0]


def test_feedback_view_shows_every_part_and_llm_states(qtbot) -> None:
    feedback = sample_feedback()  # real coach output: short against a 5-7 minute guide
    view = FeedbackView()
    qtbot.addWidget(view)
    view.show_feedback(feedback, llm_pending=True)
    shortfall = format_clock(abs(feedback.length.delta_s or 0.0))
    assert feedback.length.verdict == "short"
    # The time shown is the one the verdict judged: speaking time, not the recording's.
    assert view.verdict_label.text() == (f"Spoke for {format_clock(feedback.speaking_s)}: short by "
                                         f"{shortfall} (guide 5-7 minutes).")
    assert [row[:2] for row in view.key_point_rows()] == [
        (KEY_POINT_MARKS[p.status], p.text) for p in feedback.key_points]
    rolled_back = view.key_point_rows()[0]
    assert rolled_back[0] == "✔ covered" and "rolled back" in rolled_back[2].lower()
    assert "at least 1 filler word " in view.numbers_label.text()
    assert "lower bound" in view.numbers_label.text()
    assert all(f"{stage.name} " in view.structure_label.text()
               for stage in feedback.structure.stages)
    kinds = [m.kind for m in view.timeline.markers]
    assert kinds.count("filler") == 1 and kinds.count("note") == sum(
        n.at_s is not None for n in feedback.notes)
    assert [s.name for s in view.timeline.stages] == [
        s.name for s in feedback.structure.stages if s.present]
    assert view.transcript.toPlainText() == feedback.transcript.text
    assert "reviewing" in view.llm_status.text()

    view.append_llm_text("Good start")
    assert view.llm_stream.toPlainText() == "Good start"
    reviewed = Feedback.from_dict({**feedback.to_dict(), "llm": {
        "verdict": "Solid but short", "improvements": [{"at_s": 9.25, "message": "say what broke"}],
        "follow_up_question": "What would you change?", "model": "llama3.2:3b"}})
    view.show_llm_result(reviewed)
    assert "llama3.2:3b" in view.llm_status.text()
    assert "Solid but short" in view.llm_result.text()
    assert "What would you change?" in view.llm_result.text()
    assert view.improvements.topLevelItem(0).text(0) == "0:09"
    assert "improvement" in [m.kind for m in view.timeline.markers]
    with qtbot.waitSignal(view.momentRequested) as chosen:
        view.improvements.itemActivated.emit(view.improvements.topLevelItem(0), 0)
    assert chosen.args == [9.25]

    failed = Feedback.from_dict({**feedback.to_dict(), "llm_status": {
        "ok": False, "reason": "Ollama is not answering", "fix": "start Ollama"}})
    view.show_llm_result(failed)
    assert "Ollama is not answering" in view.llm_status.text() and "start Ollama" in view.llm_status.text()


def test_feedback_saved_without_some_parts_still_shows(qtbot) -> None:
    """An attempt coached by an older version (or not coached at all) lacks parts; the
    typed model gives them empty defaults and the view says what it knows."""
    old = Feedback.from_dict({"question_id": "outage",
                              "transcript": {"text": "We rolled back.", "words": []}})
    view = FeedbackView()
    qtbot.addWidget(view)
    view.show_feedback(old)
    assert view.verdict_label.text() == "Spoke for 0:00; this question has no time guide."
    assert view.transcript.toPlainText() == "We rolled back."
    assert view.key_point_rows() == [("", "This question lists no key points.", "", "")]
    assert "No review from the local LLM" in view.llm_status.text()


PAINT_MANY_TIMES = """
import sys
from PySide6.QtGui import QColor, QImage, QPainter
image = QImage(8, 8, QImage.Format.Format_ARGB32)
painter = QPainter(image)
before = sys.getrefcount(None)
for _ in range(200_000):
    painter.setBrush(QColor(1, 2, 3))
painter.end()
# Each call may hold None for a moment, but 200,000 calls must not drain it.
print(before - sys.getrefcount(None))
"""


def test_painting_many_times_does_not_wear_out_none() -> None:
    """PySide6 6.12.0 on Python 3.11 drops a reference to None on every void call, so this
    many calls abort the interpreter ("deallocating None"); the pinned release must not.
    The calls run in a child process, since an abort would take the test runner with it."""
    import subprocess
    import sys

    child = subprocess.run([sys.executable, "-c", PAINT_MANY_TIMES], capture_output=True,
                           text=True, timeout=120,
                           env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert child.returncode == 0, f"the painting child died: {child.returncode} {child.stderr}"
    assert abs(int(child.stdout.strip())) < 1000, "references to None leaked on every call"


def test_window_banner_shows_a_bad_script_and_the_setup_check_runs_the_doctor(
        qtbot, tmp_path: Path) -> None:
    from app.ui.main_window import MainWindow

    window = MainWindow(settings_store(tmp_path))
    qtbot.addWidget(window)
    window.show()
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\nrole: y\nquestions: []\n", encoding="utf-8")
    window.pick_screen.open_script_file(bad)
    assert window.banner.text == "bad.yaml: questions: must not be empty"

    dialog = window.open_first_run_check()
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() > 0, timeout=30_000)
    names = [dialog.tree.topLevelItem(i).text(0) for i in range(dialog.tree.topLevelItemCount())]
    assert "Python" in names and "Speech model" in names
    assert window.settings_store.ui_preferences().first_run_done is True
    dialog.close()


LAUNCH_AND_QUIT = """
import json, sys
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from app.ui import launch
from app.ui.main_window import MainWindow

offered = []
MainWindow.open_first_run_check = lambda self: offered.append(True)
seen = []

def quit_soon():
    windows = [w for w in QApplication.topLevelWidgets()
               if isinstance(w, MainWindow) and w.isVisible()]
    seen.extend(w.windowTitle() for w in windows)
    for w in windows:
        w.close()
    QApplication.instance().quit()

# The timer needs the application that launch.main would otherwise create.
app = QApplication(sys.argv)
QTimer.singleShot(300, quit_soon)
code = launch.main([])
print(json.dumps({"code": code, "titles": seen, "offered": len(offered),
                  "settings": QSettings("Greenroom", "greenroom").fileName(),
                  "desktop": app.desktopFileName(),
                  "icon": not app.windowIcon().isNull()}))
"""


def test_launch_opens_the_window_and_returns_when_it_quits(tmp_path: Path) -> None:
    """The real start-up, in a process of its own: it changes application-wide state
    (names, the collector's frozen objects) that must not leak into other tests."""
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "GREENROOM_HOME": str(tmp_path / "home")}
    child = subprocess.run([sys.executable, "-c", LAUNCH_AND_QUIT], capture_output=True,
                           text=True, timeout=120, env=env,
                           cwd=Path(__file__).resolve().parents[2])
    assert child.returncode == 0, child.stderr
    seen = json.loads(child.stdout.strip().splitlines()[-1])
    assert seen["code"] == 0
    assert seen["titles"] and seen["titles"][0].startswith("Greenroom")
    assert seen["offered"] == 1  # first start: the setup check is offered
    assert str(tmp_path) in seen["settings"]
    # The window belongs to the installed desktop entry and carries its icon.
    assert seen["desktop"] == "io.greenroom.Greenroom" and seen["icon"] is True
    repo = Path(__file__).resolve().parents[2]
    shipped = repo / "app" / "ui" / "icons" / "io.greenroom.Greenroom.svg"
    installed = repo / "packaging" / "icons" / "hicolor" / "scalable" / "apps" / shipped.name
    assert shipped.read_bytes() == installed.read_bytes(), "the app's icon copy is stale"


def test_the_lead_never_calls_a_point_missed_that_was_only_not_heard() -> None:
    from app.ui.feedback_view import lead_lines

    feedback = sample_feedback()
    unheard = [p.text for p in feedback.key_points if p.status == "not_heard"]
    assert unheard, "the sample answer makes some points in no recognised words"
    key_text, _ = lead_lines(feedback)
    assert "You missed" not in key_text
    assert f"Not heard in these words ({len(unheard)} of {len(feedback.key_points)})" in key_text
    # A point the LLM judged absent (with its own check) is called missed.
    judged = feedback.model_copy(update={"key_points": [
        p.model_copy(update={"status": "missing"}) if p.text == unheard[0] else p
        for p in feedback.key_points]})
    assert f"You missed 1 of {len(feedback.key_points)} key points: {unheard[0]}." in \
        lead_lines(judged)[0]
