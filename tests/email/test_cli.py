"""The commands as a user runs them: `porch site update KEY --support-email`, `porch email
configure`, and `porch serve --smtp-listen` taking a mail over SMTP."""

from __future__ import annotations

import re
import smtplib
import time
from email.message import EmailMessage
from pathlib import Path

from tests.support.live_server import free_port
from tests.support.processes import porch, running, wait_for_http


def site_key(data: list[str]) -> str:
    added = porch("site", "add", "Shop", "--origin", "https://shop.example", *data)
    key = re.search(r"Site key: (\S+)", added.stdout)
    assert key, added.stdout + added.stderr
    return key.group(1)


def test_support_address_and_rules_from_the_command_line(tmp_path: Path) -> None:
    data = ["--data", str(tmp_path)]
    key = site_key(data)
    updated = porch("site", "update", key, "--support-email", "support@shop.example", *data)
    assert updated.returncode == 0, updated.stderr
    assert "support_email='support@shop.example'" in updated.stdout
    bad = porch("site", "update", key, "--support-email", "not an address", *data)
    assert bad.returncode == 1 and "support@shop.example" in bad.stderr

    rules = porch("email", "configure", key, "--priority", "high", "--tag", "refund=billing", *data)
    assert rules.returncode == 0, rules.stderr
    assert "email_priority='high'" in rules.stdout
    assert "email_tags={'refund': 'billing'}" in rules.stdout
    imap = porch(
        "email", "configure", key, "--imap-host", "imap.shop.example", "--imap-user", "s",
        *data, env={"PORCH_IMAP_PASSWORD": "secret"},
    )  # fmt: skip
    assert imap.returncode == 0, imap.stderr
    assert "secret" not in imap.stdout


def test_porch_serve_smtp_listen_takes_mail(tmp_path: Path) -> None:
    data = ["--data", str(tmp_path)]
    key = site_key(data)
    porch("site", "update", key, "--support-email", "support@shop.example", *data)
    port, smtp_port = free_port(), free_port()
    args = ["serve", "--port", str(port), "--smtp-listen", f"127.0.0.1:{smtp_port}", *data]
    with running(args, env={}, cwd=tmp_path, log=tmp_path / "serve.log"):
        wait_for_http(f"http://127.0.0.1:{port}/healthz")
        message = EmailMessage()
        message["From"] = "dana@example.com"
        message["To"] = "support@shop.example"
        message["Subject"] = "Hello"
        message.set_content("Is this thing on?")
        for _ in range(100):  # the listener starts with the app, right after /healthz
            try:
                client = smtplib.SMTP("127.0.0.1", smtp_port, timeout=10)
                break
            except OSError:
                time.sleep(0.1)
        with client:
            refused = client.send_message(message)
            assert refused == {}
            client.mail("dana@example.com")
            code, text = client.rcpt("nobody@elsewhere.example")
            assert code == 550 and b"No support mailbox" in text
