"""What `porch demo` shows of email: a support address, and a customer's mail (an HTML
mail with a quoted reply and an attachment) waiting as a ticket on the Mail page.

The demo sends no mail (it has no `PORCH_SMTP_URL`), so acknowledgements are off."""

from __future__ import annotations

from email.message import EmailMessage

from porch.demo.seed import Demo
from porch.services import Services
from porch.sites.settings import SiteSettingsUpdate

SUPPORT = "support@porch-coffee.example"


async def seed_email(services: Services, demo: Demo) -> None:
    from porch.email.service import EmailService
    from porch.tickets.service import TicketService

    settings = SiteSettingsUpdate(
        support_email=SUPPORT, email_ack=False, email_tags={"beans": "coffee"}
    )
    await services.sites.update(demo.site.id, settings=settings)
    tickets = TicketService(services.db, services.events, services.clock, services.conversations)
    email = EmailService(services, tickets)
    # Stored with its job: it becomes a ticket once the server's job worker runs.
    await email.receive("sam@example.com", [SUPPORT], _mail().as_bytes())


def _mail() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Sam Okafor <sam@example.com>"
    message["To"] = SUPPORT
    message["Subject"] = "Wrong beans in my subscription box"
    message["Message-ID"] = "<demo-1@example.com>"
    message.set_content(
        "Hello, this month's box had decaf beans instead of Ember Blend. Photo attached.\n\n"
        "Thanks,\nSam\n-- \nSam Okafor\n\n"
        "On Mon, Porch Coffee Roasters <support@porch-coffee.example> wrote:\n"
        "> Your subscription box is on its way!\n"
    )
    message.add_alternative(
        "<p>Hello, this month's box had <b>decaf</b> beans instead of Ember Blend. "
        "Photo attached.</p><p>Thanks,<br>Sam</p>",
        subtype="html",
    )
    message.add_attachment(
        b"(a photo of the wrong bag)", maintype="image", subtype="jpeg", filename="box.jpg"
    )
    return message
