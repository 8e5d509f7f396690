"""Reading and writing spec files: deterministic YAML, and the bundle of all of them."""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

import yaml

from . import extensions as ext

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

OPENAPI_VERSION = "3.1.0"
_JSON_SCALARS = (str, int, float, bool, type(None))
MAX_DEPTH = 64  # nesting of a spec's mappings and lists; the corpus's deepest is ~20
# Spec names (page paths less `.md`), path keys and webhook keys reach file names, comments and string literals of
# the generated code: one conservative alphabet (every corpus page path fits it), no `.` or `..` segment.
_SAFE_SEGMENT = r"(?!\.\.?(?:/|$))[A-Za-z0-9_.{}~-]+"
SAFE_NAME = re.compile(rf"{_SAFE_SEGMENT}(?:/{_SAFE_SEGMENT})*")
SAFE_PATH_KEY = re.compile(rf"/(?:{_SAFE_SEGMENT}/?)+")  # one segment at least: `/` alone names no operation


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """PyYAML writes YAML 1.1, whose resolver knows only 1.1's non-strings: a string YAML 1.2 (or a 1.1 reader
    stricter than PyYAML) reads as a number or a boolean must be quoted too, or other tools change its type."""


# Plain scalars some YAML reader takes for a non-string, beyond PyYAML's own list: YAML 1.2 (core and JSON
# schemas) and the JS readers: `075512345678`, `1e5`, `0x1F`, `0o17`, `0b1`, `1_000`, `.5`, `.NaN`; YAML 1.1's `y`/`n`.
_NON_STRING = re.compile(
    r"""^(?:[-+]?(?:0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+)
    |[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)
    |[yYnN])$""",
    re.VERBOSE,
)
# Consulted after PyYAML's own resolvers, so the ints and floats it writes still match those: only strings quote.
_Dumper.add_implicit_resolver("tag:yaml.org,2002:float", _NON_STRING, None)


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
    """YAML's plain data. Aliases are refused (no spec or front matter needs them; an alias bomb expands a few KB
    into gigabytes, a recursive one into a cycle); a number Python cannot convert is an error naming the file."""
    try:
        alias = _first_alias(text)
        if alias is not None:
            raise SpecError(f"{origin}:{alias}: aliases (`*name`) are not accepted")
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{origin}:{mark.line + 1}" if mark else origin
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())  # one line: a diagnostic's message
        raise SpecError(f"{where}: not valid YAML ({problem})") from None
    except ValueError as exc:  # int() of a 5,000-digit scalar
        raise SpecError(f"{origin}: a value YAML cannot convert ({exc})") from None


def _first_alias(text: str) -> int | None:
    """The line of the first alias in `text` (0 when unknown), None when there is none."""
    if "*" not in text:  # no alias without its `*`: the common case costs one scan
        return None
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            return event.start_mark.line + 1 if event.start_mark else 0
    return None


def read_spec(path: Path, name: str) -> SpecFile:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: cannot read ({exc})") from None
    data = load_yaml(text, str(path))
    if not isinstance(data, dict):
        raise SpecError(f"{path}: a spec file holds a mapping with `paths` or `webhooks`")
    spec = SpecFile(name, data)
    problem = next(chain(spec_problems(spec), _shape_problems(data, "spec", "")), None)
    if problem is not None:
        raise SpecError(f"{path}: {problem}")
    return spec


def read_specs(specs_dir: Path) -> list[SpecFile]:
    """Every `*.yaml` below `specs_dir`, sorted by name so that order never depends on the file system."""
    if not specs_dir.is_dir():
        raise SpecError(f"{specs_dir}: no such specs folder")
    files = sorted(specs_dir.rglob("*.yaml"), key=lambda p: p.relative_to(specs_dir).as_posix())
    return [read_spec(p, p.relative_to(specs_dir).with_suffix("").as_posix()) for p in files]


def spec_problems(spec: SpecFile) -> Iterator[str]:
    """What makes a spec unfit to generate from, hand-edited or not: names outside the safe alphabet, nesting past
    `MAX_DEPTH`, a `$ref` cycle, a value that is no JSON value (`nan`, `inf`, a date)."""
    if not SAFE_NAME.fullmatch(spec.name):
        yield f"the name {spec.name!r} has characters outside A-Z a-z 0-9 _ . {{ }} ~ - (or a `.`/`..` segment)"
    for key in _mapping(spec.data.get("paths")):
        if not SAFE_PATH_KEY.fullmatch(str(key)):
            yield f"paths: the key {str(key)!r} is no plain URL path (characters A-Z a-z 0-9 _ . {{ }} ~ - and /)"
    for key in _mapping(spec.data.get("webhooks")):
        if not SAFE_NAME.fullmatch(str(key)):
            yield f"webhooks: the key {str(key)!r} has characters outside A-Z a-z 0-9 _ . {{ }} ~ - and /"
    refs: list[str] = []
    yield from _value_problems(spec.data, refs)
    if refs:
        yield from _ref_cycles(spec.data, refs)


# The shape of what the code generator reads (of a spec read from a file: the parser's specs have it by construction),
# by kind of node: the kind of each key's value (`_FIELDS`), or of each
# member of a collection (`_MEMBERS`). A value of another shape is an error naming where; a field may be null.
_FIELDS: dict[str, dict[str, str]] = {
    "spec": {"paths": "path-items", "webhooks": "path-items", "components": "components"},
    "components": {"schemas": "schemas"},
    "operation": {
        "parameters": "parameters",
        "requestBody": "content-holder",
        "responses": "responses",
        "externalDocs": "links",
        ext.BASE_URL: "text",
        ext.EVENT_TYPES: "texts",
    },
    "parameter": {"name": "text", "in": "text", "schema": "schema"},
    "content-holder": {"content": "media-types"},
    "media-type": {"schema": "schema"},
    "links": {"url": "text"},
    "schema": {
        "properties": "schemas",
        "patternProperties": "schemas",
        "items": "schema",
        "contentSchema": "schema",
        "oneOf": "schema-list",
        "anyOf": "schema-list",
        "allOf": "schema-list",
        "required": "texts",
        "enum": "scalars",
        "type": "types",
        "$ref": "text",
    },
}
_MEMBERS: dict[str, tuple[type, str]] = {
    "path-items": (dict, "path-item"),
    "path-item": (dict, "operation"),
    "parameters": (list, "parameter"),
    "responses": (dict, "content-holder"),
    "media-types": (dict, "media-type"),
    "schemas": (dict, "schema"),
    "schema-list": (list, "schema"),
    "texts": (list, "text"),
    "scalars": (list, "scalar"),
}
_SCALARS: dict[str, type | tuple[type, ...]] = {"text": str, "scalar": _JSON_SCALARS}


def _shape_problems(value: Any, kind: str, where: str) -> Iterator[str]:
    if kind == "types":  # `type: string` or `type: [string, "null"]`
        kind = "texts" if isinstance(value, list) else "text"
    expected = dict if kind in _FIELDS else _MEMBERS[kind][0] if kind in _MEMBERS else _SCALARS[kind]
    if not isinstance(value, expected):
        yield f"{where or 'the file'}: a {type(value).__name__} where a {kind} belongs"
        return
    if kind in _FIELDS and isinstance(value, dict):
        for key, field_kind in _FIELDS[kind].items():
            if value.get(key) is not None:
                yield from _shape_problems(value[key], field_kind, f"{where}.{key}" if where else key)
    elif kind in _MEMBERS and isinstance(value, (dict, list)):
        members: Iterable[tuple[object, Any]] = value.items() if isinstance(value, dict) else enumerate(value)
        for index, member in members:
            yield from _shape_problems(member, _MEMBERS[kind][1], f"{where}.{index}")


def _mapping(value: Any) -> Mapping[Any, Any]:
    return value if isinstance(value, Mapping) else {}


def _value_problems(data: Any, refs: list[str]) -> Iterator[str]:
    """Nesting past `MAX_DEPTH` and numbers that are no JSON numbers; the `$ref`s found on the way go to `refs`.
    Level by level, not recursively: a spec's depth is what is being checked."""
    level, depth = [data], 0
    while level:
        if depth > MAX_DEPTH:
            yield f"nested deeper than {MAX_DEPTH} levels"
            return
        below: list[Any] = []
        for value in level:
            if isinstance(value, dict):
                if isinstance(value.get("$ref"), str):
                    refs.append(value["$ref"])
                below.extend(value.values())
            elif isinstance(value, list):
                below.extend(value)
            elif isinstance(value, float) and not math.isfinite(value):
                yield f"{'.'.join(_path_to(data, value))}: {value} is no JSON number"
            elif not isinstance(value, _JSON_SCALARS):  # YAML's dates, `!!binary`, `!!set`
                yield f"{'.'.join(_path_to(data, value))}: a {type(value).__name__} is no JSON value"
        level, depth = below, depth + 1


def _path_to(data: Any, target: object, depth: int = 0) -> list[str]:
    """The keys leading to `target` (the very object) in `data`, for a message."""
    children = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, child in children:
        if child is target:
            return [str(key)]
        found = _path_to(child, target, depth + 1) if depth < MAX_DEPTH else []
        if found:
            return [str(key), *found]
    return []


def _ref_cycles(data: dict[str, Any], refs: list[str]) -> Iterator[str]:
    """`$ref`s whose target holds, at any depth, a `$ref` leading back: the schema would have no end."""
    graph: dict[str, list[str]] = {}
    for ref in set(refs):
        graph[ref] = []
        list(_value_problems(_target(data, ref), graph[ref]))  # only the `$ref`s inside the target
    for start in sorted(graph):
        seen: set[str] = set()
        todo = list(graph[start])
        while todo:
            ref = todo.pop()
            if ref == start:
                yield f"`$ref: {start}` refers back to itself through its own schema"
                break
            if ref not in seen:
                seen.add(ref)
                todo.extend(graph.get(ref, ()))


def _target(data: dict[str, Any], ref: str) -> Any:
    """What a local `$ref` (`#/a/b`) points at; None for anything else (the code generator names those errors)."""
    if not ref.startswith("#/"):
        return None
    target: Any = data
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(target, dict) or part not in target:
            return None
        target = target[part]
    return target


def collisions(specs: Iterable[SpecFile]) -> list[tuple[str, str, str]]:
    """(spec, the spec before it, what both document) for each operation or notification two specs document:
    otherwise the one that sorts last would silently win."""
    owners: dict[tuple[str, str, str], str] = {}
    found = []
    for spec in specs:
        for section in ("paths", "webhooks"):
            for key, item in _mapping(spec.data.get(section)).items():
                for method in _mapping(item):
                    first = owners.setdefault((section, str(key), str(method)), spec.name)
                    if first != spec.name:
                        found.append((spec.name, first, f"{section}: `{method} {key}`"))
    return found


def refuse_collisions(specs: list[SpecFile]) -> None:
    """`collisions` as an error naming both files."""
    for name, first, what in collisions(specs)[:1]:
        raise SpecError(f"{name}.yaml: {what} is also documented by {first}.yaml")


def write_bundle(document: Mapping[str, Any], out: Path) -> None:
    """The bundle, written whole or not at all (a temporary file renamed); a file there that this tool did not
    write (no bundle mark) is refused, never replaced."""
    if out.is_symlink() or (out.exists() and not _is_bundle(out)):
        raise SpecError(f"{out}: a file this tool did not write is there; not replaced")
    if out.suffix == ".json":
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    else:
        text = dump_yaml(dict(document))
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as sink:
            sink.write(text)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 is for secrets; a bundle is for every tool to read
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _is_bundle(path: Path) -> bool:
    """A bundle this tool wrote: its mark at the top level (a YAML line of its own, or a JSON key)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(rf"^{ext.BUNDLE}: true$", text, re.MULTILINE) is not None or f'\n  "{ext.BUNDLE}": true' in text
