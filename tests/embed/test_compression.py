"""The large widget assets get brotli's best quality in the background, kept on disk: the
first requests are served at once (quality 9), later ones and later starts smaller."""

from __future__ import annotations

from pathlib import Path

import brotli

from porch.embed.assets import WidgetAssets
from porch.paths import widget_dir


async def test_brython_gets_the_best_brotli_once_and_keeps_it(tmp_path: Path) -> None:
    assets = WidgetAssets(widget_dir(), cache_dir=tmp_path)
    first = assets.brython
    await assets.improve("brython")
    improved = assets.brython
    assert improved.body == first.body and improved.digest == first.digest
    assert len(improved.br) < len(first.br) - 15_000
    assert brotli.decompress(improved.br) == first.body
    assert [p.name for p in tmp_path.iterdir()] == [f"brython-{first.digest}.br"]

    restarted = WidgetAssets(widget_dir(), cache_dir=tmp_path)
    assert restarted.brython.br == improved.br  # no waiting after a restart
    await restarted.improve("brython")  # nothing left to do
    assert len(list(tmp_path.iterdir())) == 1


async def test_without_a_cache_dir_nothing_changes() -> None:
    assets = WidgetAssets(widget_dir())
    before = assets.loader
    assets.improve_soon("loader")
    assert assets.loader is before
