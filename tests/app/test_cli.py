"""The `porch` command, run as a user runs it."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.live_server import free_port
from tests.support.processes import porch, running, wait_for_http


def test_migrate_then_add_operator_and_site(tmp_path: Path) -> None:
    data = ["--data", str(tmp_path)]
    assert porch("migrate", *data).returncode == 0

    added = porch(
        "operator", "add", "Ann@Shop.example", "--name", "Ann", "--password", "s3cret-pass", *data
    )
    assert added.returncode == 0, added.stderr
    assert "ann@shop.example" in added.stdout

    again = porch(
        "operator", "add", "ann@shop.example", "--name", "Ann", "--password", "s3cret-pass", *data
    )
    assert again.returncode == 1
    assert "already exists" in again.stderr

    site = porch("site", "add", "My Shop", "--origin", "https://shop.example", *data)
    assert site.returncode == 0, site.stderr
    key = re.search(r"Site key: (\S+)", site.stdout)
    assert key, site.stdout
    assert f'data-site="{key.group(1)}"' in site.stdout
    assert '<script async src="http://127.0.0.1:8000/widget/porch.js"' in site.stdout


def test_weak_password_and_bad_origin_are_refused_clearly(tmp_path: Path) -> None:
    data = ["--data", str(tmp_path)]
    weak = porch("operator", "add", "a@b.example", "--name", "A", "--password", "short", *data)
    assert weak.returncode == 1
    assert "at least 8 characters" in weak.stderr

    bad = porch("site", "add", "Shop", "--origin", "not a url", *data)
    assert bad.returncode == 1
    assert "origin" in bad.stderr.lower()


def test_env_vars_choose_the_data_dir(tmp_path: Path) -> None:
    result = porch("migrate", env={"PORCH_DATA": str(tmp_path / "from-env")})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-env" / "porch.db").exists()


def test_demo_prints_what_a_new_user_needs_and_serves_it(tmp_path: Path) -> None:
    port = free_port()
    args = ["demo", "--data", str(tmp_path / "data"), "--port", str(port)]
    with running(args, env={}, cwd=tmp_path) as proc:
        storefront = wait_for_http(f"http://127.0.0.1:{port}/demo").decode()
        assert f'src="http://127.0.0.1:{port}/widget/porch.js"' in storefront
        login = wait_for_http(f"http://127.0.0.1:{port}/panel/login").decode()
        assert 'name="email"' in login
        proc.terminate()
        output = proc.communicate(timeout=15)[0]
    assert f"http://127.0.0.1:{port}/demo" in output
    assert f"http://127.0.0.1:{port}/panel" in output
    assert "demo@porch.example / porch-demo-password" in output
    assert "<script async src=" in output


def test_admin_commands_work_on_a_fresh_data_dir(tmp_path: Path) -> None:
    site = porch("site", "add", "Shop", "--origin", "https://shop.example", "--data", str(tmp_path))
    assert site.returncode == 0, site.stderr
    listed = porch("site", "list", "--data", str(tmp_path))
    assert "Shop" in listed.stdout and "https://shop.example" in listed.stdout


def test_site_update_turns_typing_preview_off_and_rejects_bad_values(tmp_path: Path) -> None:
    data = ["--data", str(tmp_path)]
    added = porch("site", "add", "Shop", "--origin", "https://shop.example", *data)
    key = re.search(r"Site key: (\S+)", added.stdout).group(1)

    off = porch("site", "update", key, "--typing-preview", "off", "--color", "#112233", *data)
    assert off.returncode == 0, off.stderr
    listed = porch("site", "list", *data).stdout
    assert "typing_preview=False" in listed and "color='#112233'" in listed

    bad = porch("site", "update", key, "--color", "red", *data)
    assert bad.returncode == 1 and "--color" in bad.stderr
    missing = porch("site", "update", "site_nope", "--greeting", "Hi", *data)
    assert missing.returncode == 1 and "no site with key" in missing.stderr
    assert "color='#112233'" in porch("site", "list", *data).stdout  # nothing lost


def test_site_update_sets_any_setting_as_json(tmp_path: Path) -> None:
    data = ["--data", str(tmp_path)]
    added = porch("site", "add", "Shop", "--origin", "https://shop.example", *data)
    key = re.search(r"Site key: (\S+)", added.stdout).group(1)
    targets = '{"high": {"first_response": 30, "resolution": 240}}'
    done = porch(
        "site", "update", key, "--set", f"sla_targets={targets}",
        "--set", "sla_business_hours=true", *data,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    listed = porch("site", "list", *data).stdout
    assert "'first_response': 30" in listed and "sla_business_hours=True" in listed
    unknown = porch("site", "update", key, "--set", "colour=#000000", *data)
    assert unknown.returncode == 1 and "colour" in unknown.stderr
    malformed = porch("site", "update", key, "--set", "sla_targets", *data)
    assert malformed.returncode == 1 and "SETTING=JSON" in malformed.stderr


def test_unreachable_database_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://porch:secret@127.0.0.1:1/porch"
    result = porch("migrate", "--database-url", url, "--data", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot use postgresql+asyncpg://porch:***@")
    assert "secret" not in result.stderr and "Traceback" not in result.stderr


def test_identity_secret_is_printed_and_rotates(tmp_path: Path) -> None:
    data = ["--data", str(tmp_path)]
    added = porch("site", "add", "Shop", "--origin", "https://shop.example", *data).stdout
    key = re.search(r"Site key: (\S+)", added).group(1)
    secret = re.search(r"Identity secret: ([0-9a-f]{64})", added).group(1)

    assert porch("site", "secret", key, *data).stdout.strip() == secret
    rotated = porch("site", "secret", key, "--rotate", *data)
    assert rotated.returncode == 0 and re.fullmatch(r"[0-9a-f]{64}\n", rotated.stdout)
    assert rotated.stdout.strip() != secret
    assert porch("site", "secret", key, *data).stdout == rotated.stdout
    missing = porch("site", "secret", "site_nope", *data)
    assert missing.returncode == 1 and "no site with key" in missing.stderr


def test_kb_add_list_and_remove(tmp_path: Path) -> None:
    data = ["--data", str(tmp_path)]
    site = porch("site", "add", "My Shop", "--origin", "https://shop.example", *data)
    key = re.search(r"Site key: (\S+)", site.stdout)
    assert key, site.stdout
    faq = tmp_path / "faq.md"
    faq.write_text("# FAQ\n\nWe roast every Monday and Thursday.\n")
    added = porch("kb", "add", "--site", key.group(1), str(faq), *data)
    assert added.returncode == 0, added.stderr
    assert re.search(r"#1 \[file\] FAQ <faq.md>  ready, \d+ chars, 1 chunks", added.stdout)
    refused = porch("kb", "add", "--site", key.group(1), "http://127.0.0.1:9/", *data)
    assert refused.returncode == 1 and "private or local address" in refused.stdout
    listed = porch("kb", "list", *data)
    assert "My Shop" in listed.stdout and "2 sources" in listed.stdout
    assert porch("kb", "remove", "--site", key.group(1), "1", *data).returncode == 0
    assert "1 sources" in porch("kb", "list", "--site", key.group(1), *data).stdout
    assert porch("kb", "remove", "--site", key.group(1), "1", *data).returncode == 1
    not_shopify = porch("kb", "add", "--site", key.group(1), "shopify:", *data)
    assert not_shopify.returncode == 1 and "not a Shopify store" in not_shopify.stdout
