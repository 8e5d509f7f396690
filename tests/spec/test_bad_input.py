"""Bad input: a clear one-line diagnostic with file:line, exit status 1 for errors, no traceback, and never a
half-written specs folder. Property-based: mutated pages never crash the parser."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import main
from generator.report import Level
from generator.spec.build import parse_page
from tests.conftest import EXAMPLES

PAGE = (EXAMPLES / "openapi/v3/pay/transactions/jsapi.md").read_text(encoding="utf-8")


def write(root: Path, page: str, content: str | bytes) -> None:
    path = root / page
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator.cli", *args], capture_output=True, text=True)


def test_missing_folder_is_a_one_line_error(tmp_path: Path) -> None:
    result = run("parse", str(tmp_path / "nope"), "-o", str(tmp_path / "specs"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"error: {tmp_path / 'nope'}: no such docs folder"]


def test_not_utf8_is_an_error_naming_file_and_line_and_nothing_is_written(tmp_path: Path) -> None:
    docs, specs = tmp_path / "docs", tmp_path / "specs"
    write(docs, "openapi/v3/a.md", PAGE)
    write(docs, "openapi/v3/b.md", "line one\nline two \xff\n".encode("latin-1"))
    result = run("parse", str(docs), "-o", str(specs))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "openapi/v3/b.md:2: error:" in result.stderr
    assert not specs.exists()


def test_errors_leave_the_previous_specs_untouched(tmp_path: Path) -> None:
    docs, specs = tmp_path / "docs", tmp_path / "specs"
    write(docs, "openapi/v3/a.md", PAGE)
    assert run("parse", str(docs), "-o", str(specs)).returncode == 0
    before = {p: p.read_bytes() for p in specs.rglob("*.yaml")}
    write(docs, "openapi/v3/a.md", PAGE.replace("integer", "int64"))
    write(docs, "openapi/v3/big.md", b"x" * (50 * 1024 * 1024))
    result = run("parse", str(docs), "-o", str(specs))
    assert result.returncode == 1 and "big.md" in result.stderr and "over the" in result.stderr
    assert {p: p.read_bytes() for p in specs.rglob("*.yaml")} == before


def test_broken_rows_unknown_types_indent_jumps_and_empty_pages_are_warnings(tmp_path: Path) -> None:
    broken = PAGE.replace("| attach {data-indent=1} | string | 附加数据", "| attach {data-indent=1} | string")
    broken = broken.replace("| integer |", "| int64 |", 1).replace("data-indent=2}", "data-indent=4}", 1)
    docs = tmp_path / "docs"
    write(docs, "openapi/v3/pay/transactions/jsapi.md", broken)
    write(docs, "openapi/v3/empty.md", "")
    result = CliRunner().invoke(main, ["parse", str(docs), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any("empty.md:1: warning" in line for line in lines)
    assert any("unknown-type" in line for line in lines) or any("int64" in line for line in lines)
    assert lines[-2].startswith("0 errors,")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mutated_pages_never_crash(tmp_path: Path, data: st.DataObject) -> None:
    lines = PAGE.splitlines()
    for _ in range(data.draw(st.integers(1, 6))):
        index = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["drop", "dup", "cut", "pipe", "indent", "noise"]))
        line = lines[index]
        if action == "drop":
            del lines[index]
        elif action == "dup":
            lines.insert(index, line)
        elif action == "cut":
            lines[index] = line[: data.draw(st.integers(0, len(line)))]
        elif action == "pipe":
            lines[index] = line.replace("|", "", 1)
        elif action == "indent":
            lines[index] = line.replace("data-indent=", f"data-indent={data.draw(st.integers(0, 9))}", 1)
        else:
            lines[index] = line + data.draw(st.text(max_size=20))
        if not lines:
            break
    write(tmp_path, "openapi/v3/m.md", "\n".join(lines))
    result = parse_page(tmp_path, "openapi/v3/m.md")
    for diagnostic in result.diagnostics:
        assert diagnostic.file == "openapi/v3/m.md"
        assert diagnostic.level in (Level.WARNING, Level.ERROR)
        assert "\n" not in str(diagnostic)
    assert os.path.exists(tmp_path / "openapi/v3/m.md")
