"""Tables of questions, as Markdown writes them or as a copied web table arrives (tabs).

A prep page may lay its questions out as rows: one column for the question, one for the
time, one for the points to hit, perhaps one for what to avoid. Header names vary from page
to page, so each column's part is decided by its header where the header says (through the
same words as the page's own headings) and otherwise by what its cells hold: the column
whose cells read as questions, the one whose cells are time guides, the one whose cells are
lists. Each row is then written out as the labelled lines the line reader already knows
("Question: …", "Time: …", "Key points:" with one bullet per item), so a table can sit
anywhere on a page among ordinary text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from interview_scripts import page_sections as sections
from interview_scripts.page_guides import guide_in

QUESTION, TIME, NUMBER, FRAMEWORK, OTHER = "question", "time", "number", "framework", "other"
_ALIGNMENT_CELL = re.compile(r"^:?-+:?$")
_QUESTION_HEADER = re.compile(r"\b(?:questions?|prompts?|asks?|asked|interviewer says|q)\b", re.I)
_TIME_HEADER = re.compile(r"\b(?:time|timing|length|duration|minutes?|mins?|seconds?|how long|guide)\b", re.I)
_FRAMEWORK_HEADER = re.compile(r"^(?:framework|method|structure|format|model)$", re.I)
_NUMBER_HEADER = re.compile(r"^(?:#|no\.?|n|number|nr|\d+)?$", re.I)
_CELL_BREAK = re.compile(r"\s*(?:<br\s*/?>|\s•\s|\s·\s)\s*|\s+(?=\(?\d{1,2}[.)]\s)", re.I)
_CELL_LABEL = re.compile(r"^(?:q(?:uestion)?\s*#?\s*\d{0,3})\s*[:.)–—-]\s*", re.I)  # "Q1: Why …" in a cell
_MARKER = re.compile(r"^(?:[-*•·▪◦✓✔]|\d{1,2}[.)])\s+")
MIN_ROWS = 1
QUESTION_SHARE = 0.5  # share of a column's cells that must read as questions to make it the question column


def _pipe_cells(line: str) -> list[str] | None:
    """The cells of a pipe-table row, or None for a line that is not one."""
    text = line.strip()
    if text.count("|") < 1 or text.startswith(("||",)):
        return None
    text = re.sub(r"\\\|", "\0", text)  # an escaped pipe is part of a cell
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|"):
        text = text[:-1]
    cells = [c.replace("\0", "|").strip() for c in text.split("|")]
    return cells if len(cells) >= 2 else None


def _tab_cells(line: str) -> list[str] | None:
    cells = [c.strip() for c in line.strip().split("\t")]
    return cells if len(cells) >= 2 and line.count("\t") >= 1 else None


def _is_alignment(cells: list[str]) -> bool:
    return all(_ALIGNMENT_CELL.match(c.replace(" ", "")) for c in cells if c) and any(cells)


def _fits(cells: list[str], width: int) -> bool:
    return len(cells) == width or len(cells) == width - 1 or (
        len(cells) > width and not any(c.strip() for c in cells[width:]))


def _blocks(lines: list[str]) -> list[tuple[int, int, list[list[str]]]]:
    """(first line, line after the last, rows) for each run of table rows with one width."""
    found: list[tuple[int, int, list[list[str]]]] = []
    i = 0
    while i < len(lines):
        for split in (_pipe_cells, _tab_cells):
            first = split(lines[i])
            if first is None:
                continue
            rows, j = [first], i + 1
            while j < len(lines) and (cells := split(lines[j])) is not None and _fits(cells, len(first)):
                # A row may drop its last, empty cell, or carry an empty one too many.
                rows.append((cells + [""] * len(first))[:len(first)])
                j += 1
            aligned = len(rows) >= 2 and _is_alignment(rows[1])
            # A pipe-table needs its alignment row or at least three rows; a line of text with
            # one '|' in it ("Jobs | Salaries") is a menu, not a table.
            if aligned or (len(rows) >= 3 and split is _pipe_cells) or (len(rows) >= 2 and split is _tab_cells):
                found.append((i, j, rows))
                i = j
                break
        else:
            i += 1
            continue
    return found


def _roles(header: list[str] | None, body: list[list[str]],
           reads_as_question: Callable[[str], bool]) -> list[str]:
    """The part each column plays: a field of ``page_sections`` or one of this module's roles."""
    width = len(body[0])
    columns = [[row[c] for row in body] for c in range(width)]
    roles: list[str] = []
    for c in range(width):
        name = (header[c] if header else "").strip().strip("*_").rstrip(":")
        cells = [cell for cell in columns[c] if cell]
        kind = sections.section_of(name)[0] if name else None
        if name and _NUMBER_HEADER.match(name) and all(re.fullmatch(r"\d{1,3}[.)]?", cell) for cell in cells):
            roles.append(NUMBER)
        elif name and _QUESTION_HEADER.search(name) and kind in (None, sections.QUESTIONS):
            roles.append(QUESTION)
        elif name and _TIME_HEADER.search(name) and kind is None:
            roles.append(TIME)
        elif name and _FRAMEWORK_HEADER.match(name):
            roles.append(FRAMEWORK)
        elif kind in (sections.KEY_POINTS, sections.MISTAKES, sections.SAMPLE, sections.FOLLOW_UPS,
                      sections.GUIDANCE):
            roles.append(kind)
        elif cells and all(re.fullmatch(r"\d{1,3}[.)]?", cell) for cell in cells):
            roles.append(NUMBER)
        elif cells and all(guide_in(cell) is not None and len(cell.split()) <= 4 for cell in cells):
            roles.append(TIME)
        else:
            roles.append(OTHER)
    if QUESTION not in roles:
        # No header says which: the column whose cells read as questions most often.
        shares = [sum(1 for cell in columns[c] if cell and reads_as_question(cell)) / len(body)
                  if roles[c] == OTHER else 0.0 for c in range(width)]
        best = max(range(width), key=lambda c: shares[c])
        if shares[best] < QUESTION_SHARE:
            return []
        roles[best] = QUESTION
    if sections.KEY_POINTS not in roles:
        # A column of short lists is the points to make, whatever its header calls it
        # ("Notes", "Answer tips"); an unnamed column before a column of tips.
        for kind in (OTHER, sections.GUIDANCE):
            listed = [c for c in range(width) if roles[c] == kind and sum(
                1 for cell in columns[c] if cell and _items(cell, True) != [cell]) * 2 >= len(body)]
            if listed:
                roles[listed[0]] = sections.KEY_POINTS
                break
    return roles


def _items(cell: str, listed: bool) -> list[str]:
    """A cell's list items: split at line breaks written into the cell, bullets, or ';' and
    short comma lists."""
    parts = [p for p in _CELL_BREAK.split(cell) if p.strip()]
    if len(parts) >= 2:
        return [_MARKER.sub("", p).strip() for p in parts]
    if not listed:
        return [cell]
    return sections.split_inline_items(cell)


def _guide_text(cell: str, header: str) -> str:
    """'2' under a "Minutes" header is "2 minutes"; '90' under "Seconds" is "90 seconds"."""
    if guide_in(cell) is not None:
        return cell
    if re.fullmatch(r"\d+(?:\.\d+)?(?:\s*[-–—]\s*\d+(?:\.\d+)?)?", cell.strip()):
        unit = "seconds" if re.search(r"\bsec", header, re.I) else "minutes"
        return f"{cell.strip()} {unit}"
    return cell


def _row_lines(roles: list[str], header: list[str] | None, row: list[str]) -> list[str]:
    out: list[str] = []
    question = next((row[c] for c, role in enumerate(roles) if role == QUESTION), "")
    if not question.strip():
        return []
    out.append(f"Question: {_CELL_LABEL.sub('', question.strip())}")
    for c, role in enumerate(roles):
        cell = row[c].strip()
        name = (header[c] if header else "").strip().strip("*_").rstrip(":")
        if not cell or role in (QUESTION, NUMBER):
            continue
        if role == TIME:
            out.append(f"Time: {_guide_text(cell, name)}")
        elif role == FRAMEWORK:
            out.append(f"Framework: {cell}")
        elif role in (sections.KEY_POINTS, sections.MISTAKES, sections.FOLLOW_UPS):
            heading = {sections.KEY_POINTS: "Key points:", sections.MISTAKES: "Mistakes to avoid:",
                       sections.FOLLOW_UPS: "Follow-up questions:"}[role]
            out.append(heading)
            out.extend(f"- {item}" for item in _items(cell, True) if item)
        elif role == sections.SAMPLE:
            out.append("Sample answer: " + " ".join(_items(cell, False)))
        else:  # guidance, or a column the page names in its own way
            label = name or "Notes"
            out.append("Advice:")
            out.append(f"{label}: {cell}" if role == OTHER and name else cell)
    out.append("-")  # a rule between rows, so no list runs on into the next row
    return out


def tables_to_lines(lines: list[str], reads_as_question: Callable[[str], bool]) -> tuple[list[str], set[int]]:
    """``lines`` with every table of questions written out as labelled lines, and the
    indexes of the lines written. A table whose columns hold no questions is left as it was."""
    out: list[str] = []
    written: set[int] = set()
    done = 0
    for start, end, rows in _blocks(lines):
        aligned = len(rows) >= 2 and _is_alignment(rows[1])
        header: list[str] | None
        if aligned:
            header, body = rows[0], rows[2:]
        elif not any(reads_as_question(c) for c in rows[0]):
            header, body = rows[0], rows[1:]
        else:
            header, body = None, rows
        body = [r for r in body if any(c.strip() for c in r) and not _is_alignment(r)]
        if len(body) < MIN_ROWS:
            continue
        roles = _roles(header, body, reads_as_question)
        if not roles:
            continue
        out.extend(lines[done:start])
        for row in body:
            rewritten = _row_lines(roles, header, row)
            written.update(range(len(out), len(out) + len(rewritten)))
            out.extend(rewritten)
        done = end
    out.extend(lines[done:])
    return out, written
