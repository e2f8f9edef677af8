"""The panel's mail page: what the customer wrote as text (an HTML mail's script shown as
text, never run), the full message with its quoted history behind "Show full message",
the original source, and attachments as downloads."""

from __future__ import annotations

import re
from email.message import EmailMessage

from porch.config import Config
from tests.email.conftest import SUPPORT, Desk
from tests.email.helpers import all_tickets
from tests.support.panel import app_client, csrf_from, login


def html_reply() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Dana <dana@example.com>"
    message["To"] = SUPPORT
    message["Subject"] = "Broken lamp"
    message.set_content("It arrived broken.\n\nOn Mon, Jan 7, 2030 Shop wrote:\n> Sorry!\n")
    message.add_alternative(
        "<p>It arrived broken.</p><script>alert('pwned')</script>"
        "<blockquote>On Mon, Jan 7, 2030 Shop wrote: Sorry!</blockquote>",
        subtype="html",
    )
    message.add_attachment(
        b"<svg onload=alert(1)>", maintype="image", subtype="svg+xml", filename="photo.svg"
    )
    return message


async def test_the_mail_page_shows_text_full_message_source_and_files(
    desk: Desk, config: Config
) -> None:
    await desk.mail(html_reply())
    await desk.run_due()
    [ticket] = await all_tickets(desk)

    async with app_client(config, "http://testserver") as client:
        await login(client, "olivia@shop.example", "pw-123456")
        listing = await client.get("/panel/email")
        assert listing.status_code == 200
        assert "#1001 · Broken lamp" in listing.text
        assert f'href="/panel/email/{ticket.conversation_id}"' in listing.text
        page = await client.get(f"/panel/email/{ticket.conversation_id}")
        assert page.status_code == 200
        html = page.text
        assert "<script>alert" not in html  # the source is shown, escaped
        assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in html
        shown = re.search(r'data-testid="email-text"[^>]*>([^<]*)</pre>', html)
        assert shown and shown.group(1) == "It arrived broken."
        assert "Show full message" in html and "Shop wrote:" in html

        link = re.search(r'href="(/panel/email/attachments/\d+)"', html)
        assert link
        download = await client.get(link.group(1))
        assert download.content == b"<svg onload=alert(1)>"
        assert download.headers["content-type"] == "application/octet-stream"
        assert download.headers["content-disposition"].startswith("attachment;")

        form = await client.get(f"/panel/email/{ticket.conversation_id}")
        sent = await client.post(
            f"/panel/email/{ticket.conversation_id}/transcript",
            data={"csrf_token": csrf_from(form.text), "email": ""},
        )
        assert sent.status_code == 303
        done = await client.get(sent.headers["location"])
        assert "Sent to dana@example.com." in done.text
    await desk.run_due()
    [transcript] = [m for m in desk.sink.to("dana@example.com") if "conversation" in m["Subject"]]
    assert "It arrived broken." in transcript.get_body(("plain",)).get_content()

    async with app_client(config, "http://testserver") as anonymous:
        refused = await anonymous.get(f"/panel/email/{ticket.conversation_id}")
        assert refused.status_code in (302, 303, 401, 403)
