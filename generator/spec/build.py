"""A doc page → its spec: the OpenAPI 3.1 path items (or webhooks) that the page documents.

`parse_page` handles one page and never raises for bad input: problems come back as diagnostics with
file:line. `parse_docs` runs it over a docs folder on a process pool.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..docs.cells import Attrs, code_spans, fixed_value, plain_text
from ..docs.examples import request_literal
from ..docs.page import Page, Section, Table, read_page
from ..docs.rows import Field, FieldTable, build_table
from ..report import Code, Diagnostic, Level
from . import extensions as ext
from .either_or import either_or_groups
from .examples import attach_examples
from .hosts import base_url_problem
from .io import SpecFile
from .schema import JSON_STRING_ROW, JsonStringEvidence, SchemaContext, example_shapes, field_schema, object_schema

MAX_PAGE_BYTES = 4 * 1024 * 1024  # the largest real page is ~120 KB; anything far larger is not a doc page
CLIENT_OPTIONS = {"security", "nonceless", "base_uri", "timeout", "fragment"}  # `timeout`: the caller's to set
BODY_MEDIA = {"json": "application/json", "xml": "application/xml", "body": "multipart/form-data"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass
class PageResult:
    name: str  # the page path without `.md`: also the spec's name
    spec: dict[str, Any] | None  # None: the page documents no operation (an index, a redirect stub)
    diagnostics: list[Diagnostic]
    operations: int = 0


@dataclass
class ParseResult:
    specs: list[SpecFile]
    diagnostics: list[Diagnostic]
    pages: int
    operations: int


class DocsError(Exception):
    """The docs folder itself cannot be read."""


# ---------------------------------------------------------------------------- a folder


def list_pages(docs_dir: Path) -> list[str]:
    if not docs_dir.is_dir():
        raise DocsError(f"{docs_dir}: no such docs folder")
    return sorted(p.relative_to(docs_dir).as_posix() for p in docs_dir.rglob("*.md") if p.is_file())


def parse_docs(docs_dir: Path) -> ParseResult:
    """Every page below `docs_dir`, in path order, in this process (the pipeline parses in parallel, cached)."""
    pages = list_pages(docs_dir)
    evidence = json_string_evidence(_page_bytes(docs_dir, pages))
    return collect(parse_page(docs_dir, page, evidence) for page in pages)


def json_string_evidence(pages: Mapping[str, bytes]) -> JsonStringEvidence:
    """The corpus-wide pre-pass: what the pages' examples show of JSON strings holding one array row (the bare
    array or an object holding it), for the pages whose own example is silent."""
    return gather_evidence({page: page_evidence(page, data) for page, data in pages.items()})


def page_evidence(page: str, data: bytes) -> tuple[tuple[str, bool], ...]:
    """One page's share of the evidence: (`string/row`, bare array?) per example; a function of the page's bytes
    alone, so a cache may keep it. Reads only pages with a JSON string; unreadable ones are `parse_page`'s to report."""
    if len(data) > MAX_PAGE_BYTES or JSON_STRING_ROW not in data:
        return ()
    return tuple(_example_shapes(read_page(page, data.decode("utf-8", errors="replace"))))


def gather_evidence(shapes_by_page: Mapping[str, Iterable[tuple[str, bool]]]) -> JsonStringEvidence:
    """For each `string/row`, the first page in path order whose example shows it."""
    shapes: dict[str, tuple[str, bool]] = {}
    for page in sorted(shapes_by_page):
        for key, bare in shapes_by_page[page]:
            shapes.setdefault(key, (page, bare))
    return JsonStringEvidence(tuple((key, page, bare) for key, (page, bare) in sorted(shapes.items())))


def _example_shapes(page: Page) -> Iterator[tuple[str, bool]]:
    for section in page.sections:
        request = section.table("request")
        literal = request_literal(section.examples)
        if request is None or literal is None:
            continue
        for row in build_table(request, page.path, []).fields:
            yield from example_shapes(row.children, literal.get(row.name.lower()))


def _page_bytes(docs_dir: Path, pages: list[str]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for page in pages:
        try:
            found[page] = (docs_dir / page).read_bytes()
        except OSError:
            continue  # parse_page reports it
    return found


def collect(results: Iterable[PageResult]) -> ParseResult:
    specs: list[SpecFile] = []
    diagnostics: list[Diagnostic] = []
    pages = operations = 0
    for result in results:
        pages += 1
        operations += result.operations
        diagnostics.extend(result.diagnostics)
        if result.spec is not None:
            specs.append(SpecFile(result.name, result.spec))
    return ParseResult(specs, diagnostics, pages, operations)


# ---------------------------------------------------------------------------- a page


def parse_page(
    docs_dir: Path, page: str, evidence: JsonStringEvidence = JsonStringEvidence(), hosts: frozenset[str] = frozenset()
) -> PageResult:
    """One page's spec. `evidence` (from `json_string_evidence` over every page) settles JSON strings that the
    page's own example does not: a cache of results keys on `evidence.cache_key(page bytes)` too, and on `hosts`
    (the configuration's additions to the WeChat Pay hosts a `base_uri` may name)."""
    name = page[: -len(".md")]
    text, problem = _read_text(docs_dir / page, page)
    if problem is not None:
        return PageResult(name, None, [problem])
    if not text.strip():
        return PageResult(
            name, None, [Diagnostic(page, 1, Level.WARNING, Code.EMPTY_PAGE, "page is empty: no operation")]
        )
    parsed = read_page(page, text)
    builder = _SpecBuilder(parsed, evidence, hosts)
    spec = builder.build()
    return PageResult(name, spec, parsed.diagnostics + builder.diagnostics, builder.operations)


def _read_text(path: Path, page: str) -> tuple[str, Diagnostic | None]:
    try:
        size = path.stat().st_size
        if size > MAX_PAGE_BYTES:
            return "", _error(
                page,
                0,
                Code.TOO_LARGE,
                f"page is {size // 1024} KB, over the {MAX_PAGE_BYTES // 1024} KB limit: not read",
            )
        data = path.read_bytes()
    except OSError as exc:
        return "", _error(page, 0, Code.UNREADABLE, f"cannot read the page ({exc.strerror})")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return "", _error(page, line, Code.NOT_UTF8, f"byte {exc.start} is not UTF-8: the page is not read")


def _error(page: str, line: int, code: Code, message: str) -> Diagnostic:
    return Diagnostic(page, line, Level.ERROR, code, message)


def url_of(page: str) -> tuple[str, str]:
    """The wire path and API version a page documents: the page path is authoritative."""
    parts = page[: -len(".md")].split("/")
    kind, version, rest = parts[0], parts[1] if len(parts) > 1 else "", parts[2:]
    trailing = rest[-1:] == ["index"]
    if trailing:
        rest = rest[:-1]
    path = "/" + "/".join(rest) + ("/" if trailing else "")
    if kind == "openapi" and version == "v3":
        path = "/v3" + path
    return path, version


class _SpecBuilder:
    def __init__(self, page: Page, evidence: JsonStringEvidence, hosts: frozenset[str] = frozenset()) -> None:
        self.page = page
        self.hosts = hosts  # hosts the user's configuration adds to WeChat Pay's own
        self.diagnostics: list[Diagnostic] = []
        self.operations = 0
        self.path, self.api = url_of(page.path)
        self.is_webhook = page.path.startswith("webhook/")
        self.ctx = SchemaContext(self.warn, evidence=evidence)

    def warn(self, line: int, code: Code, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.page.path, line, Level.WARNING, code, message))

    def error(self, line: int, code: Code, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.page.path, line, Level.ERROR, code, message))

    def build(self) -> dict[str, Any] | None:
        if not self.page.sections:
            return None  # an overview page or a redirect stub; tables outside sections were reported
        if self.api not in ("v2", "v3"):
            self.warn(self.page.sections[0].line, Code.UNKNOWN_VERSION, "page is not under v2/ or v3/: skipped")
            return None
        key = "webhooks" if self.is_webhook else "paths"
        items: dict[str, dict[str, Any]] = {}
        for section in self.page.sections:
            built = self.section(section)
            if built is None:
                continue
            item_key, method, operation = built
            item = items.setdefault(item_key, {})
            if method in item:
                self.warn(section.line, Code.DUPLICATE_METHOD, f"a second `{method}` section for {item_key}: skipped")
                continue
            item[method] = operation
            self.operations += 1
        return {ext.PAGE: self.page.path, key: items} if items else None

    def section(self, section: Section) -> tuple[str, str, dict[str, Any]] | None:
        request = section.table("request")
        if request is None:
            self.warn(section.line, Code.NO_REQUEST_TABLE, f"section `{section.title}` has no request table: skipped")
            return None
        fields = build_table(request, self.page.path, self.diagnostics)
        operation = self.metadata(section)
        if self.is_webhook:
            return self.webhook(section, fields, operation)
        self.request(section, fields, operation)
        operation["responses"] = self.responses(section)
        return self.path, section.method, operation

    # -- metadata -------------------------------------------------------------------------------

    def metadata(self, section: Section) -> dict[str, Any]:
        operation: dict[str, Any] = {"operationId": self.operation_id(section.method), "summary": section.title}
        description = plain_text("\n".join(section.description))
        if description:
            operation["description"] = description
        operation["tags"] = [self.tag()]
        if section.links:
            operation["externalDocs"] = {"url": section.links[0]}
        if section.deprecated:
            operation["deprecated"] = True
        operation[ext.API] = self.api
        return operation

    def operation_id(self, method: str) -> str:
        source = self.page.path[: -len(".md")].split("/", 1)[1] if self.is_webhook else self.path
        words = re.findall(r"[A-Za-z0-9]+", source.replace("{", " by ").replace("}", " "))
        if self.path.endswith("/") and not self.is_webhook:
            words.append("index")
        head = "webhook" if self.is_webhook else method
        return head + "".join(w[:1].upper() + (w[1:].lower() if w.isupper() else w[1:]) for w in words)

    def tag(self) -> str:
        """`v3/pay`: the API version and first segment of the page path; `webhook/v3` for notifications."""
        if self.is_webhook:
            return f"webhook/{self.api}"
        return "/".join(self.page.path.split("/")[1:3])

    # -- request --------------------------------------------------------------------------------

    def request(self, section: Section, table: FieldTable, operation: dict[str, Any]) -> None:
        parameters: list[dict[str, Any]] = []
        path_rows: list[Field] = []
        query: list[Field] = []
        literal = request_literal(section.examples)
        values = literal or {}
        section_text = "\n".join(section.description)
        for row in table.fields:
            name = row.name.lower()
            if name in BODY_MEDIA:
                self.body(row, BODY_MEDIA[name], operation, values.get(name), section_text)
            elif name == "query":
                query.extend(row.children)
            elif name == "headers":
                parameters.extend(self.parameter(child, "header") for child in row.children)
            elif name in CLIENT_OPTIONS:
                self.client_option(row, operation)
            else:
                path_rows.append(row)
        path_parameters = self.path_parameters(path_rows, query)
        query_values = values.get("query")
        if not isinstance(query_values, dict):
            query_values = {}
        query_parameters = [self.parameter(row, "query", query_values.get(row.name)) for row in query]
        self.query_either_or(query, section_text, query_parameters, operation)
        parameters = path_parameters + query_parameters + parameters
        if self.api == "v2":
            self.v2_protocol_fields(operation, parameters)
        if parameters:
            operation["parameters"] = parameters
        attach_examples(operation, literal, section, self.warn)
        # keep keys in reading order: parameters before the body
        if "requestBody" in operation:
            operation["requestBody"] = operation.pop("requestBody")

    def body(self, row: Field, media: str, operation: dict[str, Any], example: Any, section_text: str) -> None:
        if "requestBody" in operation:
            self.warn(row.line, Code.SECOND_BODY, f"a second request body row `{row.name}`: skipped")
            return
        ctx = replace(self.ctx, binary_objects=media.startswith("multipart/"), request=True, section_text=section_text)
        schema = object_schema(row.children, ctx, example)
        operation["requestBody"] = {"required": True, "content": {media: {"schema": schema}}}

    def query_either_or(
        self, rows: list[Field], section_text: str, parameters: list[dict[str, Any]], operation: dict[str, Any]
    ) -> None:
        """Query parameters have no `anyOf`: the alternatives lose `required: true`, the operation lists them."""
        groups = either_or_groups(rows, section_text)
        if not groups:
            return
        keys = {key for group in groups for key in group.keys}
        for parameter in parameters:
            if parameter["name"] in keys:
                parameter["required"] = False
        for group in groups:
            self.warn(
                group.line, Code.EITHER_OR, f"query {group.describe()}: one is enough ({group.rule}): `{ext.EITHER_OR}`"
            )
        forms = [[list(alternative) for alternative in group.alternatives] for group in groups]
        operation[ext.EITHER_OR] = forms[0] if len(forms) == 1 else forms

    def parameter(self, row: Field, location: str, example: Any = None) -> dict[str, Any]:
        schema = field_schema(row, self.ctx, example)
        parameter: dict[str, Any] = {"name": row.name, "in": location, "required": row.required or location == "path"}
        description = schema.pop("description", None)
        if description:
            parameter["description"] = description
        parameter["schema"] = schema
        if location == "header" and row.name.lower() == "wechatpay-serial":
            parameter[ext.CLIENT_FILLED] = True
        return parameter

    def client_option(self, row: Field, operation: dict[str, Any]) -> None:
        """Rows that configure the client, not the request: kept as extensions the SDK acts on."""
        name = row.name.lower()
        if name == "security":
            operation[ext.CLIENT_CERT] = True
        elif name == "nonceless":
            operation[ext.NONCELESS] = True
        elif name == "base_uri":
            urls = [span for span in code_spans(row.description) if span.startswith("http")]
            problem = base_url_problem(urls[0], self.hosts) if urls else None
            if problem:
                self.error(row.line, Code.FOREIGN_HOST, f"`base_uri` {urls[0]!r} {problem}")
            elif urls:
                operation[ext.BASE_URL] = urls[0]
                operation[ext.BASE_URL_REQUIRED] = row.required
            else:
                self.warn(row.line, Code.NO_BASE_URL, "`base_uri` row names no URL")
        elif name == "fragment":
            operation[ext.FRAGMENT] = fixed_value(row.description) or (code_spans(row.description) or [""])[0]

    def path_parameters(self, rows: list[Field], query: list[Field]) -> list[dict[str, Any]]:
        """One parameter per `{placeholder}` of the URL, from the top-level row that documents it."""
        placeholders = _PLACEHOLDER.findall(self.path)
        by_name = {row.name: row for row in rows}
        segments = {s.lower() for s in self.path.split("/")}
        unmatched = [r for r in rows if r.name not in placeholders and not self.is_fixed_segment(r, segments)]
        parameters = []
        for placeholder in placeholders:
            row = (
                by_name.get(placeholder)
                or self.take_from_query(placeholder, query)
                or self.pair(placeholder, unmatched)
            )
            if row is None:
                self.warn(
                    self.page.sections[0].line,
                    Code.UNDOCUMENTED_PATH_PARAMETER,
                    f"`{{{placeholder}}}` of the URL has no row: read as a string",
                )
                row = Field(placeholder, "string", False, True, "", Attrs(), 0, 0)
            parameter = self.parameter(row, "path")
            parameter["name"] = placeholder
            parameters.append(parameter)
        for row in unmatched:
            self.warn(
                row.line, Code.NOT_IN_URL, f"top-level row `{row.name}` is no part of the URL `{self.path}`: skipped"
            )
        return parameters

    def is_fixed_segment(self, row: Field, segments: set[str]) -> bool:
        """`addinstitutionsub | 固定值`addInstitutionsub``: the row spells a fixed part of the URL."""
        value = fixed_value(row.description)
        return row.name.lower() in segments and (value is None or value.lower() in segments)

    def take_from_query(self, placeholder: str, query: list[Field]) -> Field | None:
        """A path variable documented under `query`: it is in the URL, so it is a path parameter."""
        for index, row in enumerate(query):
            if row.name == placeholder:
                return query.pop(index)
        return None

    def pair(self, placeholder: str, unmatched: list[Field]) -> Field | None:
        if len(unmatched) != 1:
            return None
        row = unmatched.pop()
        self.warn(row.line, Code.RENAMED_PATH_PARAMETER, f"row `{row.name}` is read as the URL's `{{{placeholder}}}`")
        return row

    def v2_protocol_fields(self, operation: dict[str, Any], parameters: list[dict[str, Any]]) -> None:
        """APIv2 puts `nonce_str` and `sign` on the wire even where the page leaves them out. Without a body, a
        `sign` the page lists in the query is made over the query's fields: the client fills it too."""
        content = operation.get("requestBody", {}).get("content", {})
        schema = content.get("application/xml", {}).get("schema")
        if schema is None:
            for parameter in parameters:
                if parameter["in"] == "query" and parameter["name"] == "sign":
                    parameter[ext.CLIENT_FILLED] = True
            return
        names = ["sign"] if operation.get(ext.NONCELESS) else ["nonce_str", "sign"]
        properties = schema.setdefault("properties", {})
        required = schema.setdefault("required", [])
        for name in names:
            properties.setdefault(name, {"type": "string", "description": _PROTOCOL_FIELDS[name]})
            properties[name][ext.CLIENT_FILLED] = True
            if name not in required:
                required.append(name)

    # -- responses ------------------------------------------------------------------------------

    def responses(self, section: Section) -> dict[str, Any]:
        table = section.table("response")
        errors = section.table("errors")
        if table is None and errors is not None:
            return self.error_dictionary(errors)
        if table is None:
            self.warn(
                section.line,
                Code.NO_RESPONSE_TABLE,
                f"section `{section.title}` has no response table: read as an empty 200",
            )
            return {"200": {"description": "OK"}}
        fields = build_table(table, self.page.path, self.diagnostics)
        if fields.notes:
            return self.note_response(fields, table.line)
        media = "application/xml" if self.api == "v2" else "application/json"
        response: dict[str, Any] = {"description": "OK"}
        if self.api == "v2" and not any(f.name == "sign" for f in fields.fields):
            response[ext.UNSIGNED] = True  # the page's answer carries no `sign`: nothing to verify it by
        response["content"] = {media: {"schema": object_schema(fields.fields, self.ctx)}}
        return {"200": response}

    def error_dictionary(self, table: Table) -> dict[str, Any]:
        """A file download whose failure is an APIv2 XML reply (with HTTP 200, as all APIv2 replies)."""
        fields = build_table(table, self.page.path, self.diagnostics)
        content = {
            "application/xml": {"schema": object_schema(fields.fields, self.ctx)},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        }
        return {
            "200": {"description": "The file; on failure, the XML error reply", ext.UNSIGNED: True, "content": content}
        }

    def note_response(self, fields: FieldTable, line: int) -> dict[str, Any]:
        note = fields.notes[0]
        if fields.fields:
            self.warn(line, Code.NOTE_AND_FIELDS, "response table has both a note row and fields: the note wins")
        if "空字符串" in note.text:
            return {"204": {"description": "No Content"}}
        if "30x" in note.text:
            return {"302": {"description": "Redirect", "headers": {"Location": {"schema": {"type": "string"}}}}}
        if "文件流" in note.text:
            return {
                "200": {
                    "description": plain_text(note.text),
                    ext.UNSIGNED: True,
                    "content": {_stream_media(note.text): {"schema": {"type": "string", "format": "binary"}}},
                }
            }
        self.warn(note.line, Code.UNKNOWN_NOTE, f"response note `{note.text}` is not understood: read as an empty 200")
        return {"200": {"description": plain_text(note.text)}}

    # -- webhooks -------------------------------------------------------------------------------

    def webhook(
        self, section: Section, table: FieldTable, operation: dict[str, Any]
    ) -> tuple[str, str, dict[str, Any]]:
        parameters: list[dict[str, Any]] = []
        media = "application/xml" if self.api == "v2" else "application/json"
        for row in table.fields:
            if row.name == "headers":
                parameters.extend(self.parameter(child, "header") for child in row.children)
            elif row.name == "body":
                operation["requestBody"] = {
                    "required": True,
                    "content": {media: {"schema": object_schema(row.children, self.ctx)}},
                }
            else:
                self.warn(
                    row.line, Code.WEBHOOK_ROW, f"notification row `{row.name}` is neither headers nor body: skipped"
                )
        if parameters:
            operation["parameters"] = parameters
        if "requestBody" in operation:
            operation["requestBody"] = operation.pop("requestBody")
            events = self.event_types(operation)
            if events:
                operation[ext.EVENT_TYPES] = events
        operation["responses"] = self.reply(section, media)
        return self.webhook_key(), "post", operation

    def webhook_key(self) -> str:
        stem = self.page.path.rsplit("/", 1)[-1][: -len(".md")]
        return stem if self.api == "v3" else f"v2/{stem}"

    def event_types(self, operation: dict[str, Any]) -> list[str]:
        schema = next(iter(operation["requestBody"]["content"].values()))["schema"]
        event = schema.get("properties", {}).get("event_type", {})
        return list(event.get("enum", []))

    def reply(self, section: Section, media: str) -> dict[str, Any]:
        table = section.table("reply")
        if table is None:
            return {"200": {"description": "Received"}}
        fields = build_table(table, self.page.path, self.diagnostics)
        response: dict[str, Any] = {"description": "The reply the service expects"}
        for row in fields.fields:
            if row.name == "body":
                response["content"] = {media: {"schema": object_schema(row.children, self.ctx)}}
        return {"200": response}


_PROTOCOL_FIELDS = {"nonce_str": "随机字符串 (filled by the client)", "sign": "签名 (filled by the client)"}


def _stream_media(note: str) -> str:
    if "PDF" in note:
        return "application/pdf"
    if "图片" in note:
        return "image/*"
    return "application/octet-stream"
