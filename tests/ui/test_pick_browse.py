"""The pick screen finds questions in every interview: role, level and kind filters, a
search across all interviews, and a round started from the keyboard."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel

from app import paths
from app.question_finder import QuestionFilter
from app.ui import pick_screen
from app.ui.pick_screen import PickScreen
from app.ui.theme import apply_appearance
from interview_scripts import bundled_dir
from interview_scripts.catalogue import discover_scripts

PLATFORM = """\
title: Platform team screen
role: Platform engineer
questions:
  - id: outage
    text: Tell me about an outage you handled.
    time_guide: 2-3 min
    framework: STAR
  - id: lantern
    text: What would you put in a runbook for the lantern service?
    kind: role
    level: senior
  - id: close
    text: What would you like to ask us?
    kind: closer
"""
LIGHTHOUSE = """\
title: Lighthouse keeper
role: Lighthouse keeper
tags: [coastal safety]
questions:
  - id: storm
    text: How do you check the foghorn before a storm?
    kind: role
    key_points: [Test it at low power first]
  - id: night
    text: Describe a night the lantern failed.
    framework: STAR
    level: entry
  - id: logbook
    text: Why does the lantern logbook matter?
    kind: role
"""


def _bank() -> list:
    scripts, problems = discover_scripts([(bundled_dir(), True)])
    assert not problems
    return scripts


def _show(qtbot, screen: PickScreen) -> None:
    qtbot.addWidget(screen)
    screen.resize(1200, 720)
    screen.show()
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow, timeout=5_000)


@pytest.fixture
def screen(qtbot, greenroom_home: Path) -> PickScreen:
    folder = paths.user_scripts_dir()
    (folder / "a-platform.yaml").write_text(PLATFORM, encoding="utf-8")
    (folder / "b-lighthouse.yaml").write_text(LIGHTHOUSE, encoding="utf-8")
    pick = PickScreen()
    _show(qtbot, pick)
    qtbot.waitUntil(lambda: not pick.loading, timeout=20_000)
    return pick


@pytest.fixture
def desktop_look(qapp: QApplication) -> Iterator[None]:
    yield
    apply_appearance("system", qapp)  # later tests see the desktop's look again


def _titles(screen: PickScreen) -> list[str]:
    return [screen.script_list.item(i).text().split("\n")[0] for i in range(screen.script_list.count())]


def _select(screen: PickScreen, title: str) -> None:
    screen.script_list.setCurrentRow(_titles(screen).index(title))


def _press(qtbot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key as the candidate presses it: to whichever widget has the focus."""
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, key, modifier)


def test_the_scripts_are_read_on_a_worker_and_listed_when_they_arrive(
        qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[threading.Thread] = []
    real = pick_screen.index_folders

    def spy(folders):  # noqa: ANN001, ANN202 - the real function's own signature
        threads.append(threading.current_thread())
        return real(folders)

    monkeypatch.setattr(pick_screen, "index_folders", spy)
    (paths.user_scripts_dir() / "b-lighthouse.yaml").write_text(LIGHTHOUSE, encoding="utf-8")
    screen = PickScreen()
    qtbot.addWidget(screen)
    # Nothing read yet: the window is free while a worker reads the folders.
    assert screen.loading and screen.script_list.count() == 0
    assert not screen.start_button.isEnabled() and "Loading" in screen.start_button.text()
    assert "Loading" in screen.description.text()
    with qtbot.waitSignal(screen.scriptsLoaded, timeout=20_000):
        pass
    assert len(threads) == 1 and threads[0] is not threading.main_thread()
    titles = _titles(screen)
    assert len(titles) == len(_bank()) + 1 and "Lighthouse keeper" in titles
    assert screen.start_button.isEnabled()


def test_browse_by_role_level_and_kind(qtbot, screen: PickScreen) -> None:
    bank = _bank()
    roles = [screen.role_combo.itemText(i) for i in range(1, screen.role_combo.count())]
    assert set(roles) == {s.role for s in bank} | {"Platform engineer", "Lighthouse keeper"}
    assert screen.role_combo.currentText() == "All roles"

    nurse = next(s for s in bank if s.role == "Registered Nurse")
    screen.set_filter(role="Registered Nurse")
    assert _titles(screen) == [nurse.title]
    assert screen.visible_questions() == list(nurse.questions)

    # A level shows the questions written for it and those for every level.
    screen.set_filter(role="Registered Nurse", level="senior")
    shown = screen.visible_questions()
    assert shown == QuestionFilter(level="senior").questions_of(nurse)
    assert {q.level for q in shown} == {"senior", "any"} and len(shown) < len(nurse.questions)
    assert f"{len(shown)} of {len(nurse.questions)} questions fit" in screen.script_list.item(0).text()

    # Closers only, every role: the interviews that have one, each showing just its closers.
    screen.set_filter(kind="closer")
    with_closers = [s.title for s in bank if any(q.kind == "closer" for q in s.questions)]
    assert _titles(screen) == [*with_closers, "Platform team screen"]
    for row in range(screen.script_list.count()):
        screen.script_list.setCurrentRow(row)
        assert screen.visible_questions() and all(q.kind == "closer" for q in screen.visible_questions())

    # Entry level: the all-senior interview drops out, the graduates' stays.
    screen.set_filter(level="entry")
    titles = _titles(screen)
    assert all(any(q.level in ("entry", "any") for q in s.questions) == (s.title in titles) for s in bank)
    assert "New Graduate" in titles and "Platform team screen" in titles

    # Nothing fits: said, and nothing to start.
    screen.set_filter(role="Lighthouse keeper", kind="closer")
    assert screen.script_list.count() == 0 and screen.question_list.count() == 0
    assert "No interview has questions that fit" in screen.description.text()
    assert not screen.start_button.isEnabled()

    # Start takes what the filters show, of the chosen interview.
    screen.set_filter(role="Lighthouse keeper", kind="role")
    with qtbot.waitSignal(screen.startRequested) as started:
        qtbot.mouseClick(screen.start_button, Qt.MouseButton.LeftButton)
    script, questions = started.args
    assert script.title == "Lighthouse keeper" and [q.id for q in questions] == ["storm", "logbook"]


def test_search_finds_a_question_of_another_interview_and_starts_it(qtbot, screen: PickScreen) -> None:
    _select(screen, "Platform team screen")
    screen.script_list.setFocus()
    _press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert screen.search.hasFocus()
    qtbot.keyClicks(screen.search, "foghorn")  # only in the lighthouse interview
    (row,) = [screen.question_list.item(i).text() for i in range(screen.question_list.count())]
    assert row.startswith("How do you check the foghorn before a storm?")
    assert "Lighthouse keeper · question 1 · role" in row
    assert "1 question in 1 interview match “foghorn”" in screen.description.text()
    assert screen.current_script().title == "Platform team screen"  # the browse is kept
    assert screen.round_note.text() == "Starts 1 question of Lighthouse keeper."

    with qtbot.waitSignal(screen.startRequested) as started:
        _press(qtbot, Qt.Key.Key_Return)
    script, questions = started.args
    assert script.title == "Lighthouse keeper" and [q.id for q in questions] == ["storm"]

    # A key point or a tag is searched too.
    screen.search.clear()
    qtbot.keyClicks(screen.search, "low power")
    assert [q.id for q in screen.visible_questions()] == ["storm"]
    screen.search.selectAll()
    qtbot.keyClicks(screen.search, "coastal")
    assert [q.id for q in screen.visible_questions()] == ["storm", "night", "logbook"]

    # Esc clears the search and gives back the chosen interview's questions.
    _press(qtbot, Qt.Key.Key_Escape)
    assert screen.search.text() == ""
    assert [q.id for q in screen.visible_questions()] == ["outage", "lantern", "close"]
    assert not screen.round_note.isVisible()


def test_results_of_several_interviews_start_one_interview_at_a_time(qtbot, screen: PickScreen) -> None:
    screen.focus_search()
    qtbot.keyClicks(screen.search, "lantern")
    rows = [screen.question_list.item(i).text() for i in range(screen.question_list.count())]
    assert [r.split("\n")[1].split(" · ")[0] for r in rows] == [
        "Platform team screen", "Lighthouse keeper", "Lighthouse keeper"]
    assert screen.round_note.text() == (
        "Starts 1 question of Platform team screen. An interview runs one script at a time, so "
        "2 questions of Lighthouse keeper wait: move to one of them to start that interview instead.")

    # Move to a lighthouse question: that interview's round.
    screen.question_list.setFocus()
    _press(qtbot, Qt.Key.Key_Down)
    assert screen.question_list.currentRow() == 1
    assert screen.start_button.text() == "Start interview (2 questions)"
    assert screen.round_note.text().startswith("Starts 2 questions of Lighthouse keeper.")
    # Space unchecks the highlighted one; the round shrinks.
    _press(qtbot, Qt.Key.Key_Space)
    assert screen.start_button.text() == "Start interview (1 question)"
    with qtbot.waitSignal(screen.startRequested) as started:
        _press(qtbot, Qt.Key.Key_Enter)
    script, questions = started.args
    assert script.title == "Lighthouse keeper" and [q.id for q in questions] == ["logbook"]

    # The mark is the question's: the lighthouse interview shows it unchecked too.
    screen.search.clear()
    _select(screen, "Lighthouse keeper")
    checked = {screen.question_list.item(i).data(pick_screen.FOUND_ROLE).question.id:
               screen.question_list.item(i).checkState() == Qt.CheckState.Checked
               for i in range(screen.question_list.count())}
    assert checked == {"storm": True, "night": False, "logbook": True}

    # Filters narrow a search too; Check all acts on the results.
    screen.search.setText("lantern")
    screen.set_filter(level="entry")  # the platform lantern question is a senior one
    assert [q.id for q in screen.visible_questions()] == ["night", "logbook"]
    qtbot.mouseClick(screen.all_button, Qt.MouseButton.LeftButton)
    assert [q.id for q in screen.chosen_questions()] == ["night", "logbook"]
    screen.set_filter(kind="closer")
    assert screen.question_list.count() == 0 and not screen.start_button.isEnabled()
    assert screen.description.text().startswith(
        "No question that these filters show has all of these words.")


def test_the_filters_and_search_are_reached_by_tab_and_named(qtbot, screen: PickScreen) -> None:
    screen.role_combo.setFocus()
    expected = [screen.level_combo, screen.kind_combo, screen.search, screen.script_list]
    for widget in expected:
        _press(qtbot, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is widget
    names = {w.accessibleName() for w in (screen.role_combo, screen.level_combo, screen.kind_combo,
                                          screen.search, screen.script_list, screen.question_list)}
    assert names == {"Role filter", "Level filter", "Kind filter", "Search every interview",
                     "Interviews", "Questions"}
    buddies = {label.buddy(): label.text() for label in screen.findChildren(QLabel) if label.buddy()}
    assert buddies[screen.role_combo] == "&Role:" and buddies[screen.level_combo] == "Le&vel:"
    assert buddies[screen.kind_combo] == "&Kind:" and buddies[screen.question_list] == "&Questions"
    assert "Esc" in screen.search.accessibleDescription()
    # Alt+K (the Kind label's key) reaches its combo.
    _press(qtbot, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    assert screen.kind_combo.hasFocus()


def test_a_file_opened_before_the_scripts_arrive_is_kept(qtbot, tmp_path: Path) -> None:
    opened = tmp_path / "elsewhere.yaml"
    opened.write_text(LIGHTHOUSE.replace("Lighthouse keeper", "Harbour pilot"), encoding="utf-8")
    screen = PickScreen()
    qtbot.addWidget(screen)
    assert screen.loading
    assert screen.open_script_file(opened)
    assert screen.current_script().path == opened
    with qtbot.waitSignal(screen.scriptsLoaded, timeout=20_000):
        pass
    assert screen.current_script().path == opened
    assert _titles(screen).count("Harbour pilot") == 1 and len(_titles(screen)) == len(_bank()) + 1


@pytest.mark.usefixtures("desktop_look")
def test_results_follow_the_light_and_dark_palettes(qtbot, screen: PickScreen, qapp: QApplication) -> None:
    screen.search.setText("lantern")
    for appearance, dark in (("dark", True), ("light", False)):
        apply_appearance(appearance, qapp)
        qapp.processEvents()
        view = screen.question_list.viewport()
        image = view.grab().toImage()
        corner = image.pixelColor(image.width() - 3, image.height() - 3)  # below the last row
        assert (corner.lightness() < 100) is dark, (appearance, corner.name())
        assert corner == screen.question_list.palette().color(QPalette.ColorRole.Base)
    # The rows take their colours from the palette, never colours of their own.
    for i in range(screen.question_list.count()):
        item = screen.question_list.item(i)
        assert item.foreground().style() == Qt.BrushStyle.NoBrush
        assert item.background().style() == Qt.BrushStyle.NoBrush
