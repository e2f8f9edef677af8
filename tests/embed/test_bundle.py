"""The Brython bundler: our packages plus only the stdlib modules they need."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from porch.embed import bundle, precompiled
from porch.embed.assets import LAZY_PACKAGES, PANEL_PACKAGES, WIDGET_PACKAGES
from porch.paths import widget_dir


def vfs_of(built: bundle.Bundle) -> dict:
    text = built.js.decode()
    start = text.index("update_VFS(") + len("update_VFS(")
    end = text.index(");\n", start)  # JSON escapes newlines, so this ends the call
    assert text.startswith("__BRYTHON__.use_VFS=true;")
    return json.loads(text[start:end])


def precompiled_of(built: bundle.Bundle) -> dict[str, str]:
    text = built.js.decode()
    marker = "Object.assign(__BRYTHON__.precompiled,"
    if marker not in text:
        return {}
    start = text.index(marker) + len(marker)
    return json.loads(text[start : text.index(");\n", start)])


def write(root: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return root


def test_widget_bundle_holds_our_modules_and_no_stray_stdlib() -> None:
    built = bundle.build("widget", widget_dir(), WIDGET_PACKAGES)
    vfs = vfs_of(built)
    assert {"porch_sio", "porch_sio.client", "porch_sio.packets", "porch_widget.main"} <= set(vfs)
    assert {"porch_ui", "porch_ui.dom", "porch_ui.outbox"} <= set(vfs)  # the shared kit
    assert vfs["porch_sio"][3] == 1  # packages carry the package flag
    assert not {"json", "re", "typing", "browser", "javascript"} & set(vfs)
    assert len(json.dumps(vfs)) < 200_000


@pytest.mark.parametrize(
    "name, packages, entry",
    [
        ("widget", WIDGET_PACKAGES, "porch_widget.main"),
        ("panel", PANEL_PACKAGES, "porch_panel.main"),
    ],
)
def test_bundles_hold_only_what_their_entry_point_imports(
    name: str, packages: tuple[str, ...], entry: str
) -> None:
    """Every package listed ships whole, so the shared kit (`porch_ui`) must hold only
    modules that both the widget and the panel import."""
    vfs = vfs_of(bundle.build(name, widget_dir(), packages))
    vfs.pop("$timestamp")
    reached: set[str] = set()
    stack = [entry]
    while stack:
        module = stack.pop()
        if module in reached or module not in vfs:
            continue
        reached.add(module)
        stack.extend(vfs[module][2] if vfs[module][0] == ".py" else [])
        parts = module.split(".")
        stack.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # its packages
    assert sorted(set(vfs) - reached) == []


def test_socket_client_uses_the_browsers_json() -> None:
    """Brython's `_json` garbles text outside the BMP (porch_sio/jsontext.py)."""
    vfs = vfs_of(bundle.build("sio", widget_dir(), ["porch_sio"]))
    assert "porch_sio.jsontext" in vfs and "_json" not in vfs


def test_stdlib_closure_and_type_checking_imports(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/main.py": (
                "from browser import timer\nfrom . import util\n"
                "TYPE_CHECKING = False\nif TYPE_CHECKING:\n    import typing\n"
            ),
            "app/util.py": "import browser.timer\n",
        },
    )
    vfs = vfs_of(bundle.build("t", root, ["app", "absent_package"]))
    assert set(vfs) == {"$timestamp", "app", "app.main", "app.util", "browser.timer"}
    assert "app.util" in vfs["app.main"][2]


def test_unknown_import_is_an_error(tmp_path: Path) -> None:
    root = write(tmp_path, {"app/__init__.py": "import no_such_module\n"})
    with pytest.raises(bundle.BundleError, match="no_such_module"):
        bundle.build("t", root, ["app"])


def test_digest_follows_content(tmp_path: Path) -> None:
    root = write(tmp_path, {"app/__init__.py": "x = 1\n"})
    first = bundle.build("t", root, ["app"])
    assert bundle.build("t", root, ["app"]).digest == first.digest
    write(root, {"app/__init__.py": "x = 2\n"})
    assert bundle.build("t", root, ["app"]).digest != first.digest


@pytest.mark.parametrize("name, packages", [("widget", WIDGET_PACKAGES), ("panel", PANEL_PACKAGES)])
def test_every_python_module_ships_compiled_so_browsers_skip_brythons_compiler(
    name: str, packages: tuple[str, ...]
) -> None:
    built = bundle.build(name, widget_dir(), packages)
    modules = {key: entry for key, entry in vfs_of(built).items() if key != "$timestamp"}
    python = set(bundle.python_sources(modules))
    stale = sorted(python - set(precompiled_of(built)))
    assert not stale, f"widget/precompiled.json is stale for {stale}: run scripts/precompile-widget"
    assert "brython_options.indexeddb=false" in built.js.decode()


def test_a_module_changed_since_precompiling_ships_as_source_only(tmp_path: Path) -> None:
    root = tmp_path / "widget"
    shutil.copytree(widget_dir(), root)
    app = root / "porch_widget" / "app.py"
    app.write_text(app.read_text() + "\nEDITED = True\n")

    built = bundle.build("widget", root, WIDGET_PACKAGES)

    compiled = precompiled_of(built)
    assert "porch_widget.app" not in compiled  # Brython compiles the new source instead
    assert "porch_widget.main" in compiled
    assert vfs_of(built)["porch_widget.app"][1].endswith("EDITED = True\n")


def test_code_compiled_for_another_brython_is_not_shipped(tmp_path: Path) -> None:
    root = tmp_path / "widget"
    shutil.copytree(widget_dir(), root)
    data = json.loads((root / precompiled.FILE_NAME).read_text())
    (root / precompiled.FILE_NAME).write_text(json.dumps({**data, "runtime": "another"}))

    built = bundle.build("widget", root, WIDGET_PACKAGES)

    assert precompiled_of(built) == {}
    assert "indexeddb=false" not in built.js.decode()  # its own cache is worth having then


def test_the_lazy_bundle_ships_compiled_and_only_what_the_widget_lacks() -> None:
    built = bundle.build_extra("lazy", widget_dir(), WIDGET_PACKAGES, LAZY_PACKAGES)
    entries = {key: entry for key, entry in vfs_of(built).items() if key != "$timestamp"}
    assert {"porch_lazy.earlier", "porch_lazy.rating", "porch_lazy.consent"} <= set(entries)
    assert {"porch_lazy.viewer", "porch_media.viewer"} <= set(entries)
    assert not {m for m in entries if m.startswith("porch_widget.")}  # in the widget bundle
    widget = vfs_of(bundle.build("widget", widget_dir(), WIDGET_PACKAGES))
    assert not {m for m in widget if m.startswith(("porch_lazy.", "porch_media."))}
    assert set(bundle.python_sources(entries)) <= set(precompiled_of(built))
