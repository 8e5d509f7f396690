"""An APIv2 answer table without `sign` marks the answer unsigned: the runtime refuses an unsigned answer of any
other operation, so the page's word decides which answers have nothing to be verified by."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.spec.build import parse_page

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


@pytest.mark.parametrize(("sign_row", "unsigned"), [("", True), ("| sign {data-required} | string | 签名\n", False)])
def test_an_apiv2_answer_without_sign_is_marked_unsigned(tmp_path: Path, sign_row: str, unsigned: bool) -> None:
    (tmp_path / "openapi/v2/pay").mkdir(parents=True)
    (tmp_path / "openapi/v2/pay/query.md").write_text(PAGE.format(sign=sign_row), encoding="utf-8")
    spec = parse_page(tmp_path, "openapi/v2/pay/query.md").spec
    assert spec is not None
    assert bool(spec["paths"]["/pay/query"]["post"]["responses"]["200"].get("x-wechatpay-unsigned")) is unsigned
