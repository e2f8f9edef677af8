"""Attachments against a real server on SQLite and PostgreSQL: a visitor uploads a photo
with their widget token and sends it; the operator sees it and fetches it through a signed
link; files are checked by content (a renamed executable is refused), links expire, and an
SVG is only ever a download."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from PIL import Image

from porch.clock import ManualClock
from porch.config import Config
from tests.support.chat_clients import (
    Client,
    Seeded,
    open_session,
    operator_client,
    operator_cookie,
    seed,
    visitor_client,
)
from tests.support.live_server import LiveServer, start_live_server

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"PE\x00\x00"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def png(width: int = 800, height: int = 600) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def live_server(config: Config, clock: ManualClock) -> Iterator[LiveServer]:
    server = start_live_server(config, clock)
    yield server
    server.stop()


@pytest.fixture
async def clients() -> AsyncIterator[list[Client]]:
    opened: list[Client] = []
    yield opened
    for client in opened:
        await client.close()


async def upload(
    server: LiveServer, token: str, data: bytes, name: str = "photo.png"
) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url) as http:
        return await http.post(
            "/widget/v1/attachments",
            params={"name": name},
            content=data,
            headers={"Authorization": f"Bearer {token}"},
        )


async def fetch(server: LiveServer, url: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url) as http:
        return await http.get(url)


async def visitor(server: LiveServer, seeded: Seeded, clients: list[Client]) -> tuple[str, Client]:
    session = await open_session(server, seeded.site.key)
    client = await visitor_client(server, session["visitor_token"])
    clients.append(client)
    return session["visitor_token"], client


async def test_a_visitor_sends_a_photo_the_operator_opens(
    live_server: LiveServer, clients: list[Client]
) -> None:
    seeded = seed(live_server)
    token, shopper = await visitor(live_server, seeded, clients)
    olivia = await operator_client(live_server, seeded.operator.id)
    clients.append(olivia)

    reply = await upload(live_server, token, png(), name="../../damaged parcel.png")
    assert reply.status_code == 200, reply.text
    uploaded = reply.json()["attachment"]
    assert (uploaded["name"], uploaded["type"], uploaded["image"]) == (
        "damaged parcel.png",
        "image/png",
        True,
    )
    assert (uploaded["width"], uploaded["height"]) == (800, 600)
    ack = await shopper.call(
        "message.send", {"client_id": "m1", "body": "", "attachments": [uploaded["id"]]}
    )
    assert ack["ok"], ack
    sent = ack["message"]["parts"]["attachments"]
    assert [a["id"] for a in sent] == [uploaded["id"]] and "url" not in sent[0]

    watched = await olivia.call(
        "conversation.watch", {"conversation_id": ack["message"]["conversation_id"]}
    )
    heard = watched["messages"][-1]
    assert heard["parts"]["attachments"][0]["name"] == "damaged parcel.png"
    links = await olivia.call("attachments.links", {"ids": [uploaded["id"]]})
    link = links["attachments"][0]
    photo = await fetch(live_server, link["url"])
    assert photo.status_code == 200 and photo.content == png()
    assert photo.headers["content-type"] == "image/png"
    assert photo.headers["content-disposition"].startswith("inline")
    assert photo.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in photo.headers["content-security-policy"]
    thumb = await fetch(live_server, link["thumbnail_url"])
    assert thumb.headers["content-type"] == "image/webp"
    assert max(Image.open(io.BytesIO(thumb.content)).size) <= 320


async def test_files_are_checked_by_content_not_name(
    live_server: LiveServer, clients: list[Client]
) -> None:
    seeded = seed(live_server)
    token, _shopper = await visitor(live_server, seeded, clients)

    renamed = await upload(live_server, token, EXE, name="invoice.pdf")
    assert renamed.status_code == 422
    assert renamed.json()["error"]["code"] == "unsupported_type"
    svg = await upload(live_server, token, SVG, name="logo.svg")  # not allowed by default
    assert svg.status_code == 422
    fake = await upload(live_server, token, b"\x89PNG\r\n\x1a\n" + b"junk" * 10)
    assert fake.status_code == 422
    text = await upload(live_server, token, "Order #1042 – reçu".encode(), name="note.txt")
    assert text.status_code == 200 and text.json()["attachment"]["type"] == "text/plain"
    forged = await upload(live_server, token + "x", png())
    assert forged.status_code == 401


async def test_size_limit_is_the_sites(live_server: LiveServer, clients: list[Client]) -> None:
    seeded = seed(live_server, attachment_max_mb=1)
    token, _shopper = await visitor(live_server, seeded, clients)
    big = await upload(live_server, token, b"a" * (1024 * 1024 + 1), name="big.txt")
    assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"


async def test_an_svg_allowed_is_only_ever_a_download(
    live_server: LiveServer, clients: list[Client]
) -> None:
    seeded = seed(live_server, attachment_types=["images", "svg"])
    token, _shopper = await visitor(live_server, seeded, clients)
    reply = await upload(live_server, token, SVG, name="logo.svg")
    assert reply.status_code == 200, reply.text
    file = await fetch(live_server, reply.json()["attachment"]["url"])
    assert file.headers["content-type"] == "image/svg+xml"
    assert file.headers["content-disposition"].startswith("attachment")
    assert "sandbox" in file.headers["content-security-policy"]


async def test_links_expire_and_cannot_be_altered(
    live_server: LiveServer, clock: ManualClock, clients: list[Client]
) -> None:
    seeded = seed(live_server)
    token, _shopper = await visitor(live_server, seeded, clients)
    uploaded = (await upload(live_server, token, png())).json()["attachment"]
    url: str = uploaded["url"]
    assert (await fetch(live_server, url)).status_code == 200
    assert (await fetch(live_server, url.replace("/file?", "/thumb?"))).status_code == 403
    assert (
        await fetch(live_server, url[:-1] + ("0" if url[-1] != "0" else "1"))
    ).status_code == 403
    clock.advance(minutes=31)
    assert (await fetch(live_server, url)).status_code == 403


async def test_an_attachment_goes_with_one_message_of_its_uploader(
    live_server: LiveServer, clients: list[Client]
) -> None:
    seeded = seed(live_server)
    token, shopper = await visitor(live_server, seeded, clients)
    _other_token, other = await visitor(live_server, seeded, clients)
    file_id = (await upload(live_server, token, png())).json()["attachment"]["id"]

    stolen = await other.call("message.send", {"client_id": "x1", "attachments": [file_id]})
    assert not stolen["ok"] and stolen["error"]["code"] == "invalid"
    assert (await other.call("attachments.links", {"ids": [file_id]}))["attachments"] == []
    first = await shopper.call("message.send", {"client_id": "m1", "attachments": [file_id]})
    assert first["ok"], first
    again = await shopper.call("message.send", {"client_id": "m1", "attachments": [file_id]})
    assert again["ok"] and again["message"]["id"] == first["message"]["id"]  # a resend
    reused = await shopper.call("message.send", {"client_id": "m2", "attachments": [file_id]})
    assert not reused["ok"]
    empty = await shopper.call("message.send", {"client_id": "m3", "body": ""})
    assert not empty["ok"] and "text or a file" in empty["error"]["message"]


async def test_an_operator_attaches_a_file_the_visitor_can_open(
    live_server: LiveServer, clients: list[Client]
) -> None:
    seeded = seed(live_server)
    _token, shopper = await visitor(live_server, seeded, clients)
    ack = await shopper.call("message.send", {"client_id": "m1", "body": "Label?"})
    conversation = ack["message"]["conversation_id"]
    olivia = await operator_client(live_server, seeded.operator.id)
    clients.append(olivia)
    cookie = operator_cookie(live_server, seeded.operator.id)
    csrf = await _csrf(live_server, cookie)

    async with httpx.AsyncClient(base_url=live_server.url) as http:
        path = "/panel/attachments"
        query = {"conversation_id": conversation, "name": "label.pdf"}
        pdf = b"%PDF-1.4\n%fake but well-formed enough\n"
        no_csrf = await http.post(path, params=query, content=pdf, headers={"Cookie": cookie})
        assert no_csrf.status_code == 403
        headers = {"Cookie": cookie, "X-CSRF-Token": csrf}
        reply = await http.post(path, params=query, content=pdf, headers=headers)
    assert reply.status_code == 200, reply.text
    file_id = reply.json()["attachment"]["id"]
    assert (await shopper.call("attachments.links", {"ids": [file_id]}))["attachments"] == []
    sent = await olivia.call(
        "message.send",
        {
            "conversation_id": conversation,
            "client_id": "o1",
            "body": "Here",
            "attachments": [file_id],
        },
    )
    assert sent["ok"], sent
    heard = await shopper.until("message", lambda m: m["client_id"] == "o1")
    assert heard["parts"]["attachments"][0]["type"] == "application/pdf"
    link = (await shopper.call("attachments.links", {"ids": [file_id]}))["attachments"][0]
    file = await fetch(live_server, link["url"])
    assert file.headers["content-disposition"] == "attachment; filename*=UTF-8''label.pdf"


async def _csrf(server: LiveServer, cookie: str) -> str:
    async with httpx.AsyncClient(base_url=server.url) as http:
        page = await http.get("/panel", headers={"Cookie": cookie})
    import re

    found = re.search(r'name="csrf-token" content="([^"]+)"', page.text) or re.search(
        r'name="csrf_token" value="([^"]+)"', page.text
    )
    assert found, page.text[:500]
    return found.group(1)
