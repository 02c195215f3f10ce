"""`greenroom scripts ...` through the real CLI entry point."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from app import paths
from app.cli import main
from interview_scripts.loader import load_script

PAGE = """Data Engineer Interview Questions
How do you make a nightly pipeline safe to re-run?
Answer in 2-3 minutes
Sample answer:
I write every step so it can run twice without harm, using merge instead of insert and dated partitions.
Common mistakes
- Appending rows blindly (e.g. duplicate rows)
Share this page with a friend
"""


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_list_shows_bundled_and_broken_user_scripts(capsys: pytest.CaptureFixture[str]) -> None:
    broken = paths.user_scripts_dir() / "mine.yaml"
    broken.write_text("title: Mine\nrole: Me\nquestions:\n  - id: one\n    text: Hi?\n    colour: red\n")
    code, out, _ = _run(capsys, "scripts", "list")
    assert code == 0
    assert "senior-ops-engineer" in out and "24 questions" in out
    assert "incident-leadership-final-round" in out and "5-7 minutes" in out
    assert "it-manager" in out
    broken_lines = [line for line in out.splitlines() if line.startswith("BROKEN")]
    assert broken_lines == ["BROKEN  mine.yaml: questions[0].colour: unknown key"]


def test_list_json_gives_each_interview_and_what_it_holds(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    folder = paths.user_scripts_dir()
    (folder / "mine.yaml").write_text(
        "title: My screen\nrole: Data analyst\ntags: [sql, dashboards]\n"
        "defaults:\n  level: entry\n"
        "questions:\n"
        "  - id: hello\n    text: Tell me about yourself.\n    kind: opener\n"
        "  - id: outage\n    text: Tell me about a report you got wrong.\n    framework: STAR\n"
        "    level: mid\n"
        "  - id: joins\n    text: When would you use a left join?\n", encoding="utf-8")
    (folder / "broken.yaml").write_text("title: B\nrole: R\nquestions:\n  - id: a\n    text: Hi?\n"
                                        "    kind: warmup\n", encoding="utf-8")
    code, out, err = _run(capsys, "scripts", "list", "--json")
    assert code == 0 and not err
    data = json.loads(out)
    by_id = {i["id"]: i for i in data["interviews"]}
    assert by_id["mine"] == {"id": "mine", "title": "My screen", "role": "Data analyst", "source": "yours",
                             "questions": 3, "levels": ["entry", "mid"],
                             "kinds": ["opener", "behavioural", "role"], "tags": ["sql", "dashboards"]}
    ops = by_id["senior-ops-engineer"]
    assert (ops["source"], ops["questions"]) == ("bundled", 24)
    assert set(ops) == {"id", "title", "role", "source", "questions", "levels", "kinds", "tags"}
    assert all(i["source"] == "bundled" for i in data["interviews"] if i["id"] != "mine")
    assert data["broken"] == ["broken.yaml: questions[0].kind: unknown kind 'warmup' "
                              "(use opener, behavioural, role, closer)"]

    # The text listing is unchanged by the option's existence.
    code, out, _ = _run(capsys, "scripts", "list")
    assert code == 0 and "mine" in out and "BROKEN  broken.yaml" in out and not out.startswith("{")


def test_show_gives_kind_level_ids_and_probes(capsys: pytest.CaptureFixture[str]) -> None:
    file = paths.user_scripts_dir() / "probing.yaml"
    file.write_text(
        "title: Probing\nrole: Analyst\nquestions:\n"
        "  - id: story\n    text: Tell me about a report you got wrong.\n    framework: STAR\n"
        "    level: senior\n    follow_up_guide: 30s-1 min\n"
        "    key_points:\n      - id: fix\n        text: Say how you put it right\n"
        "    follow_ups:\n      - text: What did it cost?\n        probes: [result, fix]\n", encoding="utf-8")
    code, out, _ = _run(capsys, "scripts", "show", str(file))
    assert code == 0
    assert "kind: behavioural   level: senior   follow-up replies: 30s-1 min (0:30–1:00)" in out
    assert "- Say how you put it right  [fix]" in out
    assert "- What did it cost?  (probes: Result, fix)" in out


def test_show_by_id_lists_guides_frameworks_and_points(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "scripts", "show", "incident-leadership-final-round")
    assert code == 0
    assert "5-7 minutes (5:00–7:00)" in out
    assert "framework: CIRCLES" in out
    assert "Comprehend → Identify → Report → Communicate → Lead → Evaluate" in out
    assert "key points:" in out and "common mistakes:" in out


def test_show_unknown_id_is_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "scripts", "show", "no-such-script")
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("greenroom: no script 'no-such-script'")


def test_validate_good_and_bad(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = paths.bundled_scripts_dir() / "it-manager.yaml"
    code, out, _ = _run(capsys, "scripts", "validate", str(good))
    assert code == 0 and out.startswith("OK ")

    bad = tmp_path / "bad.yaml"
    bad.write_text("title: T\nrole: R\nquestions:\n  - id: q1\n    text: Why?\n    time_guide: 7-5 min\n")
    code, out, _ = _run(capsys, "scripts", "validate", str(good), str(bad))
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[1] == "FAIL  bad.yaml: questions[0].time_guide: '7-5 min' has min > max"


def test_validate_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "scripts", "validate", str(tmp_path / "absent.yaml"))
    assert code == 1 and out.startswith("FAIL ") and "no such file" in out


def test_import_writes_a_valid_private_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "page.txt"
    page.write_text(PAGE, encoding="utf-8")
    code, out, _ = _run(capsys, "scripts", "import", str(page))
    assert code == 0
    written = paths.user_scripts_dir() / "data-engineer-interview-questions.yaml"
    assert written.is_file()
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert "Found 1 question(s)" in out and "2-3 minutes" in out and "1 mistakes" in out
    assert "? Share this page with a friend" in out

    code, out, _ = _run(capsys, "scripts", "validate", str(written))
    assert code == 0 and out.startswith("OK ")
    code, out, _ = _run(capsys, "scripts", "list")
    assert "data-engineer-interview-questions" in out and "user" in out

    # A second import refuses to overwrite; --force replaces the file.
    written.write_text("# edited by hand\n" + written.read_text())
    code, _, err = _run(capsys, "scripts", "import", str(page))
    assert code == 1 and "already exists" in err and err.count("\n") == 1
    assert written.read_text().startswith("# edited by hand")
    code, _, _ = _run(capsys, "scripts", "import", str(page), "--force")
    assert code == 0 and not written.read_text().startswith("# edited by hand")


def test_import_to_chosen_file_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "page.txt"
    page.write_text(PAGE, encoding="utf-8")
    target = tmp_path / "out" / "mine.yaml"
    code, _, _ = _run(capsys, "scripts", "import", str(page), "-o", str(target))
    assert code == 0 and target.is_file()

    code, _, err = _run(capsys, "scripts", "import", str(tmp_path / "missing.txt"))
    assert code == 1 and "no such file" in err

    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00bad")
    code, _, err = _run(capsys, "scripts", "import", str(binary))
    assert code == 1 and "not UTF-8" in err

    empty = tmp_path / "empty.txt"
    empty.write_text("nothing to see\n")
    code, _, err = _run(capsys, "scripts", "import", str(empty))
    assert code == 1 and "found no interview questions" in err

    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"Q: why?\n" * 300_000)
    code, _, err = _run(capsys, "scripts", "import", str(huge))
    assert code == 1
    assert err.strip().endswith("huge.txt: page is 2.4 MB; save only the part with the questions")

    code, _, err = _run(capsys, "scripts", "import", str(tmp_path))
    assert code == 1 and "is a folder; give the saved page as a .txt file" in err


def test_help_texts(capsys: pytest.CaptureFixture[str]) -> None:
    for action in ("list", "show", "validate", "import"):
        with pytest.raises(SystemExit) as exit_info:
            main(["scripts", action, "--help"])
        assert exit_info.value.code == 0
        out = capsys.readouterr().out
        assert f"greenroom scripts {action}" in out
    main_help = pytest.raises(SystemExit)
    with main_help:
        main(["scripts", "--help"])
    assert "import" in capsys.readouterr().out


def test_import_with_llm_writes_the_local_models_reading(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from tests.ollama_loopback import OllamaLoopback
    from tests.test_llm_page_reader import MESSY_PAGE, READING

    page = tmp_path / "recruiter-call.txt"
    page.write_text(MESSY_PAGE, encoding="utf-8")
    target = tmp_path / "call.yaml"
    # Without --llm the rules stand alone, and they find nothing in this page.
    code, _, err = _run(capsys, "scripts", "import", str(page), "-o", str(target))
    assert code == 1 and "found no interview questions" in err and not target.exists()

    server = OllamaLoopback(models=("llama3.2:3b",)).start()
    server.script_reply(READING)
    try:
        code, out, _ = _run(capsys, "scripts", "import", str(page), "-o", str(target), "--llm",
                            "--ollama-host", server.host)
        assert code == 0, out
        assert ("Read by the local model llama3.2:3b: 4 questions; dropped 1 question, 1 list item "
                "not found on the page.") in out
        assert "[handle-production-outage-owned] how did you handle a production outage" in out
        assert "? note: the local model llama3.2:3b structured this page" in out
        script = load_script(target)
        assert [len(q.key_points) for q in script.questions] == [0, 2, 2, 0]
        assert "structured\n# by the local model llama3.2:3b" in target.read_text(encoding="utf-8")
        assert len(server.requests_to("/api/chat")) == 1

        # A page the rules read confidently is not sent.
        plain = tmp_path / "plain.txt"
        plain.write_text(PAGE, encoding="utf-8")
        code, out, _ = _run(capsys, "scripts", "import", str(plain), "-o", str(tmp_path / "p.yaml"),
                            "--llm", "--ollama-host", server.host)
        assert code == 0 and "the local model was not asked" in out
        assert len(server.requests_to("/api/chat")) == 1

        # A dead server: the rules cannot help with this page either, so one line and exit 1.
        server.set_mode("down")
        code, _, err = _run(capsys, "scripts", "import", str(page), "-o", str(tmp_path / "x.yaml"),
                            "--llm", "--ollama-host", server.host)
        assert code == 1 and len(err.strip().splitlines()) == 1
        assert "the local model could not read it either: Ollama is not running" in err
    finally:
        server.stop()


def test_an_unsure_reading_says_so_and_keeps_the_rules_result_when_the_model_fails(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.ollama_loopback import OllamaLoopback

    seed = Path(__file__).resolve().parent / "pages" / "seeds"
    (answers_only,) = sorted(seed.glob("000_*.txt"))
    code, out, _ = _run(capsys, "scripts", "import", str(answers_only), "-o", str(tmp_path / "a.yaml"))
    assert code == 0
    assert "The rules are unsure about this page: 14 answers came without their question." in out
    assert "--llm reads such a page" in out

    server = OllamaLoopback(models=("llama3.2:3b",)).start()
    server.set_mode("invalid_json")
    try:
        code, out, _ = _run(capsys, "scripts", "import", str(answers_only), "-o", str(tmp_path / "b.yaml"),
                            "--llm", "--ollama-host", server.host)
    finally:
        server.stop()
    assert code == 0
    assert "The local model could not read the page: the model's reply was not valid JSON" in out
    assert "the rules' reading is written" in out
    assert (tmp_path / "b.yaml").read_text() == (tmp_path / "a.yaml").read_text()
