"""Hypothesis over the names and values an attacker controls: file and folder names, row names, enum values, spec
keys. Whatever they hold: no traceback, no code run (the canary), nothing outside the output folders touched, and a
package that is written is one that imports."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import WEBHOOK_PAGE, Project, import_package, no_traceback, page, payload, snapshot

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TRICKY = "\n\r\u2028\u2029\x0b\x0c\x85\x1c\"'\\`{}()[]#;:|*&!$%<>=.,~- \t_ｍｃｈｉｄﬁ²é中"


def hostile_text(canary: Path, max_size: int = 12) -> st.SearchStrategy[str]:
    """Short strings of characters that end lines, quote, escape or fold, sometimes with code that would run."""
    pieces = st.one_of(
        st.text(alphabet=TRICKY + "aZ09", max_size=max_size),
        st.text(max_size=max_size),
        st.sampled_from(["self", "class", "None", "__import__", "nan", "inf", "9" * 30, "-0", "1e999"]),
        st.just(payload(canary)),
        st.just(f'"""{payload(canary)}"""'),
    )
    return st.lists(pieces, min_size=1, max_size=3).map("".join)


def file_name(canary: Path) -> st.SearchStrategy[str]:
    """What a file system takes as one name."""
    return hostile_text(canary).map(lambda s: s.replace("/", "_").replace("\0", "_")).filter(
        lambda s: s not in ("", ".", "..") and len(s.encode()) <= 200
    )


@contextmanager
def scratch() -> Iterator[Project]:
    """A fresh project per example (hypothesis reruns the test function, not the fixture). The cache is the
    session's: it is keyed by content, so only what an example changes is parsed, rendered and formatted again."""
    base = Path(tempfile.mkdtemp())
    project = Project(base / "project", base / "CANARY", CACHE)
    project.docs.mkdir(parents=True)
    (project.root / "bystander.txt").write_text("not the tool's")
    try:
        yield project
    finally:
        shutil.rmtree(base, ignore_errors=True)


def survives(project: Project, run: Callable[[], Result]) -> None:
    """The four promises, around one run."""
    outside = snapshot(project.root.parent, skip=(project.specs, project.out, project.root / "package"))
    result = run()
    no_traceback(result)
    for package in (project.out, project.root / "package"):
        if result.exit_code != 1 and (package / "wechatpay").is_dir():
            imported = import_package(package, project.root)
            assert imported.returncode == 0, imported.stderr
    after = snapshot(project.root.parent, skip=(project.specs, project.out, project.root / "package"))
    assert after == outside
    assert not project.canary.exists(), "hostile input ran as code"


CANARY = Path(tempfile.mkdtemp()) / "CANARY"  # one per session: the strategies need it before any example runs
CACHE = Path(tempfile.mkdtemp()) / "cache"


@FUZZ
@given(folder=file_name(CANARY), name=file_name(CANARY))
def test_file_and_folder_names(folder: str, name: str) -> None:
    with scratch() as project:
        project.canary = CANARY
        project.write_page("openapi/v3/pay/ok.md", page())
        project.write_page(f"openapi/v3/{folder}/{name}.md", page())
        project.write_page(f"webhook/v3/{folder}/TRANSACTION.SUCCESS.md", WEBHOOK_PAGE.read_text(encoding="utf-8"))
        survives(project, project.build)


@FUZZ
@given(names=st.lists(hostile_text(CANARY), min_size=1, max_size=3))
def test_row_names(names: list[str]) -> None:
    with scratch() as project:
        project.canary = CANARY
        rows = [f"| {name} {{data-indent=1}} | string | {name}" for name in names]
        project.write_page("openapi/v3/pay/a.md", page(rows, title=names[0]))
        survives(project, project.build)


@FUZZ
@given(kind=st.sampled_from(["string", "integer", "number", "boolean"]), values=st.lists(hostile_text(CANARY, 8), min_size=1, max_size=3))
def test_enum_values(kind: str, values: list[str]) -> None:
    with scratch() as project:
        project.canary = CANARY
        listed = " \\| ".join(f"`{v}`" for v in values)
        project.write_page("openapi/v3/pay/a.md", page([f"| f {{data-indent=1}} | {kind} | 枚举<br/>{listed} 枚举值之一"]))
        survives(project, project.build)


def key_or_hostile(canary: Path) -> st.SearchStrategy[str]:
    """Half plain keys (so that a package gets written and imported), half hostile ones."""
    return st.one_of(st.from_regex(r"[a-z][a-z0-9_.-]{0,9}", fullmatch=True), hostile_text(canary))


@FUZZ
@given(
    path=key_or_hostile(CANARY), event=key_or_hostile(CANARY), prop=hostile_text(CANARY), param=hostile_text(CANARY),
    enum=hostile_text(CANARY), text=hostile_text(CANARY, 30),
)
def test_spec_keys_and_values(path: str, event: str, prop: str, param: str, enum: str, text: str) -> None:
    operation = {
        "x-wechatpay-api": "v3",
        "summary": text,
        "description": text,
        "externalDocs": {"url": text},
        "x-wechatpay-fragment": text,
        "x-wechatpay-event-types": [text],
        "parameters": [{"name": param, "in": "query", "schema": {"type": "string"}}],
        "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {prop: {"type": "string", "enum": [enum], "description": text}}}}}},
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {prop: {"type": "string"}}}}}}},
    }
    spec = {"x-wechatpay-page": "a.md", "paths": {f"/v3/{path}": {"post": operation}}, "webhooks": {event: {"post": operation}}}
    with scratch() as project:
        project.canary = CANARY
        project.specs.mkdir()
        (project.specs / "a.yaml").write_text(json.dumps(spec), encoding="utf-8")
        survives(project, lambda: project.cli("generate", str(project.specs), "-o", str(project.root / "package")))


@FUZZ
@given(value=hostile_text(CANARY, 20))
def test_example_values(value: str) -> None:
    php = value.replace("\\", "\\\\").replace("'", "\\'")
    example = f"\n```php [同步声明式]\n$instance->chain('v3/pay/a')->post([\n  'json' => [\n    'mchid' => '{php}',\n  ],\n]);\n```\n"
    with scratch() as project:
        project.canary = CANARY
        project.write_page("openapi/v3/pay/a.md", page().replace("{.im-table #request}\n", "{.im-table #request}\n" + example))
        survives(project, project.build)


VALID_SPEC: dict[str, Any] = {
    "x-wechatpay-page": "a.md",
    "paths": {
        "/v3/a/{id}": {
            "post": {
                "x-wechatpay-api": "v3",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "requestBody": {"content": {"application/json": {"schema": {
                    "type": "object", "required": ["x"],
                    "properties": {"x": {"type": "array", "items": {"type": "string", "enum": ["A"]}}},
                }}}},
                "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"y": {"type": "integer"}},
                }}}}},
            }
        }
    },
}


def places(value: Any, where: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key path in `value`."""
    members = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, member in members:
        yield (*where, key)
        yield from places(member, (*where, key))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2),
    max_leaves=4,
)


@settings(max_examples=80, deadline=None)
@given(where=st.sampled_from(list(places(VALID_SPEC))), value=JSON)
def test_hand_edited_spec_shapes(where: tuple[Any, ...], value: Any) -> None:
    """Any JSON value in any place of a valid spec: an error naming the place, or a package; never a traceback."""
    spec = json.loads(json.dumps(VALID_SPEC))
    parent = spec
    for key in where[:-1]:
        parent = parent[key]
    parent[where[-1]] = value
    with scratch() as project:
        project.canary = CANARY
        project.specs.mkdir()
        (project.specs / "a.yaml").write_text(json.dumps(spec), encoding="utf-8")
        result = project.cli("generate", str(project.specs), "-o", str(project.root / "package"))
        no_traceback(result)
