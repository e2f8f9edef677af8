"""A question's answer checked by its input kind, before it is saved to the contact."""

from __future__ import annotations

import re

EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"'.]{2,}$")
PHONE = re.compile(r"^\+?[0-9 ().-]{6,25}$")
MAX_TEXT = 1000


def checked(kind: str, answer: str) -> str | float | None:
    """The value to store, or None when the answer is not a valid `kind`."""
    answer = answer.strip()
    if not answer:
        return None
    if kind == "email":
        return answer if len(answer) <= 320 and EMAIL.match(answer) else None
    if kind == "phone":
        digits = sum(c.isdigit() for c in answer)
        return answer if PHONE.match(answer) and 6 <= digits <= 15 else None
    if kind == "number":
        try:
            number = float(answer.replace(",", "."))
        except ValueError:
            return None
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return answer[:MAX_TEXT]
