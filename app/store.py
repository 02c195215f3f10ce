"""The session store: practice sessions and their attempts, in one SQLite file.

A session is one sitting with a script; an attempt is one spoken answer to one question,
with its recording, transcript, feedback and the models that produced them.

Design choices:
- One SQLite connection per call. The GUI reads history on its thread while a worker
  writes attempts; separate short-lived connections plus WAL mode let readers see a
  consistent snapshot without ever sharing a connection across threads.
- Writes use ``BEGIN IMMEDIATE`` so a writer takes the write lock up front and waits on
  the busy timeout, instead of failing half way with "database is locked".
- The schema version lives in ``PRAGMA user_version``; ``MIGRATIONS[i]`` moves a database
  from version ``i`` to ``i + 1`` inside one transaction. A step is SQL text or a function
  of the connection (for data SQL cannot compute, such as summaries of stored feedback).
- Lists read summaries, never the full feedback: each attempt keeps a small
  ``summary_json`` (``app.summary.AttemptSummary``) written with its feedback, so History,
  compare and progress stay quick over thousands of attempts; ``get_attempt`` reads the
  full feedback and transcript of one.
- Deleting from the app is two-step: ``hide_session``/``hide_attempt`` stamp
  ``deleted_at`` and every read leaves the row out (an attempt of a hidden session is
  hidden with it), so an undo is one UPDATE; ``purge_hidden`` removes the rows and their
  recordings for real: what a window hid, as the app quits (``purge_these``), and what a
  run that never quit left hidden, when the next run starts
  (``purge_left_by_earlier_runs``). The CLI's ``delete_*`` still delete at once.
- The database holds private answers: the file is created 0600 before SQLite touches it,
  and SQLite gives its -wal/-shm side files the database file's mode.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from app import paths
from app.conversation import ASKED_BY, STOP_REASONS
from app.errors import DiskError, StoreError
from app.summary import AttemptSummary

if TYPE_CHECKING:
    from models.coach.feedback_model import Feedback

# The typed feedback (pydantic, and the coach package it lives in) is imported where a
# full attempt is read or feedback is written, never to list summaries: `greenroom
# sessions list` and `progress` start in a fraction of the time without it.

log = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 10.0
ATTEMPT_STATUSES = ("recording", "complete", "recovered")
# An answer's stages in order (models/answer_pipeline.py ``Stage``, written out here so the
# store loads without the models; tests/test_answer_stages.py holds the two equal). A stage
# is only ever moved forward.
ATTEMPT_STAGES = ("recorded", "live_coached", "refined", "reviewed")

_MIGRATION_1 = (
    """
    CREATE TABLE sessions (
        id           INTEGER PRIMARY KEY,
        script_id    TEXT NOT NULL,
        script_title TEXT NOT NULL,
        started_at   TEXT NOT NULL,
        ended_at     TEXT
    )
    """,
    """
    CREATE TABLE attempts (
        id              INTEGER PRIMARY KEY,
        session_id      INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        script_id       TEXT NOT NULL,
        question_id     TEXT NOT NULL,
        question_text   TEXT NOT NULL,
        started_at      TEXT NOT NULL,
        ended_at        TEXT,
        status          TEXT NOT NULL DEFAULT 'recording'
                        CHECK (status IN ('recording', 'complete', 'recovered')),
        audio_path      TEXT,
        duration_s      REAL,
        transcript_json TEXT,
        feedback_json   TEXT,
        models_json     TEXT NOT NULL DEFAULT '{}'
    )
    """,
    "CREATE INDEX attempts_by_session ON attempts(session_id, started_at)",
    "CREATE INDEX attempts_by_start ON attempts(started_at)",
    "CREATE INDEX attempts_by_status ON attempts(status)",
)


def _summarise_stored_feedback(conn: sqlite3.Connection) -> None:
    """Fill ``summary_json`` for rows saved before summaries existed."""
    rows = conn.execute("SELECT id, feedback_json FROM attempts WHERE feedback_json IS NOT NULL"
                        " AND summary_json IS NULL").fetchall()
    for attempt_id, feedback_json in rows:
        summary = _summary_json(_load_feedback(feedback_json, attempt_id))
        if summary is not None:
            conn.execute("UPDATE attempts SET summary_json = ? WHERE id = ?", (summary, attempt_id))


_MIGRATION_2 = (
    "ALTER TABLE attempts ADD COLUMN summary_json TEXT",
    "CREATE INDEX attempts_by_question ON attempts(script_id, question_id, started_at)",
    _summarise_stored_feedback,
)

# A name the user gives a session (NULL shows the script title), and soft deletion: the
# app hides a row first so it can be brought back, and purges it later.
_MIGRATION_3 = (
    "ALTER TABLE sessions ADD COLUMN name TEXT",
    "ALTER TABLE sessions ADD COLUMN deleted_at TEXT",
    "ALTER TABLE attempts ADD COLUMN deleted_at TEXT",
)

# A conversation: a follow-up's reply points at the answer it follows up (and goes with
# it); every attempt keeps who asked its question and why, and why its recording stopped.
# Rows from before read as answers to the script's own questions, stop reason not known.
_MIGRATION_4 = (
    "ALTER TABLE attempts ADD COLUMN follow_up_to INTEGER REFERENCES attempts(id) ON DELETE CASCADE",
    "ALTER TABLE attempts ADD COLUMN asked_by TEXT NOT NULL DEFAULT 'question'",
    "ALTER TABLE attempts ADD COLUMN ask_reason TEXT",
    "ALTER TABLE attempts ADD COLUMN stop_reason TEXT",
    "CREATE INDEX attempts_by_parent ON attempts(follow_up_to)",
)

# How far each answer has come (``ATTEMPT_STAGES``, models/answer_pipeline.py ``Stage``):
# the next start finishes every answer short of 'reviewed'. Rows from before went as far as
# their run took them: 'reviewed' with feedback, 'recorded' without (recovery coaches them).
_MIGRATION_5 = (
    "ALTER TABLE attempts ADD COLUMN stage TEXT NOT NULL DEFAULT 'recorded'",
    "UPDATE attempts SET stage = 'reviewed' WHERE feedback_json IS NOT NULL",
    "CREATE INDEX attempts_by_stage ON attempts(stage)",
)

MigrationStep = str | Callable[[sqlite3.Connection], None]
# Append new steps; never edit a step that has shipped.
MIGRATIONS: tuple[Sequence[MigrationStep], ...] = (_MIGRATION_1, _MIGRATION_2, _MIGRATION_3,
                                                   _MIGRATION_4, _MIGRATION_5)
SCHEMA_VERSION = len(MIGRATIONS)


def _is_busy(exc: sqlite3.Error) -> bool:
    code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
    text = str(exc)
    return isinstance(exc, sqlite3.OperationalError) and (
        code in (5, 6) or "locked" in text or "busy" in text)  # SQLITE_BUSY, SQLITE_LOCKED


T = TypeVar("T")


def _retrying(step: Callable[[], T]) -> T:
    """``step`` run again while the database is busy, up to ``BUSY_TIMEOUT_S`` in all.
    The busy timeout waits inside most statements, but some lock waits never reach it
    (another process recovering the WAL, or opening the database as this one does), and
    those fail at once: another window or a CLI command on the same data folder must
    wait its turn, never lose its write."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    delay = 0.01
    while True:
        try:
            return step()
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.25)


def utc_now() -> str:
    """The current time as ISO-8601 UTC text; sorts the same as it orders in time."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def parse_timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass(frozen=True)
class SessionRow:
    id: int
    script_id: str
    script_title: str
    started_at: str
    ended_at: str | None
    attempt_count: int = 0
    name: str | None = None

    @property
    def started(self) -> datetime:
        return parse_timestamp(self.started_at)

    @property
    def title(self) -> str:
        """What lists call the session: the user's name for it, else the script's title."""
        return self.name or self.script_title


@dataclass(frozen=True)
class AttemptBrief:
    """An attempt as lists show it: its figures, without feedback or transcript."""

    id: int
    session_id: int
    script_id: str
    question_id: str
    question_text: str
    started_at: str
    ended_at: str | None
    status: str
    audio_path: Path | None
    duration_s: float | None
    summary: AttemptSummary | None = None
    # The conversation (app/conversation.py): the attempt a follow-up's reply follows up,
    # who asked (question, script, llm, interviewer) and why, and why recording stopped
    # (None: not known, as in rows saved before these were kept, or recovered ones).
    follow_up_to: int | None = None
    asked_by: str = "question"
    ask_reason: str | None = None
    stop_reason: str | None = None
    # How far the answer has come (``ATTEMPT_STAGES``); short of 'reviewed', the next start
    # (or `greenroom sessions recover`) finishes it.
    stage: str = "reviewed"

    @property
    def started(self) -> datetime:
        return parse_timestamp(self.started_at)

    @property
    def is_follow_up(self) -> bool:
        return self.follow_up_to is not None


@dataclass(frozen=True)
class AttemptRow(AttemptBrief):
    """One attempt in full: its brief, plus the transcript, feedback and models, read only
    when one attempt is opened (``Store.get_attempt``)."""

    transcript: dict[str, Any] | None = None
    feedback: Feedback | None = None
    models: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, brief: AttemptBrief, transcript: dict[str, Any] | None,
           feedback: Feedback | None, models: dict[str, Any] | None = None) -> AttemptRow:
        return cls(**{f.name: getattr(brief, f.name) for f in fields(AttemptBrief)},
                   transcript=transcript, feedback=feedback, models=models or {})


SESSION_NAME_MAX = 120


@dataclass(frozen=True)
class DiskUse:
    """Recordings on disk: how many bytes in how many files."""

    size_bytes: int = 0
    files: int = 0

    def __add__(self, other: DiskUse) -> DiskUse:
        return DiskUse(self.size_bytes + other.size_bytes, self.files + other.files)

    def describe(self) -> str:
        """'312 MB (48 files)'."""
        return f"{format_size(self.size_bytes)} ({self.files} file{'' if self.files == 1 else 's'})"


@dataclass(frozen=True)
class RecordingsUsage:
    """The disk the recordings of visible attempts use, in all and per session."""

    total: DiskUse
    by_session: dict[int, DiskUse] = field(default_factory=dict)

    def of_session(self, session_id: int) -> DiskUse:
        return self.by_session.get(session_id, DiskUse())


def format_size(size_bytes: int) -> str:
    """Decimal units, as file managers show sizes: '0 B', '980 kB', '1.2 MB', '312 MB'."""
    size = float(size_bytes)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            break
        size /= 1000
    if unit == "B":
        return f"{int(size)} B"
    return f"{size:.1f} {unit}" if size < 10 else f"{size:.0f} {unit}"


def _file_size(text: str, seen: set[str]) -> int | None:
    """The size of a recording that is there (a regular file, links followed), counted once."""
    real = os.path.realpath(text)
    if real in seen:
        return None
    try:
        info = os.stat(real)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    seen.add(real)
    return info.st_size


def _check_stage(stage: str | None) -> None:
    if stage is not None and stage not in ATTEMPT_STAGES:
        raise StoreError(f"stage '{stage}' is unknown (use {', '.join(ATTEMPT_STAGES)})")


def _advance(conn: sqlite3.Connection, attempt_id: int, stage: str | None) -> bool:
    """Move an attempt's stage forward to ``stage`` inside the caller's transaction; a
    stage it already passed (another window or process got there first) is left. True when
    it moved."""
    if stage is None:
        return False
    row = conn.execute("SELECT stage FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
    current = row[0] if row is not None else None
    if current in ATTEMPT_STAGES and ATTEMPT_STAGES.index(current) >= ATTEMPT_STAGES.index(stage):
        return False
    conn.execute("UPDATE attempts SET stage = ? WHERE id = ?", (stage, attempt_id))
    return True


def _clean_name(name: str | None) -> str | None:
    """One line of text, or None for 'show the script title'."""
    text = " ".join((name or "").split())
    if len(text) > SESSION_NAME_MAX:
        raise StoreError(f"a session name is at most {SESSION_NAME_MAX} characters "
                         f"(this one has {len(text)}); shorten it")
    return text or None


def _json_default(value: Any) -> Any:
    # NumPy scalars and arrays reach the store inside feedback dicts; keep them as numbers.
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset):
        return list(value)
    raise TypeError(f"{type(value).__name__} cannot be saved as JSON")


def _to_json(value: Any, what: str) -> str | None:
    if value is None:
        return None
    try:
        if hasattr(value, "to_dict"):
            value = value.to_dict()
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    except (TypeError, ValueError) as exc:  # pydantic's serialisation error is a ValueError
        raise StoreError(f"attempt {what}: cannot be saved ({exc}); pass plain JSON values") from None


def _from_json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _load_feedback(text: str | None, attempt_id: int) -> Feedback | None:
    """Stored feedback, typed. A row no version of the coach could have written is shown
    as having no feedback (and logged); it stays on disk untouched."""
    data = _from_json(text)
    if data is None:
        return None
    from pydantic import ValidationError

    from models.coach.feedback_model import Feedback

    try:
        return Feedback.from_dict(data)
    except ValidationError as exc:
        log.warning("attempt %s: stored feedback is not readable (%s)", attempt_id,
                    exc.errors()[0]["msg"] if exc.errors() else exc)
        return None


def _summary_json(feedback: Feedback | None) -> str | None:
    if feedback is None:
        return None
    from pydantic import ValidationError

    from models.coach.feedback_model import Feedback

    if not isinstance(feedback, Feedback):
        # Callers outside the app may hand in plain dicts; a summary needs real feedback.
        try:
            feedback = Feedback.from_dict(feedback)
        except ValidationError:
            return None
    return AttemptSummary.from_feedback(feedback).to_json()


def _inside(folder: Path, candidate: Path) -> Path | None:
    """``candidate`` with its folder resolved, if that lies inside ``folder``; else None.

    The last component is kept as is: a symlink inside the recordings folder is unlinked,
    never the file it points to."""
    if not candidate.name or candidate.name in (".", ".."):
        return None
    real_folder = Path(os.path.realpath(folder))
    real_candidate = Path(os.path.realpath(candidate.parent)) / candidate.name
    if real_candidate.parent.is_relative_to(real_folder):
        return real_candidate
    return None


class Store:
    """Sessions and attempts in SQLite. Safe to use from several threads at once."""

    def __init__(self, path: Path | str | None = None, recordings_dir: Path | None = None) -> None:
        self.path = Path(path) if path is not None else paths.database_path()
        self._recordings_dir = recordings_dir
        self._prepare_file()
        self._migrate()

    # -- opening ---------------------------------------------------------------

    def _prepare_file(self) -> None:
        folder = self.path.parent
        try:
            if not folder.exists():
                paths.ensure_private_dir(folder)
            # Create the file 0600 ourselves: SQLite copies its mode to -wal and -shm.
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, paths.PRIVATE_FILE_MODE)
            os.close(fd)
        except OSError as exc:
            from app.disk_faults import os_error_fault

            fault = os_error_fault(exc, self.path)
            if fault.kind in ("full", "read_only", "gone"):
                raise DiskError(f"{self.path}: " + fault.describe("the session database cannot be "
                                                                  "opened for saving"),
                                fault.kind, fault.folder) from None
            raise StoreError(f"{self.path}: cannot create the database ({exc.strerror}); "
                             "check the folder exists and is writable") from None
        self._make_private()

    def _make_private(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            side = Path(f"{self.path}{suffix}")
            with contextlib.suppress(FileNotFoundError, PermissionError):
                if side.stat().st_mode & 0o777 != paths.PRIVATE_FILE_MODE:
                    # Windows: the read-only bit only; the profile's access list protects it.
                    os.chmod(side, paths.PRIVATE_FILE_MODE)

    def _damaged(self, exc: sqlite3.Error) -> StoreError:
        """The one line for a failed SQLite call, its cause found by checking the disk and
        the file (``app/disk_faults.py``): a busy database, a full disk, a read-only or
        vanished folder, an intact database on a disk that reported an error, and only
        when the integrity check fails, a damaged one."""
        from app.disk_faults import database_fault

        text = str(exc)
        if _is_busy(exc):
            return StoreError(f"{self.path}: the session database stayed busy for "
                              f"{BUSY_TIMEOUT_S:.0f} s ({text}); close other Greenroom windows and retry")
        fault = database_fault(self.path, exc)
        if fault.kind == "damaged":
            return StoreError(f"{self.path}: cannot use the session database ({fault.detail}); it may "
                              "be damaged: move it aside and Greenroom will start a new one")
        kept = "what was saved before is unchanged"
        fixes = {"full": f"free some space and try again ({kept})",
                 "gone": f"reconnect it and try again ({kept})",
                 "failed": f"try again ({kept})"}
        return DiskError(f"{self.path}: " + fault.describe("the session database could not be "
                                                           "written", fixes.get(fault.kind, "")),
                         fault.kind, fault.folder)

    def _open(self, writing: bool = True) -> sqlite3.Connection:
        try:
            # mode=rw: the file is made once, by _prepare_file. A data folder on a share that
            # went away must fail here, not quietly start an empty database in its place.
            conn = sqlite3.connect(f"{self.path.absolute().as_uri()}?mode=rw", uri=True,
                                   timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                   check_same_thread=True)
        except sqlite3.Error as exc:
            raise self._damaged(exc) from None
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            _retrying(lambda: conn.execute("PRAGMA foreign_keys = ON"))
            if not writing:
                # The first read maps the WAL's shared memory, which a full disk cannot
                # grow: touched here, where a snapshot can still stand in for reading.
                _retrying(lambda: conn.execute("PRAGMA schema_version").fetchone())
        except sqlite3.Error as exc:
            conn.close()
            failure = self._damaged(exc)
            snapshot = None
            if not writing and isinstance(failure, DiskError) and failure.kind == "full":
                snapshot = self._snapshot()
            if snapshot is None:
                raise failure from None
            return snapshot
        return conn

    def _snapshot(self) -> sqlite3.Connection | None:
        """The database file as it stands, read-only, so history can still be read on a
        full disk. Only when the WAL holds nothing (the last connection to close empties
        it); else the file alone is not the whole story and None is returned."""
        wal = Path(f"{self.path}-wal")
        try:
            if wal.exists() and wal.stat().st_size > 0:
                return None
            conn = sqlite3.connect(f"{self.path.absolute().as_uri()}?mode=ro&immutable=1",
                                   uri=True, isolation_level=None, check_same_thread=True)
        except (OSError, sqlite3.Error):
            return None
        conn.row_factory = sqlite3.Row
        return conn

    @contextlib.contextmanager
    def _connection(self, writing: bool = False) -> Iterator[sqlite3.Connection]:
        conn = self._open(writing)
        try:
            yield conn
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc) from None
        finally:
            conn.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that holds the write lock from its first statement."""
        with self._connection(writing=True) as conn:
            _retrying(lambda: conn.execute("BEGIN IMMEDIATE"))
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _migrate(self) -> None:
        with self._connection() as conn:
            version = _retrying(lambda: conn.execute("PRAGMA user_version").fetchone()[0])
            self._check_version(version)
            # WAL cannot be switched on inside a transaction; the setting is kept in the file.
            _retrying(lambda: conn.execute("PRAGMA journal_mode = WAL"))
            while version < SCHEMA_VERSION:
                _retrying(lambda: conn.execute("BEGIN IMMEDIATE"))
                try:
                    # Another process may have migrated while we waited for the lock.
                    version = conn.execute("PRAGMA user_version").fetchone()[0]
                    self._check_version(version)
                    if version < SCHEMA_VERSION:
                        for step in MIGRATIONS[version]:
                            if callable(step):
                                step(conn)
                            else:
                                conn.execute(step)
                        version += 1
                        conn.execute(f"PRAGMA user_version = {version}")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
        self._make_private()

    def _check_version(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: the database is from a newer Greenroom (schema {version}, this "
                f"version knows up to {SCHEMA_VERSION}); update Greenroom to open it"
            )

    @property
    def schema_version(self) -> int:
        with self._connection() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    def recordings_dir(self) -> Path:
        return self._recordings_dir if self._recordings_dir is not None else paths.recordings_dir()

    # -- sessions --------------------------------------------------------------

    def create_session(self, script_id: str, script_title: str) -> int:
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO sessions (script_id, script_title, started_at) VALUES (?, ?, ?)",
                (script_id, script_title, utc_now()),
            )
            return int(cursor.lastrowid)

    def end_session(self, session_id: int) -> None:
        with self._write() as conn:
            self._require(conn, "sessions", session_id)
            conn.execute("UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL",
                         (utc_now(), session_id))

    # Every read goes through these: a hidden row, or an attempt of a hidden session, is
    # as good as gone until it is restored.
    _VISIBLE_ATTEMPT = ("a.deleted_at IS NULL AND a.session_id IN"
                        " (SELECT id FROM sessions WHERE deleted_at IS NULL)")
    _SESSION_SELECT = (
        "SELECT s.*, (SELECT COUNT(*) FROM attempts a WHERE a.session_id = s.id"
        " AND a.deleted_at IS NULL) AS attempt_count FROM sessions s WHERE s.deleted_at IS NULL"
    )

    def list_sessions(self) -> list[SessionRow]:
        """Every session, most recent first (hidden ones left out)."""
        with self._connection() as conn:
            rows = conn.execute(f"{self._SESSION_SELECT} ORDER BY s.started_at DESC, s.id DESC")
            return [self._session(row) for row in rows]

    def get_session(self, session_id: int) -> SessionRow:
        with self._connection() as conn:
            row = conn.execute(f"{self._SESSION_SELECT} AND s.id = ?", (session_id,)).fetchone()
        if row is None:
            raise StoreError(f"no session {session_id}; `greenroom sessions list` shows them")
        return self._session(row)

    def rename_session(self, session_id: int, name: str | None) -> None:
        """Give a session a name of the user's; an empty name shows the script title again."""
        clean = _clean_name(name)
        with self._write() as conn:
            self._require(conn, "sessions", session_id, visible=True)
            conn.execute("UPDATE sessions SET name = ? WHERE id = ?", (clean, session_id))

    def hide_session(self, session_id: int) -> None:
        """Delete a session so it can still be restored: it and its attempts drop out of
        every list until ``restore_session`` or ``purge_hidden``. Its attempts keep their
        own marks, so one hidden before comes back hidden."""
        with self._write() as conn:
            self._require(conn, "sessions", session_id, visible=True)
            conn.execute("UPDATE sessions SET deleted_at = ? WHERE id = ?", (utc_now(), session_id))

    def restore_session(self, session_id: int) -> None:
        """Undo ``hide_session``; a session already purged is a StoreError."""
        with self._write() as conn:
            self._require(conn, "sessions", session_id)
            conn.execute("UPDATE sessions SET deleted_at = NULL WHERE id = ?", (session_id,))

    def delete_session(self, session_id: int) -> list[Path]:
        """Delete a session, its attempts and their recordings; returns the files removed."""
        with self._write() as conn:
            self._require(conn, "sessions", session_id)
            audio = [row[0] for row in conn.execute(
                "SELECT audio_path FROM attempts WHERE session_id = ?", (session_id,))]
            conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        # Rows go first: a file that cannot be removed must not leave a half-deleted session.
        return self._remove_audio(audio)

    # -- attempts --------------------------------------------------------------

    def start_attempt(self, session_id: int, script_id: str, question_id: str, question_text: str,
                      audio_path: Path | str | None, *, follow_up_to: int | None = None,
                      asked_by: str = "question", ask_reason: str | None = None) -> int:
        """A new attempt, recording. ``question_text`` is the question as asked; a
        follow-up's reply names the attempt it follows up (of the same session)."""
        if asked_by not in ASKED_BY:
            raise StoreError(f"asked_by '{asked_by}' is unknown (use {', '.join(ASKED_BY)})")
        with self._write() as conn:
            # Never into a deleted session: its answers would vanish when it is purged.
            self._require(conn, "sessions", session_id, visible=True)
            if follow_up_to is not None and conn.execute(
                    "SELECT 1 FROM attempts WHERE id = ? AND session_id = ?",
                    (follow_up_to, session_id)).fetchone() is None:
                raise StoreError(f"attempt {follow_up_to} is not an answer of session {session_id}; "
                                 "a follow-up follows up an answer of its own interview")
            cursor = conn.execute(
                "INSERT INTO attempts (session_id, script_id, question_id, question_text, started_at,"
                " status, audio_path, follow_up_to, asked_by, ask_reason)"
                " VALUES (?, ?, ?, ?, ?, 'recording', ?, ?, ?, ?)",
                (session_id, script_id, question_id, question_text, utc_now(),
                 None if audio_path is None else str(audio_path), follow_up_to, asked_by, ask_reason),
            )
            return int(cursor.lastrowid)

    def finish_attempt(self, attempt_id: int, duration_s: float, transcript: Any,
                       feedback: Feedback | None, models: Any = None, *,
                       stop_reason: str | None = None, stage: str | None = None) -> None:
        """``transcript`` and ``models`` are anything with ``to_dict()`` or plain JSON;
        ``stop_reason`` is one of ``STOP_REASONS`` (None: not known); ``stage``, the stage
        this save reaches (``ATTEMPT_STAGES``; None leaves it)."""
        if stop_reason is not None and stop_reason not in STOP_REASONS:
            raise StoreError(f"stop reason '{stop_reason}' is unknown (use {', '.join(STOP_REASONS)})")
        _check_stage(stage)
        values = (float(duration_s), _to_json(transcript, "transcript"), _to_json(feedback, "feedback"),
                  _summary_json(feedback), _to_json(models or {}, "models"), utc_now(), stop_reason,
                  attempt_id)
        with self._write() as conn:
            self._require(conn, "attempts", attempt_id)
            conn.execute(
                "UPDATE attempts SET status = 'complete', duration_s = ?, transcript_json = ?,"
                " feedback_json = ?, summary_json = ?, models_json = ?, ended_at = ?,"
                " stop_reason = COALESCE(?, stop_reason) WHERE id = ?",
                values,
            )
            _advance(conn, attempt_id, stage)

    def update_feedback(self, attempt_id: int, feedback: Feedback | None,
                        models: Any = None, transcript: Any = None) -> None:
        """Replace the feedback (e.g. when the LLM's part arrives after the metrics), and
        the transcript when one is given (the whole-answer pass after the live one)."""
        with self._write() as conn:
            self._require(conn, "attempts", attempt_id)
            self._set_feedback(conn, attempt_id, feedback, models, transcript)

    def change_feedback(self, attempt_id: int,
                        change: Callable[[Feedback | None], Feedback | None],
                        models: Any = None, transcript: Any = None,
                        stage: str | None = None) -> Feedback | None:
        """Read the stored feedback, pass it through ``change`` and save the result, in one
        write transaction, so two writers (a candidate's mark, the answer coached again)
        each build on the other's save instead of overwriting it. Works on a deleted
        (hidden) attempt too: its answer may still be being coached. ``stage`` is the stage
        this save reaches (None leaves it). Returns what was saved."""
        _check_stage(stage)
        with self._write() as conn:
            self._require(conn, "attempts", attempt_id)
            row = conn.execute("SELECT feedback_json FROM attempts WHERE id = ?",
                               (attempt_id,)).fetchone()
            feedback = change(_load_feedback(row[0], attempt_id))
            self._set_feedback(conn, attempt_id, feedback, models, transcript)
            _advance(conn, attempt_id, stage)
        return feedback

    def advance_stage(self, attempt_id: int, stage: str) -> bool:
        """Record that an answer reached ``stage`` (a step with nothing to save, such as a
        review that was not asked for); never moves it back. True when it moved."""
        _check_stage(stage)
        with self._write() as conn:
            self._require(conn, "attempts", attempt_id)
            return _advance(conn, attempt_id, stage)

    def unfinished_attempts(self) -> list[AttemptBrief]:
        """Answers short of their last stage, oldest first (deleted ones are left out: they
        are purged, not finished)."""
        with self._connection() as conn:
            rows = conn.execute(f"SELECT {self._BRIEF_COLUMNS} FROM attempts a"
                                f" WHERE {self._VISIBLE_ATTEMPT} AND a.stage != 'reviewed'"
                                " ORDER BY a.started_at, a.id").fetchall()
        return [self._brief(row) for row in rows]

    @staticmethod
    def _set_feedback(conn: sqlite3.Connection, attempt_id: int, feedback: Feedback | None,
                      models: Any, transcript: Any) -> None:
        feedback_json = _to_json(feedback, "feedback")
        summary_json = _summary_json(feedback)
        transcript_json = _to_json(transcript, "transcript")
        if transcript_json is not None:
            conn.execute("UPDATE attempts SET transcript_json = ? WHERE id = ?",
                         (transcript_json, attempt_id))
        if models is None:
            conn.execute("UPDATE attempts SET feedback_json = ?, summary_json = ? WHERE id = ?",
                         (feedback_json, summary_json, attempt_id))
        else:
            conn.execute("UPDATE attempts SET feedback_json = ?, summary_json = ?, models_json = ?"
                         " WHERE id = ?",
                         (feedback_json, summary_json, _to_json(models, "models"), attempt_id))

    def mark_recovered(self, attempt_id: int, duration_s: float) -> None:
        """An attempt whose recording was interrupted and repaired from the WAV on disk.
        One its own flow finished meanwhile (another window) stays as that flow saved it."""
        with self._write() as conn:
            self._require(conn, "attempts", attempt_id)
            conn.execute(
                "UPDATE attempts SET status = 'recovered', duration_s = ?, ended_at = ?"
                " WHERE id = ? AND status = 'recording'",
                (float(duration_s), utc_now(), attempt_id),
            )

    def save_recovered(self, attempt_id: int, duration_s: float, transcript: Any,
                       feedback: Feedback | None, models: Any = None) -> bool:
        """Save what recovery made of an answer whose feedback was never saved (cut off, or
        its save failed on a full disk), in one transaction and only while it still has no
        feedback: an answer its own window finished meanwhile is never saved twice or
        overwritten. True when saved."""
        with self._write() as conn:
            self._require(conn, "attempts", attempt_id)
            row = conn.execute("SELECT status, feedback_json FROM attempts WHERE id = ?",
                               (attempt_id,)).fetchone()
            if row["feedback_json"] is not None:
                return False
            status = "complete" if row["status"] == "complete" else "recovered"
            conn.execute(
                "UPDATE attempts SET status = ?, duration_s = ?, ended_at = COALESCE(ended_at, ?)"
                " WHERE id = ?", (status, float(duration_s), utc_now(), attempt_id))
            self._set_feedback(conn, attempt_id, feedback, models or {}, transcript)
        return True

    def list_attempts(self, session_id: int | None = None, status: str | None = None) -> list[AttemptRow]:
        """Attempts with their full feedback and transcript, most recent first; optionally
        of one session and/or one status. Lists of many attempts use ``list_briefs``."""
        if status is not None and status not in ATTEMPT_STATUSES:
            raise StoreError(f"attempt status '{status}' is unknown (use {', '.join(ATTEMPT_STATUSES)})")
        where: list[str] = [self._VISIBLE_ATTEMPT]
        args: list[Any] = []
        if session_id is not None:
            where.append("a.session_id = ?")
            args.append(session_id)
        if status is not None:
            where.append("a.status = ?")
            args.append(status)
        with self._connection() as conn:
            rows = conn.execute(f"SELECT a.* FROM attempts a WHERE {' AND '.join(where)}"
                                " ORDER BY a.started_at DESC, a.id DESC", args).fetchall()
        return [self._attempt(row) for row in rows]

    _BRIEF_COLUMNS = ("a.id, a.session_id, a.script_id, a.question_id, a.question_text,"
                      " a.started_at, a.ended_at, a.status, a.audio_path, a.duration_s, a.summary_json,"
                      " a.follow_up_to, a.asked_by, a.ask_reason, a.stop_reason, a.stage")

    def list_briefs(self, session_id: int | None = None, script_id: str | None = None,
                    question_id: str | None = None, oldest_first: bool = False) -> list[AttemptBrief]:
        """Attempts with their summaries only (no feedback or transcript is read), most
        recent first unless ``oldest_first``; optionally of one session, script, question."""
        where: list[str] = [self._VISIBLE_ATTEMPT]
        args: list[Any] = []
        for column, value in (("session_id", session_id), ("script_id", script_id),
                              ("question_id", question_id)):
            if value is not None:
                where.append(f"a.{column} = ?")
                args.append(value)
        order = "ASC" if oldest_first else "DESC"
        with self._connection() as conn:
            rows = conn.execute(f"SELECT {self._BRIEF_COLUMNS} FROM attempts a"
                                f" WHERE {' AND '.join(where)}"
                                f" ORDER BY a.started_at {order}, a.id {order}", args).fetchall()
        return [self._brief(row) for row in rows]

    def get_attempt(self, attempt_id: int) -> AttemptRow:
        with self._connection() as conn:
            row = conn.execute(f"SELECT a.* FROM attempts a WHERE {self._VISIBLE_ATTEMPT}"
                               " AND a.id = ?", (attempt_id,)).fetchone()
        if row is None:
            raise StoreError(f"no attempt {attempt_id}; `greenroom sessions show ID` lists them")
        return self._attempt(row)

    def delete_attempt(self, attempt_id: int) -> list[Path]:
        """Delete one attempt and its recording; returns the files removed."""
        with self._write() as conn:
            self._require(conn, "attempts", attempt_id)
            # A follow-up's reply goes with the answer it follows up (ON DELETE CASCADE).
            audio = [row[0] for row in conn.execute(
                "SELECT audio_path FROM attempts WHERE id = ? OR follow_up_to = ?",
                (attempt_id, attempt_id))]
            conn.execute("DELETE FROM attempts WHERE id = ?", (attempt_id,))
        return self._remove_audio(audio)

    def hide_attempt(self, attempt_id: int) -> None:
        """Delete one attempt so it can still be restored (see ``hide_session``). Its session
        stays, even with no attempt left: deleting an answer is not deleting the sitting."""
        with self._write() as conn:
            self._require(conn, "attempts", attempt_id, visible=True)
            # An answer and its follow-up's reply are one thread: hidden together.
            conn.execute("UPDATE attempts SET deleted_at = ? WHERE (id = ? OR follow_up_to = ?)"
                         " AND deleted_at IS NULL", (utc_now(), attempt_id, attempt_id))

    def restore_attempt(self, attempt_id: int) -> None:
        """Undo ``hide_attempt``; an attempt already purged is a StoreError."""
        with self._write() as conn:
            self._require(conn, "attempts", attempt_id)
            conn.execute("UPDATE attempts SET deleted_at = NULL WHERE id = ? OR follow_up_to = ?",
                         (attempt_id, attempt_id))

    def purge_hidden(self, before: str | None = None) -> list[Path]:
        """Delete hidden sessions and attempts for real, with their recordings; returns the
        files removed. ``before`` (a ``utc_now()`` stamp) keeps rows hidden at or after it,
        so a run can clear what an earlier one left without taking its own undo away."""
        hidden = "deleted_at IS NOT NULL" + ("" if before is None else " AND deleted_at < ?")
        args: tuple[str, ...] = () if before is None else (before,)
        with self._write() as conn:
            # Every attempt of a purged session goes with it (ON DELETE CASCADE), hidden or not.
            audio = [row[0] for row in conn.execute(
                f"SELECT audio_path FROM attempts WHERE ({hidden})"
                f" OR session_id IN (SELECT id FROM sessions WHERE {hidden})", args * 2)]
            conn.execute(f"DELETE FROM attempts WHERE {hidden}", args)
            conn.execute(f"DELETE FROM sessions WHERE {hidden}", args)
            # A recording a remaining attempt still names stays (never the case for the
            # files the app writes, one per answer, but a hand-repaired database may share).
            kept = {row[0] for row in conn.execute(
                "SELECT audio_path FROM attempts WHERE audio_path IS NOT NULL")}
        return self._remove_audio([path for path in audio if path not in kept])

    def purge_these(self, sessions: Sequence[int] = (), attempts: Sequence[int] = ()) -> list[Path]:
        """Like ``purge_hidden``, for these rows only, and only while they are still hidden:
        what one window deleted goes when it quits, never another window's undo."""
        audio: list[str | None] = []
        with self._write() as conn:
            for session_id in sessions:
                if conn.execute("SELECT 1 FROM sessions WHERE id = ? AND deleted_at IS NOT NULL",
                                (session_id,)).fetchone() is None:
                    continue  # restored meanwhile, or already purged
                audio += [row[0] for row in conn.execute(
                    "SELECT audio_path FROM attempts WHERE session_id = ?", (session_id,))]
                conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            for attempt_id in attempts:
                row = conn.execute("SELECT audio_path FROM attempts WHERE id = ? AND deleted_at IS"
                                   " NOT NULL", (attempt_id,)).fetchone()
                if row is not None:
                    audio.append(row[0])
                    # Its follow-up's reply was hidden with it and goes with it.
                    audio += [r[0] for r in conn.execute(
                        "SELECT audio_path FROM attempts WHERE follow_up_to = ?", (attempt_id,))]
                    conn.execute("DELETE FROM attempts WHERE id = ?", (attempt_id,))
            kept = {row[0] for row in conn.execute(
                "SELECT audio_path FROM attempts WHERE audio_path IS NOT NULL")}
        return self._remove_audio([path for path in audio if path not in kept])

    def purge_left_by_earlier_runs(self, run_started: str) -> list[Path]:
        """The app's delete policy, at the start of a run. A delete in the app only hides
        rows, so it can be undone while the app runs, and each window purges what it hid as
        the app quits (``purge_these``). A run that ended without quitting (a crash, a kill,
        a power cut) leaves its rows hidden: the next run removes every row hidden before
        it began. ``run_started`` is that moment, a ``utc_now()`` stamp taken as the run
        starts (the app takes it when its window is made); a row hidden at or after it is
        this run's own undo and stays. Returns the recordings removed."""
        return self.purge_hidden(before=run_started)

    def recordings_usage(self) -> RecordingsUsage:
        """The disk used by the recordings of visible attempts, from the files themselves
        (a missing file counts nothing; a file two attempts share counts once)."""
        with self._connection() as conn:
            rows = conn.execute(f"SELECT a.session_id, a.audio_path FROM attempts a WHERE"
                                f" {self._VISIBLE_ATTEMPT} AND a.audio_path IS NOT NULL"
                                " ORDER BY a.id").fetchall()
        seen: set[str] = set()
        by_session: dict[int, DiskUse] = {}
        for session_id, audio_path in rows:
            size = _file_size(audio_path, seen)
            if size is not None:
                by_session[session_id] = by_session.get(session_id, DiskUse()) + DiskUse(size, 1)
        return RecordingsUsage(sum(by_session.values(), DiskUse()), by_session)

    # -- helpers ---------------------------------------------------------------

    @staticmethod
    def _require(conn: sqlite3.Connection, table: str, row_id: int, visible: bool = False) -> None:
        """The row must exist; with ``visible``, also not be hidden (nor, for an attempt,
        belong to a hidden session)."""
        query = f"SELECT 1 FROM {table} WHERE id = ?"
        if visible:
            query = (f"SELECT 1 FROM attempts a WHERE a.id = ? AND {Store._VISIBLE_ATTEMPT}"
                     if table == "attempts" else f"{query} AND deleted_at IS NULL")
        if conn.execute(query, (row_id,)).fetchone() is None:
            kind = "session" if table == "sessions" else "attempt"
            raise StoreError(f"no {kind} {row_id}; `greenroom sessions list` shows what is stored")

    def _remove_audio(self, audio_paths: list[str | None]) -> list[Path]:
        """Remove recordings, but only files inside the recordings folder."""
        folder = self.recordings_dir()
        removed: list[Path] = []
        for text in audio_paths:
            if not text:
                continue
            target = _inside(folder, Path(text))
            if target is None:
                log.warning("kept %s: it is outside the recordings folder %s", text, folder)
                continue
            try:
                if target.is_symlink() or target.is_file():
                    target.unlink()
                    removed.append(target)
            except OSError as exc:
                log.warning("could not remove recording %s: %s", target, exc.strerror)
        return removed

    @staticmethod
    def _session(row: sqlite3.Row) -> SessionRow:
        return SessionRow(
            id=row["id"], script_id=row["script_id"], script_title=row["script_title"],
            started_at=row["started_at"], ended_at=row["ended_at"],
            attempt_count=row["attempt_count"], name=row["name"],
        )

    @staticmethod
    def _brief(row: sqlite3.Row) -> AttemptBrief:
        return AttemptBrief(
            id=row["id"], session_id=row["session_id"], script_id=row["script_id"],
            question_id=row["question_id"], question_text=row["question_text"],
            started_at=row["started_at"], ended_at=row["ended_at"], status=row["status"],
            audio_path=Path(row["audio_path"]) if row["audio_path"] else None,
            duration_s=row["duration_s"],
            summary=AttemptSummary.from_json(row["summary_json"]),
            follow_up_to=row["follow_up_to"], asked_by=row["asked_by"] or "question",
            ask_reason=row["ask_reason"], stop_reason=row["stop_reason"], stage=row["stage"],
        )

    @staticmethod
    def _attempt(row: sqlite3.Row) -> AttemptRow:
        return AttemptRow.of(Store._brief(row), transcript=_from_json(row["transcript_json"]),
                             feedback=_load_feedback(row["feedback_json"], row["id"]),
                             models=_from_json(row["models_json"]))

__all__ = [
    "ATTEMPT_STAGES", "ATTEMPT_STATUSES", "AttemptBrief", "AttemptRow", "AttemptSummary", "DiskUse", "MIGRATIONS",
    "RecordingsUsage", "SCHEMA_VERSION", "SessionRow", "Store", "StoreError", "format_size",
    "parse_timestamp", "utc_now",
]
