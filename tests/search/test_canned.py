"""Canned replies on SQLite and PostgreSQL: shared and personal, unique shortcuts, and
placeholders filled by plain substitution (nothing evaluated, unknown ones left visible)."""

from __future__ import annotations

import pytest

from porch.canned.models import fill
from porch.errors import Invalid
from tests.search.conftest import Desk


async def test_placeholders_are_filled_for_the_conversation(desk: Desk) -> None:
    await desk.services.visitors.update(desk.visitor.id, name="Amber", email="amber@x.example")
    conversation = await desk.visitor_says("hi")
    await desk.canned.add(
        desk.site.id, "/Thanks", "Thanks",
        "Hi {{contact.name}} ({{ contact.email }}), {{operator.name}} of {{site.name}}. "
        "{{order.total}} {{contact.__class__}}",
    )  # fmt: skip
    [(reply, text)] = await desk.canned.for_conversation(conversation, desk.olivia.id)
    assert reply.shortcut == "thanks" and reply.shared
    assert text == (
        "Hi Amber (amber@x.example), Olivia of Shop. {{order.total}} {{contact.__class__}}"
    )


def test_values_are_not_templates_themselves() -> None:
    values = {"contact.name": "{{site.name}} <b>", "site.name": "Shop"}
    assert fill("{{contact.name}} / {{contact.email}}", values) == "{{site.name}} <b> / "


async def test_personal_replies_are_their_owners_and_shortcuts_unique(desk: Desk) -> None:
    omar = await desk.services.operators.create("omar@shop.example", "Omar", "pw-123456")
    await desk.canned.add(desk.site.id, "hello", "Hello", "Hello there")
    mine = await desk.canned.add(desk.site.id, "bye", "Bye", "Bye now", desk.olivia.id)
    with pytest.raises(Invalid):
        await desk.canned.add(desk.site.id, "hello", "Again", "Hello again", desk.olivia.id)
    with pytest.raises(Invalid):
        await desk.canned.add(desk.site.id, "bad shortcut!", "Bad", "x")
    await desk.canned.add(desk.site.id, "bye", "Bye", "Ciao", omar.id)  # his own /bye
    assert [r.shortcut for r in await desk.canned.replies(desk.site.id, desk.olivia.id)] == [
        "bye",
        "hello",
    ]
    assert [r.body for r in await desk.canned.replies(desk.site.id, omar.id)] == [
        "Ciao",
        "Hello there",
    ]
    assert [r.shortcut for r in await desk.canned.replies(desk.site.id)] == ["hello"]
    await desk.canned.remove(mine.id, desk.olivia.id)
    assert [r.shortcut for r in await desk.canned.replies(desk.site.id, desk.olivia.id)] == [
        "hello"
    ]
