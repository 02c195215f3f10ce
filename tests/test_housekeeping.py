"""Housekeeping of saved sessions: names, hiding with undo, purging, and the disk used by
recordings, in the store and through `greenroom sessions`, on real SQLite files."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from app import export, paths, store
from app.cli import main
from app.errors import StoreError
from app.progress import load_progress
from app.store import DiskUse, Store, format_size, utc_now
from tests.coach_helpers import sample_feedback

FIXTURE_V1 = Path(__file__).parent / "fixtures" / "store-v1.sqlite3"


def recording(name: str, size: int) -> Path:
    """A file of ``size`` bytes in the recordings folder."""
    target = paths.recordings_dir() / name
    target.write_bytes(b"\x01" * size)
    return target


def columns(path: Path, table: str) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    finally:
        conn.close()


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def two_sessions() -> tuple[Store, int, int, list[int], list[Path]]:
    """Session A with two coached answers (recordings of 1000 and 3000 bytes) and session B
    with one (500 bytes)."""
    opened = Store()
    first = opened.create_session("ops", "Ops interview")
    second = opened.create_session("pm", "Product interview")
    files = [recording("a1.wav", 1000), recording("a2.wav", 3000), recording("b1.wav", 500)]
    attempts = []
    for session_id, question, audio in ((first, "outage", files[0]), (first, "conflict", files[1]),
                                        (second, "outage", files[2])):
        attempt = opened.start_attempt(session_id, "ops" if session_id == first else "pm",
                                       question, f"{question}?", audio)
        opened.finish_attempt(attempt, 30.0, {"text": "x", "words": []}, sample_feedback(), {})
        attempts.append(attempt)
    return opened, first, second, attempts, files


# -- migration 3 ---------------------------------------------------------------------


def test_the_schema_1_fixture_migrates_to_names_and_soft_deletion(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    db.write_bytes(FIXTURE_V1.read_bytes())
    assert "deleted_at" not in columns(db, "sessions")

    opened = Store(db, recordings_dir=tmp_path)
    assert user_version(db) == store.SCHEMA_VERSION >= 3
    assert {"name", "deleted_at"} <= set(columns(db, "sessions"))
    assert "deleted_at" in columns(db, "attempts")
    (session,) = opened.list_sessions()
    assert session.name is None and session.title == session.script_title
    assert session.attempt_count == 2 and len(opened.list_briefs()) == 2

    opened.hide_attempt(1)  # the new columns work on the old rows
    assert [b.id for b in opened.list_briefs()] == [2]
    opened.rename_session(session.id, "Before the onsite")
    assert opened.get_session(session.id).title == "Before the onsite"


def test_a_schema_2_database_keeps_its_rows_visible_after_migration_3(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "v2.sqlite3"
    with monkeypatch.context() as patch:
        patch.setattr(store, "MIGRATIONS", store.MIGRATIONS[:2])
        patch.setattr(store, "SCHEMA_VERSION", 2)
        old = Store(db)
        session_id = old.create_session("ops", "Ops interview")
        # As schema 2's start_attempt wrote it (today's checks the session is not deleted,
        # a column schema 2 lacks).
        with sqlite3.connect(db) as conn:
            attempt_id = conn.execute(
                "INSERT INTO attempts (session_id, script_id, question_id, question_text,"
                " started_at, status) VALUES (?, 'ops', 'outage', 'Outage?', ?, 'recording')",
                (session_id, store.utc_now())).lastrowid
            # And as schema 2's finish_attempt saved it (today's also writes the columns of
            # later schemas).
            conn.execute(
                "UPDATE attempts SET status = 'complete', duration_s = 12.0, transcript_json = ?,"
                " feedback_json = ?, summary_json = ?, models_json = '{}', ended_at = ?"
                " WHERE id = ?",
                ('{"text": "x", "words": []}', sample_feedback().model_dump_json(),
                 store._summary_json(sample_feedback()), store.utc_now(), attempt_id))
        conn.close()
    assert user_version(db) == 2 and "name" not in columns(db, "sessions")

    upgraded = Store(db)
    assert user_version(db) == store.SCHEMA_VERSION
    session = upgraded.get_session(session_id)
    assert (session.name, session.attempt_count) == (None, 1)
    assert upgraded.get_attempt(attempt_id).summary is not None


# -- names ---------------------------------------------------------------------------


def test_renaming_a_session_and_clearing_the_name() -> None:
    opened, first, second, _, _ = two_sessions()
    opened.rename_session(first, "  Mock   with\nSam  ")
    assert opened.get_session(first).name == "Mock with Sam"  # one line, spaces collapsed
    assert [s.title for s in opened.list_sessions()] == ["Product interview", "Mock with Sam"]
    assert opened.get_session(second).name is None

    opened.rename_session(first, "   ")
    assert opened.get_session(first).name is None
    assert opened.get_session(first).title == "Ops interview"

    with pytest.raises(StoreError, match=r"^no session 99; `greenroom sessions list`"):
        opened.rename_session(99, "x")
    with pytest.raises(StoreError, match="at most 120 characters"):
        opened.rename_session(first, "x" * 121)
    assert opened.get_session(first).name is None
    opened.hide_session(first)
    with pytest.raises(StoreError, match=f"^no session {first};"):
        opened.rename_session(first, "hidden")


# -- hiding, restoring, purging -------------------------------------------------------


def test_a_hidden_attempt_leaves_every_listing_and_comes_back_on_restore() -> None:
    opened, first, _, (a1, a2, b1), files = two_sessions()
    opened.hide_attempt(a1)

    assert [a.id for a in opened.list_attempts()] == [b1, a2]
    assert [b.id for b in opened.list_briefs(session_id=first)] == [a2]
    assert [b.id for b in opened.list_briefs(question_id="outage", oldest_first=True)] == [b1]
    with pytest.raises(StoreError, match=f"^no attempt {a1};"):
        opened.get_attempt(a1)
    assert opened.get_session(first).attempt_count == 1
    outage = [q for q in load_progress(opened) if q.script_id == "ops" and q.question_id == "outage"]
    assert outage == []
    _, exported = export.load_session(opened, first)
    assert [a.id for a in exported] == [a2]
    assert files[0].exists()  # hiding never touches the recording
    with pytest.raises(StoreError):
        opened.hide_attempt(a1)  # already hidden

    opened.restore_attempt(a1)
    assert [a.id for a in opened.list_attempts()] == [b1, a2, a1]
    assert opened.get_attempt(a1).audio_path == files[0]
    assert opened.get_session(first).attempt_count == 2


def test_a_session_whose_attempts_are_all_hidden_stays_listed_with_none() -> None:
    opened, _, second, (_, _, b1), _ = two_sessions()
    opened.hide_attempt(b1)
    assert opened.get_session(second).attempt_count == 0
    assert second in [s.id for s in opened.list_sessions()]


def test_a_hidden_session_takes_its_attempts_and_restore_keeps_earlier_hidden_ones() -> None:
    opened, first, second, (a1, a2, b1), files = two_sessions()
    opened.hide_attempt(a2)  # deleted on its own first
    opened.hide_session(first)

    assert [s.id for s in opened.list_sessions()] == [second]
    with pytest.raises(StoreError, match=f"^no session {first};"):
        opened.get_session(first)
    assert [a.id for a in opened.list_attempts()] == [b1]
    assert opened.list_attempts(session_id=first) == []
    assert [b.id for b in opened.list_briefs()] == [b1]
    with pytest.raises(StoreError):
        opened.get_attempt(a1)
    with pytest.raises(StoreError):
        export.load_session(opened, first)
    assert [q.script_id for q in load_progress(opened)] == ["pm"]
    assert all(f.exists() for f in files)

    opened.restore_session(first)
    assert [s.id for s in opened.list_sessions()] == [second, first]
    assert [b.id for b in opened.list_briefs(session_id=first)] == [a1]  # a2 stays deleted
    assert opened.get_session(first).attempt_count == 1


def test_purging_removes_hidden_rows_and_their_recordings_only() -> None:
    opened, first, second, (a1, a2, b1), files = two_sessions()
    opened.hide_attempt(b1)
    opened.hide_session(first)
    assert sorted(opened.purge_hidden()) == sorted(Path(os.path.realpath(f)) for f in files)
    assert not any(f.exists() for f in files)
    assert [s.id for s in opened.list_sessions()] == [second]  # a session is only purged if hidden
    assert opened.get_session(second).attempt_count == 0
    with pytest.raises(StoreError, match=f"^no session {first};"):
        opened.restore_session(first)
    with pytest.raises(StoreError, match=f"^no attempt {b1};"):
        opened.restore_attempt(b1)
    conn = sqlite3.connect(opened.path)
    try:
        assert conn.execute("SELECT COUNT(*) FROM attempts").fetchone() == (0,)
    finally:
        conn.close()
    assert opened.purge_hidden() == []  # nothing left to purge


def test_a_purge_before_a_moment_keeps_what_was_hidden_after_it() -> None:
    opened, first, _, (a1, a2, b1), files = two_sessions()
    opened.hide_attempt(b1)
    conn = sqlite3.connect(opened.path)  # as if hidden by a run long gone
    conn.execute("UPDATE attempts SET deleted_at = '2020-01-01T00:00:00.000+00:00' WHERE id = ?",
                 (b1,))
    conn.commit()
    conn.close()
    started = utc_now()
    opened.hide_attempt(a1)

    assert opened.purge_hidden(before=started) == [Path(os.path.realpath(files[2]))]
    assert files[0].exists() and not files[2].exists()
    opened.restore_attempt(a1)  # hidden after the moment: still restorable
    assert [b.id for b in opened.list_briefs(session_id=first)] == [a2, a1]


def test_a_run_purges_at_its_start_only_what_earlier_runs_left_hidden() -> None:
    opened, first, second, (a1, a2, b1), files = two_sessions()
    opened.hide_session(second)  # an earlier run crashed with this session deleted
    conn = sqlite3.connect(opened.path)
    conn.execute("UPDATE sessions SET deleted_at = '2020-01-01T00:00:00.000+00:00' WHERE id = ?",
                 (second,))
    conn.commit()
    conn.close()
    run_started = utc_now()  # this run begins
    opened.hide_attempt(a2)  # this run's own delete, still undoable

    assert opened.purge_left_by_earlier_runs(run_started) == [Path(os.path.realpath(files[2]))]
    assert not files[2].exists() and files[1].exists()
    with pytest.raises(StoreError, match="no session"):
        opened.restore_session(second)
    opened.restore_attempt(a2)
    assert [b.id for b in opened.list_briefs(session_id=first)] == [a2, a1]
    assert opened.purge_left_by_earlier_runs(run_started) == []


# -- disk used by recordings ---------------------------------------------------------


def test_recordings_usage_counts_the_files_of_visible_attempts(tmp_path: Path) -> None:
    opened, first, second, (a1, _, b1), files = two_sessions()
    usage = opened.recordings_usage()
    assert usage.total == DiskUse(4500, 3)
    assert usage.of_session(first) == DiskUse(4000, 2)
    assert usage.of_session(second) == DiskUse(500, 1)

    files[1].write_bytes(b"\x01" * 7000)  # measured from the file, not remembered
    assert opened.recordings_usage().of_session(first) == DiskUse(8000, 2)

    opened.hide_attempt(a1)
    assert opened.recordings_usage().total == DiskUse(7500, 2)
    opened.hide_session(second)
    usage = opened.recordings_usage()
    assert usage.total == DiskUse(7000, 1) and usage.of_session(second) == DiskUse()
    opened.restore_session(second)
    opened.restore_attempt(a1)

    files[2].unlink()  # a missing file counts nothing; a shared one counts once
    extra = opened.start_attempt(second, "pm", "again", "Again?", files[1])
    assert opened.recordings_usage().total == DiskUse(8000, 2)
    opened.hide_attempt(extra)
    assert opened.recordings_usage().of_session(second) == DiskUse()


@pytest.mark.parametrize(("size", "text"), [(0, "0 B"), (999, "999 B"), (1000, "1.0 kB"),
                                             (980_000, "980 kB"), (1_234_567, "1.2 MB"),
                                             (312_000_000, "312 MB"), (4_500_000_000, "4.5 GB"),
                                             (2_000_000_000_000, "2000 GB")])
def test_sizes_read_as_file_managers_write_them(size: int, text: str) -> None:
    assert format_size(size) == text


def test_usage_describes_itself_in_files() -> None:
    assert DiskUse(312_000_000, 48).describe() == "312 MB (48 files)"
    assert DiskUse(12, 1).describe() == "12 B (1 file)"


# -- `greenroom sessions` -----------------------------------------------------------


def test_cli_renames_a_session_and_lists_it_with_its_disk(capsys: pytest.CaptureFixture[str]) -> None:
    _, first, second, _, _ = two_sessions()
    assert main(["sessions", "rename", str(first), "Mock with Sam"]) == 0
    assert capsys.readouterr().out == f"Session {first} is now called 'Mock with Sam'.\n"

    assert main(["sessions", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "DATE", "ATTEMPTS", "DISK", "INTERVIEW"]
    by_id = {line.split()[0]: line for line in lines[1:3]}
    assert by_id[str(first)].split()[3:] == ["2", "4.0", "kB", "Mock", "with", "Sam", "(Ops",
                                             "interview)"]
    assert by_id[str(second)].split()[3:] == ["1", "500", "B", "Product", "interview"]
    assert lines[3] == "Recordings use 4.5 kB (3 files)."

    assert main(["sessions", "rename", str(first), ""]) == 0
    assert capsys.readouterr().out == (f"Session {first} has no name of its own; lists show "
                                       "'Ops interview'.\n")
    assert Store().get_session(first).name is None


def test_cli_rename_of_an_unknown_session_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sessions", "rename", "41", "x"]) == 1
    assert capsys.readouterr().err == ("greenroom: no session 41; `greenroom sessions list` shows what "
                                       "is stored\n")


def test_cli_list_json_has_the_name_and_the_disk_per_session(capsys: pytest.CaptureFixture[str]) -> None:
    opened, first, second, (a1, _, _), _ = two_sessions()
    opened.rename_session(second, "Product, second go")
    opened.hide_attempt(a1)
    assert main(["sessions", "list", "--json"]) == 0
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows[second]["name"] == "Product, second go"
    assert rows[second]["script_title"] == "Product interview"
    assert (rows[second]["recordings_bytes"], rows[second]["recordings_files"]) == (500, 1)
    assert rows[first]["name"] is None
    assert (rows[first]["recordings_bytes"], rows[first]["recordings_files"]) == (3000, 1)
    assert rows[first]["attempt_count"] == 1


def test_cli_does_not_show_or_delete_a_hidden_session(capsys: pytest.CaptureFixture[str]) -> None:
    opened, first, _, _, files = two_sessions()
    opened.hide_session(first)
    assert main(["sessions", "show", str(first)]) == 1
    assert main(["sessions", "delete", str(first), "--yes"]) == 1
    assert f"no session {first};" in capsys.readouterr().err
    assert files[0].exists()


def test_no_answer_is_started_in_a_deleted_session_and_its_coaching_still_saves(
        tmp_path: Path) -> None:
    opened = Store(tmp_path / "db.sqlite3", recordings_dir=tmp_path)
    session_id = opened.create_session("ops", "Ops interview")
    attempt_id = opened.start_attempt(session_id, "ops", "outage", "Outage?", None)
    opened.finish_attempt(attempt_id, 12.0, None, sample_feedback(), {})
    opened.hide_session(session_id)
    with pytest.raises(StoreError, match=f"no session {session_id}"):
        opened.start_attempt(session_id, "ops", "conflict", "Conflict?", None)
    # An answer still being coached when it was deleted is saved all the same (the flow
    # does not fail), and goes when the deletion is made final.
    saved = opened.change_feedback(attempt_id, lambda stored: stored)
    assert saved is not None and saved.key_points
    opened.restore_session(session_id)
    assert opened.get_attempt(attempt_id).feedback == saved


def test_a_purge_keeps_a_recording_a_remaining_answer_still_names(tmp_path: Path) -> None:
    opened = Store(tmp_path / "db.sqlite3", recordings_dir=tmp_path)
    session_id = opened.create_session("ops", "Ops interview")
    shared = tmp_path / "shared.wav"
    shared.write_bytes(b"\x01" * 100)
    first = opened.start_attempt(session_id, "ops", "a", "A?", shared)
    second = opened.start_attempt(session_id, "ops", "b", "B?", shared)
    opened.hide_attempt(first)
    assert opened.purge_hidden() == []
    assert shared.exists() and opened.get_attempt(second).audio_path == shared
    opened.hide_attempt(second)
    assert opened.purge_hidden() == [shared] and not shared.exists()


def test_purging_named_rows_leaves_other_hidden_rows_and_restored_ones(tmp_path: Path) -> None:
    """One window quitting purges what it deleted; another window's deletes keep their undo."""
    opened = Store(tmp_path / "db.sqlite3", recordings_dir=tmp_path)
    session_id = opened.create_session("ops", "Ops interview")
    other_session = opened.create_session("pm", "Product interview")
    files, ids = [], []
    for n, owner in enumerate((session_id, session_id, session_id, other_session)):
        audio = tmp_path / f"a{n}.wav"
        audio.write_bytes(b"\x01" * 10)
        files.append(audio)
        ids.append(opened.start_attempt(owner, "ops", f"q{n}", "Q?", audio))
    opened.hide_attempt(ids[0])   # this window's delete
    opened.hide_attempt(ids[1])   # another window's delete
    opened.hide_attempt(ids[2])   # this window's, then undone
    opened.restore_attempt(ids[2])
    opened.hide_session(other_session)  # this window's
    removed = opened.purge_these(sessions=[other_session], attempts=[ids[0], ids[2]])
    assert sorted(removed) == sorted([files[0], files[3]])
    assert [p.exists() for p in files] == [False, True, True, False]
    opened.restore_attempt(ids[1])  # the other window can still undo
    assert {b.id for b in opened.list_briefs(session_id=session_id)} == {ids[1], ids[2]}
    with pytest.raises(StoreError):
        opened.restore_session(other_session)
