"""Brython's runtime as the frame and the panel get it: `brython.js` of the pinned
package, less the help texts of Python's builtins, minified (`porch.embed.minified`).

The help texts (`int.__doc__`, what `help(int)` prints) are 30 KB that brython.js assigns
in its last lines, 6 KB brotli once minified; no page of ours reads them. They go only if
both lines are found as Brython 3.15 writes them, else the runtime is served whole.
"""

from __future__ import annotations

from porch.embed import minified
from porch.embed.bundle import BRYTHON_DATA

HELP_TEXTS = "var docs={"
HELP_APPLIED = "for(var key in docs){"


def without_help_texts(source: str) -> str:
    lines = source.split("\n")
    kept = [line for line in lines if not line.startswith((HELP_TEXTS, HELP_APPLIED))]
    return "\n".join(kept) if len(lines) - len(kept) == 2 else source


def brython_js() -> bytes:
    """What `/widget/assets/brython.js` serves (0.1 s to build, once per process)."""
    source = (BRYTHON_DATA / "brython.js").read_text(encoding="utf-8")
    return minified.javascript(without_help_texts(source)).encode()
