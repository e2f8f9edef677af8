"""Prints the loader's and the bundles' sizes: raw, gzip (level 9) and brotli."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import brotli

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "server"))

from porch.paths import widget_dir
from porch.widget import bundle


def row(name: str, body: bytes) -> str:
    sizes = (len(body), len(gzip.compress(body, 9)), len(brotli.compress(body)))
    return f"{name:<14}" + "".join(f"{s:>12,}" for s in sizes)


def main() -> None:
    root = widget_dir()
    print(f"{'asset':<14}{'raw':>12}{'gzip':>12}{'brotli':>12}")
    print(row("porch.js", (root / "loader" / "porch.js").read_bytes()))
    print(row("widget.js", bundle.build("widget", root, ["porch_sio", "porch_widget"]).js))
    print(row("panel.js", bundle.build("panel", root, ["porch_sio", "porch_panel"]).js))
    print(row("brython.js", (bundle.BRYTHON_DATA / "brython.js").read_bytes()))


if __name__ == "__main__":
    main()
