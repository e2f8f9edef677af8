"""Static checks of the plugin: PHP syntax, the coding standard (wordpress_plugin/phpcs.xml),
headers and readme.txt, translations, and the zip that `scripts/build-wordpress-plugin` makes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.wordpress.plugin_headers import main_headers, problems
from tests.wordpress.site import REPO

PLUGIN_DIR = REPO / "wordpress_plugin" / "porch-chat"
RULESET = REPO / "wordpress_plugin" / "phpcs.xml"
SLUG = "porch-chat"
PHP_FILES = sorted(PLUGIN_DIR.rglob("*.php"))
TRANSLATE = "|".join(("__", "_e", "esc_html__", "esc_html_e", "esc_attr__", "esc_attr_e"))
GETTEXT = re.compile(
    rf"\b(?:{TRANSLATE})\(\s*"
    r"'((?:[^'\\]|\\.)*)'\s*,\s*'([^']*)'"
)
POT = PLUGIN_DIR / "languages" / f"{SLUG}.pot"


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} not installed (scripts/install-wordpress-test-deps installs it)")
    return path


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("path", PHP_FILES, ids=[str(p.relative_to(PLUGIN_DIR)) for p in PHP_FILES])
def test_php_file_parses(path: Path) -> None:
    result = run(need("php"), "-l", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", PHP_FILES, ids=[str(p.relative_to(PLUGIN_DIR)) for p in PHP_FILES])
def test_php_file_requested_directly_does_nothing(path: Path) -> None:
    """Outside WordPress (a request straight to the file) each file stops at once, silently:
    its ABSPATH guard exits before the marker after it could print. `index.php` files are
    empty placeholders with no guard, so they only must print nothing themselves."""
    marker = "ran past the guard"
    script = f"include $argv[1]; echo '{marker}';"
    result = run(need("php"), "-d", "display_errors=stderr", "-r", script, str(path))
    expected = marker if path.name == "index.php" else ""
    assert (result.returncode, result.stdout, result.stderr) == (0, expected, "")


def test_coding_standard() -> None:
    result = run(need("phpcs"), f"--standard={RULESET}", "--report=full", "-q")
    assert result.returncode == 0, result.stdout + result.stderr


def test_coding_standard_catches_what_it_should(tmp_path: Path) -> None:
    bad = tmp_path / "bad.php"
    bad.write_text("<?php\nfunction porch_bad($a) {\n    $list = [1, 2];\n    eval($a);\n}\n")
    result = run(need("phpcs"), f"--standard={RULESET}", "--report=summary", "-s", str(bad))
    assert result.returncode != 0
    full = run(need("phpcs"), f"--standard={RULESET}", "--report=source", str(bad)).stdout
    for sniff in ("DisallowShortArraySyntax", "DisallowSpaceIndent", "Eval", "FunctionComment"):
        assert sniff in full.replace(" ", "").replace("\n", ""), full


def test_headers_and_readme() -> None:
    assert problems(PLUGIN_DIR, SLUG) == []
    headers = main_headers((PLUGIN_DIR / "porch-chat.php").read_text())
    assert headers["Requires at least"] == "6.1"
    assert headers["Requires PHP"] == "7.4"
    assert headers["License"] == "GPLv2 or later"
    assert headers["Text Domain"] == SLUG
    main = (PLUGIN_DIR / "porch-chat.php").read_text()
    assert f"define( 'PORCH_CHAT_VERSION', '{headers['Version']}' );" in main


@pytest.mark.parametrize(
    ("file", "old", "new", "complaint"),
    [
        ("readme.txt", "Stable tag: 0.1.0", "Stable tag: 0.0.9", "Stable tag '0.0.9'"),
        ("readme.txt", "Requires PHP: 7.4", "Requires PHP: 8.0", "Requires PHP"),
        ("porch-chat.php", " * Requires at least: 6.1\n", "", "no Requires at least header"),
        ("porch-chat.php", "Text Domain:       porch-chat", "Text Domain: porch", "Text Domain"),
        ("readme.txt", "== Changelog ==", "== Changes ==", "no == Changelog == section"),
    ],
)
def test_header_checker_catches_mistakes(
    tmp_path: Path, file: str, old: str, new: str, complaint: str
) -> None:
    copy = tmp_path / SLUG
    shutil.copytree(PLUGIN_DIR, copy)
    text = (copy / file).read_text()
    assert old in text
    (copy / file).write_text(text.replace(old, new))
    assert any(complaint in problem for problem in problems(copy, SLUG))


def test_every_translatable_string_uses_the_text_domain() -> None:
    code = "\n".join(path.read_text() for path in PHP_FILES)
    domains = [domain for _, domain in GETTEXT.findall(code)]
    assert len(domains) > 20
    assert set(domains) == {SLUG}
    calls = len(re.findall(rf"\b(?:{TRANSLATE})\(", code))
    assert calls == len(domains), "a translation call without a literal text domain"


def test_the_zip_holds_the_plugin_folder(plugin_zip: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(plugin_zip) as archive:
        names = sorted(archive.namelist())
    expected = sorted(
        f"{SLUG}/{p.relative_to(PLUGIN_DIR)}" for p in PLUGIN_DIR.rglob("*") if p.is_file()
    )
    assert names == expected
    assert f"{SLUG}/{SLUG}.php" in names and f"{SLUG}/readme.txt" in names

    # The same sources with other file times (as in another clone) give the same zip.
    checkout = tmp_path / "checkout"
    shutil.copytree(PLUGIN_DIR, checkout / "wordpress_plugin" / SLUG)
    shutil.copytree(REPO / "scripts", checkout / "scripts")
    for path in (checkout / "wordpress_plugin").rglob("*"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
    again = tmp_path / "again.zip"
    subprocess.run([str(checkout / "scripts" / "build-wordpress-plugin"), str(again)], check=True)
    assert again.read_bytes() == plugin_zip.read_bytes(), "the build is not reproducible"


def test_the_translation_template_has_every_string() -> None:
    """languages/porch-chat.pot (made with xgettext, see wordpress_plugin/README.md) lists
    exactly the strings the code translates."""
    code = "\n".join(path.read_text() for path in PHP_FILES)
    in_code = {re.sub(r"\\(['\\])", r"\1", text) for text, _ in GETTEXT.findall(code)}
    msgids = re.findall(r'^msgid "(.*)"$', POT.read_text(), re.M)
    in_pot = {re.sub(r'\\(["\\])', r"\1", text) for text in msgids if text}
    assert in_pot == in_code
