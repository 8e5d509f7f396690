"""The runtime's `Operation`: the one contract between the code generator and the runtime.

The generator builds each operation's description with the runtime's own class, loaded from the runtime source it
ships (`templates/runtime/operation.py`, or the configured runtime's): a field the runtime does not have fails
while generating, not when the SDK is imported.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from generator.codegen.options import CodegenError

SOURCE = "operation.py"  # of the runtime folder; it imports nothing but `typing`


@cache
def _operation_class(runtime: Path) -> Callable[..., NamedTuple]:
    """`Operation` of `runtime/operation.py`, run on its own: the rest of the runtime needs httpx and cryptography,
    which the generator does not."""
    path = runtime / SOURCE
    spec = importlib.util.spec_from_file_location("wechatpay_runtime_operation", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise CodegenError(f"{path}: no runtime Operation to generate for")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    operation: Callable[..., NamedTuple] = module.Operation
    return operation


def operation_fields(runtime: Path, **fields: Any) -> tuple[tuple[str, Any], ...]:
    """The runtime's `Operation` of `fields`, by the fields that differ from its defaults (all a generated call
    needs to spell); a field the runtime does not have is an error naming its source."""
    try:
        operation = _operation_class(runtime)(**fields)
    except TypeError as exc:
        raise CodegenError(f"{runtime / SOURCE}: the generator and the runtime's Operation disagree ({exc})") from None
    defaults = type(operation)._field_defaults
    return tuple(
        (name, value) for name, value in operation._asdict().items() if name not in defaults or defaults[name] != value
    )
