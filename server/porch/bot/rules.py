"""Porch's own handoff rules around the model: decided from the visitor's words and the
conversation, before any model call, so they hold whatever the model says."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

HANDOFF_CHOICE = "bot.handoff"
"""The id of the "Talk to a person" button (a `choices` part) the bot offers."""
HANDOFF_LABEL = "Talk to a person"

_PERSON = re.compile(
    r"\b(talk|speak|chat|connect|transfer|put|need|want|get)\b.{0,30}"
    r"\b(human|person|agent|someone|somebody|operator|representative|rep|staff|people|team"
    r"|real|live)\b"
    r"|\b(human|real person|live agent|live person|operator|representative)\b"
    r"\s*(please|pls|now)?[.!?]*$"
    r"|\bagent\b\s*(please|pls|now)?[.!?]*$"
    r"|\b(real|live) (person|human|agent)\b"
    r"|\b(not|no more|stop|don'?t want|do not want).{0,15}\b(bot|robot|machine|ai)\b",
    re.I,
)
_FRUSTRATED = re.compile(
    r"\b(useless|stupid|ridiculous|terrible|awful|waste of time|not helpful|unhelpful|"
    r"doesn'?t help|didn'?t help|you('re| are) not (helping|listening)|annoying|wtf|"
    r"this is a joke|i give up|fed up)\b|[!?]{3,}",
    re.I,
)
_WORD = re.compile(r"[^\W_]+")


def choice_id(parts: dict[str, Any] | None) -> str | None:
    """The id of the button the visitor clicked, if the message is a click."""
    choice = (parts or {}).get("choice")
    return str(choice.get("choice_id")) if isinstance(choice, dict) else None


def asks_for_person(text: str) -> bool:
    return bool(_PERSON.search(text))


def frustrated(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    shouting = len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.8
    return shouting or bool(_FRUSTRATED.search(text))


def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.lower()) if len(w) > 2)


def looping(text: str, earlier_questions: Sequence[str]) -> bool:
    """The visitor asks again what they already asked (almost the same words), twice or
    more: the answers are not getting them anywhere."""
    words = _words(text)
    if len(words) < 2:
        return False
    repeats = 0
    for earlier in earlier_questions:
        other = _words(earlier)
        if other and len(words & other) / len(words | other) >= 0.8:
            repeats += 1
    return repeats >= 2


def handoff_reason(
    text: str, parts: dict[str, Any] | None, earlier_questions: Sequence[str]
) -> str | None:
    """Why the bot must hand this conversation to a person now, or None."""
    if choice_id(parts) == HANDOFF_CHOICE:
        return "The visitor asked for a person."
    if asks_for_person(text):
        return "The visitor asked for a person."
    if frustrated(text):
        return "The visitor sounds frustrated."
    if looping(text, earlier_questions):
        return "The visitor keeps asking the same question."
    return None


MISSES_BEFORE_HANDOFF = 2
"""Answers in a row without a cited source (the bot could not answer) before handing off."""
