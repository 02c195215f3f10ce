"""Turns the practice flow's callbacks into Qt signals.

The flow calls its listener from worker threads. Emitting a signal from there queues
the call into the GUI thread, where the connected slots run; widgets are never touched
from a worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.conversation import Turn
from app.practice import Phase, PracticeListener
from interview_scripts.script import Question
from models.transcript import Transcript

if TYPE_CHECKING:
    from models.coach.feedback_model import Feedback


class PracticeBridge(QObject, PracticeListener):
    phaseChanged = Signal(object)  # noqa: N815 - Qt signal naming
    questionShown = Signal(int, int, object)  # noqa: N815
    thinkTick = Signal(float)  # noqa: N815
    recordingStarted = Signal(int)  # noqa: N815
    recordingTick = Signal(float, float, str)  # noqa: N815
    recordingStopped = Signal(float, str)  # noqa: N815
    transcriptReady = Signal(object)  # noqa: N815
    feedbackReady = Signal(int, object)  # noqa: N815
    llmText = Signal(str)  # noqa: N815
    llmDone = Signal(int, object)  # noqa: N815
    transcriptRefined = Signal(int, object)  # noqa: N815
    errorRaised = Signal(str)  # noqa: N815
    interviewFinished = Signal(int)  # noqa: N815
    turnShown = Signal(object)  # noqa: N815
    interviewerSaid = Signal(str)  # noqa: N815
    noticeRaised = Signal(str)  # noqa: N815
    followUpFolded = Signal(int, object)  # noqa: N815

    def __init__(self, parent: QObject | None = None) -> None:
        QObject.__init__(self, parent)

    def phase_changed(self, phase: Phase) -> None:
        self.phaseChanged.emit(phase)

    def question_shown(self, index: int, total: int, question: Question) -> None:
        self.questionShown.emit(index, total, question)

    def think_tick(self, remaining_s: float) -> None:
        self.thinkTick.emit(float(remaining_s))

    def recording_started(self, attempt_id: int) -> None:
        self.recordingStarted.emit(int(attempt_id))

    def recording_tick(self, elapsed_s: float, level: float, band: str) -> None:
        self.recordingTick.emit(float(elapsed_s), float(level), str(band))

    def recording_stopped(self, duration_s: float, reason: str) -> None:
        self.recordingStopped.emit(float(duration_s), str(reason))

    def transcript_ready(self, transcript: Transcript) -> None:
        self.transcriptReady.emit(transcript)

    def feedback_ready(self, attempt_id: int, feedback: Feedback) -> None:
        self.feedbackReady.emit(int(attempt_id), feedback)

    def llm_text(self, chunk: str) -> None:
        self.llmText.emit(str(chunk))

    def llm_done(self, attempt_id: int, feedback: Feedback) -> None:
        self.llmDone.emit(int(attempt_id), feedback)

    def transcript_refined(self, attempt_id: int, feedback: Feedback) -> None:
        self.transcriptRefined.emit(int(attempt_id), feedback)

    def error(self, message: str) -> None:
        self.errorRaised.emit(str(message))

    def interview_finished(self, session_id: int) -> None:
        self.interviewFinished.emit(int(session_id))

    def turn_shown(self, turn: Turn) -> None:
        self.turnShown.emit(turn)

    def interviewer_said(self, text: str) -> None:
        self.interviewerSaid.emit(str(text))

    def notice(self, message: str) -> None:
        self.noticeRaised.emit(str(message))

    def follow_up_folded(self, attempt_id: int, feedback: Feedback) -> None:
        self.followUpFolded.emit(int(attempt_id), feedback)
