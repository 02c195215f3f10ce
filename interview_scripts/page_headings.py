"""Headings that name a question without asking it, on a page of answers.

An answers page often drops the question and heads each answer with its subject: "Your
biggest weakness", "Why you want to leave", "Handling a nervous patient". Such a heading
stands for a question when the part under it holds an answer (a "Sample answer" label, or
an answer in the first person). ``page_wording.implied`` words the question; a wording
from a known shape needs only the answer under it, while a bare noun phrase ("Teamwork")
also needs the heading to be marked as one (Markdown or bold) or siblings already read
surely, and a labelled sample, and is reported as a guess.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Collection

from interview_scripts import page_sections as sections
from interview_scripts.page_guides import guide_in
from interview_scripts.page_lines import PageLine
from interview_scripts.page_wording import implied

_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__).+(?:\*\*|__)\s*:?\s*$")
HEADING_WORDS = 10  # a plain line this short, with no sentence end, may be a heading


def _heading_question(line: PageLine, reads_as_question: Callable[[str], bool]) -> tuple[str, bool, bool] | None:
    """(question, sure, marked as a heading) for a line shaped like a heading that names a
    question without asking it; None for anything else."""
    text = line.text
    if reads_as_question(text) or sections.section_of(text)[0] is not None or guide_in(text) is not None:
        return None
    marked = line.marker == "heading" or bool(_BOLD_LINE.match(line.raw))
    plain = (line.marker in ("", "number") and len(text.split()) <= HEADING_WORDS and len(text) <= 80
             and not text.endswith((".", ",", ";", "!", '"', "”")) and text[:1].isupper())
    if not (marked or plain):
        return None
    found = implied(text)
    return (found[0], found[1], marked) if found else None


def implied_questions(lines: list[PageLine], title_index: int | None, starts: Collection[int],
                      reads_as_question: Callable[[str], bool], is_answer: Callable[[str], bool]
                      ) -> tuple[dict[int, str], set[str]]:
    """Line index -> question for each heading that stands for one, and the questions whose
    wording is a guess. ``starts`` are the lines already known to start questions: a part
    under a heading ends at the next of them or the next heading."""
    content = [line for line in lines if not line.noise]
    candidates: dict[int, tuple[str, bool, bool]] = {}
    for n, line in enumerate(content):
        if line.index == title_index or line.separator or line.question is not None:
            continue
        if n + 1 == len(content) or content[n + 1].separator:
            continue  # nothing under it
        found = _heading_question(line, reads_as_question)
        if found is not None:
            candidates[line.index] = found
    position = {line.index: n for n, line in enumerate(content)}
    bounds = sorted(set(candidates) | {i for i in starts if i in position})
    worded: dict[int, str] = {}
    guesses: list[tuple[int, str, bool]] = []
    for index, (question, sure, marked) in candidates.items():
        after = bisect.bisect_right(bounds, index)
        end = position[bounds[after]] if after < len(bounds) else len(content)
        block = content[position[index] + 1:end]
        labelled = any(sections.section_of(line.text)[0] == sections.SAMPLE for line in block)
        if sure and (labelled or any(is_answer(line.text) for line in block)):
            worded[index] = question
        elif labelled:
            guesses.append((index, question, marked))
    # A bare noun phrase stands for a question under a marked heading, or among headings
    # the page has already shown to stand for questions.
    unsure = {question for index, question, marked in guesses if marked or worded}
    worded.update({index: question for index, question, marked in guesses if marked or worded})
    return worded, unsure
