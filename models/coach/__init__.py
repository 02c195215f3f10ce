"""The deterministic coach: timed, explainable feedback on one spoken answer, no LLM needed.

``coach_answer`` measures the answer (length against the time guide, pace, pauses,
fillers, word use, structure stages, key points, common mistakes) and writes timed notes;
``render_report`` turns that feedback into text for the terminal. The JSON shape is
documented in docs/feedback-json.md; ``feedback_model.Feedback`` is its typed form.
"""

from models.coach.answer import coach_answer
from models.coach.report import render_report

__all__ = ["coach_answer", "render_report"]
