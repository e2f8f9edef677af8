"""What the widget costs the page that hosts it, measured in Chromium side by side.

Serves the demo storefront from a real Porch server and loads it RUNS times with the
snippet and RUNS times without it (baseline: the same page with the tag removed). Prints
the page's first contentful paint and load-event time, the bytes the host page fetched
before its load event, and how long the chat takes to be usable after the first click
(Brython starting in the iframe), cold and with a warm cache.

    .venv/bin/python -m bench.host_page_cost [--runs 10]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from playwright.async_api import Browser, Page, Route, async_playwright
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

LOAD_METRICS_JS = """async () => {
  const nav = performance.getEntriesByType("navigation")[0];
  const before = performance.getEntriesByType("resource")
    .filter((e) => e.startTime < nav.loadEventStart);
  const bytes = nav.encodedBodySize + before.reduce((s, e) => s + e.transferSize, 0);
  const paint = await new Promise((resolve) => {
    new PerformanceObserver((list) => {
      const fcp = list.getEntriesByName("first-contentful-paint")[0];
      if (fcp) resolve(fcp.startTime);
    }).observe({ type: "paint", buffered: true });
    setTimeout(() => resolve(NaN), 5000);
  });
  return [nav.loadEventStart, bytes, paint];
}"""
SNIPPET = re.compile(rb'<script async src="[^"]*/widget/porch\.js"[^>]*></script>')


async def strip_snippet(route: Route) -> None:
    response = await route.fetch()
    await route.fulfill(response=response, body=SNIPPET.sub(b"", await response.body()))


async def load_metrics(page: Page, url: str) -> tuple[float, int, float]:
    """(load event ms, bytes fetched before load, first contentful paint ms)."""
    await page.goto(url, wait_until="load")
    nav = await page.evaluate(LOAD_METRICS_JS)
    return float(nav[0]), int(nav[1]), float(nav[2])


async def one_run(browser: Browser, url: str, with_widget: bool) -> dict[str, float]:
    context = await browser.new_context()
    page = await context.new_page()
    if not with_widget:
        await page.route("**/demo", strip_snippet)
    load_ms, host_bytes, paint_ms = await load_metrics(page, url)
    result = {"load_ms": load_ms, "host_bytes": host_bytes, "paint_ms": paint_ms}
    if with_widget:
        for label in ("cold_open_ms", "warm_open_ms"):
            if label == "warm_open_ms":
                await page.reload(wait_until="load")
            started = time.perf_counter()
            await page.get_by_test_id("porch-launcher").click()
            frame = page.frame_locator("iframe[data-testid=porch-frame]")
            await frame.get_by_test_id("porch-input").wait_for(state="visible", timeout=60_000)
            result[label] = (time.perf_counter() - started) * 1000
    await context.close()
    return result


def serve(data: str, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "porch", "demo", "--data", data, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/demo", timeout=2).close()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("demo server did not start")


def summary(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):8.1f}   min {min(values):8.1f}   max {max(values):8.1f}"
    )


async def measure(url: str, runs: int) -> dict[str, dict[str, list[float]]]:
    results: dict[str, dict[str, list[float]]] = {"without": {}, "with": {}}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(runs):  # interleaved so both variants see the same machine state
            for variant in ("without", "with"):
                run = await one_run(browser, url, variant == "with")
                for key, value in run.items():
                    results[variant].setdefault(key, []).append(value)
        await browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--port", type=int, default=8791)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        server = serve(data, args.port)
        try:
            results = asyncio.run(measure(f"http://127.0.0.1:{args.port}/demo", args.runs))
        finally:
            server.terminate()
            server.wait(timeout=15)

    base, widget = results["without"], results["with"]
    print(f"demo storefront, {args.runs} runs each, Chromium headless, 127.0.0.1")
    print(f"first paint, no widget (ms)    {summary(base['paint_ms'])}")
    print(f"first paint, with widget (ms)  {summary(widget['paint_ms'])}")
    print(f"load event, no widget (ms)     {summary(base['load_ms'])}")
    print(f"load event, with widget (ms)   {summary(widget['load_ms'])}")
    ratio = statistics.median(widget["load_ms"]) / statistics.median(base["load_ms"])
    print(f"  with/without ratio           {ratio:.2f}")
    print(f"bytes before load, no widget   {summary(base['host_bytes'])}")
    print(f"bytes before load, with widget {summary(widget['host_bytes'])}")
    print(f"chat usable after click, cold  {summary(widget['cold_open_ms'])}  (ms)")
    print(f"chat usable after click, warm  {summary(widget['warm_open_ms'])}  (ms)")


if __name__ == "__main__":
    main()
