"""What the frame downloads is minified once, when built: Brython's runtime and our
precompiled modules (the bytes a visitor waits for when opening the chat)."""

from __future__ import annotations

import json

import pytest

from porch.embed import bundle, minified, runtime
from porch.embed.assets import WIDGET_PACKAGES, WidgetAssets
from porch.paths import widget_dir
from tests.embed.test_bundle import precompiled_of, vfs_of


def test_locals_are_renamed_and_globals_kept() -> None:
    source = (
        "function greet(longName) {\n  var message = 'hi ' + longName; // a comment\n"
        "  return message;\n}\n"
    )
    small = minified.javascript(source)
    assert "greet(" in small and "comment" not in small
    assert "longName" not in small and "message" not in small
    assert len(small) < len(source) / 2


@pytest.mark.parametrize("script", ["var = ;", 'var a = "\x00";'])
def test_a_script_it_cannot_minify_whole_is_refused(script: str) -> None:
    with pytest.raises(minified.MinifyError):
        minified.javascript(script)


def test_brythons_runtime_is_served_minified() -> None:
    raw = (bundle.BRYTHON_DATA / "brython.js").read_bytes()
    served = WidgetAssets(widget_dir()).brython.body
    assert len(served) < 0.75 * len(raw)
    assert b"__BRYTHON__" in served


def test_compiled_modules_ship_minified_and_without_their_source() -> None:
    built = bundle.build("widget", widget_dir(), WIDGET_PACKAGES)
    compiled = precompiled_of(built)
    vfs = vfs_of(built)
    assert "porch_widget.app" in compiled
    assert "\n  " not in compiled["porch_widget.app"]  # no indentation left
    assert vfs["porch_widget.app"][1] == ""  # Brython runs the compiled code instead
    assert vfs["porch_widget.app"][2]  # its imports are still listed
    assert len(json.dumps(compiled)) < 700_000


def test_the_runtime_leaves_out_only_the_builtins_help_texts() -> None:
    source = (bundle.BRYTHON_DATA / "brython.js").read_text(encoding="utf-8")
    kept = runtime.without_help_texts(source)
    assert "var docs={" not in kept and "for(var key in docs)" not in kept
    assert len(source) - len(kept) < 40_000  # those two lines, nothing else
    assert runtime.without_help_texts("var x = 1\n") == "var x = 1\n"  # not found: all kept
