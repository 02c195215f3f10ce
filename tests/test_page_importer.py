"""The page importer on the three seed pages, on prep pages in other layouts and shapes
(tables, PDF text, letters, blogs, answers under headings), and on small hand-made ones:
each field of each question, nothing leaked between questions, and each shape reader alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from interview_scripts.errors import ScriptError
from interview_scripts.loader import parse_script
from interview_scripts.page_chrome import chrome_lines
from interview_scripts.page_guides import guide_line, spell_out_numbers, split_question_guide
from interview_scripts.page_importer import ImportResult, import_page
from interview_scripts.page_letter import letter_to_lines
from interview_scripts.page_sections import section_of, split_inline_items
from interview_scripts.page_tables import tables_to_lines
from interview_scripts.page_wording import base_form, implied, reported
from interview_scripts.page_wrap import unwrap
from interview_scripts.script import Question

PAGES = Path(__file__).resolve().parent / "pages"
SEEDS_DIR = PAGES / "seeds"


def _seed(prefix: str) -> Path:
    (page,) = sorted(SEEDS_DIR.glob(f"{prefix}_*.txt"))
    return page


def _import(prefix: str) -> ImportResult:
    page = _seed(prefix)
    return import_page(page.read_text(encoding="utf-8"), page.name)


@pytest.fixture(scope="module")
def answers_only() -> ImportResult:
    return _import("000")


@pytest.fixture(scope="module")
def question_list() -> ImportResult:
    return _import("001")


@pytest.fixture(scope="module")
def final_round() -> ImportResult:
    return _import("002")


def _round_trip(result: ImportResult) -> None:
    again = parse_script(result.yaml_text, name=f"{result.script.id}.yaml")
    assert again == result.script


def test_answers_without_questions_become_placeholders(answers_only: ImportResult) -> None:
    script = answers_only.script
    assert script.role == "IT Manager"
    first = script.questions[0]
    assert first.text == "How do you align IT strategies with overall business goals?"
    assert "roadmap" in first.sample_answer
    placeholders = [q for q in script.questions if q.text.startswith("Untitled question")]
    assert len(placeholders) == 14  # every model answer after the first lacks its question
    assert all(q.sample_answer for q in placeholders)
    star = [q for q in placeholders if q.framework.name == "STAR"]
    assert len(star) == 5 and all("Result:" in q.sample_answer for q in star)
    notes = [u for u in answers_only.unplaced if u.startswith("note: questions[")]
    assert len(notes) == 14
    # Tips and advertising are reported, not turned into questions or answers.
    assert any(u.startswith("$9/month") for u in answers_only.unplaced)
    assert any("Don't fake it" in u for u in answers_only.unplaced)
    _round_trip(answers_only)


def test_question_list_page(question_list: ImportResult) -> None:
    script = question_list.script
    assert script.title == "Senior Operations Engineer Interview Questions"
    assert script.role == "Senior Operations Engineer"
    assert len(script.questions) == 24  # listed once, detailed once: no duplicates
    texts = [q.text for q in script.questions]
    assert texts[1] == "Tell me about a 2 a.m. incident you led. How did you triage, communicate, and resolve it?"
    assert any(t.startswith("We have a tight budget.") for t in texts)
    assert any(t.startswith("Walk me through how you would build") for t in texts)
    for q in script.questions:
        assert q.guidance.startswith("Employers ask"), q.id
        assert q.sample_answer and not q.sample_answer.startswith(("Answer Example", '"')), q.id
    behavioural = [q for q in script.questions
                   if q.text.startswith(("Tell me about a time", "Describe a time", "Share a specific example"))]
    assert len(behavioural) == 3 and all(q.framework.name == "STAR" for q in behavioural)
    # The repeated footer is reported once with its count.
    assert any("(×23)" in u for u in question_list.unplaced)
    _round_trip(question_list)


def test_final_round_page(final_round: ImportResult) -> None:
    (q,) = final_round.script.questions
    assert q.text.startswith("Describe a time you had to lead a cross-functional team")
    assert q.text.endswith("maintaining team morale?")
    assert q.time_guide is not None and (q.time_guide.min_s, q.time_guide.max_s) == (300.0, 420.0)
    assert q.framework.name == "CIRCLES"
    assert "CIRCLES" in q.guidance
    assert q.sample_answer.startswith("In a past role")
    assert len(q.key_points) == 6 and len(q.mistakes) == 6
    assert not any(k.text.startswith(("-", "•")) for k in q.key_points)
    assert not any(m.text.startswith(("-", "✗")) for m in q.mistakes)
    cues = {c for k in q.key_points for c in k.cues}
    assert {"blameless post-mortem", "blameless postmortem", "blameless post mortem", "dedicated channels"} <= cues
    assert final_round.unplaced == []
    _round_trip(final_round)


def test_headed_sections_and_follow_ups() -> None:
    page = "\n".join([
        "Product Manager Interview Questions",
        "",
        "Q1: What product do you admire most, and why?",
        "Time: 2 minutes",
        "Why interviewers ask",
        "They want to hear product judgement rather than fandom.",
        "Sample answer:",
        "I admire a note-taking app that made offline sync feel invisible to its users.",
        "Key points",
        "* Name the user problem the product solves (e.g. sync, speed)",
        "* Avoid gushing without evidence",
        "Pitfalls",
        "1. Picking your own employer's product",
        "Follow-up questions",
        "- What would you change about it?",
        "",
        "Tell me about a time you shipped something users hated.",
        "Situation: we launched a redesign. Task: win users back. Action: I ran interviews. "
        "Result: retention recovered within a month.",
    ])
    result = import_page(page, "pm.txt")
    first, second = result.script.questions
    assert first.text == "What product do you admire most, and why?"
    assert (first.time_guide.min_s, first.time_guide.max_s) == (90.0, 120.0)  # single figure: 75%..100%
    assert first.guidance == "They want to hear product judgement rather than fandom."
    assert first.sample_answer.startswith("I admire a note-taking app")
    assert [k.text for k in first.key_points][1] == "Avoid gushing without evidence"  # bullet, not a heading
    assert first.key_points[0].cues == ("sync", "speed")
    assert [m.text for m in first.mistakes] == ["Picking your own employer's product"]
    assert [f.text for f in first.follow_ups] == ["What would you change about it?"]
    assert second.framework.name == "STAR"
    assert second.sample_answer.startswith("Situation: we launched")
    assert result.script.role == "Product Manager"
    _round_trip(result)


def test_orphan_answer_and_unplaced_lines() -> None:
    page = (
        "I keep a weekly review with each stakeholder so priorities never drift, and I publish "
        "the decisions in one shared document that everyone can read.\n"
        "Subscribe for more tips!\n"
    )
    result = import_page(page, "notes.txt")
    (q,) = result.script.questions
    assert q.text.startswith("Untitled question 1")
    assert q.sample_answer.startswith("I keep a weekly review")
    assert "Subscribe for more tips!" in result.unplaced
    assert any("without its question" in u for u in result.unplaced)
    _round_trip(result)


def test_awkward_text_still_round_trips() -> None:
    page = "\n".join([
        'Question: "Why: yes, no & maybe — # is this a comment?"',
        "Answer example: \"I'd say 'yes' — 100% — and explain: the #1 reason is {curly} [brackets].\"",
        "Key points:",
        "- true",
        "- 1:30",
    ])
    result = import_page(page, "odd.txt")
    (q,) = result.script.questions
    assert q.text == "Why: yes, no & maybe — # is this a comment?"
    assert q.sample_answer.startswith("I'd say 'yes'")
    assert [k.text for k in q.key_points] == ["true", "1:30"]  # stay text, not YAML booleans or times
    _round_trip(result)


def test_page_without_questions_is_a_script_error() -> None:
    with pytest.raises(ScriptError, match=r"^empty\.txt: found no interview questions"):
        import_page("Just a heading\n\nnothing else here", "empty.txt")


# ---------------------------------------------------------------------------------------
# Prep pages in other layouts (tests/pages/): every field of every question.


@dataclass
class Expected:
    text: str
    guide: tuple[float, float] | None = None
    framework: str = "none"
    key_points: list[str] = field(default_factory=list)
    mistakes: list[str] = field(default_factory=list)
    sample: str = ""  # how the sample answer begins; "" for none
    follow_ups: list[str] = field(default_factory=list)


LAYOUTS: dict[str, list[Expected]] = {
    # Numbered questions; key points under "Key points", "Hit these points", "Look for" with a
    # 1) list; "Avoid" and "Common mistakes"; "Time:", "Suggested length:"; site noise.
    "numbered_list.txt": [
        Expected("Tell me about a time you calmed down an angry customer.", (120, 180), "STAR",
                 ["Name what the customer was upset about", "Say how you listened before offering a fix",
                  "Give the outcome (e.g. refund, renewal)"],
                 ["Blaming the customer", "Skipping the result"]),
        Expected("How do you prioritise a queue of two hundred open tickets?", (68, 90), "none",
                 ["Sort by impact, not by age", "Mention service-level targets (e.g. SLA, first response)"],
                 ['Answering "first in, first out" without a reason']),
        Expected("Why do you want to lead a support team?", (60, 120), "none",
                 ["Care for the team's growth", "A concrete reason tied to this company"]),
    ],
    # Markdown: "## Q1:" headings, bold labels, "### Key points" with a numbered list, an
    # inline "**Key points:** a; b; c", italic and bracketed guides, a question with nothing.
    "markdown.md": [
        Expected("Walk me through a dashboard you built from scratch.", (120, 180), "none",
                 ["The business question the dashboard answered", "How you checked that the numbers were right"],
                 ["Listing chart types without saying why you chose them"]),
        Expected("How would you explain a p-value to a sales manager?", (90, 120), "none",
                 ["Use a plain-language comparison", "Say what the number does not tell you"]),
        Expected("Tell me about a time your analysis was wrong.", None, "STAR",
                 ["owning the mistake", "how you found the cause", "what you changed in your process"],
                 sample="In my first analyst job I reported a churn rate"),
        Expected("Which SQL window function do you use most, and why?"),
        Expected("Describe how you clean a messy dataset.", (180, 300), "none", [],
                 ["deleting rows without saying how many"]),
    ],
    # Q:/A: pairs: a two-line answer, inline key points and "Avoid:", a guide after the answer.
    "qa_pairs.txt": [
        Expected("Why are you leaving your current job?", None, "none",
                 ["growth, not grievance", "link it to this role"], ["criticising your current employer"],
                 sample="I have learned a great deal in four years"),
        Expected("What is your greatest strength?", (60, 120), "none",
                 sample="I turn vague requests into clear plans."),
        Expected("Where do you see yourself in five years?", sample="Leading a small team"),
    ],
    # "Question 1 of 4 — … (2–3 min)" with the guide in the question line, comma lists.
    "question_of_n.txt": [
        Expected("Tell us about a project you are proud of", (120, 180), "none",
                 ["ownership", "a technical decision you made", "the outcome"]),
        Expected("How do you make sure your code works before it is merged?", (90, 120), "none",
                 ["tests", "code review", "small pull requests"], ["saying that QA will catch it"]),
        Expected("Explain the difference between a process and a thread", (68, 90)),
        Expected("Do you have any questions for us?", (45, 60)),
    ],
    # Bulleted questions with indented sub-bullets that carry labels.
    "bulleted_nested.txt": [
        Expected("Why did you choose nursing?", None, "none",
                 ["a real moment that drew you in", "what keeps you in it"]),
        Expected("Describe how you handle a patient who refuses medication.", None, "CAR",
                 ["respect for autonomy", "explaining the risks", "escalating to the doctor"],
                 ["forcing the medication"]),
        Expected("Tell me about a time you made a mistake at work", (90, 120), "STAR"),
    ],
    # "Question:" labels; "Why interviewers ask this", "Example answer", "Sample answer",
    # "Things to avoid", "Follow-up questions"; "Aim for 3 to 5 minutes", "Time guide:".
    "headings_with_answers.txt": [
        Expected("Walk me through your design process.", (180, 300), "none", [],
                 ["Showing only polished final mock-ups"], sample="I begin by talking to five or six users"),
        Expected("How do you handle feedback you disagree with?",
                 sample="I ask questions until I understand the concern",
                 follow_ups=["Can you give an example from your last project?",
                             "What if the feedback came from the CEO?"]),
        Expected("Which product do you think is badly designed, and how would you fix it?", (90, 120)),
    ],
    # A copied job site: menus, cookie banner, share buttons, adverts, sign-up lines.
    "job_site_noise.txt": [
        Expected("How do you motivate staff during a slow season?", (180, 240),
                 sample="I set small weekly goals"),
        Expected("How would you handle an employee who is often late?", None, "none",
                 ["Talk to the employee privately first", "Follow the written attendance policy"],
                 sample="I would talk to them privately first"),
        Expected("Tell me about a time you increased store sales.", None, "STAR",
                 sample="Situation: footfall dropped"),
    ],
    # A friend's notes: "Q1." labels, a guide after "--", "use STAR, 2-3 min", lower-case labels.
    "friend_notes.txt": [
        Expected("Tell me about yourself", (90, 120), "none", ["current role", "one big win", "why this move"]),
        Expected("Biggest failure?", (120, 180), "STAR", [],
                 ["picking a fake failure", "no lesson at the end"]),
        Expected("Why our company and not a bigger one?", None, "none",
                 ["you read the engineering blog", "you know the product"]),
    ],
    # Numbered questions whose lists are inline labels ("Avoid: …", "Hit these points: a; b"),
    # a guide after the question mark, and a 1) list under "Look for:".
    "inline_labels.txt": [
        Expected("Tell me about a time you calmed down an angry customer.", (120, 180), "STAR",
                 ["Say how you listened before offering a fix", "Mention the post-incident review with the team"],
                 ["blaming the customer"]),
        Expected("How do you prioritise a queue of two hundred open tickets?", (68, 90), "none",
                 ["sort by impact", "service-level targets"]),
        Expected("Why do you want to lead a support team?", None, "none",
                 ["Care for the team's growth", "A concrete reason tied to this company"]),
    ],
    # "Question 1" on a line of its own, the question on the next; "Model answer".
    "question_headers.txt": [
        Expected("What would you do if a pupil refused to join in?", (90, 120),
                 sample="I would quietly find out why first"),
        Expected("How do you work with the class teacher?", None, "none",
                 ["Regular short check-ins", "Following the teacher's plan",
                  "Passing on what you noticed about pupils"]),
    ],
}


def _import_layout(name: str) -> ImportResult:
    page = PAGES / name
    return import_page(page.read_text(encoding="utf-8"), page.name)


def _assert_question(got: Question, want: Expected) -> None:
    assert got.text == want.text
    guide = (got.time_guide.min_s, got.time_guide.max_s) if got.time_guide else None
    assert guide == (tuple(float(s) for s in want.guide) if want.guide else None), got.text
    assert got.framework.name == want.framework, got.text
    assert [k.text for k in got.key_points] == want.key_points, got.text
    assert [m.text for m in got.mistakes] == want.mistakes, got.text
    if want.sample:
        assert got.sample_answer.startswith(want.sample), got.text
    else:
        assert got.sample_answer == "", got.text
    assert [f.text for f in got.follow_ups] == want.follow_ups, got.text


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_layout_field_by_field(name: str) -> None:
    result = _import_layout(name)
    wanted = LAYOUTS[name]
    assert [q.text for q in result.script.questions] == [w.text for w in wanted]
    for got, want in zip(result.script.questions, wanted, strict=True):
        _assert_question(got, want)
    _round_trip(result)


def _fragments(question: Question) -> list[str]:
    return ([k.text for k in question.key_points] + [m.text for m in question.mistakes]
            + [f.text for f in question.follow_ups] + [p for p in question.sample_answer.split("\n\n") if p])


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_nothing_leaks_between_questions(name: str) -> None:
    """Every key point, mistake, follow-up and answer of a question comes from the page
    between that question and the next one."""
    page = (PAGES / name).read_text(encoding="utf-8")
    result = _import_layout(name)
    starts = []
    for question in result.script.questions:
        at = page.find(question.text[:25], starts[-1] + 1 if starts else 0)
        assert at >= 0, question.text
        starts.append(at)
    for n, question in enumerate(result.script.questions):
        block = page[starts[n]: starts[n + 1] if n + 1 < len(starts) else len(page)]
        for fragment in _fragments(question):
            assert fragment[:30] in block, f"{fragment!r} leaked into {question.text!r}"


def test_site_noise_is_reported_not_placed() -> None:
    result = _import_layout("job_site_noise.txt")
    assert result.script.title == "Top 3 Retail Store Manager Interview Questions"
    assert result.script.role == "Retail Store Manager"
    for noise in ("Skip to content", "Sign in | Create account", "Advertisement", "Sign up for job alerts",
                  "Was this helpful? Yes No", "Share on Facebook Share on LinkedIn"):
        assert noise in result.unplaced
    assert "Jobs Companies Salaries Career advice" in result.unplaced  # a copied menu bar
    every_field = " ".join(" ".join(_fragments(q)) + q.guidance for q in result.script.questions)
    assert "cookies" not in every_field and "Sign up" not in every_field


def test_numbered_list_keeps_every_question_and_its_own_points() -> None:
    """The layout that used to give its one found question every other question's points."""
    script = _import_layout("numbered_list.txt").script
    assert len(script.questions) == 3
    first, second, third = script.questions
    assert first.key_points[2].cues == ("refund", "renewal")
    assert not any("prioritise" in m.text or "lead a support team" in m.text for m in first.mistakes)
    assert [k.text for k in third.key_points][0] == "Care for the team's growth"  # a 1) list, not questions


@pytest.mark.parametrize(("line", "guide"), [
    ("Time: 3-4 minutes", "3-4 minutes"),
    ("Suggested length: 90 seconds", "90 seconds"),
    ("(2–3 min)", "2-3 min"),
    ("Keep it to about 2 minutes.", "2 minutes"),
    ("Aim for 3 to 5 minutes", "3 to 5 minutes"),
    ("Answer length: 1.5 minutes", "1.5 minutes"),
    ("final round · 5-7 minutes", "5-7 minutes"),
    ("Time limit: 45-90 seconds", "45-90 seconds"),
    ("no longer than 90s", "90s"),
])
def test_guide_phrasings(line: str, guide: str) -> None:
    assert guide_line(line) == guide


def test_guides_in_long_prose_are_left_alone() -> None:
    prose = ("We restored the service within 45 minutes and then spent the next two days writing "
             "the review with everyone who had been involved")
    assert guide_line(prose) is None
    assert guide_line("Question 1 of 4") is None


def test_guide_written_into_a_question_is_taken_out_of_it() -> None:
    assert split_question_guide("Tell us about a project you are proud of (2–3 min)") == (
        "Tell us about a project you are proud of", "2-3 min")
    assert split_question_guide("Tell me about yourself -- keep it about 2 minutes") == (
        "Tell me about yourself", "2 minutes")
    # A length that belongs to the question stays in it.
    question = "Tell me about a time you had 10 minutes to fix a broken release."
    assert split_question_guide(question) == (question, None)


@pytest.mark.parametrize(("text", "kind"), [
    ("Hit these points", "key_points"), ("What they look for", "key_points"), ("Look for:", "key_points"),
    ("What we're listening for", "key_points"), ("Key points to mention", "key_points"),
    ("Common mistakes", "mistakes"), ("Avoid:", "mistakes"), ("Red flags", "mistakes"),
    ("Sample answer", "sample"), ("A:", "sample"), ("Answer example", "sample"),
    ("Follow-up questions", "follow_ups"), ("Why interviewers ask this", "guidance"),
    ("Framework:", "framework"),
    ("Tell me about a time you led a team.", None), ("I follow the '6 Rs' framework: rehost", None),
])
def test_section_headings(text: str, kind: str | None) -> None:
    assert section_of(text)[0] == kind


def test_inline_lists_split_only_into_short_items() -> None:
    assert split_inline_items("growth, not grievance; link it to this role") == [
        "growth, not grievance", "link it to this role"]
    assert split_inline_items("tests, code review, small pull requests") == [
        "tests", "code review", "small pull requests"]
    assert split_inline_items("Say what you did, not what the team did") == [
        "Say what you did, not what the team did"]


def test_cue_suggestions_come_from_the_points_own_words() -> None:
    from interview_scripts.page_cues import suggest_cues

    cues = suggest_cues("Mention the post-incident review")
    assert cues[0] == "post-incident review"  # the phrase first, then its words
    assert {"post incident", "postincident", "review", "reviews"} <= set(cues)
    assert "mention" not in cues and "the" not in cues  # how to answer, not what to say
    assert suggest_cues("Give the outcome (e.g. refund, renewal)")[:2] == ["outcome", "outcomes"]
    assert "refund renewal" not in suggest_cues("Give the outcome (e.g. refund, renewal)")


def test_the_rules_say_how_sure_they_are(answers_only: ImportResult, question_list: ImportResult) -> None:
    assert question_list.confident
    assert question_list.confidence.line == "The rules read this page confidently."
    assert not answers_only.confident
    assert answers_only.confidence.line == \
        "The rules are unsure about this page: 14 answers came without their question."


def test_doubts_each_name_what_went_wrong() -> None:
    notes = " ".join(["They want to hear how you weigh risk against speed and who you told."] * 30)
    page = f"Platform interview\n\nTell me about a risky change you shipped.\n{notes}\n"
    result = import_page(page, "risky.txt")
    assert [q.text for q in result.script.questions] == ["Tell me about a risky change you shipped."]
    assert result.confidence.doubts == ("question 1 got long notes with no key point picked out",)
    # The same notes cut into points read confidently.
    pointed = import_page(page.replace(notes, "Key points:\n- how you weigh risk\n- who you told\n" + notes),
                          "risky.txt")
    assert pointed.confident
    line = result.confidence.line
    assert line.startswith("The rules are unsure about this page: ") and "\n" not in line

    about = "We are a friendly team of forty people in a bright office with a long history.\n" * 3
    bare = import_page(f"Acme careers\n{about}Questions\n- Why this company?\n- What do you know about us?\n",
                       "bare.txt")
    assert bare.confidence.doubts == ("no question got key points, notes or a sample answer, though "
                                      "the page says more than its questions",)


# ---------------------------------------------------------------------------------------
# Pages in shapes the line reader alone cannot read (tests/pages/): a table of questions,
# hard-wrapped text from a PDF, a recruiter's letter, a blog with its site chrome, and
# answers whose questions are only implied by headings.

SHAPES: dict[str, list[Expected]] = {
    # Pipes with an alignment row (":-:"), a "#" column, "What to cover" as the points.
    "table_primary_teacher.md": [
        Expected("Why do you want to teach at a village primary school?", (90, 120), "none",
                 ["the size of the school", "knowing every family", "a moment that drew you to primary"]),
        Expected("How would you support a pupil who is two years behind in reading?", (180, 240), "none",
                 ["phonics assessment", "small-group catch-up", "working with parents"]),
        Expected("Describe a lesson that did not go to plan.", (120, 180), "none",
                 ["what went wrong", "how you adapted in the moment", "what you changed next time"]),
        Expected("How do you manage low-level disruption?", (68, 90), "none",
                 ["clear routines", "praise before sanctions"]),
    ],
    # No outer pipes, "Prompt" / "Length (mins)" with bare figures / "Hit these points" with
    # <br> breaks / "Red flags", and a row whose last cell is empty.
    "table_sous_chef.md": [
        Expected("Talk me through how you would run the pass on a busy Saturday.", (135, 180), "none",
                 ["calling tickets clearly", "timing each section", "checking every plate"],
                 ["shouting at the brigade"]),
        Expected("What do you do when a supplier delivers the wrong fish an hour before service?", (90, 120),
                 "none", ["check what can be substituted", "tell the head chef",
                          "update the menu and front of house"]),
        Expected("How do you keep allergen records accurate?", (60, 120), "none",
                 ["labelled containers", "a signed daily check"], ["relying on memory"]),
    ],
    # Numbered questions over two and three lines, "emer-"/"gency" and "com-"/"pliant", a
    # guide written after the question mark, page numbers and a running header mid-question.
    "pdf_vet_nurse.txt": [
        Expected("Tell me about a time you calmed an anxious owner while their pet was in surgery and the "
                 "vet was running late.", (120, 180), "STAR",
                 ["how you kept the owner informed", "what you said about the animal's condition",
                  "the outcome for owner and pet"], ["promising an outcome the vet has not confirmed"]),
        Expected("How would you prepare a kennel ward for a patient arriving after an emergency road accident?",
                 (90, 120), "none", ["warming and monitoring equipment", "a clean, quiet kennel",
                                     "a clear handover from the vet"]),
        Expected("An owner cannot afford the treatment plan the vet has recommended. How do you handle the "
                 "conversation at the reception desk without making them feel judged?", (135, 180), "none",
                 ["empathy", "the options the practice offers, such as payment plans",
                  "knowing when to bring in the vet"]),
        Expected("What steps do you take to keep the controlled drugs register accurate and compliant?",
                 (68, 90), "none", ["recording every dose at the time", "double-checking with a second person",
                                    "reporting discrepancies at once"]),
    ],
    # "Q1." questions wrapped, a wrapped bullet that keeps "follow-up" (the page spells it so),
    # a wrapped quoted sample answer, "– 2 –" page numbers and a repeated header.
    "pdf_paralegal.txt": [
        Expected("Walk us through how you would prepare a trial bundle when the court deadline is three days "
                 "away and the partner is in a hearing.", (180, 240), "none",
                 ["a checklist built from the court's directions",
                  "agreeing the index with the other side early and sending a follow-up reminder",
                  "paginating and checking every page before it is served"],
                 sample="On my last matter I listed every document the directions required, agreed the index"),
        Expected("A client calls in distress because they have not heard from their solicitor in a fortnight. "
                 "What do you say, and what do you do after the call?", (90, 120), "none",
                 ["listening without promising legal advice", "a written note on the file",
                  "a follow-up the same day"], ["giving your own view on the merits of the case"]),
        Expected("Why do you want to work in private client law rather than in litigation?", (60, 120)),
    ],
    # Reported questions ("asking you to walk them through", "will ask how you would"), guides
    # in words, what he wants to hear as key points, "Don't …" as a mistake, and the closer.
    "email_pharmacist.txt": [
        Expected("Walk us through your career so far.", (90, 120)),
        Expected("How would you handle a dispensing error that has already reached a patient?", (225, 300),
                 "none", ["patient safety first", "how you tell the prescriber", "how you record the incident"],
                 ["Don't try to blame the dispensing assistant"]),
        Expected("Tell me about a time you improved a process in the dispensary.", (135, 180), "STAR",
                 ["real numbers, such as shorter waiting times or fewer errors"]),
        Expected("Where do you see the pharmacy in five years?"),
    ],
    # Quoted questions, "a minute or two", "three to four minutes", a reported question that
    # asks two things, "Avoid …; explain … instead", and "they like to finish with: …".
    "email_civil_engineer.txt": [
        Expected("Why did you choose civil engineering?", (60, 120), "none",
                 ["a project that inspired you", "what you enjoyed at university"]),
        Expected("Describe a design problem you solved on your placement.", (180, 240), "none",
                 ["the constraints you worked within", "the options you compared",
                  "how you checked your calculations"], ["Avoid drowning them in formulas"]),
        Expected("Have you worked on site, and what health and safety lessons did you take from it?", (90, 120)),
        Expected("What would you want to learn in your first year with us?"),
    ],
    # Markdown blog: breadcrumbs, byline, cookie banner and buttons, "Was this article
    # helpful?", share buttons, related headlines ending in '?', newsletter, comments.
    "blog_physiotherapist.md": [
        Expected("Why did you choose physiotherapy?", (90, 120), "none",
                 ["a moment that made you choose the profession", "what keeps you motivated now"]),
        Expected("How would you treat a patient who is not doing their home exercises?", None, "none",
                 ["finding out why before changing the plan", "goals the patient chose",
                  "simple ways to track progress"], ["blaming the patient"]),
        Expected("Tell me about a time you disagreed with a consultant about a discharge.", None, "STAR",
                 sample="On a stroke ward a consultant wanted to discharge a patient"),
        Expected("What continuing professional development have you done in the last year?"),
    ],
    # The same frame as pasted text: a menu one word a line, an inline "Related: …?" link,
    # a sign-up box between two questions, "You might also like", a reader's question.
    "blog_cabin_crew.txt": [
        Expected("Why do you want to be cabin crew?", sample="I spent four years on a hotel reception desk"),
        Expected("How would you deal with a passenger who refuses to fasten their seatbelt?", None, "none",
                 ["stay calm and explain the safety reason", "offer help if they are struggling with it",
                  "involve the senior crew member if they still refuse"], ["arguing in front of other passengers"]),
        Expected("Tell me about a time you worked in a team under pressure.", (120, 180), "STAR",
                 sample="During a fire alarm at the hotel"),
    ],
    # Markdown headings that only name the question: "Your …", "Why you …", "Handling …",
    # "A time you …", and a bare "Teamwork" over a labelled sample answer.
    "implied_dental_hygienist.md": [
        Expected("What is your biggest weakness?", sample="I used to run over time with chatty patients."),
        Expected("Why do you want to leave your current practice?", sample="I have learned a lot in a busy NHS"),
        Expected("How do you handle a nervous patient?", None, "none",
                 ["agreeing a stop signal before you start", "explaining each step before you do it",
                  "praising the patient afterwards"], sample="I ask what worries them most"),
        Expected("Tell me about a time you disagreed with a dentist.", None, "STAR",
                 sample="Situation: a dentist wanted to skip"),
        Expected("Tell me about teamwork.", sample="I swap rooms with colleagues"),
    ],
    # Plain-text headings, answers in the first person with no label, "Dealing with …", and
    # "Salary expectations" over a short labelled answer.
    "implied_library_assistant.txt": [
        Expected("What is your greatest strength?", sample="I am patient and clear."),
        Expected("What do you know about our library service?", sample="I know you run the Rhyme Time sessions"),
        Expected("How do you deal with a difficult visitor?", sample="When a visitor shouted about a fine"),
        Expected("What are your salary expectations?", sample="I understand the role is on grade 3"),
    ],
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shape_field_by_field(name: str) -> None:
    result = _import_layout(name)
    wanted = SHAPES[name]
    assert [q.text for q in result.script.questions] == [w.text for w in wanted]
    for got, want in zip(result.script.questions, wanted, strict=True):
        _assert_question(got, want)
    _round_trip(result)


@pytest.mark.parametrize("name", sorted(n for n in SHAPES if not n.startswith("implied_")))
def test_shapes_with_their_questions_written_out_read_confidently(name: str) -> None:
    result = _import_layout(name)
    assert result.confident, result.confidence.line


@pytest.mark.parametrize(("prefix", "shape"), [
    ("table_", "a table"), ("pdf_", "hard-wrapped lines"), ("email_", "a letter"), ("blog_", "site chrome")])
def test_each_page_is_read_as_its_shape(prefix: str, shape: str) -> None:
    for name in (n for n in SHAPES if n.startswith(prefix)):
        assert _import_layout(name).shapes == (shape,), name


def test_every_shape_has_at_least_two_pages() -> None:
    shapes = {name.split("_")[0] for name in SHAPES}
    assert shapes == {"table", "pdf", "email", "blog", "implied"}
    for shape in shapes:
        assert sum(1 for name in SHAPES if name.startswith(shape + "_")) >= 2, shape


# ---------------------------------------------------------------------------------------
# The mechanisms behind the shapes, each on its own.

WRAPPED = """Interview guide for ward clerks, printed from the trust's recruitment pack
1. How would you keep a ward's admission records accurate when three patients
arrive at once from the emergency department and the nurse in charge is busy?

  Page 1 of 3
Ward Clerk Interview Guide

2. Describe how you would handle a relative who is angry that nobody has told
them where their father has been moved. Give an exam-
ple from a previous job if you can.

  Page 2 of 3
Ward Clerk Interview Guide
"""


def test_unwrap_joins_wrapped_questions_and_sets_page_furniture_aside() -> None:
    joined = unwrap(WRAPPED.splitlines())
    assert joined is not None
    text = [t for t, furniture in joined if t and not furniture]
    assert ("1. How would you keep a ward's admission records accurate when three patients arrive at once "
            "from the emergency department and the nurse in charge is busy?") in text
    assert any(t.endswith("Give an example from a previous job if you can.") for t in text)
    furniture = [t for t, aside in joined if aside]
    assert furniture == ["Page 1 of 3", "Ward Clerk Interview Guide", "Page 2 of 3", "Ward Clerk Interview Guide"]


@pytest.mark.parametrize("name", ["friend_notes.txt", "numbered_list.txt", "qa_pairs.txt", "markdown.md"])
def test_pages_that_were_not_wrapped_are_left_alone(name: str) -> None:
    assert unwrap((PAGES / name).read_text(encoding="utf-8").splitlines()) is None


def test_seed_pages_are_not_taken_for_wrapped_text() -> None:
    for page in sorted(SEEDS_DIR.glob("*.txt")):
        assert unwrap(page.read_text(encoding="utf-8").splitlines()) is None, page.name


@pytest.mark.parametrize(("second", "joined"), [
    ("ple of a time you were wrong, and what you learnt from it.", "example of a time"),
    ("up call the same day, and what you wrote on the record card.", "follow-up call"),  # on the page elsewhere
])
def test_hyphens_at_a_line_end(second: str, joined: str) -> None:
    first = {"example of a time": "Tell me about a stressful shift and give us an exam-",
             "follow-up call": "Describe how you would arrange a home visit and the follow-"}[joined]
    lines = ["Community nursing questions (a follow-up is expected after every visit)", "",
             first, second, "", "Describe how you would arrange handover on a busy evening shift",
             "for a colleague who started late, and what you would check first."]
    result = unwrap(lines)
    assert result is not None
    assert any(joined in text for text, _ in result)


def test_a_table_is_read_by_its_columns_whatever_their_headers() -> None:
    lines = ["Warehouse shift lead", "", "Ask\tAllow\tListen for",
             "How do you brief a night shift in five minutes?\t2 min\tthe safety message, the pick target, who to call",
             "Tell me about a time you stopped a job because it was unsafe.\t3-4 min\twhat you saw; who you told"]
    out, written = tables_to_lines(lines, lambda t: t.endswith("?") or t.startswith("Tell me"))
    assert out[:2] == ["Warehouse shift lead", ""]
    assert "Question: How do you brief a night shift in five minutes?" in out
    assert "Time: 2 min" in out and "- who to call" in out and "- who you told" in out
    assert written and min(written) == 2


def test_a_table_of_other_things_is_left_as_it_was() -> None:
    lines = ["| Band | Salary |", "|---|---|", "| 3 | £24,000 |", "| 4 | £27,000 |"]
    assert tables_to_lines(lines, lambda t: t.endswith("?")) == (lines, set())


def test_the_question_column_is_found_by_its_cells_when_no_header_names_it() -> None:
    page = "\n".join([
        "Retail banking adviser",
        "| Topic | Minutes | Say |",
        "| --- | --- | --- |",
        "| Why do you want to work in a branch? | 2 | the community; the customers you met |",
        "| How would you spot a customer being scammed? | 3 | rushed requests; a third party on the phone |",
    ])
    first, second = import_page(page, "bank.md").script.questions
    assert first.text == "Why do you want to work in a branch?"
    assert (first.time_guide.min_s, first.time_guide.max_s) == (90.0, 120.0)  # "2" under "Minutes"
    assert [k.text for k in second.key_points] == ["rushed requests", "a third party on the phone"]


def test_notes_without_a_greeting_are_not_read_as_a_letter() -> None:
    from tests.test_llm_page_reader import MESSY_PAGE

    assert letter_to_lines(MESSY_PAGE.splitlines()) is None


def test_a_letters_frame_is_listed_and_nothing_of_it_placed() -> None:
    result = _import_layout("email_pharmacist.txt")
    for line in ("Hi Aisha,", "Thanks again for your time on the phone yesterday.",
                 "The building is on Mill Lane; park at the back and bring photo ID.",
                 "Good luck, you'll be great!", "Best,", "Jordan", "Talent Partner, Crestline Health Recruitment"):
        assert line in result.unplaced
    assert result.script.title == "Your panel interview at Riverside Pharmacy – what to expect"
    placed = " ".join(" ".join(_fragments(q)) + q.guidance for q in result.script.questions)
    assert "Mill Lane" not in placed and "Good luck" not in placed


def test_a_letters_advice_about_an_earlier_question_goes_to_that_question() -> None:
    page = "\n".join([
        "Hello Priya,", "",
        "Here is what the panel will ask:", "",
        "- Why do you want to join a hospital pharmacy team?",
        "- How do you check a prescription for interactions?",
        "- Tell me about a time you challenged a prescriber.", "",
        "For the second one, they are looking for the references you use and when you would call the prescriber.",
        "For the last one, don't name the doctor involved. Keep it to about three minutes.", "",
        "Kind regards,", "Sam",
    ])
    result = import_page(page, "letter.txt")
    why, check, challenged = result.script.questions
    assert check.text == "How do you check a prescription for interactions?"
    assert [k.text for k in check.key_points] == ["the references you use", "when you would call the prescriber"]
    assert [m.text for m in challenged.mistakes] == ["Don't name the doctor involved"]
    assert challenged.time_guide is not None and challenged.time_guide.max_s == 180.0
    assert not why.key_points and not why.mistakes


def test_site_chrome_is_listed_and_never_a_question() -> None:
    for name in ("blog_physiotherapist.md", "blog_cabin_crew.txt"):
        result = _import_layout(name)
        texts = [q.text for q in result.script.questions]
        for chrome in ("Was this article helpful?", "Was this page useful?", "How Much Do Physiotherapists Earn in 2025?",
                       "Do Cabin Crew Get Free Flights?", "Can you wear glasses as cabin crew? I'm worried about my eyesight."):
            assert chrome not in texts
    physio = _import_layout("blog_physiotherapist.md")
    for chrome in ("Was this article helpful?", "Share this article", "Related articles",
                   "Is Physiotherapy a Good Career for Career Changers?", "12 comments",
                   "Get weekly interview tips straight to your inbox. Subscribe to our newsletter.",
                   "This helped me so much. I used the STAR answer for question three and got the job!"):
        assert chrome in physio.unplaced
    assert physio.script.title == "4 Physiotherapy Interview Questions (and How to Answer Them)"


def test_a_question_heading_in_title_case_is_not_taken_for_a_link() -> None:
    lines = ["Share this article", "", "## Why Do You Want to Work in Social Care?", "",
             "Panels want to hear about a real moment that drew you in, not a general wish to help people.",
             "", "Related articles", "How Much Do Care Workers Earn?", "Is Care Work Hard?"]
    chrome = chrome_lines(lines)
    assert 2 not in chrome and 4 not in chrome
    assert {0, 6, 7, 8} <= chrome


@pytest.mark.parametrize(("heading", "question", "sure"), [
    ("Your biggest weakness", "What is your biggest weakness?", True),
    ("Your reasons for leaving", "What are your reasons for leaving?", True),
    ("Why you want to leave your current job", "Why do you want to leave your current job?", True),
    ("Why you left your last job", "Why did you leave your last job?", True),
    ("What you would do in your first month", "What would you do in your first month?", True),
    ("What motivates you", "What motivates you?", True),
    ("Handling a difficult parent", "How do you handle a difficult parent?", True),
    ("Managing competing deadlines", "How do you manage competing deadlines?", True),
    ("A time you missed a deadline", "Tell me about a time you missed a deadline.", True),
    ("Greatest achievement", "What is your greatest achievement?", True),
    ("Salary expectations", "What are your salary expectations?", False),
    ("Teamwork", "Tell me about teamwork.", False),
])
def test_a_heading_worded_as_its_question(heading: str, question: str, sure: bool) -> None:
    assert implied(heading) == (question, sure)


@pytest.mark.parametrize(("words", "question"), [
    ("how you would handle a late delivery", "How would you handle a late delivery?"),
    ("whether you have led a team", "Have you led a team?"),
    ("if you're happy to work weekends", "Are you happy to work weekends?"),
    ("to talk them through your portfolio", "Talk us through your portfolio."),
    ("about your last placement", "Tell me about your last placement."),
    ("why you applied", "Why did you apply?"),
])
def test_a_reported_question_in_the_interviewers_words(words: str, question: str) -> None:
    assert reported(words) == (question, True)


@pytest.mark.parametrize(("verb", "base"), [
    ("handling", "handle"), ("planning", "plan"), ("prioritising", "prioritise"), ("managing", "manage"),
    ("monitoring", "monitor"), ("delivering", "deliver"), ("applied", "apply"), ("led", "lead"),
    ("decided", "decide"), ("selling", "sell"), ("travelling", "travel"), ("discussing", "discuss"),
])
def test_base_forms(verb: str, base: str) -> None:
    assert base_form(verb) == base


@pytest.mark.parametrize(("text", "figures"), [
    ("Give yourself about five minutes.", "Give yourself about 5 minutes."),
    ("two to three minutes", "2 to 3 minutes"),
    ("five or six minutes", "5-6 minutes"),
    ("a minute or two", "1-2 minutes"),
    ("ninety seconds", "90 seconds"),
    ("Where do you see yourself in five years?", "Where do you see yourself in five years?"),
])
def test_lengths_in_words(text: str, figures: str) -> None:
    assert spell_out_numbers(text) == figures


def test_a_heading_with_no_answer_under_it_is_not_a_question() -> None:
    page = "\n".join([
        "# Nursery nurse interview answers", "",
        "## Your proudest moment", "",
        "Pick a child whose progress you helped with.", "",
        "**Sample answer:** \"A boy in my room would not speak at all, and by summer he was leading songs.\"", "",
        "## Final thoughts", "",
        "Preparation beats nerves every time. Read the nursery's last inspection report before you go.",
    ])
    result = import_page(page, "nursery.md")
    assert [q.text for q in result.script.questions] == ["What is your proudest moment?"]
    assert "Preparation beats nerves every time." not in result.script.questions[0].guidance
    assert result.confident


def test_questions_worded_from_bare_headings_are_owned_up_to() -> None:
    result = _import_layout("implied_dental_hygienist.md")
    assert result.confidence.doubts == ("question 5 was worded from a heading that does not ask a question",)


def test_a_letters_scenario_is_asked_with_the_prompt_after_it() -> None:
    page = "\n".join([
        "Hi Sam,", "",
        "Here is what the team lead asks:", "",
        "1) Expect a scenario: a delivery van breaks down with forty parcels still on board. "
        "Talk through what you would do first (call the depot, tell the customers, move the parcels).",
        "2) Why do you want to work nights? Keep it short and honest.", "",
        "Thanks,", "Ana",
    ])
    van, nights = import_page(page, "letter.txt").script.questions
    assert van.text == ("A delivery van breaks down with forty parcels still on board. "
                        "Talk through what you would do first.")
    assert [k.text for k in van.key_points] == ["call the depot", "tell the customers", "move the parcels"]
    assert nights.text == "Why do you want to work nights?"
    assert nights.guidance == "Keep it short and honest." and not nights.key_points


def test_an_introduction_can_set_every_answers_length() -> None:
    page = ("Dispatch supervisor interview\n\nEach answer should take two to three minutes unless the panel says "
            "otherwise.\n\nQ1 How do you plan a week of rotas?\nQ2 Tell us about a time a driver refused a route.\n")
    result = import_page(page, "rota.txt")
    assert [q.text for q in result.script.questions] == [
        "How do you plan a week of rotas?", "Tell us about a time a driver refused a route."]
    assert result.document["defaults"] == {"time_guide": "2 to 3 minutes"}


def test_a_bold_label_with_a_question_after_it_is_a_note() -> None:
    page = "\n".join([
        "# Lab technician answers", "",
        "## Your experience with sample tracking", "",
        "**What they are really asking:** can you keep a chain of custody without slowing the lab?", "",
        "**Example answer:** \"I logged every sample at the bench and audited the log each Friday.\"",
    ])
    (question,) = import_page(page, "lab.md").script.questions
    assert question.text == "What is your experience with sample tracking?"
    assert question.guidance.startswith("What they are really asking: can you keep")
    assert question.sample_answer.startswith("I logged every sample")


def test_a_title_that_names_the_interview_wins_over_a_site_name() -> None:
    page = "Career Corner\nHome » Guides\n\nPlumber Interview Questions\n\nWhy did you choose plumbing?\n"
    result = import_page(page, "plumber.txt")
    assert result.script.title == "Plumber Interview Questions"
    assert [q.text for q in result.script.questions] == ["Why did you choose plumbing?"]


def test_a_prep_page_that_says_hello_is_not_a_letter() -> None:
    page = ("Hello and welcome to our guide!\n\nQ: Why do you want to be a lifeguard?\n"
            "Key points:\n- a love of swimming\n- staying alert\n")
    (question,) = import_page(page, "lifeguard.txt").script.questions
    assert [k.text for k in question.key_points] == ["a love of swimming", "staying alert"]


def test_advice_in_a_list_is_not_a_button() -> None:
    page = ("Q: Why do you want to work for a charity?\nKey points:\n- Learn more about the charity's projects\n"
            "- Read the annual report\nRead more\n")
    result = import_page(page, "charity.txt")
    (question,) = result.script.questions
    assert [k.text for k in question.key_points] == ["Learn more about the charity's projects", "Read the annual report"]
    assert "Read more" in result.unplaced


def test_a_labelled_heading_that_only_names_its_question_is_worded_as_one() -> None:
    page = "\n".join([
        "| Question | Time | Cover |",
        "|---|---|---|",
        "| Your greatest strength | 2 min | one strength; proof from work |",
        "| Handling an unhappy guest | 3 min | listen first; fix what you can |",
        "",
        "Question 3: Salary expectations (1 min)",
    ])
    strength, guest, salary = import_page(page, "hotel.md").script.questions
    assert (strength.text, guest.text) == ("What is your greatest strength?", "How do you handle an unhappy guest?")
    assert [k.text for k in guest.key_points] == ["listen first", "fix what you can"]
    assert salary.text == "Salary expectations"  # a bare noun phrase is left as the page wrote it
    assert salary.time_guide is not None and salary.time_guide.max_s == 60.0


def test_table_cells_with_their_own_labels_and_numbered_lists() -> None:
    page = "\n".join([
        "| Question | Time | Points |",
        "|---|---|---|",
        "| Q1: Why this hotel? | 2 min | 1) our reviews 2) the location 3) the team |",
        "| Q2. How do you handle complaints? | 3 min | • listen • apologise • put it right |",
    ])
    hotel, complaints = import_page(page, "hotel.md").script.questions
    assert hotel.text == "Why this hotel?" and complaints.text == "How do you handle complaints?"
    assert [k.text for k in hotel.key_points] == ["our reviews", "the location", "the team"]
    assert [k.text for k in complaints.key_points] == ["listen", "apologise", "put it right"]
