"""Which language a widget frame is drawn in, and its catalogs (Babel .po files)."""

from __future__ import annotations

import pytest

from porch.embed import i18n
from porch.sites.models import Site


def site(**settings: object) -> Site:
    return Site(1, "key", "Shop", [], dict(settings), identity_secret="s")


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("fr-CA,fr;q=0.9,en;q=0.8", "fr"),
        ("pt-BR", "pt"),
        ("zh-CN,ar;q=0.5", "ar"),
        ("he-IL", "he"),
        ("", "en"),
        ("de;q=0,es", "es"),
        ("garbage;;;,", "en"),
    ],
)
def test_the_browsers_best_supported_language(accept: str, expected: str) -> None:
    assert i18n.choose(site(), accept) == expected


def test_the_sites_language_wins_over_the_browser() -> None:
    assert i18n.choose(site(language="pl"), "fr") == "pl"
    assert i18n.choose(site(language="auto"), "fr") == "fr"


@pytest.mark.parametrize("language", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_every_catalog_translates_every_text(language: str) -> None:
    english = {m for m in i18n.catalog("fr")} | {m for m in i18n.catalog("de")}
    assert set(i18n.catalog(language)) == english
    assert i18n.direction(language) == ("rtl" if language in ("ar", "he") else "ltr")
