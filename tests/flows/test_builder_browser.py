"""The flow builder driven in Chromium as a site owner would: build "pricing page help"
from a blank flow (boxes from the palette, arrows from outlets, the trigger's page and
delay), switch it on, see a shopper in another browser get the proactive message, edit it
and restore the previous version; a flow with a missing setting cannot be switched on and
says why; "Try it" plays the flow in a preview of the widget for a test visitor (nothing
counted), lighting up each box it passes; unsaved changes are shown and leaving asks
first; the Flows page counts the run."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

import pytest
from playwright.async_api import Page, expect

from porch.demo.seed import Demo
from porch.flows import templates
from porch.flows.store import FlowStore
from porch.flows.tables import flow_runs
from porch.services import Services
from tests.e2e import conftest as e2e
from tests.e2e.conftest import Tab
from tests.e2e.pages import Inbox, Storefront
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.e2e

# The browser fixtures of tests/e2e.
browser, demo_config, demo_server, demo, new_tab = (
    e2e.browser,
    e2e.demo_config,
    e2e.demo_server,
    e2e.demo,
    e2e.new_tab,
)

NewTab = Callable[..., Awaitable[Tab]]


def switch_all_off(server: LiveServer, demo: Demo) -> None:
    async def go(services: Services) -> None:
        store = FlowStore(services.db, services.events, services.clock)
        for flow in await store.list(demo.site.id):
            await store.set_enabled(flow.id, False)

    server.call(go)


def box(page: Page, node_id: str) -> object:
    return page.locator(f"[data-testid=flow-node][data-node-id='{node_id}']")


async def select(page: Page, node_id: str) -> None:
    await page.locator(f"[data-testid=flow-node-select][data-node-id='{node_id}']").click()


def outlet(page: Page, node_id: str, name: str) -> object:
    return page.locator(
        f"[data-testid=flow-outlet][data-node-id='{node_id}'][data-outlet='{name}']"
    )


async def new_blank_flow(page: Page, base: str) -> None:
    await page.goto(base + "/panel/flows")
    await page.get_by_test_id("flow-template-blank").check()
    await page.get_by_test_id("flow-create").click()
    await expect(page.get_by_test_id("flow-builder")).to_have_attribute(
        "data-ready", "true", timeout=60_000
    )


async def test_build_switch_on_edit_and_restore(
    demo_server: LiveServer, demo: Demo, new_tab: NewTab
) -> None:
    switch_all_off(demo_server, demo)
    owner = await new_tab({"width": 1500, "height": 950})
    page = owner.page
    await Inbox(page, demo_server.url).login(demo)
    await new_blank_flow(page, demo_server.url)
    await page.get_by_test_id("builder-name").fill("Pricing page help")

    # The trigger: 2 seconds on a page whose address contains /pricing.
    await select(page, "trigger")
    await page.get_by_test_id("trigger-type").select_option("time_on_page")
    await page.get_by_test_id("trigger-seconds").fill("2")
    await page.get_by_test_id("trigger-page").fill("/pricing")
    await expect(box(page, "trigger")).to_contain_text("/pricing")

    # The blank flow's greeting goes (Delete on the keyboard); buttons take its place.
    await select(page, "hello")
    await page.keyboard.press("Delete")
    await expect(box(page, "hello")).to_have_count(0)
    await page.get_by_test_id("palette-buttons").click()
    await expect(box(page, "buttons-1")).to_have_attribute("data-invalid", "true")
    await page.get_by_test_id("node-field-text").fill("Questions about our plans?")
    await page.get_by_test_id("node-field-choices").fill("Yes, help me choose\nNo thanks")
    await expect(box(page, "buttons-1")).to_have_attribute("data-invalid", "false")
    edges = page.get_by_test_id("flow-edge")
    await expect(edges).to_have_count(1)  # trigger → buttons-1 (the start)

    # An outlet, then the palette: a new node connected to it.
    await outlet(page, "buttons-1", "choice:yes-help-me-choose").click()
    await page.get_by_test_id("palette-question").click()
    await page.get_by_test_id("node-field-text").fill("What's your email?")
    await outlet(page, "question-1", "next").click()
    await page.get_by_test_id("palette-message").click()
    await page.get_by_test_id("node-field-text").fill("Thanks! A teammate will reply shortly.")
    await outlet(page, "buttons-1", "choice:no-thanks").click()
    await page.get_by_test_id("palette-message").click()
    await page.get_by_test_id("node-field-text").fill("No problem. Happy browsing!")
    # A node on its own, then an arrow dragged from an outlet onto it.
    await select(page, "message-2")
    await page.get_by_test_id("palette-handover").click()
    await outlet(page, "message-1", "next").hover()
    await page.mouse.down()
    await box(page, "handover-1").hover()
    await page.mouse.up()
    await expect(edges).to_have_count(5)
    await expect(page.locator("[data-testid=flow-edge][data-from='message-1']")).to_have_attribute(
        "data-to", "handover-1"
    )
    # Undo takes the arrow back, redo puts it again.
    await page.get_by_test_id("builder-undo").click()
    await expect(edges).to_have_count(4)
    await page.keyboard.press("Control+y")
    await expect(edges).to_have_count(5)
    await page.get_by_test_id("builder-layout").click()
    await expect(page.get_by_test_id("builder-problem")).to_have_count(0)

    # Try it: a test visitor on the pricing page clicks "Yes" and answers.
    await page.get_by_test_id("builder-try").click()
    await page.get_by_test_id("try-url").fill("https://shop.example/pricing")
    await page.get_by_test_id("try-fire").click()
    await page.get_by_test_id("try-teaser").click()
    await expect(box(page, "buttons-1")).to_have_attribute("data-running", "true")
    await page.get_by_test_id("try-choice").filter(has_text="Yes, help me choose").click()
    await expect(box(page, "question-1")).to_have_attribute("data-running", "true")
    await page.get_by_test_id("try-answer").fill("ann@example.com")
    await page.get_by_test_id("try-send").click()
    await expect(page.get_by_test_id("try-outcome")).to_have_text("The flow ran to its end.")
    await expect(box(page, "handover-1")).to_have_attribute("data-ran", "true")
    await expect(box(page, "message-2")).to_have_attribute("data-ran", "false")
    await page.get_by_test_id("builder-try").click()  # closed: the canvas as it was

    # Switch on (saves first), then a shopper on the pricing page gets the offer.
    await page.get_by_test_id("builder-enable").click()
    await expect(page.get_by_test_id("builder-status")).to_have_text("On")
    shopper = await new_tab()
    shop = Storefront(shopper.page, demo_server.url)
    await shop.visit("/demo/pricing")
    teaser = shopper.page.get_by_test_id("porch-teaser").locator("span")
    await expect(teaser).to_contain_text("Questions about our plans?", timeout=30_000)

    # Edit and save: a new version; restore the one before.
    await select(page, "buttons-1")
    await page.get_by_test_id("node-field-text").fill("Need a hand choosing a plan?")
    await page.get_by_test_id("builder-save").click()
    await expect(page.get_by_test_id("builder-message")).to_contain_text("Saved as version 3")
    await page.get_by_test_id("builder-versions").click()
    versions = page.get_by_test_id("flow-version")
    await expect(versions).to_have_count(3)
    await (
        page.locator("[data-testid=flow-version][data-version='2']")
        .get_by_test_id("flow-version-restore")
        .click()
    )
    await expect(page.get_by_test_id("flash")).to_have_text("Version restored.")
    await expect(versions).to_have_count(4)
    await page.goto(f"{demo_server.url}/panel/flows")
    row = page.locator("[data-testid=flow-row][data-name='Pricing page help']")
    await row.get_by_test_id("flow-open").click()
    await expect(page.get_by_test_id("flow-builder")).to_have_attribute(
        "data-ready", "true", timeout=60_000
    )
    await expect(box(page, "buttons-1")).to_contain_text("Questions about our plans?")

    # The Flows page counts the shopper's run.
    await page.goto(f"{demo_server.url}/panel/flows")
    await expect(row.get_by_test_id("flow-status")).to_have_text("On")
    await expect(row.get_by_test_id("flow-figures-7")).to_have_attribute("data-triggered", "1")
    await expect(row.get_by_test_id("flow-figures-30")).to_have_attribute("data-triggered", "1")
    await expect(row.get_by_test_id("flow-trigger")).to_have_text("Time on page (2 s) on /pricing")
    assert owner.errors == []


async def test_a_flow_with_a_missing_setting_cannot_be_switched_on(
    demo_server: LiveServer, demo: Demo, new_tab: NewTab
) -> None:
    owner = await new_tab({"width": 1500, "height": 950})
    page = owner.page
    await Inbox(page, demo_server.url).login(demo)
    await new_blank_flow(page, demo_server.url)
    await select(page, "hello")
    await page.get_by_test_id("node-field-text").fill("")
    await expect(box(page, "hello")).to_have_attribute("data-invalid", "true")
    await expect(page.get_by_test_id("node-field-text")).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_test_id("builder-problem")).to_have_text(
        ["hello: Message is missing."]
    )
    await page.get_by_test_id("builder-enable").click()
    await expect(page.get_by_test_id("builder-error")).to_have_text(
        "Can't switch on: hello: Message is missing."
    )
    await expect(page.get_by_test_id("builder-status")).to_have_text("Off")
    # Ctrl+Z brings the text back; the flow is fine again.
    await select(page, "hello")
    await page.keyboard.press("Control+z")
    await expect(box(page, "hello")).to_have_attribute("data-invalid", "false")
    # Arrow keys move the focused box, 20 px a press.
    await page.locator("[data-testid=flow-node-select][data-node-id=hello]").focus()
    await page.keyboard.press("ArrowRight")
    await page.keyboard.press("ArrowDown")
    await expect(box(page, "hello")).to_have_attribute("style", "left: 60px; top: 220px;")
    # A condition's checks in words: its default removed, it is marked; a ready one added.
    await page.get_by_test_id("palette-condition").click()
    checks = page.get_by_test_id("condition-checks").locator("li")
    await expect(checks).to_have_count(1)
    await page.get_by_test_id("condition-remove").click()
    await expect(box(page, "condition-1")).to_have_attribute("data-invalid", "true")
    await page.get_by_test_id("condition-pick").select_option(label="No operator is online")
    await page.get_by_test_id("condition-add").click()
    await expect(checks).to_have_text(["No operator is onlineRemove"])
    await expect(box(page, "condition-1")).to_have_attribute("data-invalid", "false")
    assert owner.errors == []


async def test_out_of_hours_built_from_blank_tried_and_switched_on(
    demo_server: LiveServer, demo: Demo, new_tab: NewTab
) -> None:
    owner = await new_tab({"width": 1500, "height": 950})
    page = owner.page
    await Inbox(page, demo_server.url).login(demo)
    await new_blank_flow(page, demo_server.url)
    await page.get_by_test_id("builder-name").fill("Out of hours")
    await select(page, "trigger")
    await page.get_by_test_id("trigger-type").select_option("launcher_click")
    await select(page, "hello")
    await page.keyboard.press("Delete")
    await page.get_by_test_id("palette-condition").click()
    await page.get_by_test_id("condition-match").select_option("any")
    await page.get_by_test_id("condition-remove").click()
    for check in ("No operator is online", "Outside business hours"):
        await page.get_by_test_id("condition-pick").select_option(label=check)
        await page.get_by_test_id("condition-add").click()
    await outlet(page, "condition-1", "then").click()
    await page.get_by_test_id("palette-question").click()
    await page.get_by_test_id("node-field-text").fill("We're away right now. Your email?")
    await outlet(page, "question-1", "next").click()
    await page.get_by_test_id("palette-message").click()
    await page.get_by_test_id("node-field-text").fill("Thanks! We'll reply to {email}.")
    await outlet(page, "condition-1", "else").click()
    await page.get_by_test_id("palette-end").click()
    await expect(page.get_by_test_id("builder-problem")).to_have_count(0)

    # Try it: inside business hours with an operator online, nothing is asked; outside, it is.
    await page.get_by_test_id("builder-try").click()
    await expect(page.get_by_test_id("try-fire")).to_have_text("Click the launcher")
    await page.get_by_test_id("try-launcher").click()
    await expect(page.get_by_test_id("try-outcome")).to_have_text("The flow ran to its end.")
    await expect(box(page, "end-1")).to_have_attribute("data-ran", "true")
    await page.get_by_test_id("try-hours").uncheck()  # another test visitor
    await page.get_by_test_id("try-fire").click()
    await expect(box(page, "question-1")).to_have_attribute("data-running", "true")
    await expect(page.get_by_test_id("try-step").last).to_contain_text("We're away right now.")
    await page.get_by_test_id("try-hours").check()
    await page.get_by_test_id("try-online").uncheck()
    await page.get_by_test_id("try-fire").click()
    await expect(page.get_by_test_id("try-step")).to_have_count(2)
    await expect(box(page, "question-1")).to_have_attribute("data-running", "true")

    await page.get_by_test_id("builder-enable").click()
    await expect(page.get_by_test_id("builder-status")).to_have_text("On")

    async def stored(services: Services) -> dict:
        store = FlowStore(services.db, services.events, services.clock)
        [flow] = [f for f in await store.list(demo.site.id) if f.name == "Out of hours"]
        assert flow.enabled
        return flow.document

    document = demo_server.call(stored)
    check = document["nodes"][document["start"]]
    assert check["if"] == {
        "any": [
            {"type": "operators_online", "value": False},
            {"type": "business_hours", "value": False},
        ]
    }
    assert document["nodes"][check["then"]]["type"] == "question"
    assert document["nodes"][check["else"]]["type"] == "end"
    assert owner.errors == []


async def test_try_it_plays_the_flow_in_a_preview_widget_and_unsaved_changes_warn(
    demo_server: LiveServer, demo: Demo, new_tab: NewTab
) -> None:
    async def create(services: Services) -> int:
        store = FlowStore(services.db, services.events, services.clock)
        document = {**templates.load("pricing-page-help"), "name": "Tried in the preview"}
        return (await store.create(demo.site.id, document, enabled=False)).id

    flow_id = demo_server.call(create)
    owner = await new_tab({"width": 1500, "height": 950})
    page = owner.page
    await Inbox(page, demo_server.url).login(demo)
    await page.goto(f"{demo_server.url}/panel/flows/{flow_id}")
    builder = page.get_by_test_id("flow-builder")
    await expect(builder).to_have_attribute("data-ready", "true", timeout=60_000)
    await expect(page.get_by_test_id("builder-unsaved")).to_be_hidden()

    # The preview waits for the trigger; the test visitor "stays 30 s" and gets the offer
    # as a teaser by the launcher, the box it came from lit up on the canvas.
    await page.get_by_test_id("builder-try").click()
    await expect(box(page, "trigger")).to_have_attribute("data-running", "true")
    await page.get_by_test_id("try-fire").filter(has_text="Stay 30 s on the page").click()
    teaser = page.get_by_test_id("try-teaser")
    await expect(teaser).to_have_text("Questions about our plans? We can help you choose.")
    await expect(box(page, "offer")).to_have_attribute("data-running", "true")
    await teaser.click()
    await page.get_by_test_id("try-choice").filter(has_text="Yes, help me choose").click()
    await expect(box(page, "ask")).to_have_attribute("data-running", "true")
    await expect(box(page, "offer")).to_have_attribute("data-ran", "true")
    await page.get_by_test_id("try-answer").fill("not an email")
    await page.get_by_test_id("try-send").click()
    steps = page.get_by_test_id("try-step")
    await expect(steps.last).to_contain_text("That doesn't look like an email")
    await page.get_by_test_id("try-answer").fill("ann@example.com")
    await page.get_by_test_id("try-send").click()
    await expect(page.get_by_test_id("try-outcome")).to_have_text("The flow ran to its end.")
    await expect(box(page, "human")).to_have_attribute("data-ran", "true")
    await expect(box(page, "bye")).to_have_attribute("data-ran", "false")

    async def runs(services: Services) -> int:
        async with services.db.connect() as conn:
            query = flow_runs.select().where(flow_runs.c.flow_id == flow_id)
            return len((await conn.execute(query)).all())

    assert demo_server.call(runs) == 0  # a preview is no run: nothing counted

    # An edit shows "Unsaved changes". As quick replies, the buttons are chips above the
    # composer, and typing instead ends the flow.
    await page.get_by_test_id("builder-zoom-reset").click()  # back from following the run
    await select(page, "offer")
    await page.get_by_test_id("node-field-quick_replies").check()
    await expect(page.get_by_test_id("builder-unsaved")).to_be_visible()
    await page.get_by_test_id("try-run").click()
    await page.get_by_test_id("try-fire").click()
    await page.get_by_test_id("try-teaser").click()
    chips = page.get_by_test_id("try-quick-replies").get_by_test_id("try-choice")
    await expect(chips).to_have_count(2)
    await page.get_by_test_id("try-answer").fill("I'd rather ask")
    await page.get_by_test_id("try-send").click()
    await expect(chips).to_have_count(0)
    await expect(page.get_by_test_id("try-outcome")).to_have_text(
        "The flow ended: the visitor typed instead."
    )

    # Leaving with unsaved changes asks first; saving clears them.
    async with page.expect_event("dialog") as asked:
        await page.close(run_before_unload=True)
    assert (await asked.value).type == "beforeunload"  # the tab dismisses it: we stay
    await page.get_by_test_id("builder-save").click()
    await expect(page.get_by_test_id("builder-message")).to_contain_text("Saved as version 2")
    await expect(page.get_by_test_id("builder-unsaved")).to_be_hidden()
    assert owner.errors == []


TEMPLATES_LEFT = (
    "welcome-returning-visitor",
    "exit-intent-discount",
    "lead-capture",
    "abandoned-cart",
)


async def test_each_remaining_template_is_built_from_blank_tried_and_switched_on(
    demo_server: LiveServer, demo: Demo, new_tab: NewTab
) -> None:
    """With the palette, the outlets and the settings only, each template the engine ships
    (pricing-page-help and out-of-hours are built above) comes out as the same flow."""
    owner = await new_tab({"width": 1500, "height": 950})
    page = owner.page
    await Inbox(page, demo_server.url).login(demo)
    built: dict[str, int] = {}
    for name in TEMPLATES_LEFT:
        wanted = templates.load(name)
        await new_blank_flow(page, demo_server.url)
        built[name] = int(await page.get_by_test_id("flow-builder").get_attribute("data-flow-id"))
        await build(page, wanted)
        await expect(page.get_by_test_id("builder-problem")).to_have_count(0)
        # Try it: the test visitor fits the trigger and audience; the first words show.
        await page.get_by_test_id("builder-try").click()
        await page.get_by_test_id("try-returning").set_checked(name.startswith("welcome"))
        await page.get_by_test_id("try-cart").fill("59")
        await page.get_by_test_id("try-cart").dispatch_event("change")
        await page.get_by_test_id("try-fire").click()
        first = wanted["nodes"][wanted["start"]]["text"]
        await expect(page.get_by_test_id("try-teaser")).to_have_text(first)
        await page.get_by_test_id("builder-try").click()
        await page.get_by_test_id("builder-enable").click()
        await expect(page.get_by_test_id("builder-status")).to_have_text("On")

    async def stored(services: Services) -> dict[str, dict]:
        store = FlowStore(services.db, services.events, services.clock)
        found = {name: await store.get(flow_id) for name, flow_id in built.items()}
        for flow in await store.list(demo.site.id):
            await store.set_enabled(flow.id, False)  # leave the storefront quiet
        return {name: flow.document for name, flow in found.items() if flow.enabled}

    documents = demo_server.call(stored)
    for name in TEMPLATES_LEFT:
        assert shape(documents[name]) == shape(templates.load(name)), name
    assert owner.errors == []


async def build(page: Page, wanted: dict) -> None:
    """Build `wanted` on a blank flow's canvas as a person would."""
    await page.get_by_test_id("builder-name").fill(wanted["name"])
    await select(page, "trigger")
    trigger = wanted["trigger"]
    await page.get_by_test_id("trigger-type").select_option(trigger["type"])
    if "page" not in trigger:
        await page.get_by_test_id("trigger-page").fill("")  # any page
    for key, value in trigger.items():
        if key == "page":
            await page.get_by_test_id("trigger-page").fill(value["value"])
        elif key != "type":
            await page.get_by_test_id(f"trigger-{key}").fill(str(value))
    await page.get_by_test_id("flow-frequency").select_option(wanted["frequency"]["per"])
    await page.get_by_test_id("flow-priority").fill(str(wanted["priority"]))
    if wanted.get("conditions"):
        await page.get_by_test_id("flow-audience").fill(json.dumps(wanted["conditions"]))
    await select(page, "hello")
    await page.keyboard.press("Delete")
    made: dict[str, str] = {}  # the template's node id → the canvas's
    todo: list[tuple[str, tuple[str, int] | None]] = [(wanted["start"], None)]
    while todo:
        node_id, into = todo.pop(0)
        if into is not None:
            await outlet_nth(page, *into).click()
        if node_id in made:  # a second arrow into a box already there
            await page.locator(
                f"[data-testid=flow-node-select][data-node-id='{made[node_id]}']"
            ).click()
            continue
        node = wanted["nodes"][node_id]
        await page.get_by_test_id(f"palette-{node['type']}").click()
        made[node_id] = await page.get_by_test_id("node-settings").get_attribute("data-node-id")
        await fill_settings(page, node)
        for index, target in enumerate(targets(node)):
            if target is not None:
                todo.append((target, (made[node_id], index)))


async def fill_settings(page: Page, node: dict) -> None:
    for key, value in node.items():
        field = page.get_by_test_id(f"node-field-{key}")
        if key in ("type", "next"):
            continue
        if key == "choices":
            await field.fill("\n".join(choice["label"] for choice in value))
        elif await field.evaluate("e => e.tagName") == "SELECT":
            await field.select_option(str(value))
        else:
            await field.fill(str(value))


def targets(node: dict) -> list[str | None]:
    """Where each outlet of the node leads, in the order the box shows them."""
    if node["type"] == "buttons":
        return [choice.get("next", node.get("next")) for choice in node["choices"]]
    return [node.get("next")]


def outlet_nth(page: Page, node_id: str, index: int) -> object:
    return page.locator(f"[data-testid=flow-outlet][data-node-id='{node_id}']").nth(index)


def shape(document: dict) -> dict:
    """The flow without its node ids, choice ids, layout or description: the nodes in the
    order a walk from the start meets them, each arrow as the index of its target."""
    order: list[str] = []
    todo = [document["start"]]
    while todo:
        node_id = todo.pop(0)
        if node_id not in order:
            order.append(node_id)
            todo += [t for t in targets(document["nodes"][node_id]) if t is not None]
    nodes = []
    for node_id in order:
        node = {k: v for k, v in document["nodes"][node_id].items() if k not in ("x", "y")}
        node.pop("next", None)
        if "choices" in node:
            node["choices"] = [choice["label"] for choice in node["choices"]]
        arrows = [order.index(t) if t else None for t in targets(document["nodes"][node_id])]
        nodes.append((node, arrows))
    flow = {k: v for k, v in document.items() if k not in ("nodes", "start", "description")}
    return {**flow, "nodes": nodes}
