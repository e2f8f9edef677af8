"""What a visitor's browser tells us about them, for the inbox's details panel: its
language and time zone (sent by the loader with the session request), and its user agent
(the request's header), turned into a guessed place ("Europe/Paris · fr-FR") and a device
("Chrome 131 on Windows").

Nothing here is proof of anything: a browser says what it likes. Values that do not look
like a language tag or a known time zone are dropped, never refused: an odd browser must
not cost its visitor the chat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_LANGUAGE = 35
MAX_TIME_ZONE = 64
MAX_USER_AGENT = 500

_LANGUAGE = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,5}$")
_TIME_ZONE = re.compile(r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,3}$")


@dataclass(frozen=True)
class Browser:
    language: str | None = None
    time_zone: str | None = None
    user_agent: str | None = None


def language_tag(value: object) -> str | None:
    """A BCP 47 language tag as browsers give it ("fr-FR"), or None."""
    if isinstance(value, str) and len(value) <= MAX_LANGUAGE and _LANGUAGE.match(value):
        return value
    return None


@lru_cache(maxsize=512)
def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def time_zone(value: object) -> str | None:
    """An IANA time zone name the server knows ("Europe/Paris"), or None."""
    if isinstance(value, str) and len(value) <= MAX_TIME_ZONE and _TIME_ZONE.match(value):
        return value if _known_zone(value) else None
    return None


def from_request(said: Any, user_agent: str, accept_language: str) -> Browser:
    """The loader's `browser` object (`{"language", "time_zone"}`, any shape) and the
    request's headers, each kept only if it looks right."""
    said = said if isinstance(said, dict) else {}
    header_language = accept_language.split(",")[0].split(";")[0].strip()
    return Browser(
        language=language_tag(said.get("language")) or language_tag(header_language),
        time_zone=time_zone(said.get("time_zone")),
        user_agent=user_agent.replace("\0", "")[:MAX_USER_AGENT] or None,
    )


def place(time_zone: str | None, language: str | None) -> str:
    """The guessed location, as the panel shows it: "Europe/Paris · fr-FR"."""
    return " · ".join(part for part in (time_zone, language) if part)


# -- the device, from the user agent (a small rule set: the first match wins) -----------

_BROWSERS = (  # order matters: Edge, Opera and Samsung also say Chrome; Chrome says Safari
    ("Edge", re.compile(r"Edg(?:e|A|iOS)?/(\d+)")),
    ("Opera", re.compile(r"(?:OPR|Opera)/(\d+)")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/(\d+)")),
    ("Firefox", re.compile(r"(?:Firefox|FxiOS)/(\d+)")),
    ("Chrome", re.compile(r"(?:Chrome|CriOS)/(\d+)")),
    ("Chromium", re.compile(r"Chromium/(\d+)")),
    ("Safari", re.compile(r"Version/(\d+)[\d.]* (?:Mobile/\S+ )?Safari/")),
)
_SYSTEMS = (
    ("Android", re.compile(r"Android (\d+)")),
    ("iPadOS", re.compile(r"iPad.*? OS (\d+)")),
    ("iOS", re.compile(r"(?:iPhone|iPod).*? OS (\d+)")),
    ("Windows", re.compile(r"Windows NT (\d+)")),
    ("ChromeOS", re.compile(r"CrOS()")),
    ("macOS", re.compile(r"Mac OS X (\d+)[_.](\d+)")),
    ("Linux", re.compile(r"Linux()")),
)
_BOTS = re.compile(r"bot|crawler|spider|headless", re.IGNORECASE)


def browser_name(user_agent: str) -> str:
    """The browser and its major version ("Firefox 133"), or "" when no rule knows it."""
    for name, pattern in _BROWSERS:
        found = pattern.search(user_agent)
        if found:
            return f"{name} {found.group(1)}"
    return ""


def system_name(user_agent: str) -> str:
    """The system ("Android 14", "macOS 10.15", "Windows"), or "" when no rule knows it."""
    for name, pattern in _SYSTEMS:
        found = pattern.search(user_agent)
        if not found:
            continue
        # Windows NT 10 is Windows 10 and 11 alike: no version is better than a wrong one.
        if name == "Windows" or not found.group(1):
            return name
        return f"{name} {'.'.join(g for g in found.groups() if g)}"
    return ""


def device(user_agent: str | None) -> str:
    """Both ("Chrome 131 on Windows"); "" when unknown. Headless browsers and bots say so."""
    if not user_agent:
        return ""
    browser, system = browser_name(user_agent), system_name(user_agent)
    described = " on ".join(part for part in (browser, system) if part)
    if _BOTS.search(user_agent):
        return f"{described} (automated)" if described else "Automated client"
    return described
