"""One spoken outage story and the question it answers, shared by the tests that take a
real answer through `greenroom feedback` and the practice flow to the loopback Ollama.
Sharing the text also shares its synthesised WAV (the speech cache is keyed by text).

Test modules load its fixtures with ``pytest_plugins``; it holds no asserts, so it asks
pytest not to rewrite it (PYTEST_DONT_REWRITE), which keeps pytest quiet when a module
imports its texts before registering it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

OUTAGE_SCRIPT = """
title: Outage story
role: Engineer
questions:
  - id: outage
    text: Tell me about an outage you led.
    time_guide: 20-40 s
    framework: STAR
    key_points:
      - text: Restored the service quickly
        cues: [restored the service]
      - text: Blameless post-mortem
        cues: [post mortem, postmortem]
      - text: Capacity planning for the holidays
"""

OUTAGE_ANSWER = ("Last winter our checkout database crashed during a sale. I was on call. "
                 "I restored the service in forty minutes by failing over to the replica. "
                 "Afterwards I ran a blameless post mortem and we added health checks.")


@pytest.fixture(scope="module")
def script_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("outage") / "outage.yaml"
    path.write_text(OUTAGE_SCRIPT, encoding="utf-8")
    return path


@pytest.fixture
def answer(spoken_wav: Callable[..., Path]) -> Path:
    """The story spoken at an easy pace (`spoken_wav` comes from tests.speech_fixtures)."""
    return spoken_wav(OUTAGE_ANSWER, rate_wpm=160)
