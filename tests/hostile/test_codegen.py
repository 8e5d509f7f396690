"""Builds that succeed but break: non-finite enum numbers, compatibility-character field names and their twins, a
field named `self`, a hand-edited path key carrying code. Every name that reaches the code is a validated
identifier, every string a literal."""

from __future__ import annotations

import ast
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.codegen.names import argument, is_identifier, unique
from generator.codegen.source import docstring, inline, one_line

from .conftest import Project, import_package, no_traceback, page, payload

RESPONSE = """
| 返回字典 | 类型 {.type} | 描述 {.desc}
| --- | --- | ---
| mchid {data-required} | string | 商户号
| ｍｃｈｉｄ | string | 全角的商户号
| ﬁle | string | 连字的文件名

{.im-table #response}
"""

# Each Endpoint's argument table must name exactly the keys Python sees in its Params (folded as Python folds
# identifiers), and the response model must read each wire key into its own field.
CHECK = """
import typing, wechatpay._specs.openapi_v3_pay_a as module
from wechatpay._core import Endpoint
[endpoint] = [v for v in vars(module).values() if isinstance(v, Endpoint)]
fields = endpoint._fields
assert set(fields) <= set(endpoint._params.__annotations__), (fields, endpoint._params.__annotations__)
assert sorted(key for _, key in fields.values()) == sorted(["mchid", "ｍｃｈｉｄ", "ﬁle", "self"]), fields
[model] = [v for v in vars(module).values() if isinstance(v, type) and v.__name__.endswith("Response")]
answer = model.model_validate({"mchid": "1", "ｍｃｈｉｄ": "2", "ﬁle": "3"})
assert sorted(answer.model_dump().values()) == ["1", "2", "3"], answer
"""


def test_compatibility_characters_and_self_give_distinct_callable_names(project: Project) -> None:
    rows = [
        "| mchid {data-required data-indent=1} | string | 商户号",
        "| ｍｃｈｉｄ {data-indent=1} | string | 全角的商户号",
        "| ﬁle {data-indent=1} | string | 连字的文件名",
        "| self {data-indent=1} | string | 名为self的字段",
    ]
    text = page(rows).replace("| 空字符串(无返回内容) {align=center colspan=3}\n\n{.im-table #response}\n", RESPONSE)
    project.write_page("openapi/v3/pay/a.md", text)
    result = project.build()
    assert result.exit_code == 0, result.output
    assert import_package(project.out, project.root).returncode == 0
    env = {"PYTHONPATH": str(project.out), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_names_are_nfkc_stable_and_twins_are_told_apart() -> None:
    assert not is_identifier("ｍｃｈｉｄ") and not is_identifier("ﬁle")
    assert unique(argument(k) for k in ("mchid", "ｍｃｈｉｄ", "ﬁle", "file")) == ["mchid", "mchid_2", "file", "file_2"]
    assert argument("self") == "self_"


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_the_literal_writer_refuses_non_finite_numbers(value: float) -> None:
    with pytest.raises(ValueError, match="no Python literal"):
        inline(value)


@given(st.text())
def test_a_comment_stays_one_line_whatever_it_holds(text: str) -> None:
    line = f"# {one_line(text)}"
    assert line.splitlines() == [line] and compile(f"{line}\nx = 1\n", "<header>", "exec")


@pytest.mark.parametrize(
    "key",
    [
        '/v3/a"); __import__("os").system("true"); ("',
        "/v3/a\n{payload}",
        "/v3/a'''{payload}",
        "/v3/a\u2028{payload}",
        "/v3/../v3/pay",
        "/",  # no segment: no node of the client tree (it recursed without end)
    ],
)
def test_a_hand_edited_path_key_carrying_code_is_refused(project: Project, tmp_path: Path, key: str) -> None:
    key = key.format(payload=payload(project.canary))
    spec = (
        "x-wechatpay-page: openapi/v3/a.md\npaths:\n"
        f"  {json.dumps(key)}:\n    post:\n      x-wechatpay-api: v3\n      responses: {{'204': {{description: x}}}}\n"
    )
    project.specs.mkdir()
    (project.specs / "a.yaml").write_text(spec, encoding="utf-8")
    result = project.cli("generate", str(project.specs), "-o", str(tmp_path / "package"))
    no_traceback(result)
    assert result.exit_code == 1 and "a.yaml: paths: the key" in result.output
    assert not (tmp_path / "package").exists()


@given(st.text(), st.booleans())
def test_a_docstring_is_one_string_literal_whatever_it_holds(text: str, attribute: bool) -> None:
    module = ast.parse(f"class C:\n    {docstring(text, 1, attribute=attribute)}\n    x = 1\n")
    body = module.body[0].body  # type: ignore[attr-defined]
    assert len(body) == 2 and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)
