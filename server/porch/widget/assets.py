"""Routes serving the widget's static side: the loader, brython.js, our bundles, the frame.

Versioned URLs (`?v=<digest>`) are cached for a year; unversioned ones (the loader, whose
URL is pasted into sites) revalidate with an ETag. Each asset is compressed with brotli
once, when built, for browsers that accept it; the app's GZip middleware serves the rest.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import brotli
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from porch.services import Services
from porch.widget import bundle

JS = "text/javascript; charset=utf-8"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=300, must-revalidate"
WIDGET_PACKAGES = ("porch_sio", "porch_widget")
PANEL_PACKAGES = ("porch_sio", "porch_panel")
BEST_BROTLI_UP_TO = 256 * 1024
"""Brotli's best quality (11) takes seconds on brython.js (1.4 MB); larger assets use
quality 9: a tenth of a second, about 10% larger."""


@dataclass(frozen=True)
class Asset:
    body: bytes
    digest: str
    br: bytes


def _asset(body: bytes, digest: str | None = None) -> Asset:
    quality = 11 if len(body) <= BEST_BROTLI_UP_TO else 9
    return Asset(
        body,
        digest or hashlib.sha256(body).hexdigest()[:16],
        brotli.compress(body, quality=quality),
    )


def _file_asset(path: Path) -> Asset:
    return _asset(path.read_bytes())


class WidgetAssets:
    """Builds each asset once per process, on first use."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @cached_property
    def loader(self) -> Asset:
        return _file_asset(self.root / "loader" / "porch.js")

    @cached_property
    def brython(self) -> Asset:
        return _file_asset(bundle.BRYTHON_DATA / "brython.js")

    @cached_property
    def widget(self) -> Asset:
        built = bundle.build("widget", self.root, WIDGET_PACKAGES)
        return _asset(built.js, built.digest)

    @cached_property
    def panel(self) -> Asset:
        built = bundle.build("panel", self.root, PANEL_PACKAGES)
        return _asset(built.js, built.digest)

    def url(self, name: str) -> str:
        """The cache-busting URL of a named asset, for templates. Never builds: an asset
        not built yet (see `ready`) gets its plain URL, which is served revalidating."""
        built: Asset | None = self.__dict__.get(name)  # where cached_property keeps it
        path = f"/widget/assets/{name}.js"
        return path if built is None else f"{path}?v={built.digest}"

    async def ready(self, *names: str) -> None:
        """Build the named assets off the event loop (the first build parses the 5 MB
        stdlib), so that `url` is instant afterwards."""
        for name in names:
            if name not in self.__dict__:  # cached_property keeps built ones here
                await run_in_threadpool(getattr, self, name)


def serve(request: Request, asset: Asset, media_type: str = JS) -> Response:
    br = accepts_brotli(request.headers.get("accept-encoding", ""))
    etag = f'"{asset.digest}-br"' if br else f'"{asset.digest}"'  # one per representation
    versioned = request.query_params.get("v") == asset.digest
    headers = {"ETag": etag, "Cache-Control": IMMUTABLE if versioned else REVALIDATE}
    if br:
        headers["Vary"] = "Accept-Encoding"
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if br:
        headers["Content-Encoding"] = "br"
        return Response(asset.br, media_type=media_type, headers=headers)
    return Response(asset.body, media_type=media_type, headers=headers)


def accepts_brotli(accept_encoding: str) -> bool:
    """Whether `Accept-Encoding` lists br (and not with q=0)."""
    for item in accept_encoding.lower().split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip() == "br":
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def frame_headers() -> dict[str, str]:
    """The frame is embedded on customer sites (any ancestor) but runs only our scripts."""
    csp = (
        "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
        "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors *"
    )
    return {
        "Content-Security-Policy": csp,
        "Cache-Control": "no-cache",
        "Referrer-Policy": "origin",
    }


def routes(services: Services, assets: WidgetAssets) -> list[BaseRoute]:
    template = services.templates.get_template("widget/frame.html")

    def asset_route(path: str, name: str) -> Route:
        async def endpoint(request: Request) -> Response:
            await assets.ready(name)
            return serve(request, getattr(assets, name))

        return Route(path, endpoint, methods=["GET", "HEAD"], name=f"widget-{name}")

    async def frame(request: Request) -> Response:
        await assets.ready("brython", "widget")
        html = template.render(
            site_key=request.query_params.get("site", ""),
            brython_url=assets.url("brython"),
            widget_url=assets.url("widget"),
        )
        # `no-cache` revalidates on every open; the ETag turns an unchanged frame into a 304.
        etag = f'"{hashlib.sha256(html.encode()).hexdigest()[:16]}"'
        headers = {**frame_headers(), "ETag": etag}
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return HTMLResponse(html, headers=headers)

    return [
        asset_route("/widget/porch.js", "loader"),
        asset_route("/widget/assets/brython.js", "brython"),
        asset_route("/widget/assets/widget.js", "widget"),
        asset_route("/widget/assets/panel.js", "panel"),
        Route("/widget/frame", frame, methods=["GET", "HEAD"], name="widget-frame"),
    ]
