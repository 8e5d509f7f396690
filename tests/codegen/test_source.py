"""Source written in black's layout is one of black's fixed points: black, run over it, changes nothing."""

from __future__ import annotations

import keyword

import black
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.codegen.source import Call, Code, annotated, docstring, function, import_from, inline, statement

MODE = black.Mode(line_length=120)
WORDS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40)  # Chinese included
NAMES = st.from_regex(r"[a-z][a-z_]{0,60}", fullmatch=True).filter(lambda name: not keyword.iskeyword(name))


def unchanged(source: str) -> bool:
    return black.format_str(source, mode=MODE) == source


@given(st.dictionaries(WORDS, st.tuples(WORDS, WORDS), max_size=12))
@settings(max_examples=60, deadline=None)
def test_dicts_and_calls_are_one_line_or_exploded_as_black_explodes_them(table: dict[str, tuple[str, str]]) -> None:
    assert unchanged(statement("TABLE: dict[str, tuple[str, str]] = ", table) + "\n")
    call = Call("Endpoint", [Call("Operation", kwargs=[("path", "/v3/a"), ("fields", tuple(table))]), table])
    assert unchanged(statement("_A = ", call) + "\n")


@given(NAMES, st.lists(WORDS, min_size=1, max_size=15, unique=True), st.booleans())
@settings(max_examples=60, deadline=None)
def test_long_hints_are_split_as_black_splits_them(name: str, values: list[str], optional: bool) -> None:
    literal = f"Literal[{', '.join(map(inline, values))}]"
    body = [
        annotated(name, f"NotRequired[list[{literal}]]"),
        annotated(name, f"{literal} | str | None", value=None),
        annotated(name, f"{literal} | str", value=Call("Field", kwargs=[("default", None), ("alias", name)])),
        annotated(name, "VeryLongClassNameThatGoesOnAndOn" * 4 + (" | None" if optional else "")),
    ]
    assert unchanged("class A(TypedDict):\n" + "\n".join(body) + "\n")


@given(WORDS.filter(str.strip), NAMES)  # the templates write a docstring only for a text that has one
@settings(max_examples=60, deadline=None)
def test_docstrings_signatures_and_imports_are_left_as_written(text: str, name: str) -> None:
    unpack = Call("**kwargs: Unpack", [Code(name.title() * 3)], brackets="[]")  # as render.py writes it
    signature = function("def ", Call(name, [Code("self"), unpack]), "A" * 60, 1)
    source = f"class A:\n    {docstring(text * 3, 1)}\n\n{signature}\n        {docstring(text, 2)}\n"
    assert unchanged(import_from(f".{name}", [name.title() * 2, f"Async{name.title() * 2}"]) + "\n\n\n" + source)
