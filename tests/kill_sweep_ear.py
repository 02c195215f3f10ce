"""Imported first by each answer the in-suite kill sweep runs (tests/test_kill_sweep.py):
the speech model is the scripted ear (tests/scripted_flow.py), so a life takes seconds of
recording and none of Whisper's. Everything else in the child is the real app.

The module holds no asserts, so it asks pytest not to rewrite it (PYTEST_DONT_REWRITE).
"""

from __future__ import annotations

import models.transcriber
from tests.scripted_flow import ScriptedEar

EAR = ScriptedEar()
models.transcriber.load_transcriber = lambda *_args, **_kwargs: EAR  # type: ignore[assignment]
