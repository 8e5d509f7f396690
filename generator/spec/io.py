"""Reading and writing spec files: deterministic YAML, and the bundle of all of them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

OPENAPI_VERSION = "3.1.0"


class SpecError(Exception):
    """A spec file that cannot be read; the message names the file (and key where known)."""


@dataclass(frozen=True)
class SpecFile:
    """One page's spec: `name` is its path below the specs folder, without `.yaml`."""

    name: str
    data: dict[str, Any]


def dump_yaml(data: Any) -> str:
    """YAML text that is the same for the same data: key order kept, unicode as is, no line folding."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1 << 16)


def load_yaml(text: str, origin: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{origin}:{mark.line + 1}" if mark else origin
        raise SpecError(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None


def read_spec(path: Path, name: str) -> SpecFile:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: cannot read ({exc})") from None
    data = load_yaml(text, str(path))
    if not isinstance(data, dict):
        raise SpecError(f"{path}: a spec file holds a mapping with `paths` or `webhooks`")
    return SpecFile(name, data)


def read_specs(specs_dir: Path) -> list[SpecFile]:
    """Every `*.yaml` below `specs_dir`, sorted by name so that order never depends on the file system."""
    if not specs_dir.is_dir():
        raise SpecError(f"{specs_dir}: no such specs folder")
    files = sorted(specs_dir.rglob("*.yaml"), key=lambda p: p.relative_to(specs_dir).as_posix())
    return [read_spec(p, p.relative_to(specs_dir).with_suffix("").as_posix()) for p in files]


def spec_tree(specs: Iterable[SpecFile]) -> dict[str, bytes]:
    """The files of a specs folder: `<name>.yaml` for each spec, as bytes, ready to compare or write."""
    return {f"{spec.name}.yaml": dump_yaml(spec.data).encode("utf-8") for spec in specs}


def bundle(specs: Iterable[SpecFile], title: str = "WeChat Pay API", version: str = "1.0.0") -> dict[str, Any]:
    """One OpenAPI 3.1 document: every page's paths under `paths`, its notifications under `webhooks`."""
    paths: dict[str, Any] = {}
    webhooks: dict[str, Any] = {}
    for spec in specs:
        _merge(paths, spec.data.get("paths") or {}, spec.name)
        _merge(webhooks, spec.data.get("webhooks") or {}, spec.name)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": title, "version": version},
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "servers": [{"url": "https://api.mch.weixin.qq.com"}],
        "paths": dict(sorted(paths.items())),
        "webhooks": dict(sorted(webhooks.items())),
    }


def _merge(into: dict[str, Any], items: Mapping[str, Any], origin: str) -> None:
    """Add one page's path items; two pages documenting the same method of one path is an error."""
    for key, item in items.items():
        target = into.setdefault(key, {})
        for method, operation in item.items():
            if method in target:
                raise SpecError(f"{origin}: `{method} {key}` is also documented by another page")
            target[method] = operation


def write_bundle(document: Mapping[str, Any], out: Path) -> None:
    if out.suffix == ".json":
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    else:
        text = dump_yaml(dict(document))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
