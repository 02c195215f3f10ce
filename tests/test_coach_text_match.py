"""Stemming, fuzzy words and phrase matching used by the key-point and structure checks."""

from __future__ import annotations

import pytest

from models.coach.text_match import Phrase, content_phrases, find_phrase, stem, tokenize
from tests.coach_helpers import timed_words, transcript_of


def _found(phrase: str, said: str) -> bool:
    tt = tokenize(transcript_of((said, 0.0)))
    return bool(find_phrase(Phrase.of(phrase), tt))


@pytest.mark.parametrize("said", ["We wrote a postmortem.", "We wrote a post-mortem.",
                                  "We wrote a post mortem.", "We wrote two postmortems."])
@pytest.mark.parametrize("written", ["postmortem", "post-mortem", "post mortem"])
def test_compound_spellings_agree(written: str, said: str) -> None:
    assert _found(written, said)


@pytest.mark.parametrize(("a", "b"), [("rolled", "roll"), ("mitigation", "mitigated"),
                                      ("deployment", "deployed"), ("services", "service"),
                                      ("investigating", "investigation"), ("stopped", "stop")])
def test_inflections_share_a_stem(a: str, b: str) -> None:
    assert stem(a) == stem(b)


def test_phrase_matching_is_not_too_loose() -> None:
    assert _found("roll back", "Then I rolled back the release.")
    assert not _found("roll back", "Then I rolled the dice and went back.")
    assert not _found("canary", "We added a cache.")
    assert _found("Kubernetes", "We moved the service to Kubernets.")  # a misheard spelling
    assert _found("diagnos", "I diagnosed the fault.")  # framework cues may be word beginnings


def test_sentences_split_at_punctuation_and_long_gaps() -> None:
    tt = tokenize(transcript_of(("First part. Second part", 0.0), ("third part", 10.0)))
    assert [s.text for s in tt.sentences] == ["First part.", "Second part", "third part"]
    assert tt.sentences[2].start_s == 10.0


def test_content_phrases_drop_stopwords_and_keep_hyphenated_words_together() -> None:
    phrases = [p.text for p in content_phrases("Ran a blameless post-mortem with the team")]
    assert phrases == ["ran", "blameless", "post mortem", "team"]


def test_timed_words_are_evenly_spaced() -> None:
    words = timed_words("one two three", start_s=10.0, wpm=60.0)
    assert [w.start_s for w in words] == [10.0, 11.0, 12.0]
    assert words[-1].end_s == 12.8
