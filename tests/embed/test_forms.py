"""The widget's forms as the server checks them (`form.submit` on `/visitor`), whatever a
browser sends: the site's required pre-chat fields, a real address, an offline message
that needs both; a question becomes the visitor's message, sent once. And what the frame
tells the widget about business hours."""

from __future__ import annotations

import datetime as dt

import pytest

from porch.embed.forms import widget_forms
from porch.sites.models import Site
from tests.support.chat_clients import open_session, seed, visitor_client
from tests.support.live_server import LiveServer

PRECHAT = [{"name": "name", "required": True}, {"name": "email"}, {"name": "question"}]


async def test_pre_chat_fields_required_by_the_site_are_checked(live_server: LiveServer) -> None:
    seeded = seed(live_server, prechat_fields=PRECHAT)
    session = await open_session(live_server, seeded.site.key)
    visitor = await visitor_client(live_server, session["visitor_token"])
    try:
        refused = await visitor.call(
            "form.submit", {"kind": "prechat", "client_id": "f-1", "question": "Hi"}
        )
        assert refused["ok"] is False
        assert refused["error"]["message"] == "Please fill in your name."
        bad = await visitor.call(
            "form.submit",
            {"kind": "prechat", "client_id": "f-1", "name": "Amber", "email": "amber@"},
        )
        assert bad["ok"] is False and bad["error"]["code"] == "invalid"

        form = {"kind": "prechat", "client_id": "f-1", "name": "Amber", "question": "Size 42?"}
        sent = await visitor.call("form.submit", form)
        assert sent["ok"], sent
        assert sent["message"]["body"] == "Size 42?"
        again = await visitor.call("form.submit", form)  # a resend stores nothing new
        assert again["message"]["id"] == sent["message"]["id"]
    finally:
        await visitor.close()


async def test_the_offline_form_needs_an_email_and_a_message(live_server: LiveServer) -> None:
    seeded = seed(live_server, offline_form=True)
    session = await open_session(live_server, seeded.site.key)
    visitor = await visitor_client(live_server, session["visitor_token"])
    try:
        refused = await visitor.call("form.submit", {"kind": "offline", "client_id": "f-2"})
        assert refused["error"]["message"] == "Please fill in your email, your question."
        sent = await visitor.call(
            "form.submit",
            {"kind": "offline", "client_id": "f-2", "email": "sam@example.no", "question": "Hi"},
        )
        assert sent["ok"] and sent["message"]["author"] == "visitor"
    finally:
        await visitor.close()


@pytest.mark.parametrize(
    ("now", "open_now", "back"),
    [
        (dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC), True, None),  # a Friday noon
        (dt.datetime(2026, 11, 27, 20, tzinfo=dt.UTC), False, "2026-11-30T08:00:00+00:00"),
    ],
)
def test_the_frame_says_when_the_team_is_back(
    now: dt.datetime, open_now: bool, back: str | None
) -> None:
    weekdays = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    hours = {"timezone": "Europe/Oslo", "weekly": weekdays}
    site = Site(1, "key", "Shop", [], {"business_hours": hours}, identity_secret="s")
    assert widget_forms(site, now)["hours"] == {"open": open_now, "next_opening": back}
    assert widget_forms(None, now)["hours"] == {"open": True, "next_opening": None}


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"logo_url": "http://shop.example/logo.png"}, "logo_url"),
        ({"logo_url": "javascript:alert(1)"}, "logo_url"),
        ({"prechat_fields": [{"name": "phone"}]}, "prechat_fields"),
        ({"prechat_fields": [{"name": "email", "required": "yes"}]}, "prechat_fields"),
        ({"offline_form": "on"}, "offline_form"),
    ],
)
def test_form_and_logo_settings_are_checked(bad: dict[str, object], field: str) -> None:
    from pydantic import ValidationError

    from porch.sites.settings import SiteSettingsUpdate, settings_problems

    with pytest.raises(ValidationError) as refused:
        SiteSettingsUpdate.model_validate(bad)
    assert list(settings_problems(refused.value)) == [field]
    fine = {"logo_url": "", "prechat_fields": [{"name": "email", "required": True}]}
    assert SiteSettingsUpdate.model_validate(fine).changes() == fine


async def test_a_first_message_waits_for_the_required_pre_chat_fields(
    live_server: LiveServer,
) -> None:
    """Over the socket, whatever the browser skips: the widget shows the form first, and
    the server refuses a first message until the required fields are given."""
    required = [{"name": "name", "required": True}, {"name": "email", "required": True}]
    seeded = seed(live_server, prechat_fields=required)
    session = await open_session(live_server, seeded.site.key)
    visitor = await visitor_client(live_server, session["visitor_token"])
    try:
        first = {"client_id": "m-1", "body": "Hello?"}
        refused = await visitor.call("message.send", first)
        assert refused["ok"] is False
        assert refused["error"] == {
            "code": "forbidden",
            "message": "Please fill in the form first: your name, your email.",
            "event": "message.send",
        }
        bad = {"kind": "prechat", "client_id": "f-1", "name": "Amber", "email": "amber@@x"}
        assert (await visitor.call("form.submit", bad))["error"]["code"] == "invalid"
        assert (await visitor.call("message.send", first))["ok"] is False

        form = {"kind": "prechat", "client_id": "f-1", "name": "Amber", "email": "a@shop.no"}
        assert (await visitor.call("form.submit", form))["ok"]
        sent = await visitor.call("message.send", first)
        assert sent["ok"], sent
        assert sent["message"]["author_name"] == "Amber"
    finally:
        await visitor.close()


async def test_a_required_question_is_asked_in_the_form(live_server: LiveServer) -> None:
    seeded = seed(live_server, prechat_fields=[{"name": "question", "required": True}])
    session = await open_session(live_server, seeded.site.key)
    visitor = await visitor_client(live_server, session["visitor_token"])
    try:
        refused = await visitor.call("message.send", {"client_id": "m-1", "body": "Hi"})
        assert refused["error"]["message"] == "Please fill in the form first: your question."
        form = {"kind": "prechat", "client_id": "f-1", "question": "Size 42?"}
        assert (await visitor.call("form.submit", form))["ok"]
        # The chat is open now: the next messages need no form.
        assert (await visitor.call("message.send", {"client_id": "m-2", "body": "Hi"}))["ok"]
    finally:
        await visitor.close()

    again = await visitor_client(live_server, session["visitor_token"])  # a reload
    try:
        assert (await again.call("message.send", {"client_id": "m-3", "body": "Back"}))["ok"]
    finally:
        await again.close()
