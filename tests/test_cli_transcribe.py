"""`greenroom transcribe` and `greenroom speech-models list` through the real dispatcher."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from app.cli import main
from audio.audio_file import write_wav_16k
from benchmarks.word_error_rate import word_error_rate
from tests.speech_fixtures import *  # noqa: F403 - the shared speech fixtures
from tests.speech_fixtures import STAR_SENTENCES

SENTENCE = STAR_SENTENCES[2]


def test_prints_text(spoken_wav, capsys) -> None:
    assert main(["transcribe", str(spoken_wav(SENTENCE))]) == 0
    out = capsys.readouterr().out
    assert word_error_rate(SENTENCE, out) <= 0.25, out


def test_json_has_words_and_model(spoken_wav, capsys) -> None:
    assert main(["transcribe", str(spoken_wav(SENTENCE)), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["model"] == "tiny.en" and data["duration_s"] > 2
    assert data["words"] and {"word", "start_s", "end_s", "probability"} <= set(data["words"][0])
    assert word_error_rate(SENTENCE, data["text"]) <= 0.25


def test_silence_gives_empty_transcript_with_note(tmp_path: Path, capsys) -> None:
    path = write_wav_16k(tmp_path / "quiet.wav", np.zeros(5 * 16_000, dtype=np.float32))
    assert main(["transcribe", str(path), "--json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["words"] == [] and "no speech found in quiet.wav" in data["note"]
    assert captured.err.strip().count("\n") == 0


def test_not_audio_is_one_line_and_fails(tmp_path: Path, capsys) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("these are my notes, not a recording\n")
    assert main(["transcribe", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.strip()
    assert err.startswith("greenroom: notes.wav") and "\n" not in err and "Traceback" not in err


def test_missing_file_and_missing_model(spoken_wav, tmp_path: Path, monkeypatch, capsys) -> None:
    assert main(["transcribe", str(tmp_path / "gone.wav")]) == 1
    assert "no such file" in capsys.readouterr().err
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    assert main(["transcribe", str(spoken_wav(SENTENCE)), "--model", "base.en"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == ("greenroom: speech model 'base.en' is not installed; download it with "
                   "`greenroom speech-models download base.en`")


def test_speech_models_list(capsys) -> None:
    assert main(["speech-models", "list"]) == 0
    out = capsys.readouterr().out
    tiny = next(line for line in out.splitlines() if line.startswith("tiny.en "))
    assert "installed (bundled)" in tiny and "[default]" in tiny
    assert "small.en" in out


def test_speech_models_download_unknown_name(capsys) -> None:
    # An unknown name fails before anything goes online.
    assert main(["speech-models", "download", "huge.xx"]) == 1
    assert "unknown speech model 'huge.xx'" in capsys.readouterr().err
