"""The widget's conversation switching (`porch_widget.threads`), run here under CPython."""

from __future__ import annotations

import sys

from porch.paths import widget_dir

sys.path.insert(0, str(widget_dir()))

from porch_widget import threads
from porch_widget.threads import Threads, preview

FIRST = {"id": 1, "status": "open", "created_at": "2026-05-01T10:00:00+00:00"}
REPLY = {"id": 11, "conversation_id": 1, "author": "operator", "author_name": "Olivia"}
REPLY["body"] = "Hi"


def shown_first() -> Threads:
    t = Threads()
    t.reset(FIRST, [])
    assert t.arrived(REPLY) == threads.SAME
    assert t.follow({**FIRST, "status": "closed"}) == threads.SAME
    assert t.closed
    return t


def test_a_new_conversation_waits_for_a_message_while_the_visitor_types() -> None:
    t = shown_first()
    assert t.follow({"id": 2, "status": "open"}) == threads.LATER  # opened by a draft
    assert t.current["id"] == 1 and t.earlier == []
    assert t.sending() == threads.SWITCH
    assert t.current == {"id": 2, "status": "open", "created_at": None}
    [moved] = t.earlier
    assert (moved["id"], moved["status"], moved["last_message"]) == (1, "closed", REPLY)
    assert t.sending() is None


def test_a_pending_message_switches_at_once_and_the_first_message_too() -> None:
    t = shown_first()
    assert t.follow({"id": 2, "status": "open"}, sending=True) == threads.SWITCH
    t = shown_first()
    t.follow({"id": 2, "status": "open"})
    message = {"id": 12, "conversation_id": 2, "author": "operator", "body": "Hello again"}
    assert t.arrived(message) == threads.SWITCH
    assert [c["id"] for c in t.earlier] == [1]


def test_an_ack_before_its_conversation_event_still_starts_the_new_thread() -> None:
    t = shown_first()
    mine = {"id": 12, "conversation_id": 2, "author": "visitor", "body": "Again"}
    assert t.arrived(mine) == threads.SWITCH
    assert t.follow({"id": 2, "status": "open"}) == threads.SAME
    assert [c["id"] for c in t.earlier] == [1]


def test_an_empty_thread_switches_at_once() -> None:
    t = Threads()
    t.reset({"id": 1, "status": "closed"}, [])
    assert t.follow({"id": 2, "status": "open"}) == threads.SWITCH


def test_an_earlier_conversation_reopened_comes_back_as_current() -> None:
    t = Threads()
    t.reset({"id": 3, "status": "closed"}, [{"id": 1, "status": "closed", "last_message": None}])
    t.arrived({"id": 30, "conversation_id": 3, "author": "visitor", "body": "x"})
    late = {"id": 13, "conversation_id": 1, "author": "system", "body": "Email received"}
    assert t.arrived(late) == threads.ELSEWHERE  # not reopened: only its preview changes
    assert t.earlier[0]["last_message"] == late
    assert t.follow({"id": 1, "status": "open"}) == threads.LATER
    assert t.arrived({"id": 14, "conversation_id": 1, "author": "operator", "body": "Re"}) == (
        threads.RESUME
    )
    assert t.current["id"] == 1 and [c["id"] for c in t.earlier] == [3]


def test_previews_name_the_author_and_stay_short() -> None:
    assert preview(None) == "No messages"
    assert preview({"author": "visitor", "body": "  two\n lines "}) == "You: two lines"
    assert preview(REPLY) == "Olivia: Hi"
    long = preview({"author": "system", "body": "x" * 200})
    assert len(long) == threads.PREVIEW_LENGTH and long.endswith("…")
