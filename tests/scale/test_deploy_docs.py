"""The deployment docs show the files the scale-out tests run (docs/deploy/), and those
files are sound: nginx accepts the site, the unit starts `porch serve` without migrating,
and the environment file names only settings Porch reads."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from porch.cli import build_parser
from tests.scale.cluster import (
    ENV_FILE,
    SITE_CONF,
    UNIT,
    documented_env,
    nginx_binary,
    nginx_main,
    nginx_site,
    unit_command,
)
from tests.support.processes import REPO

OPERATIONS = REPO / "docs" / "operations.md"


@pytest.mark.parametrize(("path", "fence"), [(SITE_CONF, "nginx"), (UNIT, "ini"), (ENV_FILE, "sh")])
def test_operations_md_shows_each_tested_file_as_it_is(path: Path, fence: str) -> None:
    assert f"```{fence}\n{path.read_text()}```" in OPERATIONS.read_text(), (
        f"docs/operations.md must show {path.relative_to(REPO)} verbatim"
    )


def test_nginx_accepts_the_site_with_the_tests_ports(tmp_path: Path) -> None:
    binary = nginx_binary()
    if binary is None:
        pytest.skip("nginx is not installed (scripts/test installs Debian's nginx)")
    site = tmp_path / "porch.conf"
    site.write_text(nginx_site([18001, 18002, 18003], 18000))
    assert site.read_text().count("server 127.0.0.1:1800") == 3
    main = tmp_path / "nginx.conf"
    main.write_text(nginx_main(tmp_path, site))
    checked = subprocess.run(
        [binary, "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(main), "-t"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr


def test_the_site_keeps_what_a_balanced_porch_needs() -> None:
    site = SITE_CONF.read_text()
    for directive in (
        "proxy_http_version 1.1;",
        "proxy_set_header Upgrade $http_upgrade;",
        "proxy_set_header Connection $porch_connection;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_next_upstream error timeout;",
        "max_fails=1",
    ):
        assert directive in site, directive
    for sticky in ("ip_hash;", "hash ", "sticky"):
        assert f"\n    {sticky}" not in site, f"the upstream must not be sticky ({sticky})"


def test_the_unit_serves_without_migrating_and_the_cli_takes_its_flags() -> None:
    command = unit_command(8001)
    assert command[3:5] == ["serve", "--no-migrate"], command
    args = build_parser().parse_args(command[3:])
    assert (args.command, args.no_migrate, args.port) == ("serve", True, 8001)


def test_the_environment_file_names_settings_porch_reads() -> None:
    names = documented_env(
        {"PORCH_DATABASE_URL": "x", "PORCH_SECRET_KEY": "x", "PORCH_REDIS_URL": "x"}
    )
    config = (REPO / "server" / "porch" / "config.py").read_text()
    for name in names:
        assert f'"{name}"' in config, f"{ENV_FILE.name}: Porch does not read {name}"
    assert {"PORCH_DATABASE_URL", "PORCH_REDIS_URL", "PORCH_SECRET_KEY"} <= set(names)
