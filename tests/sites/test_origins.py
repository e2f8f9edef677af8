import pytest

from porch.sites.origins import normalize_origin, origin_allowed
from porch.visitors.names import friendly_name

PATTERNS = ["https://shop.example", "http://localhost:3000", "https://*.brand.example"]


@pytest.mark.parametrize(
    "origin",
    [
        "https://shop.example",
        "https://SHOP.example:443",
        "http://localhost:3000",
        "https://eu.brand.example",
        "https://a.b.brand.example",
    ],
)
def test_allowed(origin: str) -> None:
    assert origin_allowed(origin, PATTERNS)


@pytest.mark.parametrize(
    "origin",
    [
        "http://shop.example",
        "https://shop.example:8443",
        "https://shop.example.attacker.example",
        "https://attackershop.example",
        "https://brand.example",
        "http://eu.brand.example",
        "https://evilbrand.example",
        "http://localhost:3001",
        "null",
        "",
    ],
)
def test_refused(origin: str) -> None:
    assert not origin_allowed(origin, PATTERNS)


def test_normalize() -> None:
    assert normalize_origin("https://Shop.Example:443/") == "https://shop.example"
    assert normalize_origin("http://h:8080") == "http://h:8080"
    assert normalize_origin("ftp://h") is None
    assert normalize_origin("https://h/path") is None
    assert normalize_origin("http://[::1]:8000") == "http://[::1]:8000"


@pytest.mark.parametrize(
    "typed",
    ["https://shop example.com", "https://café.example", "https://a.example, https://b.example"],
)
def test_what_no_browser_sends_as_an_origin_is_not_one(typed: str) -> None:
    assert normalize_origin(typed) is None


def test_friendly_names_are_two_capitalised_words() -> None:
    adjective, animal = friendly_name().split()
    assert adjective.istitle() and animal.istitle()
