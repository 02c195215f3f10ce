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
    assert opened.schema_version == store.SCHEMA_VERSION == 4
    (old,) = opened.list_briefs()
    assert (old.follow_up_to, old.asked_by, old.ask_reason, old.stop_reason) == (None, "question", None, None)
    assert old.question_text == "Why?" and old.duration_s == 30
