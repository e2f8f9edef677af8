"""Operators' avatars: uploaded on their own profile page (checked by content, cropped to
a small square), served by digest with the right headers, and carried on their replies to
the visitor's widget. Against a real server, over HTTP and the sockets."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import httpx
import pytest
from PIL import Image

from porch.operators.avatars import SIZE, square
from porch.operators.service import OperatorError
from tests.support.chat_clients import (
    Seeded,
    open_session,
    operator_client,
    visitor_client,
)
from tests.support.live_server import LiveServer
from tests.support.panel import csrf_from


def picture(width: int = 300, height: int = 200, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(out, fmt)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
def test_an_upload_becomes_a_small_square(fmt: str) -> None:
    with Image.open(io.BytesIO(square(picture(fmt=fmt)))) as made:
        assert (made.format, made.size) == ("WEBP", (SIZE, SIZE))


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00" + b"\x00" * 200,  # a renamed executable
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        picture(fmt="BMP"),  # an image, but not one we take
        picture()[:60],  # cut short
        b"",
    ],
)
def test_anything_but_a_readable_image_is_refused(data: bytes) -> None:
    with pytest.raises(OperatorError):
        square(data)


@pytest.fixture
async def signed_in(live_server: LiveServer, seeded: Seeded) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_server.url) as client:
        page = await client.get("/panel/login")
        form = {
            "csrf_token": csrf_from(page.text),
            "email": seeded.operator.email,
            "password": "pw-123456",
        }
        assert (await client.post("/panel/login", data=form)).status_code == 303
        yield client


async def upload(signed_in: httpx.AsyncClient, data: bytes, token: str = "") -> httpx.Response:
    token = token or csrf_from((await signed_in.get("/panel/profile")).text)
    files = {"avatar": ("me.png", data, "image/png")}
    return await signed_in.post("/panel/profile/avatar", data={"csrf_token": token}, files=files)


async def test_an_operator_sets_an_avatar_and_their_replies_carry_it(
    live_server: LiveServer, seeded: Seeded, signed_in: httpx.AsyncClient
) -> None:
    profile = await signed_in.get("/panel/profile")
    assert profile.status_code == 200 and 'data-testid="profile-initials"' in profile.text

    saved = await upload(signed_in, picture())
    assert saved.status_code == 303 and saved.headers["location"] == "/panel/profile?saved=1"
    page = (await signed_in.get("/panel/profile")).text
    url = page.split('data-testid="profile-avatar" src="')[1].split('"')[0]
    assert url.startswith("/avatars/") and url.endswith(".webp")
    assert f'<img class="avatar" src="{url}"' in page  # beside their name in the top bar

    served = await httpx.AsyncClient(base_url=live_server.url).get(url)  # no cookie needed
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/webp"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert Image.open(io.BytesIO(served.content)).size == (SIZE, SIZE)
    assert (await signed_in.get("/avatars/" + "0" * 64 + ".webp")).status_code == 404
    assert (await signed_in.get("/avatars/../panel.webp")).status_code == 404

    session = await open_session(live_server, seeded.site.key)
    visitor = await visitor_client(live_server, session["visitor_token"])
    operator = await operator_client(live_server, seeded.operator.id)
    try:
        sent = await visitor.call("message.send", {"client_id": "m-1", "body": "Hi"})
        conversation_id = sent["message"]["conversation_id"]
        reply = {"conversation_id": conversation_id, "client_id": "r-1", "body": "Hello!"}
        assert (await operator.call("message.send", reply))["ok"]
        arrived = await visitor.until("message", lambda m: m["author"] == "operator")
        assert arrived["author_name"] == "Olivia" and arrived["author_avatar_url"] == url
        watched = await operator.call("conversation.watch", {"conversation_id": conversation_id})
        stored = [m for m in watched["messages"] if m["author"] == "operator"]
        assert stored[0]["author_avatar_url"] == url
        assert "author_avatar_url" not in watched["messages"][0]  # the visitor's has none
    finally:
        await visitor.close()
        await operator.close()

    token = csrf_from((await signed_in.get("/panel/profile")).text)
    removed = await signed_in.post("/panel/profile/avatar/remove", data={"csrf_token": token})
    assert removed.status_code == 303
    assert 'data-testid="profile-initials"' in (await signed_in.get("/panel/profile")).text


async def test_a_refused_upload_changes_nothing(signed_in: httpx.AsyncClient) -> None:
    renamed = await upload(signed_in, b"MZ\x90\x00" + b"\x00" * 500)
    assert renamed.status_code == 422
    assert "not an image we can read" in renamed.text
    forged = await upload(signed_in, picture(), token="not-the-token")
    assert forged.status_code == 403
    too_big = await upload(signed_in, b"\x89PNG" + b"\x00" * (6 * 1024 * 1024))
    assert too_big.status_code == 413
    no_file = await signed_in.post(
        "/panel/profile/avatar",
        data={"csrf_token": csrf_from((await signed_in.get("/panel/profile")).text)},
    )
    assert no_file.status_code == 422
    assert 'data-testid="profile-initials"' in (await signed_in.get("/panel/profile")).text


def test_a_phone_photo_stands_up_and_a_large_one_is_cut_down() -> None:
    """EXIF orientation 6 (the camera held on its side): left and right become top and
    bottom. A 12-megapixel JPEG still becomes the small square."""
    wide = Image.new("RGB", (400, 200), (255, 0, 0))
    wide.paste((0, 0, 255), (200, 0, 400, 200))  # left red, right blue
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    wide.save(out, "JPEG", exif=exif)
    with Image.open(io.BytesIO(square(out.getvalue()))) as made:
        top, bottom = made.getpixel((SIZE // 2, 5)), made.getpixel((SIZE // 2, SIZE - 5))
    assert top[0] > 200 and top[2] < 60  # red above
    assert bottom[2] > 200 and bottom[0] < 60  # blue below
    with Image.open(io.BytesIO(square(picture(4000, 3000, "JPEG")))) as made:
        assert made.size == (SIZE, SIZE)
