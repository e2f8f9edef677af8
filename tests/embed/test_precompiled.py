"""What `scripts/precompile-widget` compiles: the source without its docstrings, on the
same lines (tracebacks from compiled code point at the real source)."""

from __future__ import annotations

import ast

from porch.embed import precompiled

SOURCE = '''"""The module.

Two lines of text."""
x = "kept"


class Thing:
    """A thing."""

    def go(self) -> str:
        r"""Goes, with a ünïcode word."""
        return "gone"  # line 12


def only_doc() -> None:
    """Nothing else."""
'''


def test_docstrings_are_emptied_on_the_same_lines() -> None:
    stripped = precompiled.without_docstrings(SOURCE)
    assert len(stripped.splitlines()) == len(SOURCE.splitlines())
    assert stripped.splitlines()[11] == '        return "gone"  # line 12'
    assert "module" not in stripped and "thing" not in stripped and "ünïcode" not in stripped
    assert 'x = "kept"' in stripped
    tree = ast.parse(stripped)
    assert ast.get_docstring(tree, clean=False) == "\n\n"
    namespace: dict[str, object] = {}
    exec(compile(stripped, "t.py", "exec"), namespace)
    assert namespace["Thing"]().go() == "gone"  # type: ignore[operator]


def test_a_source_without_docstrings_is_unchanged() -> None:
    source = "x = 1\n\n\ndef f():\n    return x\n"
    assert precompiled.without_docstrings(source) == source
