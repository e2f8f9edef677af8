"""The widget's languages: gettext catalogs (`locale/<lang>/LC_MESSAGES/widget.po`, read
with Babel), the language a frame is drawn in, and its writing direction.

The frame is rendered in one language: the site's `language` setting, or (`auto`, the
default) the best match of the browser's `Accept-Language`. Its texts are translated on
the server, and only that language's catalog goes to the page (for the texts the widget's
Python writes), so a visitor never downloads the other languages.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.pofile import read_po

from porch.sites.models import Site

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "fr", "de", "es", "pl", "pt", "ar", "he")
RTL = frozenset({"ar", "he"})
DEFAULT = "en"


@cache
def catalog(language: str) -> dict[str, str]:
    """msgid → translation for `language` (empty for English: the msgids are English)."""
    if language not in LANGUAGES or language == DEFAULT:
        return {}
    with (LOCALE_DIR / language / "LC_MESSAGES" / "widget.po").open("rb") as file:
        entries = read_po(file, locale=language)
    return {
        m.id: m.string
        for m in entries
        if isinstance(m.id, str) and isinstance(m.string, str) and m.string
    }


def direction(language: str) -> str:
    return "rtl" if language in RTL else "ltr"


def choose(site: Site | None, accept_language: str) -> str:
    """The site's language if it set one, else the browser's best supported one."""
    chosen = site.settings.get("language", "auto") if site else "auto"
    if chosen in LANGUAGES:
        return str(chosen)
    return negotiate(accept_language)


def negotiate(accept_language: str) -> str:
    wanted = []
    for item in accept_language.split(",")[:20]:
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            wanted.append((quality, tag.strip()))
    preferred = [tag.replace("-", "_") for _q, tag in sorted(wanted, key=lambda w: -w[0])]
    try:
        found = Locale.negotiate(preferred, list(LANGUAGES), sep="_")
    except (UnknownLocaleError, ValueError):
        found = None
    if found is None:  # `pt-BR`, `de-AT`…: their language
        for tag in preferred:
            if tag.split("_")[0].lower() in LANGUAGES:
                return tag.split("_")[0].lower()
        return DEFAULT
    return found.language


def translated(settings_value: object, language: str) -> str | None:
    """A per-language site text (`{"fr": "Bonjour"}`) in `language`, if the site wrote one."""
    if isinstance(settings_value, dict):
        text = settings_value.get(language)
        return text if isinstance(text, str) and text else None
    return None
