"""Rendering the typed view through Jinja templates into formatted files, and writing them atomically."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import partial
from pathlib import Path
from typing import Protocol, TypeVar

import black
import jinja2
from black.mode import TargetVersion
from black.parsing import InvalidInput

from generator.codegen import contract, source
from generator.codegen.names import snake
from generator.codegen.model import NO_CONTENT, Api, ClassDef, Field, Node, Operation, SpecModule, assemble, plan
from generator.codegen.options import BUILTIN_TEMPLATES, CodegenError, GenerateOptions
from generator.codegen.source import Call, Code
from generator.spec.io import SpecFile

BLACK_MODE = black.Mode(line_length=120, target_versions={TargetVersion.PY310})
PYI_MODE = black.Mode(line_length=120, target_versions={TargetVersion.PY310}, is_pyi=True)
T = TypeVar("T")
_CHUNK = 16  # files per black task: small enough for a smooth progress bar, large enough to amortize pickling


def generate(specs: list[SpecFile], options: GenerateOptions, workers: int | None = None) -> dict[str, str]:
    """Every file of the distribution, relative path -> content; pure: reads templates and runtime, writes nothing.

    A spec's module depends only on that spec and the naming decisions over all specs; the client, the tree,
    the registries and api.md are the global files.
    """
    return format_python(render_files(specs, options), workers)


class Memo(Protocol):
    """Where `render_files` keeps each spec's module between runs (the pipeline's content cache)."""

    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, data: bytes) -> None: ...


def render_files(specs: list[SpecFile], options: GenerateOptions, memo: Memo | None = None) -> dict[str, str]:
    """What `generate` returns, before black: for a pipeline that formats through its own cache.

    With a `memo`, a spec's module (its typed view and text) is built and rendered only when the spec, the naming
    decisions it depends on or the generator changed, and the tree's files (the big type stubs) only when the tree
    changed: a one-page change renders that page's module, then the small global files from the typed views.
    """
    env = environment(options.templates)
    decided = plan(specs, options)
    data = {spec.name: spec.data for spec in specs}
    salt = _fingerprint(options)

    def build_module(spec: str) -> tuple[SpecModule, str]:
        module = decided.build(spec)
        return module, _render_module(env, module, options)

    built = {
        name: _memoized(memo, (salt, data[name], decided.inputs(name)), partial(build_module, name))
        for name in sorted(decided.found)
    }
    api = assemble(decided, {name: module for name, (module, _) in built.items()})
    files = dict(_render_global(env, api, options))
    files.update(_memoized(memo, (salt, api.root), partial(_render_tree, env, api, options)))  # the big stubs
    for (module, text), final in zip(built.values(), api.modules):  # `assemble` keeps the order of spec names
        files[f"{options.package}/_specs/{final.module}.py"] = (
            text if final is module else _render_module(env, final, options)
        )
    files.update(runtime_files(options))
    return files


def _memoized(memo: Memo | None, key: object, make: Callable[[], T]) -> T:
    """`make()`, or what `memo` kept of it for `key` (picklable: the inputs of what `make` makes)."""
    if memo is None:
        return make()
    digest = hashlib.sha256(pickle.dumps(key, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()
    blob = memo.get(digest)
    if blob is not None:
        kept: T = pickle.loads(blob)  # our own cache folder: as trusted as the code
        return kept
    made = make()
    memo.put(digest, pickle.dumps(made, protocol=pickle.HIGHEST_PROTOCOL))
    return made


def _fingerprint(options: GenerateOptions) -> str:
    """What a module's text depends on besides its spec and names: this generator, its templates, the options."""
    sources = sorted(Path(__file__).parent.glob("*.py")) + sorted(BUILTIN_TEMPLATES.glob("*"))
    sources += sorted(options.runtime.glob(contract.SOURCE))  # its defaults are left unsaid in the modules
    if options.templates is not None:
        sources += sorted(options.templates.glob("*"))
    hasher = hashlib.sha256(f"{jinja2.__version__} {options!r}".encode())
    for path in sources:
        hasher.update(path.name.encode() + path.read_bytes())
    return hasher.hexdigest()


def environment(overrides: Path | None = None) -> jinja2.Environment:
    """Templates from `overrides` first, then the built-in ones; a missing variable is an error, never blank."""
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(BUILTIN_TEMPLATES)]
    if overrides is not None:
        if not overrides.is_dir():
            raise CodegenError(f"{overrides}: no such templates folder")
        loaders.insert(0, jinja2.FileSystemLoader(overrides))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters.update(
        docstring=source.docstring,
        literal=source.inline,
        prefixed=lambda name, prefix: prefix + name,
        key_doc=lambda field: f"{field.key}: {field.doc}",
        code=Code,
        method_doc=_method_doc,
        reexported=lambda name: f"{name} as {name}",
    )
    env.globals.update(
        statement=source.statement,
        function=source.function,
        call=Call,
        code=Code,
        import_from=source.import_from,
        import_block=source.import_block,
        annotated=source.annotated,
        typed_dict_field=_typed_dict_field,
        model_field=_model_field,
        functional_typed_dict=_functional_typed_dict,
        endpoint=_endpoint,
        signature=_signature,
        call_endpoint=_call,
        iterator=_iterator,
        class_head=_class_head,
        nodes_table=_nodes_table,
        chain_methods=_chain_methods,
        chained_class=_chained_class,
        event_table=lambda events: {e.event_type: (module, e.class_name) for module, e in events},
        defined=lambda api: {m.module: " ".join(c.name for c in m.classes) for m in api.modules},
    )
    return env


def _typed_dict_field(field: Field) -> str:
    return source.annotated(field.key, field.annotation if field.required else f"NotRequired[{field.annotation}]")


def _model_field(field: Field) -> str:
    """`name: T`, `name: T | None = None`, or the pydantic `Field(...)` that maps the name to another wire key."""
    if field.required and field.name == field.key:
        return source.annotated(field.name, field.annotation)
    annotation = field.annotation if field.required else f"{field.annotation} | None"
    if field.name == field.key:
        return source.annotated(field.name, annotation, value=None)
    default = [] if field.required else [("default", None)]
    return source.annotated(field.name, annotation, value=Call("Field", kwargs=[*default, ("alias", field.key)]))


def _functional_typed_dict(cls: ClassDef) -> str:
    """`Name = TypedDict("Name", {...})`: for keys that are no identifiers."""
    keys = {f.key: Code(f.annotation if f.required else f"NotRequired[{f.annotation}]") for f in cls.fields}
    return source.statement(f"{cls.name} = ", Call("TypedDict", [cls.name, keys]))


def _endpoint(op: Operation) -> str:
    """The module-level `Endpoint(...)` of an operation: what the runtime needs to send it and read the answer."""
    fields = {p.name: (p.location, p.key) for p in op.params}
    returns = "type(None)" if op.returns == NO_CONTENT else op.returns
    args = [Call("Operation", kwargs=op.runtime), Code(op.params_class.name), fields, Code(returns)]
    checks = [("either_or", op.either_or), ("defaults", dict(op.defaults)), ("client_held", dict(op.client_held))]
    typed = f": Endpoint[{NO_CONTENT}]" if op.returns == NO_CONTENT else ""  # else mypy would read Endpoint[None]
    return source.statement(f"{op.endpoint}{typed} = ", Call("Endpoint", args, [(k, v) for k, v in checks if v]))


def _signature(op: Operation, is_async: bool, params: str = "", body: str = ":") -> str:
    """`def get(self, **kwargs: Unpack[Params]) -> Response:` (`params`: another TypedDict; `body` ": ..." in a stub)."""
    call = Call(op.name, [Code("self"), _unpack(params or op.params_class.name)])
    return source.function("async def " if is_async else "def ", call, op.returns, 1, body)


def _iterator_head(op: Operation, is_async: bool, params: str = "", body: str = ":") -> str:
    assert op.paging is not None
    returns = f"{'AsyncIterator' if is_async else 'Iterator'}[{op.paging.item}]"
    call = Call(op.paging.method(op.http_method), [Code("self"), _unpack(params or op.params_class.name)])
    return source.function("def ", call, returns, 1, body)


def _unpack(params: str) -> Call:
    return Call("**kwargs: Unpack", [Code(params)], brackets="[]")


def _iterator(op: Operation, is_async: bool) -> str:
    """A list operation's auto-paging iterator: `for item in ….iter(...)` (`async for` on the async twin)."""
    assert op.paging is not None
    paging = op.paging
    head = _iterator_head(op, is_async)
    moves = "page number" if paging.by_page else "offset"
    total = f" (`{paging.total}`)" if paging.total else ""
    doc = (
        f"Every item of `{paging.items}`, page after page.\n\n`{paging.position}` is the {moves} (from the one given), "
        f"`{paging.size}` the page size.\nStops at an empty or short page, the total{total}, or a page that repeats."
    )
    call = Call("self._pages", [Code(op.endpoint), Code("kwargs"), Call("Paging", kwargs=paging.runtime)])
    return "\n".join([head, f"{source.INDENT * 2}{source.docstring(doc, 2)}", source.statement("return ", call, 2)])


def _nodes_table(api: Api) -> dict[str, str]:
    """`_tree.NODES`: call path -> "class name;module:resource class ...;segment=attribute ..."."""
    for node in api.nodes:
        if set(node.segment) & set(" ;="):
            raise CodegenError(f"{node.call_path}: a path segment with a space, `;` or `=` cannot go in the tree table")
    return {
        node.call_path: ";".join(
            [
                node.class_name,
                " ".join(f"{module}:{name}" for module, name in node.mixins),
                " ".join(f"{child.segment}={child.attribute}" for child in node.children),
            ]
        )
        for node in api.nodes
    }


def _stub_groups(api: Api) -> dict[str, list[Node]]:
    """Stub module (in the package) -> the tree nodes it declares: the root's children in `_tree`, and the subtree of
    each of their children (`v3/pay`, `v2/secapi`, ...) in a `_nodes` module of its own. A checker parses the modules
    a stub imports when it reads the stub: so a script reaching `v3/pay` costs the spec modules of `v3/pay` only."""
    groups = {"_tree": list(api.root.children)}
    for top in api.root.children:
        for group in top.children:
            module = f"_nodes.{snake(group.class_name)}"
            if module in groups:
                raise CodegenError(f"{group.call_path}: its stub module {module} is another group's too")
            groups[module] = list(group.walk())
    return groups


def _stub_imports(api: Api, nodes: list[Node], home: Mapping[str, str], here: str) -> list[tuple[str, list[str]]]:
    """(module, classes) the stub `here` of `nodes` may name: their resource classes, the arguments, answers and page
    items of the operations `client.chain(path)` reaches, and the children declared in another stub."""
    chained = _chain_names(api)
    names: dict[str, set[str]] = defaultdict(set)
    for node in nodes:
        for module, class_name in node.mixins:
            names[f"_specs.{module}"].update((class_name, f"Async{class_name}"))
        for module, spec_names in chained.get(node.call_path, {}).items():
            names[f"_specs.{module}"].update(spec_names)
        for child in node.children:
            if home[child.call_path] != here:
                names[home[child.call_path]].update((child.class_name, f"Async{child.class_name}"))
    return [(_relative(module, here), sorted(names[module])) for module in sorted(names)]


def _chain_names(api: Api) -> dict[str, dict[str, set[str]]]:
    """Call path -> spec module -> what its `client.chain(path)` class names from the module."""
    names: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for spec in api.modules:
        defined = {cls.name for cls in spec.classes}
        for op in (op for resource in spec.resources for op in resource.operations):
            used = names[op.call_path][spec.module]
            used.add(_chain_params(op))
            used.update({op.returns, op.paging.item if op.paging else ""} & defined)
    return names


def _relative(module: str, here: str) -> str:
    """`module` (in the package) as a stub module `here` imports it: `._specs.x` from `_tree`, `.._specs.x` below."""
    return "." * (here.count(".") + 1) + module


def _chain_params(op: Operation) -> str:
    """What the operation takes through `client.chain(path)`: with the path's parameters, if it has any."""
    return (op.path_params_class or op.params_class).name


def _chained_class(node: Node) -> str:
    """What `client.chain(path)` returns for a node with operations (the async one is `Async` + it)."""
    return node.chain_class or node.class_name


def _chain_imports(nodes: list[Node], home: Mapping[str, str]) -> list[tuple[str, list[str]]]:
    """(stub module, the classes `chain` returns for `nodes` from it, sync and async): what `_paths.pyi` imports."""
    names: dict[str, set[str]] = defaultdict(set)
    for node in nodes:
        names[home[node.call_path]].update(prefix + _chained_class(node) for prefix in ("", "Async"))
    return [(_relative(module, "_paths"), sorted(names[module])) for module in sorted(names)]


def _chain_methods(operations: list[Operation], is_async: bool) -> list[str]:
    """The stub's methods of `client.chain(path)` for the path's `operations`: its parameters required arguments."""
    methods = []
    for op in operations:
        methods.append(_signature(op, is_async, _chain_params(op), ": ..."))
        if op.paging:
            methods.append(_iterator_head(op, is_async, _chain_params(op), ": ..."))
    return methods


def _call(op: Operation, is_async: bool) -> str:
    call = Call("self._call", [Code(op.endpoint), Code("kwargs")])
    return source.statement("return await " if is_async else "return ", call, 2)


def _class_head(name: str, bases: list[str]) -> str:
    return source.statement("class ", Call(name, [Code(base) for base in bases]), 0, ":")


def _method_doc(op: Operation) -> str:
    """Summary, description, doc link; the arguments are documented on the Params TypedDict."""
    link = f"Docs: {op.doc_url}" if op.doc_url else ""
    redirect = "Returns the URL to send the user's browser to (built and signed here; nothing is sent)."
    returns = redirect if dict(op.runtime).get("redirect") else ""
    parts = [op.summary, op.description, link, f"Arguments: `{op.params_class.name}`.", returns]
    return "\n\n".join(part for part in parts if part)


def _render(env: jinja2.Environment, template: str, context: Mapping[str, object], origin: str | None = None) -> str:
    """The template with its header comment; `origin` (a spec's path, from a page's name) is made one line, so
    no name can end the comment and start code."""
    header = (
        f"Generated by wechatpay-codegen from {source.one_line(origin)}" if origin else "Generated by wechatpay-codegen"
    )
    try:
        return env.get_template(template).render(header=f"{header} — do not edit.", **context)
    except jinja2.TemplateError as exc:
        raise CodegenError(f"{template}: {exc}") from None
    except SyntaxError as exc:  # `import_block` reads the module's own code: a hand-edited spec can break it
        problem = f"the generated code is not valid Python ({exc.msg}, line {exc.lineno})"
        raise CodegenError(f"{origin or template}: {problem}") from None


def _render_module(env: jinja2.Environment, module: SpecModule, options: GenerateOptions) -> str:
    """A spec's module sees only its own typed view (and the options): so it can be rendered on its own."""
    return _render(
        env, "spec.py.jinja", {"module": module, "options": options, "package": options.package}, module.source
    )


def _render_global(env: jinja2.Environment, api: Api, options: GenerateOptions) -> Iterator[tuple[str, str]]:
    """The files made from the whole API but the tree's: package root, client, registries, api.md."""
    package = options.package
    yield "pyproject.toml", _render(env, "pyproject.toml.jinja", _context(api, options))
    for template in (
        "__init__.py",
        "_core.py",
        "_validation.py",
        "_client.py",
        "_paths.py",
        "models.py",
        "webhooks.py",
        "testing.py",
    ):
        yield f"{package}/{template}", _render(env, f"{template}.jinja", _context(api, options))
    yield f"{package}/api.md", _render(env, "api.md.jinja", _context(api, options, calls=list(calls(api))))
    yield f"{package}/py.typed", ""
    yield f"{package}/_specs/__init__.py", _render(env, "__init__.py.jinja", _context(api, options, folder="_specs"))


def _render_tree(env: jinja2.Environment, api: Api, options: GenerateOptions) -> dict[str, str]:
    """The files made from the client tree alone (`api.root`): its table and the type stubs of the tree and paths."""
    package = options.package
    groups = _stub_groups(api)
    home = {node.call_path: module for module, nodes in groups.items() for node in nodes}
    targets = _operation_nodes(api)
    files = {
        f"{package}/_tree.py": _render(env, "_tree.py.jinja", _context(api, options)),
        f"{package}/_paths.pyi": _render(
            env,
            "_paths.pyi.jinja",
            _context(api, options, targets=targets, chain_imports=_chain_imports(targets, home)),
        ),
        f"{package}/_nodes/__init__.pyi": _render(env, "__init__.py.jinja", _context(api, options, folder="_nodes")),
    }
    operations = _by_path(api)
    for module, nodes in groups.items():
        template = "_tree.pyi.jinja" if module == "_tree" else "_nodes.pyi.jinja"
        imports = _stub_imports(api, nodes, home, module)
        context = _context(api, options, nodes=nodes, operations=operations, imports=imports)
        files[f"{package}/{module.replace('.', '/')}.pyi"] = _render(env, template, context)
    return files


def _context(api: Api, options: GenerateOptions, **more: object) -> dict[str, object]:
    return {"api": api, "options": options, "package": options.package, **more}


def _by_path(api: Api) -> dict[str, list[Operation]]:
    """Call path -> its operations, in the order of their spec modules."""
    found: dict[str, list[Operation]] = defaultdict(list)
    for op in api.operations:
        found[op.call_path].append(op)
    return found


def _operation_nodes(api: Api) -> list[Node]:
    return [node for node in api.nodes if node.mixins]


def calls(api: Api) -> Iterator[tuple[str, Operation]]:
    """(attribute-chain call form, operation) for every operation, in tree order: the lines of api.md."""
    operations: dict[tuple[str, str], Operation] = {(op.call_path, op.name): op for op in api.operations}

    def walk(node: Node, chain: str) -> Iterator[tuple[str, Operation]]:
        for method in ("get", "post", "put", "patch", "delete"):
            if (node.call_path, method) in operations:
                yield f"{chain}.{method}", operations[node.call_path, method]
        for child in node.children:
            step = f"{child.attribute}({child.placeholder})" if child.placeholder else child.attribute
            yield from walk(child, f"{chain}.{step}")

    yield from walk(api.root, "client")


def runtime_files(options: GenerateOptions) -> dict[str, str]:
    """The hand-written runtime, copied verbatim into `<package>/_runtime/`."""
    if not options.runtime.is_dir():
        raise CodegenError(f"{options.runtime}: no such runtime folder")
    return {
        f"{options.package}/_runtime/{path.name}": path.read_text(encoding="utf-8")
        for path in sorted(options.runtime.glob("*.py"))
    }


def format_python(files: Mapping[str, str], workers: int | None = None) -> dict[str, str]:
    """`files` with every generated .py/.pyi black-formatted (the copied runtime is left as written)."""
    formatted = dict(files)
    formatted.update(format_each(python_sources(files), workers))
    return formatted


def python_sources(files: Mapping[str, str]) -> list[tuple[str, str]]:
    """The files black formats: the generated .py/.pyi, not the copied runtime."""
    return [(path, text) for path, text in files.items() if path.endswith((".py", ".pyi")) and "/_runtime/" not in path]


def format_each(todo: list[tuple[str, str]], workers: int | None = None) -> Iterator[tuple[str, str]]:
    """Each (path, text) of `todo` black-formatted, a chunk at a time as they finish, on `workers` processes (one
    per core by default): the one pool black runs in."""
    chunks = [todo[i : i + _CHUNK] for i in range(0, len(todo), _CHUNK)]
    workers = min(workers or os.cpu_count() or 1, len(chunks))
    if workers <= 1:
        for chunk in chunks:
            yield from _format_chunk(chunk)
        return
    with ProcessPoolExecutor(workers) as pool:
        for future in as_completed([pool.submit(_format_chunk, chunk) for chunk in chunks]):
            yield from future.result()


def _format_chunk(chunk: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(path, _format(path, text)) for path, text in chunk]


def _format(path: str, text: str) -> str:
    try:
        return black.format_str(text, mode=PYI_MODE if path.endswith(".pyi") else BLACK_MODE)
    except InvalidInput as exc:
        raise CodegenError(f"{path}: the generated code is not valid Python ({exc})") from None


def write_tree(files: Mapping[str, str], out_dir: Path) -> None:
    """Write `files` as the whole of `out_dir`: rendered into a sibling temp folder, then swapped in.

    Readers see either the old tree or the new one, never a half-written mix.
    """
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        for relative, text in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        _swap(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap(staging: Path, out_dir: Path) -> None:
    """Two renames: the old tree moves aside, the new one takes its name, the old one is removed."""
    retired = staging.with_name(staging.name + ".old")
    if out_dir.exists():
        out_dir.rename(retired)
    staging.rename(out_dir)
    shutil.rmtree(retired, ignore_errors=True)
