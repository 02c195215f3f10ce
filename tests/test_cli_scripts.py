"""`greenroom scripts ...` through the real CLI entry point."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from app import paths
from app.cli import main

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
