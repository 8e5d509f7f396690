"""A page's `base_uri` sends signed requests to another host: only WeChat Pay's own, over https, are accepted,
and the configuration may add one. The same rule holds for a hand-edited spec at generation."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.codegen import GenerateOptions, generate
from generator.codegen.options import CodegenError
from generator.spec.build import parse_page
from generator.spec.hosts import base_url_problem
from generator.spec.io import SpecFile

PAGE = """---
title: 查询结算
---

# {{{{ $frontmatter.title }}}} {{#get}}

| 请求参数 | 类型 {{.type}} | 描述 {{.desc}}
| --- | --- | ---
| base_uri {{data-required}} | string | 声明接入点`{url}`
| query {{data-required}} | object | 查询参数
| date {{data-required data-indent=1}} | string | 日期

{{.im-table #request}}

| 返回字典 | 类型 {{.type}} | 描述 {{.desc}}
| --- | --- | ---
| total {{data-required}} | integer | 总数

{{.im-table #response}}
"""


def parse(tmp_path: Path, url: str, hosts: frozenset[str] = frozenset()) -> tuple[dict | None, list[str]]:
    (tmp_path / "openapi/v3/global/settle").mkdir(parents=True, exist_ok=True)
    (tmp_path / "openapi/v3/global/settle/settlements.md").write_text(PAGE.format(url=url), encoding="utf-8")
    result = parse_page(tmp_path, "openapi/v3/global/settle/settlements.md", hosts=hosts)
    return result.spec, [str(d) for d in result.diagnostics if d.level.value == "error"]


@pytest.mark.parametrize(
    "url",
    [
        "http://apihk.mch.weixin.qq.com/",  # plain HTTP
        "https://attacker.example/",
        "https://apihk.mch.weixin.qq.com.attacker.example/",
        "https://user:pw@apihk.mch.weixin.qq.com/",
        "https://apihk.mch.weixin.qq.com:8443/",
    ],
)
def test_a_base_uri_outside_the_wechatpay_hosts_is_an_error_naming_the_row(tmp_path: Path, url: str) -> None:
    spec, errors = parse(tmp_path, url)
    assert errors and errors[0].startswith("openapi/v3/global/settle/settlements.md:9: error: `base_uri`")
    assert "x-wechatpay-base-url" not in str(spec)


def test_the_wechatpay_hosts_and_the_configured_ones_are_accepted(tmp_path: Path) -> None:
    spec, errors = parse(tmp_path, "https://apihk.mch.weixin.qq.com/")
    assert not errors and "https://apihk.mch.weixin.qq.com/" in str(spec)
    spec, errors = parse(tmp_path, "https://pay.example.hk/", hosts=frozenset({"pay.example.hk"}))
    assert not errors and "https://pay.example.hk/" in str(spec)


def test_a_hand_edited_spec_cannot_redirect_signed_traffic() -> None:
    operation = {
        "x-wechatpay-api": "v3",
        "x-wechatpay-base-url": "http://attacker.example/",
        "x-wechatpay-base-url-required": True,
        "responses": {"204": {"description": "No Content"}},
    }
    spec = SpecFile("openapi/v3/x", {"paths": {"/v3/x": {"get": operation}}})
    with pytest.raises(CodegenError, match=r"specs/openapi/v3/x.yaml: paths./v3/x.get.x-wechatpay-base-url: .* is not https"):
        generate([spec], GenerateOptions())


def test_the_problem_is_said_plainly() -> None:
    assert base_url_problem("https://api.mch.weixin.qq.com/") is None
    assert base_url_problem("ftp://x") == "is not https"
    assert "not a WeChat Pay host" in str(base_url_problem("https://example.com/"))


def test_the_configuration_extends_the_hosts_through_the_pipeline(tmp_path: Path) -> None:
    from generator.codegen.options import load_options
    from generator.pipeline import Docs, parse
    from generator.workspace import Cache

    docs = tmp_path / "docs"
    (docs / "openapi/v3/global/settle").mkdir(parents=True)
    (docs / "openapi/v3/global/settle/settlements.md").write_text(PAGE.format(url="https://pay.example.hk/"), encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.wechatpay-codegen]\nhosts = ["pay.example.hk"]\n', encoding="utf-8")
    hosts = frozenset(load_options(tmp_path / "pyproject.toml").hosts)
    refused = parse(Docs.read(docs), Cache(tmp_path / "cache"))
    accepted = parse(Docs.read(docs), Cache(tmp_path / "cache"), hosts=hosts)
    assert [d.code for page in refused for d in page.diagnostics if d.level.value == "error"] == ["foreign-host"]
    assert "https://pay.example.hk/" in str(accepted[0].data)


def test_a_row_hidden_after_a_line_separator_is_not_read(tmp_path: Path) -> None:
    """U+2028 ends no line for markdown-it: a row behind it is part of the row before, on the rendered page and
    in the spec alike (the parser once split there, and read a `base_uri` the page does not show)."""
    hidden = PAGE.format(url="https://apihk.mch.weixin.qq.com/").replace(
        "| query {data-required}", "| note | string | 说明\u2028| base_uri | string | `https://fraud.mch.weixin.qq.com/`\n| query {data-required}"
    )
    (tmp_path / "openapi/v3/x").mkdir(parents=True)
    (tmp_path / "openapi/v3/x/y.md").write_text(hidden, encoding="utf-8")
    result = parse_page(tmp_path, "openapi/v3/x/y.md")
    assert result.spec is not None
    urls = [op.get("x-wechatpay-base-url") for item in result.spec["paths"].values() for op in item.values()]
    assert urls == ["https://apihk.mch.weixin.qq.com/"]
