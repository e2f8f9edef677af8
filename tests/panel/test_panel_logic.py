"""Pure parts of the panel: the browser-side state (run here under CPython) and the
server-side sign-in helpers."""

from __future__ import annotations

import sys

import pytest

from porch.panel.auth import safe_next
from porch.paths import widget_dir

sys.path.insert(0, str(widget_dir()))

from porch_panel import timefmt
from porch_panel.state import (
    InboxList,
    MessageIndex,
    preview,
    typing_line,
    visitor_order,
)
from porch_panel.typing_signal import IDLE_MS, TypingSignal


def summary(id_: int, at: str, status: str = "open") -> dict:
    return {"id": id_, "status": status, "last_activity_at": at}


def test_inbox_orders_newest_activity_first_and_follows_status() -> None:
    inbox = InboxList("open")
    inbox.replace(
        [
            summary(1, "2026-01-01T10:00:00+00:00"),
            summary(2, "2026-01-01T11:00:00+00:00"),
            summary(3, "2026-01-01T12:00:00+00:00", "closed"),
        ]
    )
    assert [c["id"] for c in inbox.ordered()] == [2, 1]
    inbox.upsert(summary(1, "2026-01-01T12:30:00.5+00:00"))
    assert [c["id"] for c in inbox.ordered()] == [1, 2]
    inbox.upsert(summary(2, "2026-01-01T13:00:00+00:00", "closed"))
    assert [c["id"] for c in inbox.ordered()] == [1]


def test_erased_conversations_leave_the_inbox_and_unknown_ids_are_ignored() -> None:
    inbox = InboxList("open")
    inbox.replace(
        [summary(1, "2026-01-01T10:00:00+00:00"), summary(2, "2026-01-01T11:00:00+00:00")]
    )
    inbox.remove([2, 99])
    assert [c["id"] for c in inbox.ordered()] == [1]


def test_message_index_dedupes_and_confirms_pending() -> None:
    index = MessageIndex()
    index.add_pending("op-1")
    assert index.classify({"id": 5, "client_id": "op-1"}) == MessageIndex.CONFIRM
    assert index.classify({"id": 5, "client_id": "op-1"}) == MessageIndex.DUPLICATE
    assert index.classify({"id": 6, "client_id": "v-1"}) == MessageIndex.NEW
    assert index.pending() == []


def test_preview_marks_notes_and_operators_and_truncates() -> None:
    assert preview(None) == "No messages yet"
    assert preview({"body": "a\n b", "author": "visitor"}) == "a b"
    assert preview({"body": "x", "internal": True}) == "Note: x"
    assert preview({"body": "hi", "author": "operator", "author_name": "Olivia"}) == "Olivia: hi"
    assert preview({"body": "z" * 500, "author": "visitor"}).endswith("…")


def test_typing_line_is_empty_without_a_draft() -> None:
    assert typing_line("Amber Fox", "") == ""
    assert typing_line("Amber Fox", "hel") == "Amber Fox is typing: hel"


def test_visitors_online_first_then_recent() -> None:
    visitors = [
        {"id": 1, "online": False, "last_seen_at": "2026-01-01T12:00:00+00:00"},
        {"id": 2, "online": True, "last_seen_at": "2026-01-01T10:00:00+00:00"},
        {"id": 3, "online": True, "last_seen_at": "2026-01-01T11:00:00+00:00"},
    ]
    assert [v["id"] for v in visitor_order(visitors)] == [3, 2, 1]


@pytest.mark.parametrize(
    ("seconds", "text"), [(5, "now"), (120, "2m"), (7200, "2h"), (3 * 86400, "3d")]
)
def test_relative_time(seconds: float, text: str) -> None:
    assert timefmt.relative(seconds) == text


def test_duration() -> None:
    assert timefmt.duration(42) == "0:42"
    assert timefmt.duration(725) == "12:05"
    assert timefmt.duration(3723) == "1:02:03"


class FakeTimers:
    def __init__(self) -> None:
        self.pending: dict[int, object] = {}
        self.next_id = 0

    def set_timeout(self, fn: object, ms: int) -> int:
        assert ms == IDLE_MS
        self.next_id += 1
        self.pending[self.next_id] = fn
        return self.next_id

    def clear_timeout(self, timer_id: int) -> None:
        self.pending.pop(timer_id, None)

    def fire(self) -> None:
        for fn in list(self.pending.values()):
            fn()


def test_typing_signal_sends_true_once_then_false_when_idle() -> None:
    sent: list[tuple[int, bool]] = []
    timers = FakeTimers()
    signal = TypingSignal(
        lambda c, t: sent.append((c, t)), timers.set_timeout, timers.clear_timeout
    )
    signal.typed(7)
    signal.typed(7)
    signal.typed(7)
    assert sent == [(7, True)]
    assert len(timers.pending) == 1  # one idle timer, restarted on each keystroke
    timers.fire()
    assert sent == [(7, True), (7, False)]
    signal.typed(7)
    signal.typed(8)  # switched conversation: the first one stops
    signal.stop()
    assert sent[2:] == [(7, True), (7, False), (8, True), (8, False)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "/panel"),
        ("/panel/visitors", "/panel/visitors"),
        ("/panel?c=3", "/panel?c=3"),
        ("/panelists", "/panel"),
        ("//evil.example/panel", "/panel"),
        ("/\\evil.example", "/panel"),
        ("https://evil.example/panel", "/panel"),
        ("/panel\r\nSet-Cookie: x", "/panel"),
        ("/panel/" + "a" * 3000, "/panel"),
    ],
)
def test_safe_next(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected
