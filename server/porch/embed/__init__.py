"""Embedding the chat on a host site: the loader, the Brython bundles, the iframe page, and the
visitor session route (the widget itself is the Python under `widget/`).

Like every feature package, this `__init__` holds only `install`, which imports the
feature's modules when called: importing one module of a feature never drags in the rest
(and so never makes an import cycle through a package).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from porch.services import Services


def install(services: Services) -> None:
    from porch.embed import assets, forms, session

    services.routes += [*assets.routes(services, services.assets), *session.routes(services)]
    forms.attach(services)
    services.assets.cache_dir = services.config.data_dir / "cache"  # best brotli, kept
