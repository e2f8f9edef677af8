"""`Text`/`TextOnly`: every string of an inbound payload (sockets, session endpoint).

Refused, with the same answer on SQLite and PostgreSQL:
- NUL (U+0000): PostgreSQL cannot store it in text (SQLite can), and nobody types it;
- a lone surrogate (U+D800–U+DFFF unpaired): not Unicode text, so no database or UTF-8
  encoder takes it (pydantic's own message for it, "unable to parse raw data as a unicode
  string", does not tell a client what was wrong).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError


def check_text(value: object) -> object:
    """`value` unchanged when it is storable text (or not a string: the type check follows)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise PydanticCustomError("text_nul", "must not contain NUL characters (U+0000)")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise PydanticCustomError(
                "text_surrogate", "must be valid Unicode text (it has a lone surrogate)"
            ) from None
    return value


TextOnly = BeforeValidator(check_text)
"""Metadata for `Annotated`, after any `StringConstraints` so it runs first:
`Annotated[str, StringConstraints(max_length=500), TextOnly]`."""

Text = Annotated[str, TextOnly]
"""A `str` without NUL or lone surrogates."""
