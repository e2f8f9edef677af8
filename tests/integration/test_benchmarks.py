"""Each benchmark runs end to end with tiny parameters and ends with its JSON figures.

Figures are never compared with targets here (the machine decides timings); what is checked
is that each benchmark really ran: servers started, messages arrived, connections held.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.support.processes import REPO


def bench(module: str, *args: str, timeout: float = 300) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{module}", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_messages_reach_operators_through_porch_and_the_baseline() -> None:
    figures = bench(
        "messages", "--connections", "4", "--seconds", "1", "--rate", "4", "--operators", "1"
    )
    for side in ("porch", "baseline"):
        for phase in ("paced", "saturation"):
            result = figures[side][phase]
            assert result["delivered"] > 0, (side, phase, result)
        paced = figures[side]["paced"]
        assert paced["delivered"] == paced["sent"], (side, paced)  # none lost at this pace


def test_connections_are_held_and_measured() -> None:
    figures = bench("connections", "--connections", "5", "--hold", "1", "--client-procs", "1")
    assert figures["connections_held"] == 5
    # A 1 s hold is shorter than the 25 s ping interval: this checks the connections stay
    # up, not the pings (the documented 60 s run does).
    assert figures["all_alive_after_hold"] is True


def test_storage_reports_both_backends() -> None:
    figures = bench("storage", "--writers", "2", "--messages", "20", "--seconds", "5")
    assert figures["sqlite"]["messages"] == 20
    assert figures["sqlite_msgs_per_s"] > 0
    assert figures["sqlite"]["p99_ms"] > 0
    if "skipped" not in figures["postgresql"]:
        assert figures["postgresql"]["messages"] == 20


@pytest.mark.e2e
def test_widget_weight_without_lighthouse() -> None:
    figures = bench("widget_weight", "--runs", "1", "--no-lighthouse")
    assert figures["requests_at_load"] == 1  # the loader only
    assert "/widget/porch.js" in figures["requests_before_load"][0]
    for key in ("open_ms_cold", "open_ms_warm", "open_ms_cold_4x"):
        assert figures[key] > 0
    loader = figures["assets"]["loader"]
    assert loader["br"] < loader["gzip"] < loader["identity"]  # served compressed
    assert all(asset["revalidates_304"] for asset in figures["assets"].values())
