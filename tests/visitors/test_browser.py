"""What a visitor's browser tells the inbox: a device from its user agent, a guessed
place from its time zone and language, odd values dropped rather than refused."""

from __future__ import annotations

import pytest

from porch.visitors import browser

WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
MAC_SAFARI = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Safari/605.1.15"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1"
)
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
)
WINDOWS_EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70"
)
SAMSUNG = (
    "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36"
)
HEADLESS = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/131.0.6778.33 Safari/537.36"
)


@pytest.mark.parametrize(
    ("user_agent", "device"),
    [
        (WINDOWS_FIREFOX, "Firefox 133 on Windows"),
        (MAC_SAFARI, "Safari 18 on macOS 10.15"),
        (IPHONE_SAFARI, "Safari 17 on iOS 17"),
        (ANDROID_CHROME, "Chrome 131 on Android 14"),
        (WINDOWS_EDGE, "Edge 131 on Windows"),
        (SAMSUNG, "Samsung Internet 26 on Android 13"),
        (HEADLESS, "Chrome 131 on Linux (automated)"),
        ("curl/8.5.0", ""),
        ("Googlebot/2.1 (+http://www.google.com/bot.html)", "Automated client"),
        (None, ""),
    ],
)
def test_the_device_is_read_from_the_user_agent(user_agent: str | None, device: str) -> None:
    assert browser.device(user_agent) == device


def test_the_place_is_the_time_zone_and_the_language() -> None:
    assert browser.place("Europe/Paris", "fr-FR") == "Europe/Paris · fr-FR"
    assert browser.place(None, "de") == "de"
    assert browser.place(None, None) == ""


def test_odd_values_are_dropped_and_the_header_stands_in() -> None:
    said = browser.from_request(
        {"language": "fr-FR", "time_zone": "Europe/Paris"}, WINDOWS_FIREFOX, "de-DE,de;q=0.9"
    )
    assert said == browser.Browser("fr-FR", "Europe/Paris", WINDOWS_FIREFOX)
    odd = browser.from_request(
        {"language": "<b>fr</b>", "time_zone": "Mars/Olympus_Mons"}, "", "de-DE;q=1,en"
    )
    assert odd == browser.Browser(language="de-DE", time_zone=None, user_agent=None)
    assert browser.from_request("not an object", "x" * 900, "").user_agent == "x" * 500
    assert browser.time_zone("../../etc/passwd") is None
    assert browser.time_zone("America/Argentina/Buenos_Aires") == "America/Argentina/Buenos_Aires"
