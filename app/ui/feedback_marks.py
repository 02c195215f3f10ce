"""Saving the candidate's marks ("I did cover this", "This was my Result") with the attempt
they were made on, off the GUI thread.

A ``FeedbackView`` emits the edited feedback; its owner (the practice room, history) says
which attempt is shown, and ``MarkSaver`` applies just the mark that changed to the
feedback as stored (``Store.change_feedback``: read and written in one transaction, so a
newer save, such as the LLM's review landing meanwhile, or a mark made on the same answer
in another view, is kept). The store recomputes the attempt's summary, so lists and
progress figures count the mark. Saves run one at a time, and every waiting change is
applied in the order it was made.

The practice flow coaches an answer again after it is first shown (the whole-answer
transcript, then the local LLM's review) and keeps the stored marks when it saves;
``carry`` puts the marks the candidate made on that newer feedback for showing, since a
mark's save may still be on its way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from app.summary import AttemptSummary
from app.ui.workers import run_in_background

if TYPE_CHECKING:
    # The coach is imported with the first mark, not with the window.
    from models.coach.feedback_model import Feedback


class MarkSaver(QObject):
    """``saved(attempt_id, AttemptSummary)`` after each save; ``problem(str)`` when one fails."""

    saved = Signal(int, object)
    problem = Signal(str)

    def __init__(self, store_factory: Callable[[], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store_factory = store_factory
        self._busy = False
        # Unsaved changes (before, after) per attempt, in the order they were made; no
        # "before" sets every mark as "after" has them.
        self._waiting: dict[int, list[tuple[Feedback | None, Feedback]]] = {}
        # The feedback the candidate last edited, per attempt: the source ``carry`` uses.
        self._edited: dict[int, Feedback] = {}

    def attach(self, view: Any, attempt_id: Callable[[], int | None]) -> None:
        """Turn marks on in ``view`` and save each edit for the attempt it shows."""
        view.set_marks_enabled(True)
        view.feedbackEdited.connect(
            lambda feedback: self._view_edited(attempt_id(), view.edited_from, feedback))

    def _view_edited(self, attempt_id: int | None, before: Feedback | None,
                     feedback: Feedback) -> None:
        if attempt_id is None or attempt_id <= 0:
            # An answer the store never received (it could not be saved): nothing to update.
            self.problem.emit("This answer was not saved, so your mark cannot be kept with it.")
            return
        self.save(attempt_id, feedback, before)

    @property
    def busy(self) -> bool:
        return self._busy or bool(self._waiting)

    def save(self, attempt_id: int, feedback: Feedback, before: Feedback | None = None) -> None:
        """Save the change from ``before`` to ``feedback`` (with no ``before``: make the
        stored marks exactly those of ``feedback``)."""
        self._edited[attempt_id] = feedback
        change = (before, feedback)
        if self._busy:
            self._waiting.setdefault(attempt_id, []).append(change)
            return
        self._start(attempt_id, [change])

    def carry(self, attempt_id: int, fresh: Feedback) -> Feedback:
        """``fresh`` with the marks the candidate made on this attempt, to show; ``fresh``
        itself when the candidate has not marked it. The flow saved ``fresh`` with the
        marks already stored, and a mark still being saved lands on it (``sync_marks``)."""
        edited = self._edited.get(attempt_id)
        # Exactly the candidate's marks, undone ones included: ``fresh`` may still carry
        # a mark taken back while it was being saved.
        if edited is None:
            return fresh
        from models.coach.overrides import sync_marks

        return sync_marks(edited, fresh)

    def _start(self, attempt_id: int, changes: list[tuple[Feedback | None, Feedback]]) -> None:
        from models.coach.overrides import apply_mark_change, sync_marks

        self._busy = True
        factory = self._store_factory

        def apply(stored: Feedback | None) -> Feedback:
            for before, after in changes:
                if stored is None:
                    stored = after
                elif before is None:
                    stored = sync_marks(after, stored)
                else:
                    stored = apply_mark_change(before, after, stored)
            assert stored is not None
            return stored

        def write() -> tuple[int, AttemptSummary]:
            saved = factory().change_feedback(attempt_id, apply)
            return attempt_id, AttemptSummary.from_feedback(saved or changes[-1][1])

        run_in_background(write, self._done, self._failed, owner=self)

    def _next(self) -> None:
        self._busy = False
        if self._waiting:
            attempt_id = next(iter(self._waiting))
            self._start(attempt_id, self._waiting.pop(attempt_id))

    def _done(self, result: tuple[int, AttemptSummary]) -> None:
        self._next()
        self.saved.emit(*result)

    def _failed(self, message: str) -> None:
        self._next()
        self.problem.emit(f"Your mark could not be saved: {message}")
