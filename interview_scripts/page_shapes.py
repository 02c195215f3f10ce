"""The page as the line reader should see it, whatever shape it came in.

Before questions are looked for, each shape reader that recognises its shape rewrites the
page or marks lines of it: a table of questions becomes labelled lines (``page_tables``),
hard-wrapped lines are joined and page furniture set aside (``page_wrap``), a letter's
sentences become labelled lines (``page_letter``), and a blog's frame is marked as noise
(``page_chrome``). A page of none of these shapes comes through as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from interview_scripts.page_chrome import chrome_lines
from interview_scripts.page_letter import letter_to_lines
from interview_scripts.page_tables import tables_to_lines
from interview_scripts.page_wrap import unwrap

TABLE, WRAPPED, LETTER, CHROME = "a table", "hard-wrapped lines", "a letter", "site chrome"
_WRITTEN = ("Question: ", "Time: ", "Framework: ", "Key points:", "Mistakes to avoid:", "Follow-up questions:",
            "Sample answer: ", "Advice:", "- ")


@dataclass(frozen=True)
class PreparedPage:
    """The page's lines, which of them are noise, and what the shape readers did."""

    lines: list[str]
    noise: frozenset[int]
    shapes: tuple[str, ...] = ()
    # Questions a shape reader worded itself without being sure of the words.
    unsure: tuple[str, ...] = ()


def prepare(text: str, reads_as_question: Callable[[str], bool]) -> PreparedPage:
    """The page's lines after every shape reader that recognised its shape has run.
    ``reads_as_question`` is the line reader's own test, used to find a table's questions."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").split("\n")
    shapes: list[str] = []
    # Lines the table reader wrote are the importer's own words: never site chrome.
    lines, written = tables_to_lines(raw, reads_as_question)
    if written:
        shapes.append(TABLE)
    noise: set[int] = set()
    joined = unwrap(lines)
    if joined is not None:
        shapes.append(WRAPPED)
        lines = [t for t, _ in joined]
        noise = {i for i, (_, furniture) in enumerate(joined) if furniture}
        # Joining moved the lines; the table's are found again by the labels it wrote.
        written = {i for i, (t, _) in enumerate(joined) if t.startswith(_WRITTEN)} if written else set()
    letter = letter_to_lines([t for i, t in enumerate(lines) if i not in noise])
    if letter is not None:
        shapes.append(LETTER)
        kept, unsure = letter
        set_aside = [lines[i] for i in sorted(noise)]  # page furniture, listed after the letter
        lines = [t for t, _ in kept] + set_aside
        noise = {i for i, (_, framing) in enumerate(kept) if framing} | set(range(len(kept), len(lines)))
        return PreparedPage(lines, frozenset(noise), tuple(shapes), tuple(unsure))
    chrome = {i for i in chrome_lines(lines) if i not in written and i not in noise}
    if chrome:
        shapes.append(CHROME)
    return PreparedPage(lines, frozenset(noise | chrome), tuple(shapes))
