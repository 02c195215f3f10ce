"""Words of a transcript as the coach compares them: normalised, stemmed, fuzzily matched.

Whisper spells the same idea several ways ("postmortem", "post-mortem", "post mortem";
"rolled back", "roll back"), so every comparison here goes through a small suffix
stemmer, a fuzzy token test (difflib) for longer words, and a phrase matcher that lets
two spoken tokens stand for one written one and the other way round.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

from models.transcript import Transcript

# A sentence ends at closing punctuation or at a silence this long between words.
SENTENCE_GAP_S = 1.0
FUZZY_MIN_LENGTH = 5
FUZZY_RATIO = 0.84


def word_set(text: str) -> frozenset[str]:
    """A set of words written as one whitespace-separated block (easy to read and edit)."""
    return frozenset(text.split())


STOPWORDS = word_set("""
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
had has have having he her here hers him his how i if in into is it its itself just me more
most my no nor not now of off on once only or other our ours out over own same she should so
some such than that the their theirs them then there these they this those through to too
under until up very was we were what when where which while who whom why will with would you
your yours i'm i've i'd i'll we're we've we'd it's that's there's don't didn't wasn't weren't
isn't aren't can't couldn't won't also really got get like one well us let's
""")

_TOKEN = re.compile(r"[$£€]?\d(?:[\d,.]*\d)?%?|[a-z0-9]+(?:'[a-z]+)?%?", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.?!…]['\")\]]*$")


@dataclass(frozen=True)
class Token:
    """One normalised piece of a transcript word (a hyphenated word gives several)."""

    raw: str  # lower-case, punctuation removed
    stem: str
    word_index: int  # index into Transcript.words
    sentence: int
    start_s: float
    end_s: float
    comma_after: bool  # the spoken word carried a comma: a hint for fillers like ", like,"


@dataclass(frozen=True)
class Sentence:
    index: int
    first_token: int
    last_token: int  # inclusive
    start_s: float
    end_s: float
    text: str


def _undouble(word: str) -> str:
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] in "bdgmnprt":
        return word[:-1]
    return word


@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """A small suffix stripper: enough to make inflections and -ation/-ate forms agree."""
    w = word.lower()
    if len(w) <= 3 or not w.isalpha():
        return w
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("sses", "ss")):
        if w.endswith(suffix) and len(w) - len(suffix) + len(repl) >= 3:
            w = w[: -len(suffix)] + repl
            break
    else:
        if len(w) >= 5 and (w.endswith(("ches", "shes")) or (w.endswith("es") and w[-3] in "sxz")):
            w = w[:-2]
        elif w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 4:
            w = w[:-1]
        elif w.endswith("ing") and len(w) >= 6:
            w = _undouble(w[:-3])
        elif w.endswith("ed") and len(w) >= 5:
            w = _undouble(w[:-2])
    for suffix, repl in (("ization", "iz"), ("ation", "at"), ("ement", "e"), ("ment", ""),
                         ("ness", ""), ("fully", "ful"), ("ly", "")):
        if w.endswith(suffix) and len(w) - len(suffix) + len(repl) >= 4:
            w = w[: -len(suffix)] + repl
            break
    if w.endswith("e") and len(w) >= 5:
        w = w[:-1]
    return w


@lru_cache(maxsize=65536)
def tokens_match(a: str, b: str) -> bool:
    """Two stems name the same word: equal, or close enough when both are long."""
    if a == b:
        return True
    if len(a) < FUZZY_MIN_LENGTH or len(b) < FUZZY_MIN_LENGTH or a[0] != b[0]:
        return False
    if abs(len(a) - len(b)) > 3:
        return False
    return SequenceMatcher(None, a, b).ratio() >= FUZZY_RATIO


def _prefix_match(cue_raw: str, raw: str) -> bool:
    # Framework cues are sometimes written as word beginnings ("diagnos", "mitigat").
    return len(cue_raw) >= 5 and raw.startswith(cue_raw)


def normalise_words(text: str) -> list[str]:
    """Lower-case tokens of free text; hyphens and slashes split words."""
    return [t.lower().replace(",", "") for t in _TOKEN.findall(text.replace("-", " "))]


@dataclass(frozen=True)
class Phrase:
    """A phrase to look for, e.g. a cue: its normalised tokens and their stems."""

    text: str
    raws: tuple[str, ...]
    stems: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> Phrase:
        raws = tuple(normalise_words(text))
        return cls(text=text, raws=raws, stems=tuple(stem(r) for r in raws))

    @property
    def empty(self) -> bool:
        return not self.raws


def _single(p_raw: str, p_stem: str, raw: str, t_stem: str) -> bool:
    return tokens_match(p_stem, t_stem) or _prefix_match(p_raw, raw)


def _match_from(phrase: Phrase, tokens: list[Token], i: int, stop: int) -> int | None:
    """Token index just past a match of ``phrase`` starting at ``i``, or None."""
    j = 0
    n = len(phrase.raws)
    while j < n:
        if i >= stop:
            return None
        t = tokens[i]
        if _single(phrase.raws[j], phrase.stems[j], t.raw, t.stem):
            i, j = i + 1, j + 1
            continue
        # "postmortem" written, "post mortem" spoken
        if i + 1 < stop:
            joined = t.raw + tokens[i + 1].raw
            if tokens_match(phrase.stems[j], stem(joined)):
                i, j = i + 2, j + 1
                continue
        # "post-mortem" written, "postmortem" spoken
        if j + 1 < n:
            joined = phrase.raws[j] + phrase.raws[j + 1]
            if tokens_match(stem(joined), t.stem):
                i, j = i + 1, j + 2
                continue
        return None
    return i


def _could_start(phrase: Phrase, raw: str, t_stem: str) -> bool:
    """Whether a match of ``phrase`` could begin at a token spelled ``raw``."""
    first_raw, first_stem = phrase.raws[0], phrase.stems[0]
    if _single(first_raw, first_stem, raw, t_stem):
        return True
    if first_raw.startswith(raw[:2]) and len(raw) < len(first_raw) + 2:
        return True  # the first written word may be spoken as two ("post mortem")
    return len(phrase.raws) > 1 and tokens_match(stem(first_raw + phrase.raws[1]), t_stem)


def find_phrase(phrase: Phrase, tt: TokenizedTranscript, start: int = 0,
                stop: int | None = None) -> list[tuple[int, int]]:
    """Every non-overlapping (first, past_last) token range in [start, stop) matching,
    never running across a sentence end."""
    if phrase.empty:
        return []
    tokens = tt.tokens
    stop = len(tokens) if stop is None else stop
    hits: list[tuple[int, int]] = []
    after = start
    for i in tt.candidate_starts(phrase):
        if i < after or i >= stop:
            continue
        end = _match_from(phrase, tokens, i, stop)
        if end is not None and end > i and tokens[end - 1].sentence == tokens[i].sentence:
            hits.append((i, end))
            after = end
    return hits


@dataclass
class TokenizedTranscript:
    tokens: list[Token]
    sentences: list[Sentence]
    _starts: dict[tuple[str, ...], list[int]] = field(default_factory=dict, repr=False)
    _vocab: dict[tuple[str, str], list[int]] | None = field(default=None, repr=False)

    def candidate_starts(self, phrase: Phrase) -> list[int]:
        """Token positions where ``phrase`` might start, sorted; checked once per spelling
        of a word rather than once per token, which keeps long answers fast."""
        cached = self._starts.get(phrase.raws)
        if cached is not None:
            return cached
        if self._vocab is None:
            self._vocab = {}
            for i, t in enumerate(self.tokens):
                self._vocab.setdefault((t.raw, t.stem), []).append(i)
        starts = sorted(i for (raw, t_stem), positions in self._vocab.items()
                        if _could_start(phrase, raw, t_stem) for i in positions)
        self._starts[phrase.raws] = starts
        return starts

    def sentence_tokens(self, s: Sentence) -> list[Token]:
        return self.tokens[s.first_token: s.last_token + 1]

    def text_between(self, first_token: int, past_last: int) -> str:
        return " ".join(t.raw for t in self.tokens[first_token:past_last])


def tokenize(transcript: Transcript) -> TokenizedTranscript:
    """Split the transcript's words into tokens and sentences, keeping every time."""
    tokens: list[Token] = []
    sentences: list[Sentence] = []
    words = [w for w in transcript.words if w.word.strip()]
    sentence = 0
    sentence_first_token = 0
    sentence_words: list[str] = []
    for wi, w in enumerate(words):
        spoken = w.word.strip()
        pieces = normalise_words(spoken)
        comma = spoken.endswith((",", ";", ":"))
        for k, piece in enumerate(pieces):
            tokens.append(Token(raw=piece, stem=stem(piece), word_index=wi, sentence=sentence,
                                start_s=float(w.start_s), end_s=float(w.end_s),
                                comma_after=comma and k == len(pieces) - 1))
        sentence_words.append(spoken)
        nxt = words[wi + 1] if wi + 1 < len(words) else None
        ends = (nxt is None or _SENTENCE_END.search(spoken) is not None
                or float(nxt.start_s) - float(w.end_s) >= SENTENCE_GAP_S)
        if ends:
            if len(tokens) > sentence_first_token:
                first = tokens[sentence_first_token]
                sentences.append(Sentence(index=sentence, first_token=sentence_first_token,
                                          last_token=len(tokens) - 1, start_s=first.start_s,
                                          end_s=tokens[-1].end_s,
                                          text=" ".join(sentence_words)))
                sentence += 1
            sentence_first_token = len(tokens)
            sentence_words = []
    return TokenizedTranscript(tokens=tokens, sentences=sentences)


def content_phrases(text: str, extra_stopwords: frozenset[str] = frozenset()) -> list[Phrase]:
    """The meaningful words of a sentence as phrases; a hyphenated word stays one phrase."""
    phrases: list[Phrase] = []
    seen: set[tuple[str, ...]] = set()
    for chunk in re.split(r"[\s/]+", text):
        raws = [r for r in normalise_words(chunk)
                if r not in STOPWORDS and r not in extra_stopwords and len(r) > 1]
        if not raws:
            continue
        phrase = Phrase.of(" ".join(raws))
        if phrase.stems not in seen:
            seen.add(phrase.stems)
            phrases.append(phrase)
    return phrases


# A quote shorter than this proves nothing: "the logs" is said in many answers.
QUOTE_MIN_TOKENS = 3


def locate_quote(quote: str, tt: TokenizedTranscript) -> tuple[int, int] | None:
    """The token range where ``quote`` was said word for word, or None.

    Words are compared as everywhere here (stems, fuzzy spelling), so a quote keeps
    matching when a model tidies punctuation or case; it may run across a sentence end.
    A quote of fewer than ``QUOTE_MIN_TOKENS`` words is not located at all.
    """
    stems = [stem(r) for r in normalise_words(quote)]
    if len(stems) < QUOTE_MIN_TOKENS:
        return None
    tokens = tt.tokens
    for i in range(len(tokens) - len(stems) + 1):
        if all(tokens_match(s, tokens[i + k].stem) for k, s in enumerate(stems)):
            return i, i + len(stems)
    return None
