"""The builder's document editing (widget/porch_flow_builder/model.py, pure Python run by
Brython in the panel): what it builds is what the engine accepts, arrows follow their
outlets, a missing setting is named, and relabelled buttons keep their arrows."""

from __future__ import annotations

import json
import sys

from porch.flows import documents, templates
from porch.paths import widget_dir

sys.path.insert(0, str(widget_dir()))

from porch_flow_builder import model


def blank() -> dict:
    return {"format": 1, "name": "Help", "trigger": {"type": "page_open"}, "nodes": {}, "start": ""}


def test_building_pricing_page_help_gives_a_document_the_engine_accepts() -> None:
    doc = blank()
    doc["trigger"] = {
        "type": "time_on_page",
        "seconds": 30,
        "page": {"match": "contains", "value": "/pricing"},
    }
    offer = model.add_node(doc, "buttons", 300, 40)
    assert doc["start"] == offer == "buttons-1"
    doc["nodes"][offer]["text"] = "Questions about our plans?"
    model.set_field(doc["nodes"][offer], "choices", "choices", "Yes, help me choose\nNo thanks\n")
    assert [c["id"] for c in doc["nodes"][offer]["choices"]] == ["yes-help-me-choose", "no-thanks"]
    ask = model.add_node(doc, "question", 600, 40)
    model.connect(doc, offer, "choice:yes-help-me-choose", ask)
    doc["nodes"][ask]["text"] = "What's your email?"
    thanks = model.add_node(doc, "message", 900, 40)
    assert model.node_problems(doc, thanks) == ["Message is missing."]
    model.set_field(doc["nodes"][thanks], "text", "textarea", "Thanks!")
    model.connect(doc, ask, "next", thanks)
    assert model.problems(doc) == {}
    assert documents.check(doc) is doc
    assert model.target(doc, model.TRIGGER, "start") == offer
    assert model.target(doc, offer, "choice:no-thanks") is None


def test_relabelled_buttons_keep_their_arrows_and_deleting_a_node_drops_arrows_into_it() -> None:
    doc = templates.load("pricing-page-help")
    offer = doc["nodes"]["offer"]
    model.set_choices(offer, "Sure, help me\nNot now")
    assert offer["choices"] == [
        {"id": "yes", "label": "Sure, help me", "next": "ask"},
        {"id": "no", "label": "Not now", "next": "bye"},
    ]
    model.delete_node(doc, "ask")
    assert "next" not in offer["choices"][0]
    model.delete_node(doc, "offer")
    assert doc["start"] in doc["nodes"]
    documents.check(doc)


def test_missing_settings_are_named_per_box_and_in_one_sentence() -> None:
    doc = blank()
    doc["trigger"] = {"type": "time_on_page"}
    node = model.add_node(doc, "delay", 0, 0)
    assert model.set_field(doc["nodes"][node], "seconds", "int", "soon") == "Type a whole number."
    hook = model.add_node(doc, "webhook", 0, 0)
    doc["nodes"][hook]["url"] = "ftp://x"
    found = model.problems(doc)
    assert found == {
        model.TRIGGER: ["Seconds is missing."],
        "delay-1": ["Wait is missing."],
        "webhook-1": ["The URL must start with http:// or https://."],
    }
    assert model.summary(found) == (
        "Trigger: Seconds is missing. delay-1: Wait is missing. "
        "webhook-1: The URL must start with http:// or https://."
    )


def test_every_template_passes_the_builders_checks_and_tidies_into_columns() -> None:
    for name in templates.NAMES:
        doc = templates.load(name)
        assert model.problems(doc) == {}, name
        model.auto_layout(doc)
        documents.check(doc)
    doc = templates.load("pricing-page-help")
    model.auto_layout(doc)
    xs = {node_id: node["x"] for node_id, node in doc["nodes"].items()}
    assert xs["offer"] < xs["ask"] < xs["thanks"] < xs["human"]
    assert xs["ask"] == xs["bye"]


def test_a_new_box_never_lands_on_another() -> None:
    doc = blank()
    first = model.add_node(doc, "message", *model.free_spot(doc, 320, 40))
    second = model.add_node(doc, "message", *model.free_spot(doc, 320, 40))
    assert doc["nodes"][first]["y"] != doc["nodes"][second]["y"]


def test_a_condition_is_edited_as_json() -> None:
    doc = blank()
    node = doc["nodes"][model.add_node(doc, "condition", 0, 0)]
    assert json.loads(model.field_text(node, "if", "json", json)) == {
        "all": [{"type": "business_hours"}]
    }
    assert model.set_field(node, "if", "json", "{all: [", json) == "Not valid JSON."
    assert model.node_problems(doc, "condition-1") == ["Condition is missing."]
    model.set_field(node, "if", "json", '{"any": [{"type": "returning_visitor"}]}', json)
    assert model.node_problems(doc, "condition-1") == []


def test_trigger_texts_frequency_and_audience_build_a_flow_the_engine_accepts() -> None:
    doc = blank()
    doc["trigger"] = {"type": "visitor_says"}
    assert model.trigger_problems(doc) == ["Keywords is missing."]
    model.set_trigger_text(doc["trigger"], "keywords", "refund, return ,")
    assert doc["trigger"]["keywords"] == ["refund", "return"]
    assert model.set_audience(doc, "{oops", json) == "Not valid JSON."
    audience = '[{"type": "contact_property", "property": "email", "compare": "not_exists"}]'
    assert model.set_audience(doc, audience, json) == ""
    doc["frequency"] = {"per": "visitor"}
    model.set_field(doc["nodes"][model.add_node(doc, "message", 0, 0)], "text", "textarea", "Hi")
    assert model.problems(doc) == {}
    documents.check(doc)
    schedule = {"type": "schedule"}
    model.set_trigger_text(schedule, "weekdays", "Mon, Tuesday")
    assert schedule["weekdays"] == ["mon", "tue"]


def test_a_conditions_checks_are_said_in_words() -> None:
    node = {"type": "condition", "if": {"any": [{"type": "operators_online", "value": False}]}}
    mode, checks = model.branch_parts(node)
    assert mode == "any"
    assert [model.check_words(c, json) for c in checks] == ["No operator is online"]
    model.set_branch(node, mode, [*checks, {"type": "tag", "value": "vip"}])
    assert model.check_words(node["if"]["any"][1], json) == '{"type": "tag", "value": "vip"}'
    model.set_branch(node, "any", [])
    assert model.branch_parts(node) == ("any", [])
    doc = {"nodes": {"c": node}}
    assert model.node_problems(doc, "c") == [
        'The condition needs "all" or "any" with at least one condition.'
    ]


def test_try_it_names_what_the_test_visitor_does_for_each_trigger() -> None:
    assert model.fire_label({"type": "time_on_page", "seconds": 30}) == "Stay 30 s on the page"
    assert model.fire_label({"type": "exit_intent"}) == "Move to leave the page (exit intent)"
    assert model.fire_label({"type": "visitor_says", "keywords": ["refund"]}) == "Say “refund”"
    for kind in model.TRIGGER_TYPES:
        assert model.fire_label({"type": kind}) != "Fire the trigger"


def test_the_flow_priority_is_a_whole_number_up_to_100() -> None:
    doc = blank()
    assert model.set_priority(doc, "70") == "" and doc["priority"] == 70
    assert model.set_priority(doc, "101") != "" and "priority" not in doc
    assert model.set_priority(doc, "") == "" and "priority" not in doc


def test_buttons_may_be_quick_replies() -> None:
    doc = blank()
    offer = model.add_node(doc, "buttons", 300, 40)
    node = doc["nodes"][offer]
    model.set_field(node, "text", "textarea", "Help?")
    model.set_field(node, "choices", "choices", "Yes\nNo")
    model.set_field(node, "quick_replies", "check", "true")
    assert node["quick_replies"] is True
    documents.check({**doc, "trigger": {"type": "exit_intent"}})
    model.set_field(node, "quick_replies", "check", "")
    assert "quick_replies" not in node


def test_try_it_starts_a_visitor_says_flow_only_on_a_keyword() -> None:
    trigger = {"type": "visitor_says", "keywords": ["refund", "return"]}
    assert model.says_keyword(trigger, "I want a REFUND please")
    assert not model.says_keyword(trigger, "hello")
    assert model.says_keyword({"type": "message_received"}, "hello")
