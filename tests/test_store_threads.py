"""The store keeps a conversation: a follow-up's reply linked to its answer, who asked and
why, why each recording stopped; an answer and its reply are deleted, hidden, restored
and purged as one thread; a schema 3 database gains all this and keeps its rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app import store
from app.errors import StoreError
from app.store import Store
from tests.coach_helpers import sample_feedback


def thread(tmp_path: Path) -> tuple[Store, int, int, int, list[Path]]:
    db = Store(tmp_path / "db.sqlite3", recordings_dir=tmp_path)
    session = db.create_session("sre", "SRE interview")
    wavs = [tmp_path / "answer.wav", tmp_path / "reply.wav"]
    for wav in wavs:
        wav.write_bytes(b"RIFF")
    answer = db.start_attempt(session, "sre", "rollback", "Tell me about a rollback.", wavs[0])
    reply = db.start_attempt(session, "sre", "rollback", "What did you watch?", wavs[1],
                             follow_up_to=answer, asked_by="script",
                             ask_reason="asked because no result was heard")
    db.finish_attempt(answer, 40.0, None, sample_feedback(), stop_reason="silence")
    db.finish_attempt(reply, 12.0, None, sample_feedback(), stop_reason="interrupted")
    return db, session, answer, reply, wavs


def test_a_reply_is_saved_linked_with_who_asked_why_and_how_it_stopped(tmp_path: Path) -> None:
    db, session, answer, reply, _ = thread(tmp_path)
    first, second = db.list_briefs(session, oldest_first=True)
    assert (first.id, first.follow_up_to, first.asked_by, first.ask_reason, first.stop_reason) == (
        answer, None, "question", None, "silence")
    assert (second.follow_up_to, second.asked_by, second.stop_reason) == (answer, "script", "interrupted")
    assert second.question_text == "What did you watch?" and second.is_follow_up
    assert second.ask_reason == "asked because no result was heard"
    assert db.get_attempt(reply).follow_up_to == answer
    # A stop reason once saved stays when the answer is finished again without one.
    db.finish_attempt(reply, 12.0, None, sample_feedback())
    assert db.get_attempt(reply).stop_reason == "interrupted"


def test_bad_links_and_words_are_refused_in_one_line(tmp_path: Path) -> None:
    db, session, answer, _, _ = thread(tmp_path)
    other = db.create_session("sre", "Another sitting")
    with pytest.raises(StoreError, match=f"attempt {answer} is not an answer of session {other}"):
        db.start_attempt(other, "sre", "rollback", "Why?", None, follow_up_to=answer)
    with pytest.raises(StoreError, match="asked_by 'robot' is unknown"):
        db.start_attempt(session, "sre", "rollback", "Why?", None, asked_by="robot")
    with pytest.raises(StoreError, match="stop reason 'bored' is unknown"):
        db.finish_attempt(answer, 1.0, None, None, stop_reason="bored")
    assert len(db.list_briefs(session)) == 2


def test_an_answer_and_its_reply_are_hidden_restored_and_purged_together(tmp_path: Path) -> None:
    db, session, answer, reply, wavs = thread(tmp_path)
    db.hide_attempt(answer)
    assert db.list_briefs(session) == []
    db.restore_attempt(answer)
    assert {b.id for b in db.list_briefs(session)} == {answer, reply}
    db.hide_attempt(answer)
    removed = db.purge_these(attempts=[answer])
    assert sorted(removed) == sorted(wavs)
    assert not any(w.exists() for w in wavs)
    with pytest.raises(StoreError):
        db.get_attempt(reply)


def test_deleting_an_answer_deletes_its_reply_and_both_recordings(tmp_path: Path) -> None:
    db, session, answer, reply, wavs = thread(tmp_path)
    assert sorted(db.delete_attempt(answer)) == sorted(wavs)
    assert db.list_briefs(session) == []
    # Deleting only the reply leaves the answer.
    db2, session2, answer2, reply2, _ = thread(tmp_path / "again")
    db2.delete_attempt(reply2)
    assert [b.id for b in db2.list_briefs(session2)] == [answer2]


def test_a_schema_3_database_gains_the_conversation_and_keeps_its_rows(tmp_path: Path) -> None:
    db_path = tmp_path / "v3.sqlite3"
    conn = sqlite3.connect(db_path)
    for step in (*store._MIGRATION_1, *store._MIGRATION_2[:2], *store._MIGRATION_3):
        conn.execute(step)
    conn.execute("INSERT INTO sessions (script_id, script_title, started_at) VALUES ('s', 'S', '2024-01-01')")
    conn.execute("INSERT INTO attempts (session_id, script_id, question_id, question_text, started_at,"
                 " status, duration_s) VALUES (1, 's', 'q', 'Why?', '2024-01-01', 'complete', 30)")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    opened = Store(db_path)
    assert opened.schema_version == store.SCHEMA_VERSION >= 4
    (old,) = opened.list_briefs()
    assert (old.follow_up_to, old.asked_by, old.ask_reason, old.stop_reason) == (None, "question", None, None)
    assert old.question_text == "Why?" and old.duration_s == 30


def test_sessions_show_gives_every_attempt_its_question_link_asker_and_stop_reason(
        capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from app.cli import main
    from models.coach.follow_up_fold import fold_follow_up

    db = Store()
    session = db.create_session("sre", "SRE interview")
    answer = db.start_attempt(session, "sre", "rollback", "Tell me about a rollback.", None)
    reply = db.start_attempt(session, "sre", "rollback", "What did you watch?", None,
                             follow_up_to=answer, asked_by="llm",
                             ask_reason="asked because you said “we rolled back”")
    closing = db.start_attempt(session, "sre", "closing", "Do you have any questions for us?", None,
                               asked_by="interviewer")
    parent = sample_feedback()
    missed = next(p for p in parent.key_points if p.status != "covered")
    made = parent.model_copy(deep=True)
    for point in made.key_points:
        point.status = "covered"
    db.finish_attempt(answer, 40.0, None, fold_follow_up(parent, made, reply), stop_reason="silence")
    db.finish_attempt(reply, 12.0, None, made, stop_reason="candidate")
    db.finish_attempt(closing, 20.0, None, None, stop_reason="interrupted")

    assert main(["sessions", "show", str(session), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["attempts"]
    assert [(r["attempt_id"], r["question_text"], r["follow_up_to"], r["asked_by"], r["stop_reason"])
            for r in rows] == [
        (answer, "Tell me about a rollback.", None, "question", "silence"),
        (reply, "What did you watch?", answer, "llm", "candidate"),
        (closing, "Do you have any questions for us?", None, "interviewer", "interrupted")]
    assert rows[1]["ask_reason"] == "asked because you said “we rolled back”"
    point = next(p for p in rows[0]["key_points"] if p["text"] == missed.text)
    assert point["in_follow_up"] is True and point["status"] == "covered"
    assert point["coach_status"] == missed.status
    assert rows[0]["key_points_covered_in_follow_up"] >= 1

    assert main(["sessions", "show", str(session)]) == 0
    text = capsys.readouterr().out
    assert "1. Tell me about a rollback." in text
    assert "   ↳ Follow-up (from the local LLM): What did you watch?" in text
    assert "2. Closing question: Do you have any questions for us?" in text
    assert "stopped: the interviewer cut in" in text
    assert "in the follow-up)" in text


def test_the_export_shows_each_follow_up_under_its_answer(tmp_path: Path) -> None:
    from app.export import load_session, render_text
    from models.coach.follow_up_fold import fold_follow_up

    db = Store(tmp_path / "db.sqlite3", recordings_dir=tmp_path)
    session = db.create_session("sre", "SRE interview")
    first = db.start_attempt(session, "sre", "rollback", "Tell me about a rollback.", None)
    second = db.start_attempt(session, "sre", "handover", "How do you hand over?", None)
    # A reply saved after a later answer began still shows right under its own answer.
    reply = db.start_attempt(session, "sre", "rollback", "What did you watch?", None,
                             follow_up_to=first, asked_by="script",
                             ask_reason="asked because no result was heard")
    closing = db.start_attempt(session, "sre", "closing", "Do you have any questions for us?", None,
                               asked_by="interviewer")
    parent = sample_feedback()
    missed = next(p for p in parent.key_points if p.status != "covered")
    made = parent.model_copy(deep=True)
    for point in made.key_points:
        point.status, point.evidence = "covered", "I watched the error rate."
    db.finish_attempt(first, 40.0, None, fold_follow_up(parent, made, reply))
    db.finish_attempt(second, 30.0, None, sample_feedback())
    db.finish_attempt(reply, 12.0, None, made, stop_reason="interrupted")
    db.finish_attempt(closing, 20.0, None, None)

    text = render_text(*load_session(db, session), "md")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## 1. Tell me about a rollback.",
                        "## 1. Follow-up: What did you watch?",
                        "## 2. How do you hand over?",
                        "## 3. Closing question: Do you have any questions for us?"]
    assert "3 answers and 1 follow-up." in text
    assert "Asked because no result was heard." in text
    assert "The interviewer cut in" in text
    assert f"**covered in the follow-up**: {missed.text}" in text
    html_text = render_text(*load_session(db, session), "html")
    assert "<h2>1. Follow-up: What did you watch?</h2>" in html_text


def test_progress_keeps_a_reply_with_its_answer_and_leaves_the_closing_question_out(
        tmp_path: Path) -> None:
    from app.progress import load_progress, progress_json

    db, session, answer, reply, _ = thread(tmp_path)
    closing = db.start_attempt(session, "sre", "closing", "Any questions for us?", None,
                               asked_by="interviewer")
    db.finish_attempt(closing, 20.0, None, sample_feedback())
    (question,) = load_progress(db)
    assert question.question_id == "rollback"
    assert [a.id for a in question.attempts] == [answer]
    assert [r.id for r in question.follow_ups[answer]] == [reply]
    (row,) = progress_json([question])[0]["attempts"]
    assert [f["attempt_id"] for f in row["follow_ups"]] == [reply]
    assert row["follow_ups"][0]["follow_up_to"] == answer
