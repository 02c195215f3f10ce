"""The SQLite session store and the `greenroom sessions` command, on real SQLite files."""

from __future__ import annotations

import builtins
import os
import sqlite3
import stat
import sys
import threading
from collections.abc import Iterator
from dataclasses import fields
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from app import paths, store
from app.cli import main
from app.errors import StoreError
from app.store import AttemptBrief, AttemptRow, Store
from models.coach.feedback_model import Feedback, LLMReview
from models.coach.length import feedback_length_line
from models.transcript import Transcript, Word
from tests.coach_helpers import sample_feedback


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """A typical desktop umask, so private modes have to come from the code itself."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def table_columns(path: Path, table: str) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    finally:
        conn.close()


def wav_in_recordings(name: str) -> Path:
    target = paths.recordings_dir() / name
    target.write_bytes(b"RIFF....WAVE")
    return target


# -- schema and migrations ------------------------------------------------------------


def test_migrates_an_empty_file_to_the_latest_version_and_reopens_idempotently(tmp_path: Path) -> None:
    db = tmp_path / "empty.sqlite3"
    db.touch()
    assert user_version(db) == 0

    first = Store(db)
    assert user_version(db) == store.SCHEMA_VERSION == len(store.MIGRATIONS) >= 1
    assert first.schema_version == store.SCHEMA_VERSION
    assert table_columns(db, "sessions") == ["id", "script_id", "script_title", "started_at", "ended_at",
                                             "name", "deleted_at"]
    assert table_columns(db, "attempts") == [
        "id", "session_id", "script_id", "question_id", "question_text", "started_at", "ended_at",
        "status", "audio_path", "duration_s", "transcript_json", "feedback_json", "models_json",
        "summary_json", "deleted_at", "follow_up_to", "asked_by", "ask_reason", "stop_reason",
        "stage",
    ]
    session_id = first.create_session("ops", "Ops interview")

    again = Store(db)  # a second open must neither re-run migrations nor lose rows
    assert again.schema_version == store.SCHEMA_VERSION
    assert [s.id for s in again.list_sessions()] == [session_id]
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_default_path_is_the_data_folder(greenroom_home: Path) -> None:
    opened = Store()
    assert opened.path == greenroom_home / "greenroom.sqlite3"
    assert opened.path.is_file()


def test_a_later_migration_upgrades_existing_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "old.sqlite3"
    Store(db).create_session("ops", "Ops interview")
    step = ("ALTER TABLE sessions ADD COLUMN notes TEXT NOT NULL DEFAULT ''",)
    monkeypatch.setattr(store, "MIGRATIONS", (*store.MIGRATIONS, step))
    monkeypatch.setattr(store, "SCHEMA_VERSION", len(store.MIGRATIONS))

    upgraded = Store(db)
    assert user_version(db) == len(store.MIGRATIONS)
    assert "notes" in table_columns(db, "sessions")
    assert [s.script_id for s in upgraded.list_sessions()] == ["ops"]


def test_a_failing_migration_leaves_the_database_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "half.sqlite3"
    Store(db)
    before = user_version(db)
    broken = ("ALTER TABLE sessions ADD COLUMN half_done TEXT", "THIS IS NOT SQL")
    monkeypatch.setattr(store, "MIGRATIONS", (*store.MIGRATIONS, broken))
    monkeypatch.setattr(store, "SCHEMA_VERSION", len(store.MIGRATIONS))

    with pytest.raises(StoreError) as caught:
        Store(db)
    assert str(db) in str(caught.value)
    assert user_version(db) == before
    assert "half_done" not in table_columns(db, "sessions")  # the step rolled back as a whole


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "future.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {store.SCHEMA_VERSION + 5}")
    conn.close()

    with pytest.raises(StoreError) as caught:
        Store(db)
    message = str(caught.value)
    assert message == (
        f"{db}: the database is from a newer Greenroom (schema {store.SCHEMA_VERSION + 5}, this "
        f"version knows up to {store.SCHEMA_VERSION}); update Greenroom to open it"
    )
    assert user_version(db) == store.SCHEMA_VERSION + 5  # untouched


def test_a_corrupt_file_is_a_store_error_naming_the_file(tmp_path: Path) -> None:
    db = tmp_path / "garbage.sqlite3"
    db.write_bytes(b"this is not a database at all\n" * 200)

    with pytest.raises(StoreError) as caught:
        Store(db)
    message = str(caught.value)
    assert message.startswith(f"{db}: cannot use the session database (")
    assert "move it aside" in message
    assert "\n" not in message


def test_a_folder_in_place_of_the_database_is_a_store_error(tmp_path: Path) -> None:
    db = tmp_path / "db-folder"
    db.mkdir()
    with pytest.raises(StoreError, match="cannot create the database"):
        Store(db)


# -- permissions --------------------------------------------------------------------


def test_data_folder_database_and_side_files_are_private(
    greenroom_home: Path, loose_umask: None
) -> None:
    opened = Store()
    session_id = opened.create_session("ops", "Ops interview")
    # A second connection inside a read transaction keeps the WAL and shared-memory
    # files from being checkpointed away, so they can be inspected.
    holder = sqlite3.connect(opened.path)
    try:
        holder.execute("BEGIN")
        holder.execute("SELECT COUNT(*) FROM sessions").fetchone()
        opened.start_attempt(session_id, "ops", "q1", "Why?", paths.recordings_dir() / "a.wav")
        wal = Path(f"{opened.path}-wal")
        shm = Path(f"{opened.path}-shm")
        assert wal.is_file() and shm.is_file()
        assert mode(wal) == 0o600
        assert mode(shm) == 0o600
    finally:
        holder.close()
    assert mode(greenroom_home) == 0o700
    assert mode(opened.path) == 0o600
    assert mode(paths.recordings_dir()) == 0o700


def test_an_existing_readable_database_is_made_private(tmp_path: Path, loose_umask: None) -> None:
    db = tmp_path / "shared.sqlite3"
    db.touch(mode=0o644)
    assert mode(db) == 0o644
    Store(db)
    assert mode(db) == 0o600


def test_a_custom_database_folder_is_created_private(tmp_path: Path, loose_umask: None) -> None:
    db = tmp_path / "new-folder" / "greenroom.sqlite3"
    Store(db)
    assert mode(db.parent) == 0o700
    assert mode(db) == 0o600


# -- rows ---------------------------------------------------------------------------


def test_attempt_lifecycle_and_json_round_trip(tmp_path: Path) -> None:
    opened = Store(tmp_path / "s.sqlite3")
    session_id = opened.create_session("ops", "Ops — final round")
    audio = paths.recordings_dir() / "answer.wav"
    attempt_id = opened.start_attempt(session_id, "ops", "outage", "Tell me about an outage.", audio)

    started = opened.get_attempt(attempt_id)
    assert started.status == "recording"
    assert started.audio_path == audio
    assert started.transcript is None and started.feedback is None and started.models == {}
    assert started.ended_at is None and started.duration_s is None
    assert started.started.utcoffset() == timedelta(0)

    transcript = Transcript(
        words=[Word("Well,", 0.0, 0.42, 0.91), Word("naïve", 0.5, 0.9), Word("rollback", 1.0, 1.6, 0.5)],
        language="en", model="tiny.en", duration_s=1.6,
    ).to_dict()
    feedback = sample_feedback()
    # NumPy scalars from the measures become plain numbers on the way in.
    feedback = Feedback.from_dict({**feedback.to_dict(), "wpm": np.float32(131.5)})
    models = {"transcriber": "tiny.en", "llm": None}
    opened.finish_attempt(attempt_id, 87.25, transcript, feedback, models)

    done = opened.get_attempt(attempt_id)
    assert done.status == "complete"
    assert done.duration_s == 87.25
    assert done.transcript == transcript
    assert Transcript.from_dict(done.transcript).text == "Well, naïve rollback"
    assert done.feedback is not None
    assert done.feedback.wpm == 131.5 and type(done.feedback.wpm) is float
    assert done.feedback.to_dict() == {**feedback.to_dict(), "wpm": 131.5}
    assert done.feedback.fillers.count == 1 and done.feedback.version == 1
    assert done.models == models
    assert done.ended_at is not None and done.ended_at >= done.started_at

    reviewed = done.feedback.model_copy(update={"llm": LLMReview(verdict="Good.", summary="Kept")})
    opened.update_feedback(attempt_id, reviewed, {"transcriber": "tiny.en", "llm": "llama3.2"})
    updated = opened.get_attempt(attempt_id)
    assert updated.feedback is not None and updated.feedback.llm is not None
    assert updated.feedback.llm.verdict == "Good."
    # A key this version does not know survives the round trip.
    assert updated.feedback.llm.model_extra == {"summary": "Kept"}
    assert updated.models == {"transcriber": "tiny.en", "llm": "llama3.2"}
    assert updated.transcript == transcript

    opened.update_feedback(attempt_id, sample_feedback())  # models kept
    assert opened.get_attempt(attempt_id).models["llm"] == "llama3.2"


# -- summaries ----------------------------------------------------------------------

FIXTURE_V1 = Path(__file__).parent / "fixtures" / "store-v1.sqlite3"


def test_summaries_are_saved_with_the_feedback_and_follow_its_replacement(tmp_path: Path) -> None:
    opened = Store(tmp_path / "s.sqlite3")
    session_id = opened.create_session("ops", "Ops")
    attempt_id = opened.start_attempt(session_id, "ops", "outage", "Outage?", None)
    (brief,) = opened.list_briefs()
    assert brief.summary is None and brief.status == "recording"

    feedback = sample_feedback()
    opened.finish_attempt(attempt_id, 272.0, None, feedback, {})
    (brief,) = opened.list_briefs()
    summary = brief.summary
    assert summary is not None
    assert (summary.verdict, summary.guide_text, summary.guide_min_s) == ("short", "5-7 minutes", 300)
    assert summary.speaking_s == feedback.speaking_s and summary.wpm == feedback.wpm
    assert summary.fillers == feedback.fillers.count == 1
    assert summary.pauses == len(feedback.pauses)
    assert [(p.text, p.status) for p in summary.key_points] == [
        (p.text, p.status) for p in feedback.key_points]
    assert summary.key_points_text() == f"{summary.covered}/5"
    assert [s.name for s in summary.stages] == [
        s.name for s in feedback.structure.stages if s.present]
    assert not summary.has_llm_review
    assert opened.get_attempt(attempt_id).summary == summary

    reviewed = feedback.model_copy(update={"llm": LLMReview(verdict="Fine."),
                                           "key_points": feedback.key_points[:2]})
    opened.update_feedback(attempt_id, reviewed)
    (brief,) = opened.list_briefs()
    assert brief.summary is not None and brief.summary.has_llm_review
    assert len(brief.summary.key_points) == 2


def test_briefs_read_no_feedback_and_filter_by_question_in_time_order(tmp_path: Path) -> None:
    opened = Store(tmp_path / "s.sqlite3")
    first = opened.create_session("ops", "Ops")
    second = opened.create_session("ops", "Ops")
    a1 = opened.start_attempt(first, "ops", "outage", "Outage?", None)
    a2 = opened.start_attempt(first, "ops", "conflict", "Conflict?", None)
    a3 = opened.start_attempt(second, "ops", "outage", "Outage?", None)
    a4 = opened.start_attempt(second, "pm", "outage", "Outage (product)?", None)
    for attempt in (a1, a2, a3, a4):
        opened.finish_attempt(attempt, 10.0, {"text": "x", "words": []}, sample_feedback(), {})

    assert [b.id for b in opened.list_briefs()] == [a4, a3, a2, a1]
    assert [b.id for b in opened.list_briefs(script_id="ops", question_id="outage",
                                             oldest_first=True)] == [a1, a3]
    assert [b.id for b in opened.list_briefs(session_id=first)] == [a2, a1]
    assert not hasattr(opened.list_briefs()[0], "feedback")

    # Lists must not depend on the heavy columns at all: with them emptied, the figures remain.
    conn = sqlite3.connect(opened.path)
    conn.execute("UPDATE attempts SET feedback_json = 'not json', transcript_json = 'not json'")
    conn.commit()
    conn.close()
    assert all(b.summary is not None and b.summary.verdict == "short" for b in opened.list_briefs())


def test_an_attempt_in_full_is_its_brief_plus_transcript_feedback_and_models(tmp_path: Path) -> None:
    opened = Store(tmp_path / "s.sqlite3")
    session = opened.create_session("ops", "Ops")
    attempt_id = opened.start_attempt(session, "ops", "outage", "Outage?", tmp_path / "a.wav")
    opened.finish_attempt(attempt_id, 12.5, {"text": "we rolled back", "words": []},
                          sample_feedback(), {"transcriber": "tiny.en"})
    (brief,) = opened.list_briefs()
    full = opened.get_attempt(attempt_id)
    assert isinstance(full, AttemptBrief)
    # Every field of the brief is read the same way for the full row.
    assert {f.name: getattr(full, f.name) for f in fields(AttemptBrief)} == {
        f.name: getattr(brief, f.name) for f in fields(AttemptBrief)}
    assert full.audio_path == tmp_path / "a.wav" and full.duration_s == 12.5
    assert full.transcript == {"text": "we rolled back", "words": []}
    assert full.feedback == sample_feedback() and full.models == {"transcriber": "tiny.en"}
    assert AttemptRow.of(brief, None, None) == AttemptRow(**{
        f.name: getattr(brief, f.name) for f in fields(AttemptBrief)})


def test_a_schema_1_database_gains_summaries_for_every_coached_attempt(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    db.write_bytes(FIXTURE_V1.read_bytes())
    assert user_version(db) == 1
    assert "summary_json" not in table_columns(db, "attempts")

    opened = Store(db)
    assert user_version(db) == store.SCHEMA_VERSION >= 2
    briefs = opened.list_briefs(oldest_first=True)
    assert len(briefs) == 2
    for brief in briefs:
        full = opened.get_attempt(brief.id)
        assert full.feedback is not None and brief.summary is not None
        assert brief.summary == store.AttemptSummary.from_feedback(full.feedback)
        assert full.summary == brief.summary
    first, second = (b.summary for b in briefs)
    assert first is not None and second is not None
    assert [p.status for p in first.key_points] == [p.status for p in
                                                     opened.get_attempt(briefs[0].id).feedback.key_points]
    assert first.verdict == second.verdict == "within" and first.guide_text == "20-40 seconds"


def test_the_summary_migration_skips_feedback_it_cannot_read(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    db.write_bytes(FIXTURE_V1.read_bytes())
    conn = sqlite3.connect(db)
    conn.execute("UPDATE attempts SET feedback_json = '{\"not\": \"feedback\"}' WHERE id = 1")
    conn.commit()
    conn.close()
    briefs = {b.id: b for b in Store(db).list_briefs()}
    assert briefs[1].summary is None
    assert briefs[2].summary is not None


def test_objects_that_are_not_json_are_a_store_error(tmp_path: Path) -> None:
    opened = Store(tmp_path / "s.sqlite3")
    attempt_id = opened.start_attempt(opened.create_session("ops", "Ops"), "ops", "q", "Q?", None)
    with pytest.raises(StoreError, match=r"^attempt feedback: cannot be saved \(.*object"):
        opened.finish_attempt(attempt_id, 1.0, None,
                              sample_feedback().model_copy(update={"bad": object()}), {})
    assert opened.get_attempt(attempt_id).status == "recording"


def test_recovered_attempts_and_ended_sessions(tmp_path: Path) -> None:
    opened = Store(tmp_path / "s.sqlite3")
    session_id = opened.create_session("ops", "Ops")
    attempt_id = opened.start_attempt(session_id, "ops", "q1", "Q1?", None)
    assert [a.id for a in opened.list_attempts(status="recording")] == [attempt_id]

    opened.mark_recovered(attempt_id, 42.5)
    recovered = opened.get_attempt(attempt_id)
    assert (recovered.status, recovered.duration_s) == ("recovered", 42.5)
    assert opened.list_attempts(status="recording") == []

    assert opened.get_session(session_id).ended_at is None
    opened.end_session(session_id)
    ended = opened.get_session(session_id)
    assert ended.ended_at is not None and ended.ended_at >= ended.started_at


def test_lists_are_most_recent_first_and_filter_by_session(tmp_path: Path) -> None:
    opened = Store(tmp_path / "s.sqlite3")
    first = opened.create_session("ops", "Ops")
    second = opened.create_session("pm", "Product")
    a1 = opened.start_attempt(first, "ops", "q1", "Q1?", None)
    a2 = opened.start_attempt(second, "pm", "p1", "P1?", None)
    a3 = opened.start_attempt(first, "ops", "q2", "Q2?", None)

    assert [a.id for a in opened.list_attempts()] == [a3, a2, a1]
    assert [a.id for a in opened.list_attempts(session_id=first)] == [a3, a1]
    assert [a.id for a in opened.list_attempts(session_id=second)] == [a2]
    sessions = opened.list_sessions()
    assert [(s.id, s.attempt_count) for s in sessions] == [(second, 1), (first, 2)]
    with pytest.raises(StoreError, match="attempt status 'done' is unknown"):
        opened.list_attempts(status="done")


def test_unknown_ids_are_store_errors(tmp_path: Path) -> None:
    opened = Store(tmp_path / "s.sqlite3")
    with pytest.raises(StoreError, match=r"^no session 7; `greenroom sessions list` shows them$"):
        opened.get_session(7)
    with pytest.raises(StoreError, match=r"^no attempt 9;"):
        opened.get_attempt(9)
    with pytest.raises(StoreError, match=r"^no session 7;"):
        opened.start_attempt(7, "ops", "q1", "Q?", None)
    with pytest.raises(StoreError, match=r"^no attempt 9;"):
        opened.finish_attempt(9, 1.0, {}, {}, {})
    with pytest.raises(StoreError, match=r"^no session 7;"):
        opened.delete_session(7)


# -- deleting -----------------------------------------------------------------------


def test_deleting_a_session_removes_its_attempts_and_their_audio_only(tmp_path: Path) -> None:
    opened = Store()
    doomed = opened.create_session("ops", "Ops")
    kept = opened.create_session("pm", "Product")
    inside = [wav_in_recordings("one.wav"), wav_in_recordings("two.wav")]
    outside = tmp_path / "outside.wav"
    outside.write_bytes(b"keep me")
    escape = paths.recordings_dir() / ".." / "escape.wav"  # lexically inside, really not
    escape.write_bytes(b"keep me too")
    link_target = tmp_path / "linked.wav"
    link_target.write_bytes(b"the link goes, this stays")
    link = paths.recordings_dir() / "link.wav"
    link.symlink_to(link_target)
    other = wav_in_recordings("other-session.wav")

    doomed_attempts = [opened.start_attempt(doomed, "ops", f"q{i}", "Q?", p)
                       for i, p in enumerate([*inside, outside, escape, link, None])]
    kept_attempt = opened.start_attempt(kept, "pm", "p1", "P?", other)

    removed = opened.delete_session(doomed)

    assert sorted(removed) == sorted(Path(os.path.realpath(p)) for p in [*inside, link])
    assert not any(p.exists() for p in inside)
    assert not link.is_symlink()
    assert outside.read_bytes() == b"keep me"
    assert escape.read_bytes() == b"keep me too"
    assert link_target.read_bytes() == b"the link goes, this stays"
    assert other.exists()
    for attempt_id in doomed_attempts:
        with pytest.raises(StoreError):
            opened.get_attempt(attempt_id)
    assert [a.id for a in opened.list_attempts()] == [kept_attempt]
    assert [s.id for s in opened.list_sessions()] == [kept]
    # The rows went by ON DELETE CASCADE: nothing is left pointing at the session.
    conn = sqlite3.connect(opened.path)
    try:
        assert conn.execute("SELECT COUNT(*) FROM attempts WHERE session_id = ?", (doomed,)).fetchone() == (0,)
    finally:
        conn.close()


def test_deleting_an_attempt_removes_its_audio(tmp_path: Path) -> None:
    opened = Store()
    session_id = opened.create_session("ops", "Ops")
    audio = wav_in_recordings("single.wav")
    first = opened.start_attempt(session_id, "ops", "q1", "Q?", audio)
    second = opened.start_attempt(session_id, "ops", "q2", "Q2?", None)

    assert opened.delete_attempt(first) == [Path(os.path.realpath(audio))]
    assert not audio.exists()
    assert [a.id for a in opened.list_attempts(session_id=session_id)] == [second]
    assert opened.get_session(session_id).attempt_count == 1


def test_a_missing_audio_file_does_not_stop_a_delete(tmp_path: Path) -> None:
    opened = Store()
    session_id = opened.create_session("ops", "Ops")
    opened.start_attempt(session_id, "ops", "q1", "Q?", paths.recordings_dir() / "gone.wav")
    assert opened.delete_session(session_id) == []
    assert opened.list_sessions() == []


# -- threads --------------------------------------------------------------------------


def test_a_reader_thread_sees_consistent_rows_while_a_writer_thread_writes(tmp_path: Path) -> None:
    opened = Store(tmp_path / "busy.sqlite3")
    session_id = opened.create_session("ops", "Ops")
    total = 60
    feedback = sample_feedback()
    errors: list[BaseException] = []
    writer_done = threading.Event()
    reads = 0
    partial_views = 0  # reads that landed while the writer was half way

    def write() -> None:
        try:
            for i in range(total):
                attempt_id = opened.start_attempt(session_id, "ops", f"q{i}", f"Question {i}?", None)
                opened.finish_attempt(attempt_id, float(i), {"text": f"answer {i}", "words": []},
                                      feedback.model_copy(update={"question_id": f"q{i}"}),
                                      {"n": i})
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            errors.append(exc)
        finally:
            writer_done.set()

    def read() -> None:
        nonlocal reads, partial_views
        seen = 0
        try:
            while True:
                finished = writer_done.is_set()
                attempts = opened.list_attempts(session_id=session_id)
                count = opened.get_session(session_id).attempt_count
                assert len(attempts) >= seen, "rows disappeared"
                assert count >= len(attempts)  # read later, so never fewer
                for a in attempts:
                    index = int(a.question_id[1:])
                    if a.status == "complete":
                        assert a.transcript == {"text": f"answer {index}", "words": []}
                        assert a.feedback is not None and a.feedback.question_id == f"q{index}"
                        assert a.models == {"n": index} and a.duration_s == float(index)
                    else:
                        assert a.status == "recording" and a.transcript is None and a.feedback is None
                seen = len(attempts)
                reads += 1
                partial_views += 0 < seen < total
                if finished:
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=write), threading.Thread(target=read)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert partial_views >= 1, "the reader never overlapped the writer"
    final = opened.list_attempts(session_id=session_id)
    assert len(final) == total and all(a.status == "complete" for a in final)


# -- the `greenroom sessions` command ------------------------------------------------


@pytest.fixture
def saved_session() -> tuple[int, Path]:
    opened = Store()
    session_id = opened.create_session("incident-leadership", "Incident leadership final round")
    audio = wav_in_recordings("outage.wav")
    first = opened.start_attempt(session_id, "incident-leadership", "outage",
                                 "Walk me through a major outage you led.", audio)
    opened.finish_attempt(first, 272.0, {"text": "we had", "words": []}, sample_feedback(),
                          {"transcriber": "tiny.en"})
    opened.start_attempt(session_id, "incident-leadership", "conflict", "Tell me about a conflict.", None)
    return session_id, audio


def test_cli_lists_sessions(saved_session: tuple[int, Path], capsys: pytest.CaptureFixture[str]) -> None:
    session_id, _ = saved_session
    assert main(["sessions", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "DATE", "ATTEMPTS", "DISK", "INTERVIEW"]
    row = lines[1].split()
    assert row[0] == str(session_id)
    assert row[3] == "2"
    assert row[4:6] == ["12", "B"]  # the one recording on disk, wav_in_recordings' 12 bytes
    assert lines[1].endswith("Incident leadership final round")
    assert lines[2] == "Recordings use 12 B (1 file)."
    started = Store().get_session(session_id).started.astimezone()
    assert row[1] == started.strftime("%Y-%m-%d")


def test_cli_list_with_no_sessions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sessions"]) == 0
    assert capsys.readouterr().out.startswith("No saved sessions yet")


def test_cli_shows_a_session(saved_session: tuple[int, Path], capsys: pytest.CaptureFixture[str]) -> None:
    session_id, audio = saved_session
    assert main(["sessions", "show", str(session_id)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith(
        f"Session {session_id}: Incident leadership final round (incident-leadership), ")
    # The same sentence as the window and the export: the speaking time the verdict judged.
    line = feedback_length_line(sample_feedback())
    assert line.startswith("Spoke for ") and ": short by " in line and line.endswith(
        " (guide 5-7 minutes).")
    assert f"1. Walk me through a major outage you led.\n   length: {line}\n" in out
    assert "   key points covered: 1 of 5 (1 partly)\n" in out
    assert f"   audio: {audio}\n" in out
    assert "2. Tell me about a conflict. [recording]\n   length: not measured\n   audio: none" in out


def test_cli_show_unknown_session_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sessions", "show", "41"]) == 1
    assert capsys.readouterr().err == "greenroom: no session 41; `greenroom sessions list` shows them\n"


def test_cli_delete_without_a_terminal_needs_yes(
    saved_session: tuple[int, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id, audio = saved_session
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    assert main(["sessions", "delete", str(session_id)]) == 2
    err = capsys.readouterr().err
    assert err == (f"greenroom: not deleting session {session_id} without confirmation; "
                   "add --yes to delete it non-interactively\n")
    assert Store().get_session(session_id).attempt_count == 2
    assert audio.exists()

    assert main(["sessions", "delete", str(session_id), "--yes"]) == 0
    assert capsys.readouterr().out == f"Deleted session {session_id} and 1 recording(s).\n"
    assert Store().list_sessions() == []
    assert not audio.exists()


@pytest.mark.parametrize(("answer", "deleted"), [("y", True), ("n", False), ("", False)])
def test_cli_delete_asks_on_a_terminal(
    saved_session: tuple[int, Path], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, answer: str, deleted: bool,
) -> None:
    session_id, audio = saved_session
    prompts: list[str] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(builtins, "input", lambda prompt: prompts.append(prompt) or answer)

    assert main(["sessions", "delete", str(session_id)]) == (0 if deleted else 1)
    assert prompts == [f"Delete session {session_id} (Incident leadership final round, "
                       "2 attempt(s) and their recordings)? [y/N] "]
    assert audio.exists() is not deleted
    assert (Store().list_sessions() == []) is deleted
    assert ("Nothing deleted." in capsys.readouterr().out) is not deleted
