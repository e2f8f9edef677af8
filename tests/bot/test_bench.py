"""`bench/bot.py` runs end to end with tiny parameters and prints its figures (never
compared with targets here: the machine decides timings; quality figures are checked)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.processes import REPO


def test_the_bot_benchmark_reports_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.bot", "--chunks", "200", "--queries", "20", "--runs", "2"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["retrieval"]["recall_at_3"] >= 0.95
    assert figures["retrieval"]["chunks"] >= 200
    assert figures["handoff"]["precision"] >= 0.95 and figures["handoff"]["recall"] >= 0.95
    assert figures["first_token"]["runs"] == 2
