"""`pip install .` gives a working server: build the wheel, install it outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.live_server import free_port
from tests.support.processes import REPO, wait_for_http


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        check=True,
        timeout=300,
    )
    return next(out.glob("porch-*.whl"))


def test_wheel_ships_server_widget_migrations_and_templates(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in [
        "porch/app.py",
        "porch/_widget/loader/porch.js",
        "porch/_widget/porch_sio/client.py",
        "porch/_widget/porch_widget/main.py",
        "porch/_widget/precompiled.json",
        "porch/db/migrations/env.py",
        "porch/db/migrations/versions/0001_core_chat_tables.py",
        "porch/panel/templates/login.html",
        "porch/embed/templates/frame.html",
        "porch/demo/templates/storefront.html",
        "porch/bot/templates/bot.html",
        "porch/bot/demo_kb/shipping.md",
    ]:
        assert expected in names, f"{expected} missing from {wheel.name}"
    assert not any(name.startswith("tests/") for name in names)


def test_installed_wheel_serves_widget_and_demo(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    port = free_port()
    # The wheel's copy comes first on the path; the checkout's server/ is not on it at all.
    env = {**os.environ, "PYTHONPATH": str(target)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "porch", "demo", "--data", str(tmp_path / "d"), "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        assert b"data-site=" in wait_for_http(f"{base}/demo")
        assert b"Porch" in wait_for_http(f"{base}/widget/porch.js")
        bundle = wait_for_http(f"{base}/widget/assets/widget.js")
        assert b"porch_widget" in bundle
        assert b"__BRYTHON__.precompiled" in bundle  # compiled ahead, not in the browser
        module = subprocess.run(
            [sys.executable, "-c", "import porch; print(porch.__file__)"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        )
        assert module.stdout.startswith(str(target))
    finally:
        proc.terminate()
        proc.wait(timeout=15)
