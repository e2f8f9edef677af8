"""bench/jobs.py runs end to end with tiny counts and reports its figures (never judged
against targets here: the machine decides timings)."""

from __future__ import annotations

from tests.benchmarks.test_benchmarks import bench


def test_jobs_benchmark_reports_both_backends() -> None:
    figures = bench(
        "jobs",
        *("--jobs", "50", "--seconds", "5", "--idle-jobs", "5", "--remote-jobs", "2"),
        *("--backlog", "50", "--load-seconds", "1", "--load-connections", "4"),
        *("--load-probes", "3"),
    )
    assert figures["sqlite_jobs_per_s"] > 0
    assert figures["sqlite_idle_p99_ms"] is not None
    backends = ["sqlite"] + ([] if "skipped" in figures["postgresql"] else ["postgresql"])
    for name in backends:
        result = figures[name]
        assert result["idle"]["picked_up"] == 5
        assert result["other_process"]["picked_up"] == 2
        assert result["throughput"]["all_done"] and result["throughput"]["done"] == 50
        assert result["backlog"]["all_done"] and result["backlog"]["done"] == 50
        assert result["under_message_load"]["probes"] > 0
        assert result["under_message_load"]["lost"] == 0
