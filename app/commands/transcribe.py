"""``greenroom transcribe AUDIO``: the words in an audio file, as text or JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app import paths
from app.commands import speech_models as speech_models_command


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "transcribe", help="transcribe an audio file (any common format) offline",
        description="Transcribe an audio file with the local speech model; prints the text.")
    parser.add_argument("audio", type=Path, help="audio file (WAV, MP3, M4A, OGG, FLAC, ...)")
    parser.add_argument("--model", default=None,
                        help="speech model name or folder (default: tiny.en, installed with "
                             "Greenroom; see `greenroom speech-models list`)")
    parser.add_argument("--json", action="store_true",
                        help="print the transcript with word timings as JSON")
    parser.set_defaults(handler=run)
    # Model management sits next to transcription; registering it here keeps it
    # available whichever command modules the dispatcher lists.
    speech_models_command.register(subparsers)


def run(args: argparse.Namespace) -> int:
    from audio.audio_file import read_audio_16k
    from models.transcriber import Transcriber

    audio = read_audio_16k(args.audio)  # AudioError: one line naming the file
    transcript = Transcriber(args.model, models_dir=paths.models_dir()).transcribe_full(audio)
    note = None
    if not transcript.words:
        note = (f"no speech found in {args.audio.name} "
                f"({transcript.duration_s:.1f} s of audio)")
    if args.json:
        data = transcript.to_dict()
        if note:
            data["note"] = note
        print(json.dumps(data, indent=2))
    elif transcript.words:
        print(transcript.text)
    if note:
        print(f"greenroom: {note}", file=sys.stderr)
    return 0
