"""Outgoing mail: text and HTML bodies from templates (HTML autoescaped: customer and
operator text is text), put together as one MIME message with our threading headers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from porch.email.parse import LOOP_MARKER

TEMPLATES = Path(__file__).parent / "templates" / "mail"


@cache
def _environment() -> Environment:
    # HTML templates are escaped; text templates are not (there is nothing to escape in
    # text/plain, and escaping would show `&amp;` to the customer).
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def bodies(name: str, context: dict[str, Any]) -> tuple[str, str]:
    """`name.txt` and `name.html` rendered with `context`."""
    env = _environment()
    text = env.get_template(f"{name}.txt").render(context)
    html = env.get_template(f"{name}.html").render(context)
    return text, html


@dataclass(frozen=True)
class Outgoing:
    site_name: str
    support: str
    to: str
    subject: str
    text: str
    html: str
    message_id: str
    reply_to: str
    at: datetime
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    thread_topic: str = ""
    thread_index: str = ""
    automatic: bool = False
    """An acknowledgement or notification: marked so auto-responders do not answer it."""


def mime(mail: Outgoing) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((mail.site_name, mail.support))
    message["To"] = mail.to
    message["Reply-To"] = mail.reply_to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.at)
    message["Message-ID"] = f"<{mail.message_id}>"
    if mail.in_reply_to:
        message["In-Reply-To"] = f"<{mail.in_reply_to}>"
    if mail.references:
        message["References"] = " ".join(f"<{ref}>" for ref in mail.references[-20:])
    if mail.thread_topic:
        message["Thread-Topic"] = mail.thread_topic
        message["Thread-Index"] = mail.thread_index
    message["X-Loop"] = LOOP_MARKER
    message["Auto-Submitted"] = "auto-replied" if mail.automatic else "no"
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message
