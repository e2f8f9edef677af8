"""Our Brython modules compiled to JavaScript ahead of time (`widget/precompiled.json`).

Brython compiles Python to JavaScript in the browser. For a first visit that was most of
the widget's start-up: a long task of 250–450 ms at 1× CPU, blocking the host page when
the chat shares its site (docs/performance.md). Brython can also run a module from
JavaScript compiled earlier (`__BRYTHON__.precompiled`, what its IndexedDB cache holds
after a first visit), so we ship every visitor what a second visit would have had.

`scripts/precompile-widget` compiles each `.py` module of the bundles with the pinned
Brython in Chromium and records it with its source's digest. A module whose source has
changed since is shipped as source only (Brython compiles it, as before), and a test
fails until the file is regenerated.
"""

from __future__ import annotations

import ast
import hashlib
import json
from functools import cache
from pathlib import Path

from porch.embed import minified

FILE_NAME = "precompiled.json"


def source_digest(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()


@cache
def runtime_digest() -> str:
    """Which `brython.js` compiled code belongs to (it runs only on the runtime that made it)."""
    from porch.embed.bundle import BRYTHON_DATA  # bundle imports this module

    return source_digest((BRYTHON_DATA / "brython.js").read_text(encoding="utf-8"))


@cache
def load(root: Path) -> dict[str, dict[str, str]]:
    """`{module: {"source": digest, "js": compiled}}`; empty when missing or made for
    another `brython.js`."""
    path = root / FILE_NAME
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("runtime") != runtime_digest():
        return {}
    modules: dict[str, dict[str, str]] = data["modules"]
    return modules


def without_docstrings(source: str) -> str:
    """`source` with every docstring emptied but its lines kept (a string of as many line
    breaks), what `scripts/precompile-widget` compiles: the compiled code keeps the
    source's line numbers for tracebacks and drops text no browser reads (about 6 KB of
    the widget bundle, brotli)."""
    tree = ast.parse(source)
    raw = source.encode()
    starts = [0]
    for line in raw.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    spans = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        first = node.body[0] if node.body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            doc = first.value
            if isinstance(doc.value, str) and doc.end_lineno and doc.end_col_offset is not None:
                start = starts[doc.lineno - 1] + doc.col_offset  # offsets count UTF-8 bytes
                end = starts[doc.end_lineno - 1] + doc.end_col_offset
                spans.append((start, end, doc.end_lineno - doc.lineno))
    for start, end, breaks in sorted(spans, reverse=True):
        raw = raw[:start] + b'"""' + b"\n" * breaks + b'"""' + raw[end:]
    return raw.decode()


def compiled_for(sources: dict[str, str], root: Path) -> dict[str, str]:
    """The compiled JavaScript of each module (name → source) that has a fresh one."""
    known = load(root)
    return {
        name: known[name]["js"]
        for name, source in sources.items()
        if name in known and known[name]["source"] == source_digest(source)
    }


def script(compiled: dict[str, str]) -> str:
    """JavaScript that hands Brython the compiled modules (minified), to run after
    `brython.js`."""
    if not compiled:
        return ""
    small = {name: minified.javascript(js) for name, js in sorted(compiled.items())}
    body = json.dumps(small, separators=(",", ":"))
    # Nothing is left to compile, so Brython's IndexedDB cache would only cost start-up time.
    return (
        "__BRYTHON__.brython_options.indexeddb=false;\n"
        f"Object.assign(__BRYTHON__.precompiled,{body});\n"
    )
