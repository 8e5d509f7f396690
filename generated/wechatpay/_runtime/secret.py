"""Key material in a type whose repr hides it, so exceptions, reprs, logs and a traceback's captured locals
(`traceback.TracebackException(..., capture_locals=True)`, Sentry, pytest's `--showlocals`) never show it."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, Generic, TypeVar

T = TypeVar("T")

# The constructor arguments that hold secrets (the private key may be PEM text).
SECRET_SETTINGS = ("private_key", "apiv3_key", "apiv2_key")


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


def hide_settings(settings: MutableMapping[str, Any]) -> None:
    """Wrap the secret settings in place: the caller's frame holds the mapping, and its repr is what tracebacks
    show."""
    for name in SECRET_SETTINGS:
        if settings.get(name) is not None:
            settings[name] = hidden(settings[name])
