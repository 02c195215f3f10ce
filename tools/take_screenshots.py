"""Screenshots of the main screens, taken from a real practice run.

Runs offscreen (or on whatever display is set, e.g. under Xvfb): speaks a sample answer
with the project's own text-to-speech, plays it in as the microphone, lets the real flow
transcribe and coach it, and saves PNGs of the pick screen (browsing, and a search of
every interview), the recording clock, the follow-up the answer leads to being answered,
the answer and its follow-up as one thread in the feedback (its top, and the key point
the reply made) and in History, the import preview, the interview editor and the
settings dialog into docs/screenshots/. The answer leaves its post-incident review out,
so the script's follow-up that presses on it is asked (the local model is off), and the
spoken reply gives it. A second, shorter answer to the same question, with follow-ups
turned off, then gives replay, compare and progress something to show; those three are
taken in the light and the dark appearance (`replay-light.png`, `replay-dark.png`, ...).
Uses a throw-away data folder and settings file, so nothing of the user's is read or
changed.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
SIZE = (1280, 720)
# Worded so the synthetic voice is transcribed well: everything but the post-incident review.
ANSWER = (
    "When our payment service went down on a Friday evening, I declared a severity one incident "
    "and took command as the incident commander. "
    "First I checked the dashboards and logs to size up the impact on customers. "
    "I opened one chat channel for the incident and posted updates on the status page every "
    "fifteen minutes. "
    "I assigned the database work to our storage engineer and asked a developer to own the rollback. "
    "We rolled back the release and service was restored within forty minutes. "
    "I kept everyone calm, and I made sure people took breaks."
)
# The reply to the follow-up the answer leads to: the post-incident review it left out.
FOLLOW_UP_REPLY = (
    "I would call the review sooner. We held a blameless post mortem the following week, and its "
    "action items added a canary stage to every deploy, so a faulty release is now caught before "
    "it reaches every customer. That outage never happened again."
)
# A later, weaker try at the same question: shorter, with no review afterwards.
SECOND_ANSWER = (
    "Our payment service went down one evening and I led the response. "
    "I checked the dashboards, opened an incident channel and kept the status page updated. "
    "We rolled back the release and the service was back within forty minutes."
)


def main() -> int:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # Under the home folder, so the screens show it as "~/..." rather than a system temp path.
    cache = Path.home() / ".cache"
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="greenroom-screenshots-", dir=cache))
    try:
        return take_all(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def take_all(work: Path) -> int:
    os.environ["GREENROOM_HOME"] = str(work / "home")
    sys.path.insert(0, str(ROOT))

    from PySide6.QtCore import QSettings, QThreadPool
    from PySide6.QtWidgets import QApplication

    from app.practice import Phase, PracticeSettings
    from app.ui.main_window import MainWindow
    from app.ui.settings_store import SettingsStore, UiPreferences
    from app.ui.theme import apply_appearance
    from audio.sources import WavFileSource
    from audio.tts import synthesize_to_wav
    app = QApplication.instance() or QApplication(sys.argv)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(work / "qsettings"))
    OUT.mkdir(parents=True, exist_ok=True)

    # Played in this order: the answer, the follow-up's reply, the second answer.
    answers = [synthesize_to_wav(ANSWER, work / "answer.wav", rate_wpm=175),
               synthesize_to_wav(FOLLOW_UP_REPLY, work / "reply.wav", rate_wpm=175),
               synthesize_to_wav(SECOND_ANSWER, work / "second.wav", rate_wpm=175)]
    settings = SettingsStore(QSettings(str(work / "greenroom.ini"), QSettings.Format.IniFormat))
    # No local model: the follow-up is the script's, and its reason is the coach's alone.
    settings.save_practice_settings(PracticeSettings(speak_questions=False, llm_enabled=False,
                                                     ollama_host="http://127.0.0.1:9"))
    settings.save_ui_preferences(UiPreferences(show_stage_hints=True, first_run_done=True,
                                               appearance="light"))
    apply_appearance("light", app)
    sources: list[WavFileSource] = []

    def play_answer(_question: object) -> WavFileSource:
        sources.append(WavFileSource(answers[min(len(sources), len(answers) - 1)]))
        return sources[-1]

    window = MainWindow(settings, source_factory=play_answer)
    window.resize(*SIZE)
    window.show()

    def wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit(f"take_screenshots: timed out waiting for {what}")
            app.processEvents()
            time.sleep(0.02)

    def save(widget: object, name: str) -> None:
        app.processEvents()
        path = OUT / name
        widget.grab().save(str(path))  # type: ignore[attr-defined]
        print(f"wrote {path.relative_to(ROOT)}")

    pick = window.pick_screen
    wait_for(lambda: not pick.loading, 60, "the interviews to be read")
    take_pick_screens(window, save)

    practice = window.practice_screen
    pick.start_button.click()
    wait_for(lambda: practice.phase == Phase.RECORDING and practice.clock.clock_text() >= "0:12", 120,
             "the recording clock")
    save(window, "recording.png")
    wait_for(lambda: sources[-1].finished, 120, "the end of the spoken answer")
    practice.toggle_answer()
    take_follow_up_screens(window, sources, wait_for, save)

    # The second try goes without a follow-up: one answer each for replay and compare.
    settings.save_practice_settings(replace(settings.practice_settings(), follow_ups=False))
    answer_again(window, practice, sources, wait_for)
    take_saved_session_screens(window, wait_for, save)

    take_editor_screens(window, wait_for, save)

    # The settings as a candidate would have them: follow-ups and the local model's review on.
    settings.save_practice_settings(replace(settings.practice_settings(), follow_ups=True,
                                            llm_enabled=True))
    dialog = window.open_settings()
    dialog.resize(720, 700)
    wait_for(lambda: dialog.voice_combo.count() > 1, 30, "the voice list")
    save(dialog, "settings.png")
    dialog.reject()
    window.close()
    # Let background look-ups finish before their data folder is removed.
    QThreadPool.globalInstance().waitForDone(30_000)
    return 0


def select_incident_interview(pick: Any) -> None:
    for row in range(pick.script_list.count()):
        if pick.script_list.item(row).text().startswith("Incident leadership"):
            pick.script_list.setCurrentRow(row)


def take_pick_screens(window: Any, save: Callable[..., None]) -> None:
    """The interviews for a senior candidate, then a search across every interview; the
    screen is left with the incident interview chosen and nothing filtered, to practise it."""
    pick = window.pick_screen
    pick.set_filter(level="senior")
    select_incident_interview(pick)
    save(window, "pick.png")
    pick.set_filter()
    pick.search.setText("deadline")
    save(window, "pick-search.png")
    pick.search.clear()
    select_incident_interview(pick)


def take_follow_up_screens(window: Any, sources: list, wait_for: Callable[..., None],
                           save: Callable[..., None]) -> None:
    """The follow-up being answered, then the answer and its follow-up as one thread: in
    the feedback (the answer's tab, with the point its reply made) and in History."""
    from PySide6.QtWidgets import QScrollArea

    from app.practice import Phase

    practice = window.practice_screen
    wait_for(lambda: practice.turn is not None and practice.turn.is_follow_up
             and practice.phase == Phase.RECORDING and practice.clock.clock_text() >= "0:05",
             120, "the follow-up's reply to be recorded")
    save(window, "follow-up.png")
    wait_for(lambda: len(sources) == 2 and sources[-1].finished, 120, "the end of the reply")
    practice.toggle_answer()
    tabs = practice.thread_tabs
    wait_for(lambda: practice.phase == Phase.FEEDBACK and tabs.isVisible() and tabs.count() == 2,
             120, "the answer and its follow-up as one thread")
    tabs.setCurrentIndex(0)
    feedback = practice.feedback_view
    wait_for(lambda: "covered in the follow-up" in practice.follow_up_label.text()
             and feedback.llm_status.text().startswith("No review"), 120,
             "the answer's feedback with what its follow-up covered")
    save(window, "feedback.png")
    # Further down the same feedback: the key point the reply made, marked as such.
    feedback.findChild(QScrollArea).ensureWidgetVisible(feedback.key_points, 0, 0)
    save(window, "feedback-thread.png")

    practice.end_interview()
    wait_for(lambda: window.practice_stack.currentWidget() is window.pick_screen, 60,
             "the interview to be saved")
    window.banner.hide()
    history = window.history_view
    window.tabs.setCurrentWidget(history)
    wait_for(lambda: len(history.attempt_items()) == 2, 30, "the answer and its reply in history")
    answer = history.attempt_items()[0]  # the reply is listed right under it
    history.tree.setCurrentItem(answer)
    wait_for(lambda: history.current_attempt is not None and history.current_attempt.follow_up_to
             is None and any("covered in the follow-up" in row[0]
                             for row in history.feedback_view.key_point_rows()),
             30, "the answer's feedback in history")
    save(window, "history.png")


def answer_again(window: object, practice: object, sources: list, wait_for: Callable[..., None]) -> None:
    """The same first question answered a second time (the shorter answer)."""
    from app.practice import Phase

    w: Any = window
    w.tabs.setCurrentIndex(0)
    w.pick_screen.start_button.click()
    wait_for(lambda: practice.phase == Phase.RECORDING, 120, "the second recording")  # type: ignore[attr-defined]
    wait_for(lambda: len(sources) == 3 and sources[-1].finished, 120, "the end of the second answer")
    practice.toggle_answer()  # type: ignore[attr-defined]
    feedback = practice.feedback_view  # type: ignore[attr-defined]
    wait_for(lambda: feedback.llm_status.text().startswith("No review"), 120, "the second feedback")
    practice.end_interview()  # type: ignore[attr-defined]
    wait_for(lambda: w.practice_stack.currentWidget() is w.pick_screen, 60, "the second interview to be saved")
    w.banner.hide()


def take_saved_session_screens(window: object, wait_for: Callable[..., None],
                               save: Callable[..., None]) -> None:
    """Replay, compare and progress of the two saved answers, light then dark."""
    from PySide6.QtWidgets import QApplication

    from app.ui.theme import apply_appearance

    w: Any = window
    app = QApplication.instance()
    history = w.history_view
    w.tabs.setCurrentWidget(history)
    history.refresh()
    wait_for(lambda: len(history.attempt_items()) >= 3, 30, "both answers in history")
    answers = [item for item in history.attempt_items()
               if not item.text(0).startswith("↳")]  # not the follow-up's reply
    history.tree.setCurrentItem(answers[-1])  # the first, fuller answer
    wait_for(lambda: history.current_attempt is not None, 30, "the chosen answer to load")
    replay = history.open_replay()
    replay.resize(*SIZE)
    words = replay.view.words
    replay.view.seek(words[len(words) // 3].start_s)  # the highlight a third of the way in
    compare = history.open_compare()
    compare.resize(*SIZE)
    view = compare.view
    wait_for(lambda: len(view.attempts) >= 2, 30, "the attempts to compare")
    view.choose(view.attempts[0].id, view.attempts[-1].id)
    progress = w.progress_view
    w.tabs.setCurrentWidget(progress)
    wait_for(lambda: progress.script_combo.count() > 0, 30, "the progress figures")
    attempt = history.current_attempt
    progress.select(attempt.script_id, attempt.question_id)
    for appearance in ("light", "dark"):
        apply_appearance(appearance, app)
        save(replay, f"replay-{appearance}.png")
        save(compare, f"compare-{appearance}.png")
        save(window, f"progress-{appearance}.png")
    apply_appearance("light", app)
    replay.reject()
    compare.reject()


# A prep page as a candidate might paste it: numbered questions, labels, a menu and an advert.
PREP_PAGE = """Customer Support Lead – interview prep
Home | Jobs | Companies | Salaries | Sign in
1. Tell me about a time you calmed down an angry customer.
Time: 2-3 minutes
Key points:
- Say how you listened before offering a fix
- Mention the post-incident review with the team
Avoid: blaming the customer
2. How do you prioritise a queue of two hundred open tickets? (90 seconds)
Hit these points: sort by impact; service-level targets
3. Why do you want to lead a support team?
Look for:
1) Care for the team's growth
2) A concrete reason tied to this company
Advertisement
"""


def take_editor_screens(window: object, wait_for: Callable[..., None], save: Callable[..., None]) -> None:
    """The import preview of a pasted page, then the editor with a refused guide marked."""
    from app.ui.script_editor import GUIDE, KEY_POINTS

    pick = window.pick_screen  # type: ignore[attr-defined]
    dialog = pick.import_page()
    dialog.resize(*SIZE)
    dialog.page_edit.setPlainText(PREP_PAGE)
    dialog.read_pasted()
    wait_for(lambda: dialog.result is not None, 30, "the import preview")
    save(dialog, "import.png")
    dialog.edit_button.click()
    editor = pick.last_editor
    editor.resize(*SIZE)
    editor.role_edit.setText("Support team lead")
    editor.table.setCurrentCell(0, KEY_POINTS)
    editor.set_cell(1, GUIDE, "7-5 min")  # shows how the loader's refusal is marked
    save(editor, "editor.png")
    editor.reject()


if __name__ == "__main__":
    sys.exit(main())
