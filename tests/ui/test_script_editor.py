"""The interview editor and the page import, offscreen: create, import, fix what the loader
refuses, save, edit, duplicate, delete with undo, and practise one question."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

from app import paths
from app.ui.pick_screen import PickScreen
from app.ui.script_editor import GUIDE, KEY_POINTS, MISTAKES, SAMPLE, TEXT, ScriptEditor
from interview_scripts.errors import ScriptError
from interview_scripts.loader import load_script, parse_script

PAGES = Path(__file__).resolve().parents[1] / "pages"


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path: Path, qapp: object) -> None:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))


@pytest.fixture
def screen(qtbot: Any) -> PickScreen:
    pick = PickScreen()
    qtbot.addWidget(pick)
    qtbot.waitUntil(lambda: not pick.loading)  # the scripts are read on a worker
    return pick


def _select(screen: PickScreen, title: str) -> None:
    for row in range(screen.script_list.count()):
        if screen.script_list.item(row).text().startswith(title):
            screen.script_list.setCurrentRow(row)
            return
    raise AssertionError(f"{title} not listed")


def _marked(editor: ScriptEditor, row: int, column: int) -> bool:
    return editor.table.item(row, column).background().style() != Qt.BrushStyle.NoBrush


def test_create_an_interview_fix_what_the_loader_refuses_and_save(qtbot: Any, screen: PickScreen) -> None:
    editor = screen.new_interview()
    assert editor.windowTitle() == "New interview"
    assert not editor.save_button.isEnabled()  # nothing in it yet
    qtbot.keyClicks(editor.title_edit, "Platform screen")
    assert editor.file_edit.text() == "platform-screen"
    assert editor.problem == (None, None, "role: must not be empty")
    assert editor.role_edit.styleSheet()  # the role field is the one marked
    qtbot.keyClicks(editor.role_edit, "Platform engineer")
    editor.set_cell(0, TEXT, "Tell me about an outage you led.")
    editor.set_cell(0, KEY_POINTS, "Say how long recovery took\nMention the post-incident review")
    editor.set_cell(0, MISTAKES, "Blaming a colleague")

    # A guide the loader refuses: the cell is marked with the loader's own words.
    editor.set_cell(0, GUIDE, "7-5 min")
    with pytest.raises(ScriptError) as refused:
        parse_script(editor.yaml_text(), name="platform-screen.yaml")
    assert str(refused.value).endswith("questions[0].time_guide: '7-5 min' has min > max")
    assert editor.problem == (0, GUIDE, "questions[0].time_guide: '7-5 min' has min > max")
    assert _marked(editor, 0, GUIDE) and not _marked(editor, 0, TEXT)
    assert "Question 1, time guide" in editor.problem_label.text()
    assert not editor.save_button.isEnabled()
    editor.set_cell(0, GUIDE, "3-4 minutes")
    assert editor.problem is None and not _marked(editor, 0, GUIDE)
    assert editor.save_button.isEnabled()

    # Cue words: suggested from each point's words, used only once accepted.
    editor.table.setCurrentCell(0, KEY_POINTS)
    assert editor.cue_table.rowCount() == 2
    suggested = editor.cue_table.item(1, 1).text()
    assert "post-incident review" in suggested and "postincident" in suggested
    assert editor.cue_table.item(1, 1).checkState() == Qt.CheckState.Unchecked
    editor.accept_cues(1)
    editor.accept_cues(0, "recovery time, back up after")

    row = editor.add_question()
    assert row == 1
    editor.set_cell(1, TEXT, "Why this team?")
    editor.set_cell(1, SAMPLE, "I like small teams that own their services end to end.")
    with qtbot.waitSignal(editor.saved) as saved:
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    path = Path(saved.args[0])
    assert path == paths.user_scripts_dir() / "platform-screen.yaml"
    script = load_script(path)
    first, second = script.questions
    assert (first.time_guide.min_s, first.time_guide.max_s) == (180.0, 240.0)
    assert [k.text for k in first.key_points] == ["Say how long recovery took", "Mention the post-incident review"]
    assert first.key_points[0].cues == ("recovery time", "back up after")
    assert "post-incident review" in first.key_points[1].cues
    assert [m.text for m in first.mistakes] == ["Blaming a colleague"]
    assert second.sample_answer.startswith("I like small teams")
    # The pick screen lists the new interview and selects it.
    assert screen.current_script().title == "Platform screen"
    assert not screen.current_script().bundled


def test_import_a_pasted_page_then_edit_and_save(qtbot: Any, screen: PickScreen) -> None:
    dialog = screen.import_page()
    dialog.page_edit.setPlainText((PAGES / "numbered_list.txt").read_text(encoding="utf-8"))
    with qtbot.waitSignal(dialog.previewReady, timeout=10_000):
        qtbot.mouseClick(dialog.read_button, Qt.MouseButton.LeftButton)
    rows = dialog.found_rows()
    assert [r[0] for r in rows] == ["Tell me about a time you calmed down an angry customer.",
                                    "How do you prioritise a queue of two hundred open tickets?",
                                    "Why do you want to lead a support team?"]
    assert rows[0][1:] == ("2-3 minutes", "STAR", "3 key points, 2 mistakes")
    unplaced = [dialog.unplaced_list.item(i).text() for i in range(dialog.unplaced_list.count())]
    assert "Advertisement" in unplaced

    qtbot.mouseClick(dialog.edit_button, Qt.MouseButton.LeftButton)
    editor = screen.last_editor
    assert editor is not None and editor.table.rowCount() == 3
    assert editor.title_edit.text() == "Customer Support Lead – interview prep"
    assert editor.table.item(1, GUIDE).text() == "90 seconds"
    # The page names no role: the importer's placeholder is there to be replaced.
    editor.role_edit.setText("Support team lead")
    editor.set_cell(2, GUIDE, "soon")
    assert editor.problem is not None and editor.problem[:2] == (2, GUIDE)
    assert "'soon' is not a time guide" in editor.problem[2]
    editor.set_cell(2, GUIDE, "1-2 min")
    path = editor.save()
    assert path is not None and path.parent == paths.user_scripts_dir()
    script = load_script(path)
    assert script.role == "Support team lead"
    assert [len(q.key_points) for q in script.questions] == [3, 2, 2]
    assert script.questions[0].key_points[2].cues == ("refund", "renewal")  # kept from the page


def test_import_reads_a_saved_file_off_the_gui_thread(qtbot: Any, screen: PickScreen) -> None:
    dialog = screen.import_page()
    with qtbot.waitSignal(dialog.previewReady, timeout=10_000):
        dialog.open_file(PAGES / "markdown.md")
    assert len(dialog.found_rows()) == 5
    assert dialog.page_edit.toPlainText().startswith("# Data Analyst Interview Questions")
    with qtbot.waitSignal(dialog.previewReady, timeout=10_000):
        dialog.open_file(PAGES / "no-such-page.txt")
    assert "no such file" in dialog.summary_label.text()
    assert not dialog.edit_button.isEnabled()


def test_edit_duplicate_and_delete_with_undo(qtbot: Any, screen: PickScreen) -> None:
    _select(screen, "Incident leadership")
    assert screen.current_script().bundled
    assert not screen.edit_button.isEnabled() and not screen.delete_button.isEnabled()
    editor = screen.duplicate_current()
    assert editor is not None and editor.title_edit.text().endswith("(my copy)")
    copy_path = editor.save()
    assert copy_path is not None and copy_path.parent == paths.user_scripts_dir()
    copy = screen.current_script()
    assert not copy.bundled and copy.title.endswith("(my copy)")
    bundled = [s for s in screen._scripts if s.bundled and s.title == copy.title.removesuffix(" (my copy)")]
    assert [q.key_points for q in copy.questions] == [q.key_points for q in bundled[0].questions]

    editor = screen.edit_current()
    assert editor is not None and editor.windowTitle() == "Edit interview"
    editor.set_cell(0, TEXT, "Describe the hardest incident you led.")
    assert editor.save() == copy_path  # edited in place, not copied again
    assert load_script(copy_path).questions[0].text == "Describe the hardest incident you led."

    screen.script_list.setFocus()
    assert screen.delete_current()
    assert not copy_path.exists() and screen.undo_row.isVisible() is screen.isVisible()
    assert all(s.path != copy_path for s in screen._scripts)
    assert screen.undo_delete()
    assert copy_path.is_file() and screen.current_script().path == copy_path


def test_practise_one_question(qtbot: Any, screen: PickScreen) -> None:
    dialog = screen.practise_one_question()
    dialog.question_edit.setText("What would you change in your last team?")
    dialog.guide_combo.setCurrentText("90s")
    dialog.framework_combo.setCurrentText("STAR")
    with qtbot.waitSignal(screen.startRequested) as started:
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    script, questions = started.args
    (question,) = questions
    assert question.text == "What would you change in your last team?"
    assert (question.time_guide.min_s, question.time_guide.max_s) == (68.0, 90.0)
    assert question.framework.name == "STAR" and script.questions == (question,)


def test_move_questions_and_edit_guidance_and_follow_ups(qtbot: Any, screen: PickScreen) -> None:
    from app.ui.script_editor import FOLLOW_UPS, GUIDANCE

    editor = screen.open_editor({"title": "Order test", "role": "Analyst", "questions": [
        {"id": "first", "text": "Why this team?", "guidance": "They want a reason of your own.",
         "follow_ups": ["And the one before?"]},
        {"id": "second", "text": "Tell me about a migration you led."},
        {"id": "third", "text": "What would you change in your first month?"}]})
    assert editor.table.item(0, GUIDANCE).text() == "They want a reason of your own."
    assert editor.table.item(0, FOLLOW_UPS).text() == "And the one before?"

    editor.table.setCurrentCell(2, TEXT)
    qtbot.mouseClick(editor.up_button, Qt.MouseButton.LeftButton)  # third above second
    assert editor.table.currentRow() == 1
    editor.table.setFocus()
    qtbot.keyClick(editor.table, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)  # and above first
    assert editor.table.currentRow() == 0
    editor.table.setCurrentCell(1, TEXT)
    qtbot.keyClick(editor.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)  # first to the end
    qtbot.mouseClick(editor.down_button, Qt.MouseButton.LeftButton)  # already last: stays
    assert editor.table.currentRow() == 2

    # Follow-ups and guidance are checked by the loader like every other field.
    editor.set_cell(2, FOLLOW_UPS, "What did the team say?\n" + "x" * 20_001)
    assert editor.problem is not None and editor.problem[:2] == (2, FOLLOW_UPS)
    assert _marked(editor, 2, FOLLOW_UPS) and not editor.save_button.isEnabled()
    editor.set_cell(2, FOLLOW_UPS, "What did the team say?\n\nWould you pick it again?")
    editor.set_cell(0, GUIDANCE, "Show you plan before you change anything.")
    path = editor.save()
    assert path is not None
    script = load_script(path)
    assert [q.id for q in script.questions] == ["third", "second", "first"]
    assert [f.text for f in script.questions[2].follow_ups] == ["What did the team say?", "Would you pick it again?"]
    assert script.questions[2].guidance == "They want a reason of your own."
    assert script.questions[0].guidance == "Show you plan before you change anything."


def _llm_dialog(qtbot: Any, host: str, **settings: Any) -> Any:
    from app.practice import PracticeSettings
    from app.ui.import_dialog import ImportDialog

    dialog = ImportDialog(llm_settings=PracticeSettings(ollama_host=host, **settings))
    qtbot.addWidget(dialog)
    return dialog


def test_the_local_model_reads_a_page_the_rules_cannot_and_the_editor_gets_its_reading(
        qtbot: Any, screen: PickScreen, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.practice import PracticeSettings
    from app.ui.settings_store import SettingsStore
    from tests.ollama_loopback import OllamaLoopback
    from tests.test_llm_page_reader import MESSY_PAGE, READING

    for name in ("GREENROOM_OLLAMA_MODEL", "GREENROOM_OLLAMA_ALLOW_REMOTE", "OLLAMA_HOST"):
        monkeypatch.delenv(name, raising=False)
    server = OllamaLoopback(models=("llama3.2:3b",)).start()
    server.script_reply(READING)
    try:
        SettingsStore().save_practice_settings(PracticeSettings(ollama_host=server.host))
        dialog = screen.import_page()  # the app's own settings point it at the server
        qtbot.waitUntil(lambda: dialog.llm_model == "llama3.2:3b", timeout=10_000)
        assert not dialog.llm_button.isEnabled()  # nothing read yet
        dialog.page_edit.setPlainText(MESSY_PAGE)
        with qtbot.waitSignal(dialog.previewReady, timeout=10_000):
            qtbot.mouseClick(dialog.read_button, Qt.MouseButton.LeftButton)
        assert "found no interview questions" in dialog.summary_label.text()
        assert "The local model may still read it." in dialog.summary_label.text()
        assert dialog.found_rows() == [] and dialog.llm_button.isEnabled()

        with qtbot.waitSignal(dialog.previewReady, timeout=10_000):
            qtbot.mouseClick(dialog.llm_button, Qt.MouseButton.LeftButton)
        rows = dialog.found_rows()
        assert [r[0] for r in rows] == [q["text"] for q in READING["questions"] if "weakness" not in q["text"]]
        assert rows[0][1] == "2 minutes"
        assert rows[1][1:] == ("—", "STAR", "2 key points, 1 mistake")
        assert "dropped 1 question, 1 list item not found on the page" in dialog.summary_label.text()
        assert not dialog.llm_progress.isVisible() and dialog.llm_button.isEnabled()
        (request,) = server.requests_to("/api/chat")
        assert request.body["format"]["properties"]["questions"]["type"] == "array"

        qtbot.mouseClick(dialog.edit_button, Qt.MouseButton.LeftButton)
        editor = screen.last_editor
        assert editor is not None and editor.table.rowCount() == 4
        editor.move_current_question(1)  # the first question goes second
        path = editor.save()
    finally:
        server.stop()
    assert path is not None
    script = load_script(path)
    assert [q.text for q in script.questions][:2] == ["how did you handle a production outage you owned?",
                                                      "tell them about yourself"]
    assert [k.text for k in script.questions[0].key_points] == ["mention how long recovery took",
                                                                "what changed afterwards"]


def test_without_ollama_the_rules_stand_alone_and_the_button_says_why(
        qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.ollama_loopback import OllamaLoopback

    for name in ("GREENROOM_OLLAMA_MODEL", "GREENROOM_OLLAMA_ALLOW_REMOTE", "OLLAMA_HOST"):
        monkeypatch.delenv(name, raising=False)
    server = OllamaLoopback(models=("llama3.2:3b",)).start()
    server.stop()  # a port where nothing answers
    dialog = _llm_dialog(qtbot, server.host)
    qtbot.waitUntil(lambda: dialog.llm_button.toolTip().startswith("Unavailable"), timeout=10_000)
    assert "Ollama is not running" in dialog.llm_button.toolTip()
    dialog.page_edit.setPlainText((PAGES / "numbered_list.txt").read_text(encoding="utf-8"))
    with qtbot.waitSignal(dialog.previewReady, timeout=10_000):
        dialog.read_pasted()
    assert len(dialog.found_rows()) == 3 and dialog.edit_button.isEnabled()
    assert not dialog.llm_button.isEnabled()

    # A cloud model is refused before the server is asked anything.
    cloud = _llm_dialog(qtbot, "http://127.0.0.1:9", llm_model="gpt-oss:120b-cloud")
    qtbot.waitUntil(lambda: cloud.llm_button.toolTip().startswith("Unavailable"), timeout=10_000)
    assert "your page would leave this machine" in cloud.llm_button.toolTip()
    off = _llm_dialog(qtbot, server.host, llm_enabled=False)
    assert off.llm_button.toolTip() == "Unavailable: the local model is turned off in Settings"


def test_a_garbage_reply_keeps_the_rules_reading(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.ollama_loopback import OllamaLoopback

    for name in ("GREENROOM_OLLAMA_MODEL", "GREENROOM_OLLAMA_ALLOW_REMOTE", "OLLAMA_HOST"):
        monkeypatch.delenv(name, raising=False)
    server = OllamaLoopback(models=("llama3.2:3b",)).start()
    server.set_mode("invalid_json")
    try:
        dialog = _llm_dialog(qtbot, server.host)
        qtbot.waitUntil(lambda: dialog.llm_model is not None, timeout=10_000)
        (answers_only,) = sorted((PAGES / "seeds").glob("000_*.txt"))
        dialog.page_edit.setPlainText(answers_only.read_text(encoding="utf-8"))
        with qtbot.waitSignal(dialog.previewReady, timeout=10_000):
            dialog.read_pasted()
        rules_rows = dialog.found_rows()
        assert len(rules_rows) == 15
        assert "The rules are unsure about this page: 14 answers came without their question." in \
            dialog.summary_label.text()
        with qtbot.waitSignal(dialog.previewReady, timeout=10_000):
            dialog.read_with_model()
    finally:
        server.stop()
    text = dialog.summary_label.text()
    assert text.startswith("The local model could not read the page: the model's reply was not valid JSON")
    assert text.endswith("The rules' reading stays.") and "\n" not in text
    assert dialog.found_rows() == rules_rows and dialog.result is dialog.rules_result
    assert dialog.edit_button.isEnabled()


def test_keys_without_a_column_survive_an_edit(qtbot: Any, screen: PickScreen) -> None:
    """Kind, level, the follow-up guide, key point ids and what each follow-up probes have
    no column; editing the table keeps them, even when a key point is reworded."""
    from app.ui.script_editor import FOLLOW_UPS

    editor = screen.open_editor({"title": "Probes kept", "role": "Analyst", "tags": ["data", "sql"],
                                 "questions": [
        {"id": "story", "text": "Tell me about a report that changed a decision.", "framework": "STAR",
         "kind": "behavioural", "level": "mid", "follow_up_guide": "30s-1 min",
         "key_points": [{"id": "impact", "text": "Say what the decision was", "cues": ["decided"]},
                        {"id": "method", "text": "Explain how you checked the numbers"}],
         "follow_ups": [{"text": "What did it change, in numbers?", "probes": ["impact", "Result"]},
                        {"text": "How did you check it?", "probes": ["method"]},
                        "Would you do it the same way?"]}]})
    assert editor.table.item(0, FOLLOW_UPS).text().splitlines() == [
        "What did it change, in numbers?", "How did you check it?", "Would you do it the same way?"]
    # Reworded in place: the point keeps its id, so the follow-up still probes it.
    editor.set_cell(0, KEY_POINTS, "Say what the decision was\nExplain how you checked the figures")
    path = editor.save()
    assert path is not None, editor.problem
    script = load_script(path)
    (question,) = script.questions
    assert (question.kind, question.level, question.follow_up_guide.text) == ("behavioural", "mid", "30s-1 min")
    assert [(k.id, k.text, k.cues) for k in question.key_points] == [
        ("impact", "Say what the decision was", ("decided",)),
        ("method", "Explain how you checked the figures", ())]
    assert [(f.text, f.probes) for f in question.follow_ups] == [
        ("What did it change, in numbers?", ("impact", "Result")),
        ("How did you check it?", ("method",)),
        ("Would you do it the same way?", ())]
    assert script.tags == ("data", "sql")

    # A point taken out takes its probe with it (the table cannot show a probe to fix);
    # the stage the follow-up also probes stays.
    editor = screen.edit_current()
    assert editor is not None
    editor.set_cell(0, KEY_POINTS, "Explain how you checked the figures")
    assert editor.save() == path, editor.problem
    question = load_script(path).questions[0]
    assert [k.id for k in question.key_points] == ["method"]
    assert [f.probes for f in question.follow_ups] == [("Result",), ("method",), ()]
