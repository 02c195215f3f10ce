"""New interview from a job ad, in the window: Ctrl+J opens it, a pasted ad gives a
preview of the round with the ad's words that chose each question, and the round is
saved only through the editor."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from app import paths
from app.ui.job_ad_dialog import COLUMNS, JobAdDialog
from app.ui.main_window import MainWindow
from app.ui.settings_store import SettingsStore
from interview_scripts.job_ad import load_bank
from interview_scripts.loader import load_script

ADS = Path(__file__).resolve().parents[1] / "ads"
WORDS = COLUMNS.index("The ad's words that chose it")


@pytest.fixture
def window(qtbot: Any, tmp_path: Path) -> MainWindow:
    store = SettingsStore(QSettings(str(tmp_path / "greenroom.ini"), QSettings.Format.IniFormat))
    win = MainWindow(store)  # its database goes in the test's own data folder
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: not win.pick_screen.loading)
    return win


def _open_with_ctrl_j(qtbot: Any, win: MainWindow) -> JobAdDialog:
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    qtbot.keyClick(win, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: (d := win.findChild(JobAdDialog)) is not None and d.isVisible())
    return win.findChild(JobAdDialog)


def test_ctrl_j_opens_it_a_pasted_ad_gives_a_preview_and_save_goes_through_the_editor(
        qtbot: Any, window: MainWindow) -> None:
    dialog = _open_with_ctrl_j(qtbot, window)
    assert not dialog.edit_button.isEnabled()
    ad = (ADS / "nurse.txt").read_text(encoding="utf-8")
    dialog.ad_edit.setPlainText(ad)
    dialog.minutes_box.setValue(20)
    with qtbot.waitSignal(dialog.previewReady, timeout=20_000):
        qtbot.mouseClick(dialog.build_button, Qt.MouseButton.LeftButton)

    rows = dialog.found_rows()
    assert rows[0][1] == "opener" and rows[-1][1] == "closer"
    assert {r[2] for r in rows if r[1] == "role"} == {"nurse"}
    assert sum(float(r[3]) for r in rows) <= 20
    ad_words = set(re.findall(r"[a-z0-9]+", ad.lower()))
    for row in rows:
        shown = [w.strip() for w in row[WORDS].split(",")]
        assert shown and all(set(term.split()) <= ad_words for term in shown), row
    summary = dialog.summary_label.text()
    assert "Registered Nurse" in summary and "Level: entry" in summary and "Newly qualified" in summary
    assert dialog.edit_button.isEnabled()

    # Nothing is written until the candidate saves in the editor.
    folder = paths.user_scripts_dir()
    assert not list(folder.glob("*.yaml"))
    qtbot.mouseClick(dialog.edit_button, Qt.MouseButton.LeftButton)
    editor = window.pick_screen.last_editor
    assert editor is not None and editor.isVisible() and not dialog.isVisible()
    assert editor.table.rowCount() == len(rows)
    assert editor.title_edit.text() == "Staff Nurse (Band 5), Acute Medical Unit (from a job ad)"
    assert editor.role_edit.text() == "Registered Nurse"
    assert not list(folder.glob("*.yaml"))
    with qtbot.waitSignal(editor.saved, timeout=5_000) as saved:
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    path = Path(saved.args[0])
    assert path.parent == folder
    script = load_script(path)
    assert [q.text for q in script.questions] == [r[0] for r in rows]
    # Kept whole through the editor: what the table shows no column for included.
    nurse = next(s for s in load_bank() if s.id == "nurse")
    by_text = {q.text: q for q in nurse.questions}
    for question in script.questions:
        original = by_text.get(question.text)
        if original is not None:
            assert (question.kind, question.level, question.follow_ups, question.key_points) == \
                (original.kind, original.level, original.follow_ups, original.key_points)
    # The pick screen lists the new interview and selects it.
    qtbot.waitUntil(lambda: window.pick_screen.current_script() is not None
                    and window.pick_screen.current_script().path == path)


def test_a_bad_ad_says_why_in_one_line_and_offers_nothing_to_save(qtbot: Any) -> None:
    dialog = JobAdDialog()
    qtbot.addWidget(dialog)
    dialog.ad_edit.setPlainText("   ")
    with qtbot.waitSignal(dialog.previewReady, timeout=20_000):
        dialog.build()
    assert "the job ad is empty" in dialog.summary_label.text()
    assert not dialog.edit_button.isEnabled() and dialog.found_rows() == []
    dialog.ad_edit.setPlainText("Zorblat quux frobnicate wibble.")
    with qtbot.waitSignal(dialog.previewReady, timeout=20_000):
        dialog.build()
    assert "none of the ad's words match" in dialog.summary_label.text()
    assert dialog.build_button.isEnabled() and not dialog.edit_button.isEnabled()


def test_a_saved_ad_is_read_off_the_gui_thread_then_built(qtbot: Any) -> None:
    dialog = JobAdDialog()
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.previewReady, timeout=20_000):
        dialog.open_file(ADS / "teacher.txt")
    assert dialog.ad_edit.toPlainText().startswith("Teacher of English")
    rows = dialog.found_rows()
    assert rows and {r[2] for r in rows if r[1] == "role"} == {"teacher"}
    assert dialog.ad_name == "teacher.txt"
    with qtbot.waitSignal(dialog.previewReady, timeout=20_000):
        dialog.open_file(ADS / "missing.txt")
    assert "no such file" in dialog.summary_label.text() and not dialog.edit_button.isEnabled()


def test_the_local_model_adds_questions_from_the_ad_and_back_undoes_it(
        qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.practice import PracticeSettings
    from tests.ollama_loopback import OllamaLoopback
    from tests.test_job_ad import TAILORED_REPLY

    for name in ("GREENROOM_OLLAMA_MODEL", "GREENROOM_OLLAMA_ALLOW_REMOTE", "OLLAMA_HOST"):
        monkeypatch.delenv(name, raising=False)
    server = OllamaLoopback(models=("llama3.2:3b",)).start()
    server.script_reply(TAILORED_REPLY)
    try:
        dialog = JobAdDialog(llm_settings=PracticeSettings(ollama_host=server.host))
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda: dialog.llm_model == "llama3.2:3b", timeout=10_000)
        assert not dialog.llm_button.isEnabled()  # no round yet
        dialog.ad_edit.setPlainText((ADS / "nurse.txt").read_text(encoding="utf-8"))
        with qtbot.waitSignal(dialog.previewReady, timeout=20_000):
            dialog.build()
        bank_rows = dialog.found_rows()
        assert dialog.llm_button.isEnabled() and not dialog.back_button.isVisible()

        with qtbot.waitSignal(dialog.previewReady, timeout=20_000):
            qtbot.mouseClick(dialog.llm_button, Qt.MouseButton.LeftButton)
        rows = dialog.found_rows()
        tailored = [r for r in rows if r[2] == "written for the ad"]
        assert [r[0] for r in tailored] == ["Tell me about a time you gave IV drugs on a busy shift.",
                                            "How would you support a family who are worried about a care plan?"]
        assert rows[-3:-1] == tailored and rows[-1][1] == "closer" and rows[0][1] == "opener"
        assert all(r[WORDS] for r in tailored)
        assert sum(float(r[3]) for r in rows) <= 30
        summary = dialog.summary_label.text()
        assert "Added 2 questions tailored to the ad" in summary and "dropped 2 key points" in summary
        assert not dialog.llm_progress.isVisible() and not dialog.llm_button.isEnabled()
        assert dialog.back_button.isVisible()

        qtbot.mouseClick(dialog.back_button, Qt.MouseButton.LeftButton)
        assert dialog.found_rows() == bank_rows and dialog.llm_button.isEnabled()
        with qtbot.waitSignal(dialog.previewReady, timeout=20_000):
            dialog.tailor_with_model()
        with qtbot.waitSignal(dialog.editRequested) as edited:
            qtbot.mouseClick(dialog.edit_button, Qt.MouseButton.LeftButton)
        texts = [q["text"] for q in edited.args[0]["questions"]]
        assert texts == [r[0] for r in dialog.found_rows()]
        assert "Tell me about a time you gave IV drugs on a busy shift." in texts

        # A failure keeps the bank's round, in one line.
        again = JobAdDialog(llm_settings=PracticeSettings(ollama_host=server.host))
        qtbot.addWidget(again)
        qtbot.waitUntil(lambda: again.llm_model is not None, timeout=10_000)
        again.ad_edit.setPlainText((ADS / "nurse.txt").read_text(encoding="utf-8"))
        with qtbot.waitSignal(again.previewReady, timeout=20_000):
            again.build()
        server.set_mode("invalid_json")
        with qtbot.waitSignal(again.previewReady, timeout=20_000):
            again.tailor_with_model()
        assert again.found_rows() == bank_rows
        assert again.summary_label.text().startswith("The local model could not add questions: ")
        assert again.summary_label.text().endswith("The bank's round stays.")
        assert again.edit_button.isEnabled() and again.llm_button.isEnabled()
    finally:
        server.stop()


def test_without_ollama_the_bank_round_stands_and_the_button_says_why(
        qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.practice import PracticeSettings
    from tests.ollama_loopback import OllamaLoopback

    for name in ("GREENROOM_OLLAMA_MODEL", "GREENROOM_OLLAMA_ALLOW_REMOTE", "OLLAMA_HOST"):
        monkeypatch.delenv(name, raising=False)
    server = OllamaLoopback(models=("llama3.2:3b",)).start()
    server.stop()  # a port where nothing answers
    dialog = JobAdDialog(llm_settings=PracticeSettings(ollama_host=server.host))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.llm_button.toolTip().startswith("Unavailable"), timeout=10_000)
    assert "Ollama is not running" in dialog.llm_button.toolTip()
    dialog.ad_edit.setPlainText((ADS / "sales-account-executive.txt").read_text(encoding="utf-8"))
    with qtbot.waitSignal(dialog.previewReady, timeout=20_000):
        dialog.build()
    assert dialog.found_rows() and dialog.edit_button.isEnabled() and not dialog.llm_button.isEnabled()
    cloud = JobAdDialog(llm_settings=PracticeSettings(ollama_host="http://127.0.0.1:9",
                                                      llm_model="gpt-oss:120b-cloud"))
    qtbot.addWidget(cloud)
    qtbot.waitUntil(lambda: cloud.llm_button.toolTip().startswith("Unavailable"), timeout=10_000)
    assert "your job ad would leave this machine" in cloud.llm_button.toolTip()
    off = JobAdDialog(llm_settings=PracticeSettings(llm_enabled=False))
    qtbot.addWidget(off)
    assert off.llm_button.toolTip() == "Unavailable: the local model is turned off in Settings"
