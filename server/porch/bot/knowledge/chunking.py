"""Cutting a source's text into passages the size of an answer: paragraphs joined up to
`TARGET` characters, long ones split at sentence ends, each passage carrying the heading
it sits under so that it reads on its own."""

from __future__ import annotations

import re

TARGET = 900
MAX = 1500
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def chunks(text: str) -> list[str]:
    out: list[str] = []
    heading, current = "", ""
    for block in _blocks(text):
        if block.startswith("#"):
            if current:
                out.append(current)
            # A heading line may have its text right under it, in the same block.
            title, _, block = block.partition("\n")
            heading, current = title.lstrip("#").strip(), ""
            if not block.strip():
                continue
        for piece in _pieces(block.strip()):
            if current and len(current) + len(piece) > TARGET:
                out.append(current)
                current = ""
            if not current and heading:
                current = heading + "\n"
            current = f"{current}\n{piece}".strip() if current else piece
    if current:
        out.append(current)
    return out


def _blocks(text: str) -> list[str]:
    return [b.strip() for b in re.split(r"\n\s*\n|\n(?=#)", text) if b.strip()]


def _pieces(block: str) -> list[str]:
    if len(block) <= MAX:
        return [block]
    pieces, current = [], ""
    for sentence in _SENTENCE.split(block):
        if current and len(current) + len(sentence) > TARGET:
            pieces.append(current)
            current = ""
        current = f"{current} {sentence}".strip()
        while len(current) > MAX:
            pieces.append(current[:MAX])
            current = current[MAX:]
    if current:
        pieces.append(current)
    return pieces
