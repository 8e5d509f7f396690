"""Specs -> the small typed view the templates render: spec modules (classes, operations, events) and the client tree."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from generator.codegen.contract import operation_fields

from generator.codegen.names import (
    BUILTINS,
    ClassNames,
    argument,
    attribute,
    escape,
    is_identifier,
    is_placeholder,
    part,
    pascal,
    snake,
    stems,
    unique,
)
from generator.codegen.options import RUNTIME_DIR, CodegenError, GenerateOptions
from generator.codegen.source import inline
from generator.spec import extensions as ext
from generator.spec.hosts import base_url_problem
from generator.spec.io import SpecFile

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
REQUEST_OPTIONS = frozenset({"timeout", "extra_headers", "validate_request"})  # RequestOptions keys
# Attributes of pydantic's BaseModel (and of our base model) that a field must not shadow.
MODEL_RESERVED = frozenset(
    {"copy", "dict", "json", "schema", "schema_json", "construct", "validate", "fields", "raw_response"}
    | {"doc_disagreements", "indexed_fields"}
    | {"parse_obj", "parse_raw", "parse_file", "from_orm", "update_forward_refs"}
    | {"model_config", "model_fields", "model_extra", "model_fields_set", "model_computed_fields"}
    # names the annotations of a model's later fields use: a field's default would rebind them in the class body
    | {"str", "int", "float", "bool", "bytes", "list", "dict", "Any", "Literal", "Json", "Field", "FileInput"}
)
SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "null": "None"}
JSON_MEDIA = "application/json"
MULTIPART_MEDIA = "multipart/form-data"
FILE_INPUT = "FileInput"
PAGE_NUMBERS = ("page_num", "page_no", "page_index")  # a list operation's page number, with `page_size`
TOTALS = ("total_count", "total_num")  # a list answer's count of every item
# Request fields the client holds (its settings `mchid`, `appid`, `notify_url`): filled in when a call leaves them out.
CLIENT_HELD = {
    "mchid": "mchid",
    "sp_mchid": "mchid",
    "mch_id": "mchid",
    "appid": "appid",
    "sp_appid": "appid",
    "notify_url": "notify_url",
}
NO_CONTENT = "Model | None"  # what a method returns whose page promises no content: None, or what came all the same


@dataclass(frozen=True)
class Field:
    """One TypedDict key, model field or keyword argument: `name` in Python, `key` on the wire."""

    name: str
    key: str
    annotation: str
    required: bool
    doc: str


@dataclass(frozen=True)
class ClassDef:
    """A generated class: `typeddict` (request data), `params` (a method's keyword arguments), `pathparams` (the
    same with the path's, for `client.chain(path)`) or `model` (response)."""

    name: str
    kind: str
    doc: str
    fields: tuple[Field, ...]
    indexed: tuple[tuple[str, str], ...] = ()  # model field -> the APIv2 indexed family it gathers (`coupon_id_$n`)
    base: str = ""  # a `pathparams` TypedDict's: the `params` it adds the path parameters to

    @property
    def functional(self) -> bool:
        """A TypedDict with a key that is no identifier needs the functional syntax."""
        return any(not is_identifier(f.key) for f in self.fields)


@dataclass(frozen=True)
class Param:
    name: str
    location: str
    key: str


@dataclass(frozen=True)
class Operation:
    name: str
    http_method: str
    path: str  # as in the spec: /v3/..., or the APIv2 wire path
    call_path: str
    summary: str
    description: str
    doc_url: str
    deprecated: bool
    params_class: ClassDef  # the arguments but the path's: the tree binds those (`by_transaction_id("42")`)
    path_params_class: ClassDef | None  # the same with the path's, required: `client.chain(path)` takes them
    params: tuple[Param, ...]
    returns: str
    runtime: tuple[tuple[str, object], ...]  # the runtime's Operation, by the fields that differ from its defaults
    endpoint: str
    either_or: tuple[tuple[tuple[str, ...], ...], ...] = ()  # groups of alternative arguments; a call gives one
    defaults: tuple[
        tuple[str, object], ...
    ] = ()  # required arguments the docs allow one value for: filled when left out
    client_held: tuple[tuple[str, str], ...] = ()  # argument -> the client setting that fills it when left out
    paging: Paging | None = None  # a list operation: its auto-paging iterator


@dataclass(frozen=True)
class Paging:
    """How a list operation pages: the argument that moves (`offset`, or a page number), the page size argument,
    the answer's field holding a page's items and their annotation, the answer's total count (if it has one)."""

    position: str
    size: str
    by_page: bool
    items: str
    item: str
    total: str | None

    @property
    def runtime(self) -> tuple[tuple[str, object], ...]:
        """The keyword arguments of the runtime's `Paging`."""
        facts = {"position": self.position, "size": self.size, "by_page": self.by_page, "items": self.items}
        return tuple(facts.items()) + ((("total", self.total),) if self.total else ())

    def method(self, http_method: str) -> str:
        """`iter` for a GET list (`for item in client.v3....iter(...)`), `iter_post` for a POST one."""
        return "iter" if http_method == "GET" else f"iter_{http_method.lower()}"


@dataclass(frozen=True)
class PathOps:
    """The operations one spec documents on one path: a resource class the tree node inherits from."""

    call_path: str
    class_name: str
    operations: tuple[Operation, ...]


@dataclass(frozen=True)
class Event:
    event_type: str
    api: str
    class_name: str
    summary: str
    description: str
    doc_url: str


@dataclass(frozen=True)
class SpecModule:
    source: str
    module: str
    classes: tuple[ClassDef, ...]
    resources: tuple[PathOps, ...]
    events: tuple[Event, ...]


@dataclass(frozen=True)
class Node:
    """A segment of the client tree: `client.v3.pay.transactions`; `placeholder` for a `{name}` segment."""

    segment: str
    call_path: str
    class_name: str
    attribute: str
    placeholder: str | None
    mixins: tuple[tuple[str, str], ...]
    children: tuple[Node, ...]
    # what `client.chain(path)` gives: the operations alone, their arguments the path's parameters too (none is
    # bound on the way); a class of its own, so that a checker reads only the spec modules of the methods called
    chain_class: str = ""

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Api:
    modules: tuple[SpecModule, ...]
    root: Node

    @property
    def nodes(self) -> list[Node]:
        return list(self.root.walk())[1:]

    @property
    def operations(self) -> list[Operation]:
        return [op for m in self.modules for r in m.resources for op in r.operations]

    @property
    def events(self) -> list[tuple[str, Event]]:
        return [(m.module, e) for m in self.modules for e in m.events]


@dataclass(frozen=True)
class _Arguments:
    """An operation's keyword arguments and what the runtime and the check need to know about them."""

    fields: list[Field]
    path_fields: list[Field]
    params: tuple[Param, ...]
    runtime: tuple[tuple[str, object], ...]
    either_or: tuple[tuple[tuple[str, ...], ...], ...]
    defaults: tuple[tuple[str, object], ...]
    client_held: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class _Found:
    """An operation or notification as found in a spec, before naming."""

    spec: SpecFile
    where: str
    key: str  # spec path or event type
    method: str
    data: dict[str, Any]
    api: str
    call_path: str


@dataclass(frozen=True)
class Plan:
    """The global decisions: which operations each spec contributes, module names and class-name stems. After them
    each spec's module is built on its own (`build`), depending only on `inputs(spec)` and the spec itself."""

    found: Mapping[str, list[_Found]]  # spec name -> its selected operations and notifications
    modules: Mapping[str, str]  # spec name -> module name
    bases: Mapping[str, str]  # call path -> class-name stem
    overrides: Mapping[str, str]
    hosts: frozenset[str] = frozenset()  # the configuration's additions to the WeChat Pay hosts
    runtime: Path = RUNTIME_DIR  # whose `Operation` describes each operation (its defaults left unsaid)

    def inputs(self, spec: str) -> tuple[object, ...]:
        """What the module of `spec` is made from besides the spec: a cache of modules keys on it."""
        stems_used = tuple(sorted({(f.call_path, self.bases[f.call_path]) for f in self.found[spec]}))
        return self.modules[spec], stems_used, tuple(sorted(self.overrides.items())), tuple(sorted(self.hosts))

    def build(self, spec: str, taken: Iterable[str] = ()) -> SpecModule:
        found = self.found[spec]
        names = ClassNames(self.overrides, taken)
        builder = _SpecBuilder(found[0].spec, self.modules[spec], names, self.bases, self.hosts, self.runtime)
        return builder.build(found)


def plan(specs: Iterable[SpecFile], options: GenerateOptions) -> Plan:
    found = [f for f in _find_all(specs) if options.selects(f.call_path)]
    by_spec: dict[str, list[_Found]] = defaultdict(list)
    for f in found:
        by_spec[f.spec.name].append(f)
    bases = {path: options.names.get(path, stem) for path, stem in stems(f.call_path for f in found).items()}
    modules = dict(zip(sorted(by_spec), unique(snake(name) for name in sorted(by_spec))))
    return Plan(dict(by_spec), modules, bases, dict(options.names), frozenset(options.hosts), options.runtime)


def assemble(plan: Plan, built: Mapping[str, SpecModule]) -> Api:
    """The API of the modules `plan` built; a module defining a name an earlier one defines too is built again
    without it (rare: a stem that ends where another stem goes on, `OrdersGet` + `PostParams`)."""
    modules = dict(built)
    for name, taken in _repeated_across_modules(modules).items():
        modules[name] = plan.build(name, taken)
    spec_modules = tuple(modules[name] for name in sorted(modules))
    return Api(spec_modules, _tree(spec_modules))


def build_api(specs: Iterable[SpecFile], options: GenerateOptions) -> Api:
    """The typed view of the selected operations and notifications of `specs`."""
    decided = plan(specs, options)
    return assemble(decided, {name: decided.build(name) for name in decided.found})


def _repeated_across_modules(built: Mapping[str, SpecModule]) -> dict[str, set[str]]:
    """Spec -> the names it must leave to a module earlier by name that defines them too (none on the corpus)."""
    owners: dict[str, list[str]] = defaultdict(list)
    for name, module in sorted(built.items()):
        for cls in module.classes:
            owners[cls.name].append(name)
    taken: dict[str, set[str]] = defaultdict(set)
    for class_name, specs in owners.items():
        for spec in specs[1:]:
            taken[spec].add(class_name)
    return taken


def _find_all(specs: Iterable[SpecFile]) -> Iterator[_Found]:
    for spec in specs:
        for section in ("paths", "webhooks"):
            items = spec.data.get(section) or {}
            _expect(isinstance(items, dict), spec, section, "must be a mapping")
            for key, item in items.items():
                yield from _find_operations(spec, section, str(key), item)


def _find_operations(spec: SpecFile, section: str, key: str, item: Any) -> Iterator[_Found]:
    _expect(isinstance(item, dict), spec, f"{section}.{key}", "must be a mapping of HTTP methods")
    for method, data in item.items():
        where = f"{section}.{key}.{method}"
        _expect(method in HTTP_METHODS, spec, where, f"unknown HTTP method `{method}`")
        _expect(isinstance(data, dict), spec, where, "must be a mapping")
        _expect("responses" in data, spec, where, "missing required key `responses`")
        api = data.get(ext.API)
        _expect(api in ("v2", "v3"), spec, f"{where}.{ext.API}", f"must be v2 or v3, not {api!r}")
        if section == "webhooks":
            key = key.removeprefix(f"{api}/")  # the v2 pages key their notifications `v2/<name>`
            call_path = f"webhooks/{api}/{key}"
        else:
            _expect(key.startswith("/"), spec, f"{section}.{key}", "a path starts with `/`")
            _expect(key != "/", spec, f"{section}.{key}", "`/` alone names no operation: a path has a segment")
            call_path = f"v2{key}" if api == "v2" else key[1:]
        yield _Found(spec, where, key, method, data, api, call_path)


def _redirect(operation: dict[str, Any]) -> bool:
    """The page answers with a 30x only: the operation is a URL the user's browser is sent to."""
    codes = [str(code) for code in operation.get("responses") or {}]
    return any(code.startswith("3") for code in codes) and not any(code.startswith("2") for code in codes)


def _expect(condition: bool, spec: SpecFile, where: str, message: str) -> None:
    if not condition:
        _fail(spec, where, message)


def _fail(spec: SpecFile, where: str, message: str) -> NoReturn:
    raise CodegenError(f"specs/{spec.name}.yaml: {where}: {message}")


class _SpecBuilder:
    """The module of one spec: its classes, resource classes and events, named through `classes`."""

    def __init__(
        self,
        spec: SpecFile,
        module: str,
        classes: ClassNames,
        bases: Mapping[str, str],
        hosts: frozenset[str],
        runtime: Path,
    ) -> None:
        self.spec = spec
        self.module = module
        self.names = classes
        self.bases = bases
        self.hosts = hosts
        self.runtime = runtime
        self.classes: list[ClassDef] = []

    def build(self, found: list[_Found]) -> SpecModule:
        by_path: dict[str, list[_Found]] = defaultdict(list)
        events = []
        for f in found:
            if f.call_path.startswith("webhooks/"):
                events.append(self._event(f))
            else:
                by_path[f.key].append(f)
        resources = tuple(self._resource(items) for _, items in sorted(by_path.items()))
        return SpecModule(f"specs/{self.spec.name}.yaml", self.module, tuple(self.classes), resources, tuple(events))

    def fail(self, where: str, message: str) -> NoReturn:
        _fail(self.spec, where, message)

    # --- operations ---------------------------------------------------------------------------------------------

    def _resource(self, found: list[_Found]) -> PathOps:
        base = self.bases[found[0].call_path]
        operations = tuple(self._operation(f, base) for f in sorted(found, key=lambda f: HTTP_METHODS.index(f.method)))
        return PathOps(found[0].call_path, self.names.claim(f"{base}Resource"), operations)

    def _operation(self, f: _Found, base: str) -> Operation:
        stem = f"{base}{pascal(f.method)}"
        arguments = self._arguments(f, stem)
        summary = _text(f.data, "summary") or f"{f.method.upper()} {f.key}"
        params_class = self._add(self.names.claim(f"{stem}Params"), "params", summary, arguments.fields)
        path_params_class = None
        if arguments.path_fields:
            name = self.names.claim(f"{stem}PathParams")
            doc = f'`{params_class.name}` and the path\'s parameters: what `client.chain("{f.call_path}")` takes.'
            path_params_class = self._add(name, "pathparams", doc, arguments.path_fields, base=params_class.name)
        returns = self._returns(f, stem)
        return Operation(
            name=f.method,
            http_method=f.method.upper(),
            path=f.key,
            call_path=f.call_path,
            summary=_text(f.data, "summary"),
            description=_text(f.data, "description"),
            doc_url=_text(f.data.get("externalDocs") or {}, "url"),
            deprecated=bool(f.data.get("deprecated")),
            params_class=params_class,
            path_params_class=path_params_class,
            params=arguments.params,
            returns=returns,
            runtime=arguments.runtime,
            endpoint=f"_{snake(stem).upper()}",
            either_or=arguments.either_or,
            defaults=arguments.defaults,
            client_held=arguments.client_held,
            paging=self._paging(arguments.params, returns),
        )

    def _paging(self, params: tuple[Param, ...], returns: str) -> Paging | None:
        """A list operation: `offset`+`limit` or a page number + `page_size` among its arguments, and an answer with
        one list of objects (its items), maybe beside a total count."""
        names = {p.key: p.name for p in params if p.location in ("query", "body")}
        if {"offset", "limit"} <= names.keys():
            position, size, by_page = names["offset"], names["limit"], False
        else:
            number = next((k for k in PAGE_NUMBERS if k in names), None)
            if number is None or "page_size" not in names:
                return None
            position, size, by_page = names[number], names["page_size"], True
        model = next((c for c in self.classes if c.name == returns and c.kind == "model"), None)
        lists = [f for f in model.fields if f.annotation.startswith("list[")] if model else []
        if len(lists) != 1 or lists[0].annotation.count("list[") != 1:
            return None
        total = (
            next((f.name for f in model.fields if f.key in TOTALS and f.annotation == "int"), None) if model else None
        )
        return Paging(position, size, by_page, lists[0].name, lists[0].annotation[len("list[") : -1], total)

    def _arguments(self, f: _Found, stem: str) -> _Arguments:
        """The keyword arguments (path, query, header, then body fields), the runtime's facts about them, the
        either-or groups among them and the values of the ones the docs leave no choice for."""
        raw: list[tuple[str, str, dict[str, Any], bool, str]] = []  # location, key, schema, required, where
        encrypted: list[str] = []
        json_parameters: list[str] = []
        for i, p in enumerate(f.data.get("parameters") or []):
            where = f"{f.where}.parameters[{i}]"
            for required_key in ("name", "in"):
                _expect(
                    isinstance(p, dict) and required_key in p,
                    self.spec,
                    where,
                    f"missing required key `{required_key}`",
                )
            if _encrypted_by_client(p):
                encrypted.append(f"{p['in']}:{p['name']}")
            if (p.get("schema") or {}).get("contentMediaType") == JSON_MEDIA:
                json_parameters.append(f"{p['in']}:{p['name']}")
            if not p.get(ext.CLIENT_FILLED):
                schema = {"description": p.get("description", ""), **(p.get("schema") or {})}
                raw.append((p["in"], str(p["name"]), schema, bool(p.get("required")), where))
        request_media, body_schema, body_where = self._request_body(f)
        json_strings: list[str] = []
        if body_schema is not None:
            raw.extend(self._body_fields(body_schema, body_where))
            self._pointers(body_schema, "", body_where, encrypted, json_strings)
        if request_media == MULTIPART_MEDIA:
            json_strings = []  # the runtime's multipart writer encodes `meta` itself (and signs that JSON)
        json_strings = json_parameters + json_strings
        names = unique(argument(key or "body", REQUEST_OPTIONS) for _, key, *_ in raw)
        groups = [*_either_or(body_schema or {}, "body"), *_either_or(f.data, "query")]
        alternatives = {(location, key) for location, group in groups for alt in group for key in alt}
        fields, path_fields, params, defaults, client_held = [], [], [], [], []
        for name, (location, key, schema, required, where) in zip(names, raw):
            annotation = self.input(schema, part(f"{stem}Request", key) if key else f"{stem}Request", where)
            params.append(Param(name, location, key))
            if location == "path":  # always required (OpenAPI says so), and bound by the tree on the way
                path_fields.append(Field(name, name, annotation, True, _text(schema, "description")))
                continue
            required = required and key.lower() != "idempotency-key"
            if required and _only_value(schema) is not None:  # `version: 1.0 枚举值`: the SDK fills it
                defaults.append((name, _only_value(schema)))
                required = False
            if required and key in CLIENT_HELD and (location, key) not in alternatives:
                client_held.append((name, CLIENT_HELD[key]))  # the client fills it when the call leaves it out
                required = False
            fields.append(Field(name, name, annotation, required, _text(schema, "description")))
        runtime = self._runtime(f, request_media, encrypted, json_strings, [k for _, k, *_ in raw])
        argument_of = {(p.location, p.key): p.name for p in params}
        either_or = tuple(
            tuple(tuple(argument_of[location, key] for key in alternative) for alternative in group)
            for location, group in groups
            if all((location, key) in argument_of for alternative in group for key in alternative)
        )
        return _Arguments(fields, path_fields, tuple(params), runtime, either_or, tuple(defaults), tuple(client_held))

    def _request_body(self, f: _Found) -> tuple[str | None, dict[str, Any] | None, str]:
        content = (f.data.get("requestBody") or {}).get("content") or {}
        if not content:
            return None, None, ""
        media, body = next(iter(content.items()))
        where = f"{f.where}.requestBody.content.{media}"
        return media, self.resolve((body or {}).get("schema") or {}, f"{where}.schema"), f"{where}.schema"

    def _body_fields(self, schema: dict[str, Any], where: str) -> list[tuple[str, str, dict[str, Any], bool, str]]:
        """Body properties become keyword arguments; a body that is not an object is one argument, `body`."""
        properties = schema.get("properties")
        if not isinstance(properties, dict):
            return [("body", "", schema, True, where)]  # key "": the argument is the whole body
        required = set(schema.get("required") or [])
        return [
            (
                "body",
                str(key),
                self.resolve(prop, f"{where}.properties.{key}"),
                key in required,
                f"{where}.properties.{key}",
            )
            for key, prop in properties.items()
            if not (isinstance(prop, dict) and prop.get(ext.CLIENT_FILLED))
        ]

    def _pointers(
        self, schema: dict[str, Any], prefix: str, where: str, encrypted: list[str], json_strings: list[str]
    ) -> None:
        """Dotted pointers (`payer.name`, `items[].name`) to fields the runtime encrypts or JSON-encodes."""
        for key, prop in (schema.get("properties") or {}).items():
            prop = self.resolve(prop, f"{where}.properties.{key}")
            pointer = f"{prefix}{key}"
            if prop.get(ext.ENCRYPTED) == "by-rsa-pubkey":
                encrypted.append(pointer)
            if prop.get("contentMediaType") == JSON_MEDIA:
                json_strings.append(pointer)
            inner = prop.get("contentSchema") or prop
            while inner.get("type") == "array" and isinstance(inner.get("items"), dict):
                inner, pointer = self.resolve(inner["items"], f"{where}.properties.{key}.items"), f"{pointer}[]"
            self._pointers(inner, f"{pointer}.", f"{where}.properties.{key}", encrypted, json_strings)

    def _runtime(
        self, f: _Found, request_media: str | None, encrypted: list[str], json_strings: list[str], keys: list[str]
    ) -> tuple[tuple[str, object], ...]:
        response_media, _, _ = self._response(f)
        return operation_fields(
            self.runtime,
            method=f.method.upper(),
            path=f.key,
            api=f.api,
            request_media=request_media,
            response_media=response_media,
            encrypted_fields=tuple(encrypted),
            json_string_fields=tuple(json_strings),
            client_cert=bool(f.data.get(ext.CLIENT_CERT)),
            nonceless=bool(f.data.get(ext.NONCELESS)),
            # an optional access point (`base_uri` not required) leaves the client's own host in charge
            base_url=self._base_url(f) if f.data.get(ext.BASE_URL_REQUIRED) else None,
            unsigned_response=bool(self._success(f)[1].get(ext.UNSIGNED)),
            idempotency_key=any(k.lower() == "idempotency-key" for k in keys),
            signed_query=any(
                p.get("in") == "query" and p.get("name") == "sign" and p.get(ext.CLIENT_FILLED)
                for p in f.data.get("parameters") or []
            ),
            redirect=_redirect(f.data),
            serial_header=any(
                p.get("in") == "header" and str(p.get("name", "")).lower() == "wechatpay-serial"
                for p in f.data.get("parameters") or []
            )
            and not encrypted,
            fragment=str(f.data.get(ext.FRAGMENT) or ""),
        )

    def _base_url(self, f: _Found) -> str:
        """The host a page sends this operation to: a WeChat Pay host over https (a hand-edited spec included)."""
        url = str(f.data.get(ext.BASE_URL))
        problem = base_url_problem(url, self.hosts)
        if problem:
            self.fail(f"{f.where}.{ext.BASE_URL}", f"{url!r} {problem}")
        return url

    def _success(self, f: _Found) -> tuple[str, dict[str, Any]]:
        """Where the first 2xx response is, and the response; an empty one when there is none."""
        responses = f.data["responses"]
        _expect(isinstance(responses, dict), self.spec, f"{f.where}.responses", "must be a mapping")
        success = sorted(str(code) for code in responses if str(code).startswith("2"))
        if not success:
            return f"{f.where}.responses", {}
        response = responses.get(success[0]) or responses.get(int(success[0])) or {}
        return f"{f.where}.responses.{success[0]}", response

    def _response(self, f: _Found) -> tuple[str | None, dict[str, Any] | None, str]:
        """The 2xx response's media type and schema; (None, None) for no content or a redirect. A file
        offered beside an XML shape is what a success returns: the XML is the APIv2 failure reply."""
        where, response = self._success(f)
        content = response.get("content") or {}
        if not content:
            return None, None, ""
        files = [m for m in content if m not in (JSON_MEDIA, "application/xml", "text/xml")]
        media = files[0] if files else next(iter(content))
        body = content[media] or {}
        return (
            media,
            self.resolve(body.get("schema") or {}, f"{where}.content.{media}.schema"),
            f"{where}.content.{media}.schema",
        )

    def _returns(self, f: _Found, stem: str) -> str:
        media, schema, where = self._response(f)
        if media is None:
            return "str" if _redirect(f.data) else NO_CONTENT
        if media not in (JSON_MEDIA, "application/xml", "text/xml"):
            return "bytes"
        assert schema is not None
        if schema.get("type", "object") != "object":
            self.fail(where, f"a {media} response must be an object, not {schema.get('type')!r}")
        return self.model(
            {"description": f"The response of {f.method.upper()} {f.key}.", **schema}, f"{stem}Response", where
        )

    def _event(self, f: _Found) -> Event:
        base = self.bases[f.call_path]
        _, schema, where = self._request_body(f)
        if schema is None:
            self.fail(f"{f.where}.requestBody", "a notification needs a request body")
        event_types = [str(t) for t in f.data.get(ext.EVENT_TYPES) or [f.key]]  # v3 events key the webhook
        closed = {"event_type": event_types} if "event_type" in (schema.get("properties") or {}) else {}
        name = self.model({"description": f"The {f.key} notification.", **schema}, f"{base}Event", where, closed)
        return Event(
            f.key,
            f.api,
            name,
            _text(f.data, "summary"),
            _text(f.data, "description"),
            _text(f.data.get("externalDocs") or {}, "url"),
        )

    # --- schemas ------------------------------------------------------------------------------------------------

    def resolve(self, schema: Any, where: str) -> dict[str, Any]:
        """The schema itself, or the target of a local `$ref` (`#/components/schemas/X`)."""
        seen = set()
        while isinstance(schema, dict) and "$ref" in schema:
            ref = schema["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#/") or ref in seen:
                self.fail(where, f"`$ref: {ref}` does not point into this file")
            seen.add(ref)
            schema = self.spec.data
            for token in ref[2:].split("/"):
                key = token.replace("~1", "/").replace("~0", "~")
                if not isinstance(schema, dict) or key not in schema:
                    self.fail(where, f"`$ref: {ref}` points to nothing")
                schema = schema[key]
        if not isinstance(schema, dict):
            self.fail(where, f"a schema is a mapping, not {type(schema).__name__}")
        return schema

    def _types(self, schema: dict[str, Any], where: str) -> list[str]:
        declared = schema.get("type")
        if declared is None:
            declared = "object" if "properties" in schema else "array" if "items" in schema else "any"
        types = declared if isinstance(declared, list) else [declared]
        for t in types:
            if t not in SCALARS and t not in ("object", "array", "any"):
                self.fail(f"{where}.type", f"unknown type {t!r}")
        return types

    def input(self, schema: dict[str, Any], hint: str, where: str) -> str:
        """The annotation a caller passes: TypedDicts for objects, `Literal` for enums, the decoded JSON-in-a-string."""
        return self._annotation(schema, hint, where, output=False)

    def output(self, schema: dict[str, Any], hint: str, where: str) -> str:
        """The annotation of a response field: models for objects; enums also accept values the docs do not list."""
        return self._annotation(schema, hint, where, output=True)

    def _annotation(self, schema: dict[str, Any], hint: str, where: str, output: bool) -> str:
        if "oneOf" in schema:
            return _union(
                self._annotation(
                    self.resolve(v, f"{where}.oneOf[{i}]"), f"{hint}{i + 1}", f"{where}.oneOf[{i}]", output
                )
                for i, v in enumerate(schema["oneOf"])
            )
        return _union(self._single(schema, t, hint, where, output) for t in self._types(schema, where))

    def _single(self, schema: dict[str, Any], type_: str, hint: str, where: str, output: bool) -> str:
        if schema.get("enum") and type_ in SCALARS:
            try:
                literal = f"Literal[{', '.join(inline(v) for v in dict.fromkeys(schema['enum']))}]"
            except (TypeError, ValueError) as exc:  # a value no Python literal spells (nan): refused, named
                self.fail(f"{where}.enum", str(exc))
            return f"{literal} | {SCALARS[type_]}" if output else literal
        if type_ == "string" and schema.get("format") == "binary":
            return "bytes" if output else FILE_INPUT
        if type_ == "string" and isinstance(schema.get("contentSchema"), dict):
            inner = self._annotation(
                self.resolve(schema["contentSchema"], f"{where}.contentSchema"), hint, f"{where}.contentSchema", output
            )
            return f"Json[{inner}]" if output else inner
        if type_ == "array":  # the items are described by the array's description
            items = {
                "description": _text(schema, "description"),
                **self.resolve(schema.get("items") or {}, f"{where}.items"),
            }
            return f"list[{self._annotation(items, hint, f'{where}.items', output)}]"
        if type_ == "object":
            return self._object(schema, hint, where, output)
        return SCALARS.get(type_, "Any")

    def _object(self, schema: dict[str, Any], hint: str, where: str, output: bool) -> str:
        properties = schema.get("properties")
        if not isinstance(properties, dict) or not properties:
            return "dict[str, Any]"
        if output:
            decrypted = _decrypted_resource(properties)
            if decrypted is not None:  # a notification's `resource`: the runtime hands over its decrypted content
                return self.output(self.resolve(decrypted, f"{where}.contentSchema"), hint, f"{where}.contentSchema")
            return self.model(schema, hint, where)
        return self._typed_dict(schema, hint, where)

    def model(
        self, schema: dict[str, Any], name: str, where: str, closed: Mapping[str, list[str]] | None = None
    ) -> str:
        """A response model; `closed` fields are `Literal`s of exactly the values given (an event's `event_type`,
        so that comparing it narrows a union of events)."""
        class_name = self.names.claim(name)  # before its fields': a class keeps the short name before its parts
        fields = self._fields(schema, name, where, output=True, closed=closed or {})
        indexed = self._indexed(schema, name, where, {f.name for f in fields})
        fields += [field for field, _ in indexed]
        indexed_rows = tuple((f.name, row) for f, row in indexed)
        return self._add(class_name, "model", _text(schema, "description"), fields, indexed_rows).name

    def _typed_dict(self, schema: dict[str, Any], name: str, where: str) -> str:
        class_name = self.names.claim(name)
        fields = self._fields(schema, name, where, output=False)
        return self._add(class_name, "typeddict", _text(schema, "description"), fields).name

    def _fields(
        self,
        schema: dict[str, Any],
        owner: str,
        where: str,
        output: bool,
        closed: Mapping[str, list[str]] | None = None,
    ) -> list[Field]:
        properties = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        keys = [str(k) for k in properties]
        names = unique(_model_field_name(k) for k in keys) if output else keys
        fields = []
        for name, key in zip(names, keys):
            prop_where = f"{where}.properties.{key}"
            prop = self.resolve(properties[key], prop_where)
            if not output and prop.get(ext.CLIENT_FILLED):
                continue
            if closed and key in closed:
                annotation = f"Literal[{', '.join(inline(v) for v in dict.fromkeys(closed[key]))}]"
            else:
                annotation = self._annotation(prop, part(owner, key), prop_where, output)
            fields.append(Field(name, key, annotation, key in required, _text(prop, "description")))
        return fields

    def _indexed(self, schema: dict[str, Any], owner: str, where: str, taken: set[str]) -> list[tuple[Field, str]]:
        """APIv2 indexed families (`patternProperties` marked `x-wechatpay-indexed: coupon_id_$n`) as list fields
        named after the row (`coupon_id_n: list[str]`, `coupon_refund_id_n_m: list[list[str]]`)."""
        found = []
        for pattern, prop in (schema.get("patternProperties") or {}).items():
            prop = self.resolve(prop, f"{where}.patternProperties.{pattern}")
            row = prop.get(ext.INDEXED)
            if not isinstance(row, str) or "$" not in row:
                continue
            name = escape(_model_field_name(row.replace("$", "")), MODEL_RESERVED | taken)
            taken.add(name)
            annotation = self._annotation(prop, part(owner, name), f"{where}.patternProperties.{pattern}", True)
            for _ in range(row.count("$")):
                annotation = f"list[{annotation}]"
            doc = (
                f"{_text(prop, 'description')} (`{row}` on the wire: `{row.replace('$n', '0').replace('$m', '0')}`, …)"
            )
            found.append((Field(name, name, annotation, False, doc.strip()), row))
        return found

    def _add(
        self,
        name: str,
        kind: str,
        doc: str,
        fields: list[Field],
        indexed: tuple[tuple[str, str], ...] = (),
        base: str = "",
    ) -> ClassDef:
        definition = ClassDef(name, kind, doc, tuple(fields), indexed, base)
        self.classes.append(definition)
        return definition


def _decrypted_resource(properties: Mapping[str, Any]) -> Any:
    for prop in properties.values():
        if isinstance(prop, dict) and prop.get(ext.ENCRYPTED) == "by-aes-gcm" and "contentSchema" in prop:
            return prop["contentSchema"]
    return None


def _encrypted_by_client(parameter: Mapping[str, Any]) -> bool:
    """A parameter the client encrypts: marked on the parameter or, as the parser writes it, on its schema."""
    schema = parameter.get("schema")
    markers = [parameter.get(ext.ENCRYPTED), schema.get(ext.ENCRYPTED) if isinstance(schema, dict) else None]
    return "by-rsa-pubkey" in markers


def _only_value(schema: Mapping[str, Any]) -> object:
    """The one value an enum allows (a scalar), else None."""
    values = schema.get("enum")
    if isinstance(values, list) and len(set(map(repr, values))) == 1 and isinstance(values[0], (str, int, float)):
        return values[0]
    return None


def _either_or(holder: Mapping[str, Any], location: str) -> list[tuple[str, list[list[str]]]]:
    """(location, alternatives) of each either-or group: an object's `anyOf: [{required: [...]}, ...]` (several
    groups under `allOf`), or an operation's `x-wechatpay-either-or` for its query parameters."""
    if location == "query":
        groups = holder.get(ext.EITHER_OR) or []
    else:
        groups = [holder.get("anyOf")] + [
            part.get("anyOf") for part in holder.get("allOf") or [] if isinstance(part, dict)
        ]
        groups = [[alt.get("required") for alt in g if isinstance(alt, dict)] for g in groups if isinstance(g, list)]
    return [
        (location, [[str(key) for key in alternative] for alternative in group])
        for group in groups
        if isinstance(group, list) and group and all(isinstance(a, list) and a for a in group)
    ]


def _model_field_name(key: str) -> str:
    """The key itself when pydantic can take it as a field name; else snake_case, escaped (aliased to the key)."""
    return escape(key if is_identifier(key) and not key.startswith("_") else snake(key), MODEL_RESERVED)


def _union(parts: Iterable[str]) -> str:
    return " | ".join(dict.fromkeys(parts))


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value)


def _tree(modules: Iterable[SpecModule]) -> Node:
    """The client tree over every call path: one node per segment, carrying the resource classes of its path."""
    mixins: dict[str, list[tuple[str, str]]] = defaultdict(list)
    methods: dict[str, set[str]] = defaultdict(set)
    for module in modules:
        for resource in module.resources:
            mixins[resource.call_path].append((module.module, resource.class_name))
            methods[resource.call_path].update(op.name for op in resource.operations)
            methods[resource.call_path].update(
                op.paging.method(op.http_method) for op in resource.operations if op.paging
            )
    paths = sorted({"/".join(p.split("/")[:i]) for p in mixins for i in range(1, p.count("/") + 2)})
    segments: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        parent, _, segment = path.rpartition("/")
        segments[parent].append(segment)
    resources = {f"{prefix}{name}" for named in mixins.values() for _, name in named for prefix in ("", "Async")}
    class_names = ClassNames(taken={"Any", "Resource", "AsyncResource", *resources})  # the tree stub's names
    node_class = {p: class_names.claim(pascal(_node_name(p))) for p in paths}
    chain_class = {p: class_names.claim(f"{node_class[p]}Chain") for p in sorted(mixins)}

    def node(path: str, attribute_name: str) -> Node:
        prefix = f"{path}/" if path else ""
        attributes = unique(_child_attribute(s, methods[path]) for s in segments[path])
        children = tuple(node(prefix + s, a) for s, a in zip(segments[path], attributes))
        segment = path.rpartition("/")[2]
        placeholder = segment[1:-1] if is_placeholder(segment) else None
        return Node(
            segment,
            path,
            node_class.get(path, ""),
            attribute_name,
            placeholder,
            tuple(mixins[path]),
            children,
            chain_class.get(path, ""),
        )

    return node("", "")


def _child_attribute(segment: str, parent_methods: set[str]) -> str:
    """`product-coupons` -> `product_coupons`; `{stock_id}` -> `by_stock_id`; never a method of the parent."""
    return escape(_segment_name(segment), parent_methods | BUILTINS)


def _node_name(path: str) -> str:
    return "_".join(_segment_name(s) for s in path.split("/"))


def _segment_name(segment: str) -> str:
    if is_placeholder(segment):
        return f"by_{snake(segment)}"
    return attribute(segment) if segment else "trailing_slash"  # `/v3/applyment4sub/applyment/`
