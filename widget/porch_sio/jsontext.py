"""JSON text for Brython code: the browser's own `JSON`, never Brython's `_json`.

Brython 3.15's `_json` garbles text outside the Basic Multilingual Plane (emoji, 𝒜, flags):
- `dumps` of a plain JS string escapes each code point as `\\u` + its hex, so 🚀 (U+1F680)
  becomes `\\u1f680` (read as U+1F68 then "0") followed by its low surrogate `\\ude80`,
  alone: the server gets a lone surrogate and refuses the text;
- `dumps` of Brython's non-BMP str (a `String` with `surrogates`) compares JS indexes with
  Python positions, so from the second such character on it writes `\\u-40…` (not JSON)
  and swallows the next character; control characters come out as `\\x01` (not JSON);
- `loads` builds strings from `\\uD83D\\uDE80` escapes that `len()` counts in UTF-16 units.

The browser's JSON is UTF-16 aware, and Brython's `javascript.JSON` converts to and from
Python values (dicts, lists, str, int, float, None) on the way.
"""

import javascript


def dumps(value: object) -> str:
    """Compact JSON for `value` (non-ASCII text as is; a lone surrogate as `\\udXXX`)."""
    return javascript.JSON.stringify(value)


def loads(text: str) -> object:
    """The Python value of JSON `text`; raises an exception when it is not JSON."""
    return javascript.JSON.parse(text)
