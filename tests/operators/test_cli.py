"""`porch operator …` as a user runs it: roles, invitations, the list, deactivation."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.processes import porch


def test_operator_commands(tmp_path: Path) -> None:
    data = ["--data", str(tmp_path)]
    admin = porch(
        "operator", "add", "ann@shop.example", "--name", "Ann", "--password", "pw-123456", *data
    )
    assert admin.returncode == 0 and "as admin" in admin.stdout, admin.stderr
    agent = porch(
        "operator", "add", "abe@shop.example", "--name", "Abe", "--password", "pw-123456",
        "--role", "agent", *data,
    )  # fmt: skip
    assert agent.returncode == 0 and "as agent" in agent.stdout, agent.stderr
    invite = porch("operator", "invite", "Sam@Shop.example", *data)
    assert invite.returncode == 0, invite.stderr
    assert re.search(r"http://\S+/panel/invite/\S{20,}", invite.stdout)
    assert "sam@shop.example as agent" in invite.stdout
    off = porch("operator", "deactivate", "abe@shop.example", *data)
    assert off.returncode == 0 and "deactivated" in off.stdout
    listed = porch("operator", "list", *data).stdout
    assert re.search(r"ann@shop.example\s+Ann\s+admin\s+active", listed)
    assert re.search(r"abe@shop.example\s+Abe\s+agent\s+deactivated", listed)
    last = porch("operator", "role", "ann@shop.example", "agent", *data)
    assert last.returncode == 1 and "last active admin" in last.stderr
    unknown = porch("operator", "deactivate", "nobody@shop.example", *data)
    assert unknown.returncode == 1 and "no operator" in unknown.stderr
