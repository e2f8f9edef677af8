"""A raw mail as what Porch needs of it: sender, subject, the text to show (quoted history
and signature stripped), the full text, threading headers, loop signs and attachments.

Parsing is the standard library's `email` package (policy.default decodes encoded headers
and charsets); stripping quotes and signatures is `mail-parser-reply`. A mail we cannot
read is refused with `Refused`, whose SMTP code and text say why.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr

from mailparser_reply import EmailReplyParser

from porch.email.html_text import html_to_text

MAX_TEXT = 20_000
MAX_SUBJECT = 200
LOOP_MARKER = "porch"
"""Our `X-Loop` value: mail carrying it is our own coming back."""
REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pl", "sv"]
BOUNCE_SENDERS = ("mailer-daemon@", "postmaster@")
_ID = re.compile(r"<([^<>\s]{1,250})>")


class Refused(Exception):
    """A mail Porch will not take: the SMTP reply (`550 5.6.0 …`) says why."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code} {text}")
        self.code = code
        self.text = text

    @property
    def reply(self) -> str:
        return f"{self.code} {self.text}"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Inbound:
    message_id: str
    sender: str
    sender_name: str
    subject: str
    text: str
    full_text: str
    references: list[str]
    """`In-Reply-To` then `References`, newest first: the ids a reply answers."""
    automatic: bool
    """Auto-replies, bulk and list mail: stored, never acknowledged."""
    bounce: bool
    loop: bool
    headers: dict[str, str] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)


def parse(raw: bytes, mail_from: str | None = None) -> Inbound:
    """`mail_from`: the envelope sender (None: unknown, as from IMAP)."""
    try:
        message = message_from_bytes(raw, policy=policy.default)
        return _read(message, raw, mail_from)
    except Refused:
        raise
    except Exception as exc:  # a header or part the email package cannot decode
        raise Refused(550, f"5.6.0 Malformed message: {type(exc).__name__}") from exc


def _read(message: Message, raw: bytes, mail_from: str | None) -> Inbound:
    sender_name, sender = parseaddr(str(message.get("From", "")))
    sender = sender.strip().lower()
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", sender):
        raise Refused(550, "5.6.0 Malformed message: no valid From address")
    assert isinstance(message, EmailMessage)
    full = _text(message)
    shown = strip_reply(full)
    return Inbound(
        message_id=_message_id(message, raw),
        sender=sender,
        sender_name=sender_name.strip()[:200],
        subject=_clean(str(message.get("Subject", "")))[:MAX_SUBJECT],
        text=shown[:MAX_TEXT],
        full_text=full[:MAX_TEXT],
        references=_references(message),
        automatic=_automatic(message),
        bounce=_bounce(message, sender, mail_from),
        loop=str(message.get("X-Loop", "")).strip().lower() == LOOP_MARKER,
        headers={
            name: _clean(str(message[name]))[:500]
            for name in ("To", "Cc", "Date", "Auto-Submitted", "Precedence", "List-Id")
            if message[name] is not None
        },
        attachments=_attachments(message),
    )


def strip_reply(text: str) -> str:
    """The new part of a reply: quoted history and signature gone (all of it if nothing
    is left)."""
    try:
        replies = EmailReplyParser(languages=REPLY_LANGUAGES).read(text).replies
    except Exception:  # the library's heuristics are regexes: never lose a mail to them
        return text
    shown = replies[0].body.strip() if replies else ""
    return shown or text


def _text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    content = _content(body)
    if body.get_content_subtype() == "html":
        content = html_to_text(content)
    return _clean(content.replace("\r\n", "\n")).strip()


def _content(part: Message) -> str:
    assert isinstance(part, EmailMessage)
    try:
        return str(part.get_content())
    except (LookupError, UnicodeError):  # an unknown or lying charset: keep what we can
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def _attachments(message: EmailMessage) -> list[Attachment]:
    found = []
    for part in message.iter_attachments():
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            continue
        name = _clean(part.get_filename() or "attachment")[:255] or "attachment"
        found.append(Attachment(name, part.get_content_type()[:255], data))
    return found


def _message_id(message: Message, raw: bytes) -> str:
    found = _ID.search(str(message.get("Message-ID", "")))
    if found:
        return found.group(1)
    return f"{hashlib.sha256(raw).hexdigest()[:40]}@porch.missing-id"


def _references(message: Message) -> list[str]:
    ids = _ID.findall(str(message.get("In-Reply-To", "")))
    ids += reversed(_ID.findall(str(message.get("References", ""))))
    return list(dict.fromkeys(ids))[:50]


def _automatic(message: Message) -> bool:
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return (
        auto not in ("", "no")
        or precedence in ("bulk", "list", "junk", "auto_reply")
        or message.get("List-Id") is not None
        or message.get("X-Autoreply") is not None
        or message.get("X-Autorespond") is not None
    )


def _bounce(message: Message, sender: str, mail_from: str | None) -> bool:
    return_path = str(message.get("Return-Path", "")).strip()
    return (
        return_path == "<>"
        or mail_from in ("", "<>")  # None (unknown) is not empty
        or sender.startswith(BOUNCE_SENDERS)
        or message.get_content_type() == "multipart/report"
    )


def _clean(text: str) -> str:
    """No NUL, no lone surrogates (the database and `porch.text` refuse them)."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def addresses(*values: str) -> list[str]:
    return [address.lower() for _, address in getaddresses(list(values)) if "@" in address]
