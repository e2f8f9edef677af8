"""Lighthouse from npm, pinned by bench/npm/package-lock.json and installed on first use
into bench/.node (ignored by git), run against Debian's Chromium with the mobile preset."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import statistics
import subprocess
from pathlib import Path
from typing import Any

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

BENCH = Path(__file__).resolve().parent
PINNED = BENCH / "npm"
PREFIX = BENCH / ".node"
CLI = PREFIX / "node_modules" / "lighthouse" / "cli" / "index.js"
STAMP = PREFIX / "node_modules" / ".installed-from-lock"


def install() -> Path:
    """The Lighthouse CLI, installed from the lock file unless that exact lock already is."""
    lock_sum = hashlib.sha256((PINNED / "package-lock.json").read_bytes()).hexdigest()
    if CLI.exists() and STAMP.exists() and STAMP.read_text() == lock_sum:
        return CLI
    PREFIX.mkdir(exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(PINNED / name, PREFIX / name)
    # `npm ci` installs exactly the locked versions and never rewrites the lock.
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
        cwd=PREFIX,
        check=True,
        capture_output=True,
    )
    STAMP.write_text(lock_sum)
    return CLI


def audit(cli: Path, url: str, blocked: str | None) -> dict[str, float]:
    """One Lighthouse performance run (mobile preset, simulated throttling)."""
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    command = [
        "node",
        str(cli),
        url,
        "--only-categories=performance",
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        f"--chrome-flags={flags}",
    ]
    if blocked:
        command.append(f"--blocked-url-patterns={blocked}")
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    out = subprocess.run(command, env=env, check=True, capture_output=True, timeout=300).stdout
    report = json.loads(out)
    audits = report["audits"]
    return {
        "score": report["categories"]["performance"]["score"] * 100,
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
    }


def compare(url: str, loader_pattern: str, runs: int, suffix: str = "") -> dict[str, Any]:
    """Medians with the snippet and with its loader blocked, and what the snippet adds
    (figure names end with `suffix`)."""
    cli = install()
    results: dict[str, list[dict[str, float]]] = {"with": [], "without": []}
    for _ in range(runs):  # interleaved, so both variants see the same machine
        results["with"].append(audit(cli, url, None))
        results["without"].append(audit(cli, url, loader_pattern))
    median = {
        variant: {key: statistics.median(r[key] for r in runs_) for key in runs_[0]}
        for variant, runs_ in results.items()
    }
    with_, without = median["with"], median["without"]
    return {
        f"lighthouse_score_delta{suffix}": round(without["score"] - with_["score"], 1),
        f"tbt_added_ms{suffix}": round(with_["tbt_ms"] - without["tbt_ms"], 1),
        f"lcp_added_ms{suffix}": round(with_["lcp_ms"] - without["lcp_ms"], 1),
        f"lighthouse{suffix}": {
            k: {m: round(v, 1) for m, v in d.items()} for k, d in median.items()
        },
    }
