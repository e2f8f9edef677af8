"""Routes serving the widget's static side: the loader, brython.js, our bundles, the frame.

Versioned URLs (`?v=<digest>`) are cached for a year; unversioned ones (the loader, whose
URL is pasted into sites) revalidate with an ETag. Each asset is compressed with brotli
once, when built, for browsers that accept it; the app's GZip middleware serves the rest.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import brotli
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from porch.embed import bundle, compression, emoji, forms, i18n, runtime
from porch.services import Services
from porch.sites.models import Site

JS = "text/javascript; charset=utf-8"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=300, must-revalidate"
WIDGET_PACKAGES = ("porch_sio", "porch_ui", "porch_widget")
PANEL_PACKAGES = ("porch_sio", "porch_ui", "porch_media", "porch_panel", "porch_flow_builder")
LAZY_PACKAGES = ("porch_lazy", "porch_media")
"""Loaded by the widget only when used (the emoji picker, forms, earlier conversations,
the rating form, the privacy notice, the image viewer): `porch_widget.lazy`."""
BEST_BROTLI_UP_TO = 256 * 1024
"""Brotli's best quality (11) takes seconds on brython.js (1 MB minified); larger assets
use quality 9 until `porch.embed.compression` has the best: a tenth of a second, about 10%
larger."""


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


def without_comments(js: bytes) -> bytes:
    """The loader as served: its whole-line `//` comments and its opening `/* */` block
    left out (every host page downloads it; the source keeps them). Nothing else changes,
    so no minifier is needed and line numbers of errors still point near the source."""
    text = re.sub(rb"(?m)^[ \t]*//[^\n]*\n", b"", js)
    return re.sub(rb"\A/\*.*?\*/\n", b"", text, count=1, flags=re.S)


class WidgetAssets:
    """Builds each asset once per process, on first use."""

    def __init__(self, root: Path, cache_dir: Path | None = None) -> None:
        self.root = root
        self.cache_dir = cache_dir
        """Where the best brotli of large assets is kept (`porch.embed.compression`); set
        by `porch.embed.install` to `<data dir>/cache`."""
        self._best: set[str] = set()
        self._improving: asyncio.Task[None] | None = None

    def _large(self, name: str, body: bytes, digest: str | None = None) -> Asset:
        asset = _asset(body, digest)
        if self.cache_dir is not None and len(body) > BEST_BROTLI_UP_TO:
            stored = compression.cached(self.cache_dir, name, asset.digest)
            if stored is not None:
                self._best.add(name)
                return Asset(asset.body, asset.digest, stored)
        return asset

    def improve_soon(self, *names: str) -> None:
        """Start compressing these (built) assets at brotli's best, once, in the background."""
        if self._improving is None and self.cache_dir is not None:
            self._improving = asyncio.get_running_loop().create_task(self.improve(*names))

    async def improve(self, *names: str) -> None:
        for name in names:
            asset: Asset | None = self.__dict__.get(name)
            if asset is None or name in self._best or len(asset.body) <= BEST_BROTLI_UP_TO:
                continue
            assert self.cache_dir is not None
            br = await compression.best(self.cache_dir, name, asset.digest, asset.body)
            self.__dict__[name] = Asset(asset.body, asset.digest, br)  # same bytes, smaller
            self._best.add(name)

    @cached_property
    def loader(self) -> Asset:
        return _asset(without_comments((self.root / "loader" / "porch.js").read_bytes()))

    @cached_property
    def brython(self) -> Asset:
        return self._large("brython", runtime.brython_js())

    @cached_property
    def widget(self) -> Asset:
        built = bundle.build("widget", self.root, WIDGET_PACKAGES)
        return self._large("widget", built.js, built.digest)

    @cached_property
    def lazy(self) -> Asset:
        built = bundle.build_extra("lazy", self.root, WIDGET_PACKAGES, LAZY_PACKAGES)
        return _asset(built.js, built.digest)

    @cached_property
    def emoji(self) -> Asset:
        """The emoji picker's list, fetched when the picker first opens."""
        return _asset(emoji.catalog_json())

    @cached_property
    def panel(self) -> Asset:
        built = bundle.build("panel", self.root, PANEL_PACKAGES)
        return _asset(built.js, built.digest)

    def url(self, name: str) -> str:
        """The cache-busting URL of a named asset, for templates. Never builds: an asset
        not built yet (see `ready`) gets its plain URL, which is served revalidating."""
        built: Asset | None = self.__dict__.get(name)  # where cached_property keeps it
        path = f"/widget/assets/{name}.{'json' if name == 'emoji' else 'js'}"
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
        "connect-src 'self'; img-src 'self' data: https:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors *"
    )
    return {
        "Content-Security-Policy": csp,
        "Cache-Control": "no-cache",
        "Referrer-Policy": "origin",
    }


# The privacy notice's words until the site writes its own (porch.privacy.consent).
DEFAULT_CONSENT = "We store your messages and contact details to answer you. Do you agree?"


def frame_look(site: Site | None, accept_language: str) -> dict[str, Any]:
    """The frame's language (texts, direction, catalog, the site's greeting in it) and
    colour scheme (`theme`: auto follows the visitor's `prefers-color-scheme`)."""
    language = i18n.choose(site, accept_language)
    words = i18n.catalog(language)
    settings = site.settings if site else {}
    theme = settings.get("theme", "auto")
    config: dict[str, Any] = {"language": language, "i18n": words}
    for key, setting in (("greeting", "greetings"), ("away", "away_messages")):
        text = i18n.translated(settings.get(setting), language)
        if text:
            config[key] = text
    if settings.get("consent_required"):  # porch.privacy: a notice before the first message
        config["consent"] = {
            "text": settings.get("consent_text") or DEFAULT_CONSENT,
            "link": settings.get("consent_link") or "",
        }
    return {
        "lang": language,
        "dir": i18n.direction(language),
        "theme": theme if theme in ("auto", "light", "dark") else "auto",
        "_": lambda text: words.get(text, text),
        "widget_config": config,
    }


def routes(services: Services, assets: WidgetAssets) -> list[BaseRoute]:
    template = services.templates.get_template("embed/frame.html")

    def asset_route(path: str, name: str) -> Route:
        async def endpoint(request: Request) -> Response:
            await assets.ready(name)
            return serve(request, getattr(assets, name))

        return Route(path, endpoint, methods=["GET", "HEAD"], name=f"widget-{name}")

    def json_route(path: str, name: str) -> Route:
        async def endpoint(request: Request) -> Response:
            await assets.ready(name)
            return serve(request, getattr(assets, name), "application/json")

        return Route(path, endpoint, methods=["GET", "HEAD"], name=f"widget-{name}")

    async def frame(request: Request) -> Response:
        await assets.ready("brython", "widget", "emoji", "lazy")
        assets.improve_soon("brython", "widget")
        site_key = request.query_params.get("site", "")[:64]
        site = await services.sites.by_key(site_key) if site_key else None
        look = frame_look(site, request.headers.get("accept-language", ""))
        look["widget_config"].update(forms.widget_forms(site, services.clock.now()))
        html = template.render(
            site_key=site_key,
            brython_url=assets.url("brython"),
            widget_url=assets.url("widget"),
            emoji_url=assets.url("emoji"),
            lazy_url=assets.url("lazy"),
            **look,
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
        asset_route("/widget/assets/lazy.js", "lazy"),
        json_route("/widget/assets/emoji.json", "emoji"),
        Route("/widget/frame", frame, methods=["GET", "HEAD"], name="widget-frame"),
    ]
