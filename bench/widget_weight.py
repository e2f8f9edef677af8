"""What the widget weighs and costs the page that hosts it, on the demo storefront.

Starts `porch demo` on 127.0.0.1, then:

- Bytes, as the server serves them: the loader, and everything the widget loads once opened
  (the frame page with its styles, the Brython runtime, our bundle), fetched with
  `Accept-Encoding` identity, gzip and br; with each one's Cache-Control and whether a
  conditional request with its validator gets a 304. Twice: at once after the first
  start (`widget_bytes_br_first`: brotli quality 9), and once the server has compressed
  the runtime and bundle at brotli's best, which it does once after the first open and
  keeps in the data dir (`porch.embed.compression`), so every later visitor and every later
  start gets those (`widget_bytes_br`, `assets`).
- Requests the snippet makes before the host page's `load` event (Chromium).
- Lighthouse (mobile preset, Debian's Chromium, median of --lighthouse-runs) on the
  storefront with the snippet and with the loader blocked; once as the demo serves it (shop
  and chat on one site) and once from http://localhost (the chat on another site).
- Opening the chat: from the launcher click to the composer having focus in the frame
  (the widget handled "open"), clicked as soon as the launcher is drawn; cold (empty
  cache), warm (reload), and cold with the CPU throttled 4×. Median of --runs.
- A proactive message (flows, docs/flows.md): the demo site has the `pricing-page-help`
  and `exit-intent-discount` templates enabled throughout; from the mouse leaving the
  window (exit intent) to the flow's message showing in the teaser beside the launcher,
  cold and cold at 4× CPU (`proactive_ms_cold`, `proactive_ms_cold_4x`). Median of --runs.

    .venv/bin/python -m bench.widget_weight [--runs 5] [--lighthouse-runs 3] [--no-lighthouse]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, async_playwright
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.live_server import free_port

from bench import lighthouse
from bench.harness import emit_result, note, rounded, serving
from porch.app import build_services
from porch.config import load_config

ENCODINGS = {"identity": "identity", "gzip": "gzip", "br": "gzip, deflate, br, zstd"}
"""Figure name → Accept-Encoding sent; "br" is what Chromium sends (brotli where served)."""
LOADER = "*/widget/porch.js"
BEST_COMPRESSED = ("brython", "widget")
"""The assets the server compresses at brotli's best in the background (porch.embed.assets)."""

REQUESTS_BEFORE_LOAD_JS = """() => {
  const load = performance.getEntriesByType("navigation")[0].loadEventStart;
  return performance.getEntriesByType("resource")
    .filter((e) => e.name.includes("/widget/") && e.startTime < load)
    .map((e) => `${e.initiatorType} ${e.name.split("?")[0]}`);
}"""

# Clicks the launcher from inside the page and waits (one frame at a time) until the widget
# has focused its composer: typing now goes to the chat.
OPEN_JS = """async () => {
  const host = document.getElementById("porch-widget");
  const started = performance.now();
  host.shadowRoot.querySelector("[data-testid=porch-launcher]").click();
  const frame = () => host.shadowRoot.querySelector("iframe");
  for (;;) {
    await new Promise((r) => requestAnimationFrame(r));
    const doc = frame() && frame().contentDocument;
    if (doc && doc.activeElement && doc.activeElement.id === "porch-input") break;
    if (performance.now() - started > 60000) throw new Error("the chat never opened");
  }
  return performance.now() - started;
}"""


# Leaves the window through its top (the loader's exit-intent watcher) and waits, one frame
# at a time, until the flow's first message shows in the teaser.
PROACTIVE_JS = """async () => {
  const host = document.getElementById("porch-widget");
  const teaser = host.shadowRoot.querySelector("[data-testid=porch-teaser]");
  const started = performance.now();
  document.dispatchEvent(new MouseEvent("mouseout", {clientY: -1, relatedTarget: null}));
  for (;;) {
    await new Promise((r) => requestAnimationFrame(r));
    if (!teaser.hidden && teaser.textContent.includes("STAY10")) break;
    if (performance.now() - started > 60000) throw new Error("no proactive message");
  }
  return performance.now() - started;
}"""
TEMPLATES = ("pricing-page-help", "exit-intent-discount")

# The page's blocking time (long tasks' time past 50 ms) from its start until 4 s after
# `load`: the loader opens its session, draws the launcher and arms its watchers by then.
BLOCKING_JS = """() => new Promise((resolve) => {
  let blocking = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) blocking += Math.max(0, e.duration - 50);
  }).observe({type: "longtask", buffered: true});
  setTimeout(() => resolve(blocking), 4000);
})"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="opening runs per variant")
    parser.add_argument("--lighthouse-runs", type=int, default=3)
    parser.add_argument("--no-lighthouse", action="store_true", help="skip Lighthouse")
    return parser.parse_args()


def fetch(url: str, headers: dict[str, str]) -> tuple[int, bytes, Any]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:  # a 304 arrives as an "error"
        return exc.code, exc.read(), exc.headers


def served(url: str) -> dict[str, Any]:
    """One asset as served: bytes on the wire per accepted encoding, caching, validators."""
    sizes: dict[str, int] = {}
    headers: Any = None
    for encoding, accept in ENCODINGS.items():
        status, body, headers = fetch(url, {"Accept-Encoding": accept})
        if status != 200:
            raise RuntimeError(f"{url}: HTTP {status}")
        sizes[encoding] = len(body)
        sizes[f"{encoding}_served_as"] = headers.get("Content-Encoding", "identity")
    validator = {"If-None-Match": headers["ETag"]} if headers.get("ETag") else {}
    if headers.get("Last-Modified"):
        validator["If-Modified-Since"] = headers["Last-Modified"]
    conditional = {"Accept-Encoding": ENCODINGS["br"], **validator}
    revalidated = bool(validator) and fetch(url, conditional)[0] == 304
    return {
        **sizes,
        "cache_control": headers.get("Cache-Control"),
        "revalidates_304": revalidated,
    }


def sizes(base: str) -> dict[str, Any]:
    storefront = fetch(f"{base}/demo", {})[1].decode()
    site_key = re.search(r'data-site="([^"]+)"', storefront).group(1)  # type: ignore[union-attr]
    frame_url = f"{base}/widget/frame?site={site_key}"
    frame_html = fetch(frame_url, {})[1].decode()
    assets = {"loader": served(f"{base}/widget/porch.js"), "frame": served(frame_url)}
    for src in re.findall(r'<script src="([^"]+)"', frame_html):
        assets[src.split("/")[-1].split(".")[0]] = served(base + src.replace("&amp;", "&"))
    opened = [name for name in assets if name != "loader"]
    return {
        "loader_bytes_br": assets["loader"]["br"],
        "widget_bytes_br": sum(assets[name]["br"] for name in opened),
        "assets": assets,
    }


def best_sizes(base: str, data: Path, timeout: float = 180.0) -> dict[str, Any]:
    """`sizes` once the server serves the best compression it keeps in `<data>/cache`
    (asked for by the frame's first request, which `sizes` made)."""
    deadline = time.monotonic() + timeout
    while True:
        figures = sizes(base)
        best = {p.name.split("-")[0]: p.stat().st_size for p in (data / "cache").glob("*.br")}
        if all(figures["assets"][name]["br"] == best.get(name) for name in BEST_COMPRESSED):
            return figures
        if time.monotonic() > deadline:
            raise RuntimeError("the server never served its best compression")
        time.sleep(0.5)  # polling a background job of the server, not waiting for time


async def requests_at_load(browser: Browser, url: str) -> list[str]:
    """The snippet's requests (everything under /widget/) started before the `load` event,
    from the page's own resource timing."""
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(url, wait_until="load")
    await page.get_by_test_id("porch-launcher").wait_for(state="visible", timeout=60_000)
    seen = await page.evaluate(REQUESTS_BEFORE_LOAD_JS)
    await context.close()
    return list(seen)


async def open_once(page: Page, url: str) -> float:
    await page.goto(url)
    await page.get_by_test_id("porch-launcher").wait_for(state="visible", timeout=60_000)
    return float(await page.evaluate(OPEN_JS))


async def open_times(browser: Browser, url: str, runs: int) -> dict[str, float | None]:
    samples: dict[str, list[float]] = {"cold": [], "warm": [], "cold_4x": []}
    for _ in range(runs):
        for variant in samples:
            context = await browser.new_context()  # an empty cache
            page = await context.new_page()
            if variant == "cold_4x":
                cdp = await context.new_cdp_session(page)
                await cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
            first = await open_once(page, url)
            samples[variant].append(await open_once(page, url) if variant == "warm" else first)
            await context.close()
    return {
        f"open_ms_{variant}": rounded(statistics.median(values))
        for variant, values in samples.items()
    }


async def proactive_times(browser: Browser, url: str, runs: int) -> dict[str, float | None]:
    """Exit intent to the teaser showing its message, each run a new visitor (a new
    context: the flow runs once per visit)."""
    samples: dict[str, list[float]] = {"cold": [], "cold_4x": []}
    for _ in range(runs):
        for variant in samples:
            context = await browser.new_context()
            page = await context.new_page()
            if variant == "cold_4x":
                cdp = await context.new_cdp_session(page)
                await cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
            await page.goto(url)
            # The loader marks its host once the flows' watchers are armed (an idle
            # callback after the launcher is drawn); a leave before that is not watched.
            armed = page.locator("#porch-widget[data-watching]")
            await armed.wait_for(state="attached", timeout=60_000)
            samples[variant].append(float(await page.evaluate(PROACTIVE_JS)))
            await context.close()
    return {
        f"proactive_ms_{variant}": rounded(statistics.median(values))
        for variant, values in samples.items()
    }


async def blocking_at_load(browser: Browser, url: str, runs: int) -> dict[str, Any]:
    """The host page at 4x CPU, the loader allowed and blocked in turn: blocking time
    (long tasks past 50 ms) and main-thread task time (Chromium's `TaskDuration`) until 4 s
    after `load`. What the loader adds is the difference of the medians of --runs loads
    each (`loader_blocking_ms_4x`, `loader_task_ms_4x`): a Lighthouse-free check."""
    samples: dict[str, list[float]] = {"with": [], "without": []}
    tasks: dict[str, list[float]] = {"with": [], "without": []}
    for _ in range(runs):
        for variant, values in samples.items():
            context = await browser.new_context()
            page = await context.new_page()
            if variant == "without":
                await page.route("**/widget/porch.js", lambda route: route.abort())
            cdp = await context.new_cdp_session(page)
            await cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
            await cdp.send("Performance.enable")
            await page.goto(url, wait_until="load")
            values.append(float(await page.evaluate(BLOCKING_JS)))
            metrics = (await cdp.send("Performance.getMetrics"))["metrics"]
            task = next(m["value"] for m in metrics if m["name"] == "TaskDuration")
            tasks[variant].append(1000 * float(task))
            await context.close()
    medians = {k: statistics.median(v) for k, v in samples.items()}
    task_medians = {k: statistics.median(v) for k, v in tasks.items()}
    return {
        "loader_blocking_ms_4x": rounded(medians["with"] - medians["without"]),
        "loader_task_ms_4x": rounded(task_medians["with"] - task_medians["without"]),
        "blocking_ms_4x": {k: rounded(v) for k, v in medians.items()},
        "task_ms_4x": {k: rounded(v) for k, v in task_medians.items()},
    }


async def frames_at_idle(browser: Browser, url: str) -> int:
    """Widget frames on the page 5 s after the launcher is drawn, without intent."""
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(url)
    await page.get_by_test_id("porch-launcher").wait_for(state="visible", timeout=60_000)
    await page.wait_for_timeout(5000)
    count = await page.locator("iframe[data-testid=porch-frame]").count()
    await context.close()
    return count


async def browser_figures(url: str, runs: int) -> dict[str, Any]:
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            at_load = await requests_at_load(browser, url)
            idle_frames = await frames_at_idle(browser, url)
            blocking = await blocking_at_load(browser, url, runs)
            proactive = await proactive_times(browser, url, runs)
            opening = await open_times(browser, url, runs)
        finally:
            await browser.close()
    return {
        "requests_at_load": len(at_load),
        "requests_before_load": at_load,
        "frames_at_idle": idle_frames,
        **blocking,
        **proactive,
        **opening,
    }


async def enable_templates(data: Path) -> None:
    """The demo site gets the flows the targets are measured with (through the store, as
    `porch flow add-template` does); they take effect on the next page view."""
    from porch.flows import templates
    from porch.flows.store import FlowStore

    services = build_services(load_config(data=str(data)))
    try:
        store = FlowStore(services.db, services.events, services.clock)
        for site in await services.sites.all():
            for name in TEMPLATES:
                await store.create(site.id, templates.load(name), enabled=True, template=name)
    finally:
        await services.db.dispose()


async def allow_origin(data: Path, origin: str) -> None:
    """Let the demo site's widget run on `origin` too (through the service API)."""
    services = build_services(load_config(data=str(data)))
    try:
        for site in await services.sites.all():
            await services.sites.update(site.id, origins=[*site.allowed_origins, origin])
    finally:
        await services.db.dispose()


def run(args: argparse.Namespace, data: Path) -> dict[str, Any]:
    port = free_port()
    demo = ["-m", "porch", "demo", "--data", str(data), "--port", str(port)]
    with serving(demo, port, "/demo") as server:
        url = f"{server.url}/demo"
        first = sizes(server.url)["widget_bytes_br"]
        figures: dict[str, Any] = {"benchmark": "widget_weight", **best_sizes(server.url, data)}
        figures["widget_bytes_br_first"] = first
        asyncio.run(enable_templates(data))
        figures["flows_enabled"] = list(TEMPLATES)
        note("sizes measured; proactive message and opening the chat in Chromium")
        figures.update(asyncio.run(browser_figures(url, args.runs)))
        if not args.no_lighthouse:
            note("Lighthouse, shop and chat on one site")
            figures.update(lighthouse.compare(url, LOADER, args.lighthouse_runs))
            # As most shops run it: the chat on another site than the shop, so Chromium
            # gives the widget's frame its own process (site isolation, desktop).
            shop = f"http://localhost:{port}"
            asyncio.run(allow_origin(data, shop))
            note("Lighthouse, the chat on another site")
            cross = lighthouse.compare(f"{shop}/demo", LOADER, args.lighthouse_runs, "_cross_site")
            figures.update(cross)
    return figures


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="porch-bench-") as tmp:
        emit_result(run(args, Path(tmp)))


if __name__ == "__main__":
    main()
