"""A small checker for what WordPress and its plugin directory read before any code runs:
the main file's header block and readme.txt (https://developer.wordpress.org/plugins/wordpress-org/how-your-readme-txt-works/)."""

from __future__ import annotations

import re
from pathlib import Path

MAIN_REQUIRED = (
    "Plugin Name",
    "Description",
    "Version",
    "Requires at least",
    "Requires PHP",
    "License",
    "License URI",
    "Text Domain",
)
README_REQUIRED = (
    "Contributors",
    "Tags",
    "Requires at least",
    "Tested up to",
    "Requires PHP",
    "Stable tag",
    "License",
    "License URI",
)
README_SECTIONS = ("Description", "Installation", "Frequently Asked Questions", "Changelog")
VERSION = re.compile(r"^\d+\.\d+(\.\d+)?$")
GPL = {"GPLv2 or later", "GPL-2.0-or-later", "GPLv3 or later", "GPL-3.0-or-later"}


def main_headers(text: str) -> dict[str, str]:
    """`Name: value` lines of the first doc comment, as WordPress's get_file_data() reads them."""
    block = text.split("*/", 1)[0]
    found: dict[str, str] = {}
    for line in block.splitlines():
        match = re.match(r"^[\s/*#@]*([A-Za-z][A-Za-z ]+?):\s*(.+?)\s*$", line)
        if match:
            found.setdefault(match[1], match[2])
    return found


def readme_parts(text: str) -> tuple[str, dict[str, str], str, list[str]]:
    """The plugin name, header fields, short description and section names of readme.txt."""
    lines = text.splitlines()
    title = re.match(r"^=== (.+) ===$", lines[0].strip()) if lines else None
    fields: dict[str, str] = {}
    index = 1
    while index < len(lines) and lines[index].strip():
        name, _, value = lines[index].partition(":")
        fields[name.strip()] = value.strip()
        index += 1
    rest = lines[index:]
    short = next((line.strip() for line in rest if line.strip()), "")
    sections = [m[1] for line in rest if (m := re.match(r"^== (.+) ==$", line.strip()))]
    return (title[1] if title else ""), fields, short, sections


def problems(plugin_dir: Path, slug: str) -> list[str]:
    """Everything wrong with the headers and readme.txt of the plugin in `plugin_dir`."""
    main_file = plugin_dir / f"{slug}.php"
    headers = main_headers(main_file.read_text())
    name, fields, short, sections = readme_parts((plugin_dir / "readme.txt").read_text())
    found = [f"{main_file.name}: no {h} header" for h in MAIN_REQUIRED if not headers.get(h)]
    found += [f"readme.txt: no {f} field" for f in README_REQUIRED if not fields.get(f)]
    found += [f"readme.txt: no == {s} == section" for s in README_SECTIONS if s not in sections]
    if name != headers.get("Plugin Name"):
        found.append(f"readme.txt names the plugin {name!r}, not {headers.get('Plugin Name')!r}")
    version = headers.get("Version", "")
    if not VERSION.match(version):
        found.append(f"Version {version!r} is not a version number")
    if fields.get("Stable tag") != version:
        found.append(f"Stable tag {fields.get('Stable tag')!r} is not the Version {version!r}")
    for field in ("Requires at least", "Requires PHP", "License"):
        if field in headers and field in fields and headers[field] != fields[field]:
            found.append(
                f"{field}: {headers[field]!r} in the main file, {fields[field]!r} in readme"
            )
    if headers.get("License") not in GPL:
        found.append(f"License {headers.get('License')!r} is not a GPL licence WordPress.org takes")
    if headers.get("Text Domain") != slug:
        found.append(f"Text Domain {headers.get('Text Domain')!r} is not the slug {slug!r}")
    if not short or len(short) > 150:
        found.append(f"readme.txt: short description of {len(short)} characters, not 1 to 150")
    if len([t for t in fields.get("Tags", "").split(",") if t.strip()]) > 5:
        found.append("readme.txt: more than 5 tags")
    if f"= {version} =" not in (plugin_dir / "readme.txt").read_text():
        found.append(f"readme.txt: the changelog has no entry for {version}")
    return found
