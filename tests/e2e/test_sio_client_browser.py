"""The Brython Socket.IO client (`porch_sio.client`) against a real python-socketio server.

A small ASGI app serves brython.js, a bundle of `porch_sio` and a test page whose Python
script logs what the client sees into `#log`; Chromium drives it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import quote

import pytest
import socketio
from playwright.async_api import Browser, Page, expect
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from porch.embed import bundle
from porch.paths import widget_dir
from tests.support.live_server import serve_in_thread

pytestmark = pytest.mark.e2e

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script src="/brython.js"></script><script src="/bundle.js"></script></head>
<body>
<input id="text" value="hello"><button id="send">send</button><button id="kick">kick</button>
<button id="store">store</button>
<ul id="log"></ul>
<script type="text/python">
from browser import document, html, window
from porch_sio.client import SocketIOClient

def log(text):
    item = html.LI()
    item.textContent = text  # html.LI(text) would parse it as HTML
    document["log"] <= item

token = window.URLSearchParams.new(window.location.search).get("token")
client = SocketIOClient("", "/test", auth={"token": token})
client.on("connect", lambda: log("connected"))
client.on("disconnect", lambda reason: log("disconnected: " + reason))
client.on("connect_error", lambda data: log("refused: " + data["message"]))
client.on("news", lambda data: log("news: " + data["text"]))
client.on("question", lambda data: {"answer": data["n"] * 2})

def echo(_evt):
    text = document["text"].value
    client.emit("echo", {"text": text}, callback=lambda ack: log("ack: " + ack["echo"]["text"]))

document["send"].bind("click", echo)

def store(_evt):
    text = document["text"].value
    # Brython's str.strip() returns non-BMP text in another form (a plain JS string, where
    # the input's value is a `String` with surrogates): both must go on the wire intact.
    data = {"typed": text, "stripped": (" " + text + " ").strip()}
    client.emit("store", data, callback=stored)

def stored(ack):
    text = ack["typed"]  # decoded from the server's JSON, then sent again as is
    log(f"stored: {text} ({len(text)})")
    client.emit("store", {"typed": text, "stripped": text}, callback=lambda _ack: log("again"))

document["store"].bind("click", store)
document["kick"].bind("click", lambda _evt: client.emit("kick"))
# Emitted before connect(): must be queued and delivered once connected.
client.emit("echo", {"text": "early"}, callback=lambda ack: log("ack: " + ack["echo"]["text"]))
client.connect()
</script></body></html>"""


def make_app() -> tuple[socketio.AsyncServer, socketio.ASGIApp]:
    sio = socketio.AsyncServer(async_mode="asgi")
    answers: list[object] = []
    stored: list[dict] = []

    @sio.on("connect", namespace="/test")
    async def on_connect(sid: str, _environ: dict, auth: dict | None) -> None:
        if not auth or auth.get("token") != "good":
            raise socketio.exceptions.ConnectionRefusedError("bad token")

    @sio.on("echo", namespace="/test")
    async def on_echo(sid: str, data: dict) -> dict:
        await sio.emit("news", {"text": f"{data['text']} seen"}, to=sid, namespace="/test")
        answer = await sio.call("question", {"n": 21}, to=sid, namespace="/test", timeout=10)
        answers.append(answer)
        return {"ok": True, "echo": data}

    @sio.on("store", namespace="/test")
    async def on_store(sid: str, data: dict) -> dict:
        stored.append(data)
        return data

    @sio.on("kick", namespace="/test")
    async def on_kick(sid: str) -> None:
        await sio.disconnect(sid, namespace="/test")

    bundle_js = bundle.build("test", widget_dir(), ["porch_sio"]).js
    brython_js = (bundle.BRYTHON_DATA / "brython.js").read_bytes()

    async def page(_request: object) -> HTMLResponse:
        return HTMLResponse(PAGE)

    def js(body: bytes) -> Callable[[object], Response]:
        return lambda _request: Response(body, media_type="text/javascript")

    http = Starlette(
        routes=[
            Route("/", page),
            Route("/brython.js", js(brython_js)),
            Route("/bundle.js", js(bundle_js)),
        ]
    )
    sio.answers = answers  # type: ignore[attr-defined]
    sio.stored = stored  # type: ignore[attr-defined]
    return sio, socketio.ASGIApp(sio, other_asgi_app=http)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, socketio.AsyncServer]]:
    sio, app = make_app()
    running = serve_in_thread(app)
    yield running.url, sio
    running.stop()


async def open_page(browser: Browser, url: str, token: str) -> tuple[Page, list[str]]:
    page = await browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
    await page.goto(f"{url}/?token={quote(token)}")
    return page, errors


async def test_connects_and_delivers_queued_emit_with_ack(
    server: tuple[str, socketio.AsyncServer], browser: Browser
) -> None:
    url, sio = server
    page, errors = await open_page(browser, url, "good")
    log = page.locator("#log li")
    await expect(log.first).to_have_text("connected")
    await expect(page.locator("#log")).to_contain_text("ack: early")
    await expect(page.locator("#log")).to_contain_text("news: early seen")
    await page.fill("#text", "<b>second</b>")
    await page.click("#send")
    await expect(page.locator("#log")).to_contain_text("ack: <b>second</b>")
    assert {"answer": 42} in sio.answers  # the client acked a server-side call
    assert errors == []


async def test_reconnects_after_server_disconnects_it(
    server: tuple[str, socketio.AsyncServer], browser: Browser
) -> None:
    url, _sio = server
    page, errors = await open_page(browser, url, "good")
    log = page.locator("#log li")
    await expect(log.first).to_have_text("connected")
    await page.click("#kick")
    await expect(page.locator("#log")).to_contain_text("disconnected: io server disconnect")
    await expect(page.get_by_text("connected", exact=True)).to_have_count(2)
    await page.fill("#text", "after reconnect")
    await page.click("#send")
    await expect(page.locator("#log")).to_contain_text("ack: after reconnect")
    assert errors == []


async def test_bad_auth_reports_connect_error_without_connecting(
    server: tuple[str, socketio.AsyncServer], browser: Browser
) -> None:
    url, _sio = server
    page, errors = await open_page(browser, url, "wrong")
    await expect(page.locator("#log")).to_contain_text("refused: bad token")
    await expect(page.get_by_text("connected", exact=True)).to_have_count(0)
    # The queued emit is neither sent nor lost: no ack was logged.
    await expect(page.locator("#log")).not_to_contain_text("ack:")
    assert errors == []


# Outside the Basic Multilingual Plane, or built of several code points: what Brython's own
# `_json` garbled (see porch_sio/jsontext.py).
UNICODE_SAMPLES = [
    "🚀 rocket",
    "𝒜",
    "🇫🇷",
    "👍🏽",
    "👩\u200d👩\u200d👧",
    'a🚀b𝒜c 🇫🇷 👍🏽 👩\u200d👩\u200d👧 "q" \\ é\t<b>',
]


async def test_non_bmp_text_goes_through_the_wire_intact(
    server: tuple[str, socketio.AsyncServer], browser: Browser
) -> None:
    url, sio = server
    page, errors = await open_page(browser, url, "good")
    await expect(page.locator("#log li").first).to_have_text("connected")
    for n, text in enumerate(UNICODE_SAMPLES, start=1):
        await page.fill("#text", text)
        await page.click("#store")
        # `len` counts code points, as in CPython: the decoded text is a proper str.
        await expect(page.get_by_text(f"stored: {text} ({len(text)})", exact=True)).to_be_visible()
        await expect(page.get_by_text("again", exact=True)).to_have_count(n)
    assert sio.stored == [
        item for text in UNICODE_SAMPLES for item in [{"typed": text, "stripped": text}] * 2
    ]
    assert errors == []
