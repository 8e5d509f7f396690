"""What REPLs, Jupyter and `help()` show: each method's parameter names, each client setting."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import pydoc
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from .conftest import PACKAGE


def resource_classes(package: ModuleType) -> Iterator[type[Any]]:
    """Every resource class of every spec module, sync and async."""
    specs = importlib.import_module(f"{PACKAGE}._specs")
    core = importlib.import_module(f"{PACKAGE}._core")
    for info in pkgutil.iter_modules(specs.__path__):
        module = importlib.import_module(f"{specs.__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, (core.Resource, core.AsyncResource)):
                yield value


def test_every_method_shows_its_parameter_names(package: ModuleType) -> None:
    checked = 0
    for cls in resource_classes(package):
        for name, method in vars(cls).items():
            if name.startswith("_") or not callable(method):
                continue
            params = inspect.get_annotations(method)["kwargs"].__args__[0]
            shown = inspect.signature(method).parameters
            assert next(iter(shown)) == "self" and all(p.kind is p.KEYWORD_ONLY for p in list(shown.values())[1:])
            assert set(shown) - {"self"} == set(params.__annotations__), f"{cls.__name__}.{name}"
            checked += 1
    assert checked > 20


@pytest.mark.parametrize("prefix", ["", "Async"])
def test_a_method_signature_tells_required_from_optional(package: ModuleType, prefix: str) -> None:
    node = importlib.import_module(f"{PACKAGE}._tree").node_class("v3/pay/transactions/jsapi", prefix)
    shown = inspect.signature(node.post).parameters
    assert shown["amount"].default is inspect.Parameter.empty and "Amount" in shown["amount"].annotation.__name__
    assert repr(shown["mchid"].default) == "NOT_GIVEN" and shown["mchid"].annotation is str  # the client holds it
    assert list(shown)[-3:] == ["timeout", "extra_headers", "validate_request"]  # the options after the documented
    assert inspect.signature(node.post).return_annotation.__name__ == "PayTransactionsJsapiPostResponse"


def test_a_path_parameter_bound_by_the_tree_is_no_argument_of_its_method(package: ModuleType) -> None:
    node = importlib.import_module(f"{PACKAGE}._tree").node_class("v3/pay/transactions/id/{transaction_id}", "")
    assert "transaction_id" not in inspect.signature(node.get).parameters
    assert "mchid" in inspect.signature(node.get).parameters


@pytest.mark.parametrize("name", ["Client", "AsyncClient"])
def test_help_shows_every_setting_with_its_type_default_and_meaning(package: ModuleType, name: str) -> None:
    client = getattr(package, name)
    declared = importlib.import_module(f"{PACKAGE}._runtime.settings").declared()
    shown = inspect.signature(client).parameters
    assert list(shown) == ["http_client", "mtls_http_client", *declared]  # every setting, none under **settings
    assert shown["max_retries"].default == 2 and shown["max_retries"].annotation == "int"
    http = "httpx.AsyncClient | None" if name == "AsyncClient" else "httpx.Client | None"
    assert shown["http_client"].annotation == http and shown["mtls_http_client"].annotation == http
    text = pydoc.render_doc(client, renderer=pydoc.plaintext)
    assert "max_retries: 'int' = 2" in text and "timeout: 'float | httpx.Timeout' = 10.0" in text
    for setting, declaration in declared.items():
        assert f"- {setting}: {declaration.meaning}" in text
    assert "- mtls_http_client: the httpx client of the operations that need the merchant certificate" in text
