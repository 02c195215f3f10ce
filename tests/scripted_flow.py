"""The practice flow's own path, quick: a recording played into the real recorder, the real
voice activity, coach, store and review (on the loopback Ollama); only Whisper is replaced,
by an ear that hears the words the test chose.

What the flow does between the passes (which feedback it saves, with which marks, and what
it hands its listener) is the thing under test, and none of it depends on how the words
were recognised. The ear can hold the whole-answer pass until the test lets it go, so a
test can act on the instant feedback while the answer waits to be coached again.

Test modules load the fixtures with ``pytest_plugins = ("tests.scripted_flow",)``. The
module holds no asserts, so it asks pytest not to rewrite it (PYTEST_DONT_REWRITE).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from audio.audio_file import SAMPLE_RATE, write_wav_16k
from models.transcriber import StretchWords, Transcriber
from models.transcript import DecodingPass, Transcript, Word
from tests.audio_helpers import tone
from tests.outage_story import OUTAGE_ANSWER

ANSWER_S = 6.0
# The outage story's key point the words never mention: the one a candidate marks.
UNHEARD_POINT = "Capacity planning for the holidays"


class ScriptedEar(Transcriber):
    """Hears ``full_text`` in the whole-answer pass, spread evenly over the answer.

    A ``Transcriber`` in all but the model: what it records of each pass (``decoding``,
    the options) is the real class's. The live pass only decodes what the voice-activity
    model calls speech, and a tone is not speech, so the live transcript stays empty: the
    instant feedback hears nothing, the refined one hears the story. With ``hold`` the
    whole-answer pass waits for ``go`` before it answers."""

    def __init__(self, full_text: str = OUTAGE_ANSWER, hold: bool = False) -> None:
        # No Whisper is loaded: the two transcribe methods below are all that would use it.
        self.name = "scripted-ear"
        self.language = "en"
        self.beam_size = 1
        self.full_text = full_text
        self.go = threading.Event()
        if not hold:
            self.go.set()
        self.waiting = threading.Event()  # the whole-answer pass has started
        self.full_passes = 0

    def words(self, duration_s: float) -> list[Word]:
        tokens = self.full_text.split()
        step = duration_s / len(tokens)
        return [Word(w, round(i * step, 3), round((i + 0.8) * step, 3))
                for i, w in enumerate(tokens)]

    def transcribe_array(self, audio16k: np.ndarray, offset_s: float = 0.0) -> list[Word]:
        return []

    def transcribe_stretch(self, audio16k: np.ndarray, offset_s: float = 0.0,
                           previous: Sequence[Word] = ()) -> list[Word]:
        return []

    def refined_transcript(self, stretches: Sequence[StretchWords],  # type: ignore[override]
                           live_words: Sequence[Word], segments: Sequence[tuple[float, float]],
                           duration_s: float, pass_: DecodingPass = "refined") -> Transcript:
        """The accurate pass of a live answer, as the flow gets it after Stop."""
        heard = self.heard(duration_s, pass_)
        if heard is None:
            raise TimeoutError("the test never let the whole-answer pass go on")
        return heard

    def transcribe_full(self, audio16k: np.ndarray, *,  # type: ignore[override]
                        should_stop: Callable[[], bool] | None = None,
                        probabilities: np.ndarray | None = None,
                        pass_: DecodingPass = "file") -> Transcript | None:
        heard = self.heard(np.asarray(audio16k).size / SAMPLE_RATE, pass_)
        if heard is None:
            raise TimeoutError("the test never let the whole-answer pass go on")
        if should_stop is not None and should_stop():
            return None
        return heard

    def heard(self, duration_s: float, pass_: DecodingPass) -> Transcript | None:
        """The whole-answer pass: ``full_text`` over ``duration_s``, once ``go`` is set
        (None if it never is)."""
        self.full_passes += 1
        self.waiting.set()
        if not self.go.wait(30):
            return None
        return Transcript(words=self.words(duration_s), language="en", model=self.name,
                          duration_s=duration_s, decoding=self.decoding(pass_, accurate=True))


def install_ear(monkeypatch: pytest.MonkeyPatch, ear: ScriptedEar) -> ScriptedEar:
    """The flow loads its speech model through ``load_transcriber``: it gets ``ear``."""
    import models.transcriber

    monkeypatch.setattr(models.transcriber, "load_transcriber", lambda *_a, **_k: ear)
    return ear


@pytest.fixture
def scripted_ear(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedEar]:
    ear = install_ear(monkeypatch, ScriptedEar())
    yield ear
    ear.go.set()  # never leave a flow waiting on it


@pytest.fixture
def held_ear(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedEar]:
    """An ear whose whole-answer pass waits for the test's ``go``."""
    ear = install_ear(monkeypatch, ScriptedEar(hold=True))
    yield ear
    ear.go.set()


@pytest.fixture(scope="session")
def tone_answer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six seconds of a steady tone: something for the recorder to write and play back."""
    path = tmp_path_factory.mktemp("scripted-flow") / "answer.wav"
    return write_wav_16k(path, tone(220.0, ANSWER_S, amplitude=0.2))
