"""Quick replies against real storage: the offer says so (the widget shows chips above the
composer), a pick goes down its branch like a button, and typing instead ends the flow
(the chips are gone), where buttons stay on offer."""

from __future__ import annotations

from typing import Any

from tests.flows.conftest import Shop


def roast(quick: bool) -> dict[str, Any]:
    return {
        "format": 1,
        "name": "Roast",
        "trigger": {"type": "first_visit"},
        "frequency": {"per": "always"},
        "start": "ask",
        "nodes": {
            "ask": {
                "type": "buttons",
                "text": "Which roast?",
                "quick_replies": quick,
                "choices": [
                    {"id": "light", "label": "Light", "next": "light"},
                    {"id": "dark", "label": "Dark", "next": "dark"},
                ],
            },
            "light": {"type": "message", "text": "Light it is."},
            "dark": {"type": "message", "text": "Dark it is."},
        },
    }


async def test_quick_replies_are_marked_and_a_pick_takes_its_branch(shop: Shop) -> None:
    flow = await shop.add(roast(quick=True))
    started = await shop.fire("now", flow)
    assert started.messages[0].parts == {
        "choices": [{"id": "light", "label": "Light"}, {"id": "dark", "label": "Dark"}],
        "quick_replies": True,
    }
    await shop.click("Dark")
    assert (await shop.bodies())[-1] == ("bot", "Dark it is.")


async def test_typing_instead_of_a_quick_reply_ends_the_flow(shop: Shop) -> None:
    flow = await shop.add(roast(quick=True))
    await shop.fire("now", flow)
    await shop.say("Medium?")
    assert await shop.bodies() == [("bot", "Which roast?"), ("visitor", "Medium?")]
    assert [run.status for run in await runs_of(shop)] == ["done"]


async def test_typing_while_buttons_wait_leaves_them_on_offer(shop: Shop) -> None:
    flow = await shop.add(roast(quick=False))
    started = await shop.fire("now", flow)
    assert "quick_replies" not in (started.messages[0].parts or {})
    await shop.say("Medium?")
    assert [run.status for run in await runs_of(shop)] == ["waiting"]
    await shop.click("Light")
    assert (await shop.bodies())[-1] == ("bot", "Light it is.")


async def runs_of(shop: Shop) -> list[Any]:
    from porch.flows.models import Run
    from porch.flows.tables import flow_runs

    async with shop.services.db.connect() as conn:
        rows = await conn.execute(flow_runs.select().order_by(flow_runs.c.id))
        return [Run(**row._mapping) for row in rows]
