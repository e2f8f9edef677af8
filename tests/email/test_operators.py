"""Mail to operators: a ticket someone else assigns to them, an SLA warning on their
ticket; each switchable by the operator on the panel's Mail page."""

from __future__ import annotations

from porch.actors import Actor
from porch.config import Config
from tests.email.conftest import Desk, mail
from tests.email.helpers import all_tickets
from tests.support.panel import app_client, csrf_from, login

OLIVIA = "olivia@shop.example"


async def mailed_ticket(desk: Desk) -> int:
    await desk.mail(mail())
    await desk.run_due()
    [ticket] = await all_tickets(desk)
    return ticket.id


async def test_assignment_and_sla_warning_mail_the_operator(desk: Desk) -> None:
    ticket_id = await mailed_ticket(desk)
    omar = await desk.services.operators.create("omar@shop.example", "Omar", "pw-123456")
    await desk.tickets.update(
        ticket_id, Actor.operator(omar.id, "Omar"), assignee_id=desk.olivia.id
    )
    await desk.run_due()
    [assigned] = desk.sink.to(OLIVIA)
    assert assigned["Subject"] == "[#1001] Assigned to you: My parcel never arrived"
    assert f"/panel/tickets/{ticket_id}" in assigned.get_body(("plain",)).get_content()

    desk.clock.advance(hours=5)  # past 80% and 100% of the 4 h first-response target
    await desk.run_due()
    _, warning = desk.sink.to(OLIVIA)
    assert warning["Subject"] == "[#1001] SLA warning: first response due soon"
    assert len(desk.sink.to(OLIVIA)) == 2  # the breach itself sends nothing more


async def test_taking_a_ticket_yourself_mails_nobody(desk: Desk) -> None:
    ticket_id = await mailed_ticket(desk)
    olivia = Actor.operator(desk.olivia.id, "Olivia")
    await desk.tickets.update(ticket_id, olivia, assignee_id=desk.olivia.id)
    await desk.run_due()
    assert desk.sink.to(OLIVIA) == []


async def test_an_operator_switches_assignment_mail_off(desk: Desk, config: Config) -> None:
    async with app_client(config, "http://testserver") as client:
        await login(client, OLIVIA, "pw-123456")
        page = await client.get("/panel/email")
        assert 'data-testid="email-notice-assignment" checked' in page.text
        saved = await client.post(
            "/panel/email/notifications", data={"csrf_token": csrf_from(page.text), "sla": "on"}
        )
        assert saved.status_code == 303
        page = await client.get("/panel/email?saved=1")
        assert 'data-testid="email-notice-assignment" checked' not in page.text
        assert 'data-testid="email-notice-sla" checked' in page.text
        forged = await client.post("/panel/email/notifications", data={"assignment": "on"})
        assert forged.status_code in (400, 403)

    ticket_id = await mailed_ticket(desk)
    await desk.tickets.update(ticket_id, Actor.system("rules"), assignee_id=desk.olivia.id)
    await desk.run_due()
    assert desk.sink.to(OLIVIA) == []
