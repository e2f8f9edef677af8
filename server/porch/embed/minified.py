"""JavaScript as served to the widget's frame, minified once when an asset is built.

tdewolff's minifier (Go, the PyPI wheel `tdewolff-minify`; no Node.js at install time)
drops whitespace and comments and renames local variables; global names and properties
stay, so Brython's runtime and the modules it compiled still meet on `__BRYTHON__`.
brython.js loses about 13% of its brotli size, our precompiled modules 14%
(docs/performance.md).
"""

from __future__ import annotations

import minify

JS = "application/javascript"


class MinifyError(Exception):
    """The minifier refused a script (it does not parse)."""


def javascript(source: str) -> str:
    """`source` minified; raises `MinifyError` rather than serve something broken."""
    if "\x00" in source:  # the binding returns a C string: it would end at the NUL
        raise MinifyError("a NUL character in the script")
    try:
        result: str = minify.string(JS, source)
    except minify.MinifyError as exc:
        raise MinifyError(str(exc)) from exc
    return result
