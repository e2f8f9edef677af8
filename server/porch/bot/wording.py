"""What the bot tells visitors when it steps aside: one clear message each time."""

import re

CONNECTING = (
    "I'm passing you to a member of our team. They can see our conversation and will"
    " reply here shortly."
)
ASK_EMAIL = (
    "Our team is offline right now. Please type your email address here and we'll reply"
    " to you by email."
)
ASK_EMAIL_AGAIN = "Please type your email address (like you@example.com) so we can reply."
TICKETED = "Thanks! We've opened ticket #{reference} and will reply to {email} by email."
FAILED = "Sorry, I can't answer right now."


def author_name(name: str) -> str:
    """The bot's name on its messages: marked as a bot wherever they are shown (widget,
    panel, emailed transcripts, the API), unless the name says so already."""
    return name if re.search(r"\bbot\b", name, re.I) else f"{name} (bot)"
