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


def test_messages_through_two_processes_behind_nginx() -> None:
    """Needs PostgreSQL, Redis and nginx, as tests/scale does."""
    from tests.scale.cluster import nginx_binary, redis_unavailable_reason
    from tests.support.databases import postgres_unavailable_reason

    missing = redis_unavailable_reason() or postgres_unavailable_reason()
    if missing or nginx_binary() is None:
        pytest.skip(missing or "nginx is not installed")
    figures = bench(
        "messages", "--connections", "4", "--seconds", "1", "--rate", "4", "--operators", "1",
        "--processes", "2", "--no-baseline",
    )  # fmt: skip
    assert figures["processes"] == 2 and figures["database"].startswith("postgresql")
    for phase in ("paced", "saturation"):
        result = figures["porch"][phase]
        assert result["delivered"] > 0, (phase, result)
        assert set(result["other_cpu_s"]) >= {"porch_0", "porch_1", "nginx", "machine"}
    paced = figures["porch"]["paced"]
    assert paced["delivered"] == paced["sent"], paced


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


def test_tickets_times_every_view_and_a_minute_of_timers() -> None:
    figures = bench(
        "tickets", "--tickets", "300", "--messages", "900", "--open", "480", "--minutes", "3",
        "--samples", "2", "--operators", "2",
    )  # fmt: skip
    for side in ("sqlite", "postgresql"):
        result = figures[side]
        if "skipped" in result:
            continue
        for view in ("mine", "unassigned", "urgent", "pending", "resolved"):
            assert result[f"{view}_p95_ms"] > 0, (side, view)
        assert result["saved_view_4_filters_p95_ms"] > 0
        assert result["sla_timers"]["timer_jobs_per_min"] > 0  # timers came due and ran


def test_search_reports_both_backends() -> None:
    figures = bench("search", "--tickets", "50", "--messages", "300", "--rounds", "1")
    assert figures["sqlite"]["p95_ms"] > 0
    assert set(figures["sqlite"]["per_query_p95_ms"]) >= {"refund", "{rare}", "{name}"}
    if "skipped" not in figures["postgresql"]:
        assert figures["postgresql"]["p95_ms"] > 0


def test_scaleout_routes_each_emit_to_the_process_that_needs_it() -> None:
    """Runs against the real Redis (127.0.0.1:6379, or PORCH_TEST_REDIS)."""
    figures = bench("scaleout", "--emits", "200", "--rooms", "10", "--processes", "1", "2")
    for kind in ("stock", "routed"):
        assert [run["delivered"] for run in figures[kind]] == [200, 200]  # none lost or doubled
    assert [run["received_per_process"] for run in figures["stock"]] == [200, 200]
    assert [run["received_per_process"] for run in figures["routed"]] == [200, 100]


@pytest.mark.e2e
def test_widget_weight_without_lighthouse() -> None:
    figures = bench("widget_weight", "--runs", "1", "--no-lighthouse")
    assert figures["requests_at_load"] == 1  # the loader only
    assert "/widget/porch.js" in figures["requests_before_load"][0]
    opening = ("open_ms_cold", "open_ms_warm", "open_ms_cold_4x")
    for key in (*opening, "proactive_ms_cold", "proactive_ms_cold_4x"):
        assert figures[key] > 0
    assert figures["frames_at_idle"] == 0  # flows on, and still no widget at idle
    loader = figures["assets"]["loader"]
    assert loader["br"] < loader["gzip"] < loader["identity"]  # served compressed
    assert figures["widget_bytes_br"] < figures["widget_bytes_br_first"]  # best brotli, kept
    assert all(asset["revalidates_304"] for asset in figures["assets"].values())
