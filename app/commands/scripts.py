"""`greenroom scripts`: list, show, validate and import interview scripts."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
from pathlib import Path

from app import paths
from app.question_finder import (
    FILTER_LEVELS,
    Found,
    QuestionFilter,
    index_folders,
    plan_round,
    search_words,
)
from interview_scripts.catalogue import discover_scripts, find_script
from interview_scripts.errors import ScriptError
from interview_scripts.loader import load_script, read_user_file
from interview_scripts.page_importer import ImportResult, import_page
from interview_scripts.script import KINDS, LEVELS, InterviewScript, Question
from interview_scripts.time_guide import TimeGuide, format_clock

MAX_PAGE_BYTES = 2_000_000


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "scripts",
        help="list, show, check and import interview scripts",
        description="Work with interview scripts: the bundled ones and your own YAML files in "
                    "the user scripts folder (scripts/ inside the data folder). See "
                    "interview_scripts/README.md for the file format.",
    )
    sub = parser.add_subparsers(dest="scripts_command", metavar="ACTION", required=True)

    p_list = sub.add_parser(
        "list", help="list bundled and user scripts",
        description="List every script Greenroom can find: id, role, number of questions and "
                    "time guides. User scripts that fail to load are listed with their error.",
    )
    p_list.add_argument("--json", action="store_true",
                        help="print one JSON object: each interview's id, title, role, source "
                             "(bundled or yours), question count, levels, kinds and tags, and the "
                             "files that failed to load")
    p_list.set_defaults(handler=cmd_list)

    p_show = sub.add_parser(
        "show", help="show one script's questions",
        description="Show a script's questions with their time guides, answer frameworks, "
                    "key points and common mistakes.",
    )
    p_show.add_argument("script", metavar="ID_OR_PATH", help="a script id from 'scripts list' or a .yaml file")
    p_show.set_defaults(handler=cmd_show)

    p_validate = sub.add_parser(
        "validate", help="check script files for errors",
        description="Check one or more script files. Prints OK for each good file and a one-line "
                    "error naming the field for each bad one; exits 1 if any file fails.",
    )
    p_validate.add_argument("files", metavar="PATH", nargs="+", type=Path, help="script file(s) to check")
    p_validate.set_defaults(handler=cmd_validate)

    p_search = sub.add_parser(
        "search", help="find questions in every interview",
        description="Find questions in every interview, bundled and yours, by the words of the "
                    "question, its key points or guidance, or the interview's role, title or tags. "
                    "Each word must be found, at the start of a word (case and accents ignored); "
                    "the best matches come first. With no words, lists every question the filters "
                    "show. A level shows the questions written for it and those for any level.",
    )
    p_search.add_argument("text", metavar="TEXT", nargs="*", help="the words to find")
    p_search.add_argument("--role", default="", help="only interviews whose role has these words "
                                                     "(e.g. nurse)")
    p_search.add_argument("--level", default="", choices=[*FILTER_LEVELS, "any"],
                          help="a candidate's level")
    p_search.add_argument("--kind", default="", choices=KINDS, help="only questions of this kind")
    p_search.add_argument("--json", action="store_true",
                          help="print one JSON object: the search, each question found (interview, "
                               "question id and number, text, kind, level, where the words were "
                               "found) and the files that failed to load")
    p_search.set_defaults(handler=cmd_search)

    p_import = sub.add_parser(
        "import", help="turn a saved interview-prep page into a script",
        description="Read a web page saved or pasted as plain text, find its questions, sample "
                    "answers, key points, mistakes and time guides, and write a script. By default "
                    "the script goes into the user scripts folder, named after the page's title. "
                    "Lines that could not be placed are listed so you can finish the file by hand. "
                    "The rules say when they are unsure of a page; with --llm such a page (or one "
                    "they cannot read at all) is structured by a local model through Ollama instead, "
                    "checked against the page, and listed the same way. Without Ollama the rules "
                    "stand alone.",
    )
    p_import.add_argument("page", metavar="PAGE.txt", type=Path, help="the page as a UTF-8 text file")
    _add_write_options(p_import, "<title>")
    _add_llm_options(p_import, "the page",
                     "when the rules are unsure of the page, read it with a local model through "
                     "Ollama (questions not on the page are dropped; if the model fails, the rules' "
                     "reading is written)")
    p_import.set_defaults(handler=cmd_import)

    p_ad = sub.add_parser(
        "from-ad", help="build a practice round from a job ad",
        description="Rank the bundled question bank against a job ad (and, if given, your CV or "
                    "notes) and write a round that fits the minutes asked: an opener, the role "
                    "questions of the ad's role (at the level the ad names), the behavioural "
                    "questions its duties point at, and a closer. Each question is listed with "
                    "the ad's words that chose it. By default the round goes into the user "
                    "scripts folder, named after the ad's first line.",
    )
    p_ad.add_argument("ad", metavar="AD.txt", type=Path, help="the job ad as a UTF-8 text file")
    p_ad.add_argument("--cv", metavar="CV.txt", type=Path,
                      help="your CV or notes as a UTF-8 text file: their words also count, at a lower "
                           "weight, when choosing the behavioural questions")
    p_ad.add_argument("--minutes", type=int, default=30,
                      help="how long the round should take, each question with one follow-up "
                           "(10 to 120; default 30)")
    _add_write_options(p_ad, "<ad title>")
    _add_llm_options(p_ad, "the ad and CV",
                     "also ask a local model through Ollama for 2-4 questions on the ad's stated "
                     "requirements, each key point in the ad's words (points that are not are "
                     "dropped and counted); if the model fails, the bank's round is written")
    p_ad.set_defaults(handler=cmd_from_ad)


def _add_write_options(parser: argparse.ArgumentParser, default_name: str) -> None:
    """Where a written script goes (``_output_path``) and whether it may replace a file."""
    parser.add_argument("-o", "--output", metavar="FILE", type=Path,
                        help=f"where to write the YAML (default: user scripts folder/{default_name}.yaml)")
    parser.add_argument("--force", action="store_true", help="overwrite the output file if it exists")


def _add_llm_options(parser: argparse.ArgumentParser, sends: str, llm_help: str) -> None:
    """--llm and the Ollama settings; ``sends`` names what would leave this machine."""
    parser.add_argument("--llm", action="store_true", help=llm_help)
    parser.add_argument("--llm-model", help="Ollama model (default: the first installed of a preference list)")
    parser.add_argument("--ollama-host", help="Ollama server (default: OLLAMA_HOST or http://127.0.0.1:11434)")
    parser.add_argument("--allow-remote-llm", action="store_true",
                        help=f"allow sending {sends} off this machine: a cloud model or an Ollama "
                             "host elsewhere (default: refused)")


def _guide_text(guide: TimeGuide | None) -> str:
    if guide is None:
        return "no guide"
    return f"{guide.text} ({format_clock(guide.min_s)}–{format_clock(guide.max_s)})"


def _guides_summary(script: InterviewScript) -> str:
    guides: list[str] = []
    for q in script.questions:
        text = q.time_guide.text if q.time_guide else "none"
        if text not in guides:
            guides.append(text)
    return ", ".join(guides)


def interview_json(script: InterviewScript) -> dict[str, object]:
    """One interview as ``scripts list --json`` gives it; levels and kinds in their usual order."""
    levels = {q.level for q in script.questions}
    kinds = {q.kind for q in script.questions}
    return {"id": script.id, "title": script.title, "role": script.role,
            "source": "bundled" if script.bundled else "yours",
            "questions": len(script.questions),
            "levels": [level for level in LEVELS if level in levels],
            "kinds": [kind for kind in KINDS if kind in kinds],
            "tags": list(script.tags)}


def cmd_list(args: argparse.Namespace) -> int:
    scripts, problems = discover_scripts(paths.script_folders())
    if args.json:
        print(json.dumps({"interviews": [interview_json(s) for s in scripts],
                          "broken": [str(p) for p in problems]}, ensure_ascii=False, indent=2))
        return 0
    if not scripts and not problems:
        print(f"No scripts found. Put .yaml files in {paths.user_scripts_dir()}")
        return 0
    width = max((len(s.id) for s in scripts), default=10)
    for script in scripts:
        origin = "bundled" if script.bundled else "user"
        count = len(script.questions)
        plural = "question" if count == 1 else "questions"
        print(f"{script.id:<{width}}  {origin:<7}  {script.role} — {count} {plural}; "
              f"time guides: {_guides_summary(script)}")
    for problem in problems:
        print(f"BROKEN  {problem}")
    print(f"\nYour own scripts go in {paths.user_scripts_dir()}")
    return 0


def _show_question(number: int, q: Question) -> list[str]:
    lines = [f"{number}. [{q.id}] {q.text}",
             f"   time guide: {_guide_text(q.time_guide)}   framework: {q.framework.name}",
             f"   kind: {q.kind}   level: {q.level}   follow-up replies: {_guide_text(q.follow_up_guide)}"]
    if not q.framework.is_none:
        lines.append("   stages: " + " → ".join(stage.name for stage in q.framework.stages))
    if q.guidance:
        lines.append(f"   guidance: {q.guidance}")
    if q.key_points:
        lines.append("   key points:")
        lines += [f"     - {k.text}" + (f"  [{k.id}]" if k.id else "")
                  + (f"  (cues: {', '.join(k.cues)})" if k.cues else "") for k in q.key_points]
    if q.mistakes:
        lines.append("   common mistakes:")
        lines += [f"     - {m.text}" for m in q.mistakes]
    if q.follow_ups:
        lines.append("   follow-ups:")
        lines += [f"     - {f.text}" + (f"  (probes: {', '.join(f.probes)})" if f.probes else "")
                  for f in q.follow_ups]
    if q.sample_answer:
        lines.append("   has a sample answer")
    return lines


def cmd_show(args: argparse.Namespace) -> int:
    script = find_script(args.script, paths.script_folders())
    origin = "bundled" if script.bundled else (str(script.path) if script.path else "user")
    print(f"{script.title}  [{script.id}]")
    print(f"role: {script.role}   questions: {len(script.questions)}   from: {origin}")
    if script.source:
        print(f"source: {script.source}")
    if script.tags:
        print(f"tags: {', '.join(script.tags)}")
    if script.description:
        print(script.description)
    for number, question in enumerate(script.questions, start=1):
        print()
        print("\n".join(_show_question(number, question)))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    failed = 0
    for file in args.files:
        try:
            script = load_script(file)
        except ScriptError as exc:
            failed += 1
            print(f"FAIL  {exc}")
            continue
        count = len(script.questions)
        print(f"OK    {file} ({script.id}: {count} question{'' if count == 1 else 's'})")
    return 1 if failed else 0


def found_json(found: Found) -> dict[str, object]:
    """One question ``scripts search --json`` found."""
    script, question = found.script, found.question
    return {"interview": script.id, "title": script.title, "role": script.role,
            "source": "bundled" if script.bundled else "yours", "question": question.id,
            "number": found.number, "text": question.text, "kind": question.kind,
            "level": question.level, "score": found.score, "found_in": list(found.found_in)}


def cmd_search(args: argparse.Namespace) -> int:
    text = " ".join(args.text)
    flt = QuestionFilter(role=args.role, level=args.level, kind=args.kind)
    catalogue = index_folders(paths.script_folders())
    found = catalogue.index.search(text, flt) if search_words(text) else catalogue.index.listing(flt)
    if args.json:
        print(json.dumps({"search": text, "role": flt.role, "level": flt.level or "any",
                          "kind": flt.kind, "found": [found_json(f) for f in found],
                          "broken": list(catalogue.problems)}, ensure_ascii=False, indent=2))
        return 0
    for problem in catalogue.problems:
        print(f"BROKEN  {problem}")
    if not found:
        print("No question found; fewer words or filters find more.")
        return 0
    interviews = {id(f.script) for f in found}
    print(f"{len(found)} question{'s' if len(found) != 1 else ''} in {len(interviews)} "
          f"interview{'s' if len(interviews) != 1 else ''}:")
    for rank, item in enumerate(found, start=1):
        q = item.question
        level = "" if q.level == "any" else f", {q.level}"
        where = f"; found in {', '.join(item.found_in)}" if item.found_in else ""
        print(f"{rank:>3}. [{item.script.id} #{item.number} {q.id}] {q.kind}{level}{where}")
        print(f"     {q.text}")
    chosen = plan_round(found)
    print("\nPractise them one interview at a time, e.g.:")
    for script, questions in [(chosen.script, chosen.questions), *chosen.waiting][:3]:
        assert script is not None
        print(f"  greenroom practice -s {script.id} -q {','.join(q.id for q in questions)}")
    return 0


def read_page(path: Path) -> str:
    """A saved page as text; every problem (missing, too big, a folder, not UTF-8) is one line."""
    data = read_user_file(path, MAX_PAGE_BYTES,
                          too_big="page is {mb} MB; save only the part with the questions",
                          is_folder="is a folder; give the saved page as a .txt file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScriptError(f"{path}: not UTF-8 text; save the page as plain UTF-8 text") from None


def _output_path(args: argparse.Namespace, script: InterviewScript) -> Path:
    if args.output is not None:
        return args.output.expanduser()
    name = re.sub(r"[^a-z0-9]+", "-", script.id.lower()).strip("-") or "imported-script"
    return paths.user_scripts_dir() / f"{name}.yaml"


def _read_with_rules_then_model(text: str, name: str, args: argparse.Namespace) -> ImportResult:
    """The rules' reading; with --llm, the local model's when the rules are unsure of it.
    Says in one line which reading is written and why."""
    try:
        result: ImportResult | None = import_page(text, name)
        rules_error: ScriptError | None = None
    except ScriptError as exc:
        if not args.llm:
            raise
        result, rules_error = None, exc
    if result is not None and result.confident:
        if args.llm:
            print("The rules read this page confidently; the local model was not asked.")
        return result
    if result is not None:
        print(result.confidence.line)
    if not args.llm:
        assert result is not None
        print("  (--llm reads such a page with a local model through Ollama)")
        return result
    from models.errors import LLMError
    from models.llm_page_reader import PageReader

    print("Reading the page with the local model…", flush=True)
    try:
        reading = PageReader(args.ollama_host, args.llm_model,
                             allow_remote=args.allow_remote_llm or None).read(text, name)
    except LLMError as exc:
        if result is None:
            raise ScriptError(f"{rules_error}; the local model could not read it either: {exc}") from None
        print(f"The local model could not read the page: {exc}; the rules' reading is written.")
        return result
    print(reading.line)
    return reading.result


def cmd_import(args: argparse.Namespace) -> int:
    page = args.page.expanduser()
    result = _read_with_rules_then_model(read_page(page), page.name, args)
    script = result.script
    out = _output_path(args, script)
    _write_new_file(out, result.yaml_text, args.force)

    questions = script.questions
    print(f"Wrote {out}")
    print(f"Found {len(questions)} question(s) for '{script.title}' (role: {script.role}):")
    for q in questions:
        parts = [_guide_text(q.time_guide) if q.time_guide else "", q.framework.name if not q.framework.is_none else "",
                 f"{len(q.key_points)} key points" if q.key_points else "",
                 f"{len(q.mistakes)} mistakes" if q.mistakes else "",
                 "sample answer" if q.sample_answer else ""]
        details = ", ".join(p for p in parts if p)
        print(f"  - [{q.id}] {q.text[:90]}{'…' if len(q.text) > 90 else ''}" + (f"  ({details})" if details else ""))
    if result.unplaced:
        print(f"Could not place {len(result.unplaced)} line(s) or item(s); edit the file if they matter:")
        for line in result.unplaced:
            print(f"  ? {line[:160]}{'…' if len(line) > 160 else ''}")
    print(f"Check it with: greenroom scripts validate {out}")
    return 0


def _write_new_file(out: Path, text: str, force: bool) -> None:
    """Write a script the user asked for: private, .yaml, never over a file without --force."""
    if out.suffix not in (".yaml", ".yml"):
        raise ScriptError(f"{out}: the output must end in .yaml so Greenroom finds it")
    if out.exists() and not force:
        raise ScriptError(f"{out}: already exists; pass --force to overwrite it or -o to choose another file")
    _write_private(out, text)


def _write_private(out: Path, text: str) -> None:
    """Write a script 0600. A file the disk stopped half way is taken away (the catalogue
    would refuse it at every start); a full, read-only or vanished disk is named."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        fd = os.open(out, flags, paths.PRIVATE_FILE_MODE)
    except OSError as exc:
        raise _write_error(out, exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        with contextlib.suppress(OSError):
            out.unlink()
        raise _write_error(out, exc) from None
    paths.make_private_file(out)


def _write_error(out: Path, exc: OSError) -> ScriptError:
    from app.disk_faults import os_error_fault

    fault = os_error_fault(exc, out)
    if fault.kind in ("full", "read_only", "gone"):
        return ScriptError(fault.describe(f"{out.name} was not written",
                                          "free some space there, or choose another file with -o"
                                          if fault.kind == "full"
                                          else "choose another file with -o"))
    return ScriptError(f"{out}: cannot write ({exc.strerror}); choose another file with -o")


def cmd_from_ad(args: argparse.Namespace) -> int:
    # Ranking loads NumPy and the whole bank: only when this command runs.
    from interview_scripts.job_ad import (
        TAILORED,
        build_round,
        check_request,
        load_bank,
        read_ad_file,
    )

    ad_path = args.ad.expanduser()
    ad = read_ad_file(ad_path)
    cv = read_ad_file(args.cv.expanduser(), "CV or notes") if args.cv is not None else ""
    check_request(ad, cv, args.minutes, ad_path.name)  # before the bank is read
    round_ = build_round(ad, load_bank(), args.minutes, cv=cv, name=ad_path.name)
    if args.llm:
        from models.errors import LLMError
        from models.llm_job_ad import AdTailor

        print("Asking the local model for questions on the ad's requirements…", flush=True)
        try:
            tailoring = AdTailor(args.ollama_host, args.llm_model,
                                 allow_remote=args.allow_remote_llm or None).tailor(ad, round_, cv)
        except LLMError as exc:
            print(f"The local model could not add questions: {exc}; the round from the bank is written.")
        else:
            print(tailoring.line)
            round_ = tailoring.round
    out = _output_path(args, round_.script)
    _write_new_file(out, round_.yaml_text, args.force)

    role, level = round_.role, round_.level
    print(f"Role: {role.role} (the {role.script_id} interview; the ad's words: {', '.join(role.matched_terms)})")
    print(f"Level: {level.level}" + (f" (the ad says “{level.because}”)" if level.because
                                     else " (the ad names none)"))
    count = len(round_.picks)
    print(f"A round of {count} questions, about {round_.minutes:.0f} minutes with one follow-up each "
          f"(asked for {round_.asked_minutes}):")
    for number, pick in enumerate(round_.picks, start=1):
        q = pick.question
        print(f"{number:>3}. {q.kind:<11} {pick.seconds / 60:4.1f} min  [{pick.script_id}] {q.text}")
        label = "the ad's words it uses" if pick.script_id == TAILORED else "chosen by"
        print(f"       {label}: {', '.join(pick.matched_terms) or '—'}"
              + (f"; from your CV: {', '.join(pick.cv_terms)}" if pick.cv_terms else ""))
    for note in round_.notes:
        print(note)
    print(f"Wrote {out}")
    print(f"Practise it in the app, or check it with: greenroom scripts validate {out}")
    return 0
