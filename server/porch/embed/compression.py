"""Brotli at its best quality (11) for the large assets, brython.js and the widget bundle,
without making anyone wait for it: 8 s of CPU for brython.js, so the first requests get
quality 9 (a tenth of a second, about 10% larger) while a worker thread (brotli releases
the GIL) compresses at 11 once; the result is kept in `<data dir>/cache/`, so later starts
serve it at once. Saves 23 KB on brython.js and about 10 KB on the widget bundle."""

from __future__ import annotations

import os
from pathlib import Path

import brotli
from starlette.concurrency import run_in_threadpool

BEST = 11


def _path(cache_dir: Path, name: str, digest: str) -> Path:
    return cache_dir / f"{name}-{digest}.br"


def cached(cache_dir: Path, name: str, digest: str) -> bytes | None:
    """The best compression kept from an earlier run, if any."""
    try:
        return _path(cache_dir, name, digest).read_bytes()
    except OSError:
        return None


async def best(cache_dir: Path, name: str, digest: str, body: bytes) -> bytes:
    """Compress at quality 11 off the event loop and keep it (written whole, then renamed,
    so a crash never leaves half a file to serve)."""
    compressed: bytes = await run_in_threadpool(brotli.compress, body, quality=BEST)
    path = _path(cache_dir, name, digest)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(compressed)
        partial.replace(path)
    except OSError:
        pass  # a read-only data dir: served from memory for this process only
    return compressed
