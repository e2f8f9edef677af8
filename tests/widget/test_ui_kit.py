"""The browser kit shared by the widget and the panel (`widget/porch_ui`): its pure parts,
run here under CPython."""

from __future__ import annotations

import json
import random
import re
import sys
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from porch.paths import widget_dir
from porch.realtime import schemas

sys.path.insert(0, str(widget_dir()))

from porch_ui import acks, limits
from porch_ui.composer import enter_sends
from porch_ui.ids import new_client_id
from porch_ui.outbox import Outbox

# -- limits -----------------------------------------------------------------------------


def test_limits_are_the_servers() -> None:
    """At each limit the server accepts; one more and it refuses."""
    client_id = "c" * limits.CLIENT_ID_MAX
    schemas.VisitorMessageSend(client_id=client_id, body="x" * limits.MESSAGE_MAX)
    schemas.VisitorTyping(draft="x" * limits.DRAFT_MAX)
    url = "https://example.com/" + "p" * (limits.PAGE_URL_MAX - 20)
    schemas.PageView(url=url, title="t" * limits.PAGE_TITLE_MAX, referrer=url)
    too_long = [
        lambda: schemas.VisitorMessageSend(client_id=client_id + "c", body="x"),
        lambda: schemas.VisitorMessageSend(client_id="c", body="x" * (limits.MESSAGE_MAX + 1)),
        lambda: schemas.VisitorTyping(draft="x" * (limits.DRAFT_MAX + 1)),
        lambda: schemas.PageView(url=url + "p"),
        lambda: schemas.PageView(url=url, title="t" * (limits.PAGE_TITLE_MAX + 1)),
        lambda: schemas.PageView(url=url, referrer=url + "p"),
    ]
    for make in too_long:
        with pytest.raises(ValidationError):
            make()


def test_the_server_counts_a_message_body_once_stripped_as_the_composers_do() -> None:
    padded = "  " + "x" * limits.MESSAGE_MAX + "\n"
    assert schemas.VisitorMessageSend(client_id="c", body=padded).body == padded.strip()


# -- client ids -------------------------------------------------------------------------


def test_client_ids_are_fresh_and_what_the_server_accepts() -> None:
    rng = random.Random(7)
    ids = {new_client_id("op", rng.random) for _ in range(1000)}
    assert len(ids) == 1000
    for client_id in ids:
        assert re.fullmatch(r"op-[0-9a-f]{32}", client_id)
        schemas.VisitorMessageSend(client_id=client_id, body="x")
    assert new_client_id("c", lambda: 0.0) == "c-" + "0" * 32
    assert new_client_id("c", lambda: 0.9999999999).endswith("ffffffff")


# -- acks -------------------------------------------------------------------------------


def test_acks() -> None:
    refused = {"ok": False, "error": {"code": "invalid", "message": "body: too long"}}
    assert acks.ok({"ok": True, "message": {}})
    assert not acks.ok(refused)
    assert not acks.ok(None)
    assert acks.error_message(refused, "Not sent") == "body: too long"
    for ack in (None, {"ok": False}, {"ok": False, "error": "x"}, {"error": {"message": ""}}):
        assert acks.error_message(ack, "Not sent") == "Not sent"


# -- Enter-to-send ----------------------------------------------------------------------


class Key:
    def __init__(self, key: str, shift: bool = False, composing: bool = False) -> None:
        self.key, self.shiftKey, self.isComposing = key, shift, composing
        self.prevented = False

    def preventDefault(self) -> None:
        self.prevented = True


def test_enter_sends_shift_enter_and_composition_do_not() -> None:
    handlers: dict[str, object] = {}
    field = SimpleNamespace(bind=lambda event, handler: handlers.__setitem__(event, handler))
    sent: list[bool] = []
    enter_sends(field, lambda: sent.append(True))

    for event in (Key("a"), Key("Enter", shift=True), Key("Enter", composing=True)):
        handlers["keydown"](event)
        assert not event.prevented
    assert sent == []
    enter = Key("Enter")
    handlers["keydown"](enter)
    assert enter.prevented and sent == [True]


# -- pending messages -------------------------------------------------------------------


class Socket:
    """Records sends; the test answers them."""

    def __init__(self) -> None:
        self.sent: list[tuple[dict, object]] = []

    def send(self, item: dict, done: object) -> None:
        self.sent.append((item, done))

    def ack(self, index: int, ack: object) -> None:
        self.sent[index][1](ack)


class Storage:
    """`window.localStorage`, as far as the outbox uses it."""

    def __init__(self, data: dict[str, str] | None = None, broken: bool = False) -> None:
        self.data = dict(data or {})
        self.broken = broken

    def getItem(self, key: str) -> str | None:
        self._check()
        return self.data.get(key)

    def setItem(self, key: str, value: str) -> None:
        self._check()
        self.data[key] = value

    def removeItem(self, key: str) -> None:
        self._check()
        self.data.pop(key, None)

    def _check(self) -> None:
        if self.broken:
            raise RuntimeError("SecurityError: storage is blocked")


def outbox(socket: Socket, storage: object = None) -> tuple[Outbox, list, list]:
    confirmed: list[dict] = []
    failed: list[tuple[str, str]] = []
    box = Outbox(
        socket.send,
        confirmed.append,
        lambda item, ack: failed.append((item["client_id"], acks.error_message(ack, "?"))),
        storage=storage,
        key="porch:outbox:k",
        json=json,
    )
    return box, confirmed, failed


def test_outbox_sends_and_each_message_leaves_with_its_ack() -> None:
    socket = Socket()
    box, confirmed, failed = outbox(socket)
    box.add({"client_id": "a", "body": "one"})
    box.add({"client_id": "b", "body": "two"})
    assert [item["client_id"] for item, _ in socket.sent] == ["a", "b"]

    socket.ack(0, {"ok": True, "message": {"id": 1, "client_id": "a"}})
    socket.ack(1, {"ok": False, "error": {"code": "rate_limited", "message": "slow down"}})

    assert confirmed == [{"id": 1, "client_id": "a"}]
    assert failed == [("b", "slow down")]  # not retried by itself
    assert box.items == []


def test_outbox_resends_what_is_unacknowledged_oldest_first() -> None:
    socket = Socket()
    box, confirmed, _failed = outbox(socket)
    for client_id in "abc":
        box.add({"client_id": client_id, "body": client_id})
    socket.ack(1, {"ok": True, "message": {"id": 2, "client_id": "b"}})
    box.remove("c")  # came back in the history after the reconnect
    socket.sent.clear()  # the connection dropped: those acks never come

    box.resend()

    assert [item["client_id"] for item, _ in socket.sent] == ["a"]
    socket.ack(0, {"ok": True, "message": {"id": 1, "client_id": "a"}})
    assert [m["id"] for m in confirmed] == [2, 1]
    assert box.items == []


def test_saved_outbox_survives_a_reload_and_forgets_junk() -> None:
    storage = Storage()
    socket = Socket()
    box, _confirmed, _failed = outbox(socket, lambda: storage)
    box.add({"client_id": "a", "body": "one", "created_at": "2026-01-01T10:00:00Z"})
    assert json.loads(storage.data["porch:outbox:k"])[0]["client_id"] == "a"

    reloaded, _confirmed, _failed = outbox(Socket(), lambda: storage)
    assert reloaded.items == box.items
    socket.ack(0, {"ok": True, "message": {"id": 1, "client_id": "a"}})
    assert "porch:outbox:k" not in storage.data  # emptied: the key goes

    storage.data["porch:outbox:k"] = json.dumps([{"body": "no id"}, 5, {"client_id": "x"}])
    assert outbox(Socket(), lambda: storage)[0].items == []
    for junk in ("{not json", "5", '{"client_id": "a"}', '"client_id body"'):
        storage.data["porch:outbox:k"] = junk
        assert outbox(Socket(), lambda: storage)[0].items == []


def test_without_storage_the_outbox_lives_in_memory() -> None:
    socket = Socket()
    box, _confirmed, failed = outbox(socket)
    box.add({"client_id": "a", "body": "one"})
    socket.ack(0, None)  # no answer we can read
    assert failed == [("a", "?")]
    assert box.items == []


def test_blocked_storage_leaves_the_outbox_in_memory() -> None:
    def blocked() -> Storage:
        raise RuntimeError("SecurityError: the operation is insecure")

    for storage in (blocked, lambda: Storage(broken=True)):
        socket = Socket()
        box, _confirmed, _failed = outbox(socket, storage)
        box.add({"client_id": "a", "body": "one"})
        assert [item["client_id"] for item in box.items] == ["a"]
        box.resend()
        assert len(socket.sent) == 2
