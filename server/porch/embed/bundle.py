"""Builds Brython bundles: our Python packages plus only the stdlib modules they import.

A bundle is a script in Brython's Virtual File System format (what `brython_modules.js`
looks like):

    __BRYTHON__.use_VFS = true;
    __BRYTHON__.update_VFS({"$timestamp": N, "pkg.mod": [".py", source, [imports]], ...});

Entries are `[ext, source, imports]`, with a fourth element `1` for packages. Our modules'
imports are found with `ast`; stdlib entries come from `brython_stdlib.js`, which already
lists each module's imports, so their closure is a graph walk. A module that ships
compiled (`porch.embed.precompiled`) ships without its source, which Brython would only
quote in tracebacks (they still name the file and line); one that must be compiled in the
browser ships its source as written.
"""

from __future__ import annotations

import ast
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

import brython

from porch.embed import precompiled

BRYTHON_DATA = Path(brython.__file__).resolve().parent / "data"

# Modules that brython.js defines itself: never taken from the stdlib VFS, whose empty
# `browser` package would otherwise shadow the real one.
CORE_MODULES = frozenset(
    {"browser", "browser.html", "browser.aio", "javascript", "builtins", "_sys", "_suggestions"}
)

Entry = list[Any]  # [ext, source, imports] or [ext, source, imports, 1]


class BundleError(Exception):
    """A bundled module imports something that neither we nor Brython provide."""


@dataclass(frozen=True)
class Bundle:
    name: str
    js: bytes
    digest: str
    modules: tuple[str, ...]


@dataclass(frozen=True)
class Source:
    name: str
    text: str
    is_package: bool


@cache
def stdlib_vfs() -> dict[str, Entry]:
    """The entries of Brython's `brython_stdlib.js` (parsed once; it is 5 MB)."""
    text = (BRYTHON_DATA / "brython_stdlib.js").read_text(encoding="utf-8")
    start = text.index("{", text.index("var scripts"))
    end = text.rindex("__BRYTHON__.update_VFS")
    entries: dict[str, Entry] = json.loads(text[start:end].strip().rstrip(";"))
    entries.pop("$timestamp", None)
    return entries


def find_sources(root: Path, packages: Iterable[str]) -> dict[str, Source]:
    """Every `.py` file under each package folder that exists, by dotted module name."""
    sources: dict[str, Source] = {}
    for package in packages:
        folder = root / package
        if not (folder / "__init__.py").is_file():
            continue
        for path in sorted(folder.rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            is_package = parts[-1] == "__init__"
            name = ".".join(parts[:-1] if is_package else parts)
            sources[name] = Source(name, path.read_text(encoding="utf-8"), is_package)
    return sources


def imported_names(source: Source) -> set[str]:
    """Absolute names of modules (and candidate submodules) that `source` imports.

    Imports under `if TYPE_CHECKING:` are for type checkers only and are skipped.
    """
    tree = ast.parse(source.text, filename=source.name)
    names: set[str] = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(source, node.module, node.level)
            if base == "__future__":
                continue
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return names


def _runtime_nodes(tree: ast.AST) -> Iterable[ast.AST]:
    stack = [tree]
    while stack:
        node = stack.pop()
        if _is_type_checking_block(node):
            stack.extend(node.orelse)  # type: ignore[attr-defined]
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def _is_type_checking_block(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _absolute(source: Source, module: str | None, level: int) -> str:
    if level == 0:
        return module or ""
    package = source.name.split(".") if source.is_package else source.name.split(".")[:-1]
    if level - 1 > len(package) - 1:
        raise BundleError(f"{source.name}: relative import beyond the top-level package")
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, module] if module else base)


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def resolve(sources: dict[str, Source], vfs: dict[str, Entry]) -> dict[str, Entry]:
    """VFS entries for our sources and the transitive closure of what they import."""
    entries: dict[str, Entry] = {}
    for source in sources.values():
        wanted = imported_names(source)
        imports = sorted(n for n in wanted if n in sources or n in vfs or n in CORE_MODULES)
        for name in wanted:
            _check_known(source, name, sources, vfs)
        entry: Entry = [".py", source.text, imports]
        if source.is_package:
            entry.append(1)
        entries[source.name] = entry
        for name in imports:
            _add_stdlib(name, vfs, entries)
    return entries


def _check_known(
    source: Source, name: str, sources: dict[str, Source], vfs: dict[str, Entry]
) -> None:
    if name in sources or name in vfs or name in CORE_MODULES:
        return
    parent = name.rpartition(".")[0]
    # `from pkg import attr` adds "pkg.attr" as a candidate: fine when pkg is known.
    if parent and (parent in sources or parent in vfs or parent in CORE_MODULES):
        return
    raise BundleError(f"{source.name} imports {name!r}, which Brython does not provide")


def _add_stdlib(name: str, vfs: dict[str, Entry], entries: dict[str, Entry]) -> None:
    stack = [name]
    while stack:
        current = stack.pop()
        if current in entries or current in CORE_MODULES or current not in vfs:
            continue
        entry = vfs[current]
        entries[current] = entry
        if entry[0] == ".py":
            stack.extend(entry[2])
        stack.extend(_parents(current))


def render(name: str, entries: dict[str, Entry], compiled: dict[str, str] | None = None) -> Bundle:
    """The bundle script; `compiled`: modules' JavaScript compiled ahead of time (see
    `porch.embed.precompiled`), which Brython then runs instead of compiling them."""
    compact = partial(json.dumps, sort_keys=True, separators=(",", ":"))
    content = compact([entries, compiled or {}])
    digest = hashlib.sha256(content.encode()).hexdigest()[:16]
    # The timestamp keys Brython's compiled-module cache; a content hash keeps it honest.
    body = compact({"$timestamp": int(digest[:12], 16), **entries})
    js = f"__BRYTHON__.use_VFS=true;\n__BRYTHON__.update_VFS({body});\n"
    js += precompiled.script(compiled or {})
    return Bundle(name, js.encode(), digest, tuple(sorted(entries)))


def python_sources(entries: dict[str, Entry]) -> dict[str, str]:
    """The Python source of each `.py` module in a bundle (what Brython would compile)."""
    return {name: entry[1] for name, entry in entries.items() if entry[0] == ".py"}


def build(name: str, root: Path, packages: Iterable[str]) -> Bundle:
    """Bundle the given packages found under `root` (missing packages are skipped), with
    the precompiled JavaScript of every module that has a fresh one."""
    entries = resolve(find_sources(root, packages), stdlib_vfs())
    return _compiled_render(name, entries, root)


def _compiled_render(name: str, entries: dict[str, Entry], root: Path) -> Bundle:
    compiled = precompiled.compiled_for(python_sources(entries), root)
    return render(name, without_sources(entries, compiled), compiled)


def without_sources(entries: dict[str, Entry], compiled: dict[str, str]) -> dict[str, Entry]:
    """The entries with an empty source for every module that ships compiled: Brython runs
    the compiled code and reads the source only to quote lines in tracebacks."""
    return {
        key: [entry[0], "", *entry[2:]] if key in compiled else entry
        for key, entry in entries.items()
    }


def build_extra(name: str, root: Path, base: Iterable[str], packages: Iterable[str]) -> Bundle:
    """A bundle loaded after the `base` one, when first needed: the modules of `packages`
    and whatever they import that the base bundle lacks (Brython merges VFS scripts)."""
    base = tuple(base)
    shipped = resolve(find_sources(root, base), stdlib_vfs())
    both = resolve(find_sources(root, (*base, *packages)), stdlib_vfs())
    entries = {key: entry for key, entry in both.items() if key not in shipped}
    return _compiled_render(name, entries, root)
