"""Coach one answer: every deterministic metric, the notes, and the JSON the app stores."""

from __future__ import annotations

from typing import Any

import numpy as np

from interview_scripts.script import Question
from models.coach.feedback_model import FEEDBACK_VERSION, Feedback
from models.coach.fillers import find_fillers, find_hedges
from models.coach.key_points import check_key_points
from models.coach.length import assess_length, guide_dict
from models.coach.mistakes import check_mistakes
from models.coach.notes import Note, sort_notes
from models.coach.pace import assess_pace
from models.coach.pauses import find_pauses
from models.coach.speech_time import SAMPLE_RATE, SpeechTiming, measure_speech
from models.coach.structure import analyse_structure
from models.coach.text_match import tokenize
from models.coach.word_use import analyse_word_use
from models.transcript import Transcript

# English cue lists drive fillers, hedges, structure and key points.
ENGLISH = ("en", "english", "")

_TIMING_CONFIDENCE = {
    "audio_vad": "measured from the audio with voice activity detection (within about 0.3 s)",
    "audio_energy": ("measured from the audio by loudness, because the voice activity detector "
                     "could not run (within about 0.5 s; background noise can count as speech)"),
    "word_timings": ("no audio was given, so speaking time and pauses come from the "
                     "transcript's word timings (less exact: within about 1 s)"),
    "none": "no audio and no words, so nothing could be timed",
}


def _confidence(timing: SpeechTiming, english: bool) -> dict[str, str]:
    lang = "" if english else " The answer was not transcribed as English, so this is unreliable."
    return {
        "speaking_s": _TIMING_CONFIDENCE[timing.source],
        "pauses": _TIMING_CONFIDENCE[timing.source],
        "wpm": "words recognised divided by speaking time, pauses included; the band is a "
               "rule of thumb",
        "fillers": "a lower bound: speech recognition leaves out many 'um' and 'uh'" + lang,
        "hedges": "counted from the transcript; reliable for words that were recognised" + lang,
        "structure": "found from cue phrases (clear), from what each stage usually sounds "
                     "like and where it stands (likely); a part that stands where a stage "
                     "belongs without showing it is 'not clearly heard', not absent" + lang,
        "key_points": "word matching with stems and fuzzy spelling, not meaning; a point made "
                      "in other words shows as 'not heard in these words', never as missing"
                      + lang,
        "mistakes": "script mistakes are found only by their cue phrases" + lang,
    }


def coach_answer(question: Question, transcript: Transcript, audio: np.ndarray | None,
                 sample_rate: int = SAMPLE_RATE,
                 timing: SpeechTiming | None = None) -> Feedback:
    """The deterministic feedback for one answer (see docs/feedback-json.md).

    ``timing`` is the speech already measured from this audio (the answer pipeline passes
    the live pass's voice activity, so it is not computed twice).
    """
    if timing is None:
        timing = measure_speech(transcript, audio, sample_rate)
    tt = tokenize(transcript)
    english = (transcript.language or "").lower() in ENGLISH
    notes: list[Note] = []

    duration = timing.duration_s if audio is not None else max(timing.duration_s,
                                                               float(transcript.duration_s))
    speaking = timing.speaking_s
    length, length_notes = assess_length(question.time_guide, timing)
    notes += length_notes

    word_starts = sorted(tt.tokens[i].start_s for i in _word_heads(tt))
    wpm, pace, pace_notes = assess_pace(word_starts, timing)
    notes += pace_notes

    pauses, pause_notes = find_pauses(timing)
    notes += pause_notes

    fillers, filler_notes = find_fillers(tt.tokens, speaking)
    hedges, hedge_notes = find_hedges(tt.tokens, speaking)
    notes += filler_notes + hedge_notes

    word_use, word_notes = analyse_word_use(tt, question.framework.name)
    notes += word_notes

    answer_start = timing.first_s if timing.first_s is not None else 0.0
    answer_end = timing.last_s if timing.last_s is not None else 0.0
    if tt.sentences:
        # Speech the transcript does not cover (a cough before the first word) must not
        # push the structure timeline out of the words' range.
        answer_start = min(answer_start, tt.sentences[0].start_s)
        answer_end = max(answer_end, tt.sentences[-1].end_s)
    structure, structure_notes = analyse_structure(question.framework, tt, answer_start,
                                                   answer_end, question.time_guide)
    notes += structure_notes

    key_points, key_notes = check_key_points(question.key_points, tt)
    notes += key_notes

    mistakes, mistake_notes = check_mistakes(question.mistakes, question.framework, tt, word_use)
    notes += mistake_notes

    notes += _overall_notes(timing, tt.tokens != [], english, transcript, audio is None)

    return Feedback.from_dict({
        "version": FEEDBACK_VERSION,
        "question_id": question.id,
        "duration_s": round(duration, 2),
        "speaking_s": round(speaking, 2),
        "speech": {"source": timing.source, "first_s": timing.first_s, "last_s": timing.last_s,
                   "voiced_s": round(timing.voiced_s, 2)},
        "time_guide": guide_dict(question.time_guide),
        "length": length,
        "words": len(word_starts),
        "wpm": wpm,
        "pace": pace,
        "pauses": pauses,
        "fillers": fillers,
        "hedges": hedges,
        "word_use": word_use,
        "structure": structure,
        "key_points": key_points,
        "mistakes": mistakes,
        "notes": sort_notes(notes),
        "confidence": _confidence(timing, english),
        "transcript": transcript.to_dict(),
        "llm": None,
        "llm_status": None,
    })


def _word_heads(tt: Any) -> list[int]:
    """One token per spoken word (a hyphenated word gives several tokens)."""
    heads: list[int] = []
    last_word = -1
    for i, t in enumerate(tt.tokens):
        if t.word_index != last_word:
            heads.append(i)
            last_word = t.word_index
    return heads


def _overall_notes(timing: SpeechTiming, has_words: bool, english: bool,
                   transcript: Transcript, no_audio: bool) -> list[Note]:
    notes: list[Note] = []
    if not has_words and timing.spans and timing.from_audio:
        notes.append(Note(None, "problem", f"Speech was heard for {timing.voiced_s:.0f} s but "
                                           "nothing was transcribed; check the microphone level "
                                           "and the speech model."))
    elif not has_words:
        notes.append(Note(None, "problem", "No speech was recognised in this answer."))
    if not english and has_words:
        notes.append(Note(None, "warning", f"The answer was transcribed as "
                                           f"'{transcript.language}'; fillers, structure and key "
                                           "points are checked with English word lists."))
    if no_audio:
        notes.append(Note(None, "info", "No audio was available, so speaking time and pauses "
                                        "come from word timings and are less exact."))
    return notes
