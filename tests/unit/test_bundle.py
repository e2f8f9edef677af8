"""The Brython bundler: our packages plus only the stdlib modules they need."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from porch.paths import widget_dir
from porch.widget import bundle


def vfs_of(built: bundle.Bundle) -> dict:
    text = built.js.decode()
    start, end = text.index("update_VFS(") + len("update_VFS("), text.rindex(");")
    assert text.startswith("__BRYTHON__.use_VFS=true;")
    return json.loads(text[start:end])


def write(root: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return root


def test_widget_bundle_holds_our_modules_and_no_stray_stdlib() -> None:
    built = bundle.build("widget", widget_dir(), ["porch_sio", "porch_widget"])
    vfs = vfs_of(built)
    assert {"porch_sio", "porch_sio.client", "porch_sio.packets", "porch_widget.main"} <= set(vfs)
    assert vfs["porch_sio"][3] == 1  # packages carry the package flag
    assert "_json" in vfs  # the native JSON codec the client imports
    assert not {"json", "re", "typing", "browser", "javascript"} & set(vfs)
    assert len(built.js) < 200_000


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
