"""Key material in a type whose repr hides it, so exceptions, reprs, logs and a traceback's captured locals
(`traceback.TracebackException(..., capture_locals=True)`, Sentry, pytest's `--showlocals`) never show it."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Secret(Generic[T]):
    """A secret value. `reveal()` gives it: call it inside the expression that uses it, never to keep it in a
    named local, since captured locals are exactly what a traceback shows."""

    __slots__ = ("_value",)

    def __init__(self, value: T) -> None:
        self._value = value

    def reveal(self) -> T:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__


def hidden(value: object) -> Secret[Any]:
    """`value` as a Secret (one already wrapped is kept as it is)."""
    return value if isinstance(value, Secret) else Secret(value)
