"""The Tickets page's pure parts (run here under CPython), and the page itself over HTTP."""

from __future__ import annotations

import sys

import httpx

from porch.paths import widget_dir
from tests.support.chat_clients import Seeded, operator_cookie
from tests.support.live_server import LiveServer

sys.path.insert(0, str(widget_dir()))

from porch_panel.tickets_state import (
    alert_for,
    build_filters,
    bulk_payload,
    history_line,
    merged_line,
    rating_line,
    sla_line,
    split_list,
)

TICKET = {
    "label": "#1001",
    "subject": "Lost parcel",
    "assignee": None,
    "sla": {
        "state": "warning",
        "deadlines": [{"target": "first_response", "due_at": "10:00", "state": "warning"}],
    },
}


def test_the_rating_line_shows_this_tickets_latest_rating_only() -> None:
    def note(score: int, ticket_id: int | None, comment: str = "") -> dict:
        return {"parts": {"rating": {"score": score, "comment": comment, "ticket_id": ticket_id}}}

    ticket = {"id": 7}
    assert rating_line(ticket, [{"body": "hi"}, note(5, None)]) == ""  # the chat's own rating
    asked_twice = [note(2, 7, "slow"), note(1, 9), note(4, 7, "better")]
    assert rating_line(ticket, asked_twice) == "Rated ★★★★☆ 4/5: better"


def test_the_sla_line_names_the_soonest_deadline_and_its_state() -> None:
    assert sla_line(TICKET, lambda iso: f"at {iso}") == "First response due at 10:00 · at risk"
    assert sla_line({"sla": {"state": "none", "deadlines": []}}, str) == "No SLA clock running"
    ok = {"sla": {"state": "ok", "deadlines": [{"target": "resolution", "due_at": "x"}]}}
    assert sla_line(ok, str) == "Resolution due x"


def test_history_lines_say_who_did_what() -> None:
    olivia = {"kind": "operator", "name": "Olivia"}
    assert history_line({"kind": "created", "actor": olivia, "data": {"priority": "high"}}) == (
        "Olivia created it (high)"
    )
    changed = {"kind": "updated", "actor": olivia, "data": {"status": ["open", "pending"]}}
    assert history_line(changed) == "Olivia changed status open → pending"
    sla = {
        "kind": "sla.warning",
        "actor": {"kind": "system", "name": "sla"},
        "data": {"target": "resolution"},
    }
    assert history_line(sla) == "SLA warning: Resolution"


def test_the_assignee_is_warned_or_the_team_when_unassigned() -> None:
    alert = {"ticket": TICKET, "target": "first_response"}
    assert alert_for(alert, 7) == "#1001 Lost parcel: First response is at risk"
    mine = {"ticket": {**TICKET, "assignee": {"id": 7, "name": "Sam"}}, "target": "resolution"}
    assert alert_for(mine, 7) and alert_for(mine, 8) == ""


async def test_the_tickets_page_is_for_operators(live_server: LiveServer, seeded: Seeded) -> None:
    cookie = operator_cookie(live_server, seeded.operator.id)
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        away = await http.get("/panel/tickets")
        assert away.status_code in (302, 303) and "/panel/login" in away.headers["location"]
        page = await http.get("/panel/tickets/5", headers={"Cookie": cookie})
    assert page.status_code == 200
    assert 'data-ticket-id="5"' in page.text and "Critical and high" in page.text
    assert 'data-testid="nav-tickets"' in page.text


def test_sla_settings_are_checked() -> None:
    import pytest
    from pydantic import ValidationError

    from porch.sites.settings import SiteSettingsUpdate, settings_problems

    fine = SiteSettingsUpdate.model_validate(
        {"sla_targets": {"low": {"first_response": 60, "resolution": 600}}}
    )
    assert fine.changes() == {"sla_targets": {"low": {"first_response": 60, "resolution": 600}}}
    for bad in (
        {"sla_targets": {"urgent": {"first_response": 1, "resolution": 2}}},
        {"sla_targets": {"low": {"first_response": 0, "resolution": 2}}},
        {"ticket_auto_close_hours": 0.0},
        {"business_hours": {"timezone": "Mars/Olympus"}},
        {"sla_escalation": {"raise_priority": "yes"}},
        {"sla_escalation": {"reassign_to": 0}},
        {"ticket_resolve_message": ""},
        {"ticket_resolve_message_enabled": "on"},
    ):
        with pytest.raises(ValidationError) as refused:
            SiteSettingsUpdate.model_validate(bad)
        assert set(settings_problems(refused.value)) == set(bad)


def test_the_save_view_form_becomes_filters() -> None:
    form = {
        "status": "open",
        "priority": "high",
        "assignee": "none",
        "tag": " refund ",
        "sla": "",
        "created_from": "2030-01-01",
        "field_id": "3",
        "field_value": "1042",
    }
    assert build_filters(form) == {
        "status": ["open"],
        "priority": ["high"],
        "assignee": "none",
        "tag": "refund",
        "created_from": "2030-01-01",
        "field": {"field_id": 3, "value": "1042"},
    }
    assert build_filters({"field_id": "3", "field_value": " "}) == {}
    assert split_list(" refund, vip ,,") == ["refund", "vip"]


def test_bulk_requests_and_merged_tickets() -> None:
    assert bulk_payload([4, 2, 9], "merge") == {"ticket_ids": [4, 2, 9], "merge_into": 4}
    assert bulk_payload([4], "close") == {"ticket_ids": [4], "close": True}
    assert bulk_payload([4], "add_tag", "vip") == {"ticket_ids": [4], "add_tag": "vip"}
    assert bulk_payload([4], "priority", "high") == {"ticket_ids": [4], "priority": "high"}
    assert bulk_payload([4], "assignee_id", None) == {"ticket_ids": [4], "assignee_id": None}
    history = [{"kind": "merged", "actor": {"name": "Olivia"}, "data": {"into": "#1001"}}]
    assert merged_line({"merged_into_id": 1}, history) == (
        "Merged into #1001: replies and notes go there."
    )
    assert merged_line({"merged_into_id": None}, history) == ""
    assert history_line(history[0]) == "Olivia merged it into #1001"
    into = {"kind": "merged", "actor": {"name": "Olivia"}, "data": {"from": "#1002"}}
    assert history_line(into) == "Olivia merged #1002 into it"
    note = {"kind": "note", "actor": {"name": "Sam"}, "data": {"body": "hi", "merged_from": "#2"}}
    assert history_line(note) == "Sam noted (on #2): hi"
