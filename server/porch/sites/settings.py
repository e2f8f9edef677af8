"""The per-site settings a site owner may change, validated before they are stored."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from porch.hours.models import BusinessHours
from porch.routing.settings import RoutingSettings

MAX_GREETING = 280
MAX_REOPEN_WINDOW_HOURS = 24 * 365
MAX_AUTO_CLOSE_HOURS = 24 * 365
MAX_SLA_MINUTES = 60 * 24 * 365
MAX_ATTACHMENT_MB = 50
SlaMinutes = Annotated[int, Field(gt=0, le=MAX_SLA_MINUTES)]
MAX_FOLLOW_UP_DAYS = 365
MAX_CONSENT_TEXT = 500
MAX_RETENTION_DAYS = 3650
ConsentText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_CONSENT_TEXT)
]
ConsentLink = Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)]
EMAIL = r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$"
WidgetLanguage = Literal["en", "fr", "de", "es", "pl", "pt", "ar", "he"]
HexColor = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]


class SlaTarget(BaseModel):
    """One priority's SLA targets, in minutes; next response defaults to first response."""

    model_config = ConfigDict(extra="forbid", strict=True)

    first_response: SlaMinutes
    resolution: SlaMinutes
    next_response: SlaMinutes | None = None


class EscalationRules(BaseModel):
    """What happens when an SLA deadline is missed (porch.tickets): raise the priority one
    step, reassign to a chosen operator (a team lead), notify every operator."""

    model_config = ConfigDict(extra="forbid", strict=True)

    raise_priority: bool = False
    reassign_to: Annotated[int, Field(ge=1)] | None = None
    notify: bool = False


MAX_RESOLVE_MESSAGE = 1000


class ImapMailbox(BaseModel):
    """An IMAP mailbox polled for new mail (TLS; docs/email.md)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    host: Annotated[str, Field(min_length=1, max_length=255)]
    user: Annotated[str, Field(min_length=1, max_length=255)]
    password: Annotated[str, Field(min_length=1, max_length=255)]
    port: Annotated[int, Field(gt=0, lt=65536)] = 993
    folder: Annotated[str, Field(min_length=1, max_length=255)] = "INBOX"
    ssl: bool = True


class FormField(BaseModel):
    """One field of the widget's pre-chat form."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: Literal["name", "email", "question"]
    required: bool = False


class SiteSettingsUpdate(BaseModel):
    """Only the fields given are changed."""

    model_config = ConfigDict(extra="forbid", strict=True)

    typing_preview: bool | None = None
    """Operators see what a visitor types before it is sent."""
    color: HexColor | None = None
    """The widget's accent colour, `#rrggbb`."""
    greeting: Annotated[str, Field(max_length=MAX_GREETING)] | None = None
    """Shown at the top of an empty chat; empty hides it."""
    reopen_window_hours: Annotated[float, Field(ge=0, le=MAX_REOPEN_WINDOW_HOURS)] | None = None
    """A visitor's message this soon after their conversation closed reopens it; later,
    or with 0, it starts a new conversation."""

    sla_targets: dict[Literal["critical", "high", "medium", "low"], SlaTarget] | None = None
    """Per-priority SLA targets in minutes; a priority left out keeps its defaults
    (porch.tickets.sla)."""
    business_hours: BusinessHours | None = None
    """When the team is at work (docs/business-hours.md); absent: open 24/7."""
    sla_business_hours: bool | None = None
    """SLA clocks count only the site's business hours (else every hour counts)."""
    ticket_auto_close_hours: Annotated[float, Field(gt=0, le=MAX_AUTO_CLOSE_HOURS)] | None = None
    """A resolved ticket closes by itself this long after it was resolved."""

    # -- tickets --
    ticket_resolve_message_enabled: bool | None = None
    """On resolve, the requester gets a short message inviting a reply (on by default)."""
    ticket_resolve_message: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                         max_length=MAX_RESOLVE_MESSAGE)] | None
    ) = None  # fmt: skip
    """That message; `{reference}` becomes the ticket's `#1042`."""
    sla_escalation: EscalationRules | None = None
    """At a breach: raise priority, reassign, notify (porch.tickets.service)."""
    # -- email --
    support_email: Annotated[str, StringConstraints(pattern=EMAIL, max_length=254)] | None = None
    """Mail to this address (forwarded to Porch's SMTP listener, or polled by IMAP) becomes
    tickets; it is the sender of the site's mail (docs/email.md)."""
    email_follow_up_days: Annotated[float, Field(ge=0, le=MAX_FOLLOW_UP_DAYS)] | None = None
    """A reply to a ticket closed this recently reopens it; later, it opens a follow-up."""
    email_priority: Literal["critical", "high", "medium", "low"] | None = None
    """The priority of tickets made from mail."""
    email_assignee_id: Annotated[int, Field(gt=0)] | None = None
    """The operator who gets tickets made from mail."""
    email_tags: dict[Annotated[str, Field(min_length=1, max_length=50)], str] | None = None
    """Subject keyword → tag for tickets made from mail (`{"refund": "billing"}`)."""
    email_ack: bool | None = None
    """Answer new mail with the ticket's reference and the expected reply time."""
    email_imap: ImapMailbox | None = None
    """A mailbox Porch polls for shops that cannot forward mail."""
    # -- team --
    routing: RoutingSettings | None = None
    """Who gets new chats and tickets (porch.routing, docs/team.md)."""
    # -- flows --
    flows_display: Literal["teaser", "open"] | None = None
    """How a proactive flow's message shows: a teaser bubble beside the launcher (default)
    or the chat window opening (docs/flows.md)."""
    # -- attachments --
    attachment_types: (
        Annotated[list[Literal["images", "pdf", "text", "svg"]], Field(max_length=4)] | None
    ) = None
    """Which files visitors and operators may send, by kind (default images, PDF, text)."""
    attachment_max_mb: Annotated[int, Field(ge=1, le=MAX_ATTACHMENT_MB)] | None = None
    """The largest file, in MB (default 10)."""

    # -- chat look and languages --
    language: Literal["auto", "en", "fr", "de", "es", "pl", "pt", "ar", "he"] | None = None
    """The widget's language; `auto` (default) follows the visitor's browser."""
    theme: Literal["auto", "light", "dark"] | None = None
    """The widget's colours; `auto` (default) follows the visitor's `prefers-color-scheme`."""
    greetings: dict[WidgetLanguage, Annotated[str, Field(max_length=MAX_GREETING)]] | None = None
    """The greeting per language (`{"fr": "Bonjour !"}`); others fall back to `greeting`."""
    away_messages: dict[WidgetLanguage, Annotated[str, Field(max_length=MAX_GREETING)]] | None = (
        None
    )
    """The away message per language, shown while no operator is online."""
    # -- satisfaction and privacy (porch.analytics, porch.privacy) --
    csat_enabled: bool | None = None
    """After a close, the widget asks the visitor to rate the conversation (on by default)."""
    csat_human_only: bool | None = None
    """Ask only when an operator answered (not after bot-only conversations)."""
    consent_required: bool | None = None
    """The widget shows a privacy notice and stores nothing until the visitor agrees."""
    consent_text: ConsentText | None = None
    """The notice's text."""
    consent_link: ConsentLink | None = None
    """A link to the site's privacy policy, shown with the notice."""
    retention_days: Annotated[int, Field(ge=0, le=MAX_RETENTION_DAYS)] | None = None
    """Conversations, tickets and page views older than this are deleted daily (0: kept)."""
    visitor_retention_days: Annotated[int, Field(ge=0, le=MAX_RETENTION_DAYS)] | None = None
    """Visitors inactive this long are erased with everything theirs (0: kept)."""

    # -- chat forms and header (docs/widget.md, "Forms") --
    prechat_fields: Annotated[list[FormField], Field(max_length=3)] | None = None
    """The pre-chat form: which of name, email and question a visitor fills in before the
    first message, each required or optional; empty: no form."""
    offline_form: bool | None = None
    """While nobody can answer (no operator online, or outside business hours), the widget
    shows a form for an email and a message instead of the message box."""
    logo_url: Annotated[str, StringConstraints(pattern=r"^(https://[^\s<>\"']+)?$",
                                               max_length=500)] | None = None  # fmt: skip
    """The site's logo in the widget's header (an https URL; empty: none)."""

    def changes(self) -> dict[str, object]:
        return self.model_dump(mode="json", exclude_none=True)


_PROBLEMS = {
    "typing_preview": "Typing preview is either on or off.",
    "color": "A colour is written #rrggbb, like #4f46e5.",
    "greeting": f"A greeting has at most {MAX_GREETING} characters.",
    "reopen_window_hours": f"The reopen window is 0 to {MAX_REOPEN_WINDOW_HOURS} hours.",
    "sla_targets": "SLA targets are whole minutes above 0, for critical, high, medium or low.",
    "business_hours": "Business hours need a time zone and valid hours (docs/business-hours.md).",
    "sla_business_hours": "Counting SLAs in business hours is either on or off.",
    "ticket_auto_close_hours": f"Auto-close is after 0 to {MAX_AUTO_CLOSE_HOURS} hours.",
    "ticket_resolve_message_enabled": "The resolve message is either on or off.",
    "ticket_resolve_message": f"The resolve message has 1 to {MAX_RESOLVE_MESSAGE} characters.",
    "sla_escalation": "Escalation: raise_priority and notify are on or off, reassign_to an "
    "operator's id.",
    "support_email": "A support address looks like support@shop.example.",
    "email_follow_up_days": f"The follow-up window is 0 to {MAX_FOLLOW_UP_DAYS} days.",
    "email_priority": "The priority is critical, high, medium or low.",
    "email_assignee_id": "The assignee is an operator's id.",
    "email_tags": "Tags by keyword map subject words to tags of at most 50 characters.",
    "email_ack": "Acknowledgements are either on or off.",
    "email_imap": "IMAP needs a host, user and password (port, folder and ssl are optional).",
    "routing": "Routing rules need a tag each, known teams and operators, and a message of"
    " at most 500 characters.",
    "flows_display": "A proactive message shows as a teaser or opens the chat.",
    "attachment_types": "Allowed files are any of images, pdf, text and svg.",
    "attachment_max_mb": f"The largest file is 1 to {MAX_ATTACHMENT_MB} MB.",
    "language": "The language is auto or one of en, fr, de, es, pl, pt, ar, he.",
    "theme": "The colour scheme is auto, light or dark.",
    "greetings": f"Greetings are per language (en, fr, …), at most {MAX_GREETING} characters.",
    "away_messages": f"Away messages are per language, at most {MAX_GREETING} characters.",
    "prechat_fields": "Pre-chat fields are name, email or question, each required or not.",
    "offline_form": "The offline form is either on or off.",
    "logo_url": "The logo is an https:// address of at most 500 characters.",
    "csat_enabled": "Asking for ratings is either on or off.",
    "csat_human_only": "Asking only after human conversations is either on or off.",
    "consent_required": "Requiring consent is either on or off.",
    "consent_text": f"The privacy notice has 1 to {MAX_CONSENT_TEXT} characters.",
    "consent_link": "The privacy policy link starts with https:// or http://.",
    "retention_days": f"Retention is 0 (keep) to {MAX_RETENTION_DAYS} days.",
    "visitor_retention_days": f"Visitor retention is 0 (keep) to {MAX_RETENTION_DAYS} days.",
}


def settings_problems(error: ValidationError) -> dict[str, str]:
    """What is wrong with each refused setting, in a site owner's words, by field."""
    problems: dict[str, str] = {}
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else "settings"
        problems.setdefault(field, _PROBLEMS.get(field, item["msg"]))
    return problems
