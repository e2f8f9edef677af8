"""Mail in, over real SMTP to Porch's listener: a ticket with the sender as requester and
an acknowledgement with its reference; HTML shown as text; charsets, encoded headers and
attachments; loops, bounces and auto-replies; malformed mail refused with nothing stored."""

from __future__ import annotations

from email.message import EmailMessage

from porch.email.parse import LOOP_MARKER
from porch.visitors.models import Page
from tests.email.conftest import SUPPORT, Desk, mail, send
from tests.email.helpers import all_tickets, messages, stored_mails


async def test_a_mail_becomes_a_ticket_and_is_acknowledged(desk: Desk) -> None:
    original = mail(Message_ID="<first@example.com>")
    assert (await desk.mail(original)).startswith("250")
    await desk.run_due()

    [ticket] = await all_tickets(desk)
    assert ticket.subject == "My parcel never arrived"
    assert ticket.requester_name == "Dana Smith"
    assert ticket.status == "open"
    [message] = await messages(desk, ticket.conversation_id)
    assert message.author == "visitor"
    assert message.body == "Hello, order 1234 has not arrived. Can you help?"
    visitor = await desk.services.visitors.get(ticket.requester_id)
    assert visitor is not None and visitor.email == "dana@example.com"

    [ack] = desk.sink.to("dana@example.com")
    assert f"[#{ticket.reference}]" in ack["Subject"]
    assert f"[#{ticket.reference}]" in ack.get_body(("plain",)).get_content()
    assert "We expect to reply by" in ack.get_body(("plain",)).get_content()
    assert ack["In-Reply-To"] == "<first@example.com>"
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["From"] == f"Shop <{SUPPORT}>"
    assert ack["Reply-To"].startswith(f"support+t{ticket.reference}.")
    assert ack.get_body(("html",)) is not None


async def test_mail_from_a_visitor_with_that_email_is_theirs(desk: Desk) -> None:
    page = Page("https://shop.example/", "", "")
    visitor = await desk.services.visitors.open_session(desk.site, None, page)
    await desk.services.visitors.update(visitor.id, email="Dana@Example.com")
    await desk.mail(mail())
    await desk.run_due()
    [ticket] = await all_tickets(desk)
    assert ticket.requester_id == visitor.id


async def test_html_mail_is_shown_as_text_without_its_script(desk: Desk) -> None:
    html_only = EmailMessage()
    html_only["From"] = "Dana <dana@example.com>"
    html_only["To"] = SUPPORT
    html_only["Subject"] = "Refund"
    html_only.set_content(
        "<html><head><style>p{color:red}</style></head><body><p>Hi <b>there</b></p>"
        "<script>alert('x')</script><p>Order &amp; refund</p></body></html>",
        subtype="html",
    )
    await desk.mail(html_only)
    await desk.run_due()
    [ticket] = await all_tickets(desk)
    [shown] = await messages(desk, ticket.conversation_id)
    assert shown.body == "Hi there\n\nOrder & refund"
    assert "alert" not in shown.body


async def test_charsets_encoded_headers_and_attachments(desk: Desk) -> None:
    message = EmailMessage()
    message["From"] = "=?utf-8?q?Bj=C3=B6rn_M=C3=BCller?= <bjorn@example.de>"
    message["To"] = SUPPORT
    message["Subject"] = "=?iso-8859-1?q?R=FCcksendung_f=FCr_Bestellung?="
    text = "Grüße, die Größe passt nicht."
    message.set_content(text, charset="iso-8859-1", cte="quoted-printable")
    pdf = b"%PDF-1.4 invoice"
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename="invoice.pdf")
    page = b"<script>x</script>"
    message.add_attachment(page, maintype="text", subtype="html", filename="page.html")
    assert (await desk.mail(message, "bjorn@example.de")).startswith("250")
    await desk.run_due()

    [ticket] = await all_tickets(desk)
    assert ticket.subject == "Rücksendung für Bestellung"
    assert ticket.requester_name == "Björn Müller"
    [shown] = await messages(desk, ticket.conversation_id)
    assert shown.body.startswith("Grüße, die Größe passt nicht.")
    assert "📎 invoice.pdf (16 B)" in shown.body
    assert "📎 page.html" in shown.body


async def test_loops_are_refused_and_auto_replies_get_no_ack(desk: Desk) -> None:
    looped = mail(X_Loop=LOOP_MARKER)
    reply = await desk.mail(looped)
    assert reply.startswith("550") and "loop" in reply.lower()
    ours = mail(sender=SUPPORT)
    assert (await desk.mail(ours, SUPPORT)).startswith("550")

    await desk.mail(mail("Out of office", "I am away", Auto_Submitted="auto-replied"))
    news = mail("Newsletter", "News", sender="news@example.com", Precedence="bulk")
    await desk.mail(news, "news@example.com")
    await desk.run_due()
    assert len(await all_tickets(desk)) == 2  # stored, so nothing is lost…
    assert desk.sink.sent == []  # …but never answered

    daemon = "MAILER-DAEMON@mx.example.com"
    bounce = mail("Undelivered Mail Returned to Sender", "gone", sender=daemon)
    assert "Bounce" in await send(desk.port, bounce, "")
    await desk.run_due()
    assert len(await all_tickets(desk)) == 2


async def test_malformed_mail_is_refused_with_a_reason_and_nothing_stored(desk: Desk) -> None:
    no_sender = b"To: support@shop.example\r\nSubject: hi\r\n\r\nwho am I?\r\n"
    reply = await desk.mail(no_sender)
    assert reply.startswith("550") and "no valid From address" in reply
    unknown = await send(desk.port, mail(), "dana@example.com", ["sales@elsewhere.example"])
    assert unknown.startswith("550") and "No support mailbox" in unknown
    assert await stored_mails(desk) == 0
    await desk.run_due()
    assert await all_tickets(desk) == []
    assert (await desk.mail(mail())).startswith("250")  # the session and listener live on


async def test_a_sender_over_their_rate_is_deferred(desk: Desk) -> None:
    from porch.email.service import RATE_LIMIT

    for n in range(RATE_LIMIT):
        assert (await desk.mail(mail(f"Question {n}"))).startswith("250")
    reply = await desk.mail(mail("One more"))
    assert reply.startswith("450") and "Too many" in reply
    desk.clock.advance(hours=1, seconds=1)
    assert (await desk.mail(mail("Later"))).startswith("250")


async def test_the_same_mail_twice_is_one_message(desk: Desk) -> None:
    original = mail(Message_ID="<twice@example.com>")
    await desk.mail(original)
    assert "Already" in await desk.mail(original)
    await desk.run_due()
    [ticket] = await all_tickets(desk)
    assert len(await messages(desk, ticket.conversation_id)) == 1
