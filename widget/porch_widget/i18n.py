"""The widget's own texts in the visitor's language: the frame carries the one catalog
it was drawn in (`porch.embed.i18n`), English texts are the keys."""

from browser import document

from porch_sio import jsontext

_config = jsontext.loads(document["porch-config"].text)
CATALOG: dict = _config.get("i18n") or {}
LANGUAGE: str = _config.get("language") or "en"


def _(text: str) -> str:
    return CATALOG.get(text) or text
