"""An APIv2 answer table without `sign` marks the answer unsigned: the runtime refuses an unsigned answer of any
other operation, so the page's word decides which answers have nothing to be verified by."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.spec import extensions as ext
from generator.spec.build import parse_page
from generator.spec.diff import Impact, diff_specs
from generator.spec.io import SpecFile

PAGE = """---
title: 查询
---

# {{{{ $frontmatter.title }}}} {{#post}}

| 请求参数 | 类型 {{.type}} | 描述 {{.desc}}
| --- | --- | ---
| xml {{data-required}} | object | 请求的`XML`
| mch_id {{data-required data-indent=1}} | string | 商户号

{{.im-table #request}}

::: code-group

```php [异步纯链式]
$instance->v2->pay->query->postAsync(['xml' => ['mch_id' => '1900000109']]);
```

:::

| 返回字典 | 类型 {{.type}} | 描述 {{.desc}}
| --- | --- | ---
| return_code {{data-required}} | string | 返回状态码
{sign}
{{.im-table #response}}
"""


SIGN_ROW = "| sign {data-required} | string | 签名\n"


def spec_of(folder: Path, sign_row: str) -> SpecFile:
    (folder / "openapi/v2/pay").mkdir(parents=True)
    (folder / "openapi/v2/pay/query.md").write_text(PAGE.format(sign=sign_row), encoding="utf-8")
    spec = parse_page(folder, "openapi/v2/pay/query.md").spec
    assert spec is not None
    return SpecFile("openapi/v2/pay/query", spec)


@pytest.mark.parametrize(("sign_row", "unsigned"), [("", True), (SIGN_ROW, False)])
def test_an_apiv2_answer_without_sign_is_marked_unsigned(tmp_path: Path, sign_row: str, unsigned: bool) -> None:
    spec = spec_of(tmp_path, sign_row).data
    assert bool(spec["paths"]["/pay/query"]["post"]["responses"]["200"].get(ext.UNSIGNED)) is unsigned


def test_diff_reports_the_answer_becoming_unsigned(tmp_path: Path) -> None:
    """The mark the builder writes is the one `diff` reads: the success response gains it, a breaking change."""
    signed, unsigned = spec_of(tmp_path / "old", SIGN_ROW), spec_of(tmp_path / "new", "")
    changes = [(c.kind, c.impact, c.where, c.old, c.new) for c in diff_specs([signed], [unsigned])]
    assert ("operation-changed", Impact.BREAKING, "unsigned response", None, "yes") in changes
