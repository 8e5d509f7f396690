"""What a generate run is asked to do: from `[tool.wechatpay-codegen]` of a pyproject.toml, then the command line."""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from generator.codegen.names import is_identifier

# The top-level templates/ folder, wherever the tool is installed (package data: pip unpacks it into a real folder)
SHIPPED = Path(str(resources.files("generator.templates")))
BUILTIN_TEMPLATES = SHIPPED / "package"
RUNTIME_DIR = SHIPPED / "runtime"


class CodegenError(Exception):
    """The specs or the options cannot be turned into a package; the message names the file and key."""


@dataclass(frozen=True)
class GenerateOptions:
    """`include`/`exclude` are globs over call paths (`v3/pay/*`, `v2/pay/unifiedorder`, `webhooks/v3/TRANSACTION.*`);
    `names` maps a default class name, or a call path (naming every class of its operations), to a class name."""

    package: str = "wechatpay"
    version: str = "0.1.0"
    templates: Path | None = None
    runtime: Path = RUNTIME_DIR
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)
    hosts: tuple[str, ...] = ()  # hosts a page's `base_uri` may name besides WeChat Pay's own (generator/spec/hosts.py)

    def selects(self, call_path: str) -> bool:
        included = not self.include or any(fnmatch.fnmatchcase(call_path, g) for g in self.include)
        return included and not any(fnmatch.fnmatchcase(call_path, g) for g in self.exclude)

    @property
    def distribution(self) -> str:
        return self.package.replace("_", "-")


def load_options(pyproject: Path | None = None, **given: Any) -> GenerateOptions:
    """Options from `[tool.wechatpay-codegen]` of `pyproject` (when it exists), overridden by `given` (not None)."""
    settings: dict[str, Any] = {}
    if pyproject is not None and pyproject.is_file():
        table = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("wechatpay-codegen", {})
        settings = {key.replace("-", "_"): value for key, value in table.items()}
        settings = _resolve_paths(settings, pyproject.parent)
    settings.update({key: value for key, value in given.items() if value not in (None, ())})
    return _options(settings, str(pyproject or "options"))


def _resolve_paths(settings: dict[str, Any], base: Path) -> dict[str, Any]:
    """Paths in a pyproject.toml are relative to it."""
    return {
        key: base / value if key in ("templates", "runtime", "names_file") else value for key, value in settings.items()
    }


def _options(settings: dict[str, Any], origin: str) -> GenerateOptions:
    names_file = settings.pop("names_file", None)
    unknown = set(settings) - set(GenerateOptions.__dataclass_fields__)
    if unknown:
        raise CodegenError(f"{origin}: unknown option(s) {', '.join(sorted(unknown))}")
    settings.update({key: tuple(settings[key]) for key in ("include", "exclude", "hosts") if key in settings})
    options = GenerateOptions(**settings)
    if not is_identifier(options.package):
        raise CodegenError(f"{origin}: package `{options.package}` is not a Python identifier")
    if names_file is not None:
        options = replace(options, names={**load_names(Path(names_file)), **options.names})
    return options


def load_names(path: Path) -> dict[str, str]:
    """A YAML or TOML mapping of name overrides; every value must be a class name."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except (OSError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise CodegenError(f"{path}: cannot read the name overrides ({exc})") from None
    if not isinstance(data, dict):
        raise CodegenError(f"{path}: name overrides are a mapping of key to class name")
    for key, name in data.items():
        if not isinstance(name, str) or not is_identifier(name):
            raise CodegenError(f"{path}: `{key}`: `{name}` is not a valid class name")
    return {str(key): name for key, name in data.items()}
